//! Attachments of a meeting record (附件, SPEC C4): photos of the sign-in sheet, the
//! minutes as a file. Optional; a file is taken by what its bytes are (JPEG, PNG, PDF or a
//! Word .docx — the name's extension alone proves nothing), at most [`FILE_MAX`] each and
//! [`PER_MEETING`] files or [`TOTAL_MAX`] bytes a meeting. Added and removed by those who
//! may record the branch's life, audited; read by whoever may read the record.

use jiceng_store::attachments::{self as store, StoredAttachment};
use jiceng_store::meetings as meeting_store;
use jiceng_store::Scope;
use serde::Serialize;

use crate::access::{Action, Actor, Grant, RecordLife};
use crate::audit::{self, AuditAction};
use crate::kept_file::{self, size_label};
use crate::{App, AppError, Result};

/// The largest file (5 MB: a phone photo of a sign-in sheet is 1–4 MB).
pub const FILE_MAX: usize = 5 * 1024 * 1024;
/// The most files a meeting keeps.
pub const PER_MEETING: usize = 10;
/// The most bytes a meeting keeps in all.
pub const TOTAL_MAX: i64 = 20 * 1024 * 1024;

/// An attachment as a page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    pub id: i64,
    pub meeting_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    /// "1.2 MB", "350 KB".
    pub size_label: String,
    pub is_image: bool,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

impl AttachmentView {
    fn of(a: &StoredAttachment) -> AttachmentView {
        AttachmentView {
            id: a.id,
            meeting_id: a.meeting_id,
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            size_label: size_label(a.size),
            is_image: a.content_type.starts_with("image/"),
            uploaded_by: a.uploaded_by.clone(),
            uploaded_at: a.uploaded_at.clone(),
        }
    }
}

/// What the bytes are: the content type to serve them as, or `None` (a meeting keeps
/// photos, PDFs and Word documents, not workbooks).
pub fn sniff(bytes: &[u8], name: &str) -> Option<&'static str> {
    kept_file::sniff(bytes, name).filter(|t| *t != kept_file::XLSX)
}

fn clean_name(name: &str) -> String {
    kept_file::clean_name(name, "附件")
}

/// The meeting `id` in the actor's scope: its path, or not found.
async fn meeting_path(app: &App, actor: &Actor, id: i64) -> Result<(String, i64)> {
    let mut conn = app.store.acquire().await?;
    let m = meeting_store::get(&mut conn, &actor.scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound("会议记录".into()))?;
    Ok((m.branch_path(), m.meeting.org_id))
}

/// The attachments of meeting `id` (in the actor's scope).
pub async fn list(app: &App, actor: &Actor, id: i64) -> Result<Vec<AttachmentView>> {
    if !actor.may(Action::ReadData) {
        return Err(AppError::Forbidden);
    }
    meeting_path(app, actor, id).await?;
    let mut conn = app.store.acquire().await?;
    Ok(store::of_meeting(&mut conn, id)
        .await?
        .iter()
        .map(AttachmentView::of)
        .collect())
}

/// One attachment of meeting `id` with its bytes (in the actor's scope).
pub async fn open(
    app: &App,
    actor: &Actor,
    id: i64,
    attachment: i64,
) -> Result<(AttachmentView, Vec<u8>)> {
    if !actor.may(Action::ReadData) {
        return Err(AppError::Forbidden);
    }
    let mut conn = app.store.acquire().await?;
    match store::get(&mut conn, &actor.scope, attachment).await? {
        Some((a, bytes)) if a.meeting_id == id => Ok((AttachmentView::of(&a), bytes)),
        _ => Err(AppError::NotFound("附件".into())),
    }
}

