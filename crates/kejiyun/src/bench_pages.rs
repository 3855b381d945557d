//! `kejiyun bench pages`: how fast the server answers its pages. It starts `kejiyun serve
//! --demo` as a child process on a loopback port (SQLite in a temp dir), drives it with the
//! built-in load generator ([`crate::loadgen`]) and prints one table: each route's closed-loop
//! rate beside a trivial route of the same server in the same run (`/healthz`), then each
//! page at a fixed 80% of its own rate with p50/p99/p99.9, and the server's RSS.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::loadgen::{self, Outcome, Pace, Target};

/// A demo farmer (`kejiyun serve --demo`), the logged-in visitor of the runs.
const FARMER: &str = "13900000007";
const PASSWORD: &str = crate::demo::DEMO_PASSWORD;

/// The page targets: a list page of 20 items and a detail page, each ≥ 15,000 req/s and
/// ≥ 25% of the trivial route, with p99 ≤ 5 ms at 80% of that rate.
pub const TARGET_RATE: f64 = 15_000.0;
pub const TARGET_SHARE: f64 = 0.25;
pub const TARGET_P99_MS: f64 = 5.0;

pub struct PagesOptions {
    pub seconds: u64,
    pub connections: usize,
    pub data_dir: Option<PathBuf>,
}

struct Row {
    name: String,
    /// A page the targets apply to.
    page: bool,
    closed: Outcome,
    fixed: Option<Outcome>,
}

pub struct PagesReport {
    rows: Vec<Row>,
    trivial_rate: f64,
    connections: usize,
    seconds: u64,
    rss_mb: Option<f64>,
    services: u64,
}

