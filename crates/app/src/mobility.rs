//! 流动党员 and 失联党员 (issue #15, point 2): a branch records that a member went away (外出:
//! where, since when, a phone, the 流动党员活动证 number) and came back, or that it lost
//! contact with a member and found them again, and its decision to suspend (停止党籍). What
//! the rules ask is derived each day and proposed to the branch — the relation transferred
//! after 6 months away, the suspension after 6 months lost, removal 2 years later — never
//! done by the system (`domain::mobility`). Removal is an exit (`member_exit`).

use chrono::NaiveDate;
use jiceng_domain::mobility::{self as rule, Proposal};
use jiceng_store::members::{self as member_store, StoredMember};
use jiceng_store::mobility::{self as store, StoredSpell};
use jiceng_store::{orgs as org_store, Scope};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Grant, InScope, Write};
use crate::audit::{self, AuditAction};
use crate::refusal::refused;
use crate::{App, AppError, OrgRecord, Result};

/// What the member page's forms and the API give: an action and its facts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MobilityInput {
    /// `away` (外出), `back` (返回), `lost` (失联), `found` (恢复联系), `suspend` (停止党籍).
    pub action: String,
    pub on: NaiveDate,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub certificate_no: Option<String>,
    #[serde(default)]
    pub decided_by: Option<String>,
    #[serde(default)]
    pub document: Option<String>,
}

/// A spell as a page shows it, with what the rules propose today.
#[derive(Debug, Clone, Serialize)]
pub struct SpellView {
    pub member_id: i64,
    pub name: String,
    pub id_number: String,
    pub org_name: String,
    /// 外出 or 失联.
    pub kind: &'static str,
    /// `None`: flagged on the roster without a recorded start (暂无数据: nothing proposed).
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub place: Option<String>,
    pub contact: Option<String>,
    pub certificate_no: Option<String>,
    pub suspended_on: Option<NaiveDate>,
    pub suspended_by: Option<String>,
    pub proposal: Option<&'static str>,
    pub proposal_code: Option<&'static str>,
}

fn spell_view(app: &App, s: &StoredSpell, (name, id, org): (&str, &str, &str)) -> SpellView {
    let today = app.today();
    // A flag without a recorded spell (id 0) has no start: unknown is not "6 months".
    let recorded = s.id != 0;
    let proposal = match (s.kind.as_str(), s.until) {
        _ if !recorded => None,
        ("away", None) => rule::away(&app.rules, s.since, today),
        ("lost", None) => rule::lost(&app.rules, s.since, s.suspended_on, today),
        _ => None,
    };
    SpellView {
        member_id: s.member_id,
        name: name.to_string(),
        id_number: id.to_string(),
        org_name: org.to_string(),
        kind: if s.kind == "away" { "外出" } else { "失联" },
        since: recorded.then_some(s.since),
        until: s.until,
        place: s.place.clone(),
        contact: s.contact_masked.clone(),
        certificate_no: s.certificate_no.clone(),
        suspended_on: s.suspended_on,
        suspended_by: s.suspended_by.clone(),
        proposal: proposal.map(Proposal::label),
        proposal_code: proposal.map(Proposal::code),
    }
}

/// How many of an org's subtree are away or lost now, and how many have a proposal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub away: usize,
    /// 流入党员 taking part in the life of the subtree's branches (not their members).
    pub incoming: usize,
    pub lost: usize,
    pub transfer_due: usize,
    pub suspension: usize,
    pub removal: usize,
}

impl Counts {
    fn add(&mut self, s: &SpellView) {
        if s.kind == "外出" {
            self.away += 1;
        } else {
            self.lost += 1;
        }
        match s.proposal_code {
            Some("transfer_due") => self.transfer_due += 1,
            Some("suspension") => self.suspension += 1,
            Some("removal") => self.removal += 1,
            _ => {}
        }
    }
}

