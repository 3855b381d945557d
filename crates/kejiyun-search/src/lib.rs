//! Search and supply–demand matching for Kejiyun.
//!
//! Intentionally empty in the foundation: the search issue brings the tantivy index with a
//! jieba tokenizer, the single index writer that applies committed `outbox` rows in order, and
//! the matching queries. This crate will know nothing of HTTP or SQL (`scripts/check-deps`
//! enforces it); until then nothing depends on it.
