//! Fast-field columns of the ranking signals, opened once per segment and kept while the
//! segment lives (opening a column by name costs far more than reading one value from it, and
//! was a sixth of a short search's time).

use kejiyun_core::market::categories::{Category, Scope};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::search_ports::{DocKind, SearchDocument, SearchError};
use kejiyun_core::time::Timestamp;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::{DocAddress, Searcher, SegmentReader};

use crate::index::err;
use crate::schema::{category_of_ord, kind_of_ord, scope_of_ord};

/// The fast-field values of one document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct HitFacts {
    pub kind: DocKind,
    pub id: i64,
    pub region: RegionCode,
    pub category: Option<Category>,
    pub scope: Option<Scope>,
    pub owner: Option<i64>,
    pub owner_deals: u32,
    pub published_at: Timestamp,
}

impl HitFacts {
    /// The facts of a document about to be indexed.
    pub fn of(d: &SearchDocument) -> Self {
        Self {
            kind: d.kind,
            id: d.id,
            region: d.region,
            category: d.category,
            scope: d.scope,
            owner: d.owner,
            owner_deals: d.owner_deals,
            published_at: d.published_at,
        }
    }
}

struct SegmentColumns {
    id: Column<u64>,
    kind: Column<u64>,
    region: Column<u64>,
    category: Column<u64>,
    scope: Column<u64>,
    owner: Column<u64>,
    deals: Column<u64>,
    published: Column<i64>,
    embed_hash: Column<u64>,
}

impl SegmentColumns {
    fn open(segment: &SegmentReader) -> Result<Self, SearchError> {
        let ff = segment.fast_fields();
        let u = |name: &str| ff.u64(name).map_err(err);
        Ok(Self {
            id: u("id")?,
            kind: u("kind_ord")?,
            region: u("region_code")?,
            category: u("category_ord")?,
            scope: u("scope_ord")?,
            owner: u("owner")?,
            deals: u("owner_deals")?,
            published: ff.i64("published_at").map_err(err)?,
            embed_hash: u("embed_hash")?,
        })
    }
}

/// The open columns of the index's segments (a segment's values never change: deletes only
/// hide documents).
#[derive(Default)]
pub(crate) struct ColumnCache(Mutex<HashMap<SegmentId, Arc<SegmentColumns>>>);

impl ColumnCache {
    /// The columns of `searcher`'s segments, in segment order; segments gone are forgotten.
    pub fn columns(&self, searcher: &Searcher) -> Result<Columns, SearchError> {
        // A panic while this was held (tantivy on a damaged file) left nothing half-done: a
        // segment's columns are inserted only once opened. So the cache stays usable.
        let mut cache = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let readers = searcher.segment_readers();
        let mut segments = Vec::with_capacity(readers.len());
        for r in readers {
            let c = match cache.get(&r.segment_id()) {
                Some(c) => Arc::clone(c),
                None => {
                    let c = Arc::new(SegmentColumns::open(r)?);
                    cache.insert(r.segment_id(), Arc::clone(&c));
                    c
                }
            };
            segments.push(c);
        }
        if cache.len() > readers.len() {
            cache.retain(|id, _| readers.iter().any(|r| r.segment_id() == *id));
        }
        Ok(Columns { segments })
    }
}

pub(crate) struct Columns {
    segments: Vec<Arc<SegmentColumns>>,
}

impl Columns {
    pub fn facts(&self, addr: DocAddress) -> Result<HitFacts, SearchError> {
        let c = self
            .segments
            .get(addr.segment_ord as usize)
            .ok_or_else(|| err(format!("no segment {}", addr.segment_ord)))?;
        let d = addr.doc_id;
        let u = |col: &Column<u64>| col.first(d).unwrap_or(0);
        let kind = kind_of_ord(u(&c.kind)).ok_or_else(|| err("document without a kind"))?;
        let region = RegionCode::parse(&format!("{:06}", u(&c.region))).map_err(err)?;
        Ok(HitFacts {
            kind,
            id: i64::try_from(u(&c.id)).map_err(err)?,
            region,
            category: category_of_ord(u(&c.category)),
            scope: scope_of_ord(u(&c.scope)),
            owner: i64::try_from(u(&c.owner)).ok().filter(|o| *o > 0),
            owner_deals: u32::try_from(u(&c.deals)).unwrap_or(u32::MAX),
            published_at: Timestamp(c.published.first(d).unwrap_or(0)),
        })
    }
}

impl Columns {
    /// The embedding hash of a document (which text its vector must be computed from).
    pub fn embed_hash(&self, addr: DocAddress) -> Result<u64, SearchError> {
        let c = self
            .segments
            .get(addr.segment_ord as usize)
            .ok_or_else(|| err(format!("no segment {}", addr.segment_ord)))?;
        Ok(c.embed_hash.first(addr.doc_id).unwrap_or(0))
    }

    /// Every live document's facts and embedding hash (the vectors' backfill).
    pub fn all_live(&self, searcher: &Searcher) -> Result<Vec<(HitFacts, u64)>, SearchError> {
        let mut out = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let segment_ord = u32::try_from(ord).map_err(err)?;
            for doc_id in reader.doc_ids_alive() {
                let addr = DocAddress::new(segment_ord, doc_id);
                out.push((self.facts(addr)?, self.embed_hash(addr)?));
            }
        }
        Ok(out)
    }
}
