//! Matching: the subject's own text becomes a weighted bag of its most specific terms (title
//! ×3, tags ×2, body ×1, capped at [`MAX_TERMS`] by weight × IDF), filtered to the counterpart
//! kinds and to what scope allows; the top [`CANDIDATES`] by BM25 are re-ranked with the
//! signals of `kejiyun_core::matching::rank` read from fast fields, and only the final page
//! reads stored text (for the matched terms shown as reasons).

use std::collections::HashMap;

use kejiyun_core::market::categories::Category;
use kejiyun_core::matching::{
    EVERYWHERE, MatchReason, Proximity, Signals, is_strong, rank, reach_keys, region_keys,
};
use kejiyun_core::search_ports::{DocKind, Match, MatchQuery, SearchError};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermSetQuery};
use tantivy::{DocAddress, Searcher, Term};

use crate::columns::{Columns, HitFacts};
use crate::index::{SearchIndex, err};
use crate::query::{all_text, boosted, doc_freq, first_text, term, term_clause};
use crate::schema::{Fields, doc_key};

/// Most terms a subject contributes (long descriptions would otherwise be slow and vague).
pub const MAX_TERMS: usize = 24;
/// Candidates re-ranked per match query.
pub const CANDIDATES: usize = 100;
/// Most suggestions returned.
pub use kejiyun_core::search_ports::MAX_MATCHES;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The subject's weighted terms (most informative first) and its title's terms.
type SubjectTerms = (Vec<(String, f32)>, Vec<String>);

/// The subject's terms with their weights, most informative first.
fn weighted_terms(
    index: &SearchIndex,
    searcher: &Searcher,
    q: &MatchQuery,
) -> Result<SubjectTerms, SearchError> {
    let s = &q.subject;
    let title_terms = index.analyzer.query_terms(&s.title);
    let mut weights: HashMap<String, f32> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut add = |t: String, w: f32| {
        let e = weights.entry(t.clone()).or_insert_with(|| {
            order.push(t);
            0.0
        });
        *e = e.max(w);
    };
    for t in &title_terms {
        add(t.clone(), 3.0);
    }
    for tag in &s.tags {
        for t in index.analyzer.query_terms(tag) {
            add(t, 2.0);
        }
    }
    let body: String = s.body.chars().take(2_000).collect();
    for t in index.analyzer.query_terms(&body) {
        add(t, 1.0);
    }
    // The subject's own title and tags always count; body terms compete for the remaining
    // places by weight × IDF (the subject itself is in the index: its df is discounted).
    let n = searcher.num_docs().max(1) as f32;
    let mut scored: Vec<(String, f32, f32)> = Vec::with_capacity(order.len());
    for t in order {
        let w = weights.get(&t).copied().unwrap_or(1.0);
        // Single characters carry little meaning in a long text; keep them only from titles.
        if crate::analyzer::is_single_han(&t) && w < 3.0 {
            continue;
        }
        let df = (doc_freq(searcher, &index.fields, &t)? as f32 - 1.0).max(0.0);
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let rank = if w >= 2.0 {
            f32::MAX / 4.0 * w
        } else {
            w * idf
        };
        scored.push((t, w, rank));
    }
    scored.sort_by(|a, b| b.2.total_cmp(&a.2));
    scored.truncate(MAX_TERMS);
    Ok((
        scored.into_iter().map(|(t, w, _)| (t, w)).collect(),
        title_terms,
    ))
}

fn scope_filter(f: &Fields, q: &MatchQuery) -> Option<Box<dyn Query>> {
    let s = &q.subject;
    if s.kind == DocKind::Need {
        // Providers whose reach includes the need's place.
        let keys = region_keys(s.region);
        return Some(Box::new(TermSetQuery::new(
            keys.iter().map(|k| Term::from_field_text(f.reach, k)),
        )));
    }
    // Needs inside the subject's reach.
    let reach = reach_keys(s.scope, s.region);
    if reach.iter().any(|k| k == EVERYWHERE) {
        return None;
    }
    Some(Box::new(TermSetQuery::new(
        reach
            .iter()
            .map(|k| Term::from_field_text(f.region_path, k)),
    )))
}

