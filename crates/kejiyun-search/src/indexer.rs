//! The index writer: the only code that changes the index. It follows the outbox in id order
//! and, for every row, re-reads the record's *current* searchable form from the database
//! (`SearchFeed::search_document`): an upsert of something no longer published becomes a
//! removal, so applying a row twice or late is harmless, and nothing a rolled-back
//! transaction wrote is ever seen (its outbox row was rolled back with it).
//!
//! Ids are handed out before commit, so a row with a smaller id can become visible after a
//! larger one (PostgreSQL, MySQL). The writer remembers such gaps and re-reads them until they
//! appear or [`GAP_PATIENCE`] passes (a rolled-back transaction leaves a gap forever); the
//! committed cursor never passes an open gap, so a restart re-reads them too.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kejiyun_core::search_ports::{DocKind, OutboxEntry, SearchDocument, SearchFeed};

use crate::columns::HitFacts;
use crate::index::{Change, Health, SearchIndex};
use crate::semantic::Semantic;

/// How long an outbox id may stay missing before it is taken for a rollback.
pub const GAP_PATIENCE: Duration = Duration::from_secs(30);
/// How often a running writer asks whether the outbox was pruned past its cursor (pruning
/// removes rows days old, so a cursor only falls behind it after a long stop or stall; once a
/// minute is plenty, and keeps the query off every poll).
const HORIZON_CHECK: Duration = Duration::from_secs(60);
/// Least time between two checks of the files' checksums after failures (a check reads the
/// whole index; a search that fails for another reason than damage must not repeat it every
/// poll).
const VERIFY_SPACING: Duration = Duration::from_secs(60);
/// Most missing ids remembered per jump.
const MAX_GAPS: i64 = 1_000;
/// Rows read per step.
const BATCH: u64 = 500;
/// Documents read per reindex page.
const REINDEX_PAGE: u64 = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
    #[error(transparent)]
    Search(#[from] kejiyun_core::search_ports::SearchError),
    #[error("database: {0}")]
    Store(String),
    #[error("index task: {0}")]
    Task(String),
}

impl From<kejiyun_core::ports::StoreError> for IndexerError {
    fn from(e: kejiyun_core::ports::StoreError) -> Self {
        Self::Store(e.to_string())
    }
}

/// Everything at or below the cursor is applied: `seen`, or just below the first open gap.
fn cursor_of(seen: i64, gaps: &BTreeMap<i64, Instant>) -> i64 {
    gaps.keys().next().map_or(seen, |first| first - 1)
}

/// The highest id seen and the open gaps once `rows` are applied: the rows' ids close their
/// gaps, and a row past `seen` opens gaps for the ids it skipped.
fn advance(
    mut seen: i64,
    gaps: &BTreeMap<i64, Instant>,
    rows: &[OutboxEntry],
    now: Instant,
) -> (i64, BTreeMap<i64, Instant>) {
    let mut gaps = gaps.clone();
    for r in rows {
        gaps.remove(&r.id);
        if r.id > seen {
            // A jump larger than any burst of concurrent writers is not waited for.
            for missing in (seen + 1).max(r.id - MAX_GAPS)..r.id {
                gaps.entry(missing).or_insert(now);
            }
            seen = r.id;
        }
    }
    (seen, gaps)
}

/// A record a batch changed: its facts and embedding hash if it is indexed now, `None` if it
/// was removed.
type Applied = (DocKind, i64, Option<(HitFacts, u64)>);

pub struct Indexer {
    index: Arc<SearchIndex>,
    feed: Arc<dyn SearchFeed>,
    /// Highest outbox id applied.
    seen: i64,
    /// Missing ids below `seen`, with when they were first missed.
    gaps: BTreeMap<i64, Instant>,
    /// When the outbox horizon was last compared with the cursor (`None`: not yet).
    horizon_checked: Option<Instant>,
    /// When the index files were last checked after a failure (`None`: not yet).
    verified: Option<Instant>,
    /// The embedding worker to ask for vectors (`None`: no model, matching by words only).
    semantic: Option<Arc<Semantic>>,
    /// Whether every indexed record has been given its vector or queued for one since start.
    backfilled: bool,
}