pub async fn run(opts: &PagesOptions) -> anyhow::Result<PagesReport> {
    let own = opts.data_dir.is_none();
    let dir = opts.data_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("kejiyun-bench-pages-{}", std::process::id()))
    });
    if own && dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let mut server = Server::start(&dir).await?;
    let result = measure(&server, opts).await;
    server.stop();
    if own {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

async fn measure(server: &Server, opts: &PagesOptions) -> anyhow::Result<PagesReport> {
    let addr = server.addr;
    let listing: serde_json::Value =
        serde_json::from_slice(&fetch(addr, "GET", "/api/v1/services?per_page=20", None).await?)?;
    let services = listing["total"].as_u64().unwrap_or(0);
    let shown = listing["items"].as_array().map_or(0, Vec::len);
    if shown < 20 {
        bail!("the demo lists only {shown} services; a 20-item list page cannot be measured");
    }
    let detail_id = listing["items"][0]["id"]
        .as_i64()
        .context("a service id in the list")?;
    let login = serde_json::json!({ "login": FARMER, "password": PASSWORD }).to_string();
    let answer: serde_json::Value =
        serde_json::from_slice(&fetch(addr, "POST", "/api/v1/auth/login", Some(login)).await?)?;
    let token = answer["token"].as_str().context("a session token")?;
    let cookie = format!("kjy_session={token}");

    let duration = Duration::from_secs(opts.seconds.max(1));
    let c = opts.connections.max(1);
    let detail = format!("/services/{detail_id}");
    let routes: Vec<(&str, bool, Target)> = vec![
        (
            "trivial: GET /healthz",
            false,
            Target::anonymous("/healthz"),
        ),
        (
            "list page /services, anonymous",
            true,
            Target::anonymous("/services"),
        ),
        (
            "list page /services, logged in",
            true,
            Target::with_cookie("/services", &cookie),
        ),
        (
            "detail page /services/{id}, anonymous",
            true,
            Target::anonymous(detail.as_str()),
        ),
        (
            "detail page /services/{id}, logged in",
            true,
            Target::with_cookie(detail.as_str(), &cookie),
        ),
        (
            "API list /api/v1/services (20)",
            false,
            Target::anonymous("/api/v1/services?per_page=20"),
        ),
    ];
    let mut rows = Vec::new();
    for (name, page, target) in routes {
        let targets = [target];
        // A short warm-up: caches, connections, the allocator.
        loadgen::run(addr, &targets, c, Duration::from_secs(1), Pace::ClosedLoop).await?;
        let closed = loadgen::run(addr, &targets, c, duration, Pace::ClosedLoop).await?;
        let fixed = if page {
            let rate = closed.rate() * 0.8;
            Some(loadgen::run(addr, &targets, c, duration, Pace::Rate(rate)).await?)
        } else {
            None
        };
        eprintln!("bench pages: {name}: {:.0} req/s", closed.rate());
        rows.push(Row {
            name: name.to_owned(),
            page,
            closed,
            fixed,
        });
    }
    let trivial_rate = rows.first().map_or(1.0, |r| r.closed.rate());
    Ok(PagesReport {
        rows,
        trivial_rate,
        connections: c,
        seconds: opts.seconds,
        rss_mb: server.rss_mb(),
        services,
    })
}

impl PagesReport {
    /// Whether every page meets the rate, share and latency targets.
    pub fn met(&self) -> bool {
        self.rows
            .iter()
            .filter(|r| r.page)
            .all(|r| self.page_met(r))
    }

    fn page_met(&self, r: &Row) -> bool {
        let rate = r.closed.rate();
        rate >= TARGET_RATE
            && rate >= TARGET_SHARE * self.trivial_rate
            && r.fixed
                .as_ref()
                .is_some_and(|f| f.percentile_ms(99.0) <= TARGET_P99_MS && f.errors == 0)
            && r.closed.errors == 0
    }

    pub fn markdown(&self) -> String {
        let mut out = format!(
            "Closed loop, {} connections, {} s per route after 1 s of warm-up; the demo data \
             ({} published services); SQLite; semantic matching off.\n\n\
             | route | req/s | share of trivial | p50 ms | p99 ms | errors | at 80%: req/s | p50 ms | p99 ms | p99.9 ms | verdict |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n",
            self.connections, self.seconds, self.services
        );
        for r in &self.rows {
            let c = &r.closed;
            let (fr, f50, f99, f999) = match &r.fixed {
                Some(f) => (
                    format!("{:.0}", f.rate()),
                    format!("{:.2}", f.percentile_ms(50.0)),
                    format!("{:.2}", f.percentile_ms(99.0)),
                    format!("{:.2}", f.percentile_ms(99.9)),
                ),
                None => ("".into(), "".into(), "".into(), "".into()),
            };
            let verdict = match (r.page, self.page_met(r)) {
                (false, _) => "",
                (true, true) => "met",
                (true, false) => "not met",
            };
            out.push_str(&format!(
                "| {} | {:.0} | {:.0}% | {:.2} | {:.2} | {} | {} | {} | {} | {} | {} |\n",
                r.name,
                c.rate(),
                100.0 * c.rate() / self.trivial_rate.max(1e-9),
                c.percentile_ms(50.0),
                c.percentile_ms(99.0),
                c.errors + r.fixed.as_ref().map_or(0, |f| f.errors),
                fr,
                f50,
                f99,
                f999,
                verdict,
            ));
        }
        if let Some(rss) = self.rss_mb {
            out.push_str(&format!("\nServer RSS at the end: {rss:.0} MB.\n"));
        }
        out.push_str(&format!(
            "\nTargets per page: ≥ {TARGET_RATE:.0} req/s and ≥ {:.0}% of the trivial route; \
             p99 ≤ {TARGET_P99_MS} ms at 80% of its rate. Verdict: {}.\n",
            TARGET_SHARE * 100.0,
            if self.met() { "met" } else { "not met" }
        ));
        out
    }
}

/// `kejiyun serve --demo` in a child process, on a free loopback port.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    async fn start(dir: &Path) -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let config = dir.join("bench-pages.toml");
        // Pages do not embed; the background embedding of the demo would take the cores.
        std::fs::write(&config, "semantic_matching = false\n")?;
        let child = Command::new(std::env::current_exe()?)
            .arg("serve")
            .arg("--demo")
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(dir)
            .arg("--listen")
            .arg(addr.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting kejiyun serve")?;
        let mut server = Self { child, addr };
        let start = Instant::now();
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!("the server stopped while starting ({status})");
            }
            if let Ok(body) = fetch(addr, "GET", "/readyz", None).await
                && body.starts_with(b"{")
            {
                return Ok(server);
            }
            if start.elapsed() > Duration::from_secs(180) {
                server.stop();
                bail!("the server was not ready within 180 s");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn rss_mb(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kb: f64 = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        Some(kb / 1024.0)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on a new connection; the body if the answer is 2xx.
async fn fetch(
    addr: SocketAddr,
    method: &str,
    path: &str,
    json: Option<String>,
) -> anyhow::Result<Vec<u8>> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    if json.is_some() {
        req = req.header("content-type", "application/json");
    }
    let body = Full::new(Bytes::from(json.unwrap_or_default()));
    let resp = sender.send_request(req.body(body)?).await?;
    let status = resp.status();
    let bytes = resp.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        bail!("{method} {path}: {status}");
    }
    Ok(bytes.to_vec())
}
