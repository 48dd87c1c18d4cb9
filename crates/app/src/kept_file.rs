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
