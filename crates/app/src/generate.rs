//! `gen`: synthetic data loaded into an empty database, county by county, each county in
//! one transaction with its derived facts.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use jiceng_domain::IdNumber;
use jiceng_gen::{Divisions, GenOptions, Generator, IdBase};
use jiceng_store::members::StoredMember;
use jiceng_store::units::StoredUnit;
use jiceng_store::{members, orgs, positions, units, Scope};
use serde::Serialize;

use crate::import::Progress;
use crate::{App, AppError, Result};

#[derive(Debug, Clone, Default, Serialize)]
pub struct GenSummary {
    pub counties: usize,
    pub orgs: usize,
    pub members: usize,
    pub positions: usize,
    pub units: usize,
    pub meetings: usize,
    /// People applying (发展党员), generated with their steps.
    pub applicants: usize,
    pub seconds: f64,
    pub rows_per_second: f64,
    /// Seconds spent in each phase, summed over the batches.
    pub phases: std::collections::BTreeMap<String, f64>,
    /// The process's peak resident memory (VmHWM) when done, in MiB; `None` where the
    /// system does not say (not Linux).
    pub peak_memory_mib: Option<f64>,
}

/// This process's peak resident memory so far (VmHWM of /proc/self/status), in MiB.
pub fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Where the roster rows of generated recruits start, above the generator's member ids.
const RECRUIT_MEMBER_OFFSET: i64 = 1_000_000_000;

