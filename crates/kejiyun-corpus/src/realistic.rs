//! The realistic relevance set (issue 17): hand-written postings and needs in colloquial
//! Chinese with graded judgments, kept apart from the generated corpus. Its format is fixed
//! (`data/realistic/`, and a made-up miniature in `tests/fixtures/realistic-mini/`):
//!
//! - `docs.jsonl` — `{"id", "kind": "service" | "achievement" | "tech_worker", "title",
//!   "body", "category", "tags": [..]}`, one per line;
//! - `needs.jsonl` — `{"id", "title", "body", "category": key or null, "style": [..]}`;
//! - `qrels.tsv` — header `need_id\tdoc_id\tgrade`, grades 0, 1 or 2; a document not listed
//!   for a need has grade 0.
//!
//! [`load`] reads and checks them; [`evaluate`] runs a [`DocRanker`] once per need (top 10) and
//! scores it. The metrics, per need, over the ranker's top 10:
//!
//! - **nDCG@10** — graded: gain 2^grade − 1, discount log2(rank + 1), over the ideal order of
//!   the need's judged grades ([`crate::metrics::ndcg_at`]);
//! - **MRR** (MRR@10) — 1 / the rank of the first document with grade ≥ 1, 0 if none is in
//!   the top 10;
//! - **recall@10** — documents with grade ≥ 1 in the top 10 over min(10, the need's documents
//!   with grade ≥ 1) ([`crate::metrics::recall_at`], as for the generated corpus);
//! - **P@5** — documents with grade ≥ 1 in the top 5, over 5.
//!
//! Each is averaged over the needs that have at least one document with grade ≥ 1; needs
//! without one are listed as skipped (nothing can be found for them).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kejiyun_core::market::categories::{Category, Scope};
use kejiyun_core::regions::RegionCode;
use serde::Deserialize;

use crate::eval::{Ranker, RankerError, percentile};
use crate::metrics::{ndcg_at, precision_at, recall_at};
use crate::relevance::NeedQuery;
use crate::{Kind, Posting, PostingId};

/// Lowest grade that counts as relevant for MRR, recall and P@5.
pub const RELEVANT: u8 = 1;
/// The highest grade.
pub const MAX_GRADE: u8 = 2;
/// Results each need is scored on.
pub const K: usize = 10;

/// A service, achievement or tech worker of the set.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    /// A category key (`kejiyun_core::market::categories`); kept as written, so a key outside
    /// the catalogue is visible rather than dropped ([`Doc::category`]).
    pub category_key: Option<String>,
    pub tags: Vec<String>,
}

impl Doc {
    /// The category, if the key is one of the catalogue's.
    pub fn category(&self) -> Option<Category> {
        self.category_key
            .as_deref()
            .and_then(|k| Category::parse(k).ok())
    }

    /// Title, tags and body, one per line: the text every ranker of the bench reads.
    pub fn text(&self) -> String {
        format!("{}\n{}\n{}", self.title, self.tags.join(" "), self.body)
    }
}

/// A need, as its owner wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    pub id: String,
    pub title: String,
    pub body: String,
    pub category_key: Option<String>,
    /// How it is written (e.g. colloquial, dialect, typo); the report is broken down by each.
    pub style: Vec<String>,
}

impl Need {
    pub fn category(&self) -> Option<Category> {
        self.category_key
            .as_deref()
            .and_then(|k| Category::parse(k).ok())
    }

    /// Title and body, one per line.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.title, self.body)
    }
}

/// The loaded set. Documents and needs keep their file order; rankers return indices into
/// [`RealisticSet::docs`].
#[derive(Debug, Clone, PartialEq)]
pub struct RealisticSet {
    pub dir: PathBuf,
    pub docs: Vec<Doc>,
    pub needs: Vec<Need>,
    /// Per need (same index): document index → grade, as listed in `qrels.tsv`.
    judged: Vec<HashMap<usize, u8>>,
}

impl RealisticSet {
    /// The grade of document `doc` for need `need` (0 if not listed).
    pub fn grade(&self, need: usize, doc: usize) -> u8 {
        self.judged
            .get(need)
            .and_then(|j| j.get(&doc))
            .copied()
            .unwrap_or(0)
    }

