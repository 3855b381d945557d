use serde_json::json;

use crate::audit::AuditRecord;
use crate::ids::{OrgId, PostingId, UserId};
use crate::market::categories::{Category, Scope};
use crate::market::ports::{PostingChange, PostingFilter};
use crate::market::postings::{
    AchievementDraft, CloseReason, NeedDraft, Posting, PostingContent, PostingInput, PostingKind,
    PostingMeta, ServiceDraft,
};
use crate::moderation::ports::StatusChange;
use crate::moderation::{self, ModerationAction, ModerationStatus};
use crate::orgs::Org;
use crate::paging::{Page, Paged};
use crate::permissions::{Actor, Grant, RegionScope};
use crate::popsci::ResourceDraft;
use crate::profiles::ports::ProfileStore;
use crate::questions::QuestionDraft;
use crate::regions::RegionCode;
use crate::text;
use crate::time::Timestamp;
use crate::{DomainError, DomainResult};

/// What a posting list may be filtered by.
#[derive(Debug, Clone, Default)]
pub struct PostingQuery {
    /// Located in this region's subtree.
    pub region: Option<RegionCode>,
    /// `published` by default; others for admins (their regions) or with `mine`.
    pub status: Option<ModerationStatus>,
    pub category: Option<Category>,
    pub query: Option<String>,
    /// Services offered in this region (scope reach).
    pub available_in: Option<RegionCode>,
    pub scope: Option<Scope>,
    /// Only the caller's own postings, any status.
    pub mine: bool,
    /// Posted by this user (a profile page's list; the usual visibility applies).
    pub owner: Option<UserId>,
    /// Offered by this organization.
    pub org: Option<OrgId>,
    /// Questions only: published ones nobody has answered for at least this many hours (0:
    /// unanswered ones).
    pub unanswered_hours: Option<i64>,
    /// Resources only: of this kind.
    pub resource_kind: Option<crate::popsci::ResourceKind>,
    /// Resources only: most viewed first.
    pub most_viewed: bool,
}

fn not_found(kind: PostingKind) -> DomainError {
    DomainError::NotFound(format!("{}不存在", kind.label_zh()))
}

use_cases!(Postings, postings, "Services, needs and achievements");

