//! Volunteer activities: [`ActivityStore`] over `volunteer_activities`,
//! `volunteer_activity_photos` and `volunteer_signups`. Each write that changes a figure
//! (the report; a decision on hours) watches the activity's counted snapshot in the same
//! transaction.
//!
//! Capacity under concurrency: `signed_up` moves only by one conditional `UPDATE … WHERE
//! signed_up < capacity`, so two last-place sign-ups cannot both succeed; the unique index on
//! (activity, user) stops a double sign-up that races past the first check.

use std::collections::HashMap;

use async_trait::async_trait;
use kejiyun_core::ids::{ActivityId, TeamId, UserId};
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::time::Timestamp;
use kejiyun_core::uploads::UploadId;
use kejiyun_core::volunteers::Skill;
use kejiyun_core::volunteers::activities::{
    Activity, ActivityKind, ActivityReport, HoursStatus, ReportDraft, ServiceRecord, Signup,
    SignupHow,
};
use kejiyun_core::volunteers::activity_ports::{ActivityFilter, ActivityStore, NewActivity, Punch};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::stats::{Counter, Watch};
use super::{
    SeaStore, begin_read, begin_write, corrupt, db_err, paged, parse_region, region_parts,
    scope_condition,
};
use crate::entities::{
    users, volunteer_activities, volunteer_activity_photos, volunteer_signups, volunteer_teams,
    volunteers,
};

fn full() -> StoreError {
    StoreError::Conflict("活动名额已满".into())
}

fn already() -> StoreError {
    StoreError::Conflict("已报名此活动，无需重复报名".into())
}

fn not_signed_up() -> StoreError {
    StoreError::Conflict("该志愿者未报名此活动".into())
}

fn count(v: Option<i32>) -> u32 {
    v.and_then(|v| u32::try_from(v).ok()).unwrap_or(0)
}

fn minutes(v: Option<i32>) -> Option<u32> {
    v.and_then(|v| u32::try_from(v).ok())
}

/// The activities of `rows`, with their teams' names and leaders and their reports' photos.
async fn to_activities<C: ConnectionTrait>(
    db: &C,
    rows: Vec<volunteer_activities::Model>,
) -> StoreResult<Vec<Activity>> {
    let team_ids: Vec<i64> = rows.iter().filter_map(|r| r.team_id).collect();
    let teams: HashMap<i64, (String, i64)> = if team_ids.is_empty() {
        HashMap::new()
    } else {
        volunteer_teams::Entity::find()
            .select_only()
            .columns([
                volunteer_teams::Column::Id,
                volunteer_teams::Column::Name,
                volunteer_teams::Column::LeaderId,
            ])
            .filter(volunteer_teams::Column::Id.is_in(team_ids))
            .into_tuple::<(i64, String, i64)>()
            .all(db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(|(id, name, leader)| (id, (name, leader)))
            .collect()
    };
    let reported: Vec<i64> = rows
        .iter()
        .filter(|r| r.reported_at.is_some())
        .map(|r| r.id)
        .collect();
    let mut photos: HashMap<i64, Vec<UploadId>> = HashMap::new();
    if !reported.is_empty() {
        let found = volunteer_activity_photos::Entity::find()
            .filter(volunteer_activity_photos::Column::ActivityId.is_in(reported))
            .order_by_asc(volunteer_activity_photos::Column::Seq)
            .all(db)
            .await
            .map_err(db_err)?;
        for p in found {
            let id =
                UploadId::parse(&p.upload_id).ok_or_else(|| corrupt("upload", &p.upload_id))?;
            photos.entry(p.activity_id).or_default().push(id);
        }
    }
    let minutes = approved_minutes(db, rows.iter().map(|r| r.id).collect()).await?;
    rows.into_iter()
        .map(|r| {
            let team = r.team_id.and_then(|t| teams.get(&t));
            let skills = r
                .skills
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| Skill::parse(s).map_err(|_| corrupt("skill", s)))
                .collect::<StoreResult<Vec<_>>>()?;
            let report = r.reported_at.map(|at| ActivityReport {
                people_served: count(r.people_served),
                materials_distributed: count(r.materials_distributed),
                gifts: count(r.gifts),
                questions_answered: count(r.questions_answered),
                note: r.report_note.clone(),
                reported_at: Timestamp(at),
                photos: photos.remove(&r.id).unwrap_or_default(),
            });
            Ok(Activity {
                id: ActivityId(r.id),
                team: r.team_id.map(TeamId),
                team_name: team.map(|(n, _)| n.clone()),
                team_leader: team.map(|(_, l)| UserId(*l)),
                kind: ActivityKind::parse(&r.kind)
                    .map_err(|_| corrupt("activity kind", &r.kind))?,
                title: r.title,
                place: r.place,
                region: parse_region(&r.region)?,
                starts_at: Timestamp(r.starts_at),
                ends_at: Timestamp(r.ends_at),
                capacity: count(Some(r.capacity)),
                signed_up: count(Some(r.signed_up)),
                skills,
                description: r.description,
                created_by: UserId(r.created_by),
                created_at: Timestamp(r.created_at),
                report,
                approved_minutes: minutes.get(&r.id).copied().unwrap_or(0),
            })
        })
        .collect()
}

