//! `/api/v1/deals`: 交易 — proposed by either side (from a quote, an inquiry or directly) and
//! counted once both confirm, or recorded by a region admin from an offline contract with an
//! uploaded file as evidence.

use kejiyun_core::ids::DealId;
use std::fmt::Write as _;
use std::pin::Pin;

use axum::body::{Body, HttpBody};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kejiyun_core::DomainError;
use kejiyun_core::app::market::DealQuery;
use kejiyun_core::market::deals::DealStatus;
use kejiyun_core::regions::RegionCode;

use super::dto::{
    CancelRequest, CreatedId, DealDto, DealList, DealParams, DealRequest, FileBytes,
    OfflineDealData, OfflineDealForm, StateDto,
};
use super::postings::param;
use crate::AppState;
use crate::api::page;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::input_errors;
use crate::session::ApiUser;

/// Room for the multipart framing and the `data` part beside the file.
const FORM_OVERHEAD: usize = 64 * 1024;

/// 交易列表
///
/// With `mine=true`: the deals where the caller is a side. Otherwise (admins): the deals of
/// their regions, filtered by region subtree, status and transfer.
#[utoipa::path(get, path = "/api/v1/deals", tag = "deals", operation_id = "list_deals",
    params(DealParams),
    responses(
        (status = 200, description = "Deals", body = DealList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Without `mine`: admins only", body = ErrorBody),
        (status = 422, description = "Bad region, status or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<DealParams>,
) -> ApiResult<ApiJson<DealList>> {
    let s = &state.services;
    let q = DealQuery {
        mine: p.mine.unwrap_or(false),
        region: param(&p.region).map(RegionCode::parse).transpose()?,
        status: param(&p.status).map(DealStatus::parse).transpose()?,
        transfer: p.transfer,
    };
    let paged = s
        .deals()
        .list_deals(&session.actor, q, page(p.page, p.per_page)?)
        .await?;
    Ok(ApiJson(DealList::from_paged(paged, |d| DealDto::new(s, d))))
}

/// 发起交易
///
/// One side proposes a deal (on an inquiry's posting, or on need + service, need +
/// achievement, or one posting of the other side); their own confirmation is implied.
#[utoipa::path(post, path = "/api/v1/deals", tag = "deals", operation_id = "create_deal",
    request_body = DealRequest,
    responses(
        (status = 201, description = "Proposed, waiting for the other side", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a side of the deal", body = ErrorBody),
        (status = 404, description = "No such posting or inquiry", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad amount (negative, fractional, above 100亿元) or date, unclear subject or parties", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<DealRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let id = state
        .services
        .deals()
        .propose_deal(&session.actor, &req.into())
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 查看交易
///
/// One deal: for its two sides and the admins of the region it counts in.
#[utoipa::path(get, path = "/api/v1/deals/{id}", tag = "deals", operation_id = "get_deal",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The deal", body = DealDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such (visible) deal", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<DealId>,
) -> ApiResult<ApiJson<DealDto>> {
    let s = &state.services;
    let d = s.deals().deal(&session.actor, id).await?;
    Ok(ApiJson(DealDto::new(s, d)))
}

/// 确认交易
///
/// One side confirms a proposed deal; it is confirmed (and counts) once both have.
#[utoipa::path(post, path = "/api/v1/deals/{id}/confirm", tag = "deals", operation_id = "confirm_deal",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "`proposed` (waiting for the other side) or `confirmed`", body = StateDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a side (an admin of the region)", body = ErrorBody),
        (status = 404, description = "No such (visible) deal", body = ErrorBody),
        (status = 409, description = "Already confirmed by the caller, confirmed or cancelled", body = ErrorBody),
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<DealId>,
) -> ApiResult<ApiJson<StateDto>> {
    let to = state
        .services
        .deals()
        .confirm_deal(&session.actor, id)
        .await?;
    Ok(ApiJson(StateDto::new(to.code(), to.label_zh())))
}

/// 取消交易（说明原因）
///
/// Cancels a deal with a reason: either side while it is proposed; a region admin at any time
/// (a confirmed deal only by an admin: it moves the statistics).
#[utoipa::path(post, path = "/api/v1/deals/{id}/cancel", tag = "deals", operation_id = "cancel_deal",
    params(("id" = i64, Path)),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "Cancelled", body = StateDto),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Confirmed (admins only)", body = ErrorBody),
        (status = 404, description = "No such (visible) deal", body = ErrorBody),
        (status = 409, description = "Already cancelled", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Reason missing or too long", body = ErrorBody),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<DealId>,
    ApiJson(req): ApiJson<CancelRequest>,
) -> ApiResult<ApiJson<StateDto>> {
    state
        .services
        .deals()
        .cancel_deal(&session.actor, id, &req.reason)
        .await?;
    let to = DealStatus::Cancelled;
    Ok(ApiJson(StateDto::new(to.code(), to.label_zh())))
}

/// 登记线下合同（上传合同凭证）
///
/// A region admin records an offline contract: `multipart/form-data` with a text part `data`
/// (JSON of `OfflineDealData`) and a file part `evidence` (PDF, PNG or JPEG, judged by its
/// bytes; at most the configured upload limit, 20 MB by default). The deal counts at once.
#[utoipa::path(post, path = "/api/v1/deals/offline", tag = "deals", operation_id = "record_offline_deal",
    request_body(content = OfflineDealForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Recorded (confirmed)", body = CreatedId),
        (status = 400, description = "Malformed form or `data` JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the deal's region", body = ErrorBody),
        (status = 404, description = "No such posting", body = ErrorBody),
        (status = 413, description = "File over the upload limit", body = ErrorBody),
        (status = 415, description = "Not multipart/form-data", body = ErrorBody),
        (status = 422, description = "Missing or unknown part, wrong file type, bad amount, date or parties", body = ErrorBody),
    ))]
