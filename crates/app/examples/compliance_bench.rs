//! Benchmark of organizational-life compliance on a generated database.
//!
//! ```sh
//! jiceng --db sqlite:///tmp/p.db gen --region 37 --divisions ../shared/data/divisions
//! cargo run --release -p jiceng-app --example compliance_bench -- sqlite:///tmp/p.db --generate
//! ```
//!
//! `--generate` writes a synthetic year (2025) of meetings for every branch and group
//! through the real write path (`store::meetings::insert`, which rewrites the monthly
//! facts in the same transaction), a thousand branches per transaction. Then it times the
//! compliance report for the province, a county, a township and a branch, for a month, a
//! quarter and the year, and the time for a recorded meeting to show at township and
//! province level. Synthetic data only; nobody real.

use std::time::Instant;

use jiceng_app::access::Actor;
use jiceng_app::meetings::{self, NewMeeting};
use jiceng_app::reports::compliance;
use jiceng_app::{App, Crypto};
use jiceng_domain::{Meeting, MeetingKind, OrgKind, Period};
use jiceng_store::meetings::{self as store, StoredMeeting};
use jiceng_store::{Scope, Store};
use sqlx::Row;

const YEAR: i32 = 2025;

fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A draw in [0, 1) from the keys.
fn draw(keys: &[u64]) -> f64 {
    let mut h = 0x1234_5678u64;
    for k in keys {
        h = mix(h ^ k);
    }
    (h >> 11) as f64 / (1u64 << 53) as f64
}

