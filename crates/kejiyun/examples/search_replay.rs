//! Developer tool: times the relevance set's searches (`top_ids`, k = 10) on a kept 1M index,
//! so a ranking change can be measured in a minute instead of a full `bench search`.
//! `cargo run --release --example search_replay -- DIR [SIZE] [ROUNDS]`: builds the index in
//! DIR first when DIR holds none. `ONLY=text` times only the queries containing `text` (for
//! `perf record`). `POLLUTE_MB=64` writes over that many megabytes between two searches, as a
//! peer's work between two of Kejiyun's searches does in `bench search` (cold CPU caches).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kejiyun::bench_corpus::sichuan_counties;
use kejiyun::bench_ranker::KejiyunRanker;
use kejiyun::bench_search::pct;
use kejiyun_corpus::relevance::Ask;
use kejiyun_corpus::{RelevanceSet, generate, load};
use kejiyun_search::{Analyzer, SearchIndex};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(args.get(1).map_or("/tmp/replay-index", String::as_str));
    let size: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let rounds: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20);
    if !dir.join("meta.json").exists() {
        let regions = sichuan_counties()?;
        let mut ranker = KejiyunRanker::on_disk(&dir).map_err(|e| anyhow::anyhow!("{e}"))?;
        let postings = generate(size, 1, &regions).map_err(anyhow::Error::msg)?;
        let (_, took) = load(&mut ranker, postings).map_err(|e| anyhow::anyhow!("{e}"))?;
        eprintln!("built in {:.1} s", took.as_secs_f64());
    }
    let index = SearchIndex::open(&dir, Analyzer::new()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let set = RelevanceSet::builtin().map_err(anyhow::Error::msg)?;
    let only = std::env::var("ONLY").ok();
    let queries: Vec<&str> = set
        .entries
        .iter()
        .filter_map(|e| match &e.ask {
            Ask::Search(q) => Some(q.as_str()),
            Ask::Need(_) => None,
        })
        .filter(|q| only.as_deref().is_none_or(|o| q.contains(o)))
        .collect();
    let pollute_mb: usize = std::env::var("POLLUTE_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut pollution = vec![0u8; pollute_mb << 20];
    let mut per_query: Vec<Vec<Duration>> = vec![Vec::new(); queries.len()];
    let mut all = Vec::new();
    for round in 0..=rounds {
        for (n, q) in queries.iter().enumerate() {
            for (i, b) in pollution.iter_mut().enumerate().step_by(64) {
                *b = b.wrapping_add(i as u8);
            }
            std::hint::black_box(&pollution);
            let t = Instant::now();
            let hits = index.top_ids(q, 10).map_err(|e| anyhow::anyhow!("{e}"))?;
            let took = t.elapsed();
            std::hint::black_box(hits);
            if round > 0 {
                per_query[n].push(took);
                all.push(took);
            }
        }
    }
    println!(
        "{} queries x {rounds}: p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  mean {:.3} ms",
        queries.len(),
        pct(&all, 50).as_secs_f64() * 1e3,
        pct(&all, 90).as_secs_f64() * 1e3,
        pct(&all, 99).as_secs_f64() * 1e3,
        all.iter().sum::<Duration>().as_secs_f64() * 1e3 / all.len() as f64
    );
    let mut medians: Vec<(Duration, &str)> = per_query
        .iter()
        .zip(&queries)
        .map(|(v, q)| (pct(v, 50), *q))
        .collect();
    medians.sort_by(|a, b| b.cmp(a));
    for (d, q) in medians.iter().take(15) {
        println!("{:8.3} ms  {q}", d.as_secs_f64() * 1e3);
    }
    Ok(())
}
