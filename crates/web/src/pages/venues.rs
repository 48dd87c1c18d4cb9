//! 活动场所: the venues of an org's subtree with their quarters of a year (铁将军把门 in
//! red, the running quarter not judged), filtered to the flagged ones; the form that
//! records one; a venue with the orgs using it and the meetings held there by quarter,
//! where it is edited and retired. 村（社区）书记报酬: the records of a year against the
//! standard (those below first), the form that records one and the department's standard.
//! The workbook is `jiceng report venues`'.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use jiceng_app::access::{self, Action, InScope, OrgKey, RecordPay, RecordVenues, SetRules};
use jiceng_app::venues::{self, Facility, PayList, Shown, VenueDetail, VenueForm, VenueList};
use jiceng_app::OrgRecord;
use serde::Deserialize;

use crate::error::{PageError, WebError};
use crate::extract::QueryOrg;
use crate::pages::refusal::Refusal;
use crate::pages::{done_redirect, html_status, xlsx, DoneParam, Nav};
use crate::parse::{parse_day, Fields};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    let read = Guard::May(Action::ReadData);
    let record = Guard::May(Action::RecordVenues);
    Routes::new()
        .get("/venues", read, Subject::QueryOrg, list)
        .get("/venues/export.xlsx", read, Subject::QueryOrg, export)
        .get("/venues/new", record, Subject::QueryOrg, form)
        .post("/venues/new", record, Subject::QueryOrg, submit)
        .get("/venues/{id}", read, Subject::Venue, show)
        .post("/venues/{id}", record, Subject::Venue, edit)
        .post("/venues/{id}/retire", record, Subject::Venue, retire)
        .get("/remuneration", read, Subject::QueryOrg, pay_list)
        .post(
            "/remuneration",
            Guard::May(Action::RecordPay),
            Subject::QueryOrg,
            pay_submit,
        )
        .post(
            "/remuneration/standard",
            Guard::May(Action::SetRules),
            Subject::QueryOrg,
            standard_submit,
        )
}

/// `?year=` (default this year) and `?shown=` (all, idle).
#[derive(Deserialize, Default)]
pub(crate) struct ListParam {
    year: Option<String>,
    shown: Option<String>,
}

impl ListParam {
    pub(crate) fn year(&self) -> Result<Option<i32>, WebError> {
        match self
            .year
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(None),
            Some(s) => s
                .parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .map(Some)
                .ok_or_else(|| WebError::BadRequest(format!("无法识别的年度：{s}（应为 2026）"))),
        }
    }

    pub(crate) fn shown(&self) -> Result<Shown, WebError> {
        let s = self.shown.as_deref().unwrap_or("").trim();
        Shown::parse(s)
            .ok_or_else(|| WebError::BadRequest(format!("无法识别的筛选：{s}（应为 all 或 idle）")))
    }
}

#[derive(Template)]
#[template(path = "venues.html")]
struct ListPage {
    title: String,
    nav: Nav,
    l: VenueList,
    can_record: bool,
    done: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<ListParam>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    let year = q.year().map_err(PageError)?;
    let shown = q.shown().map_err(PageError)?;
    let l = venues::list(&state.app, &org, year, shown).await?;
    html_status(
        StatusCode::OK,
        &ListPage {
            title: format!("活动场所 · {}", org.org.name),
            nav: Nav::of(&user),
            can_record: user.actor.may(Action::RecordVenues),
            l,
            done: d.done,
        },
    )
}

async fn export(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    Query(q): Query<ListParam>,
) -> Result<Response, PageError> {
    let year = q
        .year()
        .map_err(PageError)?
        .unwrap_or(chrono::Datelike::year(&state.app.today()));
    let r = venues::report(&state.app, &org, year).await?;
    let bytes = jiceng_io::workbook_bytes(&r.to_sheets())
        .map_err(|e| PageError(WebError::BadRequest(e)))?;
    Ok(xlsx(
        &format!("{}{year}年活动场所.xlsx", org.org.name),
        bytes,
    ))
}

/// The venue form's values as typed.
#[derive(Default)]
struct Values {
    name: String,
    address: String,
    area: String,
    facilities: Vec<String>,
    shared_with: String,
    opened_on: String,
    users: Vec<String>,
}

impl Values {
    fn read(f: &Fields) -> Values {
        Values {
            name: f.get("name"),
            address: f.get("address"),
            area: f.get("area"),
            facilities: f.all("facility"),
            shared_with: f.get("shared_with"),
            opened_on: f.get("opened_on"),
            users: f.all("user"),
        }
    }