    /// Every listed grade of a need (in no order), for the ideal ranking.
    pub fn grades(&self, need: usize) -> Vec<u8> {
        self.judged
            .get(need)
            .map(|j| j.values().copied().collect())
            .unwrap_or_default()
    }

    /// Documents with grade ≥ 1 for a need.
    pub fn relevant(&self, need: usize) -> usize {
        self.grades(need)
            .into_iter()
            .filter(|&g| g >= RELEVANT)
            .count()
    }

    /// Keys of documents and needs that are not in the category catalogue (they are matched
    /// as if they had no category).
    pub fn unknown_categories(&self) -> Vec<String> {
        let docs = self
            .docs
            .iter()
            .filter(|d| d.category_key.is_some() && d.category().is_none())
            .map(|d| format!("{}: {}", d.id, d.category_key.as_deref().unwrap_or("")));
        let needs = self
            .needs
            .iter()
            .filter(|n| n.category_key.is_some() && n.category().is_none())
            .map(|n| format!("{}: {}", n.id, n.category_key.as_deref().unwrap_or("")));
        docs.chain(needs).collect()
    }
}

/// What is wrong with a file of the set, and where.
#[derive(Debug)]
pub struct LoadError {
    pub file: PathBuf,
    /// 1-based; `None` for the file as a whole.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for LoadError {}

#[derive(Deserialize)]
struct DocLine {
    id: String,
    kind: String,
    title: String,
    body: String,
    category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct NeedLine {
    id: String,
    title: String,
    body: String,
    category: Option<String>,
    #[serde(default)]
    style: Vec<String>,
}

fn read(file: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(file).map_err(|e| LoadError {
        file: file.to_owned(),
        line: None,
        message: e.to_string(),
    })
}

/// Non-empty lines of a JSONL file, parsed, with their line numbers.
fn jsonl<T: for<'de> Deserialize<'de>>(file: &Path) -> Result<Vec<(usize, T)>, LoadError> {
    let text = read(file)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v = serde_json::from_str(line).map_err(|e| LoadError {
            file: file.to_owned(),
            line: Some(i + 1),
            message: e.to_string(),
        })?;
        out.push((i + 1, v));
    }
    Ok(out)
}

/// Reads `docs.jsonl`, `needs.jsonl` and `qrels.tsv` from `dir` and checks them: kinds, unique
/// ids, the qrels header, grades 0–2, every judged id known, no pair judged twice.
pub fn load(dir: &Path) -> Result<RealisticSet, LoadError> {
    let err = |file: &Path, line: usize, message: String| LoadError {
        file: file.to_owned(),
        line: Some(line),
        message,
    };

    let file = dir.join("docs.jsonl");
    let mut docs = Vec::new();
    let mut doc_ix: HashMap<String, usize> = HashMap::new();
    for (line, d) in jsonl::<DocLine>(&file)? {
        let kind = match d.kind.as_str() {
            "service" => Kind::Service,
            "achievement" => Kind::Achievement,
            "tech_worker" => Kind::TechWorker,
            other => {
                return Err(err(
                    &file,
                    line,
                    format!("kind {other:?}: expected service, achievement or tech_worker"),
                ));
            }
        };
        if d.id.trim().is_empty() {
            return Err(err(&file, line, "empty id".into()));
        }
        if doc_ix.insert(d.id.clone(), docs.len()).is_some() {
            return Err(err(&file, line, format!("doc id {:?} repeated", d.id)));
        }
        docs.push(Doc {
            id: d.id,
            kind,
            title: d.title,
            body: d.body,
            category_key: d.category.filter(|c| !c.trim().is_empty()),
            tags: d.tags,
        });
    }

    let file = dir.join("needs.jsonl");
    let mut needs = Vec::new();
    let mut need_ix: HashMap<String, usize> = HashMap::new();
    for (line, n) in jsonl::<NeedLine>(&file)? {
        if n.id.trim().is_empty() {
            return Err(err(&file, line, "empty id".into()));
        }
        if need_ix.insert(n.id.clone(), needs.len()).is_some() {
            return Err(err(&file, line, format!("need id {:?} repeated", n.id)));
        }
        needs.push(Need {
            id: n.id,
            title: n.title,
            body: n.body,
            category_key: n.category.filter(|c| !c.trim().is_empty()),
            style: n.style,
        });
    }

    let file = dir.join("qrels.tsv");
    let text = read(&file)?;
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim_end_matches('\r') == "need_id\tdoc_id\tgrade" => {}
        _ => {
            return Err(err(
                &file,
                1,
                "the header must be need_id<TAB>doc_id<TAB>grade".into(),
            ));
        }
    }
    let mut judged = vec![HashMap::new(); needs.len()];
    for (i, raw) in lines {
        let line = i + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = raw.split('\t').collect();
        let [need, doc, grade] = cols[..] else {
            return Err(err(
                &file,
                line,
                format!("{} tab-separated fields, expected 3", cols.len()),
            ));
        };
        let &n = need_ix
            .get(need.trim())
            .ok_or_else(|| err(&file, line, format!("unknown need id {need:?}")))?;
        let &d = doc_ix
            .get(doc.trim())
            .ok_or_else(|| err(&file, line, format!("unknown doc id {doc:?}")))?;
        let grade: u8 = grade
            .trim()
            .parse()
            .ok()
            .filter(|&g| g <= MAX_GRADE)
            .ok_or_else(|| err(&file, line, format!("grade {grade:?}: expected 0, 1 or 2")))?;
        if judged[n].insert(d, grade).is_some() {
            return Err(err(&file, line, format!("{need} / {doc} judged twice")));
        }
    }
    Ok(RealisticSet {
        dir: dir.to_owned(),
        docs,
        needs,
        judged,
    })
}

