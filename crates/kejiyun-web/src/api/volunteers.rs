//! `/api/v1/volunteers`: volunteer profiles (科技志愿者). A logged-in user registers once with
//! their real name and ID-card number (sealed at rest; shown masked); the person and their
//! region's admins read the profile, the full number only through its own audited call;
//! region admins list, export and import volunteers.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kejiyun_core::app::Services;
use kejiyun_core::ids::VolunteerId;
use kejiyun_core::import::ImportKind;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::volunteers::import::VolunteerSheet;
use kejiyun_core::volunteers::{Skill, Volunteer, VolunteerInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{RegionRef, list_type};
use super::market::dto::ts;
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiUser;
use crate::table_export::{Cell, Table, attachment};
use crate::xlsx_import::{self, ImportParams, ImportRefused, ImportReport, XLSX};

list_type!(VolunteerList, VolunteerDto);

/// A skill from the closed list.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillDto {
    /// `farming`, `veterinary`, `nutrition`, `mental_health`, `law`, `science_guide`,
    /// `first_aid`, `it`, `ecommerce` or `tutoring`.
    pub code: String,
    /// 种养植, 畜牧兽医, 营养健康, 心理健康, 法律, 科普讲解, 应急救护, 信息技术, 电商营销, 教育辅导.
    pub label: String,
}

impl From<Skill> for SkillDto {
    fn from(s: Skill) -> Self {
        Self {
            code: s.code().into(),
            label: s.label_zh().into(),
        }
    }
}

/// A volunteer's profile, as its owner and their region's admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VolunteerDto {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// Masked (`110105********002X`); the full number is `GET /api/v1/volunteers/{id}/id-card`.
    pub id_card: String,
    pub phone: String,
    pub region: RegionRef,
    pub skills: Vec<SkillDto>,
    pub availability: String,
    pub registered_at: String,
}

impl VolunteerDto {
    pub fn new(s: &Services, v: Volunteer) -> Self {
        Self {
            id: v.id.0,
            user_id: v.user.0,
            region: RegionRef::new(s, v.region),
            skills: v.skills.into_iter().map(SkillDto::from).collect(),
            registered_at: ts(v.registered_at),
            name: v.name,
            id_card: v.id_card_masked,
            phone: v.phone,
            availability: v.availability,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterVolunteerRequest {
    /// The real name, as on the ID card (2–20 characters).
    #[schema(example = "王小明")]
    pub name: String,
    /// 18 characters; the check digit (GB 11643) is verified.
    #[schema(example = "11010519491231002X")]
    pub id_card: String,
    #[schema(example = "13900000011")]
    pub phone: String,
    /// Six-digit code of the region the volunteer serves in.
    #[schema(example = "511623")]
    pub region: String,
    /// Skill codes or Chinese names, at least one.
    #[schema(example = json!(["farming", "法律"]))]
    pub skills: Vec<String>,
    /// When they can serve (up to 100 characters).
    #[schema(example = "周末、农闲时")]
    pub availability: Option<String>,
}

/// 登记为科技志愿者
///
/// The caller registers a volunteer profile (once). The ID-card number is sealed at rest; a
/// number registered by anyone already is refused.
#[utoipa::path(post, path = "/api/v1/volunteers", tag = "volunteers", operation_id = "register_volunteer",
    request_body = RegisterVolunteerRequest,
    responses(
        (status = 201, description = "Registered", body = VolunteerDto),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 409, description = "Registered already, or the ID number is", body = ErrorBody),
        (status = 422, description = "A bad ID number, phone, region or skill", body = ErrorBody),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<RegisterVolunteerRequest>,
) -> ApiResult<(StatusCode, ApiJson<VolunteerDto>)> {
    let skills = req.skills.join(",");
    let input = VolunteerInput {
        name: &req.name,
        id_card: &req.id_card,
        phone: &req.phone,
        region: &req.region,
        skills: &skills,
        availability: req.availability.as_deref().unwrap_or(""),
    };
    let s = &state.services;
    let v = s.volunteers().register(&session.actor, &input).await?;
    Ok((StatusCode::CREATED, ApiJson(VolunteerDto::new(s, v))))
}

/// 我的志愿者档案
///
/// The caller's own profile (the ID-card number masked).
#[utoipa::path(get, path = "/api/v1/volunteers/me", tag = "volunteers", operation_id = "my_volunteer_profile",
    responses(
        (status = 200, description = "The caller's profile", body = VolunteerDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "Not registered as a volunteer", body = ErrorBody),
    ))]
pub async fn mine(State(state): State<AppState>, ApiUser(session): ApiUser) -> ApiResult<Response> {
    let s = &state.services;
    let v = s
        .volunteers()
        .mine(&session.actor)
        .await?
        .ok_or_else(|| kejiyun_core::DomainError::NotFound("您还不是注册科技志愿者".into()))?;
    Ok(private(ApiJson(VolunteerDto::new(s, v))))
}

/// Personal data: never kept by a shared cache or the browser's history.
fn private(body: impl IntoResponse) -> Response {
    (
        [(CACHE_CONTROL, HeaderValue::from_static("private, no-store"))],
        body,
    )
        .into_response()
}

