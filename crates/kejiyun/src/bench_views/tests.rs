use super::*;

fn naive(backend: &'static str, views: u64) -> Naive {
    Naive {
        backend,
        settings: String::new(),
        pool: 1,
        views,
        elapsed: Duration::from_secs(1),
        verified: true,
    }
}

fn report(on: u64, off: u64, counted: i64) -> ViewsReport {
    let drive = |n| Drive {
        requests: n,
        ok: n,
        elapsed: Duration::from_secs(1),
    };
    ViewsReport {
        connections: 4,
        seconds: 2,
        cores: 2,
        memory_gb: Some(8.0),
        resource: 1,
        on: drive(on),
        off: drive(off),
        median_pair_cost: 0.0,
        alone: Alone {
            threads: 2,
            views: 1_000_000,
            elapsed: Duration::from_secs(1),
        },
        answered: on,
        counted,
        pending: 0,
        sqlite: naive("SQLite", 50),
        postgres: Err("not measured".into()),
    }
}

#[test]
fn verdicts_follow_the_targets() {
    let r = report(9_800, 10_000, 9_800);
    assert!(r.verified());
    assert!((r.cost() - 0.02).abs() < 1e-9);
    assert!(r.cost_met() && r.ratio_met(), "{}", r.markdown());
    assert!(
        r.markdown()
            .contains("| counted ÷ naive, SQLite |  | 196× |")
    );

    let slow = report(9_000, 10_000, 9_000);
    assert!(!slow.cost_met());
    let lost = report(9_800, 10_000, 9_799);
    assert!(!lost.verified() && !lost.ratio_met());
    assert!(lost.markdown().contains("MISMATCH"));
}
