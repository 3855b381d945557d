//! The search box: the query text is segmented with the index's analyzer and its terms are
//! OR-ed over the search field (title and tags ×3, body ×1, one postings list per term),
//! BM25-ranked; one-character terms also look in the per-character title field, and a word
//! the index never saw (segmented differently there) falls back to its characters in order. No query syntax: every input is plain text,
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
use crate::index::{SearchIndex, err};
use crate::schema::{Fields, RoleFields};
use crate::top::top_by_score;

/// A role's text fields with their boosts: title and tags ×3, body ×1.
pub(crate) fn role_fields(r: RoleFields) -> [(Field, f32); 2] {
    [(r.title, 3.0), (r.body, 1.0)]
}

/// Up to this many postings, a search counts its matches exactly.
pub const EXACT_COUNT_LIMIT: u64 = 20_000;

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

/// Documents of `roles` containing `t` in any text field.
pub(crate) fn doc_freq(
    searcher: &Searcher,
    roles: &[RoleFields],
    t: &str,
) -> Result<u64, SearchError> {
    let mut n = 0;
    for field in roles.iter().flat_map(|r| [r.title, r.body]) {
        n += searcher
            .doc_freq(&Term::from_field_text(field, t))
            .map_err(err)?;
    }
    Ok(n)
}

/// The clauses of one query term, weighted by `weight`: one boosted term query per field of
/// `fields` that has the term (with its boost; one-character terms, if `chars`, also the
/// per-character title ×2), so a query is a flat OR of term queries, which tantivy answers with block-max WAND
/// instead of scoring every match. A word the index never saw (segmented differently there)
/// becomes the AND of its characters in the title. Empty: nothing can match it.
pub(crate) fn term_clauses(
    searcher: &Searcher,
    f: &Fields,
    fields: &[(Field, f32)],
    t: &str,
    weight: f32,
    chars: bool,
) -> Result<TermClauses, SearchError> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    let (mut postings, mut largest) = (0, 0);
    for &(field, boost) in fields {
        let df = searcher
            .doc_freq(&Term::from_field_text(field, t))
            .map_err(err)?;
        if df > 0 {
            out.push(boosted(term(field, t), boost * weight));
        }
        postings += df;
        largest = largest.max(df);
    }
    let any = postings > 0;
    if is_single_han(t) {
        // Inside other words a character usually means something else (小 in 小程序): only
        // when asked (`chars`) is it looked for there.
        if chars {
            out.push(boosted(term(f.title_chars, t), 2.0 * weight));
        }
    } else if !any {
        let chars = char_tokens(t);
        if chars.len() >= 2 && t.chars().any(is_han) {
            let all: Vec<Box<dyn Query>> = chars
                .iter()
                .map(|(_, _, c)| term(f.title_chars, c))
                .collect();
            out.push(boosted(Box::new(BooleanQuery::intersection(all)), weight));
        }
    }
    Ok(TermClauses {
        clauses: out,
        postings,
        largest,
    })
}

/// A term's clauses and its document counts over the fields asked (looked up once, for both
/// the query and the decision whether to count every match).
pub(crate) struct TermClauses {
    pub clauses: Vec<Box<dyn Query>>,
    /// Sum of the fields' document counts.
    pub postings: u64,
    /// The largest field's document count.
    pub largest: u64,
}

/// The text part of a search: the flat OR and the postings behind it.
struct TextQuery {
    query: Box<dyn Query>,
    /// The OR's clauses.
    clauses: Vec<Box<dyn Query>>,
    postings: u64,
    largest: u64,
}

