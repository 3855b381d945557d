//! Wiring: store → services → router → listener. The one place where the concrete store meets
//! the web layer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use kejiyun_core::app::Services;
use kejiyun_core::auth::LockoutPolicy;
use kejiyun_core::auth::one_time_codes::CodePolicy;
use kejiyun_core::auth::second_factor::SecondFactorPolicy;
use kejiyun_core::banned_words::BannedWords;
use kejiyun_core::notifications::delivery::{LogSender, Sender};
use kejiyun_core::personal_data::PersonalDataKey;
use kejiyun_core::questions::QaPolicy;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::search_ports::SearchFeed;
use kejiyun_core::time::SystemClock;
use kejiyun_db::SeaStore;
use kejiyun_search::{Analyzer, Indexer, SearchIndex, Semantic};
use kejiyun_web::{AppState, Rate, ThrottleConfig, WebConfig};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Config;

/// Where a server keeps its search index (each server its own: the index is a local copy).
pub fn search_index_dir(config: &Config) -> std::path::PathBuf {
    config.data_dir.join("search-index")
}

/// Opens (or creates, or rebuilds if unusable) the server's search index.
pub fn open_search_index(config: &Config) -> anyhow::Result<Arc<SearchIndex>> {
    let dir = search_index_dir(config);
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data dir {}", config.data_dir.display()))?;
    let index = SearchIndex::open(&dir, Analyzer::new())
        .with_context(|| format!("cannot open the search index in {}", dir.display()))?;
    Ok(Arc::new(index))
}

/// The embedding model file: `embedding_model` if set, else `KEJIYUN_EMBED_MODEL`, else
/// `<data_dir>/models/…`, else `./models/…` if that one exists (a checkout where
/// `scripts/fetch-model` ran).
pub fn embedding_model_path(config: &Config) -> std::path::PathBuf {
    data_file_path(
        config,
        &config.embedding_model,
        kejiyun_embed::MODEL_ENV,
        kejiyun_embed::MODEL_FILE,
    )
}

/// The certificates' font, found as the model is (`scripts/fetch-font`).
pub fn certificate_font_path(config: &Config) -> std::path::PathBuf {
    data_file_path(
        config,
        &config.certificate_font,
        "KEJIYUN_CERTIFICATE_FONT",
        kejiyun_web::certificate_pdf::FONT_FILE,
    )
}

/// The personal-data key (ID-card numbers at rest): `KEJIYUN_PERSONAL_DATA_KEY` (64 hex
/// digits), else `<data_dir>/personal-data.key`, created with a new random key (readable by
/// the owner only) on first start. Losing it loses the sealed numbers: it belongs in backups,
/// kept apart from the database's (docs/operations.md).
pub fn personal_data_key(config: &Config) -> anyhow::Result<PersonalDataKey> {
    if let Some(text) = std::env::var_os("KEJIYUN_PERSONAL_DATA_KEY").filter(|v| !v.is_empty()) {
        return PersonalDataKey::from_hex(&text.to_string_lossy())
            .map_err(|e| anyhow::anyhow!("KEJIYUN_PERSONAL_DATA_KEY: {e}"));
    }
    let path = crate::keys::key_path(config);
    if crate::keys::next_key_path(config).exists() {
        anyhow::bail!(
            "个人信息密钥轮换未完成（{} 存在）：请停止所有服务器后再次运行 kejiyun keys rotate",
            crate::keys::next_key_path(config).display()
        );
    }
    if !path.exists() {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
        write_private(&path, &PersonalDataKey::generate_hex())
            .with_context(|| format!("cannot write {}", path.display()))?;
        tracing::info!(path = %path.display(), "created a new personal-data key");
    }
    crate::keys::read_key(&path)
}

fn minutes_to_secs(m: u64) -> i64 {
    i64::try_from(m.saturating_mul(60)).unwrap_or(i64::MAX)
}

