//! The committed relevance set (`data/relevance.jsonl`) and the grading rule over the hidden
//! labels. The rule is documented in `data/README.md`; `grade` is its only implementation.

use kejiyun_core::market::categories::{Category, Scope};
use kejiyun_core::regions::RegionCode;
use serde::Deserialize;

use crate::{Kind, Labels};

const BUILTIN: &str = include_str!("../data/relevance.jsonl");

/// Grades at or above this count as relevant for recall@10 and P@5.
pub const RELEVANT: u8 = 2;

/// What kind of query an entry is; the report breaks the metrics down by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryType {
    /// A subtopic's core word (柑橘黄龙病).
    Keyword,
    /// A synonym or variant the postings are often written without (青果病).
    Synonym,
    /// Mixed Chinese / English / number terms (5G, GMP, STM32, 13%税率).
    Mixed,
    /// One Chinese character (茶, 猪, 税).
    OneChar,
    /// Several words, space-separated, as typed into a search box (黄龙病 木虱 防控).
    Phrase,
    /// Words shared with a near-miss subtopic (柑橘销售 vs 柑橘黄龙病).
    NearMiss,
    /// A whole need (title + body, region, category) matched against services, achievements
    /// and tech workers.
    Need,
}

impl QueryType {
    pub fn code(self) -> &'static str {
        match self {
            QueryType::Keyword => "keyword",
            QueryType::Synonym => "synonym",
            QueryType::Mixed => "mixed",
            QueryType::OneChar => "one_char",
            QueryType::Phrase => "phrase",
            QueryType::NearMiss => "near_miss",
            QueryType::Need => "need",
        }
    }
}

/// A need to find matches for: what the need's page would send to the matcher.
#[derive(Debug, Clone, PartialEq)]
pub struct NeedQuery {
    pub title: String,
    pub body: String,
    pub region: RegionCode,
    pub category: Category,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ask {
    Search(String),
    Need(NeedQuery),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub qtype: QueryType,
    pub ask: Ask,
    /// The topic of the target subtopics (grade 1 for others of the same topic).
    pub topic: String,
    pub subtopics: Vec<String>,
}

/// What the grading rule needs to know of a posting: its public kind, region and scope, and
/// its hidden labels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judged {
    pub kind: Kind,
    pub region: RegionCode,
    pub scope: Option<Scope>,
    pub labels: Labels,
}

/// The grade by subject alone (a search query's; a routed question's, `crate::questions`):
/// 3 for the target subtopic, 1 for another subtopic of the same topic, else 0.
pub fn topical_grade(same_subtopic: bool, same_topic: bool) -> u8 {
    if same_subtopic {
        3
    } else if same_topic {
        1
    } else {
        0
    }
}

