//! Index-level tests: search, filters, hostile input, matching with scope, persistence.

use kejiyun_core::market::categories::{Category, Scope};
use kejiyun_core::matching::MatchReason;
use kejiyun_core::paging::Page;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::search_ports::{DocKind, MatchQuery, SearchDocument, SearchEngine, SearchQuery};
use kejiyun_core::time::Timestamp;

use crate::{Analyzer, Change, SearchIndex};

const DAY: i64 = 86_400_000_000;
const NOW: Timestamp = Timestamp(1_800_000_000_000_000);

fn region(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn cat(s: &str) -> Option<Category> {
    Some(Category::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")))
}

fn doc(kind: DocKind, id: i64, title: &str, body: &str) -> SearchDocument {
    SearchDocument {
        kind,
        id,
        title: title.into(),
        body: body.into(),
        tags: Vec::new(),
        category: None,
        region: region("511623"),
        scope: None,
        owner: Some(1000 + id),
        owner_deals: 0,
        published_at: Timestamp(NOW.0 - 10 * DAY),
    }
}

fn corpus() -> Vec<SearchDocument> {
    vec![
        SearchDocument {
            category: cat("fruit"),
            scope: Some(Scope::County),
            tags: vec!["柑橘".into(), "植保".into()],
            ..doc(
                DocKind::Service,
                1,
                "柑橘黄龙病防治技术服务",
                "提供柑橘黄龙病田间诊断、木虱防控和病树清除指导。",
            )
        },
        SearchDocument {
            category: cat("fruit"),
            scope: Some(Scope::National),
            owner_deals: 12,
            region: region("510104"),
            ..doc(
                DocKind::Service,
                2,
                "果树病虫害绿色防控",
                "柑橘、猕猴桃病虫害绿色防控方案，含黄龙病监测。",
            )
        },
        SearchDocument {
            category: cat("fruit"),
            scope: Some(Scope::County),
            region: region("511621"),
            ..doc(
                DocKind::Service,
                3,
                "岳池县柑橘黄龙病防治",
                "岳池本地柑橘黄龙病防治服务。",
            )
        },
        doc(
            DocKind::Service,
            4,
            "5G基站建设与维护",
            "5G网络规划、基站选址与维护服务。",
        ),
        doc(
            DocKind::Achievement,
            5,
            "GMP车间洁净改造技术",
            "符合GMP要求的药品生产车间改造成果。",
        ),
        SearchDocument {
            category: cat("fruit"),
            ..doc(
                DocKind::Need,
                6,
                "柑橘园黄龙病急需防治",
                "我家柑橘园出现黄龙病症状，需要专家上门诊断和防治。",
            )
        },
        doc(
            DocKind::TechWorker,
            7,
            "张农艺师",
            "果树栽培与柑橘病害防治专家。",
        ),
        doc(
            DocKind::Org,
            8,
            "邻水县农业技术推广中心",
            "农技推广服务机构。",
        ),
    ]
}

fn index() -> SearchIndex {
    let index = SearchIndex::in_memory(Analyzer::new()).unwrap_or_else(|e| panic!("{e}"));
    let changes: Vec<Change> = corpus().into_iter().map(Change::Upsert).collect();
    index.apply(&changes, 8).unwrap_or_else(|e| panic!("{e}"));
    index
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        kinds: Vec::new(),
        region: None,
        category: None,
        page: Page::default(),
    }
}

fn ids(index: &SearchIndex, q: &SearchQuery) -> Vec<i64> {
    index
        .search(q)
        .unwrap_or_else(|e| panic!("{e}"))
        .hits
        .iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn chinese_query_finds_the_posting_first_with_highlights() {
    let index = index();
    let r = index
        .search(&query("柑橘黄龙病"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(r.total >= 3, "{r:?}");
    assert!(r.terms.contains(&"黄龙病".to_owned()));
    let top = &r.hits[0];
    assert!([1, 3, 6].contains(&top.id), "{r:?}");
    assert!(top.title_html.contains("<b>"), "{}", top.title_html);
    assert!(!ids(&index, &query("柑橘黄龙病")).contains(&4));
}

#[test]
fn mixed_and_one_character_queries() {
    let index = index();
    assert_eq!(ids(&index, &query("5G")).first(), Some(&4));
    assert_eq!(ids(&index, &query("gmp")).first(), Some(&5));
    assert!(ids(&index, &query("橘")).contains(&1), "one character");
    // A word the index segmented differently still finds its title.
    assert!(ids(&index, &query("推广中心")).contains(&8));
}

#[test]
fn filters_by_kind_region_and_category() {
    let index = index();
    let q = SearchQuery {
        kinds: vec![DocKind::Need],
        ..query("柑橘")
    };
    assert_eq!(ids(&index, &q), [6]);
    let q = SearchQuery {
        region: Some(region("511621")),
        ..query("黄龙病")
    };
    assert_eq!(ids(&index, &q), [3]);
    let q = SearchQuery {
        region: Some(region("511600")),
        category: cat("fruit"),
        ..query("黄龙病")
    };
    let mut found = ids(&index, &q);
    found.sort();
    assert_eq!(found, [1, 3, 6]);
}

#[test]
fn empty_and_hostile_queries_are_answered() {
    let index = index();
    let all = index.search(&query("")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        all.total, 8,
        "an empty query lists everything, newest first"
    );
    for text in [
        "\"柑橘",
        "((( AND OR NOT",
        "title:柑橘 +-*?~^",
        "😀🍊",
        "\u{0}\u{202e}\u{feff}",
        &"柑橘黄龙病".repeat(2_000),
    ] {
        let r = index.search(&query(text));
        assert!(r.is_ok(), "{text:.20}: {r:?}");
    }
    let deep = SearchQuery {
        page: Page::new(Some(100_000), Some(100)).unwrap_or_else(|e| panic!("{e}")),
        ..query("柑橘")
    };
    let r = index.search(&deep).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.hits.is_empty() && r.total > 0);
    assert!(
        index
            .search(&query("量子纠缠"))
            .unwrap_or_else(|e| panic!("{e}"))
            .hits
            .is_empty()
    );
}

#[test]
fn snippets_escape_html() {
    let index = SearchIndex::in_memory(Analyzer::new()).unwrap_or_else(|e| panic!("{e}"));
    let d = doc(
        DocKind::Service,
        1,
        "<script>柑橘</script>",
        "<img src=x onerror=alert(1)>柑橘",
    );
    index
        .apply(&[Change::Upsert(d)], 1)
        .unwrap_or_else(|e| panic!("{e}"));
    let r = index
        .search(&query("柑橘"))
        .unwrap_or_else(|e| panic!("{e}"));
    let hit = &r.hits[0];
    assert!(!hit.title_html.contains("<script>"), "{}", hit.title_html);
    assert!(!hit.snippet_html.contains("<img"), "{}", hit.snippet_html);
}

fn need_subject() -> SearchDocument {
    corpus()
        .into_iter()
        .find(|d| d.id == 6)
        .unwrap_or_else(|| panic!("need"))
}

fn matches(index: &SearchIndex, subject: SearchDocument) -> Vec<kejiyun_core::search_ports::Match> {
    let kinds = kejiyun_core::matching::counterpart_kinds(subject.kind);
    index
        .matches(&MatchQuery {
            subject,
            kinds,
            limit: 10,
            now: NOW,
        })
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_need_matches_services_that_reach_it_with_reasons() {
    let index = index();
    let found = matches(&index, need_subject());
    let ids: Vec<i64> = found.iter().map(|m| m.id).collect();
    assert!(
        ids.contains(&1),
        "county service in the need's county: {ids:?}"
    );
    assert!(ids.contains(&2), "national service: {ids:?}");
    assert!(
        !ids.contains(&3),
        "county service of another county never matches: {ids:?}"
    );
    assert!(ids.contains(&7), "tech worker: {ids:?}");
    assert!(!ids.contains(&6) && !ids.contains(&8), "{ids:?}");
    let first = found
        .iter()
        .find(|m| m.id == 1)
        .unwrap_or_else(|| panic!("1"));
    assert!(
        first
            .reasons
            .iter()
            .any(|r| matches!(r, MatchReason::Terms(t) if t.contains(&"黄龙病".to_owned())))
    );
    assert!(first.reasons.contains(&MatchReason::SameCategory(
        Category::parse("fruit").unwrap_or_else(|e| panic!("{e}"))
    )));
    assert!(first.reasons.contains(&MatchReason::Reach(Scope::County)));
    assert!(first.strong, "{first:?}");
    let national = found
        .iter()
        .find(|m| m.id == 2)
        .unwrap_or_else(|| panic!("2"));
    assert!(national.reasons.contains(&MatchReason::ProviderDeals(12)));
}

#[test]
fn a_service_matches_needs_inside_its_scope_only() {
    let index = index();
    let service = corpus()
        .into_iter()
        .find(|d| d.id == 1)
        .unwrap_or_else(|| panic!("1"));
    assert_eq!(
        matches(&index, service)
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        [6]
    );
    let yuechi = corpus()
        .into_iter()
        .find(|d| d.id == 3)
        .unwrap_or_else(|| panic!("3"));
    assert!(
        matches(&index, yuechi).is_empty(),
        "the need is in another county"
    );
}

#[test]
fn deletes_and_updates_apply() {
    let index = index();
    index
        .apply(&[Change::Delete(DocKind::Service, 4)], 9)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ids(&index, &query("5G")).is_empty());
    let renamed = doc(DocKind::Service, 5, "中药材种植", "川芎种植技术");
    index
        .apply(
            &[Change::Upsert(SearchDocument {
                kind: DocKind::Achievement,
                ..renamed
            })],
            10,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ids(&index, &query("GMP")).is_empty());
    assert_eq!(ids(&index, &query("川芎")), [5]);
    assert_eq!(index.num_docs(), 7);
}

#[test]
fn the_position_survives_a_restart_and_a_corrupt_index_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("index");
    {
        let index = SearchIndex::open(&path, Analyzer::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(index.position().unwrap_or_else(|e| panic!("{e}")).cursor, 0);
        let changes: Vec<Change> = corpus().into_iter().map(Change::Upsert).collect();
        index.apply(&changes, 42).unwrap_or_else(|e| panic!("{e}"));
    }
    {
        let index = SearchIndex::open(&path, Analyzer::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            index.position().unwrap_or_else(|e| panic!("{e}")).cursor,
            42
        );
        assert_eq!(index.num_docs(), 8);
        assert!(index.size_bytes() > 0);
    }
    // Garble every file: the index is recreated empty (and then rebuilt by the indexer).
    for entry in std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        std::fs::write(entry.path(), b"garbage").unwrap_or_else(|e| panic!("{e}"));
    }
    let index = SearchIndex::open(&path, Analyzer::new()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(index.position().unwrap_or_else(|e| panic!("{e}")).cursor, 0);
    assert_eq!(index.num_docs(), 0);
}

#[test]
/// In a tiny index the shared words are common; the subject's title still drives the match.
fn title_terms_always_count_in_a_small_index() {
    let index = SearchIndex::in_memory(Analyzer::new()).unwrap_or_else(|e| panic!("{e}"));
    let service = SearchDocument {
        category: cat("fruit"),
        scope: Some(Scope::County),
        tags: vec!["柑橘".into(), "黄龙病".into()],
        owner: Some(5),
        ..doc(
            DocKind::Service,
            2,
            "柑橘黄龙病诊断与防治",
            "上门诊断柑橘黄龙病、溃疡病等病害，制定全年防治方案并跟踪指导。",
        )
    };
    let need = SearchDocument {
        category: cat("fruit"),
        owner: Some(9),
        ..doc(
            DocKind::Need,
            1,
            "脐橙黄龙病防治技术咨询",
            "果园 50 亩脐橙近两年陆续出现叶片斑驳黄化，部分果树已经死亡，担心蔓延到整个果园。\n自己挖除病树，喷过几次杀虫剂防木虱\n控制住病情，三年内恢复正常产量",
        )
    };
    index
        .apply(&[Change::Upsert(service), Change::Upsert(need.clone())], 2)
        .unwrap_or_else(|e| panic!("{e}"));
    let m = matches(&index, need);
    assert_eq!(m.len(), 1, "{m:?}");
}

#[test]
fn common_words_give_a_lower_bound_total_and_the_same_top() {
    let mut index = index();
    let exact = index
        .search(&query("柑橘 黄龙病"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(exact.total_exact);
    index.set_exact_count_limit(1);
    let bound = index
        .search(&query("柑橘 黄龙病"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!bound.total_exact);
    assert!(bound.total <= exact.total && bound.total > 0);
    let ids = |r: &kejiyun_core::search_ports::SearchResults| -> Vec<i64> {
        r.hits.iter().map(|h| h.id).collect()
    };
    assert_eq!(ids(&bound), ids(&exact), "same ranking either way");
    // Filters always count exactly.
    let filtered = index
        .search(&SearchQuery {
            kinds: vec![DocKind::Service],
            ..query("柑橘 黄龙病")
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(filtered.total_exact);
}

#[test]
fn a_second_process_cannot_take_an_open_index_and_does_not_harm_it() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("index");
    let first = SearchIndex::open(&path, Analyzer::new()).unwrap_or_else(|e| panic!("{e}"));
    let changes: Vec<Change> = corpus().into_iter().map(Change::Upsert).collect();
    first.apply(&changes, 8).unwrap_or_else(|e| panic!("{e}"));
    let second = SearchIndex::open(&path, Analyzer::new());
    let message = second.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("another process"), "{message}");
    assert_eq!(
        ids(&first, &query("5G")).first(),
        Some(&4),
        "the first one is intact"
    );
    drop(first);
    let again = SearchIndex::open(&path, Analyzer::new()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.position().unwrap_or_else(|e| panic!("{e}")).cursor, 8);
}

#[test]
fn optimize_merges_into_one_segment_per_search_thread_and_deletes_the_rest() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("index");
    let index = SearchIndex::open(&path, Analyzer::new()).unwrap_or_else(|e| panic!("{e}"));
    // Four commits of two documents: four segments (too few for the writer's own merge
    // policy to merge them meanwhile).
    let changes: Vec<Change> = corpus().into_iter().map(Change::Upsert).collect();
    for (n, pair) in changes.chunks(2).enumerate() {
        let cursor = 2 * i64::try_from(n).unwrap_or_default() + 2;
        index.apply(pair, cursor).unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(index.segments() > 2, "{}", index.segments());
    let files = |p: &std::path::Path| {
        std::fs::read_dir(p)
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".idx"))
            .count()
    };
    index.optimize().unwrap_or_else(|e| panic!("{e}"));
    let expected = crate::top::search_segments();
    assert_eq!(index.segments(), expected);
    // The merged-away segments' files are gone, not left for the next commit.
    assert_eq!(files(&path), expected);
    assert_eq!(index.num_docs(), 8);
    assert_eq!(index.position().unwrap_or_else(|e| panic!("{e}")).cursor, 8);
    let found = ids(&index, &query("柑橘黄龙病"));
    assert!(!found.is_empty());
}
