//! `kejiyun bench views` (issue 20): what counting popular-science resources' views (浏览量)
//! costs, and how far it outruns writing each view to the database.
//!
//! The page side runs in this process: the real server (`server::spawn` with the demo data:
//! the in-memory view counter and its once-a-second flusher, SQLite in a temp dir) and two
//! twins of its router on its services, built and served on loopback ports as `server.rs`
//! does (`kejiyun_web::router(AppState::new(services, web_config(…)))`, with the peer's
//! address), one counting and one with `count_views = false`, so that the switch is their
//! only difference (with both off, an A/A run measured them 0.1% apart). In-process rather
//! than a `serve --demo` child so that both share the one store and counter, and the views
//! can be read back from the store. A closed-loop driver of its own (the shared load
//! generator has no per-request headers) gives every request a new User-Agent, so every
//! request is a new visitor and counts. On and off alternate in one-second rounds, so that
//! other work on the machine falls on both alike. After the runs the server is stopped (its flusher's last flush writes what
//! is pending) and the resource's `views` read from the store must have grown by exactly the
//! answers 200 of the counting runs. For scale, the counting path alone (visitor key and
//! counter, no HTTP) is timed too.
//!
//! The naive way, in the same run: `UPDATE resources SET views = views + 1 WHERE id = ?`, one
//! autocommit statement per view, from as many tasks as the page runs used connections, on
//! the store's own connection pool (`kejiyun_db::connect_with`: SQLite in WAL mode with
//! `synchronous=FULL`, one connection; PostgreSQL with a pool of ten) of a migrated database.
//! Results: docs/benchmarks.md.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use kejiyun_core::app::Services;
use kejiyun_core::app::market::PostingQuery;
use kejiyun_core::ids::ResourceId;
use kejiyun_core::paging::Page;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::config::Config;

/// Counted views per second through the page ÷ naive UPDATEs per second: at least this.
pub const TARGET_RATIO: f64 = 100.0;
/// Requests per second the page loses with counting on: at most this share.
pub const TARGET_COST: f64 = 0.05;

/// Let the server's start-up sweeps finish before timing.
const SETTLE: Duration = Duration::from_secs(3);
const WARM_UP: Duration = Duration::from_secs(1);
/// One measured run; the page runs alternate on and off at this grain.
const ROUND: Duration = Duration::from_secs(1);

pub struct ViewsOptions {
    pub seconds: u64,
    pub connections: usize,
    /// PostgreSQL for the naive comparison: a private database (rows are added and removed).
    pub postgres: Option<String>,
}

/// What one driver run measured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Drive {
    pub requests: u64,
    /// Answers 200 with the whole body read.
    pub ok: u64,
    pub elapsed: Duration,
}

impl Drive {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn ok_rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn errors(&self) -> u64 {
        self.requests - self.ok
    }

    fn add(&mut self, other: Drive) {
        self.requests += other.requests;
        self.ok += other.ok;
        self.elapsed += other.elapsed;
    }
}

/// The counting path alone (see [`counter_alone`]).
#[derive(Debug, Clone, Copy)]
pub struct Alone {
    pub threads: usize,
    pub views: u64,
    pub elapsed: Duration,
}

