//! `kejiyun bench search`: Kejiyun's search box and matcher side by side with peer engines
//! (Lucene 9.5, Meilisearch's engine milli, PostgreSQL FTS, SQLite FTS5) on one generated
//! corpus, the same queries run interleaved, one Markdown table. Each peer is a long-lived
//! `bench/search/peers.py ENGINE` subprocess speaking JSON lines; it measures its own query
//! latency, so inter-process traffic is not counted. Quality is scored here, with the
//! corpus crate's grading rule (`evaluate`). How to run it with the peers installed:
//! `scripts/bench-search`; results: docs/benchmarks.md.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use kejiyun_corpus::eval::percentile;
use kejiyun_corpus::relevance::{Ask, Entry, Judged, QueryType};
use kejiyun_corpus::{
    Labeled, NeedQuery, PostingId, Ranker, RankerError, RelevanceSet, evaluate, generate, load,
};
use serde_json::{Value, json};

use crate::bench_corpus::sichuan_counties;
use crate::bench_ranker::KejiyunRanker;
use crate::bench_search_table::{EngineRow, Quality, markdown};

pub const PEERS: [&str; 4] = ["lucene", "milli", "postgres", "sqlite"];

pub struct SearchBenchOptions {
    pub size: u64,
    pub seed: u64,
    /// Any of [`PEERS`]; empty for Kejiyun alone.
    pub peers: Vec<String>,
    /// The Python that runs the peers (with pyserini, milli, jieba, psycopg installed).
    pub python: PathBuf,
    /// `bench/search/peers.py`.
    pub script: PathBuf,
    /// Where the corpus and every index go (default: a new temp dir, removed afterwards).
    pub work_dir: Option<PathBuf>,
    /// How many times each query is asked of every engine and timed, after one untimed
    /// warm-up round (JIT, caches) whose rankings are the ones scored.
    pub rounds: usize,
    pub postgres_url: Option<String>,
    /// Kejiyun's index as the bulk load left it (several segments), not merged as
    /// `kejiyun reindex` merges it.
    pub keep_segments: bool,
    /// Time each peer in rounds of its own beside Kejiyun, not all engines in the same rounds.
    pub pairwise: bool,
}

pub struct SearchBenchReport {
    pub rows: Vec<EngineRow>,
    pub markdown: String,
}

/// The process's RssAnon in KiB (its own memory, outside the page cache); 0 where /proc is
/// not there.
pub fn rss_anon_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("RssAnon:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

/// Writes each posting as JSONL (for the peers) and jieba-segmented as
/// `id<TAB>kind<TAB>terms` (for the peers that index segmented text) while it streams past.
struct PeerFiles {
    jsonl: BufWriter<std::fs::File>,
    seg: BufWriter<std::fs::File>,
    jieba: jieba_rs::Jieba,
    error: Option<std::io::Error>,
}

impl PeerFiles {
    fn create(corpus: &Path) -> anyhow::Result<Self> {
        let seg = PathBuf::from(format!("{}.seg.tsv", corpus.display()));
        let open = |p: &Path| {
            std::fs::File::create(p)
                .map(BufWriter::new)
                .with_context(|| format!("creating {}", p.display()))
        };
        Ok(Self {
            jsonl: open(corpus)?,
            seg: open(&seg)?,
            jieba: jieba_rs::Jieba::new(),
            error: None,
        })
    }

    fn write(&mut self, l: &Labeled) {
        if self.error.is_some() {
            return;
        }
        let p = &l.posting;
        let text = format!("{} {}", p.title, p.body);
        let terms: Vec<String> = self
            .jieba
            .cut(&text, true)
            .into_iter()
            .map(|t| t.word.trim().to_lowercase())
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .collect();
        let r = l.write_jsonl(&mut self.jsonl).and_then(|()| {
            writeln!(
                self.seg,
                "{}\t{}\t{}",
                p.id.0,
                p.kind.code(),
                terms.join(" ")
            )
        });
        if let Err(e) = r {
            self.error = Some(e);
        }
    }

    fn finish(mut self) -> anyhow::Result<()> {
        if let Some(e) = self.error {
            return Err(e).context("writing the corpus for the peers");
        }
        self.jsonl.flush()?;
        self.seg.flush()?;
        Ok(())
    }
}

/// A peer engine behind `peers.py`.
struct Peer {
    name: String,
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// Set when the peer failed; it is asked nothing more.
    error: Option<String>,
}

impl Peer {
    fn ask(&mut self, request: &Value) -> Result<Value, String> {
        let line = format!("{request}\n");
        self.stdin
            .write_all(line.as_bytes())
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("writing to the peer: {e}"))?;
        self.read()
    }

    fn read(&mut self) -> Result<Value, String> {
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(0) => Err("the peer exited (see its log in the work dir)".into()),
            Ok(_) => {
                let v: Value =
                    serde_json::from_str(&line).map_err(|e| format!("bad reply {line:?}: {e}"))?;
                match v.get("error").and_then(Value::as_str) {
                    Some(e) => Err(e.to_owned()),
                    None => Ok(v),
                }
            }
            Err(e) => Err(format!("reading from the peer: {e}")),
        }
    }

    /// Sends one query; the ids and the latency the peer measured.
    fn query(&mut self, request: &Value) -> Result<(Vec<PostingId>, Duration), String> {
        let v = self.ask(request)?;
        let ids = v["ids"]
            .as_array()
            .ok_or("reply without ids")?
            .iter()
            .filter_map(Value::as_u64)
            .map(PostingId)
            .collect();
        let us = v["us"].as_f64().ok_or("reply without us")?;
        Ok((ids, Duration::from_secs_f64(us.max(0.0) / 1e6)))
    }
}

