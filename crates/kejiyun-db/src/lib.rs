//! Kejiyun's storage: the [`Store`](kejiyun_core::ports::Store) ports implemented once with
//! SeaORM for SQLite (default), PostgreSQL and MySQL/MariaDB, the backend chosen from the
//! database URL; migrations; the national region list.

pub mod backup;
mod entities;
mod migrations;
pub mod regions;
mod store;
#[cfg(feature = "testing")]
pub mod testing;

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::sqlx::{AssertSqlSafe, Connection, Executor};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};
use sea_orm_migration::MigratorTrait;

pub use store::uploads::FileStore;
pub use store::{ResealReport, SeaStore};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("不支持的数据库地址（应以 sqlite:、postgres:// 或 mysql:// 开头）：{0}")]
    UnsupportedUrl(String),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// Which engine a database URL names.
pub fn backend_of(url: &str) -> Result<DbBackend, DbError> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => Ok(DbBackend::Sqlite),
        "postgres" | "postgresql" => Ok(DbBackend::Postgres),
        "mysql" | "mariadb" => Ok(DbBackend::MySql),
        _ => Err(DbError::UnsupportedUrl(redact(url))),
    }
}

/// The URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// How long the server waits for the database before it answers 503.
#[derive(Debug, Clone, Copy)]
pub struct DbTimeouts {
    /// Waiting for a pooled connection, including opening one and checking it is alive: a
    /// hung or unreachable server fails requests after this, not after the request timeout.
    pub acquire: Duration,
    /// Longest statement (PostgreSQL `statement_timeout`) and lock wait (MySQL/MariaDB
    /// `innodb_lock_wait_timeout`, whole seconds); SQLite's busy timeout is fixed at 5 s.
    pub statement: Duration,
}

impl Default for DbTimeouts {
    fn default() -> Self {
        Self {
            acquire: Duration::from_secs(3),
            statement: Duration::from_secs(30),
        }
    }
}

/// Connects with the default timeouts; see [`connect_with`].
pub async fn connect(url: &str) -> Result<SeaStore, DbError> {
    connect_with(url, DbTimeouts::default()).await
}

/// Connects to the database the URL names. SQLite is opened in WAL mode with
/// `synchronous=FULL` (a write survives power loss once answered), foreign keys on and a busy
/// timeout; the settings actually in force are logged.
///
/// A connection that comes back to the pool still inside a transaction is closed, never
/// reused: after a failed COMMIT (a full disk) the driver still counts the transaction as
/// open, so the next "transaction" on that connection would be a savepoint inside one that
/// never commits — acknowledged writes visible to this connection only, lost at restart.
/// Closing the connection rolls back whatever it held; the pool opens a fresh one.
pub async fn connect_with(url: &str, timeouts: DbTimeouts) -> Result<SeaStore, DbError> {
    let backend = backend_of(url)?;
    let url = url.replacen("mariadb://", "mysql://", 1);
    let mut opts = ConnectOptions::new(url.clone());
    opts.sqlx_logging(false)
        .connect_timeout(timeouts.acquire)
        .acquire_timeout(timeouts.acquire);
    match backend {
        DbBackend::Sqlite => {
            // One connection: SQLite serialises writers anyway, and a single connection keeps
            // `sqlite::memory:` one database and avoids upgrade deadlocks between readers.
            // A local file does not go away under an open connection: no ping before each
            // use (a round trip to the connection's thread on every query).
            opts.max_connections(1)
                .test_before_acquire(false)
                .map_sqlx_sqlite_opts(|o| {
                    o.create_if_missing(true)
                        .journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Full)
                        .foreign_keys(true)
                        .busy_timeout(Duration::from_secs(5))
                        // Deleted rows (a withdrawn ID number, a revoked token) are zeroed
                        // in the file, not left readable in free pages (等保 level 3).
                        .pragma("secure_delete", "ON")
                })
                .map_sqlx_sqlite_pool_opts(|p| {
                    p.after_release(|conn, _| {
                        Box::pin(async move {
                            // The worker thread applies a dropped transaction's rollback in
                            // order: a ping waits for it before the depth is read.
                            conn.ping().await?;
                            Ok(keep_after_release(conn.is_in_transaction()))
                        })
                    })
                });
        }
        DbBackend::Postgres => {
            opts.max_connections(10)
                .min_connections(1)
                .statement_timeout(timeouts.statement)
                .map_sqlx_postgres_pool_opts(|p| {
                    p.after_release(|conn, _| {
                        Box::pin(async move { Ok(keep_after_release(conn.is_in_transaction())) })
                    })
                });
        }
        _ => {
            let lock_wait = timeouts.statement.as_secs().max(1);
            opts.max_connections(10)
                .min_connections(1)
                .map_sqlx_mysql_pool_opts(move |p| {
                    p.after_connect(move |conn, _| {
                        Box::pin(async move {
                            // A number we formatted, not input: safe to splice.
                            conn.execute(AssertSqlSafe(format!(
                                "SET SESSION innodb_lock_wait_timeout = {lock_wait}"
                            )))
                            .await?;
                            Ok(())
                        })
                    })
                    .after_release(|conn, _| {
                        Box::pin(async move { Ok(keep_after_release(conn.is_in_transaction())) })
                    })
                });
        }
    }
    let db = Database::connect(opts).await?;
    if backend == DbBackend::Sqlite {
        log_sqlite_settings(&db).await?;
        if let Some(reader) = sqlite_readers(&url, timeouts).await? {
            return Ok(SeaStore::with_reader(db, reader));
        }
    } else {
        tracing::info!(backend = ?backend, url = %redact(&url), "database connected");
    }
    Ok(SeaStore::new(db))
}

