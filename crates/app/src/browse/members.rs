//! The member roster (a page, or all for an export) and a member's page.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_store::browse::{self as browse_store, MemberFilter, MemberSort};
use jiceng_store::members::StoredMember;
use jiceng_store::orgs::{self as org_store, StoredOrg};
use jiceng_store::{positions as position_store, Scope};
use serde::Serialize;

use super::{
    bounded_page, breadcrumb, last_page, name_in, not_found, org_names, places_of, Page, Place,
    PositionRow, MAX_PAGE_SIZE,
};
use crate::access::{Action, Actor, InScope, Role};
use crate::{App, AppError, Result};

/// A member as lists show them: the ID number and the phone masked.
#[derive(Debug, Clone, Serialize)]
pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub id_masked: String,
    pub education: Option<String>,
    pub status: String,
    pub joined_on: NaiveDate,
    pub full_on: Option<NaiveDate>,
    pub occupation: Option<String>,
    pub phone_masked: Option<String>,
    pub org_id: i64,
    pub org_name: String,
    /// 所在党小组, where a list asks for it (the roster's export).
    #[serde(skip)]
    pub group_name: Option<String>,
}

impl MemberRow {
    fn of(m: &StoredMember, org_name: &str) -> MemberRow {
        MemberRow {
            id: m.id,
            name: m.name.clone(),
            gender: m.gender.label().into(),
            ethnicity: m.ethnicity.clone(),
            birth_date: m.birth_date,
            id_masked: m.id_masked.clone(),
            education: m.education.map(|e| e.label().to_string()),
            status: m.status.label().into(),
            joined_on: m.joined_on,
            full_on: m.full_on,
            occupation: m.occupation.clone(),
            phone_masked: m.phone_masked.clone(),
            org_id: m.org_id,
            org_name: org_name.to_string(),
            group_name: None,
        }
    }
}

/// A roster query: an org (its subtree, or only the org itself), a name or an exact ID
/// number, a sort and a page.
#[derive(Debug, Clone, Default)]
pub struct MemberQuery {
    pub org: Option<InScope<StoredOrg>>,
    pub direct_only: bool,
    pub q: Option<String>,
    /// 人员类别 and flags: Full, Probationary, mobile (流动), lost (失联).
    pub kind: Option<String>,
    /// Male or Female.
    pub gender: Option<String>,
    /// An age band's code ([`AGE_BANDS`]).
    pub age: Option<String>,
    /// A band of 党龄 ([`YEAR_BANDS`]).
    pub years: Option<String>,
    /// An education's label (大学本科…).
    pub education: Option<String>,
    pub sort: MemberSort,
    pub page: i64,
    pub page_size: i64,
}

/// The roster's age bands (the 党内统计公报's): code, label, youngest and oldest age.
pub const AGE_BANDS: [(&str, &str, u32, u32); 8] = [
    ("-30", "30岁及以下", 0, 30),
    ("31-35", "31—35岁", 31, 35),
    ("36-40", "36—40岁", 36, 40),
    ("41-45", "41—45岁", 41, 45),
    ("46-50", "46—50岁", 46, 50),
    ("51-55", "51—55岁", 51, 55),
    ("56-60", "56—60岁", 56, 60),
    ("61-", "61岁及以上", 61, 200),
];

/// The roster's bands of 党龄 (whole years since joining): code, label, fewest and most.
pub const YEAR_BANDS: [(&str, &str, u32, u32); 6] = [
    ("-4", "不满5年", 0, 4),
    ("5-10", "5—10年", 5, 10),
    ("11-20", "11—20年", 11, 20),
    ("21-30", "21—30年", 21, 30),
    ("31-50", "31—50年", 31, 50),
    ("51-", "50年以上", 51, 200),
];

/// The days of a band of whole years before `today`: after the first day (more than `hi`
/// years ago) and on or before the second (`lo` years ago).
fn band_days(
    bands: &[(&str, &str, u32, u32)],
    code: &str,
    today: NaiveDate,
) -> Option<(NaiveDate, NaiveDate)> {
    let (_, _, lo, hi) = bands.iter().find(|b| b.0 == code)?;
    let back = |years: u32| {
        today
            .checked_sub_months(chrono::Months::new(12 * years))
            .unwrap_or(NaiveDate::MIN)
    };
    Some((back(hi + 1), back(*lo)))
}

