//! 发展党员计划: an org's plan for a year, handed down the tree, and its fulfilment.
//!
//! A plan is a total target and up to five structure targets. Each is counted over the
//! people **admitted** in the year: the applicants of the org's subtree whose 上级党委审批
//! (⑰, `admitted_on`) falls in it. A person counts towards
//!
//! - `under_35` (35岁以下): under 35 in full years on the day of ⑰ (age from the ID
//!   number's birth date);
//! - `women` (女性): gender female (from the ID number);
//! - `front_line` (生产工作一线): the applicant's 生产、工作一线 flag as registered;
//! - `college` (大专及以上学历): education 研究生, 大学本科 or 大学专科;
//! - `young_farmers` (农村青年农民): the branch that received the application is a village's
//!   (`Domain::Village`) and the person is under 35 as above.
//!
//! A lower org's plan fits within the nearest ancestor's plan of the same year: the plans
//! of the orgs directly planned under that ancestor, summed, are at most its target, for
//! the total and for each structure target it sets. Setting a plan that breaks this, from
//! above or from below, is refused with the numbers.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jiceng_domain::recruitment::tally::YearAdmissions;
use jiceng_domain::Domain;
use jiceng_store::orgs as org_store;
use jiceng_store::recruitment::{self as store, tally, Admitted, StoredApplicant, StoredPlan};
use jiceng_store::{Conn, Scope};
use serde::{Deserialize, Serialize};

use super::StepRefused;
use crate::access::{Grant, InScope, PlanRecruitment};
use crate::audit::{self, AuditAction};
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// The structure targets (key, label), defined with the tally that counts them.
pub use jiceng_domain::recruitment::TARGETS;

/// An org's plan for a year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub target: i64,
    /// Structure targets by key (`TARGETS`); a key absent sets no target.
    #[serde(default)]
    pub structure: BTreeMap<String, i64>,
}

fn refused(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Recruitment(StepRefused::new(field, message))
}

fn label(key: &str) -> &'static str {
    TARGETS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, l)| l)
}

impl Plan {
    fn check(&self) -> Result<()> {
        if self.target < 0 {
            return Err(refused("target", "计划数不能为负"));
        }
        for (k, n) in &self.structure {
            if label(k).is_empty() {
                return Err(refused("structure", format!("未知的结构指标：{k}")));
            }
            if *n < 0 || *n > self.target {
                return Err(refused(
                    k_field(k),
                    format!("{}计划{n}人，应在0至总计划{}人之间", label(k), self.target),
                ));
            }
        }
        Ok(())
    }

    fn of(p: &StoredPlan) -> Plan {
        Plan {
            target: p.target,
            structure: serde_json::from_str(&p.structure).unwrap_or_default(),
        }
    }
}

fn k_field(k: &str) -> &'static str {
    TARGETS
        .iter()
        .find(|(x, _)| *x == k)
        .map_or("structure", |(x, _)| x)
}

/// One admitted person as the plan counts them: where, and which targets they meet.
#[derive(Debug, Clone)]
pub(crate) struct Admission {
    pub org_path: String,
    pub meets: [bool; 5],
}

/// What `a` counts towards (`TARGETS` order), approved on `a.admitted_on`.
pub(crate) fn admission(a: &Admitted) -> Admission {
    let counted = jiceng_domain::recruitment::Admission {
        gender: a.gender,
        birth_date: a.birth_date,
        education: a.education,
        front_line: a.front_line,
        domain: a.domain,
        admitted_on: a.admitted_on,
    };
    Admission {
        org_path: a.org_path.clone(),
        meets: counted.meets(),
    }
}

/// The admissions of `people` under `path`: the total, then each target's count.
pub(crate) fn counts_under(people: &[Admission], path: &str) -> YearAdmissions {
    let mut out = YearAdmissions::default();
    for a in people.iter().filter(|a| a.org_path.starts_with(path)) {
        out[0] += 1;
        for (i, met) in a.meets.iter().enumerate() {
            out[i + 1] += i64::from(*met);
        }
    }
    out
}

/// An applicant approved on `on` by a branch of `domain`, as the plan counts them (for a
/// judgement made on another day than the stored one).
pub(crate) fn admitted(a: &StoredApplicant, on: NaiveDate, domain: Option<Domain>) -> Admitted {
    Admitted {
        id: a.id,
        org_id: a.org_id,
        org_path: a.org_path.clone(),
        gender: a.gender,
        birth_date: a.birth_date,
        education: a.education,
        front_line: a.front_line,
        admitted_on: on,
        domain,
    }
}

