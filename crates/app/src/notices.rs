//! 一键提醒: the township (or the department over a small subtree) reminds, in one step,
//! every branch that still owes this month's organizational life — each gets a notice
//! naming what it owes and by when, among its reminders on its home page. Kept in this
//! server only: nothing is sent outside it, nothing scored. A branch is reminded at most
//! once a day by the same org. Audited.

use std::collections::HashMap;

use jiceng_domain::meeting::MeetingKind;
use jiceng_domain::Period;
use jiceng_store::notices::{self as store, StoredNotice};
use serde::Serialize;
use serde_json::json;

use crate::access::{Grant, InScope, RemindBranches};
use crate::audit::{self, AuditAction};
use crate::auth::time_text;
use crate::{App, AppError, OrgRecord, Result};

/// What a reminding did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminded {
    /// Branches reminded now.
    pub sent: usize,
    /// Branches owing that this org had already reminded today (not again).
    pub already: usize,
}

/// Reminds the branches of `org`'s subtree that still owe this month's organizational
/// life. Refused above a township's size (the compliance page is the county's tool).
pub async fn remind_owing(
    app: &App,
    grant: &Grant<RemindBranches>,
    org: &InScope<OrgRecord>,
) -> Result<Reminded> {
    let actor = grant.actor();
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let size = jiceng_store::facts::totals(&mut conn, org.org.id)
        .await?
        .map_or(i64::MAX, |t| t.orgs);
    drop(conn);
    if size > crate::reminders::BRANCHES_AT_MOST {
        return Err(AppError::Input(format!(
            "一键提醒用于乡镇（街道）党（工）委及以下（本范围有{size}个党组织）；请到下级党组织的首页提醒"
        )));
    }
    let month = Period::month_of(today);
    let report = crate::reports::compliance::run(app, org, month).await?;
    let mut conn = app.store.acquire().await?;
    let by_code: HashMap<String, OrgRecord> = jiceng_store::orgs::list(&mut conn, &org.subtree())
        .await?
        .into_iter()
        .map(|o| (o.org.code.clone(), o))
        .collect();
    let done_today: std::collections::HashSet<i64> = store::since(&mut conn, &org.subtree(), today)
        .await?
        .into_iter()
        .filter(|n| n.from_org_id == org.org.id)
        .map(|n| n.org_id)
        .collect();
    drop(conn);
    let mut notices = Vec::new();
    let mut codes: Vec<&str> = Vec::new();
    let mut already = 0;
    for p in &report.pending {
        let Some(branch) = by_code.get(&p.org.code) else {
            continue;
        };
        if done_today.contains(&branch.org.id) {
            already += 1;
            continue;
        }
        let mut labels: Vec<&str> = p
            .items
            .iter()
            .map(|i| MeetingKind::from_code(i.kind).map_or(i.kind, |k| k.label()))
            .collect();
        labels.dedup();
        let by = p.items.iter().map(|i| i.due_by).min().unwrap_or(today);
        codes.push(&branch.org.code);
        notices.push(StoredNotice {
            id: 0,
            org_id: branch.org.id,
            org_path: branch.path.clone(),
            from_org_id: org.org.id,
            from_name: org.org.name.clone(),
            text: format!(
                "{}提醒：本月还需开展{}（{}月{}日前）",
                org.org.name,
                labels.join("、"),
                by.format("%-m"),
                by.format("%-d")
            ),
            sent_on: today,
            sent_by: actor.username().to_string(),
            sent_at: String::new(),
        });
    }
    if notices.is_empty() {
        return Ok(Reminded { sent: 0, already });
    }
    let first = app
        .store
        .reserve_ids("notice", notices.len() as i64)
        .await?;
    let now = app.now();
    for (i, n) in notices.iter_mut().enumerate() {
        n.id = first + i as i64;
        n.sent_at = time_text(now);
    }
    let entry = audit::Entry::new(actor, AuditAction::NoticeSend, &org.org.code)
        .org(Some(&**org))
        .after(json!({ "month": month.to_string(), "branches": codes }));
    let (notices_ref, entry) = (&notices, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::insert(&mut tx, notices_ref).await?;
        entry.commit(tx, now).await
    })
    .await?;
    Ok(Reminded {
        sent: notices.len(),
        already,
    })
}

/// The notices a branch received this month, the newest first.
pub async fn of_month(app: &App, org: &InScope<OrgRecord>) -> Result<Vec<StoredNotice>> {
    let from = Period::month_of(app.today()).first_day();
    let mut conn = app.store.acquire().await?;
    Ok(store::since(&mut conn, &org.subtree(), from)
        .await?
        .into_iter()
        .filter(|n| n.org_id == org.org.id)
        .collect())
}
