//! 结对共建 (SPEC C8: 部门包村, 企业联村, 村居共建, 机关联支部): which org, department or
//! enterprise — an org of the tree, or a body outside it named as text — supports which
//! grassroots org, with what, since when and until when. Shown on both sides' org pages;
//! counted by the department over its subtree (by kind, and the grassroots orgs without
//! any pairing): grouped reads by the path range. Audited.

use chrono::{Datelike, NaiveDate};
use jiceng_domain::disclosure::DisclosureError;
use jiceng_domain::pairing::{self as domain, PairingDraft, PairingKind};
use jiceng_domain::OrgKind;
use jiceng_store::pairing::{self as store, StoredPairing};
use jiceng_store::Scope;
use serde::Serialize;
use serde_json::json;

use crate::access::{Grant, InScope, OrgKey, RecordPairing};
use crate::audit::{self, AuditAction};
use crate::auth::time_text;
use crate::refusal::refused;
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// How many pairings and unpaired orgs a page lists.
pub const LIST_MAX: i64 = 500;

/// The kinds of org that are grassroots (基层党组织) and may be supported.
pub const GRASSROOTS: [OrgKind; 3] = [
    OrgKind::PrimaryCommittee,
    OrgKind::GeneralBranch,
    OrgKind::Branch,
];

fn refusal(e: DisclosureError) -> AppError {
    refused(e.field, e.message)
}

/// A pairing as written: the form's fields, the supported org (blank: the org the page is
/// of), the supporting org of the tree (or the draft's outside body).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPairing {
    pub draft: PairingDraft,
    /// The supported grassroots org, as typed (id, code or exact name).
    pub supported: String,
    /// The supporting org of the tree, as typed; blank: the draft's `partner_name`.
    pub partner_org: String,
}

/// A pairing as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pairing {
    pub id: i64,
    pub org_id: i64,
    pub org: OrgRef,
    pub partner_org_id: Option<i64>,
    pub partner_name: String,
    pub kind: PairingKind,
    pub content: String,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
    pub holds: bool,
    pub recorded_by: String,
}

impl Pairing {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }

    pub fn until_text(&self) -> String {
        self.until.map_or_else(|| "至今".into(), |d| d.to_string())
    }
}

fn shown(p: StoredPairing, org: OrgRef, today: NaiveDate) -> Pairing {
    Pairing {
        id: p.id,
        org_id: p.org_id,
        org,
        partner_org_id: p.partner_org_id,
        partner_name: p.partner_name,
        kind: p.kind,
        content: p.content,
        holds: domain::holds_on(p.since, p.until, today),
        since: p.since,
        until: p.until,
        recorded_by: p.recorded_by,
    }
}

async fn find(
    app: &App,
    grant_actor: &crate::access::Actor,
    field: &'static str,
    key: &str,
    what: &str,
) -> Result<InScope<OrgRecord>> {
    crate::access::resolve(app, grant_actor, &OrgKey::Key(key.to_string()))
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) | AppError::OrgNotFound(_) => {
                refused(field, format!("找不到{what}“{key}”"))
            }
            e @ AppError::OrgAmbiguous { .. } => refused(field, e.to_string()),
            other => other,
        })
}

/// Records a pairing supporting a grassroots org of `org`'s subtree. Returns its id.
pub async fn record(
    app: &App,
    grant: &Grant<RecordPairing>,
    org: &InScope<OrgRecord>,
    new: &NewPairing,
) -> Result<i64> {
    let today = app.today();
    let c = domain::check(&new.draft, today).map_err(refusal)?;
    let actor = grant.actor();
    let supported = match new.supported.trim() {
        "" => (**org).clone(),
        key => {
            let found = find(app, actor, "supported", key, "结对的基层党组织").await?;
            if !org.subtree().contains(&found.path) {
                return Err(refused(
                    "supported",
                    format!("{}不在{}及以下", found.org.name, org.org.name),
                ));
            }
            found.into_inner()
        }
    };
    if !GRASSROOTS.contains(&supported.org.kind) {
        return Err(refused(
            "supported",
            format!(
                "{}是{}：结对共建的对象是基层党组织（基层党委、党总支、党支部）",
                supported.org.name,
                supported.org.kind.label()
            ),
        ));
    }
    let partner = match new.partner_org.trim() {
        "" => None,
        key => Some(
            find(app, actor, "partner_org", key, "结对的党组织")
                .await?
                .into_inner(),
        ),
    };
    let partner_name = match (&partner, &c.partner_name) {
        (Some(p), _) => p.org.name.clone(),
        (None, Some(n)) => n.clone(),
        (None, None) => {
            return Err(refused(
                "partner_name",
                "请填写结对单位：选择本系统中的党组织，或填写单位名称",
            ))
        }
    };
    if partner
        .as_ref()
        .is_some_and(|p| p.org.id == supported.org.id)
    {
        return Err(refused("partner_org", "结对双方不能是同一个党组织"));
    }
    let id = app.store.reserve_ids("pairing", 1).await?;
    let now = app.now();
    let stored = StoredPairing {
        id,
        org_id: supported.org.id,
        org_path: supported.path.clone(),
        partner_org_id: partner.as_ref().map(|p| p.org.id),
        partner_path: partner.as_ref().map(|p| p.path.clone()),
        partner_name,
        kind: c.kind,
        content: c.content.clone(),
        since: c.since,
        until: c.until,
        recorded_by: actor.username().to_string(),
        recorded_at: time_text(now),
    };
    let entry = audit::Entry::new(actor, AuditAction::PairingRecord, id.to_string())
        .org(Some(&supported))
        .after(json!({
            "kind": c.kind.code(),
            "partner_org": stored.partner_org_id,
            "partner_name": stored.partner_name,
            "content": stored.content,
            "since": c.since.to_string(),
            "until": c.until.map(|d| d.to_string()),
        }));
    let (stored, entry) = (&stored, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::insert(&mut tx, stored).await?;
        entry.commit(tx, now).await
    })
    .await?;
    Ok(id)
}

