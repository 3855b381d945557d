//! Personal data sealed at rest (`kejiyun_core::personal_data`): the store seals the phones and
//! ID-card numbers it writes and opens them when it reads, so the domain sees plain values and
//! the database holds ciphertexts and keyed blind indexes only. Look-ups by value (a login by
//! phone, a number registered twice) go through the blind index.
//!
//! [`SEALED_COLUMNS`] lists every sealed column, including the two the use cases seal
//! themselves (volunteers' ID-card numbers, second-factor secrets): re-sealing — the plain
//! values left by an upgrade, or everything under a new key — walks that one list.

use std::sync::Arc;

use kejiyun_core::audit::AuditRecord;
use kejiyun_core::personal_data::{PersonalDataKey, fields, is_sealed};
use kejiyun_core::ports::{StoreError, StoreResult};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};

use super::{begin_write, db_err};

/// The store's personal-data key (none in a store that was given none: sealing then fails
/// loudly rather than writing plain numbers).
#[derive(Clone, Default)]
pub(crate) struct Sealing(Option<Arc<PersonalDataKey>>);

impl Sealing {
    pub(crate) fn new(key: PersonalDataKey) -> Self {
        Self(Some(Arc::new(key)))
    }

    fn key(&self) -> StoreResult<&PersonalDataKey> {
        self.0
            .as_deref()
            .ok_or_else(|| StoreError::Backend("the store has no personal-data key".into()))
    }

    pub(crate) fn seal(&self, field: &str, value: &str) -> StoreResult<String> {
        Ok(self.key()?.seal(field, value))
    }

    /// The plain value of a stored one: opened if sealed, as it is if written before its
    /// column was sealed (the next start seals it).
    pub(crate) fn open(&self, field: &str, stored: &str) -> StoreResult<String> {
        if !is_sealed(stored) {
            return Ok(stored.to_owned());
        }
        self.key()?
            .open(field, stored)
            .map_err(|_| StoreError::Backend(format!("cannot open sealed {field}")))
    }

    pub(crate) fn blind(&self, field: &str, value: &str) -> StoreResult<String> {
        Ok(self.key()?.blind_index(field, value))
    }

    /// The sealed value and its blind index.
    pub(crate) fn seal_indexed(&self, field: &str, value: &str) -> StoreResult<(String, String)> {
        Ok((self.seal(field, value)?, self.blind(field, value)?))
    }
}

/// A sealed column: its table and key column, the field it is sealed as, and the column of its
/// blind index if it has one.
struct SealedColumn {
    table: &'static str,
    key: &'static str,
    column: &'static str,
    field: &'static str,
    blind: Option<&'static str>,
}

const SEALED_COLUMNS: [SealedColumn; 6] = [
    SealedColumn {
        table: "users",
        key: "id",
        column: "phone",
        field: fields::USER_PHONE,
        blind: Some("phone_blind"),
    },
    SealedColumn {
        table: "volunteers",
        key: "id",
        column: "phone",
        field: fields::VOLUNTEER_PHONE,
        blind: None,
    },
    SealedColumn {
        table: "volunteers",
        key: "id",
        column: "id_cipher",
        field: fields::VOLUNTEER_ID_CARD,
        blind: Some("id_blind"),
    },
    SealedColumn {
        table: "base_bookings",
        key: "id",
        column: "contact_phone",
        field: fields::BOOKING_PHONE,
        blind: None,
    },
    SealedColumn {
        table: "tech_workers",
        key: "id",
        column: "id_card",
        field: fields::TECH_WORKER_ID_CARD,
        blind: Some("id_card_blind"),
    },
    SealedColumn {
        table: "second_factors",
        key: "user_id",
        column: "secret_sealed",
        field: fields::SECOND_FACTOR_SECRET,
        blind: None,
    },
];

/// What a re-sealing changed: rows per `table.column`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ResealReport {
    pub columns: Vec<(String, u64)>,
}

impl ResealReport {
    pub fn total(&self) -> u64 {
        self.columns.iter().map(|(_, n)| n).sum()
    }
}

