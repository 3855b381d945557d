//! 科普e站 screens: [`EstationStore`] over `estations`, `estation_playlists` with
//! `estation_playlist_items`, `estation_emergencies` and `estation_plays` (migration 24).
//!
//! Every admin write carries its audit entry in its transaction; a creation's entry names the
//! id the insert gave (the use case cannot know it before). A playlist is saved whole: its row,
//! then its items replaced, in one transaction. An override is cancelled once, by a conditional
//! update (`WHERE cancelled_at IS NULL`).
//!
//! Heartbeats and plays are `estation_plays.rs`.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::estations::ports::{EstationFilter, EstationRef, EstationStore};
use kejiyun_core::estations::{
    DailyWindow, Emergency, EmergencyDraft, Estation, EstationDraft, Play, PlayDay, Playlist,
    PlaylistDraft, PlaylistItem, PlaylistTarget,
};
use kejiyun_core::ids::{EmergencyId, EstationId, OrgId, PlaylistId, ResourceId, UserId};
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};

use super::{
    SeaStore, begin_read, begin_write, corrupt, db_err, parse_region, region_parts, scope_condition,
};
use crate::entities::{
    estation_emergencies, estation_playlist_items, estation_playlists, estations, orgs, resources,
};

/// Most screens one list shows.
const LIST_LIMIT: u64 = 1000;
/// Most overrides one list shows.
const EMERGENCY_LIMIT: u64 = 200;
/// Most screens a resource's page names.
const PLAYING_LIMIT: u64 = 50;
/// Ids per `IN (…)` list.
const CHUNK: usize = 500;

fn already_cancelled() -> StoreError {
    StoreError::Conflict("该紧急插播已经结束，请刷新后再看".into())
}

/// The audit entry of a creation, naming the created row.
fn created(audit: &AuditRecord, id: i64) -> AuditRecord {
    AuditRecord {
        target_id: id.to_string(),
        ..audit.clone()
    }
}