/// Writes a new file only its owner can read (where the platform has permissions).
pub(crate) fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// A data file the product fetches once (a model, a font): `configured` if set, else the
/// environment variable `env`, else `<data_dir>/models/<file>`, else `./models/<file>` if that
/// one exists (a checkout where the fetch script ran).
fn data_file_path(config: &Config, configured: &str, env: &str, file: &str) -> std::path::PathBuf {
    if !configured.is_empty() {
        return std::path::PathBuf::from(configured);
    }
    if let Some(p) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        return std::path::PathBuf::from(p);
    }
    let in_data = config.data_dir.join("models").join(file);
    if in_data.exists() {
        return in_data;
    }
    let dev = std::path::Path::new("models").join(file);
    if dev.exists() { dev } else { in_data }
}

/// The embedding worker, if semantic matching is on and the model loads; otherwise matching
/// is by words only, and the log says why.
pub fn load_semantic(config: &Config) -> Option<Arc<Semantic>> {
    if !config.semantic_matching {
        tracing::info!("semantic matching is off (semantic_matching = false)");
        return None;
    }
    let path = embedding_model_path(config);
    match kejiyun_embed::Embedder::load(&path) {
        Ok(embedder) => {
            tracing::info!(model = %path.display(), engine = embedder.engine(), "semantic matching on");
            Some(Semantic::new(Arc::new(embedder)))
        }
        Err(e) => {
            tracing::warn!(error = %e, "semantic matching off: matching by words only (fetch the model with scripts/fetch-model)");
            None
        }
    }
}

/// Rebuilds the search index in `<data_dir>/search-index` from the published records; returns
/// how many were indexed.
pub async fn reindex(config: &Config) -> anyhow::Result<u64> {
    let index = open_search_index(config)?;
    let (_services, store) = services_with_search(config, index.clone()).await?;
    let mut indexer = Indexer::new(index, Arc::new(store))?;
    Ok(indexer.reindex().await?)
}

/// Services for commands that do not serve: the search index is an empty one in memory
/// (the server's own index directory stays free for the server).
pub async fn services(config: &Config) -> anyhow::Result<(Arc<Services>, SeaStore)> {
    let index = Arc::new(SearchIndex::in_memory(Analyzer::new())?);
    services_with_search(config, index).await
}

/// Connects to the configured database, applies migrations and builds the services (messages
/// go to the log-only sender).
pub async fn services_with_search(
    config: &Config,
    index: Arc<SearchIndex>,
) -> anyhow::Result<(Arc<Services>, SeaStore)> {
    build_services(config, index, Arc::new(LogSender)).await
}

