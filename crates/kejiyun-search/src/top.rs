//! The best documents of a flat OR of clauses by score, across segments. Each segment is
//! walked with block-max MaxScore (`maxscore.rs`) when every clause is a term query, else with
//! tantivy's block-max WAND; tantivy's `TopDocs` starts each segment from nothing and merges
//! afterwards, here each segment starts from the k-th best score found so far, so a later
//! segment's blocks that cannot beat it are skipped. On a machine with a spare core, an index of
//! several segments is walked by two threads at once — the caller and a long-lived helper
//! thread, each taking the next segment (largest first) from a shared queue, pruning with the
//! better of its own and the other's k-th best score — and when the helper is busy with another
//! search, the caller simply takes every segment itself. Same results, same order as
//! `TopDocs::order_by_score` — best first, ties to the lower document address — though a
//! score may differ from tantivy's in its last bit (MaxScore sums a document's terms in `f64`,
//! tantivy in `f32`, in an order that varies).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering as Atomic};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use tantivy::query::{BooleanQuery, EmptyScorer, EnableScoring, Occur, Query, TermScorer, Weight};
use tantivy::{DocAddress, Score, Searcher, SegmentReader};

/// Below this many documents a search walks its segments on one thread (handing work to
/// another costs more than it saves).
const PARALLEL_MIN_DOCS: u32 = 100_000;

/// Segments with their ordinals in the searcher (the segment part of a `DocAddress`).
type Segments = Vec<(u32, SegmentReader)>;

/// A scored document; greater = better (higher score, then the lower address).
#[derive(Clone, Copy)]
struct Ranked {
    score: Score,
    addr: DocAddress,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.addr.cmp(&self.addr))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

/// The k-th best score of one thread, published for the other (`f32` bits; scores only rise).
struct SharedThreshold(AtomicU32);

impl SharedThreshold {
    fn new() -> Self {
        Self(AtomicU32::new(Score::MIN.to_bits()))
    }

    fn get(&self) -> Score {
        Score::from_bits(self.0.load(Atomic::Relaxed))
    }

    fn raise(&self, score: Score) {
        let _ = self
            .0
            .fetch_update(Atomic::Relaxed, Atomic::Relaxed, |bits| {
                (score > Score::from_bits(bits)).then_some(score.to_bits())
            });
    }
}

/// Segments to walk, largest first, taken one at a time by whichever thread is free.
struct SegmentQueue {
    segments: Segments,
    next: AtomicUsize,
}

impl SegmentQueue {
    fn new(mut segments: Segments) -> Self {
        segments.sort_by_key(|(_, r)| Reverse(r.max_doc()));
        Self {
            segments,
            next: AtomicUsize::new(0),
        }
    }

    fn take(&self) -> Option<&(u32, SegmentReader)> {
        self.segments.get(self.next.fetch_add(1, Atomic::Relaxed))
    }
}

/// A search's weights: the OR's, and each of its clauses'.
struct Weights {
    union: Box<dyn Weight>,
    clauses: Vec<Box<dyn Weight>>,
}

/// The clauses' term scorers in `reader` (a term absent from the segment has none), or `None`
/// if a clause is not a term query.
fn term_scorers(
    clauses: &[Box<dyn Weight>],
    reader: &SegmentReader,
) -> tantivy::Result<Option<Vec<TermScorer>>> {
    let mut scorers = Vec::with_capacity(clauses.len());
    for clause in clauses {
        match clause.scorer(reader, 1.0)?.downcast::<TermScorer>() {
            Ok(scorer) => scorers.push(*scorer),
            Err(other) if other.is::<EmptyScorer>() => {}
            Err(_) => return Ok(None),
        }
    }
    Ok(Some(scorers))
}