/// One direct child's counts.
#[derive(Debug, Clone, Serialize)]
pub struct ChildCounts {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// The members of an org's subtree away or lost now, with what is proposed for each, and
/// the counts of the org and of each direct child (`jiceng report mobility`).
#[derive(Debug, Clone, Serialize)]
pub struct Mobility {
    pub org: crate::OrgRef,
    pub org_id: i64,
    pub today: NaiveDate,
    /// Those away and those lost, the oldest spells first, at most `LIST` each (the
    /// counts are complete).
    pub away: Vec<SpellView>,
    pub lost: Vec<SpellView>,
    pub away_total: usize,
    pub lost_total: usize,
    /// 流入党员 taking part in the subtree's branches now, the earliest first (at most
    /// `LIST`; `incoming_total` counts them all).
    pub incoming: Vec<crate::mobile_in::GuestView>,
    pub incoming_total: usize,
    /// How many of them have a proposal today, by its code.
    pub transfer_due: usize,
    pub suspension: usize,
    pub removal: usize,
    pub by_child: Vec<ChildCounts>,
    /// Members the records show with the rule's months without organizational life or
    /// dues (自行脱党), for the branch to decide.
    pub lapse: crate::lapse::Lapse,
}

/// The most people a list shows (a province's page counts everyone, lists the first).
pub const LIST: usize = 200;

/// Who is away or lost in the subtree of `org`, and what the rules propose today.
pub async fn mobility(app: &App, org: &InScope<OrgRecord>) -> Result<Mobility> {
    let mut conn = app.store.acquire().await?;
    let mut open = store::open_in_scope(&mut conn, &org.subtree()).await?;
    open.extend(store::flagged_without_spell(&mut conn, &org.subtree()).await?);
    let guests = jiceng_store::mobile_in::in_scope(&mut conn, &org.subtree(), true).await?;
    let mut ids: Vec<i64> = open
        .iter()
        .map(|o| o.org_id)
        .chain(guests.iter().map(|g| g.org_id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names: std::collections::HashMap<i64, String> = org_store::by_ids(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o.org.name))
        .collect();
    let children = org_store::children(&mut conn, &Scope::All, org.org.id).await?;
    drop(conn);
    let lapse = crate::lapse::lapse(app, org).await?;
    let (mut away, mut lost) = (Vec::new(), Vec::new());
    let mut total = Counts::default();
    let mut by_child: Vec<ChildCounts> = children
        .iter()
        .map(|c| ChildCounts {
            org_id: c.org.id,
            code: c.org.code.clone(),
            name: c.org.name.clone(),
            counts: Counts::default(),
        })
        .collect();
    for o in &open {
        let org_name = names.get(&o.org_id).map(String::as_str).unwrap_or("");
        let v = spell_view(app, &o.spell, (&o.name, &o.id_masked, org_name));
        total.add(&v);
        if let Some(i) = children
            .iter()
            .position(|c| o.org_path.starts_with(&c.path))
        {
            by_child[i].counts.add(&v);
        }
        let list = if o.spell.kind == "away" {
            &mut away
        } else {
            &mut lost
        };
        if list.len() < LIST {
            list.push(v);
        }
    }
    let mut incoming = Vec::new();
    for g in &guests {
        total.incoming += 1;
        if let Some(i) = children
            .iter()
            .position(|c| g.org_path.starts_with(&c.path))
        {
            by_child[i].counts.incoming += 1;
        }
        if incoming.len() < LIST {
            let name = names.get(&g.org_id).map(String::as_str).unwrap_or("");
            incoming.push(crate::mobile_in::view(g, name));
        }
    }
    Ok(Mobility {
        incoming,
        incoming_total: total.incoming,
        away_total: total.away,
        lost_total: total.lost,
        org: org.org_ref(),
        org_id: org.org.id,
        today: app.today(),
        transfer_due: total.transfer_due,
        suspension: total.suspension,
        removal: total.removal,
        away,
        lost,
        by_child,
        lapse,
    })
}

impl Mobility {
    /// The workbook: the counts by child org, then everyone away or lost (ID numbers
    /// masked) with what is proposed.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let int = |n: usize| OutCell::Int(n as i64);
        let counts = |name: &str, c: &Counts| {
            vec![
                text(name),
                int(c.away),
                int(c.transfer_due),
                int(c.lost),
                int(c.suspension),
                int(c.removal),
                int(c.incoming),
            ]
        };
        let mut rows: Vec<Vec<OutCell>> = self
            .by_child
            .iter()
            .map(|c| counts(&c.name, &c.counts))
            .collect();
        let total = Counts {
            incoming: self.incoming_total,
            away: self.away_total,
            lost: self.lost_total,
            transfer_due: self.transfer_due,
            suspension: self.suspension,
            removal: self.removal,
        };
        rows.push(counts("合计", &total));
        let people = self
            .away
            .iter()
            .chain(&self.lost)
            .map(|s| {
                vec![
                    text(&s.name),
                    text(&s.id_number),
                    text(&s.org_name),
                    text(s.kind),
                    s.since
                        .map_or(OutCell::Text("未登记".into()), OutCell::Date),
                    text(s.place.as_deref().unwrap_or("")),
                    text(s.proposal.unwrap_or("")),
                ]
            })
            .collect();
        let head = format!("{}（截至{}）", self.org.name, self.today);
        vec![
            Sheet {
                name: "流动和失联".into(),
                title: format!("{head}流动党员和失联党员"),
                headers: [
                    "党组织",
                    "外出",
                    "其中应转移组织关系",
                    "失联",
                    "应启动停止党籍",
                    "应启动除名",
                    "流入",
                ]
                .map(String::from)
                .to_vec(),
                rows,
            },
            Sheet {
                name: "名单".into(),
                title: format!("{head}外出和失联党员名单"),
                headers: [
                    "姓名",
                    "公民身份号码",
                    "党组织",
                    "情况",
                    "起始日期",
                    "外出地点",
                    "提示",
                ]
                .map(String::from)
                .to_vec(),
                rows: people,
            },
            Sheet {
                name: "流入党员".into(),
                title: format!("{head}流入党员（参加组织生活，无表决权）"),
                headers: [
                    "姓名",
                    "公民身份号码",
                    "参加组织生活的党支部",
                    "组织关系所在党组织",
                    "流入日期",
                    "流动党员活动证号",
                ]
                .map(String::from)
                .to_vec(),
                rows: self
                    .incoming
                    .iter()
                    .map(|g| {
                        vec![
                            text(&g.name),
                            text(&g.id_number),
                            text(&g.org_name),
                            text(&g.home_org),
                            OutCell::Date(g.since),
                            text(g.certificate_no.as_deref().unwrap_or("")),
                        ]
                    })
                    .collect(),
            },
            Sheet {
                name: "自行脱党提示".into(),
                title: format!(
                    "{}{}至{}连续{}个月未参加组织生活或未交纳党费的党员（提交党支部研究）",
                    self.org.name, self.lapse.from, self.lapse.to, self.lapse.months
                ),
                headers: ["姓名", "公民身份号码", "党组织", "情形"]
                    .map(String::from)
                    .to_vec(),
                rows: self
                    .lapse
                    .cases
                    .iter()
                    .map(|c| {
                        vec![
                            text(&c.name),
                            text(&c.id_number),
                            text(&c.org_name),
                            text(&c.reasons.join("；")),
                        ]
                    })
                    .collect(),
            },
        ]
    }
}

/// A member's spells for the member page (the reader sees the member).
pub(crate) async fn of_member(
    app: &App,
    m: &StoredMember,
    org_name: &str,
) -> Result<Vec<SpellView>> {
    let mut conn = app.store.acquire().await?;
    Ok(store::of_member(&mut conn, m.id)
        .await?
        .iter()
        .map(|s| spell_view(app, s, (&m.name, &m.id_masked, org_name)))
        .collect())
}

fn text(
    field: &'static str,
    label: &'static str,
    v: &Option<String>,
    max: usize,
) -> Result<Option<String>> {
    let v = crate::trimmed(v);
    jiceng_domain::text::TextField::new(label, max)
        .check(v.as_deref().unwrap_or(""))
        .map_err(|e| refused(field, e))?;
    Ok(v)
}

/// A phone to reach someone away (field `contact`), checked: its cipher and masked copy.
pub(crate) fn contact(app: &App, raw: &Option<String>) -> Result<(Option<String>, Option<String>)> {
    Ok(match crate::trimmed(raw) {
        Some(p) => {
            let p = crate::privacy::check_phone(&p).map_err(|e| refused("contact", e))?;
            let (c, masked) = app.crypto.protect_phone(&p);
            (Some(c), Some(masked))
        }
        None => (None, None),
    })
}

/// Records one action of `input` for the member `id` (in the actor's scope).
pub async fn record(app: &App, grant: &Grant<Write>, id: i64, input: &MobilityInput) -> Result<()> {
    let actor = grant.actor();
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let before = member_store::get(&mut conn, &actor.scope, id)
        .await?
        .filter(|m| m.exited_on.is_none())
        .ok_or_else(|| AppError::NotFound("党员".into()))?;
    let spells = store::of_member(&mut conn, id).await?;
    let org = org_store::get(&mut conn, &Scope::All, before.org_id)
        .await?
        .ok_or_else(|| AppError::NotFound("党组织".into()))?;
    drop(conn);
    let on = input.on;
    if on > today {
        return Err(refused("on", format!("日期晚于今天：{on}")));
    }
    let open = |kind: &str| {
        spells
            .iter()
            .find(|s| s.kind == kind && s.until.is_none())
            .cloned()
    };
    let mut m = before.clone();
    let (spell, is_new) = match input.action.as_str() {
        "away" | "lost" => {
            let kind = input.action.as_str();
            if open(kind).is_some() {
                let what = if kind == "away" { "外出" } else { "失联" };
                return Err(refused(
                    "action",
                    format!("{}已登记为{what}，请先登记返回或恢复联系", m.name),
                ));
            }
            if on < m.joined_on {
                return Err(refused(
                    "on",
                    format!("日期{on}早于入党日期{}", m.joined_on),
                ));
            }
            let place = text("place", "外出地点", &input.place, 100)?;
            if kind == "away" && place.is_none() {
                return Err(refused("place", "请填写外出地点（省市县及单位）"));
            }
            let (contact_cipher, contact_masked) = contact(app, &input.contact)?;
            if kind == "away" {
                m.mobile = true;
            } else {
                m.lost_contact = true;
            }
            let s = StoredSpell {
                id: app.store.reserve_ids("member_mobility", 1).await?,
                member_id: id,
                kind: kind.to_string(),
                since: on,
                until: None,
                place: if kind == "away" { place } else { None },
                contact_cipher,
                contact_masked,
                certificate_no: text(
                    "certificate_no",
                    "流动党员活动证号",
                    &input.certificate_no,
                    40,
                )?,
                suspended_on: None,
                suspended_by: None,
                suspension_document: None,
                recorded_by: actor.username().to_string(),
                recorded_at: app.now().to_rfc3339(),
            };
            (s, true)
        }
        "back" | "found" => {
            let kind = if input.action == "back" {
                "away"
            } else {
                "lost"
            };
            let mut s = open(kind).ok_or_else(|| {
                refused(
                    "action",
                    if kind == "away" {
                        "该党员没有登记外出"
                    } else {
                        "该党员没有登记失联"
                    },
                )
            })?;
            if on < s.since {
                return Err(refused(
                    "on",
                    format!("日期{on}早于登记的开始日期{}", s.since),
                ));
            }
            s.until = Some(on);
            if kind == "away" {
                m.mobile = false;
            } else {
                m.lost_contact = false;
            }
            (s, false)
        }
        "suspend" => {
            let mut s = open("lost").ok_or_else(|| refused("action", "该党员没有登记失联"))?;
            if s.suspended_on.is_some() {
                return Err(refused("action", "已作出停止党籍的决定"));
            }
            let from = rule::suspension_from(&app.rules, s.since);
            if on < from {
                return Err(refused(
                    "on",
                    format!("失联自{}起未满6个月（{from}起可启动停止党籍程序）", s.since),
                ));
            }
            let by = text("decided_by", "决定机关", &input.decided_by, 100)?
                .ok_or_else(|| refused("decided_by", "请写明作出决定的党组织"))?;
            s.suspended_on = Some(on);
            s.suspended_by = Some(by);
            s.suspension_document = text("document", "文号", &input.document, 200)?;
            (s, false)
        }
        other => return Err(refused("action", format!("无法识别的登记事项：{other}"))),
    };
    write(app, actor, (&before, &m), (&spell, is_new), &org).await
}

async fn write(
    app: &App,
    actor: &Actor,
    (before, m): (&StoredMember, &StoredMember),
    (spell, is_new): (&StoredSpell, bool),
    org: &OrgRecord,
) -> Result<()> {
    audit::Entry::new(
        actor,
        AuditAction::MemberMobility,
        format!("member:{}", m.id),
    )
    .org(org)
    .after(serde_json::json!({
        "name": m.name,
        "kind": spell.kind,
        "since": spell.since,
        "until": spell.until,
        "place": spell.place,
        "contact": spell.contact_masked,
        "suspended_on": spell.suspended_on,
        "suspended_by": spell.suspended_by,
    }))
    .write(app, |mut tx| async move {
        if is_new {
            store::insert(&mut tx, spell).await?;
        } else {
            store::update(&mut tx, spell).await?;
        }
        if m != before {
            member_store::update(&mut tx, m).await?;
        }
        Ok(tx)
    })
    .await
}
