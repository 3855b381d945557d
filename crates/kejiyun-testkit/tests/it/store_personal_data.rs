//! Personal data at rest on every backend (等保 2.0 level 3, 个人信息保护): accounts' and
//! volunteers' phones and tech workers' ID-card numbers are stored only as ciphertexts, found
//! by their blind indexes (a login by phone, a number on a second profile); a plain value an
//! older version left is read as it is and sealed by `seal_plain_personal_data`; and a key
//! rotation re-seals every column and blind index at once, all or nothing, with its audit
//! entry — after it only the new key opens anything.

use kejiyun_core::accounts::ports::AccountStore;
use kejiyun_core::accounts::{IdCardNumber, Login, NewUser};
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::ids::UserId;
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::personal_data::{PersonalDataKey, fields};
use kejiyun_core::ports::StoreError;
use kejiyun_core::profiles::ports::ProfileStore;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::tech_workers::ports::TechWorkerStore;
use kejiyun_core::tech_workers::{TechWorker, TechWorkerProfile};
use kejiyun_core::time::Timestamp;
use kejiyun_core::volunteers::ports::{NewVolunteer, VolunteerAccount, VolunteerStore};
use kejiyun_db::SeaStore;
use kejiyun_db::testing::{execute, texts};
use kejiyun_testkit::{TestDatabase, backends, test_personal_data_key};

use crate::api_volunteers::id_number;

fn t(secs: i64) -> Timestamp {
    Timestamp::from_micros(1_800_000_000_000_000 + secs * 1_000_000)
}

fn region() -> RegionCode {
    RegionCode::parse("511623").unwrap_or_else(|e| panic!("{e}"))
}

fn login(text: &str) -> Login {
    Login::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn new_user(phone: &str) -> NewUser {
    NewUser {
        login: login(phone),
        display_name: "张农户".into(),
        region: Some(region()),
        password_hash: "!".into(),
    }
}

fn worker(card: Option<&str>) -> TechWorkerProfile {
    TechWorkerProfile {
        field: "果树栽培".into(),
        title: None,
        employer: "县农业农村局".into(),
        expertise: vec!["柑橘".into()],
        service_region: region(),
        bio: None,
        id_card: card.map(|c| IdCardNumber::parse(c).unwrap_or_else(|e| panic!("{e}"))),
    }
}

fn must<T, E: std::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e}"))
}

async fn one_text(store: &SeaStore, sql: &str) -> String {
    must(texts(store, sql).await, sql)
        .into_iter()
        .next()
        .flatten()
        .unwrap_or_else(|| panic!("{sql}: no value"))
}

/// A stored value that is a ciphertext and does not contain the plain one.
fn assert_sealed(stored: &str, plain: &str, what: &str) {
    assert!(stored.starts_with("v1:"), "{what} stored sealed: {stored}");
    assert!(
        !stored.contains(plain),
        "{what}: the plain value is not in the column"
    );
}

#[tokio::test]
async fn personal_data_is_sealed_at_rest_and_rotates_on_every_backend() {
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        let store = db.migrated_store().await;
        let people = sealed_at_rest(&store).await;
        plain_values_are_sealed_at_start(&store, people.farmer).await;
        rotation(&db, &store, &people).await;
        eprintln!("personal data: backend={} ok", backend.name());
        db.cleanup().await;
    }
}

struct People {
    farmer: UserId,
    expert: UserId,
    volunteer_card: String,
}

