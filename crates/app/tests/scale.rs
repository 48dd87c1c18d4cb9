//! Stored structure anomalies and subtree totals (issue 6) answer exactly what checking
//! every org live answers, after generation and after the writes that change them, on
//! SQLite and PostgreSQL.

mod common;
use common::{by_id, edit_org, sys_org};

use jiceng_app::access::Actor;
use jiceng_app::org_admin::{self, OrgFields};
use jiceng_app::reports::{coverage, structure};
use jiceng_app::App;
use jiceng_domain::OrgKind;
use jiceng_store::recruitment::tally;
use jiceng_store::testing::TestDb;
use jiceng_store::{facts, orgs as org_store, Backend, Scope};

async fn all_orgs(app: &App) -> Vec<org_store::StoredOrg> {
    let mut conn = app.store().acquire().await.unwrap();
    org_store::list(&mut conn, &Scope::All).await.unwrap()
}

/// The embedded county generated with seed 7.
async fn generate_county(app: &App) {
    jiceng_app::generate::run(
        app,
        jiceng_gen::Divisions::embedded_county(),
        7,
        &jiceng_app::import::NoProgress,
    )
    .await
    .unwrap();
}

/// The orgs a report is asked about: every root and local committee, a few others.
async fn probes(app: &App) -> Vec<String> {
    let all = all_orgs(app).await;
    let mut out: Vec<String> = all
        .iter()
        .filter(|o| o.depth <= 3 || o.org.kind == OrgKind::LocalCommittee)
        .map(|o| o.org.code.clone())
        .collect();
    for kind in [
        OrgKind::PrimaryCommittee,
        OrgKind::GeneralBranch,
        OrgKind::Branch,
        OrgKind::Group,
    ] {
        out.extend(
            all.iter()
                .filter(|o| o.org.kind == kind)
                .step_by(97)
                .take(3)
                .map(|o| o.org.code.clone()),
        );
    }
    out
}

/// The training tally of `org`'s subtree for `year`, counted live from every member row.
async fn live_training(app: &App, path: &str, year: i32) -> jiceng_domain::training::Tally {
    let mut conn = app.store().acquire().await.unwrap();
    // Per org, then summed: an org whose members have no hours is 暂无数据.
    let mut by_org: std::collections::HashMap<i64, jiceng_domain::training::Tally> =
        Default::default();
    let mut offset = 0;
    loop {
        let page = jiceng_store::training::people(
            &mut conn,
            &app.rules,
            &Scope::subtree(path),
            year,
            (5_000, offset),
        )
        .await
        .unwrap();
        for p in &page {
            by_org.entry(p.org_id).or_default().add(&p.year, p.required);
        }
        if page.len() < 5_000 {
            let mut t = jiceng_domain::training::Tally::default();
            for o in by_org.values_mut() {
                o.unrecorded_if_empty();
                t.merge(o);
            }
            return t;
        }
        offset += 5_000;
    }
}