async fn build_services(
    config: &Config,
    index: Arc<SearchIndex>,
    sender: Arc<dyn Sender>,
) -> anyhow::Result<(Arc<Services>, SeaStore)> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data dir {}", config.data_dir.display()))?;
    let url = config.effective_database_url();
    let personal_data = personal_data_key(config)?;
    let store = kejiyun_db::connect_with(&url, config.database_timeouts())
        .await
        .with_context(|| format!("cannot open database {}", kejiyun_db::redact(&url)))?
        .with_personal_data_key(personal_data.clone());
    kejiyun_db::migrate(&store)
        .await
        .context("migrations failed")?;
    // Phones and ID-card numbers an older version stored plain are sealed before anything
    // is served.
    let sealed = store
        .seal_plain_personal_data(&personal_data)
        .await
        .map_err(|e| anyhow::anyhow!("sealing personal data: {e}"))?;
    if sealed.total() > 0 {
        tracing::info!(columns = ?sealed.columns, "sealed personal data stored plain");
    }
    let root =
        RegionCode::parse(&config.root_region).map_err(|e| anyhow::anyhow!("root_region: {e}"))?;
    let regions = kejiyun_db::regions::directory();
    if regions.get(root).is_none() {
        anyhow::bail!("root_region {root} is not a known region");
    }
    let services = Services {
        store: Arc::new(store.clone()),
        search: index,
        search_feed: Arc::new(store.clone()),
        clock: Arc::new(SystemClock),
        regions,
        root,
        banned_words: Arc::new(BannedWords::new(&config.banned_words)),
        lockout: LockoutPolicy {
            max_failures: config.lockout_max_failures.max(1),
            window_secs: i64::from(config.lockout_window_minutes.max(1)) * 60,
            lock_secs: i64::from(config.lockout_minutes.max(1)) * 60,
            max_lock_secs: i64::from(
                config
                    .lockout_max_minutes
                    .max(config.lockout_minutes)
                    .max(1),
            ) * 60,
        },
        password_policy: kejiyun_core::accounts::password_policy::PasswordPolicy {
            admin_max_age_secs: i64::from(config.admin_password_max_age_days) * 86_400,
            history: config
                .password_history
                .min(kejiyun_core::accounts::password_policy::MAX_HISTORY),
        },
        codes: CodePolicy {
            ttl_secs: i64::from(config.one_time_code_ttl_secs.max(1)),
            max_attempts: config.one_time_code_max_attempts.max(1),
            ..CodePolicy::default()
        },
        sender,
        admin_second_factor: SecondFactorPolicy::parse(&config.admin_second_factor)
            .map_err(|e| anyhow::anyhow!("admin_second_factor: {e}"))?,
        sessions: kejiyun_core::auth::SessionPolicy {
            absolute_secs: minutes_to_secs(config.session_absolute_minutes.max(1)),
            idle_secs: minutes_to_secs(config.session_idle_minutes),
            admin_idle_secs: minutes_to_secs(config.admin_session_idle_minutes),
        },
        posting_ttl_days: config.posting_ttl_days,
        qa: QaPolicy {
            invitations: config.question_invitations.clamp(1, 20),
            widen_after_hours: config.question_widen_hours.max(1),
            unanswered_hours: config.question_unanswered_hours.max(0),
        },
        upload_limit_bytes: config.upload_limit_bytes,
        files: Arc::new(store.files(&config.data_dir)),
        upload_policy: config.uploads.policy(),
        personal_data,
        views: Arc::new(kejiyun_core::popsci::views::ViewCounter::default()),
    };
    Ok((Arc::new(services), store))
}

pub fn web_config(config: &Config, demo_notice: Option<String>) -> WebConfig {
    WebConfig {
        body_limit_bytes: config.body_limit_bytes,
        request_timeout: Duration::from_secs(config.request_timeout_secs.max(1)),
        secure_cookies: config.secure_cookies,
        demo_notice,
        throttle: ThrottleConfig {
            login: Rate {
                per_minute: config.login_rate_per_minute,
                burst: config.login_burst.max(1),
            },
            register: Rate {
                per_minute: config.register_rate_per_minute,
                burst: config.register_burst.max(1),
            },
            code: Rate {
                per_minute: config.code_rate_per_minute,
                burst: config.code_burst.max(1),
            },
            trust_forwarded_for: config.trust_forwarded_for,
        },
        map_dir: Some(config.data_dir.join("maps")),
        certificate_font: certificate_font_path(config),
        public_url: config.public_url.trim_end_matches('/').to_owned(),
        count_views: config.count_views,
    }
}

/// A server running in the background of this process.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub services: Arc<Services>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    /// Dropping (or sending on) it stops the sweeper (posting expiry, notification delivery).
    stop_sweeper: Option<oneshot::Sender<()>>,
    sweeper: JoinHandle<()>,
    /// Likewise for the search index writer (and the embedding worker beside it).
    stop_indexer: Option<oneshot::Sender<()>>,
    indexer: JoinHandle<()>,
    /// Likewise for the resource views' flusher, stopped after the last request (its last
    /// flush writes the views counted until then).
    stop_views: Option<oneshot::Sender<()>>,
    views: JoinHandle<()>,
    /// Shared with the web layer: set at the start of [`RunningServer::stop`].
    draining: Arc<AtomicBool>,
    /// How long the server keeps answering after `draining` is set.
    drain: Duration,
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Drains, then stops accepting, finishes in-flight requests, and waits. Draining: for
    /// `shutdown_drain_ms` the server still accepts and answers, `/readyz` says "draining" and
    /// every answer closes its connection, so clients and load balancers move away before the
    /// port closes instead of having requests reset.
    pub async fn stop(mut self) {
        self.draining.store(true, Ordering::Relaxed);
        if !self.drain.is_zero() {
            tracing::info!(
                drain_ms = self.drain.as_millis() as u64,
                "draining before stop"
            );
            tokio::time::sleep(self.drain).await;
        }
        if let Some(tx) = self.stop_sweeper.take() {
            let _ = tx.send(());
        }
        if let Some(tx) = self.stop_indexer.take() {
            let _ = tx.send(());
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.sweeper.await;
        let _ = self.indexer.await;
        let _ = self.task.await;
        if let Some(tx) = self.stop_views.take() {
            let _ = tx.send(());
        }
        let _ = self.views.await;
    }
}