/// Generates into an empty database. Refuses a database that already holds orgs, so
/// that generated people never mix with real records.
pub async fn run(
    app: &App,
    divisions: Divisions,
    seed: u64,
    progress: &dyn Progress,
) -> Result<GenSummary> {
    let started = Instant::now();
    let mut conn = app.store.acquire().await?;
    if orgs::count(&mut conn, &Scope::All).await? > 0 {
        return Err(AppError::Input(
            "数据库中已有党组织，合成数据只能生成到空数据库（请换一个 --db）".into(),
        ));
    }
    // The pages say that the people are invented (the footer), in this database only.
    jiceng_store::protection::mark_synthetic(&mut conn).await?;
    drop(conn);
    let today = app.today();
    let ids = IdBase {
        org: app.store.reserve_ids("org", 0).await?,
        member: app.store.reserve_ids("member", 0).await?,
        unit: app.store.reserve_ids("unit", 0).await?,
        position: app.store.reserve_ids("position", 0).await?,
    };
    let mut next_meeting = app.store.reserve_ids("meeting", 0).await?;
    let mut next_training = app.store.reserve_ids("training", 0).await?;
    let mut next_applicant = app.store.reserve_ids("applicant", 0).await?;
    let mut next_step = app.store.reserve_ids("recruitment_step", 0).await?;
    // The roster rows of generated recruits (⑰) take ids far above the generator's, which
    // are known only when it is done; the allocator is moved past both at the end.
    let mut next_recruit = ids.member + RECRUIT_MEMBER_OFFSET;
    let ids_member_base = ids.member;
    let mut gen = Generator::new(divisions, GenOptions { seed, as_of: today }, ids);
    let mut summary = GenSummary {
        counties: gen.counties(),
        ..Default::default()
    };
    progress.start("生成", summary.counties as u64);
    let mut clock = Instant::now();
    let mut lap = |summary: &mut GenSummary, name: &str| {
        let now = Instant::now();
        *summary.phases.entry(name.to_string()).or_default() += (now - clock).as_secs_f64();
        clock = now;
    };
    // One connection for the whole load, with a page cache that holds the indexes being
    // filled (SQLite) and commits that do not wait for the disk (PostgreSQL).
    let mut load = app.store.acquire().await?;
    jiceng_store::bulk::tune_for_load(&mut load).await?;
    while let Some(batch) = gen.next_batch() {
        lap(&mut summary, "generate");
        let mut tx = jiceng_store::bulk::begin(&mut load).await?;
        crate::privacy::ensure_key(&mut tx, &app.crypto).await?;
        let paths = orgs::insert(&mut tx, &batch.orgs).await?;
        let mut path_of: HashMap<i64, String> =
            batch.orgs.iter().map(|o| o.id).zip(paths).collect();
        let outside: Vec<i64> = batch
            .members
            .iter()
            .map(|m| m.org_id)
            .chain(batch.units.iter().map(|u| u.org_id))
            .filter(|id| !path_of.contains_key(id))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for o in orgs::by_ids(&mut tx, &outside).await? {
            path_of.insert(o.org.id, o.path);
        }
        lap(&mut summary, "orgs");
        let stored = protect(app, &batch.members, &batch.member_groups, &path_of);
        lap(&mut summary, "protect");
        members::insert(&mut tx, &stored).await?;
        lap(&mut summary, "members");
        positions::insert(&mut tx, &batch.positions).await?;
        let stored_units: Vec<StoredUnit> = batch
            .units
            .iter()
            .map(|u| StoredUnit {
                unit: u.clone(),
                org_path: path_of[&u.org_id].clone(),
            })
            .collect();
        units::insert(&mut tx, &stored_units).await?;
        lap(&mut summary, "positions+units");
        let meetings = jiceng_gen::meetings::generate(&batch, today, seed, next_meeting);
        next_meeting += meetings.len() as i64;
        let stored_meetings = stored_meetings(app, &batch, meetings, &path_of);
        lap(&mut summary, "generate meetings");
        jiceng_store::meetings::insert(&mut tx, &stored_meetings).await?;
        // Their ledgers start with the generated year, so silence is a real shortfall.
        jiceng_store::meetings::lower_records_from(
            &mut tx,
            &jiceng_gen::meetings::covered_branches(&batch),
            jiceng_gen::meetings::records_start(today),
        )
        .await?;
        lap(&mut summary, "meetings");
        let trainings = jiceng_gen::training::generate(&batch, today, seed, next_training);
        next_training += trainings.len() as i64;
        let stored_trainings = stored_trainings(app, trainings, &path_of);
        jiceng_store::training::insert_many_trainings(&mut tx, &stored_trainings).await?;
        lap(&mut summary, "training");
        let people = jiceng_gen::recruitment::generate(&batch, today, seed);
        let seeded = crate::recruitment::seed::rows(
            app,
            people,
            &path_of,
            (next_applicant, next_step, next_recruit),
        );
        next_applicant += seeded.applicants.len() as i64;
        next_step += seeded.steps.len() as i64;
        next_recruit += seeded.members.len() as i64;
        jiceng_store::recruitment::insert(&mut tx, &seeded.applicants).await?;
        jiceng_store::recruitment::insert_steps(&mut tx, &seeded.steps).await?;
        members::insert(&mut tx, &seeded.members).await?;
        summary.applicants += seeded.applicants.len();
        lap(&mut summary, "recruitment");
        let touched: Vec<i64> = batch.orgs.iter().map(|o| o.id).collect();
        jiceng_store::facts::refresh(&mut tx, &app.rules, &touched, today).await?;
        // The facts count this year's 学时; last year's are counted here.
        jiceng_store::training::refresh(
            &mut tx,
            &app.rules,
            &touched,
            chrono::Datelike::year(&today) - 1,
        )
        .await?;
        lap(&mut summary, "facts");
        tx.commit().await?;
        lap(&mut summary, "commit");
        summary.orgs += batch.orgs.len();
        summary.members += batch.members.len();
        summary.positions += batch.positions.len();
        summary.units += batch.units.len();
        summary.meetings += stored_meetings.len();
        progress.inc(1);
    }
    progress.finish();
    jiceng_store::bulk::untune(&mut load, app.store.sqlite_sync()).await?;
    jiceng_store::bulk::analyze(&mut load).await?;
    lap(&mut summary, "analyze");
    drop(load);
    let next = gen.next_ids();
    app.store.bump_ids("org", next.org).await?;
    let recruits_made = next_recruit > ids_member_base + RECRUIT_MEMBER_OFFSET;
    app.store
        .bump_ids(
            "member",
            if recruits_made {
                next_recruit
            } else {
                next.member
            },
        )
        .await?;
    app.store.bump_ids("applicant", next_applicant).await?;
    app.store.bump_ids("recruitment_step", next_step).await?;
    app.store.bump_ids("unit", next.unit).await?;
    app.store.bump_ids("position", next.position).await?;
    app.store.bump_ids("meeting", next_meeting).await?;
    app.store.bump_ids("training", next_training).await?;
    // The higher levels' organizational-life figures, as a server keeps them.
    crate::refresh_life_summaries(app).await?;
    lap(&mut summary, "life summaries");
    // The applicants were judged today by these rules as they were written.
    let mut tx = app.store.begin().await?;
    jiceng_store::recruitment::set_judged_by(
        &mut tx,
        &crate::recruitment::rederive::current_judgement(app),
    )
    .await?;
    tx.commit().await?;
    summary.seconds = started.elapsed().as_secs_f64();
    let rows =
        summary.orgs + summary.members + summary.positions + summary.units + summary.meetings;
    summary.rows_per_second = rows as f64 / summary.seconds.max(1e-9);
    summary.peak_memory_mib = peak_memory_mib();
    Ok(summary)
}