/// The best `k` documents of the segments this thread takes from `queue`, pruned by the
/// other thread's k-th best too.
fn walk(
    weights: &Weights,
    queue: &SegmentQueue,
    k: usize,
    shared: &SharedThreshold,
) -> tantivy::Result<Vec<Ranked>> {
    // A min-heap of the best `k` so far: its top is the one to beat.
    let mut best: BinaryHeap<Reverse<Ranked>> = BinaryHeap::with_capacity(k.min(4096) + 1);
    let mut own = Score::MIN;
    // A document that only ties the other thread's k-th best may still win on its address, so
    // that one is beaten by anything not below it.
    let beat = |own: Score| own.max(shared.get().next_down());
    while let Some((segment, reader)) = queue.take() {
        let alive = reader.alive_bitset();
        let threshold = beat(own);
        // Called only for documents scoring above the threshold, in increasing doc order, so
        // a later document that ties with the k-th best loses to it, as the lower address
        // should.
        let mut offer = |doc, score| {
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                return beat(own);
            }
            best.push(Reverse(Ranked {
                score,
                addr: DocAddress::new(*segment, doc),
            }));
            if best.len() > k {
                best.pop();
            }
            if best.len() == k
                && let Some(Reverse(kth)) = best.peek()
            {
                own = kth.score;
                shared.raise(own);
            }
            beat(own)
        };
        match term_scorers(&weights.clauses, reader)? {
            Some(scorers) => crate::maxscore::for_each_pruning(scorers, threshold, &mut offer),
            _ => weights
                .union
                .for_each_pruning(threshold, reader, &mut offer)?,
        }
    }
    Ok(best.into_iter().map(|Reverse(r)| r).collect())
}

/// Work handed to the helper thread.
type Job = Box<dyn FnOnce() + Send>;

/// The helper thread's queue; `None` on a one-core machine.
fn helper() -> Option<&'static Mutex<Sender<Job>>> {
    static HELPER: OnceLock<Option<Mutex<Sender<Job>>>> = OnceLock::new();
    HELPER
        .get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            if cores < 2 {
                return None;
            }
            let (tx, rx) = channel::<Job>();
            std::thread::Builder::new()
                .name("kejiyun-search-helper".to_owned())
                .spawn(move || {
                    while let Ok(job) = rx.recv() {
                        job();
                    }
                })
                .ok()
                .map(|_| Mutex::new(tx))
        })
        .as_ref()
}

/// How many segments a reindexed index is merged into: one per thread that walks a search
/// (two on a machine with a spare core, else one). Four (so that a helper starting late still
/// finds one to take) measured no better at 1M beside Lucene, within the runs' noise.
pub(crate) fn search_segments() -> usize {
    if helper().is_some() { 2 } else { 1 }
}

/// The helper's share of a search: it starts only if the caller has not finished the queue.
struct Handoff {
    claimed: AtomicBool,
    result: Mutex<Option<tantivy::Result<Vec<Ranked>>>>,
    done: Condvar,
}

/// The documents ranked `offset .. offset + limit` by the OR of `clauses` (their summed
/// scores), best first.
pub(crate) fn top_by_score(
    searcher: &Searcher,
    clauses: &[Box<dyn Query>],
    limit: usize,
    offset: usize,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    top_by_score_from(searcher, clauses, limit, offset, PARALLEL_MIN_DOCS)
}