/// `480-720,840-1080`: each window's minutes after Beijing midnight; empty for all day.
fn windows_text(windows: &[DailyWindow]) -> String {
    windows
        .iter()
        .map(|w| format!("{}-{}", w.start, w.end))
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_windows(raw: &str) -> StoreResult<Vec<DailyWindow>> {
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    raw.split(',')
        .map(|w| {
            let (start, end) = w.split_once('-')?;
            Some(DailyWindow {
                start: start.parse().ok()?,
                end: end.parse().ok()?,
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| corrupt("playlist windows", raw))
}

fn sorted(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// One text column of rows by id (a row gone: none), in chunks of ids.
async fn text_by_id<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    id: E::Column,
    text: E::Column,
    ids: impl IntoIterator<Item = i64>,
) -> StoreResult<HashMap<i64, String>> {
    let mut out = HashMap::new();
    for chunk in sorted(ids).chunks(CHUNK) {
        let rows: Vec<(i64, String)> = E::find()
            .select_only()
            .columns([id, text])
            .filter(id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        out.extend(rows);
    }
    Ok(out)
}

/// Resources' titles by id.
pub(super) async fn titles<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i64>,
) -> StoreResult<HashMap<i64, String>> {
    text_by_id::<resources::Entity, _>(db, resources::Column::Id, resources::Column::Title, ids)
        .await
}

/// Organizations' names by id.
async fn org_names<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i64>,
) -> StoreResult<HashMap<i64, String>> {
    text_by_id::<orgs::Entity, _>(db, orgs::Column::Id, orgs::Column::Name, ids).await
}

/// Screens as the domain has them, with their operator's name and what they play.
async fn to_estations<C: ConnectionTrait>(
    db: &C,
    rows: Vec<estations::Model>,
) -> StoreResult<Vec<Estation>> {
    let operators = org_names(db, rows.iter().filter_map(|r| r.operator_org_id)).await?;
    let playing = titles(db, rows.iter().filter_map(|r| r.now_playing_resource)).await?;
    rows.into_iter()
        .map(|r| {
            Ok(Estation {
                id: EstationId(r.id),
                region: parse_region(&r.region)?,
                operator: r.operator_org_id.map(OrgId),
                operator_name: r.operator_org_id.and_then(|o| operators.get(&o).cloned()),
                has_token: r.token_hash.is_some(),
                registered_by: UserId(r.registered_by),
                registered_at: Timestamp(r.registered_at),
                last_seen_at: r.last_seen_at.map(Timestamp),
                now_playing: r.now_playing_resource.map(ResourceId::new),
                now_playing_title: r
                    .now_playing_resource
                    .and_then(|p| playing.get(&p).cloned()),
                name: r.name,
                place: r.place,
            })
        })
        .collect()
}

/// The screens a query finds, with the names they show, read from one snapshot.
async fn estations_where(
    db: &DatabaseConnection,
    q: Select<estations::Entity>,
) -> StoreResult<Vec<Estation>> {
    let txn = begin_read(db).await?;
    let rows = q.all(&txn).await.map_err(db_err)?;
    let out = to_estations(&txn, rows).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(out)
}

/// "In the filter's regions, or run by one of its operators".
fn filter_condition(f: &EstationFilter) -> Condition {
    use estations::Column as E;
    if f.regions == RegionScope::All {
        return Condition::all();
    }
    let mut any = Condition::any().add(scope_condition(
        &f.regions,
        E::Region,
        E::RegionCity,
        E::RegionProvince,
    ));
    if !f.operators.is_empty() {
        any = any.add(E::OperatorOrgId.is_in(f.operators.iter().map(|o| o.0)));
    }
    any
}

async fn create_estation(
    db: &DatabaseConnection,
    d: &EstationDraft,
    token_hash: &str,
    by: UserId,
    at: Timestamp,
    audit: &AuditRecord,
) -> StoreResult<EstationId> {
    let (region, city, province) = region_parts(d.region);
    let txn = begin_write(db).await?;
    let id = estations::Entity::insert(estations::ActiveModel {
        name: Set(d.name.clone()),
        place: Set(d.place.clone()),
        region: Set(region),
        region_city: Set(city),
        region_province: Set(province),
        operator_org_id: Set(d.operator.map(|o| o.0)),
        token_hash: Set(Some(token_hash.to_owned())),
        registered_by: Set(by.0),
        registered_at: Set(at.micros()),
        last_seen_at: Set(None),
        now_playing_resource: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(db_err)?
    .last_insert_id;
    super::audit::insert(&txn, &created(audit, id)).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(EstationId(id))
}

async fn set_token(
    db: &DatabaseConnection,
    id: EstationId,
    token_hash: Option<&str>,
    audit: &AuditRecord,
) -> StoreResult<()> {
    use estations::Column as E;
    let txn = begin_write(db).await?;
    let res = estations::Entity::update_many()
        .col_expr(E::TokenHash, Expr::value(token_hash.map(str::to_owned)))
        .filter(E::Id.eq(id.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)
}

fn target_of(m: &estation_playlists::Model) -> StoreResult<PlaylistTarget> {
    match (m.estation_id, m.region.as_deref()) {
        (Some(e), None) => Ok(PlaylistTarget::Estation(EstationId(e))),
        (None, Some(r)) => Ok(PlaylistTarget::Region(parse_region(r)?)),
        _ => Err(corrupt("playlist target", &m.id.to_string())),
    }
}

/// Playlists as the domain has them, each with its items in order.
async fn to_playlists<C: ConnectionTrait>(
    db: &C,
    rows: Vec<estation_playlists::Model>,
) -> StoreResult<Vec<Playlist>> {
    use estation_playlist_items::Column as I;
    let mut items: HashMap<i64, Vec<PlaylistItem>> = HashMap::new();
    for chunk in sorted(rows.iter().map(|r| r.id)).chunks(CHUNK) {
        for i in estation_playlist_items::Entity::find()
            .filter(I::PlaylistId.is_in(chunk.to_vec()))
            .order_by_asc(I::PlaylistId)
            .order_by_asc(I::Position)
            .all(db)
            .await
            .map_err(db_err)?
        {
            let seconds = i
                .seconds
                .map(|s| u32::try_from(s).map_err(|_| corrupt("item seconds", &s.to_string())))
                .transpose()?;
            items.entry(i.playlist_id).or_default().push(PlaylistItem {
                resource: ResourceId::new(i.resource_id),
                seconds,
            });
        }
    }
    rows.into_iter()
        .map(|r| {
            Ok(Playlist {
                id: PlaylistId(r.id),
                target: target_of(&r)?,
                draft: PlaylistDraft {
                    windows: parse_windows(&r.time_windows)?,
                    items: items.remove(&r.id).unwrap_or_default(),
                    name: r.name,
                },
                updated_at: Timestamp(r.updated_at),
            })
        })
        .collect()
}

/// The playlists a query finds, by id, with their items, read from one snapshot.
async fn playlists_where(db: &DatabaseConnection, cond: Condition) -> StoreResult<Vec<Playlist>> {
    let txn = begin_read(db).await?;
    let rows = estation_playlists::Entity::find()
        .filter(cond)
        .order_by_asc(estation_playlists::Column::Id)
        .all(&txn)
        .await
        .map_err(db_err)?;
    let out = to_playlists(&txn, rows).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(out)
}

fn target_condition(target: PlaylistTarget) -> Condition {
    use estation_playlists::Column as P;
    match target {
        PlaylistTarget::Estation(e) => Condition::all().add(P::EstationId.eq(e.0)),
        PlaylistTarget::Region(r) => Condition::all().add(P::Region.eq(r.to_string())),
    }
}

async fn save_playlist(
    db: &DatabaseConnection,
    id: Option<PlaylistId>,
    target: PlaylistTarget,
    d: &PlaylistDraft,
    at: Timestamp,
    audit: &AuditRecord,
) -> StoreResult<PlaylistId> {
    use estation_playlist_items::Column as I;
    use estation_playlists::Column as P;
    let windows = windows_text(&d.windows);
    let by = audit.actor.map(|u| u.0);
    let txn = begin_write(db).await?;
    let id = match id {
        // Replaced: the row keeps its id and target, its items are written again.
        Some(id) => {
            let res = estation_playlists::Entity::update_many()
                .col_expr(P::Name, Expr::value(d.name.clone()))
                .col_expr(P::TimeWindows, Expr::value(windows))
                .col_expr(P::UpdatedAt, Expr::value(at.micros()))
                .col_expr(P::UpdatedBy, Expr::value(by))
                .filter(P::Id.eq(id.0))
                .exec(&txn)
                .await
                .map_err(db_err)?;
            if res.rows_affected == 0 {
                return Err(StoreError::NotFound);
            }
            estation_playlist_items::Entity::delete_many()
                .filter(I::PlaylistId.eq(id.0))
                .exec(&txn)
                .await
                .map_err(db_err)?;
            super::audit::insert(&txn, audit).await?;
            id.0
        }
        None => {
            let (estation_id, region) = match target {
                PlaylistTarget::Estation(e) => (Some(e.0), None),
                PlaylistTarget::Region(r) => (None, Some(r.to_string())),
            };
            let id = estation_playlists::Entity::insert(estation_playlists::ActiveModel {
                estation_id: Set(estation_id),
                region: Set(region),
                name: Set(d.name.clone()),
                time_windows: Set(windows),
                updated_at: Set(at.micros()),
                updated_by: Set(by),
                ..Default::default()
            })
            .exec(&txn)
            .await
            .map_err(db_err)?
            .last_insert_id;
            super::audit::insert(&txn, &created(audit, id)).await?;
            id
        }
    };
    if !d.items.is_empty() {
        let rows =
            d.items
                .iter()
                .enumerate()
                .map(|(n, item)| estation_playlist_items::ActiveModel {
                    playlist_id: Set(id),
                    position: Set(i32::try_from(n).unwrap_or(i32::MAX)),
                    resource_id: Set(item.resource.0),
                    seconds: Set(item.seconds.map(|s| i32::try_from(s).unwrap_or(i32::MAX))),
                });
        estation_playlist_items::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await
            .map_err(db_err)?;
    }
    txn.commit().await.map_err(db_err)?;
    Ok(PlaylistId(id))
}

async fn delete_playlist(
    db: &DatabaseConnection,
    id: PlaylistId,
    audit: &AuditRecord,
) -> StoreResult<()> {
    let txn = begin_write(db).await?;
    estation_playlist_items::Entity::delete_many()
        .filter(estation_playlist_items::Column::PlaylistId.eq(id.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    let res = estation_playlists::Entity::delete_many()
        .filter(estation_playlists::Column::Id.eq(id.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)
}

/// Overrides as the domain has them, with their resource's title.
async fn to_emergencies<C: ConnectionTrait>(
    db: &C,
    rows: Vec<estation_emergencies::Model>,
) -> StoreResult<Vec<Emergency>> {
    let named = titles(db, rows.iter().map(|r| r.resource_id)).await?;
    rows.into_iter()
        .map(|r| {
            Ok(Emergency {
                id: EmergencyId(r.id),
                region: parse_region(&r.region)?,
                resource: ResourceId::new(r.resource_id),
                resource_title: named.get(&r.resource_id).cloned().unwrap_or_default(),
                starts_at: Timestamp(r.starts_at),
                until: r.ends_at.map(Timestamp),
                created_by: UserId(r.created_by),
                cancelled_at: r.cancelled_at.map(Timestamp),
            })
        })
        .collect()
}

/// The overrides a query finds, newest first, with their titles, read from one snapshot.
async fn emergencies_where(
    db: &DatabaseConnection,
    cond: Condition,
    limit: u64,
) -> StoreResult<Vec<Emergency>> {
    use estation_emergencies::Column as M;
    let txn = begin_read(db).await?;
    let rows = estation_emergencies::Entity::find()
        .filter(cond)
        .order_by_desc(M::StartsAt)
        .order_by_desc(M::Id)
        .limit(limit)
        .all(&txn)
        .await
        .map_err(db_err)?;
    let out = to_emergencies(&txn, rows).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(out)
}

async fn create_emergency(
    db: &DatabaseConnection,
    d: &EmergencyDraft,
    by: UserId,
    at: Timestamp,
    audit: &AuditRecord,
) -> StoreResult<EmergencyId> {
    let (region, city, province) = region_parts(d.region);
    let txn = begin_write(db).await?;
    let id = estation_emergencies::Entity::insert(estation_emergencies::ActiveModel {
        region: Set(region),
        region_city: Set(city),
        region_province: Set(province),
        resource_id: Set(d.resource.0),
        starts_at: Set(at.micros()),
        ends_at: Set(d.until.map(Timestamp::micros)),
        created_by: Set(by.0),
        cancelled_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(db_err)?
    .last_insert_id;
    super::audit::insert(&txn, &created(audit, id)).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(EmergencyId(id))
}

async fn cancel_emergency(
    db: &DatabaseConnection,
    id: EmergencyId,
    at: Timestamp,
    audit: &AuditRecord,
) -> StoreResult<()> {
    use estation_emergencies::Column as M;
    let txn = begin_write(db).await?;
    let res = estation_emergencies::Entity::update_many()
        .col_expr(M::CancelledAt, Expr::value(at.micros()))
        .filter(M::Id.eq(id.0))
        .filter(M::CancelledAt.is_null())
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        let exists = estation_emergencies::Entity::find_by_id(id.0)
            .one(&txn)
            .await
            .map_err(db_err)?;
        return Err(match exists {
            Some(_) => already_cancelled(),
            None => StoreError::NotFound,
        });
    }
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)
}

async fn playing(db: &DatabaseConnection, resource: ResourceId) -> StoreResult<Vec<EstationRef>> {
    use estation_playlist_items::Column as I;
    use estation_playlists::Column as P;
    use estations::Column as E;
    let holding = || {
        Query::select()
            .column(I::PlaylistId)
            .from(estation_playlist_items::Entity)
            .and_where(I::ResourceId.eq(resource.0))
            .to_owned()
    };
    let txn = begin_read(db).await?;
    let regions: Vec<Option<String>> = estation_playlists::Entity::find()
        .select_only()
        .column(P::Region)
        .distinct()
        .filter(P::Region.is_not_null())
        .filter(P::Id.in_subquery(holding()))
        .into_tuple()
        .all(&txn)
        .await
        .map_err(db_err)?;
    let roots = regions
        .iter()
        .flatten()
        .map(|r| parse_region(r))
        .collect::<StoreResult<Vec<RegionCode>>>()?;
    let own = E::Id.in_subquery(
        Query::select()
            .column(P::EstationId)
            .from(estation_playlists::Entity)
            .and_where(P::EstationId.is_not_null())
            .and_where(P::Id.in_subquery(holding()))
            .to_owned(),
    );
    let mut cond = Condition::any().add(own);
    if !roots.is_empty() {
        cond = cond.add(scope_condition(
            &RegionScope::Within(roots),
            E::Region,
            E::RegionCity,
            E::RegionProvince,
        ));
    }
    let rows: Vec<(i64, String, String, String)> = estations::Entity::find()
        .select_only()
        .columns([E::Id, E::Name, E::Place, E::Region])
        .filter(cond)
        .order_by_asc(E::Name)
        .order_by_asc(E::Id)
        .limit(PLAYING_LIMIT)
        .into_tuple()
        .all(&txn)
        .await
        .map_err(db_err)?;
    txn.commit().await.map_err(db_err)?;
    rows.into_iter()
        .map(|(id, name, place, region)| {
            Ok(EstationRef {
                id: EstationId(id),
                name,
                place,
                region: parse_region(&region)?,
            })
        })
        .collect()
}

#[async_trait]
impl EstationStore for SeaStore {
    async fn create_estation(
        &self,
        draft: &EstationDraft,
        token_hash: &str,
        by: UserId,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<EstationId> {
        retry!(create_estation(&self.db, draft, token_hash, by, at, audit))
    }
    async fn estation(&self, id: EstationId) -> StoreResult<Option<Estation>> {
        let q = estations::Entity::find_by_id(id.0);
        Ok(estations_where(&self.reader, q).await?.pop())
    }
    async fn estation_by_token(&self, token_hash: &str) -> StoreResult<Option<Estation>> {
        let q = estations::Entity::find().filter(estations::Column::TokenHash.eq(token_hash));
        Ok(estations_where(&self.reader, q.limit(1)).await?.pop())
    }
    async fn estations(&self, filter: &EstationFilter) -> StoreResult<Vec<Estation>> {
        use estations::Column as E;
        let q = estations::Entity::find()
            .filter(filter_condition(filter))
            .order_by_asc(E::Region)
            .order_by_asc(E::Name)
            .order_by_asc(E::Id)
            .limit(LIST_LIMIT);
        estations_where(&self.reader, q).await
    }
    async fn set_estation_token(
        &self,
        id: EstationId,
        token_hash: Option<&str>,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(set_token(&self.db, id, token_hash, audit))
    }

    async fn playlists_reaching(
        &self,
        estation: EstationId,
        regions: &[RegionCode],
    ) -> StoreResult<Vec<Playlist>> {
        use estation_playlists::Column as P;
        let mut cond = Condition::any().add(P::EstationId.eq(estation.0));
        if !regions.is_empty() {
            cond = cond.add(P::Region.is_in(regions.iter().map(|r| r.to_string())));
        }
        playlists_where(&self.reader, cond).await
    }
    async fn playlists(&self, target: PlaylistTarget) -> StoreResult<Vec<Playlist>> {
        playlists_where(&self.reader, target_condition(target)).await
    }
    async fn playlist(&self, id: PlaylistId) -> StoreResult<Option<Playlist>> {
        let cond = Condition::all().add(estation_playlists::Column::Id.eq(id.0));
        Ok(playlists_where(&self.reader, cond).await?.pop())
    }
    async fn save_playlist(
        &self,
        id: Option<PlaylistId>,
        target: PlaylistTarget,
        draft: &PlaylistDraft,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<PlaylistId> {
        retry!(save_playlist(&self.db, id, target, draft, at, audit))
    }
    async fn delete_playlist(&self, id: PlaylistId, audit: &AuditRecord) -> StoreResult<()> {
        retry!(delete_playlist(&self.db, id, audit))
    }

    async fn create_emergency(
        &self,
        draft: &EmergencyDraft,
        by: UserId,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<EmergencyId> {
        retry!(create_emergency(&self.db, draft, by, at, audit))
    }
    async fn emergency(&self, id: EmergencyId) -> StoreResult<Option<Emergency>> {
        let cond = Condition::all().add(estation_emergencies::Column::Id.eq(id.0));
        Ok(emergencies_where(&self.reader, cond, 1).await?.pop())
    }
    async fn active_emergencies(
        &self,
        regions: &[RegionCode],
        now: Timestamp,
    ) -> StoreResult<Vec<Emergency>> {
        use estation_emergencies::Column as M;
        if regions.is_empty() {
            return Ok(Vec::new());
        }
        let cond = Condition::all()
            .add(M::Region.is_in(regions.iter().map(|r| r.to_string())))
            .add(M::CancelledAt.is_null())
            .add(
                Condition::any()
                    .add(M::EndsAt.is_null())
                    .add(M::EndsAt.gt(now.micros())),
            );
        emergencies_where(&self.reader, cond, EMERGENCY_LIMIT).await
    }
    async fn emergencies(&self, scope: &RegionScope) -> StoreResult<Vec<Emergency>> {
        use estation_emergencies::Column as M;
        let cond = scope_condition(scope, M::Region, M::RegionCity, M::RegionProvince);
        emergencies_where(&self.reader, cond, EMERGENCY_LIMIT).await
    }
    async fn cancel_emergency(
        &self,
        id: EmergencyId,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(cancel_emergency(&self.db, id, at, audit))
    }

    async fn record_heartbeat(
        &self,
        id: EstationId,
        at: Timestamp,
        now_playing: Option<ResourceId>,
        plays: &[Play],
    ) -> StoreResult<u64> {
        super::estation_plays::record_heartbeat(&self.db, id, at, now_playing, plays).await
    }
    async fn play_days(
        &self,
        id: EstationId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<PlayDay>> {
        super::estation_plays::play_days(&self.reader, id, from, to).await
    }
    async fn estations_playing(&self, resource: ResourceId) -> StoreResult<Vec<EstationRef>> {
        playing(&self.reader, resource).await
    }
}
