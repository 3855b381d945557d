//! A record's current state in the index, found by its key: what the embedding worker reads
//! (so a queued record is embedded with the text it has now, or not at all once it is gone)
//! and what matching reads for a suggestion found by meaning alone.

use kejiyun_core::search_ports::{DocKind, SearchDocument, SearchError};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, Term};

use crate::columns::HitFacts;
use crate::index::{SearchIndex, err};
use crate::query::{all_text, first_text};
use crate::schema;

impl SearchIndex {
    /// Where the live document of a record is, if it is indexed.
    pub(crate) fn address_of(
        &self,
        searcher: &Searcher,
        kind: DocKind,
        id: i64,
    ) -> Result<Option<DocAddress>, SearchError> {
        let term = Term::from_field_text(self.fields.key, &schema::doc_key(kind, id));
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let inverted = segment.inverted_index(self.fields.key).map_err(err)?;
            let Some(mut postings) = inverted
                .read_postings(&term, IndexRecordOption::Basic)
                .map_err(err)?
            else {
                continue;
            };
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if segment.alive_bitset().is_none_or(|b| b.is_alive(doc)) {
                    return Ok(Some(DocAddress::new(u32::try_from(ord).map_err(err)?, doc)));
                }
                doc = postings.advance();
            }
        }
        Ok(None)
    }

    /// The record's facts and searchable document as indexed now (`None`: not in the index).
    pub(crate) fn current_document(
        &self,
        kind: DocKind,
        id: i64,
    ) -> Result<Option<(HitFacts, SearchDocument)>, SearchError> {
        let searcher = self.reader.searcher();
        let Some(addr) = self.address_of(&searcher, kind, id)? else {
            return Ok(None);
        };
        let facts = self.columns.columns(&searcher)?.facts(addr)?;
        let doc = self.stored(&searcher, addr)?;
        let f = &self.fields;
        Ok(Some((
            facts,
            SearchDocument {
                kind: facts.kind,
                id: facts.id,
                title: first_text(&doc, f.title),
                body: first_text(&doc, f.body),
                tags: all_text(&doc, f.tags),
                category: facts.category,
                region: facts.region,
                scope: facts.scope,
                owner: facts.owner,
                owner_deals: facts.owner_deals,
                published_at: facts.published_at,
            },
        )))
    }

    /// Every live record's facts and embedding hash.
    pub(crate) fn live_records(&self) -> Result<Vec<(HitFacts, u64)>, SearchError> {
        let searcher = self.reader.searcher();
        self.columns.columns(&searcher)?.all_live(&searcher)
    }

    /// Sets the vector of a record that is, or will be, indexed as `doc` (benchmarks and tests;
    /// the server's vectors come from the embedding worker). False if the vector is refused.
    pub fn put_vector(
        &self,
        doc: &SearchDocument,
        vector: &kejiyun_core::search_ports::StoredVector,
    ) -> bool {
        self.vectors.put(HitFacts::of(doc), vector)
    }
}
