//! Volunteers and teams: [`VolunteerStore`] over `volunteers`, `volunteer_teams` and
//! `volunteer_team_members`, each write with its statistics (`volunteers`, `teams`) in the
//! same transaction.
//!
//! Duplicates under concurrency: the unique indexes on the ID-card number's blind index and on
//! the user stop a second profile that races past the first check; the violation becomes the
//! same Chinese conflict as the check.

use std::collections::HashMap;

use async_trait::async_trait;
use kejiyun_core::accounts::Phone;
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::ids::{TeamId, UserId, VolunteerId};
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::personal_data::fields;
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::time::Timestamp;
use kejiyun_core::volunteers::ports::{
    NewTeam, NewVolunteer, VolunteerAccount, VolunteerFilter, VolunteerStore,
};
use kejiyun_core::volunteers::{Membership, MembershipStatus, Skill, Team, TeamLevel, Volunteer};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::market::{name_of, names};
use super::sealing::Sealing;
use super::stats::{Counter, Watch};
use super::{
    SeaStore, begin_read, begin_write, corrupt, db_err, paged, parse_region, region_parts,
    scope_condition,
};
use crate::entities::{users, volunteer_team_members, volunteer_teams, volunteers};

fn duplicate() -> StoreError {
    StoreError::Conflict("该身份证号码或账号已登记为科技志愿者，请勿重复注册".into())
}

fn to_volunteer(sealing: &Sealing, m: volunteers::Model) -> StoreResult<Volunteer> {
    let skills = Skill::parse_list(&m.skills).map_err(|_| corrupt("skills", &m.skills))?;
    Ok(Volunteer {
        id: VolunteerId(m.id),
        user: UserId(m.user_id),
        name: m.name,
        id_card_masked: m.id_masked,
        phone: sealing.open(fields::VOLUNTEER_PHONE, &m.phone)?,
        region: parse_region(&m.region)?,
        skills,
        availability: m.availability,
        registered_at: Timestamp(m.registered_at),
    })
}

/// The account of an imported volunteer's phone: found, or created without a password.
async fn account_of<C: ConnectionTrait>(
    txn: &C,
    sealing: &Sealing,
    account: &VolunteerAccount,
    row: &NewVolunteer,
    at: Timestamp,
) -> StoreResult<i64> {
    if let VolunteerAccount::User(u) = account {
        return Ok(u.0);
    }
    let phone = Phone::parse(&row.phone).map_err(|_| corrupt("volunteer phone", "***"))?;
    let found: Option<i64> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(super::accounts::phone_is(sealing, &phone)?)
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    if let Some(id) = found {
        return Ok(id);
    }
    let (region, _, _) = region_parts(row.region);
    let (sealed, blind) = super::accounts::sealed_phone(sealing, &phone)?;
    let id = users::Entity::insert(users::ActiveModel {
        phone: Set(Some(sealed)),
        phone_blind: Set(Some(blind)),
        email: Set(None),
        display_name: Set(row.name.clone()),
        region: Set(Some(region)),
        bio: Set(None),
        // No password: not a valid hash, so no password matches; the owner logs in by code.
        password_hash: Set("!".into()),
        created_at: Set(at.micros()),
        updated_at: Set(at.micros()),
        ..Default::default()
    })
    .exec(txn)
    .await
    .map_err(db_err)?
    .last_insert_id;
    Ok(id)
}

