//! The storage port of 科普e站 screens: the screens with their token's hash (never the token),
//! playlists with their items, emergency overrides, heartbeats and plays. Every method is one
//! transaction; a write that an admin makes carries its audit entry, written in the same
//! transaction.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::{
    Emergency, EmergencyDraft, Estation, EstationDraft, Play, PlayDay, Playlist, PlaylistDraft,
    PlaylistTarget,
};
use crate::audit::AuditRecord;
use crate::ids::{EmergencyId, EstationId, OrgId, PlaylistId, ResourceId, UserId};
use crate::permissions::RegionScope;
use crate::ports::StoreResult;
use crate::regions::RegionCode;
use crate::time::Timestamp;

/// Which screens a list shows: those in the admin's regions, and those of the organizations
/// the caller operates (a screen in both is listed once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstationFilter {
    pub regions: RegionScope,
    pub operators: Vec<OrgId>,
}

/// A screen that plays a resource, for the resource's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstationRef {
    pub id: EstationId,
    pub name: String,
    pub place: String,
    pub region: RegionCode,
}

#[async_trait]
pub trait EstationStore: Send + Sync {
    /// Inserts the screen with its token's hash (unique) and the audit entry.
    async fn create_estation(
        &self,
        draft: &EstationDraft,
        token_hash: &str,
        by: UserId,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<EstationId>;
    async fn estation(&self, id: EstationId) -> StoreResult<Option<Estation>>;
    /// The screen whose current token hashes to `token_hash` (none once revoked).
    async fn estation_by_token(&self, token_hash: &str) -> StoreResult<Option<Estation>>;
    /// By region code, then name (at most 1000).
    async fn estations(&self, filter: &EstationFilter) -> StoreResult<Vec<Estation>>;
    /// Replaces the token's hash (`None`: revoked), with the audit entry.
    async fn set_estation_token(
        &self,
        id: EstationId,
        token_hash: Option<&str>,
        audit: &AuditRecord,
    ) -> StoreResult<()>;

    /// Every playlist aimed at the screen or at one of `regions`.
    async fn playlists_reaching(
        &self,
        estation: EstationId,
        regions: &[RegionCode],
    ) -> StoreResult<Vec<Playlist>>;
    /// The playlists aimed at exactly this target, by id.
    async fn playlists(&self, target: PlaylistTarget) -> StoreResult<Vec<Playlist>>;
    async fn playlist(&self, id: PlaylistId) -> StoreResult<Option<Playlist>>;
    /// Creates (`id` none) or replaces a playlist with its items in order, with the audit
    /// entry. A replaced playlist keeps its id and target.
    async fn save_playlist(
        &self,
        id: Option<PlaylistId>,
        target: PlaylistTarget,
        draft: &PlaylistDraft,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<PlaylistId>;
    async fn delete_playlist(&self, id: PlaylistId, audit: &AuditRecord) -> StoreResult<()>;

    async fn create_emergency(
        &self,
        draft: &EmergencyDraft,
        by: UserId,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<EmergencyId>;
    async fn emergency(&self, id: EmergencyId) -> StoreResult<Option<Emergency>>;
    /// Not cancelled and not over at `now` (`until` after it or none), aimed at one of
    /// `regions`.
    async fn active_emergencies(
        &self,
        regions: &[RegionCode],
        now: Timestamp,
    ) -> StoreResult<Vec<Emergency>>;
    /// The overrides of regions in `scope`, newest first (at most 200), active or not.
    async fn emergencies(&self, scope: &RegionScope) -> StoreResult<Vec<Emergency>>;
    /// Sets `cancelled_at` once (conflict if already cancelled), with the audit entry.
    async fn cancel_emergency(
        &self,
        id: EmergencyId,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()>;

    /// The screen's heartbeat: last seen now, playing this (not audited: a screen reports
    /// every 20 s). Also stores `plays`, skipping those whose key the screen sent before;
    /// returns how many were new.
    async fn record_heartbeat(
        &self,
        id: EstationId,
        at: Timestamp,
        now_playing: Option<ResourceId>,
        plays: &[Play],
    ) -> StoreResult<u64>;
    /// Proof of play: the screen's plays per Beijing day and resource within `from..=to`,
    /// newest day first, then by resource id.
    async fn play_days(
        &self,
        id: EstationId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<PlayDay>>;
    /// The screens whose program holds `resource`: a playlist of the screen's own, or of a
    /// region containing it (by name, at most 50).
    async fn estations_playing(&self, resource: ResourceId) -> StoreResult<Vec<EstationRef>>;
}
