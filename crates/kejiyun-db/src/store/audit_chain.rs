//! The audit log's hash chain (`kejiyun_core::audit::chain`): the rows read back in `seq`
//! order for verification, and pruning, the one place the application deletes audit entries.
//! The writing side is `audit::insert`.

use async_trait::async_trait;
use kejiyun_core::audit::chain::{ChainHead, ChainRow, entry_hash};
use kejiyun_core::audit::ports::AuditChainStore;
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{SeaStore, begin_read, begin_write, corrupt, db_err};
use crate::entities::{audit_head, audit_log};

async fn head<C: ConnectionTrait>(db: &C, lock: bool) -> StoreResult<audit_head::Model> {
    let mut q = audit_head::Entity::find_by_id(1);
    if lock {
        q = q.lock_exclusive();
    }
    q.one(db)
        .await
        .map_err(db_err)?
        .ok_or_else(|| corrupt("audit head", "missing"))
}

fn chain_row(r: audit_log::Model) -> Option<ChainRow> {
    Some(ChainRow {
        id: r.id,
        seq: r.seq?,
        // A NULL hash cannot match any recomputed one: it is reported as altered.
        prev_hash: r.prev_hash.unwrap_or_default(),
        hash: r.hash.unwrap_or_default(),
        actor: r.actor_user_id,
        at: r.at,
        action: r.action,
        target_kind: r.target_kind,
        target_id: r.target_id,
        region: r.region,
        before: r.before_json,
        after: r.after_json,
    })
}

/// Statements that lift and restore the database's refusal of `DELETE` (and, with `all`,
/// `UPDATE`) on `audit_log`, as the foundation migration creates it. PostgreSQL has one trigger
/// for both.
fn guard_sql(backend: DbBackend, all: bool) -> (Vec<String>, Vec<String>) {
    let ops: &[&str] = if all {
        &["UPDATE", "DELETE"]
    } else {
        &["DELETE"]
    };
    match backend {
        DbBackend::Postgres => (
            vec!["DROP TRIGGER audit_log_append_only ON audit_log".into()],
            vec![
                "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log \
                 FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
                    .into(),
            ],
        ),
        DbBackend::MySql => (
            ops.iter()
                .map(|op| format!("DROP TRIGGER IF EXISTS audit_log_no_{op}"))
                .collect(),
            ops.iter()
                .map(|op| {
                    format!(
                        "CREATE TRIGGER audit_log_no_{op} BEFORE {op} ON audit_log FOR EACH ROW \
                         SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only'"
                    )
                })
                .collect(),
        ),
        _ => (
            ops.iter()
                .map(|op| format!("DROP TRIGGER IF EXISTS audit_log_no_{op}"))
                .collect(),
            ops.iter()
                .map(|op| {
                    format!(
                        "CREATE TRIGGER audit_log_no_{op} BEFORE {op} ON audit_log \
                         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                    )
                })
                .collect(),
        ),
    }
}

async fn run_all<C: ConnectionTrait>(db: &C, sql: &[String]) -> Result<(), DbErr> {
    for s in sql {
        db.execute_unprepared(s).await?;
    }
    Ok(())
}

/// What a prune deletes: the entries after the horizon up to the last one before the first
/// entry written at or after `before` (`at` is not ordered like `seq` across servers, and the
/// chain can only lose a prefix). `None`: nothing to delete.
async fn prune_through<C: ConnectionTrait>(
    txn: &C,
    head: &audit_head::Model,
    before: Timestamp,
) -> StoreResult<Option<(i64, String)>> {
    use audit_log::Column as A;
    let first_kept: Option<Option<i64>> = audit_log::Entity::find()
        .select_only()
        .column_as(A::Seq.min(), "s")
        .filter(A::Seq.gt(head.pruned_seq))
        .filter(A::At.gte(before.micros()))
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    let through = match first_kept.flatten() {
        Some(s) => s - 1,
        None => head.last_seq,
    };
    if through <= head.pruned_seq {
        return Ok(None);
    }
    // The new horizon's hash is taken from the row itself, so it must still be the row the
    // chain wrote: recomputed, and named by its successor (or the head).
    let row = audit_log::Entity::find()
        .filter(A::Seq.eq(through))
        .one(txn)
        .await
        .map_err(db_err)?
        .and_then(chain_row)
        .ok_or_else(|| broken(through))?;
    if entry_hash(&row.prev_hash, &row.fields()) != row.hash {
        return Err(broken(through));
    }
    let next: Option<Option<String>> = audit_log::Entity::find()
        .select_only()
        .column(A::PrevHash)
        .filter(A::Seq.eq(through + 1))
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    let named = match next {
        Some(prev) => prev.unwrap_or_default(),
        None => head.last_hash.clone(),
    };
    if named != row.hash {
        return Err(broken(through));
    }
    Ok(Some((through, row.hash)))
}

fn broken(seq: i64) -> StoreError {
    StoreError::Conflict(format!(
        "审计链在第 {seq} 条附近不完整，未清理：请先运行 kejiyun audit verify"
    ))
}

/// Deletes the prefix and moves the horizon, in `txn` (whose head row is locked).
async fn delete_prefix<C: ConnectionTrait>(
    txn: &C,
    through: i64,
    hash: String,
) -> StoreResult<u64> {
    let deleted = audit_log::Entity::delete_many()
        .filter(audit_log::Column::Seq.lte(through))
        .exec(txn)
        .await
        .map_err(db_err)?
        .rows_affected;
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::PrunedSeq, Expr::value(through))
        .col_expr(audit_head::Column::PrunedHash, Expr::value(hash))
        .filter(audit_head::Column::Id.eq(1))
        .exec(txn)
        .await
        .map_err(db_err)?;
    Ok(deleted)
}

