//! The region admin's import of volunteers and teams (template, check, import — all rows or
//! none, every bad row shown by its row number), through the import engine.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use kejiyun_core::DomainError;
use kejiyun_core::import::RowError;

use super::common::{Layout, PageResult, Pg, render, see_other};
use super::multipart::CsrfMultipart;
use crate::AppState;
use crate::session::Ctx;
use crate::xlsx_import;

pub fn router() -> Router<AppState> {
    Router::new().route("/volunteers/import", get(import_form).post(import))
}

#[derive(Template)]
#[template(path = "volunteers/import.html", whitespace = "minimize")]
struct ImportTpl {
    base: Layout,
    /// (kind, heading, template link) of each sheet.
    kinds: Vec<(&'static str, &'static str, &'static str)>,
    report: Option<(usize, Vec<RowError>)>,
}

fn import_page(
    pg: &Pg<'_>,
    report: Option<(usize, Vec<RowError>)>,
    error: Option<String>,
) -> PageResult {
    pg.require_admin()?;
    let mut base = pg.layout("vol.import", "volunteers");
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
            kinds: vec![
                (
                    "volunteers",
                    pg.t("vol.import_volunteers"),
                    "/api/v1/volunteers/template.xlsx",
                ),
                (
                    "teams",
                    pg.t("vol.import_teams"),
                    "/api/v1/volunteer-teams/template.xlsx",
                ),
            ],
            report,
        },
    ))
}

pub async fn import_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let pg = Pg::new(&state, ctx);
    import_page(&pg, None, None)
}

/// `kind` picks the sheet; `mode=check` shows the report, `mode=import` imports a clean sheet
/// (then the roster or the teams) or shows the report and imports nothing.
pub async fn import(State(state): State<AppState>, ctx: Ctx, form: CsrfMultipart) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_admin()?;
    let Some(file) = form.file.as_ref() else {
        let msg = pg.t("tr.import_no_file").to_owned();
        return import_page(&pg, None, Some(msg));
    };
    let apply = form.get("mode") == "import";
    let teams = form.get("kind") == "teams";
    let v = pg.s().volunteers();
    let outcome = match xlsx_import::read_upload(&file.bytes) {
        Ok(sheet) => {
            if teams {
                v.import_teams(actor, &sheet, apply).await
            } else {
                v.import_volunteers(actor, &sheet, apply).await
            }
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok((_, imported)) if imported > 0 => Ok(see_other(if teams {
            "/volunteers?done=team"
        } else {
            "/volunteers/roster"
        })),
        Ok((report, _)) => import_page(&pg, Some((report.rows.len(), report.errors)), None),
        Err(e @ (DomainError::Invalid { .. } | DomainError::Conflict(_))) => {
            import_page(&pg, None, Some(e.to_string()))
        }
        Err(e) => Err(pg.fail(e)),
    }
}
