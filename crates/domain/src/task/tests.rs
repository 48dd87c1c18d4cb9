use super::*;

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn draft(label: &str, kind: Option<AnswerKind>) -> FieldDraft {
    FieldDraft {
        label: label.into(),
        kind,
        held: None,
        ask_anyway: false,
    }
}

#[test]
fn a_label_naming_a_held_figure_is_answered_by_the_system() {
    assert_eq!(
        HeldFigure::recognise("正式党员人数（人）"),
        Some(HeldFigure::FullMembers)
    );
    assert_eq!(
        HeldFigure::recognise(" 党员总数 "),
        Some(HeldFigure::Members)
    );
    assert_eq!(
        HeldFigure::recognise("预备党员"),
        Some(HeldFigure::ProbationaryMembers)
    );
    assert_eq!(HeldFigure::recognise("集体经济收入（万元）"), None);
    assert_eq!(HeldFigure::recognise("数"), None);
    let fields = check(
        "党员信息核查",
        "请核对并报送",
        day("2026-12-05"),
        day("2026-12-20"),
        &[
            draft("正式党员人数", Some(AnswerKind::Number)),
            draft("", None),
            draft("整改措施", Some(AnswerKind::Text)),
            FieldDraft {
                label: "预备党员数".into(),
                kind: Some(AnswerKind::Number),
                held: None,
                ask_anyway: true,
            },
            FieldDraft {
                label: String::new(),
                kind: None,
                held: Some(HeldFigure::HasSecretary),
                ask_anyway: false,
            },
        ],
    )
    .unwrap();
    assert_eq!(
        fields.iter().map(|f| f.source).collect::<Vec<_>>(),
        vec![
            FieldSource::Held(HeldFigure::FullMembers),
            FieldSource::Asked(AnswerKind::Text),
            FieldSource::AskedHeld(HeldFigure::ProbationaryMembers),
            FieldSource::Held(HeldFigure::HasSecretary),
        ]
    );
    assert_eq!(fields[3].label, "是否配备书记");
    assert_eq!(
        questions(&fields),
        Questions {
            asked: 2,
            answered: 2,
            asked_held: 1
        }
    );
}

#[test]
fn a_task_is_refused_with_the_part_it_is_about() {
    let (today, by) = (day("2026-12-05"), day("2026-12-20"));
    assert!(matches!(
        check(" ", "x", today, by, &[]),
        Err(TaskError::Title(_))
    ));
    assert!(matches!(
        check("t", "", today, by, &[]),
        Err(TaskError::Content(_))
    ));
    assert!(matches!(
        check("t", "x", today, day("2026-12-04"), &[]),
        Err(TaskError::Deadline(_))
    ));
    assert!(check("t", "x", today, today, &[]).unwrap().is_empty());
    let twice = [draft("问题", None), draft("问题", None)];
    assert_eq!(
        check("t", "x", today, by, &twice),
        Err(TaskError::Field(1, "报送项“问题”重复".into()))
    );
    let many: Vec<FieldDraft> = (0..13).map(|i| draft(&format!("第{i}项"), None)).collect();
    assert!(matches!(
        check("t", "x", today, by, &many),
        Err(TaskError::Field(12, _))
    ));
}

