//! Stored derived facts of each org (SCALE.md): direct and subtree member counts, units
//! covered, the secretary's office, and subtree statistics (member structure, coverage).
//!
//! After a write, `refresh` recomputes the facts of the touched orgs and of every
//! ancestor, deepest first, reading the stored subtree facts of untouched children — so a
//! high-level report is one indexed lookup and never a count over member rows.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiceng_domain::member_stats::Profile;
use jiceng_domain::{
    path, Coverage, CoverageReport, MemberStats, MemberStatus, OperatingStatus, PositionKind,
};
use sqlx::Row;

use crate::sql::{insert_many, placeholders, Val, IN_CHUNK};
use crate::{members, orgs, positions, units, Conn, Result, StoreError};

#[derive(Debug, Clone, Default)]
struct Computed {
    direct_members: i64,
    direct_full: i64,
    subtree_members: i64,
    subtree_full: i64,
    units_covered: i64,
    has_secretary: bool,
    secretary_vacant_since: Option<chrono::NaiveDate>,
    direct_stats: MemberStats,
    direct_coverage: CoverageReport,
    subtree_stats: MemberStats,
    subtree_coverage: CoverageReport,
}

/// The member's profile for statistics.
pub fn profile(m: &members::StoredMember) -> Profile<'_> {
    Profile {
        gender: m.gender,
        ethnicity: &m.ethnicity,
        birth_date: m.birth_date,
        education: m.education,
        occupation: m.occupation.as_deref(),
        joined_on: m.joined_on,
        status: m.status,
        full_on: m.full_on,
    }
}

