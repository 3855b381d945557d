//! `kejiyun keys rotate` end to end: a county's server with a volunteer's sealed ID number, a
//! tech worker's number, phones and an administrator's second factor is stopped, the key is
//! rotated, and the server started again answers as before — logins by phone and with the
//! second factor, the ID number revealed — while the old key (kept as a retired file) opens
//! nothing in the database any more. A rotation left unfinished stops the server from starting.

use kejiyun::keys::{key_path, next_key_path, rotate};
use kejiyun_core::personal_data::{PersonalDataKey, fields};
use kejiyun_testkit::{TestApp, server_config};
use reqwest::StatusCode;

use crate::api_market_support::cast;
use crate::api_volunteers::register;

#[tokio::test]
async fn a_rotated_key_opens_everything_and_the_old_one_nothing() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let volunteer = register(&app, &c.farmer, "王大爷", 43).await;
    let id_card_path = format!(
        "/api/v1/volunteers/{}/id-card",
        volunteer["id"].as_i64().unwrap_or_default()
    );
    let revealed = app.get(&id_card_path, Some(&c.admin.token)).await;
    assert_eq!(revealed.status, StatusCode::OK, "{:?}", revealed.body);
    let expert_before = app.get("/api/v1/me", Some(&c.expert.token)).await;

    let config = server_config(app.data_dir.path(), &app.db.url);
    let old_text = std::fs::read_to_string(key_path(&config)).unwrap_or_default();
    let old = PersonalDataKey::from_hex(&old_text).unwrap_or_else(|e| panic!("{e}"));
    let stopped = app.stop_server().await;
    let done = rotate(&config)
        .await
        .unwrap_or_else(|e| panic!("rotate: {e:#}"));
    assert_eq!(done.old_fingerprint, old.fingerprint());
    assert_ne!(done.new_fingerprint, done.old_fingerprint);
    // Three accounts' phones (the admin's, the farmer's, the expert's), the volunteer's phone
    // and number, the admin's second-factor secret.
    assert!(done.report.total() >= 6, "{:?}", done.report);
    let retired = done
        .retired
        .unwrap_or_else(|| panic!("the old key is kept"));
    assert_eq!(
        std::fs::read_to_string(&retired).unwrap_or_default(),
        old_text
    );
    assert!(!next_key_path(&config).exists(), "the new key is in force");
    let new_text = std::fs::read_to_string(key_path(&config)).unwrap_or_default();
    assert_ne!(new_text.trim(), old_text.trim());

    // An unfinished rotation (the new key not yet in force) keeps the server down.
    std::fs::write(next_key_path(&config), PersonalDataKey::generate_hex())
        .unwrap_or_else(|e| panic!("{e}"));
    let refused = kejiyun::server::personal_data_key(&config);
    assert!(
        refused
            .as_ref()
            .err()
            .is_some_and(|e| e.to_string().contains("keys rotate")),
        "{refused:?}"
    );
    std::fs::remove_file(next_key_path(&config)).unwrap_or_else(|e| panic!("{e}"));

    let app = stopped.start_again().await;
    let again = app.get(&id_card_path, Some(&c.admin.token)).await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    assert_eq!(
        again.body, revealed.body,
        "the number opens with the new key"
    );
    // A login by phone finds the account by its new blind index; the administrator's second
    // factor opens with the new key.
    let farmer = app.login(&c.farmer.login).await;
    assert_eq!(farmer.id, c.farmer.id);
    let admin = app.login(&c.admin.login).await;
    assert_eq!(admin.id, c.admin.id);
    let expert_after = app.get("/api/v1/me", Some(&c.expert.token)).await;
    assert_eq!(expert_after.body, expert_before.body);

    // The old key opens none of what the database now holds.
    let store = kejiyun_db::connect(&app.db.url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let phones = kejiyun_db::testing::texts(&store, "SELECT phone FROM users")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(phones.len() >= 3);
    for phone in phones.iter().flatten() {
        assert!(old.open(fields::USER_PHONE, phone).is_err(), "{phone}");
    }
}
