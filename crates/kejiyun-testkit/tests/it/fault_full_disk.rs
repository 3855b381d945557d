//! A full disk under SQLite (issue 15, item 1): on a real, small tmpfs the test mounts itself,
//! writes must fail with 507 while the disk is full (never 2xx), `/readyz` must say so, and
//! once space is freed writes must succeed again without a restart — and every write that was
//! acknowledged must be in the database file for another connection and after a restart.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use kejiyun_core::ids::PostingId;
use kejiyun_core::market::ports::PostingStore;
use kejiyun_core::market::postings::NeedDraft;
use kejiyun_testkit::{Backend, TestApp, TestDatabase};
use reqwest::StatusCode;
use serde_json::json;

use crate::api_market_support::{LINSHUI, need_body, with};

/// A tmpfs of its own, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` where mounting is impossible (not root, no CAP_SYS_ADMIN).
    fn mount(size_mb: u32) -> Option<Self> {
        let dir = tempfile::tempdir().ok()?;
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size_mb}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .ok()?;
        status.success().then_some(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Writes zeros into `path` until the filesystem refuses more.
fn fill(path: &PathBuf) {
    let mut f = std::fs::File::create(path).unwrap_or_else(|e| panic!("filler: {e}"));
    let chunk = vec![0u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.sync_all();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_on_a_full_disk_refuses_writes_and_recovers_without_losing_any() {
    let Some(disk) = Tmpfs::mount(24) else {
        eprintln!(
            "SKIPPED sqlite_on_a_full_disk_refuses_writes_and_recovers_without_losing_any: \
             cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)"
        );
        return;
    };
    let url = format!("sqlite://{}/kejiyun.db?mode=rwc", disk.path().display());
    let db = TestDatabase::create(Backend::Sqlite).await;
    let app = TestApp::spawn_with(db, |c| c.database_url = url.clone()).await;
    let farmer = app.user("满盘农户", Some(LINSHUI)).await;

    let mut acknowledged: Vec<i64> = Vec::new();
    let post = async |n: usize| {
        let r = app
            .post(
                "/api/v1/needs",
                Some(&farmer.token),
                with(
                    need_body(LINSHUI),
                    "title",
                    json!(format!("满盘测试需求第{n}条")),
                ),
            )
            .await;
        (r.status, r.body["id"].as_i64(), r)
    };
    for n in 0..3 {
        let (status, id, r) = post(n).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "before the disk fills: {:?}",
            r.body
        );
        acknowledged.extend(id);
    }

    let filler = disk.path().join("filler");
    fill(&filler);

    let mut refused = 0;
    for n in 3..40 {
        let (status, id, r) = post(n).await;
        match status {
            StatusCode::CREATED => acknowledged.extend(id),
            StatusCode::INSUFFICIENT_STORAGE => {
                refused += 1;
                assert_eq!(r.error_code(), "storage_full", "{:?}", r.body);
                let message = r.body["error"]["message"].as_str().unwrap_or_default();
                assert!(message.contains("存储空间"), "a Chinese message: {message}");
            }
            other => panic!("a write on a full disk answered {other}: {:?}", r.body),
        }
    }
    assert!(refused > 0, "the full disk refused no write");
    let ready = app.assert_not_ready().await;
    assert_eq!(ready.body["reason"], "storage_full", "{:?}", ready.body);

    std::fs::remove_file(&filler).unwrap_or_else(|e| panic!("remove filler: {e}"));
    for n in 40..50 {
        let (status, id, r) = post(n).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "after space was freed: {:?}",
            r.body
        );
        acknowledged.extend(id);
    }
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::OK, "{:?}", ready.body);

    // Another connection sees every acknowledged need while the server still runs …
    let other = kejiyun_db::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("second connection: {e}"));
    for id in &acknowledged {
        let need = PostingStore::<NeedDraft>::posting(&other, PostingId::new(*id))
            .await
            .unwrap_or_else(|e| panic!("read need {id}: {e}"));
        assert!(
            need.is_some(),
            "need {id} was acknowledged but is not in the database"
        );
    }
    drop(other);
    // … and so does a restarted server.
    let db = TestDatabase::create(Backend::Sqlite).await;
    app.stop().await;
    let again = TestApp::spawn_with(db, |c| c.database_url = url.clone()).await;
    for id in &acknowledged {
        let r = again
            .get(&format!("/api/v1/needs/{id}"), Some(&farmer.token))
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "need {id} after a restart: {:?}",
            r.body
        );
    }
    again.stop().await;
}
