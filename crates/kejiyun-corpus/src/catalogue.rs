//! The data the generator writes with, parsed once from the files in `data/`: topics and
//! subtopics with their words (`topics.toml`), sentence templates per kind (`templates.toml`)
//! and the background vocabulary (`background_words.txt`, from jieba's dictionary).

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::Kind;

const TOPICS: &str = include_str!("../data/topics.toml");
const TEMPLATES: &str = include_str!("../data/templates.toml");
const BACKGROUND: &str = include_str!("../data/background_words.txt");

/// One hidden subtopic label and the words postings about it are written with.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subtopic {
    pub id: String,
    pub topic: String,
    /// Category code of kejiyun-core's catalogue.
    pub cat: String,
    pub core: Vec<String>,
    pub syn: Vec<String>,
    pub rel: Vec<String>,
    #[serde(default)]
    pub mix: Vec<String>,
    /// Ids of subtopics sharing surface words with this one (near-miss distractors).
    #[serde(default)]
    pub near: Vec<String>,
    /// A hand-written problem statement; the relevance set's need queries use it.
    pub need: String,
}

#[derive(Debug, Deserialize)]
struct TopicsFile {
    topics: std::collections::BTreeMap<String, String>,
    sub: Vec<Subtopic>,
}

#[derive(Debug, Deserialize)]
struct KindTemplates {
    titles: Vec<String>,
    sentences: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Distractors {
    sentences: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct TemplatesFile {
    service: KindTemplates,
    need: KindTemplates,
    achievement: KindTemplates,
    tech_worker: KindTemplates,
    org: KindTemplates,
    distractor: Distractors,
}

/// A placeholder of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Core,
    Syn,
    Rel,
    Rel2,
    Mix,
    Near,
    Number,
}

/// A template split into literal text and placeholders, so filling it allocates nothing.
#[derive(Debug)]
pub enum Piece {
    Text(String),
    Slot(Slot),
}

pub type Template = Vec<Piece>;

#[derive(Debug)]
pub struct KindText {
    pub titles: Vec<Template>,
    pub sentences: Vec<Template>,
}

#[derive(Debug)]
pub struct Catalogue {
    /// (code, 中文) of the six topics.
    pub topics: Vec<(String, String)>,
    pub subtopics: Vec<Subtopic>,
    /// `near` resolved to indexes into `subtopics`.
    pub near: Vec<Vec<usize>>,
    kinds: [KindText; 5],
    pub distractors: Vec<Template>,
    /// Background words, most frequent first.
    pub background: Vec<String>,
}

impl Catalogue {
    pub fn kind_text(&self, kind: Kind) -> &KindText {
        &self.kinds[kind as usize]
    }

    pub fn subtopic(&self, id: &str) -> Option<&Subtopic> {
        self.subtopics.iter().find(|s| s.id == id)
    }

