//! 群众诉求 / 我为群众办实事 (SPEC C8): an org receives a request from the masses and assigns
//! it to itself or an org of its subtree and a person responsible; progress is noted and the
//! request resolved with the result and the requester's feedback. Open requests past the
//! rule set's limit are 逾期未办结, among the reminders of the orgs above them; resolved ones
//! are the records of activity with the masses that 懒 reads (`rating::gather`).
//!
//! The requester's name and phone are optional, encrypted with the key of the ID numbers
//! (`Crypto::encrypt_text`, re-encrypted by a key rotation) and shown masked on the
//! request's own page only: never in a list, a workbook, a log line or an audit entry.
//! Requests are counted per org, never per requester. Audited.

use chrono::NaiveDate;
use jiceng_domain::mass_request::{
    self as domain, Category, Channel, Feedback, MassRequestRules, RequestCounts, RequestDraft,
    RequestError, RequestStatus, ResolutionDraft,
};
use jiceng_domain::OrgKind;
use jiceng_store::requests::{self as store, StoredProgress, StoredRequest, Which};
use jiceng_store::Scope;
use serde::Serialize;
use serde_json::json;

use crate::access::{Grant, InScope, OrgKey, RecordRequests};
use crate::audit::{self, AuditAction};
use crate::auth::time_text;
use crate::refusal::{refused, Refused};
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// How many requests a list shows.
pub const LIST_MAX: i64 = 500;

impl From<RequestError> for AppError {
    fn from(e: RequestError) -> AppError {
        AppError::MemberLife(Refused {
            field: e.field,
            message: e.message,
        })
    }
}

/// A request as received: the form's fields, the org it goes to, the requester's optional
/// contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewRequest {
    pub draft: RequestDraft,
    /// The org it is assigned to, as typed (id, code or exact name); blank: the receiving
    /// org itself.
    pub assign_to: String,
    /// Optional: the requester's phone (stored encrypted, shown masked).
    pub requester_phone: String,
}

/// A progress note as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub seq: i64,
    pub on: NaiveDate,
    pub note: String,
    pub recorded_by: String,
}

/// A request as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MassRequest {
    pub id: i64,
    /// The org it is assigned to.
    pub org_id: i64,
    pub org: OrgRef,
    /// The org that received it.
    pub by_org_name: String,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub category: Category,
    pub content: String,
    /// The person responsible.
    pub handler: String,
    /// The requester's name and phone, masked (the request's own page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requester: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub status: RequestStatus,
    /// Days since receipt while open; days to resolution once resolved.
    pub days: i64,
    pub resolved_on: Option<NaiveDate>,
    pub result: Option<String>,
    pub feedback: Option<Feedback>,
    pub recorded_by: String,
    /// The progress notes (the request's own page only).
    pub progress: Vec<Progress>,
}

impl MassRequest {
    pub fn is_overdue(&self) -> bool {
        self.status == RequestStatus::Overdue
    }

    pub fn is_resolved(&self) -> bool {
        self.status == RequestStatus::Resolved
    }

    pub fn feedback_label(&self) -> &'static str {
        self.feedback.map_or("", Feedback::label)
    }
}

fn shown(r: StoredRequest, org: OrgRef, rules: &MassRequestRules, today: NaiveDate) -> MassRequest {
    let status = RequestStatus::of(r.received_on, r.resolved_on, today, rules.overdue_days);
    let days = match (r.resolve_days, r.resolved_on) {
        (Some(d), Some(_)) => d,
        _ => (today - r.received_on).num_days(),
    };
    MassRequest {
        id: r.id,
        org_id: r.org_id,
        org,
        by_org_name: r.by_org_name,
        channel: r.channel,
        received_on: r.received_on,
        category: r.category,
        content: r.content,
        handler: r.handler,
        requester: None,
        phone: None,
        status,
        days,
        resolved_on: r.resolved_on,
        result: r.result,
        feedback: r.feedback,
        recorded_by: r.recorded_by,
        progress: Vec::new(),
    }
}

/// The rule in force today: the days a request may stay open, and its source.
pub fn rules(app: &App) -> MassRequestRules {
    app.rules.in_force(app.today()).mass_requests.clone()
}

