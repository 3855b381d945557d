//! Developer tool: for each query, its terms' document counts in the search field and what
//! tantivy's block-max WAND does with them (the fallback walk of `top.rs`; the search box uses
//! MaxScore) — documents offered to the collector, time — on an index directory `search_replay`
//! (in the `kejiyun` crate) kept.
//! `cargo run --release -p kejiyun-search --example explain_query -- DIR "query" …`

use std::time::Instant;

use kejiyun_search::Analyzer;
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, Term};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(dir) = args.get(1) else {
        return Err("usage: explain_query INDEX_DIR QUERY…".into());
    };
    let index = Index::open_in_dir(dir)?;
    let field = index.schema().get_field("s_text")?;
    let searcher = index.reader()?.searcher();
    let analyzer = Analyzer::new();
    println!(
        "segments {} docs {}",
        searcher.segment_readers().len(),
        searcher.num_docs()
    );
    for q in args.iter().skip(2) {
        let terms = analyzer.query_terms(q);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut line = String::new();
        for t in &terms {
            let term = Term::from_field_text(field, t);
            line.push_str(&format!(" {t}:{}", searcher.doc_freq(&term)?));
            clauses.push((
                Occur::Should,
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
            ));
        }
        let query = BooleanQuery::new(clauses);
        for _ in 0..3 {
            let weight = query.weight(EnableScoring::enabled_from_searcher(&searcher))?;
            let t = Instant::now();
            let mut offered = 0u64;
            let mut heap: Vec<f32> = Vec::new();
            let mut threshold = f32::MIN;
            for reader in searcher.segment_readers() {
                weight.for_each_pruning(threshold, reader, &mut |_, s| {
                    offered += 1;
                    heap.push(s);
                    heap.sort_by(|a, b| b.total_cmp(a));
                    heap.truncate(10);
                    if heap.len() == 10 {
                        threshold = heap[9];
                    }
                    threshold
                })?;
            }
            println!(
                "{q}: {:.3} ms, offered {offered}, kth {threshold:.3}, top {:.3} |{line}",
                t.elapsed().as_secs_f64() * 1e3,
                heap.first().copied().unwrap_or_default()
            );
        }
    }
    Ok(())
}