    pub fn topic_name(&self, code: &str) -> Option<&str> {
        self.topics
            .iter()
            .find(|t| t.0 == code)
            .map(|t| t.1.as_str())
    }
}

/// The parsed catalogue; an error names the data file that is broken.
pub fn catalogue() -> Result<&'static Catalogue, String> {
    static CATALOGUE: OnceLock<Result<Catalogue, String>> = OnceLock::new();
    CATALOGUE.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn load() -> Result<Catalogue, String> {
    let topics: TopicsFile = toml::from_str(TOPICS).map_err(|e| format!("topics.toml: {e}"))?;
    let templates: TemplatesFile =
        toml::from_str(TEMPLATES).map_err(|e| format!("templates.toml: {e}"))?;
    let mut near = Vec::with_capacity(topics.sub.len());
    for s in &topics.sub {
        if !topics.topics.contains_key(&s.topic) {
            return Err(format!("topics.toml: {}: unknown topic {}", s.id, s.topic));
        }
        if s.core.is_empty() || s.syn.is_empty() || s.rel.len() < 2 {
            return Err(format!(
                "topics.toml: {}: needs core, syn and two rel words",
                s.id
            ));
        }
        let mut idx = Vec::new();
        for n in &s.near {
            let i = topics
                .sub
                .iter()
                .position(|o| &o.id == n)
                .ok_or_else(|| format!("topics.toml: {}: unknown near {n}", s.id))?;
            idx.push(i);
        }
        near.push(idx);
    }
    // Background words that are also subtopic words would blur the hidden labels.
    let domain: HashSet<&str> = topics
        .sub
        .iter()
        .flat_map(|s| s.core.iter().chain(&s.syn).chain(&s.rel).chain(&s.mix))
        .map(String::as_str)
        .collect();
    let background: Vec<String> = BACKGROUND
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .filter(|w| !w.is_empty() && !domain.contains(w))
        .map(str::to_owned)
        .collect();
    if background.is_empty() {
        return Err("background_words.txt is empty".into());
    }
    let kt = |k: KindTemplates| templates_of(&k.titles, &k.sentences);
    let TemplatesFile {
        service,
        need,
        achievement,
        tech_worker,
        org,
        distractor,
    } = templates;
    // Order matches `Kind`'s discriminants.
    let kinds = [
        kt(service)?,
        kt(need)?,
        kt(achievement)?,
        kt(tech_worker)?,
        kt(org)?,
    ];
    if kinds
        .iter()
        .any(|k| k.titles.is_empty() || k.sentences.is_empty())
    {
        return Err("templates.toml: every kind needs titles and sentences".into());
    }
    Ok(Catalogue {
        topics: topics.topics.into_iter().collect(),
        subtopics: topics.sub,
        near,
        kinds,
        distractors: distractor
            .sentences
            .iter()
            .map(|t| split(t))
            .collect::<Result<_, _>>()?,
        background,
    })
}

/// Title and sentence templates parsed (`templates.toml`'s syntax; other data files reuse it).
pub(crate) fn templates_of(titles: &[String], sentences: &[String]) -> Result<KindText, String> {
    let all = |ts: &[String]| ts.iter().map(|t| split(t)).collect::<Result<_, _>>();
    Ok(KindText {
        titles: all(titles)?,
        sentences: all(sentences)?,
    })
}

fn split(template: &str) -> Result<Template, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            out.push(Piece::Text(rest[..open].to_owned()));
        }
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("templates.toml: unclosed placeholder in {template}"))?;
        let name = &rest[open + 1..open + close];
        let slot = match name {
            "core" => Slot::Core,
            "syn" => Slot::Syn,
            "rel" => Slot::Rel,
            "rel2" => Slot::Rel2,
            "mix" => Slot::Mix,
            "near" => Slot::Near,
            "n" => Slot::Number,
            _ => return Err(format!("templates.toml: unknown placeholder {{{name}}}")),
        };
        out.push(Piece::Slot(slot));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest.to_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use kejiyun_core::market::categories::Category;

    use super::*;

    #[test]
    fn data_files_parse_and_use_real_categories() {
        let c = catalogue().unwrap_or_else(|e| panic!("{e}"));
        assert!(c.subtopics.len() >= 60, "{} subtopics", c.subtopics.len());
        assert_eq!(c.topics.len(), 6);
        let mut ids: Vec<_> = c.subtopics.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), c.subtopics.len(), "subtopic ids are unique");
        for s in &c.subtopics {
            assert!(
                Category::parse(&s.cat).is_ok(),
                "{}: category {}",
                s.id,
                s.cat
            );
        }
        assert!(c.background.len() > 19_000);
    }

    #[test]
    fn templates_split_into_text_and_slots() {
        let t = split("提供{core}与{rel2}。").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.len(), 5);
        assert!(matches!(t[1], Piece::Slot(Slot::Core)));
        assert!(matches!(t[3], Piece::Slot(Slot::Rel2)));
        assert!(split("{bogus}").is_err());
        assert!(split("{core").is_err());
    }
}
