//! The same reports computed the obvious way, on the same database: the subtree found by a
//! recursive query over `parent_id`, the raw member, unit, position and meeting rows
//! aggregated with GROUP BY, the rules applied to the result. No stored facts, no paths.
//! The weak-org report's obvious way is its own diagnosis of every org of the subtree at
//! the time of asking (what the report does up to 20,000 orgs), without the stored
//! weaknesses of the last rating run.
//! The recruitment kinds' obvious way (the overview, the board and the report alike) is
//! every applicant of the subtree read with all their recorded steps and judged on today
//! (`reports::recruitment::run_live`: `store::recruitment::in_scope`, `steps_of`,
//! `recruitment::progress`, and the plan fulfilment of the org and its children), instead
//! of the judgement each applicant's row stores. For the overview it is one judgement of
//! the subtree, not split by direct child, so its speed-up is if anything understated.
//! (Bench-only SQL: the application never runs these.)

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Result;
use jiceng_app::App;
use jiceng_domain::member_stats::Profile;
use jiceng_domain::structure::{check_org, OrgFacts};
use jiceng_domain::{Education, Gender, MemberStats, MemberStatus};
use jiceng_store::orgs::StoredOrg;
use sqlx::Row;

use crate::asked::{quarter_of, rating_year, Kind};

const SUBTREE: &str = "WITH RECURSIVE sub(id) AS (SELECT id FROM org WHERE id = $1 \
     UNION ALL SELECT o.id FROM org o JOIN sub ON o.parent_id = sub.id)";

/// Median milliseconds of the obvious way (3 runs, or 1 when a run takes over 2 s).
pub async fn measure(app: &App, kind: Kind, root: &StoredOrg) -> Result<f64> {
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        match kind {
            Kind::Structure | Kind::StructurePage => {
                structure(app, root).await?;
            }
            Kind::Coverage | Kind::CoveragePage => {
                coverage(app, root).await?;
            }
            Kind::Members => {
                members(app, root).await?;
            }
            Kind::Compliance | Kind::ComplianceOverview => {
                compliance(app, root).await?;
            }
            Kind::Ratings => {
                ratings(app, root).await?;
            }
            Kind::Weak => {
                weak(app, root).await?;
            }
            Kind::RecruitmentOverview | Kind::RecruitmentBoard | Kind::Recruitment => {
                recruitment(app, root).await?;
            }
            Kind::Rectification
            | Kind::Dues
            | Kind::Training
            | Kind::Funding
            | Kind::Venues
            | Kind::Surveys
            | Kind::SurveyReport
            | Kind::Scorecard
            | Kind::Analysis => {
                anyhow::bail!("no obvious way is measured for {}", kind.name())
            }
        }
        let ms = t.elapsed().as_secs_f64() * 1e3;
        times.push(ms);
        if ms > 2_000.0 {
            break;
        }
    }
    times.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    Ok(times[times.len() / 2])
}