struct Candidate {
    hit: HitFacts,
    addr: DocAddress,
    signals: Signals,
    score: f32,
}

impl SearchIndex {
    pub(crate) fn run_matches(&self, q: &MatchQuery) -> Result<Vec<Match>, SearchError> {
        let f = &self.fields;
        let s = &q.subject;
        if q.kinds.is_empty() || q.limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let (terms, title_terms) = weighted_terms(self, &searcher, q)?;
        let mut text: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (t, w) in &terms {
            if let Some(c) = term_clause(&searcher, f, t)? {
                text.push((Occur::Should, boosted(c, *w)));
            }
        }
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, Box::new(BooleanQuery::new(text))),
            (
                Occur::Must,
                Box::new(TermSetQuery::new(
                    q.kinds
                        .iter()
                        .map(|k| Term::from_field_text(f.kind, k.as_str())),
                )),
            ),
            (Occur::MustNot, term(f.key, &doc_key(s.kind, s.id))),
        ];
        if let Some(filter) = scope_filter(f, q) {
            clauses.push((Occur::Must, filter));
        }
        if let Some(owner) = s.owner {
            // One's own postings are not suggestions.
            clauses.push((Occur::MustNot, term(f.owner_key, &owner.to_string())));
        }
        let query = BooleanQuery::new(clauses);
        let top = searcher
            .search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())
            .map_err(err)?;
        let mut columns = Columns::new(&searcher);
        let mut candidates = Vec::with_capacity(top.len());
        for (bm25, addr) in top {
            let hit = columns.facts(addr)?;
            // The provider side: the candidate for a need, the subject otherwise.
            let (provider_scope, provider_deals) = if s.kind == DocKind::Need {
                (hit.scope, hit.owner_deals)
            } else {
                (s.scope, 0)
            };
            let signals = Signals {
                text_score: bm25,
                matched_terms: Vec::new(),
                title_terms_matched: 0,
                title_terms: title_terms.len(),
                same_category: same_category(s.category, hit.category),
                proximity: Proximity::between(s.region, hit.region),
                provider_scope,
                provider_deals,
                age_days: (q.now.micros() - hit.published_at.micros()) / MICROS_PER_DAY,
            };
            let (score, _) = rank(&signals);
            candidates.push(Candidate {
                hit,
                addr,
                signals,
                score,
            });
        }
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
        candidates.truncate(q.limit.min(MAX_MATCHES));
        let mut out = Vec::with_capacity(candidates.len());
        for mut c in candidates {
            let hit = c.hit;
            let doc = self.stored(&searcher, c.addr)?;
            let title = first_text(&doc, f.title);
            let mut text = format!("{title}\n{}", first_text(&doc, f.body));
            for tag in all_text(&doc, f.tags) {
                text.push('\n');
                text.push_str(&tag);
            }
            let present: std::collections::HashSet<String> = self
                .analyzer
                .index_tokens(&text)
                .into_iter()
                .map(|t| t.2)
                .collect();
            c.signals.matched_terms = terms
                .iter()
                .filter(|(t, _)| present.contains(t))
                .map(|(t, _)| t.clone())
                .collect();
            c.signals.title_terms_matched =
                title_terms.iter().filter(|t| present.contains(*t)).count();
            let (score, reasons) = rank(&c.signals);
            out.push(Match {
                kind: hit.kind,
                id: hit.id,
                title,
                category: hit.category,
                region: hit.region,
                owner: hit.owner,
                score,
                strong: is_strong(&c.signals),
                reasons: keep_reasons(reasons),
            });
        }
        Ok(out)
    }
}

fn same_category(a: Option<Category>, b: Option<Category>) -> Option<Category> {
    match (a, b) {
        (Some(a), Some(b)) if a == b => Some(a),
        _ => None,
    }
}

/// Drops empty term lists (a candidate found only through characters of an unknown word).
fn keep_reasons(reasons: Vec<MatchReason>) -> Vec<MatchReason> {
    reasons
        .into_iter()
        .filter(|r| !matches!(r, MatchReason::Terms(t) if t.is_empty()))
        .collect()
}
