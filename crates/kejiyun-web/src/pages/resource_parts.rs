//! The 科普资源 publish / edit form as the browser sends it: a `multipart/form-data` reader
//! with the CSRF check first and per-part limits (see [`ResourceParts`]).

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;
use kejiyun_core::popsci::{ResourceKind, article};
use kejiyun_core::uploads::size_text;

use super::market::multipart::TEXT_ALLOWANCE;
use super::resources::MEDIA_KINDS;
use crate::AppState;
use crate::session::{CSRF_COOKIE, Ctx, FormRejection};

/// An uploaded file of the form.
pub struct FilePart {
    pub(super) name: String,
    pub(super) bytes: Vec<u8>,
}

/// The publish / edit form as sent: `multipart/form-data` whose `csrf_token` part must equal
/// the CSRF cookie (before any file), with at most one `media` file (within the policy's limit
/// of the chosen kind, or of the largest media kind when the kind comes after it) and one
/// `cover` image. The route lifts the global body limit: this reader is the limit.
///
/// Not `multipart::read`: its files carry no field name, and a resource has two distinct ones.
pub struct ResourceParts {
    pub(super) fields: Vec<(String, String)>,
    pub(super) media: Option<FilePart>,
    pub(super) cover: Option<FilePart>,
}

const BAD_FORM: &str = "表单内容无法解析";
const BAD_CSRF: &str = "页面已过期或来源不明，请刷新页面后重试";

impl FromRequest<AppState> for ResourceParts {
    type Rejection = FormRejection;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = req.extensions().get::<Ctx>().cloned();
        let fail = |status: StatusCode, message: String| {
            FormRejection(match &ctx {
                Some(ctx) => super::status_page(state, ctx, status, Some(message)),
                None => (status, message).into_response(),
            })
        };
        // Only a logged-in visitor may send files: a visitor's body is refused unread.
        if ctx.as_ref().is_some_and(|c| c.session.is_none()) {
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
            .map_err(|_| fail(StatusCode::BAD_REQUEST, BAD_FORM.into()))?;
        let policy = &state.services.upload_policy;
        let cover_max = policy.image_max_bytes;
        // Both files, an article's longest raw text, and the other text parts.
        let mut budget = policy
            .largest(&MEDIA_KINDS)
            .saturating_add(cover_max)
            .saturating_add(article::RAW_MAX_BYTES)
            .saturating_add(TEXT_ALLOWANCE);
        let broken =
            |e: axum::extract::multipart::MultipartError| fail(e.status(), BAD_FORM.into());
        let mut out = Self {
            fields: Vec::new(),
            media: None,
            cover: None,
        };
        let mut csrf_ok = false;
        while let Some(mut field) = mp.next_field().await.map_err(broken)? {
            let name = field.name().unwrap_or_default().to_owned();
            let Some(file_name) = field.file_name().map(str::to_owned) else {
                let mut raw = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(broken)? {
                    if chunk.len() > budget {
                        return Err(fail(StatusCode::PAYLOAD_TOO_LARGE, BAD_FORM.into()));
                    }
                    budget -= chunk.len();
                    raw.extend_from_slice(&chunk);
                }
                let value = String::from_utf8(raw)
                    .map_err(|_| fail(StatusCode::BAD_REQUEST, BAD_FORM.into()))?;
                if name == "csrf_token" {
                    if cookie.as_deref() != Some(value.as_str()) {
                        return Err(fail(StatusCode::FORBIDDEN, BAD_CSRF.into()));
                    }
                    csrf_ok = true;
                } else {
                    out.fields.push((name, value));
                }
                continue;
            };
            // A file before the token: refused before it is read.
            if !csrf_ok {
                return Err(fail(StatusCode::FORBIDDEN, BAD_CSRF.into()));
            }
            let (limit, what) = match name.as_str() {
                "media" => {
                    let kind = ResourceKind::parse(out.get("kind").trim())
                        .ok()
                        .and_then(ResourceKind::media_kind);
                    match kind {
                        Some(k) => (policy.max_bytes(k), k.label_zh()),
                        None => (policy.largest(&MEDIA_KINDS), "文件"),
                    }
                }
                "cover" => (cover_max, "封面图片"),
                _ => return Err(fail(StatusCode::BAD_REQUEST, BAD_FORM.into())),
            };
            let too_large = || {
                fail(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("{what}不能超过 {}", size_text(limit)),
                )
            };
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                if bytes.len() + chunk.len() > limit || chunk.len() > budget {
                    return Err(too_large());
                }
                budget -= chunk.len();
                bytes.extend_from_slice(&chunk);
            }
            // An empty part is a file input left blank.
            if bytes.is_empty() {
                continue;
            }
            let slot = if name == "media" {
                &mut out.media
            } else {
                &mut out.cover
            };
            if slot.is_some() {
                return Err(fail(StatusCode::BAD_REQUEST, BAD_FORM.into()));
            }
            *slot = Some(FilePart {
                name: file_name,
                bytes,
            });
        }
        if !csrf_ok {
            return Err(fail(StatusCode::FORBIDDEN, BAD_CSRF.into()));
        }
        Ok(out)
    }
}

impl ResourceParts {
    /// The first value of a text part ("" when absent).
    pub(super) fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}
