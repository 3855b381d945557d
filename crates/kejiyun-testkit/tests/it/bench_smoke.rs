//! `kejiyun bench stats` on a small run: the numbers it returns are sane.

use kejiyun::bench::{StatsBenchOptions, run_stats};

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