async fn assert_same(app: &App, label: &str) {
    let today = app.today();
    let roots: Vec<_> = all_orgs(app)
        .await
        .into_iter()
        .filter(|o| o.org.parent_id.is_none())
        .collect();
    let mut conn = app.store().acquire().await.unwrap();
    for r in &roots {
        let t = facts::totals(&mut conn, r.org.id).await.unwrap().unwrap();
        assert_eq!(
            t.checked_on,
            Some(today),
            "{label}: stored totals are for today"
        );
    }
    // The recruitment tallies every write kept equal those made anew from the applicants.
    let ids: Vec<i64> = all_orgs(app).await.iter().map(|o| o.org.id).collect();
    let kept = tally::stored(&mut conn, &ids).await.unwrap();
    drop(conn);
    let mut tx = app.store().begin().await.unwrap();
    tally::rebuild(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    let mut conn = app.store().acquire().await.unwrap();
    let made = tally::stored(&mut conn, &ids).await.unwrap();
    assert!(!made.is_empty(), "{label}: the county recruits");
    assert_eq!(kept, made, "{label}: recruitment tallies");
    drop(conn);
    for code in probes(app).await {
        // 学时: the stored tallies are what counting every member answers — this year after
        // every write; last year as generated (a past year stays as it stood).
        let org = sys_org(app, &code).await;
        let year = chrono::Datelike::year(&today);
        let years: &[i32] = if label == "generated" {
            &[year - 1, year]
        } else {
            &[year]
        };
        for y in years {
            let mut conn = app.store().acquire().await.unwrap();
            let stored = jiceng_store::training::tally(&mut conn, org.org.id, *y)
                .await
                .unwrap();
            drop(conn);
            let live = live_training(app, &org.path, *y).await;
            assert_eq!(stored, live, "{label}: training {y} of {code}");
        }
        let stored = structure::run(app, &sys_org(app, &code).await, today)
            .await
            .unwrap();
        let live = structure::live(app, &sys_org(app, &code).await, today, None)
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&stored).unwrap(),
            serde_json::to_value(&live).unwrap(),
            "{label}: structure of {code}"
        );
        let page = structure::run_limited(app, &sys_org(app, &code).await, today, Some(5))
            .await
            .unwrap();
        assert_eq!(page.counts, live.counts);
        assert_eq!(page.orgs, live.orgs);
        assert_eq!(
            page.anomalies.len(),
            live.anomalies.len().min(5),
            "{label}: a page of {code}"
        );

        // The dashboard counts (from the stored rows) are the live report's.
        let org = sys_org(app, &code).await;
        let d = jiceng_app::browse::dashboard(app, &org).await.unwrap();
        assert_eq!(
            d.anomalies_total,
            live.anomalies.len(),
            "{label}: dashboard of {code}"
        );
        assert_eq!(d.orgs, live.orgs);

        let full = coverage::run(app, &sys_org(app, &code).await)
            .await
            .unwrap();
        let cut = coverage::run_limited(app, &sys_org(app, &code).await, Some(3))
            .await
            .unwrap();
        assert_eq!(
            cut.should_have_org_total,
            Some(full.should_have_org.len() as i64),
            "{label}: should-have-org count of {code}"
        );
        assert_eq!(
            cut.uncovered_total,
            Some(full.uncovered.len() as i64),
            "{label}: uncovered count of {code}"
        );
        assert!(cut.should_have_org.len() <= 3 && cut.uncovered.len() <= 3);
        assert!(full.should_have_org_total.is_none());
        // The dashboard's card counts the whole subtree's gaps, not the lists cut to a page.
        let whole = (full.should_have_org.len() + full.uncovered.len()) as i64;
        assert_eq!(cut.gaps_total(), whole, "{label}: gaps of {code}");
        assert_eq!(
            d.coverage.gaps_total(),
            whole,
            "{label}: the card of {code}"
        );
    }
}

