//! `CsrfMultipart`: a `multipart/form-data` form (a file upload) whose `csrf_token` part must
//! equal the visitor's CSRF cookie, exactly as [`crate::session::CsrfForm`] checks url-encoded
//! forms. The file part is read with the upload limit of `Services`, and the whole body with
//! that limit plus 64 KiB for the text parts (the route lifts the global body limit, which is
//! smaller than an upload; this extractor is the limit).

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;

use crate::AppState;
use crate::error::ApiError;
use crate::session::{CSRF_COOKIE, Ctx, FormRejection};

/// An uploaded file.
#[derive(Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

pub struct CsrfMultipart {
    /// The text parts (name, value), without `csrf_token`.
    pub fields: Vec<(String, String)>,
    /// The first non-empty file part.
    pub file: Option<Upload>,
    /// Every non-empty file part, in order (forms that take several files).
    pub files: Vec<Upload>,
}

impl CsrfMultipart {
    /// The first value of a text part ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

/// Room for the text parts beside the file.
pub const TEXT_ALLOWANCE: usize = 64 * 1024;

const BAD_CSRF: &str = "页面已过期或来源不明，请刷新页面后重试";

impl FromRequest<AppState> for CsrfMultipart {
    type Rejection = FormRejection;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let limit = state.services.upload_limit_bytes;
        read(req, state, limit, limit).await
    }
}

/// Reads a CSRF-checked multipart form: each file at most `per_file` bytes, all files
/// together at most `all_files` (plus [`TEXT_ALLOWANCE`] for the text parts); 413 beyond.
pub async fn read(
    req: Request,
    state: &AppState,
    per_file: usize,
    all_files: usize,
) -> Result<CsrfMultipart, FormRejection> {
    let ctx = req.extensions().get::<Ctx>().cloned();
    let fail = |status: StatusCode, message: String| match &ctx {
        Some(ctx) => FormRejection(crate::pages::status_page(state, ctx, status, Some(message))),
        None => FormRejection(ApiError::new(status, "bad_form", message).into_response()),
    };
    let cookie = CookieJar::from_headers(req.headers())
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|c| !c.is_empty());
    let is_multipart = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(fail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "请通过页面表单提交".into(),
        ));
    }
    let mut mp = Multipart::from_request(req, state)
        .await
        .map_err(|_| fail(StatusCode::BAD_REQUEST, "表单内容无法解析".into()))?;
    let limit = per_file;
    let mut budget = all_files.saturating_add(TEXT_ALLOWANCE);
    let too_large = || {
        fail(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("文件不能超过 {} MB", limit / (1024 * 1024)),
        )
    };
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            fail(e.status(), "表单内容无法解析".into())
        }
    };
    let mut fields = Vec::new();
    let mut files = Vec::new();
    let mut csrf_ok = false;
    while let Some(mut field) = mp.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(file_name) = field.file_name().map(str::to_owned) {
            // A file before the token: refuse before reading it.
            if !csrf_ok {
                return Err(fail(StatusCode::FORBIDDEN, BAD_CSRF.into()));
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                if bytes.len() + chunk.len() > limit || chunk.len() > budget {
                    return Err(too_large());
                }
                budget -= chunk.len();
                bytes.extend_from_slice(&chunk);
            }
            if !bytes.is_empty() {
                files.push(Upload { file_name, bytes });
            }
        } else {
            let mut raw = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                if chunk.len() > budget {
                    return Err(too_large());
                }
                budget -= chunk.len();
                raw.extend_from_slice(&chunk);
            }
            let value = String::from_utf8(raw)
                .map_err(|_| fail(StatusCode::BAD_REQUEST, "表单内容无法解析".into()))?;
            if name == "csrf_token" {
                if cookie.as_deref() != Some(value.as_str()) {
                    return Err(fail(StatusCode::FORBIDDEN, BAD_CSRF.into()));
                }
                csrf_ok = true;
            } else {
                fields.push((name, value));
            }
        }
    }
    if !csrf_ok {
        return Err(fail(StatusCode::FORBIDDEN, BAD_CSRF.into()));
    }
    Ok(CsrfMultipart {
        fields,
        file: files.first().cloned(),
        files,
    })
}
