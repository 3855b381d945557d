//! The API's one error type: a status, a stable code and a Chinese message, rendered as
//! `{"error": {"code": "...", "message": "...", "field": "..."}}`. Internal causes are logged
//! (the request id is on the log line through the request span) and never sent.

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kejiyun_core::DomainError;
use kejiyun_core::ports::Unavailable;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// Seconds for a `Retry-After` header (a 429 says when to come back).
    pub retry_after: Option<u64>,
}

/// The error shape of every API answer that is not a success.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_input`, `forbidden`, `not_found`.
    pub code: String,
    /// A message in Chinese, safe to show to the user.
    pub message: String,
    /// The input field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "请求的资源不存在")
    }

    pub fn unauthenticated() -> Self {
        DomainError::Unauthenticated.into()
    }
}

pub fn status_of(e: &DomainError) -> StatusCode {
    match e {
        DomainError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        DomainError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        DomainError::Unauthenticated | DomainError::BadCredentials => StatusCode::UNAUTHORIZED,
        DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
        DomainError::NotFound(_) => StatusCode::NOT_FOUND,
        DomainError::Conflict(_) => StatusCode::CONFLICT,
        DomainError::Locked { .. } | DomainError::TooFrequent { .. } => {
            StatusCode::TOO_MANY_REQUESTS
        }
        DomainError::Unavailable {
            kind: Unavailable::StorageFull,
            ..
        } => StatusCode::INSUFFICIENT_STORAGE,
        DomainError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// When a refused caller may try again, in seconds (for `Retry-After`: 429, 503, 507).
pub fn retry_after_of(e: &DomainError) -> Option<u64> {
    match e {
        DomainError::Unavailable { kind, .. } => Some(u64::from(kind.retry_after_secs())),
        DomainError::Locked { minutes } => Some(u64::from(*minutes).max(1) * 60),
        DomainError::TooFrequent { secs } => Some((*secs).max(1)),
        _ => None,
    }
}

/// `response` with a `Retry-After` header of `secs`, when there is one: the one place API
/// errors, error pages and the throttle set it.
pub fn with_retry_after(mut response: Response, secs: Option<u64>) -> Response {
    if let Some(secs) = secs {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// Logs what the user is not shown: an internal error's cause, an unavailable database's.
pub fn log_cause(e: &DomainError) {
    match e {
        DomainError::Internal(cause) => tracing::error!(cause = %cause, "internal error"),
        DomainError::Unavailable { kind, cause } => {
            tracing::warn!(kind = ?kind, cause = %cause, "temporarily unavailable")
        }
        _ => {}
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        log_cause(&e);
        let field = match &e {
            DomainError::Invalid { field, .. } | DomainError::TooLarge { field, .. } => {
                Some((*field).to_owned())
            }
            _ => None,
        };
        Self {
            status: status_of(&e),
            code: e.code(),
            message: e.to_string(),
            field,
            retry_after: retry_after_of(&e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                field: self.field,
            },
        };
        with_retry_after((self.status, Json(body)).into_response(), self.retry_after)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_is_a_503_that_says_when_to_try_again() {
        let e = ApiError::from(DomainError::Unavailable {
            kind: Unavailable::Rebuilding,
            cause: "index damaged".into(),
        });
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.code, "search_rebuilding");
        let response = e.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers().get(RETRY_AFTER),
            Some(&HeaderValue::from(
                Unavailable::Rebuilding.retry_after_secs()
            ))
        );
        let other = ApiError::from(DomainError::Conflict("重复".into())).into_response();
        assert!(other.headers().get(RETRY_AFTER).is_none());
    }
}