/// An engine under test on the realistic set: it indexes the documents once, then ranks them
/// for each need.
pub trait DocRanker {
    /// Shown in the report table.
    fn name(&self) -> String;
    /// Indexes every document (called once, before any `rank`).
    fn index(&mut self, docs: &[Doc]) -> Result<(), RankerError>;
    /// The best `k` documents for `need`, best first, as indices into the `docs` indexed.
    fn rank(&self, need: &Need, k: usize) -> Result<Vec<usize>, RankerError>;
}

/// The four metrics of one need, or their means over several.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    pub ndcg10: f64,
    pub mrr: f64,
    pub recall10: f64,
    pub p5: f64,
}

/// Scores one ranking (document indices, best first) of need `need`. Unknown or repeated
/// indices grade 0; only the first [`K`] count.
pub fn score(set: &RealisticSet, need: usize, ranked: &[usize]) -> Scores {
    let mut seen = std::collections::HashSet::new();
    let grades: Vec<u8> = ranked
        .iter()
        .take(K)
        .map(|&d| {
            if d < set.docs.len() && seen.insert(d) {
                set.grade(need, d)
            } else {
                0
            }
        })
        .collect();
    let first = grades.iter().position(|&g| g >= RELEVANT);
    Scores {
        ndcg10: ndcg_at(K, &grades, &set.grades(need)),
        mrr: first.map_or(0.0, |r| 1.0 / (r + 1) as f64),
        recall10: recall_at(K, &grades, set.relevant(need), RELEVANT),
        p5: precision_at(5, &grades, RELEVANT),
    }
}

/// Means over a group of needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub needs: usize,
    pub scores: Scores,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RealisticReport {
    pub ranker: String,
    pub overall: Group,
    /// One group per style value (a need counts in each of its styles), by name.
    pub by_style: Vec<Group>,
    /// Time per need (the `rank` call: for an embedding ranker, embedding the need included).
    pub mean_latency: Duration,
    pub p99_latency: Duration,
    /// Needs left out because no document has grade ≥ 1 for them.
    pub skipped: Vec<String>,
}

#[derive(Default)]
struct Acc {
    n: usize,
    sum: Scores,
}

impl Acc {
    fn add(&mut self, s: Scores) {
        self.n += 1;
        self.sum.ndcg10 += s.ndcg10;
        self.sum.mrr += s.mrr;
        self.sum.recall10 += s.recall10;
        self.sum.p5 += s.p5;
    }

    fn group(&self, name: &str) -> Group {
        let avg = |x: f64| if self.n == 0 { 0.0 } else { x / self.n as f64 };
        Group {
            name: name.to_owned(),
            needs: self.n,
            scores: Scores {
                ndcg10: avg(self.sum.ndcg10),
                mrr: avg(self.sum.mrr),
                recall10: avg(self.sum.recall10),
                p5: avg(self.sum.p5),
            },
        }
    }
}

