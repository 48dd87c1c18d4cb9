//! Recording a step of a person's way. The domain refuses a step out of order, dated
//! before the previous one, with a sponsor who is not a full member or with a vote that did
//! not pass (`StepRefused`, nothing written). A recorded step writes, in one transaction:
//! the step, the applicant's derived facts, the roster where the step changes it —
//!
//! - ⑰ 上级党委审批: the person joins the branch's roster as a probationary member, with
//!   everything already recorded (入党日期 = the day the branch meeting voted, ⑮);
//! - ㉔ 上级党委审批转正: the member becomes full from the day the probation ended
//!   (预备期满之日, the party standing counts from it);
//! - 取消预备党员资格: the member leaves the roster on that day;
//!
//! the stored facts of the org (member counts, structure) and the audit entry.

use chrono::NaiveDate;
use jiceng_domain::member::status_on;
use jiceng_domain::recruitment::{
    check_step, Notice, Sponsor, StepKind, StepRecord, Training, Vote,
};
use jiceng_domain::{text, MemberStatus};
use jiceng_store::members::{self as member_store, StoredMember};
use jiceng_store::recruitment::{self as store, StoredApplicant, StoredStep};
use jiceng_store::{facts, orgs as org_store, Scope};
use serde::{Deserialize, Serialize};

use super::people::audit_view;
use super::{derived, progress, ways, StepRefused};
use crate::access::{Grant, RecordRecruitment};
use crate::audit::{self, AuditAction};
use crate::{App, AppError, Result};

/// A step as the form or the API gives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepInput {
    /// The step's number (1–25, events 101–104) or name.
    pub step: String,
    pub on: Option<NaiveDate>,
    #[serde(default)]
    pub doc_ref: Option<String>,
    /// People by name (谈话人, 培养联系人, 参加审查的支委), one per line or comma.
    #[serde(default)]
    pub people: Option<String>,
    /// 入党介绍人: members on the roster, by id.
    #[serde(default)]
    pub sponsor_ids: Vec<i64>,
    #[serde(default)]
    pub vote: Option<Vote>,
    #[serde(default)]
    pub notice_from: Option<NaiveDate>,
    #[serde(default)]
    pub notice_to: Option<NaiveDate>,
    #[serde(default)]
    pub training_days: Option<u32>,
    #[serde(default)]
    pub training_hours: Option<f64>,
    /// 延长预备期: the new end.
    #[serde(default)]
    pub until: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
}

fn refused(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Recruitment(StepRefused::new(field, message))
}

