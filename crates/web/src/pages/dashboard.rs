//! The home page: the dashboard of the user's org (stored counts, charts), or where the
//! roles without business data go instead.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use jiceng_app::access::{self, OrgKey, Role};
use jiceng_app::browse;
use jiceng_app::reminders::{Reminder, ReminderKind};
use serde::Deserialize;

use super::{html, opt_i64, rectification, Nav};
use crate::charts;
use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields, QueryOrg};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get("/", Guard::Session, Subject::None, dashboard)
        .get(
            "/life",
            Guard::May(access::Action::ReadData),
            Subject::None,
            life,
        )
        .get("/manage", Guard::Session, Subject::None, manage)
        .post(
            "/reminders/remind",
            Guard::May(access::Action::RemindBranches),
            Subject::QueryOrg,
            remind,
        )
}

/// 一键提醒: every branch below that still owes this month's organizational life gets a
/// notice; back to the home page with what was done.
async fn remind(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    CsrfForm { user, .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<access::RemindBranches>()?;
    let r = jiceng_app::notices::remind_owing(&state.app, &grant, &org).await?;
    Ok(Redirect::to(&format!(
        "/?org={}&reminded={}&already={}",
        org.org.id, r.sent, r.already
    ))
    .into_response())
}

/// 组织生活 in the navigation: a branch's own page (its meetings, 本月待办), else the
/// compliance of the user's subtree.
async fn life(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let home = access::resolve(&state.app, &user.actor, &OrgKey::Home).await?;
    let to = if home.org.kind == jiceng_domain::OrgKind::Branch {
        format!("/orgs/{}/life", home.org.id)
    } else {
        format!("/reports/compliance?org={}", home.org.id)
    };
    Ok(Redirect::to(&to).into_response())
}

/// 管理 in the navigation: the first of its pages the user has.
async fn manage(user: User) -> Result<Response, PageError> {
    let nav = Nav::of(&user);
    let to = if nav.can_write {
        "/import"
    } else if nav.can_refer {
        "/referrals"
    } else if nav.can_accounts {
        "/accounts"
    } else if nav.can_audit {
        "/audit"
    } else {
        "/"
    };
    Ok(Redirect::to(to).into_response())
}

// ---------------------------------------------------------------- dashboard

/// A line of the seed text (习近平总书记关于基层党建工作重要论述), shown on the dashboard.
pub const SEED_QUOTE: &str = "党的工作最坚实的力量支撑在基层，最突出的矛盾问题也在基层，必须把抓基层打基础作为长远之计和固本之举。";
pub const SEED_SOURCE: &str = "——《习近平总书记关于基层党建工作重要论述》";

pub struct Card {
    pub n: String,
    pub label: String,
    pub id: String,
    /// The list behind the figure, counting the same (empty: none).
    pub href: String,
}

pub struct RuleLine {
    pub code: String,
    pub label: String,
    pub n: usize,
}

pub struct CoverageLine {
    pub domain: String,
    pub operating: i64,
    pub own_org: i64,
    pub org_covered: i64,
    pub org_rate: String,
    pub work_rate: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    org_kind: String,
    breadcrumb: Vec<(i64, String)>,
    quote: &'static str,
    source: &'static str,
    facts_on: String,
    cards: Vec<Card>,
    rules: Vec<RuleLine>,
    anomaly_chart: String,
    coverage: Vec<CoverageLine>,
    coverage_chart: String,
    gender_chart: String,
    age_chart: String,
    education_chart: String,
    kinds_chart: String,
    /// Overdue measures and stalled rectification cases (department, inspector, admin).
    rect: Option<rectification::Alerts>,
    /// 站内提醒: what is due, each with the list behind it.
    reminders: Vec<ReminderLine>,
    /// Organizational life by the org's children, this quarter and the one before.
    life: LifeByChild,
    /// The user may send 一键提醒 (shown beside the branches still owing).
    can_remind: bool,
    /// What the last 一键提醒 did.
    reminded: Option<String>,
    /// 检验标准 of this year, when the user may read it.
    scorecard: Option<ScoreGlance>,
}

/// The home page's 检验标准: this year's five scores and the children's heat map when the
/// year is built (read, never built here: a province's home stays a few indexed reads),
/// else the way to the page that builds it.
pub struct ScoreGlance {
    pub period: String,
    pub label: String,
    /// `None`: not built yet.
    pub built_at: Option<String>,
    pub scores: Vec<(String, String)>,
    pub heat: String,
}

async fn score_glance(
    state: &AppState,
    user: &User,
    root: &access::InScope<jiceng_app::OrgRecord>,
) -> Result<Option<ScoreGlance>, PageError> {
    use jiceng_app::scorecard::{self, score_text, Period};
    use jiceng_domain::scorecard::Measure;
    let Ok(grant) = user.actor.grant::<access::ViewScorecard>() else {
        return Ok(None);
    };
    let period = Period::Year(state.app.today().year());
    let labels: Vec<&'static str> = Measure::ALL.iter().map(|m| m.label()).collect();
    let g = scorecard::glance(&state.app, &grant, root, period).await?;
    Ok(Some(match g {
        None => ScoreGlance {
            period: period.code(),
            label: period.label(),
            built_at: None,
            scores: Vec::new(),
            heat: String::new(),
        },
        Some(g) => ScoreGlance {
            heat: charts::heat_map(
                &format!("下级 × 五项得分（{}）", g.label),
                &labels,
                &g.children
                    .iter()
                    .map(|c| charts::HeatRow {
                        label: c.org.name.clone(),
                        href: format!("/reports/scorecard?org={}&period={}", c.org_id, g.period),
                        scores: c.scores.to_vec(),
                    })
                    .collect::<Vec<_>>(),
            ),
            scores: Measure::ALL
                .iter()
                .map(|m| (m.label().to_string(), score_text(g.scores[m.index()])))
                .collect(),
            period: g.period,
            label: g.label,
            built_at: Some(scorecard::built_time(&g.built_at)),
        },
    }))
}

/// The home page's 组织生活开展情况 by child org: this quarter's and last quarter's
/// compliance — judged live for a township, read from the stored summaries (refreshed by
/// the server every few minutes) above it, so a county's or a province's home costs a few
/// indexed reads.
#[derive(Default, Clone)]
pub struct LifeByChild {
    pub this_label: String,
    pub last_label: String,
    pub this_period: String,
    pub last_period: String,
    pub rows: Vec<LifeRow>,
    /// When the summaries were computed (China time), or how they were judged.
    pub note: String,
    /// The last twelve closed months' 达标率 (an org judged live: a township and below);
    /// empty above (its children's table ranks them).
    pub trend: String,
}

#[derive(Clone)]
pub struct LifeRow {
    pub org_id: i64,
    pub name: String,
    pub branches: i64,
    pub this_rate: String,
    pub this_sort: String,
    pub this_idle: i64,
    pub last_rate: String,
    pub last_sort: String,
}

/// Up to this many branches a home page judges organizational life live.
const LIVE_HOME_BRANCHES: i64 = 300;

async fn life_by_child(
    state: &AppState,
    root: &access::InScope<jiceng_app::OrgRecord>,
) -> Result<LifeByChild, PageError> {
    use jiceng_app::reports::compliance::overview_with_limit;
    let today = state.app.today();
    let this = jiceng_domain::Period::quarter_of(today);
    let last = jiceng_app::last_quarter(today);
    // A township (up to 300 branches) is judged live in one pass (a few milliseconds); a
    // county and up read the stored summaries (a few indexed reads at any size).
    let now = overview_with_limit(&state.app, root, this, LIVE_HOME_BRANCHES).await?;
    let before = overview_with_limit(&state.app, root, last, LIVE_HOME_BRANCHES).await?;
    let pct = charts::pct;
    let key = |r: Option<f64>| r.map(|r| format!("{r:.4}")).unwrap_or_else(|| "-1".into());
    let rows = now
        .children
        .iter()
        .map(|c| {
            let prev = before.children.iter().find(|p| p.org_id == c.org_id);
            LifeRow {
                org_id: c.org_id,
                name: c.org.name.clone(),
                branches: c.branches,
                this_rate: pct(c.rate),
                this_sort: key(c.rate),
                this_idle: c.held_nothing,
                last_rate: pct(prev.and_then(|p| p.rate)),
                last_sort: key(prev.and_then(|p| p.rate)),
            }
        })
        .collect();
    let note = match &now.computed_at {
        Some(at) => format!(
            "{}；汇总于{}（北京时间），每隔几分钟更新",
            now.judged_note,
            super::referrals::cst(at)
        ),
        None => now.judged_note.clone(),
    };
    let trend = if now.source == "live" {
        monthly_trend(state, root, today).await?
    } else {
        String::new()
    };
    Ok(LifeByChild {
        trend,
        this_label: this.label(),
        last_label: last.label(),
        this_period: this.to_string(),
        last_period: last.to_string(),
        rows,
        note,
    })
}

/// The 达标率 of the twelve months before this one, judged live (an org of at most
/// [`LIVE_HOME_BRANCHES`] branches: a few milliseconds a month).
async fn monthly_trend(
    state: &AppState,
    root: &access::InScope<jiceng_app::OrgRecord>,
    today: chrono::NaiveDate,
) -> Result<String, PageError> {
    use jiceng_app::reports::compliance::overview_with_limit;
    use jiceng_domain::Period;
    let mut points = Vec::with_capacity(12);
    let mut months = Vec::with_capacity(12);
    let mut day = Period::month_of(today).first_day();
    for _ in 0..12 {
        day = day.pred_opt().unwrap_or(day);
        let month = Period::month_of(day);
        let o = overview_with_limit(&state.app, root, month, LIVE_HOME_BRANCHES).await?;
        points.push((format!("{}月", day.format("%-m")), o.org.rate));
        months.push(month);
        day = month.first_day();
    }
    points.reverse();
    let title = match (months.last(), months.first()) {
        (Some(from), Some(to)) => {
            format!("组织生活达标率（{}至{}，按月）", from.label(), to.label())
        }
        _ => "组织生活达标率（按月）".to_string(),
    };
    Ok(charts::trend(&title, &points))
}

/// A reminder as the home page lists it.
pub struct ReminderLine {
    /// Branches still owing this month (the township's 一键提醒 goes beside it).
    pub branches: bool,
    pub text: String,
    pub overdue: bool,
    pub deadline: String,
    pub href: String,
}

/// The page listing what a reminder counts.
fn reminder_href(r: &Reminder, org: i64, today: chrono::NaiveDate) -> String {
    match r.kind {
        ReminderKind::Meetings | ReminderKind::Notice => format!("/orgs/{org}/due"),
        ReminderKind::Branches => format!(
            "/reports/compliance?org={org}&period={}",
            today.format("%Y-%m")
        ),
        ReminderKind::Election => format!(
            "/reports/structure?org={org}&rule={}",
            if r.overdue {
                "TermExpired"
            } else {
                "TermExpiring"
            }
        ),
        ReminderKind::Letters => format!("/transfers?org={org}"),
        ReminderKind::Rectification => format!("/reports/rectification?org={org}"),
        ReminderKind::Referrals => "/referrals".into(),
        ReminderKind::Tasks => format!("/tasks?org={org}"),
        ReminderKind::Problems => format!("/inspections?org={org}"),
        ReminderKind::DutyProblems => format!("/duty?org={org}"),
        ReminderKind::MassRequests => format!("/requests?org={org}&status=open"),
    }
}

/// The reminders of `root` for the user, kept a while (the header counts the home org's).
async fn reminders(
    state: &AppState,
    user: &User,
    root: &access::InScope<jiceng_app::OrgRecord>,
) -> Result<Vec<ReminderLine>, PageError> {
    let key = (root.org.id, user.actor.may(access::Action::HandleReferrals));
    let list = match state.reminders.get(state, &key) {
        Some(list) => list,
        None => {
            let list = jiceng_app::reminders::of(&state.app, &user.actor, root).await?;
            state.reminders.put(state, key, list.clone());
            list
        }
    };
    let today = state.app.today();
    Ok(list
        .iter()
        .map(|r| ReminderLine {
            branches: r.kind == ReminderKind::Branches,
            text: r.text.clone(),
            overdue: r.overdue,
            deadline: r
                .deadline
                .map(|d| format!("{}月{}日前", d.format("%-m"), d.format("%-d")))
                .unwrap_or_default(),
            href: reminder_href(r, root.org.id, today),
        })
        .collect())
}

#[derive(Template)]
#[template(path = "empty.html")]
struct EmptyPage {
    title: String,
    nav: Nav,
    message: String,
}

#[derive(Deserialize)]
struct OrgParam {
    org: Option<String>,
    /// After 一键提醒: how many branches were reminded, and how many had been today.
    reminded: Option<usize>,
    already: Option<usize>,
}

async fn dashboard(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<OrgParam>,
) -> Result<Response, PageError> {
    // 三权分立: the auditor's home is the log; the security administrator has no pages of
    // business data.
    match user.actor.role() {
        Role::Auditor => return Ok(Redirect::to("/audit").into_response()),
        Role::Security => {
            return html(&EmptyPage {
                title: "首页".into(),
                nav: Nav::of(&user),
                message: "安全管理员在“账号”页为账号分配角色和管理范围；在服务器上重置动态验证码（jiceng user 2fa reset）、轮换密钥（jiceng key rotate）。这些操作都记入审计日志。安全管理员不查看业务数据。".into(),
            })
        }
        _ => {}
    }
    if user.actor.role() == Role::Member {
        return Ok(match user.actor.member_id() {
            Some(_) => {
                let h = jiceng_app::member_home::home(&state.app, &user.actor).await?;
                html(&MemberHomePage {
                    title: "首页".into(),
                    nav: Nav::of(&user),
                    rate: crate::charts::pct(h.rate),
                    h,
                })?
            }
            None => html(&EmptyPage {
                title: "首页".into(),
                nav: Nav::of(&user),
                message: "您的账号尚未关联党员信息，请联系所在支部。".into(),
            })?,
        });
    }
    let key = match opt_i64(&q.org)? {
        Some(id) => OrgKey::Id(id),
        None => OrgKey::Home,
    };
    let root = match access::resolve(&state.app, &user.actor, &key).await {
        Ok(root) => root,
        Err(jiceng_app::AppError::NotFound(_)) if key == OrgKey::Home => {
            return html(&EmptyPage {
                title: "首页".into(),
                nav: Nav::of(&user),
                message: "您的账号没有关联党组织，看不到任何数据。请联系管理员。".into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    let d = state.dashboard(&root).await?;
    let breadcrumb = browse::breadcrumb(&state.app, &user.actor, &root).await?;
    if root.org.kind == jiceng_domain::OrgKind::Branch {
        return branch_home(&state, &user, &root, &d, breadcrumb).await;
    }
    let mut page = dashboard_page(&user, &d, breadcrumb);
    page.rect = rectification::alerts(&state, &user.actor, &root).await?;
    page.reminders = reminders(&state, &user, &root).await?;
    page.life = match state.life_by_child.get(&state, &root.org.id) {
        Some(kept) => kept,
        None => {
            let life = life_by_child(&state, &root).await?;
            state.life_by_child.put(&state, root.org.id, life.clone());
            life
        }
    };
    page.can_remind = user.actor.may(access::Action::RemindBranches);
    page.scorecard = score_glance(&state, &user, &root).await?;
    page.reminded = q.reminded.map(|n| match (n, q.already.unwrap_or(0)) {
        (0, 0) => "没有需要提醒的党支部。".to_string(),
        (0, a) => format!("这{a}个党支部今天已经提醒过，未重复发送。"),
        (n, 0) => format!("已向{n}个党支部发送站内提醒，它们的首页会显示。"),
        (n, a) => format!("已向{n}个党支部发送站内提醒；另有{a}个今天已提醒过，未重复发送。"),
    });
    if user.actor.org_id() == Some(root.org.id) {
        page.nav.reminders = Some(page.reminders.len());
    }
    html(&page)
}

/// A branch's home (the secretary's): what to do first — record a meeting, this month's
/// and the open spans' obligations, the reminders — then the recent meetings, the term and
/// the roster's size. No county charts.
#[derive(Template)]
#[template(path = "home_branch.html")]
struct BranchHome {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    breadcrumb: Vec<(i64, String)>,
    can_record: bool,
    open: usize,
    members: i64,
    full: i64,
    probationary: i64,
    has_secretary: bool,
    term_ends: Option<String>,
    term_note: String,
    sections: Vec<super::life::DueSection>,
    recent: Vec<jiceng_app::meetings::MeetingRow>,
    reminders: Vec<ReminderLine>,
    quote: &'static str,
    source: &'static str,
}

async fn branch_home(
    state: &AppState,
    user: &User,
    root: &access::InScope<jiceng_app::OrgRecord>,
    d: &browse::Dashboard,
    breadcrumb: Vec<(i64, String)>,
) -> Result<Response, PageError> {
    let today = state.app.today();
    let due = jiceng_app::meetings::due(&state.app, root, today).await?;
    let (recent, _) = jiceng_app::meetings::list_under(&state.app, root, 1, 5).await?;
    let o = &root.org;
    let years = state
        .app
        .rules
        .in_force(today)
        .org_term_years(o.kind, o.domain, o.term_years);
    let (term_ends, term_note) = match (o.last_election_on, years) {
        (Some(last), Some(y)) => (
            last.with_year(last.year() + y as i32)
                .map(|e| e.format("%Y-%m-%d").to_string()),
            format!("任期{y}年，上次换届{last}"),
        ),
        (None, Some(_)) => (None, "换届时间未登记".to_string()),
        (_, None) => (None, "不设任期".to_string()),
    };
    let mut nav = Nav::of(user);
    let reminders = reminders(state, user, root).await?;
    if user.actor.org_id() == Some(o.id) {
        nav.reminders = Some(reminders.len());
    }
    html(&BranchHome {
        title: format!("{} 工作台", o.name),
        nav,
        org_id: o.id,
        org_name: o.name.clone(),
        breadcrumb,
        can_record: user.actor.may(access::Action::RecordLife),
        open: due.items.len(),
        members: d.members,
        full: d.full,
        probationary: d.probationary,
        has_secretary: root.facts.has_secretary,
        term_ends,
        term_note,
        sections: super::life::due_sections(&due),
        recent,
        reminders,
        quote: SEED_QUOTE,
        source: SEED_SOURCE,
    })
}

fn dashboard_page(
    user: &User,
    d: &browse::Dashboard,
    breadcrumb: Vec<(i64, String)>,
) -> DashboardPage {
    let cov = &d.coverage;
    let id = d.org.id;
    let cards = vec![
        Card {
            n: d.orgs.to_string(),
            label: "党组织（含本级）".into(),
            id: "card-orgs".into(),
            href: format!("/orgs/{id}"),
        },
        Card {
            n: d.members.to_string(),
            label: "党员".into(),
            id: "card-members".into(),
            href: format!("/members?org={id}"),
        },
        Card {
            n: format!("{} / {}", d.full, d.probationary),
            label: "正式 / 预备党员".into(),
            id: "card-full".into(),
            href: format!("/members?org={id}"),
        },
        Card {
            n: d.anomalies_total.to_string(),
            label: "组织设置问题".into(),
            id: "card-anomalies".into(),
            href: format!("/reports/structure?org={id}"),
        },
        Card {
            n: cov.total.operating.to_string(),
            label: "在业单位".into(),
            id: "card-units".into(),
            href: format!("/units?org={id}"),
        },
        Card {
            n: charts::pct(cov.total.org_rate),
            label: "党的组织覆盖率".into(),
            id: "card-org-rate".into(),
            href: format!("/reports/coverage?org={id}"),
        },
        Card {
            n: charts::pct(cov.total.work_rate),
            label: "党的工作覆盖率".into(),
            id: "card-work-rate".into(),
            href: format!("/reports/coverage?org={id}"),
        },
        Card {
            // The whole subtree's gaps, not the lengths of the lists cut to a page.
            n: cov.gaps_total().to_string(),
            label: "应建未建 + 空白点".into(),
            id: "card-gaps".into(),
            href: format!("/reports/coverage?org={id}#gaps"),
        },
    ];
    let rules: Vec<RuleLine> = d
        .anomalies
        .iter()
        .map(|(code, label, n)| RuleLine {
            code: code.clone(),
            label: label.clone(),
            n: *n,
        })
        .collect();
    let anomaly_chart = charts::counts(
        "组织设置问题（按规则）",
        rules
            .iter()
            .filter(|r| r.n > 0)
            .map(|r| (r.label.clone(), r.n as i64)),
    );
    let coverage: Vec<CoverageLine> = cov
        .by_domain
        .iter()
        .map(|(d, r)| CoverageLine {
            domain: d.clone(),
            operating: r.operating,
            own_org: r.own_org,
            org_covered: r.org_covered,
            org_rate: charts::pct(r.org_rate),
            work_rate: charts::pct(r.work_rate),
        })
        .collect();
    let coverage_chart =
        charts::domain_rates("党的组织覆盖率（按领域）", &cov.by_domain, |r| r.org_rate);
    let dims = d.member_report.dimensions();
    let dim = |name: &str| -> Vec<(String, i64)> {
        dims.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    DashboardPage {
        title: format!("{} 工作台", d.org.name),
        nav: Nav::of(user),
        org_id: d.org.id,
        org_name: d.org.name.clone(),
        org_kind: d.org.kind_label.clone(),
        breadcrumb,
        quote: SEED_QUOTE,
        source: SEED_SOURCE,
        facts_on: d
            .facts_on
            .map(|f| f.to_string())
            .unwrap_or_else(|| "尚未计算".into()),
        cards,
        rules,
        anomaly_chart,
        coverage,
        coverage_chart,
        gender_chart: charts::pie("性别", &dim("性别")),
        age_chart: charts::counts("年龄", dim("年龄")),
        education_chart: charts::counts("学历", dim("学历")),
        kinds_chart: charts::counts(
            "党组织类别",
            d.orgs_by_kind.iter().map(|(k, n)| (k.clone(), *n)),
        ),
        rect: None,
        reminders: Vec::new(),
        life: LifeByChild::default(),
        can_remind: false,
        reminded: None,
        scorecard: None,
    }
}

/// A member's home: their attendance this year, what the branch has yet to hold, its
/// latest meetings (`app::member_home`).
#[derive(Template)]
#[template(path = "home_member.html")]
struct MemberHomePage {
    title: String,
    nav: Nav,
    h: jiceng_app::member_home::MemberHome,
    rate: String,
}
