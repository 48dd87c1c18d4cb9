//! A meeting's attachments (附件): uploaded from the meeting's page (a phone takes a photo
//! of the sign-in sheet), shown inline when a photo or a PDF, removed by those who may
//! record; refusals come back on the meeting's page with the reason.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::RecordLife;
use jiceng_app::meetings::attachments::{self, FILE_MAX};
use jiceng_app::AppError;

use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields};
use crate::pages::{html, small_upload, stored_file};
use crate::session::User;
use crate::AppState;

/// The body an upload may have: the largest file and the form's small fields.
pub const UPLOAD_BODY_MAX: usize = small_upload::body_max(FILE_MAX);

/// The meeting's page again, with the refusal and 400.
async fn refused(
    state: &AppState,
    user: &User,
    id: i64,
    why: String,
) -> Result<Response, PageError> {
    let page = super::meetings::meeting_view(state, user, id, String::new(), Some(why)).await?;
    let mut resp = html(&page)?;
    *resp.status_mut() = StatusCode::BAD_REQUEST;
    Ok(resp)
}

pub(super) async fn upload(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form = small_upload::read(mp, FILE_MAX).await?;
    user.check_csrf(&form.get("csrf"))?;
    let file = form.chosen();
    let grant = user.actor.grant::<RecordLife>()?;
    let Some((name, bytes)) = file else {
        return refused(&state, &user, id, "请选择要上传的照片或文件".into()).await;
    };
    let bytes = if bytes.len() > FILE_MAX {
        // Over the limit: say so by its size without keeping more of it.
        return refused(
            &state,
            &user,
            id,
            format!("文件“{name}”超过每个附件5 MB的上限；照片请压缩后再上传"),
        )
        .await;
    } else {
        bytes
    };
    match attachments::add(&state.app, &grant, id, &name, &bytes).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/meetings/{id}?done=attached#attachments")).into_response())
        }
        Err(AppError::Input(m)) => refused(&state, &user, id, m).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn open(
    State(state): State<AppState>,
    user: User,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let (a, bytes) = attachments::open(&state.app, &user.actor, id, aid).await?;
    Ok(stored_file(&a.name, &a.content_type, bytes))
}

pub(super) async fn remove(
    State(state): State<AppState>,
    Path((id, aid)): Path<(i64, i64)>,
    CsrfForm { user, .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<RecordLife>()?;
    attachments::remove(&state.app, &grant, id, aid).await?;
    Ok(Redirect::to(&format!("/meetings/{id}?done=detached#attachments")).into_response())
}
