//! `kejiyun bench search` with Kejiyun alone (`--peers none`) on a few thousand postings: the
//! table comes out with one sane row. The peers are not installed in CI.

use kejiyun::bench_search::{SearchBenchOptions, run};

#[test]
fn kejiyun_side_of_bench_search_gives_a_sane_table() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let report = run(&SearchBenchOptions {
        size: 3_000,
        seed: 1,
        peers: Vec::new(),
        python: "python3".into(),
        script: "bench/search/peers.py".into(),
        work_dir: Some(dir.path().to_path_buf()),
        rounds: 1,
        postgres_url: None,
        keep_segments: false,
        pairwise: true,
    })
    .unwrap_or_else(|e| panic!("{e:#}"));
    let md = &report.markdown;
    println!("{md}");
    assert_eq!(report.rows.len(), 1, "{md}");
    let k = &report.rows[0];
    assert_eq!(k.name, "Kejiyun");
    assert!(k.search.len() >= 300 && !k.matching.is_empty(), "{md}");
    assert!(k.docs_per_s.is_some_and(|d| d > 100.0), "{md}");
    assert!(k.index_mb.is_some_and(|m| m > 0.0), "{md}");
    assert!(k.rss_mb.is_some(), "{md}");
    let s = k
        .search_quality
        .unwrap_or_else(|| panic!("no search quality\n{md}"));
    let m = k
        .match_quality
        .unwrap_or_else(|| panic!("no matching quality\n{md}"));
    for q in [s, m] {
        assert!(q.recall10 > 0.2 && q.recall10 <= 1.0, "{md}");
        assert!(q.ndcg10 > 0.2 && q.ndcg10 <= 1.0, "{md}");
    }
    assert!(
        md.contains("| Kejiyun |") && md.contains("RSS per 1M postings"),
        "{md}"
    );
    // Without peers nothing touches the peers' files.
    assert!(!dir.path().join("corpus.jsonl").exists());
}
