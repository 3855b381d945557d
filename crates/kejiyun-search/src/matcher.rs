//! Matching: the subject's own text becomes a weighted bag of its most specific terms (title
//! ×3, tags ×2, body ×1, capped at [`MAX_TERMS`] by weight × IDF), filtered to the counterpart
//! kinds and to what scope allows; the top [`CANDIDATES`] by BM25 are re-ranked with the
//! signals of `kejiyun_core::matching::rank` read from fast fields, and only the final page
//! reads stored text (for the matched terms shown as reasons).

use std::collections::HashMap;

use kejiyun_core::market::categories::Category;
use kejiyun_core::matching::{MatchReason, Proximity, Signals, is_strong, rank, reaches};
use kejiyun_core::search_ports::{DocKind, Match, MatchQuery, SearchError};
use tantivy::{DocAddress, Searcher};

use crate::columns::HitFacts;
use crate::index::{SearchIndex, err};
use crate::query::{all_text, doc_freq, first_text, role_fields, term_clauses};
use crate::schema::{Fields, RoleFields};
use crate::top::top_by_score;

/// Most terms a subject contributes: every further postings list slows block-max WAND, and
/// at 1M postings 8 terms ranked as well as 24 (nDCG@10 0.758 vs 0.748) in a third of the time.
pub const MAX_TERMS: usize = 8;
/// From this many documents on, very common subject words are left out of the query.
const COMMON_AFTER_DOCS: f32 = 10_000.0;
/// A title or tag word in more than this share of the counterparts' postings is left out.
const COMMON_TITLE_SHARE: f32 = 0.25;
/// A body word in more than this share is left out: a body's common words cost the most to
/// score and rarely decide a match.
const COMMON_BODY_SHARE: f32 = 0.01;