impl Alone {
    pub fn rate(&self) -> f64 {
        self.views as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The naive way on one backend.
#[derive(Debug, Clone)]
pub struct Naive {
    pub backend: &'static str,
    /// The settings that decide what a commit costs, as the database reports them.
    pub settings: String,
    pub pool: u32,
    pub views: u64,
    pub elapsed: Duration,
    /// The `views` column afterwards equals the statements run.
    pub verified: bool,
}

impl Naive {
    pub fn rate(&self) -> f64 {
        self.views as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

pub struct ViewsReport {
    pub connections: usize,
    pub seconds: u64,
    pub cores: usize,
    pub memory_gb: Option<f64>,
    pub resource: i64,
    /// The measured rounds with counting on (warm-up excluded), and off.
    pub on: Drive,
    pub off: Drive,
    /// The median over the rounds of each round's cost (on against the off run beside it).
    pub median_pair_cost: f64,
    pub alone: Alone,
    /// Answers 200 of every counting run, warm-up included: each one a counted view.
    pub answered: u64,
    /// How much the resource's `views` grew in the store over the run.
    pub counted: i64,
    /// Views still in memory after the server's last flush (0 unless a flush failed).
    pub pending: i64,
    pub sqlite: Naive,
    /// `Err`: why PostgreSQL was not measured.
    pub postgres: Result<Naive, String>,
}

pub async fn run(opts: &ViewsOptions) -> anyhow::Result<ViewsReport> {
    let dir = std::env::temp_dir().join(format!("kejiyun-bench-views-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let result = measure(opts, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn measure(opts: &ViewsOptions, dir: &std::path::Path) -> anyhow::Result<ViewsReport> {
    let c = opts.connections.max(1);
    let seconds = opts.seconds.max(1);
    let config = Config {
        listen: "127.0.0.1:0".into(),
        data_dir: dir.join("server"),
        // Pages do not embed; the demo's background embedding would take the cores.
        semantic_matching: false,
        shutdown_drain_ms: 0,
        count_views: true,
        ..Config::default()
    };
    eprintln!("bench views: starting the server with the demo data…");
    let running = crate::server::spawn(&config, true).await?;
    let services = running.services.clone();
    // Both measured routers are twins of the server's, built alike, so that the switch is
    // their only difference; the server itself runs the flusher.
    let on = Twin::start(services.clone(), &config).await?;
    let off = Twin::start(
        services.clone(),
        &Config {
            count_views: false,
            ..config.clone()
        },
    )
    .await?;
    let resource = published_resource(&services).await?;
    let path = format!("/resources/{}", resource.0);
    // The page answers (on the twin, so this request counts nothing).
    fetch(off.addr, &path).await?;

    // The server's first sweeps (expiry, notification delivery, outbox pruning) run right
    // after it starts: they are let finish before anything is timed.
    tokio::time::sleep(SETTLE).await;
    // Whatever the demo left pending is written before the count starts; the flusher's own
    // flush, if it took them first, is over well within the second slept.
    services.resources().flush_views().await?;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let before = views_of(&services, resource).await?;

    let mut answered = drive(on.addr, &path, "warm-on", c, WARM_UP).await?.ok;
    drive(off.addr, &path, "warm-off", c, WARM_UP).await?;
    // One-second rounds, on and off alternating (on-off, off-on, …): a burst of other work
    // on the machine falls on both alike.
    let (mut on_drive, mut off_drive) = (Drive::default(), Drive::default());
    let mut pair_costs = Vec::new();
    for round in 0..seconds {
        let order = if round % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        let mut rates = [0.0; 2];
        for counting in order {
            let addr = if counting { on.addr } else { off.addr };
            let d = drive(addr, &path, &format!("r{round}"), c, ROUND).await?;
            rates[usize::from(counting)] = d.rate();
            if counting {
                answered += d.ok;
                on_drive.add(d);
            } else {
                off_drive.add(d);
            }
        }
        let [off_rate, on_rate] = rates;
        eprintln!("bench views: round {round}: on {on_rate:.0} req/s, off {off_rate:.0} req/s");
        pair_costs.push(1.0 - on_rate / off_rate.max(1e-9));
    }
    pair_costs.sort_by(f64::total_cmp);
    let median_pair_cost = match pair_costs.len() {
        0 => 0.0,
        n if n % 2 == 1 => pair_costs[n / 2],
        n => (pair_costs[n / 2 - 1] + pair_costs[n / 2]) / 2.0,
    };
    on.stop().await;
    off.stop().await;
    // Stopping runs the flusher's last flush: every counted view is written by then.
    running.stop().await;
    let pending = services.views.pending_views();
    let counted = views_of(&services, resource).await? - before;
    // After the check: the views it counts are never written.
    let alone = counter_alone(&services, resource, Duration::from_secs(1)).await?;

    eprintln!("bench views: naive UPDATE per view on SQLite…");
    let sqlite_url = format!("sqlite://{}/naive.db?mode=rwc", dir.display());
    let sqlite = naive(&sqlite_url, c, Duration::from_secs(seconds)).await?;
    let postgres = match &opts.postgres {
        Some(url) => {
            eprintln!("bench views: naive UPDATE per view on PostgreSQL…");
            // A bad URL or server costs its row, not the page results already measured.
            naive(url, c, Duration::from_secs(seconds))
                .await
                // One table cell: no line breaks or bars.
                .map_err(|e| format!("failed: {e:#}").replace(['\n', '|'], " "))
        }
        None => Err("not measured: no --postgres URL (or KEJIYUN_BENCH_POSTGRES_URL)".into()),
    };
    Ok(ViewsReport {
        connections: c,
        seconds,
        cores: std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1),
        memory_gb: memory_gb(),
        resource: resource.0,
        on: on_drive,
        off: off_drive,
        median_pair_cost,
        alone,
        answered,
        counted,
        pending,
        sqlite,
        postgres,
    })
}

/// A published resource of the demo (the list's first).
async fn published_resource(services: &Services) -> anyhow::Result<ResourceId> {
    let listed = services
        .resources()
        .list(None, PostingQuery::default(), Page::default())
        .await?;
    listed
        .items
        .first()
        .map(|(r, _)| r.id)
        .context("the demo published no resource")
}

/// The counting path alone, no HTTP: a visitor key from a new User-Agent and the counter's
/// `record`, as the page does them, on as many threads as cores for `duration`.
async fn counter_alone(
    services: &Arc<Services>,
    id: ResourceId,
    duration: Duration,
) -> anyhow::Result<Alone> {
    let resource = services.resources().get(None, id).await?.resource;
    let services = services.clone();
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1);
    let alone = tokio::task::spawn_blocking(move || {
        let start = Instant::now();
        let deadline = start + duration;
        let views: anyhow::Result<u64> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    let (services, resource) = (&services, &resource);
                    s.spawn(move || {
                        let mut n: u64 = 0;
                        while Instant::now() < deadline {
                            let agent = format!("bench-counter-{t}-{n}");
                            let key = services.resources().visitor(None, "127.0.0.1", &agent);
                            n += u64::from(services.resources().count_view(key, resource));
                        }
                        n
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w.join()
                        .map_err(|_| anyhow::anyhow!("a counting thread panicked"))
                })
                .sum()
        });
        anyhow::Ok(Alone {
            threads,
            views: views?,
            elapsed: start.elapsed(),
        })
    })
    .await??;
    Ok(alone)
}

/// The resource's written views, read from the store.
async fn views_of(services: &Services, id: ResourceId) -> anyhow::Result<i64> {
    Ok(services.resources().get(None, id).await?.views)
}

/// The router of `services` under `config`, served on a loopback port as `server::spawn`
/// serves it (with the peer's address).
struct Twin {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Twin {
    async fn start(services: Arc<Services>, config: &Config) -> anyhow::Result<Self> {
        let state = kejiyun_web::AppState::new(services, crate::server::web_config(config, None));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = kejiyun_web::router(state);
        let (stop, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
        });
        Ok(Self { addr, stop, task })
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

type Sender = http1::SendRequest<Empty<Bytes>>;

async fn open(addr: SocketAddr) -> anyhow::Result<Sender> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        // Ends when either side closes; a closed sender is opened again.
        let _ = conn.await;
    });
    Ok(sender)
}

/// One GET; fails unless the answer is 200.
async fn fetch(addr: SocketAddr, path: &str) -> anyhow::Result<()> {
    let mut sender = open(addr).await?;
    let req = Request::get(path)
        .header("host", addr.to_string())
        .body(Empty::<Bytes>::new())?;
    let resp = sender.send_request(req).await?;
    let status = resp.status();
    resp.into_body().collect().await?;
    if status != hyper::StatusCode::OK {
        bail!("GET {path}: {status}");
    }
    Ok(())
}

/// `connections` keep-alive connections to the loopback `addr`, each sending `GET path` as
/// soon as its last answer is in, for `duration`; every request with a User-Agent of its own
/// (`bench-visitor-{tag}-{connection}-{n}`), so every one is a new visitor.
async fn drive(
    addr: SocketAddr,
    path: &str,
    tag: &str,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Drive> {
    if !addr.ip().is_loopback() {
        bail!("the driver only targets loopback, not {addr}");
    }
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::with_capacity(connections);
    for c in 0..connections {
        let path = path.to_owned();
        let prefix = format!("bench-visitor-{tag}-{c}-");
        tasks.push(tokio::spawn(async move {
            let mut sender = open(addr).await?;
            let mut out = Drive::default();
            let mut n: u64 = 0;
            while Instant::now() < deadline {
                if sender.ready().await.is_err() {
                    sender = open(addr).await?;
                }
                n += 1;
                let req = Request::get(path.as_str())
                    .header("host", addr.to_string())
                    .header("user-agent", format!("{prefix}{n}"))
                    .body(Empty::<Bytes>::new())?;
                let ok = match sender.send_request(req).await {
                    Ok(resp) => {
                        let status = resp.status();
                        // The whole page is read, as a browser would.
                        let body = resp.into_body().collect().await;
                        status == hyper::StatusCode::OK && body.is_ok()
                    }
                    Err(_) => false,
                };
                out.requests += 1;
                out.ok += u64::from(ok);
            }
            anyhow::Ok(out)
        }));
    }
    let mut total = Drive::default();
    for t in tasks {
        let part = t.await.context("a driver connection panicked")??;
        total.requests += part.requests;
        total.ok += part.ok;
    }
    // Until the last answer is in: the rate is over the time actually taken.
    total.elapsed = start.elapsed();
    Ok(total)
}

/// The naive way on the database `url`: a user and a published resource are inserted, then
/// `tasks` tasks run `UPDATE resources SET views = views + 1 WHERE id = ?` (one autocommit
/// statement each) back to back for `duration` after a second of warm-up; the rows are
/// removed afterwards.
async fn naive(url: &str, tasks: usize, duration: Duration) -> anyhow::Result<Naive> {
    let store = kejiyun_db::connect_with(url, kejiyun_db::DbTimeouts::default())
        .await
        .with_context(|| format!("cannot open {}", kejiyun_db::redact(url)))?;
    kejiyun_db::migrate(&store)
        .await
        .context("migrations failed")?;
    let db = store.connection().clone();
    let backend = db.get_database_backend();
    let (name, pool, settings) = match backend {
        DbBackend::Postgres => (
            "PostgreSQL",
            10,
            format!(
                "fsync={}, synchronous_commit={}",
                setting(&db, "fsync").await?,
                setting(&db, "synchronous_commit").await?
            ),
        ),
        DbBackend::Sqlite => (
            "SQLite",
            1,
            format!(
                "journal_mode={}, synchronous={}",
                pragma(&db, "journal_mode").await?,
                match pragma(&db, "synchronous").await?.as_str() {
                    "2" => "FULL".to_owned(),
                    other => other.to_owned(),
                }
            ),
        ),
        _ => bail!("the naive comparison runs on SQLite and PostgreSQL"),
    };
    let p = |n: usize| match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    };
    let user = query_i64(
        &db,
        "INSERT INTO users (display_name, password_hash, created_at, updated_at) \
         VALUES ('bench views', '!', 0, 0) RETURNING id",
        vec![],
    )
    .await?;
    let resource = query_i64(
        &db,
        &format!(
            "INSERT INTO resources (owner_id, resource_kind, title, summary, body, category, \
             tags, views, region, region_city, region_province, status, created_at, \
             updated_at, first_published_at) VALUES ({}, 'article', 'bench views', '', '', \
             'other', '', 0, '511623', '511600', '510000', 'published', 0, 0, 0) RETURNING id",
            p(1)
        ),
        vec![user.into()],
    )
    .await?;
    let update = Statement::from_sql_and_values(
        backend,
        format!("UPDATE resources SET views = views + 1 WHERE id = {}", p(1)),
        [Value::from(resource)],
    );
    let hammer = |for_: Duration| {
        let start = Instant::now();
        let deadline = start + for_;
        let handles: Vec<_> = (0..tasks.max(1))
            .map(|_| {
                let db = db.clone();
                let update = update.clone();
                tokio::spawn(async move {
                    let mut n: u64 = 0;
                    while Instant::now() < deadline {
                        db.execute_raw(update.clone()).await?;
                        n += 1;
                    }
                    anyhow::Ok(n)
                })
            })
            .collect();
        async move {
            let mut total = 0;
            for h in handles {
                total += h.await.context("a naive task panicked")??;
            }
            anyhow::Ok((total, start.elapsed()))
        }
    };
    let (warm, _) = hammer(Duration::from_secs(1)).await?;
    let (views, elapsed) = hammer(duration).await?;
    let column = query_i64(
        &db,
        &format!("SELECT views FROM resources WHERE id = {}", p(1)),
        vec![resource.into()],
    )
    .await?;
    // Left behind only if this fails; the SQLite file goes with the temp dir anyway.
    for (table, id) in [("resources", resource), ("users", user)] {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            format!("DELETE FROM {table} WHERE id = {}", p(1)),
            [Value::from(id)],
        ))
        .await?;
    }
    Ok(Naive {
        backend: name,
        settings,
        pool,
        views,
        elapsed,
        verified: u64::try_from(column).ok() == Some(warm + views),
    })
}