/// Runs every need with a relevant document once against `ranker` (top [`K`]) and scores it.
/// The ranker must have indexed `set.docs`.
pub fn evaluate(
    ranker: &dyn DocRanker,
    set: &RealisticSet,
) -> Result<RealisticReport, RankerError> {
    let mut all = Acc::default();
    let mut styles: BTreeMap<&str, Acc> = BTreeMap::new();
    let mut latencies = Vec::new();
    let mut skipped = Vec::new();
    for (i, need) in set.needs.iter().enumerate() {
        if set.relevant(i) == 0 {
            skipped.push(need.id.clone());
            continue;
        }
        let t = Instant::now();
        let ranked = ranker.rank(need, K)?;
        latencies.push(t.elapsed());
        let s = score(set, i, &ranked);
        all.add(s);
        for style in &need.style {
            styles.entry(style.as_str()).or_default().add(s);
        }
    }
    let mean_latency = if latencies.is_empty() {
        Duration::ZERO
    } else {
        latencies.iter().sum::<Duration>() / u32::try_from(latencies.len()).unwrap_or(u32::MAX)
    };
    latencies.sort_unstable();
    Ok(RealisticReport {
        ranker: ranker.name(),
        overall: all.group("all"),
        by_style: styles.iter().map(|(k, a)| a.group(k)).collect(),
        mean_latency,
        p99_latency: percentile(&latencies, 99),
        skipped,
    })
}

/// The region every document and need of the set is placed in for rankers that need one
/// (邻水县, 四川广安): the set has no places, so proximity and scope never decide anything.
pub fn placeholder_region() -> RegionCode {
    RegionCode::parse("511623").unwrap_or_else(|_| unreachable!("511623 is a valid code"))
}

/// A corpus [`Ranker`] (e.g. the BM25 baseline) on the realistic set: each document becomes a
/// [`Posting`] whose title is the title and whose body is tags + body, placed in
/// [`placeholder_region`] with national scope (services); each need becomes a [`NeedQuery`]
/// over title + body there.
pub struct ViaPostings<R> {
    inner: R,
}

impl<R: Ranker> ViaPostings<R> {
    pub fn new(inner: R) -> Self {
        Self { inner }
    }
}

fn category_or_other(c: Option<Category>) -> Category {
    c.or_else(|| Category::parse("other").ok())
        .unwrap_or_else(|| unreachable!("\"other\" is in the catalogue"))
}

