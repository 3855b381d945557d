use axum::extract::State;
use kejiyun_core::regions::RegionCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{RegionDto, RegionList};
use super::page;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionSearch {
    /// Part of a region's name, e.g. `邻水`; without it the list holds the deployment's root.
    pub q: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// 地区列表（按名称查找）
///
/// The deployment's root region, or the regions below it whose name contains `q`.
#[utoipa::path(get, path = "/api/v1/regions", tag = "regions", operation_id = "list_regions",
    params(RegionSearch),
    responses(
        (status = 200, description = "Regions", body = RegionList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 422, description = "Bad paging", body = ErrorBody),
    ))]
pub async fn list_regions(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<RegionSearch>,
) -> ApiResult<ApiJson<RegionList>> {
    let s = &state.services;
    let p = page(q.page, q.per_page)?;
    let root = s.root_region()?;
    // Region names are short: 20 characters are plenty.
    let term = kejiyun_core::text::search_text(q.q.as_deref(), 20)?;
    let mut found: Vec<_> = match term {
        None => vec![root],
        Some(t) => {
            let mut stack = vec![root];
            let mut out = Vec::new();
            while let Some(r) = stack.pop() {
                if r.name.contains(&t) {
                    out.push(r);
                }
                stack.extend(s.regions.children(r.code));
            }
            out.sort_by_key(|r| r.code);
            out
        }
    };
    let total = found.len() as u64;
    let items: Vec<_> = found
        .drain(..)
        .skip(p.offset() as usize)
        .take(p.limit() as usize)
        .map(|r| RegionDto::new(s, r))
        .collect();
    Ok(ApiJson(RegionList {
        items,
        total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// 查看地区
///
/// One region of the deployment (its root, an ancestor of the root, or below the root).
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "regions", operation_id = "get_region",
    params(("code" = String, Path, description = "Six-digit GB/T 2260 code", example = "511623")),
    responses(
        (status = 200, description = "The region", body = RegionDto),
        (status = 404, description = "Unknown, or outside this deployment", body = ErrorBody),
        (status = 422, description = "Not a six-digit code", body = ErrorBody),
    ))]
pub async fn get_region(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<ApiJson<RegionDto>> {
    let s = &state.services;
    let r = s.visible_region(RegionCode::parse(&code)?)?;
    Ok(ApiJson(RegionDto::new(s, r)))
}

/// 下级地区列表
///
/// The regions directly below one region.
#[utoipa::path(get, path = "/api/v1/regions/{code}/children", tag = "regions", operation_id = "list_region_children",
    params(
        ("code" = String, Path, description = "Six-digit GB/T 2260 code", example = "511600"),
        super::dto::PageParams,
    ),
    responses(
        (status = 200, description = "Child regions", body = RegionList),
        (status = 404, description = "Unknown, or outside this deployment", body = ErrorBody),
        (status = 422, description = "Not a six-digit code, or bad paging", body = ErrorBody),
    ))]
pub async fn region_children(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(pp): ApiQuery<super::dto::PageParams>,
) -> ApiResult<ApiJson<RegionList>> {
    let s = &state.services;
    let p = page(pp.page, pp.per_page)?;
    let r = s.visible_region(RegionCode::parse(&code)?)?;
    let children: Vec<_> = s
        .regions
        .children(r.code)
        .into_iter()
        .filter(|c| s.root.contains(c.code) || c.code.contains(s.root))
        .collect();
    let total = children.len() as u64;
    let items = children
        .into_iter()
        .skip(p.offset() as usize)
        .take(p.limit() as usize)
        .map(|c| RegionDto::new(s, c))
        .collect();
    Ok(ApiJson(RegionList {
        items,
        total,
        page: p.page,
        per_page: p.per_page,
    }))
}
