//! Matching: the subject's own text becomes a weighted bag of its most specific terms (title
//! ×3, tags ×2, body ×1, capped at [`MAX_TERMS`] by weight × IDF), filtered to the counterpart
//! kinds and to what scope allows; the top [`CANDIDATES`] by BM25 are re-ranked with the
//! signals of `kejiyun_core::matching::rank` read from fast fields, and only the final page
//! reads stored text (for the matched terms shown as reasons).

use std::collections::HashMap;

use kejiyun_core::market::categories::Category;
use kejiyun_core::matching::{
    MatchReason, Proximity, Signals, distinguishing_reasons, is_strong, rank, reaches,
};
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

/// What the subject's text contributes to the lexical ranking.
struct SubjectTerms {
    /// Weighted terms, most informative first.
    terms: Vec<(String, f32)>,
    /// The title's terms.
    title_terms: Vec<String>,
    /// Terms that are another name of a subject word: term → (the subject's word, its
    /// equivalent as listed), shown as "同义：红苕≈红薯".
    equivalent_of: HashMap<String, (String, String)>,
}

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
    let mut add = |t: String, w: f32| -> bool {
        let mut new = false;
        let e = weights.entry(t.clone()).or_insert_with(|| {
            order.push(t);
            new = true;
            0.0
        });
        *e = e.max(w);
        new
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
    let mut equivalent_of: HashMap<String, (String, String)> = HashMap::new();
    for (text, tokens, w) in [
        (s.title.as_str(), &title_terms, 2.0),
        (tags.as_str(), &Vec::new(), 1.0),
        (body.as_str(), &body_terms, 1.0),
    ] {
        for (mentioned, word) in index.equivalents.expand_pairs(text, tokens) {
            for t in index.analyzer.query_terms(word) {
                if add(t.clone(), w) {
                    equivalent_of.insert(t, (mentioned.to_owned(), word.to_owned()));
                }
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
    let terms: Vec<(String, f32)> = scored.into_iter().map(|(t, w, _)| (t, w)).collect();
    equivalent_of.retain(|t, _| terms.iter().any(|(x, _)| x == t));
    Ok(SubjectTerms {
        terms,
        title_terms,
        equivalent_of,
    })
}

/// Characters that name a farm animal, crop or produce on their own: a need's title says
/// "猪" or "茶" where a service says 生猪 or 茶叶.
const THING_CHARACTERS: &str = "猪牛羊马驴鸡鸭鹅鸽兔鱼虾蟹鳖蛙蜂蚕茶桑稻麦粟菜瓜豆薯芋姜蒜葱椒笋菇藕莲桃梨杏李枣橙柚柿橘桔梅棉麻烟竹";

pub(crate) fn names_a_thing(t: &str) -> bool {
    t.chars().count() == 1 && t.chars().all(|c| THING_CHARACTERS.contains(c))
}

/// The role whose text a subject is matched against: providers for a need, needs otherwise.
fn target_role(f: &Fields, subject: DocKind) -> RoleFields {
    if subject.asks() { f.provider } else { f.need }
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
    if s.kind.asks() {
        reaches(hit.scope, hit.region, s.region)
    } else {
        reaches(s.scope, s.region, hit.region)
    }
}

/// A candidate of the lexical ranking, re-ranked by `kejiyun_core::matching::rank`.
struct Candidate {
    hit: HitFacts,
    addr: DocAddress,
    signals: Signals,
    score: f32,
}

/// Weight of the semantic list against the lexical one (1) in the fusion, and RRF's constant:
/// chosen on the realistic relevance set (docs/decisions/0005-hybrid-matching.md).
pub const SEMANTIC_WEIGHT: f64 = 2.0;
const RRF_K: f64 = 60.0;
/// A suggestion among this many nearest by meaning, and at least this close (int8 cosine of
/// the e5 vectors), says so ("内容相近"). On the realistic set half of the same-category
/// suggestions this close help the need; below it, "close in meaning" is mostly noise.
const SIMILAR_SHOWN: usize = 10;
pub const SIMILAR_COSINE: f32 = 0.88;
/// A suggestion this close in meaning to the subject, in the same category, is strong (worth
/// a notification) even without shared words: on the realistic set 87% of them solve the need
/// and 96% help (docs/benchmarks.md, "strong matches").
pub const STRONG_COSINE: f32 = 0.91;
/// Longest sentence quoted in a "内容相近" reason.
const QUOTED_CHARS: usize = 40;

/// One suggestion of the fused ranking, from either list or both.
struct Fused {
    facts: HitFacts,
    lexical: Option<Candidate>,
    /// Cosine and place (from 0) in the semantic list.
    semantic: Option<(f32, usize)>,
    rrf: f64,
}

impl SearchIndex {
    /// The lexical candidates: the subject's terms against the counterpart role's fields, the
    /// top by BM25 kept if they are counterparts, re-ranked with the signals of `rank`.
    fn lexical_candidates(
        &self,
        searcher: &Searcher,
        q: &MatchQuery,
        subject: &SubjectTerms,
    ) -> Result<Vec<Candidate>, SearchError> {
        let f = &self.fields;
        let fields = role_fields(target_role(f, q.subject.kind));
        let mut clauses = Vec::new();
        for (t, w) in &subject.terms {
            clauses.extend(term_clauses(searcher, f, &fields, t, *w, true)?.clauses);
        }
        // A flat OR of term queries and nothing else: tantivy finds its best documents with
        // block-max WAND. Kind, scope reach, the subject itself and the subject's owner are
        // filtered afterwards from fast fields, fetching deeper when too few survive.
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let columns = self.columns.columns(searcher)?;
        let mut depth = CANDIDATES * 2;
        let kept = loop {
            let top = top_by_score(searcher, &clauses, depth, 0).map_err(err)?;
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
        let mut candidates: Vec<Candidate> = kept
            .into_iter()
            .map(|(bm25, addr, hit)| {
                let signals = signals_of(q, &hit, bm25, subject.title_terms.len());
                let (score, _) = rank(&signals);
                Candidate {
                    hit,
                    addr,
                    signals,
                    score,
                }
            })
            .collect();
        // Equal scores in record order, as `fuse` breaks its ties: the same ranking whatever
        // order the index holds the records in (which differs between servers).
        candidates.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then((a.hit.kind, a.hit.id).cmp(&(b.hit.kind, b.hit.id)))
        });
        Ok(candidates)
    }

    /// The counterparts nearest in meaning to the subject, by the subject's stored vector
    /// (none without one: no model, or not embedded yet).
    fn semantic_candidates(&self, q: &MatchQuery) -> Vec<crate::vectors::Neighbour> {
        let Some((vector, scale)) = self.vectors.vector(q.subject.kind, q.subject.id) else {
            return Vec::new();
        };
        self.vectors
            .nearest(&vector, scale, CANDIDATES, |hit| counterpart(q, hit))
    }

    pub(crate) fn run_matches(&self, q: &MatchQuery) -> Result<Vec<Match>, SearchError> {
        let f = &self.fields;
        if q.kinds.is_empty() || q.limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let subject = weighted_terms(self, &searcher, q)?;
        let lexical = self.lexical_candidates(&searcher, q, &subject)?;
        let semantic = self.semantic_candidates(q);
        let hybrid = !semantic.is_empty();
        let fused = fuse(lexical, &semantic, q.limit.min(MAX_MATCHES));
        let subject_text = format!("{}\n{}", q.subject.title, q.subject.body);
        let mut out = Vec::with_capacity(fused.len());
        for c in fused {
            let (addr, mut signals, lexical_score) = match c.lexical {
                Some(l) => (Some(l.addr), l.signals, Some(l.score)),
                None => (
                    None,
                    signals_of(q, &c.facts, 0.0, subject.title_terms.len()),
                    None,
                ),
            };
            let addr = match addr {
                Some(a) => a,
                // Found by meaning only: its stored text is looked up by key.
                None => match self.address_of(&searcher, c.facts.kind, c.facts.id)? {
                    Some(a) => a,
                    None => continue,
                },
            };
            let doc = self.stored(&searcher, addr)?;
            let title = first_text(&doc, f.title);
            let body = first_text(&doc, f.body);
            let mut text = format!("{title}\n{body}");
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
            let found: Vec<&String> = subject
                .terms
                .iter()
                .map(|(t, _)| t)
                .filter(|t| present.contains(*t))
                .collect();
            signals.matched_terms = found
                .iter()
                .filter(|t| !subject.equivalent_of.contains_key(**t))
                .map(|t| (*t).clone())
                .collect();
            signals.title_terms_matched = subject
                .title_terms
                .iter()
                .filter(|t| present.contains(*t))
                .count();
            let (rank_score, mut reasons) = rank(&signals);
            let equivalents: Vec<(String, String)> = found
                .iter()
                .filter_map(|t| subject.equivalent_of.get(*t).cloned())
                .fold(Vec::new(), |mut v, p| {
                    if !v.contains(&p) {
                        v.push(p);
                    }
                    v
                });
            if !equivalents.is_empty() {
                reasons.insert(
                    usize::from(!signals.matched_terms.is_empty()),
                    MatchReason::Equivalent(equivalents),
                );
            }
            let mut strong = is_strong(&signals);
            if let Some((cosine, place)) = c.semantic {
                if place < SIMILAR_SHOWN && cosine >= SIMILAR_COSINE {
                    let at = reasons
                        .iter()
                        .position(|r| {
                            !matches!(r, MatchReason::Terms(_) | MatchReason::Equivalent(_))
                        })
                        .unwrap_or(reasons.len());
                    reasons.insert(
                        at,
                        MatchReason::SimilarContent(closest_sentence(&subject_text, &body)),
                    );
                }
                strong |= signals.same_category.is_some() && cosine >= STRONG_COSINE;
            }
            out.push(Match {
                kind: c.facts.kind,
                id: c.facts.id,
                title,
                category: c.facts.category,
                region: c.facts.region,
                owner: c.facts.owner,
                // Without vectors the ranking is the lexical one, and so is its score.
                score: if hybrid {
                    (c.rrf * 1000.0) as f32
                } else {
                    lexical_score.unwrap_or(rank_score)
                },
                strong,
                reasons: keep_reasons(reasons),
            });
        }
        let mut lists: Vec<Vec<MatchReason>> = out
            .iter_mut()
            .map(|m| std::mem::take(&mut m.reasons))
            .collect();
        distinguishing_reasons(&mut lists);
        for (m, reasons) in out.iter_mut().zip(lists) {
            m.reasons = reasons;
        }
        Ok(out)
    }
}

/// The ranking signals of a candidate for the subject (the matched terms are filled in for the
/// final page only).
fn signals_of(q: &MatchQuery, hit: &HitFacts, text_score: f32, title_terms: usize) -> Signals {
    let s = &q.subject;
    // The provider side: the candidate for a need, the subject otherwise.
    let (provider_scope, provider_deals) = if s.kind.asks() {
        (hit.scope, hit.owner_deals)
    } else {
        (s.scope, 0)
    };
    Signals {
        text_score,
        matched_terms: Vec::new(),
        title_terms_matched: 0,
        title_terms,
        same_category: same_category(s.category, hit.category),
        proximity: Proximity::between(s.region, hit.region),
        provider_scope,
        provider_deals,
        age_days: (q.now.micros() - hit.published_at.micros()) / MICROS_PER_DAY,
    }
}

/// Reciprocal-rank fusion of the lexical ranking (weight 1) and the semantic one
/// ([`SEMANTIC_WEIGHT`]): each suggestion scores `w / (RRF_K + place)` in each list it is in
/// (place from 1), summed; the best `limit`. With no semantic list the order is the lexical one.
fn fuse(
    lexical: Vec<Candidate>,
    semantic: &[crate::vectors::Neighbour],
    limit: usize,
) -> Vec<Fused> {
    let mut fused: HashMap<(DocKind, i64), Fused> = HashMap::new();
    for (place, c) in lexical.into_iter().enumerate() {
        fused.insert(
            (c.hit.kind, c.hit.id),
            Fused {
                facts: c.hit,
                rrf: 1.0 / (RRF_K + place as f64 + 1.0),
                lexical: Some(c),
                semantic: None,
            },
        );
    }
    for (place, n) in semantic.iter().enumerate() {
        let add = SEMANTIC_WEIGHT / (RRF_K + place as f64 + 1.0);
        let e = fused.entry((n.facts.kind, n.facts.id)).or_insert(Fused {
            facts: n.facts,
            lexical: None,
            semantic: None,
            rrf: 0.0,
        });
        e.rrf += add;
        e.semantic = Some((n.cosine, place));
    }
    let mut all: Vec<Fused> = fused.into_values().collect();
    all.sort_by(|a, b| {
        b.rrf
            .total_cmp(&a.rrf)
            .then((a.facts.kind, a.facts.id).cmp(&(b.facts.kind, b.facts.id)))
    });
    all.truncate(limit);
    all
}

/// The sentence of `text` that shares the most two-character pieces with `subject` (a cheap
/// stand-in for "the closest in meaning": shown so the reader sees what the suggestion is
/// about), cut to [`QUOTED_CHARS`]; empty if `text` has none.
fn closest_sentence(subject: &str, text: &str) -> String {
    let pieces = |s: &str| -> std::collections::HashSet<(char, char)> {
        let chars: Vec<char> = s.chars().filter(|c| c.is_alphanumeric()).collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let wanted = pieces(subject);
    let best = text
        .split(['。', '！', '？', '；', '\n', '!', '?', ';'])
        .map(str::trim)
        .filter(|s| s.chars().count() >= 4)
        .enumerate()
        .map(|(i, s)| {
            (
                pieces(s).intersection(&wanted).count(),
                std::cmp::Reverse(i),
                s,
            )
        })
        .max()
        // A sentence sharing nothing with the subject would explain nothing.
        .filter(|(shared, _, _)| *shared > 0)
        .map(|(_, _, s)| s)
        .unwrap_or_default();
    let mut quoted: String = best.chars().take(QUOTED_CHARS).collect();
    if best.chars().count() > QUOTED_CHARS {
        quoted.push('…');
    }
    quoted
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
    fn the_quoted_sentence_is_the_one_sharing_most_with_the_subject() {
        let subject = "花生苗一片片蔫了，根是黑的";
        let text =
            "本站提供土壤检测。针对花生青枯病，花生苗蔫了根发黑的田块，上门诊断并开方。欢迎来电";
        assert_eq!(
            closest_sentence(subject, text),
            "针对花生青枯病，花生苗蔫了根发黑的田块，上门诊断并开方"
        );
        assert_eq!(closest_sentence(subject, ""), "");
        assert_eq!(
            closest_sentence(subject, "县农业农村局"),
            "",
            "nothing shared"
        );
        let long = "花生".repeat(50);
        assert!(closest_sentence(subject, &long).ends_with('…'));
    }

    #[test]
    fn without_a_semantic_list_the_fusion_keeps_the_lexical_order() {
        assert!(fuse(Vec::new(), &[], 5).is_empty());
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
