//! The stored per-year tallies of 经费保障 (`funding_rollup`) and 活动场所
//! (`venue_rollup`) on SQLite and PostgreSQL: the first overview or page of a year builds
//! it; after each step that follows — records written, corrected and removed, meetings
//! naming a venue recorded and voided, a venue opened, renamed and retired, an org moved
//! to another parent, an org added and dissolved, the department's new standards, a year
//! not yet built — every org's stored figures equal those computed from the records:
//! funding's by `funding::{totals, standing, collective_incomes, child_sums}`, the
//! venues' from the meetings that name them and `venue::quarters` on the day.

mod common;

use common::*;
use jiceng_app::access::{Actor, RecordFunding, RecordLife, RecordVenues, Role, SetRules};
use jiceng_app::funding::{self, NewFunding};
use jiceng_app::meetings::NewMeeting;
use jiceng_app::org_admin::OrgFields;
use jiceng_app::venues::{self, Shown, VenueForm};
use jiceng_app::App;
use jiceng_domain::funding::{FundingKind, FundingRules, FundingSource, FundingStandard};
use jiceng_domain::Domain;
use jiceng_domain::MeetingKind;
use jiceng_store::funding as raw;
use jiceng_store::funding_rollup as rollup;
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};
use std::collections::HashMap;

fn new(org: &str, year: i32, kind: FundingKind, source: FundingSource, yuan: f64) -> NewFunding {
    NewFunding {
        org: org.into(),
        year,
        kind,
        source,
        yuan,
        note: String::new(),
    }
}

/// Every org's stored figures of `year` against those computed from the records.
async fn agree(app: &App, year: i32, step: &str) -> usize {
    let fen = funding::standards(app, year).await.unwrap().as_fen();
    let mut c = app.store().acquire().await.unwrap();
    assert!(
        rollup::is_built(&mut c, year, &fen).await.unwrap(),
        "{step}: {year} built for the standards in force"
    );
    let orgs: Vec<(i64, String)> = sqlx::query_as("SELECT id, path FROM org ORDER BY path")
        .fetch_all(&mut *c)
        .await
        .unwrap();
    let mut nonzero = 0;
    for (id, path) in &orgs {
        let scope = Scope::subtree(path);
        let at = format!("{step}: org {id} {path}");
        let t = rollup::tally(&mut c, *id, year).await.unwrap();
        let mut cells = t.totals().unwrap().cells;
        let want = raw::totals(&mut c, &scope, year).await.unwrap();
        let mut want_cells = want.cells.clone();
        cells.sort_by_key(|c| (c.0.code(), c.1.code()));
        want_cells.sort_by_key(|c| (c.0.code(), c.1.code()));
        assert_eq!(cells, want_cells, "{at}: sums");
        assert_eq!(t.orgs_recorded, want.orgs_recorded, "{at}: orgs recorded");
        let s = raw::standing(&mut c, &scope, year, &fen, 1000)
            .await
            .unwrap();
        assert_eq!(
            (t.judged, t.below, t.missing, t.shortfall_fen),
            (s.judged, s.below, s.missing, s.shortfall_fen),
            "{at}: standing"
        );
        let below = rollup::judged(&mut c, &scope, year, true, 1000)
            .await
            .unwrap();
        assert_eq!(below, s.below_orgs, "{at}: below");
        let missing = rollup::judged(&mut c, &scope, year, false, 1000)
            .await
            .unwrap();
        assert_eq!(missing, s.missing_orgs, "{at}: missing");
        let inc = rollup::incomes(&mut c, &scope, year, 1000).await.unwrap();
        let want_inc = raw::collective_incomes(&mut c, &scope, year, 1000)
            .await
            .unwrap();
        assert_eq!(inc, want_inc, "{at}: incomes");
        let kids = rollup::children(&mut c, *id, &scope, year).await.unwrap();
        let want_kids = raw::child_sums(&mut c, *id, &scope, year).await.unwrap();
        assert_eq!(kids, want_kids, "{at}: children");
        nonzero += usize::from(t != rollup::Tally::default());
    }
    nonzero
}

