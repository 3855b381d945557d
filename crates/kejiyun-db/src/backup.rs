//! The database half of `kejiyun backup` and `kejiyun restore`: an online, consistent copy of
//! the whole database, taken with each engine's own tool — SQLite's `VACUUM INTO` (one read
//! transaction: a snapshot while writers go on), PostgreSQL's `pg_dump` (a repeatable-read
//! snapshot), MySQL/MariaDB's `mysqldump --single-transaction` (a consistent InnoDB read) — and
//! loaded back into an empty database with the matching tool. A provincial IT department runs
//! these tools already; their formats are the ones its other procedures know.

use std::path::{Path, PathBuf};
use std::process::Command;

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::{DbError, backend_of, connect, redact};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("database: {0}")]
    Sql(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The engine's tool is missing or failed; the message names it and says what it printed.
    #[error("{0}")]
    Tool(String),
    #[error("{0}")]
    Refused(String),
}

/// The dump's file name in a backup directory, by engine.
pub fn dump_file_name(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Sqlite => "database.sqlite",
        DbBackend::Postgres => "database.pgdump",
        _ => "database.sql",
    }
}

/// The file a `sqlite:` URL names.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// What `mysqldump` and `mysql` need from a `mysql://` URL. The password goes through the
/// environment (`MYSQL_PWD`), never the command line, where `ps` would show it.
struct MySqlTarget {
    host: String,
    port: u16,
    user: String,
    password: String,
    database: String,
}

fn mysql_target(url: &str) -> Result<MySqlTarget, BackupError> {
    let u = url::Url::parse(&url.replacen("mariadb://", "mysql://", 1))
        .map_err(|e| BackupError::Refused(format!("数据库地址无法解析（{}）：{e}", redact(url))))?;
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(MySqlTarget {
        host: u.host_str().unwrap_or("127.0.0.1").to_owned(),
        port: u.port().unwrap_or(3306),
        user: decode(u.username()),
        password: u.password().map(decode).unwrap_or_default(),
        database: u.path().trim_start_matches('/').to_owned(),
    })
}

/// The first of `names` found on `PATH` (MariaDB ships `mariadb-dump`, older systems only
/// `mysqldump`).
fn tool(names: &[&str]) -> Result<String, BackupError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in names {
        if std::env::split_paths(&path).any(|d| d.join(name).is_file()) {
            return Ok((*name).to_owned());
        }
    }
    Err(BackupError::Tool(format!(
        "找不到 {}：请安装数据库客户端工具（Debian: postgresql-client / mariadb-client）",
        names.join(" 或 ")
    )))
}

fn run(mut cmd: Command, what: &str, stdin: Option<&Path>) -> Result<(), BackupError> {
    if let Some(file) = stdin {
        cmd.stdin(std::fs::File::open(file)?);
    }
    let out = cmd
        .output()
        .map_err(|e| BackupError::Tool(format!("{what} 无法运行：{e}")))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    Err(BackupError::Tool(format!(
        "{what} 失败（{}）：{}",
        out.status,
        err.trim().chars().take(2000).collect::<String>()
    )))
}

/// Writes a consistent copy of the database `url` names to `dir`, while the server may be
/// running; returns the file written.
pub async fn dump(url: &str, dir: &Path) -> Result<PathBuf, BackupError> {
    let backend = backend_of(url)?;
    let file = dir.join(dump_file_name(backend));
    match backend {
        DbBackend::Sqlite => {
            let store = connect(url).await?;
            let target = file.to_string_lossy().replace('\'', "''");
            store
                .connection()
                .execute_unprepared(&format!("VACUUM INTO '{target}'"))
                .await?;
        }
        DbBackend::Postgres => {
            let mut cmd = Command::new(tool(&["pg_dump"])?);
            cmd.arg("--format=custom")
                .arg("--no-owner")
                .arg("--no-privileges")
                .arg(format!("--file={}", file.display()))
                .arg(format!("--dbname={url}"));
            tokio::task::spawn_blocking(move || run(cmd, "pg_dump", None))
                .await
                .map_err(|e| BackupError::Tool(e.to_string()))??;
        }
        _ => {
            let t = mysql_target(url)?;
            let mut cmd = Command::new(tool(&["mariadb-dump", "mysqldump"])?);
            cmd.env("MYSQL_PWD", &t.password)
                .arg("--single-transaction")
                .arg("--routines")
                .arg("--triggers")
                .arg("--no-tablespaces")
                .arg("--default-character-set=utf8mb4")
                .arg(format!("--host={}", t.host))
                .arg(format!("--port={}", t.port))
                .arg(format!("--user={}", t.user))
                .arg(format!("--result-file={}", file.display()))
                .arg(&t.database);
            tokio::task::spawn_blocking(move || run(cmd, "mysqldump", None))
                .await
                .map_err(|e| BackupError::Tool(e.to_string()))??;
        }
    }
    Ok(file)
}