pub async fn record_offline(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    request: Request,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let s = &state.services;
    let limit = s.upload_limit_bytes;
    let mut form = limited_multipart(request, limit).await?;
    let mut data: Option<OfflineDealData> = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "data" if data.is_none() => {
                let text = field.text().await.map_err(multipart_error)?;
                data = Some(parse_data(&text)?);
            }
            "evidence" if file.is_none() => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(multipart_error)?;
                if bytes.len() > limit {
                    return Err(too_large(limit));
                }
                file = Some((name, bytes.to_vec()));
            }
            "data" => return Err(DomainError::invalid("data", "data 字段重复").into()),
            "evidence" => {
                return Err(DomainError::invalid("evidence", "只能上传一个凭证文件").into());
            }
            other => {
                let other: String = other.chars().take(50).collect();
                return Err(DomainError::invalid(
                    "data",
                    format!("未知的表单字段「{other}」：只接受 data 和 evidence"),
                )
                .into());
            }
        }
    }
    let data =
        data.ok_or_else(|| DomainError::invalid("data", "缺少 data 字段（交易信息 JSON）"))?;
    let (name, bytes) =
        file.ok_or_else(|| DomainError::invalid("evidence", "请上传合同凭证（evidence 字段）"))?;
    let id = s
        .deals()
        .record_offline_deal(&session.actor, &data.into(), &name, bytes)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 下载线下合同凭证
///
/// The evidence file of an offline deal, for the deal's sides and the region's admins: its
/// content type, as an attachment.
#[utoipa::path(get, path = "/api/v1/deals/{id}/evidence", tag = "deals", operation_id = "get_deal_evidence",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The file",
            content((FileBytes = "application/pdf"), (FileBytes = "image/png"), (FileBytes = "image/jpeg")),
            headers(
                ("Content-Disposition" = String, description = "`attachment; filename*=UTF-8''…`"),
                ("X-Content-Type-Options" = String, description = "`nosniff`"),
            )),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such (visible) deal, or no file", body = ErrorBody),
    ))]
