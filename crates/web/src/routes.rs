//! The route tables: every page and API route is registered through [`Routes`], which
//! builds the axum router and, from the same call, records what guards it — the
//! permission of `jiceng_app::access::PERMISSIONS` it needs and what its path or `?org=`
//! names. The scope, role and CSRF sweeps (`crates/web/tests/sweep.rs`) read this table,
//! so a route added without a test is swept all the same.
//!
//! The table also enforces itself: [`Routes::into_router`] puts a guard in front of every
//! `May` route that refuses (403) a role the permission table does not allow, before the
//! handler runs. The use cases check again (they take a `Grant`), so forgetting either
//! layer leaves the other.

use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{self, MethodRouter};
use axum::Router;
use jiceng_app::access::{Action, Role};
use jiceng_app::AppError;

use crate::error::{ApiError, PageError, WebError};
use crate::extract::{caller, Caller};
use crate::session::{ApiUser, User};
use crate::AppState;

/// Who may reach a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// No session needed: the login form, assets, the OpenAPI document.
    Public,
    /// Any signed-in session, whatever its role: its own account, logging out, its start
    /// page. A `Member` reaches these too and sees its own record only.
    Session,
    /// A role the permission table allows to do the action; any other role is refused.
    May(Action),
    /// As `May`, but a `Member` also reaches its own record here (and another's is not
    /// found).
    MayOrSelf(Action),
}

impl Guard {
    /// The action the table is asked for, if any.
    pub fn action(self) -> Option<Action> {
        match self {
            Guard::May(a) | Guard::MayOrSelf(a) => Some(a),
            Guard::Public | Guard::Session => None,
        }
    }
}

/// What a route's `{id}` (or its `?org=`) names: the record whose scope is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// Nothing in the actor's scope: a list of the actor's own scope, an account page.
    None,
    /// The path's `{id}` is an org (id, code or name).
    Org,
    /// `?org=` names the org the page or call is about (blank: the home org).
    QueryOrg,
    /// The path's `{id}` is a member.
    Member,
    /// The path's `{id}` is a meeting.
    Meeting,
    /// The path's `{id}` is a referral.
    Referral,
    /// The path's `{pid}` / `{id}` is a position (an office held).
    Position,
    /// The path's `{token}` is the caller's own upload.
    Upload,
    /// The path's `{id}` is a person on the recruitment way (入党申请人).
    Applicant,
    /// The path's `{id}` is a letter of 组织关系转接: seen from either of its ends.
    Transfer,
    /// The path's `{id}` is an account (a user), in the area its administrator keeps.
    Account,
    /// The path's `{id}` is a task (任务部署), seen from `?org=`: the issuer, an org above
    /// it, or a target's org below it.
    Task,
    /// The path's `{id}` is an inspection (督查) of an org in `?org=`'s subtree.
    Inspection,
    /// The path's `{id}` is a duty record (述职评议考核) of an org in `?org=`'s subtree.
    Duty,
    /// The path's `{id}` is a 群众诉求 assigned to an org in `?org=`'s subtree.
    Request,
    /// The path's `{id}` is a 群众满意度测评 of an org in `?org=`'s subtree.
    Survey,
    /// The path's `{id}` is a 活动场所 kept by an org in `?org=`'s subtree.
    Venue,
}

/// One row of the route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    /// `GET`, `POST` or `PUT`.
    pub method: &'static str,
    /// The path as routed, with `{param}`s (the API's under `/api/v1`).
    pub path: String,
    pub guard: Guard,
    pub subject: Subject,
}

impl RouteInfo {
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }
}

/// A router and its table, built together.
#[derive(Default)]
pub struct Routes {
    routes: Vec<(String, MethodRouter<AppState>)>,
    table: Vec<RouteInfo>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    fn add(
        mut self,
        method: &'static str,
        path: &str,
        guard: Guard,
        subject: Subject,
        mr: MethodRouter<AppState>,
    ) -> Routes {
        self.table.push(RouteInfo {
            method,
            path: path.to_string(),
            guard,
            subject,
        });
        self.routes.push((path.to_string(), mr));
        self
    }

    pub fn get<H, T>(self, path: &str, guard: Guard, subject: Subject, h: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", path, guard, subject, routing::get(h))
    }

