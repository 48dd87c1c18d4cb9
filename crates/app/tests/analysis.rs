//! 分析研判报告 (issue #19 point 3) on SQLite and PostgreSQL: the test township of the
//! scorecard test with 群众诉求 planted on two branches. The report's blocks carry the four
//! sections and the annex, the weakest measure and the orgs pulling it down named as the
//! card names them, every indicator's figures as the card (= `report scorecard --format
//! json`) has them, a measure without records as 暂无数据; the .docx is a package with its
//! charts (PNG, and the SVG as Office's svgBlip) and, where LibreOffice is installed, it
//! converts to a PDF of at least one page.

mod common;

use std::process::Command;

use common::*;
use jiceng_app::access::{Actor, RecordLife, Role, ViewScorecard};
use jiceng_app::meetings::{self, NewMeeting};
use jiceng_app::reports::analysis::analysis;
use jiceng_app::scorecard::Period;
use jiceng_app::scorecard::{self, score_text};
use jiceng_domain::mass_request::Feedback;
use jiceng_domain::scorecard::Measure;
use jiceng_domain::{AttendanceStatus, MeetingKind};
use jiceng_io::docx::Block;
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};

fn texts(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(|b| match b {
            Block::Title(t) | Block::Heading(t) | Block::Body(t) | Block::Flush(t) => t.clone(),
            Block::Table { header, rows, .. } => {
                let mut s = header.join("|");
                for r in rows {
                    s.push('\n');
                    s.push_str(&r.join("|"));
                }
                s
            }
            Block::Chart { caption, chart } => format!("{caption}\n{}", chart.svg),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

contract_test!(analysis_report_of_a_township, |db: TestDb| async move {
    let app = on(&db, "2026-12-15");
    let dir = Dir::new("analysis");
    load_township(&app, &dir, false).await;
    request(&app, 9001, "T005", Some(Feedback::Satisfied)).await;
    request(&app, 9002, "T005", Some(Feedback::Satisfied)).await;
    request(&app, 9003, "T004", Some(Feedback::Satisfied)).await;
    request(&app, 9004, "T004", Some(Feedback::Dissatisfied)).await;
    request(&app, 9005, "T004", None).await;

    let actor = dept();
    let grant = actor.grant::<ViewScorecard>().unwrap();
    let town = org(&app, &actor, "T001").await.unwrap();
    let period = Period::Year(2026);
    let card = scorecard::card(&app, &grant, &town, period).await.unwrap();
    let paper = analysis(&app, &grant, &town, period).await.unwrap();
    let text = texts(&paper.blocks);

    assert!(paper.title.contains("测试镇") && paper.title.contains("2026年度"));
    assert!(paper.title.ends_with("分析研判报告"), "{}", paper.title);
    let heads: Vec<&str> = paper
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(h) => Some(h.as_str()),
            _ => None,
        })
        .collect();
    for want in [
        "一、基本情况",
        "二、主要做法和成效",
        "三、存在的问题",
        "四、下一步工作建议",
    ] {
        assert!(heads.contains(&want), "{want}: {heads:?}");
    }
    assert!(heads.iter().any(|h| h.starts_with("附件1")), "{heads:?}");

    // The weakest measure, as the card has it, named in the problems and the suggestions.
    let weakest = card.weakest.measure.expect("a measure with data");
    let named = format!("短板在“{}”", weakest.label());
    assert!(text.contains(&named), "{named}: {text}");
    assert!(text.contains(&format!("补齐“{}”短板", weakest.label())));
    assert!(text.contains(&format!("该项得分{}分", score_text(card.weakest.score))));
    for c in card.weakest.orgs.iter().chain(&card.weakest.children) {
        let who = format!(
            "{}（{:.1}分，拉低{:.2}分）",
            card.name_of(c.org),
            c.score,
            c.contribution
        );
        assert!(text.contains(&who), "{who}: {text}");
    }

    // Every measure and indicator of the card, in the annex, with the card's figures.
    let annex = paper
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table { header, rows, .. } if header[0] == "检验标准" => Some(rows),
            _ => None,
        })
        .expect("annex 1");
    for (m, s) in &card.card.measures {
        assert!(
            annex
                .iter()
                .any(|r| r[0] == m.label() && r[4] == score_text(s.score)),
            "{m:?}"
        );
        for i in &s.indicators {
            let label = format!("{}{}", i.label, if i.manual { "（人工）" } else { "" });
            let row = annex.iter().find(|r| r[1] == label).expect(&label);
            assert_eq!(
                row[2..5],
                [i.num.to_string(), i.den.to_string(), score_text(i.score)],
                "{label}"
            );
            assert_eq!(row[5], i.evidence);
        }
    }
    // 保证作用是否明显 has no records here: 暂无数据 with what is missing, never 0.
    let dev = &card.card.measures[&Measure::Development];
    assert_eq!(dev.score, None);
    assert!(text.contains("保证作用是否明显暂无数据（"), "{text}");
    assert!(!text.contains("保证作用是否明显0"));
    // The children's heat map, one row per child, and the two charts.
    let charts: Vec<&str> = paper
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Chart { caption, .. } => Some(caption.as_str()),
            _ => None,
        })
        .collect();
    // 图2 only when a child has a score on the weakest measure.
    let scored = card
        .children
        .iter()
        .any(|c| c.scores[weakest.index()].is_some());
    assert_eq!(charts.len(), if scored { 2 } else { 1 }, "{charts:?}");
    assert!(charts[0].starts_with("图1"));
    if scored {
        assert!(charts[1].contains(weakest.label()));
    }
    for c in &card.children {
        assert!(text.contains(&c.org.name));
    }

    // The page prints the same blocks; the .docx is a package with its charts.
    let html = paper.html();
    assert!(html.contains("<svg") && html.contains("一、基本情况"));
    let bytes = paper.docx().unwrap();
    let names = jiceng_io::docx::part_names(&bytes).expect("a zip package");
    let xml = jiceng_io::docx::document_xml(&bytes).unwrap();
    assert!(xml.contains("一、基本情况") && xml.contains("仿宋_GB2312"));
    if jiceng_io::chart::cjk_font().is_some() {
        let pngs = names.iter().filter(|n| n.ends_with(".png")).count();
        let svgs = names.iter().filter(|n| n.ends_with(".svg")).count();
        assert_eq!((pngs, svgs), (charts.len(), charts.len()), "{names:?}");
        assert_eq!(xml.matches("<asvg:svgBlip").count(), charts.len());
        let svg = jiceng_io::docx::part_text(&bytes, "word/media/rIdChart1.svg").unwrap();
        assert!(svg.contains(weakest.label()) && svg.contains("功能是否增强"));
    } else {
        eprintln!("no CJK font installed: the charts are left out with a note");
        assert!(xml.contains("本图未嵌入"));
    }

    // LibreOffice opens it: a PDF of at least one page.
    let out = dir.file("pdf");
    std::fs::create_dir_all(&out).unwrap();
    let file = dir.file("report.docx");
    std::fs::write(&file, &bytes).unwrap();
    match Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .arg(&file)
        .env("HOME", dir.file("home"))
        .output()
    {
        Err(e) => eprintln!("soffice not installed ({e}): the conversion is not checked"),
        Ok(r) => {
            assert!(r.status.success(), "{r:?}");
            let pdf = std::fs::read(out.join("report.pdf")).expect("the PDF written");
            assert!(pdf.starts_with(b"%PDF"));
            let pages = pdf
                .windows(10)
                .filter(|w| w == b"/Type/Page" || w == b"/Type /Pag")
                .count();
            assert!(pages >= 1 || pdf.len() > 10_000, "a page at least");
        }
    }
});