/// A page of the roster.
pub type MemberPage = Page<MemberRow>;

/// Whether `q` is an ID number (18 characters, digits and a final X); such a query
/// matches the keyed hash of the exact number, never a pattern.
fn as_id_number(q: &str) -> Option<jiceng_domain::IdNumber> {
    let q = q.trim();
    if q.chars().count() == 18 && q.chars().take(17).all(|c| c.is_ascii_digit()) {
        jiceng_domain::IdNumber::parse(q).ok()
    } else {
        None
    }
}

/// The scope and filter a member query reads through, for the actor.
async fn member_read(
    app: &App,
    actor: &Actor,
    query: &MemberQuery,
) -> Result<(Scope, MemberFilter, Option<StoredOrg>)> {
    let mut filter = MemberFilter {
        sort: query.sort,
        ..Default::default()
    };
    if actor.role == Role::Member {
        // Self only: an impossible id when the account is linked to no member.
        filter.member_id = Some(actor.member_id.unwrap_or(-1));
    }
    let mut scope = actor.scope.clone();
    let mut root = None;
    if let Some(o) = &query.org {
        if query.direct_only {
            filter.org_id = Some(o.org.id);
        } else {
            scope = o.subtree();
        }
        root = Some(StoredOrg::clone(o));
    } else if let (Some(home), true) = (actor.org_id, actor.may(Action::ReadData)) {
        // The whole scope is the home org's subtree: its stored count is the total.
        let mut conn = app.store.acquire().await?;
        root = org_store::get(&mut conn, &actor.scope, home).await?;
    }
    match query.kind.as_deref() {
        Some("Full") | Some("Probationary") => filter.status = query.kind.clone(),
        Some("mobile") => filter.mobile = true,
        Some("lost") => filter.lost_contact = true,
        _ => {}
    }
    filter.gender = query
        .gender
        .clone()
        .filter(|g| g == "Male" || g == "Female");
    let today = app.today();
    filter.born = query
        .age
        .as_deref()
        .and_then(|a| band_days(&AGE_BANDS, a, today));
    filter.joined = query
        .years
        .as_deref()
        .and_then(|y| band_days(&YEAR_BANDS, y, today));
    filter.education = query
        .education
        .as_deref()
        .and_then(jiceng_domain::Education::parse_label)
        .map(|e| e.label().to_string());
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        match as_id_number(q) {
            Some(id) => filter.id_hash = Some(app.crypto.id_hash(&id)),
            None if q.chars().count() == 18 && q.chars().take(17).all(|c| c.is_ascii_digit()) => {
                return Err(AppError::Input(format!("公民身份号码无效：{q}")));
            }
            None => filter.name_like = Some(q.to_string()),
        }
    }
    Ok((scope, filter, root))
}

/// A page of the roster. A page beyond the end is the last page.
pub async fn members(app: &App, actor: &Actor, query: &MemberQuery) -> Result<MemberPage> {
    let page_size = query.page_size.clamp(1, MAX_PAGE_SIZE);
    let mut page = bounded_page(query.page, page_size);
    let (scope, filter, root) = member_read(app, actor, query).await?;
    // An unfiltered subtree list takes its total from the stored facts (SCALE.md).
    let unfiltered = !filter.narrows();
    let known_total = match (&root, unfiltered) {
        (Some(o), true) if filter.org_id.is_some() => Some(o.facts.direct_members),
        (Some(o), true) => Some(o.facts.subtree_members),
        _ => None,
    };
    if let Some(t) = known_total {
        page = page.min(last_page(t, page_size));
    }
    let mut conn = app.store.acquire().await?;
    let (mut rows, total) = browse_store::members_page(
        &mut conn,
        &scope,
        &filter,
        (page - 1) * page_size,
        page_size,
        known_total,
    )
    .await?;
    if page > last_page(total, page_size) {
        page = last_page(total, page_size);
        rows = browse_store::members_page(
            &mut conn,
            &scope,
            &filter,
            (page - 1) * page_size,
            page_size,
            Some(total),
        )
        .await?
        .0;
    }
    let names = org_names(&mut conn, rows.iter().map(|m| m.org_id)).await?;
    Ok(MemberPage {
        items: rows
            .iter()
            .map(|m| MemberRow::of(m, name_in(&names, m.org_id)))
            .collect(),
        total,
        page,
        page_size,
    })
}

