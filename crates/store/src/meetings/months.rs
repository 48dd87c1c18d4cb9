//! The stored monthly facts of each branch (`compliance_month`): rewritten by a recount of
//! the touched branches' months whenever a meeting is written, read by month and path.

use super::*;

/// The stored facts of one branch in one month.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthFacts {
    pub branch_id: i64,
    pub branch_path: String,
    pub year: i32,
    pub month: u32,
    pub tally: MonthTally,
    pub meetings: i64,
    pub expected: i64,
    pub present: i64,
    pub masses_present: i64,
    /// Meetings whose 群众参与人数 was recorded (the rest are unknown, not 0).
    pub masses_recorded: i64,
    pub votes: i64,
    pub quorum_failed: i64,
}

const KIND_COLS: [(MeetingKind, &str); 7] = [
    (MeetingKind::GeneralMeeting, "general_meetings"),
    (MeetingKind::CommitteeMeeting, "committee_meetings"),
    (MeetingKind::GroupMeeting, "group_meetings"),
    (MeetingKind::PartyLecture, "party_lectures"),
    (MeetingKind::ThemeDay, "theme_days"),
    (MeetingKind::LifeMeeting, "life_meetings"),
    (MeetingKind::DemocraticEvaluation, "democratic_evaluations"),
];

const MONTH_COLS: &str = "branch_id, branch_path, year_month, general_meetings, committee_meetings, \
    group_meetings, party_lectures, theme_days, life_meetings, democratic_evaluations, group_counts, \
    meetings, expected, present, masses_present, votes, quorum_failed, prior_year, masses_recorded";

/// Reads a row of `MONTH_COLS` by position (a province's year is millions of rows).
fn month_from_row(row: &AnyRow) -> Result<MonthFacts> {
    let ym: String = row.try_get(2)?;
    let (year, month) = parse_year_month(&ym)?;
    let mut tally = MonthTally::default();
    for (i, (k, _)) in KIND_COLS.iter().enumerate() {
        tally.by_kind[k.index()] = row.try_get(3 + i)?;
    }
    let groups: String = row.try_get(10)?;
    if groups != "{}" {
        tally.groups = serde_json::from_str::<BTreeMap<i64, i64>>(&groups)
            .map_err(|e| StoreError::Corrupt(format!("党小组会次数：{e}")))?;
    }
    let prior: String = row.try_get(17)?;
    if prior != "{}" {
        let by: BTreeMap<String, i64> = serde_json::from_str(&prior)
            .map_err(|e| StoreError::Corrupt(format!("上一年度会议次数：{e}")))?;
        for (code, n) in by {
            let k = MeetingKind::from_code(&code)
                .ok_or_else(|| StoreError::Corrupt(format!("会议类型 {code}")))?;
            tally.prior_year[k.index()] = n;
        }
    }
    tally.meetings = row.try_get(11)?;
    Ok(MonthFacts {
        branch_id: row.try_get(0)?,
        branch_path: row.try_get(1)?,
        year,
        month,
        tally,
        masses_recorded: row.try_get(18)?,
        meetings: row.try_get(11)?,
        expected: row.try_get(12)?,
        present: row.try_get(13)?,
        masses_present: row.try_get(14)?,
        votes: row.try_get(15)?,
        quorum_failed: row.try_get(16)?,
    })
}

fn month_vals(f: &MonthFacts, now: &str) -> Vec<Val> {
    let mut v: Vec<Val> = vec![
        f.branch_id.into(),
        f.branch_path.clone().into(),
        format!("{:04}-{:02}", f.year, f.month).into(),
    ];
    for (k, _) in KIND_COLS {
        v.push(f.tally.by_kind[k.index()].into());
    }
    v.push(
        serde_json::to_string(&f.tally.groups)
            .expect("a map serializes")
            .into(),
    );
    v.extend([
        f.meetings.into(),
        f.expected.into(),
        f.present.into(),
        f.masses_present.into(),
        f.votes.into(),
        f.quorum_failed.into(),
        now.to_string().into(),
        prior_text(&f.tally).into(),
        f.masses_recorded.into(),
        jiceng_domain::path::shard(&f.branch_path).into(),
    ]);
    v
}

fn prior_text(t: &MonthTally) -> String {
    let by: BTreeMap<&str, i64> = MeetingKind::ALL
        .iter()
        .filter(|k| t.prior_year[k.index()] > 0)
        .map(|k| (k.code(), t.prior_year[k.index()]))
        .collect();
    serde_json::to_string(&by).expect("a map serializes")
}

