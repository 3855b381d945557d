//! The embedding worker with the real model, against the in-memory database of the writer's
//! tests: published records get vectors, kept in the database; an edit queues a new one while
//! the old one serves; a withdrawal drops it; a new server loads them without computing again.

use std::sync::Arc;

use kejiyun_core::search_ports::{DocKind, SearchFeed};
use kejiyun_embed::Embedder;

use super::Semantic;
use crate::indexer::tests::Feed;
use crate::{Analyzer, Indexer, SearchIndex};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

async fn drain(semantic: &Semantic, index: &Arc<SearchIndex>, feed: &Arc<dyn SearchFeed>) {
    while semantic.pending() > 0 {
        ok(semantic.work(index, feed).await);
    }
}

#[tokio::test]
async fn published_records_get_vectors_that_follow_their_text() {
    let Some(model) = kejiyun_embed::model_for_tests() else {
        return;
    };
    let embedder = Arc::new(ok(Embedder::load(&model)));
    let feed = Arc::new(Feed::default());
    let dyn_feed: Arc<dyn SearchFeed> = feed.clone();
    let wilt = feed.publish("花生青枯病诊断与防治");
    let books = feed.publish("小微企业代理记账");

    let semantic = Semantic::new(embedder.clone());
    let index = Arc::new(ok(SearchIndex::in_memory(Analyzer::new())));
    let mut indexer =
        ok(Indexer::new(index.clone(), dyn_feed.clone())).with_semantic(semantic.clone());
    ok(indexer.catch_up().await);
    assert_eq!(semantic.pending(), 2, "both queued once indexed");
    drain(&semantic, &index, &dyn_feed).await;
    assert_eq!(index.vectors.len(), 2);
    let first = feed
        .stored(wilt)
        .unwrap_or_else(|| panic!("kept in the database"));
    assert_eq!(
        index.vectors.text_hash(DocKind::Service, wilt),
        Some(first.text_hash)
    );

    // An edit queues a new vector; the old one serves until it is ready.
    feed.change(wilt, Some("花生叶斑病诊断与防治"));
    ok(indexer.catch_up().await);
    assert_eq!(semantic.pending(), 1);
    assert_eq!(
        index.vectors.text_hash(DocKind::Service, wilt),
        Some(first.text_hash)
    );
    drain(&semantic, &index, &dyn_feed).await;
    let second = feed.stored(wilt).unwrap_or_else(|| panic!("kept"));
    assert_ne!(second.text_hash, first.text_hash);
    assert_eq!(
        index.vectors.text_hash(DocKind::Service, wilt),
        Some(second.text_hash)
    );

    // A withdrawn record has no vector to be matched by.
    feed.change(books, None);
    ok(indexer.catch_up().await);
    assert_eq!(index.vectors.text_hash(DocKind::Service, books), None);
    assert_eq!(index.vectors.len(), 1);

    // Another server (or this one restarted with a new index) loads the stored vectors and
    // computes none.
    let semantic = Semantic::new(embedder);
    let index = Arc::new(ok(SearchIndex::in_memory(Analyzer::new())));
    let mut indexer =
        ok(Indexer::new(index.clone(), dyn_feed.clone())).with_semantic(semantic.clone());
    ok(indexer.catch_up().await);
    assert_eq!(semantic.pending(), 0, "nothing to compute");
    assert_eq!(
        index.vectors.text_hash(DocKind::Service, wilt),
        Some(second.text_hash)
    );
}