async fn register(
    db: &DatabaseConnection,
    sealing: &Sealing,
    rows: &[(VolunteerAccount, NewVolunteer)],
    at: Timestamp,
) -> StoreResult<Vec<VolunteerId>> {
    let txn = begin_write(db).await?;
    let mut ids = Vec::with_capacity(rows.len());
    for (account, row) in rows {
        let user = account_of(&txn, sealing, account, row, at).await?;
        let (region, city, province) = region_parts(row.region);
        let id = volunteers::Entity::insert(volunteers::ActiveModel {
            user_id: Set(user),
            name: Set(row.name.clone()),
            id_cipher: Set(row.id_cipher.clone()),
            id_blind: Set(row.id_blind.clone()),
            id_masked: Set(row.id_masked.clone()),
            phone: Set(sealing.seal(fields::VOLUNTEER_PHONE, &row.phone)?),
            region: Set(region),
            region_city: Set(city),
            region_province: Set(province),
            skills: Set(Skill::join_codes(&row.skills)),
            availability: Set(row.availability.clone()),
            registered_at: Set(at.micros()),
            ..Default::default()
        })
        .exec(&txn)
        .await
        .map_err(|e| match db_err(e) {
            StoreError::Conflict(_) => duplicate(),
            other => other,
        })?
        .last_insert_id;
        Watch::created(Counter::Volunteer(id)).finish(&txn).await?;
        ids.push(VolunteerId(id));
    }
    txn.commit().await.map_err(db_err)?;
    Ok(ids)
}

async fn volunteer_where(
    db: &DatabaseConnection,
    sealing: &Sealing,
    cond: Condition,
) -> StoreResult<Option<Volunteer>> {
    volunteers::Entity::find()
        .filter(cond)
        .one(db)
        .await
        .map_err(db_err)?
        .map(|m| to_volunteer(sealing, m))
        .transpose()
}

async fn reveal_id_card(
    db: &DatabaseConnection,
    id: VolunteerId,
    audit: &AuditRecord,
) -> StoreResult<Option<String>> {
    let txn = begin_write(db).await?;
    let sealed: Option<String> = volunteers::Entity::find()
        .select_only()
        .column(volunteers::Column::IdCipher)
        .filter(volunteers::Column::Id.eq(id.0))
        .into_tuple()
        .one(&txn)
        .await
        .map_err(db_err)?;
    if sealed.is_some() {
        super::audit::insert(&txn, audit).await?;
    }
    txn.commit().await.map_err(db_err)?;
    Ok(sealed)
}

fn volunteer_filter(f: &VolunteerFilter) -> Condition {
    use volunteers::Column as V;
    let mut cond = Condition::all().add(scope_condition(
        &f.scope,
        V::Region,
        V::RegionCity,
        V::RegionProvince,
    ));
    if let Some(skill) = f.skill {
        // Skills are stored as comma-joined codes; no code is a part of another.
        cond = cond.add(V::Skills.like(format!("%{}%", skill.code())));
    }
    cond
}

