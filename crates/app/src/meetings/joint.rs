//! One activity for several branches (联合开展: a township's joint 主题党日, a 党课 for its
//! villages together): the branches below an org that may take part, each with how many
//! members it had on the day, so that a township records the activity once and each branch
//! is credited with its own meeting (`record_joint`, all or nothing).

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::OrgKind;
use jiceng_store::orgs as org_store;
use serde::Serialize;

use super::{NewMeeting, RecordError, Recorded};
use crate::access::{Grant, InScope, RecordLife};
use crate::reports::OrgRef;
use crate::{App, AppError, OrgRecord, Result};

/// The most orgs below an org a joint activity is offered from (a township has tens of
/// branches, a county thousands: a county starts it from its townships).
pub const SUBTREE_MAX: i64 = 2_000;

/// A branch that may take part.
#[derive(Debug, Clone, Serialize)]
pub struct JointBranch {
    pub id: i64,
    pub name: String,
    /// The org above it (a township's villages are told apart by their 总支 or 党委).
    pub parent: String,
    /// Its members on the day (those who had joined by then): its 应到.
    pub members: i64,
}

/// The live standing branches below `org` (itself, if a branch), in tree order, and the
/// 活动场所 the activity may name.
#[derive(Debug, Clone, Serialize)]
pub struct JointContext {
    pub org: OrgRef,
    pub branches: Vec<JointBranch>,
    /// The venues `org` (or an org above it) uses: each branch below may name them too.
    pub venues: Vec<crate::venues::VenueChoice>,
}

/// The branches of the subtree of `org` that may hold an activity together on `day`, and
/// the venues the activity may name (those the org itself may: `venues::usable`).
pub async fn joint_context(
    app: &App,
    org: &InScope<OrgRecord>,
    day: NaiveDate,
) -> Result<JointContext> {
    Ok(JointContext {
        org: OrgRef::of(&org.org),
        branches: branches_on(app, org, day)
            .await?
            .into_iter()
            .map(|(_, b)| b)
            .collect(),
        venues: crate::venues::usable(app, org).await?,
    })
}

/// The live standing branches of the subtree of `org` on `day`, each with its line.
async fn branches_on(
    app: &App,
    org: &InScope<OrgRecord>,
    day: NaiveDate,
) -> Result<Vec<(OrgRecord, JointBranch)>> {
    let scope = org.subtree();
    let mut conn = app.store.acquire().await?;
    let n = org_store::count(&mut conn, &scope).await?;
    if n > SUBTREE_MAX {
        return Err(AppError::Input(format!(
            "“{}”下有{n}个党组织，联合活动请在乡镇（街道）党委或系统党委发起",
            org.org.name
        )));
    }
    let orgs = org_store::list(&mut conn, &scope).await?;
    let names: HashMap<i64, String> = orgs
        .iter()
        .map(|o| (o.org.id, o.org.name.clone()))
        .collect();
    let branches: Vec<OrgRecord> = orgs
        .into_iter()
        .filter(|o| {
            o.org.kind == OrgKind::Branch
                && !o.org.temporary
                && o.org.founded_on.is_none_or(|f| f <= day)
                && o.org.dissolved_on.is_none_or(|d| d > day)
        })
        .collect();
    let ids: Vec<i64> = branches.iter().map(|b| b.org.id).collect();
    let mut members: HashMap<i64, i64> = HashMap::new();
    for m in jiceng_store::members::of_orgs(&mut conn, &ids).await? {
        if m.joined_on <= day {
            *members.entry(m.org_id).or_default() += 1;
        }
    }
    Ok(branches
        .into_iter()
        .map(|b| {
            let line = JointBranch {
                id: b.org.id,
                name: b.org.name.clone(),
                parent: b
                    .org
                    .parent_id
                    .and_then(|p| names.get(&p).cloned())
                    .unwrap_or_default(),
                members: members.get(&b.org.id).copied().unwrap_or(0),
            };
            (b, line)
        })
        .collect())
}

/// A branch's part in a joint activity: its 实到 and 请假 (its 应到 is its members on the
/// day).
#[derive(Debug, Clone, Copy)]
pub struct JointLine {
    pub branch_id: i64,
    pub present: i64,
    pub excused: i64,
}

/// Records the activity `base` (kind, date, topic, venue…) for each branch of `lines`, a
/// branch of the subtree of `org` that may take part on the day, as its own meeting with
/// its members that day as 应到: all or nothing (`record_many`). A 活动场所 named
/// (`base.venue_id`) is carried to each branch's meeting and checked for each as a single
/// meeting's is (used by the branch or an org above it, in use on the day).
pub async fn record_joint(
    app: &App,
    grant: &Grant<RecordLife>,
    org: &InScope<OrgRecord>,
    base: &NewMeeting,
    lines: &[JointLine],
) -> Result<Vec<Recorded>> {
    let day = base.date.ok_or(RecordError::NoDate)?;
    let mut branches: HashMap<i64, (OrgRecord, JointBranch)> = branches_on(app, org, day)
        .await?
        .into_iter()
        .map(|(o, b)| (b.id, (o, b)))
        .collect();
    let mut held = Vec::with_capacity(lines.len());
    for l in lines {
        let (record, b) = branches.remove(&l.branch_id).ok_or_else(|| {
            AppError::Input("勾选的党组织不是本级以下可参加的党支部，请刷新页面".into())
        })?;
        let branch = org
            .below(record)
            .ok_or_else(|| AppError::NotFound("党组织".into()))?;
        let new = NewMeeting {
            expected: Some(b.members),
            present: Some(l.present),
            excused: Some(l.excused),
            ..base.clone()
        };
        held.push((branch, new));
    }
    super::record_many(app, grant, &held).await
}
