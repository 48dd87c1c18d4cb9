//! Deciding a letter: received or returned by the receiving org, withdrawn or closed by
//! receipt (回执) by the sending org. Receiving moves the member — org, path, 转入日期 — ends
//! the offices they held, and refreshes both orgs' stored facts, with the letter and the
//! audit entry, in one transaction: the counts move on the day of acceptance, not before.

use chrono::NaiveDate;
use jiceng_domain::transfer::{self as rule, LetterState};
use jiceng_store::transfers::{self as store, StoredTransfer};
use jiceng_store::{facts, members as member_store, orgs as org_store, positions, Scope};

use super::{audit_view, refused, Refused};
use crate::access::{Actor, Grant, TransferMembers};
use crate::audit::{self, AuditAction};
use crate::{App, AppError, OrgRecord, Result};

/// Which end of a letter a decision is made from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    Sender,
    Receiver,
}

/// The letter `id` as the actor sees it from `at` (else not found), and the org at that end.
async fn at_end(app: &App, actor: &Actor, id: i64, at: At) -> Result<(StoredTransfer, OrgRecord)> {
    let mut conn = app.store.acquire().await?;
    let t = store::get(&mut conn, &actor.scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound("组织关系介绍信".into()))?;
    let (path, org_id) = match at {
        At::Sender => (&t.from_path, t.from_org_id),
        At::Receiver => (&t.to_path, t.to_org_id),
    };
    let mine = path.as_deref().is_some_and(|p| actor.scope.contains(p));
    let org = match org_id.filter(|_| mine) {
        Some(o) => org_store::get(&mut conn, &Scope::All, o).await?,
        None => None,
    };
    let org = org.ok_or_else(|| {
        refused(
            "state",
            match at {
                At::Sender => "只有转出党组织可以办理此项",
                At::Receiver => "只有接收党组织可以办理此项",
            },
        )
    })?;
    Ok((t, org))
}

/// Writes a decided letter with its audit entry (and nothing else).
async fn settle(
    app: &App,
    actor: &Actor,
    (before, after): (&StoredTransfer, &StoredTransfer),
    action: AuditAction,
    org: &OrgRecord,
) -> Result<()> {
    audit::Entry::new(actor, action, format!("transfer:{}", after.id))
        .org(org)
        .before(audit_view(before))
        .after(audit_view(after))
        .write(app, |mut tx| async move {
            store::update(&mut tx, after).await?;
            Ok(tx)
        })
        .await
}

fn decided(t: &StoredTransfer, actor: &Actor, state: LetterState, on: NaiveDate) -> StoredTransfer {
    StoredTransfer {
        state,
        decided_on: Some(on),
        decided_by: Some(actor.username().to_string()),
        ..t.clone()
    }
}

/// Receives the letter `id` on `on` (接收): the member's relation is the receiving org's
/// from that day.
pub async fn receive(
    app: &App,
    grant: &Grant<TransferMembers>,
    id: i64,
    on: NaiveDate,
) -> Result<()> {
    let actor = grant.actor();
    let (t, to) = at_end(app, actor, id, At::Receiver).await?;
    rule::check_receive(t.state, t.issued_on, t.valid_until, on, app.today())
        .map_err(Refused::from)?;
    let (Some(member_id), Some(from_id)) = (t.member_id, t.from_org_id) else {
        return Err(refused("state", "该介绍信不是本系统内开出的，无需接收"));
    };
    let mut conn = app.store.acquire().await?;
    let before = member_store::get(&mut conn, &Scope::All, member_id)
        .await?
        .filter(|m| m.org_id == from_id && m.exited_on.is_none())
        .ok_or_else(|| {
            refused(
                "state",
                "该党员已不在转出党组织（已转出、出党或被合并），请联系转出党组织撤回此介绍信",
            )
        })?;
    let held: Vec<_> = positions::of_members(&mut conn, &[member_id])
        .await?
        .into_iter()
        .filter(|p| p.ended_on.is_none_or(|e| e > on))
        .collect();
    drop(conn);
    let mut m = before.clone();
    m.org_id = to.org.id;
    m.org_path = to.path.clone();
    m.transferred_in_on = Some(on);
    let after = decided(&t, actor, LetterState::Received, on);
    let mut touched: Vec<i64> = vec![from_id, to.org.id];
    touched.extend(held.iter().map(|p| p.org_id));
    touched.sort_unstable();
    touched.dedup();
    let (m, after, held, touched, today) = (&m, &after, &held, &touched, app.today());
    let now = &crate::auth::time_text(app.now());
    audit::Entry::new(
        actor,
        AuditAction::TransferReceive,
        format!("member:{member_id}"),
    )
    .org(&to)
    .before(audit_view(&t))
    .after(serde_json::json!({
        "letter": audit_view(after),
        "offices_ended": held.len(),
    }))
    .write(app, |mut tx| async move {
        member_store::update(&mut tx, m).await?;
        jiceng_store::users::follow_member(&mut tx, m.id, m.org_id, now).await?;
        for p in held {
            positions::end(&mut tx, p.id, on).await?;
        }
        store::update(&mut tx, after).await?;
        facts::refresh(&mut tx, &app.rules, touched, today).await?;
        Ok(tx)
    })
    .await
}

