//! 科普e站 screens: registration with a token shown once, playlists per screen or region,
//! emergency overrides, the program a screen plays, its heartbeats and plays, and proof of
//! play. The rules are in `estations.rs`; these check who may act, then call the store once.

use chrono::NaiveDate;
use serde_json::json;

use crate::audit::AuditRecord;
use crate::auth::{hash_token, new_token_secret};
use crate::estations::ports::{EstationFilter, EstationRef};
use crate::estations::{
    DEFAULT_SECONDS, Emergency, EmergencyDraft, EmergencyInput, Estation, EstationDraft,
    EstationInput, MAX_PLAYS_PER_REPORT, Play, PlayDay, PlayInput, Playlist, PlaylistDraft,
    PlaylistInput, PlaylistTarget, emergency_for, manages, program_order, region_chain,
};
use crate::ids::{EmergencyId, EstationId, PlaylistId, ResourceId};
use crate::moderation::ModerationStatus;
use crate::orgs::{Org, OrgType};
use crate::permissions::{Actor, Grant};
use crate::popsci::{Resource, ResourceKind};
use crate::profiles::ports::ProfileStore;
use crate::regions::RegionCode;
use crate::uploads::UploadId;
use crate::{DomainError, DomainResult};

use_cases!(
    Estations,
    estations,
    "科普e站 screens: registration, tokens, playlists, emergency overrides, programs, plays"
);

fn no_estation() -> DomainError {
    DomainError::NotFound("科普e站屏幕不存在".into())
}

fn no_playlist() -> DomainError {
    DomainError::NotFound("播放列表不存在".into())
}

fn not_manager() -> DomainError {
    DomainError::Forbidden("只有屏幕所在地区的管理员或其运营单位的管理员可以管理".into())
}

/// One item of a program, with what the player needs to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramItem {
    pub resource: ResourceId,
    pub kind: ResourceKind,
    pub title: String,
    pub media: Option<UploadId>,
    pub cover: Option<UploadId>,
    /// An article's sanitized HTML.
    pub html: Option<String>,
    /// How long it stays on; `None` for video and audio that play to their end.
    pub seconds: Option<u32>,
}

/// What a screen plays: its playlists in the order the player tries them, each with the
/// items that are still published, and the emergency override over all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub estation: Estation,
    pub emergency: Option<(Emergency, ProgramItem)>,
    pub playlists: Vec<(Playlist, Vec<ProgramItem>)>,
}

/// What a heartbeat stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeartbeatOutcome {
    pub recorded: u64,
    /// Plays refused by the rules (a broken clock, a malformed id): dropped, not retried.
    pub rejected: u64,
}

fn item_of(resource: &Resource, seconds: Option<u32>) -> ProgramItem {
    let d = &resource.draft;
    let plays_to_end = matches!(d.kind, ResourceKind::Video | ResourceKind::Audio);
    ProgramItem {
        resource: resource.id,
        kind: d.kind,
        title: d.title.clone(),
        media: d.media.clone(),
        cover: d.cover.clone(),
        html: (d.kind == ResourceKind::Article).then(|| d.body.clone()),
        seconds: if plays_to_end {
            seconds
        } else {
            Some(seconds.unwrap_or(DEFAULT_SECONDS))
        },
    }
}

