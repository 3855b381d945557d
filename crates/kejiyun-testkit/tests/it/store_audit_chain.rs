//! The audit log's hash chain (`audit::chain`) on every configured backend: entries written by
//! many concurrent transactions form one unbroken chain; entries chained by the migration
//! (written before it) verify like the rest; pruning keeps the rest verifiable; and tampering
//! done directly in SQL, past the append-only triggers, is found and named: a changed entry,
//! a removed one (a gap), the last ones removed (the head ahead of the chain), a row inserted
//! past the store.

use kejiyun_core::accounts::ports::AccountStore;
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::audit::chain::{self, ChainBreak, ChainReport};
use kejiyun_core::audit::ports::{AuditChainStore, AuditStore};
use kejiyun_core::paging::Page;
use kejiyun_core::permissions::{Grant, RegionScope};
use kejiyun_core::time::Timestamp;
use kejiyun_db::SeaStore;
use kejiyun_testkit::backends;

use crate::store_stats::{code, fresh_store, must, user};

/// Writers running at once.
const WRITERS: usize = 24;

fn t(secs: i64) -> Timestamp {
    Timestamp::from_micros(1_800_000_000_000_000 + secs * 1_000_000)
}

fn audit(action: &str, at: Timestamp, n: usize) -> AuditRecord {
    AuditRecord {
        actor: None,
        at,
        action: action.into(),
        target_kind: "user".into(),
        target_id: n.to_string(),
        region: Some(code("511623")),
        before: None,
        after: Some(serde_json::json!({ "grant": "region_admin", "说明": "中文", "n": n })),
    }
}

async fn verify(store: &SeaStore) -> ChainReport {
    must(chain::verify(store).await)
}

async fn tamper(store: &SeaStore, sql: &str) -> u64 {
    store
        .tamper_audit_log(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Grants one new user each, all at once: each grant writes its audit entry in its own
/// transaction.
async fn concurrent_entries(store: &SeaStore, at: Timestamp) {
    let mut users = Vec::new();
    for i in 0..WRITERS {
        users.push(user(store, &format!("审计{i}")).await);
    }
    let tasks: Vec<_> = users
        .into_iter()
        .enumerate()
        .map(|(n, u)| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .add_grant(
                        u,
                        Grant::RegionAdmin(code("511623")),
                        audit("grant.add", at, n),
                    )
                    .await
            })
        })
        .collect();
    for task in tasks {
        must(task.await.unwrap_or_else(|e| panic!("task: {e}")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn store_audit_chain_on_every_backend() {
    for backend in backends() {
        eprintln!("store audit chain: backend={}", backend.name());
        let (db, store) = fresh_store(backend).await;
        let empty = verify(&store).await;
        assert_eq!(
            (empty.checked, empty.broken.clone()),
            (0, None),
            "{empty:?}"
        );

        // Concurrent writers never chain onto the same predecessor.
        concurrent_entries(&store, t(100)).await;
        let head = must(store.audit_chain_head().await);
        assert_eq!(head.last_seq, WRITERS as i64);
        let whole = verify(&store).await;
        assert_eq!(whole.broken, None, "{whole:?}");
        assert_eq!(whole.checked, WRITERS as u64);
        let listed = must(store.list_audit(&RegionScope::All, Page::default()).await);
        assert_eq!(listed.total, WRITERS as u64, "the log reads as before");

        // Entries written before the chain existed are chained by the migration, in id order,
        // after which new entries continue the chain.
        must_ok(kejiyun_db::testing::migrate_down_to(&store, "m20261207_000025_base_links").await);
        let raw = "INSERT INTO audit_log (at, actor_user_id, action, target_kind, target_id, \
                   region, region_city, region_province, before_json, after_json) VALUES \
                   (1800000000000000, NULL, 'org.approve', 'org', '9', '511623', '511600', \
                   '510000', NULL, '{\"status\":\"verified\"}')";
        assert_eq!(must_ok(kejiyun_db::testing::execute(&store, raw).await), 1);
        must_ok(kejiyun_db::migrate(&store).await);
        let migrated = verify(&store).await;
        assert_eq!(migrated.broken, None, "{migrated:?}");
        assert_eq!(migrated.checked, WRITERS as u64 + 1);
        concurrent_entries(&store, t(1_000)).await;
        let total = 2 * WRITERS as i64 + 1;
        let grown = verify(&store).await;
        assert_eq!(grown.broken, None, "{grown:?}");
        assert_eq!(grown.head.last_seq, total);

        // Pruning deletes the oldest entries (in chain order) and keeps the rest verifiable
        // from the horizon; a second prune finds nothing more.
        let (deleted, horizon) = must(store.prune_audit(t(500)).await);
        assert_eq!((deleted, horizon), (WRITERS as u64 + 1, WRITERS as i64 + 1));
        let pruned = verify(&store).await;
        assert_eq!(pruned.broken, None, "{pruned:?}");
        assert_eq!(
            (pruned.checked, pruned.pruned_seq),
            (WRITERS as u64, horizon)
        );
        assert_eq!(must(store.prune_audit(t(500)).await), (0, horizon));
        assert!(
            kejiyun_db::testing::audit_log_rejects_tampering(&store).await,
            "the append-only triggers are back after a prune"
        );

        // A changed entry is named by its sequence number; put back, the chain is whole again.
        let mid = horizon + 5;
        tamper(
            &store,
            &format!("UPDATE audit_log SET action = 'tampered' WHERE seq = {mid}"),
        )
        .await;
        let altered = verify(&store).await;
        assert!(
            matches!(altered.broken, Some(ChainBreak::Altered { seq, .. }) if seq == mid),
            "{altered:?}"
        );
        let message = altered.broken.map(|b| b.to_string()).unwrap_or_default();
        assert!(message.contains(&format!("第 {mid} 条")), "{message}");
        tamper(
            &store,
            &format!("UPDATE audit_log SET action = 'grant.add' WHERE seq = {mid}"),
        )
        .await;
        assert_eq!(verify(&store).await.broken, None);

        // A row inserted past the store has no place in the chain.
        let forged = raw.replace("'org.approve'", "'forged'");
        must_ok(kejiyun_db::testing::execute(&store, &forged).await);
        let unchained = verify(&store).await;
        assert_eq!(unchained.broken, Some(ChainBreak::Unchained { rows: 1 }));
        tamper(&store, "DELETE FROM audit_log WHERE action = 'forged'").await;
        assert_eq!(verify(&store).await.broken, None);

        // The last entry removed: the head is ahead of the chain.
        assert_eq!(
            tamper(
                &store,
                &format!("DELETE FROM audit_log WHERE seq = {total}")
            )
            .await,
            1
        );
        let cut = verify(&store).await;
        assert_eq!(
            cut.broken,
            Some(ChainBreak::Truncated {
                head_seq: total,
                last_seq: total - 1
            }),
            "{cut:?}"
        );

        // A middle entry removed: the gap is named (before the cut end, in chain order).
        tamper(&store, &format!("DELETE FROM audit_log WHERE seq = {mid}")).await;
        let gap = verify(&store).await;
        assert_eq!(
            gap.broken,
            Some(ChainBreak::Missing { seq: mid }),
            "{gap:?}"
        );
        // The horizon's row must be the chain's own: a prune up to the removed end is refused.
        let refused = store.prune_audit(t(1_500)).await;
        assert!(refused.is_err(), "{refused:?}");

        eprintln!("store audit chain: backend={} ok", backend.name());
        db.cleanup().await;
    }
}

fn must_ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}
