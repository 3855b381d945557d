//! The audit log's hash chain (`kejiyun_core::audit::chain`): each entry gets `seq`,
//! `prev_hash` and `hash`, and the one-row `audit_head` keeps the chain's last entry (which the
//! writer locks) and its pruned horizon. The entries written before are chained here, in id
//! order, with the same hash function the writer uses. The columns stay nullable (SQLite cannot
//! add a NOT NULL column without a default): a row without `seq` was written past the store,
//! and `kejiyun audit verify` reports it.
//!
//! Filling the new columns is an UPDATE, which the append-only triggers refuse: they are
//! dropped and created again around it. On SQLite and PostgreSQL the migration runs in a
//! transaction, so nobody sees them missing; on MySQL/MariaDB DDL commits at once, and should
//! the migration fail midway the triggers stay dropped until it is run again (it starts over:
//! nothing of it is recorded as applied).

use kejiyun_core::audit::chain::{ChainFields, GENESIS, entry_hash};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const LOG: &str = "audit_log";
const HEAD: &str = "audit_head";
const SEQ_INDEX: &str = "ux_audit_log_seq";
/// Rows chained per read: a province's log has millions.
const PAGE: u64 = 1_000;

/// Drops the append-only triggers (as the foundation migration created them).
async fn drop_guard(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            db.execute_unprepared("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
                .await?;
        }
        _ => {
            for op in ["UPDATE", "DELETE"] {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS audit_log_no_{op}"))
                    .await?;
            }
        }
    }
    Ok(())
}

/// Creates the append-only triggers again, exactly as the foundation migration did.
async fn create_guard(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Sqlite => {
            for op in ["UPDATE", "DELETE"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER audit_log_no_{op} BEFORE {op} ON audit_log \
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                ))
                .await?;
            }
        }
        DbBackend::Postgres => {
            db.execute_unprepared(
                "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log \
                 FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
            )
            .await?;
        }
        DbBackend::MySql => {
            for op in ["UPDATE", "DELETE"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER audit_log_no_{op} BEFORE {op} ON audit_log FOR EACH ROW \
                     SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only'"
                ))
                .await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Chains every existing entry in id order; returns the last `seq` and hash.
async fn chain_existing(manager: &SchemaManager<'_>) -> Result<(i64, String), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let (mut seq, mut prev) = (0i64, GENESIS.to_owned());
    let mut after = i64::MIN;
    loop {
        let select = Query::select()
            .columns([
                "id",
                "at",
                "actor_user_id",
                "action",
                "target_kind",
                "target_id",
                "region",
                "before_json",
                "after_json",
            ])
            .from(LOG)
            .and_where(Expr::col("id").gt(after))
            .order_by("id", Order::Asc)
            .limit(PAGE)
            .to_owned();
        let rows = db.query_all_raw(backend.build(&select)).await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let action: String = row.try_get("", "action")?;
            let target_kind: String = row.try_get("", "target_kind")?;
            let target_id: String = row.try_get("", "target_id")?;
            let region: Option<String> = row.try_get("", "region")?;
            let before: Option<String> = row.try_get("", "before_json")?;
            let after_json: Option<String> = row.try_get("", "after_json")?;
            seq += 1;
            let hash = entry_hash(
                &prev,
                &ChainFields {
                    seq,
                    actor: row.try_get("", "actor_user_id")?,
                    at: row.try_get("", "at")?,
                    action: &action,
                    target_kind: &target_kind,
                    target_id: &target_id,
                    region: region.as_deref(),
                    before: before.as_deref(),
                    after: after_json.as_deref(),
                },
            );
            let update = Query::update()
                .table(LOG)
                .value("seq", seq)
                .value("prev_hash", prev.clone())
                .value("hash", hash.clone())
                .and_where(Expr::col("id").eq(id))
                .to_owned();
            manager.exec_stmt(update).await?;
            prev = hash;
            after = id;
        }
    }
    Ok((seq, prev))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for col in [
            big_integer_null("seq"),
            string_len_null("prev_hash", 64),
            string_len_null("hash", 64),
        ] {
            manager
                .alter_table(Table::alter().table(LOG).add_column(col).to_owned())
                .await?;
        }
        let mut t = super::table(manager, HEAD);
        // One row (id 1): the last entry, and the last entry pruned (0 and the genesis hash
        // before any pruning), whose hash the first kept entry names.
        t.col(integer("id").primary_key())
            .col(big_integer("last_seq"))
            .col(string_len("last_hash", 64))
            .col(big_integer("pruned_seq"))
            .col(string_len("pruned_hash", 64));
        manager.create_table(t).await?;

        drop_guard(manager).await?;
        let (last_seq, last_hash) = chain_existing(manager).await?;
        create_guard(manager).await?;

        // A sequence number is one entry's: two writers can never both commit the same one.
        manager
            .create_index(super::index(SEQ_INDEX, LOG, &["seq"]).unique().to_owned())
            .await?;
        let head = Query::insert()
            .into_table(HEAD)
            .columns(["id", "last_seq", "last_hash", "pruned_seq", "pruned_hash"])
            .values([
                1.into(),
                last_seq.into(),
                last_hash.into(),
                0i64.into(),
                GENESIS.into(),
            ])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .to_owned();
        manager.exec_stmt(head).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HEAD).to_owned())
            .await?;
        manager
            .drop_index(super::drop_index(SEQ_INDEX, LOG))
            .await?;
        for col in ["seq", "prev_hash", "hash"] {
            manager
                .alter_table(Table::alter().table(LOG).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