/// Ends pairing `id` (of a supported org of `org`'s subtree) on `until` (blank: today).
pub async fn end(
    app: &App,
    grant: &Grant<RecordPairing>,
    org: &InScope<OrgRecord>,
    id: i64,
    until: Option<NaiveDate>,
) -> Result<()> {
    let today = app.today();
    let until = until.unwrap_or(today);
    let mut conn = app.store.acquire().await?;
    let p = store::get(&mut conn, &org.subtree(), id)
        .await?
        .filter(|p| org.subtree().contains(&p.org_path))
        .ok_or_else(|| AppError::NotFound("结对共建".into()))?;
    let owner = jiceng_store::orgs::get(&mut conn, &Scope::All, p.org_id).await?;
    drop(conn);
    if until < p.since {
        return Err(refused(
            "until",
            format!("结束日期{until}早于开始日期{}", p.since),
        ));
    }
    if until > today {
        return Err(refused(
            "until",
            format!("结束日期{until}晚于今天（{today}）"),
        ));
    }
    let actor = grant.actor();
    let now = app.now();
    let entry = audit::Entry::new(actor, AuditAction::PairingEnd, id.to_string())
        .org(owner.as_ref())
        .before(json!({ "until": p.until.map(|d| d.to_string()) }))
        .after(json!({ "until": until.to_string() }));
    let entry = &entry;
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        if !store::end(&mut tx, id, until).await? {
            return Err(refused("until", "该结对已在此日期前结束"));
        }
        entry.commit(tx, now).await
    })
    .await
}

/// The pairings org `org_id` is on either side of: as the supported org, and as the
/// supporter. For its page.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct OrgPairings {
    /// The org is supported by these.
    pub supported_by: Vec<Pairing>,
    /// The org supports these.
    pub supports: Vec<Pairing>,
}

impl OrgPairings {
    pub fn is_empty(&self) -> bool {
        self.supported_by.is_empty() && self.supports.is_empty()
    }
}

/// The pairings of org `org_id` on both sides (the org's page shows them).
pub async fn of_org(app: &App, org_id: i64) -> Result<OrgPairings> {
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let found = store::of_org(&mut conn, org_id).await?;
    let mut ids: Vec<i64> = found.iter().map(|p| p.org_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let orgs: std::collections::HashMap<i64, OrgRef> = jiceng_store::orgs::by_ids(&mut conn, &ids)
        .await?
        .iter()
        .map(|o| (o.org.id, OrgRef::of(&o.org)))
        .collect();
    drop(conn);
    let mut out = OrgPairings::default();
    for p in found {
        let o = orgs.get(&p.org_id).cloned().unwrap_or_default();
        let supported = p.org_id == org_id;
        let s = shown(p, o, today);
        if supported {
            out.supported_by.push(s);
        } else {
            out.supports.push(s);
        }
    }
    Ok(out)
}

/// A subtree's pairings counted on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairingOverview {
    pub org: OrgRef,
    pub org_id: i64,
    pub on: NaiveDate,
    /// Pairings holding on the day, by kind (every kind, zero included).
    pub by_kind: Vec<(PairingKind, i64)>,
    pub total: i64,
    /// Grassroots orgs supported by at least one pairing.
    pub covered: i64,
    /// Grassroots orgs of the subtree with no pairing, how many and the first ones.
    pub unpaired_total: i64,
    pub unpaired: Vec<OrgRef>,
    /// The pairings holding on the day (at most [`LIST_MAX`]).
    pub pairings: Vec<Pairing>,
}