    pub fn post<H, T>(self, path: &str, guard: Guard, subject: Subject, h: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, guard, subject, routing::post(h))
    }

    pub fn put<H, T>(self, path: &str, guard: Guard, subject: Subject, h: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("PUT", path, guard, subject, routing::put(h))
    }

    /// A POST whose method router is wrapped (a body limit of its own).
    pub fn post_with<H, T>(
        self,
        path: &str,
        guard: Guard,
        subject: Subject,
        h: H,
        wrap: impl FnOnce(MethodRouter<AppState>) -> MethodRouter<AppState>,
    ) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, guard, subject, wrap(routing::post(h)))
    }

    /// Both tables in one.
    pub fn merge(mut self, other: Routes) -> Routes {
        self.routes.extend(other.routes);
        self.table.extend(other.table);
        self
    }

    /// Every route of `other` under `prefix` (the API under `/api/v1`).
    pub fn nest(mut self, prefix: &str, other: Routes) -> Routes {
        for (p, mr) in other.routes {
            self.routes.push((format!("{prefix}{p}"), mr));
        }
        for mut r in other.table {
            r.path = format!("{prefix}{}", r.path);
            self.table.push(r);
        }
        self
    }

    pub fn table(&self) -> &[RouteInfo] {
        &self.table
    }

    /// The axum router: each route behind its guard, the method routers of one path
    /// merged. `api`: the routes answer JSON errors (the caller is the bearer token's).
    pub fn into_router(self, state: &AppState, api: bool) -> Router<AppState> {
        let mut by_path: Vec<(String, MethodRouter<AppState>)> = Vec::new();
        let guarded = self
            .routes
            .into_iter()
            .zip(self.table)
            .map(|((p, mr), info)| {
                let mr = match info.guard {
                    Guard::May(a) => mr.route_layer(axum::middleware::from_fn_with_state(
                        state.clone(),
                        move |st: State<AppState>, req: Request, next: Next| {
                            guard(st, req, next, a, false, api)
                        },
                    )),
                    Guard::MayOrSelf(a) => mr.route_layer(axum::middleware::from_fn_with_state(
                        state.clone(),
                        move |st: State<AppState>, req: Request, next: Next| {
                            guard(st, req, next, a, true, api)
                        },
                    )),
                    Guard::Public | Guard::Session => mr,
                };
                (p, mr)
            });
        for (p, mr) in guarded {
            match by_path.iter_mut().find(|(q, _)| *q == p) {
                Some((_, m)) => *m = std::mem::take(m).merge(mr),
                None => by_path.push((p, mr)),
            }
        }
        by_path
            .into_iter()
            .fold(Router::new(), |r, (p, mr)| r.route(&p, mr))
    }
}

/// The guard of a `May` route: the caller (resumed once; the handler reuses it) must hold
/// a role the permission table allows; `self_ok` lets a `Member` through to its own
/// records (the use case narrows).
async fn guard(
    State(state): State<AppState>,
    req: Request,
    next: Next,
    action: Action,
    self_ok: bool,
    api: bool,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let allowed = if api {
        match caller::<ApiUser>(&mut parts, &state).await {
            Ok(u) => permitted(&u, action, self_ok),
            Err(e) => return e.into_response(),
        }
    } else {
        match caller::<User>(&mut parts, &state).await {
            Ok(u) => permitted(&u, action, self_ok),
            Err(e) => return e.into_response(),
        }
    };
    if !allowed {
        let e = WebError::App(AppError::Forbidden);
        return if api {
            ApiError(e).into_response()
        } else {
            PageError(e).into_response()
        };
    }
    next.run(Request::from_parts(parts, body)).await
}

fn permitted<U: Caller>(u: &U, action: Action, self_ok: bool) -> bool {
    u.actor().may(action) || (self_ok && u.actor().role() == Role::Member)
}

/// `docs/PERMISSIONS.md`: the permission table (who may do what), then every route with
/// the action that guards it — both printed from the code (a test keeps the file equal).
pub fn permissions_doc(table: &[RouteInfo]) -> String {
    let mut out = String::from(
        "# 谁可以做什么（权限表）\n\n\
         Printed from the code by `jiceng permissions` (`jiceng_app::access::PERMISSIONS` and \
         the route table of `crates/web/src/routes.rs`); `cargo test -p jiceng-web --test sweep` \
         fails when this file differs (regenerate with `JICENG_UPDATE_DOCS=1`). An org outside \
         the caller's subtree is not found (404) whatever the table says; a role the table \
         refuses gets 403 before the handler runs.\n\n## 角色 × 操作\n\n",
    );
    out.push_str(&jiceng_app::access::permissions_markdown());
    out.push_str("\n## 路由\n\n| 方法 | 路径 | 权限 | 对象 |\n|---|---|---|---|\n");
    for r in table {
        let guard = match r.guard {
            Guard::Public => "公开".to_string(),
            Guard::Session => "已登录".to_string(),
            Guard::May(a) => format!("`{a:?}`"),
            Guard::MayOrSelf(a) => format!("`{a:?}`（党员：本人）"),
        };
        out.push_str(&format!(
            "| {} | `{}` | {} | {:?} |\n",
            r.method, r.path, guard, r.subject
        ));
    }
    out
}