async fn list_volunteers(
    db: &DatabaseConnection,
    sealing: &Sealing,
    f: &VolunteerFilter,
    page: Page,
) -> StoreResult<Paged<Volunteer>> {
    let txn = begin_read(db).await?;
    let q = volunteers::Entity::find().filter(volunteer_filter(f));
    let total = q.clone().count(&txn).await.map_err(db_err)?;
    let rows = q
        .order_by_desc(volunteers::Column::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(&txn)
        .await
        .map_err(db_err)?;
    let items = rows
        .into_iter()
        .map(|m| to_volunteer(sealing, m))
        .collect::<StoreResult<_>>()?;
    Ok(paged(items, total, page))
}

// ---- teams ---------------------------------------------------------------------------------

async fn create_teams(
    db: &DatabaseConnection,
    teams: &[(NewTeam, Option<Result<TeamId, usize>>)],
    at: Timestamp,
) -> StoreResult<Vec<TeamId>> {
    let txn = begin_write(db).await?;
    let mut ids: Vec<TeamId> = Vec::with_capacity(teams.len());
    for (t, parent) in teams {
        let parent = match parent {
            None => None,
            Some(Ok(id)) => Some(id.0),
            Some(Err(i)) => Some(
                ids.get(*i)
                    .ok_or_else(|| StoreError::Backend("a parent after its sub-team".into()))?
                    .0,
            ),
        };
        let d = &t.draft;
        let (region, city, province) = region_parts(d.region);
        let id = volunteer_teams::Entity::insert(volunteer_teams::ActiveModel {
            name: Set(d.name.clone()),
            level: Set(d.level.code().to_owned()),
            parent_id: Set(parent),
            region: Set(region),
            region_city: Set(city),
            region_province: Set(province),
            leader_id: Set(d.leader.0),
            description: Set(d.description.clone()),
            created_by: Set(t.created_by.0),
            created_at: Set(at.micros()),
            ..Default::default()
        })
        .exec(&txn)
        .await
        .map_err(db_err)?
        .last_insert_id;
        // The leader is the team's first member.
        volunteer_team_members::Entity::insert(volunteer_team_members::ActiveModel {
            team_id: Set(id),
            user_id: Set(d.leader.0),
            status: Set(MembershipStatus::Approved.code().to_owned()),
            reason: Set(None),
            requested_at: Set(at.micros()),
            decided_at: Set(Some(at.micros())),
            decided_by: Set(Some(t.created_by.0)),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_err)?;
        Watch::created(Counter::VolunteerTeam(id))
            .finish(&txn)
            .await?;
        ids.push(TeamId(id));
    }
    txn.commit().await.map_err(db_err)?;
    Ok(ids)
}

async fn to_teams<C: ConnectionTrait>(
    db: &C,
    rows: Vec<volunteer_teams::Model>,
) -> StoreResult<Vec<Team>> {
    use volunteer_team_members::Column as M;
    let leaders = names(db, rows.iter().map(|r| r.leader_id)).await?;
    let mut members: HashMap<i64, u32> = HashMap::new();
    if !rows.is_empty() {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let counts: Vec<(i64, i64)> = volunteer_team_members::Entity::find()
            .select_only()
            .column(M::TeamId)
            .column_as(Expr::col(M::UserId).count(), "n")
            .filter(M::TeamId.is_in(ids))
            .filter(M::Status.eq(MembershipStatus::Approved.code()))
            .group_by(M::TeamId)
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        members = counts
            .into_iter()
            .map(|(t, n)| (t, u32::try_from(n).unwrap_or(u32::MAX)))
            .collect();
    }
    rows.into_iter()
        .map(|r| {
            Ok(Team {
                id: TeamId(r.id),
                level: TeamLevel::parse(&r.level).map_err(|_| corrupt("level", &r.level))?,
                parent: r.parent_id.map(TeamId),
                region: parse_region(&r.region)?,
                leader: UserId(r.leader_id),
                leader_name: name_of(&leaders, r.leader_id),
                description: r.description,
                members: members.get(&r.id).copied().unwrap_or(0),
                created_at: Timestamp(r.created_at),
                name: r.name,
            })
        })
        .collect()
}

fn team_order(
    q: sea_orm::Select<volunteer_teams::Entity>,
) -> sea_orm::Select<volunteer_teams::Entity> {
    q.order_by_asc(volunteer_teams::Column::Region)
        .order_by_asc(volunteer_teams::Column::Id)
}

async fn list_teams(
    db: &DatabaseConnection,
    scope: &RegionScope,
    page: Page,
) -> StoreResult<Paged<Team>> {
    use volunteer_teams::Column as T;
    let txn = begin_read(db).await?;
    let q = volunteer_teams::Entity::find().filter(scope_condition(
        scope,
        T::Region,
        T::RegionCity,
        T::RegionProvince,
    ));
    let total = q.clone().count(&txn).await.map_err(db_err)?;
    let rows = team_order(q)
        .offset(page.offset())
        .limit(page.limit())
        .all(&txn)
        .await
        .map_err(db_err)?;
    let items = to_teams(&txn, rows).await?;
    Ok(paged(items, total, page))
}

async fn teams_where(db: &DatabaseConnection, cond: Condition) -> StoreResult<Vec<Team>> {
    let txn = begin_read(db).await?;
    let rows = team_order(volunteer_teams::Entity::find().filter(cond))
        .all(&txn)
        .await
        .map_err(db_err)?;
    to_teams(&txn, rows).await
}

async fn change_leader(
    db: &DatabaseConnection,
    id: TeamId,
    leader: UserId,
    audit: &AuditRecord,
    at: Timestamp,
) -> StoreResult<()> {
    use volunteer_team_members::Column as M;
    let txn = begin_write(db).await?;
    volunteer_teams::Entity::update_many()
        .col_expr(volunteer_teams::Column::LeaderId, Expr::value(leader.0))
        .filter(volunteer_teams::Column::Id.eq(id.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    // The new leader is a member from now on, whatever their request said.
    let existing = volunteer_team_members::Entity::find()
        .filter(M::TeamId.eq(id.0))
        .filter(M::UserId.eq(leader.0))
        .one(&txn)
        .await
        .map_err(db_err)?;
    let approved = MembershipStatus::Approved.code().to_owned();
    match existing {
        Some(m) if m.status == approved => {}
        Some(_) => {
            volunteer_team_members::Entity::update_many()
                .col_expr(M::Status, Expr::value(approved))
                .col_expr(M::Reason, Expr::value(Option::<String>::None))
                .col_expr(M::DecidedAt, Expr::value(at.micros()))
                .col_expr(M::DecidedBy, Expr::value(audit.actor.map(|a| a.0)))
                .filter(M::TeamId.eq(id.0))
                .filter(M::UserId.eq(leader.0))
                .exec(&txn)
                .await
                .map_err(db_err)?;
        }
        None => {
            volunteer_team_members::Entity::insert(volunteer_team_members::ActiveModel {
                team_id: Set(id.0),
                user_id: Set(leader.0),
                status: Set(approved),
                reason: Set(None),
                requested_at: Set(at.micros()),
                decided_at: Set(Some(at.micros())),
                decided_by: Set(audit.actor.map(|a| a.0)),
            })
            .exec_without_returning(&txn)
            .await
            .map_err(db_err)?;
        }
    }
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)
}

async fn request_membership(
    db: &DatabaseConnection,
    team: TeamId,
    user: UserId,
    at: Timestamp,
) -> StoreResult<()> {
    use volunteer_team_members::Column as M;
    let txn = begin_write(db).await?;
    let existing = volunteer_team_members::Entity::find()
        .filter(M::TeamId.eq(team.0))
        .filter(M::UserId.eq(user.0))
        .lock_exclusive()
        .one(&txn)
        .await
        .map_err(db_err)?;
    let pending = MembershipStatus::Pending.code().to_owned();
    match existing {
        Some(m) if m.status == MembershipStatus::Approved.code() => {
            return Err(StoreError::Conflict("您已是该队伍的队员".into()));
        }
        Some(m) if m.status == pending => {
            return Err(StoreError::Conflict(
                "已提交入队申请，请等待队长审核".into(),
            ));
        }
        // Declined before: asking again reopens the request; the earlier decision and its
        // reason stay in the audit log (`volunteer_team.decide`).
        Some(_) => {
            volunteer_team_members::Entity::update_many()
                .col_expr(M::Status, Expr::value(pending))
                .col_expr(M::RequestedAt, Expr::value(at.micros()))
                .col_expr(M::DecidedAt, Expr::value(Option::<i64>::None))
                .col_expr(M::DecidedBy, Expr::value(Option::<i64>::None))
                .filter(M::TeamId.eq(team.0))
                .filter(M::UserId.eq(user.0))
                .exec(&txn)
                .await
                .map_err(db_err)?;
        }
        None => {
            volunteer_team_members::Entity::insert(volunteer_team_members::ActiveModel {
                team_id: Set(team.0),
                user_id: Set(user.0),
                status: Set(pending),
                reason: Set(None),
                requested_at: Set(at.micros()),
                decided_at: Set(None),
                decided_by: Set(None),
            })
            .exec_without_returning(&txn)
            .await
            .map_err(|e| match db_err(e) {
                StoreError::Conflict(_) => {
                    StoreError::Conflict("已提交入队申请，请等待队长审核".into())
                }
                other => other,
            })?;
        }
    }
    txn.commit().await.map_err(db_err)
}

async fn decide_membership(
    db: &DatabaseConnection,
    team: TeamId,
    user: UserId,
    status: MembershipStatus,
    reason: Option<String>,
    audit: &AuditRecord,
) -> StoreResult<()> {
    use volunteer_team_members::Column as M;
    let txn = begin_write(db).await?;
    let res = volunteer_team_members::Entity::update_many()
        .col_expr(M::Status, Expr::value(status.code()))
        .col_expr(M::Reason, Expr::value(reason))
        .col_expr(M::DecidedAt, Expr::value(audit.at.micros()))
        .col_expr(M::DecidedBy, Expr::value(audit.actor.map(|a| a.0)))
        .filter(M::TeamId.eq(team.0))
        .filter(M::UserId.eq(user.0))
        .filter(M::Status.eq(MembershipStatus::Pending.code()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(StoreError::Conflict("没有待审核的入队申请".into()));
    }
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)
}

async fn memberships(db: &DatabaseConnection, cond: Condition) -> StoreResult<Vec<Membership>> {
    use volunteer_team_members::Column as M;
    let txn = begin_read(db).await?;
    let rows = volunteer_team_members::Entity::find()
        .filter(cond)
        .order_by_asc(M::RequestedAt)
        .order_by_asc(M::UserId)
        .all(&txn)
        .await
        .map_err(db_err)?;
    let people = names(&txn, rows.iter().map(|r| r.user_id)).await?;
    let mut team_ids: Vec<i64> = rows.iter().map(|r| r.team_id).collect();
    team_ids.sort_unstable();
    team_ids.dedup();
    let teams: HashMap<i64, String> = if team_ids.is_empty() {
        HashMap::new()
    } else {
        volunteer_teams::Entity::find()
            .select_only()
            .columns([volunteer_teams::Column::Id, volunteer_teams::Column::Name])
            .filter(volunteer_teams::Column::Id.is_in(team_ids))
            .into_tuple::<(i64, String)>()
            .all(&txn)
            .await
            .map_err(db_err)?
            .into_iter()
            .collect()
    };
    let mut out = rows
        .into_iter()
        .map(|r| {
            Ok(Membership {
                team: TeamId(r.team_id),
                team_name: name_of(&teams, r.team_id),
                user: UserId(r.user_id),
                name: name_of(&people, r.user_id),
                status: MembershipStatus::parse(&r.status)
                    .map_err(|_| corrupt("membership status", &r.status))?,
                reason: r.reason,
                requested_at: Timestamp(r.requested_at),
                decided_at: r.decided_at.map(Timestamp),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    // Pending first: what the leader has to act on.
    out.sort_by_key(|m| m.status != MembershipStatus::Pending);
    Ok(out)
}

#[async_trait]
impl VolunteerStore for SeaStore {
    async fn register_volunteers(
        &self,
        rows: &[(VolunteerAccount, NewVolunteer)],
        at: Timestamp,
    ) -> StoreResult<Vec<VolunteerId>> {
        retry!(register(&self.db, &self.sealing, rows, at))
    }
    async fn volunteer(&self, id: VolunteerId) -> StoreResult<Option<Volunteer>> {
        volunteer_where(
            &self.reader,
            &self.sealing,
            Condition::all().add(volunteers::Column::Id.eq(id.0)),
        )
        .await
    }
    async fn volunteer_of(&self, user: UserId) -> StoreResult<Option<Volunteer>> {
        volunteer_where(
            &self.reader,
            &self.sealing,
            Condition::all().add(volunteers::Column::UserId.eq(user.0)),
        )
        .await
    }
    async fn reveal_id_card(
        &self,
        id: VolunteerId,
        audit: AuditRecord,
    ) -> StoreResult<Option<String>> {
        retry!(reveal_id_card(&self.db, id, &audit))
    }
    async fn registered_id_blinds(&self, blinds: &[String]) -> StoreResult<Vec<String>> {
        let mut out = Vec::new();
        for chunk in blinds.chunks(500) {
            let found: Vec<String> = volunteers::Entity::find()
                .select_only()
                .column(volunteers::Column::IdBlind)
                .filter(volunteers::Column::IdBlind.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(&self.reader)
                .await
                .map_err(db_err)?;
            out.extend(found);
        }
        Ok(out)
    }
    async fn volunteers(
        &self,
        filter: &VolunteerFilter,
        page: Page,
    ) -> StoreResult<Paged<Volunteer>> {
        list_volunteers(&self.reader, &self.sealing, filter, page).await
    }
    async fn all_volunteers(&self, scope: &RegionScope) -> StoreResult<Vec<Volunteer>> {
        use volunteers::Column as V;
        let sealing = &self.sealing;
        volunteers::Entity::find()
            .filter(scope_condition(
                scope,
                V::Region,
                V::RegionCity,
                V::RegionProvince,
            ))
            .order_by_asc(V::Id)
            .all(&self.reader)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(|m| to_volunteer(sealing, m))
            .collect()
    }
    async fn create_teams(
        &self,
        teams: &[(NewTeam, Option<Result<TeamId, usize>>)],
        at: Timestamp,
    ) -> StoreResult<Vec<TeamId>> {
        retry!(create_teams(&self.db, teams, at))
    }
    async fn team(&self, id: TeamId) -> StoreResult<Option<Team>> {
        Ok(teams_where(
            &self.reader,
            Condition::all().add(volunteer_teams::Column::Id.eq(id.0)),
        )
        .await?
        .pop())
    }
    async fn teams(&self, scope: &RegionScope, page: Page) -> StoreResult<Paged<Team>> {
        list_teams(&self.reader, scope, page).await
    }
    async fn teams_named(&self, names: &[String]) -> StoreResult<Vec<Team>> {
        let mut out = Vec::new();
        for chunk in names.chunks(500) {
            out.extend(
                teams_where(
                    &self.reader,
                    Condition::all()
                        .add(volunteer_teams::Column::Name.is_in(chunk.iter().cloned())),
                )
                .await?,
            );
        }
        Ok(out)
    }
    async fn sub_teams(&self, id: TeamId) -> StoreResult<Vec<Team>> {
        teams_where(
            &self.reader,
            Condition::all().add(volunteer_teams::Column::ParentId.eq(id.0)),
        )
        .await
    }
    async fn change_leader(
        &self,
        id: TeamId,
        leader: UserId,
        audit: AuditRecord,
    ) -> StoreResult<()> {
        let at = audit.at;
        retry!(change_leader(&self.db, id, leader, &audit, at))
    }
    async fn request_membership(
        &self,
        team: TeamId,
        user: UserId,
        at: Timestamp,
    ) -> StoreResult<()> {
        retry!(request_membership(&self.db, team, user, at))
    }
    async fn decide_membership(
        &self,
        team: TeamId,
        user: UserId,
        status: MembershipStatus,
        reason: Option<String>,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(decide_membership(
            &self.db,
            team,
            user,
            status,
            reason.clone(),
            audit
        ))
    }
    async fn memberships(&self, team: TeamId) -> StoreResult<Vec<Membership>> {
        memberships(
            &self.reader,
            Condition::all().add(volunteer_team_members::Column::TeamId.eq(team.0)),
        )
        .await
    }
    async fn memberships_of(&self, user: UserId) -> StoreResult<Vec<Membership>> {
        memberships(
            &self.reader,
            Condition::all().add(volunteer_team_members::Column::UserId.eq(user.0)),
        )
        .await
    }
}
