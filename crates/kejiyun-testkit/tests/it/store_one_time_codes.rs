//! One-time codes' storage contract (`OneTimeCodeStore`) on every configured backend: the
//! sending limits held under the login name's lock, the newest code judged, a code used once
//! even by concurrent entries, and a password reset committing whole with its code.

use kejiyun_core::accounts::ports::AccountStore;
use kejiyun_core::accounts::{Login, NewUser};
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::audit::ports::AuditStore;
use kejiyun_core::auth::one_time_codes::ports::{NewCode, OneTimeCodeStore, PasswordReset};
use kejiyun_core::auth::one_time_codes::{
    Admission, CodeAttempt, CodePolicy, CodePurpose, Verdict, decoy, new_code,
};
use kejiyun_core::auth::ports::AuthStore;
use kejiyun_core::auth::{LockoutPolicy, NewToken, TokenKind, new_token_secret};
use kejiyun_core::ids::UserId;
use kejiyun_core::paging::Page;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::time::Timestamp;
use kejiyun_db::SeaStore;
use kejiyun_testkit::{TestDatabase, backends};

fn t(secs: i64) -> Timestamp {
    Timestamp::from_micros(1_800_000_000_000_000 + secs * 1_000_000)
}

const POLICY: CodePolicy = CodePolicy {
    ttl_secs: 600,
    max_attempts: 5,
    resend_secs: 60,
    per_hour: 5,
    per_day: 10,
};

