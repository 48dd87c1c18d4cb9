//! 减负台账: what reached the orgs of a subtree in a month — by level against its ceiling,
//! by issuing org, the most burdened orgs — and the questions the system answered instead
//! of the grassroots ("最多报一次"). The department sets the monthly ceilings here.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Form;
use jiceng_app::access::{Action, SetRules};
use jiceng_app::tasks::burden::{self, Ledger};
use jiceng_domain::task::Load;
use serde::Deserialize;

use crate::error::{PageError, WebError};
use crate::extract::QueryOrg;
use crate::pages::refusal::Refusal;
use crate::pages::{done_redirect, html_status, Nav};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/burden",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            page,
        )
        .post(
            "/burden/ceilings",
            Guard::May(Action::SetRules),
            Subject::QueryOrg,
            set_ceilings,
        )
}

#[derive(Template)]
#[template(path = "burden.html")]
struct BurdenPage {
    title: String,
    nav: Nav,
    l: Ledger,
    can_set: bool,
    flash: Option<String>,
    e: Refusal,
}

impl BurdenPage {
    fn over(&self, l: &Load) -> bool {
        *l == Load::Over
    }
    fn at(&self, l: &Load) -> bool {
        *l == Load::At
    }
}

#[derive(Deserialize)]
struct MonthQuery {
    month: Option<String>,
    done: Option<String>,
}

async fn render(
    state: &AppState,
    user: &User,
    org: &jiceng_app::access::InScope<jiceng_app::OrgRecord>,
    month: Option<&str>,
    flash: Option<String>,
    e: Refusal,
) -> Result<Response, PageError> {
    let month = month
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| burden::month_key(state.app.today()));
    let l = burden::ledger(&state.app, org, &month).await?;
    let status = e.status();
    html_status(
        status,
        &BurdenPage {
            title: format!("减负台账 · {}", org.org.name),
            nav: Nav::of(user),
            can_set: user.actor.may(Action::SetRules),
            l,
            flash,
            e,
        },
    )
}

async fn page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, PageError> {
    render(
        &state,
        &user,
        &org,
        q.month.as_deref(),
        q.done,
        Refusal::default(),
    )
    .await
}

async fn set_ceilings(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<SetRules>(fields)?;
    let num = |name: &str, what: &str| -> Result<i64, PageError> {
        let v = fields.get(name);
        v.trim().parse::<i64>().map_err(|_| {
            PageError(WebError::BadRequest(format!(
                "{what}每月上限应为整数，填写的是“{v}”"
            )))
        })
    };
    let (village, township, other) = (
        num("village", "村（社区）党组织")?,
        num("township", "乡镇（街道）党（工）委")?,
        num("other", "其他党组织")?,
    );
    match burden::set_ceilings(&state.app, &grant, village, township, other).await {
        Ok(_) => Ok(done_redirect(
            &format!("/burden?org={}", org.org.id),
            "已保存每月上限",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            render(&state, &user, &org, None, None, e).await
        }
    }
}
