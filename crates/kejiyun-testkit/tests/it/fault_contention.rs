//! Many admins approving in one county at once (issue 15, item 5): the writers contend for the
//! same statistics rows, and on MariaDB and PostgreSQL some lose deadlocks. A lost deadlock is
//! run again; one still losing after its retries answers 503 with `Retry-After` — never 500 —
//! and the figures stay exact.

use std::sync::Arc;

use kejiyun_testkit::{TestApp, backends};
use reqwest::StatusCode;
use serde_json::json;

use crate::api_market_support::{
    LINSHUI, assert_figures_exact, moderate, need_body, submitted, with,
};

const WRITERS: usize = 16;
const PER_WRITER: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_approvals_in_one_county_never_answer_500() {
    for backend in backends() {
        let app = Arc::new(TestApp::spawn_on(backend).await);
        let farmer = app.user("争抢农户", Some(LINSHUI)).await;
        let mut admins = Vec::new();
        for _ in 0..4 {
            admins.push(app.admin("region_admin", Some(LINSHUI)).await);
        }
        let mut needs = Vec::new();
        for n in 0..WRITERS * PER_WRITER {
            let body = with(
                need_body(LINSHUI),
                "title",
                json!(format!("并发审核需求{n}")),
            );
            needs.push(submitted(&app, "needs", &farmer, body).await);
        }
        let mut tasks = Vec::new();
        for (w, chunk) in needs.chunks(PER_WRITER).enumerate() {
            let app = app.clone();
            let admin = admins[w % admins.len()].clone();
            let chunk = chunk.to_vec();
            tasks.push(tokio::spawn(async move {
                let mut answers = Vec::new();
                for id in chunk {
                    let r = moderate(&app, &admin, "need", id, "approve", json!({})).await;
                    answers.push((r.status, r.headers.contains_key("retry-after"), r.body));
                }
                answers
            }));
        }
        let mut approved = 0;
        for t in tasks {
            for (status, retry_after, body) in t.await.unwrap_or_default() {
                match status {
                    StatusCode::OK => approved += 1,
                    StatusCode::SERVICE_UNAVAILABLE => {
                        assert!(retry_after, "503 without Retry-After: {body:?}")
                    }
                    other => panic!("{}: an approval answered {other}: {body:?}", backend.name()),
                }
            }
        }
        assert!(approved > 0, "{}: nothing approved", backend.name());
        assert_figures_exact(&app, backend.name()).await;
    }
}