impl Estations<'_> {
    fn audit(
        &self,
        actor: &Actor,
        action: &str,
        kind: &str,
        id: impl ToString,
        region: RegionCode,
        after: serde_json::Value,
    ) -> AuditRecord {
        AuditRecord {
            actor: Some(actor.user_id),
            at: self.now(),
            action: action.into(),
            target_kind: kind.into(),
            target_id: id.to_string(),
            region: Some(region),
            before: None,
            after: Some(after),
        }
    }

    async fn managed(&self, actor: &Actor, id: EstationId) -> DomainResult<Estation> {
        let e = self.store.estation(id).await?.ok_or_else(no_estation)?;
        if !manages(actor, e.region, e.operator) {
            return Err(not_manager());
        }
        Ok(e)
    }

    /// A published resource, or a 4xx naming `field`.
    async fn published(&self, field: &'static str, id: ResourceId) -> DomainResult<Resource> {
        self.resources()
            .on_show(id)
            .await?
            .ok_or_else(|| DomainError::invalid(field, format!("科普资源 {id} 不存在或尚未发布")))
    }

    /// A region's admin registers a screen in their region; an operator's admin registers one
    /// for their verified 科普e站 operator, within the operator's region. The token is
    /// returned once; only its hash is kept.
    pub async fn register(
        &self,
        actor: &Actor,
        input: &EstationInput,
    ) -> DomainResult<(EstationId, String)> {
        let draft = EstationDraft::parse(input)?;
        self.visible_region(draft.region)?;
        match draft.operator {
            Some(org) => {
                let found = ProfileStore::<Org>::find_profile(&*self.store, org)
                    .await?
                    .filter(|o| {
                        o.profile.org_type == OrgType::Estation
                            && o.status == ModerationStatus::Published
                    })
                    .ok_or_else(|| {
                        DomainError::invalid("operator", "运营单位应为已认证的科普e站运营单位")
                    })?;
                if !manages(actor, found.profile.region, Some(org)) {
                    return Err(not_manager());
                }
                if !found.profile.region.contains(draft.region) {
                    return Err(DomainError::invalid(
                        "region",
                        "屏幕应在运营单位所在地区之内",
                    ));
                }
            }
            None if !actor.administers(draft.region) => {
                return Err(DomainError::Forbidden(
                    "只有该地区的管理员或科普e站运营单位的管理员可以登记屏幕".into(),
                ));
            }
            None => {}
        }
        let (secret, hash) = new_token_secret();
        let audit = self.audit(
            actor,
            "estation.register",
            "estation",
            "new",
            draft.region,
            json!({ "name": draft.name, "place": draft.place }),
        );
        let id = self
            .store
            .create_estation(&draft, &hash, actor.user_id, self.now(), &audit)
            .await?;
        Ok((id, secret))
    }

    /// The screens the caller manages: in their regions, and of the operators they run.
    pub async fn list(&self, actor: &Actor) -> DomainResult<Vec<Estation>> {
        let operators: Vec<_> = actor
            .grants
            .iter()
            .filter_map(|g| match g {
                Grant::OrgAdmin(o) => Some(*o),
                _ => None,
            })
            .collect();
        let regions = actor.admin_scope();
        if regions.is_empty() && operators.is_empty() {
            return Err(DomainError::Forbidden(
                "只有地区管理员或科普e站运营单位的管理员可以查看屏幕".into(),
            ));
        }
        Ok(self
            .store
            .estations(&EstationFilter { regions, operators })
            .await?)
    }

    pub async fn get(&self, actor: &Actor, id: EstationId) -> DomainResult<Estation> {
        self.managed(actor, id).await
    }

    /// Revokes the screen's token: its player stops getting programs and its reports are
    /// refused, until a new token is issued.
    pub async fn revoke_token(&self, actor: &Actor, id: EstationId) -> DomainResult<()> {
        let e = self.managed(actor, id).await?;
        let audit = self.audit(
            actor,
            "estation.revoke_token",
            "estation",
            id,
            e.region,
            json!({}),
        );
        Ok(self.store.set_estation_token(id, None, &audit).await?)
    }

    /// A new token (the old one stops working), shown once.
    pub async fn reissue_token(&self, actor: &Actor, id: EstationId) -> DomainResult<String> {
        let e = self.managed(actor, id).await?;
        let (secret, hash) = new_token_secret();
        let audit = self.audit(
            actor,
            "estation.reissue_token",
            "estation",
            id,
            e.region,
            json!({}),
        );
        self.store
            .set_estation_token(id, Some(&hash), &audit)
            .await?;
        Ok(secret)
    }

    /// The screen a player's token belongs to (`None`: unknown or revoked).
    pub async fn by_token(&self, token: &str) -> DomainResult<Option<Estation>> {
        let token = token.trim();
        if token.is_empty() || token.len() > 200 {
            return Ok(None);
        }
        Ok(self.store.estation_by_token(&hash_token(token)).await?)
    }

    /// The program of a screen now: its playlists in order with their published items, and
    /// the emergency override (a withdrawn resource drops out of both).
    pub async fn program(&self, estation: Estation) -> DomainResult<Program> {
        let chain = region_chain(estation.region);
        let now = self.now();
        let lists = self.store.playlists_reaching(estation.id, &chain).await?;
        let emergencies = self.store.active_emergencies(&chain, now).await?;
        let mut playlists = Vec::new();
        for p in program_order(estation.id, estation.region, lists) {
            let mut items = Vec::with_capacity(p.draft.items.len());
            for i in &p.draft.items {
                if let Some(r) = self.resources().on_show(i.resource).await? {
                    items.push(item_of(&r, i.seconds));
                }
            }
            if !items.is_empty() {
                playlists.push((p, items));
            }
        }
        let mut emergency = None;
        if let Some(e) = emergency_for(estation.region, &emergencies, now)
            && let Some(r) = self.resources().on_show(e.resource).await?
        {
            emergency = Some((e.clone(), item_of(&r, None)));
        }
        Ok(Program {
            estation,
            emergency,
            playlists,
        })
    }

    /// A screen's heartbeat with the plays it queued: the valid plays are stored once each
    /// (a report sent again counts nothing twice); invalid ones are dropped and counted.
    pub async fn heartbeat(
        &self,
        estation: &Estation,
        now_playing: Option<i64>,
        plays: &[PlayInput],
    ) -> DomainResult<HeartbeatOutcome> {
        if plays.len() > MAX_PLAYS_PER_REPORT {
            return Err(DomainError::invalid(
                "plays",
                format!("一次最多报告 {MAX_PLAYS_PER_REPORT} 条播放记录"),
            ));
        }
        let now = self.now();
        let valid: Vec<Play> = plays
            .iter()
            .filter_map(|p| Play::parse(p, now).ok())
            .collect();
        let rejected = (plays.len() - valid.len()) as u64;
        let now_playing = now_playing.filter(|id| *id > 0).map(ResourceId::new);
        let recorded = self
            .store
            .record_heartbeat(estation.id, now, now_playing, &valid)
            .await?;
        Ok(HeartbeatOutcome { recorded, rejected })
    }

    /// A screen's own playlists.
    pub async fn estation_playlists(
        &self,
        actor: &Actor,
        id: EstationId,
    ) -> DomainResult<Vec<Playlist>> {
        self.managed(actor, id).await?;
        Ok(self.store.playlists(PlaylistTarget::Estation(id)).await?)
    }

    /// A region's playlists (for its admins).
    pub async fn region_playlists(
        &self,
        actor: &Actor,
        region: RegionCode,
    ) -> DomainResult<Vec<Playlist>> {
        self.may_target(actor, PlaylistTarget::Region(region))
            .await?;
        Ok(self.store.playlists(PlaylistTarget::Region(region)).await?)
    }

    /// Who sets a target's playlists: a screen's managers; a region's admins.
    async fn may_target(&self, actor: &Actor, target: PlaylistTarget) -> DomainResult<RegionCode> {
        match target {
            PlaylistTarget::Estation(id) => Ok(self.managed(actor, id).await?.region),
            PlaylistTarget::Region(r) => {
                self.visible_region(r)?;
                if !actor.administers(r) {
                    return Err(DomainError::Forbidden(
                        "只有该地区的管理员可以设置地区播放列表".into(),
                    ));
                }
                Ok(r)
            }
        }
    }

    pub async fn playlist(&self, actor: &Actor, id: PlaylistId) -> DomainResult<Playlist> {
        let p = self.store.playlist(id).await?.ok_or_else(no_playlist)?;
        self.may_target(actor, p.target).await?;
        Ok(p)
    }

    /// Creates a playlist for `target`. Every item is a published resource.
    pub async fn create_playlist(
        &self,
        actor: &Actor,
        target: PlaylistTarget,
        input: &PlaylistInput,
    ) -> DomainResult<PlaylistId> {
        self.save_playlist(actor, target, None, input).await
    }

    /// Replaces a playlist's name, windows and items; it keeps its target.
    pub async fn update_playlist(
        &self,
        actor: &Actor,
        id: PlaylistId,
        input: &PlaylistInput,
    ) -> DomainResult<Playlist> {
        let target = self
            .store
            .playlist(id)
            .await?
            .ok_or_else(no_playlist)?
            .target;
        self.save_playlist(actor, target, Some(id), input).await?;
        self.store.playlist(id).await?.ok_or_else(no_playlist)
    }

    async fn save_playlist(
        &self,
        actor: &Actor,
        target: PlaylistTarget,
        id: Option<PlaylistId>,
        input: &PlaylistInput,
    ) -> DomainResult<PlaylistId> {
        let region = self.may_target(actor, target).await?;
        let draft = PlaylistDraft::parse(input)?;
        for item in &draft.items {
            self.published("items", item.resource).await?;
        }
        let audit = self.audit(
            actor,
            if id.is_some() {
                "playlist.update"
            } else {
                "playlist.create"
            },
            "playlist",
            id.map_or_else(|| "new".to_owned(), |i| i.to_string()),
            region,
            json!({
                "name": draft.name,
                "items": draft.items.iter().map(|i| i.resource.to_string()).collect::<Vec<_>>(),
            }),
        );
        Ok(self
            .store
            .save_playlist(id, target, &draft, self.now(), &audit)
            .await?)
    }

    pub async fn delete_playlist(&self, actor: &Actor, id: PlaylistId) -> DomainResult<()> {
        let p = self.store.playlist(id).await?.ok_or_else(no_playlist)?;
        let region = self.may_target(actor, p.target).await?;
        let audit = self.audit(
            actor,
            "playlist.delete",
            "playlist",
            id,
            region,
            json!({ "name": p.draft.name }),
        );
        Ok(self.store.delete_playlist(id, &audit).await?)
    }

    /// A region's admin puts one published resource on every screen of the region, now.
    pub async fn start_emergency(
        &self,
        actor: &Actor,
        input: &EmergencyInput,
    ) -> DomainResult<EmergencyId> {
        let now = self.now();
        let draft = EmergencyDraft::parse(input, now)?;
        self.visible_region(draft.region)?;
        if !actor.administers(draft.region) {
            return Err(DomainError::Forbidden(
                "只有该地区的管理员可以紧急插播".into(),
            ));
        }
        self.published("resource", draft.resource).await?;
        let audit = self.audit(
            actor,
            "emergency.start",
            "emergency",
            "new",
            draft.region,
            json!({ "resource": draft.resource.to_string(),
                    "until": draft.until.map(|t| t.to_rfc3339()) }),
        );
        Ok(self
            .store
            .create_emergency(&draft, actor.user_id, now, &audit)
            .await?)
    }

    /// Ends an override now.
    pub async fn cancel_emergency(&self, actor: &Actor, id: EmergencyId) -> DomainResult<()> {
        let e = self
            .store
            .emergency(id)
            .await?
            .ok_or_else(|| DomainError::NotFound("紧急插播不存在".into()))?;
        if !actor.administers(e.region) {
            return Err(DomainError::Forbidden(
                "只有该地区的管理员可以结束紧急插播".into(),
            ));
        }
        let audit = self.audit(
            actor,
            "emergency.cancel",
            "emergency",
            id,
            e.region,
            json!({}),
        );
        Ok(self.store.cancel_emergency(id, self.now(), &audit).await?)
    }

    /// The overrides of the caller's regions, newest first.
    pub async fn emergencies(&self, actor: &Actor) -> DomainResult<Vec<Emergency>> {
        let scope = actor.admin_scope();
        if scope.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.store.emergencies(&scope).await?)
    }

    /// Proof of play of one screen within `from..=to` (Beijing dates).
    pub async fn play_days(
        &self,
        actor: &Actor,
        id: EstationId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> DomainResult<Vec<PlayDay>> {
        self.managed(actor, id).await?;
        if to < from {
            return Err(DomainError::invalid("to", "结束日期不能早于开始日期"));
        }
        if (to - from).num_days() > 366 {
            return Err(DomainError::invalid("to", "一次最多查询 366 天"));
        }
        Ok(self.store.play_days(id, from, to).await?)
    }

    /// The screens that play a resource (public: screens stand in public places).
    pub async fn playing(&self, resource: ResourceId) -> DomainResult<Vec<EstationRef>> {
        Ok(self.store.estations_playing(resource).await?)
    }

    /// Whether the caller manages any screen or region (shows the e-station menu).
    pub fn may_manage_any(&self, actor: &Actor) -> bool {
        !actor.admin_scope().is_empty()
            || actor.grants.iter().any(|g| matches!(g, Grant::OrgAdmin(_)))
    }
}
