//! 自行脱党 (SPEC R, 党章第九条): a member who for 6 consecutive months took no part in
//! organizational life, or paid no dues, is put to the branch to decide — derived here
//! from the records, never decided. Organizational life is judged only where the branch
//! recorded who attended its meetings in those months (a meeting recorded without its
//! roster says nothing of anyone: 暂无数据); dues only for a member whose base is recorded.
//! A member away (外出) may take part where they are and is not judged on attendance here;
//! a member who took part in another branch's meetings as a 流入党员 took part.
//! The months are the last ones over; the running month never counts.

use std::collections::{HashMap, HashSet};

use jiceng_domain::dues as rule;
use jiceng_domain::Period;
use jiceng_store::members::StoredMember;
use serde::Serialize;

use crate::access::InScope;
use crate::{App, OrgRecord, Result};

/// Above this many members the subtree is not judged at once (a county or a province
/// asks its townships and branches).
pub const MAX_MEMBERS: i64 = 5_000;

/// One member the records put to the branch.
#[derive(Debug, Clone, Serialize)]
pub struct LapseCase {
    pub member_id: i64,
    pub name: String,
    pub id_number: String,
    pub org_name: String,
    /// Why, in the words of the rule: 未参加组织生活, 未交纳党费.
    pub reasons: Vec<String>,
}

/// The members of a subtree the records show with the rule's months without
/// organizational life or dues.
#[derive(Debug, Clone, Serialize)]
pub struct Lapse {
    /// The months read: from and to (both over).
    pub from: String,
    pub to: String,
    pub months: i64,
    /// `false`: the subtree is too large to judge at once (more than [`MAX_MEMBERS`]).
    pub judged: bool,
    pub cases: Vec<LapseCase>,
    /// Members whose branch recorded no attendance in those months: their organizational
    /// life is not judged (暂无数据).
    pub attendance_unrecorded: usize,
}

/// The 自行脱党 cases of `org`'s subtree as of today.
pub async fn lapse(app: &App, org: &InScope<OrgRecord>) -> Result<Lapse> {
    let today = app.today();
    let months = app.rules.in_force(today).membership.lapse_months;
    let current = Period::month_of(today);
    let (first, last) = (
        rule::months_back(current, months.max(1) as u32),
        rule::months_back(current, 1),
    );
    let mut out = Lapse {
        from: first.to_string(),
        to: last.to_string(),
        months,
        judged: org.facts.subtree_members <= MAX_MEMBERS,
        cases: Vec::new(),
        attendance_unrecorded: 0,
    };
    if !out.judged {
        return Ok(out);
    }
    let scope = org.subtree();
    let mut conn = app.store.acquire().await?;
    // Members for the whole window: joined before it began, still on the roll.
    let mut members: Vec<StoredMember> = Vec::new();
    jiceng_store::members::for_each_in_scope(&mut conn, &scope, |m| {
        if m.exited_on.is_none() && m.joined_on < first.first_day() {
            members.push(m.clone());
        }
    })
    .await?;
    let rows = jiceng_store::meetings::attendance_in_scope(
        &mut conn,
        &scope,
        (first.first_day(), last.last_day()),
    )
    .await?;
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let elsewhere = jiceng_store::mobile_in::guest_life_of(
        &mut conn,
        &ids,
        (first.first_day(), last.last_day()),
    )
    .await?;
    let bases = jiceng_store::dues::bases_of(&mut conn, &ids).await?;
    let payments =
        jiceng_store::dues::payments_of(&mut conn, &ids, (&first.to_string(), &last.to_string()))
            .await?;
    let mut org_ids: Vec<i64> = members.iter().map(|m| m.org_id).collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let names: HashMap<i64, String> = jiceng_store::orgs::by_ids(&mut conn, &org_ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o.org.name))
        .collect();
    drop(conn);
    let taken: HashSet<i64> = rows.iter().map(|(_, _, branch)| *branch).collect();
    let present: HashSet<i64> = rows
        .iter()
        .filter(|(_, status, _)| status == "present")
        .map(|(m, _, _)| *m)
        .chain(elsewhere.iter().map(|(m, _)| *m))
        .collect();
    let paid: HashSet<i64> = payments.iter().map(|p| p.member_id).collect();
    let first_key = first.to_string();
    for m in &members {
        let mut reasons = Vec::new();
        if !m.mobile && !present.contains(&m.id) {
            if taken.contains(&m.org_id) {
                reasons.push(format!("连续{months}个月未参加党的组织生活"));
            } else {
                out.attendance_unrecorded += 1;
            }
        }
        let assessed = bases
            .get(&m.id)
            .and_then(|b| b.first())
            .is_some_and(|b| b.from_month <= first_key);
        if assessed && !paid.contains(&m.id) {
            reasons.push(format!("连续{months}个月未交纳党费"));
        }
        if !reasons.is_empty() {
            out.cases.push(LapseCase {
                member_id: m.id,
                name: m.name.clone(),
                id_number: m.id_masked.clone(),
                org_name: names.get(&m.org_id).cloned().unwrap_or_default(),
                reasons,
            });
        }
    }
    out.cases
        .sort_by(|a, b| a.org_name.cmp(&b.org_name).then(a.name.cmp(&b.name)));
    Ok(out)
}
