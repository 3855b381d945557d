//! `kejiyun bench stats`: the measurements of issue 5 ("Measured"). Generates counted events
//! deterministically over Sichuan's counties, aggregates them in process, loads the served series with
//! `replace_cells`, times the served queries at county, city and province level, the write
//! overhead of figure maintenance on a deal confirmation, and (when installed) DuckDB
//! aggregating the same events from CSV.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{Days, NaiveDate};
use kejiyun_core::app::{Decision, Services};
use kejiyun_core::market::categories::Category;
use kejiyun_core::market::postings::{NeedInput, PostingKind};
use kejiyun_core::market::quotes::QuoteInput;
use kejiyun_core::moderation::ModerationKind;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::stats::ports::StatsRange;
use kejiyun_core::stats::{Cell, Metric};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::config::Config;

/// The DuckDB version to install for the comparison (not installed by the bench).
pub const DUCKDB_PIP: &str = "pip install duckdb==2.0.1";

/// First day of the generated three years.
const FIRST_DAY: (i32, u32, u32) = (2023, 1, 1);
/// 2023, 2024 (leap) and 2025.
const DAYS: u32 = 365 + 366 + 365;
/// Metrics the generated events count towards.
const METRICS: [Metric; 6] = [
    Metric::ServicesPublished,
    Metric::NeedsPublished,
    Metric::Deals,
    Metric::DealAmount,
    Metric::AchievementsPublished,
    Metric::TechWorkers,
];
/// Categories used by the events (metrics without a category use "").
const CATEGORIES: usize = 8;
const WARMUP: usize = 20;
const REPS: usize = 200;
/// Time budget of one level's served-query samples; slower levels stop early and report how
/// many runs they got.
const LEVEL_BUDGET: Duration = Duration::from_secs(30);
const DEALS: usize = 50;

/// What `kejiyun bench stats` is asked to do.
#[derive(Debug, Clone)]
pub struct StatsBenchOptions {
    pub events: u64,
    /// Where the SQLite database and the CSV export go; default: a new temp dir.
    pub data_dir: Option<PathBuf>,
    /// Database URL; default: SQLite in the data dir.
    pub database_url: Option<String>,
    pub seed: u64,
}

/// Served-query latency at one region level (one sample = `totals` + the three breakdowns).
#[derive(Debug, Clone)]
pub struct LevelTiming {
    pub level: &'static str,
    pub region: RegionCode,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Timed runs (200 unless the level exceeded its time budget).
    pub runs: usize,
}

/// Median latency of a figure-moving write vs a comparable one that moves no figures.
#[derive(Debug, Clone)]
pub struct WriteOverhead {
    pub samples: usize,
    pub confirm_deal_p50_ms: f64,
    pub confirm_posting_p50_ms: f64,
}

/// The numbers of one run.
#[derive(Debug, Clone)]
pub struct StatsBenchReport {
    pub nproc: usize,
    pub backend: String,
    pub data_dir: PathBuf,
    pub events: u64,
    pub counties: usize,
    pub cells: usize,
    /// Served series rows of the cells (region levels × category and all × metric × year).
    pub series: usize,
    /// Sum of every cell (events + deal amounts), to check nothing was lost.
    pub total_value: i64,
    pub aggregate_ms: f64,
    pub rebuild_write_ms: f64,
    /// Served series that differ from the series of the in-memory aggregation after the
    /// load.
    pub verify_differences: usize,
    pub levels: Vec<LevelTiming>,
    /// `Err(reason)` when not measured.
    pub write_overhead: Result<WriteOverhead, String>,
    /// DuckDB's aggregation time, or `Err(reason)` when it could not run.
    pub duckdb_ms: Result<f64, String>,
}

/// One generated event, compact (10M of them fit in memory).
#[derive(Debug, Clone, Copy)]
struct Event {
    value: i64,
    day: u16,
    county: u16,
    metric: u8,
    category: u8,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

fn first_day() -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2).context("invalid first day")
}

/// `n` events from `seed`, Zipf-ish across counties (weight 1/(rank+1)).
fn generate(n: u64, seed: u64, counties: usize) -> Vec<Event> {
    let mut rng = StdRng::seed_from_u64(seed);
    // Cumulative Zipf weights, scaled to u32 for a binary search.
    let weights: Vec<f64> = (0..counties).map(|i| 1.0 / (i as f64 + 1.0)).collect();
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    let cumulative: Vec<f64> = weights
        .iter()
        .map(|w| {
            acc += w / total;
            acc
        })
        .collect();
    let mut out = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    for _ in 0..n {
        let u: f64 = rng.random();
        let county = cumulative.partition_point(|c| *c < u).min(counties - 1) as u16;
        let metric = rng.random_range(0..METRICS.len()) as u8;
        let has_category = METRICS[usize::from(metric)] != Metric::TechWorkers;
        let category = if has_category {
            rng.random_range(0..CATEGORIES) as u8 + 1
        } else {
            0
        };
        let value = if METRICS[usize::from(metric)] == Metric::DealAmount {
            rng.random_range(100..=10_000_000)
        } else {
            1
        };
        out.push(Event {
            value,
            day: rng.random_range(0..DAYS) as u16,
            county,
            metric,
            category,
        });
    }
    out
}

