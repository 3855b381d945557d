//! A training's enrolment list import (the organizer: template, check, import — all rows or
//! none, every bad row shown by its row number) and the attendee's certificate.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use kejiyun_core::DomainError;
use kejiyun_core::ids::TrainingId;
use kejiyun_core::import::RowError;

use super::common::{Layout, OrPage, PageResult, Pg, parse_id, render, see_other};
use super::multipart::CsrfMultipart;
use crate::AppState;
use crate::session::{CsrfForm, Ctx, EmptyForm};
use crate::xlsx_import;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/trainings/{id}/import", get(import_form).post(import))
        .route("/trainings/{id}/certificate", post(certificate))
}

#[derive(Template)]
#[template(path = "trainings/import.html", whitespace = "minimize")]
struct ImportTpl {
    base: Layout,
    id: i64,
    title: String,
    places_left: u32,
    /// After a check: the rows that would be enrolled, and every bad row.
    report: Option<(usize, Vec<RowError>)>,
}

async fn import_page(
    pg: &Pg<'_>,
    id: TrainingId,
    report: Option<(usize, Vec<RowError>)>,
    error: Option<String>,
) -> PageResult {
    let actor = pg.require_login()?;
    let t = pg.s().trainings().get(id).await.or_page(pg)?;
    if !kejiyun_core::trainings::manages(actor, &t) {
        return Err(pg.fail(DomainError::Forbidden(
            "只有培训的组织者可以导入报名名单".into(),
        )));
    }
    let mut base = pg.layout_titled(format!("{} · {}", t.title, pg.t("tr.import")), "trainings");
    let status = if error.is_some() || report.as_ref().is_some_and(|r| !r.1.is_empty()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    base.error = error;
    Ok(render(
        status,
        &ImportTpl {
            base,
            id: id.0,
            places_left: t.places_left(),
            title: t.title,
            report,
        },
    ))
}

pub async fn import_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let id = TrainingId(parse_id(&pg, &raw)?);
    import_page(&pg, id, None, None).await
}

/// `mode=check` shows the report; `mode=import` enrols a clean list and goes back to the
/// training, or shows the report and enrols nobody.
pub async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    form: CsrfMultipart,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = TrainingId(parse_id(&pg, &raw)?);
    let Some(file) = form.file.as_ref() else {
        let msg = pg.t("tr.import_no_file").to_owned();
        return import_page(&pg, id, None, Some(msg)).await;
    };
    let apply = form.get("mode") == "import";
    let outcome = match xlsx_import::read_upload(&file.bytes) {
        Ok(sheet) => {
            pg.s()
                .trainings()
                .import_enrolments(actor, id, &sheet, apply)
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok((_, imported)) if imported > 0 => {
            Ok(see_other(&format!("/trainings/{id}?done=imported")))
        }
        Ok((report, _)) => {
            import_page(&pg, id, Some((report.rows.len(), report.errors)), None).await
        }
        Err(e @ (DomainError::Invalid { .. } | DomainError::Conflict(_))) => {
            import_page(&pg, id, None, Some(e.to_string())).await
        }
        Err(e) => Err(pg.fail(e)),
    }
}

/// The attendee asks for their certificate: issued (or found) and listed with their others.
pub async fn certificate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = TrainingId(parse_id(&pg, &raw)?);
    pg.s()
        .trainings()
        .certificate(actor, id)
        .await
        .or_page(&pg)?;
    Ok(see_other("/me/certificates"))
}
