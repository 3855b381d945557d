//! Readiness: can a write commit now?

use async_trait::async_trait;
use kejiyun_core::ports::{HealthStore, StoreResult};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

use super::{SeaStore, begin_write, db_err};

/// Rewrites the one `health_probe` row in a transaction of its own and commits it: on SQLite
/// that appends to the WAL and syncs, so a full disk fails here as every write would.
pub(super) async fn check_writable(db: &DatabaseConnection, at: Timestamp) -> StoreResult<()> {
    let probe = Query::update()
        .table(Alias::new("health_probe"))
        .value(Alias::new("checked_at"), at.micros())
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .to_owned();
    let txn = begin_write(db).await?;
    txn.execute(&probe).await.map_err(db_err)?;
    txn.commit().await.map_err(db_err)
}

#[async_trait]
impl HealthStore for SeaStore {
    fn backend_name(&self) -> &'static str {
        match self.backend() {
            DbBackend::Sqlite => "sqlite",
            DbBackend::Postgres => "postgres",
            DbBackend::MySql => "mysql",
            _ => "other",
        }
    }
    async fn ping(&self) -> StoreResult<()> {
        self.db.ping().await.map_err(db_err)
    }
    async fn check_writable(&self, at: Timestamp) -> StoreResult<()> {
        check_writable(&self.db, at).await
    }
}