/// Whether a subject word (of weight `w`: title 3, tags 2, body 1) found in `df` of `n`
/// documents is too common to be worth a postings list.
fn too_common(n: f32, df: f32, w: f32) -> bool {
    let share = if w >= 2.0 {
        COMMON_TITLE_SHARE
    } else {
        COMMON_BODY_SHARE
    };
    n >= COMMON_AFTER_DOCS && df > n * share
}
/// Candidates re-ranked per match query.
pub const CANDIDATES: usize = 100;
/// Deepest the text ranking is read when filters reject most of it.
const MAX_DEPTH: usize = 12_800;
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
    let body_terms = index.analyzer.query_terms(&body);
    for t in &body_terms {
        add(t.clone(), 1.0);
    }
    // The same things in other words (红苕 → 红薯): a title's equivalents weigh as a tag, the
    // rest as body words; those no counterpart uses are dropped below like any other word.
    let tags = s.tags.join(" ");
    for (text, tokens, w) in [
        (s.title.as_str(), &title_terms, 2.0),
        (tags.as_str(), &Vec::new(), 1.0),
        (body.as_str(), &body_terms, 1.0),
    ] {
        for word in index.equivalents.expand(text, tokens) {
            for t in index.analyzer.query_terms(word) {
                add(t, w);
            }
        }
    }
    // The subject's own title and tags always count; body terms compete for the remaining
    // places by weight × IDF over the counterparts' role.
    let n = searcher.num_docs().max(1) as f32;
    let roles = [target_role(&index.fields, s.kind)];
    let mut scored: Vec<(String, f32, f32)> = Vec::with_capacity(order.len());
    for t in order {
        let w = weights.get(&t).copied().unwrap_or(1.0);
        // A single character is matched inside other words (the per-character title field),
        // so only one that names a thing on its own is worth it (猪 finds 生猪养殖); 小, 上,
        // 想 would find 小程序, 线上, 理想. Even those count only from a title.
        if crate::analyzer::is_single_han(&t) && (w < 3.0 || !names_a_thing(&t)) {
            continue;
        }
        let df = doc_freq(searcher, &roles, &t)? as f32;
        // A word no counterpart contains cannot find anything, yet its IDF is the highest and
        // a title word always keeps its place: colloquial needs ("柑子树叶子发黄咋整") would
        // spend the few places on such words and drop the ones that match.
        if df == 0.0 {
            continue;
        }
        // In a large index, words in a big share of the postings tell nothing about this
        // subject and cost the most to score; a title keeps more of them than a body.
        if too_common(n, df, w) {
            continue;
        }
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

/// Characters that name a farm animal, crop or produce on their own: a need's title says
/// "猪" or "茶" where a service says 生猪 or 茶叶.
const THING_CHARACTERS: &str = "猪牛羊马驴鸡鸭鹅鸽兔鱼虾蟹鳖蛙蜂蚕茶桑稻麦粟菜瓜豆薯芋姜蒜葱椒笋菇藕莲桃梨杏李枣橙柚柿橘桔梅棉麻烟竹";

fn names_a_thing(t: &str) -> bool {
    t.chars().count() == 1 && t.chars().all(|c| THING_CHARACTERS.contains(c))
}

/// The role whose text a subject is matched against: providers for a need, needs otherwise.
fn target_role(f: &Fields, subject: DocKind) -> RoleFields {
    if subject == DocKind::Need {
        f.provider
    } else {
        f.need
    }
}

/// Whether a candidate may be suggested for the subject: a counterpart kind, not the subject
/// itself nor its owner's, and within scope (`kejiyun_core::matching::reaches`).
fn counterpart(q: &MatchQuery, hit: &HitFacts) -> bool {
    let s = &q.subject;
    if !q.kinds.contains(&hit.kind) || (hit.kind == s.kind && hit.id == s.id) {
        return false;
    }
    if s.owner.is_some() && hit.owner == s.owner {
        return false;
    }
    if s.kind == DocKind::Need {
        reaches(hit.scope, hit.region, s.region)
    } else {
        reaches(s.scope, s.region, hit.region)
    }
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
        let fields = role_fields(target_role(f, s.kind));
        let mut clauses = Vec::new();
        for (t, w) in &terms {
            clauses.extend(term_clauses(&searcher, f, &fields, t, *w)?.clauses);
        }
        // A flat OR of term queries and nothing else: tantivy finds its best documents with
        // block-max WAND. Kind, scope reach, the subject itself and the subject's owner are
        // filtered afterwards from fast fields, fetching deeper when too few survive.
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let columns = self.columns.columns(&searcher)?;
        let mut depth = CANDIDATES * 2;
        let kept = loop {
            let top = top_by_score(&searcher, &clauses, depth, 0).map_err(err)?;
            let exhausted = top.len() < depth;
            let mut kept = Vec::new();
            for (bm25, addr) in top {
                let hit = columns.facts(addr)?;
                if counterpart(q, &hit) {
                    kept.push((bm25, addr, hit));
                    if kept.len() == CANDIDATES {
                        break;
                    }
                }
            }
            if kept.len() >= q.limit.min(CANDIDATES) || exhausted || depth >= MAX_DEPTH {
                break kept;
            }
            depth *= 4;
        };
        let mut candidates = Vec::with_capacity(kept.len());
        for (bm25, addr, hit) in kept {
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

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn only_characters_that_name_a_thing_are_matched_on_their_own() {
        for c in ["猪", "茶", "鱼", "椒"] {
            assert!(names_a_thing(c), "{c}");
        }
        for c in ["小", "上", "想", "发", "不", "生猪", ""] {
            assert!(!names_a_thing(c), "{c}");
        }
    }

    #[test]
    fn common_words_are_left_out_of_large_indexes_only() {
        // A body word in 2% of a million postings is dropped, a title word is kept.
        assert!(too_common(1e6, 20_000.0, 1.0));
        assert!(!too_common(1e6, 20_000.0, 3.0));
        assert!(too_common(1e6, 300_000.0, 3.0));
        assert!(!too_common(1e6, 5_000.0, 1.0));
        // Small indexes keep everything: shares mean little there.
        assert!(!too_common(5_000.0, 4_000.0, 1.0));
    }
}