/// Adds a file to meeting `id`: refused (with the reason) when it is empty, too large, of
/// another kind, or the meeting already holds its most; audited.
pub async fn add(
    app: &App,
    grant: &Grant<RecordLife>,
    id: i64,
    name: &str,
    bytes: &[u8],
) -> Result<AttachmentView> {
    let actor = grant.actor();
    let (path, org_id) = meeting_path(app, actor, id).await?;
    let name = clean_name(name);
    if bytes.is_empty() {
        return Err(AppError::Input(format!("文件“{name}”是空的（0字节）")));
    }
    if bytes.len() > FILE_MAX {
        return Err(AppError::Input(format!(
            "文件“{name}”有{}，超过每个附件{}的上限；照片请压缩后再上传",
            size_label(bytes.len() as i64),
            size_label(FILE_MAX as i64)
        )));
    }
    let Some(content_type) = sniff(bytes, &name) else {
        return Err(AppError::Input(format!(
            "文件“{name}”不是照片（JPG、PNG）、PDF 或 Word（.docx）文件"
        )));
    };
    let mut conn = app.store.acquire().await?;
    let held = store::of_meeting(&mut conn, id).await?;
    drop(conn);
    if held.len() >= PER_MEETING {
        return Err(AppError::Input(format!(
            "每次会议最多{PER_MEETING}个附件，请先删除不需要的"
        )));
    }
    let total: i64 = held.iter().map(|a| a.size).sum::<i64>() + bytes.len() as i64;
    if total > TOTAL_MAX {
        return Err(AppError::Input(format!(
            "每次会议的附件合计不超过{}，加上“{name}”将达到{}",
            size_label(TOTAL_MAX),
            size_label(total)
        )));
    }
    let a = StoredAttachment {
        id: app.store.reserve_ids("meeting_attachment", 1).await?,
        meeting_id: id,
        org_path: path,
        name: name.clone(),
        content_type: content_type.to_string(),
        size: bytes.len() as i64,
        uploaded_by: actor.username.clone(),
        uploaded_at: app.now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    };
    let mut conn = app.store.acquire().await?;
    let org = jiceng_store::orgs::get(&mut conn, &Scope::All, org_id).await?;
    drop(conn);
    let (a_ref, org_ref) = (&a, org.as_ref());
    audit::Entry::new(
        actor,
        AuditAction::AttachmentAdd,
        format!("会议 id {id} 附件“{name}”"),
    )
    .org(org_ref)
    .after(serde_json::json!({ "meeting_id": id, "name": name, "size": a.size }))
    .write(app, |mut tx| async move {
        store::insert(&mut tx, a_ref, bytes).await?;
        Ok(tx)
    })
    .await?;
    Ok(AttachmentView::of(&a))
}

/// Removes an attachment of meeting `id`; audited.
pub async fn remove(app: &App, grant: &Grant<RecordLife>, id: i64, attachment: i64) -> Result<()> {
    let actor = grant.actor();
    let (_, org_id) = meeting_path(app, actor, id).await?;
    let (a, _) = open(app, actor, id, attachment).await?;
    let mut conn = app.store.acquire().await?;
    let org = jiceng_store::orgs::get(&mut conn, &Scope::All, org_id).await?;
    drop(conn);
    audit::Entry::new(
        actor,
        AuditAction::AttachmentRemove,
        format!("会议 id {id} 附件“{}”", a.name),
    )
    .org(org.as_ref())
    .before(serde_json::json!({ "meeting_id": id, "name": a.name, "size": a.size }))
    .write(app, |mut tx| async move {
        if !store::delete(&mut tx, attachment).await? {
            return Err(AppError::NotFound("附件".into()));
        }
        Ok(tx)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_taken_by_their_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest", "a.jpg"), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest", "签到表"), Some("image/png"));
        assert_eq!(sniff(b"%PDF-1.7", "会议记录.pdf"), Some("application/pdf"));
        assert!(sniff(b"PK\x03\x04", "纪要.docx").is_some());
        assert_eq!(sniff(b"PK\x03\x04", "名册.xlsx"), None);
        assert_eq!(
            sniff(b"<html>", "photo.jpg"),
            None,
            "the name proves nothing"
        );
        assert_eq!(clean_name("C:\\照片\\签到表.jpg"), "签到表.jpg");
        assert_eq!(clean_name("../../x\u{0}.pdf"), "x.pdf");
        assert_eq!(size_label(350 * 1024), "350 KB");
        assert_eq!(size_label(1_258_291), "1.2 MB");
    }
}
