//! The volunteers' counted snapshots and records: a volunteer counts in `volunteers`, a team in
//! `teams`, an activity in `activities`, `people_served`, `materials_distributed` (once its
//! report is filed) and `service_hours` (its approved minutes). What a snapshot adds is decided
//! by `kejiyun_core::stats::contributions`; the write paths watch these snapshots.

use std::collections::HashMap;

use kejiyun_core::certificates::mask_name;
use kejiyun_core::ports::StoreResult;
use kejiyun_core::stats::ports::CountedRecord;
use kejiyun_core::stats::{ActivityFigures, Counted};
use kejiyun_core::time::Timestamp;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::stats_served::Prefilter;
use super::{db_err, parse_region};
use crate::entities::{volunteer_activities, volunteer_signups, volunteer_teams, volunteers};

/// Approved minutes of one sign-up: the organizer's adjustment wins over the computed figure.
pub(super) fn approved(minutes: Option<i32>, adjusted: Option<i32>) -> i64 {
    i64::from(adjusted.or(minutes).unwrap_or(0).max(0))
}

/// A volunteer's snapshot, its row locked.
pub(crate) async fn counted_volunteer<C: ConnectionTrait>(
    txn: &C,
    id: i64,
) -> StoreResult<Option<Counted>> {
    use volunteers::Column as V;
    let row: Option<(i64, String)> = volunteers::Entity::find()
        .select_only()
        .columns([V::RegisteredAt, V::Region])
        .filter(V::Id.eq(id))
        .lock_exclusive()
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    row.map(|(at, region)| {
        Ok(Counted::Volunteer {
            registered_at: Timestamp(at),
            region: parse_region(&region)?,
        })
    })
    .transpose()
}

/// A team's snapshot, its row locked.
pub(crate) async fn counted_team<C: ConnectionTrait>(
    txn: &C,
    id: i64,
) -> StoreResult<Option<Counted>> {
    use volunteer_teams::Column as T;
    let row: Option<(i64, String)> = volunteer_teams::Entity::find()
        .select_only()
        .columns([T::CreatedAt, T::Region])
        .filter(T::Id.eq(id))
        .lock_exclusive()
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    row.map(|(at, region)| {
        Ok(Counted::VolunteerTeam {
            created_at: Timestamp(at),
            region: parse_region(&region)?,
        })
    })
    .transpose()
}

type ActivityHead = (i64, String, Option<i64>, Option<i32>, Option<i32>);

fn activity_counted(head: ActivityHead, approved_minutes: i64) -> StoreResult<Counted> {
    let (starts_at, region, reported_at, people, materials) = head;
    Ok(Counted::VolunteerActivity {
        starts_at: Timestamp(starts_at),
        region: parse_region(&region)?,
        report: reported_at.map(|_| ActivityFigures {
            people_served: i64::from(people.unwrap_or(0)),
            materials_distributed: i64::from(materials.unwrap_or(0)),
        }),
        approved_minutes,
    })
}

/// An activity's snapshot: its row locked, then its approved sign-ups (locked too, so MySQL's
/// snapshot cannot hide a committed approval; an aggregate cannot be locked, hence the rows).
pub(crate) async fn counted_activity<C: ConnectionTrait>(
    txn: &C,
    id: i64,
) -> StoreResult<Option<Counted>> {
    use volunteer_activities::Column as A;
    use volunteer_signups::Column as S;
    let head: Option<ActivityHead> = volunteer_activities::Entity::find()
        .select_only()
        .columns([
            A::StartsAt,
            A::Region,
            A::ReportedAt,
            A::PeopleServed,
            A::MaterialsDistributed,
        ])
        .filter(A::Id.eq(id))
        .lock_exclusive()
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    let Some(head) = head else {
        return Ok(None);
    };
    let minutes: Vec<(Option<i32>, Option<i32>)> = volunteer_signups::Entity::find()
        .select_only()
        .columns([S::Minutes, S::AdjustedMinutes])
        .filter(S::ActivityId.eq(id))
        .filter(S::HoursStatus.eq(APPROVED))
        .lock_exclusive()
        .into_tuple()
        .all(txn)
        .await
        .map_err(db_err)?;
    let total = minutes.into_iter().map(|(m, a)| approved(m, a)).sum();
    Ok(Some(activity_counted(head, total)?))
}

