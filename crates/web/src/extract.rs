//! What a request is about, resolved once at the edge: the org of `?org=` or of the path's
//! `{id}`, proven in the session's scope (`jiceng_app::access::resolve`). A handler takes
//! `QueryOrg<User>` / `PathOrg<ApiUser>` and hands `&org` to the use case; it never sees
//! a key string again. Outside the subtree and not found are the same 404; a role the
//! permission table keeps from org data is refused (403).

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Query, RawPathParams, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Form;
use jiceng_app::access::{self, Actor, InScope, OrgKey};
use jiceng_app::OrgRecord;
use serde::de::DeserializeOwned;

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

/// `?q=`: the text of a search (the org tree's, the API's org search).
#[derive(serde::Deserialize)]
pub struct SearchParam {
    pub q: Option<String>,
}

/// Declares an extractor of the caller and the org the request names `$from`.
macro_rules! org_extractor {
    ($(#[$doc:meta])* $name:ident, $from:expr) => {
        $(#[$doc])*
        pub struct $name<U> {
            pub user: U,
            pub org: InScope<OrgRecord>,
        }

        impl<U> FromRequestParts<AppState> for $name<U>
        where
            U: Caller,
            U::Rejection: std::convert::From<WebError>,
        {
            type Rejection = U::Rejection;

            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Self::Rejection> {
                org_of::<U>(parts, state, $from)
                    .await
                    .map(|(user, org)| $name { user, org })
            }
        }
    };
}

org_extractor!(
    /// The org of `?org=` (an id, a code or an exact name; absent or blank: the caller's home
    /// org), in the caller's scope, with the caller.
    QueryOrg,
    From::Query
);

org_extractor!(
    /// The org of the path's `{id}` (an integer id, as the routes always typed it), in the caller's scope,
    /// with the caller. Only for routes whose `{id}` names an org.
    PathOrg,
    From::Path
);

/// A form posted by the session's user, its `csrf` field checked against the session's
/// token: the form is read (refused as axum's `Form` refuses it), then the token checked,
/// before the handler runs. `T` need not have a `csrf` field; a form of nothing else is
/// `CsrfForm<NoFields>`.
pub struct CsrfForm<T> {
    pub user: User,
    pub form: T,
}

/// The fields of a form that posts only its CSRF token.
#[derive(serde::Deserialize)]
pub struct NoFields {}

#[derive(serde::Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

impl<T> FromRequest<AppState> for CsrfForm<T>
where
    T: DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = User::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let again = |bytes: &Bytes| Request::from_parts(parts.clone(), Body::from(bytes.clone()));
        let Form(form) = Form::<T>::from_request(again(&bytes), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Form(token) = Form::<Token>::from_request(again(&bytes), state)
            .await
            .map_err(IntoResponse::into_response)?;
        user.check_csrf(&token.csrf)
            .map_err(IntoResponse::into_response)?;
        Ok(CsrfForm { user, form })
    }
}
