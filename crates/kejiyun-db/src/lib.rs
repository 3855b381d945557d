//! Kejiyun's storage: the [`Store`](kejiyun_core::ports::Store) port implemented once with
//! SeaORM for SQLite (default), PostgreSQL and MySQL/MariaDB, the backend chosen from the
//! database URL; migrations; the national region list.

mod entities;
mod migrations;
pub mod regions;
mod store;
#[cfg(feature = "testing")]
pub mod testing;

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};
use sea_orm_migration::MigratorTrait;

pub use store::SeaStore;

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

/// Connects to the database the URL names. SQLite is opened in WAL mode with
/// `synchronous=FULL` (a write survives power loss once answered), foreign keys on and a busy
/// timeout; the settings actually in force are logged.
pub async fn connect(url: &str) -> Result<SeaStore, DbError> {
    let backend = backend_of(url)?;
    let url = url.replacen("mariadb://", "mysql://", 1);
    let mut opts = ConnectOptions::new(url.clone());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    match backend {
        DbBackend::Sqlite => {
            // One connection: SQLite serialises writers anyway, and a single connection keeps
            // `sqlite::memory:` one database and avoids upgrade deadlocks between readers.
            opts.max_connections(1).map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
            });
        }
        _ => {
            opts.max_connections(10).min_connections(1);
        }
    }
    let db = Database::connect(opts).await?;
    if backend == DbBackend::Sqlite {
        log_sqlite_settings(&db).await?;
    } else {
        tracing::info!(backend = ?backend, url = %redact(&url), "database connected");
    }
    Ok(SeaStore::new(db))
}

async fn log_sqlite_settings(db: &DatabaseConnection) -> Result<(), DbError> {
    let mut values = Vec::new();
    for pragma in [
        "journal_mode",
        "synchronous",
        "foreign_keys",
        "busy_timeout",
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
        use kejiyun_core::stats_ports::StatsStore;
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
