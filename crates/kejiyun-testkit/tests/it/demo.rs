//! `serve --demo`: months of activity in every 广安市 county, whose figures are exactly the
//! records' (what `kejiyun stats verify` and `rebuild` compute), searchable, loaded once.

use std::collections::BTreeSet;

use chrono::{Duration, Months};
use kejiyun_testkit::{Backend, TestDatabase, backends, client, server_config};
use serde_json::Value;

/// The counties of 广安市.
const COUNTIES: [&str; 6] = ["511602", "511603", "511621", "511622", "511623", "511681"];

async fn get(base: &str, path: &str) -> Value {
    let r = client()
        .get(format!("{base}{path}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn value(group: &Value, metric: &str) -> i64 {
    group["values"][metric].as_i64().unwrap_or_default()
}

async fn demo_on(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let config = server_config(dir.path(), &db.url);
    let server = kejiyun::server::spawn(&config, true)
        .await
        .unwrap_or_else(|e| panic!("{}: demo start: {e:#}", backend.name()));
    let base = server.url();
    let s = &server.services;
    let today = s.now().shanghai_date();
    let half_year_ago = today
        .checked_sub_months(Months::new(6))
        .unwrap_or(today - Duration::days(183));
    let range = format!("region=511600&from={half_year_ago}&to={today}");
    let report = get(&base, &format!("/api/v1/stats?{range}")).await;

    for county in COUNTIES {
        let row = report["by_child_region"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["key"] == county))
            .unwrap_or_else(|| panic!("{county} in the ranking: {report}"));
        assert!(value(row, "needs_published") > 0, "{county}: {row}");
    }
    let months: BTreeSet<&str> = report["by_month"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| value(m, "needs_published") > 0)
        .filter_map(|m| m["key"].as_str())
        .collect();
    // The half-year's six whole months and the one it starts in (perhaps only its last day).
    assert!(months.len() >= 6, "months with needs: {months:?}");
    for metric in [
        "services_published",
        "deals",
        "deal_amount",
        "tech_workers",
        "transfers",
    ] {
        assert!(
            report["metrics"][metric].as_i64() > Some(0),
            "{metric}: {report}"
        );
    }
    let needs = report["metrics"]["needs_published"]
        .as_i64()
        .unwrap_or_default();
    assert!(needs >= 150, "{needs} needs in half a year");

    // 邻水县's volunteers: two teams' worth of people, the morning in the field with its report
    // and 176 + 150 approved minutes.
    let linshui = get(&base, "/api/v1/stats?region=511623").await;
    for (metric, want) in [
        ("volunteers", 15),
        ("teams", 3),
        ("activities", 1),
        ("people_served", 126),
        ("materials_distributed", 380),
        ("service_hours", 326),
        // 科普: six resources of every kind, their readers over the past week, and the
        // county's sharing base.
        ("resources", 6),
        ("resource_views", 145),
        ("bases", 1),
    ] {
        assert_eq!(
            linshui["metrics"][metric].as_i64(),
            Some(want),
            "{metric}: {linshui}"
        );
    }

    // The served figures are the records' figures.
    let diffs = s
        .stats()
        .verify_stats()
        .await
        .unwrap_or_else(|e| panic!("verify: {e}"));
    assert!(diffs.is_empty(), "{}: {diffs:?}", backend.name());
    let all_time = get(&base, "/api/v1/stats?region=511600").await;
    s.stats()
        .rebuild_stats()
        .await
        .unwrap_or_else(|e| panic!("rebuild: {e}"));
    assert_eq!(get(&base, "/api/v1/stats?region=511600").await, all_time);
    assert_eq!(get(&base, &format!("/api/v1/stats?{range}")).await, report);

    // The demo's administrators act as administrators (their passwords, set months ago in
    // the replay, do not expire in the demo; no second factor asked), each in their own duty.
    for (login, role) in [
        ("linshui@kejiyun.demo", "region_admin"),
        ("security@kejiyun.demo", "security_admin"),
        ("audit@kejiyun.demo", "audit_admin"),
    ] {
        let signed_in = s
            .accounts()
            .login(login, kejiyun::demo::DEMO_PASSWORD)
            .await
            .and_then(|sign_in| sign_in.into_session())
            .unwrap_or_else(|e| panic!("{login}: {e}"));
        let (actor, _) = s
            .accounts()
            .authenticate(&signed_in.token)
            .await
            .unwrap_or_else(|e| panic!("{login}: {e}"))
            .unwrap_or_else(|| panic!("{login}: no session"));
        assert!(
            actor.roles().iter().any(|r| r.as_str() == role),
            "{login}: {:?}",
            actor.roles()
        );
    }

    // Searchable before the first request is answered.
    let found = get(&base, "/api/v1/search?q=%E6%9F%91%E6%A9%98").await;
    assert!(found["total"].as_u64() > Some(10), "柑橘: {found}");

    // A second start finds the demo and leaves it.
    let needs_before = get(&base, "/api/v1/needs?per_page=1").await["total"].clone();
    server.stop().await;
    let again = kejiyun::server::spawn(&config, true)
        .await
        .unwrap_or_else(|e| panic!("second start: {e:#}"));
    let needs_after = get(&again.url(), "/api/v1/needs?per_page=1").await["total"].clone();
    assert_eq!(needs_after, needs_before);
    assert!(needs_after.as_u64() > Some(100), "{needs_after}");
    again.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_shows_months_of_every_county_and_its_figures_are_exact() {
    // Side by side: each backend mostly waits for its commits.
    let runs: Vec<_> = backends()
        .into_iter()
        .map(|b| tokio::spawn(demo_on(b)))
        .collect();
    for run in runs {
        if let Err(e) = run.await {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}