    fn has(&self, code: &str) -> bool {
        self.facilities.iter().any(|f| f == code)
    }

    fn uses(&self, id: &i64) -> bool {
        self.users.iter().any(|u| *u == id.to_string())
    }

    fn form(&self) -> Result<VenueForm, Refusal> {
        let bad = |field: &'static str, message: String| Refusal { field, message };
        let area = match self.area.trim() {
            "" => None,
            a => Some(
                a.parse::<i64>()
                    .map_err(|_| bad("area", format!("面积应为整数（平方米）：{a}")))?,
            ),
        };
        Ok(VenueForm {
            name: self.name.clone(),
            address: self.address.clone(),
            area,
            facilities: self.facilities.clone(),
            shared_with: Some(self.shared_with.clone()),
            opened_on: parse_day(&self.opened_on, "启用日期").map_err(|m| bad("opened_on", m))?,
            users: self.users.iter().filter_map(|u| u.parse().ok()).collect(),
        })
    }
}

#[derive(Template)]
#[template(path = "venue_new.html")]
struct NewPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    today: String,
    facilities: Vec<Facility>,
    users: Vec<venues::VenueUserView>,
    v: Values,
    e: Refusal,
}

async fn new_page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    v: Values,
    e: Refusal,
) -> Result<Response, PageError> {
    let status = e.form_status();
    html_status(
        status,
        &NewPage {
            title: format!("登记活动场所 · {}", org.org.name),
            nav: Nav::of(user),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            today: state.app.today().to_string(),
            facilities: venues::facilities(),
            users: venues::user_choices(&state.app, org).await?,
            v,
            e,
        },
    )
}

async fn form(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let v = Values {
        opened_on: state.app.today().to_string(),
        users: vec![org.org.id.to_string()],
        ..Values::default()
    };
    new_page(&state, &user, &org, v, Refusal::default()).await
}