contract_test!(
    the_stored_funding_tallies_equal_the_records_after_every_kind_of_write,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("funding-rollup");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee =
            Actor::for_test(12, "zuzhi", Role::Committee).at(township.org.id, &township.path);
        let home = org(&app, &committee, "T001").await.unwrap();
        let rec = committee.grant::<RecordFunding>().unwrap();
        use FundingKind::*;
        use FundingSource::*;

        // Nothing built until the first overview; it builds the year whole.
        let mut c = app.store().acquire().await.unwrap();
        let fen = funding::standards(&app, 2026).await.unwrap().as_fen();
        assert!(!rollup::is_built(&mut c, 2026, &fen).await.unwrap());
        drop(c);
        let o = funding::overview(&app, &home, 2026).await.unwrap();
        assert_eq!((o.judged, o.missing_count), (3, 3));
        assert!(
            agree(&app, 2026, "built empty").await > 0,
            "the judged orgs are counted"
        );

        // Records, a correction, a second source, incomes, a kind without a standard.
        for n in [
            new("T002", 2026, Operating, Finance, 60_000.0),
            new("T002", 2026, Operating, Dues, 20_000.0),
            new("T003", 2026, Operating, Finance, 120_000.0),
            new("T004", 2026, Operating, Finance, 9_000.0),
            new("T006", 2026, Operating, Finance, 50_000.0),
            new("T002", 2026, CollectiveIncome, Collective, 30_000.0),
            new("T006", 2026, CollectiveIncome, Collective, 70_000.0),
            new("T005", 2026, PartyWork, Finance, 5_000.0),
            new("T006", 2026, Operating, Finance, 40_000.0),
        ] {
            funding::record(&app, &rec, &home, &n).await.unwrap();
        }
        agree(&app, 2026, "recorded").await;
        let o = funding::overview(&app, &home, 2026).await.unwrap();
        assert_eq!(
            (o.below_count, o.missing_count),
            (2, 0),
            "东村 80000 and 南村 40000 below"
        );

        // A removal: 东村's 党费 part goes, its shortfall grows.
        funding::remove(&app, &rec, &home, "T002", 2026, Operating, Dues)
            .await
            .unwrap();
        agree(&app, 2026, "removed").await;

        // 南村 moves from under 东村 to the township itself.
        let g = dept().grant().unwrap();
        let nan = by_id(&app, &dept(), org_id(&app, "T006").await)
            .await
            .unwrap();
        let top = by_id(&app, &dept(), township.org.id).await.unwrap();
        jiceng_app::org_admin::move_org(&app, &g, &nan, &top, "调整隶属关系")
            .await
            .unwrap();
        agree(&app, 2026, "moved").await;

        // A village branch added (未录入 at once), then dissolved (judged no more).
        let f = OrgFields {
            name: "北村党支部".into(),
            kind: "Branch".into(),
            domain: Some("Village".into()),
            ..OrgFields::default()
        };
        let id = create_org(&app, &dept(), township.org.id, &f, "新建")
            .await
            .unwrap();
        agree(&app, 2026, "added").await;
        let o = funding::overview(&app, &home, 2026).await.unwrap();
        assert!(
            o.missing.iter().any(|j| j.org_id == id),
            "the new branch is 未录入"
        );
        let b = by_id(&app, &dept(), id).await.unwrap();
        jiceng_app::org_admin::dissolve(&app, &g, &b, "撤销")
            .await
            .unwrap();
        agree(&app, 2026, "dissolved").await;

        // The department's own standard: the next overview judges by it.
        let set = Actor::system().grant::<SetRules>().unwrap();
        let rules = FundingRules {
            standards: vec![FundingStandard {
                domain: Domain::Village,
                level: None,
                operating_yuan: 55_000.0,
                collective_income_yuan: Some(20_000.0),
            }],
            source: "某县村级组织运转经费保障办法".into(),
        };
        funding::set_standards(&app, &set, 2026, rules)
            .await
            .unwrap();
        let o = funding::overview(&app, &home, 2026).await.unwrap();
        assert_eq!(
            o.below_count, 1,
            "南村 40000 < 55000; 东村 60000 no longer below"
        );
        agree(&app, 2026, "new standards").await;

        // A year nobody asked for yet: written records wait; its overview builds it.
        funding::record(
            &app,
            &rec,
            &home,
            &new("T003", 2025, Operating, Finance, 1_000.0),
        )
        .await
        .unwrap();
        let mut c = app.store().acquire().await.unwrap();
        assert_eq!(
            rollup::tally(&mut c, township.org.id, 2025).await.unwrap(),
            rollup::Tally::default()
        );
        drop(c);
        let o = funding::overview(&app, &home, 2025).await.unwrap();
        assert_eq!(o.below_count, 1);
        agree(&app, 2025, "2025 built").await;
        agree(&app, 2026, "2026 kept").await;
    }
);

