//! No oracle in imports (issue #11), on SQLite and PostgreSQL, over the township fixture:
//! a check answers keys registered outside the scope exactly as never-registered ones; a
//! real import refers the colliding rows to the department of the lowest common org and
//! writes the rest; checks, referrals and settlements are audited; real imports are limited
//! per user; a spike of out-of-scope matches raises an alert.

mod common;

use std::path::Path;

use common::*;
use jiceng_app::access::{Actor, Grant, HandleReferrals, Role};
use jiceng_app::audit::{AuditAction, AuditEntry};
use jiceng_app::import::{self, ImportOptions, ImportReport, NoProgress};
use jiceng_app::org_admin::{self, OrgFields};
use jiceng_app::{referral, App, AppError};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use jiceng_store::Scope;

async fn setup(db: &TestDb) -> (App, Dir) {
    let app = app(db);
    let dir = Dir::new("oracle");
    load_township(&app, &dir, true).await;
    (app, dir)
}

/// A user acting on the subtree of `code` (no login needed: the scope is what matters).
async fn actor(app: &App, user_id: i64, name: &str, role: Role, code: &str) -> Actor {
    let o = app.resolve_org(&Scope::All, code).await.unwrap();
    Actor::for_test(user_id, name, role).at(o.org.id, &o.path)
}

/// The proof that `a` handles referrals (the department, a committee).
fn handles(a: &Actor) -> Grant<HandleReferrals> {
    a.grant().unwrap()
}

fn opts(a: &Actor, dry_run: bool) -> ImportOptions {
    ImportOptions {
        org: None,
        dry_run,
        skip_invalid: false,
        actor: a.clone(),
    }
}

fn of(log: &[AuditEntry], a: AuditAction) -> Vec<&AuditEntry> {
    log.iter().filter(|e| e.code == a.code()).collect()
}

/// The report without the file's path (the two files sit in different folders).
fn same_shape(r: &ImportReport) -> ImportReport {
    ImportReport {
        file: String::new(),
        ..r.clone()
    }
}

/// Members rows for 东村党支部: people `ix` of the fixture (numbered `n` for their ID
/// numbers: the fixture's own index gives their registered number), plus one bad row.
fn member_file(path: &Path, rows: &[(usize, usize)]) {
    let people = people();
    let mut out: Vec<Option<Vec<C>>> = rows
        .iter()
        .map(|(ix, n)| {
            let mut r = member_row(*n, &people[*ix]);
            r[0] = s(&format!("某{n}"));
            r[11] = s("东村党支部");
            r[12] = s("");
            r[13] = s("");
            Some(r)
        })
        .collect();
    // A bad row, the same in both files: the errors must match too.
    let mut bad = member_row(70, &people[0]);
    bad[7] = s("2099-01-01");
    bad[11] = s("东村党支部");
    out.push(Some(bad));
    xlsx(path, "名册", &MEMBER_HEADER, &out);
}

/// An org row: branch `name` under 东村党支部, no committee, with its domain, founding and
/// election days (`""` for none) and `code`.
fn branch_under_dongcun(
    name: &str,
    [domain, founded, elected]: [&str; 3],
    code: &str,
) -> Option<Vec<C>> {
    let cells = [
        name,
        "党支部",
        "东村党支部",
        domain,
        "",
        founded,
        elected,
        "否",
        code,
    ];
    Some(cells.map(s).to_vec())
}

/// An org row: the group 东村第二党小组 under 东村第二党支部, every other cell blank.
fn new_group() -> Option<Vec<C>> {
    let cells = [
        "东村第二党小组",
        "党小组",
        "东村第二党支部",
        "",
        "",
        "",
        "",
        "",
        "",
    ];
    Some(cells.map(s).to_vec())
}