async fn stored_matches_live(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let mut app = common::app(&db);
    generate_county(&app).await;
    assert!(
        jiceng_app::admin::synthetic(&app).await.unwrap(),
        "generated data is marked (the pages' footer says the people are invented)"
    );
    assert_same(&app, "generated").await;
    // The generated county records 学时 in both years, and some members are short.
    let root = all_orgs(&app)
        .await
        .into_iter()
        .find(|o| o.org.parent_id.is_none())
        .unwrap();
    let year = chrono::Datelike::year(&app.today());
    let mut conn = app.store().acquire().await.unwrap();
    for y in [year - 1, year] {
        let t = jiceng_store::training::tally(&mut conn, root.org.id, y)
            .await
            .unwrap();
        assert!(t.attended > 0 && t.met > 0 && t.short > 0, "{y}: {t:?}");
    }
    let meetings: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM meeting")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    // The county's meeting export holds every meeting (it stopped at 5,000 before), each
    // with its branch and the org above it.
    let sheet = jiceng_app::meetings::export_sheet(&app, &sys_org(&app, &root.org.code).await)
        .await
        .unwrap();
    assert!(meetings > 5_000, "{meetings}");
    assert_eq!(sheet.rows.len() as i64, meetings);
    assert!(
        sheet.title.contains(&format!("共{meetings}条")),
        "{}",
        sheet.title
    );
    assert_eq!(&sheet.headers[..3], ["上级党组织", "党组织", "组织代码"]);

    let actor = Actor::system();
    let all = all_orgs(&app).await;
    let kind_of = |id: i64| all.iter().find(|o| o.org.id == id).unwrap().org.kind;
    let today = app.today();
    let st = structure::live(&app, &sys_org(&app, &all[0].org.code).await, today, None)
        .await
        .unwrap();

    // A parent's kind raised to a committee: its inverted children are inverted no more
    // (the first parent whose own parent allows it).
    let mut raised = false;
    for a in st
        .anomalies
        .iter()
        .filter(|a| a.rule == "InvertedAffiliation")
    {
        let child = all.iter().find(|o| o.org.code == a.org.code).unwrap();
        let parent = all
            .iter()
            .find(|o| Some(o.org.id) == child.org.parent_id)
            .unwrap();
        let mut fields = OrgFields::of(&parent.org);
        fields.kind = OrgKind::PrimaryCommittee.code().into();
        if edit_org(&app, &actor, parent.org.id, &fields, "升格")
            .await
            .is_ok()
        {
            raised = true;
            break;
        }
    }
    assert!(raised, "an inverted child whose parent can be raised");
    assert_same(&app, "kind raised").await;

    // A branch moves to another township; another is dissolved.
    let branches: Vec<_> = all
        .iter()
        .filter(|o| o.org.kind == OrgKind::Branch && o.depth >= 5)
        .collect();
    let b = branches[branches.len() / 2];
    let target = all
        .iter()
        .find(|o| {
            o.org.kind == OrgKind::PrimaryCommittee
                && Some(o.org.id) != b.org.parent_id
                && kind_of(o.org.parent_id.unwrap_or(o.org.id)) == OrgKind::LocalCommittee
        })
        .unwrap();
    async {
        org_admin::move_org(
            &app,
            &actor.grant()?,
            &by_id(&app, &actor, b.org.id).await?,
            &by_id(&app, &actor, target.org.id).await?,
            "调整隶属关系",
        )
        .await
    }
    .await
    .unwrap();
    assert_same(&app, "moved").await;
    // Another merges into a sibling (its members move, it is dissolved).
    let (gone, into) = branches
        .iter()
        .skip(branches.len() / 3)
        .filter(|x| !all.iter().any(|o| o.org.parent_id == Some(x.org.id)))
        .find_map(|x| {
            branches
                .iter()
                .find(|y| y.org.id != x.org.id && y.org.parent_id == x.org.parent_id)
                .map(|y| (x, y))
        })
        .unwrap();
    let applying = async |org: i64| -> i64 {
        let mut conn = app.store().acquire().await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM applicant WHERE org_id = $1")
            .bind(org)
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    };
    let (had, into_had) = (applying(gone.org.id).await, applying(into.org.id).await);
    assert!(had > 0, "the merged branch has people applying");
    async {
        org_admin::merge(
            &app,
            &actor.grant()?,
            &by_id(&app, &actor, gone.org.id).await?,
            &by_id(&app, &actor, into.org.id).await?,
            "合并",
        )
        .await
    }
    .await
    .unwrap();
    // The people applying there went with its members.
    assert_eq!(applying(gone.org.id).await, 0);
    assert_eq!(applying(into.org.id).await, into_had + had);
    assert_same(&app, "dissolved").await;

    // Another day: the stored anomalies are of yesterday, so the report checks live...
    app.fixed_today = Some(today.succ_opt().unwrap());
    let root = &all[0].org.code;
    let tomorrow = app.today();
    let st = structure::run(&app, &sys_org(&app, root).await, tomorrow)
        .await
        .unwrap();
    let live = structure::live(&app, &sys_org(&app, root).await, tomorrow, None)
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&st).unwrap(),
        serde_json::to_value(&live).unwrap()
    );
    // ...until everything is refreshed for the new day (what a server does when the day
    // changes), once: a second call finds nothing stale.
    let n = jiceng_app::refresh_if_stale(&app).await.unwrap();
    assert_eq!(n, all.len(), "every org refreshed the next day");
    assert_eq!(jiceng_app::refresh_if_stale(&app).await.unwrap(), 0);
    assert_same(&app, "refreshed the next day").await;
}

#[tokio::test]
async fn stored_anomalies_match_live_sqlite() {
    stored_matches_live(Backend::Sqlite).await;
}

#[tokio::test]
async fn stored_anomalies_match_live_postgres() {
    stored_matches_live(Backend::Postgres).await;
}

/// A province's weak-org report reads what the rating run stored; right after the run it
/// lists exactly what diagnosing every org live lists.
async fn weak_from_stored_matches_live(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let app = common::app(&db);
    generate_county(&app).await;
    let root = all_orgs(&app).await[0].org.code.clone();
    let year = chrono::Datelike::year(&app.today());
    let actor = Actor::system();
    let root = common::org(&app, &actor, &root).await.unwrap();
    use jiceng_app::reports::weak;
    // Nothing rated yet: live whatever the size.
    let before = weak::run_with_limit(&app, &root, year, 0).await.unwrap();
    assert!(!before.stored);
    let grant = actor.grant::<jiceng_app::access::Rate>().unwrap();
    jiceng_app::rating::rate(&app, &grant, &root, year)
        .await
        .unwrap();
    let live = weak::run(&app, &root, year).await.unwrap();
    let stored = weak::run_with_limit(&app, &root, year, 0).await.unwrap();
    assert!(!live.stored && stored.stored);
    assert!(!live.weak.is_empty(), "the generated county has weak orgs");
    assert_eq!(
        serde_json::to_value(&stored).unwrap(),
        serde_json::to_value(&live).unwrap()
    );
    assert_eq!(stored.diagnosed, live.diagnosed);
}

#[tokio::test]
async fn weak_from_stored_matches_live_sqlite() {
    weak_from_stored_matches_live(Backend::Sqlite).await;
}

#[tokio::test]
async fn weak_from_stored_matches_live_postgres() {
    weak_from_stored_matches_live(Backend::Postgres).await;
}