/// A target and what was done towards it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetRow {
    pub target: Option<i64>,
    pub actual: i64,
    /// target − actual where a target is set (negative: exceeded).
    pub gap: Option<i64>,
}

impl TargetRow {
    fn new(target: Option<i64>, actual: i64) -> TargetRow {
        TargetRow {
            target,
            actual,
            gap: target.map(|t| t - actual),
        }
    }
}

/// One org's plan and its fulfilment over its subtree.
#[derive(Debug, Clone, Serialize)]
pub struct Fulfilment {
    pub org: OrgRef,
    pub year: i32,
    pub target: Option<i64>,
    pub admitted: i64,
    pub gap: Option<i64>,
    pub structure: BTreeMap<&'static str, TargetRow>,
}

/// An org's fulfilment and that of each direct child with a plan or admissions.
#[derive(Debug, Clone, Serialize)]
pub struct PlanOverview {
    pub root: Fulfilment,
    pub children: Vec<Fulfilment>,
}

fn fulfilment_of(
    o: &OrgRecord,
    year: i32,
    plan: Option<Plan>,
    counts: YearAdmissions,
) -> Fulfilment {
    let admitted = counts[0];
    let structure = TARGETS
        .iter()
        .enumerate()
        .map(|(i, (k, _))| {
            let target = plan.as_ref().and_then(|p| p.structure.get(*k).copied());
            (*k, TargetRow::new(target, counts[i + 1]))
        })
        .collect();
    let target = plan.map(|p| p.target);
    Fulfilment {
        org: OrgRef::of(&o.org),
        year,
        target,
        admitted,
        gap: target.map(|t| t - admitted),
        structure,
    }
}

/// The fulfilment of `org`'s plan and of its children's (those `kids` with a plan or
/// admissions) for `year`, the admissions under an org given by `admitted`.
pub(crate) async fn levels(
    conn: &mut Conn,
    org: &InScope<OrgRecord>,
    kids: &[OrgRecord],
    year: i32,
    admitted: impl Fn(&OrgRecord) -> YearAdmissions,
) -> Result<PlanOverview> {
    let ids: Vec<i64> = kids.iter().map(|c| c.org.id).chain([org.org.id]).collect();
    let plans: BTreeMap<i64, Plan> = store::plans_of(conn, &ids, year)
        .await?
        .iter()
        .map(|p| (p.org_id, Plan::of(p)))
        .collect();
    let root = fulfilment_of(org, year, plans.get(&org.org.id).cloned(), admitted(org));
    let mut children = Vec::new();
    for c in kids {
        let counts = admitted(c);
        let plan = plans.get(&c.org.id).cloned();
        if plan.is_some() || counts[0] > 0 {
            children.push(fulfilment_of(c, year, plan, counts));
        }
    }
    Ok(PlanOverview { root, children })
}