/// Starts `peers.py ENGINE` and waits for it to index the corpus.
fn start_peer(
    opts: &SearchBenchOptions,
    name: &str,
    corpus: &Path,
    work: &Path,
) -> (EngineRow, Option<Peer>) {
    let mut row = EngineRow::new(name);
    let log = work.join(format!("peer-{name}.log"));
    let spawned = std::fs::File::create(&log)
        .map_err(anyhow::Error::from)
        .and_then(|log| {
            let mut cmd = Command::new(&opts.python);
            cmd.arg(&opts.script)
                .arg(name)
                .arg("--corpus")
                .arg(corpus)
                .arg("--dir")
                .arg(work.join(format!("peer-{name}")))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(log);
            if let Some(url) = &opts.postgres_url {
                cmd.arg("--pg-url").arg(url);
            }
            Ok(cmd.spawn()?)
        });
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            row.note = format!("not run: cannot start {}: {e}", opts.python.display());
            return (row, None);
        }
    };
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        row.note = "not run: no pipes to the peer".into();
        return (row, None);
    };
    let mut peer = Peer {
        name: name.to_owned(),
        child,
        stdin,
        stdout: BufReader::new(stdout),
        error: None,
    };
    eprintln!("bench search: {name} is indexing …");
    match peer.read() {
        Ok(v) => {
            let docs = v["docs"].as_f64().unwrap_or(0.0);
            let secs = v["index_secs"].as_f64().unwrap_or(0.0);
            row.docs_per_s = Some(docs / secs.max(1e-9));
            row.index_mb = v["index_bytes"].as_f64().map(|b| b / 1e6);
            row.rss_mb = v["rss_kb"].as_f64().map(|k| k / 1024.0);
            row.note = v["version"].as_str().unwrap_or_default().to_owned();
            if docs as u64 != opts.size {
                row.note
                    .push_str(&format!("; indexed {docs} of {} postings", opts.size));
            }
            eprintln!("bench search: {name}: {docs} postings in {secs:.1} s");
            (row, Some(peer))
        }
        Err(e) => {
            row.note = format!("not run: {e}");
            let _ = peer.child.kill();
            let _ = peer.child.wait();
            (row, None)
        }
    }
}

/// Rankings recorded during the timed rounds, replayed so `evaluate` scores them with the
/// corpus crate's own rule.
#[derive(Default)]
struct Replay {
    name: String,
    searches: HashMap<String, Vec<PostingId>>,
    needs: HashMap<(String, String), Vec<PostingId>>,
}

impl Replay {
    fn record(&mut self, entry: &Entry, ids: Vec<PostingId>) {
        match &entry.ask {
            Ask::Search(q) => {
                self.searches.insert(q.clone(), ids);
            }
            Ask::Need(n) => {
                self.needs.insert((n.title.clone(), n.body.clone()), ids);
            }
        }
    }
}

impl Ranker for Replay {
    fn name(&self) -> &str {
        &self.name
    }
    fn index(&mut self, _: &[kejiyun_corpus::Posting]) -> Result<(), RankerError> {
        Ok(())
    }
    fn search(&self, query: &str, k: usize) -> Result<Vec<PostingId>, RankerError> {
        let ids = self.searches.get(query).cloned().unwrap_or_default();
        Ok(ids.into_iter().take(k).collect())
    }
    fn match_need(&self, need: &NeedQuery, k: usize) -> Result<Vec<PostingId>, RankerError> {
        let key = (need.title.clone(), need.body.clone());
        let ids = self.needs.get(&key).cloned().unwrap_or_default();
        Ok(ids.into_iter().take(k).collect())
    }
}

fn request(entry: &Entry) -> Value {
    match &entry.ask {
        Ask::Search(q) => json!({"op": "search", "q": q, "k": 10}),
        Ask::Need(n) => json!({
            "op": "match", "title": n.title, "body": n.body,
            "region": n.region.to_string(), "category": n.category.code(), "k": 10,
        }),
    }
}