/// Names given one per line or separated by commas.
pub fn split_names(s: &str) -> Vec<String> {
    s.split(['\n', ',', '，', '、', ';', '；'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// The input as a domain record, the sponsors looked up on the roster in `scope`.
async fn to_record(app: &App, scope: &Scope, input: &StepInput) -> Result<StepRecord> {
    let kind = StepKind::parse(&input.step)
        .ok_or_else(|| refused("step", format!("无法识别的步骤：{}", input.step)))?;
    let on = input.on.ok_or_else(|| refused("on", "请填写日期"))?;
    if on > app.today() {
        return Err(refused("on", format!("日期晚于今天：{on}")));
    }
    let mut r = StepRecord::new(kind, on);
    r.doc_ref = crate::trimmed(&input.doc_ref);
    if let Some(d) = &r.doc_ref {
        text::PERSON
            .titled("文号")
            .check(d)
            .map_err(|e| refused("doc_ref", e))?;
    }
    r.people = crate::trimmed(&input.people)
        .map(|p| split_names(&p))
        .unwrap_or_default();
    for p in &r.people {
        text::PERSON.check(p).map_err(|e| refused("people", e))?;
    }
    r.note = crate::trimmed(&input.note);
    if let Some(n) = &r.note {
        text::NOTE.check(n).map_err(|e| refused("note", e))?;
    }
    r.vote = input.vote;
    r.notice = match (input.notice_from, input.notice_to) {
        (Some(from), Some(to)) => Some(Notice { from, to }),
        (None, None) => None,
        _ => return Err(refused("notice", "请填写公示的起止日期")),
    };
    if input.training_days.is_some() || input.training_hours.is_some() {
        r.training = Some(Training {
            days: input.training_days,
            hours: input.training_hours,
        });
    }
    r.until = input.until;
    r.sponsors = sponsors(app, scope, &input.sponsor_ids, on).await?;
    Ok(r)
}

/// A member named as 入党介绍人, as the domain checks them: `full_on` only if they were a
/// full member (and not gone) on the step's day.
pub(crate) fn sponsor_of(m: &StoredMember, on: NaiveDate) -> Sponsor {
    let full = m.exited_on.is_none_or(|e| e > on)
        && status_on(m.status, m.full_on, on) == MemberStatus::Full;
    Sponsor {
        member_id: Some(m.id),
        name: m.name.clone(),
        full_on: full.then(|| m.full_on.unwrap_or(m.joined_on)),
        on_roster: true,
    }
}

/// The sponsors as the domain checks them: full members on the step's day.
async fn sponsors(app: &App, scope: &Scope, ids: &[i64], on: NaiveDate) -> Result<Vec<Sponsor>> {
    let mut conn = app.store.acquire().await?;
    let mut out = Vec::new();
    for id in ids {
        let m = member_store::get(&mut conn, scope, *id)
            .await?
            .ok_or_else(|| refused("sponsors", "入党介绍人应从本范围的党员名册中选择"))?;
        out.push(sponsor_of(&m, on));
    }
    Ok(out)
}

/// Records a step for the applicant `id` (in the actor's scope). Answers the step's id.
pub async fn record_step(
    app: &App,
    grant: &Grant<RecordRecruitment>,
    id: i64,
    input: &StepInput,
) -> Result<i64> {
    let actor = grant.actor();
    let mut conn = app.store.acquire().await?;
    let before = store::get(&mut conn, &actor.scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound("入党申请人".into()))?;
    let org = org_store::get(&mut conn, &Scope::All, before.org_id)
        .await?
        .ok_or_else(|| AppError::NotFound("党组织".into()))?;
    let mut steps: Vec<StepRecord> = ways(&mut conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    drop(conn);
    let new = to_record(app, &actor.scope, input).await?;
    check_step(&app.rules, Some(before.birth_date), &steps, &new).map_err(StepRefused::from)?;
    steps.push(new.clone());
    let voted_on = steps
        .iter()
        .rev()
        .find(|s| s.kind == StepKind::BranchVote)
        .map(|s| s.on);
    let mut after = before.clone();
    let p = progress(app, &after, &steps, app.today());
    after.derived = derived(&p, &steps);
    let member_id = match new.kind {
        StepKind::Approved => Some(app.store.reserve_ids("member", 1).await?),
        _ => before.member_id,
    };
    after.member_id = member_id;
    let step = StoredStep {
        id: app.store.reserve_ids("recruitment_step", 1).await?,
        applicant_id: id,
        step: new.kind.number(),
        on: new.on,
        detail: serde_json::to_string(&new).expect("a step serialises"),
        recorded_by: actor.username().to_string(),
        recorded_at: app.now().to_rfc3339(),
    };
    let (after, step, new, p) = (&after, &step, &new, &p);
    audit::Entry::new(
        actor,
        AuditAction::RecruitmentStep,
        format!("applicant:{id}"),
    )
    .org(&org)
    .before(audit_view(&before))
    .after(
        serde_json::json!({ "step": new.kind.title(), "on": new.on, "person": audit_view(after) }),
    )
    .write(app, |mut tx| async move {
        crate::privacy::ensure_key(&mut tx, &app.crypto).await?;
        store::insert_steps(&mut tx, std::slice::from_ref(step)).await?;
        store::update(&mut tx, after).await?;
        // The roster's facts (with the tallies), or the tallies alone.
        if roster(&mut tx, after, new, (voted_on, p.probation_ends)).await? {
            facts::refresh(&mut tx, &app.rules, &[after.org_id], app.today()).await?;
        } else {
            store::tally::refresh(&mut tx, &[after.org_id]).await?;
        }
        Ok(tx)
    })
    .await?;
    Ok(step.id)
}

/// The roster's change a step makes; whether it made one. `voted_on`: the branch
/// meeting's day (⑮); `ends`: the probation's end.
async fn roster(
    tx: &mut jiceng_store::Conn,
    a: &StoredApplicant,
    step: &StepRecord,
    (voted_on, ends): (Option<NaiveDate>, Option<NaiveDate>),
) -> Result<bool> {
    let Some(member_id) = a.member_id else {
        return Ok(false);
    };
    match step.kind {
        StepKind::Approved => {
            let m = new_member(a, member_id, voted_on.unwrap_or(step.on));
            member_store::insert(tx, std::slice::from_ref(&m)).await?;
        }
        StepKind::Confirmed | StepKind::ProbationCancelled => {
            let Some(mut m) = member_store::get(tx, &Scope::All, member_id).await? else {
                return Ok(false);
            };
            if step.kind == StepKind::Confirmed {
                m.status = MemberStatus::Full;
                m.full_on = Some(ends.unwrap_or(step.on));
            } else {
                m.exited_on = Some(step.on);
            }
            member_store::update(tx, &m).await?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The roster row of a person approved (⑰) as their recorded way stands — a ledger's or a
/// generated one: joined on the branch meeting's day (⑮), full from the probation's end once
/// the confirmation (㉔) is recorded.
pub(crate) fn admitted_member(
    a: &StoredApplicant,
    id: i64,
    steps: &[StepRecord],
    p: &jiceng_domain::recruitment::Progress,
) -> Option<StoredMember> {
    let approved = p.admitted_on?;
    let joined = steps
        .iter()
        .find(|s| s.kind == StepKind::BranchVote)
        .map_or(approved, |s| s.on);
    let mut m = new_member(a, id, joined);
    if let Some(full_on) = p.confirmed_on.and(p.probation_ends) {
        m.status = MemberStatus::Full;
        m.full_on = Some(full_on);
    }
    Some(m)
}

/// The roster row of a person the higher committee approved: what was recorded, once.
pub(crate) fn new_member(a: &StoredApplicant, id: i64, joined_on: NaiveDate) -> StoredMember {
    StoredMember {
        id,
        org_id: a.org_id,
        org_path: a.org_path.clone(),
        name: a.name.clone(),
        gender: a.gender,
        ethnicity: a.ethnicity.clone(),
        birth_date: a.birth_date,
        id_hash: a.id_hash.clone(),
        id_cipher: a.id_cipher.clone(),
        id_masked: a.id_masked.clone(),
        education: a.education,
        status: MemberStatus::Probationary,
        joined_on,
        full_on: None,
        occupation: a.occupation.clone(),
        phone_cipher: a.phone_cipher.clone(),
        phone_masked: a.phone_masked.clone(),
        mobile: false,
        lost_contact: false,
        exited_on: None,
        transferred_in_on: None,
        group_id: None,
    }
}
