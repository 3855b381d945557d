//! The API's one error type: a status, a stable code and a Chinese message, rendered as
//! `{"error": {"code": "...", "message": "...", "field": "..."}}`. Internal causes are logged
//! (the request id is on the log line through the request span) and never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
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
        DomainError::Unauthenticated | DomainError::BadCredentials => StatusCode::UNAUTHORIZED,
        DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
        DomainError::NotFound(_) => StatusCode::NOT_FOUND,
        DomainError::Conflict(_) => StatusCode::CONFLICT,
        DomainError::Locked { .. } => StatusCode::TOO_MANY_REQUESTS,
        DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        DomainError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Seconds a client is asked to wait before it tries a 503 again.
pub const RETRY_AFTER_SECS: u32 = 10;

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
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_is_a_503_that_says_when_to_try_again() {
        let e = ApiError::from(DomainError::Unavailable(
            "搜索索引正在重建，请稍后再试".into(),
        ));
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.code, "unavailable");
        let response = e.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers().get(header::RETRY_AFTER),
            Some(&HeaderValue::from(RETRY_AFTER_SECS))
        );
        let other = ApiError::from(DomainError::Conflict("重复".into())).into_response();
        assert!(other.headers().get(header::RETRY_AFTER).is_none());
    }
}