/// Every org's stored venue tally of `year`, and the township's lists, against the
/// venues and the meetings that name them, judged on the app's day.
async fn venues_agree(app: &App, year: i32, step: &str) {
    let today = app.today();
    let top = sys_org(app, "T001").await;
    // The page builds the year the first time it is asked.
    let l = venues::list(app, &top, Some(year), Shown::All)
        .await
        .unwrap();
    let mut c = app.store().acquire().await.unwrap();
    let all: Vec<(i64, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, org_path, name, opened_on, retired_on FROM venue ORDER BY org_path, name, id",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    let met: Vec<(i64, String)> =
        sqlx::query_as("SELECT venue_id, held_on FROM meeting WHERE venue_id IS NOT NULL")
            .fetch_all(&mut *c)
            .await
            .unwrap();
    let mut held: HashMap<i64, [i64; 4]> = HashMap::new();
    for (v, on) in met {
        let on = d(&on);
        if chrono::Datelike::year(&on) == year {
            held.entry(v).or_default()[jiceng_domain::venue::quarter_of(on) as usize - 1] += 1;
        }
    }
    // (path, id, flagged, quarters)
    let judged: Vec<(String, i64, bool, [i64; 4])> = all
        .iter()
        .map(|(id, path, _, opened, retired)| {
            let h = held.get(id).copied().unwrap_or_default();
            let q = jiceng_domain::venue::quarters(
                year,
                d(opened),
                retired.as_deref().map(d),
                h,
                today,
            );
            (path.clone(), *id, q.iter().any(|q| q.is_idle()), h)
        })
        .collect();
    let orgs: Vec<(i64, String)> = sqlx::query_as("SELECT id, path FROM org ORDER BY path")
        .fetch_all(&mut *c)
        .await
        .unwrap();
    let ended = jiceng_domain::venue::ended_quarters(year, today);
    for (id, path) in &orgs {
        let t = jiceng_store::venue_rollup::tally(&mut c, *id, year)
            .await
            .unwrap();
        let mine: Vec<&(String, i64, bool, [i64; 4])> = judged
            .iter()
            .filter(|j| j.0.starts_with(path.as_str()))
            .collect();
        assert_eq!(
            t.venues,
            mine.len() as i64,
            "{step}: org {id} {path}: venues"
        );
        let idle = mine.iter().filter(|j| j.2).count() as i64;
        assert_eq!(t.idle(ended), idle, "{step}: org {id} {path}: idle");
    }
    drop(c);
    assert_eq!(l.total, judged.len(), "{step}: total");
    assert_eq!(
        l.flagged,
        judged.iter().filter(|j| j.2).count(),
        "{step}: flagged"
    );
    let shown: Vec<(i64, [i64; 4])> = l
        .venues
        .iter()
        .map(|v| {
            let mut h = [0; 4];
            for (i, q) in v.quarters.iter().enumerate() {
                if let jiceng_domain::venue::QuarterState::Used(n) = q {
                    h[i] = *n;
                }
            }
            (v.id, h)
        })
        .collect();
    let want: Vec<(i64, [i64; 4])> = judged
        .iter()
        .map(|j| {
            let mut h = j.3;
            // A quarter not begun or not judged shows no count.
            for (i, q) in l
                .venues
                .iter()
                .find(|v| v.id == j.1)
                .unwrap()
                .quarters
                .iter()
                .enumerate()
            {
                if !matches!(q, jiceng_domain::venue::QuarterState::Used(_)) {
                    h[i] = 0;
                }
            }
            (j.1, h)
        })
        .collect();
    assert_eq!(shown, want, "{step}: the list's quarters");
    let idle = venues::list(app, &top, Some(year), Shown::Idle)
        .await
        .unwrap();
    let idle: Vec<i64> = idle.venues.iter().map(|v| v.id).collect();
    let want: Vec<i64> = judged.iter().filter(|j| j.2).map(|j| j.1).collect();
    assert_eq!(idle, want, "{step}: the idle list, in the list's order");
}

fn theme(date: &str, topic: &str, venue: i64) -> NewMeeting {
    NewMeeting {
        kind: Some(MeetingKind::ThemeDay),
        date: Some(d(date)),
        topic: topic.into(),
        expected: Some(3),
        present: Some(3),
        excused: Some(0),
        venue_id: Some(venue),
        ..Default::default()
    }
}

fn venue(name: &str, opened: &str, users: Vec<i64>) -> VenueForm {
    VenueForm {
        name: name.into(),
        address: format!("{name}地址"),
        area: Some(100),
        facilities: vec![],
        shared_with: None,
        opened_on: Some(d(opened)),
        users,
    }
}

contract_test!(
    the_stored_venue_tallies_equal_the_meetings_after_every_kind_of_write,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("venue-rollup");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee =
            Actor::for_test(12, "zuzhi", Role::Committee).at(township.org.id, &township.path);
        let rec = committee.grant::<RecordVenues>().unwrap();
        let at = |code: &'static str| {
            let (app, committee) = (&app, &committee);
            async move { org(app, committee, code).await.unwrap() }
        };
        let (dong, xi, nan) = (at("T002").await, at("T003").await, at("T006").await);
        let xi1 = at("T004").await;
        let a = venues::record(
            &app,
            &rec,
            &dong,
            &venue("东村党群服务中心", "2025-01-01", vec![]),
        )
        .await
        .unwrap();
        let b = venues::record(
            &app,
            &rec,
            &xi,
            &venue(
                "西村党群服务中心",
                "2025-03-01",
                vec![xi.org.id, xi1.org.id],
            ),
        )
        .await
        .unwrap();
        // The first page builds the year: nothing held anywhere, so every ended quarter idle.
        venues_agree(&app, 2026, "built").await;

        let sec = |o: &jiceng_app::OrgRecord| {
            Actor::for_test(20, "sec", Role::Secretary).at(o.org.id, &o.path)
        };
        let gd = sec(&dong).grant::<RecordLife>().unwrap();
        let gx = sec(&xi1).grant::<RecordLife>().unwrap();
        for (day, topic) in [
            ("2026-02-10", "二月"),
            ("2026-05-10", "五月"),
            ("2026-08-10", "八月"),
        ] {
            jiceng_app::meetings::record(&app, &gd, &dong, &theme(day, topic, a))
                .await
                .unwrap();
        }
        let m = jiceng_app::meetings::record(&app, &gx, &xi1, &theme("2026-04-20", "四月", b))
            .await
            .unwrap();
        venues_agree(&app, 2026, "meetings").await;

        // A meeting voided: 西村's second quarter stands empty again.
        jiceng_app::meetings::void(&app, &gx, m.id, "误录")
            .await
            .unwrap();
        venues_agree(&app, 2026, "voided").await;

        // 南村 opens its own in the middle of a quarter, renames it, then moves with it.
        let c = venues::record(&app, &rec, &nan, &venue("南村活动室", "2026-05-15", vec![]))
            .await
            .unwrap();
        venues_agree(&app, 2026, "opened").await;
        let mut renamed = venue("甲南村活动室", "2026-05-15", vec![]);
        renamed.area = Some(90);
        venues::update(&app, &rec, &nan, c, &renamed).await.unwrap();
        venues_agree(&app, 2026, "renamed").await;
        let g = dept().grant().unwrap();
        let nan_s = by_id(&app, &dept(), nan.org.id).await.unwrap();
        let top = by_id(&app, &dept(), township.org.id).await.unwrap();
        jiceng_app::org_admin::move_org(&app, &g, &nan_s, &top, "调整隶属关系")
            .await
            .unwrap();
        venues_agree(&app, 2026, "moved").await;

        // 西村's retired in the third quarter: no quarter after it is judged.
        venues::retire(&app, &rec, &xi, b, Some(d("2026-08-01")))
            .await
            .unwrap();
        venues_agree(&app, 2026, "retired").await;

        // An org added (nothing of its own), then 2025: built on its first page.
        let f = OrgFields {
            name: "北村党支部".into(),
            kind: "Branch".into(),
            domain: Some("Village".into()),
            ..OrgFields::default()
        };
        create_org(&app, &dept(), township.org.id, &f, "新建")
            .await
            .unwrap();
        venues_agree(&app, 2026, "added").await;
        venues_agree(&app, 2025, "2025").await;
        let e = venues::list(&app, &township, Some(1999), Shown::All)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("年度"), "{e}");
    }
);
