//! The outbox is pruned: the store keeps its horizon on every backend, and a server whose index
//! is older than what was pruned rebuilds the index when it starts instead of missing changes.

use kejiyun_core::search_ports::SearchFeed;
use kejiyun_core::time::Timestamp;
use kejiyun_db::SeaStore;
use kejiyun_testkit::{TestApp, TestDatabase, backends, server_config};
use serde_json::Value;

use crate::api_market_support::{LINSHUI, cast, published, service_body};

fn t(secs: i64) -> Timestamp {
    Timestamp::from_micros(1_800_000_000_000_000 + secs * 1_000_000)
}

async fn outbox_ids(store: &SeaStore) -> Vec<i64> {
    let rows = store
        .outbox_after(0, 100)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    rows.iter().map(|r| r.id).collect()
}

async fn horizon(store: &SeaStore) -> i64 {
    store
        .outbox_horizon()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn prune(store: &SeaStore, before: Timestamp) -> u64 {
    store
        .prune_outbox(before)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn the_outbox_is_pruned_and_its_horizon_only_rises_on_every_backend() {
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        let store = db.migrated_store().await;
        assert_eq!(horizon(&store).await, 0);
        assert_eq!(store.outbox_head().await.ok(), Some(0));
        for (at, item) in [(0, 1), (10, 2), (20, 3)] {
            let sql = format!(
                "INSERT INTO outbox (at, kind, item_id, op) VALUES ({}, 'service', {item}, 'upsert')",
                t(at).0
            );
            kejiyun_db::testing::execute(&store, &sql)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let ids = outbox_ids(&store).await;
        assert_eq!(ids.len(), 3);

        assert_eq!(prune(&store, t(0)).await, 0, "nothing is older than t(0)");
        assert_eq!(horizon(&store).await, 0);
        assert_eq!(prune(&store, t(15)).await, 2);
        assert_eq!(horizon(&store).await, ids[1]);
        assert_eq!(outbox_ids(&store).await, vec![ids[2]]);
        // An older cutoff (another server's clock) never lowers the horizon.
        assert_eq!(prune(&store, t(5)).await, 0);
        assert_eq!(horizon(&store).await, ids[1]);
        assert_eq!(prune(&store, t(30)).await, 1);
        assert_eq!(horizon(&store).await, ids[2]);
        assert!(outbox_ids(&store).await.is_empty());
        // An emptied outbox still reports how far it went.
        assert_eq!(store.outbox_head().await.ok(), Some(ids[2]));
        eprintln!("outbox pruning: backend={} ok", backend.name());
        db.cleanup().await;
    }
}

async fn cli(args: &[&str]) {
    let mut argv = vec!["kejiyun"];
    argv.extend_from_slice(args);
    kejiyun::cli::run(<kejiyun::cli::Cli as clap::Parser>::parse_from(argv))
        .await
        .unwrap_or_else(|e| panic!("{args:?}: {e:#}"));
}

fn service_ids(r: &Value) -> Vec<i64> {
    r["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["type"] == "service")
        .filter_map(|i| i["id"].as_i64())
        .collect()
}

#[tokio::test]
async fn an_index_older_than_the_pruned_outbox_is_rebuilt_at_start() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let body = || service_body(LINSHUI, "county");
    let first = published(&app, &c.admin, "services", &c.expert, body()).await;
    // Server B's index is made now, at the outbox's current head…
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data_dir = dir.path().to_string_lossy().into_owned();
    let db_args = ["--data-dir", &data_dir, "--database-url", &app.db.url];
    cli(&[&["reindex"][..], &db_args].concat()).await;
    // …then a second service is published, and every change ages past the retention and is
    // pruned: the change B never saw is gone from the outbox.
    let second = published(&app, &c.admin, "services", &c.expert, body()).await;
    let store = kejiyun_db::connect(&app.db.url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let forty_days = 40 * 24 * 3600 * 1_000_000_i64;
    kejiyun_db::testing::execute(&store, &format!("UPDATE outbox SET at = at - {forty_days}"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    cli(&[&["outbox", "prune"][..], &db_args].concat()).await;
    assert!(outbox_ids(&store).await.is_empty(), "pruned");
    assert!(horizon(&store).await > 0);

    let config = server_config(dir.path(), &app.db.url);
    let b = kejiyun::server::spawn(&config, false)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let r: Value = app
        .client
        .get(format!("{}/api/v1/search?q=黄龙病", b.url()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let found = service_ids(&r);
    assert!(
        found.contains(&first) && found.contains(&second),
        "both services after the rebuild: {r}"
    );
    b.stop().await;
}

#[tokio::test]
async fn stored_vectors_round_trip_exactly_on_every_backend() {
    use kejiyun_core::search_ports::{DocKind, EMBEDDING_DIM, StoredVector};
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        let store = db.migrated_store().await;
        // Every int8 value, and a hash with its top bit set (stored as a signed BIGINT).
        let values: Vec<i8> = (0..EMBEDDING_DIM)
            .map(|i| i8::from_ne_bytes([(i % 256) as u8]))
            .collect();
        let first = StoredVector {
            text_hash: u64::MAX - 7,
            scale: 0.003_937,
            values,
        };
        let ok =
            |r: Result<(), kejiyun_core::ports::StoreError>| r.unwrap_or_else(|e| panic!("{e}"));
        ok(store.store_vector(DocKind::Service, 5, &first).await);
        ok(store.store_vector(DocKind::Need, 5, &first).await);
        let got = store
            .stored_vector(DocKind::Service, 5)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got.as_ref(), Some(&first), "{}", backend.name());
        // A new text's vector replaces the old one.
        let second = StoredVector {
            text_hash: 42,
            scale: 0.5,
            values: vec![-128; EMBEDDING_DIM],
        };
        ok(store.store_vector(DocKind::Service, 5, &second).await);
        ok(store.store_vector(DocKind::Service, 9, &second).await);
        let page = store
            .stored_vectors(DocKind::Service, 0, 10)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page, vec![(5, second.clone()), (9, second.clone())]);
        let after = store
            .stored_vectors(DocKind::Service, 5, 10)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(after, vec![(9, second)]);
        assert_eq!(
            store.stored_vector(DocKind::Org, 5).await.ok(),
            Some(None),
            "none stored"
        );
        eprintln!("stored vectors: backend={} ok", backend.name());
        db.cleanup().await;
    }
}