/// Every org's stored stars counts (`rating_tally`) against counting its subtree's rating
/// rows (`ratings::distribution`).
async fn tallies_match_rows(app: &App, year: i32, when: &str) {
    let all = all_orgs(app).await;
    let ids: Vec<i64> = all.iter().map(|o| o.org.id).collect();
    let mut conn = app.store().acquire().await.unwrap();
    let stored = jiceng_store::rating_tally::read(&mut conn, year, &ids)
        .await
        .unwrap();
    let mut rated = 0;
    for o in &all {
        let counted =
            jiceng_store::ratings::distribution(&mut conn, &Scope::subtree(&o.path), year)
                .await
                .unwrap();
        let mine = stored.get(&o.org.id).cloned().unwrap_or_default();
        assert_eq!(mine, counted, "{when}: {} {}", o.org.code, o.org.name);
        rated += usize::from(!counted.is_empty());
    }
    assert!(rated > 100, "{when}: {rated} orgs with rated orgs below");
}

/// The stars counts per org and year stay what counting the rows gives: after a run at
/// the root, a hand adjustment set and cleared, a run at one township (its ancestors moved
/// by the difference), a subtree moved between townships, and the migration's own count
/// of ratings stored before it.
async fn stars_tally_matches_rows(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let app = common::app(&db);
    generate_county(&app).await;
    let year = chrono::Datelike::year(&app.today());
    let actor = Actor::system();
    let all = all_orgs(&app).await;
    let root = sys_org(&app, &all[0].org.code).await;
    let grant = actor.grant::<jiceng_app::access::Rate>().unwrap();
    jiceng_app::rating::rate(&app, &grant, &root, year)
        .await
        .unwrap();
    tallies_match_rows(&app, year, "rated at the root").await;

    // A branch's stars set by hand, another's, then the first cleared.
    let branches: Vec<&org_store::StoredOrg> = all
        .iter()
        .filter(|o| o.org.kind == OrgKind::Branch)
        .step_by(41)
        .take(2)
        .collect();
    let adjust = actor.grant::<jiceng_app::access::AdjustRating>().unwrap();
    for (b, stars) in [
        (branches[0], Some(5)),
        (branches[1], Some(1)),
        (branches[0], None),
    ] {
        let at = sys_org(&app, &b.org.code).await;
        jiceng_app::rating::adjust(&app, &adjust, &at, year, stars, "经复核调整星级")
            .await
            .unwrap();
    }
    tallies_match_rows(&app, year, "adjusted by hand").await;

    // One township rated again after a branch of it was adjusted: its ancestors move by
    // the difference only.
    let township = all
        .iter()
        .find(|o| o.org.kind == OrgKind::PrimaryCommittee && o.depth >= 2)
        .unwrap();
    let in_town = all
        .iter()
        .find(|o| o.org.kind == OrgKind::Branch && o.path.starts_with(&township.path))
        .unwrap();
    let at = sys_org(&app, &in_town.org.code).await;
    jiceng_app::rating::adjust(&app, &adjust, &at, year, Some(2), "经复核调整星级")
        .await
        .unwrap();
    let town = sys_org(&app, &township.org.code).await;
    jiceng_app::rating::rate(&app, &grant, &town, year)
        .await
        .unwrap();
    tallies_match_rows(&app, year, "a township rated again").await;

    // A branch moves to another township.
    let other = all
        .iter()
        .find(|o| {
            o.org.kind == OrgKind::PrimaryCommittee
                && o.depth >= 2
                && !o.path.starts_with(&township.path)
                && !township.path.starts_with(&o.path)
        })
        .unwrap();
    let write = actor.grant::<jiceng_app::access::Write>().unwrap();
    let moving = by_id(&app, &actor, in_town.org.id).await.unwrap();
    let target = by_id(&app, &actor, other.org.id).await.unwrap();
    org_admin::move_org(&app, &write, &moving, &target, "调整隶属关系")
        .await
        .unwrap();
    tallies_match_rows(&app, year, "a branch moved").await;

    // The migration's count of the ratings stored before it, run again on these rows.
    let script = match backend {
        Backend::Sqlite => include_str!("../../store/migrations/sqlite/0052_rating_tally.sql"),
        Backend::Postgres => include_str!("../../store/migrations/0052_rating_tally.sql"),
    };
    let backfill = &script[script.find("INSERT INTO rating_tally").unwrap()..];
    common::exec(&app, "DELETE FROM rating_tally").await;
    common::exec(&app, backfill.trim().trim_end_matches(';')).await;
    tallies_match_rows(&app, year, "counted by the migration").await;
}

#[tokio::test]
async fn stars_tally_matches_rows_sqlite() {
    stars_tally_matches_rows(Backend::Sqlite).await;
}

#[tokio::test]
async fn stars_tally_matches_rows_postgres() {
    stars_tally_matches_rows(Backend::Postgres).await;
}
