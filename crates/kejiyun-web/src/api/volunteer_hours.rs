//! The caller's volunteer service record (`/api/v1/me/volunteer-hours`) and the certificates of
//! approved hours, per activity or per year; both are verified at `/verify/{code}` like every
//! other certificate.

use axum::extract::State;
use kejiyun_core::ids::ActivityId;
use kejiyun_core::volunteers::activities::{ServiceRecord, hours_text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::certificates::MyCertificate;
use super::dto::RegionRef;
use super::market::dto::ts;
use super::volunteer_activities::SignupDto;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiUser;

/// One activity of the caller's, with their hours on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRecordDto {
    pub activity_id: i64,
    pub title: String,
    pub region: RegionRef,
    pub starts_at: String,
    pub signup: SignupDto,
}

/// The caller's record: their activities, newest first, and the approved total.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRecordList {
    pub items: Vec<ServiceRecordDto>,
    /// Approved minutes over the items.
    pub approved_minutes: u64,
    /// The same in words (`3 小时 20 分钟`).
    pub approved_text: String,
}

impl ServiceRecordList {
    pub fn new(s: &kejiyun_core::app::Services, record: Vec<ServiceRecord>) -> Self {
        let approved_minutes: u64 = record
            .iter()
            .map(|r| u64::from(r.signup.approved_minutes()))
            .sum();
        Self {
            items: record
                .into_iter()
                .map(|r| ServiceRecordDto {
                    activity_id: r.activity.0,
                    region: RegionRef::new(s, r.region),
                    starts_at: ts(r.starts_at),
                    title: r.title,
                    signup: r.signup.into(),
                })
                .collect(),
            approved_text: hours_text(approved_minutes),
            approved_minutes,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// Only activities that started in this year (Beijing time).
    pub year: Option<i32>,
}

/// 我的志愿服务记录
///
/// The caller's activities and hours, newest first, with the approved total.
#[utoipa::path(get, path = "/api/v1/me/volunteer-hours", tag = "volunteers", operation_id = "my_volunteer_hours",
    params(YearParams),
    responses(
        (status = 200, description = "The record", body = ServiceRecordList),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 422, description = "Bad year", body = ErrorBody),
    ))]
pub async fn mine(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<YearParams>,
) -> ApiResult<ApiJson<ServiceRecordList>> {
    let s = &state.services;
    let record = s
        .volunteer_activities()
        .service_record(session.actor.user_id, p.year)
        .await?;
    Ok(ApiJson(ServiceRecordList::new(s, record)))
}

/// 活动服务证明
///
/// The certificate of the caller's approved hours on one activity (issued once, then the same
/// one), with its verification code and PDF.
#[utoipa::path(post, path = "/api/v1/volunteer-activities/{id}/certificate", tag = "volunteers",
    operation_id = "volunteer_activity_certificate",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The certificate", body = MyCertificate),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such activity", body = ErrorBody),
        (status = 409, description = "No approved hours on it", body = ErrorBody),
    ))]
pub async fn activity_certificate(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ActivityId>,
) -> ApiResult<ApiJson<MyCertificate>> {
    let cert = state
        .services
        .volunteer_activities()
        .activity_certificate(&session.actor, id)
        .await?;
    Ok(ApiJson(cert.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct YearCertificateRequest {
    #[schema(example = 2026)]
    pub year: i32,
}

/// 年度服务证明
///
/// The certificate of the caller's approved hours in one year (Beijing time). Hours approved
/// later give a new certificate; the earlier one stays valid for what it says.
#[utoipa::path(post, path = "/api/v1/me/volunteer-certificates", tag = "volunteers",
    operation_id = "volunteer_year_certificate",
    request_body = YearCertificateRequest,
    responses(
        (status = 200, description = "The certificate", body = MyCertificate),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 409, description = "Not a volunteer, or no approved hours that year", body = ErrorBody),
        (status = 422, description = "Bad year", body = ErrorBody),
    ))]
pub async fn year_certificate(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<YearCertificateRequest>,
) -> ApiResult<ApiJson<MyCertificate>> {
    let cert = state
        .services
        .volunteer_activities()
        .year_certificate(&session.actor, req.year)
        .await?;
    Ok(ApiJson(cert.into()))
}