impl Indexer {
    pub fn new(index: Arc<SearchIndex>, feed: Arc<dyn SearchFeed>) -> Result<Self, IndexerError> {
        let seen = index.position()?.cursor;
        Ok(Self {
            index,
            feed,
            seen,
            gaps: BTreeMap::new(),
            horizon_checked: None,
            verified: None,
            semantic: None,
            backfilled: false,
        })
    }

    /// Asks `semantic` for the vector of every record this writer applies.
    pub fn with_semantic(mut self, semantic: Arc<Semantic>) -> Self {
        self.semantic = Some(semantic);
        self
    }

    /// Gives every indexed record the vector the database keeps for its current text, queues
    /// the others for the embedding worker, and forgets vectors of records no longer indexed
    /// (at start and after a rebuild).
    async fn backfill(&mut self) -> Result<(), IndexerError> {
        let Some(semantic) = self.semantic.clone() else {
            return Ok(());
        };
        let live: std::collections::HashMap<(DocKind, i64), (HitFacts, u64)> = self
            .index
            .live_records()?
            .into_iter()
            .map(|(f, h)| ((f.kind, f.id), (f, h)))
            .collect();
        let vectors = &self.index.vectors;
        vectors.retain(|k, id| live.contains_key(&(k, id)));
        for kind in DocKind::ALL {
            let mut after = 0;
            loop {
                let page = self.feed.stored_vectors(kind, after, REINDEX_PAGE).await?;
                let Some(&(last, _)) = page.last() else { break };
                after = last;
                for (id, v) in page {
                    if let Some((facts, hash)) = live.get(&(kind, id))
                        && v.text_hash == *hash
                    {
                        vectors.put(*facts, &v);
                    }
                }
            }
        }
        let mut queued = 0;
        for ((kind, id), (facts, hash)) in &live {
            if vectors.text_hash(*kind, *id) == Some(*hash) {
                vectors.refresh(*facts);
            } else {
                semantic.enqueue(*kind, *id);
                queued += 1;
            }
        }
        tracing::info!(
            records = live.len(),
            with_vector = vectors.len(),
            queued,
            "semantic matching: vectors loaded"
        );
        self.backfilled = true;
        Ok(())
    }

    /// After a commit: the changed records' vectors follow them (facts refreshed, removed
    /// ones dropped, changed texts queued for a new vector; the old one serves meanwhile).
    fn follow_vectors(&self, applied: &[Applied]) {
        let Some(semantic) = &self.semantic else {
            return;
        };
        for &(kind, id, ref upsert) in applied {
            match upsert {
                None => self.index.vectors.remove(kind, id),
                Some((facts, hash)) => {
                    self.index.vectors.refresh(*facts);
                    if self.index.vectors.text_hash(kind, id) != Some(*hash) {
                        semantic.enqueue(kind, id);
                    }
                }
            }
        }
    }

    /// The committed cursor: everything at or below it is applied.
    fn cursor(&self) -> i64 {
        cursor_of(self.seen, &self.gaps)
    }

    /// Rebuilds the index from the published records. The outbox head is read first, so a
    /// change made while the pages are read is applied again afterwards (harmlessly).
    pub async fn reindex(&mut self) -> Result<u64, IndexerError> {
        let head = self.feed.outbox_head().await?;
        let mut docs: Vec<SearchDocument> = Vec::new();
        for kind in DocKind::ALL {
            let mut after = 0;
            loop {
                let page = self
                    .feed
                    .published_documents(kind, after, REINDEX_PAGE)
                    .await?;
                let Some(last) = page.last() else { break };
                after = last.id;
                docs.extend(page);
            }
        }
        let index = self.index.clone();
        let n = tokio::task::spawn_blocking(move || {
            let n = index.replace_all(docs, head)?;
            index.optimize()?;
            Ok::<u64, kejiyun_core::search_ports::SearchError>(n)
        })
        .await
        .map_err(|e| IndexerError::Task(e.to_string()))??;
        self.seen = head;
        self.gaps.clear();
        // Every file is new: whatever was damaged is gone.
        self.index.set_health(Health::Sound);
        self.backfill().await?;
        Ok(n)
    }

