//! The command line: `serve`, `migrate`, `admin create`, `config default`, `stats`, `bench`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use kejiyun_core::app::AdminSpec;

use crate::config::{Config, DEFAULT_TOML, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "kejiyun",
    version,
    about = "科技云 Kejiyun: a science & technology service cloud"
)]
pub struct Cli {
    /// Configuration file (TOML); default: ./kejiyun.toml if present.
    #[arg(long, global = true, env = "KEJIYUN_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ServerArgs {
    /// Listen address, e.g. 127.0.0.1:8080 (port 0: any free port).
    #[arg(long)]
    pub listen: Option<String>,
    /// Data directory (SQLite database, uploads, index).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://…, postgres://… or mysql://….
    #[arg(long)]
    pub database_url: Option<String>,
}

impl ServerArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            listen: self.listen.clone(),
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server.
    Serve {
        #[command(flatten)]
        server: ServerArgs,
        /// Load demo data (广安市: seven months of postings, deals, tech workers and organizations) and print its logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Back up the database (a consistent copy while the server runs) and the uploaded files
    /// into a new directory, with a manifest; the search index is rebuilt after a restore and
    /// the personal-data key is kept apart (see docs/operations.md).
    Backup {
        /// The directory to create (or an empty one).
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Restore a backup into an empty database of the same engine and this data directory
    /// (which holds the old deployment's personal-data key); then start the server.
    Restore {
        /// A directory `kejiyun backup` wrote.
        #[arg(long)]
        from: PathBuf,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Rebuild this server's search index from the database (stop the server first: the
    /// index directory belongs to one process at a time).
    Reindex {
        #[command(flatten)]
        server: ServerArgs,
    },
    /// The change log the search indexes follow (every server prunes it hourly).
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// The audit log's hash chain: verify it, prune entries past the retention.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The personal-data key: generate one, or rotate to a new one (see docs/operations.md).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Manage administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Statistics: check or rebuild the served figures.
    Stats {
        #[command(subcommand)]
        command: StatsCommand,
    },
    /// Benchmarks (issue 5, "Measured").
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Served figures: generate counted events over Sichuan's counties and three years, load
    /// them, and print rebuild, served-query and write-overhead timings as a table.
    Stats {
        /// Number of generated counted events.
        #[arg(long, default_value_t = 10_000_000)]
        events: u64,
        /// Data directory for the SQLite database and the CSV export (default: a new temp dir).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Database URL (default: SQLite in the data directory). Use an empty database.
        #[arg(long)]
        database_url: Option<String>,
        /// Seed of the event generator.
        #[arg(long, default_value_t = 5)]
        seed: u64,
    },
    /// Write the seeded Chinese posting corpus as JSONL (hidden labels in `hidden_*` fields).
    Corpus {
        #[arg(long)]
        size: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Score each ranker (BM25 baseline, …) against the relevance set: nDCG@10, recall@10,
    /// P@5, latency, build time, as Markdown tables; then, if there is one, on the realistic
    /// set (hand-written needs and documents; BM25, Kejiyun's matcher and the embedding model).
    Matching {
        /// Postings of the generated corpus; 0 skips it (the realistic set alone).
        #[arg(long, default_value_t = 50_000)]
        size: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The realistic set's directory (docs.jsonl, needs.jsonl, qrels.tsv); default:
        /// crates/kejiyun-corpus/data/realistic when it exists.
        #[arg(long)]
        realistic: Option<PathBuf>,
        /// The embedding model file (default: KEJIYUN_EMBED_MODEL, else
        /// data/models/e5-small-q4.bin, else models/e5-small-q4.bin; scripts/fetch-model
        /// fetches it). Missing: the embedding rankers are skipped, and the output says so.
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Expert Q&A routing quality: generated experts and colloquial questions; the experts
    /// Kejiyun's routing would invite beside a plain BM25 ranking of the same experts
    /// (nDCG@5, P@5, recall@5) as a Markdown table.
    Routing {
        #[arg(long, default_value_t = 2_000)]
        experts: usize,
        #[arg(long, default_value_t = 300)]
        questions: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// A region admin's volunteers' sheet (.xlsx): read, dry run and all-or-nothing import of
    /// `rows` generated people on a fresh database, as a Markdown table (target: 10,000 rows
    /// in under a minute).
    Import {
        #[arg(long, default_value_t = 10_000)]
        rows: usize,
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Database URL (default: SQLite in the data directory). Use an empty database.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// How soon a published posting is searchable and a closed one gone, through a running
    /// server with demo data (SQLite in a temp dir unless a database is given).
    Freshness {
        #[arg(long, default_value_t = 50)]
        samples: usize,
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Database URL (default: SQLite in the data directory). Use an empty database.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Pages' speed: `kejiyun serve --demo` in a child process on a loopback port, driven by
    /// the built-in load generator; each page's rate beside a trivial route of the same
    /// server, then its latency at a fixed 80% of that rate, as one Markdown table.
    Pages {
        /// Seconds each route is driven (closed loop, then at 80%).
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Keep-alive connections.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// Data directory of the server (default: a new temp dir, removed afterwards).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Counting resource views (浏览量, issue 20): the resource page with a new visitor per
    /// request, counting on and off, against a naive autocommit UPDATE per view on SQLite
    /// (and PostgreSQL with --postgres), as one Markdown table.
    Views {
        /// Seconds of each measurement (page: that many one-second rounds on and as many off,
        /// alternating; naive: per backend).
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Keep-alive connections of the page runs, and tasks of the naive runs.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// PostgreSQL for the naive comparison: a private database (the bench migrates it and
        /// adds and removes one user and one resource). Without it PostgreSQL is skipped.
        #[arg(long, env = "KEJIYUN_BENCH_POSTGRES_URL")]
        postgres: Option<String>,
    },
    /// Kejiyun's search and matching side by side with peer engines (Lucene, milli,
    /// PostgreSQL FTS, SQLite FTS5) on one corpus, as one Markdown table. The peers run
    /// through bench/search/peers.py; `scripts/bench-search` installs them and runs this.
    Search {
        #[arg(long, default_value_t = 1_000_000)]
        size: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Comma-separated: lucene,milli,postgres,sqlite, or `none` for Kejiyun alone.
        #[arg(long, default_value = "lucene,milli,postgres,sqlite")]
        peers: String,
        /// The Python with the peers installed (scripts/bench-search makes one).
        #[arg(long, default_value = "target/bench-venv/bin/python")]
        python: PathBuf,
        /// The peer driver script.
        #[arg(long, default_value = "bench/search/peers.py")]
        script: PathBuf,
        /// Where the corpus and the indexes go (default: a temp dir, removed afterwards).
        #[arg(long)]
        work_dir: Option<PathBuf>,
        /// Timed rounds: times each query is asked of every engine (after one warm-up round).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// PostgreSQL for the postgres peer: an empty, private database.
        #[arg(long, env = "KEJIYUN_BENCH_POSTGRES_URL")]
        postgres_url: Option<String>,
        /// Also write the table to this file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Leave Kejiyun's index in the segments the bulk load flushed, as a live server's
        /// index is between merges, instead of merging it as `kejiyun reindex` does (into one
        /// segment per search thread).
        #[arg(long)]
        keep_segments: bool,
        /// Time all engines in the same rounds (the default times each peer in rounds of its
        /// own beside Kejiyun, so no third engine's index competes for memory).
        #[arg(long)]
        all_at_once: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Recompute every figure from the base records and report differences from the served
    /// figures (exit status 1 if any).
    Verify {
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Rebuild the served figures from the base records.
    Rebuild {
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Delete the entries older than the retention now (servers whose index is older rebuild
    /// it when they start).
    Prune {
        /// Days to keep (default: `outbox_retention_days` of the configuration; at least 1).
        #[arg(long)]
        older_than_days: Option<i64>,
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit log's hash chain from its start (or the pruned horizon) to its
    /// head; exit status 1, naming the first bad entry, if an entry was altered or removed.
    Verify {
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Delete the entries older than `audit_retention_days` (at least 180), oldest first; the
    /// rest stays verifiable.
    Prune {
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print a new random key (64 hex digits), e.g. for KEJIYUN_NEW_PERSONAL_DATA_KEY.
    Generate,
    /// Re-seal every phone, ID-card number and second-factor secret with a new key and
    /// recompute the blind indexes, in one transaction; the old key file is kept as
    /// `personal-data.key.retired-<fingerprint>`. Stop every server on the database first.
    Rotate {
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create (or promote) an administrator.
    Create {
        /// Phone number or e-mail to log in with.
        #[arg(long)]
        login: String,
        /// Password for a new account (8+ characters, letters and digits).
        #[arg(long, env = "KEJIYUN_ADMIN_PASSWORD")]
        password: Option<String>,
        /// `region_admin`, `system_admin`, `security_admin` or `audit_admin` (三员分立: the
        /// last three are held by three different accounts; the security and audit
        /// administrators can be set only here).
        #[arg(long)]
        role: String,
        /// Region code for a region admin, e.g. 511623.
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Take an administrator role away from an account (audited); the account stays.
    Revoke {
        /// Phone number or e-mail of the account.
        #[arg(long)]
        login: String,
        /// The role to take away (as for `create`).
        #[arg(long)]
        role: String,
        /// The region of a region admin's role.
        #[arg(long)]
        region: Option<String>,
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented default configuration file.
    Default,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let load = |args: &ServerArgs| Config::load(cli.config.as_deref(), &args.overrides());
    match cli.command {
        Command::Config {
            command: ConfigCommand::Default,
        } => {
            print!("{DEFAULT_TOML}");
            Ok(())
        }
        Command::Serve { server, demo } => {
            let config = load(&server)?;
            crate::logging::init(&config.log_format);
            let running = crate::server::spawn(&config, demo).await?;
            eprintln!("科技云 Kejiyun 已启动: {}", running.url());
            shutdown_signal().await;
            tracing::info!("shutting down");
            running.stop().await;
            Ok(())
        }
        Command::Stats { command } => {
            let (server, rebuild) = match command {
                StatsCommand::Verify { server } => (server, false),
                StatsCommand::Rebuild { server } => (server, true),
            };
            let config = load(&server)?;
            crate::logging::init(&config.log_format);
            let (services, _) = crate::server::services(&config).await?;
            if rebuild {
                let cells = services
                    .stats()
                    .rebuild_stats()
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                println!("已重建统计数据：{cells} 个统计单元");
                return Ok(());
            }
            let diffs = services
                .stats()
                .verify_stats()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if diffs.is_empty() {
                println!("统计数据核对一致：所有指标与原始记录重新计算的结果相同");
                return Ok(());
            }
            for d in &diffs {
                let day = match (d.date(), d.day_index) {
                    (Some(date), _) => date.to_string(),
                    (None, Some(i)) => format!("{}#{}", d.key.year, i + 1),
                    (None, None) => format!("{} 全年合计", d.key.year),
                };
                let figure = format!(
                    "{}\t{}\t{}\t{}",
                    d.key.metric.key(),
                    day,
                    d.key.region,
                    d.key.category
                );
                println!("{figure}\tserved={}\trecomputed={}", d.served, d.recomputed);
            }
            anyhow::bail!(
                "{} 个统计单元不一致；运行 `kejiyun stats rebuild` 重建",
                diffs.len()
            )
        }
        Command::Bench {
            command:
                BenchCommand::Stats {
                    events,
                    data_dir,
                    database_url,
                    seed,
                },
        } => {
            crate::bench::run_stats(&crate::bench::StatsBenchOptions {
                events,
                data_dir,
                database_url,
                seed,
            })
            .await?;
            Ok(())
        }
        Command::Outbox {
            command:
                OutboxCommand::Prune {
                    older_than_days,
                    server,
                },
        } => {
            let config = load(&server)?;
            crate::logging::init(&config.log_format);
            let (services, store) = crate::server::services(&config).await?;
            let days = older_than_days.unwrap_or(config.outbox_retention_days);
            let n = crate::server::prune_outbox(&services, &store, days).await?;
            println!("已清理 {n} 条超过 {} 天的变更记录（outbox）", days.max(1));
            Ok(())
        }
        Command::Audit { command } => {
            let (server, prune) = match command {
                AuditCommand::Verify { server } => (server, false),
                AuditCommand::Prune { server } => (server, true),
            };
            let config = load(&server)?;
            crate::logging::init(&config.log_format);
            let (services, _) = crate::server::services(&config).await?;
            if prune {
                let days = config.audit_retention_days;
                let (deleted, horizon) = services
                    .audit_chain()
                    .prune(days)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                println!(
                    "已清理 {deleted} 条超过 {days} 天的审计记录；审计链自第 {} 条起校验",
                    horizon + 1
                );
                return Ok(());
            }
            let report = services
                .audit_chain()
                .verify()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if let Some(b) = &report.broken {
                anyhow::bail!("审计链校验失败（已核对 {} 条）：{b}", report.checked);
            }
            println!(
                "审计链完整：已核对 {} 条记录（第 {} 至 {} 条）；链头哈希 {}",
                report.checked,
                report.pruned_seq + 1,
                report.head.last_seq,
                report.head.last_hash
            );
            Ok(())
        }
        Command::Backup { to, server } => {
            let config = load(&server)?;
            crate::logging::init(&config.log_format);
            let m = crate::backup::backup(&config, &to).await?;
            eprintln!(
                "backup written to {}: the {} database ({}), {} files ({} bytes); the personal-data key is not in it — keep it apart",
                to.display(),
                m.backend,
                m.database_file,
                m.files,
                m.file_bytes
            );
            Ok(())
        }
        Command::Restore { from, server } => {
            let config = load(&server)?;
            crate::logging::init(&config.log_format);
            let m = crate::backup::restore(&config, &from).await?;
            eprintln!(
                "restored the backup of {} ({} files); start the server: it migrates the database if needed and rebuilds the search index",
                m.created_at, m.files
            );
            Ok(())
        }
        Command::Reindex { server } => {
            let config = load(&server)?;
            crate::logging::init(&config.log_format);
            let n = crate::server::reindex(&config).await?;
            eprintln!(
                "search index rebuilt: {n} published records in {}",
                crate::server::search_index_dir(&config).display()
            );
            Ok(())
        }
        Command::Bench {
            command: BenchCommand::Corpus { size, seed, out },
        } => {
            crate::bench_corpus::run_corpus(&crate::bench_corpus::CorpusOptions {
                size,
                seed,
                out,
            })?;
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Matching {
                    size,
                    seed,
                    realistic,
                    model,
                },
        } => {
            if size > 0 {
                crate::bench_corpus::run_matching(size, seed)?;
            }
            let explicit = realistic.is_some();
            let dir =
                realistic.unwrap_or_else(|| PathBuf::from(crate::bench_realistic::DEFAULT_DIR));
            if explicit || dir.is_dir() {
                if size > 0 {
                    println!();
                }
                let model = model.unwrap_or_else(crate::bench_realistic::default_model);
                crate::bench_realistic::run(&dir, &model)?;
            } else if size == 0 {
                anyhow::bail!(
                    "--size 0 and no realistic set at {}: nothing to measure",
                    dir.display()
                );
            }
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Routing {
                    experts,
                    questions,
                    seed,
                },
        } => {
            let report = crate::bench_routing::run(&crate::bench_routing::RoutingOptions {
                experts,
                questions,
                seed,
            })?;
            print!("{}", report.markdown());
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Import {
                    rows,
                    data_dir,
                    database_url,
                },
        } => {
            let report = crate::bench_import::run(&crate::bench_import::ImportOptions {
                rows,
                data_dir,
                database_url,
            })
            .await?;
            print!("{}", report.markdown());
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Freshness {
                    samples,
                    data_dir,
                    database_url,
                },
        } => {
            let report = crate::bench_freshness::run(samples, data_dir, database_url).await?;
            println!("{}", report.markdown());
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Pages {
                    seconds,
                    connections,
                    data_dir,
                },
        } => {
            let report = crate::bench_pages::run(&crate::bench_pages::PagesOptions {
                seconds,
                connections,
                data_dir,
            })
            .await?;
            println!("{}", report.markdown());
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Views {
                    seconds,
                    connections,
                    postgres,
                },
        } => {
            let report = crate::bench_views::run(&crate::bench_views::ViewsOptions {
                seconds,
                connections,
                postgres,
            })
            .await?;
            println!("{}", report.markdown());
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Search {
                    size,
                    seed,
                    peers,
                    python,
                    script,
                    work_dir,
                    rounds,
                    postgres_url,
                    out,
                    keep_segments,
                    all_at_once,
                },
        } => {
            let report = crate::bench_search::run(&crate::bench_search::SearchBenchOptions {
                size,
                seed,
                peers: peers
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty() && *p != "none")
                    .map(str::to_owned)
                    .collect(),
                python,
                script,
                work_dir,
                rounds,
                postgres_url,
                keep_segments,
                pairwise: !all_at_once,
            })?;
            print!("{}", report.markdown);
            if let Some(out) = out {
                std::fs::write(&out, &report.markdown)
                    .map_err(|e| anyhow::anyhow!("writing {}: {e}", out.display()))?;
            }
            Ok(())
        }
        Command::Migrate { server } => {
            let config = load(&server)?;
            crate::logging::init(&config.log_format);
            let (_services, store) = crate::server::services(&config).await?;
            eprintln!(
                "migrations applied ({})",
                kejiyun_core::ports::HealthStore::backend_name(&store)
            );
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::Generate,
        } => {
            println!(
                "{}",
                kejiyun_core::personal_data::PersonalDataKey::generate_hex()
            );
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::Rotate { server },
        } => {
            let config = load(&server)?;
            crate::logging::init(&config.log_format);
            let done = crate::keys::rotate(&config).await?;
            println!(
                "个人信息密钥已轮换：{} → {}，重新加密 {} 项",
                done.old_fingerprint,
                done.new_fingerprint,
                done.report.total()
            );
            for (column, n) in &done.report.columns {
                println!("  {column:<32} {n}");
            }
            match &done.retired {
                Some(path) => println!(
                    "旧密钥保存在 {}：恢复轮换前的备份时需要它，请与备份一同妥善保管",
                    path.display()
                ),
                None => println!(
                    "请把 KEJIYUN_PERSONAL_DATA_KEY 换成 KEJIYUN_NEW_PERSONAL_DATA_KEY 的值后再启动服务器"
                ),
            }
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    login,
                    password,
                    role,
                    region,
                    display_name,
                    server,
                },
        } => {
            let config = load(&server)?;
            crate::logging::init(&config.log_format);
            let (services, _) = crate::server::services(&config).await?;
            let id = services
                .accounts()
                .create_admin(
                    None,
                    AdminSpec {
                        login: login.clone(),
                        password,
                        display_name,
                        role: role.clone(),
                        region: region.clone(),
                    },
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "已创建管理员 {login}（用户 {id}，角色 {role}{}）",
                region.map(|r| format!("，地区 {r}")).unwrap_or_default()
            );
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Revoke {
                    login,
                    role,
                    region,
                    server,
                },
        } => {
            let config = load(&server)?;
            crate::logging::init(&config.log_format);
            let (services, _) = crate::server::services(&config).await?;
            let parsed =
                kejiyun_core::accounts::Login::parse(&login).map_err(|e| anyhow::anyhow!("{e}"))?;
            let user = services
                .store
                .user_by_login(&parsed)
                .await?
                .ok_or_else(|| anyhow::anyhow!("没有登录名为 {login} 的账户"))?;
            services
                .accounts()
                .revoke_admin(None, user.id, &role, region.as_deref())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("已撤销 {login} 的管理员角色 {role}");
            Ok(())
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
