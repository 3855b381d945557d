//! Search text in the query string: a NUL byte (which PostgreSQL cannot store or compare) or
//! any other control character in `q` is refused with 422 on every list that takes `q`, API
//! and pages, on every backend — never a 500.

use kejiyun_testkit::{TestApp, backends, client};
use reqwest::StatusCode;

/// Every API list with a `q` parameter.
const API_LISTS: [&str; 7] = [
    "/api/v1/regions",
    "/api/v1/tech-workers",
    "/api/v1/orgs",
    "/api/v1/services",
    "/api/v1/needs",
    "/api/v1/achievements",
    "/api/v1/search",
];

/// Every page with a search box.
const PAGE_LISTS: [&str; 6] = [
    "/tech-workers",
    "/orgs",
    "/services",
    "/needs",
    "/achievements",
    "/search",
];

#[tokio::test]
async fn control_characters_in_q_are_refused_on_every_backend() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        for list in API_LISTS {
            for q in ["%00", "%E6%9F%91%00", "a%01b", "%1B"] {
                let r = app.get(&format!("{list}?q={q}"), None).await;
                assert_eq!(
                    r.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{backend:?} {list}?q={q}: {:?}",
                    r.body
                );
                assert_eq!(r.error_code(), "invalid_input");
                assert_eq!(r.body["error"]["field"], "q");
                let message = r.body["error"]["message"].as_str().unwrap_or_default();
                assert!(message.contains("控制字符"), "{message}");
            }
            // Ordinary text still works, and a blank q is no filter.
            for q in ["%E6%9F%91%E6%A9%98", "", "%20"] {
                let r = app.get(&format!("{list}?q={q}"), None).await;
                assert_eq!(
                    r.status,
                    StatusCode::OK,
                    "{backend:?} {list}?q={q}: {:?}",
                    r.body
                );
            }
        }
        for page in PAGE_LISTS {
            let resp = client()
                .get(app.url(&format!("{page}?q=%00")))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                resp.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend:?} {page}"
            );
            let html = resp.text().await.unwrap_or_default();
            assert!(html.contains("控制字符"), "{backend:?} {page}");
            let ok = app
                .client
                .get(app.url(&format!("{page}?q=%E6%9F%91")))
                .send()
                .await;
            assert_eq!(
                ok.map(|r| r.status()).unwrap_or_default(),
                StatusCode::OK,
                "{backend:?} {page}"
            );
        }
        app.stop().await;
    }
}