/// How many tables the database `url` names holds (a restore goes into an empty one only).
pub async fn table_count(url: &str) -> Result<i64, BackupError> {
    let backend = backend_of(url)?;
    let store = connect(url).await?;
    let sql = match backend {
        DbBackend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        DbBackend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()"
        }
        _ => "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE()",
    };
    let row = store
        .connection()
        .query_one_raw(Statement::from_string(backend, sql))
        .await?;
    Ok(row
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(0))
}

/// Loads a dump made by [`dump`] into the database `url` names, which must be empty.
pub async fn load(url: &str, file: &Path) -> Result<(), BackupError> {
    let backend = backend_of(url)?;
    if backend == DbBackend::Sqlite {
        let target = sqlite_path(url).ok_or_else(|| {
            BackupError::Refused(format!("无法从数据库地址得到 SQLite 文件：{url}"))
        })?;
        if target.exists() {
            let tables = table_count(url).await?;
            if tables > 0 {
                return Err(BackupError::Refused(format!(
                    "目标数据库 {} 已有 {tables} 张表：恢复只写入新的空数据库，请先移走它",
                    target.display()
                )));
            }
            // An empty file (a connection opened it): replaced, with its journal files.
            for suffix in ["", "-wal", "-shm"] {
                let mut p = target.clone().into_os_string();
                p.push(suffix);
                if std::path::Path::new(&p).exists() {
                    std::fs::remove_file(&p)?;
                }
            }
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // Copied beside the target, flushed, then renamed: a crash never leaves half a file
        // under the database's name.
        let partial = target.with_extension("restoring");
        std::fs::copy(file, &partial)?;
        std::fs::File::open(&partial)?.sync_all()?;
        std::fs::rename(&partial, &target)?;
        return Ok(());
    }
    let tables = table_count(url).await?;
    if tables > 0 {
        return Err(BackupError::Refused(format!(
            "目标数据库 {} 已有 {tables} 张表：恢复只写入新的空数据库",
            redact(url)
        )));
    }
    if backend == DbBackend::Postgres {
        let mut cmd = Command::new(tool(&["pg_restore"])?);
        cmd.arg("--no-owner")
            .arg("--no-privileges")
            .arg("--exit-on-error")
            .arg("--single-transaction")
            .arg(format!("--dbname={url}"))
            .arg(file);
        return tokio::task::spawn_blocking(move || run(cmd, "pg_restore", None))
            .await
            .map_err(|e| BackupError::Tool(e.to_string()))?;
    }
    let t = mysql_target(url)?;
    let mut cmd = Command::new(tool(&["mariadb", "mysql"])?);
    cmd.env("MYSQL_PWD", &t.password)
        .arg("--default-character-set=utf8mb4")
        .arg(format!("--host={}", t.host))
        .arg(format!("--port={}", t.port))
        .arg(format!("--user={}", t.user))
        .arg(&t.database);
    let file = file.to_owned();
    tokio::task::spawn_blocking(move || run(cmd, "mysql", Some(&file)))
        .await
        .map_err(|e| BackupError::Tool(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_file_and_account() {
        assert_eq!(
            sqlite_path("sqlite:///var/lib/kejiyun/kejiyun.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/kejiyun/kejiyun.db"))
        );
        assert_eq!(
            sqlite_path("sqlite://data/k.db"),
            Some(PathBuf::from("data/k.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        let t = mysql_target("mysql://kejiyun:p%40ss@db.local:3307/kejiyun")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (
                t.host.as_str(),
                t.port,
                t.user.as_str(),
                t.password.as_str(),
                t.database.as_str()
            ),
            ("db.local", 3307, "kejiyun", "p@ss", "kejiyun")
        );
    }
}
