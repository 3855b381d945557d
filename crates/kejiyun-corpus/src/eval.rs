//! The `Ranker` interface every engine implements, loading a corpus into one, and scoring it
//! against the relevance set.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use crate::metrics::{ndcg_at, precision_at, recall_at};
use crate::relevance::{Ask, Entry, Judged, NeedQuery, QueryType, RELEVANT, RelevanceSet};
use crate::{Labeled, Posting, PostingId};

pub type RankerError = Box<dyn std::error::Error + Send + Sync>;

/// A search engine under test. It sees postings without their hidden labels.
pub trait Ranker {
    /// Shown in the report table.
    fn name(&self) -> &str;
    /// Adds postings to the index. Called one or more times (in id order), then `commit`.
    fn index(&mut self, postings: &[Posting]) -> Result<(), RankerError>;
    /// Makes everything indexed so far searchable.
    fn commit(&mut self) -> Result<(), RankerError> {
        Ok(())
    }
    /// Top `k` postings of any kind for what a user typed into the search box.
    fn search(&self, query: &str, k: usize) -> Result<Vec<PostingId>, RankerError>;
    /// Top `k` services, achievements and tech workers for a need.
    fn match_need(&self, need: &NeedQuery, k: usize) -> Result<Vec<PostingId>, RankerError>;
}

/// Postings are handed to rankers in batches this size, so the corpus is never held twice.
const BATCH: usize = 10_000;

/// Streams `postings` into `ranker` and commits. Returns what the grading rule needs of each
/// posting (indexed by id − 1) and the build time (index + commit, not generation).
pub fn load(
    ranker: &mut dyn Ranker,
    postings: impl Iterator<Item = Labeled>,
) -> Result<(Vec<Judged>, Duration), RankerError> {
    let mut judged = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut build = Duration::ZERO;
    let mut flush = |batch: &mut Vec<Posting>, build: &mut Duration| {
        let t = Instant::now();
        let r = ranker.index(batch);
        *build += t.elapsed();
        batch.clear();
        r
    };
    for l in postings {
        judged.push(Judged {
            kind: l.posting.kind,
            region: l.posting.region,
            scope: l.posting.scope,
            labels: l.labels,
        });
        batch.push(l.posting);
        if batch.len() == BATCH {
            flush(&mut batch, &mut build)?;
        }
    }
    if !batch.is_empty() {
        flush(&mut batch, &mut build)?;
    }
    let t = Instant::now();
    ranker.commit()?;
    build += t.elapsed();
    Ok((judged, build))
}

/// Metrics of one group of queries (one query type, or all).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub group: String,
    pub queries: usize,
    pub ndcg10: f64,
    pub recall10: f64,
    pub p5: f64,
    pub p50: Duration,
    pub p99: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub ranker: String,
    /// Per query type, in `QueryType` order.
    pub by_type: Vec<Row>,
    pub overall: Row,
    /// Entries left out because no posting of the corpus is relevant to them (tiny corpora).
    pub skipped: Vec<String>,
}

#[derive(Default)]
struct Acc {
    ndcg: f64,
    recall: f64,
    p5: f64,
    latencies: Vec<Duration>,
}

impl Acc {
    fn add(&mut self, other: &Acc) {
        self.ndcg += other.ndcg;
        self.recall += other.recall;
        self.p5 += other.p5;
        self.latencies.extend_from_slice(&other.latencies);
    }

    fn row(mut self, group: &str) -> Row {
        let n = self.latencies.len();
        let avg = |x: f64| if n == 0 { 0.0 } else { x / n as f64 };
        self.latencies.sort_unstable();
        Row {
            group: group.to_owned(),
            queries: n,
            ndcg10: avg(self.ndcg),
            recall10: avg(self.recall),
            p5: avg(self.p5),
            p50: percentile(&self.latencies, 50),
            p99: percentile(&self.latencies, 99),
        }
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// Runs every entry once against `ranker` (top 10) and scores it. `judged` is what [`load`]
/// returned for the same corpus.
pub fn evaluate(
    ranker: &dyn Ranker,
    judged: &[Judged],
    set: &RelevanceSet,
) -> Result<Report, RankerError> {
    let mut groups: BTreeMap<QueryType, Acc> = BTreeMap::new();
    let mut skipped = Vec::new();
    for entry in &set.entries {
        let ideal = ideal_grades(entry, judged);
        let total_relevant = ideal.iter().filter(|&&g| g >= RELEVANT).count();
        if total_relevant == 0 {
            skipped.push(entry.id.clone());
            continue;
        }
        let t = Instant::now();
        let ids = match &entry.ask {
            Ask::Search(q) => ranker.search(q, 10)?,
            Ask::Need(need) => ranker.match_need(need, 10)?,
        };
        let latency = t.elapsed();
        let ranked = grades_of(entry, judged, &ids);
        let acc = groups.entry(entry.qtype).or_default();
        acc.ndcg += ndcg_at(10, &ranked, &ideal);
        acc.recall += recall_at(10, &ranked, total_relevant, RELEVANT);
        acc.p5 += precision_at(5, &ranked, RELEVANT);
        acc.latencies.push(latency);
    }
    let mut all = Acc::default();
    let mut by_type = Vec::new();
    for (qtype, acc) in groups {
        all.add(&acc);
        by_type.push(acc.row(qtype.code()));
    }
    Ok(Report {
        ranker: ranker.name().to_owned(),
        by_type,
        overall: all.row("all"),
        skipped,
    })
}

/// Grades of the returned ids in order; an unknown or repeated id grades 0.
fn grades_of(entry: &Entry, judged: &[Judged], ids: &[PostingId]) -> Vec<u8> {
    let mut seen = HashSet::new();
    ids.iter()
        .map(|id| {
            let at = usize::try_from(id.0).ok().and_then(|i| i.checked_sub(1));
            match at.and_then(|i| judged.get(i)) {
                Some(p) if seen.insert(*id) => entry.grade(p),
                _ => 0,
            }
        })
        .collect()
}

/// The ten best grades any ranking could reach, plus every relevant grade (for recall).
fn ideal_grades(entry: &Entry, judged: &[Judged]) -> Vec<u8> {
    judged
        .iter()
        .map(|p| entry.grade(p))
        .filter(|&g| g > 0)
        .collect()
}
