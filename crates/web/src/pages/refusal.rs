//! A form's refusal: the reason and the field it belongs to, placed beside that field by
//! the template (`at`), or above the form when it belongs to none it shows (`general`).

use jiceng_app::AppError;

use crate::error::PageError;

/// A refusal and the field it belongs to (empty: none in particular).
#[derive(Default)]
pub(crate) struct Refusal {
    pub field: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn at(&self, field: &str) -> Option<&str> {
        (!self.message.is_empty() && self.field == field).then_some(self.message.as_str())
    }

    /// The message, if it is not shown beside one of `fields`.
    pub fn general(&self, fields: &[&str]) -> Option<&str> {
        (!self.message.is_empty() && !fields.contains(&self.field)).then_some(&self.message)
    }

    /// The status of a page showing it: 400 with a reason, 200 without.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.message.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::BAD_REQUEST
        }
    }

    /// The status of a form page showing it again: 422 with a reason, 200 without.
    pub fn form_status(&self) -> axum::http::StatusCode {
        if self.message.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    /// The message, wherever it belongs (the letter page shows it above its forms).
    pub fn any(&self) -> Option<&str> {
        (!self.message.is_empty()).then_some(self.message.as_str())
    }

    pub fn of(e: AppError) -> Result<Refusal, PageError> {
        match e {
            AppError::MemberLife(r) => Ok(Refusal {
                field: r.field,
                message: r.message,
            }),
            AppError::Input(message) => Ok(Refusal { field: "", message }),
            other => Err(other.into()),
        }
    }
}
