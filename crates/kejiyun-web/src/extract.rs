//! Extractors whose rejections are API errors with Chinese messages, instead of axum's plain
//! text: malformed JSON is a 400, a wrong content type a 415, an oversized body a 413, a
//! well-formed body of the wrong shape a 422. And the query-string guard every page and API
//! route sits behind: no control character reaches a handler through the query string.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};

use crate::input_errors;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kejiyun_core::{DomainError, text};

use crate::AppState;
use crate::error::{ApiError, status_of};
use crate::session::Ctx;

/// The query parameters the routes read, so that a refusal names its field in `error.field`
/// (any other parameter is refused all the same, as `query`).
const PARAMS: [&str; 24] = [
    "q",
    "region",
    "status",
    "category",
    "kind",
    "type",
    "scope",
    "available_in",
    "org_type",
    "metric",
    "from",
    "to",
    "page",
    "per_page",
    "mine",
    "unread",
    "next",
    "group",
    "limit",
    "transfer",
    "need",
    "done",
    "saved",
    "revoked",
];

/// Every parameter of a query string, decoded, through [`text::query_param`]. A NUL byte in a
/// search box would otherwise reach SQL, where PostgreSQL fails on it; no route needs any
/// control character, so they are refused here once for all routes.
pub fn check_query(raw: &str) -> Result<(), DomainError> {
    // Undecodable strings are left to the routes' own extractors (400).
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
    for (name, value) in &pairs {
        let field = PARAMS
            .iter()
            .copied()
            .find(|p| *p == name)
            .unwrap_or("query");
        text::query_param(field, name, value)?;
    }
    Ok(())
}

/// Middleware: 422 (the API's error shape, or the error page) for a query string with a
/// control character.
pub async fn plain_query(
    State(state): State<AppState>,
    ctx: Ctx,
    req: Request,
    next: Next,
) -> Response {
    let Some(Err(e)) = req.uri().query().map(check_query) else {
        return next.run(req).await;
    };
    if ctx.path.starts_with("/api/") {
        ApiError::from(e).into_response()
    } else {
        crate::pages::status_page(&state, &ctx, status_of(&e), Some(e.to_string()))
    }
}

/// A JSON body of `T`. A number written with a zero fraction (`1.0`) is an integer here, as
/// JSON Schema counts it (OpenAPI clients and schemathesis send it so); serde would refuse it
/// for an integer field.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(mut value) =
            axum::Json::<serde_json::Value>::from_request(req, state).await?;
        integral_numbers(&mut value);
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| {
                explained(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_input",
                    input_errors::json_data(&e.to_string()),
                )
            })
    }
}

/// `1.0` → `1`, throughout the value (within i64; other fractions are left for serde to judge).
fn integral_numbers(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *n = serde_json::Number::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

#[derive(Debug, Clone, Copy, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for ApiJson<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

fn short(detail: String) -> String {
    detail.chars().take(300).collect()
}

/// An input error with serde's English explained in Chinese (and its field, when named).
fn explained(status: StatusCode, code: &'static str, e: input_errors::Explained) -> ApiError {
    ApiError {
        field: e.field,
        ..ApiError::new(status, code, e.message)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => explained(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                input_errors::json_data(&e.body_text()),
            ),
            JsonRejection::JsonSyntaxError(e) => explained(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                input_errors::json_syntax(&e.body_text()),
            ),
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求体须为 JSON（Content-Type: application/json）",
            ),
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "请求体过大",
                )
            }
            other => ApiError::new(
                other.status(),
                "bad_request",
                format!("无法读取请求体：{}", short(other.body_text())),
            ),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        explained(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            input_errors::query(&r.body_text()),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        explained(
            StatusCode::BAD_REQUEST,
            "invalid_path",
            input_errors::path(&r.body_text()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_numbers_become_integers() {
        let mut v = serde_json::json!({"a": 1.0, "b": [2.0, 2.5], "c": {"d": -3.0}, "e": "1.0"});
        integral_numbers(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": 1, "b": [2, 2.5], "c": {"d": -3}, "e": "1.0"})
        );
        let n: u32 = serde_json::from_value(v["a"].clone()).unwrap_or(0);
        assert_eq!(n, 1);
    }

    #[test]
    fn query_strings_with_control_characters_are_refused() {
        assert!(check_query("q=%E6%9F%91%E6%A9%98&page=2").is_ok());
        assert!(check_query("q=a+b&region=").is_ok());
        let e = check_query("page=1&q=%00").expect_err("nul");
        assert!(
            matches!(e, DomainError::Invalid { field: "q", .. }),
            "{e:?}"
        );
        let e = check_query("next=%2Fme%0A").expect_err("newline");
        assert!(matches!(e, DomainError::Invalid { field: "next", .. }));
        let e = check_query("x%01=1").expect_err("in a name");
        assert!(matches!(e, DomainError::Invalid { field: "query", .. }));
        assert!(e.to_string().contains("控制字符"));
    }
}