/// The plan fulfilment of `org` and its children for `year`, from the stored tallies of
/// the org and its children (one row each), never the subtree's people.
pub async fn fulfilment(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<PlanOverview> {
    let mut conn = app.store.acquire().await?;
    let kids = org_store::children(&mut conn, &org.subtree(), org.org.id).await?;
    let ids: Vec<i64> = kids.iter().map(|c| c.org.id).chain([org.org.id]).collect();
    let tallies = tally::stored(&mut conn, &ids).await?;
    levels(&mut conn, org, &kids, year, |o| {
        tallies
            .get(&o.org.id)
            .map(|t| t.admitted_in(year))
            .unwrap_or_default()
    })
    .await
}

/// The plans directly under `top` in `plans` (no planned org between), summed: the
/// total and each structure key.
fn direct_sums(plans: &[(String, Plan)], top: &str) -> (i64, BTreeMap<String, i64>) {
    let nearest = |path: &str| {
        plans
            .iter()
            .filter(|(p, _)| p.len() < path.len() && path.starts_with(p.as_str()))
            .map(|(p, _)| p.as_str())
            .max_by_key(|p| p.len())
    };
    let mut total = 0;
    let mut by_key: BTreeMap<String, i64> = BTreeMap::new();
    for (_, plan) in plans
        .iter()
        .filter(|(p, _)| p != top && nearest(p) == Some(top))
    {
        total += plan.target;
        for (k, n) in &plan.structure {
            *by_key.entry(k.clone()).or_default() += n;
        }
    }
    (total, by_key)
}

/// Why the plans directly under `top` (named `who`) do not fit in its plan, if they do not.
fn overflow(plans: &[(String, Plan)], top: &str, plan: &Plan, who: &str) -> Option<String> {
    let (total, by_key) = direct_sums(plans, top);
    if total > plan.target {
        return Some(format!(
            "下级党组织计划合计{total}人，超过{who}计划{}人",
            plan.target
        ));
    }
    for (k, n) in &plan.structure {
        let sum = by_key.get(k).copied().unwrap_or(0);
        if sum > *n {
            return Some(format!(
                "下级党组织{}计划合计{sum}人，超过{who}该项计划{n}人",
                label(k)
            ));
        }
    }
    None
}

/// The plans of `scope` for `year` as (path, plan), with `org`'s replaced by `plan`.
async fn with_new(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    org: &OrgRecord,
    plan: &Plan,
) -> Result<Vec<(String, Plan)>> {
    let mut plans: Vec<(String, Plan)> = store::plans_in(conn, scope, year)
        .await?
        .iter()
        .filter(|p| p.org_id != org.org.id)
        .map(|p| (p.org_path.clone(), Plan::of(p)))
        .collect();
    plans.push((org.path.clone(), plan.clone()));
    Ok(plans)
}

/// Refuses a plan that does not fit between the nearest planned ancestor and the plans
/// already set below.
async fn fits(conn: &mut Conn, org: &OrgRecord, year: i32, plan: &Plan) -> Result<()> {
    let mut ancestors = jiceng_domain::path::ids(&org.path);
    ancestors.pop();
    for id in ancestors.into_iter().rev() {
        let Some(p) = store::plan_of(conn, id, year).await? else {
            continue;
        };
        let parent = org_store::get(conn, &Scope::All, id)
            .await?
            .ok_or_else(|| AppError::NotFound("党组织".into()))?;
        let plans = with_new(conn, &Scope::subtree(&p.org_path), year, org, plan).await?;
        let who = format!("上级{}{year}年", parent.org.name);
        if let Some(why) = overflow(&plans, &p.org_path, &Plan::of(&p), &who) {
            return Err(refused("target", format!("{}：{why}", org.org.name)));
        }
        break;
    }
    let below = with_new(conn, &Scope::subtree(&org.path), year, org, plan).await?;
    match overflow(&below, &org.path, plan, "本级") {
        Some(why) => Err(refused("target", format!("{}：{why}", org.org.name))),
        None => Ok(()),
    }
}

/// Sets `org`'s plan for `year` (replacing the one stored), audited.
pub async fn set_plan(
    app: &App,
    grant: &Grant<PlanRecruitment>,
    org: &InScope<OrgRecord>,
    year: i32,
    plan: &Plan,
) -> Result<()> {
    plan.check()?;
    if !(2000..=2100).contains(&year) {
        return Err(refused("year", format!("年度不正确：{year}")));
    }
    let mut conn = app.store.acquire().await?;
    let before = store::plan_of(&mut conn, org.org.id, year).await?;
    fits(&mut conn, org, year, plan).await?;
    drop(conn);
    let actor = grant.actor();
    let stored = StoredPlan {
        org_id: org.org.id,
        year,
        org_path: org.path.clone(),
        target: plan.target,
        structure: serde_json::to_string(&plan.structure).expect("a map serialises"),
        updated_by: actor.username().to_string(),
        updated_at: app.now().to_rfc3339(),
    };
    let stored = &stored;
    audit::Entry::new(
        actor,
        AuditAction::RecruitmentPlan,
        format!("recruitment_plan:{}:{year}", org.org.id),
    )
    .org(&**org)
    .before(before.as_ref().map(|p| serde_json::json!(Plan::of(p))))
    .after(serde_json::json!({ "year": year, "plan": plan }))
    .write(app, |mut tx| async move {
        store::put_plan(&mut tx, stored).await?;
        Ok(tx)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(target: i64, women: Option<i64>) -> Plan {
        Plan {
            target,
            structure: women
                .map(|w| ("women".to_string(), w))
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn direct_children_are_summed_past_unplanned_levels() {
        let plans = vec![
            ("/1/".to_string(), plan(10, Some(4))),
            ("/1/2/".to_string(), plan(6, Some(3))),
            ("/1/2/5/".to_string(), plan(6, None)),
            ("/1/3/7/".to_string(), plan(3, Some(2))),
        ];
        assert_eq!(direct_sums(&plans, "/1/").0, 9);
        let why = overflow(&plans, "/1/", &plans[0].1, "上级镇党委2026年").unwrap();
        assert!(
            why.contains("女性计划合计5人，超过上级镇党委2026年该项计划4人"),
            "{why}"
        );
        assert_eq!(overflow(&plans, "/1/2/", &plans[1].1, "本级"), None);
    }

    #[test]
    fn a_structure_target_above_the_total_is_refused() {
        assert!(plan(3, Some(4)).check().is_err());
        assert!(plan(3, Some(3)).check().is_ok());
    }
}