fn work_dir(opts: &SearchBenchOptions) -> anyhow::Result<(PathBuf, bool)> {
    match &opts.work_dir {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            Ok((d.clone(), false))
        }
        None => {
            let d =
                std::env::temp_dir().join(format!("kejiyun-bench-search-{}", std::process::id()));
            if d.exists() {
                std::fs::remove_dir_all(&d)?;
            }
            std::fs::create_dir_all(&d)?;
            Ok((d, true))
        }
    }
}

pub fn run(opts: &SearchBenchOptions) -> anyhow::Result<SearchBenchReport> {
    for p in &opts.peers {
        anyhow::ensure!(
            PEERS.contains(&p.as_str()),
            "unknown peer {p:?} (known: {PEERS:?})"
        );
    }
    let (work, remove) = work_dir(opts)?;
    let report = run_in(opts, &work);
    if remove {
        let _ = std::fs::remove_dir_all(&work);
    }
    report
}

fn run_in(opts: &SearchBenchOptions, work: &Path) -> anyhow::Result<SearchBenchReport> {
    let regions = sichuan_counties()?;
    let set = RelevanceSet::builtin().map_err(anyhow::Error::msg)?;
    let corpus = work.join("corpus.jsonl");
    let mut files = if opts.peers.is_empty() {
        None
    } else {
        Some(PeerFiles::create(&corpus)?)
    };

    // Kejiyun: generated once, streamed into its on-disk index (and the peers' files).
    eprintln!(
        "bench search: generating {} postings, indexing Kejiyun …",
        opts.size
    );
    let rss_before = rss_anon_kb();
    let mut kejiyun = KejiyunRanker::on_disk(&work.join("kejiyun"))
        .map_err(|e| anyhow::anyhow!("kejiyun index: {e}"))?;
    kejiyun.merge_after_load = !opts.keep_segments;
    let postings = generate(opts.size, opts.seed, &regions).map_err(anyhow::Error::msg)?;
    let (judged, build) = load(
        &mut kejiyun,
        postings.inspect(|l| {
            if let Some(f) = files.as_mut() {
                f.write(l);
            }
        }),
    )
    .map_err(|e| anyhow::anyhow!("kejiyun: {e}"))?;
    if let Some(f) = files.take() {
        f.finish()?;
    }
    let mut rows = vec![EngineRow::new("Kejiyun")];
    rows[0].docs_per_s = Some(judged.len() as f64 / build.as_secs_f64().max(1e-9));
    rows[0].index_mb = Some(kejiyun.index_size_bytes() as f64 / 1e6);
    rows[0].note = format!(
        "tantivy + jieba-rs, in-process; build {:.1} s; {} segment(s)",
        build.as_secs_f64(),
        kejiyun.segments()
    );
    eprintln!(
        "bench search: Kejiyun: {} postings in {:.1} s",
        judged.len(),
        build.as_secs_f64()
    );

    let mut peers: Vec<Option<Peer>> = Vec::new();
    for name in &opts.peers {
        let (row, peer) = start_peer(opts, name, &corpus, work);
        rows.push(row);
        peers.push(peer);
    }

    // Interleaved: each query goes to Kejiyun, then to the phase's peers, before the next.
    // Pairwise, each peer has a phase of its own beside Kejiyun (no third engine's index
    // competing for memory, so the ratio compares two engines under the same conditions).
    let phases: Vec<Vec<usize>> = if opts.pairwise && peers.len() > 1 {
        (0..peers.len()).map(|i| vec![i]).collect()
    } else {
        vec![(0..peers.len()).collect()]
    };
    let pairwise = phases.len() > 1;
    let mut replays: Vec<Replay> = rows
        .iter()
        .map(|r| Replay {
            name: r.name.clone(),
            ..Replay::default()
        })
        .collect();
    // Kejiyun's timings per query, for the slowest-queries report (what to work on next).
    let mut per_query: Vec<Vec<Duration>> = vec![Vec::new(); set.entries.len()];
    // Each query's request to the peers, built once for every phase and round.
    let requests: Vec<Value> = set.entries.iter().map(request).collect();
    let t = Instant::now();
    let total = opts.rounds.max(1) + 1;
    for (phase_no, phase) in phases.iter().enumerate() {
        let mut beside = EngineRow::new("Kejiyun");
        for round in 0..total {
            let timed = round > 0;
            for (n, entry) in set.entries.iter().enumerate() {
                let is_need = entry.qtype == QueryType::Need;
                let started = Instant::now();
                let ids = match &entry.ask {
                    Ask::Search(q) => kejiyun.search(q, 10),
                    Ask::Need(n) => kejiyun.match_need(n, 10),
                }
                .map_err(|e| anyhow::anyhow!("kejiyun: {e}"))?;
                let elapsed = started.elapsed();
                if timed {
                    rows[0].latency(is_need, elapsed);
                    beside.latency(is_need, elapsed);
                    per_query[n].push(elapsed);
                }
                if round == 0 && phase_no == 0 {
                    replays[0].record(entry, ids);
                }
                for &i in phase {
                    if let Some(peer) = peers[i].as_mut() {
                        let (row, replay) = (&mut rows[i + 1], &mut replays[i + 1]);
                        ask_peer(peer, entry, &requests[n], row, replay, timed);
                    }
                }
            }
            eprintln!(
                "bench search: phase {} of {}, round {} of {total} done (the first untimed; {:.0} s)",
                phase_no + 1,
                phases.len(),
                round + 1,
                t.elapsed().as_secs_f64()
            );
        }
        if pairwise {
            for &i in phase {
                rows[i + 1].kejiyun_beside = Some(Box::new(beside.clone()));
            }
        }
    }

    report_slowest(&set, &per_query);

    // Memory after the queries. Kejiyun's figure leaves out this benchmark's own table of
    // hidden labels (`judged`), which no server holds.
    let judged_kb = (judged.capacity() * std::mem::size_of::<Judged>()) as u64 / 1024;
    let kejiyun_kb = rss_anon_kb()
        .saturating_sub(rss_before)
        .saturating_sub(judged_kb);
    rows[0].rss_mb = Some(kejiyun_kb as f64 / 1024.0);
    for (i, slot) in peers.iter_mut().enumerate() {
        let Some(mut peer) = slot.take() else {
            continue;
        };
        if let Some(e) = &peer.error {
            rows[i + 1].note = format!("{}; {e}", rows[i + 1].note);
        } else if let Ok(v) = peer.ask(&json!({"op": "rss"})) {
            rows[i + 1].rss_mb = v["rss_kb"].as_f64().map(|k| k / 1024.0);
        }
        drop(peer.stdin);
        let _ = peer.child.wait();
    }

    for (row, replay) in rows.iter_mut().zip(&replays) {
        if row.search.is_empty() && row.matching.is_empty() {
            continue;
        }
        let r = evaluate(replay, &judged, &set).map_err(|e| anyhow::anyhow!("{e}"))?;
        let (mut s, mut m) = (Quality::default(), Quality::default());
        for g in &r.by_type {
            let q = if g.group == QueryType::Need.code() {
                &mut m
            } else {
                &mut s
            };
            q.add(g.queries, g.recall10, g.ndcg10);
        }
        row.search_quality = s.finish();
        row.match_quality = m.finish();
    }
    let markdown = markdown(opts.size, opts.seed, opts.rounds, pairwise, &set, &rows);
    Ok(SearchBenchReport { rows, markdown })
}

