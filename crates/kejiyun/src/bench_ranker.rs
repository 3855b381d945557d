//! Kejiyun's engine as a `kejiyun_corpus::Ranker`: the corpus goes into the same
//! `SearchIndex` the server uses (on disk when a directory is given), searches run the
//! search box's ranking (`top_ids`) and needs run the matcher (`matches`), exactly as the
//! server's API does, minus HTTP.

use std::path::Path;

use kejiyun_core::matching::counterpart_kinds;
use kejiyun_core::search_ports::{DocKind, Match, MatchQuery, SearchDocument, SearchEngine};
use kejiyun_core::time::Timestamp;
use kejiyun_corpus::{Kind, NeedQuery, Posting, PostingId, Ranker, RankerError};
use kejiyun_search::{Analyzer, SearchIndex};

const MICROS_PER_DAY: i64 = 86_400_000_000;

pub struct KejiyunRanker {
    index: SearchIndex,
    /// Merge the index after a load as `kejiyun reindex` does (into one segment per search
    /// thread; the default); off, it keeps the segments the load flushed, as a live server's
    /// index.
    pub merge_after_load: bool,
    /// Index tech workers and organisations without a category, as the server's search feed
    /// does (a profile has none); off (the default, `bench matching`'s committed scores), they
    /// keep the generated category.
    pub profiles_as_served: bool,
    /// "Now" for freshness: the day after the newest posting, so runs are repeatable.
    now: Timestamp,
}

impl KejiyunRanker {
    /// In memory.
    pub fn in_memory() -> Result<Self, RankerError> {
        Ok(Self {
            index: SearchIndex::in_memory(Analyzer::new())?,
            merge_after_load: true,
            profiles_as_served: false,
            now: Timestamp(0),
        })
    }

    /// On disk in `dir` (emptied first), as a server keeps it.
    pub fn on_disk(dir: &Path) -> Result<Self, RankerError> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        Ok(Self {
            index: SearchIndex::open(dir, Analyzer::new())?,
            merge_after_load: true,
            profiles_as_served: false,
            now: Timestamp(0),
        })
    }

    pub fn segments(&self) -> usize {
        self.index.segments()
    }

    pub fn index_size_bytes(&self) -> u64 {
        self.index.size_bytes()
    }

    /// "Now" as matching sees it: the day after the newest posting loaded.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Matches for any subject, as the server's `matches_of` asks the index (`match_need` is
    /// this for a need; `bench routing` asks it for a question).
    pub fn matches(&self, query: &MatchQuery) -> Result<Vec<Match>, RankerError> {
        Ok(self.index.matches(query)?)
    }
}

pub fn doc_kind(k: Kind) -> DocKind {
    match k {
        Kind::Service => DocKind::Service,
        Kind::Need => DocKind::Need,
        Kind::Achievement => DocKind::Achievement,
        Kind::TechWorker => DocKind::TechWorker,
        Kind::Org => DocKind::Org,
    }
}

fn id_of(id: i64) -> PostingId {
    PostingId(u64::try_from(id).unwrap_or_default())
}

fn document(p: &Posting) -> SearchDocument {
    SearchDocument {
        kind: doc_kind(p.kind),
        id: i64::try_from(p.id.0).unwrap_or(i64::MAX),
        title: p.title.clone(),
        body: p.body.clone(),
        tags: Vec::new(),
        category: Some(p.category),
        region: p.region,
        scope: p.scope,
        owner: Some(i64::from(p.provider) + 1),
        owner_deals: p.confirmed_deals,
        published_at: Timestamp(i64::from(p.published_day) * MICROS_PER_DAY),
    }
}

impl Ranker for KejiyunRanker {
    fn name(&self) -> &str {
        "Kejiyun (tantivy + jieba)"
    }

    fn index(&mut self, postings: &[Posting]) -> Result<(), RankerError> {
        if let Some(newest) = postings.iter().map(|p| p.published_day).max() {
            self.now = Timestamp(
                self.now
                    .micros()
                    .max((i64::from(newest) + 1) * MICROS_PER_DAY),
            );
        }
        let as_served = self.profiles_as_served;
        self.index.add_bulk(postings.iter().map(|p| {
            let mut d = document(p);
            if as_served && matches!(p.kind, Kind::TechWorker | Kind::Org) {
                d.category = None;
            }
            d
        }))?;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), RankerError> {
        self.index.commit_bulk(0)?;
        if self.merge_after_load {
            // As `kejiyun reindex` leaves it.
            self.index.optimize()?;
        }
        Ok(())
    }

    fn search(&self, query: &str, k: usize) -> Result<Vec<PostingId>, RankerError> {
        Ok(self
            .index
            .top_ids(query, k)?
            .into_iter()
            .map(|(_, id, _)| id_of(id))
            .collect())
    }

    fn match_need(&self, need: &NeedQuery, k: usize) -> Result<Vec<PostingId>, RankerError> {
        let subject = SearchDocument {
            kind: DocKind::Need,
            // Not in the index: nothing to exclude.
            id: -1,
            title: need.title.clone(),
            body: need.body.clone(),
            tags: Vec::new(),
            category: Some(need.category),
            region: need.region,
            scope: None,
            owner: None,
            owner_deals: 0,
            published_at: self.now,
        };
        let found = self.index.matches(&MatchQuery {
            kinds: counterpart_kinds(DocKind::Need),
            subject,
            limit: k,
            now: self.now,
        })?;
        Ok(found.into_iter().map(|m| id_of(m.id)).collect())
    }
}
