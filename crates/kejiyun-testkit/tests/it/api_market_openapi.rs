//! The marketplace in the generated OpenAPI document: every path and method, documented error
//! answers, inputs that refuse unknown fields, integer fen.

use kejiyun_testkit::TestApp;
use serde_json::Value;

#[tokio::test]
async fn openapi_describes_the_marketplace() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/v1/openapi.json", None).await.body;
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let expected: &[(&str, &[&str])] = &[
        ("/api/v1/categories", &["get"]),
        ("/api/v1/services", &["get", "post"]),
        ("/api/v1/services/{id}", &["get", "put"]),
        ("/api/v1/services/{id}/submit", &["post"]),
        ("/api/v1/services/{id}/close", &["post"]),
        ("/api/v1/services/{id}/confirm", &["post"]),
        ("/api/v1/needs", &["get", "post"]),
        ("/api/v1/needs/completeness", &["post"]),
        ("/api/v1/needs/{id}", &["get", "put"]),
        ("/api/v1/needs/{id}/submit", &["post"]),
        ("/api/v1/needs/{id}/close", &["post"]),
        ("/api/v1/needs/{id}/confirm", &["post"]),
        ("/api/v1/achievements", &["get", "post"]),
        ("/api/v1/achievements/{id}", &["get", "put"]),
        ("/api/v1/achievements/{id}/submit", &["post"]),
        ("/api/v1/achievements/{id}/close", &["post"]),
        ("/api/v1/achievements/{id}/confirm", &["post"]),
        ("/api/v1/inquiries", &["get", "post"]),
        ("/api/v1/inquiries/{id}", &["get"]),
        ("/api/v1/inquiries/{id}/messages", &["post"]),
        ("/api/v1/quotes", &["get", "post"]),
        ("/api/v1/quotes/{id}", &["get"]),
        ("/api/v1/quotes/{id}/accept", &["post"]),
        ("/api/v1/quotes/{id}/decline", &["post"]),
        ("/api/v1/quotes/{id}/withdraw", &["post"]),
        ("/api/v1/deals", &["get", "post"]),
        ("/api/v1/deals/offline", &["post"]),
        ("/api/v1/deals/{id}", &["get"]),
        ("/api/v1/deals/{id}/confirm", &["post"]),
        ("/api/v1/deals/{id}/cancel", &["post"]),
        ("/api/v1/deals/{id}/evidence", &["get"]),
        ("/api/v1/tickets", &["get", "post"]),
        ("/api/v1/tickets/{id}", &["get"]),
        ("/api/v1/tickets/{id}/follow-ups", &["post"]),
        ("/api/v1/tickets/{id}/links", &["post"]),
        ("/api/v1/tickets/{id}/close", &["post"]),
    ];
    for (path, methods) in expected {
        let item = paths.get(*path).unwrap_or_else(|| panic!("missing {path}"));
        for m in *methods {
            let op = &item[*m];
            assert!(op.is_object(), "missing {m} {path}");
            let responses = op["responses"].as_object().cloned().unwrap_or_default();
            assert!(
                responses.keys().any(|k| k.starts_with('4')),
                "{m} {path} documents no 4xx"
            );
        }
    }
    let upload = &paths["/api/v1/deals/offline"]["post"]["requestBody"]["content"];
    assert!(upload["multipart/form-data"].is_object(), "{upload}");
    let schemas = doc["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for input in [
        "CreateServiceRequest",
        "ServiceRequest",
        "CreateNeedRequest",
        "NeedRequest",
        "NeedDraftRequest",
        "CreateAchievementRequest",
        "AchievementRequest",
        "CloseRequest",
        "InquiryRequest",
        "MessageRequest",
        "QuoteRequest",
        "DeclineRequest",
        "DealRequest",
        "OfflineDealData",
        "CancelRequest",
        "TicketRequest",
        "FollowUpRequest",
        "LinkRequest",
        "CloseTicketRequest",
    ] {
        assert_eq!(
            schemas[input]["additionalProperties"],
            Value::Bool(false),
            "{input}"
        );
    }
    for (schema, field) in [("DealDto", "amount_fen"), ("QuoteDto", "price_fen")] {
        let ty = &schemas[schema]["properties"][field]["type"];
        assert_eq!(ty, "integer", "{schema}.{field} is integer fen");
    }
    let tags: Vec<_> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for t in [
        "services",
        "needs",
        "achievements",
        "inquiries",
        "quotes",
        "deals",
        "tickets",
    ] {
        assert!(tags.contains(&t), "tag {t}");
    }
    app.stop().await;
}