/// Every member a query matches (for an export), at most `cap`.
pub async fn members_all(
    app: &App,
    actor: &Actor,
    query: &MemberQuery,
    cap: i64,
) -> Result<(Vec<MemberRow>, HashMap<i64, Place>)> {
    let (scope, filter, _) = member_read(app, actor, query).await?;
    let mut conn = app.store.acquire().await?;
    let (rows, _) = browse_store::members_page(&mut conn, &scope, &filter, 0, cap, Some(0)).await?;
    let names = org_names(&mut conn, rows.iter().map(|m| m.org_id)).await?;
    let places = places_of(&mut conn, rows.iter().map(|m| m.org_id)).await?;
    // 所在党小组: a live group under the member's org.
    let mut group_ids: Vec<i64> = rows.iter().filter_map(|m| m.group_id).collect();
    group_ids.sort_unstable();
    group_ids.dedup();
    let groups: HashMap<i64, StoredOrg> = org_store::by_ids(&mut conn, &group_ids)
        .await?
        .into_iter()
        .filter(|g| g.org.kind == jiceng_domain::OrgKind::Group && g.org.dissolved_on.is_none())
        .map(|g| (g.org.id, g))
        .collect();
    Ok((
        rows.iter()
            .map(|m| MemberRow {
                group_name: m
                    .group_id
                    .and_then(|g| groups.get(&g))
                    .filter(|g| g.org.parent_id == Some(m.org_id))
                    .map(|g| g.org.name.clone()),
                ..MemberRow::of(m, name_in(&names, m.org_id))
            })
            .collect(),
        places,
    ))
}

/// The member page.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    #[serde(flatten)]
    pub member: MemberRow,
    pub mobile: bool,
    pub lost_contact: bool,
    pub breadcrumb: Vec<(i64, String)>,
    pub positions: Vec<PositionRow>,
    /// The actor may ask for the full ID number (audited).
    pub can_reveal: bool,
    pub can_edit: bool,
    /// How the member joined through jiceng's 发展党员 records (none: joined before, or
    /// recorded elsewhere).
    pub recruitment: Option<RecruitmentHistory>,
    /// The letters of 组织关系转接 about the member, oldest first.
    pub transfers: Vec<crate::transfer::LetterView>,
    /// The actor may issue a letter for the member (none is waiting).
    pub can_transfer: bool,
    /// How the member left, if they did (出党).
    pub exit: Option<crate::member_exit::ExitView>,
    /// The actor may record the member's exit.
    pub can_exit: bool,
    /// The member's spells away (外出) and lost (失联), oldest first, with what the rules
    /// propose for one still lasting.
    pub mobility: Vec<crate::mobility::SpellView>,
    /// A spell away, or lost, is recorded and lasts (the page offers to end it; a roster's
    /// flag alone asks for its start first).
    pub away_open: bool,
    pub lost_open: bool,
    /// Where the member takes (took) part in organizational life as a 流入党员 elsewhere.
    pub guest_at: Vec<crate::mobile_in::GuestView>,
    /// The member's 党费 (none: no base recorded yet).
    pub dues: Option<crate::dues::MemberDues>,
    /// The actor may set the base and record payments.
    pub can_record_dues: bool,
    /// The member's life as one timeline, oldest first: admission and confirmation (and
    /// the 发展 steps before them), offices, transfers, spells away and lost, trainings,
    /// dues bases, the exit.
    pub timeline: Vec<LifeEvent>,
    /// The member's trainings and this year's hours against what they owe (`None`: the
    /// member has left).
    pub training: Option<crate::training::MemberTraining>,
    /// 党龄: whole years since joining.
    pub party_years: i64,
    /// 所在党小组 (none: not in a group, or the branch has none).
    pub group: Option<crate::reports::OrgRef>,
    /// 民主评议 grades, latest first.
    pub evaluations: Vec<crate::meetings::evaluation::MemberGrade>,
    /// This year's attendance (`None`: no meeting named the member).
    pub attendance: Option<Attendance>,
}