impl Postings<'_> {
    /// Services and achievements come from verified tech workers or verified organizations
    /// (posting through their org admin).
    async fn may_provide<D: PostingContent>(&self, actor: &Actor, draft: &D) -> DomainResult<()> {
        match draft.org() {
            Some(id) => {
                let o = ProfileStore::<Org>::find_profile(&*self.store, id).await?;
                let ok = o.is_some_and(|o| o.status == ModerationStatus::Published)
                    && actor.manages_org(id);
                if ok {
                    Ok(())
                } else {
                    Err(DomainError::Forbidden(
                        "只能以您管理的、已认证的组织名义发布".into(),
                    ))
                }
            }
            None if actor.grants.contains(&Grant::TechWorker) => Ok(()),
            None if D::ADMINS_PUBLISH && actor.administers(draft.region()) => Ok(()),
            None => Err(DomainError::Forbidden(format!(
                "只有已认证的科技工作者或组织{}可以发布{}",
                if D::ADMINS_PUBLISH {
                    "、本地区科协管理员"
                } else {
                    ""
                },
                D::KIND.label_zh()
            ))),
        }
    }

    fn check_posting_text(&self, region: RegionCode, texts: &[&str]) -> DomainResult<()> {
        self.deployment_region(region, "region")?;
        self.banned_words.check("description", texts)
    }

    /// What creating or editing a posting checks before writing: the region, the banned
    /// words and (for provided kinds) who may provide it. A form that stores files first runs
    /// it before storing them.
    pub async fn check_draft<D: PostingContent>(
        &self,
        actor: &Actor,
        draft: &D,
    ) -> DomainResult<()> {
        self.check_posting_text(draft.region(), &draft.public_text())?;
        if D::PROVIDED {
            self.may_provide(actor, draft).await?;
        }
        Ok(())
    }

    /// The owner creates a posting of any kind: a draft, or (with `submit`) pending review,
    /// in one transaction.
    pub async fn create<I: PostingInput>(
        &self,
        actor: &Actor,
        input: &I,
        submit: bool,
    ) -> DomainResult<PostingId<I::Draft>> {
        let draft = I::Draft::parse(input)?;
        self.check_posting_text(draft.region(), &draft.public_text())?;
        if I::Draft::PROVIDED {
            self.may_provide(actor, &draft).await?;
        }
        let now = self.now();
        let submit = if submit {
            let to = moderation::transition(ModerationStatus::Draft, &ModerationAction::Submit)?;
            Some(Self::plain_change(ModerationStatus::Draft, to, now))
        } else {
            None
        };
        Ok(I::Draft::rows(&*self.store)
            .create_posting(actor.user_id, &draft, now, submit)
            .await?)
    }

    /// A change with no reason, audit entry, expiry or closing reason (the owner's actions).
    fn plain_change(from: ModerationStatus, to: ModerationStatus, at: Timestamp) -> PostingChange {
        PostingChange {
            change: StatusChange {
                from,
                to,
                reason: None,
                at,
                audit: None,
            },
            expires_at: None,
            close_reason: None,
        }
    }

    /// The meta, region and title of a posting of kind `D`, if it exists.
    async fn head<D: PostingContent>(
        &self,
        id: i64,
    ) -> DomainResult<Option<(PostingMeta, RegionCode, String)>> {
        Ok(D::rows(&*self.store)
            .posting(PostingId::new(id))
            .await?
            .map(|p| (p.meta, p.draft.region(), p.draft.title().to_owned())))
    }

    /// The meta, region and title of a posting of a kind chosen at run time, or 404.
    pub async fn posting_meta(
        &self,
        kind: PostingKind,
        id: i64,
    ) -> DomainResult<(PostingMeta, RegionCode, String)> {
        let found = match kind {
            PostingKind::Service => self.head::<ServiceDraft>(id).await?,
            PostingKind::Need => self.head::<NeedDraft>(id).await?,
            PostingKind::Achievement => self.head::<AchievementDraft>(id).await?,
            PostingKind::Question => self.head::<QuestionDraft>(id).await?,
            PostingKind::Resource => self.head::<ResourceDraft>(id).await?,
        };
        found.ok_or_else(|| not_found(kind))
    }

    /// Published postings are public, and closed ones whose text moderation approved (closing
    /// an edit that waits for review must not publish it); others are for their owner and the
    /// region's admins.
    pub(crate) fn visible(meta: &PostingMeta, region: RegionCode, actor: Option<&Actor>) -> bool {
        meta.status == ModerationStatus::Published
            || (meta.status == ModerationStatus::Closed
                && meta.first_published_at.is_some()
                && meta.text_reviewed)
            || actor.is_some_and(|a| a.user_id == meta.owner || a.administers(region))
    }

    async fn owned_meta(
        &self,
        actor: &Actor,
        kind: PostingKind,
        id: i64,
    ) -> DomainResult<(PostingMeta, RegionCode, String)> {
        let (meta, region, title) = self.posting_meta(kind, id).await?;
        if !Self::visible(&meta, region, Some(actor)) {
            return Err(not_found(kind));
        }
        if meta.owner != actor.user_id {
            return Err(DomainError::Forbidden("只能修改自己发布的内容".into()));
        }
        Ok((meta, region, title))
    }

    /// The owner edits; published or rejected content goes back to review.
    pub async fn edit<I: PostingInput>(
        &self,
        actor: &Actor,
        id: PostingId<I::Draft>,
        input: &I,
    ) -> DomainResult<()> {
        let (meta, _, _) = self.owned_meta(actor, I::Draft::KIND, id.0).await?;
        let draft = I::Draft::parse(input)?;
        self.check_posting_text(draft.region(), &draft.public_text())?;
        if I::Draft::PROVIDED {
            self.may_provide(actor, &draft).await?;
        }
        let to = moderation::transition(meta.status, &ModerationAction::Edit)?;
        let change = Self::plain_change(meta.status, to, self.now());
        Ok(I::Draft::rows(&*self.store)
            .update_posting(id, &draft, change)
            .await?)
    }

    /// The owner sends a draft (or a rejected posting) to the region's moderation queue.
    pub async fn submit_posting(
        &self,
        actor: &Actor,
        kind: PostingKind,
        id: i64,
    ) -> DomainResult<ModerationStatus> {
        let (meta, _, _) = self.owned_meta(actor, kind, id).await?;
        let to = moderation::transition(meta.status, &ModerationAction::Submit)?;
        let change = Self::plain_change(meta.status, to, self.now());
        self.store.change_posting_status(kind, id, change).await?;
        Ok(to)
    }

    /// The owner closes a posting, saying why (solved here or elsewhere, withdrawn, no answer).
    pub async fn close_posting(
        &self,
        actor: &Actor,
        kind: PostingKind,
        id: i64,
        reason: &str,
    ) -> DomainResult<()> {
        let reason = CloseReason::parse_by_owner(reason)?;
        let (meta, _, _) = self.owned_meta(actor, kind, id).await?;
        let to = moderation::transition(meta.status, &ModerationAction::Close)?;
        let change = PostingChange {
            close_reason: Some(reason),
            ..Self::plain_change(meta.status, to, self.now())
        };
        Ok(self.store.change_posting_status(kind, id, change).await?)
    }

    /// The owner confirms a published posting is still current; it stays up another interval.
    pub async fn confirm_posting(
        &self,
        actor: &Actor,
        kind: PostingKind,
        id: i64,
    ) -> DomainResult<Timestamp> {
        let (meta, _, _) = self.owned_meta(actor, kind, id).await?;
        if !kind.expires() {
            return Err(DomainError::Conflict(format!(
                "{}不会过期，无需确认",
                kind.label_zh()
            )));
        }
        if meta.status != ModerationStatus::Published {
            return Err(DomainError::Conflict("只有已发布的内容需要确认".into()));
        }
        let now = self.now();
        let until = self.expiry_from(now);
        self.store.confirm_posting(kind, id, until, now).await?;
        Ok(until)
    }

    pub fn expiry_from(&self, t: Timestamp) -> Timestamp {
        t.plus_seconds(self.posting_ttl_days.max(1) * 86_400)
    }

    /// Moderation of a posting (called by `moderate`): publication starts its expiry clock.
    pub(crate) async fn moderate_posting(
        &self,
        actor: &Actor,
        kind: PostingKind,
        id: i64,
        action: ModerationAction,
        reason: Option<String>,
    ) -> DomainResult<ModerationStatus> {
        let (meta, region, title) = self.posting_meta(kind, id).await?;
        if !Self::visible(&meta, region, Some(actor)) {
            return Err(not_found(kind));
        }
        if !actor.administers(region) {
            return Err(DomainError::Forbidden(format!(
                "您无权审核{}的内容",
                self.regions.full_name(region)
            )));
        }
        let to = moderation::transition(meta.status, &action)?;
        let now = self.now();
        let audit = AuditRecord {
            actor: Some(actor.user_id),
            at: now,
            action: format!("{}.{}", kind.code(), action.name()),
            target_kind: kind.code().into(),
            target_id: id.to_string(),
            region: Some(region),
            before: Some(json!({ "status": meta.status.as_str(), "title": title })),
            after: Some(json!({ "status": to.as_str(), "reason": reason })),
        };
        self.store
            .change_posting_status(
                kind,
                id,
                PostingChange {
                    change: StatusChange {
                        from: meta.status,
                        to,
                        reason,
                        at: now,
                        audit: Some(audit),
                    },
                    expires_at: (to == ModerationStatus::Published && kind.expires())
                        .then(|| self.expiry_from(now)),
                    close_reason: None,
                },
            )
            .await?;
        if to == ModerationStatus::Published {
            // The publication has committed; a failure to notify must not undo it (a question
            // whose routing failed is routed by the sweeper).
            let notified = if kind == PostingKind::Question {
                // Routed once, at the first publication; a re-published edit keeps its circle
                // (the sweeper widens it when its time comes).
                if meta.first_published_at.is_none() {
                    self.questions().route(PostingId::new(id)).await.map(drop)
                } else {
                    Ok(())
                }
            } else if !kind.traded() {
                // A resource is read, not matched.
                Ok(())
            } else {
                self.notify_strong_matches(kind, id, &title, meta.owner)
                    .await
                    .map(drop)
            };
            if let Err(e) = notified {
                tracing::warn!(error = %e, kind = kind.code(), id, "match notifications failed");
            }
        }
        Ok(to)
    }

    /// One posting of kind `D`, if the caller may see it; 404 otherwise.
    pub async fn get<D: PostingContent>(
        &self,
        actor: Option<&Actor>,
        id: PostingId<D>,
    ) -> DomainResult<Posting<D>> {
        match D::rows(&*self.store).posting(id).await? {
            Some(p) if Self::visible(&p.meta, p.draft.region(), actor) => Ok(p),
            _ => Err(not_found(D::KIND)),
        }
    }

    /// Visitors see published postings under the root; `mine` lists the caller's own in any
    /// status; other statuses are for admins within their regions.
    fn posting_filter(
        &self,
        actor: Option<&Actor>,
        q: PostingQuery,
    ) -> DomainResult<PostingFilter> {
        let (scope, status, owner) = if q.mine {
            let a = actor.ok_or(DomainError::Unauthenticated)?;
            (RegionScope::All, q.status, Some(a.user_id))
        } else {
            let (scope, status) =
                super::super::profiles::directory_scope(self, actor, None, q.status)?;
            (scope, Some(status), q.owner)
        };
        let scope = match q.region {
            Some(r) => scope.narrow(r),
            None => scope,
        };
        Ok(PostingFilter {
            scope,
            status,
            owner,
            org: q.org,
            category: q.category,
            query: text::search_text(q.query.as_deref(), text::SEARCH_TEXT_MAX)?,
            available_in: q.available_in,
            service_scope: q.scope,
            unanswered_before: q
                .unanswered_hours
                .map(|h| self.now().plus_seconds(-h.clamp(0, 24 * 3650) * 3600)),
            resource_kind: q.resource_kind,
            most_viewed: q.most_viewed,
        })
    }

    /// A page of postings of kind `D` (filters a kind does not have are ignored).
    pub async fn list<D: PostingContent>(
        &self,
        actor: Option<&Actor>,
        q: PostingQuery,
        page: Page,
    ) -> DomainResult<Paged<Posting<D>>> {
        let q = if D::HAS_REACH {
            q
        } else {
            PostingQuery {
                available_in: None,
                scope: None,
                ..q
            }
        };
        let q = if D::KIND == PostingKind::Question {
            q
        } else {
            PostingQuery {
                unanswered_hours: None,
                ..q
            }
        };
        let q = if D::KIND == PostingKind::Resource {
            q
        } else {
            PostingQuery {
                resource_kind: None,
                most_viewed: false,
                ..q
            }
        };
        let f = self.posting_filter(actor, q)?;
        Ok(D::rows(&*self.store).list_postings(&f, page).await?)
    }

    /// Closes every published posting whose confirmation interval has run out; returns how many.
    /// Run periodically by the server.
    pub async fn expire_postings(&self) -> DomainResult<u64> {
        let now = self.now();
        let mut n = 0;
        for kind in PostingKind::ALL.into_iter().filter(|k| k.expires()) {
            for id in self.store.expired_postings(kind, now, 500).await? {
                let change = PostingChange {
                    close_reason: Some(CloseReason::Expired),
                    ..Self::plain_change(ModerationStatus::Published, ModerationStatus::Closed, now)
                };
                match self.store.change_posting_status(kind, id, change).await {
                    Ok(()) => n += 1,
                    // Confirmed or closed meanwhile: nothing to do.
                    Err(crate::ports::StoreError::Conflict(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(n)
    }
}
