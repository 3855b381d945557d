//! What a training's organizer imports and an attendee takes away: the enrolment list
//! (.xlsx through the import engine: template, dry run, all-or-nothing import) and the
//! attendance certificate (the certificate engine).

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use kejiyun_core::ids::TrainingId;
use kejiyun_core::import::ImportKind;
use kejiyun_core::trainings::import::EnrolmentList;

use super::certificates::MyCertificate;
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiUser;
use crate::table_export::attachment;
use crate::xlsx_import::{self, ImportParams, ImportRefused, ImportReport, XLSX};

/// 报名名单模板
///
/// The .xlsx template of an enrolment list: one person per row, by the phone number or e-mail
/// they registered with. For logged-in users (organizers).
#[utoipa::path(get, path = "/api/v1/trainings/enrolment-template.xlsx", tag = "trainings",
    operation_id = "training_enrolment_template",
    responses(
        (status = 200, description = "The template", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ))]
pub async fn template(ApiUser(_caller): ApiUser) -> ApiResult<Response> {
    let bytes = xlsx_import::template("报名名单", EnrolmentList::columns())?;
    Ok(attachment(XLSX, "enrolment-template.xlsx".into(), bytes))
}

/// 导入报名名单
///
/// The organizer sends the filled template as the request body (.xlsx). Every row is checked
/// (a login nobody registered with, someone enrolled already, a repeated row) and reported by
/// its row number. With `dry_run=false` a clean list is enrolled in one transaction (201); a
/// list with any bad row enrolls nobody (422, with the report). A list longer than the places
/// left is refused whole (409).
#[utoipa::path(post, path = "/api/v1/trainings/{id}/enrolments/import", tag = "trainings",
    operation_id = "import_training_enrolments",
    params(("id" = i64, Path), ImportParams),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses(
        (status = 200, description = "Dry run: the report", body = ImportReport),
        (status = 201, description = "Imported", body = ImportReport),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the training's organizer", body = ErrorBody),
        (status = 404, description = "No such training", body = ErrorBody),
        (status = 409, description = "More people than places left", body = ErrorBody),
        (status = 422, description = "Not an .xlsx or a required column missing (the error), or bad rows (the report)", body = ImportRefused),
    ))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<TrainingId>,
    ApiQuery(p): ApiQuery<ImportParams>,
    body: Bytes,
) -> ApiResult<Response> {
    let dry_run = p.dry_run();
    let sheet = xlsx_import::read_upload(&body)?;
    let (report, imported) = state
        .services
        .trainings()
        .import_enrolments(&session.actor, id, &sheet, !dry_run)
        .await?;
    Ok(ImportReport::respond(dry_run, report, imported))
}

/// 领取培训证书
///
/// The caller's attendance certificate of this training (the same one when asked again):
/// after the last session has ended, for someone present at one session at least.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/certificate", tag = "trainings",
    operation_id = "training_certificate",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The certificate", body = MyCertificate),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such training", body = ErrorBody),
        (status = 409, description = "Not ended yet, or no attendance", body = ErrorBody),
    ))]
pub async fn certificate(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<TrainingId>,
) -> ApiResult<ApiJson<MyCertificate>> {
    let cert = state
        .services
        .trainings()
        .certificate(&session.actor, id)
        .await
        .map_err(ApiError::from)?;
    Ok(ApiJson(cert.into()))
}