fn day(month: u32, k: u64) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(YEAR, month, 1 + (k % 28) as u32).unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .ok_or("usage: compliance_bench DB_URL [--generate]")?;
    let generate = args.iter().any(|a| a == "--generate");
    let store = Store::open(url).await?;
    let mut app = App::new(store.clone(), Crypto::from_key(&[7u8; 32]));
    app.fixed_today = Some(chrono::NaiveDate::from_ymd_opt(YEAR, 12, 31).unwrap());

    let mut conn = store.acquire().await?;
    let t = Instant::now();
    let orgs = store::branches_and_groups(&mut conn, &Scope::All).await?;
    let branches = orgs.iter().filter(|o| o.kind == OrgKind::Branch).count();
    println!(
        "branches and groups read: {} branches, {} groups in {:.2} s",
        branches,
        orgs.len() - branches,
        t.elapsed().as_secs_f64()
    );
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM meeting")
        .fetch_one(&mut *conn)
        .await?;
    drop(conn);

    if generate && existing == 0 {
        let t = Instant::now();
        let by_id: std::collections::HashMap<i64, &jiceng_store::meetings::LifeOrg> =
            orgs.iter().map(|o| (o.id, o)).collect();
        let mut groups: std::collections::HashMap<i64, Vec<i64>> = Default::default();
        for o in orgs.iter().filter(|o| o.kind == OrgKind::Group) {
            if let Some(p) = o
                .parent_id
                .filter(|p| by_id.get(p).map(|b| b.kind) == Some(OrgKind::Branch))
            {
                groups.entry(p).or_default().push(o.id);
            }
        }
        let branch_list: Vec<&jiceng_store::meetings::LifeOrg> =
            orgs.iter().filter(|o| o.kind == OrgKind::Branch).collect();
        let mut written = 0usize;
        for chunk in branch_list.chunks(1000) {
            let mut batch: Vec<(i64, i64, String, MeetingKind, chrono::NaiveDate, u64)> =
                Vec::new();
            for b in chunk {
                let id = b.id as u64;
                if draw(&[id, 1]) < 0.02 {
                    continue; // held nothing all year
                }
                let good = draw(&[id, 2]) < 0.8; // most branches keep to the rules
                let p = |x: f64| if good { x.max(0.99) } else { x };
                for m in 1..=12u32 {
                    let mk = m as u64;
                    if draw(&[id, mk, 10]) < p(0.93) {
                        batch.push((
                            b.id,
                            b.id,
                            b.path.clone(),
                            MeetingKind::ThemeDay,
                            day(m, mix(id ^ mk)),
                            10,
                        ));
                    }
                    if b.has_committee && draw(&[id, mk, 11]) < p(0.9) {
                        batch.push((
                            b.id,
                            b.id,
                            b.path.clone(),
                            MeetingKind::CommitteeMeeting,
                            day(m, mix(id ^ mk ^ 11)),
                            11,
                        ));
                    }
                    for g in groups.get(&b.id).into_iter().flatten() {
                        if draw(&[id, mk, *g as u64]) < p(0.9) {
                            let gp = by_id[g].path.clone();
                            batch.push((
                                *g,
                                b.id,
                                gp,
                                MeetingKind::GroupMeeting,
                                day(m, mix(*g as u64 ^ mk)),
                                12,
                            ));
                        }
                    }
                    if m % 3 == 0 {
                        if draw(&[id, mk, 13]) < p(0.95) {
                            batch.push((
                                b.id,
                                b.id,
                                b.path.clone(),
                                MeetingKind::GeneralMeeting,
                                day(m - 1, mix(id ^ mk ^ 13)),
                                13,
                            ));
                        }
                        if draw(&[id, mk, 14]) < p(0.9) {
                            batch.push((
                                b.id,
                                b.id,
                                b.path.clone(),
                                MeetingKind::PartyLecture,
                                day(m - 2, mix(id ^ mk ^ 14)),
                                14,
                            ));
                        }
                    }
                }
                if draw(&[id, 15]) < p(0.9) {
                    batch.push((
                        b.id,
                        b.id,
                        b.path.clone(),
                        MeetingKind::LifeMeeting,
                        day(12, id),
                        15,
                    ));
                }
                if draw(&[id, 16]) < p(0.9) {
                    batch.push((
                        b.id,
                        b.id,
                        b.path.clone(),
                        MeetingKind::DemocraticEvaluation,
                        day(12, id ^ 3),
                        16,
                    ));
                }
            }
            let first = store.reserve_ids("meeting", batch.len() as i64).await?;
            let rows: Vec<StoredMeeting> = batch
                .into_iter()
                .enumerate()
                .map(|(n, (org_id, branch_id, org_path, kind, date, salt))| {
                    let expected = 5 + (mix(org_id as u64 ^ salt) % 30) as i64;
                    let present = expected - (mix(org_id as u64 ^ salt ^ 99) % 4) as i64;
                    StoredMeeting {
                        meeting: Meeting {
                            id: first + n as i64,
                            org_id,
                            kind,
                            also: vec![],
                            for_year: None,
                            election: false,
                            date,
                            topic: format!("{}{}", kind.short_label(), date.format("%m月")),
                            venue: None,
                            host: None,
                            expected,
                            present: present.max(0),
                            excused: 0,
                            excused_reasons: vec![],
                            minutes: None,
                            decisions: None,
                            masses_present: Some(0),
                            central_task: false,
                            members_needs: false,
                            votes: false,
                            full_expected: None,
                            full_present: None,
                        },
                        org_path,
                        branch_id,
                        quorum_ok: None,
                        created_by: "bench".into(),
                    }
                })
                .collect();
            let mut tx = store.begin().await?;
            store::insert(&mut tx, &rows).await?;
            tx.commit().await?;
            written += rows.len();
        }
        let s = t.elapsed().as_secs_f64();
        println!(
            "generated {written} meetings of {YEAR} for {branches} branches in {s:.1} s ({:.0} meetings/s, facts written in the same transactions)",
            written as f64 / s
        );
    }

    // The orgs to time: the province root, a county, a township, a branch.
    let mut conn = store.acquire().await?;
    let province: String = sqlx::query("SELECT code FROM org WHERE depth = 1 ORDER BY id LIMIT 1")
        .fetch_one(&mut *conn)
        .await?
        .try_get("code")?;
    let county_row = sqlx::query(
        "SELECT code, path FROM org WHERE depth = 3 AND kind = 'LocalCommittee' ORDER BY id LIMIT 1",
    )
    .fetch_one(&mut *conn)
    .await?;
    let county: String = county_row.try_get("code")?;
    let county_path: String = county_row.try_get("path")?;
    let upper = jiceng_domain::path::subtree_upper(&county_path);
    let town_row = sqlx::query(
        "SELECT code, path FROM org WHERE path > $1 AND path < $2 AND domain IN ('Township', 'Street') AND kind IN ('PrimaryCommittee', 'WorkingCommittee') ORDER BY path LIMIT 1",
    )
    .bind(county_path.clone())
    .bind(upper)
    .fetch_one(&mut *conn)
    .await?;
    let town: String = town_row.try_get("code")?;
    let town_path: String = town_row.try_get("path")?;
    let branch_row = sqlx::query(
        "SELECT id, code FROM org WHERE path > $1 AND path < $2 AND kind = 'Branch' ORDER BY path LIMIT 1",
    )
    .bind(town_path.clone())
    .bind(jiceng_domain::path::subtree_upper(&town_path))
    .fetch_one(&mut *conn)
    .await?;
    let branch: String = branch_row.try_get("code")?;
    let branch_id: i64 = branch_row.try_get("id")?;
    drop(conn);

    // Where the time of the province's year goes: reading, then judging.
    let mut conn = store.acquire().await?;
    let t = Instant::now();
    let rows = store::month_facts(&mut conn, &Scope::All, &Period::Year(YEAR).months()).await?;
    let read_s = t.elapsed().as_secs_f64();
    drop(conn);
    let t = Instant::now();
    let mut tallies: std::collections::HashMap<i64, jiceng_domain::Tally> = Default::default();
    for r in &rows {
        tallies
            .entry(r.branch_id)
            .or_default()
            .add_month(r.year, r.month, &r.tally);
    }
    let facts = {
        let mut groups: std::collections::HashMap<i64, Vec<jiceng_domain::GroupFacts>> =
            Default::default();
        for o in orgs.iter().filter(|o| o.kind == OrgKind::Group) {
            if let Some(p) = o.parent_id {
                groups
                    .entry(p)
                    .or_default()
                    .push(jiceng_domain::GroupFacts {
                        group_id: o.id,
                        founded_on: o.founded_on,
                        dissolved_on: o.dissolved_on,
                    });
            }
        }
        orgs.iter()
            .filter(|o| o.kind == OrgKind::Branch)
            .map(|o| jiceng_domain::BranchFacts {
                branch_id: o.id,
                committee: jiceng_domain::history::CommitteeHistory::always(o.committee),
                founded_on: o.founded_on,
                dissolved_on: o.dissolved_on,
                records_from: o.records_from,
                temporary: o.temporary,
                groups: groups.remove(&o.id).unwrap_or_default(),
            })
            .collect::<Vec<_>>()
    };
    let empty = jiceng_domain::Tally::default();
    let mut ok = 0;
    for f in &facts {
        let c = jiceng_domain::compliance::judge(
            f,
            tallies.get(&f.branch_id).unwrap_or(&empty),
            Period::Year(YEAR),
            &app.rules,
            app.today(),
        );
        ok += c.compliant() as usize;
    }
    println!(
        "year of the whole database: read {} monthly rows in {read_s:.2} s; tallied and judged {} branches in {:.2} s ({ok} compliant)",
        rows.len(),
        facts.len(),
        t.elapsed().as_secs_f64()
    );

    let actor = Actor::system();
    println!("\nreport compliance (warm, second run), seconds:");
    println!(
        "{:<10} {:>10} {:>10} {:>10}   branches",
        "org", "2025-11", "2025Q4", "2025"
    );
    for (label, code) in [
        ("province", &province),
        ("county", &county),
        ("township", &town),
        ("branch", &branch),
    ] {
        let mut cells = Vec::new();
        let mut n = 0;
        for period in [
            Period::Month(YEAR, 11),
            Period::Quarter(YEAR, 4),
            Period::Year(YEAR),
        ] {
            let _ = compliance::run(&app, &scoped(&app, &actor, code).await?, period).await?;
            let t = Instant::now();
            let r = compliance::run(&app, &scoped(&app, &actor, code).await?, period).await?;
            cells.push(t.elapsed().as_secs_f64());
            n = r.branches;
            if label == "province" && period == Period::Year(YEAR) {
                println!(
                    "  (province {YEAR}: {} branches, {} compliant, rate {:?}, {} held nothing, {} meetings)",
                    r.branches,
                    r.compliant,
                    r.rate,
                    r.held_nothing.len(),
                    r.attendance.meetings
                );
            }
        }
        println!(
            "{label:<10} {:>10.3} {:>10.3} {:>10.3}   {n}",
            cells[0], cells[1], cells[2]
        );
    }

    // Stored summaries for the levels above (what `jiceng refresh` and a server run).
    let periods = [
        Period::Month(YEAR, 11),
        Period::Quarter(YEAR, 4),
        Period::Year(YEAR),
    ];
    for p in periods {
        let t = Instant::now();
        let n = compliance::refresh_summaries(&app, None, &[p]).await?;
        println!(
            "refresh summaries {p}: {n} rows in {:.2} s",
            t.elapsed().as_secs_f64()
        );
    }
    let mut conn = store.acquire().await?;
    let mut ids = Vec::new();
    for code in [&province, &county, &town] {
        let id: i64 = sqlx::query_scalar("SELECT id FROM org WHERE code = $1")
            .bind(code.to_string())
            .fetch_one(&mut *conn)
            .await?;
        ids.push(id);
    }
    drop(conn);
    println!("\noverview (the drill-down page: an org and its children), seconds:");
    for (label, id) in ["province", "county", "township"].iter().zip(&ids) {
        let mut cells = Vec::new();
        let mut source = "";
        for p in periods {
            let org = by_id(&app, &actor, *id).await?;
            let _ = compliance::overview(&app, &org, p).await?;
            let t = Instant::now();
            let o = compliance::overview(&app, &by_id(&app, &actor, *id).await?, p).await?;
            cells.push(t.elapsed().as_secs_f64());
            source = o.source;
        }
        println!(
            "{label:<10} {:>10.3} {:>10.3} {:>10.3}   {source}",
            cells[0], cells[1], cells[2]
        );
    }

    // A recorded meeting: the write, then the township and the province seeing it.
    let branch = by_id(&app, &actor, branch_id).await?;
    let due = meetings::due(&app, &branch, app.today()).await?;
    let topic = format!("基准测试记录{}", std::process::id());
    let grant = actor.grant::<jiceng_app::access::RecordLife>()?;
    let t = Instant::now();
    let rec = meetings::record(
        &app,
        &grant,
        &by_id(&app, &actor, branch_id).await?,
        &NewMeeting {
            kind: Some(MeetingKind::ThemeDay),
            date: Some(chrono::NaiveDate::from_ymd_opt(YEAR, 12, 30).unwrap()),
            topic,
            expected: Some(10),
            present: Some(9),
            excused: Some(1),
            ..Default::default()
        },
    )
    .await?;
    let write = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let due_after =
        meetings::due(&app, &by_id(&app, &actor, branch_id).await?, app.today()).await?;
    let due_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let tr = compliance::run(
        &app,
        &scoped(&app, &actor, &town).await?,
        Period::Month(YEAR, 12),
    )
    .await?;
    let town_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let pr = compliance::run(
        &app,
        &scoped(&app, &actor, &province).await?,
        Period::Month(YEAR, 12),
    )
    .await?;
    let prov_s = t.elapsed().as_secs_f64();
    println!(
        "\nrecord meeting {}: {write:.3} s; branch due list {} → {} open items in {due_s:.3} s; \
         township report {town_s:.3} s ({} of {} compliant); province report {prov_s:.3} s ({} of {})",
        rec.id,
        due.items.len(),
        due_after.items.len(),
        tr.compliant,
        tr.branches,
        pr.compliant,
        pr.branches
    );
    let t = Instant::now();
    let town_view = compliance::overview(
        &app,
        &by_id(&app, &actor, ids[2]).await?,
        Period::Month(YEAR, 12),
    )
    .await?;
    let town_view_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    compliance::refresh_summaries(&app, None, &[Period::Month(YEAR, 12)]).await?;
    let refresh_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let prov_view = compliance::overview(
        &app,
        &by_id(&app, &actor, ids[0]).await?,
        Period::Month(YEAR, 12),
    )
    .await?;
    println!(
        "township page (live) {town_view_s:.3} s; province page after a refresh of {refresh_s:.2} s: {:.3} s ({}, {} of {} compliant)",
        t.elapsed().as_secs_f64(),
        prov_view.source,
        prov_view.org.compliant,
        prov_view.org.branches
    );
    let _ = town_view;
    // Leave the database as it was.
    let mut tx = store.begin().await?;
    store::delete(&mut tx, &Scope::All, rec.id).await?;
    tx.commit().await?;
    store.close().await;
    Ok(())
}

async fn scoped(
    app: &App,
    actor: &Actor,
    key: &str,
) -> jiceng_app::Result<jiceng_app::access::InScope<jiceng_app::OrgRecord>> {
    jiceng_app::access::resolve(app, actor, &jiceng_app::access::OrgKey::parse(Some(key))).await
}

/// An org by id resolved for `actor` (what the pages do at the edge, inside the timing as
/// the use cases resolved it before).
async fn by_id(
    app: &App,
    actor: &Actor,
    id: i64,
) -> jiceng_app::Result<jiceng_app::access::InScope<jiceng_app::OrgRecord>> {
    jiceng_app::access::resolve(app, actor, &jiceng_app::access::OrgKey::Id(id)).await
}