#[test]
fn answers_are_checked_by_kind_and_held_fields_are_never_asked() {
    let fields = vec![
        Field {
            label: "党员总数".into(),
            source: FieldSource::Held(HeldFigure::Members),
        },
        Field {
            label: "活动次数".into(),
            source: FieldSource::Asked(AnswerKind::Number),
        },
        Field {
            label: "是否完成整改".into(),
            source: FieldSource::Asked(AnswerKind::YesNo),
        },
        Field {
            label: "说明".into(),
            source: FieldSource::Asked(AnswerKind::Text),
        },
    ];
    let raw = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        check_answers(&fields, &raw(&["99", "1,200.50", "是", " 已办 "]), true).unwrap(),
        vec![
            None,
            Some(Answer::Number("1200.5".into())),
            Some(Answer::YesNo(true)),
            Some(Answer::Text("已办".into()))
        ]
    );
    assert_eq!(
        check_answers(&fields, &raw(&["", "3.0", "否", "x"]), true).unwrap()[1],
        Some(Answer::Number("3".into()))
    );
    assert_eq!(
        check_answers(&fields, &raw(&["", "三", "是", "x"]), true),
        Err(TaskError::Answer(
            1,
            "“活动次数”应为数字（最多两位小数），填写的是“三”".into()
        ))
    );
    assert!(check_answers(&fields, &raw(&["", "1.234", "是", "x"]), true).is_err());
    assert!(check_answers(&fields, &raw(&["", "1", "也许", "x"]), true).is_err());
    assert_eq!(
        check_answers(&fields, &raw(&["", "2", "是", ""]), true),
        Err(TaskError::Answer(3, "请填写“说明”".into()))
    );
    assert_eq!(
        check_answers(&fields, &raw(&["", "2"]), false).unwrap(),
        vec![None, Some(Answer::Number("2".into())), None, None]
    );
    // One field at a time (an import's cells): the same answers and refusals.
    assert_eq!(check_answer(0, &fields[0], "abc", true), Ok(None));
    assert_eq!(
        check_answer(2, &fields[2], "对", false),
        Err(TaskError::Answer(2, "“是否完成整改”请选是或否".into()))
    );
    assert_eq!(check_answer(1, &fields[1], " ", false), Ok(None));
}

#[test]
fn a_target_is_overdue_only_after_its_deadline() {
    let by = day("2026-12-20");
    assert_eq!(TargetStatus::of(None, by, by), TargetStatus::Open);
    assert_eq!(
        TargetStatus::of(None, by, day("2026-12-21")),
        TargetStatus::Overdue
    );
    assert_eq!(
        TargetStatus::of(Some(by), by, day("2027-01-05")),
        TargetStatus::Done
    );
    assert_eq!(
        TargetStatus::of(Some(day("2026-12-22")), by, day("2026-12-22")),
        TargetStatus::DoneLate
    );
}

#[test]
fn the_level_of_a_ceiling_comes_from_kind_and_domain() {
    use BurdenLevel::*;
    assert_eq!(
        BurdenLevel::of(OrgKind::Branch, Some(Domain::Village)),
        Village
    );
    assert_eq!(
        BurdenLevel::of(OrgKind::PrimaryCommittee, Some(Domain::Community)),
        Village
    );
    assert_eq!(
        BurdenLevel::of(OrgKind::PrimaryCommittee, Some(Domain::Township)),
        Township
    );
    assert_eq!(
        BurdenLevel::of(OrgKind::WorkingCommittee, Some(Domain::Street)),
        Township
    );
    assert_eq!(BurdenLevel::of(OrgKind::Branch, Some(Domain::Organ)), Other);
    assert_eq!(BurdenLevel::of(OrgKind::Branch, None), Other);
    assert_eq!(load(3, 4), Load::Under);
    assert_eq!(load(4, 4), Load::At);
    assert_eq!(load(5, 4), Load::Over);
}

#[test]
fn a_file_field_is_answered_by_its_upload_and_never_taken_for_a_held_figure() {
    let drafts = vec![FieldDraft {
        label: "党员总数".into(),
        kind: Some(AnswerKind::File),
        held: None,
        ask_anyway: false,
    }];
    let today = Date::from_ymd_opt(2026, 3, 1).unwrap();
    let fields = check("报送名册", "上传党员名册扫描件", today, today, &drafts).unwrap();
    assert_eq!(fields[0].source, FieldSource::Asked(AnswerKind::File));
    let f = &fields[0];
    assert_eq!(
        check_answer(0, f, "", true),
        Err(TaskError::Answer(0, "请上传“党员总数”".into()))
    );
    assert_eq!(check_answer(0, f, "", false), Ok(None));
    assert_eq!(
        check_answer(0, f, "名册.pdf", true),
        Ok(Some(Answer::File("名册.pdf".into())))
    );
    assert_eq!(Answer::File("名册.pdf".into()).text(), "名册.pdf");
    assert_eq!(AnswerKind::from_code("File"), Some(AnswerKind::File));
}
