//! Snapshots of the main pages, recorded before a refactoring that promises no change in
//! behaviour: the `<main>` element of the home page, a service page, a need page with its quotes
//! (as its owner), the admin's moderation queue and the statistics dashboard, over the records of
//! the API snapshots' scenario, compared with `tests/it/snapshots/page_*.snap`. SQLite only: the
//! API snapshots show the backends agree. How to review a change: see snapshot_support.rs.

use kejiyun_testkit::{TestApp, TestUser};

use crate::api_search::q;
use crate::snapshot_api::{Recorder, world};
use crate::snapshot_support::{assert_text, page_fragment, redact_text};

#[tokio::test]
async fn page_snapshots() {
    let app = TestApp::spawn().await;
    let w = world(&Recorder {
        app: &app,
        record: false,
    })
    .await;
    let pages: Vec<(&str, Option<&TestUser>, String)> = vec![
        ("page_home", None, "/".into()),
        ("page_service", None, format!("/services/{}", w.service)),
        (
            "page_need_owner",
            Some(&w.farmer),
            format!("/needs/{}", w.need),
        ),
        (
            "page_need_provider",
            Some(&w.expert),
            format!("/needs/{}", w.need),
        ),
        ("page_admin_queue", Some(&w.admin), "/admin".into()),
        ("page_stats", None, "/stats/511600".into()),
        (
            "page_stats_records",
            None,
            "/stats/511600/records?metric=deals".into(),
        ),
        ("page_stats_summary", None, "/stats/511600/summary".into()),
        ("page_search", None, format!("/search?{}", q("柑橘"))),
    ];
    for (name, who, path) in &pages {
        let (status, html) = app.page(*who, None, path).await;
        let request = redact_text(&format!("GET {path}"));
        let text = format!("{request}\n{status}\n\n{}\n", page_fragment(&html));
        assert_text(name, &text);
    }
    app.stop().await;
}
