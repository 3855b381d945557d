//! `CsrfMultipart`: a `multipart/form-data` form (file uploads) whose `csrf_token` part must
//! equal the visitor's CSRF cookie, exactly as [`crate::session::CsrfForm`] checks url-encoded
//! forms, read by one reader for every page that takes files ([`read_with`]): each file part
//! within its field's limit ([`FileRules`]), the whole body within the files' total plus 64 KiB
//! for the text parts (the routes lift the global body limit, which is smaller than an upload;
//! this reader is the limit). By default the one file limit is the upload limit of `Services`.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;

use kejiyun_core::uploads::size_text;

use crate::AppState;
use crate::error::ApiError;
use crate::session::{CSRF_COOKIE, Ctx, FormRejection};

/// An uploaded file.
#[derive(Clone)]
pub struct SentFile {
    /// The form field it came in.
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

pub struct CsrfMultipart {
    /// The text parts (name, value), without `csrf_token`.
    pub fields: Vec<(String, String)>,
    /// The first non-empty file part.
    pub file: Option<SentFile>,
    /// Every non-empty file part, in order (forms that take several files).
    pub files: Vec<SentFile>,
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

/// A file part's limit in bytes and what an error calls the file, from the part's field name
/// and the form's text parts read so far; `None` for a field the form does not take.
pub type FileLimit<'a> = dyn Fn(&str, &CsrfMultipart) -> Option<(usize, &'static str)> + Sync + 'a;

/// What a form takes in its file parts.
pub struct FileRules<'a> {
    /// All file parts together, at most (the text parts get [`TEXT_ALLOWANCE`] beside).
    pub all_files: usize,
    /// Each file part's limit (a field the form does not take: 400).
    pub per_file: &'a FileLimit<'a>,
    /// Refuse a visitor who is not logged in before reading the body.
    pub logged_in_only: bool,
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
    let any_field = move |_: &str, _: &CsrfMultipart| Some((per_file, "文件"));
    let rules = FileRules {
        all_files,
        per_file: &any_field,
        logged_in_only: false,
    };
    read_with(req, state, &rules).await
}

/// Reads a CSRF-checked multipart form under `rules`: the token before any file (a file before
/// it is refused unread), each file within its field's limit, the body within the total; an
/// empty file part (a file input left blank) is dropped.
pub async fn read_with(
    req: Request,
    state: &AppState,
    rules: &FileRules<'_>,
) -> Result<CsrfMultipart, FormRejection> {
    let ctx = req.extensions().get::<Ctx>().cloned();
    let fail = |status: StatusCode, message: String| match &ctx {
        Some(ctx) => FormRejection(crate::pages::status_page(state, ctx, status, Some(message))),
        None => FormRejection(ApiError::new(status, "bad_form", message).into_response()),
    };
    if rules.logged_in_only && ctx.as_ref().is_some_and(|c| c.session.is_none()) {
        return Err(fail(StatusCode::UNAUTHORIZED, "请先登录".into()));
    }
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
    let mut budget = rules.all_files.saturating_add(TEXT_ALLOWANCE);
    let too_large = |what: &str, limit: usize| {
        fail(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{what}不能超过 {}", size_text(limit)),
        )
    };
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            fail(StatusCode::PAYLOAD_TOO_LARGE, "表单内容过大".into())
        } else {
            fail(e.status(), "表单内容无法解析".into())
        }
    };
    let mut out = CsrfMultipart {
        fields: Vec::new(),
        file: None,
        files: Vec::new(),
    };
    let mut csrf_ok = false;
    while let Some(mut field) = mp.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(file_name) = field.file_name().map(str::to_owned) {
            // A file before the token: refuse before reading it.
            if !csrf_ok {
                return Err(fail(StatusCode::FORBIDDEN, BAD_CSRF.into()));
            }
            let (limit, what) = (rules.per_file)(&name, &out)
                .ok_or_else(|| fail(StatusCode::BAD_REQUEST, "表单内容无法解析".into()))?;
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                if bytes.len() + chunk.len() > limit || chunk.len() > budget {
                    return Err(too_large(what, limit));
                }
                budget -= chunk.len();
                bytes.extend_from_slice(&chunk);
            }
            if !bytes.is_empty() {
                out.files.push(SentFile {
                    field: name,
                    file_name,
                    bytes,
                });
            }
        } else {
            let mut raw = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                if chunk.len() > budget {
                    return Err(fail(StatusCode::PAYLOAD_TOO_LARGE, "表单内容过大".into()));
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
                out.fields.push((name, value));
            }
        }
    }
    if !csrf_ok {
        return Err(fail(StatusCode::FORBIDDEN, BAD_CSRF.into()));
    }
    out.file = out.files.first().cloned();
    Ok(out)
}
