//! The API's one error type: a status, a stable code and a Chinese message, rendered as
//! `{"error": {"code": "...", "message": "...", "field": "..."}}`. Internal causes are logged
//! (the request id is on the log line through the request span) and never sent.

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kejiyun_core::DomainError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<&'static str>,
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

/// When a refused caller may try again, in seconds (for `Retry-After`).
pub fn retry_after_of(e: &DomainError) -> Option<u64> {
    match e {
        DomainError::Locked { minutes } => Some(u64::from(*minutes).max(1) * 60),
        _ => None,
    }
}

pub fn status_of(e: &DomainError) -> StatusCode {
    match e {
        DomainError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        DomainError::Unauthenticated | DomainError::BadCredentials => StatusCode::UNAUTHORIZED,
        DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
        DomainError::NotFound(_) => StatusCode::NOT_FOUND,
        DomainError::Conflict(_) => StatusCode::CONFLICT,
        DomainError::Locked { .. } => StatusCode::TOO_MANY_REQUESTS,
        DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        if let DomainError::Internal(cause) = &e {
            tracing::error!(cause = %cause, "internal error");
        }
        let field = match &e {
            DomainError::Invalid { field, .. } => Some(*field),
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
                field: self.field.map(str::to_owned),
            },
        };
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