fn category_codes() -> Vec<&'static str> {
    let mut codes = vec![""];
    codes.extend(Category::all().take(CATEGORIES).map(Category::code));
    codes
}

/// The in-process rebuild: events → cells (dense sums, then the served cell map).
fn aggregate(
    events: &[Event],
    counties: &[RegionCode],
    categories: &[&'static str],
    days: &[NaiveDate],
) -> BTreeMap<Cell, i64> {
    let cats = categories.len();
    let slot = |e: &Event| {
        ((usize::from(e.metric) * days.len() + usize::from(e.day)) * counties.len()
            + usize::from(e.county))
            * cats
            + usize::from(e.category)
    };
    let mut sums = vec![0i64; METRICS.len() * days.len() * counties.len() * cats];
    for e in events {
        sums[slot(e)] += e.value;
    }
    let mut cells = BTreeMap::new();
    for (i, v) in sums.iter().enumerate() {
        if *v == 0 {
            continue;
        }
        let category = i % cats;
        let rest = i / cats;
        let county = rest % counties.len();
        let rest = rest / counties.len();
        let day = rest % days.len();
        let metric = rest / days.len();
        cells.insert(
            Cell {
                metric: METRICS[metric],
                day: days[day],
                region: counties[county],
                category: categories[category],
            },
            *v,
        );
    }
    cells
}

/// A fresh directory of this process under the system temp dir (emptied if a stale one
/// with the same process id is left over).
pub(crate) fn default_data_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("kejiyun-bench-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("cannot empty {}", dir.display()))?;
    }
    Ok(dir)
}

/// Runs the statistics benchmark, prints its table and returns the numbers.
pub async fn run_stats(opts: &StatsBenchOptions) -> anyhow::Result<StatsBenchReport> {
    let data_dir = match &opts.data_dir {
        Some(d) => d.clone(),
        None => default_data_dir()?,
    };
    let config = Config {
        data_dir: data_dir.clone(),
        database_url: opts.database_url.clone().unwrap_or_default(),
        ..Config::default()
    };
    let (services, store) = crate::server::services(&config).await?;
    let backend = kejiyun_core::ports::HealthStore::backend_name(&store).to_string();

    let counties = crate::bench_corpus::sichuan_counties()?;
    let categories = category_codes();
    let start = first_day()?;
    let days: Vec<NaiveDate> = (0..DAYS)
        .map(|d| start.checked_add_days(Days::new(u64::from(d))))
        .collect::<Option<_>>()
        .context("day out of range")?;

    eprintln!("generating {} events…", opts.events);
    let events = generate(opts.events, opts.seed, counties.len());

    let t = Instant::now();
    let cells = aggregate(&events, &counties, &categories, &days);
    let aggregate_ms = ms(t.elapsed());
    let total_value: i64 = cells.values().sum();

    eprintln!("loading {} cells…", cells.len());
    let t = Instant::now();
    services
        .store
        .replace_cells(&cells)
        .await
        .map_err(|e| anyhow::anyhow!("replace_cells: {e}"))?;
    let rebuild_write_ms = ms(t.elapsed());

    let series = kejiyun_core::stats_series::series_all(&cells);
    let served = services
        .store
        .served_series()
        .await
        .map_err(|e| anyhow::anyhow!("served_series: {e}"))?;
    let totals = services
        .store
        .served_totals()
        .await
        .map_err(|e| anyhow::anyhow!("served_totals: {e}"))?;
    let verify_differences = series
        .iter()
        .filter(|(k, s)| served.get(k) != Some(s) || totals.get(k) != Some(&s.total()))
        .count()
        + served.keys().filter(|k| !series.contains_key(k)).count()
        + totals.keys().filter(|k| !series.contains_key(k)).count();
    drop(served);

    eprintln!("timing served queries…");
    let mut levels = Vec::new();
    for (level, code) in [
        ("county 511623", "511623"),
        ("city 511600", "511600"),
        ("province 510000", "510000"),
    ] {
        let region = RegionCode::parse(code).map_err(|e| anyhow::anyhow!("{e}"))?;
        let (p50_ms, p99_ms, runs) = time_served(&services, region).await?;
        levels.push(LevelTiming {
            level,
            region,
            p50_ms,
            p99_ms,
            runs,
        });
    }

    eprintln!("timing deal confirmations…");
    let write_overhead = write_overhead(&services)
        .await
        .map_err(|e| format!("{e:#}"));

    eprintln!("exporting CSV for DuckDB…");
    let duckdb_ms = duckdb(&data_dir, &events, &counties, &categories, &days);

    let report = StatsBenchReport {
        nproc: std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1),
        backend,
        data_dir,
        events: opts.events,
        counties: counties.len(),
        cells: cells.len(),
        series: series.len(),
        total_value,
        aggregate_ms,
        rebuild_write_ms,
        verify_differences,
        levels,
        write_overhead,
        duckdb_ms,
    };
    print_table(&report);
    Ok(report)
}

