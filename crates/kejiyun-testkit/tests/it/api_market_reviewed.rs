//! Public views show only moderated text (issue 15, item 8, on posting pages): a posting edited
//! after publication waits for review; if its owner then closes it, the closed posting must not
//! show the unreviewed edit to the public. A posting closed while published stays public.

use kejiyun_testkit::{TestApp, backends};
use reqwest::StatusCode;
use serde_json::json;

use crate::api_market_support::{LINSHUI, cast, need_body, with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_an_unreviewed_edit_does_not_publish_it() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let c = cast(&app).await;
        let name = backend.name();

        let edited = c.publish_farmers_need(&app).await;
        let r = app
            .put(
                &format!("/api/v1/needs/{edited}"),
                Some(&c.farmer.token),
                with(need_body(LINSHUI), "title", json!("改过但还没审核的标题")),
            )
            .await;
        assert!(r.status.is_success(), "{name}: edit: {:?}", r.body);
        let close = |id: i64| {
            let app = &app;
            let token = c.farmer.token.clone();
            async move {
                app.post(
                    &format!("/api/v1/needs/{id}/close"),
                    Some(&token),
                    json!({ "reason": "withdrawn" }),
                )
                .await
            }
        };
        let r = close(edited).await;
        assert!(r.status.is_success(), "{name}: close: {:?}", r.body);
        let path = format!("/api/v1/needs/{edited}");
        let public = app.get(&path, None).await;
        assert_eq!(
            public.status,
            StatusCode::NOT_FOUND,
            "{name}: {:?}",
            public.body
        );
        let (page, _, _) = app.get_bytes(&format!("/needs/{edited}"), None).await;
        assert_eq!(page, StatusCode::NOT_FOUND, "{name}: the public page");
        let own = app.get(&path, Some(&c.farmer.token)).await;
        assert_eq!(
            own.status,
            StatusCode::OK,
            "{name}: the owner still sees it"
        );
        assert_eq!(own.body["title"], "改过但还没审核的标题");
        let staff = app.get(&path, Some(&c.admin.token)).await;
        assert_eq!(
            staff.status,
            StatusCode::OK,
            "{name}: the county's staff too"
        );

        // Closed while published: the approved text stays public.
        let kept = c.publish_farmers_need(&app).await;
        let r = close(kept).await;
        assert!(r.status.is_success(), "{name}: close: {:?}", r.body);
        let public = app.get(&format!("/api/v1/needs/{kept}"), None).await;
        assert_eq!(public.status, StatusCode::OK, "{name}: {:?}", public.body);
        assert_eq!(public.body["status"], "closed");
        app.stop().await;
    }
}
