//! The refusals of a member's life after admission (transfers, exits, 流动/失联) and of
//! tasks (任务部署): one typed error with its form field, `AppError::MemberLife`.

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

impl From<jiceng_domain::task::TaskError> for Refused {
    fn from(e: jiceng_domain::task::TaskError) -> Refused {
        use jiceng_domain::task::TaskError as E;
        let field = match &e {
            E::Title(_) => "title",
            E::Content(_) => "content",
            E::Deadline(_) => "deadline",
            E::Field(..) => "fields",
            E::Answer(..) => "answers",
            E::Progress(_) => "progress",
        };
        Refused {
            field,
            message: e.to_string(),
        }
    }
}

impl From<jiceng_domain::task::TaskError> for AppError {
    fn from(e: jiceng_domain::task::TaskError) -> AppError {
        AppError::MemberLife(e.into())
    }
}

/// A refusal of one field of a form (the front ends use it for what they find missing).
pub fn refused(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::MemberLife(Refused {
        field,
        message: message.into(),
    })
}
