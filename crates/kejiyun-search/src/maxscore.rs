//! Block-max MaxScore over windows, for a flat OR of term queries (the search box's and the
//! matcher's queries). tantivy's block-max WAND re-sorts its terms and picks a pivot for every
//! candidate document; where one topic's postings sit together (the index is sorted so that
//! they do) nearly every document is a candidate, and that bookkeeping was most of a slow
//! search's time. Here the segment is cut into windows that end where the first of the terms'
//! current postings blocks ends, so every term's block maximum holds across the whole window:
//! a window whose maxima cannot beat the k-th best score is skipped; otherwise the terms whose
//! maxima together cannot beat it are "non-essential", the others are summed term by term into
//! a per-window array, and a non-essential term is looked up only for a document whose sum
//! could still win. Lucene ≥ 9.9 scores disjunctions the same way (MaxScoreBulkScorer).

use tantivy::query::{Scorer, TermScorer};
use tantivy::{DocId, DocSet, Score, TERMINATED};

/// The widest window, in document ids (bounds the per-window arrays).
const WINDOW: u32 = 4096;

/// Bounds are sums of `f32` maxima, taken in `f64` and widened by this much, so that rounding
/// in a document's own `f32` sum can never put it above a bound that pruned it.
const SLACK: f64 = 1.0 + 1e-5;

/// Whether a document bounded by `bound` cannot score above `threshold`.
fn cannot_beat(bound: f64, threshold: Score) -> bool {
    bound * SLACK <= f64::from(threshold)
}

/// Calls `callback` with every document of the segment whose summed score over `scorers`
/// beats `threshold`, in increasing document order, as `Weight::for_each_pruning` does;
/// `callback` returns the new threshold. Documents scoring no more than the threshold may be
/// skipped without being scored.
pub(crate) fn for_each_pruning(
    scorers: Vec<TermScorer>,
    threshold: Score,
    callback: &mut dyn FnMut(DocId, Score) -> Score,
) {
    let terms: Vec<Cursor> = scorers
        .into_iter()
        .filter(|s| s.doc() != TERMINATED)
        .map(|scorer| Cursor {
            scorer,
            stale: false,
            bound: 0.0,
        })
        .collect();
    BUFFERS.with_borrow_mut(|buffers| {
        if !buffers.clean {
            buffers.sums = vec![0.0; WINDOW as usize];
            buffers.seen = vec![0; (WINDOW / 64) as usize];
        }
        buffers.clean = false;
        walk_windows(terms, threshold, buffers, callback);
        // Every window leaves its slots zeroed; a panic in `callback` would not.
        buffers.clean = true;
    });
}

/// One thread's per-window sums (in `f64`: the sum of a few BM25 terms is then exact, or
/// nearly, in whatever order they were added, so equal documents get equal scores) and the bitset of the documents that have one, all zero
/// between windows; allocated once per thread, as zeroing them per segment cost a tenth of a
/// search.
struct Buffers {
    sums: Vec<f64>,
    seen: Vec<u64>,
    clean: bool,
}

thread_local! {
    static BUFFERS: std::cell::RefCell<Buffers> = const {
        std::cell::RefCell::new(Buffers { sums: Vec::new(), seen: Vec::new(), clean: false })
    };
}

