//! `POST /api/v1/uploads` (one file, `multipart/form-data`) and the files themselves,
//! `GET /files/{id}` and `/files/{id}/thumb`. The engine's rules are `kejiyun_core::uploads`;
//! here is only HTTP: the form is read within the largest accepted kind's limit, and a file is
//! served with its stored type, `nosniff`, a `Content-Disposition`, a year of caching (ids are
//! immutable) and byte ranges (tower-http's `ServeFile`: 206 with `Content-Range`).

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kejiyun_core::DomainError;
use kejiyun_core::uploads::{Upload, UploadId, UploadKind, rfc5987};
use serde::Serialize;
use tower::ServiceExt;
use tower_http::services::ServeFile;
use utoipa::ToSchema;
use utoipa_axum::router::{UtoipaMethodRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use super::market::deals::{limited_multipart, multipart_error};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::session::ApiUser;

/// What `POST /api/v1/uploads` takes: images (Q&A photos, covers) and the media of
/// popular-science resources (video, audio, PDF); each module checks the kind it refers to.
/// The engine knows Office documents too, for a module that will accept them.
pub const ACCEPTED: &[UploadKind] = &[
    UploadKind::Image,
    UploadKind::Video,
    UploadKind::Audio,
    UploadKind::Pdf,
];

/// The URL of an upload's file, or of its thumbnail.
pub fn file_url(id: &UploadId, thumb: bool) -> String {
    if thumb {
        format!("/files/{id}/thumb")
    } else {
        format!("/files/{id}")
    }
}

/// An uploaded file.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadDto {
    /// 32 hex digits; refer to it as a photo id (`photo_ids`).
    #[schema(example = "3f2a9c0d5e8b47a1b6c2d4e6f8a0b1c2")]
    pub id: String,
    /// `image` (now), later `pdf`, `video`, `audio`, `document`.
    pub kind: String,
    /// Of the stored file: an image is re-encoded as JPEG (PNG if it has transparency).
    pub mime: String,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// SHA-256 of the stored file.
    pub sha256: String,
    /// The name it was uploaded with (sanitised; metadata only).
    pub original_name: String,
    pub url: String,
    pub thumb_url: Option<String>,
}

impl From<Upload> for UploadDto {
    fn from(u: Upload) -> Self {
        Self {
            url: file_url(&u.id, false),
            thumb_url: u.has_thumb.then(|| file_url(&u.id, true)),
            id: u.id.to_string(),
            kind: u.kind.as_str().to_owned(),
            mime: u.mime,
            size: u.size,
            width: u.width,
            height: u.height,
            sha256: u.sha256,
            original_name: u.original_name,
        }
    }
}

/// `multipart/form-data` of `POST /api/v1/uploads`.
#[derive(Debug, ToSchema)]
pub struct UploadForm {
    /// The file: JPEG, PNG, WebP or GIF (first frame), judged by its bytes, at most the
    /// configured image limit (10 MB by default).
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
}

/// 上传图片
///
/// A logged-in user uploads one image (part `file`). Its type is judged by its content, not
/// its name or declared type; SVG and anything else are refused. The image is decoded and
/// re-encoded (EXIF and any appended data are dropped) with a thumbnail. Refer to it by `id`
/// in `photo_ids` of a question or an answer.
#[utoipa::path(post, path = "/api/v1/uploads", tag = "uploads", operation_id = "upload_file",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = UploadDto),
        (status = 400, description = "Malformed form", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 413, description = "File over the limit", body = ErrorBody),
        (status = 415, description = "Not multipart/form-data", body = ErrorBody),
        (status = 422, description = "Missing part, not an accepted image (SVG, executable, unknown), broken or too many pixels", body = ErrorBody),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    request: Request,
) -> ApiResult<(StatusCode, ApiJson<UploadDto>)> {
    let s = &state.services;
    let mut form = limited_multipart(request, s.upload_policy.largest(ACCEPTED)).await?;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "file" if file.is_none() => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(multipart_error)?;
                file = Some((name, bytes.to_vec()));
            }
            "file" => return Err(DomainError::invalid("file", "一次只能上传一个文件").into()),
            other => {
                let other: String = other.chars().take(50).collect();
                return Err(DomainError::invalid(
                    "file",
                    format!("未知的表单字段「{other}」：只接受 file"),
                )
                .into());
            }
        }
    }
    let (name, bytes) =
        file.ok_or_else(|| DomainError::invalid("file", "请选择要上传的文件（file 字段）"))?;
    let u = s
        .uploads()
        .upload(&session.actor, &name, &bytes, ACCEPTED)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(u.into())))
}

/// `POST /api/v1/uploads`: the global body limit does not apply; the handler reads at most
/// the largest accepted kind's limit + 64 KiB.
pub fn upload_route() -> UtoipaMethodRouter<AppState> {
    routes!(upload).layer(DefaultBodyLimit::disable())
}

/// The routes serving the files (outside `/api/v1`: they answer bytes, not JSON).
pub fn file_routes() -> Router<AppState> {
    Router::new()
        .route("/files/{id}", get(file))
        .route("/files/{id}/thumb", get(thumb))
}

async fn file(state: State<AppState>, id: Path<String>, req: Request) -> Response {
    serve(state, id, req, false).await
}

async fn thumb(state: State<AppState>, id: Path<String>, req: Request) -> Response {
    serve(state, id, req, true).await
}

fn not_found() -> Response {
    ApiError::from(DomainError::NotFound("文件不存在".into())).into_response()
}

async fn serve(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
    thumb: bool,
) -> Response {
    let s = &state.services;
    // Only a well-formed id reaches the store, and only the store makes a path of it.
    let Some(id) = UploadId::parse(&raw) else {
        return not_found();
    };
    let upload = match s.uploads().get(&id).await {
        Ok(u) => u,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let path = s.files.file_path(&upload, thumb);
    let res = match ServeFile::new(path).oneshot(req).await {
        Ok(res) => res.map(Body::new),
        Err(e) => {
            tracing::error!(error = %e, "serving an upload");
            return ApiError::from(DomainError::Internal(e.to_string())).into_response();
        }
    };
    if res.status() == StatusCode::NOT_FOUND {
        // A row whose file is gone (deleted by hand): logged, answered as missing.
        tracing::error!(upload = %id, "upload file missing");
        return not_found();
    }
    let mut res = res;
    let h = res.headers_mut();
    // The type recorded from the content, not the one guessed from the extension (only a
    // response carrying the file has one: not a 304 or a 416).
    if h.contains_key(CONTENT_TYPE)
        && let Ok(v) = HeaderValue::from_str(&upload.mime)
    {
        h.insert(CONTENT_TYPE, v);
    }
    let disposition = if upload.kind == UploadKind::Image {
        "inline"
    } else {
        "attachment"
    };
    let value = format!(
        "{disposition}; filename*=UTF-8''{}",
        rfc5987(&upload.original_name)
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    h.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    // Opened directly, a file is a document of its own: no script, no plugin, no form.
    h.insert(
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static("default-src 'none'; img-src 'self'; media-src 'self'; sandbox"),
    );
    res
}