/// Receives a request at `org` and assigns it to `org` or an org of its subtree
/// (`assign_to`). The requester's name and phone, when given, are encrypted in the same
/// transaction that checks the key.
pub async fn record(
    app: &App,
    grant: &Grant<RecordRequests>,
    org: &InScope<OrgRecord>,
    new: &NewRequest,
) -> Result<i64> {
    let today = app.today();
    let c = domain::check(&new.draft, today)?;
    let phone = match new.requester_phone.trim() {
        "" => None,
        p => Some(crate::privacy::check_phone(p).map_err(|m| refused("requester_phone", m))?),
    };
    let actor = grant.actor();
    let assignee = match new.assign_to.trim() {
        "" => (**org).clone(),
        key => {
            let found = crate::access::resolve(app, actor, &OrgKey::Key(key.to_string()))
                .await
                .map_err(|e| match e {
                    AppError::NotFound(_) | AppError::OrgNotFound(_) => {
                        refused("assign_to", format!("找不到承办的党组织“{key}”"))
                    }
                    e @ AppError::OrgAmbiguous { .. } => refused("assign_to", e.to_string()),
                    other => other,
                })?;
            if !org.subtree().contains(&found.path) {
                return Err(refused(
                    "assign_to",
                    format!(
                        "{}不在{}及以下：诉求只能交办本组织或下级党组织",
                        found.org.name, org.org.name
                    ),
                ));
            }
            found.into_inner()
        }
    };
    if assignee.org.kind == OrgKind::Group {
        return Err(refused(
            "assign_to",
            format!("{}是党小组：诉求交办其所在的党支部", assignee.org.name),
        ));
    }
    let id = app.store.reserve_ids("mass_request", 1).await?;
    let now = app.now();
    let (name_cipher, name_masked) = match &c.requester_name {
        Some(n) => (Some(app.crypto.encrypt_text(n)), Some(domain::mask_name(n))),
        None => (None, None),
    };
    let (phone_cipher, phone_masked) = match &phone {
        Some(p) => {
            let (c, m) = app.crypto.protect_phone(p);
            (Some(c), Some(m))
        }
        None => (None, None),
    };
    let stored = StoredRequest {
        id,
        org_id: assignee.org.id,
        org_path: assignee.path.clone(),
        by_org_id: org.org.id,
        by_org_name: org.org.name.clone(),
        channel: c.channel,
        received_on: c.received_on,
        category: c.category,
        content: c.content.clone(),
        handler: c.handler.clone(),
        name_cipher,
        name_masked,
        phone_cipher,
        phone_masked,
        resolved_on: None,
        result: None,
        feedback: None,
        resolve_days: None,
        resolved_by: None,
        recorded_by: actor.username().to_string(),
        recorded_at: time_text(now),
        register_no: None,
    };
    // Nothing of the requester in the entry: only whether a contact was left.
    let entry = audit::Entry::new(actor, AuditAction::MassRequestRecord, id.to_string())
        .org(Some(&assignee))
        .after(json!({
            "received_by": org.org.id,
            "assigned_to": assignee.org.id,
            "channel": c.channel.code(),
            "category": c.category.code(),
            "received_on": c.received_on.to_string(),
            "handler": c.handler,
            "contact_left": stored.name_cipher.is_some() || stored.phone_cipher.is_some(),
        }));
    let (stored, entry) = (&stored, &entry);
    let protects = stored.name_cipher.is_some() || stored.phone_cipher.is_some();
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        if protects {
            crate::privacy::ensure_key(&mut tx, &app.crypto).await?;
        }
        store::insert(&mut tx, stored).await?;
        entry.commit(tx, now).await
    })
    .await?;
    Ok(id)
}

async fn stored(app: &App, org: &InScope<OrgRecord>, id: i64) -> Result<StoredRequest> {
    let mut conn = app.store.acquire().await?;
    store::get(&mut conn, &org.subtree(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("群众诉求".into()))
}

/// A request assigned to an org of `org`'s subtree, with its progress and the requester's
/// contact masked; or not found.
pub async fn get(app: &App, org: &InScope<OrgRecord>, id: i64) -> Result<MassRequest> {
    let r = stored(app, org, id).await?;
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let assigned = jiceng_store::orgs::get(&mut conn, &Scope::All, r.org_id).await?;
    let progress = store::progress_of(&mut conn, id).await?;
    drop(conn);
    let (requester, phone) = (r.name_masked.clone(), r.phone_masked.clone());
    let mut m = shown(
        r,
        assigned.map_or_else(
            || OrgRef {
                code: String::new(),
                name: String::new(),
            },
            |o| OrgRef::of(&o.org),
        ),
        &rules(app),
        today,
    );
    m.requester = requester;
    m.phone = phone;
    m.progress = progress
        .into_iter()
        .map(|p| Progress {
            seq: p.seq,
            on: p.noted_on,
            note: p.note,
            recorded_by: p.recorded_by,
        })
        .collect();
    Ok(m)
}

/// Notes progress on request `id` (of an org in `org`'s subtree). Returns the note's number.
pub async fn progress(
    app: &App,
    grant: &Grant<RecordRequests>,
    org: &InScope<OrgRecord>,
    id: i64,
    on: Option<NaiveDate>,
    note: &str,
) -> Result<i64> {
    let r = stored(app, org, id).await?;
    let today = app.today();
    let (on, note) =
        domain::check_progress(on, note, r.received_on, r.resolved_on.is_some(), today)?;
    let actor = grant.actor();
    let now = app.now();
    let p = StoredProgress {
        request_id: id,
        seq: 0,
        org_path: r.org_path.clone(),
        noted_on: on,
        note,
        recorded_by: actor.username().to_string(),
        recorded_at: time_text(now),
    };
    let mut conn = app.store.acquire().await?;
    let assigned = jiceng_store::orgs::get(&mut conn, &Scope::All, r.org_id).await?;
    drop(conn);
    let entry = audit::Entry::new(actor, AuditAction::MassRequestProgress, id.to_string())
        .org(assigned.as_ref())
        .after(json!({ "on": on.to_string(), "note": p.note }));
    let (p, entry) = (&p, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        if !store::hold_open(&mut tx, id).await? {
            return Err(refused("note", "该诉求已办结，不再登记办理进展"));
        }
        let seq = store::add_progress(&mut tx, p).await?;
        entry.commit(tx, now).await?;
        Ok(seq)
    })
    .await
}

