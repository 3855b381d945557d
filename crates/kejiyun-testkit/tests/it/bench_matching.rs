//! `kejiyun bench corpus` and `kejiyun bench matching` on a small corpus: the JSONL keeps the
//! hidden labels apart, and no ranker falls below its committed scores
//! (crates/kejiyun-corpus/data/baseline.toml).

use kejiyun::bench_corpus::{CorpusOptions, markdown, measure, run_corpus};
use kejiyun_corpus::baseline::Baseline;

#[test]
fn corpus_jsonl_has_every_posting_and_hidden_labels_apart() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("corpus.jsonl");
    let n = run_corpus(&CorpusOptions {
        size: 300,
        seed: 9,
        out: out.clone(),
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 300);
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 300);
    assert_eq!(lines[299]["id"], 300);
    for l in &lines {
        assert!(l["hidden_subtopic"].is_string() && l["hidden_topic"].is_string());
        assert!(l["region"].as_str().is_some_and(|r| r.starts_with("51")));
    }
}

#[test]
fn rankers_hold_their_committed_scores() {
    let base = Baseline::builtin().unwrap_or_else(|e| panic!("{e}"));
    let measured = measure(base.size, base.seed).unwrap_or_else(|e| panic!("{e}"));
    let table = markdown(base.size, base.seed, &measured);
    println!("{table}");
    for b in &base.ranker {
        let m = measured
            .iter()
            .find(|m| m.report.ranker == b.name)
            .unwrap_or_else(|| panic!("{} is not in bench_corpus::rankers()", b.name));
        let o = &m.report.overall;
        assert!(o.queries >= 300, "{} queries scored", o.queries);
        assert!(
            o.ndcg10 >= b.ndcg10 - base.tolerance,
            "{}: nDCG@10 {:.3} < committed {:.3}\n{table}",
            b.name,
            o.ndcg10,
            b.ndcg10
        );
        assert!(
            o.recall10 >= b.recall10 - base.tolerance,
            "{}: recall@10 {:.3} < committed {:.3}\n{table}",
            b.name,
            o.recall10,
            b.recall10
        );
    }
}