impl PairingOverview {
    pub fn kind_rows(&self) -> Vec<(&'static str, i64)> {
        self.by_kind.iter().map(|(k, n)| (k.label(), *n)).collect()
    }
}

/// The pairings of `org`'s subtree holding on `on` (today if none): by kind, the orgs
/// covered, the grassroots orgs without any pairing, and the list.
pub async fn overview(
    app: &App,
    org: &InScope<OrgRecord>,
    on: Option<NaiveDate>,
) -> Result<PairingOverview> {
    let today = app.today();
    let on = on.unwrap_or(today);
    let scope = org.subtree();
    let mut conn = app.store.acquire().await?;
    let (counts, covered) = store::counts(&mut conn, &scope, on).await?;
    let kinds: Vec<&str> = GRASSROOTS.iter().map(|k| k.code()).collect();
    let (unpaired_total, unpaired) =
        store::unpaired(&mut conn, &scope, &kinds, on, LIST_MAX).await?;
    let found = store::in_scope(&mut conn, &scope, on, LIST_MAX).await?;
    let mut ids: Vec<i64> = found.iter().map(|p| p.org_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let orgs: std::collections::HashMap<i64, OrgRef> = jiceng_store::orgs::by_ids(&mut conn, &ids)
        .await?
        .iter()
        .map(|o| (o.org.id, OrgRef::of(&o.org)))
        .collect();
    drop(conn);
    let by_kind: Vec<(PairingKind, i64)> = PairingKind::ALL
        .iter()
        .map(|k| {
            (
                *k,
                counts.iter().find(|(c, _)| c == k).map_or(0, |(_, n)| *n),
            )
        })
        .collect();
    Ok(PairingOverview {
        org: org.org_ref(),
        org_id: org.org.id,
        on,
        total: by_kind.iter().map(|(_, n)| n).sum(),
        by_kind,
        covered,
        unpaired_total,
        unpaired: unpaired
            .into_iter()
            .map(|(_, code, name)| OrgRef { code, name })
            .collect(),
        pairings: found
            .into_iter()
            .map(|p| {
                let o = orgs.get(&p.org_id).cloned().unwrap_or_default();
                shown(p, o, today)
            })
            .collect(),
    })
}

/// The day a year's report is of: the year's last day, or today within the year.
pub fn as_of_year(app: &App, year: i32) -> NaiveDate {
    let today = app.today();
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
    if year >= today.year() {
        today.min(last)
    } else {
        last
    }
}

impl PairingOverview {
    /// The workbook: the counts by kind, the pairings, the grassroots orgs unpaired.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let names = |h: &[&str]| h.iter().map(|s| s.to_string()).collect();
        let mut counts: Vec<Vec<OutCell>> = self
            .by_kind
            .iter()
            .map(|(k, n)| vec![text(k.label()), OutCell::Int(*n)])
            .collect();
        counts.push(vec![text("合计"), OutCell::Int(self.total)]);
        counts.push(vec![text("有结对的基层党组织"), OutCell::Int(self.covered)]);
        counts.push(vec![
            text("无结对的基层党组织"),
            OutCell::Int(self.unpaired_total),
        ]);
        vec![
            Sheet {
                name: "结对共建统计".into(),
                title: format!("{}及以下结对共建（截至{}）", self.org.name, self.on),
                headers: names(&["项目", "数量"]),
                rows: counts,
            },
            Sheet {
                name: "结对共建".into(),
                title: format!("{}及以下在结对的结对共建（截至{}）", self.org.name, self.on),
                headers: names(&[
                    "结对形式",
                    "受援党组织",
                    "组织代码",
                    "结对单位",
                    "共建内容",
                    "开始日期",
                    "结束日期",
                ]),
                rows: self
                    .pairings
                    .iter()
                    .map(|p| {
                        vec![
                            text(p.kind.label()),
                            text(&p.org.name),
                            text(&p.org.code),
                            text(&p.partner_name),
                            text(&p.content),
                            OutCell::Date(p.since),
                            p.until.map_or(OutCell::Empty, OutCell::Date),
                        ]
                    })
                    .collect(),
            },
            Sheet {
                name: "无结对的基层党组织".into(),
                title: format!(
                    "{}及以下无结对的基层党组织（共{}个，截至{}）",
                    self.org.name, self.unpaired_total, self.on
                ),
                headers: names(&["组织代码", "名称"]),
                rows: self
                    .unpaired
                    .iter()
                    .map(|o| vec![text(&o.code), text(&o.name)])
                    .collect(),
            },
        ]
    }
}