    /// A suspect index has its files checked (at most once per [`VERIFY_SPACING`]); a damaged
    /// one is rebuilt from the database, searches answering "rebuilding" meanwhile. A rebuild
    /// that fails is tried again next round.
    async fn repair(&mut self) -> Result<(), IndexerError> {
        if self.index.health() == Health::Suspect
            && self
                .verified
                .is_none_or(|at| at.elapsed() >= VERIFY_SPACING)
        {
            self.verified = Some(Instant::now());
            let index = self.index.clone();
            let verdict = tokio::task::spawn_blocking(move || index.verify())
                .await
                .map_err(|e| IndexerError::Task(e.to_string()))?;
            match verdict {
                Ok(()) => {
                    if self.index.change_health(Health::Suspect, Health::Sound) {
                        tracing::info!("search index files intact; searching on");
                    }
                }
                Err(damage) => {
                    tracing::error!(
                        damage,
                        "search index damaged; rebuilding it from the database (searches answer 503 meanwhile)"
                    );
                    self.index.set_health(Health::Rebuilding);
                }
            }
        }
        if self.index.health() == Health::Rebuilding {
            let n = self.reindex().await?;
            tracing::info!(documents = n, "search index rebuilt");
        }
        Ok(())
    }

    /// Brings the index up to date with the outbox; returns the rows applied. A new (or
    /// rebuilt) index is filled by [`Indexer::reindex`] first, and so is one whose position is
    /// below the outbox horizon (rows it never applied were pruned).
    pub async fn catch_up(&mut self) -> Result<usize, IndexerError> {
        self.repair().await?;
        if self.pruned_past_cursor().await? {
            tracing::warn!(
                cursor = self.cursor(),
                "the outbox was pruned past this index's position; rebuilding the index"
            );
            self.reindex().await?;
        } else if self.seen == 0 && self.index.num_docs() == 0 && self.feed.outbox_head().await? > 0
        {
            self.reindex().await?;
        }
        if self.semantic.is_some() && !self.backfilled {
            self.backfill().await?;
        }
        let mut applied = 0;
        loop {
            let mut rows = self.feed.outbox_after(self.seen, BATCH).await?;
            let full = rows.len() as u64 == BATCH;
            rows.extend(self.filled_gaps().await?);
            self.expire_gaps();
            if rows.is_empty() {
                return Ok(applied);
            }
            applied += rows.len();
            self.apply(&rows).await?;
            if !full {
                return Ok(applied);
            }
        }
    }

    /// Whether rows above the cursor may have been pruned (asked at the first catch-up and
    /// then every [`HORIZON_CHECK`]).
    async fn pruned_past_cursor(&mut self) -> Result<bool, IndexerError> {
        if self
            .horizon_checked
            .is_some_and(|at| at.elapsed() < HORIZON_CHECK)
        {
            return Ok(false);
        }
        let horizon = self.feed.outbox_horizon().await?;
        self.horizon_checked = Some(Instant::now());
        Ok(self.cursor() < horizon)
    }

    /// Rows that appeared in earlier gaps.
    async fn filled_gaps(&mut self) -> Result<Vec<OutboxEntry>, IndexerError> {
        let Some(&first) = self.gaps.keys().next() else {
            return Ok(Vec::new());
        };
        let rows = self
            .feed
            .outbox_after(
                first - 1,
                (self.seen - first + 1).clamp(1, 4 * BATCH as i64) as u64,
            )
            .await?;
        Ok(rows
            .into_iter()
            .filter(|r| self.gaps.contains_key(&r.id))
            .collect())
    }

    fn expire_gaps(&mut self) {
        let now = Instant::now();
        self.gaps.retain(|id, since| {
            let keep = now.duration_since(*since) < GAP_PATIENCE;
            if !keep {
                tracing::debug!(outbox_id = id, "outbox gap taken for a rolled-back write");
            }
            keep
        });
    }