/// The stored value of approved hours (`volunteer_signups.hours_status`).
pub(crate) const APPROVED: &str = "approved";

/// Volunteers as counted records (prefiltered on registration); the title is the masked name.
pub(super) async fn volunteer_records(
    db: &impl ConnectionTrait,
    pre: Option<Prefilter>,
) -> StoreResult<Vec<CountedRecord>> {
    use volunteers::Column as V;
    let rows: Vec<(i64, String, i64, String)> = volunteers::Entity::find()
        .select_only()
        .columns([V::Id, V::Name, V::RegisteredAt, V::Region])
        .filter(Prefilter::condition(
            pre,
            V::RegisteredAt,
            V::Region,
            V::RegionCity,
            V::RegionProvince,
        ))
        .order_by_asc(V::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    rows.into_iter()
        .map(|(id, name, at, region)| {
            Ok(CountedRecord {
                kind: "volunteer",
                id,
                title: mask_name(&name),
                counted: Counted::Volunteer {
                    registered_at: Timestamp(at),
                    region: parse_region(&region)?,
                },
            })
        })
        .collect()
}

/// Teams as counted records (prefiltered on registration).
pub(super) async fn team_records(
    db: &impl ConnectionTrait,
    pre: Option<Prefilter>,
) -> StoreResult<Vec<CountedRecord>> {
    use volunteer_teams::Column as T;
    let rows: Vec<(i64, String, i64, String)> = volunteer_teams::Entity::find()
        .select_only()
        .columns([T::Id, T::Name, T::CreatedAt, T::Region])
        .filter(Prefilter::condition(
            pre,
            T::CreatedAt,
            T::Region,
            T::RegionCity,
            T::RegionProvince,
        ))
        .order_by_asc(T::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    rows.into_iter()
        .map(|(id, name, at, region)| {
            Ok(CountedRecord {
                kind: "volunteer_team",
                id,
                title: name,
                counted: Counted::VolunteerTeam {
                    created_at: Timestamp(at),
                    region: parse_region(&region)?,
                },
            })
        })
        .collect()
}

/// Activities as counted records (prefiltered on their start), with their approved minutes.
pub(super) async fn activity_records(
    db: &impl ConnectionTrait,
    pre: Option<Prefilter>,
) -> StoreResult<Vec<CountedRecord>> {
    use volunteer_activities::Column as A;
    use volunteer_signups::Column as S;
    type Row = (
        i64,
        String,
        i64,
        String,
        Option<i64>,
        Option<i32>,
        Option<i32>,
    );
    let rows: Vec<Row> = volunteer_activities::Entity::find()
        .select_only()
        .columns([
            A::Id,
            A::Title,
            A::StartsAt,
            A::Region,
            A::ReportedAt,
            A::PeopleServed,
            A::MaterialsDistributed,
        ])
        .filter(Prefilter::condition(
            pre,
            A::StartsAt,
            A::Region,
            A::RegionCity,
            A::RegionProvince,
        ))
        .order_by_asc(A::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    let mut minutes: HashMap<i64, i64> = HashMap::new();
    for chunk in rows.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|r| r.0).collect();
        let approved_rows: Vec<(i64, Option<i32>, Option<i32>)> = volunteer_signups::Entity::find()
            .select_only()
            .columns([S::ActivityId, S::Minutes, S::AdjustedMinutes])
            .filter(S::ActivityId.is_in(ids))
            .filter(S::HoursStatus.eq(APPROVED))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        for (activity, m, a) in approved_rows {
            *minutes.entry(activity).or_default() += approved(m, a);
        }
    }
    rows.into_iter()
        .map(
            |(id, title, starts_at, region, reported_at, people, materials)| {
                let head = (starts_at, region, reported_at, people, materials);
                Ok(CountedRecord {
                    kind: "volunteer_activity",
                    id,
                    title,
                    counted: activity_counted(head, minutes.get(&id).copied().unwrap_or(0))?,
                })
            },
        )
        .collect()
}
