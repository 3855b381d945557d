//! Measurement of Kejiyun's search and matching (issue 4, "Measured, in the repo"): a seeded,
//! streaming generator of Chinese postings with hidden topic labels ([`generate`]), the
//! committed relevance set and its grading rule ([`relevance`]), ranking metrics
//! ([`metrics`]), the [`Ranker`] interface every engine implements with [`evaluate`] scoring
//! it, and a plain BM25 baseline ([`Bm25`]); the hand-written realistic set and its
//! evaluation ([`realistic`], issue 17); the Expert Q&A routing set ([`questions`], issue 22).
//! No HTTP, no SQL.

pub mod baseline;
pub mod bm25;
pub mod catalogue;
pub mod eval;
pub mod generate;
pub mod metrics;
mod posting;
pub mod questions;
pub mod realistic;
pub mod relevance;
#[cfg(test)]
mod test_support;

pub use bm25::Bm25;
pub use eval::{Ranker, RankerError, Report, Row, evaluate, load};
pub use generate::{Generator, generate};
pub use posting::{Kind, Labeled, Labels, Posting, PostingId};
pub use relevance::{NeedQuery, RelevanceSet};
