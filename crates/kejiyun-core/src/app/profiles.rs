//! The verifiable profiles' use cases, written once for every [`ProfileKind`]: submission,
//! edits back to review, moderation decisions, visibility and the directory. A kind's own rules
//! sit in its file (`app/orgs.rs`, `app/tech_workers.rs`), on its `Profiles<'_, Kind>`.

use std::marker::PhantomData;

use serde_json::json;

use super::Services;
use super::moderation::{Decision, decision_action};
use crate::audit::AuditRecord;
use crate::moderation::ports::StatusChange;
use crate::moderation::{self, ModerationAction, ModerationStatus};
use crate::paging::{Page, Paged};
use crate::permissions::{Actor, RegionScope};
use crate::profiles::ports::{ProfileFilter, ProfileStore};
use crate::profiles::{ProfileKind, visible};
use crate::regions::RegionCode;
use crate::{DomainError, DomainResult, text};

/// Filters a directory listing may ask for.
#[derive(Debug, Clone, Default)]
pub struct DirectoryQuery {
    pub region: Option<RegionCode>,
    pub status: Option<ModerationStatus>,
    pub query: Option<String>,
}

/// The use cases of the verifiable profiles of kind `K`; reached by `services.orgs()` and
/// `services.tech_workers()`. The use cases read the shared services through `Deref`.
pub struct Profiles<'a, K> {
    services: &'a Services,
    kind: PhantomData<fn() -> K>,
}

// Not derived: a derive would ask `K: Clone`, which the records need not be for this.
impl<K> Clone for Profiles<'_, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K> Copy for Profiles<'_, K> {}

impl<K> std::ops::Deref for Profiles<'_, K> {
    type Target = Services;
    fn deref(&self) -> &Services {
        self.services
    }
}

impl Services {
    pub fn profiles<K: ProfileKind>(&self) -> Profiles<'_, K> {
        Profiles {
            services: self,
            kind: PhantomData,
        }
    }
}

impl<K: ProfileKind> Profiles<'_, K> {
    fn port(&self) -> &dyn ProfileStore<K> {
        K::store(&*self.store)
    }

    /// Validates a submission or an edit: the fields, the region within the deployment, the
    /// banned words.
    pub(super) fn parse(&self, input: &K::Input) -> DomainResult<K::Profile> {
        let profile = K::parse(input)?;
        self.deployment_region(K::region_of(&profile), K::REGION_FIELD)?;
        self.banned_words
            .check(K::TEXT_FIELD, &K::public_text(&profile))?;
        Ok(profile)
    }

    /// Stores a validated submission, pending: it goes to the queue of its region.
    pub(super) async fn submit(&self, actor: &Actor, profile: &K::Profile) -> DomainResult<K::Id> {
        Ok(self
            .port()
            .create_profile(
                actor.user_id,
                profile,
                ModerationStatus::Pending,
                self.now(),
            )
            .await?)
    }

    /// An editor changes the record; the change goes back to review.
    pub async fn edit(&self, actor: &Actor, id: K::Id, input: &K::Input) -> DomainResult<K> {
        let current = self.get(Some(actor), id).await?;
        if !current.edited_by(actor) {
            return Err(DomainError::Forbidden(K::NOT_EDITOR.into()));
        }
        let profile = self.parse(input)?;
        let to = moderation::transition(current.status(), &ModerationAction::Edit)?;
        self.port()
            .edit_profile(
                id,
                &profile,
                StatusChange {
                    from: current.status(),
                    to,
                    reason: None,
                    at: self.now(),
                    audit: None,
                },
            )
            .await?;
        self.get(Some(actor), id).await
    }

    /// Published records are public; others only to their editors and the region's admins.
    pub async fn get(&self, actor: Option<&Actor>, id: K::Id) -> DomainResult<K> {
        let record = self
            .port()
            .find_profile(id)
            .await?
            .ok_or_else(|| DomainError::NotFound(K::NOT_FOUND.into()))?;
        if visible(&record, actor) {
            Ok(record)
        } else {
            Err(DomainError::NotFound(K::NOT_FOUND.into()))
        }
    }

    /// The directory; `own` is the kind's own filter.
    pub async fn list(
        &self,
        actor: Option<&Actor>,
        q: DirectoryQuery,
        own: K::Filter,
        page: Page,
    ) -> DomainResult<Paged<K>> {
        let (scope, status) = directory_scope(self, actor, q.region, q.status)?;
        let filter = ProfileFilter {
            scope,
            status: Some(status),
            query: text::search_text(q.query.as_deref(), text::SEARCH_TEXT_MAX)?,
            own,
        };
        Ok(self.port().list_profiles(&filter, page).await?)
    }

    /// Approves (verifies) or rejects a record; only admins of its region (or above).
    pub(super) async fn moderate(
        &self,
        actor: &Actor,
        id: i64,
        decision: Decision,
    ) -> DomainResult<ModerationStatus> {
        let record = self.get(Some(actor), K::Id::from(id)).await?;
        let status = record.status();
        let region = K::region_of(record.profile());
        if !actor.administers(region) {
            return Err(DomainError::Forbidden(format!(
                "您无权审核{}的记录",
                self.regions.full_name(region)
            )));
        }
        let (action, reason) = decision_action(decision)?;
        let to = moderation::transition(status, &action)?;
        let now = self.now();
        let kind = K::KIND;
        let audit = AuditRecord {
            actor: Some(actor.user_id),
            at: now,
            action: format!("{}.{}", kind.as_str(), action.name()),
            target_kind: kind.as_str().into(),
            target_id: id.to_string(),
            region: Some(region),
            before: Some(json!({ "status": status.as_str(), "name": record.label() })),
            after: Some(json!({ "status": to.as_str(), "reason": reason })),
        };
        self.store
            .change_status(
                kind,
                id,
                StatusChange {
                    from: status,
                    to,
                    reason,
                    at: now,
                    audit: Some(audit),
                },
            )
            .await?;
        Ok(to)
    }
}

/// Visitors see published records under the deployment root; admins may list other statuses,
/// but only within the regions they administer.
pub(super) fn directory_scope(
    s: &Services,
    actor: Option<&Actor>,
    region: Option<RegionCode>,
    status: Option<ModerationStatus>,
) -> DomainResult<(RegionScope, ModerationStatus)> {
    let status = status.unwrap_or(ModerationStatus::Published);
    let base = if status == ModerationStatus::Published {
        RegionScope::Within(vec![s.root])
    } else {
        let scope = actor
            .map(Actor::admin_scope)
            .unwrap_or(RegionScope::Within(vec![]));
        if scope.is_empty() {
            return Err(DomainError::Forbidden(
                "只有管理员可以查看未公开的记录".into(),
            ));
        }
        match scope {
            RegionScope::All => RegionScope::Within(vec![s.root]),
            other => other,
        }
    };
    Ok((
        match region {
            Some(r) => base.narrow(r),
            None => base,
        },
        status,
    ))
}
