//! Fast-field columns of the ranking signals, opened once per segment per query (opening a
//! column by name costs far more than reading one value from it).

use kejiyun_core::market::categories::{Category, Scope};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::search_ports::{DocKind, SearchError};
use kejiyun_core::time::Timestamp;
use tantivy::columnar::Column;
use tantivy::{DocAddress, Searcher};

use crate::index::err;
use crate::schema::{category_of_ord, kind_of_ord, scope_of_ord};

/// The fast-field values of one document.
#[derive(Debug, Clone, Copy)]
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

struct SegmentColumns {
    id: Column<u64>,
    kind: Column<u64>,
    region: Column<u64>,
    category: Column<u64>,
    scope: Column<u64>,
    owner: Column<u64>,
    deals: Column<u64>,
    published: Column<i64>,
}

pub(crate) struct Columns<'s> {
    searcher: &'s Searcher,
    segments: Vec<Option<SegmentColumns>>,
}

impl<'s> Columns<'s> {
    pub fn new(searcher: &'s Searcher) -> Self {
        Self {
            searcher,
            segments: (0..searcher.segment_readers().len())
                .map(|_| None)
                .collect(),
        }
    }

    fn segment(&mut self, ord: u32) -> Result<&SegmentColumns, SearchError> {
        let i = ord as usize;
        if self.segments.get(i).is_none() {
            return Err(err(format!("no segment {ord}")));
        }
        if self.segments[i].is_none() {
            let ff = self.searcher.segment_reader(ord).fast_fields();
            let u = |name: &str| ff.u64(name).map_err(err);
            self.segments[i] = Some(SegmentColumns {
                id: u("id")?,
                kind: u("kind_ord")?,
                region: u("region_code")?,
                category: u("category_ord")?,
                scope: u("scope_ord")?,
                owner: u("owner")?,
                deals: u("owner_deals")?,
                published: ff.i64("published_at").map_err(err)?,
            });
        }
        self.segments[i]
            .as_ref()
            .ok_or_else(|| err("segment columns"))
    }

    pub fn facts(&mut self, addr: DocAddress) -> Result<HitFacts, SearchError> {
        let c = self.segment(addr.segment_ord)?;
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
