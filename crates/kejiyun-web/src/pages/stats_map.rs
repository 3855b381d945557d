//! The big screen's boundary map, when the operator supplies one. Kejiyun ships no boundary
//! data (none with a licence that covers it exists; a map shown in public in China needs a
//! 审图号): an operator who has a reviewed 标准地图 of a region's children puts it in the data
//! directory as `maps/<code>.geojson` — each feature's `properties.code` the child's six-digit
//! code — with its 审图号 in `maps/<code>.txt`. Without the number the map is not shown.

use std::path::{Path, PathBuf};

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use kejiyun_core::regions::RegionCode;

use crate::AppState;

/// Longest 审图号 text shown (e.g. `GS(2024)0650号`, `川S【2023】8号`).
const APPROVAL_MAX_CHARS: usize = 40;

/// A region's operator-supplied map: the GeoJSON file and its 审图号.
pub struct OperatorMap {
    pub file: PathBuf,
    pub approval: String,
}

/// The map of `code`'s children in `dir`, if both the file and its 审图号 are there.
pub fn operator_map(dir: Option<&Path>, code: RegionCode) -> Option<OperatorMap> {
    let dir = dir?;
    let file = dir.join(format!("{code}.geojson"));
    if !file.is_file() {
        return None;
    }
    let approval = match std::fs::read_to_string(dir.join(format!("{code}.txt"))) {
        Ok(text) => text
            .trim()
            .chars()
            .take(APPROVAL_MAX_CHARS)
            .collect::<String>(),
        Err(_) => String::new(),
    };
    if approval.is_empty() {
        tracing::warn!(file = %file.display(), "boundary map without its 审图号 ({code}.txt): not shown");
        return None;
    }
    Some(OperatorMap { file, approval })
}

/// `GET /stats/{code}/map.geojson`: the operator's file, or 404.
pub async fn geojson(State(state): State<AppState>, UrlPath(raw): UrlPath<String>) -> Response {
    let Some(code) = raw
        .strip_suffix(".geojson")
        .and_then(|c| RegionCode::parse(c).ok())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(map) = operator_map(state.config.map_dir.as_deref(), code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(&map.file).await {
        Ok(bytes) => (
            [
                (CONTENT_TYPE, "application/geo+json"),
                (CACHE_CONTROL, "public, max-age=3600"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, file = %map.file.display(), "reading the boundary map failed");
            StatusCode::NOT_FOUND.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_needs_its_approval_number() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let code = RegionCode::parse("511600").unwrap_or_else(|e| panic!("{e}"));
        assert!(operator_map(None, code).is_none());
        assert!(operator_map(Some(dir.path()), code).is_none());
        std::fs::write(dir.path().join("511600.geojson"), "{}").unwrap_or_else(|e| panic!("{e}"));
        assert!(
            operator_map(Some(dir.path()), code).is_none(),
            "no 审图号, no map"
        );
        std::fs::write(dir.path().join("511600.txt"), "  川S【2023】8号\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let map = operator_map(Some(dir.path()), code).unwrap_or_else(|| panic!("map"));
        assert_eq!(map.approval, "川S【2023】8号");
    }
}