/// p50 / p99 (ms) of the `stats` use case (totals + the three breakdowns: what the API and
/// the dashboard serve) over 2025 for `region`, and the number of timed runs.
async fn time_served(
    services: &Arc<Services>,
    region: RegionCode,
) -> anyhow::Result<(f64, f64, usize)> {
    let range = StatsRange {
        region,
        from: NaiveDate::from_ymd_opt(2025, 1, 1),
        to: NaiveDate::from_ymd_opt(2025, 12, 31),
    };
    let mut samples = Vec::with_capacity(REPS);
    let started = Instant::now();
    for i in 0..WARMUP + REPS {
        if started.elapsed() > LEVEL_BUDGET && !samples.is_empty() {
            break;
        }
        let t = Instant::now();
        let ok = services
            .stats()
            .stats(None, range.region, range.from, range.to)
            .await
            .is_ok();
        let elapsed = ms(t.elapsed());
        anyhow::ensure!(ok, "served query failed for {region}");
        if i >= WARMUP {
            samples.push(elapsed);
        }
    }
    let runs = samples.len();
    let s = sorted(samples);
    Ok((percentile(&s, 0.5), percentile(&s, 0.99), runs))
}

fn domain(e: kejiyun_core::DomainError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Median `confirm_deal` (moves figures) vs `confirm_posting` (moves none), through the real
/// use cases on top of the demo people (verified tech workers, a farmer, a city admin).
async fn write_overhead(s: &Arc<Services>) -> anyhow::Result<WriteOverhead> {
    crate::demo::load(s).await?;
    let admin = crate::demo::actor_of(s, "guangan@kejiyun.demo").await?;
    let worker = crate::demo::actor_of(s, "13900000001").await?;
    let farmer = crate::demo::actor_of(s, "13900000007").await?;

    let mut needs = Vec::with_capacity(DEALS);
    for i in 0..DEALS {
        let id = s
            .postings().create(
                &farmer,
                &NeedInput {
                    title: format!("脐橙园病虫害防治求助（第 {} 批）", i + 1),
                    problem: "家里 30 亩脐橙叶片斑驳发黄、果实小而青，担心整个园子都会染上，需要专家确诊并给出防治办法。".into(),
                    current_practice: Some("自己打过两次杀虫药，没有请人看过。".into()),
                    target: Some("确诊病因，控制住传播，明年产量恢复正常。".into()),
                    budget_fen: Some(500_000),
                    deadline: None,
                    industry: "agriculture".into(),
                    category: "fruit".into(),
                    region: "511623".into(),
                },
                true,
            )
            .await
            .map_err(domain)?;
        s.moderation()
            .moderate(&admin, ModerationKind::Need, id.0, Decision::Approve)
            .await
            .map_err(domain)?;
        needs.push(id);
    }

    let mut plain = Vec::with_capacity(DEALS);
    for id in &needs {
        let t = Instant::now();
        s.postings()
            .confirm_posting(&farmer, PostingKind::Need, id.0)
            .await
            .map_err(domain)?;
        plain.push(ms(t.elapsed()));
    }

    let mut deals = Vec::with_capacity(DEALS);
    for id in &needs {
        let quote = s
            .quotes()
            .submit_quote(
                &worker,
                *id,
                &QuoteInput {
                    price_fen: 450_000,
                    timeline_days: 60,
                    method: "现场采样确诊，挖除病株，统一防治木虱，补栽无病毒苗，并回访两次。"
                        .into(),
                    service_id: None,
                },
            )
            .await
            .map_err(domain)?;
        deals.push(
            s.quotes()
                .accept_quote(&farmer, quote)
                .await
                .map_err(domain)?,
        );
    }
    let mut confirm = Vec::with_capacity(DEALS);
    for id in &deals {
        let t = Instant::now();
        s.deals().confirm_deal(&worker, *id).await.map_err(domain)?;
        confirm.push(ms(t.elapsed()));
    }
    Ok(WriteOverhead {
        samples: DEALS,
        confirm_deal_p50_ms: percentile(&sorted(confirm), 0.5),
        confirm_posting_p50_ms: percentile(&sorted(plain), 0.5),
    })
}

/// Exports the events to CSV and times DuckDB aggregating them, when `duckdb` is importable.
fn duckdb(
    data_dir: &Path,
    events: &[Event],
    counties: &[RegionCode],
    categories: &[&'static str],
    days: &[NaiveDate],
) -> Result<f64, String> {
    let available = std::process::Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !available {
        return Err(format!("duckdb not installed: {DUCKDB_PIP} to compare"));
    }
    let csv = data_dir.join("bench-events.csv");
    write_csv(&csv, events, counties, categories, days).map_err(|e| format!("{e:#}"))?;
    let script = "import sys, time, duckdb\n\
con = duckdb.connect()\n\
con.execute(\"SET enable_progress_bar = false\")\n\
path = sys.argv[1].replace(\"'\", \"''\")\n\
t = time.perf_counter()\n\
con.execute(f\"CREATE TEMP TABLE agg AS SELECT metric, day, county, category, sum(value) FROM read_csv_auto('{path}') GROUP BY ALL\")\n\
ms = (time.perf_counter() - t) * 1000\n\
print(ms)\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&csv)
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "duckdb failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse::<f64>()
        .map_err(|e| format!("duckdb output: {e}"))
}

fn write_csv(
    path: &Path,
    events: &[Event],
    counties: &[RegionCode],
    categories: &[&'static str],
    days: &[NaiveDate],
) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::new(file);
    writeln!(w, "metric,day,county,category,value")?;
    for e in events {
        writeln!(
            w,
            "{},{},{},{},{}",
            METRICS[usize::from(e.metric)].key(),
            days[usize::from(e.day)],
            counties[usize::from(e.county)],
            categories[usize::from(e.category)],
            e.value
        )?;
    }
    w.flush()?;
    Ok(())
}

fn print_table(r: &StatsBenchReport) {
    println!("## kejiyun bench stats");
    println!();
    println!("| measurement | value |");
    println!("|---|---|");
    println!("| machine nproc | {} |", r.nproc);
    println!("| database | {} ({}) |", r.backend, r.data_dir.display());
    println!(
        "| events (Sichuan counties × 3 years) | {} over {} counties |",
        r.events, r.counties
    );
    println!("| served cells | {} |", r.cells);
    println!("| served series rows | {} |", r.series);
    println!(
        "| in-process rebuild of {} events | {:.1} ms |",
        r.events, r.aggregate_ms
    );
    println!(
        "| rebuild write (`replace_cells`: the series, one transaction) | {:.1} ms |",
        r.rebuild_write_ms
    );
    let rebuild_ms = r.aggregate_ms + r.rebuild_write_ms;
    println!("| full rebuild (aggregate + write) | {rebuild_ms:.1} ms |");
    println!(
        "| verify (served vs aggregated series) | {} differences |",
        r.verify_differences
    );
    for l in &r.levels {
        println!(
            "| served {} (totals + 3 breakdowns, 2025, {} runs) | p50 {:.3} ms, p99 {:.3} ms |",
            l.level, l.runs, l.p50_ms, l.p99_ms
        );
    }
    match &r.write_overhead {
        Ok(w) => {
            println!(
                "| confirm_deal p50 ({} deals) | {:.3} ms |",
                w.samples, w.confirm_deal_p50_ms
            );
            println!(
                "| confirm_posting p50 (moves no figures) | {:.3} ms |",
                w.confirm_posting_p50_ms
            );
            println!(
                "| maintenance overhead per deal confirmation | {:+.3} ms |",
                w.confirm_deal_p50_ms - w.confirm_posting_p50_ms
            );
        }
        Err(e) => println!("| maintenance overhead per deal confirmation | not measured: {e} |"),
    }
    match &r.duckdb_ms {
        Ok(d) => {
            println!("| DuckDB GROUP BY over CSV | {d:.1} ms |");
            println!(
                "| in-process aggregation / DuckDB | {:.2}× |",
                r.aggregate_ms / d
            );
            println!("| full rebuild / DuckDB | {:.2}× |", rebuild_ms / d);
        }
        Err(e) => println!("| DuckDB | {e} |"),
    }
}
