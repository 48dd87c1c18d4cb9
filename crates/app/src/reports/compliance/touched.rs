//! The frequent pass that keeps the higher levels' summaries current after a meeting:
//! only the chains of the orgs a write marked (`life_touched`) are counted again.
//!
//! For each marked org, the first org on its chain from the root whose subtree is small
//! (at most [`TOUCHED_LIVE_MAX_ORGS`] orgs, or a branch) is judged again whole, as
//! [`refresh_summaries`] would judge it; each larger org above it is then summed from its
//! children's stored rows, deepest first, plus its row-less branch children judged live.
//! A meeting recorded at a branch of a province of 300,000 orgs therefore costs a
//! township's judgment and a few dozen row reads, not the province's 93 seconds.

use std::collections::BTreeSet;

use jiceng_domain::OrgKind;
use jiceng_store::orgs::StoredOrg;

use super::*;

/// More marks than this at once (a county's ledger imported, a rebuild): the periods are
/// refreshed whole instead.
pub const TOUCHED_MAX: i64 = 2_000;

/// A subtree with at most this many orgs is judged again whole (a few tens of ms); a
/// larger one is summed from its children's stored rows.
pub const TOUCHED_LIVE_MAX_ORGS: i64 = 2_000;

/// What a pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TouchedPass {
    /// Marks read (and forgotten).
    pub marks: usize,
    /// Small subtrees judged again whole.
    pub judged: usize,
    /// Larger orgs whose rows were summed from their children, per period.
    pub summed: usize,
    /// Whether the periods were refreshed whole instead (too many marks, or a child's
    /// row judged on another day).
    pub whole: bool,
}

/// Counts again the summaries of `periods` above every org marked since the last pass,
/// then forgets the marks it read (a mark made again meanwhile stays).
pub async fn refresh_touched(app: &App, periods: &[Period]) -> Result<TouchedPass> {
    refresh_touched_within(app, periods, TOUCHED_LIVE_MAX_ORGS).await
}

/// [`refresh_touched`] with the size of a subtree judged again whole (tests, tuning).
pub async fn refresh_touched_within(
    app: &App,
    periods: &[Period],
    live_max_orgs: i64,
) -> Result<TouchedPass> {
    let mut conn = app.store.acquire().await?;
    let marks = meeting_store::touched(&mut conn, TOUCHED_MAX + 1).await?;
    if marks.is_empty() {
        return Ok(TouchedPass::default());
    }
    let mut pass = TouchedPass {
        marks: marks.len(),
        ..TouchedPass::default()
    };
    let stamps: Vec<String> = if marks.len() as i64 > TOUCHED_MAX {
        meeting_store::touched_stamps(&mut conn).await?
    } else {
        marks.iter().map(|m| m.stamp.clone()).collect()
    };
    drop(conn);
    let counted = if marks.len() as i64 > TOUCHED_MAX {
        false
    } else {
        count_chains(app, &marks, periods, live_max_orgs, &mut pass).await?
    };
    if !counted {
        pass.whole = true;
        refresh_scope(app, &Scope::All, periods).await?;
    }
    let mut conn = app.store.acquire().await?;
    let mut stamps = stamps;
    stamps.sort();
    stamps.dedup();
    meeting_store::forget_touched(&mut conn, &stamps).await?;
    Ok(pass)
}

