//! A form that uploads one small file kept in the database (a meeting's attachment, a
//! task's outcome): read whole in memory, but never more than one byte over the limit —
//! enough to know it is over — and its short fields never longer than [`FIELD_MAX`].

use std::collections::HashMap;

use axum::extract::Multipart;

use crate::error::WebError;

/// The longest short field (the CSRF token, a field's index).
const FIELD_MAX: usize = 4 * 1024;

/// The body a form uploading a file of at most `file_max` bytes may have.
pub const fn body_max(file_max: usize) -> usize {
    file_max + 64 * 1024
}

/// What the form sent.
pub struct SmallUpload {
    fields: HashMap<String, String>,
    /// The `file` part: the name the user gave it and its bytes (at most `max + 1`).
    pub file: Option<(String, Vec<u8>)>,
}

impl SmallUpload {
    /// A short field as sent (empty when absent).
    pub fn get(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    /// The file chosen (a part with a name), if any.
    pub fn chosen(self) -> Option<(String, Vec<u8>)> {
        self.file.filter(|(n, _)| !n.is_empty())
    }
}

/// Reads the form: its `file` part kept to `max + 1` bytes, its other parts as text.
pub async fn read(mut mp: Multipart, max: usize) -> Result<SmallUpload, WebError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("上传失败：{e}"))
    };
    let mut fields = HashMap::new();
    let mut file = None;
    while let Some(mut field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        let fname = field.file_name().unwrap_or("").to_string();
        let limit = if name == "file" { max + 1 } else { FIELD_MAX };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            let room = limit.saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        if name == "file" {
            file = Some((fname, bytes));
        } else {
            fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(SmallUpload { fields, file })
}
