//! The real model (scripts/fetch-model). Each test is skipped, with a line on stderr, when the
//! model file is missing — unless KEJIYUN_REQUIRE_MODEL=1 (CI), which makes that a failure.

use std::sync::{Arc, OnceLock};

use kejiyun_embed::{DIM, Embedder, cosine_i8, dot, model_for_tests, quantize};

/// One load per test binary (72 MB read and hashed).
fn embedder() -> Option<Arc<Embedder>> {
    static E: OnceLock<Option<Arc<Embedder>>> = OnceLock::new();
    E.get_or_init(|| {
        let path = model_for_tests()?;
        Some(Arc::new(
            Embedder::load(&path).unwrap_or_else(|e| panic!("{e}")),
        ))
    })
    .clone()
}

fn norm(v: &[f32]) -> f32 {
    dot(v, v).sqrt()
}

#[test]
fn embeddings_have_dimension_384_and_unit_norm() {
    let Some(e) = embedder() else { return };
    assert_eq!(e.dim(), DIM);
    for v in [
        e.embed_query("柑橘黄龙病防治"),
        e.embed_query(""),
        e.embed_query("How do I treat citrus greening? 2024年 HLB"),
    ] {
        assert_eq!(v.len(), DIM);
        assert!((norm(&v) - 1.0).abs() < 1e-4, "norm {}", norm(&v));
        assert!(v.iter().all(|x| x.is_finite()));
    }
    let p = e.embed_passages(&["柑桔叶片黄化斑驳", "小程序开发"]);
    assert_eq!(p.len(), 2);
    for v in &p {
        assert_eq!(v.len(), DIM);
        assert!((norm(v) - 1.0).abs() < 1e-4);
    }
    assert!(e.embed_passages(&[]).is_empty());
}

#[test]
fn a_need_is_closer_to_its_subject_than_to_another_trade() {
    let Some(e) = embedder() else { return };
    let q = e.embed_query("柑橘黄龙病防治");
    let p = e.embed_passages(&["柑桔叶片黄化斑驳，疑似黄龙病，求防治技术", "小程序开发"]);
    let (near, far) = (dot(&q, &p[0]), dot(&q, &p[1]));
    assert!(near > far, "黄龙病 {near:.3} vs 小程序 {far:.3}");
    // int8 vectors keep the order.
    let (qq, qs) = quantize(&q);
    let (n8, ns) = quantize(&p[0]);
    let (f8, fs) = quantize(&p[1]);
    let (near8, far8) = (cosine_i8(&qq, qs, &n8, ns), cosine_i8(&qq, qs, &f8, fs));
    assert!(near8 > far8);
    assert!((near8 - near).abs() < 0.01, "{near8} vs {near}");
}

#[test]
fn the_same_text_embeds_identically_and_batch_equals_single() {
    let Some(e) = embedder() else { return };
    let a = e.embed_query("四川 511623 邻水县 脐橙 滞销，求电商渠道");
    let b = e.embed_query("四川 511623 邻水县 脐橙 滞销，求电商渠道");
    assert_eq!(a, b);
    let texts = [
        "柑桔叶片黄化斑驳，疑似黄龙病，求防治技术",
        "小程序开发",
        "",
        "生猪非洲猪瘟防控 生物安全\0 after a NUL",
        "提供土壤检测、测土配方施肥服务，覆盖全省",
    ];
    let batch = e.embed_passages(&texts);
    for (t, v) in texts.iter().zip(&batch) {
        let single = e.embed_passages(&[t]);
        assert_eq!(&single[0], v, "{t}");
    }
    // "query: " and "passage: " differ.
    assert_ne!(e.embed_query(texts[1]), batch[1]);
}

#[test]
fn several_threads_may_embed_at_once() {
    let Some(e) = embedder() else { return };
    let texts = ["柑橘黄龙病防治", "小程序开发", "猕猴桃溃疡病", "专利转让"];
    let alone: Vec<Vec<f32>> = texts.iter().map(|t| e.embed_query(t)).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let e = Arc::clone(&e);
                let alone = &alone;
                s.spawn(move || {
                    for round in 0..3 {
                        let k = (i + round) % texts.len();
                        assert_eq!(e.embed_query(texts[k]), alone[k], "thread {i}");
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap_or_else(|_| panic!("a thread panicked"));
        }
    });
}

#[test]
fn long_text_is_embedded_in_windows() {
    let Some(e) = embedder() else { return };
    // Well past 512 tokens; the engine windows it and averages.
    let long = "柑橘黄龙病是柑橘生产上的毁灭性病害，由柑橘木虱传播。".repeat(80);
    let v = e.embed_passages(&[&long]);
    assert!((norm(&v[0]) - 1.0).abs() < 1e-4);
}

#[test]
fn the_portable_build_agrees_with_the_fast_one() {
    let Some(e) = embedder() else { return };
    let Some(path) = model_for_tests() else {
        return;
    };
    let p = Embedder::load_portable(&path).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(p.engine(), "portable");
    for text in ["柑橘黄龙病防治", "求一个会做微信小程序的团队"] {
        let (a, b) = (e.embed_query(text), p.embed_query(text));
        // Same arithmetic in another order (FMA, SIMD sums): equal to float rounding.
        let cos = dot(&a, &b);
        assert!(
            cos > 0.999,
            "{text}: cosine {cos} between {} and portable",
            e.engine()
        );
    }
}