/// SQLite and PostgreSQL: DDL is transactional, so the guard is lifted inside the prune's
/// transaction and restored before it commits; no other transaction ever sees it lifted
/// (PostgreSQL's `DROP TRIGGER` holds an exclusive lock on `audit_log` until the commit, so
/// audit writes wait for the prune).
async fn prune_transactional(
    db: &DatabaseConnection,
    before: Timestamp,
) -> StoreResult<(u64, i64)> {
    let txn = begin_write(db).await?;
    let h = head(&txn, true).await?;
    let Some((through, hash)) = prune_through(&txn, &h, before).await? else {
        txn.commit().await.map_err(db_err)?;
        return Ok((0, h.pruned_seq));
    };
    let (lift, restore) = guard_sql(db.get_database_backend(), false);
    run_all(&txn, &lift).await.map_err(db_err)?;
    let deleted = delete_prefix(&txn, through, hash).await?;
    run_all(&txn, &restore).await.map_err(db_err)?;
    txn.commit().await.map_err(db_err)?;
    Ok((deleted, through))
}

/// MySQL/MariaDB: DDL commits implicitly, so the `DELETE` trigger is dropped before the
/// prune's transaction and created again after it, whatever its outcome. Meanwhile the
/// database does not refuse deletes on `audit_log` (the `UPDATE` trigger stays); the chain
/// still shows any deletion. Were the process killed in between, the trigger stays dropped
/// until the next `kejiyun audit prune`, which creates it again.
async fn prune_mysql(db: &DatabaseConnection, before: Timestamp) -> StoreResult<(u64, i64)> {
    let (lift, restore) = guard_sql(DbBackend::MySql, false);
    run_all(db, &lift).await.map_err(db_err)?;
    let outcome = async {
        let txn = begin_write(db).await?;
        let h = head(&txn, true).await?;
        let Some((through, hash)) = prune_through(&txn, &h, before).await? else {
            txn.commit().await.map_err(db_err)?;
            return Ok((0, h.pruned_seq));
        };
        let deleted = delete_prefix(&txn, through, hash).await?;
        txn.commit().await.map_err(db_err)?;
        Ok((deleted, through))
    }
    .await;
    let restored = run_all(db, &restore).await.map_err(db_err);
    let outcome = outcome?;
    restored?;
    Ok(outcome)
}

#[async_trait]
impl AuditChainStore for SeaStore {
    async fn audit_chain_head(&self) -> StoreResult<ChainHead> {
        let h = head(&self.reader, false).await?;
        Ok(ChainHead {
            last_seq: h.last_seq,
            last_hash: h.last_hash,
            pruned_seq: h.pruned_seq,
            pruned_hash: h.pruned_hash,
        })
    }

    async fn audit_chain_page(
        &self,
        after_seq: i64,
        through_seq: i64,
        limit: u64,
    ) -> StoreResult<Vec<ChainRow>> {
        let txn = begin_read(&self.reader).await?;
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gt(after_seq))
            .filter(audit_log::Column::Seq.lte(through_seq))
            .order_by_asc(audit_log::Column::Seq)
            .limit(limit)
            .all(&txn)
            .await
            .map_err(db_err)?;
        txn.commit().await.map_err(db_err)?;
        Ok(rows.into_iter().filter_map(chain_row).collect())
    }

    async fn audit_unchained(&self) -> StoreResult<u64> {
        audit_log::Entity::find()
            .filter(audit_log::Column::Seq.is_null())
            .count(&self.reader)
            .await
            .map_err(db_err)
    }

    async fn prune_audit(&self, before: Timestamp) -> StoreResult<(u64, i64)> {
        match self.backend() {
            DbBackend::MySql => retry!(prune_mysql(&self.db, before)),
            _ => retry!(prune_transactional(&self.db, before)),
        }
    }
}

#[cfg(feature = "testing")]
impl SeaStore {
    /// Runs `sql` on `audit_log` with the append-only triggers lifted, then restores them:
    /// tests tamper with the log the way someone with the database's credentials could.
    pub async fn tamper_audit_log(&self, sql: &str) -> Result<u64, DbErr> {
        let (lift, restore) = guard_sql(self.backend(), true);
        run_all(&self.db, &lift).await?;
        let done = self.db.execute_unprepared(sql).await;
        run_all(&self.db, &restore).await?;
        Ok(done?.rows_affected())
    }
}
