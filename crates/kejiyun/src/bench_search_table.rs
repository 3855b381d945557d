//! The table `kejiyun bench search` prints: one row per engine, then Kejiyun's ratios to the
//! peers against issue 4's targets.

use std::time::Duration;

use kejiyun_corpus::RelevanceSet;
use kejiyun_corpus::relevance::QueryType;

use crate::bench_search::pct;

/// recall@10 and nDCG@10 over a group of queries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Quality {
    pub queries: usize,
    pub recall10: f64,
    pub ndcg10: f64,
}

impl Quality {
    /// Adds a group's averages, weighted by its number of queries.
    pub fn add(&mut self, queries: usize, recall10: f64, ndcg10: f64) {
        self.queries += queries;
        self.recall10 += recall10 * queries as f64;
        self.ndcg10 += ndcg10 * queries as f64;
    }

    pub fn finish(self) -> Option<Quality> {
        (self.queries > 0).then(|| Quality {
            queries: self.queries,
            recall10: self.recall10 / self.queries as f64,
            ndcg10: self.ndcg10 / self.queries as f64,
        })
    }
}

/// One engine's measurements; `None` where it was not measured.
#[derive(Debug, Clone, Default)]
pub struct EngineRow {
    pub name: String,
    pub search: Vec<Duration>,
    pub matching: Vec<Duration>,
    pub docs_per_s: Option<f64>,
    pub rss_mb: Option<f64>,
    pub index_mb: Option<f64>,
    pub search_quality: Option<Quality>,
    pub match_quality: Option<Quality>,
    /// Version, caveats, or why the engine was not run.
    pub note: String,
    /// For a peer run pairwise: Kejiyun's own timings from the same rounds, which its
    /// ratios to this peer compare against (same conditions, no third engine beside them).
    pub kejiyun_beside: Option<Box<EngineRow>>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl EngineRow {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..Self::default()
        }
    }

    pub fn latency(&mut self, is_need: bool, d: Duration) {
        if is_need {
            self.matching.push(d)
        } else {
            self.search.push(d)
        }
    }

    pub fn search_p99_ms(&self) -> Option<f64> {
        (!self.search.is_empty()).then(|| ms(pct(&self.search, 99)))
    }

    pub fn match_p99_ms(&self) -> Option<f64> {
        (!self.matching.is_empty()).then(|| ms(pct(&self.matching, 99)))
    }

    /// Single-thread queries per second: 1 / mean latency.
    pub fn search_qps(&self) -> Option<f64> {
        let total: Duration = self.search.iter().sum();
        (!self.search.is_empty()).then(|| self.search.len() as f64 / total.as_secs_f64().max(1e-9))
    }
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or("—".to_owned(), |v| format!("{v:.digits$}"))
}

fn lat(v: &[Duration], p: usize) -> String {
    if v.is_empty() {
        "—".to_owned()
    } else {
        format!("{:.2}", ms(pct(v, p)))
    }
}

fn ratio_line(
    s: &mut String,
    what: &str,
    ours: Option<f64>,
    theirs: Option<f64>,
    target: &str,
    met: impl Fn(f64) -> bool,
) {
    match (ours, theirs) {
        (Some(a), Some(b)) if b > 0.0 => {
            let r = a / b;
            let verdict = if met(r) { "**met**" } else { "**not met**" };
            s.push_str(&format!("| {what} | {r:.3} | {target} | {verdict} |\n"));
        }
        _ => s.push_str(&format!("| {what} | — | {target} | not measured |\n")),
    }
}

/// Kejiyun's timings to compare with peer `p`: those from `p`'s own rounds when run
/// pairwise, else all of them (`k`).
fn kejiyun_beside<'a>(k: &'a EngineRow, p: &'a EngineRow) -> &'a EngineRow {
    p.kejiyun_beside.as_deref().unwrap_or(k)
}

