//! What a request is about, resolved once at the edge: the org of `?org=` or of the path's
//! `{id}`, proven in the session's scope (`jiceng_app::access::resolve`). A handler takes
//! `QueryOrg<User>` / `PathOrg<ApiUser>` and hands `&org` to the use case; it never sees
//! a key string again. Outside the subtree and not found are the same 404; a role the
//! permission table keeps from org data is refused (403).

use axum::extract::{FromRequestParts, Query, RawPathParams};
use axum::http::request::Parts;
use jiceng_app::access::{self, Actor, InScope, OrgKey};
use jiceng_app::OrgRecord;

use crate::error::WebError;
use crate::session::{ApiUser, User};
use crate::AppState;

/// A signed-in caller: the page user (cookie) or the API user (bearer token).
pub trait Caller: FromRequestParts<AppState> + Clone + Send + Sync + 'static {
    fn actor(&self) -> &Actor;
}

impl Caller for User {
    fn actor(&self) -> &Actor {
        &self.actor
    }
}

impl Caller for ApiUser {
    fn actor(&self) -> &Actor {
        &self.actor
    }
}

/// The caller of a request (resumed once per request: `User` and `ApiUser` keep
/// themselves in the request's extensions).
pub async fn caller<U: Caller>(parts: &mut Parts, state: &AppState) -> Result<U, U::Rejection> {
    U::from_request_parts(parts, state).await
}

#[derive(serde::Deserialize)]
struct OrgQuery {
    org: Option<String>,
}

/// Where a request names its org.
enum From {
    Query,
    Path,
}

/// The caller and the org the request names, resolved against the caller.
async fn org_of<U>(
    parts: &mut Parts,
    state: &AppState,
    from: From,
) -> Result<(U, InScope<OrgRecord>), U::Rejection>
where
    U: Caller,
    U::Rejection: std::convert::From<WebError>,
{
    let user = caller::<U>(parts, state).await?;
    let key = match from {
        From::Query => Query::<OrgQuery>::try_from_uri(&parts.uri)
            .map(|q| q.0.org)
            .unwrap_or(None),
        From::Path => RawPathParams::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|params| {
                params
                    .iter()
                    .find(|(name, _)| *name == "id" || *name == "org")
                    .map(|(_, v)| v.to_string())
            }),
    };
    let org = access::resolve(&state.app, user.actor(), &OrgKey::parse(key.as_deref()))
        .await
        .map_err(|e| U::Rejection::from(WebError::from(e)))?;
    Ok((user, org))
}

/// The org of `?org=` (an id, a code or an exact name; absent or blank: the caller's home
/// org), in the caller's scope, with the caller.
pub struct QueryOrg<U> {
    pub user: U,
    pub org: InScope<OrgRecord>,
}

impl<U> FromRequestParts<AppState> for QueryOrg<U>
where
    U: Caller,
    U::Rejection: std::convert::From<WebError>,
{
    type Rejection = U::Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        org_of::<U>(parts, state, From::Query)
            .await
            .map(|(user, org)| QueryOrg { user, org })
    }
}

/// The org of the path's `{id}` (an integer id, as the routes always typed it), in the caller's scope,
/// with the caller. Only for routes whose `{id}` names an org.
pub struct PathOrg<U> {
    pub user: U,
    pub org: InScope<OrgRecord>,
}

impl<U> FromRequestParts<AppState> for PathOrg<U>
where
    U: Caller,
    U::Rejection: std::convert::From<WebError>,
{
    type Rejection = U::Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        org_of::<U>(parts, state, From::Path)
            .await
            .map(|(user, org)| PathOrg { user, org })
    }
}