/// What to re-seal.
#[derive(Clone, Copy)]
pub enum Reseal<'a> {
    /// Only values still plain (an upgrade's), with the current key.
    PlainOnly(&'a PersonalDataKey),
    /// Every value, from the old key to the new one, with every blind index recomputed. A
    /// value already under the new key (an interrupted rotation run again) is left as it is.
    Rotate {
        from: &'a PersonalDataKey,
        to: &'a PersonalDataKey,
    },
}

/// Rows read per query while re-sealing.
const BATCH: u64 = 500;

/// Re-seals every sealed column in one write transaction, with its audit entry: all of it
/// lands, or none (a crash midway leaves every value under the old key).
pub(crate) async fn reseal(
    db: &DatabaseConnection,
    how: Reseal<'_>,
    audit: Option<&AuditRecord>,
) -> StoreResult<ResealReport> {
    let txn = begin_write(db).await?;
    let mut report = ResealReport::default();
    for c in &SEALED_COLUMNS {
        let changed = reseal_column(&txn, c, how).await?;
        report
            .columns
            .push((format!("{}.{}", c.table, c.column), changed));
    }
    if let Some(record) = audit {
        let mut record = record.clone();
        record.after = Some(serde_json::json!({
            "resealed": report.total(),
            "columns": report.columns.iter().map(|(c, n)| (c.clone(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
        }));
        super::audit::insert(&txn, &record).await?;
    }
    txn.commit().await.map_err(db_err)?;
    Ok(report)
}

async fn reseal_column(
    txn: &DatabaseTransaction,
    c: &SealedColumn,
    how: Reseal<'_>,
) -> StoreResult<u64> {
    let mut after = i64::MIN;
    let mut changed = 0u64;
    loop {
        let mut select = Query::select();
        select
            .columns([Alias::new(c.key), Alias::new(c.column)])
            .from(Alias::new(c.table))
            .and_where(Expr::col(Alias::new(c.column)).is_not_null())
            .and_where(Expr::col(Alias::new(c.key)).gt(after))
            .order_by(Alias::new(c.key), sea_orm::Order::Asc)
            .limit(BATCH);
        if let Reseal::PlainOnly(_) = how {
            select.and_where(Expr::col(Alias::new(c.column)).not_like("v1:%"));
        }
        let rows = txn.query_all(&select).await.map_err(db_err)?;
        if rows.is_empty() {
            return Ok(changed);
        }
        for row in &rows {
            let id: i64 = row.try_get_by_index(0).map_err(db_err)?;
            let stored: String = row.try_get_by_index(1).map_err(db_err)?;
            after = id;
            let Some((plain, key)) = plain_and_target(c, &stored, how)? else {
                continue;
            };
            let mut update = Query::update();
            update
                .table(Alias::new(c.table))
                .value(Alias::new(c.column), key.seal(c.field, &plain))
                .and_where(Expr::col(Alias::new(c.key)).eq(id));
            if let Some(blind) = c.blind {
                update.value(Alias::new(blind), key.blind_index(c.field, &plain));
            }
            txn.execute(&update).await.map_err(db_err)?;
            changed += 1;
        }
    }
}

/// The plain value of a stored one and the key to seal it with, or `None` if it needs nothing.
fn plain_and_target<'k>(
    c: &SealedColumn,
    stored: &str,
    how: Reseal<'k>,
) -> StoreResult<Option<(String, &'k PersonalDataKey)>> {
    let cannot = || {
        StoreError::Backend(format!(
            "{}.{}: a value no key given opens (altered, or sealed with another key)",
            c.table, c.column
        ))
    };
    match how {
        Reseal::PlainOnly(key) => Ok((!is_sealed(stored)).then(|| (stored.to_owned(), key))),
        Reseal::Rotate { from, to } => {
            if !is_sealed(stored) {
                return Ok(Some((stored.to_owned(), to)));
            }
            match from.open(c.field, stored) {
                Ok(plain) => Ok(Some((plain, to))),
                Err(_) if to.open(c.field, stored).is_ok() => Ok(None),
                Err(_) => Err(cannot()),
            }
        }
    }
}
