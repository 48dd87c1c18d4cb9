//! The refresh: the facts of touched orgs and their ancestors recomputed, deepest first,
//! with the anomalies of children whose parent changed checked again, in the writer's
//! transaction.

use super::*;

/// Recomputes the facts of `touched` orgs and all their ancestors as of `day`, their
/// anomalies and gaps by the set of `rules` in force on `day` (the app's rule book).
/// Returns how many orgs were refreshed.
pub async fn refresh(
    conn: &mut Conn,
    rules: &RuleBook,
    touched: &[i64],
    day: chrono::NaiveDate,
) -> Result<usize> {
    if touched.is_empty() {
        return Ok(0);
    }
    let book = rules;
    let rules = rules.in_force(day);
    // The touched orgs and their ancestors.
    let touched_rows = orgs::by_ids(conn, touched).await?;
    let mut set: HashSet<i64> = HashSet::new();
    for o in &touched_rows {
        for id in path::ids(&o.path) {
            set.insert(id);
        }
    }
    let ids: Vec<i64> = set.iter().copied().collect();
    // Concurrent refreshes of overlapping orgs take turns: each reads what the one before
    // it committed, and none writes counts from a stale snapshot (PostgreSQL).
    crate::sql::lock_orgs(conn, &ids).await?;
    let all = orgs::by_ids(conn, &ids).await?;
    let mut computed: HashMap<i64, Computed> = HashMap::with_capacity(all.len());
    for o in &all {
        computed.insert(o.org.id, Computed::default());
    }

    // Direct facts: members, secretaries, units of each org itself.
    // Only the columns the statistics need (a county's refresh reads every member row).
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new(
            "SELECT org_id, gender, ethnicity, birth_date, education, status, joined_on, \
             full_on, occupation FROM member WHERE org_id IN ",
        )
        .in_list(chunk)
        .push(" AND exited_on IS NULL");
        for row in q.fetch_all(&mut *conn).await? {
            let org_id: i64 = row.try_get(0)?;
            let gender: String = row.try_get(1)?;
            let ethnicity: String = row.try_get(2)?;
            let birth: String = row.try_get(3)?;
            let education: Option<String> = row.try_get(4)?;
            let status: String = row.try_get(5)?;
            let joined: String = row.try_get(6)?;
            let full_on = crate::opt_date(row.try_get(7)?)?;
            let occupation: Option<String> = row.try_get(8)?;
            let status = MemberStatus::parse_label(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("人员类别 {status}")))?;
            let p = Profile {
                gender: jiceng_domain::Gender::parse_label(&gender)
                    .ok_or_else(|| StoreError::Corrupt(format!("性别 {gender}")))?,
                ethnicity: &ethnicity,
                birth_date: crate::parse_date_text(&birth)?,
                education: education.and_then(|e| jiceng_domain::Education::parse_label(&e)),
                occupation: occupation.as_deref(),
                joined_on: crate::parse_date_text(&joined)?,
                status,
                full_on,
            };
            let c = computed.get_mut(&org_id).expect("member of a listed org");
            c.direct_members += 1;
            if jiceng_domain::member::status_on(status, full_on, day) == MemberStatus::Full {
                c.direct_full += 1;
            }
            c.direct_stats.add_profile(&p, day);
        }
    }
    // The secretary's office from the dated positions and recorded vacancies: nobody
    // ever recorded is unknown (has_secretary 0, vacant_since NULL), never "vacant since
    // founding" (review error 2).
    let mut histories = crate::history::of_orgs(conn, &ids).await?;
    for (id, h) in &histories {
        let state = h.secretary_on(day);
        let c = computed.get_mut(id).expect("listed");
        c.has_secretary = state.in_office();
        c.secretary_vacant_since = state.vacant_since();
    }
    for u in units::of_orgs(conn, &ids).await? {
        let c = computed.get_mut(&u.unit.org_id).expect("listed");
        if u.unit.status == OperatingStatus::Operating
            && matches!(u.unit.coverage, Coverage::OwnOrg | Coverage::JointOrg)
        {
            c.units_covered += 1;
        }
        let facts = jiceng_domain::coverage::UnitFacts {
            domain: u.unit.domain,
            status: u.unit.status,
            coverage: u.unit.coverage,
            full_members: u.unit.full_members,
        };
        c.direct_coverage.add(&facts);
        for g in jiceng_domain::coverage::gaps(&facts, rules) {
            *c.direct_gaps.entry(gap_code(g).to_string()).or_default() += 1;
        }
    }

    // Stored subtree facts of the children that were not touched. A child of a touched
    // org has its own anomalies checked again (its parent's kind may have changed), and
    // its stored anomaly totals moved by the difference.
    let touched_set: HashSet<i64> = touched.iter().copied().collect();
    let kind_of: HashMap<i64, jiceng_domain::OrgKind> =
        all.iter().map(|o| (o.org.id, o.org.kind)).collect();
    let mut children: BTreeMap<i64, Vec<ChildFacts>> = BTreeMap::new();
    let mut changed_totals: Vec<(i64, Counts)> = Vec::new();
    let mut rechecked: Vec<(orgs::StoredOrg, Vec<Anomaly>)> = Vec::new();
    // Two indexed reads rather than a join: a planner that misjudges the IN list would
    // scan all of `org_stats` for every chunk (seen on PostgreSQL during `gen`).
    let mut kids: Vec<orgs::StoredOrg> = Vec::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new(format!(
            "SELECT {} FROM org WHERE parent_id IN ",
            orgs::ORG_COLS
        ))
        .in_list(chunk);
        for row in q.fetch_all(&mut *conn).await? {
            let child = orgs::org_from_row(&row)?;
            if !set.contains(&child.org.id) {
                kids.push(child);
            }
        }
    }
    let kid_ids: Vec<i64> = kids.iter().map(|k| k.org.id).collect();
    let rechecked_ids: Vec<i64> = kids
        .iter()
        .filter(|k| k.org.parent_id.is_some_and(|p| touched_set.contains(&p)))
        .map(|k| k.org.id)
        .collect();
    histories.extend(crate::history::of_orgs(conn, &rechecked_ids).await?);
    let mut stored: HashMap<i64, ChildStats> = HashMap::new();
    for chunk in kid_ids.chunks(IN_CHUNK) {
        let q = Sql::new(
            "SELECT org_id, member_stats, coverage, subtree_orgs, anomaly_counts, gap_counts, \
             checked_on FROM org_stats WHERE org_id IN ",
        )
        .in_list(chunk);
        for row in q.fetch_all(&mut *conn).await? {
            let stats: String = row.try_get("member_stats")?;
            let cov: String = row.try_get("coverage")?;
            stored.insert(
                row.try_get("org_id")?,
                ChildStats {
                    stats: serde_json::from_str(&stats)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    coverage: serde_json::from_str(&cov)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    totals: Totals {
                        orgs: row.try_get("subtree_orgs")?,
                        anomalies: parse_counts(row.try_get("anomaly_counts")?)?,
                        gaps: parse_counts(row.try_get("gap_counts")?)?,
                        checked_on: row.opt_date("checked_on")?,
                    },
                },
            );
        }
    }
    for child in kids {
        let parent = child.org.parent_id.expect("a child has a parent");
        let id = child.org.id;
        let s = stored.remove(&id).unwrap_or_else(|| ChildStats {
            // A child never refreshed counts as itself, and makes the totals incomplete.
            stats: MemberStats::default(),
            coverage: CoverageReport::default(),
            totals: Totals {
                orgs: 1,
                ..Totals::default()
            },
        });
        if touched_set.contains(&parent) {
            let list = anomalies_of(
                &child,
                kind_of.get(&parent).copied(),
                &histories[&id],
                rules,
                day,
            );
            rechecked.push((child.clone(), list));
        }
        children.entry(parent).or_default().push(ChildFacts {
            id,
            members: child.facts.subtree_members,
            full: child.facts.subtree_full,
            stats: s.stats,
            coverage: s.coverage,
            totals: Totals {
                orgs: s.totals.orgs.max(1),
                ..s.totals
            },
        });
    }
    let moved = recheck_children(conn, &rechecked).await?;
    for kids in children.values_mut() {
        for k in kids.iter_mut() {
            if let Some((old, new)) = moved.get(&k.id) {
                for (rule, n) in old {
                    *k.totals.anomalies.entry(rule.clone()).or_default() -= n;
                }
                add_counts(&mut k.totals.anomalies, new);
                k.totals.anomalies.retain(|_, n| *n != 0);
                changed_totals.push((k.id, k.totals.anomalies.clone()));
            }
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
        c.totals.orgs += 1;
        c.totals.gaps = c.direct_gaps.clone();
        c.totals.checked_on = Some(day);
        if let Some(kids) = children.get(id) {
            for k in kids {
                c.subtree_members += k.members;
                c.subtree_full += k.full;
                c.subtree_stats.merge(&k.stats);
                c.subtree_coverage.merge(&k.coverage);
                c.totals.merge(&k.totals);
            }
        }
    }
    // The anomalies need each org's finished subtree counts and its parent's kind.
    let parent_kind: HashMap<i64, jiceng_domain::OrgKind> = all
        .iter()
        .filter_map(|o| {
            o.org
                .parent_id
                .and_then(|p| kind_of.get(&p).map(|k| (o.org.id, *k)))
        })
        .collect();
    let by_id: HashMap<i64, &orgs::StoredOrg> = all.iter().map(|o| (o.org.id, o)).collect();
    for (_, id, parent) in &order {
        // Children come before parents in `order`, so each parent gets finished children.
        {
            let c = computed.get_mut(id).expect("listed");
            let mut o = (*by_id[id]).clone();
            o.facts.direct_members = c.direct_members;
            o.facts.direct_full = c.direct_full;
            o.facts.subtree_members = c.subtree_members;
            o.facts.subtree_full = c.subtree_full;
            o.facts.units_covered = c.units_covered;
            o.facts.has_secretary = c.has_secretary;
            o.facts.secretary_vacant_since = c.secretary_vacant_since;
            c.anomalies =
                anomalies_of(&o, parent_kind.get(id).copied(), &histories[id], rules, day);
            let own = count_rules(&c.anomalies);
            add_counts(&mut c.totals.anomalies, &own);
            add_counts(
                &mut c.totals.anomalies,
                &missing_of(&o, &histories[id], rules, day),
            );
        }
        if let Some(p) = parent.filter(|p| set.contains(p)) {
            let child = computed.get(id).expect("listed").clone();
            let pc = computed.get_mut(&p).expect("listed");
            pc.subtree_members += child.subtree_members;
            pc.subtree_full += child.subtree_full;
            pc.subtree_stats.merge(&child.subtree_stats);
            pc.subtree_coverage.merge(&child.subtree_coverage);
            pc.totals.merge(&child.totals);
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
        let q = Sql::new("DELETE FROM org_stats WHERE org_id IN ").in_list(chunk);
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
                c.totals.orgs.into(),
                counts_json(&c.totals.anomalies).into(),
                counts_json(&c.totals.gaps).into(),
                c.totals.checked_on.into(),
            ]
        })
        .collect();
    insert_many(
        conn,
        "org_stats",
        &[
            "org_id",
            "member_stats",
            "coverage",
            "facts_on",
            "subtree_orgs",
            "anomaly_counts",
            "gap_counts",
            "checked_on",
        ],
        &rows,
    )
    .await?;
    for (id, counts) in &changed_totals {
        sqlx::query("UPDATE org_stats SET anomaly_counts = $1 WHERE org_id = $2")
            .bind(counts_json(counts))
            .bind(*id)
            .execute(&mut *conn)
            .await?;
    }
    delete_anomalies(conn, &ids).await?;
    let path_of: HashMap<i64, &str> = all.iter().map(|o| (o.org.id, o.path.as_str())).collect();
    let anomaly_rows: Vec<Vec<Val>> = computed
        .iter()
        .flat_map(|(id, c)| c.anomalies.iter().map(move |a| (*id, a)))
        .map(|(id, a)| anomaly_row(id, path_of[&id], a))
        .collect();
    insert_many(conn, "org_anomaly", ANOMALY_COLS, &anomaly_rows).await?;
    // The latest joining date in each subtree (SPEC C5: a village that recruits nobody).
    crate::ratings::refresh_last_joined(conn, &ids).await?;
    // 发展党员 counted per org: the same orgs, the same transaction.
    crate::recruitment::tally::refresh(conn, touched).await?;
    // 党费 counted per org for the month of the day: a member who joined, moved or left
    // changes what is due where.
    let lapse = rules.membership.lapse_months;
    crate::dues::refresh(conn, touched, jiceng_domain::Period::month_of(day), lapse).await?;
    // 学时 of the facts day's year counted per org: a member in, out or moved, a position.
    crate::training::refresh(conn, book, touched, chrono::Datelike::year(&day)).await?;
    // 经费保障 and 活动场所 of every built year: an org added, moved, dissolved or of
    // another kind is judged (or no longer) and its records and venues counted where it
    // now stands.
    crate::funding_rollup::refresh(conn, touched).await?;
    crate::venue_rollup::refresh(conn, touched).await?;
    Ok(computed.len())
}