/// Returns the letter `id` with a reason (退回): the member stays with the sender.
pub async fn return_letter(
    app: &App,
    grant: &Grant<TransferMembers>,
    id: i64,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let (t, to) = at_end(app, actor, id, At::Receiver).await?;
    rule::check_return(t.state, reason).map_err(Refused::from)?;
    let mut after = decided(&t, actor, LetterState::Returned, app.today());
    after.decision_note = Some(reason.trim().to_string());
    settle(app, actor, (&t, &after), AuditAction::TransferReturn, &to).await
}

/// Withdraws the letter `id` (撤回), waiting or returned: the member stays.
pub async fn withdraw(
    app: &App,
    grant: &Grant<TransferMembers>,
    id: i64,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let (t, from) = at_end(app, actor, id, At::Sender).await?;
    rule::check_withdraw(t.state).map_err(Refused::from)?;
    jiceng_domain::text::TRANSFER_REASON
        .titled("撤回原因")
        .check(reason.trim())
        .map_err(|e| refused("reason", e))?;
    let mut after = decided(&t, actor, LetterState::Withdrawn, app.today());
    after.decision_note = crate::trimmed(&Some(reason.to_string())).or(t.decision_note.clone());
    settle(
        app,
        actor,
        (&t, &after),
        AuditAction::TransferWithdraw,
        &from,
    )
    .await
}

/// Closes a letter to outside the system by its receipt (回执) of `on`: the member leaves
/// the roster, and every count, from that day; the record is kept.
pub async fn close(
    app: &App,
    grant: &Grant<TransferMembers>,
    id: i64,
    on: NaiveDate,
    note: &str,
) -> Result<()> {
    let actor = grant.actor();
    let (t, from) = at_end(app, actor, id, At::Sender).await?;
    if t.to_org_id.is_some() {
        return Err(refused(
            "state",
            "转往本系统内党组织的介绍信由接收党组织办理接收",
        ));
    }
    rule::check_receive(t.state, t.issued_on, t.valid_until, on, app.today())
        .map_err(Refused::from)?;
    jiceng_domain::text::TRANSFER_REASON
        .titled("回执说明")
        .check(note.trim())
        .map_err(|e| refused("note", e))?;
    let mut conn = app.store.acquire().await?;
    let member = match t.member_id {
        Some(id) => member_store::get(&mut conn, &Scope::All, id).await?,
        None => None,
    };
    drop(conn);
    let mut after = decided(&t, actor, LetterState::Closed, on);
    after.decision_note = crate::trimmed(&Some(note.to_string()));
    let left = member.filter(|m| m.exited_on.is_none()).map(|mut m| {
        m.exited_on = Some(on);
        m
    });
    let (after, left, today) = (&after, &left, app.today());
    audit::Entry::new(
        actor,
        AuditAction::TransferReceipt,
        format!("transfer:{id}"),
    )
    .org(&from)
    .before(audit_view(&t))
    .after(audit_view(after))
    .write(app, |mut tx| async move {
        store::update(&mut tx, after).await?;
        if let Some(m) = left {
            member_store::update(&mut tx, m).await?;
            facts::refresh(&mut tx, &app.rules, &[m.org_id], today).await?;
        }
        Ok(tx)
    })
    .await
}

/// A decision on a letter as a form or the API names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// 接收, on a day.
    Receive(NaiveDate),
    /// 退回, with a reason.
    Return(String),
    /// 撤回, with a reason.
    Withdraw(String),
    /// 回执, on a day, with the receipt's words.
    Close(NaiveDate, String),
}

impl Decision {
    /// The actions a letter's page and the API offer, in the order of their routes.
    pub const ACTIONS: [&'static str; 4] = ["receive", "return", "withdraw", "receipt"];

    /// The decision named `action` (`receive`, `return`, `withdraw`, `receipt`) with what a
    /// form or a body gave: its day, its reason or note.
    pub fn parse(action: &str, on: Option<NaiveDate>, words: &str) -> Result<Decision> {
        let day = || on.ok_or_else(|| refused("on", "请填写日期"));
        Ok(match action {
            "receive" => Decision::Receive(day()?),
            "return" => Decision::Return(words.to_string()),
            "withdraw" => Decision::Withdraw(words.to_string()),
            "receipt" => Decision::Close(day()?, words.to_string()),
            other => return Err(refused("state", format!("无法识别的办理事项：{other}"))),
        })
    }

    /// What a page says once it is done (`?done=`).
    pub fn done(&self) -> &'static str {
        match self {
            Decision::Receive(_) => "received",
            Decision::Return(_) => "returned",
            Decision::Withdraw(_) => "withdrawn",
            Decision::Close(..) => "closed",
        }
    }
}

/// Makes the decision `d` on the letter `id`.
pub async fn decide(
    app: &App,
    grant: &Grant<TransferMembers>,
    id: i64,
    d: &Decision,
) -> Result<()> {
    match d {
        Decision::Receive(on) => receive(app, grant, id, *on).await,
        Decision::Return(reason) => return_letter(app, grant, id, reason).await,
        Decision::Withdraw(reason) => withdraw(app, grant, id, reason).await,
        Decision::Close(on, note) => close(app, grant, id, *on, note).await,
    }
}
