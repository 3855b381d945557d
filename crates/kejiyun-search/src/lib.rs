//! Search and supply–demand matching for Kejiyun: a tantivy index with a jieba tokenizer
//! ([`analyzer`]), the search box ([`query`]), matching ([`matcher`], applying the rules of
//! `kejiyun_core::matching`) and the single index writer that follows the database's outbox
//! ([`indexer`]). It knows nothing of HTTP or SQL: the database reaches it through
//! `kejiyun_core::search_ports::SearchFeed`, and the application through `SearchEngine`.

pub mod analyzer;
mod columns;
pub mod equivalents;
pub mod index;
pub mod indexer;
mod lookup;
pub mod matcher;
mod maxscore;
pub mod query;
pub mod schema;
pub mod semantic;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod top;
pub mod vectors;

use kejiyun_core::search_ports::{
    Match, MatchQuery, SearchEngine, SearchError, SearchQuery, SearchResults,
};

pub use analyzer::Analyzer;
pub use index::{Change, Health, Position, SearchIndex};
pub use indexer::Indexer;
pub use semantic::Semantic;

impl SearchEngine for SearchIndex {
    fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        self.guarded("search", || self.run_search(query))
    }

    fn matches(&self, query: &MatchQuery) -> Result<Vec<Match>, SearchError> {
        self.guarded("matches", || self.run_matches(query))
    }
}

#[cfg(test)]
mod tests;
