//! The counted snapshot of a contest entry (`contest_entries` on its submission, `awards`
//! from its contest's notice), read from its row, and entries as counted records.

use kejiyun_core::ports::StoreResult;
use kejiyun_core::stats::Counted;
use kejiyun_core::stats::ports::CountedRecord;
use kejiyun_core::time::Timestamp;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::stats_served::Prefilter;
use super::{db_err, parse_region};
use crate::entities::contest_entries;

/// The snapshot columns of an entry: submitted, nominated from, awarded, status, region.
type EntryHead = (i64, Option<i64>, Option<i64>, String, String);

fn entry_counted(h: &EntryHead) -> StoreResult<Counted> {
    let (submitted_at, from_contest, awarded_at, status, region) = h;
    Ok(Counted::ContestEntry {
        submitted_at: Timestamp(*submitted_at),
        region: parse_region(region)?,
        nominated: from_contest.is_some(),
        awarded_at: awarded_at.filter(|_| status != "withdrawn").map(Timestamp),
    })
}

/// An entry's id and title, then its [`EntryHead`].
type EntryRow = (i64, String, i64, Option<i64>, Option<i64>, String, String);

const ENTRY_HEAD: [contest_entries::Column; 5] = [
    contest_entries::Column::SubmittedAt,
    contest_entries::Column::FromContestId,
    contest_entries::Column::AwardedAt,
    contest_entries::Column::Status,
    contest_entries::Column::Region,
];

/// An entry's snapshot, its row locked.
pub(crate) async fn counted_entry<C: ConnectionTrait>(
    txn: &C,
    id: i64,
) -> StoreResult<Option<Counted>> {
    let head: Option<EntryHead> = contest_entries::Entity::find()
        .select_only()
        .columns(ENTRY_HEAD)
        .filter(contest_entries::Column::Id.eq(id))
        .lock_exclusive()
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    head.map(|h| entry_counted(&h)).transpose()
}

/// Entries as counted records, prefiltered on `at` (submission for `contest_entries`, the
/// notice for `awards`).
pub(super) async fn entry_records(
    db: &impl ConnectionTrait,
    pre: Option<Prefilter>,
    at: contest_entries::Column,
) -> StoreResult<Vec<CountedRecord>> {
    use contest_entries::Column as E;
    let rows: Vec<EntryRow> = contest_entries::Entity::find()
        .select_only()
        .columns([
            E::Id,
            E::Title,
            E::SubmittedAt,
            E::FromContestId,
            E::AwardedAt,
            E::Status,
            E::Region,
        ])
        .filter(Prefilter::condition(
            pre,
            at,
            E::Region,
            E::RegionCity,
            E::RegionProvince,
        ))
        .order_by_asc(E::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    rows.into_iter()
        .map(|(id, title, submitted, from, awarded, status, region)| {
            Ok(CountedRecord {
                kind: "contest_entry",
                id,
                title,
                counted: entry_counted(&(submitted, from, awarded, status, region))?,
            })
        })
        .collect()
}