async fn write_months(conn: &mut Conn, facts: &[MonthFacts]) -> Result<()> {
    let now = crate::now_text();
    let mut cols: Vec<&str> = vec!["branch_id", "branch_path", "year_month"];
    cols.extend(KIND_COLS.iter().map(|(_, c)| *c));
    cols.extend([
        "group_counts",
        "meetings",
        "expected",
        "present",
        "masses_present",
        "votes",
        "quorum_failed",
        "updated_at",
        "prior_year",
        "masses_recorded",
        "shard",
    ]);
    let rows: Vec<Vec<Val>> = facts
        .iter()
        .filter(|f| f.meetings > 0)
        .map(|f| month_vals(f, &now))
        .collect();
    insert_many(conn, "compliance_month", &cols, &rows).await
}

/// The per-meeting aggregate both recounts read: by kinds, 所属年度 and holding org.
const AGG: &str = "kinds, for_year, org_id, COUNT(*) AS n, CAST(SUM(expected) AS BIGINT) AS e, \
    CAST(SUM(present) AS BIGINT) AS p, CAST(COALESCE(SUM(masses_present), 0) AS BIGINT) AS mp, \
    CAST(SUM(CASE WHEN masses_present IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS mr, \
    CAST(SUM(votes) AS BIGINT) AS v, \
    CAST(SUM(CASE WHEN quorum_ok = 0 THEN 1 ELSE 0 END) AS BIGINT) AS qf";

fn add_agg(f: &mut MonthFacts, row: &AnyRow) -> Result<()> {
    let kinds: String = row.try_get("kinds")?;
    let kinds = parse_kinds(&kinds)?;
    let for_year: Option<i64> = row.try_get("for_year")?;
    let prior = for_year.is_some_and(|y| y < i64::from(f.year));
    let org_id: i64 = row.try_get("org_id")?;
    let n: i64 = row.try_get("n")?;
    for kind in kinds {
        f.tally.by_kind[kind.index()] += n;
        if prior {
            f.tally.prior_year[kind.index()] += n;
        }
        if kind == MeetingKind::GroupMeeting {
            *f.tally.groups.entry(org_id).or_default() += n;
        }
    }
    f.tally.meetings += n;
    f.meetings += n;
    f.masses_recorded += row.try_get::<i64, _>("mr")?;
    f.expected += row.try_get::<i64, _>("e")?;
    f.present += row.try_get::<i64, _>("p")?;
    f.masses_present += row.try_get::<i64, _>("mp")?;
    f.votes += row.try_get::<i64, _>("v")?;
    f.quorum_failed += row.try_get::<i64, _>("qf")?;
    Ok(())
}

/// Recounts the stored facts of the touched (branch, branch path, month)s from the
/// meetings. Batched: for each chunk of branches one delete and one grouped read over the
/// months from the earliest touched to the latest (every month in between is recounted
/// too, which is the same recount), so a ledger of thousands of rows costs a few queries.
pub async fn refresh_months(conn: &mut Conn, touched: &[(i64, String, Period)]) -> Result<()> {
    if touched.is_empty() {
        return Ok(());
    }
    let mut paths: BTreeMap<i64, String> = BTreeMap::new();
    let (mut from, mut to) = (touched[0].2.first_day(), touched[0].2.last_day());
    for (branch, branch_path, month) in touched {
        if month.month_key().is_none() {
            return Err(StoreError::Corrupt(format!("不是月份：{month}")));
        }
        paths.insert(*branch, branch_path.clone());
        from = from.min(month.first_day());
        to = to.max(month.last_day());
    }
    let (from_key, to_key) = (
        Period::month_of(from).month_key().expect("a month"),
        Period::month_of(to).month_key().expect("a month"),
    );
    let ids: Vec<i64> = paths.keys().copied().collect();
    // Two meetings of one branch and month recorded at once take turns here, so the
    // second recount sees the first meeting and its rows (PostgreSQL; SQLite's write
    // transactions hold the only write lock already).
    crate::sql::lock_orgs(conn, &ids).await?;
    // Their ancestors' summaries are stale now: the server's next pass recomputes them.
    let marks: Vec<(i64, String)> = paths.iter().map(|(i, p)| (*i, p.clone())).collect();
    super::summaries::mark_touched(conn, &marks).await?;
    for chunk in ids.chunks(IN_CHUNK) {
        // The chunk's shards, said so that a Citus coordinator sends both statements to
        // those shards alone (one, for a meeting).
        let shards: std::collections::BTreeSet<&str> = chunk
            .iter()
            .map(|b| jiceng_domain::path::shard(&paths[b]))
            .collect();
        Sql::new("DELETE FROM compliance_month WHERE year_month >= ")
            .bind(from_key.as_str())
            .push(" AND year_month <= ")
            .bind(to_key.as_str())
            .push(" AND branch_id IN ")
            .in_list(chunk)
            .push(" AND shard IN ")
            .in_list(shards.iter().copied())
            .execute(&mut *conn)
            .await?;
        let q = Sql::new(format!(
            "SELECT branch_id, SUBSTR(held_on, 1, 7) AS ym, {AGG} FROM meeting WHERE held_on >= "
        ))
        .bind(from)
        .push(" AND held_on <= ")
        .bind(to)
        .push(" AND branch_id IN ")
        .in_list(chunk)
        .push(" AND shard IN ")
        .in_list(shards.iter().copied())
        .push(" GROUP BY branch_id, SUBSTR(held_on, 1, 7), kinds, for_year, org_id");
        let mut facts: BTreeMap<(i64, String), MonthFacts> = BTreeMap::new();
        for r in q.fetch_all(&mut *conn).await? {
            let branch: i64 = r.try_get("branch_id")?;
            let ym: String = r.try_get("ym")?;
            let f = match facts.entry((branch, ym.clone())) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    let (year, month) = parse_year_month(&ym)?;
                    e.insert(MonthFacts {
                        branch_id: branch,
                        branch_path: paths[&branch].clone(),
                        year,
                        month,
                        ..Default::default()
                    })
                }
            };
            add_agg(f, &r)?;
        }
        let facts: Vec<MonthFacts> = facts.into_values().collect();
        write_months(conn, &facts).await?;
    }
    Ok(())
}

