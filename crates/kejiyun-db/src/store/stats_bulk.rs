//! `rebuild`'s bulk load: replaces `stat_series` in one transaction with large multi-row
//! INSERTs. The statement text of a full batch is built once and reused (the drivers cache it
//! as a prepared statement); rows go in key order, so the unique index grows at its end.

use std::collections::BTreeMap;

use async_trait::async_trait;
use kejiyun_core::ports::StoreResult;
use kejiyun_core::stats::Cell;
use kejiyun_core::stats::ports::StatsRebuildStore;
use kejiyun_core::stats_series::series_all;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement, Value,
};

use super::{SeaStore, begin_write, db_err, stats_series, stats_served};
use kejiyun_core::stats::ports::Tally;

/// Rows per statement: 6,000 bound parameters, and ~3 MB of series, well under MySQL's
/// smallest default `max_allowed_packet` (16 MB).
const ROWS_PER_STATEMENT: usize = 1_000;

/// One table's batched INSERT.
struct Batch<'t> {
    txn: &'t DatabaseTransaction,
    backend: DbBackend,
    table: &'static str,
    columns: &'static [&'static str],
    rows_per_statement: usize,
    full: String,
    values: Vec<Value>,
}

impl<'t> Batch<'t> {
    fn new(
        txn: &'t DatabaseTransaction,
        table: &'static str,
        columns: &'static [&'static str],
    ) -> Self {
        let backend = txn.get_database_backend();
        let rows_per_statement = ROWS_PER_STATEMENT;
        let mut b = Self {
            txn,
            backend,
            table,
            columns,
            rows_per_statement,
            full: String::new(),
            values: Vec::with_capacity(rows_per_statement * columns.len()),
        };
        b.full = b.sql(rows_per_statement);
        b
    }

    fn quote(&self, name: &str) -> String {
        match self.backend {
            DbBackend::MySql => format!("`{name}`"),
            _ => format!("\"{name}\""),
        }
    }

    fn sql(&self, rows: usize) -> String {
        let cols: Vec<String> = self.columns.iter().map(|c| self.quote(c)).collect();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.quote(self.table),
            cols.join(", ")
        );
        let width = self.columns.len();
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..width {
                if c > 0 {
                    sql.push_str(", ");
                }
                match self.backend {
                    DbBackend::Postgres => sql.push_str(&format!("${}", r * width + c + 1)),
                    _ => sql.push('?'),
                }
            }
            sql.push(')');
        }
        sql
    }

    async fn add(&mut self, row: impl IntoIterator<Item = Value>) -> StoreResult<()> {
        self.values.extend(row);
        if self.values.len() >= self.rows_per_statement * self.columns.len() {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> StoreResult<()> {
        if self.values.is_empty() {
            return Ok(());
        }
        let rows = self.values.len() / self.columns.len();
        let sql = if rows == self.rows_per_statement {
            self.full.clone()
        } else {
            self.sql(rows)
        };
        let values = std::mem::replace(
            &mut self.values,
            Vec::with_capacity(self.rows_per_statement * self.columns.len()),
        );
        self.txn
            .execute_raw(Statement::from_sql_and_values(self.backend, sql, values))
            .await
            .map_err(db_err)?;
        Ok(())
    }
}

const SERIES_COLUMNS: &[&str] = &[
    "region", "parent", "category", "metric", "year", "total", "days",
];

pub(super) async fn replace_cells(
    db: &DatabaseConnection,
    cells: &BTreeMap<Cell, i64>,
) -> StoreResult<()> {
    let txn = begin_write(db).await?;
    txn.execute_unprepared("DELETE FROM stat_series")
        .await
        .map_err(db_err)?;
    insert_series(&txn, cells).await?;
    txn.commit().await.map_err(db_err)?;
    checkpoint(db).await
}

/// `rebuild`, safe beside running servers: one transaction that first stops the series'
/// writers (each write to a counted record updates the series in its own transaction, after
/// taking `stat_series_guard` in share mode), then
/// reads the base records — seeing every write that committed before, none that commits
/// after — and replaces the series. A writer that was held off applies its delta to the
/// rebuilt rows when it resumes. Reading and replacing in two transactions lost the writes
/// committed in between.
pub(super) async fn rebuild_series(db: &DatabaseConnection, tally: &Tally) -> StoreResult<usize> {
    // On SQLite `begin_write` is BEGIN IMMEDIATE: the one write lock is held from here, before
    // the reads' snapshot. Elsewhere the guard row, exclusively: writers that hold it in share
    // mode finish first (their changes are then in the reads below), later ones wait for this
    // commit (on MySQL the reads' snapshot is taken by the first plain read, after the lock).
    let txn = begin_write(db).await?;
    stats_series::guard(&txn, stats_series::Guard::Rebuild).await?;
    let records = stats_served::counted_records(&txn).await?;
    let cells = tally(&records);
    txn.execute_unprepared("DELETE FROM stat_series")
        .await
        .map_err(db_err)?;
    insert_series(&txn, &cells).await?;
    txn.commit().await.map_err(db_err)?;
    checkpoint(db).await?;
    Ok(cells.len())
}

async fn insert_series(txn: &DatabaseTransaction, cells: &BTreeMap<Cell, i64>) -> StoreResult<()> {
    let series = series_all(cells.iter().filter(|(_, v)| **v != 0));
    let mut batch = Batch::new(txn, "stat_series", SERIES_COLUMNS);
    for (k, s) in series {
        let row: [Value; 7] = [
            k.region.to_string().into(),
            k.parent().map(|p| p.to_string()).into(),
            k.category.into(),
            k.metric.key().into(),
            k.year.into(),
            s.total().into(),
            s.encode().into(),
        ];
        batch.add(row).await?;
    }
    batch.flush().await
}

async fn checkpoint(db: &DatabaseConnection) -> StoreResult<()> {
    if db.get_database_backend() == DbBackend::Sqlite {
        // Fold the load's WAL into the database now, so readers do not search a long WAL.
        // Checkpointing only copies committed pages: safe.
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

#[async_trait]
impl StatsRebuildStore for SeaStore {
    async fn replace_cells(&self, cells: &BTreeMap<Cell, i64>) -> StoreResult<()> {
        replace_cells(&self.db, cells).await
    }
    async fn rebuild_series(&self, tally: &Tally) -> StoreResult<usize> {
        retry!(rebuild_series(&self.db, tally))
    }
}
