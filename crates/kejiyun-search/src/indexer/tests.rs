//! The writer against a database in memory and an index directory that can be made to fail.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use kejiyun_core::paging::Page;
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::search_ports::{
    DocKind, MatchQuery, OutboxEntry, SearchDocument, SearchEngine, SearchError, SearchFeed,
    SearchQuery, StoredVector,
};
use kejiyun_core::time::Timestamp;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

use super::*;
use crate::Analyzer;
use crate::testing::damage_in_place as damage;

/// The database side: published documents and the outbox of their changes (and whether the
/// database is away).
#[derive(Default)]
pub(crate) struct Feed(Mutex<FeedState>, AtomicBool);

#[derive(Default)]
struct FeedState {
    outbox: Vec<OutboxEntry>,
    docs: BTreeMap<(DocKind, i64), SearchDocument>,
    vectors: BTreeMap<(DocKind, i64), StoredVector>,
}

impl Feed {
    fn state(&self) -> std::sync::MutexGuard<'_, FeedState> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The database goes away (`true`) or comes back.
    pub(crate) fn set_down(&self, down: bool) {
        self.1.store(down, Ordering::SeqCst);
    }

    fn up(&self) -> StoreResult<()> {
        if self.1.load(Ordering::SeqCst) {
            return Err(StoreError::Backend("connection refused (test)".into()));
        }
        Ok(())
    }

    /// Retitles service `id` (`Some`) or withdraws it (`None`), with its outbox row.
    pub(crate) fn change(&self, id: i64, title: Option<&str>) {
        let mut s = self.state();
        match title {
            Some(t) => {
                if let Some(d) = s.docs.get_mut(&(DocKind::Service, id)) {
                    d.title = t.into();
                }
            }
            None => {
                s.docs.remove(&(DocKind::Service, id));
            }
        }
        s.changed(id);
    }

    /// The vector the database keeps for service `id`.
    pub(crate) fn stored(&self, id: i64) -> Option<StoredVector> {
        self.state().vectors.get(&(DocKind::Service, id)).cloned()
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
        s.changed(id);
        id
    }
}

impl FeedState {
    /// The outbox row of a change to service `id`.
    fn changed(&mut self, id: i64) {
        let row = i64::try_from(self.outbox.len()).unwrap_or_default() + 1;
        self.outbox.push(OutboxEntry {
            id: row,
            kind: "service".into(),
            item_id: id,
            op: "upsert".into(),
            at: Timestamp(0),
        });
    }
}

#[async_trait]
impl SearchFeed for Feed {
    async fn outbox_after(&self, after: i64, limit: u64) -> StoreResult<Vec<OutboxEntry>> {
        self.up()?;
        let s = self.state();
        Ok(s.outbox
            .iter()
            .filter(|r| r.id > after)
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }

    async fn outbox_head(&self) -> StoreResult<i64> {
        self.up()?;
        Ok(self.state().outbox.last().map_or(0, |r| r.id))
    }

    async fn outbox_horizon(&self) -> StoreResult<i64> {
        self.up()?;
        Ok(0)
    }

    async fn prune_outbox(&self, _before: Timestamp) -> StoreResult<u64> {
        Err(StoreError::Backend("not in this test".into()))
    }

    async fn search_document(&self, kind: DocKind, id: i64) -> StoreResult<Option<SearchDocument>> {
        self.up()?;
        Ok(self.state().docs.get(&(kind, id)).cloned())
    }

    async fn documents_of_deal(&self, _deal_id: i64) -> StoreResult<Vec<(DocKind, i64)>> {
        Ok(Vec::new())
    }

    async fn stored_vector(&self, kind: DocKind, id: i64) -> StoreResult<Option<StoredVector>> {
        self.up()?;
        Ok(self.state().vectors.get(&(kind, id)).cloned())
    }

    async fn stored_vectors(
        &self,
        kind: DocKind,
        after: i64,
        limit: u64,
    ) -> StoreResult<Vec<(i64, StoredVector)>> {
        self.up()?;
        Ok(self
            .state()
            .vectors
            .range((kind, after + 1)..)
            .take_while(|((k, _), _)| *k == kind)
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|((_, id), v)| (*id, v.clone()))
            .collect())
    }