/// [`top_by_score`], on two threads from `parallel_min_docs` documents.
fn top_by_score_from(
    searcher: &Searcher,
    clauses: &[Box<dyn Query>],
    limit: usize,
    offset: usize,
    parallel_min_docs: u32,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    let k = limit.saturating_add(offset);
    if limit == 0 || clauses.is_empty() {
        return Ok(Vec::new());
    }
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    let union = BooleanQuery::new(
        clauses
            .iter()
            .map(|c| (Occur::Should, c.box_clone()))
            .collect(),
    );
    let weights = Arc::new(Weights {
        union: union.weight(scoring)?,
        clauses: clauses
            .iter()
            .map(|c| c.weight(scoring))
            .collect::<tantivy::Result<_>>()?,
    });
    let mut segments = Vec::with_capacity(searcher.segment_readers().len());
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let ord = u32::try_from(ord).map_err(|_| {
            tantivy::TantivyError::InternalError("more than 2^32 segments".to_owned())
        })?;
        segments.push((ord, reader.clone()));
    }
    let docs: u32 = segments.iter().map(|(_, r)| r.max_doc()).sum();
    let queue = Arc::new(SegmentQueue::new(segments));
    let shared = Arc::new(SharedThreshold::new());
    let mut ranked = match helper() {
        Some(helper) if queue.segments.len() > 1 && docs >= parallel_min_docs => {
            let handoff = Arc::new(Handoff {
                claimed: AtomicBool::new(false),
                result: Mutex::new(None),
                done: Condvar::new(),
            });
            let job: Job = {
                let (weights, queue, shared) = (weights.clone(), queue.clone(), shared.clone());
                let handoff = handoff.clone();
                Box::new(move || {
                    if !handoff.claimed.swap(true, Atomic::AcqRel) {
                        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            walk(&weights, &queue, k, &shared)
                        }))
                        .unwrap_or_else(|_| {
                            Err(tantivy::TantivyError::InternalError(
                                "search helper panicked".into(),
                            ))
                        });
                        if let Ok(mut slot) = handoff.result.lock() {
                            *slot = Some(r);
                        }
                        handoff.done.notify_one();
                    }
                })
            };
            let sent = helper
                .lock()
                .map(|tx| tx.send(job).is_ok())
                .unwrap_or(false);
            let mut ranked = walk(&weights, &queue, k, &shared)?;
            // The queue is empty: if the helper has not started, it never will.
            if sent && handoff.claimed.swap(true, Atomic::AcqRel) {
                let poisoned = || tantivy::TantivyError::InternalError("search helper".into());
                let mut slot = handoff.result.lock().map_err(|_| poisoned())?;
                let other = loop {
                    if let Some(r) = slot.take() {
                        break r?;
                    }
                    slot = handoff.done.wait(slot).map_err(|_| poisoned())?;
                };
                ranked.extend(other);
            }
            ranked
        }
        _ => walk(&weights, &queue, k, &shared)?,
    };
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    Ok(ranked
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|r| (r.score, r.addr))
        .collect())
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::indexer::NoMergePolicy;
    use tantivy::query::{BoostQuery, TermQuery};
    use tantivy::schema::{Field, IndexRecordOption, STORED, Schema, TEXT};
    use tantivy::{Index, IndexWriter, Term, doc};

    use super::*;

    /// An index of several segments (no merges), with duplicate texts (ties) and deletes.
    fn segmented_index() -> (Index, tantivy::schema::Field, tantivy::schema::Field) {
        let mut builder = Schema::builder();
        let body = builder.add_text_field("body", TEXT);
        let id = builder.add_u64_field("id", tantivy::schema::INDEXED | STORED);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .unwrap_or_else(|e| panic!("{e}"));
        writer.set_merge_policy(Box::new(NoMergePolicy));
        let words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"];
        let mut n = 0u64;
        for segment in 0..6 {
            for i in 0..300u64 {
                // Texts repeat across segments, so many documents tie exactly.
                let mut text = String::new();
                for (w, word) in words.iter().enumerate() {
                    let times = (i * (w as u64 + 3) + segment) % 4;
                    for _ in 0..times {
                        text.push_str(word);
                        text.push(' ');
                    }
                }
                text.push_str(&"filler ".repeat(usize::try_from(i % 7).unwrap_or(0)));
                writer
                    .add_document(doc!(body => text, id => n))
                    .unwrap_or_else(|e| panic!("{e}"));
                n += 1;
            }
            writer.commit().unwrap_or_else(|e| panic!("{e}"));
        }
        for gone in [5u64, 310, 311, 900, 1500] {
            writer.delete_term(Term::from_field_u64(id, gone));
        }
        writer.commit().unwrap_or_else(|e| panic!("{e}"));
        (index, body, id)
    }

    /// Equal rankings: a later segment is walked from another threshold, so a score may be
    /// summed in another order (a last-bit difference); within such a tie band either
    /// document may come first.
    /// `got` ranks as tantivy's `expected` does: the same scores rank by rank (to float noise:
    /// the two sum a document's terms in different orders), and where the documents differ,
    /// they tie.
    fn assert_same_ranking(
        got: &[(Score, DocAddress)],
        expected: &[(Score, DocAddress)],
        what: &str,
    ) {
        assert_eq!(got.len(), expected.len(), "{what}");
        for (i, ((gs, _), (es, _))) in got.iter().zip(expected).enumerate() {
            assert!(close(*gs, *es), "{what}: rank {i}: {gs} vs {es}");
        }
        let mut seen = std::collections::HashSet::new();
        assert!(
            got.iter().all(|(_, a)| seen.insert(*a)),
            "{what}: a document twice"
        );
    }

    fn close(a: Score, b: Score) -> bool {
        (a - b).abs() <= 1e-5 * a.abs().max(1.0)
    }

    /// Every document of `got` scores what it says by the OR of `clauses` (tantivy's own
    /// explanation), so a tie at a page's edge is a real tie and not a wrong document.
    fn assert_true_scores(
        searcher: &Searcher,
        clauses: &[Box<dyn Query>],
        got: &[(Score, DocAddress)],
        what: &str,
    ) {
        let union = BooleanQuery::new(
            clauses
                .iter()
                .map(|c| (Occur::Should, c.box_clone()))
                .collect(),
        );
        for (score, addr) in got {
            let explained = union
                .explain(searcher, *addr)
                .unwrap_or_else(|e| panic!("{what}: {addr:?}: {e}"))
                .value();
            assert!(
                close(*score, explained),
                "{what}: {addr:?}: {score} vs {explained}"
            );
        }
    }

    /// The OR of `text`'s words, boosted 1, 3, 1, 3, … as the search's fields are.
    fn or_of_words(body: Field, text: &str) -> Vec<Box<dyn Query>> {
        text.split_whitespace()
            .enumerate()
            .map(|(n, w)| {
                let term =
                    TermQuery::new(Term::from_field_text(body, w), IndexRecordOption::WithFreqs);
                Box::new(BoostQuery::new(Box::new(term), [1.0, 3.0][n % 2])) as Box<dyn Query>
            })
            .collect()
    }

    /// What tantivy's own collector finds for the OR of `clauses`.
    fn top_docs(
        searcher: &Searcher,
        clauses: &[Box<dyn Query>],
        limit: usize,
        offset: usize,
    ) -> Vec<(Score, DocAddress)> {
        let union = BooleanQuery::new(
            clauses
                .iter()
                .map(|c| (Occur::Should, c.box_clone()))
                .collect(),
        );
        searcher
            .search(
                &union,
                &TopDocs::with_limit(limit)
                    .and_offset(offset)
                    .order_by_score(),
            )
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn ranks_as_top_docs_does_over_segments_ties_and_deletes() {
        let (index, body, _) = segmented_index();
        let searcher = index.reader().unwrap_or_else(|e| panic!("{e}")).searcher();
        assert!(searcher.segment_readers().len() >= 6);
        for text in [
            "alpha",
            "alpha beta",
            "gamma delta zeta",
            "beta epsilon filler",
            "nothing",
        ] {
            let clauses = or_of_words(body, text);
            for (limit, offset) in [(1, 0), (10, 0), (10, 20), (50, 7), (3000, 0)] {
                let expected = top_docs(&searcher, &clauses, limit, offset);
                for parallel_min_docs in [0, u32::MAX] {
                    let got =
                        top_by_score_from(&searcher, &clauses, limit, offset, parallel_min_docs)
                            .unwrap_or_else(|e| panic!("{e}"));
                    let what = format!("{text} {limit} {offset} {parallel_min_docs}");
                    assert_same_ranking(&got, &expected, &what);
                    assert_true_scores(&searcher, &clauses, &got, &what);
                }
            }
        }
    }

    /// One segment of 30,000 documents over words of very different frequencies, in runs (as
    /// the index's topic order makes them): many postings blocks, windows skipped and not.
    #[test]
    fn ranks_as_top_docs_does_over_many_blocks() {
        let mut builder = Schema::builder();
        let body = builder.add_text_field("body", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 50_000_000)
            .unwrap_or_else(|e| panic!("{e}"));
        let words = ["common", "often", "sometimes", "rare", "runs", "never"];
        let mut seed = 42u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            seed >> 33
        };
        for n in 0..30_000u64 {
            let mut text = String::new();
            for (w, word) in words.iter().enumerate() {
                let likely = match w {
                    0 => 70,
                    1 => 30,
                    2 => 8,
                    3 => 1,
                    // Dense in a few runs of documents, absent elsewhere.
                    4 if (n / 1000) % 7 == 3 => 90,
                    _ => 0,
                };
                for _ in 0..(next() % 4) {
                    if next() % 100 < likely {
                        text.push_str(word);
                        text.push(' ');
                    }
                }
            }
            for _ in 0..(next() % 12) {
                text.push_str("filler ");
            }
            writer
                .add_document(doc!(body => text))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        writer.commit().unwrap_or_else(|e| panic!("{e}"));
        let searcher = index.reader().unwrap_or_else(|e| panic!("{e}")).searcher();
        for text in [
            "common often",
            "rare common",
            "runs often sometimes",
            "common often sometimes rare runs never",
            "sometimes runs",
            // Sparse alone: windows as wide as they may be; "never" is in no document.
            "rare never",
            "never",
        ] {
            let clauses = or_of_words(body, text);
            for (limit, offset) in [(1, 0), (10, 0), (100, 0), (10, 500)] {
                let expected = top_docs(&searcher, &clauses, limit, offset);
                let got = top_by_score_from(&searcher, &clauses, limit, offset, u32::MAX)
                    .unwrap_or_else(|e| panic!("{e}"));
                let what = format!("{text} {limit} {offset}");
                assert_same_ranking(&got, &expected, &what);
                assert_true_scores(&searcher, &clauses, &got, &what);
            }
        }
    }

    #[test]
    fn concurrent_searches_share_the_helper_and_rank_alike() {
        let (index, body, _) = segmented_index();
        let searcher = index.reader().unwrap_or_else(|e| panic!("{e}")).searcher();
        let queries: Vec<_> = ["alpha beta", "gamma", "delta zeta filler", "epsilon alpha"]
            .iter()
            .map(|t| or_of_words(body, t))
            .collect();
        let expected: Vec<_> = queries
            .iter()
            .map(|q| top_docs(&searcher, q, 10, 0))
            .collect();
        std::thread::scope(|scope| {
            for t in 0..6 {
                let (searcher, queries, expected) = (&searcher, &queries, &expected);
                scope.spawn(move || {
                    for round in 0..40 {
                        let n = (t + round) % queries.len();
                        let got = top_by_score_from(searcher, &queries[n], 10, 0, 0)
                            .unwrap_or_else(|e| panic!("{e}"));
                        assert_same_ranking(&got, &expected[n], &format!("query {n}"));
                    }
                });
            }
        });
    }

    #[test]
    fn a_zero_limit_finds_nothing() {
        let (index, body, _) = segmented_index();
        let searcher = index.reader().unwrap_or_else(|e| panic!("{e}")).searcher();
        let got = top_by_score(&searcher, &or_of_words(body, "alpha"), 0, 5)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(got.is_empty());
    }
}