/// Anomalies of the subtree: org rows by recursion, member, unit and secretary counts by
/// GROUP BY, subtree sums in memory, the checks of `jiceng_domain::structure`.
pub async fn structure(app: &App, root: &StoredOrg) -> Result<usize> {
    let today = app.today();
    let rules = app.rules.in_force(today);
    let mut conn = app.store().acquire().await?;
    let id = root.org.id;
    let orgs = sqlx::query(&format!(
        "{SUBTREE} SELECT o.id, o.parent_id, o.kind, o.domain, o.founded_on, o.last_election_on, \
         o.has_committee, o.dissolved_on FROM org o JOIN sub ON o.id = sub.id"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let day = jiceng_store::date_text(today);
    let counts = sqlx::query(&format!(
        "{SUBTREE} SELECT m.org_id, COUNT(*) AS n, \
         SUM(CASE WHEN m.status = 'Full' OR (m.full_on IS NOT NULL AND m.full_on <= $2) THEN 1 ELSE 0 END) AS f \
         FROM member m JOIN sub ON m.org_id = sub.id GROUP BY m.org_id"
    ))
    .bind(id)
    .bind(day.clone())
    .fetch_all(&mut *conn)
    .await?;
    let units = sqlx::query(&format!(
        "{SUBTREE} SELECT u.org_id, COUNT(*) AS n FROM unit u JOIN sub ON u.org_id = sub.id \
         WHERE u.status = 'Operating' AND u.coverage IN ('OwnOrg', 'JointOrg') GROUP BY u.org_id"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let secretaries = sqlx::query(&format!(
        "{SUBTREE} SELECT p.org_id, \
         MAX(CASE WHEN p.ended_on IS NULL OR p.ended_on > $2 THEN 1 ELSE 0 END) AS holds \
         FROM position p JOIN sub ON p.org_id = sub.id WHERE p.kind = 'Secretary' GROUP BY p.org_id"
    ))
    .bind(id)
    .bind(day)
    .fetch_all(&mut *conn)
    .await?;
    drop(conn);
    let mut direct: HashMap<i64, (i64, i64)> = HashMap::new();
    for r in &counts {
        let n: i64 = r.try_get("n")?;
        let f: i64 = r.try_get("f")?;
        direct.insert(r.try_get("org_id")?, (n, f));
    }
    let units: HashMap<i64, i64> = units
        .iter()
        .map(|r| Ok((r.try_get("org_id")?, r.try_get("n")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let holds: HashMap<i64, i64> = secretaries
        .iter()
        .map(|r| Ok((r.try_get("org_id")?, r.try_get("holds")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    // Subtree sums: children before parents by repeated passes up the parent links.
    let parent: HashMap<i64, Option<i64>> = orgs
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("parent_id")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let mut subtree: HashMap<i64, (i64, i64)> = HashMap::new();
    for (org, (n, f)) in &direct {
        let mut at = Some(*org);
        while let Some(x) = at {
            let e = subtree.entry(x).or_default();
            e.0 += n;
            e.1 += f;
            at = if x == id {
                None
            } else {
                parent.get(&x).copied().flatten()
            };
        }
    }
    let kind_of: HashMap<i64, String> = orgs
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("kind")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let mut anomalies = 0;
    for r in &orgs {
        let dissolved: Option<String> = r.try_get("dissolved_on")?;
        if dissolved.is_some() {
            continue;
        }
        let oid: i64 = r.try_get("id")?;
        let kind: String = r.try_get("kind")?;
        let domain: Option<String> = r.try_get("domain")?;
        let date = |c: &str| -> Result<Option<chrono::NaiveDate>> {
            let v: Option<String> = r.try_get(c)?;
            Ok(v.and_then(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()))
        };
        let (dm, df) = direct.get(&oid).copied().unwrap_or_default();
        let (sm, sf) = subtree.get(&oid).copied().unwrap_or_default();
        let parent_kind = parent
            .get(&oid)
            .copied()
            .flatten()
            .and_then(|p| kind_of.get(&p))
            .and_then(|k| jiceng_domain::OrgKind::from_code(k));
        let facts = OrgFacts {
            org_id: oid,
            code: String::new(),
            name: String::new(),
            kind: jiceng_domain::OrgKind::from_code(&kind)
                .unwrap_or(jiceng_domain::OrgKind::Branch),
            domain: domain.and_then(|d| jiceng_domain::Domain::from_code(&d)),
            parent_kind,
            founded_on: date("founded_on")?,
            last_election_on: date("last_election_on")?,
            committee: Some(r.try_get::<i64, _>("has_committee")? != 0),
            direct_members: dm,
            direct_full: df,
            subtree_members: sm,
            subtree_full: sf,
            units_covered: units.get(&oid).copied().unwrap_or(0),
            secretary: if holds.get(&oid).copied().unwrap_or(0) != 0 {
                jiceng_domain::SecretaryState::InOffice
            } else {
                jiceng_domain::SecretaryState::Unknown
            },
            term_years: None,
            postponed_until: None,
            temporary: false,
            approved: false,
        };
        anomalies += check_org(&facts, rules, today).len();
    }
    Ok(anomalies)
}

/// Coverage: counts by domain and coverage with GROUP BY, the gap lists as rows.
pub async fn coverage(app: &App, root: &StoredOrg) -> Result<usize> {
    let rules = app.rules.in_force(app.today());
    let mut conn = app.store().acquire().await?;
    let counts = sqlx::query(&format!(
        "{SUBTREE} SELECT u.domain, u.coverage, COUNT(*) AS n FROM unit u JOIN sub ON u.org_id = sub.id \
         WHERE u.status = 'Operating' GROUP BY u.domain, u.coverage"
    ))
    .bind(root.org.id)
    .fetch_all(&mut *conn)
    .await?;
    let gaps = sqlx::query(&format!(
        "{SUBTREE} SELECT u.name, u.credit_code, u.domain, u.full_members, u.coverage, o.name AS org \
         FROM unit u JOIN sub ON u.org_id = sub.id JOIN org o ON o.id = u.org_id \
         WHERE u.status = 'Operating' AND ((u.full_members >= $2 AND u.coverage <> 'OwnOrg') \
         OR u.coverage = 'Uncovered') ORDER BY u.name, u.id"
    ))
    .bind(root.org.id)
    .bind(rules.org.unit_should_have_org_at_full)
    .fetch_all(&mut *conn)
    .await?;
    Ok(counts.len() + gaps.len())
}

/// Member structure: the subtree's member rows grouped by every dimension, folded into
/// the same statistics.
pub async fn members(app: &App, root: &StoredOrg) -> Result<i64> {
    let today = app.today();
    let day = jiceng_store::date_text(today);
    let mut conn = app.store().acquire().await?;
    let rows = sqlx::query(&format!(
        "{SUBTREE} SELECT m.gender, m.ethnicity, m.education, m.occupation, m.status, m.full_on, \
         m.birth_date, m.joined_on, COUNT(*) AS n FROM member m JOIN sub ON m.org_id = sub.id \
         WHERE m.joined_on <= $2 AND (m.exited_on IS NULL OR m.exited_on > $2) \
         GROUP BY m.gender, m.ethnicity, m.education, m.occupation, m.status, m.full_on, \
         m.birth_date, m.joined_on"
    ))
    .bind(root.org.id)
    .bind(day)
    .fetch_all(&mut *conn)
    .await?;
    let mut stats = MemberStats::default();
    let date = |s: String| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok();
    for r in &rows {
        let gender: String = r.try_get("gender")?;
        let ethnicity: String = r.try_get("ethnicity")?;
        let education: Option<String> = r.try_get("education")?;
        let occupation: Option<String> = r.try_get("occupation")?;
        let status: String = r.try_get("status")?;
        let full_on: Option<String> = r.try_get("full_on")?;
        let birth: String = r.try_get("birth_date")?;
        let joined: String = r.try_get("joined_on")?;
        let n: i64 = r.try_get("n")?;
        let (Some(birth_date), Some(joined_on)) = (date(birth), date(joined)) else {
            continue;
        };
        let p = Profile {
            gender: Gender::parse_label(&gender).unwrap_or(Gender::Male),
            ethnicity: &ethnicity,
            birth_date,
            education: education.and_then(|e| Education::parse_label(&e)),
            occupation: occupation.as_deref(),
            joined_on,
            status: MemberStatus::parse_label(&status).unwrap_or(MemberStatus::Full),
            full_on: full_on.and_then(date),
        };
        for _ in 0..n {
            stats.add_profile(&p, today);
        }
    }
    Ok(stats.total)
}

/// Organizational life: the subtree's meetings counted by branch, kind and month.
pub async fn compliance(app: &App, root: &StoredOrg) -> Result<usize> {
    let period = quarter_of(app.today());
    let months = period.months();
    let first = format!(
        "{}-01",
        months.first().map(|m| m.to_string()).unwrap_or_default()
    );
    let last = format!(
        "{}-31",
        months.last().map(|m| m.to_string()).unwrap_or_default()
    );
    let mut conn = app.store().acquire().await?;
    let branches = sqlx::query(&format!(
        "{SUBTREE} SELECT o.id FROM org o JOIN sub ON o.id = sub.id WHERE o.kind IN ('Branch', 'Group')"
    ))
    .bind(root.org.id)
    .fetch_all(&mut *conn)
    .await?;
    let held = sqlx::query(&format!(
        "{SUBTREE} SELECT m.branch_id, m.kind, SUBSTR(m.held_on, 1, 7) AS ym, COUNT(*) AS n \
         FROM meeting m JOIN sub ON m.org_id = sub.id WHERE m.held_on >= $2 AND m.held_on <= $3 \
         GROUP BY m.branch_id, m.kind, SUBSTR(m.held_on, 1, 7)"
    ))
    .bind(root.org.id)
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    Ok(branches.len() + held.len())
}

/// The stars distribution of the subtree and of each direct child, and the first page
/// of rated orgs: the rating rows of the recursive subtree grouped by top child and stars.
pub async fn ratings(app: &App, root: &StoredOrg) -> Result<usize> {
    let year = rating_year(app.today());
    let mut conn = app.store().acquire().await?;
    let by_child = sqlx::query(
        "WITH RECURSIVE sub(id, top) AS (SELECT id, id FROM org WHERE parent_id = $1 \
         UNION ALL SELECT o.id, sub.top FROM org o JOIN sub ON o.parent_id = sub.id) \
         SELECT sub.top, COALESCE(r.adjusted_stars, r.computed_stars) AS s, COUNT(*) AS n \
         FROM rating r JOIN sub ON r.org_id = sub.id WHERE r.year = $2 \
         GROUP BY sub.top, COALESCE(r.adjusted_stars, r.computed_stars)",
    )
    .bind(root.org.id)
    .bind(year as i64)
    .fetch_all(&mut *conn)
    .await?;
    let own = sqlx::query(
        "SELECT COALESCE(adjusted_stars, computed_stars) FROM rating WHERE org_id = $1 AND year = $2",
    )
        .bind(root.org.id)
        .bind(year as i64)
        .fetch_all(&mut *conn)
        .await?;
    let page = sqlx::query(&format!(
        "{SUBTREE} SELECT r.org_id, o.code, o.name, r.computed_stars, r.adjusted_stars, r.score \
         FROM rating r JOIN sub ON r.org_id = sub.id JOIN org o ON o.id = r.org_id \
         WHERE r.year = $2 ORDER BY o.code LIMIT 100"
    ))
    .bind(root.org.id)
    .bind(year as i64)
    .fetch_all(&mut *conn)
    .await?;
    Ok(by_child.len() + own.len() + page.len())
}

/// The weak orgs of the subtree diagnosed live, every org, whatever its size.
pub async fn weak(app: &App, root: &StoredOrg) -> Result<usize> {
    let year = rating_year(app.today());
    let system = jiceng_app::access::Actor::system();
    let key = jiceng_app::access::OrgKey::Id(root.org.id);
    let root = jiceng_app::access::resolve(app, &system, &key).await?;
    let r = jiceng_app::reports::weak::run_with_limit(app, &root, year, i64::MAX).await?;
    Ok(r.weak.len())
}

/// The subtree's applicants judged on today from all their steps, every one.
pub async fn recruitment(app: &App, root: &StoredOrg) -> Result<usize> {
    let year = rating_year(app.today());
    let system = jiceng_app::access::Actor::system();
    let key = jiceng_app::access::OrgKey::Id(root.org.id);
    let root = jiceng_app::access::resolve(app, &system, &key).await?;
    let r = jiceng_app::reports::recruitment::run_live(app, &root, year).await?;
    Ok(r.due.len() + r.violations.len())
}
