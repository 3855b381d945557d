//! What a database error means for the caller. Uniqueness and foreign-key violations are
//! conflicts the user can act on; a full disk, lost lock contention and an unreachable server
//! are `Unavailable` (nothing was written; retry later: 507 / 503 with `Retry-After`); the rest
//! is internal. Driver error codes are read, not messages, wherever the driver gives one.

use kejiyun_core::ports::{StoreError, Unavailable};
use sea_orm::sqlx;
use sea_orm::sqlx::error::DatabaseError;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// Maps a database error to the store's error.
pub(crate) fn db_err(e: DbErr) -> StoreError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            return StoreError::Conflict("记录已存在".into());
        }
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            return StoreError::Conflict("关联的记录不存在".into());
        }
        _ => {}
    }
    match unavailability(&e) {
        Some(kind) => StoreError::Unavailable {
            kind,
            cause: e.to_string(),
        },
        None => StoreError::Backend(e.to_string()),
    }
}

/// Whether a failed write may simply be run again: it lost a deadlock or a serialization
/// race (decided by the driver's error code in [`db_err`]), so the database rolled it back
/// whole. A lock-wait timeout or SQLite's busy timeout (`Busy`) has already waited; running it
/// again would only make the client wait longer.
pub(crate) fn is_retryable(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Unavailable {
            kind: Unavailable::Contention,
            ..
        }
    )
}

fn unavailability(e: &DbErr) -> Option<Unavailable> {
    let driver = match e {
        DbErr::ConnectionAcquire(_) => return Some(Unavailable::Down),
        DbErr::Conn(RuntimeErr::SqlxError(x))
        | DbErr::Exec(RuntimeErr::SqlxError(x))
        | DbErr::Query(RuntimeErr::SqlxError(x)) => x.as_ref(),
        DbErr::Conn(_) => return Some(Unavailable::Down),
        _ => return None,
    };
    match driver {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Some(Unavailable::Down),
        sqlx::Error::Database(db) => of_database_error(db.as_ref()),
        _ => None,
    }
}

fn of_database_error(db: &dyn DatabaseError) -> Option<Unavailable> {
    if let Some(e) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
        let code: i32 = e.code().and_then(|c| c.parse().ok()).unwrap_or_default();
        return sqlite(code);
    }
    if let Some(e) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        return mysql(e.number());
    }
    if let Some(e) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        return postgres(e.code());
    }
    None
}

/// SQLite result codes (the primary code is the low byte of the extended one).
fn sqlite(extended: i32) -> Option<Unavailable> {
    // SQLITE_BUSY_SNAPSHOT: another process committed after this transaction read; it is
    // refused at once (no busy wait), and a fresh transaction succeeds.
    if extended == 517 {
        return Some(Unavailable::Contention);
    }
    match extended & 0xff {
        13 => Some(Unavailable::StorageFull),   // SQLITE_FULL
        5 | 6 => Some(Unavailable::Busy),       // SQLITE_BUSY, SQLITE_LOCKED (waited already)
        8 | 10 | 14 => Some(Unavailable::Down), // READONLY, IOERR, CANTOPEN
        _ => None,
    }
}

/// PostgreSQL SQLSTATEs.
fn postgres(state: &str) -> Option<Unavailable> {
    match state {
        "53100" => Some(Unavailable::StorageFull), // disk_full
        "40001" | "40P01" => Some(Unavailable::Contention), // serialization, deadlock
        "55P03" => Some(Unavailable::Busy),        // lock_not_available
        // query_canceled (statement_timeout), insufficient resources, shutdown, read-only.
        "57014" | "53000" | "53200" | "53300" | "57P01" | "57P02" | "57P03" | "25006" => {
            Some(Unavailable::Down)
        }
        s if s.starts_with("08") => Some(Unavailable::Down), // connection exceptions
        _ => None,
    }
}

/// MySQL / MariaDB server error numbers.
fn mysql(number: u16) -> Option<Unavailable> {
    match number {
        1021 | 1114 => Some(Unavailable::StorageFull), // ER_DISK_FULL, ER_RECORD_FILE_FULL
        1213 => Some(Unavailable::Contention),         // deadlock
        1205 => Some(Unavailable::Busy),               // lock wait timeout
        // too many connections, shutdown, read-only, killed, statement time limits, Galera
        // not ready.
        1040 | 1053 | 1290 | 1792 | 1927 | 1969 | 3024 | 1047 => Some(Unavailable::Down),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_storage_full_on_every_backend() {
        assert_eq!(sqlite(13), Some(Unavailable::StorageFull));
        assert_eq!(postgres("53100"), Some(Unavailable::StorageFull));
        assert_eq!(mysql(1021), Some(Unavailable::StorageFull));
        assert_eq!(mysql(1114), Some(Unavailable::StorageFull));
    }

    #[test]
    fn lost_races_are_retried_by_code_and_lock_timeouts_are_not() {
        assert_eq!(sqlite(5), Some(Unavailable::Busy));
        assert_eq!(sqlite(5 | (2 << 8)), Some(Unavailable::Contention)); // BUSY_SNAPSHOT
        assert_eq!(postgres("40P01"), Some(Unavailable::Contention));
        assert_eq!(postgres("40001"), Some(Unavailable::Contention));
        assert_eq!(postgres("55P03"), Some(Unavailable::Busy));
        assert_eq!(mysql(1213), Some(Unavailable::Contention));
        assert_eq!(mysql(1205), Some(Unavailable::Busy));
        let lost = |kind| StoreError::Unavailable {
            kind,
            cause: String::new(),
        };
        assert!(is_retryable(&lost(Unavailable::Contention)));
        assert!(!is_retryable(&lost(Unavailable::Busy)));
        assert!(!is_retryable(&lost(Unavailable::Down)));
        // The message plays no part: only the classified code does.
        assert!(!is_retryable(&StoreError::Backend("Deadlock found".into())));
    }

    #[test]
    fn unreachable_servers_are_down_and_the_rest_is_internal() {
        assert_eq!(postgres("08006"), Some(Unavailable::Down));
        assert_eq!(postgres("57P01"), Some(Unavailable::Down));
        assert_eq!(postgres("42601"), None); // a syntax error is ours
        assert_eq!(mysql(1064), None);
        assert_eq!(sqlite(1), None);
        let acquire = DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout);
        assert!(matches!(
            db_err(acquire),
            StoreError::Unavailable {
                kind: Unavailable::Down,
                ..
            }
        ));
        let refused = DbErr::Conn(RuntimeErr::SqlxError(std::sync::Arc::new(sqlx::Error::Io(
            std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        ))));
        assert!(matches!(
            db_err(refused),
            StoreError::Unavailable {
                kind: Unavailable::Down,
                ..
            }
        ));
    }
}
