//! Each org's stored recruitment tally (migration 0020): its subtree's people by stage, the
//! violations, the next steps' deadlines by day and each year's admissions by plan target
//! (`jiceng_domain::recruitment::Tally`), so that an overview of a province reads one row
//! per org it lists.
//!
//! `refresh` recomputes the tallies of touched orgs and of all their ancestors, deepest
//! first, from their own applicants and the stored tallies of their untouched children —
//! in the writer's transaction, as `facts::refresh` does for the member facts (which calls
//! it). An org without a row has nobody in its subtree. `rebuild` makes every row again
//! from the applicants (when migration 0020 is applied to a database holding applicants,
//! or after a re-judgement).

use std::collections::{HashMap, HashSet};

use jiceng_domain::recruitment::{Admission, Counted, Tally};
use jiceng_domain::{path, Domain, Education, Gender};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::Cells;
use crate::sql::{insert_many, lock_orgs, Sql, Val, IN_CHUNK};
use crate::{orgs, Conn, Result, StoreError};

/// An org as the roll-up needs it.
struct Node {
    id: i64,
    parent: Option<i64>,
    depth: i64,
    domain: Option<Domain>,
}

/// The applicant columns a tally counts.
const COUNTED: &str = "org_id, stage, next_step, next_deadline, violations, admitted_on, \
                       gender, birth_date, education, front_line";

/// Adds the applicant of `r` to the tally of its org in `direct`.
fn count_row(
    r: &AnyRow,
    domains: &HashMap<i64, Option<Domain>>,
    direct: &mut HashMap<i64, Tally>,
) -> Result<()> {
    let org_id: i64 = r.try_get("org_id")?;
    let stage: String = r.try_get("stage")?;
    let next_step: Option<i64> = r.try_get("next_step")?;
    let admission = match r.opt_date("admitted_on")? {
        Some(on) => Some(Admission {
            gender: r.coded("gender", "性别", Gender::parse_label)?,
            birth_date: r.date("birth_date")?,
            education: r.opt_coded("education", "学历", Education::parse_label)?,
            front_line: r.flag("front_line")?,
            domain: domains.get(&org_id).copied().flatten(),
            admitted_on: on,
        }),
        None => None,
    };
    let person = Counted {
        stage: &stage,
        deadline: next_step.and(r.opt_date("next_deadline")?),
        violations: r.try_get("violations")?,
        admission,
    };
    direct.entry(org_id).or_default().add(&person);
    Ok(())
}

/// Adds each node's tally to its parent's, deepest first; `outside` holds the stored
/// tallies of children that are not nodes, by parent.
fn roll_up(
    mut nodes: Vec<Node>,
    mut tallies: HashMap<i64, Tally>,
    outside: Vec<(i64, Tally)>,
) -> HashMap<i64, Tally> {
    let listed: HashSet<i64> = nodes.iter().map(|n| n.id).collect();
    for (parent, t) in outside {
        tallies.entry(parent).or_default().merge(&t);
    }
    nodes.sort_by_key(|n| std::cmp::Reverse(n.depth));
    for n in &nodes {
        let Some(parent) = n.parent.filter(|p| listed.contains(p)) else {
            continue;
        };
        if let Some(mine) = tallies.get(&n.id).cloned() {
            tallies.entry(parent).or_default().merge(&mine);
        }
    }
    tallies.retain(|id, _| listed.contains(id));
    tallies
}

fn node(o: &orgs::StoredOrg) -> Node {
    Node {
        id: o.org.id,
        parent: o.org.parent_id,
        depth: o.depth,
        domain: o.org.domain,
    }
}

/// Writes the tallies of `ids` (each org's row replaced; an empty tally is no row).
async fn write(conn: &mut Conn, ids: &[i64], tallies: &HashMap<i64, Tally>) -> Result<()> {
    for chunk in ids.chunks(IN_CHUNK) {
        Sql::new("DELETE FROM recruitment_tally WHERE org_id IN ")
            .in_list(chunk)
            .execute(&mut *conn)
            .await?;
    }
    let now = crate::now_text();
    let mut rows: Vec<Vec<Val>> = Vec::new();
    for id in ids {
        let Some(t) = tallies.get(id).filter(|t| **t != Tally::default()) else {
            continue;
        };
        let json = serde_json::to_string(t).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        rows.push(vec![(*id).into(), json.into(), now.clone().into()]);
    }
    insert_many(
        conn,
        "recruitment_tally",
        &["org_id", "tally", "computed_at"],
        &rows,
    )
    .await
}