/// The first column of the one row `sql` returns.
async fn query_i64(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> anyhow::Result<i64> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .with_context(|| format!("no row from {sql}"))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

async fn setting(db: &DatabaseConnection, name: &'static str) -> anyhow::Result<String> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SHOW {name}"),
        ))
        .await?
        .with_context(|| format!("SHOW {name}"))?;
    Ok(row.try_get::<String>("", name)?)
}

async fn pragma(db: &DatabaseConnection, name: &'static str) -> anyhow::Result<String> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!("PRAGMA {name}"),
        ))
        .await?
        .with_context(|| format!("PRAGMA {name}"))?;
    // journal_mode answers text, synchronous a number.
    match row.try_get::<String>("", name) {
        Ok(s) => Ok(s),
        Err(_) => Ok(row.try_get::<i64>("", name)?.to_string()),
    }
}

/// A ratio: one decimal while it is small.
fn times(r: f64) -> String {
    if r < 10.0 {
        format!("{r:.1}×")
    } else {
        format!("{r:.0}×")
    }
}

/// The machine's memory in GB, from /proc/meminfo (Linux).
fn memory_gb() -> Option<f64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: f64 = info
        .lines()
        .find(|l| l.starts_with("MemTotal:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0 / 1024.0)
}

impl ViewsReport {
    /// Every answer 200 of the counting runs is in the store, none pending or lost.
    pub fn verified(&self) -> bool {
        self.pending == 0 && u64::try_from(self.counted).ok() == Some(self.answered)
    }

    /// Counted views per second through the page.
    pub fn counted_rate(&self) -> f64 {
        self.on.ok_rate()
    }

    /// The page's rate lost to counting (negative: on was the faster).
    pub fn cost(&self) -> f64 {
        1.0 - self.on.rate() / self.off.rate().max(1e-9)
    }

    fn ratios(&self) -> Vec<(&'static str, f64)> {
        [Ok(&self.sqlite), self.postgres.as_ref()]
            .into_iter()
            .flatten()
            .map(|n| (n.backend, self.counted_rate() / n.rate().max(1e-9)))
            .collect()
    }

    pub fn ratio_met(&self) -> bool {
        self.verified() && self.ratios().iter().all(|&(_, r)| r >= TARGET_RATIO)
    }

    pub fn cost_met(&self) -> bool {
        self.cost() <= TARGET_COST && self.on.errors() == 0 && self.off.errors() == 0
    }

    pub fn markdown(&self) -> String {
        let met = |ok: bool| if ok { "met" } else { "not met" };
        let mut out = format!(
            "Closed loop, {c} connections; counting on and off alternate in one-second rounds, \
             {s} s each after 1 s of warm-up each; every request a new visitor (its own \
             User-Agent); `GET /resources/{id}` of the demo (SQLite), the server's flusher \
             writing every second. Naive: {s} s per backend from {c} tasks, after 1 s of warm-up.\n\n\
             | measurement | req/s | views/s | note |\n\
             | --- | ---: | ---: | --- |\n",
            c = self.connections,
            id = self.resource,
            s = self.seconds,
        );
        out.push_str(&format!(
            "| page, counting on (a new visitor per request) | {:.0} | {:.0} | {} errors; \
             the store's `views` grew by {} for {} answers 200 (warm-up included), {} pending: {} |\n",
            self.on.rate(),
            self.counted_rate(),
            self.on.errors(),
            self.counted,
            self.answered,
            self.pending,
            if self.verified() { "exact" } else { "MISMATCH" },
        ));
        out.push_str(&format!(
            "| page, counting off (`count_views = false`) | {:.0} | 0 | {} errors |\n",
            self.off.rate(),
            self.off.errors(),
        ));
        out.push_str(&format!(
            "| cost of counting | {:.1}% |  | target ≤ {:.0}%: {}; median of the {} rounds' \
             own costs: {:.1}% |\n",
            100.0 * self.cost(),
            100.0 * TARGET_COST,
            met(self.cost_met()),
            self.seconds,
            100.0 * self.median_pair_cost,
        ));
        let per_naive = [Ok(&self.sqlite), self.postgres.as_ref()]
            .into_iter()
            .flatten()
            .map(|n| {
                format!(
                    "{} naive {}",
                    times(self.alone.rate() / n.rate().max(1e-9)),
                    n.backend
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&format!(
            "| for scale: the counting path alone (visitor key + counter, no HTTP, {} threads) \
             |  | {:.0} | {per_naive} |\n",
            self.alone.threads,
            self.alone.rate(),
        ));
        for n in [Ok(&self.sqlite), self.postgres.as_ref()] {
            match n {
                Ok(n) => out.push_str(&format!(
                    "| naive: an autocommit `UPDATE … views = views + 1` per view, {} ({}; \
                     the store's pool: {} connection{}) |  | {:.0} | {} statements; the column {} |\n",
                    n.backend,
                    n.settings,
                    n.pool,
                    if n.pool == 1 { "" } else { "s" },
                    n.rate(),
                    n.views,
                    if n.verified { "agrees" } else { "DISAGREES" },
                )),
                Err(why) => out.push_str(&format!(
                    "| naive: an autocommit `UPDATE` per view, PostgreSQL |  |  | {why} |\n"
                )),
            }
        }
        for (backend, r) in self.ratios() {
            out.push_str(&format!(
                "| counted ÷ naive, {backend} |  | {} | target ≥ {TARGET_RATIO:.0}×: {} |\n",
                times(r),
                met(r >= TARGET_RATIO && self.verified()),
            ));
        }
        out.push_str(&format!(
            "\nMachine: {} cores, {}.\n",
            self.cores,
            self.memory_gb
                .map_or("memory unknown".to_owned(), |g| format!("{g:.1} GB memory"))
        ));
        let ratios = self
            .ratios()
            .iter()
            .map(|(b, r)| format!("{} {b}", times(*r)))
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&format!(
            "\nVerdict: counted views ≥ {TARGET_RATIO:.0}× the naive UPDATE: {} ({ratios}{}); \
             cost of counting ≤ {:.0}%: {} ({:.1}%).\n",
            met(self.ratio_met()),
            if self.postgres.is_err() {
                "; PostgreSQL not measured"
            } else {
                ""
            },
            100.0 * TARGET_COST,
            met(self.cost_met()),
            100.0 * self.cost(),
        ));
        out
    }
}

#[cfg(test)]
mod tests;
