//! The refusals of a member's life after admission (transfers, exits, 流动/失联): one
//! typed error with its form field, `AppError::MemberLife`.

use crate::AppError;

/// A refusal of a member's life (a transfer letter or decision, an exit, a spell away or
/// lost), typed: the part of the form and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refused {
    pub field: &'static str,
    pub message: String,
}

impl From<jiceng_domain::transfer::TransferError> for Refused {
    fn from(e: jiceng_domain::transfer::TransferError) -> Refused {
        Refused {
            field: e.field,
            message: e.message,
        }
    }
}

pub(crate) fn refused(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::MemberLife(Refused {
        field,
        message: message.into(),
    })
}
