//! What compliance reads beside the monthly facts: a subtree's branches and groups, and
//! the per-org summaries a refresh stores for the levels above the branches.

use std::collections::HashMap;

use super::*;
use crate::sql::fetch_chunked;

/// A branch or group as compliance needs it: a lean row of `org`.
#[derive(Debug, Clone, PartialEq)]
pub struct LifeOrg {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub path: String,
    pub has_committee: bool,
    pub founded_on: Option<chrono::NaiveDate>,
    pub dissolved_on: Option<chrono::NaiveDate>,
    /// The effective records start: `org.records_from`, else the first day of the month
    /// of the earliest stored month with meetings; `None`: no records.
    pub records_from: Option<chrono::NaiveDate>,
    /// A 临时党支部.
    pub temporary: bool,
    /// `org.committee` (today's state, 'yes'/'no'; `None` unknown): read only where no
    /// dated committee event is recorded.
    pub committee: Option<bool>,
}

/// The branches and groups of the scope, in path order. Where an org's records start is
/// unset, its first stored month stands for it.
pub async fn branches_and_groups(conn: &mut Conn, scope: &Scope) -> Result<Vec<LifeOrg>> {
    let q = Sql::new(
        "SELECT id, parent_id, code, name, kind, path, has_committee, founded_on, dissolved_on, \
         records_from, temporary, committee FROM org WHERE ",
    )
    .scope("path", scope)
    .push(" AND kind IN ('Branch', 'Group') ORDER BY path");
    let mut orgs: Vec<LifeOrg> = q
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(from_row!(
                r,
                LifeOrg {
                    id,
                    parent_id,
                    code,
                    name,
                    kind: OrgKind::from_code(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("组织类别 {kind}")))?,
                    path,
                    has_committee: r.flag("has_committee")?,
                    founded_on: r.opt_date("founded_on")?,
                    dissolved_on: r.opt_date("dissolved_on")?,
                    records_from: opt_date(r.try_get("records_from")?)?,
                    temporary: r.flag("temporary")?,
                    committee: match r.try_get::<Option<String>, _>("committee")?.as_deref() {
                        Some("yes") => Some(true),
                        Some("no") => Some(false),
                        _ => None,
                    },
                }
            ))
        })
        .collect::<Result<_>>()?;
    // A separate read, not a subquery per org: on a Citus cluster the months are
    // distributed and the orgs are not, and a correlated subquery across the two is refused.
    let unset: Vec<i64> = orgs
        .iter()
        .filter(|o| o.records_from.is_none())
        .map(|o| o.id)
        .collect();
    let firsts: HashMap<i64, String> = fetch_chunked(
        conn,
        &unset,
        |ids| {
            Sql::new("SELECT branch_id, MIN(year_month) FROM compliance_month WHERE branch_id IN ")
                .in_list(ids.iter().copied())
                .push(" GROUP BY branch_id")
        },
        |r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)),
    )
    .await?
    .into_iter()
    .collect();
    for o in orgs.iter_mut().filter(|o| o.records_from.is_none()) {
        if let Some(ym) = firsts.get(&o.id) {
            let (y, m) = parse_year_month(ym)?;
            o.records_from = Some(Period::Month(y, m).first_day());
        }
    }
    Ok(orgs)
}

/// Compliance of one org's subtree in one period, as a refresh stored it.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub org_id: i64,
    pub org_path: String,
    pub period: Period,
    pub branches: i64,
    pub compliant: i64,
    pub held_nothing: i64,
    pub meetings: i64,
    pub expected: i64,
    pub present: i64,
    pub quorum_failed: i64,
    /// When the refresh ran (UTC, ISO 8601).
    pub computed_at: String,
    /// The figures count spans closed by this day (截至…已结束的周期); `None`: none.
    pub judged_through: Option<chrono::NaiveDate>,
}

impl Summary {
    /// Adds `branches` judged branches, `compliant` and `held_nothing` of them, with their
    /// (meetings, expected, present, failed quorums).
    pub fn add_counts(
        &mut self,
        branches: i64,
        compliant: i64,
        held_nothing: i64,
        [meetings, expected, present, quorum_failed]: [i64; 4],
    ) {
        self.branches += branches;
        self.compliant += compliant;
        self.held_nothing += held_nothing;
        self.meetings += meetings;
        self.expected += expected;
        self.present += present;
        self.quorum_failed += quorum_failed;
    }

    /// Adds another org's figures (a child's summary) to these.
    pub fn add(&mut self, o: &Summary) {
        let counts = [o.meetings, o.expected, o.present, o.quorum_failed];
        self.add_counts(o.branches, o.compliant, o.held_nothing, counts);
    }
}

const SUMMARY_COLS: [&str; 12] = [
    "org_id",
    "org_path",
    "period",
    "branches",
    "compliant",
    "held_nothing",
    "meetings",
    "expected",
    "present",
    "quorum_failed",
    "computed_at",
    "judged_through",
];