async fn sealed_at_rest(store: &SeaStore) -> People {
    let farmer = must(
        store.create_user(new_user("13912345678"), t(0)).await,
        "farmer",
    );
    let stored = one_text(
        store,
        &format!("SELECT phone FROM users WHERE id = {}", farmer.0),
    )
    .await;
    assert_sealed(&stored, "13912345678", "users.phone");
    let blind = one_text(
        store,
        &format!("SELECT phone_blind FROM users WHERE id = {}", farmer.0),
    )
    .await;
    assert_eq!(blind.len(), 64, "a blind index: {blind}");
    let found = must(store.user_by_login(&login("13912345678")).await, "by phone")
        .unwrap_or_else(|| panic!("found by its phone's blind index"));
    assert_eq!(found.id, farmer);
    assert_eq!(
        found.phone.as_ref().map(|p| p.as_str()),
        Some("13912345678")
    );
    // One account per mobile: the blind index is unique.
    let again = store.create_user(new_user("13912345678"), t(1)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    // A tech worker's ID-card number: sealed, read back plain, and on one profile only.
    let expert = must(
        store.create_user(new_user("13912345679"), t(2)).await,
        "expert",
    );
    let other = must(
        store.create_user(new_user("13912345670"), t(2)).await,
        "other",
    );
    let card = id_number(41);
    let profile = must(
        ProfileStore::<TechWorker>::create_profile(
            store,
            expert,
            &worker(Some(&card)),
            ModerationStatus::Pending,
            t(3),
        )
        .await,
        "tech worker",
    );
    let stored = one_text(
        store,
        &format!(
            "SELECT id_card FROM tech_workers WHERE user_id = {}",
            expert.0
        ),
    )
    .await;
    assert_sealed(&stored, &card, "tech_workers.id_card");
    let read = must(
        ProfileStore::<TechWorker>::find_profile(store, profile).await,
        "read",
    )
    .unwrap_or_else(|| panic!("profile found"));
    assert_eq!(
        read.profile.id_card.as_ref().map(|c| c.as_str()),
        Some(card.as_str())
    );
    let twice = ProfileStore::<TechWorker>::create_profile(
        store,
        other,
        &worker(Some(&card)),
        ModerationStatus::Pending,
        t(4),
    )
    .await;
    match twice {
        Err(StoreError::Conflict(m)) => assert!(m.contains("身份证"), "{m}"),
        other => panic!("a number on a second profile: {other:?}"),
    }

    // A volunteer's phone, and the account its import makes: both sealed.
    let volunteer_card = id_number(42);
    let key = test_personal_data_key();
    let row = NewVolunteer {
        name: "李志愿".into(),
        id_cipher: key.seal(fields::VOLUNTEER_ID_CARD, &volunteer_card),
        id_blind: key.blind_index(fields::VOLUNTEER_ID_CARD, &volunteer_card),
        id_masked: "5116**********0423".into(),
        phone: "13811112222".into(),
        region: region(),
        skills: Vec::new(),
        availability: String::new(),
    };
    let ids = must(
        store
            .register_volunteers(&[(VolunteerAccount::Phone, row)], t(5))
            .await,
        "volunteer",
    );
    let stored = one_text(
        store,
        &format!("SELECT phone FROM volunteers WHERE id = {}", ids[0].0),
    )
    .await;
    assert_sealed(&stored, "13811112222", "volunteers.phone");
    let v = must(store.volunteer(ids[0]).await, "volunteer read")
        .unwrap_or_else(|| panic!("volunteer found"));
    assert_eq!(v.phone, "13811112222");
    let account = must(store.user_by_login(&login("13811112222")).await, "account")
        .unwrap_or_else(|| panic!("the import made an account found by phone"));
    assert_eq!(account.id, v.user);
    let stored = one_text(
        store,
        &format!("SELECT phone FROM users WHERE id = {}", account.id.0),
    )
    .await;
    assert_sealed(&stored, "13811112222", "the imported account's phone");
    People {
        farmer,
        expert,
        volunteer_card,
    }
}

/// A phone an older version stored plain: read as it is, sealed (with its blind index) by the
/// start's pass, which then finds nothing more to do.
async fn plain_values_are_sealed_at_start(store: &SeaStore, farmer: UserId) {
    must(
        execute(
            store,
            &format!(
                "UPDATE users SET phone = '13700000001', phone_blind = NULL WHERE id = {}",
                farmer.0
            ),
        )
        .await,
        "plain phone",
    );
    let u = must(store.user(farmer).await, "read plain").unwrap_or_else(|| panic!("user"));
    assert_eq!(u.phone.as_ref().map(|p| p.as_str()), Some("13700000001"));
    let report = must(
        store
            .seal_plain_personal_data(&test_personal_data_key())
            .await,
        "seal plain",
    );
    assert_eq!(report.total(), 1, "{report:?}");
    let stored = one_text(
        store,
        &format!("SELECT phone FROM users WHERE id = {}", farmer.0),
    )
    .await;
    assert_sealed(&stored, "13700000001", "users.phone once sealed");
    let found = must(store.user_by_login(&login("13700000001")).await, "by phone");
    assert_eq!(found.map(|u| u.id), Some(farmer));
    let again = must(
        store
            .seal_plain_personal_data(&test_personal_data_key())
            .await,
        "seal plain again",
    );
    assert_eq!(again.total(), 0, "{again:?}");
}

async fn rotation(db: &TestDatabase, store: &SeaStore, people: &People) {
    let old = test_personal_data_key();
    let new = PersonalDataKey::from_secret(&[77; 32]);
    let audit = AuditRecord {
        actor: None,
        at: t(10),
        action: "personal_data.key.rotate".into(),
        target_kind: "personal_data_key".into(),
        target_id: new.fingerprint(),
        region: None,
        before: None,
        after: None,
    };
    let before = one_text(
        store,
        &format!("SELECT phone FROM users WHERE id = {}", people.farmer.0),
    )
    .await;

    // A key that opens nothing: refused whole, nothing changed.
    let stranger = PersonalDataKey::from_secret(&[78; 32]);
    let refused = store
        .rotate_personal_data_key(&stranger, &new, &audit)
        .await;
    assert!(refused.is_err(), "{refused:?}");
    let unchanged = one_text(
        store,
        &format!("SELECT phone FROM users WHERE id = {}", people.farmer.0),
    )
    .await;
    assert_eq!(unchanged, before, "a refused rotation changes nothing");

    let report = must(
        store.rotate_personal_data_key(&old, &new, &audit).await,
        "rotate",
    );
    // Three accounts' phones, the volunteer's phone and number, the tech worker's number.
    assert!(report.total() >= 6, "{report:?}");
    let after = one_text(
        store,
        &format!("SELECT phone FROM users WHERE id = {}", people.farmer.0),
    )
    .await;
    assert_ne!(after, before, "re-sealed");
    assert!(new.open(fields::USER_PHONE, &after).is_ok());
    assert!(old.open(fields::USER_PHONE, &after).is_err());
    // Run again (an interrupted rotation finished): nothing left to do.
    let again = must(
        store.rotate_personal_data_key(&old, &new, &audit).await,
        "rotate again",
    );
    assert_eq!(again.total(), 0, "{again:?}");
    let logged = must(
        texts(
            store,
            "SELECT action FROM audit_log WHERE action = 'personal_data.key.rotate'",
        )
        .await,
        "audit",
    );
    assert_eq!(logged.len(), 2, "each rotation is an audit entry");

    // The old key's store cannot open the data any more; the new key's finds and opens all.
    assert!(store.user(people.farmer).await.is_err(), "old key");
    let renewed =
        must(kejiyun_db::connect(&db.url).await, "connect").with_personal_data_key(new.clone());
    let farmer = must(
        renewed.user_by_login(&login("13700000001")).await,
        "by phone",
    )
    .unwrap_or_else(|| panic!("found by the new blind index"));
    assert_eq!(farmer.id, people.farmer);
    let worker = must(
        TechWorkerStore::tech_worker_by_user(&renewed, people.expert).await,
        "tech worker",
    )
    .unwrap_or_else(|| panic!("tech worker"));
    assert!(worker.profile.id_card.is_some());
    let cipher = one_text(&renewed, "SELECT id_cipher FROM volunteers").await;
    assert_eq!(
        must(new.open(fields::VOLUNTEER_ID_CARD, &cipher), "volunteer id"),
        people.volunteer_card
    );
    let blind = one_text(&renewed, "SELECT id_blind FROM volunteers").await;
    assert_eq!(
        blind,
        new.blind_index(fields::VOLUNTEER_ID_CARD, &people.volunteer_card)
    );
}
