//! The one error type of the domain boundary. Messages are Chinese and safe to show; internal
//! causes (`Internal`) are logged by the adapter and replaced by a generic message.

use crate::ports::StoreError;

pub type DomainResult<T> = Result<T, DomainError>;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DomainError {
    /// Input that does not satisfy a rule; `field` names the offending input field.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The caller must log in first.
    #[error("请先登录")]
    Unauthenticated,
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state (duplicate, wrong status).
    #[error("{0}")]
    Conflict(String),
    /// Wrong login or password; deliberately does not say which.
    #[error("登录名或密码错误")]
    BadCredentials,
    /// Too many failed logins for this login name; try again later.
    #[error("登录失败次数过多，请 {minutes} 分钟后再试")]
    Locked { minutes: u32 },
    /// Anything the user cannot fix; the cause is logged, never shown.
    #[error("服务器内部错误")]
    Internal(String),
    /// Temporarily unavailable (the search index is being rebuilt); the message is safe to
    /// show, and trying again shortly helps.
    #[error("{0}")]
    Unavailable(String),
}

impl DomainError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn forbidden() -> Self {
        Self::Forbidden("无权执行此操作".into())
    }

    /// Stable machine-readable code used in the API error shape.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "invalid_input",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::BadCredentials => "bad_credentials",
            Self::Locked { .. } => "too_many_attempts",
            Self::Internal(_) => "internal",
            Self::Unavailable(_) => "unavailable",
        }
    }
}

impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound("记录不存在".into()),
            StoreError::Conflict(m) => Self::Conflict(m),
            StoreError::Backend(m) => Self::Internal(m),
        }
    }
}
