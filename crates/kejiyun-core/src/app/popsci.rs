//! Popular-science resources (科普资源) beyond the posting life cycle: the files a resource
//! refers to (checked to be the publisher's own uploads of the right kind), reading with the
//! counted views, and view counting (in memory, flushed in batches by the server).
//! Moderation, submitting and withdrawing are the posting engine's (`services.postings()`).

use std::collections::HashMap;

use crate::ids::ResourceId;
use crate::moderation::ModerationStatus;
use crate::paging::{Page, Paged};
use crate::permissions::Actor;
use crate::popsci::views::{ViewDelta, VisitorKey};
use crate::popsci::{Resource, ResourceDraft, ResourceInput};
use crate::uploads::{Upload, UploadId, UploadKind};
use crate::{DomainError, DomainResult};

use super::market::PostingQuery;

use_cases!(
    Resources,
    resources,
    "Popular-science resources: files, views"
);

/// A resource as a page shows it: the record, its counted views, and its files.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceView {
    pub resource: Resource,
    pub views: i64,
    pub media: Option<Upload>,
    pub cover: Option<Upload>,
}

impl Resources<'_> {
    /// The publisher's own upload `id` of `kind`, or a 4xx naming the field.
    async fn own_file(
        &self,
        actor: &Actor,
        field: &'static str,
        id: &UploadId,
        kind: UploadKind,
    ) -> DomainResult<()> {
        let found = self.files.uploads(std::slice::from_ref(id)).await?;
        match found.first() {
            Some(u) if u.owner == actor.user_id && u.kind == kind => Ok(()),
            Some(u) if u.owner == actor.user_id => Err(DomainError::invalid(
                field,
                format!(
                    "上传的文件是{}，这里需要{}",
                    u.kind.label_zh(),
                    kind.label_zh()
                ),
            )),
            // Someone else's file, or none: the same answer, so ids cannot be probed.
            _ => Err(DomainError::invalid(
                field,
                format!("文件 {id} 不存在或不是您上传的"),
            )),
        }
    }

    /// The cover and media of a draft are the actor's uploads of the right kinds.
    async fn check_files(&self, actor: &Actor, input: &ResourceInput) -> DomainResult<()> {
        let draft = ResourceDraft::parse(input)?;
        if let (Some(id), Some(kind)) = (&draft.media, draft.kind.media_kind()) {
            self.own_file(actor, "media", id, kind).await?;
        }
        if let Some(id) = &draft.cover {
            self.own_file(actor, "cover", id, UploadKind::Image).await?;
        }
        Ok(())
    }

    /// Creates a resource (a draft, or pending review with `submit`).
    pub async fn create(
        &self,
        actor: &Actor,
        input: &ResourceInput,
        submit: bool,
    ) -> DomainResult<ResourceId> {
        self.check_files(actor, input).await?;
        self.postings().create(actor, input, submit).await
    }

    /// The owner edits; a published resource goes back to review.
    pub async fn edit(
        &self,
        actor: &Actor,
        id: ResourceId,
        input: &ResourceInput,
    ) -> DomainResult<()> {
        self.check_files(actor, input).await?;
        self.postings().edit(actor, id, input).await
    }

    /// A resource on public show (published, not withdrawn), if it is one: what a base links
    /// and a 科普e站 plays.
    pub async fn on_show(&self, id: ResourceId) -> DomainResult<Option<Resource>> {
        match self.postings().get(None, id).await {
            Ok(r) if r.meta.status == ModerationStatus::Published => Ok(Some(r)),
            Ok(_) | Err(DomainError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Counted views of `ids` (flushed ones; the last second's are still in memory).
    async fn views_of(&self, ids: &[ResourceId]) -> DomainResult<HashMap<ResourceId, i64>> {
        Ok(self.store.resource_views(ids).await?)
    }

    /// One resource with its files and counted views, if the caller may see it.
    pub async fn get(&self, actor: Option<&Actor>, id: ResourceId) -> DomainResult<ResourceView> {
        let resource = self.postings().get(actor, id).await?;
        let views = self.views_of(&[id]).await?.get(&id).copied().unwrap_or(0);
        let wanted: Vec<UploadId> = [&resource.draft.media, &resource.draft.cover]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        let files = if wanted.is_empty() {
            Vec::new()
        } else {
            self.files.uploads(&wanted).await?
        };
        let find = |id: &Option<UploadId>| {
            id.as_ref()
                .and_then(|id| files.iter().find(|u| &u.id == id).cloned())
        };
        Ok(ResourceView {
            media: find(&resource.draft.media),
            cover: find(&resource.draft.cover),
            resource,
            views,
        })
    }

    /// A page of resources with their counted views.
    pub async fn list(
        &self,
        actor: Option<&Actor>,
        q: PostingQuery,
        page: Page,
    ) -> DomainResult<Paged<(Resource, i64)>> {
        let listed = self
            .postings()
            .list::<ResourceDraft>(actor, q, page)
            .await?;
        let ids: Vec<ResourceId> = listed.items.iter().map(|r| r.id).collect();
        let views = self.views_of(&ids).await?;
        Ok(listed.map(|r| {
            let n = views.get(&r.id).copied().unwrap_or(0);
            (r, n)
        }))
    }

    /// The visitor key of a signed-in user or of an anonymous client (a salted hash of its
    /// address and user agent: neither is kept). The salt comes from the personal-data key,
    /// so every server of a deployment computes the same key for the same visitor.
    pub fn visitor(&self, user: Option<i64>, ip: &str, user_agent: &str) -> VisitorKey {
        let salt = self
            .personal_data
            .derived_secret("resource view visitors v1");
        match user {
            Some(u) => VisitorKey::of_user(u, &salt),
            None => VisitorKey::of_client(ip, user_agent, &salt),
        }
    }

    /// Counts a view of a published resource (once per visitor and 30 minutes); returns
    /// whether it counted. In memory only: [`Resources::flush_views`] writes the counts.
    pub fn count_view(&self, visitor: VisitorKey, resource: &Resource) -> bool {
        if resource.meta.status != crate::moderation::ModerationStatus::Published {
            return false;
        }
        self.views.record(visitor, resource.id.0, self.now())
    }

    /// Writes the views counted since the last flush, in one transaction; on failure they go
    /// back to memory for the next flush, so a database outage loses none. Returns how many
    /// views were written.
    pub async fn flush_views(&self) -> DomainResult<i64> {
        let deltas: Vec<ViewDelta> = self.views.take();
        if deltas.is_empty() {
            return Ok(0);
        }
        let n: i64 = deltas.iter().map(|d| d.views).sum();
        match self.store.add_resource_views(&deltas).await {
            Ok(()) => Ok(n),
            Err(e) => {
                self.views.restore(deltas);
                Err(e.into())
            }
        }
    }
}