pub fn markdown(
    size: u64,
    seed: u64,
    rounds: usize,
    pairwise: bool,
    set: &RelevanceSet,
    rows: &[EngineRow],
) -> String {
    let needs = set
        .entries
        .iter()
        .filter(|e| e.qtype == QueryType::Need)
        .count();
    let how = if pairwise {
        "; pairwise: each peer in rounds of its own beside Kejiyun (Kejiyun's row: all its \
         timings; its ratios to a peer: its timings from that peer's rounds)"
    } else {
        ""
    };
    let mut s = format!(
        "Corpus: {size} postings, seed {seed}; {} searches and {needs} needs from the relevance set, \
         {rounds} timed interleaved rounds after one untimed warm-up{how}; latencies in ms, one \
         query at a time (Kejiyun walks its index's two segments on both cores when it has two).\n\n",
        set.entries.len() - needs
    );
    s.push_str(
        "| engine | search p50 | search p99 | search QPS | match p50 | match p99 | index docs/s \
         | RSS MB | index MB | search recall@10 | search nDCG@10 | match recall@10 | match nDCG@10 | notes |\n",
    );
    s.push_str("| --- |");
    s.push_str(&" ---: |".repeat(12));
    s.push_str(" --- |\n");
    for r in rows {
        let q = |x: Option<Quality>, f: fn(&Quality) -> f64| opt(x.as_ref().map(f), 3);
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.name,
            lat(&r.search, 50),
            lat(&r.search, 99),
            opt(r.search_qps(), 0),
            lat(&r.matching, 50),
            lat(&r.matching, 99),
            opt(r.docs_per_s, 0),
            opt(r.rss_mb, 0),
            opt(r.index_mb, 0),
            q(r.search_quality, |q| q.recall10),
            q(r.search_quality, |q| q.ndcg10),
            q(r.match_quality, |q| q.recall10),
            q(r.match_quality, |q| q.ndcg10),
            r.note.replace('|', "/"),
        ));
    }
    let Some(k) = rows.first() else { return s };
    let peers = &rows[1..];
    let find = |name: &str| peers.iter().find(|p| p.name == name);

    s.push_str("\nKejiyun ÷ each peer (latency and RSS: lower is better; docs/s: higher):\n\n");
    s.push_str("| peer | search p99 | match p99 | index docs/s | RSS |\n| --- | ---: | ---: | ---: | ---: |\n");
    let div = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.3}", a / b),
        _ => "—".to_owned(),
    };
    // Latency ratios: against Kejiyun's timings from the same rounds when run pairwise.
    for p in peers {
        let k_here = kejiyun_beside(k, p);
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            p.name,
            div(k_here.search_p99_ms(), p.search_p99_ms()),
            div(k_here.match_p99_ms(), p.match_p99_ms()),
            div(k.docs_per_s, p.docs_per_s),
            div(k.rss_mb, p.rss_mb),
        ));
    }

    s.push_str("\nTargets (issue 4):\n\n| target | Kejiyun ÷ peer | wanted | verdict |\n| --- | ---: | --- | --- |\n");
    let lucene = find("lucene");
    let milli = find("milli");
    ratio_line(
        &mut s,
        "search p99 vs Lucene",
        lucene
            .map(|p| kejiyun_beside(k, p))
            .and_then(EngineRow::search_p99_ms),
        lucene.and_then(EngineRow::search_p99_ms),
        "≤ 0.2",
        |r| r <= 0.2,
    );
    ratio_line(
        &mut s,
        "matching p99 vs milli",
        milli
            .map(|p| kejiyun_beside(k, p))
            .and_then(EngineRow::match_p99_ms),
        milli.and_then(EngineRow::match_p99_ms),
        "≤ 0.2",
        |r| r <= 0.2,
    );
    ratio_line(
        &mut s,
        "indexing docs/s vs milli",
        k.docs_per_s,
        milli.and_then(|m| m.docs_per_s),
        "≥ 5",
        |r| r >= 5.0,
    );
    for (what, get) in [
        (
            "search",
            (|r: &EngineRow| r.search_quality) as fn(&EngineRow) -> Option<Quality>,
        ),
        ("matching", |r: &EngineRow| r.match_quality),
    ] {
        let best = peers
            .iter()
            .filter_map(|p| get(p).map(|q| (q.recall10, p.name.as_str())))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        match (get(k), best) {
            (Some(ours), Some((theirs, who))) => {
                let met = ours.recall10 >= theirs - 0.02;
                s.push_str(&format!(
                    "| {what} recall@10 vs best peer ({who}) | {:.3} − {:.3} = {:+.3} | ≥ −0.02 | {} |\n",
                    ours.recall10,
                    theirs,
                    ours.recall10 - theirs,
                    if met { "**met**" } else { "**not met**" }
                ));
            }
            _ => s.push_str(&format!(
                "| {what} recall@10 vs best peer | — | ≥ −0.02 | not measured |\n"
            )),
        }
    }
    if let Some(rss) = k.rss_mb {
        let per_million = rss / (size as f64 / 1e6).max(1e-9);
        s.push_str(&format!(
            "| Kejiyun RSS per 1M postings | {per_million:.0} MB | ≤ 150 MB | {} |\n",
            if per_million <= 150.0 {
                "**met**"
            } else {
                "**not met**"
            }
        ));
    }
    s
}