/// 志愿者档案
///
/// For the volunteer and the admins of their region.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}", tag = "volunteers", operation_id = "get_volunteer",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The profile", body = VolunteerDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Neither the person nor an admin of their region", body = ErrorBody),
        (status = 404, description = "No such volunteer", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<VolunteerId>,
) -> ApiResult<Response> {
    let s = &state.services;
    let v = s.volunteers().get(&session.actor, id).await?;
    Ok(private(ApiJson(VolunteerDto::new(s, v))))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdCardDto {
    /// The full number. This reading is in the audit log.
    pub id_card: String,
}

/// 查看完整身份证号（留痕）
///
/// The full ID-card number, for the person and the admins of their region; every reading is
/// written to the audit log first.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/id-card", tag = "volunteers", operation_id = "reveal_volunteer_id_card",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The full number", body = IdCardDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Neither the person nor an admin of their region", body = ErrorBody),
        (status = 404, description = "No such volunteer", body = ErrorBody),
    ))]
pub async fn id_card(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<VolunteerId>,
) -> ApiResult<Response> {
    let id_card = state
        .services
        .volunteers()
        .id_card(&session.actor, id)
        .await?;
    Ok(private(ApiJson(IdCardDto { id_card })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VolunteerParams {
    /// A region the caller administers (default: all of theirs).
    pub region: Option<String>,
    /// Only volunteers with this skill (code).
    pub skill: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

pub(super) fn region_param(raw: Option<&str>) -> ApiResult<Option<RegionCode>> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Ok(Some(RegionCode::parse(r).map_err(ApiError::from)?)),
        None => Ok(None),
    }
}

/// 志愿者名册
///
/// Volunteers of the regions the caller administers, newest first.
#[utoipa::path(get, path = "/api/v1/volunteers", tag = "volunteers", operation_id = "list_volunteers",
    params(VolunteerParams),
    responses(
        (status = 200, description = "Volunteers", body = VolunteerList),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the region", body = ErrorBody),
        (status = 422, description = "Bad region, skill or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<VolunteerParams>,
) -> ApiResult<Response> {
    let region = region_param(p.region.as_deref())?;
    let skill = match p.skill.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(Skill::parse(s).map_err(ApiError::from)?),
        None => None,
    };
    let page = super::page(p.page, p.per_page)?;
    let s = &state.services;
    let paged = s
        .volunteers()
        .list(&session.actor, region, skill, page)
        .await?;
    Ok(private(ApiJson(VolunteerList::from_paged(paged, |v| {
        VolunteerDto::new(s, v)
    }))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `xlsx` (default) or `csv`.
    pub format: Option<String>,
    /// A region the caller administers (default: all of theirs).
    pub region: Option<String>,
}

/// 导出志愿者名册
///
/// Every volunteer of the regions the caller administers, as .xlsx or CSV (ID numbers masked;
/// any cell that a spreadsheet would run as a formula is neutralised).
#[utoipa::path(get, path = "/api/v1/volunteers/export", tag = "volunteers", operation_id = "export_volunteers",
    params(ExportParams),
    responses(
        (status = 200, description = "The file", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the region", body = ErrorBody),
        (status = 422, description = "Bad format or region", body = ErrorBody),
    ))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    let region = region_param(p.region.as_deref())?;
    let s = &state.services;
    let all = s.volunteers().export(&session.actor, region).await?;
    let rows = all
        .into_iter()
        .map(|v| {
            vec![
                Cell::from(v.name),
                Cell::from(v.id_card_masked),
                Cell::from(v.phone),
                Cell::from(v.region.to_string()),
                Cell::from(s.regions.full_name(v.region)),
                Cell::from(Skill::join_labels(&v.skills)),
                Cell::from(v.availability),
                Cell::from(ts(v.registered_at)),
            ]
        })
        .collect();
    let table = Table {
        file: format!(
            "volunteers-{}",
            region.map_or_else(|| "all".to_owned(), |r| r.to_string())
        ),
        sheet: "志愿者名册".into(),
        headers: vec![
            "姓名",
            "身份证号（脱敏）",
            "手机号",
            "地区代码",
            "地区",
            "技能",
            "可服务时间",
            "登记时间",
        ],
        rows,
    };
    let mut response = table.download(p.format.as_deref().unwrap_or("xlsx"))?;
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// 志愿者名册模板
///
/// The .xlsx template of a volunteers' sheet: one person per row.
#[utoipa::path(get, path = "/api/v1/volunteers/template.xlsx", tag = "volunteers",
    operation_id = "volunteer_template",
    responses(
        (status = 200, description = "The template", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ))]
pub async fn template(ApiUser(_caller): ApiUser) -> ApiResult<Response> {
    let bytes = xlsx_import::template("志愿者名册", VolunteerSheet::columns())?;
    Ok(attachment(XLSX, "volunteer-template.xlsx".into(), bytes))
}

/// 导入志愿者
///
/// A region admin sends the filled template as the body (.xlsx). Every row is checked (a bad
/// ID number, phone, region or skill; a region outside the admin's; a number or account
/// registered already; the same person twice) and reported by its row number. With
/// `dry_run=false` a clean sheet is registered in one transaction (201; a phone without an
/// account gets one, whose owner logs in by code); a sheet with any bad row registers nobody
/// (422, with the report).
#[utoipa::path(post, path = "/api/v1/volunteers/import", tag = "volunteers",
    operation_id = "import_volunteers",
    params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses(
        (status = 200, description = "Dry run: the report", body = ImportReport),
        (status = 201, description = "Imported", body = ImportReport),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a region admin", body = ErrorBody),
        (status = 422, description = "Not an .xlsx or a required column missing (the error), or bad rows (the report)", body = ImportRefused),
    ))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<ImportParams>,
    body: Bytes,
) -> ApiResult<Response> {
    let dry_run = p.dry_run();
    let sheet = xlsx_import::read_upload(&body)?;
    let (report, imported) = state
        .services
        .volunteers()
        .import_volunteers(&session.actor, &sheet, !dry_run)
        .await?;
    Ok(ImportReport::respond(dry_run, report, imported))
}