async fn submit(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RecordVenues>(fields)?;
    let v = Values::read(&fields);
    let f = match v.form() {
        Ok(f) => f,
        Err(e) => return new_page(&state, &user, &org, v, e).await,
    };
    match venues::record(&state.app, &grant, &org, &f).await {
        Ok(id) => Ok(done_redirect(
            &format!("/venues/{id}?org={}", org.org.id),
            "已登记活动场所",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            new_page(&state, &user, &org, v, e).await
        }
    }
}

#[derive(Template)]
#[template(path = "venue.html")]
struct ShowPage {
    title: String,
    nav: Nav,
    at_id: i64,
    d: VenueDetail,
    can_record: bool,
    today: String,
    facilities: Vec<Facility>,
    users: Vec<venues::VenueUserView>,
    v: Values,
    flash: Option<String>,
    e: Refusal,
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    id: i64,
    year: Option<i32>,
    typed: Option<Values>,
    flash: Option<String>,
    e: Refusal,
) -> Result<Response, PageError> {
    let d = venues::get(&state.app, org, id, year).await?;
    let can_record = user.actor.may(Action::RecordVenues);
    let users = if can_record {
        // The owner's subtree (the owner is in the actor's scope: its venue was found).
        let owner = access::resolve(&state.app, &user.actor, &OrgKey::Id(d.venue.org_id)).await?;
        venues::user_choices(&state.app, &owner).await?
    } else {
        vec![]
    };
    let v = typed.unwrap_or_else(|| Values {
        name: d.venue.name.clone(),
        address: d.venue.address.clone(),
        area: d.venue.area.map(|a| a.to_string()).unwrap_or_default(),
        facilities: d.venue.facilities.clone(),
        shared_with: d.venue.shared_with.clone().unwrap_or_default(),
        opened_on: d.venue.opened_on.to_string(),
        users: d.users.iter().map(|u| u.org_id.to_string()).collect(),
    });
    let status = e.form_status();
    html_status(
        status,
        &ShowPage {
            title: format!("活动场所 · {}", d.venue.name),
            nav: Nav::of(user),
            at_id: org.org.id,
            can_record,
            today: state.app.today().to_string(),
            facilities: venues::facilities(),
            users,
            v,
            d,
            flash,
            e,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<ListParam>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    let year = q.year().map_err(PageError)?;
    show_page(
        &state,
        &user,
        &org,
        id,
        year,
        None,
        d.done,
        Refusal::default(),
    )
    .await
}

async fn edit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RecordVenues>(fields)?;
    let v = Values::read(&fields);
    let f = match v.form() {
        Ok(f) => f,
        Err(e) => return show_page(&state, &user, &org, id, None, Some(v), None, e).await,
    };
    match venues::update(&state.app, &grant, &org, id, &f).await {
        Ok(()) => Ok(done_redirect(
            &format!("/venues/{id}?org={}", org.org.id),
            "已保存",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            show_page(&state, &user, &org, id, None, Some(v), None, e).await
        }
    }
}

async fn retire(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RecordVenues>(fields)?;
    let day = match parse_day(&fields.get("retired_on"), "停用日期") {
        Ok(d) => d,
        Err(message) => {
            let e = Refusal {
                field: "retired_on",
                message,
            };
            return show_page(&state, &user, &org, id, None, None, None, e).await;
        }
    };
    match venues::retire(&state.app, &grant, &org, id, day).await {
        Ok(()) => Ok(done_redirect(
            &format!("/venues/{id}?org={}", org.org.id),
            "已停用",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            show_page(&state, &user, &org, id, None, None, None, e).await
        }
    }
}

#[derive(Template)]
#[template(path = "remuneration.html")]
struct PayPage {
    title: String,
    nav: Nav,
    l: PayList,
    can_record: bool,
    can_set: bool,
    this_year: i32,
    v_org: String,
    v_year: String,
    v_amount: String,
    v_source: String,
    done: Option<String>,
    e: Refusal,
}

async fn pay_page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    year: Option<i32>,
    typed: [String; 4],
    done: Option<String>,
    e: Refusal,
) -> Result<Response, PageError> {
    let l = venues::pays(&state.app, org, year).await?;
    let status = e.form_status();
    let [v_org, v_year, v_amount, v_source] = typed;
    html_status(
        status,
        &PayPage {
            title: format!("村（社区）书记报酬 · {}", org.org.name),
            nav: Nav::of(user),
            can_record: user.actor.may(Action::RecordPay),
            can_set: user.actor.may(Action::SetRules),
            this_year: chrono::Datelike::year(&state.app.today()),
            v_year: if v_year.is_empty() {
                l.year.to_string()
            } else {
                v_year
            },
            l,
            v_org,
            v_amount,
            v_source,
            done,
            e,
        },
    )
}

async fn pay_list(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<ListParam>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    let year = q.year().map_err(PageError)?;
    pay_page(
        &state,
        &user,
        &org,
        year,
        Default::default(),
        d.done,
        Refusal::default(),
    )
    .await
}

fn whole(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

async fn pay_submit(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RecordPay>(fields)?;
    let typed = [
        fields.get("org_key"),
        fields.get("year"),
        fields.get("amount"),
        fields.get("source"),
    ];
    let year = whole(&typed[1]).and_then(|y| i32::try_from(y).ok());
    let key = typed[0].trim();
    // A village of the page's subtree, named by code or name.
    let target = match venues::pay_target(&state.app, &user.actor, &org, key).await {
        Ok(o) => Ok(o),
        Err(jiceng_app::AppError::NotFound(_)) => Err(Refusal {
            field: "org_key",
            message: format!("{}及以下没有党组织“{key}”", org.org.name),
        }),
        Err(e) => return Err(e.into()),
    };
    let result = match target {
        Ok(t) => venues::record_pay(&state.app, &grant, &t, year, whole(&typed[2]), &typed[3])
            .await
            .map(|()| t),
        Err(e) => return pay_page(&state, &user, &org, year, typed, None, e).await,
    };
    match result {
        Ok(t) => Ok(done_redirect(
            &format!(
                "/remuneration?org={}&year={}",
                org.org.id,
                year.unwrap_or_default()
            ),
            &format!("已登记{}的书记报酬", t.org.name),
        )),
        Err(e) => {
            let mut e = Refusal::of(e)?;
            if e.field == "org" {
                e.field = "org_key";
            }
            pay_page(&state, &user, &org, year, typed, None, e).await
        }
    }
}

async fn standard_submit(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<SetRules>(fields)?;
    let from_year = whole(&fields.get("from_year")).and_then(|y| i32::try_from(y).ok());
    match venues::set_pay_standard(
        &state.app,
        &grant,
        from_year,
        whole(&fields.get("village_min_yuan")),
        whole(&fields.get("community_min_yuan")),
    )
    .await
    {
        Ok(s) => Ok(done_redirect(
            &format!("/remuneration?org={}&year={}", org.org.id, s.year),
            &format!("已设定报酬标准，自{}年起适用", s.year),
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            pay_page(&state, &user, &org, from_year, Default::default(), None, e).await
        }
    }
}
