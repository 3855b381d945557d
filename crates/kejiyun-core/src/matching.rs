//! The rules of supply–demand matching (供需对接), independent of the index: who may be
//! suggested to whom (scope reach), how the text score is adjusted by category, proximity,
//! the provider's record and freshness, which reasons are shown, and what counts as a strong
//! match (one that notifies both owners). `kejiyun-search` applies them; tests call them here.

use crate::market::categories::{Category, Scope};
use crate::regions::{RegionCode, RegionLevel};
use crate::search_ports::DocKind;

/// Whether a provider (`scope` for services, `None` for tech workers and achievements, which
/// reach everywhere) located at `home` reaches a need located at `place`. Matching applies
/// it to every candidate.
pub fn reaches(scope: Option<Scope>, home: RegionCode, place: RegionCode) -> bool {
    scope.is_none_or(|s| s.reaches(home, place))
}

/// The keys a located record answers to: its exact region, its city (if any) and its
/// province; [`region_key`] of any region containing it is among them.
pub fn region_keys(region: RegionCode) -> Vec<String> {
    let mut keys = vec![format!("e{region}")];
    if let Some(city) = region.city() {
        keys.push(format!("c{city}"));
    }
    keys.push(format!("p{}", region.province()));
    keys
}

/// The key that selects every record located in `code`'s subtree (search's region filter).
pub fn region_key(code: RegionCode) -> String {
    match code.level() {
        RegionLevel::Province => format!("p{code}"),
        RegionLevel::City => format!("c{code}"),
        RegionLevel::County => format!("e{code}"),
    }
}

/// Which kinds a subject of `kind` is matched with.
pub fn counterpart_kinds(kind: DocKind) -> Vec<DocKind> {
    match kind {
        DocKind::Need => vec![DocKind::Service, DocKind::TechWorker, DocKind::Achievement],
        DocKind::Service | DocKind::Achievement | DocKind::TechWorker => vec![DocKind::Need],
        // A question is routed to experts only.
        DocKind::Question => vec![DocKind::TechWorker],
        DocKind::Org | DocKind::Resource => Vec::new(),
    }
}

/// How close two located records are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Proximity {
    SameCounty,
    SameCity,
    SameProvince,
    Elsewhere,
}

impl Proximity {
    pub fn between(a: RegionCode, b: RegionCode) -> Self {
        if a == b {
            Self::SameCounty
        } else if a.city().is_some() && a.city() == b.city() {
            Self::SameCity
        } else if a.province() == b.province() {
            Self::SameProvince
        } else {
            Self::Elsewhere
        }
    }

    fn factor(self) -> f32 {
        match self {
            // A provider nearby can visit the farm: worth a lot, but not more than relevance.
            Self::SameCounty => 1.5,
            Self::SameCity => 1.35,
            Self::SameProvince => 1.05,
            Self::Elsewhere => 1.0,
        }
    }
}

/// Why a suggestion was made; shown beside it.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchReason {
    /// Terms of the subject found in the suggestion.
    Terms(Vec<String>),
    SameCategory(Category),
    /// A service whose scope reaches the need's region.
    Reach(Scope),
    Nearby(Proximity),
    /// The provider's confirmed deals.
    ProviderDeals(u32),
    /// Published within this many days.
    Fresh(i64),
    /// The same thing under another name: (the subject's word, the suggestion's word).
    Equivalent(Vec<(String, String)>),
    /// Close in meaning (found by the sentence embedding), with the suggestion's sentence
    /// closest to the subject's text.
    SimilarContent(String),
    /// An expert's answers accepted by askers in the subject's category (question routing).
    AcceptedAnswers(u32),
}

impl MatchReason {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Terms(_) => "terms",
            Self::SameCategory(_) => "same_category",
            Self::Reach(_) => "reach",
            Self::Nearby(_) => "nearby",
            Self::ProviderDeals(_) => "provider_deals",
            Self::Fresh(_) => "fresh",
            Self::Equivalent(_) => "equivalent",
            Self::SimilarContent(_) => "similar_content",
            Self::AcceptedAnswers(_) => "accepted_answers",
        }
    }

    pub fn text_zh(&self) -> String {
        match self {
            Self::Terms(t) => format!("匹配词：{}", t.join("、")),
            Self::SameCategory(c) => format!("同属分类：{}", c.label_zh()),
            Self::Reach(s) => format!("服务范围覆盖（{}）", s.label_zh()),
            Self::Nearby(Proximity::SameCounty) => "同一区县".to_owned(),
            Self::Nearby(Proximity::SameCity) => "同一市州".to_owned(),
            Self::Nearby(Proximity::SameProvince) => "同一省份".to_owned(),
            Self::Nearby(Proximity::Elsewhere) => "外省".to_owned(),
            Self::ProviderDeals(n) => format!("已达成交易 {n} 项"),
            Self::Fresh(d) => format!("{d} 天内发布"),
            Self::Equivalent(pairs) => format!(
                "同义：{}",
                pairs
                    .iter()
                    .map(|(a, b)| format!("{a}≈{b}"))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            Self::SimilarContent(sentence) if sentence.is_empty() => "内容相近".to_owned(),
            Self::SimilarContent(sentence) => format!("内容相近：“{sentence}”"),
            Self::AcceptedAnswers(n) => format!("本类问题已有 {n} 个回答被采纳"),
        }
    }

    /// A fact about place, reach or age rather than content: worth showing only where it sets
    /// a suggestion apart from the others ([`distinguishing_reasons`]).
    fn is_circumstance(&self) -> bool {
        matches!(self, Self::Reach(_) | Self::Nearby(_) | Self::Fresh(_))
    }
}