/// A child's stored subtree statistics and totals.
struct ChildStats {
    stats: MemberStats,
    coverage: CoverageReport,
    totals: Totals,
}

/// What the roll-up reads of a child that was not refreshed.
struct ChildFacts {
    id: i64,
    members: i64,
    full: i64,
    stats: MemberStats,
    coverage: CoverageReport,
    totals: Totals,
}

const ANOMALY_COLS: &[&str] = &["org_id", "seq", "org_path", "rule", "detail"];

fn anomaly_row(org_id: i64, path: &str, a: &Anomaly) -> Vec<Val> {
    vec![
        org_id.into(),
        rule_seq(a.rule).into(),
        path.into(),
        a.rule.code().into(),
        a.detail.to_string().into(),
    ]
}

fn counts_json(c: &Counts) -> String {
    serde_json::to_string(c).expect("serializable")
}

async fn delete_anomalies(conn: &mut Conn, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("DELETE FROM org_anomaly WHERE org_id IN ").in_list(chunk);
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes the anomalies of children checked again whose list changed; returns, for each,
/// its old and new counts by rule.
async fn recheck_children(
    conn: &mut Conn,
    rechecked: &[(orgs::StoredOrg, Vec<Anomaly>)],
) -> Result<HashMap<i64, (Counts, Counts)>> {
    let mut moved = HashMap::new();
    if rechecked.is_empty() {
        return Ok(moved);
    }
    let ids: Vec<i64> = rechecked.iter().map(|(o, _)| o.org.id).collect();
    let mut stored: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT org_id, rule, detail FROM org_anomaly WHERE org_id IN ")
            .in_list(chunk)
            .push(" ORDER BY org_id, seq");
        for row in q.fetch_all(&mut *conn).await? {
            stored
                .entry(row.try_get("org_id")?)
                .or_default()
                .push((row.try_get("rule")?, row.try_get("detail")?));
        }
    }
    let mut changed = Vec::new();
    for (o, list) in rechecked {
        let now: Vec<(String, String)> = list
            .iter()
            .map(|a| (a.rule.code().to_string(), a.detail.to_string()))
            .collect();
        let before = stored.remove(&o.org.id).unwrap_or_default();
        if now == before {
            continue;
        }
        let mut old = Counts::new();
        for (rule, _) in &before {
            *old.entry(rule.clone()).or_default() += 1;
        }
        moved.insert(o.org.id, (old, count_rules(list)));
        changed.push(o.org.id);
    }
    delete_anomalies(conn, &changed).await?;
    let rows: Vec<Vec<Val>> = rechecked
        .iter()
        .filter(|(o, _)| moved.contains_key(&o.org.id))
        .flat_map(|(o, list)| list.iter().map(move |a| anomaly_row(o.org.id, &o.path, a)))
        .collect();
    insert_many(conn, "org_anomaly", ANOMALY_COLS, &rows).await?;
    Ok(moved)
}
