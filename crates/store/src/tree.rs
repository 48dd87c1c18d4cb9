//! Moving a subtree: the org rows' paths and depths, and every denormalised path column
//! ([`PATH_COLUMNS`]) in one pass, in the caller's transaction. A contract test
//! (`store/tests/contract.rs::every_path_column_is_rewritten_by_a_move`) lists the path
//! columns of the schema itself and fails when one is missing here.

use jiceng_domain::path;

use crate::orgs::get;
use crate::{Conn, Result, Scope, StoreError};

/// Every column outside `org` that stores an org's path (so that a scope is a path range
/// without a join): table and column. `orgs` rows carry `path` itself.
pub const PATH_COLUMNS: &[(&str, &str)] = &[
    ("member", "org_path"),
    ("applicant", "org_path"),
    ("recruitment_plan", "org_path"),
    ("unit", "org_path"),
    ("member_transfer", "from_path"),
    ("member_transfer", "to_path"),
    ("dues_flag", "org_path"),
    ("training", "org_path"),
    ("mobile_in", "org_path"),
    ("notice", "org_path"),
    ("meeting_attachment", "org_path"),
    ("member_evaluation", "org_path"),
    ("org_staff", "org_path"),
    ("task", "org_path"),
    ("task_target", "org_path"),
    ("record_file", "org_path"),
    ("burden_month", "org_path"),
    ("burden_org", "org_path"),
    ("inspection", "org_path"),
    ("inspection_problem", "org_path"),
    ("duty_record", "org_path"),
    ("duty_problem", "org_path"),
    ("mass_request", "org_path"),
    ("mass_request_progress", "org_path"),
    ("survey", "org_path"),
    ("venue", "org_path"),
    ("venue_user", "org_path"),
    ("secretary_pay", "org_path"),
    ("funding_listed", "org_path"),
    ("venue_year", "org_path"),
    ("disclosure_item", "org_path"),
    ("pairing", "org_path"),
    ("pairing", "partner_path"),
    ("meeting", "org_path"),
    ("compliance_month", "branch_path"),
    ("compliance_summary", "org_path"),
    ("life_touched", "org_path"),
    ("org_anomaly", "org_path"),
    ("rating", "org_path"),
    ("rating_manual", "org_path"),
    ("weakness", "org_path"),
    ("weakness_signal", "org_path"),
    ("discipline_case", "org_path"),
    ("funding", "org_path"),
    ("rectification", "org_path"),
    ("rectification_measure", "org_path"),
    ("rectification_event", "org_path"),
    ("scorecard_org", "org_path"),
    ("scorecard_hand", "org_path"),
    // A pending referral's handlers are those whose scope holds this org (the common
    // ancestor of the importer's and the record's orgs).
    ("referral", "common_path"),
];

/// Path columns a move leaves as they are, and why.
pub const KEPT_PATH_COLUMNS: &[(&str, &str, &str)] = &[(
    "audit_event",
    "org_path",
    "hash-chained: an entry records where the org stood when it was written",
)];

/// Moves an org and its subtree under `new_parent`: the org's parent, every path and
/// depth below it, and every path column of [`PATH_COLUMNS`]. Answers the new path.
pub async fn move_subtree(conn: &mut Conn, org_id: i64, new_parent: i64) -> Result<String> {
    let org = get(conn, &Scope::All, org_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("党组织（id {org_id}）")))?;
    let parent = get(conn, &Scope::All, new_parent)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("党组织（id {new_parent}）")))?;
    if parent.path.starts_with(&org.path) {
        return Err(StoreError::Corrupt(
            "不能把党组织移到它自己的下级之下".into(),
        ));
    }
    let old = org.path.clone();
    let new = path::child_path(Some(&parent.path), org_id);
    let upper = path::subtree_upper(&old);
    let delta = path::depth(&new) as i64 - path::depth(&old) as i64;
    let old_len = old.chars().count() as i64 + 1;
    // The subtree's stars counts leave the old chain and join the new one.
    crate::rating_tally::moved(conn, org_id, &old, &new).await?;
    sqlx::query("UPDATE org SET parent_id = $1 WHERE id = $2")
        .bind(new_parent)
        .bind(org_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE org SET path = $1 || SUBSTR(path, CAST($2 AS INTEGER)), depth = depth + $3 WHERE path >= $4 AND path < $5",
    )
    .bind(new.clone())
    .bind(old_len)
    .bind(delta)
    .bind(old.clone())
    .bind(upper.clone())
    .execute(&mut *conn)
    .await?;
    for (table, col) in PATH_COLUMNS {
        sqlx::query(&format!(
            "UPDATE {table} SET {col} = $1 || SUBSTR({col}, CAST($2 AS INTEGER)) WHERE {col} >= $3 AND {col} < $4"
        ))
        .bind(new.clone())
        .bind(old_len)
        .bind(old.clone())
        .bind(upper.clone())
        .execute(&mut *conn)
        .await?;
    }
    // Into another top subtree (another province), the sharded rows take its shard.
    if path::shard(&new) != path::shard(&old) {
        crate::shard::moved(conn, &new).await?;
    }
    // The tasks' counts up the tree follow who now lies on the way to their targets.
    crate::task_rollup::rebuild_under(conn, &new).await?;
    crate::burden_rollup::forget_under(conn, &new).await?;
    // The surveys' figures leave the old ancestors' tallies and join the new ones'.
    crate::survey_tally::moved(conn, org_id, &old, &new).await?;
    // The stored scorecards summed the old chain: every period is built again on its
    // next read.
    crate::scorecard::forget(conn).await?;
    // The old chain's and the new chain's organizational-life summaries are stale: the
    // old parent and the moved org are marked for the server's next pass.
    let mut marks = vec![(org_id, new.clone())];
    if let Some(old_parent) = org.org.parent_id {
        marks.extend(
            get(conn, &Scope::All, old_parent)
                .await?
                .map(|p| (p.org.id, p.path)),
        );
    }
    crate::meetings::mark_touched(conn, &marks).await?;
    Ok(new)
}
