//! A generated posting, its hidden labels, and the JSONL line written for peers.

use std::io::Write;

use kejiyun_core::market::categories::{Category, Scope};
use kejiyun_core::regions::RegionCode;
use serde::Serialize;

/// Stable numeric id: the posting's 1-based position in the stream of its (seed, size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PostingId(pub u64);

/// What a posting is. The discriminants index per-kind tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Service = 0,
    Need = 1,
    Achievement = 2,
    TechWorker = 3,
    Org = 4,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Service,
        Kind::Need,
        Kind::Achievement,
        Kind::TechWorker,
        Kind::Org,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Need => "need",
            Kind::Achievement => "achievement",
            Kind::TechWorker => "tech_worker",
            Kind::Org => "org",
        }
    }

    /// What a need may be matched with: services, achievements and tech workers.
    pub fn matches_needs(self) -> bool {
        matches!(self, Kind::Service | Kind::Achievement | Kind::TechWorker)
    }
}

/// Everything an engine may index. The hidden labels are not here (see [`Labels`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Posting {
    pub id: PostingId,
    pub kind: Kind,
    pub title: String,
    /// Chinese text, 50–400 characters.
    pub body: String,
    pub category: Category,
    /// A Sichuan county or prefecture (whichever list the caller passed).
    pub region: RegionCode,
    /// Services only: how far the service reaches (`Scope::reaches`).
    pub scope: Option<Scope>,
    pub provider: u32,
    /// The provider's record of confirmed deals.
    pub confirmed_deals: u32,
    /// Days since 1970-01-01 (UTC).
    pub published_day: i32,
}

/// The hidden labels relevance is judged by; engines never see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Labels {
    pub topic: &'static str,
    pub subtopic: &'static str,
}

/// A posting with its hidden labels, as the generator yields it.
#[derive(Debug, Clone, PartialEq)]
pub struct Labeled {
    pub posting: Posting,
    pub labels: Labels,
}

#[derive(Serialize)]
struct Line<'a> {
    id: u64,
    kind: &'static str,
    title: &'a str,
    body: &'a str,
    category: &'static str,
    region: String,
    scope: Option<&'static str>,
    provider: u32,
    confirmed_deals: u32,
    published_day: i32,
    /// Prefixed so a loader feeding peers can drop every `hidden_*` field.
    hidden_topic: &'static str,
    hidden_subtopic: &'static str,
}

impl Labeled {
    /// One JSON line (with a trailing newline).
    pub fn write_jsonl(&self, out: &mut impl Write) -> std::io::Result<()> {
        let p = &self.posting;
        let line = Line {
            id: p.id.0,
            kind: p.kind.code(),
            title: &p.title,
            body: &p.body,
            category: p.category.code(),
            region: p.region.to_string(),
            scope: p.scope.map(Scope::code),
            provider: p.provider,
            confirmed_deals: p.confirmed_deals,
            published_day: p.published_day,
            hidden_topic: self.labels.topic,
            hidden_subtopic: self.labels.subtopic,
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")
    }
}
