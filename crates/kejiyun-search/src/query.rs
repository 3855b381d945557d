//! The search box: the query text is segmented with the index's analyzer and its terms are
//! OR-ed over title (×3), tags (×2) and body, BM25-ranked; one-character terms also look in
//! the per-character title field, and a word the index never saw (segmented differently
//! there) falls back to its characters in order. No query syntax: every input is plain text,
//! so quotes, brackets and operators cannot fail a search.

use kejiyun_core::market::categories::Category;
use kejiyun_core::matching::region_key;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::search_ports::{
    DocKind, MAX_QUERY_CHARS, SearchError, SearchHit, SearchQuery, SearchResults,
};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use crate::analyzer::{char_tokens, is_han, is_single_han};
use crate::columns::Columns;
use crate::index::{SearchIndex, err};
use crate::schema::Fields;

/// Results beyond this rank are not served (deep pages cost memory, and nobody reads them).
pub const MAX_RESULT_WINDOW: u64 = 10_000;

const SNIPPET_CHARS: usize = 120;

pub(crate) fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

pub(crate) fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, boost))
}

/// Documents in the index containing `t` in any text field.
pub(crate) fn doc_freq(searcher: &Searcher, f: &Fields, t: &str) -> Result<u64, SearchError> {
    let mut n = 0;
    for field in [f.title, f.body, f.tags] {
        n += searcher
            .doc_freq(&Term::from_field_text(field, t))
            .map_err(err)?;
    }
    Ok(n)
}

/// The clause of one query term, `None` if nothing in the index can match it.
pub(crate) fn term_clause(
    searcher: &Searcher,
    f: &Fields,
    t: &str,
) -> Result<Option<Box<dyn Query>>, SearchError> {
    let mut fields: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Should, boosted(term(f.title, t), 3.0)),
        (Occur::Should, boosted(term(f.tags, t), 2.0)),
        (Occur::Should, term(f.body, t)),
    ];
    if is_single_han(t) {
        fields.push((Occur::Should, boosted(term(f.title_chars, t), 2.0)));
    } else if doc_freq(searcher, f, t)? == 0 {
        // Out of the index's vocabulary: every character of it, in the title.
        let chars = char_tokens(t);
        if chars.len() < 2 || !t.chars().any(is_han) {
            return Ok(None);
        }
        let all: Vec<Box<dyn Query>> = chars
            .iter()
            .map(|(_, _, c)| term(f.title_chars, c))
            .collect();
        return Ok(Some(Box::new(BooleanQuery::intersection(all))));
    }
    Ok(Some(Box::new(BooleanQuery::new(fields))))
}

fn filters(
    f: &Fields,
    kinds: &[DocKind],
    region: Option<RegionCode>,
    category: Option<Category>,
) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !kinds.is_empty() {
        out.push((
            Occur::Must,
            Box::new(TermSetQuery::new(
                kinds
                    .iter()
                    .map(|k| Term::from_field_text(f.kind, k.as_str())),
            )),
        ));
    }
    if let Some(r) = region {
        out.push((Occur::Must, term(f.region_path, &region_key(r))));
    }
    if let Some(c) = category {
        out.push((Occur::Must, term(f.category, c.code())));
    }
    out
}

pub(crate) fn first_text(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned()
}

