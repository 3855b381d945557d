//! Certificates: the public verification of a code, the caller's own certificates, and the
//! PDF of one (for its holder or an admin of its region). Issuing is the issuing module's
//! (a training's attendee asks for theirs).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use kejiyun_core::certificates::{Certificate, CertificateView};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::certificate_pdf;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::session::ApiUser;
use crate::table_export::attachment;

/// A certificate as issued. On the public verification the holder's name is masked (张*三);
/// in the holder's own list it is in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateDto {
    /// The verification code as printed (`7QK3-M9XD-2HWB-4TZC`).
    pub code: String,
    /// `training` or `volunteer`.
    pub kind: String,
    /// 培训证书, 志愿服务证明.
    pub kind_label: String,
    pub holder_name: String,
    pub title: String,
    /// The attested figure in words (出勤 2 次（共 2 次课）).
    pub detail: String,
    pub issuer: String,
    pub issued_at: String,
}

impl From<CertificateView> for CertificateDto {
    fn from(v: CertificateView) -> Self {
        Self {
            code: v.code,
            kind: v.kind.as_str().to_owned(),
            kind_label: v.kind_label.to_owned(),
            holder_name: v.holder_name,
            title: v.title,
            detail: v.detail,
            issuer: v.issuer,
            issued_at: v.issued_at.to_rfc3339(),
        }
    }
}

/// One of the caller's certificates, with where to verify and download it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyCertificate {
    pub certificate: CertificateDto,
    /// The public verify page (`/verify/{code}`).
    pub verify_url: String,
    /// The PDF (`/api/v1/certificates/{code}/pdf`).
    pub pdf_url: String,
}

impl From<Certificate> for MyCertificate {
    fn from(c: Certificate) -> Self {
        let code = c.code.display();
        Self {
            verify_url: format!("/verify/{code}"),
            pdf_url: format!("/api/v1/certificates/{code}/pdf"),
            certificate: c.full_view().into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyCertificateList {
    pub items: Vec<MyCertificate>,
}

/// 核验证书
///
/// Anyone, without login: the certificate with this code as it was issued, the holder's name
/// masked. A forged, altered or mistyped code is 404.
#[utoipa::path(get, path = "/api/v1/certificates/{code}", tag = "certificates",
    operation_id = "verify_certificate",
    params(("code" = String, Path, description = "The verification code, with or without dashes")),
    responses(
        (status = 200, description = "The certificate", body = CertificateDto),
        (status = 404, description = "No such certificate", body = ErrorBody),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<ApiJson<CertificateDto>> {
    let view = state.services.certificates().verify(&code).await?;
    Ok(ApiJson(view.into()))
}

/// 我的证书
///
/// The caller's certificates, newest first.
#[utoipa::path(get, path = "/api/v1/me/certificates", tag = "certificates",
    operation_id = "my_certificates",
    responses(
        (status = 200, description = "The caller's certificates", body = MyCertificateList),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ))]
pub async fn mine(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<ApiJson<MyCertificateList>> {
    let items = state.services.certificates().mine(&session.actor).await?;
    Ok(ApiJson(MyCertificateList {
        items: items.into_iter().map(MyCertificate::from).collect(),
    }))
}

/// 下载证书 PDF
///
/// The certificate as a one-page PDF with its code and a QR code to its verify page; for its
/// holder or an admin of its region (anyone else: 404).
#[utoipa::path(get, path = "/api/v1/certificates/{code}/pdf", tag = "certificates",
    operation_id = "certificate_pdf",
    params(("code" = String, Path)),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such certificate of the caller's", body = ErrorBody),
        (status = 503, description = "The certificate font is not installed", body = ErrorBody),
    ))]
pub async fn pdf(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Response> {
    let cert = state
        .services
        .certificates()
        .for_download(&session.actor, &code)
        .await?;
    let url = format!(
        "{}/verify/{}",
        public_base(&state, &headers),
        cert.code.display()
    );
    let font = state.certificate_font.clone();
    let code = cert.code.as_str().to_owned();
    let bytes = tokio::task::spawn_blocking(move || certificate_pdf::render(&font, &cert, &url))
        .await
        .map_err(|e| ApiError::from(kejiyun_core::DomainError::Internal(e.to_string())))?
        .map_err(|e| {
            tracing::error!(error = %e, "certificate PDF");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                e.to_string(),
            )
        })?;
    Ok(attachment(
        "application/pdf",
        format!("certificate-{code}.pdf"),
        bytes,
    ))
}

/// The platform's public address: the configured one, else the scheme and host this request
/// came to (the certificate is the caller's own, so a forged Host header only misleads them).
fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if !state.config.public_url.is_empty() {
        return state.config.public_url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}
