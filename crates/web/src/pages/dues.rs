//! 党费 in the browser: the branch's 党费收缴表 for a month (tick who paid, or 全部已交; what
//! was passed up), the member page's forms (核定基数, 登记交纳 for one or several months,
//! 撤销), and the department's 收缴统计 with drill-down and the workbook. The same use cases
//! as the API (`jiceng_app::dues`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::{Action, InScope, RecordDues};
use jiceng_app::dues::{self, BaseInput, DuesOverview, DuesSheet, HandoverInput, PayInput};
use jiceng_app::OrgRecord;
use jiceng_domain::Period;
use serde::Deserialize;

use super::refusal::Refusal;
use crate::error::{PageError, WebError};
use crate::extract::{CsrfForm, QueryOrg};
use crate::pages::{html, html_status, Nav};
use crate::parse::parse_day;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    let may = Guard::May(Action::RecordDues);
    Routes::new()
        .get(
            "/dues",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            sheet_page,
        )
        .post("/dues/pay", may, Subject::QueryOrg, pay_sheet)
        .post("/dues/handover", may, Subject::QueryOrg, handover)
        .get(
            "/reports/dues",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            report_page,
        )
        .post("/members/{id}/dues/base", may, Subject::Member, member_base)
        .post("/members/{id}/dues/pay", may, Subject::Member, member_pay)
        .post(
            "/members/{id}/dues/unpay",
            may,
            Subject::Member,
            member_unpay,
        )
}

fn bad(m: impl Into<String>) -> PageError {
    PageError(WebError::BadRequest(m.into()))
}

/// `?month=` as typed, or this month.
fn month_of(raw: Option<&str>, today: chrono::NaiveDate) -> Result<Period, PageError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Period::month_of(today)),
        Some(s) => match Period::parse(s) {
            Ok(p @ Period::Month(..)) => Ok(p),
            _ => Err(bad(format!("无法识别的月份“{s}”（应为 2026-08）"))),
        },
    }
}

#[derive(Template)]
#[template(path = "dues_sheet.html")]
struct SheetPage {
    title: String,
    nav: Nav,
    s: DuesSheet,
    prev: String,
    next: Option<String>,
    today: String,
    can_record: bool,
    /// The assessed members not paid yet this month (for 全部已交).
    unpaid: Vec<i64>,
    flash: Option<String>,
    refusal: Refusal,
}

#[derive(Deserialize)]
struct SheetQuery {
    #[serde(default)]
    month: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

async fn sheet_view(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    month: Period,
    (flash, refusal): (Option<String>, Refusal),
) -> Result<SheetPage, PageError> {
    let today = state.app.today();
    let s = dues::sheet(&state.app, org, month).await?;
    let current = Period::month_of(today);
    let next = jiceng_domain::dues::next_month(month);
    Ok(SheetPage {
        title: format!("党费收缴 · {} · {}", s.org.name, s.month_label),
        nav: Nav::of(user),
        prev: jiceng_domain::dues::months_back(month, 1).to_string(),
        next: (next <= current).then(|| next.to_string()),
        today: today.to_string(),
        can_record: user.actor.may(Action::RecordDues),
        unpaid: s
            .rows
            .iter()
            .filter(|r| r.due_yuan.is_some() && !r.paid)
            .map(|r| r.member_id)
            .collect(),
        flash,
        refusal,
        s,
    })
}

async fn sheet_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<SheetQuery>,
) -> Result<Response, PageError> {
    let month = month_of(q.month.as_deref(), state.app.today())?;
    let flash = match q.done.as_deref() {
        Some("pay") => Some("已登记交纳。".to_string()),
        Some("handover") => Some("已登记上缴。".to_string()),
        _ => None,
    };
    html(&sheet_view(&state, &user, &org, month, (flash, Refusal::default())).await?)
}