fn summary_vals(s: &Summary) -> Vec<Val> {
    vec![
        s.org_id.into(),
        s.org_path.clone().into(),
        s.period.to_string().into(),
        s.branches.into(),
        s.compliant.into(),
        s.held_nothing.into(),
        s.meetings.into(),
        s.expected.into(),
        s.present.into(),
        s.quorum_failed.into(),
        s.computed_at.clone().into(),
        s.judged_through.map(crate::date_text).into(),
    ]
}

/// Replaces one org's stored summary of `period` with `row`, or removes it when `row` is
/// `None` (nothing below the org is judged).
pub async fn put_summary(
    conn: &mut Conn,
    org_id: i64,
    period: Period,
    row: Option<&Summary>,
) -> Result<()> {
    Sql::new("DELETE FROM compliance_summary WHERE org_id = ")
        .bind(org_id)
        .push(" AND period = ")
        .bind(period.to_string())
        .execute(&mut *conn)
        .await?;
    match row {
        Some(s) => {
            insert_many(
                conn,
                "compliance_summary",
                &SUMMARY_COLS,
                &[summary_vals(s)],
            )
            .await
        }
        None => Ok(()),
    }
}

/// An org whose ancestors' summaries are stale (`life_touched`), as marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touched {
    pub org_id: i64,
    pub org_path: String,
    /// Tells this mark from a later one of the same org.
    pub stamp: String,
}

/// Marks `orgs` (id, path) as touched: their ancestors' summaries are stale. One row per
/// org, so the writers of different branches never wait on each other. Run it in the
/// writer's transaction.
pub async fn mark_touched(conn: &mut Conn, orgs: &[(i64, String)]) -> Result<()> {
    let stamp = crate::unique_stamp();
    let mut seen = HashSet::new();
    let rows: Vec<Vec<Val>> = orgs
        .iter()
        .filter(|(id, _)| seen.insert(*id))
        .map(|(id, path)| vec![(*id).into(), path.clone().into(), stamp.clone().into()])
        .collect();
    crate::sql::insert_many_then(
        conn,
        "life_touched",
        &["org_id", "org_path", "stamp"],
        &rows,
        " ON CONFLICT (org_id) DO UPDATE SET org_path = excluded.org_path, stamp = excluded.stamp",
    )
    .await
}

/// The orgs marked touched, at most `limit` of them (in id order).
pub async fn touched(conn: &mut Conn, limit: i64) -> Result<Vec<Touched>> {
    Sql::new("SELECT org_id, org_path, stamp FROM life_touched ORDER BY org_id LIMIT ")
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(from_row!(
                r,
                Touched {
                    org_id,
                    org_path,
                    stamp
                }
            ))
        })
        .collect()
}

/// The stamps of every mark now stored (a full refresh reads them before it judges).
pub async fn touched_stamps(conn: &mut Conn) -> Result<Vec<String>> {
    Sql::new("SELECT DISTINCT stamp FROM life_touched")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok(r.try_get::<String, _>("stamp")?))
        .collect()
}

/// Forgets the marks made with these stamps. A stamp is one writer's, written in its
/// transaction: every mark of a stamp that was read is forgotten, and a mark made again
/// since (a new stamp) stays for the next pass.
pub async fn forget_touched(conn: &mut Conn, stamps: &[String]) -> Result<()> {
    for chunk in stamps.chunks(IN_CHUNK) {
        Sql::new("DELETE FROM life_touched WHERE stamp IN ")
            .in_list(chunk.iter().map(String::as_str))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Replaces the stored summaries of `period` for every org in `scope` with `rows`.
pub async fn replace_summaries(
    conn: &mut Conn,
    scope: &Scope,
    period: Period,
    rows: &[Summary],
) -> Result<()> {
    Sql::new("DELETE FROM compliance_summary WHERE period = ")
        .bind(period.to_string())
        .push(" AND ")
        .scope("org_path", scope)
        .execute(&mut *conn)
        .await?;
    let vals: Vec<Vec<Val>> = rows.iter().map(summary_vals).collect();
    insert_many(conn, "compliance_summary", &SUMMARY_COLS, &vals).await
}

/// The stored summaries of `period` for these orgs (those that have one).
pub async fn summaries(conn: &mut Conn, period: Period, org_ids: &[i64]) -> Result<Vec<Summary>> {
    let mut out = Vec::new();
    for chunk in org_ids.chunks(IN_CHUNK) {
        let q = Sql::new(format!(
            "SELECT {} FROM compliance_summary WHERE period = ",
            SUMMARY_COLS.join(", ")
        ))
        .bind(period.to_string())
        .push(" AND org_id IN ")
        .in_list(chunk);
        for r in q.fetch_all(&mut *conn).await? {
            let p: String = r.try_get("period")?;
            out.push(from_row!(
                r,
                Summary {
                    org_id,
                    org_path,
                    period: Period::parse(&p).map_err(StoreError::Corrupt)?,
                    branches,
                    compliant,
                    held_nothing,
                    meetings,
                    expected,
                    present,
                    quorum_failed,
                    computed_at,
                    judged_through: r.opt_date("judged_through")?,
                }
            ));
        }
    }
    Ok(out)
}
