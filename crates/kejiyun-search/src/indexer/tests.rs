//! The writer against a database in memory and an index directory that can be made to fail.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use kejiyun_core::paging::Page;
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::search_ports::{
    DocKind, OutboxEntry, SearchDocument, SearchEngine, SearchFeed, SearchQuery,
};
use kejiyun_core::time::Timestamp;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

use std::time::{Duration, Instant};

use super::*;
use crate::Analyzer;

/// The database side: published documents and the outbox of their changes.
#[derive(Default)]
pub(crate) struct Feed(Mutex<FeedState>);

#[derive(Default)]
struct FeedState {
    outbox: Vec<OutboxEntry>,
    docs: BTreeMap<(DocKind, i64), SearchDocument>,
}

impl Feed {
    fn state(&self) -> std::sync::MutexGuard<'_, FeedState> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Publishes a service titled `title` (with its outbox row); returns its id.
    pub(crate) fn publish(&self, title: &str) -> i64 {
        let mut s = self.state();
        let id = i64::try_from(s.docs.len()).unwrap_or_default() + 1;
        let doc = SearchDocument {
            kind: DocKind::Service,
            id,
            title: title.into(),
            body: format!("{title}的技术服务"),
            tags: Vec::new(),
            category: None,
            region: RegionCode::parse("511623").unwrap_or_else(|e| panic!("{e}")),
            scope: None,
            owner: Some(1000 + id),
            owner_deals: 0,
            published_at: Timestamp(1_800_000_000_000_000),
        };
        s.docs.insert((DocKind::Service, id), doc);
        let row = i64::try_from(s.outbox.len()).unwrap_or_default() + 1;
        s.outbox.push(OutboxEntry {
            id: row,
            kind: "service".into(),
            item_id: id,
            op: "upsert".into(),
            at: Timestamp(0),
        });
        id
    }
}

#[async_trait]
impl SearchFeed for Feed {
    async fn outbox_after(&self, after: i64, limit: u64) -> StoreResult<Vec<OutboxEntry>> {
        let s = self.state();
        Ok(s.outbox
            .iter()
            .filter(|r| r.id > after)
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }

    async fn outbox_head(&self) -> StoreResult<i64> {
        Ok(self.state().outbox.last().map_or(0, |r| r.id))
    }

    async fn outbox_horizon(&self) -> StoreResult<i64> {
        Ok(0)
    }

    async fn prune_outbox(&self, _before: Timestamp) -> StoreResult<u64> {
        Err(StoreError::Backend("not in this test".into()))
    }

    async fn search_document(&self, kind: DocKind, id: i64) -> StoreResult<Option<SearchDocument>> {
        Ok(self.state().docs.get(&(kind, id)).cloned())
    }

    async fn documents_of_deal(&self, _deal_id: i64) -> StoreResult<Vec<(DocKind, i64)>> {
        Ok(Vec::new())
    }

    async fn published_documents(
        &self,
        kind: DocKind,
        after: i64,
        limit: u64,
    ) -> StoreResult<Vec<SearchDocument>> {
        Ok(self
            .state()
            .docs
            .range((kind, after + 1)..)
            .take_while(|((k, _), _)| *k == kind)
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(_, d)| d.clone())
            .collect())
    }
}

/// Which writes a [`Failing`] directory refuses while failing.
#[derive(Debug, Clone, Copy)]
enum Refuse {
    /// New files: the segments an indexing thread writes.
    Segments,
    /// `meta.json`: the commit itself, after the segments were written.
    Commit,
}

/// An index directory on disk whose writes fail on demand (a full disk, a read-only mount).
#[derive(Debug, Clone)]
struct Failing {
    inner: MmapDirectory,
    refuse: Refuse,
    failing: Arc<AtomicBool>,
}

impl Failing {
    fn refuses(&self, path: &Path, commit: bool) -> bool {
        self.failing.load(Ordering::SeqCst)
            && match self.refuse {
                Refuse::Segments => !commit,
                Refuse::Commit => commit && path == Path::new("meta.json"),
            }
    }
}

fn disk_full() -> std::io::Error {
    std::io::Error::other("no space left on device (test)")
}