/// Recomputes the tallies of the `touched` orgs and of all their ancestors. Answers how
/// many orgs' tallies were written.
pub async fn refresh(conn: &mut Conn, touched: &[i64]) -> Result<usize> {
    if touched.is_empty() {
        return Ok(0);
    }
    let mut set: HashSet<i64> = HashSet::new();
    for o in orgs::by_ids(conn, touched).await? {
        set.extend(path::ids(&o.path));
    }
    let ids: Vec<i64> = set.iter().copied().collect();
    lock_orgs(conn, &ids).await?;
    let all = orgs::by_ids(conn, &ids).await?;
    let domains: HashMap<i64, Option<Domain>> =
        all.iter().map(|o| (o.org.id, o.org.domain)).collect();
    let paths: Vec<String> = all.iter().map(|o| o.path.clone()).collect();
    let mut direct: HashMap<i64, Tally> = HashMap::new();
    for chunk in paths.chunks(IN_CHUNK) {
        let q = Sql::new(format!(
            "SELECT {COUNTED} FROM applicant WHERE org_path IN "
        ))
        .in_list(chunk.iter().cloned());
        for r in q.fetch_all(&mut *conn).await? {
            count_row(&r, &domains, &mut direct)?;
        }
    }
    // The untouched children's stored tallies: their ids (the parent index), then their
    // rows (two indexed reads, as `facts::refresh` does).
    let mut parent_of: HashMap<i64, i64> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT id, parent_id FROM org WHERE parent_id IN ").in_list(chunk);
        for r in q.fetch_all(&mut *conn).await? {
            let id: i64 = r.try_get("id")?;
            if !set.contains(&id) {
                parent_of.insert(id, r.try_get("parent_id")?);
            }
        }
    }
    let kids: Vec<i64> = parent_of.keys().copied().collect();
    let mut outside = Vec::new();
    for (id, t) in stored(conn, &kids).await? {
        outside.push((parent_of[&id], t));
    }
    let tallies = roll_up(all.iter().map(node).collect(), direct, outside);
    write(conn, &ids, &tallies).await?;
    Ok(ids.len())
}

/// The stored tallies of `ids` (an org without one has nobody in its subtree).
pub async fn stored(conn: &mut Conn, ids: &[i64]) -> Result<HashMap<i64, Tally>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let q =
            Sql::new("SELECT org_id, tally FROM recruitment_tally WHERE org_id IN ").in_list(chunk);
        for r in q.fetch_all(&mut *conn).await? {
            let json: String = r.try_get("tally")?;
            let t: Tally =
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            out.insert(r.try_get("org_id")?, t);
        }
    }
    Ok(out)
}

/// The stored tally of one org's subtree (empty when nobody is in it).
pub async fn of(conn: &mut Conn, org_id: i64) -> Result<Tally> {
    Ok(stored(conn, &[org_id])
        .await?
        .remove(&org_id)
        .unwrap_or_default())
}

/// Makes every org's tally again from all the applicants: one read of the orgs and one of
/// the applicants, added up in memory. Answers how many rows were written.
pub async fn rebuild(conn: &mut Conn) -> Result<usize> {
    let mut nodes = Vec::new();
    let rows = Sql::new("SELECT id, parent_id, depth, domain FROM org")
        .fetch_all(&mut *conn)
        .await?;
    for r in &rows {
        nodes.push(Node {
            id: r.try_get("id")?,
            parent: r.try_get("parent_id")?,
            depth: r.try_get("depth")?,
            domain: r.opt_coded("domain", "领域", Domain::from_code)?,
        });
    }
    drop(rows);
    let domains: HashMap<i64, Option<Domain>> = nodes.iter().map(|n| (n.id, n.domain)).collect();
    let mut direct: HashMap<i64, Tally> = HashMap::new();
    let people = Sql::new(format!("SELECT {COUNTED} FROM applicant"))
        .fetch_all(&mut *conn)
        .await?;
    for r in &people {
        count_row(r, &domains, &mut direct)?;
    }
    drop(people);
    let tallies = roll_up(nodes, direct, Vec::new());
    Sql::new("DELETE FROM recruitment_tally")
        .execute(&mut *conn)
        .await?;
    let ids: Vec<i64> = tallies.keys().copied().collect();
    write(conn, &ids, &tallies).await?;
    Ok(ids.len())
}