/// Resolves request `id` (of an org in `org`'s subtree) with the result and the
/// requester's feedback.
pub async fn resolve(
    app: &App,
    grant: &Grant<RecordRequests>,
    org: &InScope<OrgRecord>,
    id: i64,
    r: &ResolutionDraft,
) -> Result<()> {
    let s = stored(app, org, id).await?;
    let today = app.today();
    let done = domain::check_resolution(r, s.received_on, s.resolved_on.is_some(), today)?;
    let actor = grant.actor();
    let now = app.now();
    let mut conn = app.store.acquire().await?;
    let assigned = jiceng_store::orgs::get(&mut conn, &Scope::All, s.org_id).await?;
    drop(conn);
    let entry = audit::Entry::new(actor, AuditAction::MassRequestResolve, id.to_string())
        .org(assigned.as_ref())
        .after(json!({
            "resolved_on": done.on.to_string(),
            "days": done.days,
            "feedback": done.feedback.code(),
        }));
    let (done, entry) = (&done, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        let first = store::resolve(
            &mut tx,
            id,
            done.on,
            &done.result,
            done.feedback,
            done.days,
            actor.username(),
        )
        .await?;
        if !first {
            return Err(refused("result", "该诉求已办结"));
        }
        entry.commit(tx, now).await
    })
    .await
}

/// Which requests a list shows, as the page's `status=` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Shown {
    #[default]
    All,
    Open,
    Overdue,
    Resolved,
}

impl Shown {
    pub const ALL: [Shown; 4] = [Shown::All, Shown::Open, Shown::Overdue, Shown::Resolved];

    pub fn code(self) -> &'static str {
        match self {
            Shown::All => "all",
            Shown::Open => "open",
            Shown::Overdue => "overdue",
            Shown::Resolved => "resolved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Shown::All => "全部",
            Shown::Open => "未办结",
            Shown::Overdue => "逾期未办结",
            Shown::Resolved => "已办结",
        }
    }

    /// By code; blank is all.
    pub fn parse(s: &str) -> Option<Shown> {
        match s.trim() {
            "" => Some(Shown::All),
            s => Shown::ALL.into_iter().find(|x| x.code() == s),
        }
    }
}

/// The requests of a subtree, counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestList {
    pub org: OrgRef,
    pub org_id: i64,
    pub shown: Shown,
    /// The month received (`2026-11`), if the list is of one.
    pub month: Option<String>,
    pub requests: Vec<MassRequest>,
    /// The counts of the subtree's requests (of the month, if one is chosen).
    pub counts: RequestCounts,
    pub overdue_days: i64,
    pub today: NaiveDate,
}

/// The requests assigned to orgs of `org`'s subtree — the open ones first, the oldest on
/// top — of `month` (`(year, month)`) if given, filtered by `shown`, and their counts (two
/// reads).
pub async fn list(
    app: &App,
    org: &InScope<OrgRecord>,
    shown_: Shown,
    month: Option<(i32, u32)>,
) -> Result<RequestList> {
    let period = month.map(|(y, m)| jiceng_domain::Period::Month(y, m));
    list_in(app, org, shown_, period).await
}

