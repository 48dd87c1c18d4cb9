//! Files users give that are kept in the database (a meeting's attachments, a task's
//! outcome): what the bytes are — taken by their first bytes, a name's extension alone
//! proves nothing — a name safe to keep and send back, a size as people read it.

/// The content type of a Word document.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
/// The content type of an Excel workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What the bytes are: the content type to serve them as (JPEG, PNG, PDF, a Word .docx or
/// an Excel .xlsx), or `None`.
pub fn sniff(bytes: &[u8], name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    let zip = bytes.starts_with(b"PK\x03\x04");
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if zip && lower.ends_with(".docx") {
        Some(DOCX)
    } else if zip && lower.ends_with(".xlsx") {
        Some(XLSX)
    } else {
        None
    }
}

/// A file name made safe to keep and to send back: the last path part, no control
/// characters or quotes, at most 100 characters; `fallback` when nothing is left.
pub fn clean_name(name: &str, fallback: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(100)
        .collect();
    if cleaned.is_empty() {
        fallback.into()
    } else {
        cleaned
    }
}

/// "1.2 MB", "350 KB".
pub fn size_label(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (n + 1023) / 1024)
    }
}

/// A file given with a record (a task's outcome, a duty record's report) as pages and the
/// API list it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RecordFile {
    pub id: i64,
    /// The task or the duty record.
    pub record_id: i64,
    /// The org that gave it.
    pub org_id: i64,
    /// The item it answers (a task's field, from 0; 0 for a duty report).
    pub field: usize,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    /// "1.2 MB", "350 KB".
    pub size_label: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

impl RecordFile {
    pub(crate) fn of(f: &jiceng_store::record_files::StoredFile) -> RecordFile {
        RecordFile {
            id: f.id,
            record_id: f.record_id,
            org_id: f.org_id,
            field: usize::try_from(f.field).unwrap_or_default(),
            name: f.name.clone(),
            content_type: f.content_type.clone(),
            size: f.size,
            size_label: size_label(f.size),
            uploaded_by: f.uploaded_by.clone(),
            uploaded_at: f.uploaded_at.clone(),
        }
    }
}

/// A record's file checked before it is kept: its name cleaned (`fallback` when none is
/// left) and its content type; or why it is refused (empty, over `max` bytes, not a photo,
/// a PDF, a Word or an Excel document).
pub fn check(
    name: &str,
    bytes: &[u8],
    max: usize,
    fallback: &str,
) -> Result<(String, &'static str), String> {
    let name = clean_name(name, fallback);
    if bytes.is_empty() {
        return Err(format!("文件“{name}”是空的（0字节）"));
    }
    if bytes.len() > max {
        return Err(format!(
            "文件“{name}”有{}，超过{}的上限；照片请压缩后再上传",
            size_label(bytes.len() as i64),
            size_label(max as i64)
        ));
    }
    match sniff(bytes, &name) {
        Some(t) => Ok((name, t)),
        None => Err(format!(
            "文件“{name}”不是照片（JPG、PNG）、PDF、Word（.docx）或 Excel（.xlsx）文件"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_taken_by_their_bytes_not_their_names() {
        assert_eq!(sniff(b"%PDF-1.7 ...", "a.docx"), Some("application/pdf"));
        assert_eq!(sniff(b"PK\x03\x04...", "名册.XLSX"), Some(XLSX));
        assert_eq!(sniff(b"PK\x03\x04...", "a.docx"), Some(DOCX));
        assert_eq!(sniff(b"PK\x03\x04...", "a.zip"), None);
        assert_eq!(sniff(b"MZ\x90\x00", "a.pdf"), None);
        assert_eq!(clean_name("C:\\x\\..\\报告\".pdf", "附件"), "报告.pdf");
        assert_eq!(clean_name("  /", "附件"), "附件");
        assert_eq!(size_label(1536 * 1024), "1.5 MB");
        assert_eq!(size_label(1), "1 KB");
    }
}