fn walk_windows(
    mut terms: Vec<Cursor>,
    mut threshold: Score,
    Buffers { sums, seen, .. }: &mut Buffers,
    callback: &mut dyn FnMut(DocId, Score) -> Score,
) {
    // The order of the window's terms by their bound, weakest first.
    let mut order: Vec<usize> = Vec::with_capacity(terms.len());
    let Some(mut start) = terms.iter().map(|t| t.scorer.doc()).min() else {
        return;
    };
    loop {
        // Every term's skip list on the block that holds `start` (or the first after it),
        // without decoding it; a last block is decoded, to know where its term ends.
        for t in terms.iter_mut() {
            if t.stale || t.scorer.doc() < start {
                t.scorer.seek_block(start);
                t.stale = true;
            }
            if t.stale && t.scorer.last_doc_in_block() == TERMINATED {
                t.scorer.seek(start);
                t.stale = false;
            }
        }
        if terms
            .iter()
            .any(|t| !t.stale && t.scorer.doc() == TERMINATED)
        {
            terms.retain(|t| t.stale || t.scorer.doc() != TERMINATED);
        }
        if terms.is_empty() {
            return;
        }
        // The window ends where the first of its terms' blocks ends.
        let mut end = start.saturating_add(WINDOW);
        for t in &terms {
            end = end.min(t.scorer.last_doc_in_block().saturating_add(1));
        }
        let mut total = 0.0f64;
        for t in terms.iter_mut() {
            t.bound = if !t.stale && t.scorer.doc() >= end {
                0.0
            } else {
                t.scorer.block_max_score()
            };
            total += f64::from(t.bound);
        }
        if !cannot_beat(total, threshold) {
            threshold = score_window(
                &mut terms,
                &mut order,
                (start, end),
                threshold,
                (sums, seen),
                callback,
            );
        }
        // Every document before `end` is done.
        start = if terms.iter().any(|t| t.stale) {
            end
        } else {
            terms
                .iter()
                .map(|t| t.scorer.doc())
                .min()
                .unwrap_or(TERMINATED)
                .max(end)
        };
        if start == TERMINATED {
            return;
        }
    }
}

/// A term's scorer, and whether its skip list has moved past the block it decoded last (then
/// its `doc()` is stale until the next `seek`).
struct Cursor {
    scorer: TermScorer,
    stale: bool,
    /// Its block maximum in the current window (0 when it has no document there).
    bound: Score,
}

impl Cursor {
    /// Decodes as needed and moves to the first document at or after `doc`.
    fn seek(&mut self, doc: DocId) -> DocId {
        if self.stale || self.scorer.doc() < doc {
            self.stale = false;
            self.scorer.seek(doc)
        } else {
            self.scorer.doc()
        }
    }
}

/// Scores the documents of the window `[start, end)` that can beat `threshold`; returns the
/// threshold after them.
fn score_window(
    terms: &mut [Cursor],
    order: &mut Vec<usize>,
    (start, end): (DocId, DocId),
    mut threshold: Score,
    (sums, seen): (&mut [f64], &mut [u64]),
    callback: &mut dyn FnMut(DocId, Score) -> Score,
) -> Score {
    order.clear();
    order.extend((0..terms.len()).filter(|&n| terms[n].bound > 0.0));
    order.sort_unstable_by(|&a, &b| terms[a].bound.total_cmp(&terms[b].bound));
    // The weakest terms whose maxima together cannot beat the threshold: looked up only for
    // the documents the others found.
    let mut optional = 0.0f64;
    let mut split = 0;
    for &n in order.iter() {
        let with = optional + f64::from(terms[n].bound);
        if !cannot_beat(with, threshold) {
            break;
        }
        optional = with;
        split += 1;
    }
    let (non_essential, essential) = order.split_at(split);
    for &n in essential {
        let t = &mut terms[n];
        let mut doc = t.seek(start);
        while doc < end {
            let i = (doc - start) as usize;
            sums[i] += f64::from(t.scorer.score());
            seen[i / 64] |= 1 << (i % 64);
            doc = t.scorer.advance();
        }
    }
    let words = (end - start).div_ceil(64) as usize;
    for (w, word) in seen.iter_mut().enumerate().take(words) {
        let mut bits = std::mem::take(word);
        while bits != 0 {
            let i = w * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let doc = start + i as u32;
            let mut score = std::mem::take(&mut sums[i]);
            // The non-essential terms, strongest first, while the rest could still win.
            let mut rest = optional;
            let mut possible = true;
            for &n in non_essential.iter().rev() {
                if cannot_beat(score + rest, threshold) {
                    possible = false;
                    break;
                }
                let t = &mut terms[n];
                if t.seek(doc) == doc {
                    score += f64::from(t.scorer.score());
                }
                rest -= f64::from(t.bound);
            }
            // Rounded once, from a sum that is exact or nearly so whatever the order its
            // terms were added in: documents that tie, tie.
            let score = score as Score;
            if possible && score > threshold {
                threshold = callback(doc, score);
            }
        }
    }
    threshold
}
