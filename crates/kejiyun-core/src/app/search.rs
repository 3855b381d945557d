//! Search and matching use cases. Everything in the index is published, hence public; the
//! matches of a posting are for its owner and the admins of its region.

use super::Services;
use crate::ids::UserId;
use crate::market::postings::PostingKind;
use crate::matching::counterpart_kinds;
use crate::moderation::ModerationStatus;
use crate::notifications::PostingRef;
use crate::permissions::Actor;
use crate::search_ports::{DocKind, Match, MatchQuery, SearchQuery, SearchResults};

fn posting_kind(k: DocKind) -> Option<PostingKind> {
    match k {
        DocKind::Service => Some(PostingKind::Service),
        DocKind::Need => Some(PostingKind::Need),
        DocKind::Achievement => Some(PostingKind::Achievement),
        DocKind::Question => Some(PostingKind::Question),
        DocKind::Resource => Some(PostingKind::Resource),
        DocKind::TechWorker | DocKind::Org => None,
    }
}
use crate::{DomainError, DomainResult};

/// Suggestions shown on a posting's page.
pub const DEFAULT_MATCHES: usize = 10;
/// Most strong matches notified when a posting is published.
pub const NOTIFIED_MATCHES: usize = 5;

impl Services {
    pub fn search(&self, query: &SearchQuery) -> DomainResult<SearchResults> {
        crate::text::search_text(Some(&query.text), usize::MAX)?;
        if let Some(r) = query.region
            && self.regions.get(r).is_none()
        {
            return Err(DomainError::invalid("region", "未知的行政区划代码"));
        }
        Ok(self.search.search(query)?)
    }

    /// The ranked counterparts of a posting (services, tech workers and achievements for a
    /// need; needs for a service or achievement), each with its reasons. Empty until the
    /// posting is published.
    pub async fn matches(
        &self,
        actor: &Actor,
        kind: PostingKind,
        id: i64,
        limit: usize,
    ) -> DomainResult<Vec<Match>> {
        let (meta, region, _) = self.postings().posting_meta(kind, id).await?;
        if !super::market::Postings::visible(&meta, region, Some(actor)) {
            return Err(DomainError::NotFound("内容不存在".into()));
        }
        if meta.owner != actor.user_id && !actor.administers(region) {
            return Err(DomainError::Forbidden(
                "只有发布者和本地区管理员可以查看匹配结果".into(),
            ));
        }
        if meta.status != ModerationStatus::Published {
            return Ok(Vec::new());
        }
        self.matches_of(kind.into(), id, limit).await
    }

    /// Matches of a published record, without a permission check (callers check).
    pub(crate) async fn matches_of(
        &self,
        kind: DocKind,
        id: i64,
        limit: usize,
    ) -> DomainResult<Vec<Match>> {
        let Some(subject) = self.search_feed.search_document(kind, id).await? else {
            return Ok(Vec::new());
        };
        let query = MatchQuery {
            kinds: counterpart_kinds(kind),
            subject,
            limit: limit.clamp(1, crate::search_ports::MAX_MATCHES),
            now: self.now(),
        };
        Ok(self.search.matches(&query)?)
    }

    /// The strong matches of a just-published posting: whom to tell about whom.
    pub async fn strong_matches(&self, kind: PostingKind, id: i64) -> DomainResult<Vec<Match>> {
        Ok(self
            .matches_of(kind.into(), id, DEFAULT_MATCHES)
            .await?
            .into_iter()
            .filter(|m| m.strong)
            .take(NOTIFIED_MATCHES)
            .collect())
    }

    /// After a posting is published: both owners of each strong match between it and the
    /// postings already published are told (in the inbox). Runs after the publication has
    /// committed, in the process that published it (so once, whatever the number of servers).
    /// Returns the notifications written.
    pub async fn notify_strong_matches(
        &self,
        kind: PostingKind,
        id: i64,
        title: &str,
        owner: UserId,
    ) -> DomainResult<usize> {
        let published = PostingRef {
            kind,
            id,
            title: title.to_owned(),
        };
        let mut sent = 0;
        for m in self.strong_matches(kind, id).await? {
            // Tech workers are suggested on the page; notifications are between postings.
            let (Some(other_kind), Some(other_owner)) = (posting_kind(m.kind), m.owner) else {
                continue;
            };
            let other = PostingRef {
                kind: other_kind,
                id: m.id,
                title: m.title.clone(),
            };
            self.notifications()
                .notify_new_match(
                    UserId(other_owner),
                    other.clone(),
                    published.clone(),
                    &DocKind::from(kind).path(id),
                )
                .await?;
            self.notifications()
                .notify_new_match(owner, published.clone(), other, &m.kind.path(m.id))
                .await?;
            sent += 2;
        }
        Ok(sent)
    }
}
