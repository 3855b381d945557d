//! The one error type of the domain boundary. Messages are Chinese and safe to show; internal
//! causes (`Internal`) are logged by the adapter and replaced by a generic message.

use crate::ports::{StoreError, Unavailable};

pub type DomainResult<T> = Result<T, DomainError>;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DomainError {
    /// Input that does not satisfy a rule; `field` names the offending input field.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// A file over its kind's size limit (HTTP 413); `field` names the form field.
    #[error("{message}")]
    TooLarge {
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
    /// Asked too often (one-time codes sent to one login name); try again after `secs`.
    #[error("验证码发送过于频繁，请 {}后再试", wait_text(*secs))]
    TooFrequent { secs: u64 },
    /// The request cannot be served now, but may be shortly (a full disk, lost contention,
    /// an unreachable database, a search index being rebuilt); nothing was saved and the
    /// client may retry. The cause is logged, never shown.
    #[error("{}", unavailable_message(*kind))]
    Unavailable { kind: Unavailable, cause: String },
    /// Anything the user cannot fix; the cause is logged, never shown.
    #[error("服务器内部错误")]
    Internal(String),
}

/// `45 秒`, or whole minutes (rounded up) from two minutes on.
fn wait_text(secs: u64) -> String {
    if secs < 120 {
        format!("{secs} 秒")
    } else {
        format!("{} 分钟", secs.div_ceil(60))
    }
}

fn unavailable_message(kind: Unavailable) -> &'static str {
    match kind {
        Unavailable::StorageFull => "服务器存储空间已满，本次提交未保存，请稍后再试或联系管理员",
        Unavailable::Contention | Unavailable::Busy => "系统繁忙，本次提交未保存，请稍后重试",
        Unavailable::Down => "数据库暂时无法访问，本次操作未完成，请稍后再试",
        Unavailable::Rebuilding => "搜索索引正在重建，请稍后再试",
    }
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
            Self::TooLarge { .. } => "payload_too_large",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::BadCredentials => "bad_credentials",
            Self::Locked { .. } => "too_many_attempts",
            Self::TooFrequent { .. } => "too_many_requests",
            Self::Unavailable { kind, .. } => match kind {
                Unavailable::StorageFull => "storage_full",
                Unavailable::Contention | Unavailable::Busy => "busy",
                Unavailable::Down => "database_unavailable",
                Unavailable::Rebuilding => "search_rebuilding",
            },
            Self::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound("记录不存在".into()),
            StoreError::Conflict(m) => Self::Conflict(m),
            StoreError::Backend(m) => Self::Internal(m),
            StoreError::Unavailable { kind, cause } => Self::Unavailable { kind, cause },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_frequent_says_seconds_then_minutes() {
        let e = |secs| DomainError::TooFrequent { secs }.to_string();
        assert_eq!(e(45), "验证码发送过于频繁，请 45 秒后再试");
        assert_eq!(e(119), "验证码发送过于频繁，请 119 秒后再试");
        assert_eq!(e(121), "验证码发送过于频繁，请 3 分钟后再试");
        assert_eq!(
            DomainError::TooFrequent { secs: 1 }.code(),
            "too_many_requests"
        );
    }
}