/// What the index knows about one candidate, beyond its text score.
#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    /// The text relevance (BM25) of the candidate for the subject's terms.
    pub text_score: f32,
    /// Subject terms found in the candidate, most specific first.
    pub matched_terms: Vec<String>,
    /// How many of the subject's title terms the candidate contains, and how many there are.
    pub title_terms_matched: usize,
    pub title_terms: usize,
    pub same_category: Option<Category>,
    pub proximity: Proximity,
    /// The scope of the provider side, when it is a service.
    pub provider_scope: Option<Scope>,
    pub provider_deals: u32,
    /// Days since the candidate was published.
    pub age_days: i64,
}

/// The final score of a candidate and the reasons to show, strongest first.
pub fn rank(s: &Signals) -> (f32, Vec<MatchReason>) {
    let mut score = s.text_score;
    let mut reasons = Vec::new();
    if !s.matched_terms.is_empty() {
        reasons.push(MatchReason::Terms(
            s.matched_terms.iter().take(6).cloned().collect(),
        ));
    }
    if let Some(c) = s.same_category {
        score *= 1.3;
        reasons.push(MatchReason::SameCategory(c));
    }
    if let Some(scope) = s.provider_scope {
        reasons.push(MatchReason::Reach(scope));
    }
    score *= s.proximity.factor();
    if s.proximity != Proximity::Elsewhere {
        reasons.push(MatchReason::Nearby(s.proximity));
    }
    if s.provider_deals > 0 {
        // Logarithmic: a record helps, but cannot outweigh relevance.
        score *= 1.0 + 0.08 * (1.0 + s.provider_deals as f32).ln();
        reasons.push(MatchReason::ProviderDeals(s.provider_deals));
    }
    let age = s.age_days.clamp(0, 365) as f32;
    score *= 1.0 - 0.15 * age / 365.0;
    if s.age_days <= 30 {
        reasons.push(MatchReason::Fresh(s.age_days.max(1)));
    }
    (score, reasons)
}

/// Drops, from each suggestion's reasons, the facts of place, reach and age that more than half
/// of the suggestions share: "同一省份" beside nearly every suggestion tells the reader nothing.
/// Lists of fewer than three keep everything.
pub fn distinguishing_reasons(lists: &mut [Vec<MatchReason>]) {
    if lists.len() < 3 {
        return;
    }
    let texts: Vec<Vec<String>> = lists
        .iter()
        .map(|l| {
            l.iter()
                .filter(|r| r.is_circumstance())
                .map(MatchReason::text_zh)
                .collect()
        })
        .collect();
    let n = lists.len();
    let common = |text: &str| texts.iter().filter(|t| t.iter().any(|x| x == text)).count() * 2 > n;
    for list in lists.iter_mut() {
        list.retain(|r| !r.is_circumstance() || !common(&r.text_zh()));
    }
}

