//! `/api`: the API reference for integrators, read from the same OpenAPI document as
//! `/api/v1/openapi.json` (so it cannot drift from the handlers), grouped by tag.

use std::sync::OnceLock;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{OpenApi, RefOr, Required};

use super::common::{Layout, PageResult, Pg, render};
use crate::AppState;
use crate::session::Ctx;

pub struct ApiGroup {
    pub tag: String,
    pub description: String,
    pub operations: Vec<ApiOperation>,
}

pub struct ApiOperation {
    pub method: &'static str,
    pub path: String,
    pub summary: String,
    /// `name (in, required)`.
    pub parameters: Vec<String>,
    /// The request body's schema name.
    pub body: Option<String>,
    /// `status description`.
    pub responses: Vec<String>,
}

#[derive(Template)]
#[template(path = "api_docs.html", whitespace = "minimize")]
struct ApiDocsTpl<'a> {
    base: Layout,
    groups: &'a [ApiGroup],
}

pub async fn reference(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    static GROUPS: OnceLock<Vec<ApiGroup>> = OnceLock::new();
    let groups = GROUPS.get_or_init(|| groups(&crate::api::openapi()));
    let pg = Pg::new(&state, ctx);
    let base = pg.layout("api.title", "api");
    Ok(render(StatusCode::OK, &ApiDocsTpl { base, groups }))
}

/// The document's operations under its tags, in the tags' order (then by path).
fn groups(doc: &OpenApi) -> Vec<ApiGroup> {
    let mut groups: Vec<ApiGroup> = doc
        .tags
        .iter()
        .flatten()
        .map(|t| ApiGroup {
            tag: t.name.clone(),
            description: t.description.clone().unwrap_or_default(),
            operations: Vec::new(),
        })
        .collect();
    for (path, item) in &doc.paths.paths {
        let methods = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in methods {
            let Some(op) = op else { continue };
            let tag = op
                .tags
                .as_ref()
                .and_then(|t| t.first())
                .cloned()
                .unwrap_or_default();
            let at = match groups.iter().position(|g| g.tag == tag) {
                Some(i) => i,
                None => {
                    groups.push(ApiGroup {
                        tag,
                        description: String::new(),
                        operations: Vec::new(),
                    });
                    groups.len() - 1
                }
            };
            groups[at].operations.push(operation(method, path, op));
        }
    }
    groups.retain(|g| !g.operations.is_empty());
    groups
}

fn operation(method: &'static str, path: &str, op: &Operation) -> ApiOperation {
    let parameters = op
        .parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) => Some(p),
            RefOr::Ref(_) => None,
        })
        .map(|p| {
            let where_ = match p.parameter_in {
                ParameterIn::Path => "path",
                ParameterIn::Query | ParameterIn::QueryString => "query",
                ParameterIn::Header => "header",
                ParameterIn::Cookie => "cookie",
            };
            let required = if matches!(p.required, Required::True) {
                ", required"
            } else {
                ""
            };
            format!("{} ({where_}{required})", p.name)
        })
        .collect();
    let body = match &op.request_body {
        Some(RefOr::T(b)) => b.content.values().next().and_then(|c| match c {
            RefOr::T(c) => match &c.schema {
                Some(RefOr::Ref(r)) => r.ref_location.rsplit('/').next().map(str::to_owned),
                _ => None,
            },
            RefOr::Ref(_) => None,
        }),
        _ => None,
    };
    let responses = op
        .responses
        .responses
        .iter()
        .map(|(code, r)| match r {
            RefOr::T(r) => format!("{code} {}", r.description),
            RefOr::Ref(_) => code.clone(),
        })
        .collect();
    ApiOperation {
        method,
        path: path.to_owned(),
        summary: op
            .summary
            .clone()
            .or_else(|| op.description.clone())
            .unwrap_or_default(),
        parameters,
        body,
        responses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_listed_under_its_tag() {
        let doc = crate::api::openapi();
        let groups = groups(&doc);
        let listed: usize = groups.iter().map(|g| g.operations.len()).sum();
        let in_doc: usize = doc
            .paths
            .paths
            .values()
            .map(|i| {
                [&i.get, &i.post, &i.put, &i.patch, &i.delete]
                    .iter()
                    .filter(|o| o.is_some())
                    .count()
            })
            .sum();
        assert_eq!(listed, in_doc);
        let needs = groups
            .iter()
            .find(|g| g.tag == "needs")
            .unwrap_or_else(|| panic!("no needs group"));
        let create = needs
            .operations
            .iter()
            .find(|o| o.method == "POST" && o.path == "/api/v1/needs")
            .unwrap_or_else(|| panic!("no POST /api/v1/needs"));
        assert_eq!(create.body.as_deref(), Some("CreateNeedRequest"));
        assert!(create.responses.iter().any(|r| r.starts_with("422")));
    }
}