/// Recomputes the facts of `touched` orgs and all their ancestors as of `day`.
/// Returns how many orgs were refreshed.
pub async fn refresh(conn: &mut Conn, touched: &[i64], day: chrono::NaiveDate) -> Result<usize> {
    if touched.is_empty() {
        return Ok(0);
    }
    // The touched orgs and their ancestors.
    let touched_rows = orgs::by_ids(conn, touched).await?;
    let mut set: HashSet<i64> = HashSet::new();
    for o in &touched_rows {
        for id in path::ids(&o.path) {
            set.insert(id);
        }
    }
    let ids: Vec<i64> = set.iter().copied().collect();
    let all = orgs::by_ids(conn, &ids).await?;
    let mut computed: HashMap<i64, Computed> = HashMap::with_capacity(all.len());
    for o in &all {
        computed.insert(o.org.id, Computed::default());
    }

    // Direct facts: members, secretaries, units of each org itself.
    for m in members::of_orgs(conn, &ids).await? {
        let c = computed.get_mut(&m.org_id).expect("member of a listed org");
        c.direct_members += 1;
        if jiceng_domain::member::status_on(m.status, m.full_on, day) == MemberStatus::Full {
            c.direct_full += 1;
        }
        c.direct_stats.add_profile(&profile(&m), day);
    }
    let mut last_end: HashMap<i64, chrono::NaiveDate> = HashMap::new();
    for p in positions::of_orgs(conn, &ids).await? {
        if p.kind != PositionKind::Secretary {
            continue;
        }
        let started = p.started_on.map(|s| s <= day).unwrap_or(true);
        let ongoing = p.ended_on.map(|e| e > day).unwrap_or(true);
        if started && ongoing {
            computed.get_mut(&p.org_id).expect("listed").has_secretary = true;
        } else if let Some(e) = p.ended_on.filter(|e| *e <= day) {
            let slot = last_end.entry(p.org_id).or_insert(e);
            if e > *slot {
                *slot = e;
            }
        }
    }
    for u in units::of_orgs(conn, &ids).await? {
        let c = computed.get_mut(&u.unit.org_id).expect("listed");
        if u.unit.status == OperatingStatus::Operating
            && matches!(u.unit.coverage, Coverage::OwnOrg | Coverage::JointOrg)
        {
            c.units_covered += 1;
        }
        c.direct_coverage.add(&jiceng_domain::coverage::UnitFacts {
            domain: u.unit.domain,
            status: u.unit.status,
            coverage: u.unit.coverage,
            full_members: u.unit.full_members,
        });
    }
    for o in &all {
        let c = computed.get_mut(&o.org.id).expect("listed");
        if !c.has_secretary {
            c.secretary_vacant_since = last_end.get(&o.org.id).copied().or(o.org.founded_on);
        }
    }

    // Stored subtree facts of the children that were not touched.
    let mut children: BTreeMap<i64, Vec<(i64, i64, MemberStats, CoverageReport)>> = BTreeMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let sql = format!(
            "SELECT o.id, o.parent_id, o.subtree_members, o.subtree_full, s.member_stats, s.coverage \
             FROM org o LEFT JOIN org_stats s ON s.org_id = o.id WHERE o.parent_id IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(&mut *conn).await? {
            let id: i64 = row.try_get("id")?;
            if set.contains(&id) {
                continue;
            }
            let parent: i64 = row.try_get("parent_id")?;
            let stats: Option<String> = row.try_get("member_stats")?;
            let cov: Option<String> = row.try_get("coverage")?;
            let stats: MemberStats = match stats {
                Some(s) => {
                    serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(e.to_string()))?
                }
                None => MemberStats::default(),
            };
            let cov: CoverageReport = match cov {
                Some(s) => {
                    serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(e.to_string()))?
                }
                None => CoverageReport::default(),
            };
            children.entry(parent).or_default().push((
                row.try_get("subtree_members")?,
                row.try_get("subtree_full")?,
                stats,
                cov,
            ));
        }
    }

    // Roll up, deepest first.
    let mut order: Vec<(i64, i64, Option<i64>)> = all
        .iter()
        .map(|o| (o.depth, o.org.id, o.org.parent_id))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, id, _) in &order {
        let c = computed.get_mut(id).expect("listed");
        c.subtree_members += c.direct_members;
        c.subtree_full += c.direct_full;
        let ds = c.direct_stats.clone();
        c.subtree_stats.merge(&ds);
        let dc = c.direct_coverage.clone();
        c.subtree_coverage.merge(&dc);
        if let Some(kids) = children.get(id) {
            for (m, f, s, cov) in kids {
                c.subtree_members += m;
                c.subtree_full += f;
                c.subtree_stats.merge(s);
                c.subtree_coverage.merge(cov);
            }
        }
    }
    for (_, id, parent) in &order {
        // Children come before parents in `order`, so each parent gets finished children.
        if let Some(p) = parent.filter(|p| set.contains(p)) {
            let child = computed.get(id).expect("listed").clone();
            let pc = computed.get_mut(&p).expect("listed");
            pc.subtree_members += child.subtree_members;
            pc.subtree_full += child.subtree_full;
            pc.subtree_stats.merge(&child.subtree_stats);
            pc.subtree_coverage.merge(&child.subtree_coverage);
        }
    }

    // Write back.
    let day_text = crate::date_text(day);
    for (id, c) in &computed {
        sqlx::query(
            "UPDATE org SET direct_members = $1, direct_full = $2, subtree_members = $3, subtree_full = $4, \
             units_covered = $5, has_secretary = $6, secretary_vacant_since = $7, facts_on = $8 WHERE id = $9",
        )
        .bind(c.direct_members)
        .bind(c.direct_full)
        .bind(c.subtree_members)
        .bind(c.subtree_full)
        .bind(c.units_covered)
        .bind(c.has_secretary as i64)
        .bind(c.secretary_vacant_since.map(crate::date_text))
        .bind(day_text.clone())
        .bind(*id)
        .execute(&mut *conn)
        .await?;
    }
    for chunk in ids.chunks(IN_CHUNK) {
        let sql = format!(
            "DELETE FROM org_stats WHERE org_id IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut *conn).await?;
    }
    let rows: Vec<Vec<Val>> = computed
        .iter()
        .map(|(id, c)| {
            vec![
                (*id).into(),
                serde_json::to_string(&c.subtree_stats)
                    .expect("serializable")
                    .into(),
                serde_json::to_string(&c.subtree_coverage)
                    .expect("serializable")
                    .into(),
                day_text.clone().into(),
            ]
        })
        .collect();
    insert_many(
        conn,
        "org_stats",
        &["org_id", "member_stats", "coverage", "facts_on"],
        &rows,
    )
    .await?;
    Ok(computed.len())
}

/// The stored subtree statistics of one org: member structure, coverage, and the day
/// they were computed for.
pub async fn stats(
    conn: &mut Conn,
    org_id: i64,
) -> Result<Option<(MemberStats, CoverageReport, chrono::NaiveDate)>> {
    let row =
        sqlx::query("SELECT member_stats, coverage, facts_on FROM org_stats WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let s: String = row.try_get("member_stats")?;
    let c: String = row.try_get("coverage")?;
    let d: String = row.try_get("facts_on")?;
    Ok(Some((
        serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        serde_json::from_str(&c).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        crate::parse_date_text(&d)?,
    )))
}