async fn user(store: &SeaStore, login: &str) -> UserId {
    store
        .create_user(
            NewUser {
                login: Login::parse(login).unwrap_or_else(|e| panic!("{e}")),
                display_name: "验证码用户".into(),
                region: None,
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$b2xk".into(),
            },
            t(0),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Issues a code for `key` at `at`; the digits sent (none for a decoy) and the admission.
async fn issue(
    store: &SeaStore,
    key: &str,
    purpose: CodePurpose,
    owner: Option<UserId>,
    at: i64,
) -> (String, Admission) {
    let (code, salt, hash) = match owner {
        Some(_) => {
            let c = new_code(purpose, key);
            (c.code, c.salt, c.hash)
        }
        None => {
            let (salt, hash) = decoy();
            (String::new(), salt, hash)
        }
    };
    let admission = store
        .issue_code(
            NewCode {
                login_key: key.into(),
                purpose,
                user: owner,
                salt,
                hash,
                created_at: t(at),
                expires_at: t(at + POLICY.ttl_secs),
            },
            POLICY,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (code, admission)
}

fn attempt(
    key: &str,
    purpose: CodePurpose,
    code: &str,
    who: Option<UserId>,
    at: i64,
) -> CodeAttempt {
    CodeAttempt {
        login_key: key.into(),
        purpose,
        code: code.into(),
        user: who,
        at: t(at),
    }
}

async fn enter(store: &SeaStore, a: CodeAttempt) -> Verdict {
    store
        .use_code(a, POLICY, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A code that differs from `code`.
fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap_or_default();
    format!("{:06}", (n + 1) % 1_000_000)
}

#[tokio::test]
async fn store_one_time_codes_on_every_backend() {
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        let store = db.migrated_store().await;
        limits(&store).await;
        entries(&store).await;
        reset(&store).await;
        pruning(&store).await;
        eprintln!("one-time codes: backend={} ok", backend.name());
        db.cleanup().await;
    }
}

/// One a minute, five an hour, whatever the purpose; a decoy counts like a code.
async fn limits(store: &SeaStore) {
    let u = user(store, "13700000001").await;
    let key = "13700000001";
    assert_eq!(
        issue(store, key, CodePurpose::Login, Some(u), 0).await.1,
        Admission::Send
    );
    assert_eq!(
        issue(store, key, CodePurpose::PasswordReset, Some(u), 30)
            .await
            .1,
        Admission::Wait { secs: 30 },
        "per name, whatever the purpose"
    );
    for i in 1..5 {
        assert_eq!(
            issue(store, key, CodePurpose::Login, Some(u), i * 60)
                .await
                .1,
            Admission::Send
        );
    }
    assert_eq!(
        issue(store, key, CodePurpose::Login, Some(u), 300).await.1,
        Admission::Wait { secs: 3300 },
        "the sixth in an hour"
    );
    assert_eq!(
        issue(store, key, CodePurpose::Login, Some(u), 3600).await.1,
        Admission::Send
    );
    // A name without an account: a decoy, limited the same.
    let ghost = "ghost@example.com";
    assert_eq!(
        issue(store, ghost, CodePurpose::Login, None, 0).await.1,
        Admission::Send
    );
    assert_eq!(
        issue(store, ghost, CodePurpose::Login, None, 1).await.1,
        Admission::Wait { secs: 59 }
    );
}

/// The newest code of the name and purpose is judged; wrong entries count down; used is used.
async fn entries(store: &SeaStore) {
    let u = user(store, "13700000002").await;
    let key = "13700000002";
    let login = CodePurpose::Login;
    assert_eq!(
        enter(store, attempt(key, login, "123456", Some(u), 0)).await,
        Verdict::Dead,
        "no code asked for"
    );
    let (first, _) = issue(store, key, login, Some(u), 0).await;
    let (second, admitted) = issue(store, key, login, Some(u), 60).await;
    assert_eq!(admitted, Admission::Send);
    if first != second {
        assert!(
            matches!(
                enter(store, attempt(key, login, &first, Some(u), 61)).await,
                Verdict::Wrong { attempts_left: 4 }
            ),
            "a new code replaces the one before"
        );
    }
    // The other purpose has no code.
    assert_eq!(
        enter(
            store,
            attempt(key, CodePurpose::PasswordReset, &second, Some(u), 62)
        )
        .await,
        Verdict::Dead
    );
    // Another account's entry is wrong even with the right digits.
    assert!(matches!(
        enter(
            store,
            attempt(key, login, &second, Some(UserId(u.0 + 1)), 62)
        )
        .await,
        Verdict::Wrong { .. }
    ));
    assert_eq!(
        enter(store, attempt(key, login, &second, Some(u), 63)).await,
        Verdict::Accepted
    );
    assert_eq!(
        enter(store, attempt(key, login, &second, Some(u), 64)).await,
        Verdict::Dead,
        "used once"
    );

    // Five wrong entries void a code.
    let (code, _) = issue(store, key, login, Some(u), 120).await;
    let mut left = Vec::new();
    for i in 0..5 {
        match enter(store, attempt(key, login, &wrong(&code), Some(u), 121 + i)).await {
            Verdict::Wrong { attempts_left } => left.push(attempts_left),
            other => panic!("entry {i}: {other:?}"),
        }
    }
    assert_eq!(left, vec![4, 3, 2, 1, 0]);
    assert_eq!(
        enter(store, attempt(key, login, &code, Some(u), 130)).await,
        Verdict::Dead,
        "void"
    );

    // Expired.
    let (code, _) = issue(store, key, login, Some(u), 200).await;
    assert_eq!(
        enter(
            store,
            attempt(key, login, &code, Some(u), 200 + POLICY.ttl_secs)
        )
        .await,
        Verdict::Dead
    );
}

fn session(user: UserId, kind: TokenKind) -> (String, NewToken) {
    let (secret, token_hash) = new_token_secret();
    (
        secret,
        NewToken {
            user_id: user,
            kind,
            name: "s".into(),
            token_hash,
            created_at: t(0),
            expires_at: None,
            second_factor: false,
        },
    )
}

/// An accepted reset code replaces the password, ends the sessions (not the API tokens),
/// clears the lockout count and writes the audit entry, all with the code's use; a wrong one
/// changes nothing.
async fn reset(store: &SeaStore) {
    let u = user(store, "reset@example.com").await;
    let key = "reset@example.com";
    let purpose = CodePurpose::PasswordReset;
    let (s1, tok1) = session(u, TokenKind::Session);
    let (a1, api) = session(u, TokenKind::Api);
    for tok in [tok1, api] {
        store
            .create_token(tok)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    store
        .count_login_attempt(key, t(0), &LockoutPolicy::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (code, _) = issue(store, key, purpose, Some(u), 0).await;
    let change = |at: i64| PasswordReset {
        user: u,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$bmV3".into(),
        audit: AuditRecord {
            actor: Some(u),
            at: t(at),
            action: "user.password_reset".into(),
            target_kind: "user".into(),
            target_id: u.to_string(),
            region: None,
            before: None,
            after: Some(serde_json::json!({ "via": "one_time_code" })),
        },
    };
    let audit_count = || async {
        store
            .list_audit(
                &RegionScope::All,
                Page {
                    page: 1,
                    per_page: 20,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .total
    };
    let audits = audit_count().await;
    let v = store
        .use_code(
            attempt(key, purpose, &wrong(&code), Some(u), 1),
            POLICY,
            Some(change(1)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(v, Verdict::Wrong { .. }), "{v:?}");
    let unchanged = store.user(u).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(unchanged.is_some_and(|x| x.password_hash.ends_with("b2xk")));
    assert_eq!(
        audit_count().await,
        audits,
        "nothing written for a wrong code"
    );

    let v = store
        .use_code(
            attempt(key, purpose, &code, Some(u), 2),
            POLICY,
            Some(change(2)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v, Verdict::Accepted);
    let changed = store.user(u).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(changed.is_some_and(|x| x.password_hash.ends_with("bmV3")));
    let hash = kejiyun_core::auth::hash_token;
    assert!(
        store
            .token_by_hash(&hash(&s1), t(3))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none(),
        "sessions end"
    );
    assert!(
        store
            .token_by_hash(&hash(&a1), t(3))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_some(),
        "API tokens stay"
    );
    assert_eq!(audit_count().await, audits + 1);
    let count = store
        .count_login_attempt(key, t(4), &LockoutPolicy::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count.count, 1, "the lockout count was cleared");
}

/// Codes created and expired before the cut go (with the names' lock rows); a live one stays.
async fn pruning(store: &SeaStore) {
    let key = "13700000003";
    let u = user(store, key).await;
    issue(store, key, CodePurpose::Login, Some(u), 0).await;
    let pruned = store
        .prune_codes(t(300))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pruned, 0, "still usable");
    let pruned = store
        .prune_codes(t(POLICY.ttl_secs + 1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(pruned >= 1);
    // The name can be sent a code again, its lock row made anew.
    assert_eq!(
        issue(store, key, CodePurpose::Login, Some(u), POLICY.ttl_secs + 2)
            .await
            .1,
        Admission::Send
    );
}

/// 20 entries of one right code at once, each in its own task: one is accepted; and 20
/// requests for a name at once: one code is sent.
#[tokio::test]
async fn one_time_codes_are_used_once_and_sent_once_under_concurrency_on_every_backend() {
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        let store = db.migrated_store().await;
        let key = "13700000009";
        let u = user(&store, key).await;
        let (code, _) = issue(&store, key, CodePurpose::Login, Some(u), 0).await;
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let store = store.clone();
            let a = attempt(key, CodePurpose::Login, &code, Some(u), 1);
            set.spawn(async move {
                store
                    .use_code(a, POLICY, None)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"))
            });
        }
        let mut accepted = 0;
        while let Some(v) = set.join_next().await {
            match v.unwrap_or_else(|e| panic!("{e}")) {
                Verdict::Accepted => accepted += 1,
                Verdict::Dead => {}
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(accepted, 1, "{}", backend.name());

        let key = "13700000010";
        let u = user(&store, key).await;
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let store = store.clone();
            set.spawn(async move { issue(&store, key, CodePurpose::Login, Some(u), 5).await.1 });
        }
        let mut sent = 0;
        while let Some(a) = set.join_next().await {
            if a.unwrap_or_else(|e| panic!("{e}")) == Admission::Send {
                sent += 1;
            }
        }
        assert_eq!(sent, 1, "{}", backend.name());
        eprintln!("one-time codes: backend={} atomic", backend.name());
        db.cleanup().await;
    }
}