/// A strong match: same category and at least half of the subject's title terms (and two or
/// more) found. Strong matches notify both owners when a posting is published.
pub fn is_strong(s: &Signals) -> bool {
    s.same_category.is_some()
        && s.title_terms_matched >= 2
        && s.title_terms_matched * 2 >= s.title_terms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn the_subtree_key_selects_exactly_the_subtree() {
        let places = [
            "511623", "511621", "511600", "510104", "510100", "510000", "110101",
        ];
        for filter in places {
            for place in places {
                assert_eq!(
                    region_keys(code(place)).contains(&region_key(code(filter))),
                    code(filter).contains(code(place)),
                    "{filter} ∋ {place}"
                );
            }
        }
    }

    #[test]
    fn reach_is_scope_reaches_and_everywhere_without_a_scope() {
        let places = [
            "511623", "511621", "511600", "510104", "510100", "510000", "110101",
        ];
        for scope in [Scope::County, Scope::City, Scope::Province, Scope::National] {
            for home in places {
                for need in places {
                    assert_eq!(
                        super::reaches(Some(scope), code(home), code(need)),
                        scope.reaches(code(home), code(need)),
                        "{scope:?} {home} → {need}"
                    );
                }
            }
        }
    }

    #[test]
    fn county_scope_never_reaches_another_county_and_national_reaches_all() {
        assert!(super::reaches(
            Some(Scope::County),
            code("511623"),
            code("511623")
        ));
        assert!(!super::reaches(
            Some(Scope::County),
            code("511623"),
            code("511621")
        ));
        assert!(super::reaches(
            Some(Scope::National),
            code("511623"),
            code("110101")
        ));
        assert!(
            super::reaches(None, code("511623"), code("110101")),
            "tech workers reach all"
        );
    }

    fn signals() -> Signals {
        Signals {
            text_score: 10.0,
            matched_terms: vec!["柑橘".into(), "黄龙病".into()],
            title_terms_matched: 2,
            title_terms: 3,
            same_category: None,
            proximity: Proximity::Elsewhere,
            provider_scope: None,
            provider_deals: 0,
            age_days: 400,
        }
    }

    #[test]
    fn boosts_raise_the_score_and_say_why() {
        let (base, reasons) = rank(&signals());
        assert_eq!(reasons.len(), 1);
        let fen = Category::parse("fruit").unwrap_or_else(|e| panic!("{e}"));
        let better = Signals {
            same_category: Some(fen),
            proximity: Proximity::SameCounty,
            provider_deals: 3,
            age_days: 2,
            ..signals()
        };
        let (score, reasons) = rank(&better);
        assert!(score > base * 1.4, "{score} vs {base}");
        let codes: Vec<_> = reasons.iter().map(MatchReason::code).collect();
        assert_eq!(
            codes,
            [
                "terms",
                "same_category",
                "nearby",
                "provider_deals",
                "fresh"
            ]
        );
        assert_eq!(reasons[2].text_zh(), "同一区县");
    }

    #[test]
    fn relevance_outweighs_the_provider_record() {
        let weak_text_many_deals = Signals {
            text_score: 5.0,
            provider_deals: 1000,
            ..signals()
        };
        assert!(rank(&weak_text_many_deals).0 < rank(&signals()).0);
    }

    #[test]
    fn strong_needs_category_and_half_the_title() {
        let fen = Category::parse("fruit").ok();
        assert!(!is_strong(&signals()), "no category");
        assert!(is_strong(&Signals {
            same_category: fen,
            ..signals()
        }));
        assert!(!is_strong(&Signals {
            same_category: fen,
            title_terms_matched: 2,
            title_terms: 5,
            ..signals()
        }));
        assert!(!is_strong(&Signals {
            same_category: fen,
            title_terms_matched: 1,
            title_terms: 1,
            ..signals()
        }));
    }

    #[test]
    fn facts_most_suggestions_share_are_left_out() {
        let shared = || {
            vec![
                MatchReason::Terms(vec!["柑橘".into()]),
                MatchReason::Nearby(Proximity::SameProvince),
                MatchReason::Fresh(3),
            ]
        };
        let mut lists = vec![shared(), shared(), shared(), shared()];
        lists[3][1] = MatchReason::Nearby(Proximity::SameCounty);
        distinguishing_reasons(&mut lists);
        // 同一省份 and "3 天内发布" are on more than half; 同一区县 sets the last one apart.
        assert_eq!(lists[0], [MatchReason::Terms(vec!["柑橘".into()])]);
        assert_eq!(
            lists[3],
            [
                MatchReason::Terms(vec!["柑橘".into()]),
                MatchReason::Nearby(Proximity::SameCounty)
            ]
        );
        let mut two = vec![shared(), shared()];
        distinguishing_reasons(&mut two);
        assert_eq!(two[0].len(), 3, "too few to compare");
    }

    #[test]
    fn equivalent_and_similar_content_read_as_a_farmer_would() {
        let r = MatchReason::Equivalent(vec![("红苕".into(), "红薯".into())]);
        assert_eq!(r.text_zh(), "同义：红苕≈红薯");
        let r = MatchReason::SimilarContent("花生青枯病的防治".into());
        assert_eq!(r.text_zh(), "内容相近：“花生青枯病的防治”");
    }

    #[test]
    fn counterparts() {
        assert_eq!(counterpart_kinds(DocKind::Service), [DocKind::Need]);
        assert_eq!(counterpart_kinds(DocKind::Need).len(), 3);
        assert!(counterpart_kinds(DocKind::Org).is_empty());
    }
}