impl Directory for Failing {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        if self.refuses(path, false) {
            return Err(OpenWriteError::IoError {
                io_error: Arc::new(disk_full()),
                filepath: path.to_path_buf(),
            });
        }
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        if self.refuses(path, true) {
            return Err(disk_full());
        }
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

fn open_failing(path: &Path, refuse: Refuse, failing: &Arc<AtomicBool>) -> Arc<SearchIndex> {
    std::fs::create_dir_all(path).unwrap_or_else(|e| panic!("{e}"));
    let inner = MmapDirectory::open(path).unwrap_or_else(|e| panic!("{e}"));
    let directory = Failing {
        inner,
        refuse,
        failing: failing.clone(),
    };
    Arc::new(
        SearchIndex::open_directory(Box::new(directory), Analyzer::new(), None)
            .unwrap_or_else(|e| panic!("{e}")),
    )
}

pub(crate) fn position(index: &SearchIndex) -> i64 {
    index.position().unwrap_or_else(|e| panic!("{e}")).cursor
}

/// The ids a search for `text` finds.
pub(crate) fn found(index: &SearchIndex, text: &str) -> Vec<i64> {
    let q = SearchQuery {
        text: text.into(),
        kinds: Vec::new(),
        region: None,
        category: None,
        page: Page::default(),
    };
    let mut ids: Vec<i64> = index
        .search(&q)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .hits
        .iter()
        .map(|h| h.id)
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn a_failed_index_write_keeps_the_position_and_the_rows_are_applied_once_it_clears() {
    for refuse in [Refuse::Segments, Refuse::Commit] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("index");
        let failing = Arc::new(AtomicBool::new(false));
        let feed = Arc::new(Feed::default());
        for title in ["柑橘黄龙病防治", "猕猴桃溃疡病防治", "5G基站维护"] {
            feed.publish(title);
        }
        let index = open_failing(&path, refuse, &failing);
        let mut indexer =
            Indexer::new(index.clone(), feed.clone()).unwrap_or_else(|e| panic!("{e}"));
        indexer.catch_up().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((index.num_docs(), position(&index)), (3, 3), "{refuse:?}");

        // The disk fills up: two changes cannot be written, and the position stays.
        failing.store(true, Ordering::SeqCst);
        feed.publish("茶树病虫害绿色防控");
        feed.publish("水稻机插秧服务");
        assert!(indexer.catch_up().await.is_err(), "{refuse:?}");
        assert_eq!((index.num_docs(), position(&index)), (3, 3), "{refuse:?}");
        assert_eq!(
            indexer.cursor(),
            3,
            "{refuse:?}: the writer's own position stays too"
        );

        // Space again, and a third change: the next poll applies all three.
        failing.store(false, Ordering::SeqCst);
        feed.publish("生猪养殖技术指导");
        indexer.catch_up().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((index.num_docs(), position(&index)), (6, 6), "{refuse:?}");
        assert_eq!(found(&index, "茶树"), [4], "{refuse:?}");
        assert_eq!(found(&index, "生猪"), [6], "{refuse:?}");

        // Another failure, then the process stops before it clears: a new writer over the same
        // directory starts from the last commit and applies the change.
        failing.store(true, Ordering::SeqCst);
        feed.publish("中药材川芎种植");
        assert!(indexer.catch_up().await.is_err(), "{refuse:?}");
        drop(indexer);
        drop(index);
        let index =
            Arc::new(SearchIndex::open(&path, Analyzer::new()).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!((index.num_docs(), position(&index)), (6, 6), "{refuse:?}");
        let mut indexer =
            Indexer::new(index.clone(), feed.clone()).unwrap_or_else(|e| panic!("{e}"));
        indexer.catch_up().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((index.num_docs(), position(&index)), (7, 7), "{refuse:?}");
        assert_eq!(found(&index, "川芎"), [7], "{refuse:?}");
    }
}

#[test]
fn failed_rounds_wait_longer_up_to_five_seconds() {
    let every = Duration::from_millis(200);
    let waits: Vec<u128> = (1..=7).map(|n| retry_wait(every, n).as_millis()).collect();
    assert_eq!(waits, [400, 800, 1600, 3200, 5000, 5000, 5000]);
    assert_eq!(retry_wait(every, u32::MAX), MAX_RETRY_WAIT);
    // A poll interval above the cap is kept.
    let slow = Duration::from_secs(30);
    assert_eq!(retry_wait(slow, 3), slow);
}

#[test]
fn a_run_of_failures_logs_the_first_then_once_a_minute_then_the_recovery() {
    let every = Duration::from_millis(200);
    let t0 = Instant::now();
    let at = |secs: u64| t0 + Duration::from_secs(secs);
    let mut retry = Retry::default();
    assert_eq!(retry.succeeded(), RetryLog::Nothing, "nothing failed yet");
    assert_eq!(retry.failed(at(0), every).1, RetryLog::Failed);
    // A try every few seconds for a minute: silent.
    for s in (5..60).step_by(5) {
        assert_eq!(retry.failed(at(s), every).1, RetryLog::Nothing, "at {s} s");
    }
    assert_eq!(
        retry.failed(at(60), every).1,
        RetryLog::StillFailing { attempts: 13 }
    );
    assert_eq!(retry.failed(at(61), every).1, RetryLog::Nothing);
    assert_eq!(
        retry.failed(at(125), every).1,
        RetryLog::StillFailing { attempts: 15 }
    );
    assert_eq!(retry.failed(at(126), every).0, MAX_RETRY_WAIT);
    assert_eq!(retry.succeeded(), RetryLog::Recovered { attempts: 16 });
    assert_eq!(retry.succeeded(), RetryLog::Nothing);
    // The next failure is a new run: logged at once, waited for briefly.
    assert_eq!(
        retry.failed(at(200), every),
        (Duration::from_millis(400), RetryLog::Failed)
    );
}