/// Judges the small subtrees of the marks' chains and sums the orgs above them. Answers
/// `false` (nothing above the small subtrees written) when a child's stored row was
/// judged on another day, so summing it would mix two days.
async fn count_chains(
    app: &App,
    marks: &[meeting_store::Touched],
    periods: &[Period],
    live_max_orgs: i64,
    pass: &mut TouchedPass,
) -> Result<bool> {
    let chains = Chains::of(app, marks, live_max_orgs).await?;
    for small in &chains.small {
        refresh_scope(app, &Scope::subtree(small), periods).await?;
        pass.judged += 1;
    }
    let as_of = app.today();
    let computed_at = computed_now(app);
    let mut rows: Vec<(i64, Period, Option<Summary>)> = Vec::new();
    for period in periods {
        // Rows summed in this pass, read before the stored ones by the orgs above.
        let mut fresh: HashMap<i64, Option<Summary>> = HashMap::new();
        for org in &chains.large {
            let Some(sum) = sum_children(app, org, *period, as_of, &computed_at, &fresh).await?
            else {
                return Ok(false);
            };
            let row = (sum.branches > 0).then_some(sum);
            fresh.insert(org.org.id, row.clone());
            rows.push((org.org.id, *period, row));
            pass.summed += 1;
        }
    }
    let rows = &rows;
    crate::audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        for (id, period, row) in rows {
            meeting_store::put_summary(&mut tx, *id, *period, row.as_ref()).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(true)
}

/// The marks' chains cut in two: the small subtrees judged whole (paths, none below
/// another) and the larger orgs above them, deepest first.
struct Chains {
    small: Vec<String>,
    large: Vec<StoredOrg>,
}

impl Chains {
    async fn of(app: &App, marks: &[meeting_store::Touched], live_max_orgs: i64) -> Result<Chains> {
        let mut conn = app.store.acquire().await?;
        let mut seen: HashMap<i64, Option<(StoredOrg, bool)>> = HashMap::new();
        let mut small: BTreeSet<String> = BTreeSet::new();
        let mut large: HashMap<i64, StoredOrg> = HashMap::new();
        for m in marks {
            for id in path::ids(&m.org_path) {
                if let std::collections::hash_map::Entry::Vacant(e) = seen.entry(id) {
                    e.insert(sized(&mut conn, id, live_max_orgs).await?);
                }
                match &seen[&id] {
                    // Gone since it was marked: nothing of it to count.
                    None => break,
                    Some((o, true)) => {
                        small.insert(o.path.clone());
                        break;
                    }
                    Some((o, false)) => {
                        large.insert(id, o.clone());
                    }
                }
            }
        }
        // A small subtree inside another is judged with it.
        let mut kept: Vec<String> = Vec::new();
        for p in small {
            if !kept.last().is_some_and(|k| p.starts_with(k.as_str())) {
                kept.push(p);
            }
        }
        let mut large: Vec<StoredOrg> = large.into_values().collect();
        large.sort_by_key(|o| std::cmp::Reverse(o.depth));
        Ok(Chains { small: kept, large })
    }
}

/// An org on a chain, and whether its subtree is judged again whole; `None` when it is
/// gone.
async fn sized(
    conn: &mut jiceng_store::Conn,
    id: i64,
    live_max_orgs: i64,
) -> Result<Option<(StoredOrg, bool)>> {
    let Some(o) = org_store::get(conn, &Scope::All, id).await? else {
        return Ok(None);
    };
    let orgs = facts_store::totals(conn, id).await?.map_or(0, |t| t.orgs);
    let small = orgs <= live_max_orgs || matches!(o.org.kind, OrgKind::Branch | OrgKind::Group);
    Ok(Some((o, small)))
}

/// The summary of a larger org: its children's rows (this pass's, else the stored ones)
/// and its row-less branch children judged live. `None` when a stored row was judged
/// through another day than today's judgment would be.
async fn sum_children(
    app: &App,
    org: &StoredOrg,
    period: Period,
    as_of: NaiveDate,
    computed_at: &str,
    fresh: &HashMap<i64, Option<Summary>>,
) -> Result<Option<Summary>> {
    let mut conn = app.store.acquire().await?;
    let children = org_store::children(&mut conn, &Scope::subtree(&org.path), org.org.id).await?;
    let ids: Vec<i64> = children
        .iter()
        .map(|c| c.org.id)
        .filter(|id| !fresh.contains_key(id))
        .collect();
    let stored: HashMap<i64, Summary> = meeting_store::summaries(&mut conn, period, &ids)
        .await?
        .into_iter()
        .map(|s| (s.org_id, s))
        .collect();
    drop(conn);
    let mut sum = empty_summary(org.org.id, &org.path, period, as_of, computed_at);
    for c in &children {
        let row = match fresh.get(&c.org.id) {
            Some(row) => row.as_ref(),
            None => stored.get(&c.org.id),
        };
        match row {
            Some(s) if s.judged_through != sum.judged_through => return Ok(None),
            Some(s) => sum.add(s),
            // A branch alone (with its groups) keeps no row: judged now.
            None if matches!(c.org.kind, OrgKind::Branch | OrgKind::Group) => {
                let j = judge_subtree(app, &Scope::subtree(&c.path), period, as_of).await?;
                for (_, v, counts) in j.verdicts.iter().filter(|v| v.1.judged()) {
                    add_verdict(&mut sum, v, counts);
                }
            }
            // Nothing judged below it.
            None => {}
        }
    }
    Ok(Some(sum))
}
