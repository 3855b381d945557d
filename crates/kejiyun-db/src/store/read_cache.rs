//! The public reads that every visitor repeats (a list page, a posting's page) kept in memory
//! until something is written. Reading a page of twenty postings through the driver costs far
//! more than rendering it (each value is copied out of SQLite and decoded by name), and the
//! same page is asked for again and again between writes.
//!
//! An entry is served while no write has completed in this process since it was read
//! ([`WRITES`]: every store write, through `retry!`, counts once it is over, committed or
//! not) and for at most [`STALE_AFTER`]: a write by another process — a second server on the
//! same PostgreSQL or MySQL database, or a command on the SQLite file — is seen within that
//! time, as the search index sees it within its poll interval. A process sees its own writes
//! at once.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kejiyun_core::ports::StoreResult;

/// Writes completed in this process (all databases: a write elsewhere only costs a re-read).
static WRITES: AtomicU64 = AtomicU64::new(0);

/// The longest an entry is served after it was read: how long another process's write may
/// go unseen.
pub(crate) const STALE_AFTER: Duration = Duration::from_secs(1);

/// Entries kept at most; the whole cache is emptied when full (a flood of distinct searches
/// cannot grow it, and the common pages come back at once).
const CAPACITY: usize = 4096;

/// Called once each store write is over (committed, failed or rolled back).
pub(crate) fn wrote() {
    WRITES.fetch_add(1, Ordering::AcqRel);
}

struct Entry {
    writes: u64,
    at: Instant,
    value: Arc<dyn Any + Send + Sync>,
}

#[derive(Default)]
pub(crate) struct ReadCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl ReadCache {
    /// The value kept under `key` if it is still current, else `load`'s (then kept).
    pub(crate) async fn get_or_load<T, Fut>(
        &self,
        key: String,
        load: impl FnOnce() -> Fut,
    ) -> StoreResult<T>
    where
        T: Clone + Send + Sync + 'static,
        Fut: Future<Output = StoreResult<T>>,
    {
        // Taken before the read: a write that ends after it makes the entry stale, so an
        // entry can never hold what was read before a write under a count taken after it.
        let writes = WRITES.load(Ordering::Acquire);
        if let Some(found) = self.current(&key, writes)
            && let Some(value) = found.downcast_ref::<T>()
        {
            return Ok(value.clone());
        }
        let value = load().await?;
        self.keep(key, writes, Arc::new(value.clone()));
        Ok(value)
    }

    fn current(&self, key: &str, writes: u64) -> Option<Arc<dyn Any + Send + Sync>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|e| e.writes == writes && e.at.elapsed() < STALE_AFTER)
            .map(|e| e.value.clone())
    }

    fn keep(&self, key: String, writes: u64, value: Arc<dyn Any + Send + Sync>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                writes,
                at: Instant::now(),
                value,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    async fn read(cache: &ReadCache, loads: &AtomicUsize, key: &str) -> u32 {
        cache
            .get_or_load(key.to_owned(), || async {
                Ok(loads.fetch_add(1, Ordering::SeqCst) as u32)
            })
            .await
            .expect("load")
    }

    #[tokio::test]
    async fn a_value_is_kept_until_a_write_and_reloaded_after_it() {
        let cache = ReadCache::default();
        let loads = AtomicUsize::new(0);
        let first = read(&cache, &loads, "k").await;
        // Other tests in this binary may write meanwhile; retry until two reads meet no write.
        let mut kept = false;
        for _ in 0..100 {
            let writes = WRITES.load(Ordering::Acquire);
            let a = read(&cache, &loads, "k").await;
            let b = read(&cache, &loads, "k").await;
            if WRITES.load(Ordering::Acquire) == writes && a == b {
                kept = true;
                break;
            }
        }
        assert!(
            kept,
            "a value read twice with no write between is loaded once"
        );
        let before = read(&cache, &loads, "k").await;
        wrote();
        let after = read(&cache, &loads, "k").await;
        assert_ne!(before, after, "a write makes the kept value stale");
        assert!(first <= before);
    }

    #[tokio::test]
    async fn a_kept_value_is_read_again_after_the_staleness_bound() {
        let cache = ReadCache::default();
        let loads = AtomicUsize::new(0);
        let writes = WRITES.load(Ordering::Acquire);
        cache.keep("k".into(), writes, Arc::new(7u32));
        // Backdate the entry past the bound.
        if let Some(e) = cache.entries.lock().expect("lock").get_mut("k") {
            e.at = Instant::now() - STALE_AFTER - Duration::from_millis(1);
        }
        assert_eq!(
            read(&cache, &loads, "k").await,
            0,
            "reloaded, not the old 7"
        );
    }

    #[tokio::test]
    async fn a_full_cache_starts_again() {
        let cache = ReadCache::default();
        let writes = WRITES.load(Ordering::Acquire);
        for i in 0..CAPACITY + 1 {
            cache.keep(format!("k{i}"), writes, Arc::new(i));
        }
        assert_eq!(cache.entries.lock().expect("lock").len(), 1);
    }
}
