//! 党员出口 (issue #15, point 3): recording that a member left — 死亡, 退党, 劝退, 除名,
//! 开除党籍, 自行脱党, 取消预备党员资格 — with the deciding org, the day and the document.
//! The member's row is kept as history (never deleted): `exited_on` takes them off the roll
//! and out of every count from that day; the offices they held end that day; the stored
//! facts, the exit and the audit entry are written in one transaction.

use chrono::NaiveDate;
use jiceng_domain::exit::{self, ExitKind};
use jiceng_store::exits::{self as store, StoredExit};
use jiceng_store::{facts, members as member_store, orgs as org_store, positions, Scope};
use serde::{Deserialize, Serialize};

use crate::access::{Grant, Write};
use crate::audit::{self, AuditAction};
use crate::refusal::refused;
use crate::{App, AppError, Result};

/// What the exit form or the API gives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExitInput {
    /// A kind's code or label (除名, death…).
    pub kind: String,
    pub on: NaiveDate,
    /// The deciding org as written (某某党支部党员大会、某某党委); blank for a death.
    #[serde(default)]
    pub decided_by: Option<String>,
    /// The decision's document (文号).
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A recorded exit as the member page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ExitView {
    pub kind: &'static str,
    pub on: NaiveDate,
    pub decided_by: String,
    pub document: Option<String>,
    pub note: Option<String>,
}

impl ExitView {
    pub(crate) fn of(e: &StoredExit) -> ExitView {
        ExitView {
            kind: e.kind.label(),
            on: e.exited_on,
            decided_by: e.decided_by.clone(),
            document: e.document.clone(),
            note: e.note.clone(),
        }
    }
}

/// The kinds a form offers: (code, label).
pub fn kinds() -> Vec<(&'static str, &'static str)> {
    ExitKind::ALL
        .iter()
        .map(|k| (k.code(), k.label()))
        .collect()
}

/// Records the exit of the member `id` (in the actor's scope).
pub async fn record_exit(
    app: &App,
    grant: &Grant<Write>,
    id: i64,
    input: &ExitInput,
) -> Result<()> {
    let actor = grant.actor();
    let mut conn = app.store.acquire().await?;
    let before = member_store::get(&mut conn, &actor.scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound("党员".into()))?;
    if let Some(e) = before.exited_on {
        return Err(refused(
            "kind",
            format!("{}已于{e}离开党员名册", before.name),
        ));
    }
    let kind = ExitKind::parse(&input.kind).ok_or_else(|| {
        refused(
            "kind",
            format!("无法识别的出党方式：{}（死亡、退党、劝退、除名、开除党籍、自行脱党或取消预备党员资格）", input.kind),
        )
    })?;
    let decided_by = crate::trimmed(&input.decided_by).unwrap_or_default();
    exit::check(
        kind,
        input.on,
        app.today(),
        before.joined_on,
        before.status,
        &decided_by,
    )
    .map_err(|e| refused(e.field, e.message))?;
    let document = crate::trimmed(&input.document);
    let note = crate::trimmed(&input.note);
    for (field, v) in [("document", &document), ("note", &note)] {
        jiceng_domain::text::TRANSFER_REASON
            .titled(if field == "document" {
                "文号"
            } else {
                "说明"
            })
            .check(v.as_deref().unwrap_or(""))
            .map_err(|e| refused(field, e))?;
    }
    if jiceng_store::transfers::of_member(&mut conn, id)
        .await?
        .iter()
        .any(|t| t.state.is_open())
    {
        return Err(refused(
            "kind",
            format!("{}有一封待接收的组织关系介绍信，请先撤回", before.name),
        ));
    }
    let org = org_store::get(&mut conn, &Scope::All, before.org_id)
        .await?
        .ok_or_else(|| AppError::NotFound("党组织".into()))?;
    let held: Vec<_> = positions::of_members(&mut conn, &[id])
        .await?
        .into_iter()
        .filter(|p| p.ended_on.is_none_or(|e| e > input.on))
        .collect();
    drop(conn);
    let mut m = before.clone();
    m.exited_on = Some(input.on);
    let e = StoredExit {
        member_id: id,
        kind,
        exited_on: input.on,
        decided_by,
        document,
        note,
        recorded_by: actor.username().to_string(),
        recorded_at: app.now().to_rfc3339(),
    };
    let mut touched: Vec<i64> = held.iter().map(|p| p.org_id).collect();
    touched.push(m.org_id);
    touched.sort_unstable();
    touched.dedup();
    let (m, e, held, touched, today) = (&m, &e, &held, &touched, app.today());
    audit::Entry::new(actor, AuditAction::MemberExit, format!("member:{id}"))
        .org(&org)
        .after(serde_json::json!({
            "name": m.name,
            "kind": e.kind.label(),
            "on": e.exited_on,
            "decided_by": e.decided_by,
            "document": e.document,
            "offices_ended": held.len(),
        }))
        .write(app, |mut tx| async move {
            member_store::update(&mut tx, m).await?;
            store::insert(&mut tx, e).await?;
            for p in held {
                positions::end(&mut tx, p.id, e.exited_on).await?;
            }
            facts::refresh(&mut tx, &app.rules, touched, today).await?;
            Ok(tx)
        })
        .await
}