    async fn store_vector(&self, kind: DocKind, id: i64, vector: &StoredVector) -> StoreResult<()> {
        self.up()?;
        self.state().vectors.insert((kind, id), vector.clone());
        Ok(())
    }

    async fn published_documents(
        &self,
        kind: DocKind,
        after: i64,
        limit: u64,
    ) -> StoreResult<Vec<SearchDocument>> {
        self.up()?;
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

const TITLES: [&str; 4] = [
    "柑橘黄龙病防治",
    "猕猴桃溃疡病防治",
    "茶树病虫害绿色防控",
    "5G基站维护",
];

/// An index on disk filled by the writer from a database of [`TITLES`].
async fn filled(path: &Path) -> (Arc<SearchIndex>, Arc<Feed>, Indexer) {
    let feed = Arc::new(Feed::default());
    for title in TITLES {
        feed.publish(title);
    }
    let index =
        Arc::new(SearchIndex::open(path, Analyzer::new()).unwrap_or_else(|e| panic!("{e}")));
    let mut indexer = Indexer::new(index.clone(), feed.clone()).unwrap_or_else(|e| panic!("{e}"));
    indexer.catch_up().await.unwrap_or_else(|e| panic!("{e}"));
    // No search yet: one would leave the stored documents' block in the reader's cache,
    // where damage to the file would go unseen (and do no harm).
    assert_eq!(index.num_docs(), 4);
    (index, feed, indexer)
}

/// Every search and match a page could ask, each either answered or refused as
/// "rebuilding"; how many were refused. A panic would fail the test.
fn ask_everything(index: &SearchIndex) -> usize {
    let mut refused = 0;
    for text in ["防治", "黄龙病", "5G", "茶树", ""] {
        let q = SearchQuery {
            text: text.into(),
            kinds: Vec::new(),
            region: None,
            category: None,
            page: Page::default(),
        };
        match index.search(&q) {
            Ok(_) => {}
            Err(SearchError::Rebuilding) => refused += 1,
            Err(e) => panic!("{text}: {e}"),
        }
    }
    let subject = SearchDocument {
        kind: DocKind::Need,
        id: 99,
        title: "柑橘园黄龙病急需防治".into(),
        body: "柑橘黄龙病".into(),
        tags: Vec::new(),
        category: None,
        region: RegionCode::parse("511623").unwrap_or_else(|e| panic!("{e}")),
        scope: None,
        owner: Some(5),
        owner_deals: 0,
        published_at: Timestamp(1_800_000_000_000_000),
    };
    let q = MatchQuery {
        subject,
        kinds: vec![DocKind::Service],
        limit: 10,
        now: Timestamp(1_800_000_000_000_000),
    };
    match index.matches(&q) {
        Ok(_) => {}
        Err(SearchError::Rebuilding) => refused += 1,
        Err(e) => panic!("matches: {e}"),
    }
    refused
}

#[tokio::test]
async fn a_file_damaged_while_serving_is_detected_and_rebuilt_while_searches_answer_rebuilding() {
    for ext in ["idx", "term", "store", "fast"] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("index");
        let (index, feed, mut indexer) = filled(&path).await;
        assert!(damage(&path, ext) > 0, "{ext}");

        // Searches on the damaged file fail inside tantivy (an error or a panic): they are
        // refused as "rebuilding", and the index is suspect.
        assert!(
            ask_everything(&index) > 0,
            "{ext}: nothing noticed the damage"
        );
        assert_eq!(index.health(), Health::Suspect, "{ext}");

        // The writer's next round finds the checksum mismatch; the database is away, so the
        // rebuild fails, and meanwhile every search is refused, even one that would work.
        feed.set_down(true);
        assert!(indexer.catch_up().await.is_err(), "{ext}");
        assert_eq!(index.health(), Health::Rebuilding, "{ext}");
        assert_eq!(ask_everything(&index), 6, "{ext}");

        // The database is back: rebuilt, sound, and every answer right.
        feed.set_down(false);
        indexer
            .catch_up()
            .await
            .unwrap_or_else(|e| panic!("{ext}: {e}"));
        assert_eq!(index.health(), Health::Sound, "{ext}");
        assert_eq!(index.verify(), Ok(()), "{ext}");
        assert_eq!(ask_everything(&index), 0, "{ext}");
        assert_eq!(found(&index, "防治"), [1, 2], "{ext}");
        assert_eq!(found(&index, "茶树"), [3], "{ext}");
        assert_eq!((index.num_docs(), position(&index)), (4, 4), "{ext}");
    }
}

#[tokio::test]
async fn a_file_damaged_while_stopped_is_detected_at_start_and_rebuilt() {
    for ext in ["idx", "term", "store", "fast"] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("index");
        let (index, feed, indexer) = filled(&path).await;
        drop(indexer);
        drop(index);
        assert!(damage(&path, ext) > 0, "{ext}");

        // The checksums are read at open: the damaged index is replaced by an empty one…
        let index =
            Arc::new(SearchIndex::open(&path, Analyzer::new()).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!((index.num_docs(), position(&index)), (0, 0), "{ext}");
        // …which the writer fills from the database before the server answers.
        let mut indexer =
            Indexer::new(index.clone(), feed.clone()).unwrap_or_else(|e| panic!("{e}"));
        indexer
            .catch_up()
            .await
            .unwrap_or_else(|e| panic!("{ext}: {e}"));
        assert_eq!(index.health(), Health::Sound, "{ext}");
        assert_eq!(ask_everything(&index), 0, "{ext}");
        assert_eq!(found(&index, "防治"), [1, 2], "{ext}");
        assert_eq!((index.num_docs(), position(&index)), (4, 4), "{ext}");
    }
}

#[tokio::test]
async fn a_search_failing_on_intact_files_does_not_rebuild() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("index");
    let (index, _feed, mut indexer) = filled(&path).await;
    // A failure that is not the files' (a bug): the check finds them intact.
    let failed: Result<(), SearchError> =
        index.guarded("test", || panic!("a bug, not a damaged file"));
    assert_eq!(failed, Err(SearchError::Rebuilding));
    assert_eq!(index.health(), Health::Suspect);
    indexer.catch_up().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(index.health(), Health::Sound);
    assert_eq!(found(&index, "防治"), [1, 2]);
}

