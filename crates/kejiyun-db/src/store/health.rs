//! Readiness: can a write commit now?

use kejiyun_core::ports::StoreResult;
use kejiyun_core::time::Timestamp;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use super::{begin_write, db_err};

/// Rewrites the one `health_probe` row in a transaction of its own and commits it: on SQLite
/// that appends to the WAL and syncs, so a full disk fails here as every write would.
pub(super) async fn check_writable(db: &DatabaseConnection, at: Timestamp) -> StoreResult<()> {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE health_probe SET checked_at = $1 WHERE id = 1",
        _ => "UPDATE health_probe SET checked_at = ? WHERE id = 1",
    };
    let txn = begin_write(db).await?;
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [at.micros().into()],
    ))
    .await
    .map_err(db_err)?;
    txn.commit().await.map_err(db_err)
}
