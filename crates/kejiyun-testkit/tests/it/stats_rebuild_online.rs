//! `kejiyun stats rebuild` while a server writes (issue 15, item 4): the rebuild runs in a
//! process of its own (here: its own connection pool, as the command has) and must lose no
//! concurrent update — afterwards every served figure equals the recomputed one.

use std::sync::Arc;

use kejiyun_testkit::{TestApp, backends, server_config};
use serde_json::json;

use crate::api_market_support::{
    LINSHUI, YUECHI, assert_figures_exact, moderate, need_body, submitted, with,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuilding_beside_a_writing_server_loses_no_update() {
    for backend in backends() {
        let app = Arc::new(TestApp::spawn_on(backend).await);
        let farmer = app.user("重建农户", Some(LINSHUI)).await;
        let admin = app.admin("system_admin", None).await;
        let mut needs = Vec::new();
        for n in 0..40 {
            let region = if n % 2 == 0 { LINSHUI } else { YUECHI };
            let body = with(
                need_body(region),
                "title",
                json!(format!("重建期间审核的需求{n}")),
            );
            needs.push(submitted(&app, "needs", &farmer, body).await);
        }
        // The command's own connection, as `kejiyun stats rebuild` opens it.
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let (cli, _) = kejiyun::server::services(&server_config(dir.path(), &app.db.url))
            .await
            .unwrap_or_else(|e| panic!("second connection: {e:#}"));

        let writer = {
            let app = app.clone();
            let admin = admin.clone();
            tokio::spawn(async move {
                for id in needs {
                    let r = moderate(&app, &admin, "need", id, "approve", json!({})).await;
                    assert!(r.status.is_success(), "approve {id}: {:?}", r.body);
                }
            })
        };
        let mut rebuilds = 0;
        while !writer.is_finished() {
            cli.stats()
                .rebuild_stats()
                .await
                .unwrap_or_else(|e| panic!("{}: rebuild: {e}", backend.name()));
            rebuilds += 1;
        }
        writer
            .await
            .unwrap_or_else(|e| panic!("{}: writer: {e}", backend.name()));
        let what = format!("{}: {rebuilds} rebuilds beside the writer", backend.name());
        assert_figures_exact(&app, &what).await;
    }
}
