use super::tech_workers::{DirectoryQuery, directory_scope};
use crate::ids::OrgId;
use crate::moderation::ports::StatusChange;
use crate::moderation::{self, ModerationAction, ModerationStatus};
use crate::orgs::ports::OrgFilter;
use crate::orgs::{Org, OrgInput, OrgProfile, OrgType};
use crate::paging::{Page, Paged};
use crate::permissions::Actor;
use crate::{DomainError, DomainResult, text};

use_cases!(
    Orgs,
    orgs,
    "Organizations: registration, profiles, the directory"
);

impl Orgs<'_> {
    fn parse_org(&self, input: &OrgInput) -> DomainResult<OrgProfile> {
        let profile = OrgProfile::parse(input)?;
        self.deployment_region(profile.region, "region")?;
        self.banned_words
            .check("description", &profile.public_text())?;
        Ok(profile)
    }

    /// Registers an organization; the registrant becomes its org admin, and the region's admins
    /// verify it.
    pub async fn register_org(&self, actor: &Actor, input: &OrgInput) -> DomainResult<OrgId> {
        let profile = self.parse_org(input)?;
        Ok(self
            .store
            .create_org(
                actor.user_id,
                &profile,
                ModerationStatus::Pending,
                self.now(),
            )
            .await?)
    }

    /// The org admin edits the organization's page; the change goes back to review.
    pub async fn edit_org(&self, actor: &Actor, id: OrgId, input: &OrgInput) -> DomainResult<Org> {
        let current = self.org(Some(actor), id).await?;
        if current.admin_user_id != actor.user_id && !actor.manages_org(id) {
            return Err(DomainError::Forbidden("只有该组织的管理员可以修改".into()));
        }
        let profile = self.parse_org(input)?;
        let to = moderation::transition(current.status, &ModerationAction::Edit)?;
        self.store
            .update_org(
                id,
                &profile,
                StatusChange {
                    from: current.status,
                    to,
                    reason: None,
                    at: self.now(),
                    audit: None,
                },
            )
            .await?;
        self.org(Some(actor), id).await
    }

    pub async fn org(&self, actor: Option<&Actor>, id: OrgId) -> DomainResult<Org> {
        let org = self
            .store
            .org(id)
            .await?
            .ok_or_else(|| DomainError::NotFound("组织不存在".into()))?;
        let visible = org.status == ModerationStatus::Published
            || actor.is_some_and(|a| {
                a.user_id == org.admin_user_id
                    || a.manages_org(id)
                    || a.administers(org.profile.region)
            });
        if visible {
            Ok(org)
        } else {
            Err(DomainError::NotFound("组织不存在".into()))
        }
    }

    pub async fn list_orgs(
        &self,
        actor: Option<&Actor>,
        q: DirectoryQuery,
        org_type: Option<OrgType>,
        page: Page,
    ) -> DomainResult<Paged<Org>> {
        let (scope, status) = directory_scope(self, actor, q.region, q.status)?;
        let filter = OrgFilter {
            scope,
            status: Some(status),
            org_type,
            query: text::search_text(q.query.as_deref(), text::SEARCH_TEXT_MAX)?,
        };
        Ok(self.store.list_orgs(&filter, page).await?)
    }
}