/// "应开展组织生活的党支部N个，按规定开展的M个" and "未开展任何组织生活的K个" of a report.
fn life_counts(text: &str) -> (String, String, String) {
    let after = |from: &str, key: &str| -> String {
        let i = from.find(key).unwrap_or_else(|| panic!("{key} in {from}")) + key.len();
        from[i..].chars().take_while(char::is_ascii_digit).collect()
    };
    let i = text.find("组织生活开展不规范").expect("the life paragraph");
    let p = &text[i..];
    (
        after(p, "应开展组织生活的党支部"),
        after(p, "按规定开展的"),
        after(p, "未开展任何组织生活的"),
    )
}

contract_test!(
    a_large_regions_report_reads_organizational_life_from_the_summaries,
    |db: TestDb| async move {
        // Above the size whose pages list every branch, the report reads the stored
        // summaries (computed for the year when none are stored) and names the children
        // with the lowest rates; its counts are those of the branches judged one by one.
        use jiceng_app::reports::analysis::analysis_with_limit;
        let app = on(&db, "2026-12-15");
        let dir = Dir::new("analysis-summed");
        load_township(&app, &dir, false).await;
        // 南村, 西村第一 and 镇机关 held a 主题党日 in January and nothing since.
        for code in ["T006", "T004", "T005"] {
            let b = app.resolve_org(&Scope::All, code).await.unwrap();
            let sec = Actor::for_test(9, "secretary", Role::Secretary).at(b.org.id, &b.path);
            let grant = sec.grant::<RecordLife>().unwrap();
            let at = org(&app, &sec, code).await.unwrap();
            let mut c = db.store.acquire().await.unwrap();
            let roster = jiceng_store::members::of_orgs(&mut c, &[b.org.id])
                .await
                .unwrap();
            drop(c);
            let day = NewMeeting {
                kind: Some(MeetingKind::ThemeDay),
                date: Some(d("2026-01-10")),
                topic: "1月主题党日".into(),
                attendees: roster
                    .iter()
                    .map(|m| (m.id, AttendanceStatus::Present, None))
                    .collect(),
                ..Default::default()
            };
            meetings::record(&app, &grant, &at, &day).await.unwrap();
        }
        let actor = dept();
        let grant = actor.grant::<ViewScorecard>().unwrap();
        let town = org(&app, &actor, "T001").await.unwrap();
        let period = Period::Year(2026);
        let listed = analysis(&app, &grant, &town, period).await.unwrap();
        let listed = texts(&listed.blocks);
        assert!(!listed.contains("达标率较低的下级党组织"), "{listed}");
        let summed = analysis_with_limit(&app, &grant, &town, period, 0)
            .await
            .unwrap();
        let summed = texts(&summed.blocks);
        assert!(summed.contains("达标率较低的下级党组织："), "{summed}");
        assert!(summed.contains("汇总）"), "{summed}");
        let counts = life_counts(&listed);
        assert!(counts.0.parse::<i64>().unwrap() > 0, "{counts:?}");
        assert_eq!(life_counts(&summed), counts);
        // The weak orgs counted by the period's build are those diagnosed now.
        let weak = |t: &str| -> String {
            let i = t.find("年排查").expect("the weak-org paragraph");
            let rest = &t[i..];
            rest[..rest.find("）。").expect("its counts")].to_string()
        };
        assert_eq!(weak(&summed), weak(&listed));
        // The children short of it are named with their rates: 东村 and 西村党总支.
        for child in ["东村党支部（", "西村党总支（"] {
            assert!(summed.contains(child), "{child} in {summed}");
        }
    }
);
