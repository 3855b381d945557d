//! The best documents of a query by score, across segments. tantivy's `TopDocs` starts each
//! segment's block-max WAND from nothing and merges afterwards; here each segment starts from
//! the k-th best score the earlier segments found, so WAND skips every block of a later segment
//! that cannot beat it. A live index holds several segments between merges (each indexer
//! commit adds one), so the later ones cost little. Same results, same order as
//! `TopDocs::order_by_score`: best first, ties to the lower document address.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, Score, Searcher};

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

/// The documents ranked `offset .. offset + limit` by `query`'s score, best first.
pub(crate) fn top_by_score(
    searcher: &Searcher,
    query: &dyn Query,
    limit: usize,
    offset: usize,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    let k = limit.saturating_add(offset);
    if limit == 0 {
        return Ok(Vec::new());
    }
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    // A min-heap of the best `k` so far: its top is the one to beat.
    let mut best: BinaryHeap<Reverse<Ranked>> = BinaryHeap::with_capacity(k.min(4096) + 1);
    let mut threshold = Score::MIN;
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let segment = u32::try_from(ord).map_err(|_| {
            tantivy::TantivyError::InternalError("more than 2^32 segments".to_owned())
        })?;
        let alive = reader.alive_bitset();
        // Called only for documents scoring above `threshold`, in increasing doc order, so a
        // later document that ties with the k-th best loses to it, as the lower address should.
        weight.for_each_pruning(threshold, reader, &mut |doc, score| {
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                return threshold;
            }
            best.push(Reverse(Ranked {
                score,
                addr: DocAddress::new(segment, doc),
            }));
            if best.len() > k {
                best.pop();
            }
            if best.len() == k
                && let Some(Reverse(kth)) = best.peek()
            {
                threshold = kth.score;
            }
            threshold
        })?;
    }
    let mut ranked: Vec<Ranked> = best.into_iter().map(|Reverse(r)| r).collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    Ok(ranked
        .into_iter()
        .skip(offset)
        .map(|r| (r.score, r.addr))
        .collect())
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::indexer::NoMergePolicy;
    use tantivy::query::QueryParser;
    use tantivy::schema::{STORED, Schema, TEXT};
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
    fn assert_same_ranking(
        got: &[(Score, DocAddress)],
        expected: &[(Score, DocAddress)],
        what: &str,
    ) {
        assert_eq!(got.len(), expected.len(), "{what}");
        let close = |a: Score, b: Score| (a - b).abs() <= 1e-5 * a.abs().max(1.0);
        for (i, ((gs, ga), (es, ea))) in got.iter().zip(expected).enumerate() {
            assert!(close(*gs, *es), "{what}: rank {i}: {gs} vs {es}");
            if ga != ea {
                let tie = expected.iter().any(|(s, a)| a == ga && close(*s, *es));
                assert!(tie, "{what}: rank {i}: {ga:?} vs {ea:?}");
            }
        }
    }

    #[test]
    fn ranks_as_top_docs_does_over_segments_ties_and_deletes() {
        let (index, body, _) = segmented_index();
        let searcher = index.reader().unwrap_or_else(|e| panic!("{e}")).searcher();
        assert!(searcher.segment_readers().len() >= 6);
        let parser = QueryParser::for_index(&index, vec![body]);
        for text in [
            "alpha",
            "alpha beta",
            "gamma delta zeta",
            "beta epsilon filler",
            "nothing",
        ] {
            let query = parser.parse_query(text).unwrap_or_else(|e| panic!("{e}"));
            for (limit, offset) in [(1, 0), (10, 0), (10, 20), (50, 7), (3000, 0)] {
                let expected = searcher
                    .search(
                        &query,
                        &TopDocs::with_limit(limit)
                            .and_offset(offset)
                            .order_by_score(),
                    )
                    .unwrap_or_else(|e| panic!("{e}"));
                let got = top_by_score(&searcher, query.as_ref(), limit, offset)
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_same_ranking(&got, &expected, &format!("{text} {limit} {offset}"));
            }
        }
    }

    #[test]
    fn a_zero_limit_finds_nothing() {
        let (index, body, _) = segmented_index();
        let searcher = index.reader().unwrap_or_else(|e| panic!("{e}")).searcher();
        let query = QueryParser::for_index(&index, vec![body])
            .parse_query("alpha")
            .unwrap_or_else(|e| panic!("{e}"));
        let got = top_by_score(&searcher, query.as_ref(), 0, 5).unwrap_or_else(|e| panic!("{e}"));
        assert!(got.is_empty());
    }
}
