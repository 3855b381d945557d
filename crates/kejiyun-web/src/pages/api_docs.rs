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
    /// The tag's Chinese name (its `x-displayName`), else the tag itself.
    pub name: String,
    /// The description's first paragraph (Chinese) and the rest (English).
    pub description: String,
    pub description_more: String,
    pub operations: Vec<ApiOperation>,
}

pub struct ApiOperation {
    pub method: &'static str,
    pub path: String,
    pub operation_id: String,
    /// The Chinese summary.
    pub summary: String,
    /// The English description (the handler's doc comment).
    pub description: String,
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
        .map(|t| {
            let (description, description_more) = paragraphs(t.description.as_deref());
            let name = t
                .extensions
                .as_ref()
                .and_then(|x| x.get(crate::api::TAG_DISPLAY_NAME))
                .and_then(|v| v.as_str())
                .unwrap_or(&t.name)
                .to_owned();
            ApiGroup {
                tag: t.name.clone(),
                name,
                description,
                description_more,
                operations: Vec::new(),
            }
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
                        name: tag.clone(),
                        tag,
                        description: String::new(),
                        description_more: String::new(),
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
        operation_id: op.operation_id.clone().unwrap_or_default(),
        summary: op.summary.clone().unwrap_or_default(),
        description: op.description.clone().unwrap_or_default(),
        parameters,
        body,
        responses,
    }
}

/// A text's first paragraph, and the rest.
fn paragraphs(text: Option<&str>) -> (String, String) {
    let text = text.unwrap_or_default().trim();
    match text.split_once("\n\n") {
        Some((first, rest)) => (first.trim().to_owned(), rest.trim().to_owned()),
        None => (text.to_owned(), String::new()),
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
        // Chinese first: the group's name and the summary; the English doc comment below.
        assert_eq!(needs.name, "科技需求");
        assert!(
            needs.description.contains("科技需求"),
            "{}",
            needs.description
        );
        assert!(needs.description_more.starts_with("Needs"));
        assert_eq!(create.summary, "发布科技需求（草稿或提交审核）");
        assert!(
            create
                .description
                .starts_with("A registered user posts a need")
        );
        assert_eq!(create.operation_id, "create_need");
        let submit = needs
            .operations
            .iter()
            .find(|o| o.path == "/api/v1/needs/{id}/submit")
            .unwrap_or_else(|| panic!("no submit"));
        assert_eq!(submit.summary, "提交科技需求审核");
        assert_eq!(submit.operation_id, "submit_need");
        assert!(
            submit.description.contains("rejected need"),
            "{}",
            submit.description
        );
    }

    #[test]
    fn paragraphs_split_once() {
        assert_eq!(
            paragraphs(Some("中文。\n\nEnglish.\n\nMore.")),
            ("中文。".to_owned(), "English.\n\nMore.".to_owned())
        );
        assert_eq!(paragraphs(None), (String::new(), String::new()));
    }
}