/// The requests of `org`'s subtree received in `period` (a month, a quarter, a year; all
/// when none), as [`list`] gives a month's: `jiceng report requests`.
pub async fn list_in(
    app: &App,
    org: &InScope<OrgRecord>,
    shown_: Shown,
    period: Option<jiceng_domain::Period>,
) -> Result<RequestList> {
    let today = app.today();
    let rules = rules(app);
    let before = rules.overdue_before(today);
    let range = period.map(|p| (p.first_day(), p.last_day()));
    let which = match shown_ {
        Shown::All => Which::All,
        Shown::Open => Which::Open,
        Shown::Overdue => Which::OverdueBefore(before),
        Shown::Resolved => Which::Resolved,
    };
    let mut conn = app.store.acquire().await?;
    let found = store::list(&mut conn, &org.subtree(), which, range, LIST_MAX).await?;
    let counts = store::counts(&mut conn, &org.subtree(), range, before).await?;
    let mut ids: Vec<i64> = found.iter().map(|r| r.org_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let orgs: std::collections::HashMap<i64, OrgRef> = jiceng_store::orgs::by_ids(&mut conn, &ids)
        .await?
        .iter()
        .map(|o| (o.org.id, OrgRef::of(&o.org)))
        .collect();
    drop(conn);
    let requests = found
        .into_iter()
        .map(|r| {
            let o = orgs.get(&r.org_id).cloned().unwrap_or(OrgRef {
                code: String::new(),
                name: String::new(),
            });
            shown(r, o, &rules, today)
        })
        .collect();
    Ok(RequestList {
        org: org.org_ref(),
        org_id: org.org.id,
        shown: shown_,
        month: period.map(|p| p.to_string()),
        requests,
        counts,
        overdue_days: rules.overdue_days,
        today,
    })
}

/// The open requests assigned to `org`'s subtree: how many, how many overdue, the earliest
/// day received (the reminders).
pub async fn open_of(app: &App, org: &InScope<OrgRecord>) -> Result<(i64, i64, Option<NaiveDate>)> {
    let before = rules(app).overdue_before(app.today());
    let mut conn = app.store.acquire().await?;
    Ok(store::open_of(&mut conn, &org.subtree(), None, before).await?)
}

/// A share as the pages print it (`75.0%`), or 暂无数据.
pub fn share_text(share: Option<f64>) -> String {
    share.map_or_else(|| "暂无数据".to_string(), |s| format!("{:.1}%", s * 100.0))
}

impl RequestList {
    /// Whether the list stopped at [`LIST_MAX`] (the counts are of all).
    pub fn capped(&self) -> bool {
        self.requests.len() as i64 >= LIST_MAX
    }

    pub fn rate_text(&self) -> String {
        share_text(self.counts.resolution_rate())
    }

    pub fn average_text(&self) -> String {
        self.counts
            .average_days()
            .map_or_else(|| "暂无数据".to_string(), |d| format!("{d:.1}天"))
    }

    pub fn satisfied_text(&self) -> String {
        share_text(self.counts.satisfied_share())
    }

    /// The workbook: the requests listed (no requester's name or phone), then the counts.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let names = |h: &[&str]| h.iter().map(|s| s.to_string()).collect();
        let span = self
            .month
            .as_ref()
            .map_or_else(String::new, |m| format!("{m}受理的"));
        let title = format!(
            "{}及以下{span}群众诉求（{}，截至{}）",
            self.org.name,
            self.shown.label(),
            self.today
        );
        let rows = self
            .requests
            .iter()
            .map(|r| {
                vec![
                    OutCell::Date(r.received_on),
                    text(r.channel.label()),
                    text(r.category.label()),
                    text(&r.content),
                    text(&r.by_org_name),
                    text(&r.org.name),
                    text(&r.org.code),
                    text(&r.handler),
                    text(r.status.label()),
                    OutCell::Int(r.days),
                    r.resolved_on.map_or(OutCell::Empty, OutCell::Date),
                    text(r.result.as_deref().unwrap_or("")),
                    text(r.feedback_label()),
                ]
            })
            .collect();
        let c = &self.counts;
        let counts = vec![
            vec![text("受理"), OutCell::Int(c.received)],
            vec![text("办结"), OutCell::Int(c.resolved)],
            vec![text("办结率"), text(&self.rate_text())],
            vec![text("平均办结天数"), text(&self.average_text())],
            vec![text("逾期未办结"), OutCell::Int(c.overdue)],
            vec![
                text("诉求人反馈满意（含基本满意）占比"),
                text(&self.satisfied_text()),
            ],
        ];
        vec![
            Sheet {
                name: "群众诉求".into(),
                title: title.clone(),
                headers: names(&[
                    "受理日期",
                    "渠道",
                    "类别",
                    "诉求内容",
                    "受理单位",
                    "承办党组织",
                    "组织代码",
                    "责任人",
                    "状态",
                    "天数",
                    "办结日期",
                    "办理结果",
                    "诉求人反馈",
                ]),
                rows,
            },
            Sheet {
                name: "统计".into(),
                title,
                headers: names(&["项目", "数值"]),
                rows: counts,
            },
        ]
    }
}
