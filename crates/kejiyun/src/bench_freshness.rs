//! `kejiyun bench freshness`: how long after a posting is published it can be found, and how
//! long after it is closed it is gone — through a real server (its index writer following the
//! outbox), on the configured database (SQLite in a temp dir by default).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kejiyun_core::app::Decision;
use kejiyun_core::market::postings::{NeedInput, PostingKind};
use kejiyun_core::moderation::ModerationKind;
use kejiyun_core::paging::Page;
use kejiyun_core::search_ports::{DocKind, SearchQuery};

use kejiyun_corpus::eval::percentile;

use crate::config::Config;

/// Demo accounts (`kejiyun serve --demo`): a farmer in 邻水县 and that county's admin.
const FARMER: &str = "13900000007";
const COUNTY_ADMIN: &str = "linshui@kejiyun.demo";
const PASSWORD: &str = "Demo2026kjy";
/// Longer than this counts as "never" (and fails the run).
const GIVE_UP: Duration = Duration::from_secs(30);

pub struct FreshnessReport {
    pub samples: usize,
    pub poll_ms: u64,
    /// Publish (approval committed) → found by the search API, sorted.
    pub found: Vec<Duration>,
    /// Close committed → no longer found, sorted.
    pub gone: Vec<Duration>,
}

impl FreshnessReport {
    pub fn markdown(&self) -> String {
        let ms = |d: Duration| format!("{:.0}", d.as_secs_f64() * 1000.0);
        format!(
            "| measurement ({} postings, index polls every {} ms) | p50 ms | p99 ms | max ms |\n\
             | --- | ---: | ---: | ---: |\n\
             | published → searchable | {} | {} | {} |\n\
             | closed → gone | {} | {} | {} |\n",
            self.samples,
            self.poll_ms,
            ms(percentile(&self.found, 50)),
            ms(percentile(&self.found, 99)),
            ms(percentile(&self.found, 100)),
            ms(percentile(&self.gone, 50)),
            ms(percentile(&self.gone, 99)),
            ms(percentile(&self.gone, 100)),
        )
    }
}

/// Publishes and closes `samples` needs through a running server and times the index.
pub async fn run(
    samples: usize,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
) -> anyhow::Result<FreshnessReport> {
    let own_dir = std::env::temp_dir().join(format!("kejiyun-freshness-{}", std::process::id()));
    if data_dir.is_none() && own_dir.exists() {
        std::fs::remove_dir_all(&own_dir)?;
    }
    let config = Config {
        listen: "127.0.0.1:0".into(),
        data_dir: data_dir.unwrap_or_else(|| own_dir.clone()),
        database_url: database_url.unwrap_or_default(),
        log_format: "pretty".into(),
        ..Config::default()
    };
    let server = crate::server::spawn(&config, true).await?;
    let s = server.services.clone();
    let domain = |e: kejiyun_core::DomainError| anyhow::anyhow!("{e}");
    let farmer = s
        .accounts()
        .login(FARMER, PASSWORD)
        .await
        .and_then(|s| s.into_session())
        .map_err(domain)?
        .actor;
    let admin = s
        .accounts()
        .login(COUNTY_ADMIN, PASSWORD)
        .await
        .and_then(|s| s.into_session())
        .map_err(domain)?
        .actor;
    let mut found = Vec::with_capacity(samples);
    let mut gone = Vec::with_capacity(samples);
    for i in 0..samples {
        let marker = format!("鲜度测{i:04}号猕猴桃溃疡病");
        let input = NeedInput {
            title: format!("{marker}防治咨询"),
            problem: "猕猴桃园枝干流出红褐色菌脓，叶片出现褐色病斑，想请专家上门诊断。".into(),
            current_practice: None,
            target: None,
            budget_fen: None,
            deadline: None,
            industry: "agriculture".into(),
            category: "fruit".into(),
            region: "511623".into(),
        };
        let id = s
            .postings()
            .create(&farmer, &input, true)
            .await
            .map_err(domain)?;
        s.moderation()
            .moderate(&admin, ModerationKind::Need, id.0, Decision::Approve)
            .await
            .map_err(domain)?;
        let start = Instant::now();
        wait(&s, &marker, id.0, true, start).await?;
        found.push(start.elapsed());
        s.postings()
            .close_posting(&farmer, PostingKind::Need, id.0, "withdrawn")
            .await
            .map_err(domain)?;
        let start = Instant::now();
        wait(&s, &marker, id.0, false, start).await?;
        gone.push(start.elapsed());
    }
    server.stop().await;
    if config.data_dir == own_dir {
        let _ = std::fs::remove_dir_all(&own_dir);
    }
    found.sort();
    gone.sort();
    Ok(FreshnessReport {
        samples,
        poll_ms: config.search_poll_ms,
        found,
        gone,
    })
}

/// Polls the search (as the API does) every 5 ms until the need is (or is no longer) found.
async fn wait(
    s: &kejiyun_core::app::Services,
    marker: &str,
    id: i64,
    present: bool,
    start: Instant,
) -> anyhow::Result<()> {
    let query = SearchQuery {
        text: marker.to_owned(),
        kinds: vec![DocKind::Need],
        region: None,
        category: None,
        page: Page::default(),
    };
    loop {
        let r = s.search(&query).map_err(|e| anyhow::anyhow!("{e}"))?;
        if r.hits.iter().any(|h| h.id == id) == present {
            return Ok(());
        }
        anyhow::ensure!(
            start.elapsed() < GIVE_UP,
            "need {id} still {} after {GIVE_UP:?}",
            if present { "missing" } else { "found" }
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