contract_test!(
    a_check_answers_out_of_scope_keys_as_new_ones,
    |db: TestDb| async move {
        let (app, _dir) = setup(&db).await;
        let sec = actor(&app, 7, "dongcun", Role::Secretary, "T002").await;
        let (d1, d2) = (Dir::new("taken"), Dir::new("free"));
        // 冯九 (西村第一) and 褚甲 (镇机关) are registered outside 东村; 68 and 71 never
        // were (same birth dates, genders and cell formats).
        let taken = d1.file("名册.xlsx");
        member_file(&taken, &[(8, 8), (10, 10)]);
        let free = d2.file("名册.xlsx");
        member_file(&free, &[(8, 68), (10, 70)]);
        let a = import::members::run(&app, &taken, &opts(&sec, true), &NoProgress)
            .await
            .unwrap();
        let b = import::members::run(&app, &free, &opts(&sec, true), &NoProgress)
            .await
            .unwrap();
        assert_eq!(a.errors.len(), 2, "{:?}", a.errors);
        assert_eq!(same_shape(&a), same_shape(&b));
        // A real import refused for the bad row answers alike as well.
        let a = import::members::run(&app, &taken, &opts(&sec, false), &NoProgress)
            .await
            .unwrap();
        let b = import::members::run(&app, &free, &opts(&sec, false), &NoProgress)
            .await
            .unwrap();
        assert_eq!(same_shape(&a), same_shape(&b));
        assert!(a.referred.is_empty());

        // Every check is audited, with the matches only the auditors see.
        let log = audit_log(&app).await;
        let checks = of(&log, AuditAction::ImportDryRun);
        assert_eq!(checks.len(), 4);
        let matches: Vec<u64> = checks
            .iter()
            .map(|e| e.after.as_ref().unwrap()["out_of_scope"].as_u64().unwrap())
            .collect();
        // Newest first: refused real (free, taken), dry (free, taken).
        assert_eq!(matches, [0, 2, 0, 2]);
        assert!(checks.iter().all(|e| e.actor == "dongcun"));
        assert!(checks.iter().all(|e| e.org_code.as_deref() == Some("T002")));

        // Org codes: T005 is 镇机关党支部's, X901 nobody's.
        let org_file = |dir: &Dir, code: &str| {
            let p = dir.file("组织.xlsx");
            xlsx(
                &p,
                "组织",
                &ORG_HEADER,
                &[
                    branch_under_dongcun(
                        "东村第二党支部",
                        ["农村", "2020-01-01", "2024-01-01"],
                        code,
                    ),
                    new_group(),
                ],
            );
            p
        };
        let a = import::orgs::run(&app, &org_file(&d1, "T005"), &opts(&sec, true), &NoProgress)
            .await
            .unwrap();
        let b = import::orgs::run(&app, &org_file(&d2, "X901"), &opts(&sec, true), &NoProgress)
            .await
            .unwrap();
        assert!(a.ok(), "{:?}", a.errors);
        assert_eq!(same_shape(&a), same_shape(&b));

        // Credit codes: 丙公司 (credit 3) is filed under 测试镇党委; 99 nobody's.
        let unit_file = |dir: &Dir, serial: u64| {
            let p = dir.file("单位.xlsx");
            xlsx(
                &p,
                "单位",
                &UNIT_HEADER,
                &[Some(vec![
                    s("某公司"),
                    s(&credit(serial, "91")),
                    s("非公有制企业"),
                    s(""),
                    s("存续"),
                    C::N(10.0),
                    C::N(1.0),
                    s("联合组建"),
                    s("东村党支部"),
                    s(""),
                ])],
            );
            p
        };
        let a = import::units::run(&app, &unit_file(&d1, 3), &opts(&sec, true), &NoProgress)
            .await
            .unwrap();
        let b = import::units::run(&app, &unit_file(&d2, 99), &opts(&sec, true), &NoProgress)
            .await
            .unwrap();
        assert!(a.ok(), "{:?}", a.errors);
        assert_eq!(same_shape(&a), same_shape(&b));
        let log = audit_log(&app).await;
        let last: Vec<(String, u64)> = of(&log, AuditAction::ImportDryRun)
            .iter()
            .take(4)
            .map(|e| {
                let a = e.after.as_ref().unwrap();
                (
                    a["kind"].as_str().unwrap().to_string(),
                    a["out_of_scope"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            last,
            [
                ("units".to_string(), 0),
                ("units".to_string(), 1),
                ("orgs".to_string(), 0),
                ("orgs".to_string(), 1)
            ]
        );
    }
);

contract_test!(
    a_real_import_refers_colliding_rows_to_the_common_org,
    |db: TestDb| async move {
        let (app, dir) = setup(&db).await;
        let sec = actor(&app, 7, "dongcun", Role::Secretary, "T002").await;
        let dept = actor(&app, 8, "county", Role::Department, "T001").await;
        let xizong = actor(&app, 9, "xizong", Role::Committee, "T003").await;
        // 冯九 (西村第一, under 西村党总支) collides; 68 is new.
        let people = people();
        let rows: Vec<Option<Vec<C>>> = [(8usize, 8usize), (8, 68)]
            .iter()
            .map(|(ix, n)| {
                let mut r = member_row(*n, &people[*ix]);
                r[11] = s("东村党支部");
                r[12] = s("");
                r[13] = s("");
                Some(r)
            })
            .collect();
        let file = dir.file("转入.xlsx");
        xlsx(&file, "名册", &MEMBER_HEADER, &rows);
        let before = member_count(&app).await;
        let r = import::members::run(&app, &file, &opts(&sec, false), &NoProgress)
            .await
            .unwrap();
        assert!(r.ok(), "{:?}", r.errors);
        assert_eq!(r.written, 1);
        assert_eq!(r.referred.len(), 1);
        assert_eq!(r.referred[0].row, 3);
        assert_eq!(r.referred[0].message, referral::REFERRED);
        // The report names no org and no reason.
        let text = serde_json::to_string(&r).unwrap();
        for word in ["西村", "测试镇", "T001", "T003", "T004", "转接", "范围"] {
            assert!(!text.contains(word), "{word} in {text}");
        }
        assert_eq!(
            member_count(&app).await,
            before + 1,
            "the person is not entered twice"
        );

        // The county department sees it, at 测试镇党委 (the lowest org holding 东村 and
        // 西村第一); the secretary may not list referrals; 西村党总支 does not hold 东村.
        let page = referral::list(&app, &handles(&dept), None, 1, 20)
            .await
            .unwrap();
        assert_eq!(page.total, 1);
        let v = &page.items[0];
        assert_eq!(v.kind, "member");
        assert_eq!(v.status, "pending");
        assert_eq!(v.common_org.as_deref(), Some("测试镇党委"));
        assert_eq!(v.from_org.as_deref(), Some("东村党支部"));
        assert_eq!(v.existing_org.as_deref(), Some("西村第一党支部"));
        assert_eq!(v.row, Some(3));
        assert!(v.subject.contains("********"), "{}", v.subject);
        let shown = serde_json::to_string(v).unwrap();
        assert!(!shown.contains("id_hash") && !shown.contains("id_cipher"));
        assert!(!shown.contains(&id(8, d(people[8].birth), false)));
        assert!(matches!(
            sec.grant::<HandleReferrals>().unwrap_err(),
            AppError::Forbidden
        ));
        assert_eq!(
            referral::list(&app, &handles(&xizong), None, 1, 20)
                .await
                .unwrap()
                .total,
            0
        );
        assert!(matches!(
            referral::close(&app, &handles(&xizong), v.id, true, "已转接")
                .await
                .unwrap_err(),
            AppError::NotFound(_)
        ));
        // The stored row keeps the number only as hash and ciphertext.
        let mut c = app.store().acquire().await.unwrap();
        let data: String = sqlx::query_scalar("SELECT data FROM referral")
            .fetch_one(&mut *c)
            .await
            .unwrap();
        drop(c);
        assert!(data.contains("id_hash") && data.contains("id_cipher"));
        assert!(!data.contains(&id(8, d(people[8].birth), false)));

        // Audited: the import, the referral against 测试镇党委.
        let log = audit_log(&app).await;
        let refs = of(&log, AuditAction::ImportReferral);
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].org_code.as_deref(), Some("T001"));
        assert_eq!(refs[0].target, format!("referral:{}", v.id));
        assert_eq!(of(&log, AuditAction::Import).len(), 4);

        // Settled with a reason, once; audited.
        assert!(matches!(
            referral::close(&app, &handles(&dept), v.id, true, " ")
                .await
                .unwrap_err(),
            AppError::Input(_)
        ));
        referral::close(&app, &handles(&dept), v.id, true, "已办理组织关系转接")
            .await
            .unwrap();
        assert!(matches!(
            referral::close(&app, &handles(&dept), v.id, false, "重复")
                .await
                .unwrap_err(),
            AppError::Input(_)
        ));
        let settled = referral::get(&app, &handles(&dept), v.id).await.unwrap();
        assert_eq!(settled.status, "settled");
        assert_eq!(settled.reason.as_deref(), Some("已办理组织关系转接"));
        assert_eq!(
            referral::list(
                &app,
                &handles(&dept),
                Some(jiceng_store::referral::ReferralStatus::Pending),
                1,
                20
            )
            .await
            .unwrap()
            .total,
            0
        );
        let log = audit_log(&app).await;
        let settles = of(&log, AuditAction::ReferralSettle);
        assert_eq!(settles.len(), 1);
        assert_eq!(
            settles[0].after.as_ref().unwrap()["reason"],
            "已办理组织关系转接"
        );

        // An org row whose code is used elsewhere is referred with the row below it; a unit
        // likewise; the rest is written.
        let orgs = dir.file("组织2.xlsx");
        xlsx(
            &orgs,
            "组织",
            &ORG_HEADER,
            &[
                branch_under_dongcun("东村第二党支部", ["", "", ""], "T005"),
                new_group(),
                branch_under_dongcun("东村第三党支部", ["", "", ""], "X903"),
            ],
        );
        let r = import::orgs::run(&app, &orgs, &opts(&sec, false), &NoProgress)
            .await
            .unwrap();
        assert!(r.ok(), "{:?}", r.errors);
        assert_eq!(r.written, 1);
        let rows: Vec<usize> = r.referred.iter().map(|e| e.row).collect();
        assert_eq!(rows, [3, 4]);
        assert!(app.resolve_org(&Scope::All, "X903").await.is_ok());
        assert!(app
            .resolve_org(&Scope::All, "东村第二党支部")
            .await
            .is_err());
        let page = referral::list(&app, &handles(&dept), None, 1, 20)
            .await
            .unwrap();
        assert_eq!(page.total, 2);
        let o = &page.items.iter().find(|v| v.kind == "org").unwrap();
        assert_eq!(o.data["rows_below"][0]["name"], "东村第二党小组");
        assert_eq!(o.common_org.as_deref(), Some("测试镇党委"));
    }
);

async fn member_count(app: &App) -> i64 {
    let mut c = app.store().acquire().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM member")
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

contract_test!(
    real_imports_are_limited_and_spikes_alert,
    |db: TestDb| async move {
        let (mut app, dir) = setup(&db).await;
        app.import_limits.imports_per_window = 2;
        app.import_limits.alert_matches_per_import = 1;
        app.import_limits.alert_matches_in_window = 3;
        let sec = actor(&app, 7, "dongcun", Role::Secretary, "T002").await;
        let (_, members, _) = township(&dir);
        let people = people();
        let mine = dir.file("本支部.xlsx");
        xlsx(
            &mine,
            "名册",
            &MEMBER_HEADER,
            &[Some(member_row(0, &people[0]))],
        );
        for _ in 0..2 {
            let r = import::members::run(&app, &mine, &opts(&sec, false), &NoProgress)
                .await
                .unwrap();
            assert!(r.ok(), "{:?}", r.errors);
        }
        match import::members::run(&app, &mine, &opts(&sec, false), &NoProgress).await {
            Err(AppError::TooFrequent(m)) => {
                assert!(m.contains("请于") && m.contains("北京时间"), "{m}")
            }
            other => panic!("{other:?}"),
        }
        // So are orgs and units imports; checks are not; another user is not.
        assert!(matches!(
            import::units::run(&app, &members, &opts(&sec, false), &NoProgress).await,
            Err(AppError::TooFrequent(_))
        ));
        assert!(
            import::members::run(&app, &mine, &opts(&sec, true), &NoProgress)
                .await
                .is_ok()
        );
        let other = actor(&app, 17, "other", Role::Secretary, "T002").await;
        assert!(
            import::members::run(&app, &mine, &opts(&other, false), &NoProgress)
                .await
                .is_ok()
        );
        // An hour later the limit has passed.
        let mut later = app.clone();
        later.fixed_now = Some(chrono::Utc::now() + chrono::Duration::minutes(61));
        assert!(
            import::members::run(&later, &mine, &opts(&sec, false), &NoProgress)
                .await
                .is_ok()
        );

        // No alert for a check without out-of-scope matches; one for 2 (> 1 per import).
        assert!(of(&audit_log(&app).await, AuditAction::ImportAlert).is_empty());
        let probe = dir.file("试探.xlsx");
        member_file(&probe, &[(8, 8)]);
        import::members::run(&app, &probe, &opts(&other, true), &NoProgress)
            .await
            .unwrap();
        assert!(of(&audit_log(&app).await, AuditAction::ImportAlert).is_empty());
        member_file(&probe, &[(8, 8), (10, 10)]);
        import::members::run(&app, &probe, &opts(&other, true), &NoProgress)
            .await
            .unwrap();
        let log = audit_log(&app).await;
        let alerts = of(&log, AuditAction::ImportAlert);
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].actor, "other");
        assert_eq!(alerts[0].after.as_ref().unwrap()["out_of_scope"], 2);
        // The window: 1 + 2 earlier, 1 now > 3.
        app.import_limits.alert_matches_per_import = 100;
        member_file(&probe, &[(8, 8)]);
        import::members::run(&app, &probe, &opts(&other, true), &NoProgress)
            .await
            .unwrap();
        let log = audit_log(&app).await;
        let alerts = of(&log, AuditAction::ImportAlert);
        assert_eq!(alerts.len(), 2);
        assert_eq!(alerts[0].after.as_ref().unwrap()["in_window"], 4);
    }
);