/// A member's attendance this year at the meetings that named them.
#[derive(Debug, Clone, Serialize)]
pub struct Attendance {
    pub present: usize,
    pub named: usize,
    pub rate: f64,
}

/// One dated event of a member's life.
#[derive(Debug, Clone, Serialize)]
pub struct LifeEvent {
    pub on: NaiveDate,
    /// 发展, 入党, 转正, 职务, 转接, 流动, 失联, 培训, 党费, 出党.
    pub kind: &'static str,
    pub what: String,
}

/// The events of a member page, oldest first (a day's events in the order listed here).
fn timeline(v: &MemberView) -> Vec<LifeEvent> {
    let mut out = Vec::new();
    let mut push =
        |on: NaiveDate, kind: &'static str, what: String| out.push(LifeEvent { on, kind, what });
    if let Some(r) = &v.recruitment {
        for (step, on) in &r.steps {
            push(*on, "发展", step.clone());
        }
    }
    push(v.member.joined_on, "入党", "入党".into());
    if let Some(d) = v.member.full_on {
        push(d, "转正", "转为正式党员".into());
    }
    for p in &v.positions {
        if let Some(d) = p.started_on {
            push(d, "职务", format!("任{}{}", p.org_name, p.kind));
        }
        if let Some(d) = p.ended_on {
            push(d, "职务", format!("免去{}{}", p.org_name, p.kind));
        }
    }
    for t in &v.transfers {
        push(
            t.issued_on,
            "转接",
            format!(
                "{}开具介绍信（{}）：{} → {}",
                t.from, t.letter_no, t.from, t.to
            ),
        );
        if let Some(d) = t.decided_on {
            push(d, "转接", format!("{}：{} → {}", t.state, t.from, t.to));
        }
    }
    for s in &v.mobility {
        let kind = if s.kind == "外出" {
            "流动"
        } else {
            "失联"
        };
        if let Some(d) = s.since {
            let place = s
                .place
                .as_deref()
                .map(|p| format!("：{p}"))
                .unwrap_or_default();
            push(d, kind, format!("{}{place}", s.kind));
        }
        if let Some(d) = s.suspended_on {
            push(d, kind, "停止党籍".into());
        }
        if let Some(d) = s.until {
            push(
                d,
                kind,
                if kind == "流动" {
                    "返回".into()
                } else {
                    "恢复联系".into()
                },
            );
        }
    }
    for g in &v.guest_at {
        push(
            g.since,
            "流动",
            format!("在{}参加组织生活（流入党员）", g.org_name),
        );
        if let Some(d) = g.until {
            push(d, "流动", format!("离开{}", g.org_name));
        }
    }
    if let Some(d) = &v.dues {
        for b in &d.bases {
            if let Some(p) = crate::dues::month_of(&b.from_month) {
                push(
                    p.first_day(),
                    "党费",
                    format!("核定党费：{}，每月{}元", b.category, b.monthly_yuan),
                );
            }
        }
    }
    if let Some(t) = &v.training {
        for (tr, hours) in &t.trainings {
            push(
                tr.starts_on,
                "培训",
                format!("{}（{}，{}学时）", tr.title, tr.mode, hours),
            );
        }
    }
    if let Some(e) = &v.exit {
        push(e.on, "出党", format!("{}（{}）", e.kind, e.decided_by));
    }
    out.sort_by_key(|e| e.on);
    out
}

/// A member's way into the party as recorded: the applicant's page and each step's day.
#[derive(Debug, Clone, Serialize)]
pub struct RecruitmentHistory {
    pub applicant_id: i64,
    /// (step, day), in the order recorded.
    pub steps: Vec<(String, NaiveDate)>,
}

