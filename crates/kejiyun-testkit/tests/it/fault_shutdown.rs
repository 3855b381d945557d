//! Stopping under load (issue 15, item 11): SIGTERM runs `RunningServer::stop`, which drains
//! first — `/readyz` says "draining", answers close their connections, the port still
//! accepts — and only then stops accepting and finishes what is in flight. No request sent
//! before the stop, or early in the drain, is reset.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kejiyun_testkit::{Backend, TestApp, TestDatabase, client};
use reqwest::StatusCode;

const CLIENTS: usize = 24;
const DRAIN: Duration = Duration::from_millis(800);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_drains_and_resets_no_request() {
    let db = TestDatabase::create(Backend::Sqlite).await;
    let app = TestApp::spawn_with(db, |c| c.shutdown_drain_ms = DRAIN.as_millis() as u64).await;
    let list = app.url("/api/v1/needs");
    let ready = app.url("/readyz");
    let stopped = Arc::new(AtomicBool::new(false));

    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (list, stopped) = (list.clone(), stopped.clone());
        clients.push(tokio::spawn(async move {
            let http = client();
            let mut outcomes = Vec::new();
            for _ in 0..5_000 {
                if stopped.load(Ordering::Relaxed) {
                    break;
                }
                let started = Instant::now();
                let answer = http.get(&list).send().await.map(|r| r.status());
                outcomes.push((started, answer.map_err(|e| e.to_string())));
            }
            outcomes
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let began = Instant::now();
    let probe = tokio::spawn(async move {
        tokio::time::sleep(DRAIN / 4).await;
        client().get(&ready).send().await.map(|r| r.status()).ok()
    });
    app.stop().await;
    stopped.store(true, Ordering::Relaxed);

    assert_eq!(
        probe.await.ok().flatten(),
        Some(StatusCode::SERVICE_UNAVAILABLE),
        "/readyz during the drain"
    );
    let mut checked = 0;
    for c in clients {
        for (started, outcome) in c.await.unwrap_or_default() {
            // Sent before the stop or in the first half of the drain: must be answered.
            if started < began + DRAIN / 2 {
                checked += 1;
                assert_eq!(
                    outcome,
                    Ok(StatusCode::OK),
                    "a request sent {:?} after the stop began",
                    started.checked_duration_since(began)
                );
            }
        }
    }
    assert!(checked > CLIENTS, "too few requests were made: {checked}");
}