/// The generated meetings placed in the tree: the path of the org that held each, the
/// branch it counts for, its quorum by the rules in force on its date.
fn stored_meetings(
    app: &App,
    batch: &jiceng_gen::Batch,
    meetings: Vec<jiceng_domain::Meeting>,
    path_of: &HashMap<i64, String>,
) -> Vec<jiceng_store::meetings::StoredMeeting> {
    let parent: HashMap<i64, Option<i64>> =
        batch.orgs.iter().map(|o| (o.id, o.parent_id)).collect();
    meetings
        .into_iter()
        .map(|m| {
            let branch_id = if m.kind == jiceng_domain::MeetingKind::GroupMeeting {
                parent[&m.org_id].expect("a group has a branch")
            } else {
                m.org_id
            };
            let quorum = m.quorum(app.rules.in_force(m.date)).map(|q| q.ok);
            jiceng_store::meetings::StoredMeeting {
                org_path: path_of[&m.org_id].clone(),
                branch_id,
                quorum_ok: quorum,
                created_by: jiceng_gen::RECORDED_BY.into(),
                meeting: m,
            }
        })
        .collect()
}

/// Encrypts, hashes and masks ID numbers (on every core), making each synthetic number
/// unique within the batch by moving its sequence on where two invented people collide.
fn protect(
    app: &App,
    list: &[jiceng_domain::Member],
    groups: &HashMap<i64, i64>,
    path_of: &HashMap<i64, String>,
) -> Vec<StoredMember> {
    let mut seen: HashSet<String> = HashSet::with_capacity(list.len());
    let ids: Vec<IdNumber> = list
        .iter()
        .map(|m| {
            let mut id = m.id_number.clone();
            let mut seq: u16 = id.as_str()[14..17].parse().unwrap_or(0);
            while !seen.insert(id.as_str().to_string()) {
                seq = (seq + 2) % 1000;
                id = IdNumber::synthesize(&id.as_str()[..6], m.birth_date, seq);
            }
            id
        })
        .collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .max(1);
    let chunk = list.len().div_ceil(threads).max(1);
    let mut out: Vec<StoredMember> = Vec::with_capacity(list.len());
    std::thread::scope(|s| {
        let handles: Vec<_> = list
            .chunks(chunk)
            .zip(ids.chunks(chunk))
            .map(|(ms, ids)| {
                let crypto = app.crypto.clone();
                s.spawn(move || {
                    ms.iter()
                        .zip(ids)
                        .map(|(m, id)| {
                            let (phone_cipher, phone_masked) =
                                m.phone.as_deref().map(|p| crypto.protect_phone(p)).unzip();
                            StoredMember {
                                id: m.id,
                                org_id: m.org_id,
                                org_path: path_of[&m.org_id].clone(),
                                name: m.name.clone(),
                                gender: m.gender,
                                ethnicity: m.ethnicity.clone(),
                                birth_date: m.birth_date,
                                id_hash: crypto.id_hash(id),
                                id_cipher: crypto.encrypt(id),
                                id_masked: id.masked(),
                                education: m.education,
                                status: m.status,
                                joined_on: m.joined_on,
                                full_on: m.full_on,
                                occupation: m.occupation.clone(),
                                phone_cipher,
                                phone_masked,
                                mobile: m.mobile,
                                lost_contact: m.lost_contact,
                                exited_on: None,
                                transferred_in_on: None,
                                group_id: groups.get(&m.id).copied(),
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            out.extend(h.join().expect("worker"));
        }
    });
    out
}

/// The generated trainings as stored rows, each with its branch's path and its attendees
/// credited its hours.
fn stored_trainings(
    app: &App,
    trainings: Vec<jiceng_gen::training::Training>,
    path_of: &HashMap<i64, String>,
) -> Vec<(jiceng_store::training::StoredTraining, Vec<(i64, i64)>)> {
    let at = app.now().to_rfc3339();
    trainings
        .into_iter()
        .map(|t| {
            let who = t.attendees.iter().map(|m| (*m, t.hours)).collect();
            let row = jiceng_store::training::StoredTraining {
                id: t.id,
                org_id: t.org_id,
                org_path: path_of[&t.org_id].clone(),
                year: chrono::Datelike::year(&t.starts_on),
                title: t.title,
                organiser: "县委组织部".into(),
                starts_on: t.starts_on,
                ends_on: t.ends_on,
                hours: t.hours,
                mode: t.mode.code().into(),
                recorded_by: jiceng_gen::RECORDED_BY.into(),
                recorded_at: at.clone(),
            };
            (row, who)
        })
        .collect()
}
