//! What schemathesis (scripts/security-checks schema) found the API answering and the OpenAPI
//! document not saying, each checked here on the real server and in the document: the answers
//! every JSON body and query string can get, an import's unreadable file, an audit entry's
//! empty side.

use kejiyun_testkit::{TestApp, client};
use reqwest::StatusCode;
use serde_json::Value;

use crate::api_market_support::LINSHUI;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `(status, body)` of a POST of `body` as `content_type` with a bearer token.
async fn post_as(
    app: &TestApp,
    path: &str,
    token: &str,
    content_type: &str,
    body: &'static [u8],
) -> (StatusCode, Value) {
    let resp = client()
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// A JSON body that is not JSON (400), is sent as something else (415) or has a field serde
/// refuses (422), and a query string with a control character (422): schemathesis found 30
/// operations answering these without documenting them.
#[tokio::test]
async fn body_and_query_errors_are_documented_where_they_can_happen() {
    let app = TestApp::spawn().await;
    let user = app.user("刘晓梅", Some(LINSHUI)).await;
    let path = "/api/v1/me/volunteer-certificates";
    let (status, body) = post_as(&app, path, &user.token, "text/plain", b"{}").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    let (status, body) = post_as(&app, path, &user.token, "application/json", b"\xff").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "malformed_json");
    let r = app.get("/api/v1/needs/1/matches?q%01=1", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);

    let doc = app.get("/api/v1/openapi.json", None).await.body;
    let mut missing = Vec::new();
    for (url, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
        for (method, op) in item.as_object().cloned().unwrap_or_default() {
            let json_body = !op["requestBody"]["content"]["application/json"].is_null();
            let query = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["in"] == "query");
            let mut need = Vec::new();
            if json_body {
                need.extend(["400", "415", "422"]);
            }
            if query {
                need.push("422");
            }
            for code in need {
                if op["responses"][code].is_null() {
                    missing.push(format!("{} {url}: {code}", method.to_uppercase()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not documented:\n{}",
        missing.join("\n")
    );
}

/// An import whose file is not an .xlsx answers 422 with the API's error, not a report: the
/// document's 422 says either.
#[tokio::test]
async fn an_unreadable_import_file_is_a_documented_error() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let (status, body) = post_as(
        &app,
        "/api/v1/volunteers/import?dry_run=false",
        &admin.token,
        XLSX,
        b"not a spreadsheet",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "file", "{body}");

    let doc = app.get("/api/v1/openapi.json", None).await.body;
    let refused = &doc["components"]["schemas"]["ImportRefused"]["oneOf"];
    let refs: Vec<&str> = refused
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["$ref"].as_str())
        .collect();
    assert!(
        refs.contains(&"#/components/schemas/ErrorBody")
            && refs.contains(&"#/components/schemas/ImportReport"),
        "{refused}"
    );
    for url in [
        "/api/v1/volunteers/import",
        "/api/v1/volunteer-teams/import",
        "/api/v1/trainings/{id}/enrolments/import",
    ] {
        assert_eq!(
            doc["paths"][url]["post"]["responses"]["422"]["content"]["application/json"]["schema"]
                ["$ref"],
            "#/components/schemas/ImportRefused",
            "{url}"
        );
    }
}

/// An audit entry of a creation has no `before` (null): the document allowed only an object.
#[tokio::test]
async fn an_audit_entry_without_before_matches_its_schema() {
    let app = TestApp::spawn().await;
    let admin = app.admin("system_admin", None).await;
    // Creating the region admin writes an entry with nothing before it.
    app.admin("region_admin", Some(LINSHUI)).await;
    let r = app
        .get("/api/v1/audit?per_page=100", Some(&admin.token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    assert!(
        items.iter().any(|e| e["before"].is_null()),
        "no entry without before: {items:?}"
    );

    let doc = app.get("/api/v1/openapi.json", None).await.body;
    let dto = &doc["components"]["schemas"]["AuditDto"];
    for side in ["before", "after"] {
        let types = &dto["properties"][side]["type"];
        assert!(
            types
                .as_array()
                .is_some_and(|t| t.contains(&Value::from("null"))),
            "{side}: {types}"
        );
    }
}