/// The sheet's form: the month, the day, each ticked member (`member_id`, repeated).
async fn pay_sheet(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    CsrfForm { user, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<RecordDues>()?;
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let month = month_of(Some(&get("month")), state.app.today())?;
    let ids: Vec<i64> = form
        .iter()
        .filter(|(n, _)| n == "member_id")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    let refusal = match parse_day(&get("paid_on"), "交纳日期") {
        Err(m) => Refusal {
            field: "paid_on",
            message: m,
        },
        Ok(None) => Refusal {
            field: "paid_on",
            message: "请填写交纳日期".into(),
        },
        Ok(Some(paid_on)) => {
            let input = PayInput {
                member_ids: ids,
                from_month: month.to_string(),
                to_month: None,
                paid_on,
                amount: None,
            };
            match dues::pay(&state.app, &grant, &org, &input).await {
                Ok(_) => {
                    return Ok(Redirect::to(&format!(
                        "/dues?org={}&month={month}&done=pay",
                        org.org.id
                    ))
                    .into_response())
                }
                Err(e) => Refusal::of(e)?,
            }
        }
    };
    let page = sheet_view(&state, &user, &org, month, (None, refusal)).await?;
    html_status(page.refusal.status(), &page)
}

#[derive(Deserialize)]
struct HandoverForm {
    #[serde(default)]
    month: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    handed_on: String,
}

async fn handover(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    CsrfForm { user, form: f }: CsrfForm<HandoverForm>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<RecordDues>()?;
    let month = month_of(Some(&f.month), state.app.today())?;
    let refusal = match parse_day(&f.handed_on, "上缴日期") {
        Err(m) => Refusal {
            field: "handed_on",
            message: m,
        },
        Ok(None) => Refusal {
            field: "handed_on",
            message: "请填写上缴日期".into(),
        },
        Ok(Some(handed_on)) => {
            let input = HandoverInput {
                month: month.to_string(),
                amount: f.amount.clone(),
                handed_on,
            };
            match dues::hand_over(&state.app, &grant, &org, &input).await {
                Ok(()) => {
                    return Ok(Redirect::to(&format!(
                        "/dues?org={}&month={month}&done=handover",
                        org.org.id
                    ))
                    .into_response())
                }
                Err(e) => Refusal::of(e)?,
            }
        }
    };
    let page = sheet_view(&state, &user, &org, month, (None, refusal)).await?;
    html_status(page.refusal.status(), &page)
}

#[derive(Template)]
#[template(path = "report_dues.html")]
struct ReportPage {
    title: String,
    nav: Nav,
    org_id: i64,
    period: String,
    r: DuesOverview,
}

#[derive(Deserialize)]
struct ReportQuery {
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

/// The department's 收缴统计 for a month or a year (default: this year), each child
/// drilling down (a branch to its sheet), the flagged named; `?format=xlsx` (audited).
async fn report_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let today = state.app.today();
    let raw = q
        .period
        .clone()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| chrono::Datelike::year(&today).to_string());
    let period = crate::parse::parse_period(Some(&raw), today).map_err(bad)?;
    let r = dues::overview(&state.app, &org, period).await?;
    if q.format.as_deref() == Some("xlsx") {
        let sheets = r.to_sheets();
        return super::common::export(&state, &user, "党费收缴统计", &org, None, sheets).await;
    }
    html(&ReportPage {
        title: format!("党费收缴统计 · {}", r.org.name),
        nav: Nav::of(&user),
        org_id: org.org.id,
        period: raw,
        r,
    })
}

#[derive(Default, Deserialize)]
struct BaseForm {
    #[serde(default)]
    from_month: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    amount: String,
}

fn member_done(id: i64) -> Response {
    Redirect::to(&format!("/members/{id}?done=dues#dues-section")).into_response()
}

fn refused(e: jiceng_app::AppError) -> PageError {
    match Refusal::of(e) {
        Ok(r) => bad(r.message),
        Err(e) => e,
    }
}

async fn member_base(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, form: f }: CsrfForm<BaseForm>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<RecordDues>()?;
    let input = BaseInput {
        from_month: f.from_month,
        category: f.category,
        amount: Some(f.amount).filter(|a| !a.trim().is_empty()),
    };
    dues::set_base(&state.app, &grant, id, &input)
        .await
        .map_err(refused)?;
    Ok(member_done(id))
}

#[derive(Default, Deserialize)]
struct MemberPayForm {
    #[serde(default)]
    from_month: String,
    #[serde(default)]
    to_month: String,
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    amount: String,
}

async fn member_pay(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, form: f }: CsrfForm<MemberPayForm>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<RecordDues>()?;
    let paid_on = parse_day(&f.paid_on, "交纳日期")
        .map_err(bad)?
        .ok_or_else(|| bad("请填写交纳日期"))?;
    let input = PayInput {
        member_ids: vec![id],
        from_month: f.from_month,
        to_month: Some(f.to_month).filter(|t| !t.trim().is_empty()),
        paid_on,
        amount: Some(f.amount).filter(|a| !a.trim().is_empty()),
    };
    dues::pay_member(&state.app, &grant, id, &input)
        .await
        .map_err(refused)?;
    Ok(member_done(id))
}

#[derive(Default, Deserialize)]
struct UnpayForm {
    #[serde(default)]
    month: String,
}

async fn member_unpay(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, form: f }: CsrfForm<UnpayForm>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<RecordDues>()?;
    dues::unpay(&state.app, &grant, id, &f.month)
        .await
        .map_err(refused)?;
    Ok(member_done(id))
}