impl Entry {
    /// The graded relevance (0–3) of a posting to this entry; see `data/README.md`.
    pub fn grade(&self, p: &Judged) -> u8 {
        let same_sub = self.subtopics.iter().any(|s| s == p.labels.subtopic);
        let same_topic = self.topic == p.labels.topic;
        match &self.ask {
            Ask::Search(_) => topical_grade(same_sub, same_topic),
            Ask::Need(need) => {
                if !p.kind.matches_needs() {
                    return 0;
                }
                if let Some(scope) = p.scope
                    && !scope.reaches(p.region, need.region)
                {
                    return 0;
                }
                let nearby = p.region.city().is_some() && p.region.city() == need.region.city();
                match (same_sub, same_topic) {
                    (true, _) if nearby => 3,
                    (true, _) => 2,
                    (false, true) => 1,
                    (false, false) => 0,
                }
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    id: String,
    #[serde(rename = "type")]
    qtype: QueryType,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    category: Option<String>,
    topic: String,
    subtopics: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RelevanceSet {
    pub entries: Vec<Entry>,
}

impl RelevanceSet {
    /// The committed set, `data/relevance.jsonl`.
    pub fn builtin() -> Result<Self, String> {
        Self::parse(BUILTIN)
    }

    /// One JSON object per line; blank lines are skipped.
    pub fn parse(jsonl: &str) -> Result<Self, String> {
        let mut entries = Vec::new();
        for (n, raw) in jsonl.lines().enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            let at = |e: &dyn std::fmt::Display| format!("relevance line {}: {e}", n + 1);
            let l: Line = serde_json::from_str(raw).map_err(|e| at(&e))?;
            let ask = match l.qtype {
                QueryType::Need => {
                    let (Some(title), Some(body), Some(region), Some(category)) =
                        (l.title, l.body, l.region, l.category)
                    else {
                        return Err(at(&"a need has title, body, region and category"));
                    };
                    Ask::Need(NeedQuery {
                        title,
                        body,
                        region: RegionCode::parse(&region).map_err(|e| at(&e))?,
                        category: Category::parse(&category).map_err(|e| at(&e))?,
                    })
                }
                _ => Ask::Search(l.query.ok_or_else(|| at(&"a search entry has a query"))?),
            };
            if l.subtopics.is_empty() {
                return Err(at(&"no target subtopics"));
            }
            entries.push(Entry {
                id: l.id,
                qtype: l.qtype,
                ask,
                topic: l.topic,
                subtopics: l.subtopics,
            });
        }
        Ok(Self { entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::catalogue;
    use crate::test_support::sichuan_counties;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn builtin_set_is_complete() {
        let set = RelevanceSet::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(set.entries.len() >= 300, "{}", set.entries.len());
        let cat = catalogue().unwrap_or_else(|e| panic!("{e}"));
        let counties = sichuan_counties();
        let mut ids = std::collections::HashSet::new();
        for e in &set.entries {
            assert!(ids.insert(e.id.as_str()), "duplicate id {}", e.id);
            assert!(cat.topic_name(&e.topic).is_some(), "{}: topic", e.id);
            for s in &e.subtopics {
                assert!(cat.subtopic(s).is_some(), "{}: subtopic {s}", e.id);
            }
            if let Ask::Need(n) = &e.ask {
                assert!(counties.contains(&n.region), "{}: region", e.id);
            }
        }
        for t in [QueryType::OneChar, QueryType::Mixed, QueryType::Need] {
            assert!(set.entries.iter().filter(|e| e.qtype == t).count() >= 15);
        }
    }

    #[test]
    fn grading_rule() {
        let set = RelevanceSet::parse(concat!(
            r#"{"id":"q","type":"keyword","query":"黄龙病","topic":"agriculture","subtopics":["citrus_hlb"]}"#,
            "\n",
            r#"{"id":"n","type":"need","title":"t","body":"b","region":"511623","category":"fruit","topic":"agriculture","subtopics":["citrus_hlb"]}"#,
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let (q, n) = (&set.entries[0], &set.entries[1]);
        let p = |kind, region: &str, scope, subtopic| Judged {
            kind,
            region: code(region),
            scope,
            labels: Labels {
                topic: if subtopic == "vat" {
                    "law_tax"
                } else {
                    "agriculture"
                },
                subtopic,
            },
        };
        // Search: by labels only, any kind.
        assert_eq!(q.grade(&p(Kind::Need, "510104", None, "citrus_hlb")), 3);
        assert_eq!(q.grade(&p(Kind::Org, "510104", None, "rice_blast")), 1);
        assert_eq!(q.grade(&p(Kind::Service, "510104", None, "vat")), 0);
        // Need: 临水 511623; 岳池 511621 is the same prefecture (广安), 成都 510104 is not.
        let svc = |region, scope, sub| p(Kind::Service, region, Some(scope), sub);
        assert_eq!(n.grade(&svc("511623", Scope::County, "citrus_hlb")), 3);
        assert_eq!(n.grade(&svc("511621", Scope::County, "citrus_hlb")), 0);
        assert_eq!(n.grade(&svc("511621", Scope::City, "citrus_hlb")), 3);
        assert_eq!(n.grade(&svc("510104", Scope::City, "citrus_hlb")), 0);
        assert_eq!(n.grade(&svc("510104", Scope::Province, "citrus_hlb")), 2);
        assert_eq!(n.grade(&svc("510104", Scope::National, "rice_blast")), 1);
        assert_eq!(
            n.grade(&p(Kind::TechWorker, "510104", None, "citrus_hlb")),
            2
        );
        assert_eq!(n.grade(&p(Kind::Need, "511623", None, "citrus_hlb")), 0);
        assert_eq!(n.grade(&p(Kind::Org, "511623", None, "citrus_hlb")), 0);
    }

    #[test]
    fn bad_lines_are_refused() {
        assert!(
            RelevanceSet::parse(r#"{"id":"x","type":"need","topic":"t","subtopics":["a"]}"#)
                .is_err()
        );
        assert!(
            RelevanceSet::parse(r#"{"id":"x","type":"keyword","topic":"t","subtopics":[]}"#)
                .is_err()
        );
        assert!(RelevanceSet::parse("not json").is_err());
    }
}