    async fn apply(&mut self, rows: &[OutboxEntry]) -> Result<(), IndexerError> {
        // Each record once per batch: its current state covers every row about it.
        let mut targets: BTreeSet<(DocKind, i64)> = BTreeSet::new();
        for r in rows {
            if r.kind == "deal" {
                targets.extend(self.feed.documents_of_deal(r.item_id).await?);
            } else if let Ok(kind) = DocKind::parse(&r.kind) {
                targets.insert((kind, r.item_id));
            }
        }
        let mut changes = Vec::with_capacity(targets.len());
        let mut applied = Vec::with_capacity(targets.len());
        for (kind, id) in targets {
            changes.push(match self.feed.search_document(kind, id).await? {
                Some(doc) => {
                    applied.push((kind, id, Some((HitFacts::of(&doc), doc.embedding_hash()))));
                    Change::Upsert(doc)
                }
                None => {
                    applied.push((kind, id, None));
                    Change::Delete(kind, id)
                }
            });
        }
        // The position moves only once the changes are committed: a failed write leaves it
        // (here and in the index) where it was, so the same rows are read again next time.
        let (seen, gaps) = advance(self.seen, &self.gaps, rows, Instant::now());
        let cursor = cursor_of(seen, &gaps);
        let index = self.index.clone();
        let written = tokio::task::spawn_blocking(move || index.apply(&changes, cursor))
            .await
            .map_err(|e| IndexerError::Task(e.to_string()))
            .and_then(|r| r.map_err(IndexerError::from));
        if written.is_err() {
            // A damaged segment fails writes too (deletes read it): have the files checked.
            self.index.suspect();
        }
        written?;
        self.seen = seen;
        self.gaps = gaps;
        self.follow_vectors(&applied);
        Ok(())
    }

    /// Follows the outbox until `stop` resolves, polling every `every`; while updates fail
    /// (the database is away, the disk is full) it waits longer between tries ([`Retry`]).
    pub async fn run(mut self, every: Duration, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        let mut retry = Retry::default();
        loop {
            let wait = match self.catch_up().await {
                Ok(_) => {
                    if let RetryLog::Recovered { attempts } = retry.succeeded() {
                        tracing::info!(attempts, "search index updates work again");
                    }
                    every
                }
                Err(e) => {
                    let (wait, log) = retry.failed(Instant::now(), every);
                    match log {
                        RetryLog::Failed => tracing::error!(
                            error = %e,
                            "search index update failed; retrying"
                        ),
                        RetryLog::StillFailing { attempts } => tracing::warn!(
                            error = %e,
                            attempts,
                            "search index update still failing"
                        ),
                        RetryLog::Nothing | RetryLog::Recovered { .. } => {
                            tracing::debug!(error = %e, "search index update failed again");
                        }
                    }
                    wait
                }
            };
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}

/// Longest wait between two tries while the index cannot be updated.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(5);
/// While updates keep failing, at most one line about it per this interval.
const FAILURE_SUMMARY_EVERY: Duration = Duration::from_secs(60);

/// What the writer's loop logs after a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RetryLog {
    Nothing,
    /// The first failure of a run of them.
    Failed,
    /// A reminder that failures go on, with the tries so far.
    StillFailing {
        attempts: u32,
    },
    /// Success after `attempts` failed tries.
    Recovered {
        attempts: u32,
    },
}

/// The failures in a row of the writer's loop: how long to wait before the next try, and
/// which rounds to log, so that a database away for an hour costs a few log lines, not one
/// every poll.
#[derive(Debug, Default)]
struct Retry {
    attempts: u32,
    /// When the last line about this run of failures was logged.
    logged: Option<Instant>,
}

impl Retry {
    /// After a failed round at `now`: the wait before the next, and what to log.
    fn failed(&mut self, now: Instant, every: Duration) -> (Duration, RetryLog) {
        self.attempts = self.attempts.saturating_add(1);
        let log = match self.logged {
            None => RetryLog::Failed,
            Some(at) if now.saturating_duration_since(at) >= FAILURE_SUMMARY_EVERY => {
                RetryLog::StillFailing {
                    attempts: self.attempts,
                }
            }
            Some(_) => return (retry_wait(every, self.attempts), RetryLog::Nothing),
        };
        self.logged = Some(now);
        (retry_wait(every, self.attempts), log)
    }

    /// After a successful round.
    fn succeeded(&mut self) -> RetryLog {
        self.logged = None;
        match std::mem::take(&mut self.attempts) {
            0 => RetryLog::Nothing,
            attempts => RetryLog::Recovered { attempts },
        }
    }
}

/// The wait after `failures` failed rounds in a row: the poll interval doubled per failure,
/// at most [`MAX_RETRY_WAIT`] (never below the poll interval itself).
fn retry_wait(every: Duration, failures: u32) -> Duration {
    let factor = 1_u32.checked_shl(failures).unwrap_or(u32::MAX);
    every.saturating_mul(factor).min(MAX_RETRY_WAIT).max(every)
}

#[cfg(test)]
pub(crate) mod tests;