/// How often the views counted in memory are written (a crash loses at most this much).
const VIEW_FLUSH: Duration = Duration::from_secs(1);

/// Writes the counted resource views every [`VIEW_FLUSH`] and once more when `stop` fires;
/// a failed flush keeps its views in memory for the next one.
fn spawn_view_flusher(services: Arc<Services>, mut stop: oneshot::Receiver<()>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(VIEW_FLUSH);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let last = tokio::select! {
                _ = &mut stop => true,
                _ = every.tick() => false,
            };
            if let Err(e) = services.resources().flush_views().await {
                tracing::warn!(error = %e, pending = services.views.pending_views(), "writing resource views failed; kept for the next flush");
            }
            if last {
                break;
            }
        }
    })
}

/// How often published postings past their confirmation interval are closed as expired.
const EXPIRY_SWEEP: Duration = Duration::from_secs(10 * 60);

/// How often notification copies are sent: real-time ones within this delay, digests at the
/// first sweep after their time (the schedule itself is `notifications::delivery`).
const DELIVERY_SWEEP: Duration = Duration::from_secs(60);

/// How often outbox rows older than `outbox_retention_days` are deleted, and one-time codes
/// no limit counts any more.
const OUTBOX_PRUNE_SWEEP: Duration = Duration::from_secs(60 * 60);

/// Deletes the outbox rows older than `retention_days` (at least one day); returns how many.
pub async fn prune_outbox(
    services: &Services,
    feed: &dyn SearchFeed,
    retention_days: i64,
) -> anyhow::Result<u64> {
    let before = services
        .now()
        .plus_seconds(-retention_days.max(1).saturating_mul(24 * 60 * 60));
    Ok(feed.prune_outbox(before).await?)
}

/// What the sweeper works with.
struct Sweeps {
    services: Arc<Services>,
    feed: Arc<dyn SearchFeed>,
    outbox_retention_days: i64,
}

/// Closes expired postings now and every [`EXPIRY_SWEEP`], delivers notification copies
/// every [`DELIVERY_SWEEP`] and prunes the outbox every [`OUTBOX_PRUNE_SWEEP`], until `stop`
/// fires (or its sender is dropped).
fn spawn_sweeper(sweeps: Sweeps, mut stop: oneshot::Receiver<()>) -> JoinHandle<()> {
    let Sweeps {
        services,
        feed,
        outbox_retention_days,
    } = sweeps;
    tokio::spawn(async move {
        let mut every = tokio::time::interval(EXPIRY_SWEEP);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut deliver = tokio::time::interval(DELIVERY_SWEEP);
        deliver.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut prune = tokio::time::interval(OUTBOX_PRUNE_SWEEP);
        prune.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = every.tick() => {
                    match services.postings().expire_postings().await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(closed = n, "expired postings closed"),
                        Err(e) => tracing::warn!(error = %e, "closing expired postings failed"),
                    }
                    match services.questions().widen_unanswered().await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(invited = n, "unanswered questions routed wider"),
                        Err(e) => tracing::warn!(error = %e, "routing unanswered questions failed"),
                    }
                },
                _ = deliver.tick() => match services.notifications().deliver_notifications(services.sender.as_ref()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(sent = n, "notification messages sent"),
                    Err(e) => tracing::warn!(error = %e, "delivering notifications failed"),
                },
                _ = prune.tick() => {
                    match prune_outbox(&services, feed.as_ref(), outbox_retention_days).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(deleted = n, "outbox pruned"),
                        Err(e) => tracing::warn!(error = %e, "pruning the outbox failed"),
                    }
                    match services.codes().prune_codes().await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(deleted = n, "old one-time codes deleted"),
                        Err(e) => tracing::warn!(error = %e, "deleting old one-time codes failed"),
                    }
                    if let Err(e) = services.second_factor().prune_challenges().await {
                        tracing::warn!(error = %e, "deleting old login challenges failed");
                    }
                },
            }
        }
    })
}

