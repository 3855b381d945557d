//! The embedding worker: computes the sentence embedding of each record the index writer has
//! applied, in the background (one embedding takes tens of milliseconds, so it never holds up
//! the lexical index: a record is searchable at once and matched by meaning a moment later).
//!
//! Work arrives as record keys ([`Semantic::enqueue`]); the worker reads the record's current
//! text from the index itself, so a key queued twice or for a record since removed costs
//! nothing. A vector is looked for in the database first (`SearchFeed::stored_vector`: another
//! server, or this one before a rebuild, may have computed it), else computed, stored there and
//! put in the [`VectorIndex`](crate::vectors::VectorIndex) — only if the text it was computed
//! from is still the record's text.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use kejiyun_core::search_ports::{DocKind, SearchFeed, StoredVector, embeds_as_query};
use kejiyun_embed::{Embedder, quantize};

use crate::index::SearchIndex;
use crate::indexer::IndexerError;

/// Records embedded per round (the engine streams its weights once per batch of passages).
const BATCH: usize = 8;
/// Longest wait between two rounds when nothing woke the worker (a missed wake-up costs no more).
const IDLE: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Queue {
    order: VecDeque<(DocKind, i64)>,
    queued: HashSet<(DocKind, i64)>,
}

/// The embedding model and the records waiting for a vector.
pub struct Semantic {
    embedder: Arc<Embedder>,
    queue: Mutex<Queue>,
    wake: tokio::sync::Notify,
}

/// A record to embed, as the index has it now.
struct Job {
    kind: DocKind,
    id: i64,
    text: String,
    text_hash: u64,
}

impl Semantic {
    pub fn new(embedder: Arc<Embedder>) -> Arc<Self> {
        Arc::new(Self {
            embedder,
            queue: Mutex::new(Queue::default()),
            wake: tokio::sync::Notify::new(),
        })
    }

    pub fn embedder(&self) -> &Arc<Embedder> {
        &self.embedder
    }

    /// Asks for a record's vector (again, if its text changed). Queued once however often asked.
    pub fn enqueue(&self, kind: DocKind, id: i64) {
        let mut q = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        if q.queued.insert((kind, id)) {
            q.order.push_back((kind, id));
        }
        drop(q);
        self.wake.notify_one();
    }

    /// Records waiting for a vector.
    pub fn pending(&self) -> usize {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .order
            .len()
    }

    fn take(&self, n: usize) -> Vec<(DocKind, i64)> {
        let mut q = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let n = n.min(q.order.len());
        let keys: Vec<_> = q.order.drain(..n).collect();
        for k in &keys {
            q.queued.remove(k);
        }
        keys
    }

    /// One round: up to [`BATCH`] queued records get their vector; returns how many were taken.
    /// A record whose stored vector fails to load or save is still given its vector in memory.
    pub async fn work(
        &self,
        index: &Arc<SearchIndex>,
        feed: &Arc<dyn SearchFeed>,
    ) -> Result<usize, IndexerError> {
        let keys = self.take(BATCH);
        let taken = keys.len();
        let mut jobs = Vec::new();
        for (kind, id) in keys {
            let Some((facts, doc)) = index.current_document(kind, id)? else {
                continue;
            };
            let text_hash = doc.embedding_hash();
            if index.vectors.text_hash(kind, id) == Some(text_hash) {
                index.vectors.refresh(facts);
                continue;
            }
            match feed.stored_vector(kind, id).await {
                Ok(Some(v)) if v.text_hash == text_hash => {
                    index.vectors.put(facts, &v);
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::debug!(error = %e, "stored vector unreadable; computing it"),
            }
            jobs.push(Job {
                kind,
                id,
                text: doc.embedding_text(),
                text_hash,
            });
        }
        if jobs.is_empty() {
            return Ok(taken);
        }
        let embedder = Arc::clone(&self.embedder);
        let (jobs, vectors) = tokio::task::spawn_blocking(move || {
            let vectors = embed(&embedder, &jobs);
            (jobs, vectors)
        })
        .await
        .map_err(|e| IndexerError::Task(e.to_string()))?;
        for (job, v) in jobs.into_iter().zip(vectors) {
            let (values, scale) = quantize(&v);
            let stored = StoredVector {
                text_hash: job.text_hash,
                scale,
                values,
            };
            if let Err(e) = feed.store_vector(job.kind, job.id, &stored).await {
                tracing::warn!(error = %e, kind = job.kind.as_str(), id = job.id,
                    "could not keep a computed vector in the database; it will be computed again after a restart");
            }
            // Edited (or removed) while it was being embedded: the newer text is queued.
            match index.current_document(job.kind, job.id)? {
                Some((facts, doc)) if doc.embedding_hash() == job.text_hash => {
                    index.vectors.put(facts, &stored);
                }
                _ => {}
            }
        }
        Ok(taken)
    }

    /// Embeds queued records until `stop` resolves. A failed round (the index or the database
    /// away) is logged and retried after a pause; its records are asked for again by the next
    /// change or restart.
    pub async fn run(
        self: Arc<Self>,
        index: Arc<SearchIndex>,
        feed: Arc<dyn SearchFeed>,
        stop: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        loop {
            let wait = match self.work(&index, &feed).await {
                Ok(n) if n > 0 => Duration::ZERO,
                Ok(_) => IDLE,
                Err(e) => {
                    tracing::warn!(error = %e, "embedding round failed; retrying");
                    IDLE
                }
            };
            tokio::select! {
                () = &mut stop => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}

/// The vectors of `jobs`, in order: a need as a query, anything else as a passage.
fn embed(embedder: &Embedder, jobs: &[Job]) -> Vec<Vec<f32>> {
    let passages: Vec<&str> = jobs
        .iter()
        .filter(|j| !embeds_as_query(j.kind))
        .map(|j| j.text.as_str())
        .collect();
    let mut passages = embedder.embed_passages(&passages).into_iter();
    jobs.iter()
        .map(|j| {
            if embeds_as_query(j.kind) {
                embedder.embed_query(&j.text)
            } else {
                passages.next().unwrap_or_default()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
