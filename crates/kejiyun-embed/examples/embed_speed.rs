//! Times the engine on this machine: model load (read + SHA-256 + parse), `embed_query` on
//! short needs, `embed_passages` on posting-sized texts, and `embed_query` of the portable build.
//!
//!   cargo run --release -p kejiyun-embed --example embed_speed [MODEL]
//!
//! MODEL defaults to KEJIYUN_EMBED_MODEL or ./models/e5-small-q4.bin.

use std::path::PathBuf;
use std::time::Instant;

use kejiyun_embed::{Embedder, MODEL_ENV, dot};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args_os()
        .nth(1)
        .or_else(|| std::env::var_os(MODEL_ENV))
        .map_or_else(|| PathBuf::from("models/e5-small-q4.bin"), PathBuf::from);
    let t = Instant::now();
    let e = Embedder::load(&path)?;
    println!(
        "load: {:.0} ms (engine {}, dim {})",
        t.elapsed().as_secs_f64() * 1e3,
        e.engine(),
        e.dim()
    );
    let queries = [
        "柑橘黄龙病防治",
        "猕猴桃溃疡病怎么治",
        "求一个会做微信小程序的团队",
        "我家鱼塘的水老是发绿，鱼不吃食，咋整",
        "想把专利转让出去，找个懂行的",
        "生猪非洲猪瘟防控 生物安全",
        "茶叶加工设备",
        "土壤检测",
    ];
    let _ = e.embed_query("warm-up");
    let rounds = 5;
    let t = Instant::now();
    for _ in 0..rounds {
        for q in queries {
            let _ = e.embed_query(q);
        }
    }
    let n = rounds * queries.len();
    println!(
        "embed_query: {:.1} ms per short query (mean of {n})",
        t.elapsed().as_secs_f64() * 1e3 / n as f64
    );
    let body = "本团队长期从事柑橘病虫害绿色防控技术研究与推广，提供黄龙病、溃疡病快速检测，\
                木虱统防统治方案设计，果园土壤改良与测土配方施肥指导，可上门服务，覆盖全省。";
    let passages: Vec<String> = (0..64).map(|i| format!("服务{i}：{body}")).collect();
    let refs: Vec<&str> = passages.iter().map(String::as_str).collect();
    let t = Instant::now();
    let p = e.embed_passages(&refs);
    let secs = t.elapsed().as_secs_f64();
    println!(
        "embed_passages: {} passages of {} chars in {:.2} s ({:.1} ms each, {:.0}/s)",
        p.len(),
        passages[0].chars().count(),
        secs,
        secs * 1e3 / p.len() as f64,
        p.len() as f64 / secs
    );
    let portable = Embedder::load_portable(&path)?;
    let _ = portable.embed_query("warm-up");
    let t = Instant::now();
    for q in queries {
        let _ = portable.embed_query(q);
    }
    println!(
        "embed_query, portable build (what a CPU without AVX2 runs): {:.1} ms per short query",
        t.elapsed().as_secs_f64() * 1e3 / queries.len() as f64
    );
    drop(portable);
    let q = e.embed_query("柑橘黄龙病防治");
    let near = e.embed_passages(&["柑桔叶片黄化斑驳，疑似黄龙病，求防治技术", "小程序开发"]);
    println!(
        "cos(柑橘黄龙病防治, 柑桔…黄龙病…) = {:.3}; cos(…, 小程序开发) = {:.3}",
        dot(&q, &near[0]),
        dot(&q, &near[1])
    );
    Ok(())
}