#[tokio::test]
async fn an_index_directory_removed_while_serving_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("index");
    let (index, feed, mut indexer) = filled(&path).await;
    std::fs::remove_dir_all(&path).unwrap_or_else(|e| panic!("{e}"));
    // The open files still answer; the next change cannot be written, and the index is
    // found unusable (its files are gone) and rebuilt into a new directory.
    assert_eq!(ask_everything(&index), 0);
    feed.publish("生猪养殖技术指导");
    assert!(indexer.catch_up().await.is_err());
    assert_eq!(index.health(), Health::Suspect);
    indexer.catch_up().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(index.health(), Health::Sound);
    assert_eq!(found(&index, "生猪"), [5]);
    assert_eq!((index.num_docs(), position(&index)), (5, 5));
    // And it opens from there after a restart.
    drop(indexer);
    drop(index);
    let index =
        Arc::new(SearchIndex::open(&path, Analyzer::new()).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!((index.num_docs(), position(&index)), (5, 5));
}

#[tokio::test]
async fn damage_is_found_even_without_tantivys_list_of_files() {
    for ext in ["idx", "term", "store", "fast"] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("index");
        let (index, _feed, indexer) = filled(&path).await;
        drop(indexer);
        drop(index);
        assert!(damage(&path, ext) > 0);
        std::fs::remove_file(path.join(".managed.json")).unwrap_or_else(|e| panic!("{e}"));
        let index = SearchIndex::open(&path, Analyzer::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (index.num_docs(), position(&index)),
            (0, 0),
            "{ext}: to be rebuilt"
        );
    }
}
