//! 组织关系转接 (issue #15, point 1): letters between orgs anywhere in the tree, or to and
//! from outside the system, as a two-sided workflow. The sending org issues (`issue`), the
//! receiving org receives or returns (`decide::receive`, `decide::return_letter`), the
//! sender withdraws or closes by receipt (`decide::withdraw`, `decide::close`); a letter
//! from outside creates the member where it is received (`arrive`). A letter is seen from
//! both of its ends; the member stays with the sender, and counts there, until received,
//! and the receiving org sees only what the letter says until then.

use chrono::NaiveDate;
use jiceng_domain::transfer::{self as rule, LetterState};
use jiceng_store::members::StoredMember;
use jiceng_store::transfers::{self as store, End, StoredTransfer};
use serde::{Deserialize, Serialize};

use crate::access::{Action, Actor, InScope};
use crate::{App, AppError, OrgRecord, Result};

mod arrive;
mod decide;
mod issue;

pub use arrive::{arrive, Arrival};
pub use decide::{close, decide, receive, return_letter, withdraw, Decision};
pub use issue::{issue, issue_many, NewLetter, BATCH_MAX};

pub(crate) use crate::refusal::refused;
pub use crate::refusal::Refused;

/// What a letter says of the member: all the receiving org sees before it accepts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: Option<NaiveDate>,
    /// The ID number masked (`370830********1234`).
    pub id_number: String,
    /// 正式党员 / 预备党员.
    pub status: String,
    pub joined_on: Option<NaiveDate>,
    pub full_on: Option<NaiveDate>,
}

impl Person {
    pub(crate) fn of(m: &StoredMember) -> Person {
        Person {
            name: m.name.clone(),
            gender: m.gender.label().to_string(),
            ethnicity: m.ethnicity.clone(),
            birth_date: Some(m.birth_date),
            id_number: m.id_masked.clone(),
            status: m.status.label().to_string(),
            joined_on: Some(m.joined_on),
            full_on: m.full_on,
        }
    }
}

/// A letter as a page or the API shows it, from the reader's side.
#[derive(Debug, Clone, Serialize)]
pub struct LetterView {
    pub id: i64,
    pub letter_no: String,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub from: String,
    pub to: String,
    /// Where an outside end is (系统外党组织, 军队, 境外, 其他).
    pub outside: Option<&'static str>,
    pub reason: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub person: Person,
    pub decided_on: Option<NaiveDate>,
    pub decision_note: Option<String>,
    pub issued_by: String,
    pub decided_by: Option<String>,
    /// Still waiting after its last valid day (逾期未接收).
    pub overdue: bool,
    /// Days left to receive it (negative: overdue by), while waiting.
    pub days_left: Option<i64>,
    /// The member's page, when the reader may see the member (the sender until received,
    /// the receiver after).
    pub member_id: Option<i64>,
    /// The reader's end: `sender`, `receiver` or `both`.
    pub side: &'static str,
    pub can_receive: bool,
    pub can_return: bool,
    pub can_withdraw: bool,
    pub can_close: bool,
}

fn view(actor: &Actor, t: &StoredTransfer, today: NaiveDate) -> LetterView {
    let sender = t
        .from_path
        .as_deref()
        .is_some_and(|p| actor.scope.contains(p));
    let receiver = t
        .to_path
        .as_deref()
        .is_some_and(|p| actor.scope.contains(p));
    let may = actor.may(Action::TransferMembers);
    let open = t.state.is_open();
    let member_visible = match t.state {
        LetterState::Received => receiver,
        LetterState::Closed => false,
        _ => sender,
    };
    LetterView {
        id: t.id,
        letter_no: t.letter_no.clone(),
        issued_on: t.issued_on,
        valid_until: t.valid_until,
        from: t.from_name.clone(),
        to: t.to_name.clone(),
        outside: t.outside.map(|o| o.label()),
        reason: t.reason.clone(),
        state: t.state.label(),
        state_code: t.state.code(),
        person: serde_json::from_str(&t.person).unwrap_or_default(),
        decided_on: t.decided_on,
        decision_note: t.decision_note.clone(),
        issued_by: t.issued_by.clone(),
        decided_by: t.decided_by.clone(),
        overdue: rule::overdue(t.state, t.valid_until, today),
        days_left: open.then(|| (t.valid_until - today).num_days()),
        member_id: t.member_id.filter(|_| member_visible),
        side: match (sender, receiver) {
            (true, true) => "both",
            (true, false) => "sender",
            _ => "receiver",
        },
        can_receive: may && open && receiver && t.from_org_id.is_some(),
        can_return: may && open && receiver,
        can_withdraw: may && sender && rule::check_withdraw(t.state).is_ok(),
        can_close: may && open && sender && t.to_org_id.is_none(),
    }
}