/// A flat OR of clauses (see [`term_clauses`]), `None` when there are none.
pub(crate) fn union(clauses: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    (!clauses.is_empty()).then(|| {
        Box::new(BooleanQuery::new(
            clauses.into_iter().map(|c| (Occur::Should, c)).collect(),
        )) as Box<dyn Query>
    })
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
    /// The terms a search box query looks for: its own words, then the other names of the
    /// things it mentions (红苕 → 红薯, 柑桔 → 柑橘), each with whether it may match as a
    /// character inside longer title words: a query of one character (茶) or a character that
    /// names a thing (猪 finds 生猪), never a filler inside a longer query (小, 上, 想).
    fn search_terms(&self, text: &str, terms: &[String]) -> Vec<(String, bool)> {
        let alone = terms.len() == 1;
        let mut out: Vec<(String, bool)> = terms
            .iter()
            .map(|t| (t.clone(), alone || crate::matcher::names_a_thing(t)))
            .collect();
        for word in self.equivalents.expand(text, terms) {
            for t in self.analyzer.query_terms(word) {
                if !out.iter().any(|(x, _)| *x == t) {
                    out.push((t, false));
                }
            }
        }
        out
    }

    /// The OR of the terms' clauses; `None` when nothing in the index can match any.
    fn text_query(
        &self,
        searcher: &Searcher,
        terms: &[(String, bool)],
    ) -> Result<Option<TextQuery>, SearchError> {
        let mut clauses = Vec::new();
        let (mut postings, mut largest) = (0, 0);
        for (t, chars) in terms {
            let c = term_clauses(
                searcher,
                &self.fields,
                &[(self.fields.search, 1.0)],
                t,
                1.0,
                *chars,
            )?;
            clauses.extend(c.clauses);
            postings += c.postings;
            largest = largest.max(c.largest);
        }
        let kept = clauses.iter().map(|c| c.box_clone()).collect();
        Ok(union(clauses).map(|query| TextQuery {
            query,
            clauses: kept,
            postings,
            largest,
        }))
    }

    /// The best `k` records for `text`, ranked exactly as the search box ranks them, without
    /// counting every match or building snippets (benchmarks, and callers that need only ids).
    pub fn top_ids(&self, text: &str, k: usize) -> Result<Vec<(DocKind, i64, f32)>, SearchError> {
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let terms = self.analyzer.query_terms(&text);
        let terms = self.search_terms(&text, &terms);
        let searcher = self.reader.searcher();
        let Some(TextQuery { clauses, .. }) = self.text_query(&searcher, &terms)? else {
            return Ok(Vec::new());
        };
        let top = top_by_score(&searcher, &clauses, k.max(1), 0).map_err(err)?;
        let columns = self.columns.columns(&searcher)?;
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
        let filtered = !clauses.is_empty();
        let empty = SearchResults {
            hits: Vec::new(),
            total: 0,
            total_exact: true,
            page: q.page,
            terms: terms.clone(),
        };
        let ranked = !terms.is_empty();
        let text_query = if ranked {
            let wanted = self.search_terms(&text, &terms);
            let Some(text_query) = self.text_query(&searcher, &wanted)? else {
                return Ok(empty);
            };
            Some(text_query)
        } else {
            None
        };
        // The postings behind the terms, and the largest term's: whether to count, or bound.
        let (postings, largest) = text_query
            .as_ref()
            .map_or((0, 0), |t| (t.postings, t.largest));
        // Unfiltered, the query is the flat OR of these clauses.
        let mut or_clauses = Vec::new();
        let query: Box<dyn Query> = match (text_query, filtered) {
            // Unfiltered: the flat OR itself, so the top page is found with block-max pruning.
            (Some(t), false) => {
                or_clauses = t.clauses;
                t.query
            }
            (Some(t), true) => {
                clauses.push((Occur::Must, t.query));
                Box::new(BooleanQuery::new(clauses))
            }
            (None, _) => {
                clauses.push((Occur::Must, Box::new(AllQuery)));
                Box::new(BooleanQuery::new(clauses))
            }
        };
        let offset = q.page.offset();
        if offset >= MAX_RESULT_WINDOW {
            let total = searcher.search(&query, &Count).map_err(err)? as u64;
            return Ok(SearchResults { total, ..empty });
        }
        let limit = usize::try_from(q.page.limit()).unwrap_or(20);
        let offset = usize::try_from(offset).unwrap_or(0);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let (addrs, total, total_exact): (Vec<(f32, DocAddress)>, u64, bool) = if !ranked {
            // No terms (an empty box, or only punctuation): the newest records first.
            let (top, total) = searcher
                .search(
                    &query,
                    &(
                        top.order_by_fast_field::<i64>("published_at", Order::Desc),
                        Count,
                    ),
                )
                .map_err(err)?;
            (
                top.into_iter().map(|(_, a)| (0.0, a)).collect(),
                total as u64,
                true,
            )
        } else if filtered || postings <= self.exact_count_limit {
            let (top, total) = searcher
                .search(&query, &(top.order_by_score(), Count))
                .map_err(err)?;
            (top, total as u64, true)
        } else {
            // Counting every match of common words would cost more than finding the best
            // ones: the total is then a lower bound (the largest term's document count).
            let top = top_by_score(&searcher, &or_clauses, limit, offset).map_err(err)?;
            (top, largest, false)
        };
        // The generators know the query's terms of their field (the role-agnostic ones).
        let title_gen = SnippetGenerator::create(&searcher, query.as_ref(), f.search).ok();
        let mut body_gen = SnippetGenerator::create(&searcher, query.as_ref(), f.search).ok();
        if let Some(g) = body_gen.as_mut() {
            g.set_max_num_chars(SNIPPET_CHARS);
        }
        let columns = self.columns.columns(&searcher)?;
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
            total,
            total_exact,
            page: q.page,
            terms,
        })
    }
}