/// Binds `config.listen` (port 0 picks a free port), and serves until stopped; messages go to
/// the log-only sender.
pub async fn spawn(config: &Config, demo: bool) -> anyhow::Result<RunningServer> {
    spawn_with_sender(config, demo, Arc::new(LogSender)).await
}

/// [`spawn`], with messages (one-time codes, notification copies) going to `sender`.
pub async fn spawn_with_sender(
    config: &Config,
    demo: bool,
    sender: Arc<dyn Sender>,
) -> anyhow::Result<RunningServer> {
    // The demo's accounts are public: its admins need no second factor, and their passwords,
    // set in the replayed history months ago, do not expire (or every demo admin would be an
    // ordinary user until they changed it).
    let demo_config;
    let config = if demo {
        demo_config = Config {
            admin_second_factor: SecondFactorPolicy::Optional.as_str().into(),
            admin_password_max_age_days: 0,
            ..config.clone()
        };
        &demo_config
    } else {
        config
    };
    let index = open_search_index(config)?;
    let (services, store) = build_services(config, index.clone(), sender).await?;
    let notice = if demo {
        Some(crate::demo::load(&services).await?)
    } else {
        None
    };
    // The index is current before the first request; then it follows the outbox.
    let feed: Arc<dyn SearchFeed> = Arc::new(store);
    let semantic = load_semantic(config);
    let mut indexer = Indexer::new(index.clone(), feed.clone())?;
    if let Some(semantic) = &semantic {
        indexer = indexer.with_semantic(semantic.clone());
    }
    let caught_up = indexer.catch_up().await?;
    tracing::info!(outbox_rows = caught_up, "search index caught up");
    let (stop_indexer, indexer_rx) = oneshot::channel::<()>();
    let poll = Duration::from_millis(config.search_poll_ms.clamp(10, 60_000));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    };
    let embedding = semantic.map(|s| tokio::spawn(s.run(index, feed.clone(), stopped())));
    let indexer_stopped = stopped();
    let indexer = tokio::spawn(async move {
        let stop = async move {
            let _ = indexer_rx.await;
            let _ = stop_tx.send(true);
        };
        indexer.run(poll, stop).await;
        indexer_stopped.await;
        if let Some(embedding) = embedding {
            let _ = embedding.await;
        }
    });
    let state = AppState::new(services.clone(), web_config(config, notice));
    let draining = state.draining.clone();
    let listener = TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = kejiyun_web::router(state);
    let task = tokio::spawn(async move {
        // The peer's address is what the login and registration throttle counts by.
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = rx.await;
        })
        .await
    });
    let (stop_sweeper, sweeper_rx) = oneshot::channel::<()>();
    let sweeps = Sweeps {
        services: services.clone(),
        feed,
        outbox_retention_days: config.outbox_retention_days,
    };
    let sweeper = spawn_sweeper(sweeps, sweeper_rx);
    let (stop_views, views_rx) = oneshot::channel::<()>();
    let views = spawn_view_flusher(services.clone(), views_rx);
    tracing::info!(%addr, backend = services.store.backend_name(), root = %services.root, "kejiyun listening");
    Ok(RunningServer {
        addr,
        services,
        shutdown: Some(tx),
        task,
        stop_sweeper: Some(stop_sweeper),
        sweeper,
        stop_indexer: Some(stop_indexer),
        indexer,
        stop_views: Some(stop_views),
        views,
        draining,
        drain: Duration::from_millis(config.shutdown_drain_ms),
    })
}
