//! 科普e站 heartbeats and plays (`estation_plays`, migration 24): the write a screen makes
//! every 20 s, and proof of play. The rest of the screens' store is `estations.rs`.
//!
//! Plays under concurrency: a heartbeat first updates its screen's row, whose lock makes two
//! reports of one screen take turns (SQLite has one writer anyway); the second then reads the
//! keys the first stored and inserts only the others. Should a duplicate still race past the
//! read, the unique `(estation_id, play_key)` index refuses it and the report runs again,
//! finding the key stored: a play is stored once and a report sent twice is never an error.
//! Heartbeats come every 20 s from every screen, so, as the counted views, they are not
//! written through `retry!` (which drops the kept reads).

use std::collections::HashSet;

use chrono::NaiveDate;
use kejiyun_core::estations::{Play, PlayDay};
use kejiyun_core::ids::{EstationId, ResourceId};
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::estations::titles;
use super::{begin_read, begin_write, corrupt, db_err};
use crate::entities::{estation_plays, estations};

/// Ids per `IN (…)` list.
const CHUNK: usize = 500;

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn parse_day(raw: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| corrupt("play day", raw))
}

/// A heartbeat, run again after a lost deadlock or a duplicate key that raced past the read
/// (the only uniqueness a heartbeat can break): the second run finds the key stored.
pub(super) async fn record_heartbeat(
    db: &DatabaseConnection,
    id: EstationId,
    at: Timestamp,
    now_playing: Option<ResourceId>,
    plays: &[Play],
) -> StoreResult<u64> {
    let mut attempt = 0u32;
    loop {
        match heartbeat(db, id, at, now_playing, plays).await {
            Err(e)
                if (super::is_retryable(&e) || matches!(e, StoreError::Conflict(_)))
                    && attempt < super::RETRIES =>
            {
                attempt += 1;
                super::backoff(attempt).await;
            }
            other => return other,
        }
    }
}

/// One heartbeat; how many plays were new.
async fn heartbeat(
    db: &DatabaseConnection,
    id: EstationId,
    at: Timestamp,
    now_playing: Option<ResourceId>,
    plays: &[Play],
) -> StoreResult<u64> {
    use estation_plays::Column as P;
    use estations::Column as E;
    let txn = begin_write(db).await?;
    // The screen's row first: its lock orders two reports of the same screen.
    let res = estations::Entity::update_many()
        .col_expr(E::LastSeenAt, Expr::value(at.micros()))
        .col_expr(E::NowPlayingResource, Expr::value(now_playing.map(|r| r.0)))
        .filter(E::Id.eq(id.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    // A key twice in one report: its first play.
    let mut seen = HashSet::new();
    let reported: Vec<&Play> = plays
        .iter()
        .filter(|p| seen.insert(p.key.as_str()))
        .collect();
    let mut stored: HashSet<String> = HashSet::new();
    for chunk in reported.chunks(CHUNK) {
        let keys: Vec<String> = estation_plays::Entity::find()
            .select_only()
            .column(P::PlayKey)
            .filter(P::EstationId.eq(id.0))
            .filter(P::PlayKey.is_in(chunk.iter().map(|p| p.key.clone())))
            .into_tuple()
            .all(&txn)
            .await
            .map_err(db_err)?;
        stored.extend(keys);
    }
    let new: Vec<&Play> = reported
        .into_iter()
        .filter(|p| !stored.contains(&p.key))
        .collect();
    for chunk in new.chunks(CHUNK) {
        let rows = chunk.iter().map(|p| estation_plays::ActiveModel {
            estation_id: Set(id.0),
            play_key: Set(p.key.clone()),
            resource_id: Set(p.resource.0),
            started_at: Set(p.started_at.micros()),
            millis: Set(p.millis),
            day: Set(day_text(p.day)),
            ..Default::default()
        });
        estation_plays::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await
            .map_err(db_err)?;
    }
    txn.commit().await.map_err(db_err)?;
    Ok(new.len() as u64)
}

pub(super) async fn play_days(
    db: &DatabaseConnection,
    id: EstationId,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<PlayDay>> {
    use estation_plays::Column as P;
    // SUM of a bigint is numeric on PostgreSQL and decimal on MySQL: cast back to 64 bits.
    let millis = match db.get_database_backend() {
        DbBackend::Postgres => "CAST(SUM(millis) AS BIGINT)",
        DbBackend::MySql => "CAST(SUM(millis) AS SIGNED)",
        _ => "SUM(millis)",
    };
    let txn = begin_read(db).await?;
    let rows: Vec<(String, i64, i64, i64)> = estation_plays::Entity::find()
        .select_only()
        .columns([P::Day, P::ResourceId])
        .column_as(Expr::cust("COUNT(*)"), "plays")
        .column_as(Expr::cust(millis), "millis_sum")
        .filter(P::EstationId.eq(id.0))
        .filter(P::Day.gte(day_text(from)))
        .filter(P::Day.lte(day_text(to)))
        .group_by(P::Day)
        .group_by(P::ResourceId)
        .order_by_desc(P::Day)
        .order_by_asc(P::ResourceId)
        .into_tuple()
        .all(&txn)
        .await
        .map_err(db_err)?;
    let named = titles(&txn, rows.iter().map(|r| r.1)).await?;
    txn.commit().await.map_err(db_err)?;
    rows.into_iter()
        .map(|(day, resource, plays, millis)| {
            Ok(PlayDay {
                day: parse_day(&day)?,
                resource: ResourceId::new(resource),
                title: named.get(&resource).cloned().unwrap_or_default(),
                plays,
                seconds: millis.div_euclid(1000),
            })
        })
        .collect()
}