/// Asks one query of a peer that has not failed: times it into `row` (timed rounds) and keeps
/// its ranking in `replay` (the untimed round); a failure stops that peer for the rest.
fn ask_peer(
    peer: &mut Peer,
    entry: &Entry,
    req: &Value,
    row: &mut EngineRow,
    replay: &mut Replay,
    timed: bool,
) {
    if peer.error.is_some() {
        return;
    }
    match peer.query(req) {
        Ok((_, latency)) if timed => row.latency(entry.qtype == QueryType::Need, latency),
        Ok((ids, _)) => replay.record(entry, ids),
        Err(e) => {
            eprintln!("bench search: {} failed on {}: {e}", peer.name, entry.id);
            peer.error = Some(format!("failed on query {}: {e}", entry.id));
        }
    }
}

/// Prints Kejiyun's five slowest searches and needs by median time (stderr: a lead for
/// profiling, not part of the table).
fn report_slowest(set: &RelevanceSet, per_query: &[Vec<Duration>]) {
    for need in [false, true] {
        let mut medians: Vec<(Duration, &Entry)> = set
            .entries
            .iter()
            .zip(per_query)
            .filter(|(e, t)| (e.qtype == QueryType::Need) == need && !t.is_empty())
            .map(|(e, t)| (pct(t, 50), e))
            .collect();
        medians.sort_unstable_by_key(|m| std::cmp::Reverse(m.0));
        let what = if need { "needs" } else { "searches" };
        for (median, entry) in medians.iter().take(5) {
            let text = match &entry.ask {
                Ask::Search(q) => q.clone(),
                Ask::Need(n) => n.title.clone(),
            };
            eprintln!(
                "bench search: slowest {what}: {} median {:.3} ms: {text}",
                entry.id,
                median.as_secs_f64() * 1e3
            );
        }
    }
}

/// Nearest-rank percentile of unsorted latencies.
pub fn pct(latencies: &[Duration], p: usize) -> Duration {
    let mut v = latencies.to_vec();
    v.sort_unstable();
    percentile(&v, p)
}