impl<R: Ranker> DocRanker for ViaPostings<R> {
    fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    fn index(&mut self, docs: &[Doc]) -> Result<(), RankerError> {
        let region = placeholder_region();
        let postings: Vec<Posting> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| Posting {
                id: PostingId(i as u64 + 1),
                kind: d.kind,
                title: d.title.clone(),
                body: format!("{}\n{}", d.tags.join(" "), d.body),
                category: category_or_other(d.category()),
                region,
                scope: (d.kind == Kind::Service).then_some(Scope::National),
                provider: u32::try_from(i).unwrap_or(u32::MAX),
                confirmed_deals: 0,
                published_day: 0,
            })
            .collect();
        self.inner.index(&postings)?;
        self.inner.commit()
    }

    fn rank(&self, need: &Need, k: usize) -> Result<Vec<usize>, RankerError> {
        let q = NeedQuery {
            title: need.title.clone(),
            body: need.body.clone(),
            region: placeholder_region(),
            category: category_or_other(need.category()),
        };
        Ok(self
            .inner
            .match_need(&q, k)?
            .into_iter()
            .filter_map(|id| usize::try_from(id.0).ok()?.checked_sub(1))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Bm25;

    fn mini() -> RealisticSet {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/realistic-mini");
        load(&dir).unwrap_or_else(|e| panic!("{e}"))
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    fn ix(set: &RealisticSet, id: &str) -> usize {
        set.docs
            .iter()
            .position(|d| d.id == id)
            .unwrap_or_else(|| panic!("{id}"))
    }

    #[test]
    fn the_mini_fixture_loads() {
        let set = mini();
        assert_eq!(set.docs.len(), 6);
        assert_eq!(set.needs.len(), 3);
        assert_eq!(set.docs[0].kind, Kind::Service);
        assert!(set.docs.iter().any(|d| d.kind == Kind::TechWorker));
        assert!(set.docs.iter().any(|d| d.kind == Kind::Achievement));
        assert!(!set.docs[0].tags.is_empty());
        // n3's category is null; every key is in the catalogue.
        assert_eq!(set.needs[2].category_key, None);
        assert!(set.unknown_categories().is_empty());
        // Listed grades, and 0 for what is not listed.
        let d1 = ix(&set, "d1");
        assert_eq!(set.grade(0, d1), 2);
        assert_eq!(set.grade(0, ix(&set, "d5")), 0);
        assert_eq!(set.relevant(0), 2);
        assert!(set.docs[0].text().contains(&set.docs[0].tags[0]));
    }

    #[test]
    fn metrics_by_hand() {
        let set = mini();
        // n1: d1 = 2, d2 = 1, d6 = 0 (listed), the rest unlisted.
        let (d1, d2, d3, d6) = (
            ix(&set, "d1"),
            ix(&set, "d2"),
            ix(&set, "d3"),
            ix(&set, "d6"),
        );
        let perfect = score(&set, 0, &[d1, d2]);
        assert_eq!(
            perfect,
            Scores {
                ndcg10: 1.0,
                mrr: 1.0,
                recall10: 1.0,
                p5: 0.4
            }
        );
        // Relevant ones at ranks 3 and 4: DCG = 3/log2(4) + 1/log2(5); ideal 3 + 1/log2(3).
        let late = score(&set, 0, &[d3, d6, d1, d2]);
        close(
            late.ndcg10,
            (3.0 / 2.0 + 1.0 / 5f64.log2()) / (3.0 + 1.0 / 3f64.log2()),
        );
        close(late.mrr, 1.0 / 3.0);
        close(late.recall10, 1.0);
        close(late.p5, 0.4);
        // The grade-1 one only, second; a repeat and an unknown index count as misses.
        let weak = score(&set, 0, &[d3, d2, d2, 99]);
        close(weak.mrr, 0.5);
        close(weak.recall10, 0.5);
        close(weak.p5, 0.2);
        assert_eq!(score(&set, 0, &[]), Scores::default());
        // Only the top 10 count.
        let mut far = vec![d3; 10];
        far.push(d1);
        assert_eq!(score(&set, 0, &far).mrr, 0.0);
    }

    /// Ranks by a fixed list per need id.
    struct Fixed(HashMap<String, Vec<usize>>);

    impl DocRanker for Fixed {
        fn name(&self) -> String {
            "fixed".into()
        }
        fn index(&mut self, _: &[Doc]) -> Result<(), RankerError> {
            Ok(())
        }
        fn rank(&self, need: &Need, k: usize) -> Result<Vec<usize>, RankerError> {
            let mut v = self.0.get(&need.id).cloned().unwrap_or_default();
            v.truncate(k);
            Ok(v)
        }
    }

    #[test]
    fn evaluate_averages_over_needs_and_styles() {
        let set = mini();
        let (d1, d2, d3, d4, d5) = (
            ix(&set, "d1"),
            ix(&set, "d2"),
            ix(&set, "d3"),
            ix(&set, "d4"),
            ix(&set, "d5"),
        );
        let ranker = Fixed(HashMap::from([
            ("n1".to_owned(), vec![d1, d2]),
            ("n2".to_owned(), vec![d5, d3, d4]),
            ("n3".to_owned(), vec![]),
        ]));
        let r = evaluate(&ranker, &set).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.ranker, "fixed");
        assert_eq!(r.overall.needs, 3);
        assert!(r.skipped.is_empty());
        let n2 = score(&set, 1, &[d5, d3, d4]);
        close(r.overall.scores.mrr, (1.0 + n2.mrr + 0.0) / 3.0);
        close(r.overall.scores.ndcg10, (1.0 + n2.ndcg10) / 3.0);
        // n1 and n3 are colloquial, n2 and n3 have a typo.
        let colloquial = r
            .by_style
            .iter()
            .find(|g| g.name == "colloquial")
            .unwrap_or_else(|| panic!("{:?}", r.by_style));
        assert_eq!(colloquial.needs, 2);
        close(colloquial.scores.mrr, 0.5);
        let names: Vec<&str> = r.by_style.iter().map(|g| g.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
    }

    #[test]
    fn bm25_on_the_mini_set_finds_the_literal_match() {
        let set = mini();
        let mut bm25 = ViaPostings::new(Bm25::new());
        bm25.index(&set.docs).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bm25.name(), "BM25 baseline");
        // n1 shares 黄龙病 with d1 literally.
        let top = bm25
            .rank(&set.needs[0], 10)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(top.first(), Some(&ix(&set, "d1")));
        assert!(top.iter().all(|&d| d < set.docs.len()));
        let r = evaluate(&bm25, &set).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.overall.needs, 3);
        assert!(r.overall.scores.mrr > 0.0);
    }

    fn write_set(
        docs: &str,
        needs: &str,
        qrels: &str,
    ) -> (PathBuf, Result<RealisticSet, LoadError>) {
        let dir =
            std::env::temp_dir().join(format!("kejiyun-realistic-{}-{:x}", std::process::id(), {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                (docs, needs, qrels).hash(&mut h);
                h.finish()
            }));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("docs.jsonl"), docs).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("needs.jsonl"), needs).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("qrels.tsv"), qrels).unwrap_or_else(|e| panic!("{e}"));
        let r = load(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        (dir, r)
    }

    #[test]
    fn format_errors_name_the_file_and_line() {
        let doc =
            r#"{"id":"a","kind":"service","title":"t","body":"b","category":"fruit","tags":["x"]}"#;
        let need = r#"{"id":"n","title":"t","body":"b","category":null,"style":["colloquial"]}"#;
        let ok_qrels = "need_id\tdoc_id\tgrade\nn\ta\t2\n";
        let (_, r) = write_set(doc, need, ok_qrels);
        assert!(r.is_ok(), "{r:?}");
        let cases = [
            (
                doc.replace("service", "need"),
                need.to_owned(),
                ok_qrels.to_owned(),
                "docs.jsonl:1: kind",
            ),
            (
                format!("{doc}\n\n{doc}"),
                need.to_owned(),
                ok_qrels.to_owned(),
                "docs.jsonl:3: doc id",
            ),
            (
                doc.to_owned(),
                need.replace("\"title\":\"t\",", ""),
                ok_qrels.to_owned(),
                "needs.jsonl:1:",
            ),
            (
                doc.to_owned(),
                need.to_owned(),
                "need\tdoc\tgrade\n".to_owned(),
                "qrels.tsv:1: the header",
            ),
            (
                doc.to_owned(),
                need.to_owned(),
                "need_id\tdoc_id\tgrade\nn\ta\t3\n".to_owned(),
                "qrels.tsv:2: grade",
            ),
            (
                doc.to_owned(),
                need.to_owned(),
                "need_id\tdoc_id\tgrade\nn\tzz\t1\n".to_owned(),
                "qrels.tsv:2: unknown doc",
            ),
            (
                doc.to_owned(),
                need.to_owned(),
                "need_id\tdoc_id\tgrade\nm\ta\t1\n".to_owned(),
                "qrels.tsv:2: unknown need",
            ),
            (
                doc.to_owned(),
                need.to_owned(),
                "need_id\tdoc_id\tgrade\nn\ta\t1\nn\ta\t2\n".to_owned(),
                "qrels.tsv:3: n / a judged twice",
            ),
            (
                doc.to_owned(),
                need.to_owned(),
                "need_id\tdoc_id\tgrade\nn a 1\n".to_owned(),
                "qrels.tsv:2: 1 tab-separated",
            ),
        ];
        for (docs, needs, qrels, want) in cases {
            let (_, r) = write_set(&docs, &needs, &qrels);
            let msg = r.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(msg.contains(want), "{want:?} not in {msg:?}");
        }
        // CRLF line ends and a need with nothing relevant (skipped by evaluate).
        let (_, r) = write_set(doc, need, "need_id\tdoc_id\tgrade\r\nn\ta\t0\r\n");
        let set = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(set.relevant(0), 0);
        let r = evaluate(&Fixed(HashMap::new()), &set).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.skipped, vec!["n".to_owned()]);
        assert_eq!(r.overall.needs, 0);
        // A key outside the catalogue is kept and reported.
        let (_, r) = write_set(&doc.replace("fruit", "oranges"), need, ok_qrels);
        let set = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(set.unknown_categories(), vec!["a: oranges".to_owned()]);
    }
}
