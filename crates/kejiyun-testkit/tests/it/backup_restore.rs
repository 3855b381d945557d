//! The restore drill, on every configured backend: a running server with a county's records —
//! a resource with its uploaded file, a volunteer whose ID number is sealed, the figures — is
//! backed up while it serves (`kejiyun backup`), then restored (`kejiyun restore`) into an
//! empty database and a new data directory holding the old personal-data key, and a server
//! started on them answers as the old one did: the same figures, the same file bytes, the
//! admin's session, the sealed ID number opened, the resource found again by the rebuilt
//! search index. A restore into a database that is not empty, or with another key, is
//! refused before it writes anything.

use kejiyun::backup::{backup, restore};
use kejiyun_testkit::{TestApp, TestDatabase, backends, server_config};
use reqwest::StatusCode;

use crate::api_estations::image_resource;
use crate::api_market_support::{LINSHUI, cast};
use crate::api_search::{eventually, q};
use crate::api_volunteers::register;

async fn drill(backend: kejiyun_testkit::Backend) {
    let app = TestApp::spawn_on(backend).await;
    let c = cast(&app).await;
    let image = image_resource(&app, &c.admin).await;
    let volunteer = register(&app, &c.farmer, "王大爷", 41).await;
    let volunteer_id = volunteer["id"].as_i64().unwrap_or_default();
    let resource = app.get(&format!("/api/v1/resources/{image}"), None).await;
    let file_url = resource.body["media"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let file = app.client.get(app.url(&file_url)).send().await;
    let bytes = match file {
        Ok(f) => f.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
        Err(e) => panic!("{e}"),
    };
    assert!(!bytes.is_empty());
    // The view the read above counted is written now, not during the backup.
    app.services()
        .resources()
        .flush_views()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let figures = app
        .get(&format!("/api/v1/stats?region={LINSHUI}"), None)
        .await
        .body;
    let id_card_path = format!("/api/v1/volunteers/{volunteer_id}/id-card");
    let id_card = app.get(&id_card_path, Some(&c.admin.token)).await;
    assert_eq!(id_card.status, StatusCode::OK, "{:?}", id_card.body);

    // Backed up while the server runs.
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = out.path().join("backup");
    let old = server_config(app.data_dir.path(), &app.db.url);
    let m = backup(&old, &dir)
        .await
        .unwrap_or_else(|e| panic!("{}: backup: {e:#}", backend.name()));
    assert!(m.files >= 2, "the image and its thumbnail: {m:?}");
    assert!(!m.personal_data_key_fingerprint.is_empty());
    assert!(
        !dir.join("search-index").exists(),
        "the index is rebuilt, not backed up"
    );

    // Refused: a database that is not empty; a target without the old key, or with another.
    let refused = restore(&old, &dir).await;
    assert!(refused.is_err(), "a restore over the live database");
    let db2 = TestDatabase::create(backend).await;
    let data2 = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let new = server_config(data2.path(), &db2.url);
    let e = restore(&new, &dir).await.err().map(|e| e.to_string());
    assert!(
        e.as_deref()
            .is_some_and(|e| e.contains("personal-data.key")),
        "{e:?}"
    );
    std::fs::write(
        data2.path().join("personal-data.key"),
        kejiyun_core::personal_data::PersonalDataKey::generate_hex(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(restore(&new, &dir).await.is_err(), "another key");
    assert_eq!(
        kejiyun_db::backup::table_count(&db2.url)
            .await
            .unwrap_or(-1),
        0,
        "nothing written"
    );
    std::fs::copy(
        app.data_dir.path().join("personal-data.key"),
        data2.path().join("personal-data.key"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    restore(&new, &dir)
        .await
        .unwrap_or_else(|e| panic!("{}: restore: {e:#}", backend.name()));

    // A server on the restored database answers as the old one.
    let data_dir = data2.path().to_owned();
    let restored = TestApp::spawn_with(db2, move |c| c.data_dir = data_dir).await;
    let again = restored
        .get(&format!("/api/v1/stats?region={LINSHUI}"), None)
        .await
        .body;
    assert_eq!(again["metrics"], figures["metrics"]);
    let file = restored.client.get(restored.url(&file_url)).send().await;
    let bytes2 = match file {
        Ok(f) => f.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(bytes2, bytes);
    let id_card2 = restored.get(&id_card_path, Some(&c.admin.token)).await;
    assert_eq!(id_card2.status, StatusCode::OK, "{:?}", id_card2.body);
    assert_eq!(id_card2.body, id_card.body);
    let found = eventually(
        &restored.url(""),
        &format!("{}&type=resource", q("柑橘修剪示意图")),
        |r| r["total"].as_u64().is_some_and(|n| n >= 1),
    )
    .await;
    assert_eq!(found["items"][0]["id"], image);
    drop(app);
}

#[tokio::test]
async fn backup_while_serving_and_restore_on_every_backend() {
    for backend in backends() {
        drill(backend).await;
    }
}