/// The read-only connections that serve SQLite's reads beside its one writer. In WAL mode
/// readers never wait for the writer nor it for them, so pages and lists stop queueing behind
/// one connection (and behind each other). Each read sees the last commit when it starts,
/// this process's or another's. An in-memory database is one connection's: no readers.
async fn sqlite_readers(
    url: &str,
    timeouts: DbTimeouts,
) -> Result<Option<DatabaseConnection>, DbError> {
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(None);
    }
    let readers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8) as u32;
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .connect_timeout(timeouts.acquire)
        .acquire_timeout(timeouts.acquire)
        .max_connections(readers)
        .min_connections(1)
        .test_before_acquire(false)
        .map_sqlx_sqlite_opts(|o| {
            o.read_only(true)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
        })
        .map_sqlx_sqlite_pool_opts(|p| {
            // A read-only connection has nothing to lose: a dropped read transaction's
            // rollback is queued before its next use, so no ping is needed before reuse.
            p.after_release(|conn, _| {
                Box::pin(async move { Ok(keep_after_release(conn.is_in_transaction())) })
            })
        });
    Ok(Some(Database::connect(opts).await?))
}

/// Whether a connection released to the pool may be reused.
fn keep_after_release(in_transaction: bool) -> bool {
    if in_transaction {
        tracing::warn!("a connection came back inside a transaction (failed commit?): closed");
    }
    !in_transaction
}

async fn log_sqlite_settings(db: &DatabaseConnection) -> Result<(), DbError> {
    let mut values = Vec::new();
    for pragma in [
        "journal_mode",
        "synchronous",
        "foreign_keys",
        "busy_timeout",
        "secure_delete",
    ] {
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                format!("PRAGMA {pragma}"),
            ))
            .await?;
        let v = row
            .and_then(|r| {
                r.try_get_by_index::<String>(0)
                    .ok()
                    .or_else(|| r.try_get_by_index::<i64>(0).ok().map(|n| n.to_string()))
            })
            .unwrap_or_default();
        values.push(v);
    }
    let synchronous = match values[1].as_str() {
        "0" => "off",
        "1" => "normal",
        "2" => "full",
        "3" => "extra",
        other => other,
    };
    tracing::info!(
        journal_mode = %values[0],
        synchronous = %synchronous,
        foreign_keys = %values[2],
        busy_timeout_ms = %values[3],
        secure_delete = %values[4],
        "sqlite settings"
    );
    Ok(())
}

/// Applies pending migrations and loads the national region list if the table is not complete.
pub async fn migrate(store: &SeaStore) -> Result<(), DbError> {
    let pending: Vec<String> = migrations::Migrator::get_pending_migrations(store.connection())
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    migrations::Migrator::up(store.connection(), None).await?;
    store.seed_regions(&regions::national()).await?;
    // A database that had records before the statistics tables existed, before the served
    // figures became day series, or before their sparse form, gets its figures computed once
    // from the base records, with the same definitions the incremental path uses.
    let stats_tables = [
        "m20261129_000003_stats",
        "m20261129_000006_stat_series",
        "m20261129_000007_sparse_series",
    ];
    if pending.iter().any(|m| stats_tables.contains(&m.as_str())) {
        use kejiyun_core::stats::ports::{StatsRebuildStore, StatsRecordStore};
        let records = store
            .counted_records()
            .await
            .map_err(|e| DbError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
        if !records.is_empty() {
            let cells = kejiyun_core::stats::tally(records.iter().map(|r| &r.counted));
            store
                .replace_cells(&cells)
                .await
                .map_err(|e| DbError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
            tracing::info!(cells = cells.len(), "statistics backfilled");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    #[tokio::test]
    async fn sqlite_writes_zero_what_they_delete() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let url = format!("sqlite://{}/t.db?mode=rwc", dir.path().display());
        let store = super::connect(&url).await.unwrap_or_else(|e| panic!("{e}"));
        let row = store
            .db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA secure_delete",
            ))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let on = row.and_then(|r| r.try_get_by_index::<i64>(0).ok());
        assert_eq!(on, Some(1));
    }
}