pub(crate) fn all_text(doc: &TantivyDocument, field: Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The snippet of `text`, or its beginning when no term is in it.
fn snippet_html(generator: Option<&SnippetGenerator>, text: &str, max: usize) -> String {
    if let Some(g) = generator {
        let mut s = g.snippet(text);
        if !s.highlighted().is_empty() {
            s.set_snippet_prefix_postfix("<b>", "</b>");
            return s.to_html();
        }
    }
    let head: String = text.chars().take(max).collect();
    let more = if text.chars().count() > max {
        "…"
    } else {
        ""
    };
    format!("{}{more}", escape_html(&head))
}

impl SearchIndex {
    /// The OR of the terms' clauses; `None` when nothing in the index can match any.
    fn text_query(
        &self,
        searcher: &Searcher,
        terms: &[String],
    ) -> Result<Option<Box<dyn Query>>, SearchError> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in terms {
            if let Some(c) = term_clause(searcher, &self.fields, t)? {
                clauses.push((Occur::Should, c));
            }
        }
        Ok((!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>))
    }

    /// The best `k` records for `text`, ranked exactly as the search box ranks them, without
    /// counting every match or building snippets (benchmarks, and callers that need only ids).
    pub fn top_ids(&self, text: &str, k: usize) -> Result<Vec<(DocKind, i64, f32)>, SearchError> {
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let terms = self.analyzer.query_terms(&text);
        let searcher = self.reader.searcher();
        let Some(query) = self.text_query(&searcher, &terms)? else {
            return Ok(Vec::new());
        };
        let top = searcher
            .search(&query, &TopDocs::with_limit(k.max(1)).order_by_score())
            .map_err(err)?;
        let mut columns = Columns::new(&searcher);
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let hit = columns.facts(addr)?;
            out.push((hit.kind, hit.id, score));
        }
        Ok(out)
    }

    pub(crate) fn run_search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let f = &self.fields;
        let text: String = q.text.chars().take(MAX_QUERY_CHARS).collect();
        let terms = self.analyzer.query_terms(&text);
        let searcher = self.reader.searcher();
        let mut clauses = filters(f, &q.kinds, q.region, q.category);
        let empty = SearchResults {
            hits: Vec::new(),
            total: 0,
            page: q.page,
            terms: terms.clone(),
        };
        let ranked = !terms.is_empty();
        if ranked {
            let Some(text_query) = self.text_query(&searcher, &terms)? else {
                return Ok(empty);
            };
            clauses.push((Occur::Must, text_query));
        } else {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        let query = BooleanQuery::new(clauses);
        let offset = q.page.offset();
        if offset >= MAX_RESULT_WINDOW {
            let total = searcher.search(&query, &Count).map_err(err)? as u64;
            return Ok(SearchResults { total, ..empty });
        }
        let limit = usize::try_from(q.page.limit()).unwrap_or(20);
        let offset = usize::try_from(offset).unwrap_or(0);
        let (addrs, total): (Vec<(f32, DocAddress)>, usize) = if ranked {
            searcher
                .search(
                    &query,
                    &(
                        TopDocs::with_limit(limit)
                            .and_offset(offset)
                            .order_by_score(),
                        Count,
                    ),
                )
                .map_err(err)?
        } else {
            // No terms (an empty box, or only punctuation): the newest records first.
            let (top, total) = searcher
                .search(
                    &query,
                    &(
                        TopDocs::with_limit(limit)
                            .and_offset(offset)
                            .order_by_fast_field::<i64>("published_at", Order::Desc),
                        Count,
                    ),
                )
                .map_err(err)?;
            (top.into_iter().map(|(_, a)| (0.0, a)).collect(), total)
        };
        let title_gen = SnippetGenerator::create(&searcher, &query, f.title).ok();
        let mut body_gen = SnippetGenerator::create(&searcher, &query, f.body).ok();
        if let Some(g) = body_gen.as_mut() {
            g.set_max_num_chars(SNIPPET_CHARS);
        }
        let mut columns = Columns::new(&searcher);
        let mut hits = Vec::with_capacity(addrs.len());
        for (score, addr) in addrs {
            let facts = columns.facts(addr)?;
            let doc = self.stored(&searcher, addr)?;
            let title = first_text(&doc, f.title);
            let body = first_text(&doc, f.body);
            hits.push(SearchHit {
                kind: facts.kind,
                id: facts.id,
                title_html: snippet_html(title_gen.as_ref(), &title, 200),
                snippet_html: snippet_html(body_gen.as_ref(), &body, SNIPPET_CHARS),
                title,
                category: facts.category,
                region: facts.region,
                published_at: facts.published_at,
                score,
            });
        }
        Ok(SearchResults {
            hits,
            total: total as u64,
            page: q.page,
            terms,
        })
    }
}
