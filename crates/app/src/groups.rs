//! 党小组 membership (SPEC C4; issue #16, point 2): which of a branch's members sit in
//! which of its groups, so that a 党小组会 is recorded against the group's members, and
//! the member page and the group's page name them. A member stays a member of the branch;
//! the group is a stated fact the secretary keeps (the group page, or the roster import's
//! 所在党小组 column). A stored group counts only while it is a live 党小组 under the
//! member's org, so a dissolved, merged or moved group, or a transferred member, leaves
//! no wrong roster behind.

use std::collections::{HashMap, HashSet};

use jiceng_domain::{MemberStatus, OrgKind, PositionKind};
use jiceng_store::members::{self as member_store, StoredMember};
use jiceng_store::orgs::{self as org_store, StoredOrg};
use jiceng_store::{Conn, Scope};
use serde::Serialize;

use crate::access::{Grant, InScope, Write};
use crate::audit::{self, AuditAction};
use crate::reports::OrgRef;
use crate::{App, AppError, OrgRecord, Result};

/// The live 党小组 of `branch` (in 党内 order).
pub(crate) async fn live_groups(conn: &mut Conn, branch: &StoredOrg) -> Result<Vec<StoredOrg>> {
    Ok(
        org_store::children(conn, &Scope::subtree(&branch.path), branch.org.id)
            .await?
            .into_iter()
            .filter(|g| g.org.kind == OrgKind::Group && g.org.dissolved_on.is_none())
            .collect(),
    )
}

/// The group `m` sits in, if its stored group is one of `live` (its branch's live groups).
pub(crate) fn group_of(m: &StoredMember, live: &HashSet<i64>) -> Option<i64> {
    m.group_id.filter(|g| live.contains(g))
}

/// The group a member sits in, as the member page names it (none: not assigned, or the
/// stored group no longer a live 党小组 of the member's org).
pub(crate) async fn of_member(conn: &mut Conn, m: &StoredMember) -> Result<Option<OrgRef>> {
    let Some(g) = m.group_id else {
        return Ok(None);
    };
    Ok(org_store::get(conn, &Scope::All, g)
        .await?
        .filter(|g| {
            g.org.kind == OrgKind::Group
                && g.org.dissolved_on.is_none()
                && g.org.parent_id == Some(m.org_id)
        })
        .map(|g| OrgRef::of(&g.org)))
}

/// One member of the branch on its groups' page.
#[derive(Debug, Clone, Serialize)]
pub struct GroupLine {
    pub id: i64,
    pub name: String,
    /// A full member (正式党员) today.
    pub full: bool,
    /// The group the member sits in.
    pub group: Option<i64>,
    /// Leads this group (党小组组长) today.
    pub leads: Option<i64>,
}

/// A group of the branch with its leader and how many sit in it.
#[derive(Debug, Clone, Serialize)]
pub struct GroupCount {
    pub id: i64,
    pub name: String,
    pub members: usize,
    /// 党小组组长 today (none: not on record).
    pub leader: Option<String>,
}

/// A branch's groups and who sits in which.
#[derive(Debug, Clone, Serialize)]
pub struct BranchGroups {
    pub branch: OrgRef,
    pub branch_id: i64,
    /// The group the page was opened for (its members first).
    pub focus: Option<i64>,
    pub groups: Vec<GroupCount>,
    /// The branch's current members: the focused group's first, then by group in 党内
    /// order, those in none last; 组长 first in a group, then by the day they joined.
    pub roster: Vec<GroupLine>,
    /// The branch's members in no group.
    pub unassigned: usize,
}

/// The branch of `org` (itself, or a group's branch) and the group it is, if one.
async fn branch_of(conn: &mut Conn, org: &OrgRecord) -> Result<(StoredOrg, Option<i64>)> {
    match org.org.kind {
        OrgKind::Branch => Ok((org.clone(), None)),
        OrgKind::Group => {
            let branch = match org.org.parent_id {
                Some(p) => org_store::get(conn, &Scope::All, p).await?,
                None => None,
            }
            .filter(|b| b.org.kind == OrgKind::Branch)
            .ok_or_else(|| AppError::Input(format!("党小组“{}”不在党支部之下", org.org.name)))?;
            Ok((branch, Some(org.org.id)))
        }
        kind => Err(AppError::Input(format!(
            "“{}”是{}：党小组设在党支部之下，请在党支部调整党小组成员",
            org.org.name,
            kind.label()
        ))),
    }
}

