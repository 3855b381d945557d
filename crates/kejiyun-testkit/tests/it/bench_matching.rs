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

fn realistic_mini() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../kejiyun-corpus/tests/fixtures/realistic-mini")
}

#[test]
fn realistic_set_without_the_model_skips_the_embedding_rankers_and_says_so() {
    use kejiyun::bench_realistic::{markdown, measure};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let b = measure(&realistic_mini(), &dir.path().join("e5-small-q4.bin"))
        .unwrap_or_else(|e| panic!("{e}"));
    let table = markdown(&b);
    println!("{table}");
    let names: Vec<&str> = b
        .measured
        .iter()
        .map(|m| m.report.ranker.as_str())
        .collect();
    assert_eq!(
        names,
        ["BM25 baseline", "Kejiyun matcher (tantivy + jieba)"],
        "{table}"
    );
    for m in &b.measured {
        assert_eq!(m.report.overall.needs, 3, "{table}");
        // 黄龙病, 小程序 … are literal in the fixture: every ranker finds something.
        assert!(m.report.overall.scores.mrr > 0.3, "{table}");
    }
    assert!(b.embed_skipped.is_some());
    assert!(table.contains("multilingual-e5-small: SKIPPED"), "{table}");
    assert!(table.contains("scripts/fetch-model"), "{table}");
    assert!(table.contains("| BM25 baseline |"), "{table}");
    assert!(table.contains("| colloquial |"), "{table}");
    assert!(table.contains("6 documents (3 services, 2 achievements, 1 tech workers)"));
}

#[test]
fn realistic_set_with_the_model_adds_the_embedding_rankers() {
    use kejiyun::bench_realistic::{markdown, measure};
    let Some(model) = kejiyun_embed::model_for_tests() else {
        return;
    };
    let b = measure(&realistic_mini(), &model).unwrap_or_else(|e| panic!("{e}"));
    let table = markdown(&b);
    println!("{table}");
    assert!(b.embed_skipped.is_none(), "{table}");
    // BM25, the matcher, e5 f32 and int8, the two fusions of the matcher with e5, and the
    // server's matching with stored vectors.
    assert_eq!(b.measured.len(), 7, "{table}");
    for m in &b.measured[2..] {
        let r = &m.report.ranker;
        assert!(
            r.starts_with("multilingual-e5-small")
                || r.starts_with("hybrid")
                || r.starts_with("Kejiyun matching as served"),
            "{r}"
        );
        assert_eq!(m.report.overall.needs, 3);
        assert!(m.report.overall.scores.mrr > 0.3, "{table}");
    }
    assert!(table.contains("Strong matches"), "{table}");
}