contract_test!(
    org_forms_do_not_tell_where_a_code_is_used,
    |db: TestDb| async move {
        let (app, _dir) = setup(&db).await;
        let sec = actor(&app, 7, "dongcun", Role::Secretary, "T002").await;
        let dept = actor(&app, 8, "county", Role::Department, "T001").await;
        let parent = app.resolve_org(&Scope::All, "T002").await.unwrap();
        let fields = |code: &str| OrgFields {
            name: format!("新支部{code}"),
            kind: "Group".into(),
            code: Some(code.into()),
            ..Default::default()
        };
        // In scope: said plainly (the actor sees that org anyway).
        let e = create_org(&app, &sec, parent.org.id, &fields("T006"), "新建")
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), "组织代码T006已被使用");
        // Outside: refused without saying where, and referred.
        let e = create_org(&app, &sec, parent.org.id, &fields("T004"), "新建")
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), org_admin::CODE_REFERRED);
        let page = referral::list(&app, &handles(&dept), None, 1, 20)
            .await
            .unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].kind, "org");
        assert_eq!(page.items[0].source, "表单");
        // Editing to such a code likewise.
        let edit = OrgFields {
            kind: "Branch".into(),
            ..fields("T005")
        };
        let e = edit_org(&app, &sec, parent.org.id, &edit, "改代码")
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), org_admin::CODE_REFERRED);
        assert_eq!(
            referral::list(&app, &handles(&dept), None, 1, 20)
                .await
                .unwrap()
                .total,
            2
        );
        // A free code is taken.
        create_org(&app, &sec, parent.org.id, &fields("X905"), "新建")
            .await
            .unwrap();
    }
);