pub async fn evidence(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<DealId>,
) -> ApiResult<Response> {
    let (ev, bytes) = state
        .services
        .deals()
        .deal_evidence(&session.actor, id)
        .await?;
    let content_type = HeaderValue::from_str(&ev.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&attachment(&ev.file_name))
        .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (CONTENT_TYPE, content_type),
            (CONTENT_DISPOSITION, disposition),
            (
                HeaderName::from_static("x-content-type-options"),
                HeaderValue::from_static("nosniff"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        bytes,
    )
        .into_response())
}

/// `attachment; filename*=UTF-8''…` (RFC 6266 / 8187: everything but attr-chars percent-encoded).
fn attachment(name: &str) -> String {
    let mut out = String::from("attachment; filename*=UTF-8''");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn too_large(limit: usize) -> ApiError {
    let size = if limit >= 1024 * 1024 {
        format!("{} MB", limit / (1024 * 1024))
    } else {
        format!("{} KB", limit / 1024)
    };
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("上传文件不能超过 {size}"),
    )
}

/// The form, read whole but never more than the upload limit plus [`FORM_OVERHEAD`] (413
/// beyond; refused before reading when the declared length is already too large). The route
/// disables the global body limit, so this is the limit of this route.
pub(crate) async fn limited_multipart(request: Request, limit: usize) -> ApiResult<Multipart> {
    let max = limit.saturating_add(FORM_OVERHEAD);
    let (parts, mut body) = request.into_parts();
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large(limit));
    }
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame
            .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "无法读取请求体"))?;
        if let Ok(chunk) = frame.into_data() {
            if buf.len() + chunk.len() > max {
                return Err(too_large(limit));
            }
            buf.extend_from_slice(&chunk);
        }
    }
    let request = Request::from_parts(parts, Body::from(buf));
    Multipart::from_request(request, &()).await.map_err(|_| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请求体须为 multipart/form-data",
        )
    })
}

pub(crate) fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "请求体过大",
        )
    } else {
        // multer's reason is English: logged, not shown.
        tracing::debug!(cause = %e.body_text(), "malformed multipart form");
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "表单格式错误：无法按 multipart/form-data 读取",
        )
    }
}

/// The `data` part: malformed JSON is a 400, a well-formed value of the wrong shape (unknown
/// field, fractional or out-of-range amount) a 422.
fn parse_data(text: &str) -> ApiResult<OfflineDealData> {
    serde_json::from_str(text).map_err(|e| {
        // serde's text is English; explained in Chinese the way JSON bodies are.
        let detail = e.to_string();
        if e.is_data() {
            let explained = input_errors::json_data(&detail).message;
            let problem = explained
                .strip_prefix("请求数据不符合要求：")
                .unwrap_or(&explained);
            DomainError::invalid("data", format!("交易信息不符合要求：{problem}")).into()
        } else {
            let explained = input_errors::json_syntax(&detail).message;
            ApiError {
                field: Some("data".into()),
                ..ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed_json",
                    format!("data 字段的 {explained}"),
                )
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> ApiError {
        match parse_data(text) {
            Ok(d) => panic!("accepted {d:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn the_data_part_is_refused_in_chinese() {
        let e = refusal(r#"{"amount_fen": 100, "deal_date": "2026-01-05", "colour": 1}"#);
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.field.as_deref(), Some("data"));
        assert!(
            e.message
                .starts_with("交易信息不符合要求：不认识的字段 colour（可用的字段："),
            "{}",
            e.message
        );
        let e = refusal(r#"{"amount_fen": "many", "deal_date": "2026-01-05"}"#);
        assert_eq!(e.message, "交易信息不符合要求：类型不对，应为整数");
        let e = refusal(r#"{"amount_fen": 100"#);
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.field.as_deref(), Some("data"));
        assert_eq!(
            e.message,
            "data 字段的 JSON 格式错误：内容不完整（第 1 行第 18 列）"
        );
    }
}