/// Approved minutes per activity of `ids` (counted as the statistics count them).
async fn approved_minutes<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> StoreResult<HashMap<i64, u64>> {
    use volunteer_signups::Column as S;
    let mut out: HashMap<i64, u64> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(i64, Option<i32>, Option<i32>)> = volunteer_signups::Entity::find()
        .select_only()
        .columns([S::ActivityId, S::Minutes, S::AdjustedMinutes])
        .filter(S::ActivityId.is_in(ids))
        .filter(S::HoursStatus.eq(HoursStatus::Approved.as_str()))
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    for (id, computed, adjusted) in rows {
        *out.entry(id).or_default() +=
            super::volunteer_counted::approved(computed, adjusted).unsigned_abs();
    }
    Ok(out)
}

async fn create_activity(
    db: &DatabaseConnection,
    new: &NewActivity,
    at: Timestamp,
) -> StoreResult<ActivityId> {
    let d = &new.draft;
    let (region, city, province) = region_parts(d.region);
    let txn = begin_write(db).await?;
    let id = volunteer_activities::Entity::insert(volunteer_activities::ActiveModel {
        team_id: Set(d.team.map(|t| t.0)),
        kind: Set(d.kind.code().to_owned()),
        title: Set(d.title.clone()),
        place: Set(d.place.clone()),
        region: Set(region),
        region_city: Set(city),
        region_province: Set(province),
        starts_at: Set(d.starts_at.micros()),
        ends_at: Set(d.ends_at.micros()),
        capacity: Set(i32::try_from(d.capacity).unwrap_or(i32::MAX)),
        signed_up: Set(0),
        skills: Set(Skill::join_codes(&d.skills)),
        description: Set(d.description.clone()),
        checkin_secret: Set(new.checkin_secret.clone()),
        created_by: Set(new.created_by.0),
        created_at: Set(at.micros()),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(db_err)?
    .last_insert_id;
    // Counted once reported; watched so a planned activity's (empty) snapshot is on record.
    Watch::created(Counter::VolunteerActivity(id))
        .finish(&txn)
        .await?;
    txn.commit().await.map_err(db_err)?;
    Ok(ActivityId(id))
}

async fn activity(db: &DatabaseConnection, id: ActivityId) -> StoreResult<Option<Activity>> {
    let txn = begin_read(db).await?;
    let Some(row) = volunteer_activities::Entity::find_by_id(id.0)
        .one(&txn)
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    Ok(to_activities(&txn, vec![row]).await?.pop())
}

fn activity_filter(f: &ActivityFilter) -> Condition {
    use volunteer_activities::Column as A;
    let mut c = Condition::all().add(scope_condition(
        &f.scope,
        A::Region,
        A::RegionCity,
        A::RegionProvince,
    ));
    if let Some(t) = f.team {
        c = c.add(A::TeamId.eq(t.0));
    }
    if let Some(now) = f.upcoming_at {
        c = c.add(A::EndsAt.gt(now.micros()));
    }
    c
}

async fn list_activities(
    db: &DatabaseConnection,
    f: &ActivityFilter,
    page: Page,
) -> StoreResult<Paged<Activity>> {
    use volunteer_activities::Column as A;
    let txn = begin_read(db).await?;
    let q = volunteer_activities::Entity::find().filter(activity_filter(f));
    let total = q.clone().count(&txn).await.map_err(db_err)?;
    let q = if f.upcoming_at.is_some() {
        q.order_by_asc(A::StartsAt)
    } else {
        q.order_by_desc(A::StartsAt)
    };
    let rows = q
        .order_by_desc(A::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(&txn)
        .await
        .map_err(db_err)?;
    let items = to_activities(&txn, rows).await?;
    Ok(paged(items, total, page))
}

async fn sign_up(
    db: &DatabaseConnection,
    activity: ActivityId,
    user: UserId,
    how: SignupHow,
    at: Timestamp,
) -> StoreResult<()> {
    use volunteer_activities::Column as A;
    use volunteer_signups::Column as S;
    let txn = begin_write(db).await?;
    let there = volunteer_signups::Entity::find()
        .filter(S::ActivityId.eq(activity.0))
        .filter(S::UserId.eq(user.0))
        .count(&txn)
        .await
        .map_err(db_err)?;
    if there > 0 {
        return Err(already());
    }
    let res = volunteer_activities::Entity::update_many()
        .col_expr(A::SignedUp, Expr::col(A::SignedUp).add(1))
        .filter(A::Id.eq(activity.0))
        .filter(Expr::col(A::SignedUp).lt(Expr::col(A::Capacity)))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        let exists = volunteer_activities::Entity::find_by_id(activity.0)
            .count(&txn)
            .await
            .map_err(db_err)?;
        return Err(if exists > 0 {
            full()
        } else {
            StoreError::NotFound
        });
    }
    volunteer_signups::Entity::insert(volunteer_signups::ActiveModel {
        activity_id: Set(activity.0),
        user_id: Set(user.0),
        how: Set(how.as_str().to_owned()),
        signed_up_at: Set(at.micros()),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(|e| match db_err(e) {
        // Signed up by a concurrent request after the check above.
        StoreError::Conflict(_) => already(),
        other => other,
    })?;
    txn.commit().await.map_err(db_err)
}

/// The names signups show: the volunteer profile's real name, else the account's name.
async fn signup_names<C: ConnectionTrait>(
    db: &C,
    users_of: &[i64],
) -> StoreResult<HashMap<i64, String>> {
    if users_of.is_empty() {
        return Ok(HashMap::new());
    }
    let mut names: HashMap<i64, String> = users::Entity::find()
        .select_only()
        .columns([users::Column::Id, users::Column::DisplayName])
        .filter(users::Column::Id.is_in(users_of.to_vec()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await
        .map_err(db_err)?
        .into_iter()
        .collect();
    let real: Vec<(i64, String)> = volunteers::Entity::find()
        .select_only()
        .columns([volunteers::Column::UserId, volunteers::Column::Name])
        .filter(volunteers::Column::UserId.is_in(users_of.to_vec()))
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    names.extend(real);
    Ok(names)
}

fn to_signup(m: volunteer_signups::Model, names: &HashMap<i64, String>) -> StoreResult<Signup> {
    Ok(Signup {
        activity: ActivityId(m.activity_id),
        user: UserId(m.user_id),
        name: names.get(&m.user_id).cloned().unwrap_or_default(),
        how: SignupHow::parse(&m.how).ok_or_else(|| corrupt("signup how", &m.how))?,
        signed_up_at: Timestamp(m.signed_up_at),
        checked_in_at: m.checked_in_at.map(Timestamp),
        checked_out_at: m.checked_out_at.map(Timestamp),
        minutes: minutes(m.minutes),
        adjusted_minutes: minutes(m.adjusted_minutes),
        adjust_reason: m.adjust_reason,
        hours_status: m
            .hours_status
            .as_deref()
            .map(|s| HoursStatus::parse(s).ok_or_else(|| corrupt("hours status", s)))
            .transpose()?,
        hours_reason: m.hours_reason,
        decided_at: m.decided_at.map(Timestamp),
    })
}

async fn signups_where<C: ConnectionTrait>(db: &C, cond: Condition) -> StoreResult<Vec<Signup>> {
    let rows = volunteer_signups::Entity::find()
        .filter(cond)
        .order_by_asc(volunteer_signups::Column::Id)
        .all(db)
        .await
        .map_err(db_err)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.user_id).collect();
    let names = signup_names(db, &ids).await?;
    rows.into_iter().map(|r| to_signup(r, &names)).collect()
}

fn one_signup(activity: ActivityId, user: UserId) -> Condition {
    Condition::all()
        .add(volunteer_signups::Column::ActivityId.eq(activity.0))
        .add(volunteer_signups::Column::UserId.eq(user.0))
}

async fn punch(
    db: &DatabaseConnection,
    activity: ActivityId,
    user: UserId,
    punch: Punch,
    at: Timestamp,
) -> StoreResult<bool> {
    use volunteer_signups::Column as S;
    let txn = begin_write(db).await?;
    let there = volunteer_signups::Entity::find()
        .filter(one_signup(activity, user))
        .count(&txn)
        .await
        .map_err(db_err)?;
    if there == 0 {
        return Err(not_signed_up());
    }
    // Each punch is one conditional update: a second check-in (or check-out) changes nothing.
    let res = match punch {
        Punch::In => {
            volunteer_signups::Entity::update_many()
                .col_expr(S::CheckedInAt, Expr::value(at.micros()))
                .filter(one_signup(activity, user))
                .filter(S::CheckedInAt.is_null())
                .exec(&txn)
                .await
        }
        Punch::Out { minutes } => {
            let checked_in = volunteer_signups::Entity::find()
                .filter(one_signup(activity, user))
                .filter(S::CheckedInAt.is_not_null())
                .count(&txn)
                .await
                .map_err(db_err)?;
            if checked_in == 0 {
                return Err(StoreError::Conflict("请先签到，再签退".into()));
            }
            volunteer_signups::Entity::update_many()
                .col_expr(S::CheckedOutAt, Expr::value(at.micros()))
                .col_expr(
                    S::Minutes,
                    Expr::value(i32::try_from(minutes).unwrap_or(i32::MAX)),
                )
                .col_expr(S::HoursStatus, Expr::value(HoursStatus::Pending.as_str()))
                .filter(one_signup(activity, user))
                .filter(S::CheckedOutAt.is_null())
                .exec(&txn)
                .await
        }
    }
    .map_err(db_err)?;
    txn.commit().await.map_err(db_err)?;
    Ok(res.rows_affected > 0)
}

async fn adjust_minutes(
    db: &DatabaseConnection,
    activity: ActivityId,
    user: UserId,
    minutes: u32,
    reason: &str,
) -> StoreResult<()> {
    use volunteer_signups::Column as S;
    let txn = begin_write(db).await?;
    let res = volunteer_signups::Entity::update_many()
        .col_expr(
            S::AdjustedMinutes,
            Expr::value(i32::try_from(minutes).unwrap_or(i32::MAX)),
        )
        .col_expr(S::AdjustReason, Expr::value(reason))
        // Adjusting someone who never checked out records their hours for the decision.
        .col_expr(S::HoursStatus, Expr::value(HoursStatus::Pending.as_str()))
        .filter(one_signup(activity, user))
        .filter(
            Condition::any()
                .add(S::HoursStatus.is_null())
                .add(S::HoursStatus.eq(HoursStatus::Pending.as_str())),
        )
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(StoreError::Conflict("服务时长已审核，不能再调整".into()));
    }
    txn.commit().await.map_err(db_err)
}

async fn decide_hours(
    db: &DatabaseConnection,
    activity: ActivityId,
    user: UserId,
    status: HoursStatus,
    reason: Option<String>,
    by: UserId,
    at: Timestamp,
) -> StoreResult<()> {
    use volunteer_signups::Column as S;
    let txn = begin_write(db).await?;
    let watch = Watch::start(&txn, &[Counter::VolunteerActivity(activity.0)]).await?;
    let res = volunteer_signups::Entity::update_many()
        .col_expr(S::HoursStatus, Expr::value(status.as_str()))
        .col_expr(S::HoursReason, Expr::value(reason))
        .col_expr(S::DecidedBy, Expr::value(by.0))
        .col_expr(S::DecidedAt, Expr::value(at.micros()))
        .filter(one_signup(activity, user))
        .filter(S::HoursStatus.eq(HoursStatus::Pending.as_str()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(StoreError::Conflict("服务时长已审核过或尚未签退".into()));
    }
    watch.finish(&txn).await?;
    txn.commit().await.map_err(db_err)
}

async fn file_report(
    db: &DatabaseConnection,
    activity: ActivityId,
    r: &ReportDraft,
    at: Timestamp,
) -> StoreResult<()> {
    use volunteer_activities::Column as A;
    let as_i32 = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    let txn = begin_write(db).await?;
    let watch = Watch::start(&txn, &[Counter::VolunteerActivity(activity.0)]).await?;
    let res = volunteer_activities::Entity::update_many()
        .col_expr(A::ReportedAt, Expr::value(at.micros()))
        .col_expr(A::PeopleServed, Expr::value(as_i32(r.people_served)))
        .col_expr(
            A::MaterialsDistributed,
            Expr::value(as_i32(r.materials_distributed)),
        )
        .col_expr(A::Gifts, Expr::value(as_i32(r.gifts)))
        .col_expr(
            A::QuestionsAnswered,
            Expr::value(as_i32(r.questions_answered)),
        )
        .col_expr(A::ReportNote, Expr::value(r.note.clone()))
        .filter(A::Id.eq(activity.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    // A corrected report replaces the photo list; the uploads themselves stay.
    volunteer_activity_photos::Entity::delete_many()
        .filter(volunteer_activity_photos::Column::ActivityId.eq(activity.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if !r.photos.is_empty() {
        let rows =
            r.photos
                .iter()
                .enumerate()
                .map(|(i, p)| volunteer_activity_photos::ActiveModel {
                    activity_id: Set(activity.0),
                    upload_id: Set(p.as_str().to_owned()),
                    seq: Set(i16::try_from(i).unwrap_or(i16::MAX)),
                });
        volunteer_activity_photos::Entity::insert_many(rows)
            .exec(&txn)
            .await
            .map_err(db_err)?;
    }
    watch.finish(&txn).await?;
    txn.commit().await.map_err(db_err)
}

async fn service_record(
    db: &DatabaseConnection,
    user: UserId,
    range: Option<(Timestamp, Timestamp)>,
) -> StoreResult<Vec<ServiceRecord>> {
    use volunteer_activities::Column as A;
    let txn = begin_read(db).await?;
    let signups = signups_where(
        &txn,
        Condition::all().add(volunteer_signups::Column::UserId.eq(user.0)),
    )
    .await?;
    if signups.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = volunteer_activities::Entity::find()
        .select_only()
        .columns([A::Id, A::Title, A::Region, A::StartsAt])
        .filter(A::Id.is_in(signups.iter().map(|s| s.activity.0).collect::<Vec<_>>()));
    if let Some((from, to)) = range {
        q = q
            .filter(A::StartsAt.gte(from.micros()))
            .filter(A::StartsAt.lt(to.micros()));
    }
    let heads: HashMap<i64, (String, String, i64)> = q
        .into_tuple::<(i64, String, String, i64)>()
        .all(&txn)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|(id, t, r, s)| (id, (t, r, s)))
        .collect();
    let mut out = signups
        .into_iter()
        .filter_map(|s| {
            let (title, region, starts) = heads.get(&s.activity.0)?.clone();
            Some((s, title, region, starts))
        })
        .map(|(s, title, region, starts)| {
            Ok(ServiceRecord {
                activity: s.activity,
                title,
                region: parse_region(&region)?,
                starts_at: Timestamp(starts),
                signup: s,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    out.sort_by(|a, b| {
        b.starts_at
            .cmp(&a.starts_at)
            .then(b.activity.0.cmp(&a.activity.0))
    });
    Ok(out)
}

#[async_trait]
impl ActivityStore for SeaStore {
    async fn create_activity(&self, new: &NewActivity, at: Timestamp) -> StoreResult<ActivityId> {
        retry!(create_activity(&self.db, new, at))
    }
    async fn activity(&self, id: ActivityId) -> StoreResult<Option<Activity>> {
        activity(&self.db, id).await
    }
    async fn activity_secret(&self, id: ActivityId) -> StoreResult<Option<String>> {
        volunteer_activities::Entity::find()
            .select_only()
            .column(volunteer_activities::Column::CheckinSecret)
            .filter(volunteer_activities::Column::Id.eq(id.0))
            .into_tuple()
            .one(&self.db)
            .await
            .map_err(db_err)
    }
    async fn activities(
        &self,
        filter: &ActivityFilter,
        page: Page,
    ) -> StoreResult<Paged<Activity>> {
        list_activities(&self.db, filter, page).await
    }
    async fn all_activities(&self, filter: &ActivityFilter) -> StoreResult<Vec<Activity>> {
        let txn = begin_read(&self.db).await?;
        let rows = volunteer_activities::Entity::find()
            .filter(activity_filter(filter))
            .order_by_asc(volunteer_activities::Column::StartsAt)
            .order_by_asc(volunteer_activities::Column::Id)
            .all(&txn)
            .await
            .map_err(db_err)?;
        to_activities(&txn, rows).await
    }
    async fn sign_up(
        &self,
        activity: ActivityId,
        user: UserId,
        how: SignupHow,
        at: Timestamp,
    ) -> StoreResult<()> {
        retry!(sign_up(&self.db, activity, user, how, at))
    }
    async fn signup(&self, activity: ActivityId, user: UserId) -> StoreResult<Option<Signup>> {
        Ok(signups_where(&self.db, one_signup(activity, user))
            .await?
            .pop())
    }
    async fn signups(&self, activity: ActivityId) -> StoreResult<Vec<Signup>> {
        signups_where(
            &self.db,
            Condition::all().add(volunteer_signups::Column::ActivityId.eq(activity.0)),
        )
        .await
    }
    async fn punch(
        &self,
        activity: ActivityId,
        user: UserId,
        p: Punch,
        at: Timestamp,
    ) -> StoreResult<bool> {
        retry!(punch(&self.db, activity, user, p, at))
    }
    async fn adjust_minutes(
        &self,
        activity: ActivityId,
        user: UserId,
        minutes: u32,
        reason: &str,
    ) -> StoreResult<()> {
        retry!(adjust_minutes(&self.db, activity, user, minutes, reason))
    }
    async fn decide_hours(
        &self,
        activity: ActivityId,
        user: UserId,
        status: HoursStatus,
        reason: Option<String>,
        by: UserId,
        at: Timestamp,
    ) -> StoreResult<()> {
        retry!(decide_hours(
            &self.db,
            activity,
            user,
            status,
            reason.clone(),
            by,
            at
        ))
    }
    async fn file_report(
        &self,
        activity: ActivityId,
        report: &ReportDraft,
        at: Timestamp,
    ) -> StoreResult<()> {
        retry!(file_report(&self.db, activity, report, at))
    }
    async fn service_record(
        &self,
        user: UserId,
        range: Option<(Timestamp, Timestamp)>,
    ) -> StoreResult<Vec<ServiceRecord>> {
        service_record(&self.db, user, range).await
    }
}
