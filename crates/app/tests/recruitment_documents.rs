//! The documents of 发展党员 from recorded steps: each renders for a person whose steps are
//! complete, each refuses naming the steps it lacks, the package holds the names and the
//! vote counts, and LibreOffice opens every one (where it is installed).

#[path = "common/dir.rs"]
mod dir;

use std::process::Command;

use chrono::NaiveDate;
use jiceng_app::recruitment::documents::{
    blocks, render, DocError, DocKind, Lack, OrgDoc, PersonDoc,
};
use jiceng_domain::recruitment::{Notice, Sponsor, StepKind, StepRecord, Training, Vote};
use jiceng_domain::{Date, Education, Gender};
use jiceng_io::docx::document_xml;

fn d(y: i32, m: u32, day: u32) -> Date {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn org() -> OrgDoc {
    OrgDoc {
        name: "中共青石村支部委员会".into(),
        parent_name: Some("中共青石镇委员会".into()),
    }
}

fn sponsor(name: &str) -> Sponsor {
    Sponsor {
        member_id: None,
        name: name.into(),
        full_on: Some(d(2010, 7, 1)),
        on_roster: true,
    }
}

fn step(kind: StepKind, on: Date) -> StepRecord {
    StepRecord::new(kind, on)
}

/// 张三's way from the application to the confirmation vote, every fact recorded.
fn steps() -> Vec<StepRecord> {
    use StepKind::*;
    let mut contacts = step(ContactsAssigned, d(2023, 5, 20));
    contacts.people = vec!["李四".into(), "王五".into()];
    let mut candidate = step(CandidateNamed, d(2024, 6, 10));
    candidate.notice = Some(Notice {
        from: d(2024, 6, 1),
        to: d(2024, 6, 7),
    });
    let mut sponsors = step(SponsorsNamed, d(2024, 6, 15));
    sponsors.sponsors = vec![sponsor("赵六"), sponsor("钱七")];
    let mut review = step(PoliticalReview, d(2024, 8, 20));
    review.people = vec!["孙八".into()];
    let mut training = step(CandidateTraining, d(2024, 9, 12));
    training.training = Some(Training {
        days: Some(3),
        hours: Some(24.0),
    });
    let mut branch = step(BranchVote, d(2024, 11, 8));
    branch.notice = Some(Notice {
        from: d(2024, 10, 28),
        to: d(2024, 11, 1),
    });
    branch.vote = Some(vote(23, 21, 20, 1, 0, Some(true)));
    let mut confirm = step(ConfirmationVote, d(2025, 11, 14));
    confirm.vote = Some(vote(24, 22, 22, 0, 0, Some(true)));
    vec![
        step(Apply, d(2023, 3, 6)),
        step(Talk, d(2023, 3, 20)),
        step(ActivistNamed, d(2023, 5, 10)),
        contacts,
        candidate,
        sponsors,
        review,
        training,
        step(CommitteeReview, d(2024, 9, 25)),
        step(PreReview, d(2024, 10, 15)),
        branch,
        step(Approved, d(2024, 12, 20)),
        step(ConfirmationApplied, d(2025, 10, 20)),
        confirm,
    ]
}

fn vote(due: u32, present: u32, yes: u32, no: u32, abstain: u32, secret: Option<bool>) -> Vote {
    Vote {
        due,
        present,
        yes,
        no,
        abstain,
        written: 0,
        secret,
    }
}

fn person(name: &str, steps: Vec<StepRecord>) -> PersonDoc {
    PersonDoc {
        name: name.into(),
        gender: Gender::Female,
        ethnicity: "汉族".into(),
        birth_date: d(1998, 3, 14),
        education: Some(Education::Bachelor),
        occupation: Some("青石村村委会文书".into()),
        steps,
    }
}

fn people_for(kind: DocKind) -> Vec<PersonDoc> {
    let mut people = vec![person("张三", steps())];
    if kind.takes_many() {
        people.push(person("周九", steps()));
    }
    people
}

fn xml_of(kind: DocKind) -> String {
    let bytes = render(kind, &org(), &people_for(kind), d(2026, 3, 12)).unwrap();
    assert_eq!(&bytes[..2], b"PK", "{kind:?}: a zip package");
    document_xml(&bytes).unwrap_or_else(|| panic!("{kind:?}: word/document.xml"))
}

#[test]
fn every_document_renders_for_a_complete_person() {
    for kind in DocKind::ALL {
        let xml = xml_of(kind);
        assert!(xml.contains("张三"), "{kind:?}");
        assert!(xml.contains("中共青石村支部委员会"), "{kind:?}: the signer");
        assert!(xml.contains("方正小标宋简体") && xml.contains("仿宋_GB2312"));
        assert_eq!(DocKind::parse(kind.key()), Some(kind));
    }
}

#[test]
fn the_documents_hold_the_facts_recorded() {
    let branch = xml_of(DocKind::BranchResolution);
    for said in [
        "应到会有表决权的正式党员23名，实到会21名",
        "采取无记名投票方式进行表决，赞成20票，反对1票，弃权0票",
        "入党介绍人赵六、钱七同志",
        "自2024年11月8日支部大会通过之日起计算，至2025年11月8日期满",
    ] {
        assert!(branch.contains(said), "支部大会决议 lacks {said}");
    }
    assert!(
        !branch.contains("2026年3月12日"),
        "dated the day of the meeting"
    );
    let confirm = xml_of(DocKind::ConfirmationResolution);
    assert!(confirm.contains("应到会有表决权的正式党员24名，实到会22名"));
    assert!(confirm.contains("赞成22票，反对0票，弃权0票"));
    assert!(confirm.contains("同意张三同志按期转为中共正式党员"));
    let request = xml_of(DocKind::PreReviewRequest);
    assert!(
        request.contains("2026年3月12日"),
        "dated the day it is issued"
    );
    for said in [
        "中共青石镇委员会：",
        "张三等2名同志",
        "一、张三",
        "二、周九",
        "3天（24学时）",
        "培养联系人为李四、王五",
    ] {
        assert!(request.contains(said), "预审请示 lacks {said}");
    }
    assert!(xml_of(DocKind::CandidateNotice).contains("公示时间：2024年6月1日至2024年6月7日"));
    let notice = xml_of(DocKind::ProbationaryNotice);
    assert!(notice.contains("公示时间：2024年10月28日至2024年11月1日"));
    assert!(
        notice.contains("2024年10月28日"),
        "dated the day it was posted"
    );
    assert!(xml_of(DocKind::PoliticalReview).contains("指派孙八同志"));
}

#[test]
fn the_way_of_voting_and_an_extended_probation_are_said_as_recorded() {
    let mut steps = steps();
    for s in steps.iter_mut().filter(|s| s.vote.is_some()) {
        s.vote = Some(Vote {
            written: 2,
            ..vote(23, 12, 13, 1, 0, Some(false))
        });
    }
    let mut extended = step(StepKind::ProbationExtended, d(2025, 11, 14));
    extended.until = Some(d(2026, 5, 8));
    steps.push(extended);
    let people = [person("张三", steps)];
    let xml = |kind| document_xml(&render(kind, &org(), &people, d(2026, 3, 12)).unwrap()).unwrap();
    let branch = xml(DocKind::BranchResolution);
    assert!(branch.contains("因故不能到会的有表决权的正式党员中有2名提交了书面意见"));
    assert!(branch.contains("采取举手方式进行表决，赞成13票"));
    let confirm = xml(DocKind::ConfirmationResolution);
    assert!(
        confirm.contains("预备期经延长，至2026年5月8日期满"),
        "the extension"
    );
    assert!(confirm.contains("同意张三同志转为中共正式党员"), "not 按期");
    assert!(confirm.contains("党龄自预备期满之日即2026年5月8日起计算"));
}

/// The steps a document lacks when `drop` is taken from the way and `strip` emptied.
fn lacking(kind: DocKind, edit: impl Fn(&mut Vec<StepRecord>)) -> Vec<Lack> {
    let mut people = people_for(kind);
    edit(&mut people[0].steps);
    match blocks(kind, &org(), &people, d(2026, 3, 12)) {
        Err(DocError::Missing(m)) => {
            let text = m.to_string();
            assert!(
                text.starts_with(&format!("生成「{}」需要先记录：", kind.label())),
                "{text}"
            );
            m.lacks
        }
        other => panic!("{kind:?}: expected Missing, got {other:?}"),
    }
}

fn without(kinds: &'static [StepKind]) -> impl Fn(&mut Vec<StepRecord>) {
    move |steps| steps.retain(|s| !kinds.contains(&s.kind))
}

fn parts(lacks: &[Lack]) -> Vec<(StepKind, Option<&'static str>)> {
    lacks.iter().map(|l| (l.step, l.part)).collect()
}

#[test]
fn a_document_without_its_facts_names_the_steps() {
    use StepKind::*;
    let cases: [(DocKind, &'static [StepKind], &[StepKind]); 6] = [
        (
            DocKind::CandidateNotice,
            &[ContactsAssigned],
            &[ContactsAssigned],
        ),
        (
            DocKind::ProbationaryNotice,
            &[BranchVote, SponsorsNamed],
            &[SponsorsNamed, BranchVote],
        ),
        (
            DocKind::PoliticalReview,
            &[PoliticalReview, CandidateNamed],
            &[CandidateNamed, PoliticalReview],
        ),
        (
            DocKind::PreReviewRequest,
            &[CandidateTraining, CommitteeReview],
            &[CandidateTraining, CommitteeReview],
        ),
        (DocKind::BranchResolution, &[BranchVote], &[BranchVote]),
        (
            DocKind::ConfirmationResolution,
            &[Approved, ConfirmationApplied],
            &[Approved, ConfirmationApplied],
        ),
    ];
    for (kind, dropped, expected) in cases {
        let mut people = people_for(kind);
        without(dropped)(&mut people[0].steps);
        let Err(DocError::Missing(m)) = render(kind, &org(), &people, d(2026, 3, 12)) else {
            panic!("{kind:?} rendered without {dropped:?}");
        };
        assert_eq!(m.steps, expected, "{kind:?}: {m}");
    }
}

#[test]
fn a_step_recorded_without_its_part_is_named_with_the_part() {
    use StepKind::*;
    let no_vote = lacking(DocKind::BranchResolution, |steps| {
        steps.iter_mut().for_each(|s| s.vote = None)
    });
    let (step, part) = parts(&no_vote)[0];
    assert_eq!(step, BranchVote);
    assert!(part.unwrap().contains("应到"), "{part:?}");
    let m = blocks(
        DocKind::BranchResolution,
        &org(),
        &[person("张三", {
            let mut s = steps();
            s.iter_mut().for_each(|x| x.vote = None);
            s
        })],
        d(2026, 3, 12),
    )
    .unwrap_err();
    assert_eq!(
        m.to_string(),
        "生成「支部大会决议」需要先记录：⑮ 支部大会讨论接收预备党员（表决情况：应到、实到、赞成、反对、弃权人数）"
    );
    let one_sponsor = lacking(DocKind::BranchResolution, |steps| {
        steps.iter_mut().for_each(|s| s.sponsors.truncate(1))
    });
    assert_eq!(
        parts(&one_sponsor),
        [(SponsorsNamed, Some("两名入党介绍人的姓名"))]
    );
    let no_hours = lacking(DocKind::PreReviewRequest, |steps| {
        steps.iter_mut().for_each(|s| s.training = None)
    });
    assert_eq!(no_hours[0].person, "张三");
    assert_eq!(
        parts(&no_hours),
        [(CandidateTraining, Some("培训天数或学时"))]
    );
    let no_notice = lacking(DocKind::CandidateNotice, |steps| {
        steps.iter_mut().for_each(|s| s.notice = None)
    });
    assert_eq!(parts(&no_notice), [(CandidateNamed, Some("公示起止日期"))]);
    let before_vote = lacking(DocKind::ProbationaryNotice, without(&[BranchVote]));
    assert!(before_vote[0].part.unwrap().contains("⑮记录前不能生成"));
}

#[test]
fn the_number_of_people_and_the_addressee_are_checked() {
    let two = people_for(DocKind::PreReviewRequest);
    let err = render(DocKind::BranchResolution, &org(), &two, d(2026, 3, 12)).unwrap_err();
    assert!(matches!(err, DocError::People { given: 2, .. }), "{err}");
    let err = render(DocKind::PreReviewRequest, &org(), &[], d(2026, 3, 12)).unwrap_err();
    assert!(matches!(err, DocError::People { given: 0, .. }), "{err}");
    let top = OrgDoc {
        parent_name: None,
        ..org()
    };
    let err = render(DocKind::PreReviewRequest, &top, &two, d(2026, 3, 12)).unwrap_err();
    assert!(matches!(err, DocError::NoHigherCommittee { .. }), "{err}");
    assert_eq!(
        DocKind::PreReviewRequest.file_name(&two),
        "预审请示-张三等2人.docx"
    );
}

/// A branch's computer has 仿宋 and 方正小标宋; a test machine has at most Noto CJK. The
/// conversion maps the document's fonts to the nearest installed ones (serif, the title
/// bold) so that the rendered pages look like the printed ones.
const FONTS_CONF: &str = r#"<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <match target="pattern">
    <test name="family" compare="contains"><string>仿宋</string></test>
    <edit name="family" mode="prepend" binding="strong"><string>Noto Serif CJK SC</string></edit>
  </match>
  <match target="pattern">
    <test name="family" compare="contains"><string>小标宋</string></test>
    <edit name="family" mode="prepend" binding="strong"><string>Noto Serif CJK SC</string></edit>
    <edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>
  </match>
</fontconfig>
"#;

/// Pages of a PDF as LibreOffice writes them (one `/Type/Page` object per page).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Type/Page").count() - text.matches("/Type/Pages").count()
}

#[test]
fn libreoffice_opens_every_document() {
    if Command::new("soffice").arg("--version").output().is_err() {
        assert!(
            std::env::var("JICENG_REQUIRE_SOFFICE").as_deref() != Ok("1"),
            "JICENG_REQUIRE_SOFFICE=1 but soffice is not installed"
        );
        eprintln!("SKIPPED: soffice not installed");
        return;
    }
    let dir = dir::Dir::new("docs");
    let files: Vec<_> = DocKind::ALL
        .iter()
        .map(|kind| {
            let bytes = render(*kind, &org(), &people_for(*kind), d(2026, 3, 12)).unwrap();
            let path = dir.file(&format!("{}.docx", kind.key()));
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect();
    // A profile of its own, so that a LibreOffice already running elsewhere is not reused.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.file("profile").display()
    );
    let fonts = dir.file("fonts.conf");
    std::fs::write(&fonts, FONTS_CONF).unwrap();
    let out = Command::new("soffice")
        .env("FONTCONFIG_FILE", &fonts)
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&dir.0)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for kind in DocKind::ALL {
        let pdf = dir.file(&format!("{}.pdf", kind.key()));
        let bytes = std::fs::read(&pdf).unwrap_or_else(|_| panic!("{kind:?}: no PDF"));
        assert!(pdf_pages(&bytes) >= 1, "{kind:?}: a PDF without pages");
        if let Ok(keep) = std::env::var("JICENG_DOCS_OUT") {
            std::fs::copy(
                &pdf,
                std::path::Path::new(&keep).join(pdf.file_name().unwrap()),
            )
            .unwrap();
        }
    }
}
