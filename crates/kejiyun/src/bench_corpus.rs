//! `kejiyun bench corpus` (write the seeded posting corpus as JSONL) and `kejiyun bench
//! matching` (score every ranker against the committed relevance set). Results and the
//! relevance rule: docs/benchmarks.md; the machinery: the kejiyun-corpus crate.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use kejiyun_core::regions::{RegionCode, RegionLevel};
use kejiyun_corpus::{Bm25, Ranker, RelevanceSet, Report, evaluate, generate, load};

/// The engines `bench matching` compares. Adding one is one line here.
pub fn rankers() -> anyhow::Result<Vec<Box<dyn Ranker>>> {
    Ok(vec![
        Box::new(
            crate::bench_ranker::KejiyunRanker::in_memory().map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
        Box::new(Bm25::new()),
    ])
}

/// Sichuan's 183 counties (districts, county-level cities), in directory order: the regions
/// postings are placed in. Earlier ones (成都's districts) get more postings.
pub fn sichuan_counties() -> anyhow::Result<Vec<RegionCode>> {
    let dir = kejiyun_db::regions::directory();
    let sichuan = RegionCode::parse("510000").map_err(|e| anyhow::anyhow!("{e}"))?;
    let counties: Vec<RegionCode> = dir
        .children(sichuan)
        .into_iter()
        .flat_map(|city| dir.children(city.code))
        .filter(|c| c.level() == RegionLevel::County)
        .map(|c| c.code)
        .collect();
    anyhow::ensure!(
        !counties.is_empty(),
        "no Sichuan counties in the region directory"
    );
    Ok(counties)
}

pub struct CorpusOptions {
    pub size: u64,
    pub seed: u64,
    pub out: PathBuf,
}

/// Writes the corpus, one JSON object per line; returns the number of postings written.
pub fn run_corpus(opts: &CorpusOptions) -> anyhow::Result<u64> {
    let regions = sichuan_counties()?;
    let file = std::fs::File::create(&opts.out)
        .with_context(|| format!("creating {}", opts.out.display()))?;
    let mut out = BufWriter::new(file);
    let t = Instant::now();
    let mut n = 0;
    for posting in generate(opts.size, opts.seed, &regions).map_err(anyhow::Error::msg)? {
        posting.write_jsonl(&mut out)?;
        n += 1;
    }
    out.flush()?;
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "wrote {n} postings to {} in {secs:.1} s ({:.0} postings/s)",
        opts.out.display(),
        n as f64 / secs.max(1e-9)
    );
    Ok(n)
}

/// One ranker's scores and how long it took to index the corpus.
pub struct Measured {
    pub report: Report,
    pub build: Duration,
}

/// Generates the corpus once per ranker (streaming, so it is never held in full), builds each
/// ranker's index and evaluates it against the committed relevance set.
pub fn measure(size: u64, seed: u64) -> anyhow::Result<Vec<Measured>> {
    let regions = sichuan_counties()?;
    let set = RelevanceSet::builtin().map_err(anyhow::Error::msg)?;
    let mut out = Vec::new();
    for mut ranker in rankers()? {
        let corpus = generate(size, seed, &regions).map_err(anyhow::Error::msg)?;
        let (judged, build) =
            load(ranker.as_mut(), corpus).map_err(|e| anyhow::anyhow!("{}: {e}", ranker.name()))?;
        let report = evaluate(ranker.as_ref(), &judged, &set)
            .map_err(|e| anyhow::anyhow!("{}: {e}", ranker.name()))?;
        out.push(Measured { report, build });
    }
    Ok(out)
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// The Markdown tables `bench matching` prints.
pub fn markdown(size: u64, seed: u64, measured: &[Measured]) -> String {
    let mut s = format!(
        "Corpus: {size} postings, seed {seed}; relevance set: {} queries.\n\n",
        measured.first().map_or(0, |m| m.report.overall.queries)
    );
    s.push_str("| ranker | nDCG@10 | recall@10 | P@5 | p50 ms | p99 ms | build s | docs/s |\n");
    s.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for m in measured {
        let o = &m.report.overall;
        let secs = m.build.as_secs_f64();
        s.push_str(&format!(
            "| {} | {:.3} | {:.3} | {:.3} | {} | {} | {:.1} | {:.0} |\n",
            m.report.ranker,
            o.ndcg10,
            o.recall10,
            o.p5,
            ms(o.p50),
            ms(o.p99),
            secs,
            size as f64 / secs.max(1e-9)
        ));
    }
    s.push_str("\nBy query type (nDCG@10 / recall@10 / P@5, p99 ms):\n\n");
    s.push_str("| ranker | type | queries | nDCG@10 | recall@10 | P@5 | p99 ms |\n");
    s.push_str("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for m in measured {
        for r in &m.report.by_type {
            s.push_str(&format!(
                "| {} | {} | {} | {:.3} | {:.3} | {:.3} | {} |\n",
                m.report.ranker,
                r.group,
                r.queries,
                r.ndcg10,
                r.recall10,
                r.p5,
                ms(r.p99)
            ));
        }
        if !m.report.skipped.is_empty() {
            s.push_str(&format!(
                "\n{}: skipped (nothing relevant in this corpus): {}\n",
                m.report.ranker,
                m.report.skipped.join(", ")
            ));
        }
    }
    s
}

pub fn run_matching(size: u64, seed: u64) -> anyhow::Result<()> {
    let measured = measure(size, seed)?;
    print!("{}", markdown(size, seed, &measured));
    Ok(())
}