/// An org's letters: waiting to be received in its subtree, sent from it and not yet
/// settled, and the last 90 days' decided ones at either end.
#[derive(Debug, Clone, Serialize)]
pub struct Letters {
    pub org: crate::OrgRef,
    pub org_id: i64,
    pub today: NaiveDate,
    /// Addressed to the subtree, waiting (its inbox), oldest first.
    pub incoming: Vec<LetterView>,
    /// Sent from the subtree, waiting or returned, oldest first.
    pub outgoing: Vec<LetterView>,
    /// Decided in the last 90 days, at either end, latest first.
    pub recent: Vec<LetterView>,
    /// Complete counts (the lists stop at 200).
    pub incoming_total: i64,
    pub incoming_overdue: i64,
    pub outgoing_total: i64,
    pub outgoing_overdue: i64,
    pub can_transfer: bool,
}

const LIST: i64 = 200;

/// The letters of an org's subtree, from the actor's side.
pub async fn letters(app: &App, actor: &Actor, org: &InScope<OrgRecord>) -> Result<Letters> {
    let today = app.today();
    let scope = org.subtree();
    let mut conn = app.store.acquire().await?;
    let waiting = [LetterState::Issued];
    let incoming = store::at_end(&mut conn, &scope, End::Incoming, &waiting, LIST).await?;
    let unsettled = [LetterState::Issued, LetterState::Returned];
    let outgoing = store::at_end(&mut conn, &scope, End::Outgoing, &unsettled, LIST).await?;
    let since = today - chrono::Days::new(90);
    let mut recent = store::decided_since(&mut conn, &scope, End::Incoming, since, LIST).await?;
    for t in store::decided_since(&mut conn, &scope, End::Outgoing, since, LIST).await? {
        if !recent.iter().any(|r| r.id == t.id) {
            recent.push(t);
        }
    }
    recent.retain(|t| t.state != LetterState::Returned || !outgoing.iter().any(|o| o.id == t.id));
    recent.sort_by(|a, b| b.decided_on.cmp(&a.decided_on).then(b.id.cmp(&a.id)));
    recent.truncate(LIST as usize);
    let issued = LetterState::Issued;
    let (incoming_total, incoming_overdue) =
        store::count_at_end(&mut conn, &scope, End::Incoming, issued, today).await?;
    let (outgoing_total, outgoing_overdue) =
        store::count_at_end(&mut conn, &scope, End::Outgoing, issued, today).await?;
    let (returned, _) = store::count_at_end(
        &mut conn,
        &scope,
        End::Outgoing,
        LetterState::Returned,
        today,
    )
    .await?;
    let shown = |v: Vec<StoredTransfer>| v.iter().map(|t| view(actor, t, today)).collect();
    Ok(Letters {
        org: org.org_ref(),
        org_id: org.org.id,
        today,
        incoming: shown(incoming),
        outgoing: shown(outgoing),
        recent: shown(recent),
        incoming_total,
        incoming_overdue,
        outgoing_total: outgoing_total + returned,
        outgoing_overdue,
        can_transfer: actor.may(Action::TransferMembers),
    })
}

/// One letter, seen from either of its ends (else not found).
pub async fn letter(app: &App, actor: &Actor, id: i64) -> Result<LetterView> {
    if !actor.may(Action::ReadData) {
        return Err(AppError::Forbidden);
    }
    let mut conn = app.store.acquire().await?;
    let t = store::get(&mut conn, &actor.scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound("组织关系介绍信".into()))?;
    Ok(view(actor, &t, app.today()))
}

/// A member's letters, oldest first (the member page's history), for a reader who sees
/// the member.
pub(crate) async fn of_member(app: &App, actor: &Actor, member_id: i64) -> Result<Vec<LetterView>> {
    let mut conn = app.store.acquire().await?;
    let today = app.today();
    Ok(store::of_member(&mut conn, member_id)
        .await?
        .iter()
        .map(|t| view(actor, t, today))
        .collect())
}

/// How many letters wait in the subtree's inbox, and how many of them are overdue (本月待办).
pub async fn waiting(app: &App, org: &InScope<OrgRecord>) -> Result<(i64, i64)> {
    let mut conn = app.store.acquire().await?;
    Ok(store::count_at_end(
        &mut conn,
        &org.subtree(),
        End::Incoming,
        LetterState::Issued,
        app.today(),
    )
    .await?)
}

/// What the audit entry shows of a letter.
pub(crate) fn audit_view(t: &StoredTransfer) -> serde_json::Value {
    let person: Person = serde_json::from_str(&t.person).unwrap_or_default();
    serde_json::json!({
        "letter_no": t.letter_no,
        "member": person.name,
        "id_number": person.id_number,
        "from": t.from_name,
        "to": t.to_name,
        "issued_on": t.issued_on,
        "state": t.state.label(),
        "decided_on": t.decided_on,
        "note": t.decision_note,
    })
}