pub(super) fn parse_year_month(ym: &str) -> Result<(i32, u32)> {
    let bad = || StoreError::Corrupt(format!("年月 {ym}"));
    let (y, m) = ym.split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(1..=12).contains(&m) {
        return Err(bad());
    }
    Ok((y, m))
}

/// Rebuilds every monthly fact of the branches in `scope` from the meetings (after a
/// restore, a bulk load, or an org moved). Returns the rows written.
pub async fn rebuild(conn: &mut Conn, scope: &Scope) -> Result<usize> {
    Sql::new("DELETE FROM compliance_month WHERE ")
        .sharded_scope("branch_path", scope)
        .execute(&mut *conn)
        .await?;
    let q = Sql::new(format!(
        "SELECT branch_id, SUBSTR(held_on, 1, 7) AS ym, org_path, {AGG} FROM meeting WHERE "
    ))
    .sharded_scope("org_path", scope)
    .push(" GROUP BY branch_id, SUBSTR(held_on, 1, 7), org_path, kinds, for_year, org_id");
    let mut facts: BTreeMap<(i64, String), MonthFacts> = BTreeMap::new();
    for r in q.fetch_all(&mut *conn).await? {
        let branch: i64 = r.try_get("branch_id")?;
        let org_id: i64 = r.try_get("org_id")?;
        let ym: String = r.try_get("ym")?;
        let org_path: String = r.try_get("org_path")?;
        let (year, month) = parse_year_month(&ym)?;
        let f = facts
            .entry((branch, ym.clone()))
            .or_insert_with(|| MonthFacts {
                branch_id: branch,
                branch_path: if org_id == branch {
                    org_path.clone()
                } else {
                    parent_path(&org_path)
                },
                year,
                month,
                ..Default::default()
            });
        add_agg(f, &r)?;
    }
    let facts: Vec<MonthFacts> = facts.into_values().collect();
    // Only rows of branches in the scope were deleted above.
    let facts: Vec<MonthFacts> = facts
        .into_iter()
        .filter(|f| scope.contains(&f.branch_path))
        .collect();
    write_months(conn, &facts).await?;
    Ok(facts.len())
}

/// The stored facts of the branches in `scope` for each of `months` (one indexed read per
/// month: equality on the month, literal range on the path).
pub async fn month_facts(
    conn: &mut Conn,
    scope: &Scope,
    months: &[Period],
) -> Result<Vec<MonthFacts>> {
    let keys: Vec<String> = months
        .iter()
        .map(|m| {
            m.month_key()
                .ok_or_else(|| StoreError::Corrupt(format!("不是月份：{m}")))
        })
        .collect::<Result<_>>()?;
    if keys.is_empty() {
        return Ok(vec![]);
    }
    // One statement for all the months (an index range per month, in month order): a
    // township's diagnosis reads 18 months, and each statement costs a round trip.
    let q = Sql::new(format!(
        "SELECT {MONTH_COLS} FROM compliance_month WHERE year_month IN "
    ))
    .in_list(keys)
    .push(" AND ")
    .sharded_scope("branch_path", scope);
    q.fetch_map(&mut *conn, month_from_row).await
}

/// The stored facts of one branch for `months`.
pub async fn branch_month_facts(
    conn: &mut Conn,
    branch_id: i64,
    months: &[Period],
) -> Result<Vec<MonthFacts>> {
    let keys: Vec<String> = months.iter().filter_map(|m| m.month_key()).collect();
    if keys.is_empty() {
        return Ok(vec![]);
    }
    let q = Sql::new(format!(
        "SELECT {MONTH_COLS} FROM compliance_month WHERE branch_id = "
    ))
    .bind(branch_id)
    .push(" AND year_month IN ")
    .in_list(keys)
    .push(" ORDER BY year_month");
    q.fetch_map(&mut *conn, month_from_row).await
}
