//! `/verify` and `/verify/{code}`: anyone checks a certificate by its code (the QR code on
//! the PDF leads here); `/me/certificates`: the caller's certificates with their PDFs.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use kejiyun_core::DomainError;
use kejiyun_core::certificates::CertificateView;

use super::common::{Layout, OrPage, PageResult, Params, Pg, render, see_other};
use crate::AppState;
use crate::session::Ctx;

pub struct VerifiedRow {
    pub code: String,
    pub kind_label: &'static str,
    pub holder_name: String,
    pub title: String,
    pub detail: String,
    pub issuer: String,
    pub issued_on: String,
}

impl From<CertificateView> for VerifiedRow {
    fn from(v: CertificateView) -> Self {
        Self {
            code: v.code,
            kind_label: v.kind_label,
            holder_name: v.holder_name,
            title: v.title,
            detail: v.detail,
            issuer: v.issuer,
            issued_on: v.issued_at.shanghai_date().to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "verify.html", whitespace = "minimize")]
struct VerifyTpl {
    base: Layout,
    /// What was typed or scanned (empty: the form alone).
    asked: String,
    found: Option<VerifiedRow>,
    /// The "not found" message, when a code was asked and nothing matched.
    missing: Option<String>,
}

/// The form; `?code=` (the form's own submission) goes to the code's page.
pub async fn form(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(q.as_deref());
    if let Some(code) = params.get("code").map(str::trim).filter(|c| !c.is_empty()) {
        let code: String = code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(40)
            .collect();
        return Ok(see_other(&format!("/verify/{code}")));
    }
    let base = pg.layout("verify.title", "verify");
    Ok(render(
        StatusCode::OK,
        &VerifyTpl {
            base,
            asked: String::new(),
            found: None,
            missing: None,
        },
    ))
}

/// One code's result: the certificate as issued (name masked), or 404 with "not found".
pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let base = pg.layout("verify.title", "verify");
    let asked: String = code.chars().take(40).collect();
    match pg.s().certificates().verify(&code).await {
        Ok(view) => Ok(render(
            StatusCode::OK,
            &VerifyTpl {
                base,
                asked,
                found: Some(view.into()),
                missing: None,
            },
        )),
        Err(e @ DomainError::NotFound(_)) => Ok(render(
            StatusCode::NOT_FOUND,
            &VerifyTpl {
                base,
                asked,
                found: None,
                missing: Some(e.to_string()),
            },
        )),
        Err(e) => Err(pg.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "me_certificates.html", whitespace = "minimize")]
struct MineTpl {
    base: Layout,
    rows: Vec<VerifiedRow>,
}

pub async fn mine(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let rows = pg
        .s()
        .certificates()
        .mine(actor)
        .await
        .or_page(&pg)?
        .into_iter()
        .map(|c| VerifiedRow::from(c.full_view()))
        .collect();
    let base = pg.layout("certificates.title", "me");
    Ok(render(StatusCode::OK, &MineTpl { base, rows }))
}
