//! `kejiyun bench stats`, `kejiyun bench routing` and `kejiyun bench views` on small runs: the
//! numbers they return are sane and the table has its shape (no quality threshold, no timing).

use kejiyun::bench::{StatsBenchOptions, run_stats};
use kejiyun::bench_routing::{RoutingOptions, run as run_routing};
use kejiyun::bench_views::{ViewsOptions, run as run_views};

#[tokio::test]
async fn bench_stats_smoke_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("kejiyun-bench-smoke-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let report = run_stats(&StatsBenchOptions {
        events: 20_000,
        data_dir: Some(dir.clone()),
        database_url: None,
        seed: 7,
    })
    .await
    .expect("bench runs");
    assert_eq!(report.events, 20_000);
    assert_eq!(report.counties, 183, "Sichuan has 183 counties");
    assert!(
        report.cells > 0 && report.cells <= 20_000,
        "{}",
        report.cells
    );
    assert!(report.total_value >= 20_000, "every event adds at least 1");
    assert_eq!(
        report.verify_differences, 0,
        "served cells equal the aggregation"
    );
    assert_eq!(report.levels.len(), 3);
    for l in &report.levels {
        assert!(
            l.runs > 0 && l.p50_ms > 0.0 && l.p50_ms <= l.p99_ms,
            "{l:?}"
        );
    }
    let w = report
        .write_overhead
        .as_ref()
        .expect("write overhead measured");
    assert_eq!(w.samples, 50);
    assert!(w.confirm_deal_p50_ms > 0.0 && w.confirm_posting_p50_ms > 0.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bench_routing_smoke() {
    let report = run_routing(&RoutingOptions {
        experts: 150,
        questions: 20,
        seed: 3,
    })
    .expect("bench runs");
    assert_eq!(
        (report.experts, report.questions, report.seed),
        (150, 20, 3)
    );
    assert!(
        report.scored > 0 && report.scored <= 20,
        "{}",
        report.scored
    );
    for s in [&report.kejiyun, &report.bm25] {
        for m in [s.ndcg5, s.p5, s.recall5] {
            assert!((0.0..=1.0).contains(&m), "{s:?}");
        }
        assert!(s.short_lists <= report.scored, "{s:?}");
    }
    let table = report.markdown();
    println!("{table}");
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.contains("---"))
        .collect();
    assert_eq!(rows.len(), 3, "header and two rankings: {table}");
    assert!(rows[0].contains("nDCG@5") && rows[0].contains("P@5") && rows[0].contains("recall@5"));
    assert!(rows[1].starts_with("| Kejiyun routing") && rows[2].starts_with("| BM25"));
    assert!(
        table.contains("150 experts") && table.contains("20 questions") && table.contains("seed 3")
    );
}

/// One second per measurement: every answered page view is in the store (the exactness check
/// is what this asserts; the rates are not).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_views_smoke() {
    let report = run_views(&ViewsOptions {
        seconds: 1,
        connections: 2,
        postgres: None,
    })
    .await
    .expect("bench runs");
    let table = report.markdown();
    println!("{table}");
    assert!(report.verified(), "counted = answered: {table}");
    assert!(report.on.ok > 0 && report.off.ok > 0, "{table}");
    assert_eq!(report.on.errors() + report.off.errors(), 0, "{table}");
    assert!(report.sqlite.verified && report.sqlite.views > 0, "{table}");
    assert!(report.postgres.is_err(), "no --postgres given");
    for row in [
        "| page, counting on",
        "| page, counting off",
        "| cost of counting |",
        "| counted ÷ naive, SQLite |",
    ] {
        assert!(table.contains(row), "{row}: {table}");
    }
    assert!(table.contains("PostgreSQL not measured"), "{table}");
}