/// The groups of the branch of `org` (a branch, or one of its groups) and its roster.
pub async fn of_branch(app: &App, org: &InScope<OrgRecord>) -> Result<BranchGroups> {
    let mut conn = app.store.acquire().await?;
    let (branch, focus) = branch_of(&mut conn, org).await?;
    let groups = live_groups(&mut conn, &branch).await?;
    let live: HashSet<i64> = groups.iter().map(|g| g.org.id).collect();
    let roster = member_store::of_orgs(&mut conn, &[branch.org.id]).await?;
    let today = app.today();
    let group_ids: Vec<i64> = groups.iter().map(|g| g.org.id).collect();
    let mut leads: HashMap<i64, i64> = HashMap::new();
    for p in jiceng_store::positions::of_orgs(&mut conn, &group_ids).await? {
        if p.kind == PositionKind::GroupLeader
            && p.started_on.is_none_or(|d| d <= today)
            && p.ended_on.is_none_or(|d| d > today)
        {
            leads.insert(p.member_id, p.org_id);
        }
    }
    drop(conn);
    let order: HashMap<i64, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.org.id, i))
        .collect();
    let mut lines: Vec<GroupLine> = roster
        .iter()
        .map(|m| GroupLine {
            id: m.id,
            name: m.name.clone(),
            full: jiceng_domain::member::status_on(m.status, m.full_on, today)
                == MemberStatus::Full,
            group: group_of(m, &live),
            leads: leads.get(&m.id).copied(),
        })
        .collect();
    let joined: HashMap<i64, chrono::NaiveDate> =
        roster.iter().map(|m| (m.id, m.joined_on)).collect();
    lines.sort_by_key(|l| {
        let place = match l.group {
            Some(g) if Some(g) == focus => 0,
            Some(g) => 1 + order[&g],
            None => usize::MAX,
        };
        let leads_here = l.leads.is_some() && l.leads == l.group;
        (place, !leads_here, joined[&l.id], l.id)
    });
    let names: HashMap<i64, &str> = roster.iter().map(|m| (m.id, m.name.as_str())).collect();
    Ok(BranchGroups {
        branch: OrgRef::of(&branch.org),
        branch_id: branch.org.id,
        focus,
        groups: groups
            .iter()
            .map(|g| GroupCount {
                id: g.org.id,
                name: g.org.name.clone(),
                members: lines.iter().filter(|l| l.group == Some(g.org.id)).count(),
                leader: leads
                    .iter()
                    .filter(|(_, gid)| **gid == g.org.id)
                    .filter_map(|(m, _)| names.get(m))
                    .min()
                    .map(|n| n.to_string()),
            })
            .collect(),
        unassigned: lines.iter().filter(|l| l.group.is_none()).count(),
        roster: lines,
    })
}

/// What an assignment changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Assigned {
    /// Members whose group changed (put in one, moved, or taken out).
    pub changed: usize,
}

/// Places members of the branch of `org` (a branch, or one of its groups) in its groups:
/// each `(member, group)` of `placement` puts a current member of the branch in one of
/// its live groups (`None`: in none); members not listed keep theirs. All or nothing,
/// audited with each changed member's group before and after.
pub async fn assign(
    app: &App,
    grant: &Grant<Write>,
    org: &InScope<OrgRecord>,
    placement: &[(i64, Option<i64>)],
) -> Result<Assigned> {
    let mut conn = app.store.acquire().await?;
    let (branch, _) = branch_of(&mut conn, org).await?;
    let groups = live_groups(&mut conn, &branch).await?;
    let roster: HashMap<i64, StoredMember> = member_store::of_orgs(&mut conn, &[branch.org.id])
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    drop(conn);
    let live: HashSet<i64> = groups.iter().map(|g| g.org.id).collect();
    let group_name = |g: Option<i64>| -> String {
        g.and_then(|g| groups.iter().find(|o| o.org.id == g))
            .map_or_else(|| "（未编入党小组）".to_string(), |o| o.org.name.clone())
    };
    let mut moves: Vec<(i64, Option<i64>)> = Vec::new();
    let mut seen = HashSet::new();
    for &(id, group) in placement {
        let Some(m) = roster.get(&id) else {
            return Err(AppError::Input(format!(
                "党员（id {id}）不是“{}”的现有党员，不能编入其党小组",
                branch.org.name
            )));
        };
        if let Some(g) = group.filter(|g| !live.contains(g)) {
            return Err(AppError::Input(format!(
                "“{}”没有编号为{g}的党小组（可能已撤销），请刷新页面后重新选择",
                branch.org.name
            )));
        }
        if !seen.insert(id) {
            return Err(AppError::Input(format!("党员“{}”出现了两次", m.name)));
        }
        if group_of(m, &live) != group {
            moves.push((id, group));
        }
    }
    if moves.is_empty() {
        return Ok(Assigned::default());
    }
    let changes: Vec<serde_json::Value> = moves
        .iter()
        .map(|(id, g)| {
            let m = &roster[id];
            serde_json::json!({
                "member": m.name,
                "before": group_name(group_of(m, &live)),
                "after": group_name(*g),
            })
        })
        .collect();
    let mut by_group: HashMap<Option<i64>, Vec<i64>> = HashMap::new();
    for (id, g) in &moves {
        by_group.entry(*g).or_default().push(*id);
    }
    let actor = grant.actor();
    let (branch_ref, by_group, changes) = (&branch, &by_group, &changes);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        for (g, ids) in by_group {
            member_store::set_group(&mut tx, branch_ref.org.id, ids, *g).await?;
        }
        audit::Entry::new(
            actor,
            AuditAction::GroupMembers,
            format!("“{}”的党小组成员", branch_ref.org.name),
        )
        .org(branch_ref)
        .after(serde_json::json!({ "changes": changes }))
        .commit(tx, chrono::Utc::now())
        .await
    })
    .await?;
    Ok(Assigned {
        changed: moves.len(),
    })
}