async fn recruitment_of(
    conn: &mut jiceng_store::Conn,
    member_id: i64,
) -> Result<Option<RecruitmentHistory>> {
    let Some(a) = jiceng_store::recruitment::by_member(conn, member_id).await? else {
        return Ok(None);
    };
    let ways = crate::recruitment::ways(conn, &[a.id]).await?;
    Ok(Some(RecruitmentHistory {
        applicant_id: a.id,
        steps: ways
            .get(&a.id)
            .map(|w| w.iter().map(|(_, r)| (r.kind.title(), r.on)).collect())
            .unwrap_or_default(),
    }))
}

/// One member in the actor's scope (a `Member` user: only themself).
pub async fn member_in_scope(app: &App, actor: &Actor, id: i64) -> Result<StoredMember> {
    if actor.role == Role::Member && actor.member_id != Some(id) {
        return Err(not_found("党员"));
    }
    let mut conn = app.store.acquire().await?;
    jiceng_store::members::get(&mut conn, &actor.scope, id)
        .await?
        .ok_or_else(|| not_found("党员"))
}

pub async fn member_view(app: &App, actor: &Actor, id: i64) -> Result<MemberView> {
    let m = member_in_scope(app, actor, id).await?;
    let mut conn = app.store.acquire().await?;
    let org = org_store::get(&mut conn, &Scope::All, m.org_id)
        .await?
        .ok_or_else(|| not_found("党组织"))?;
    let held = position_store::of_members(&mut conn, &[m.id]).await?;
    let recruitment = recruitment_of(&mut conn, m.id).await?;
    let transfers = crate::transfer::of_member(app, actor, m.id).await?;
    let spells = crate::mobility::of_member(app, &m, &org.org.name).await?;
    let guest_at = crate::mobile_in::of_member(app, m.id).await?;
    let dues = crate::dues::of_member(app, m.id).await?;
    let training = crate::training::of_member(app, m.id).await?;
    let exit = jiceng_store::exits::of_member(&mut conn, m.id)
        .await?
        .map(|e| crate::member_exit::ExitView::of(&e));
    let names = org_names(&mut conn, held.iter().map(|p| p.org_id)).await?;
    let group = crate::groups::of_member(&mut conn, &m).await?;
    let evaluations = crate::meetings::evaluation::of_member(&mut conn, m.id).await?;
    let today = app.today();
    let year_start = NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).unwrap_or(today);
    let attended =
        jiceng_store::meetings::attendance_of_member(&mut conn, m.id, (year_start, today)).await?;
    drop(conn);
    let present = attended.iter().filter(|a| a.4 == "present").count();
    let mut crumbs = if !actor.may(Action::ReadData) {
        Vec::new()
    } else {
        breadcrumb(app, actor, &org).await?
    };
    if actor.may(Action::ReadData) && actor.scope.contains(&org.path) {
        crumbs.push((org.org.id, org.org.name.clone()));
    }
    Ok(MemberView {
        member: MemberRow::of(&m, &org.org.name),
        mobile: m.mobile,
        lost_contact: m.lost_contact,
        breadcrumb: crumbs,
        positions: held
            .iter()
            .map(|p| {
                let org_name = names.get(&p.org_id).cloned().unwrap_or_default();
                PositionRow::of(p, m.name.clone(), org_name)
            })
            .collect(),
        can_reveal: actor.may(Action::Unmask),
        can_edit: actor.may(Action::Write),
        recruitment,
        can_transfer: actor.may(Action::TransferMembers)
            && m.exited_on.is_none()
            && !transfers.iter().any(|t| t.state_code == "issued"),
        can_exit: actor.may(Action::Write) && m.exited_on.is_none(),
        away_open: spells.iter().any(|s| s.kind == "外出" && s.until.is_none()),
        lost_open: spells.iter().any(|s| s.kind == "失联" && s.until.is_none()),
        mobility: spells,
        guest_at,
        can_record_dues: actor.may(Action::RecordDues) && m.exited_on.is_none(),
        dues,
        exit,
        transfers,
        timeline: Vec::new(),
        training,
        party_years: crate::member_home::party_years(m.joined_on, today),
        group,
        evaluations,
        attendance: (!attended.is_empty()).then(|| Attendance {
            present,
            named: attended.len(),
            rate: present as f64 / attended.len() as f64,
        }),
    })
    .map(|mut v| {
        v.timeline = timeline(&v);
        v
    })
}
