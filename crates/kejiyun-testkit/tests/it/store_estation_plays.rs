//! The heartbeat half of the 科普e站 storage contract (`EstationStore::record_heartbeat`,
//! `play_days`), run from `store_estations` on every backend: plays stored once whatever is
//! resent, also when one report arrives twice at the same moment, and proof of play summed per
//! Beijing day and item.

use kejiyun_core::estations::Play;
use kejiyun_core::estations::ports::EstationStore;
use kejiyun_core::ids::{EstationId, ResourceId};
use kejiyun_db::SeaStore;

use crate::store_estations::{get, hash, not_found, play, resource, screen};
use crate::store_stats::{date, must, sh, user};

pub async fn plays(store: &SeaStore, a: EstationId, b: EstationId, [r1, r2]: [ResourceId; 2]) {
    let now = sh(2026, 6, 10, 9, 0, 0);
    // Beijing days: 06-08 23:59:50 is still the 8th; 06-09 00:00:05 the 9th.
    let first = vec![
        play("play-0001", r1, sh(2026, 6, 8, 23, 59, 50), 15_500),
        play("play-0002", r1, sh(2026, 6, 9, 0, 0, 5), 20_700),
        play("play-0003", r2, sh(2026, 6, 9, 8, 0, 0), 999),
        play("play-0004", r1, sh(2026, 6, 9, 8, 1, 0), 10_000),
        // A key twice in one report: its first play.
        play("play-0004", r2, sh(2026, 6, 9, 8, 2, 0), 77_000),
    ];
    assert_eq!(
        must(store.record_heartbeat(a, now, Some(r1), &first).await),
        4
    );
    let got = get(store, a).await;
    assert_eq!(
        (
            got.last_seen_at,
            got.now_playing,
            got.now_playing_title.as_deref()
        ),
        (Some(now), Some(r1), Some("柑橘冬季修剪要点"))
    );
    assert!(got.is_online(now.plus_seconds(30)));
    assert_eq!(
        must(
            store
                .record_heartbeat(a, now.plus_seconds(20), None, &first)
                .await
        ),
        0,
        "the same report again"
    );
    let got = get(store, a).await;
    assert_eq!(
        (got.last_seen_at, got.now_playing, got.now_playing_title),
        (Some(now.plus_seconds(20)), None, None)
    );
    let mut more = first[1..3].to_vec();
    more.push(play("play-0005", r2, sh(2026, 6, 9, 9, 0, 0), 1_500));
    assert_eq!(
        must(
            store
                .record_heartbeat(a, now.plus_seconds(40), Some(r2), &more)
                .await
        ),
        1,
        "only the new play"
    );
    assert_eq!(
        must(
            store
                .record_heartbeat(a, now.plus_seconds(60), None, &[])
                .await
        ),
        0
    );
    // The same keys from another screen are that screen's plays.
    assert_eq!(
        must(store.record_heartbeat(b, now, None, &first[..2]).await),
        2
    );
    not_found(
        store
            .record_heartbeat(EstationId(999_999), now, None, &first)
            .await,
        "a missing screen's heartbeat",
    );

    // Proof of play: per Beijing day and resource, newest day first; whole seconds.
    let days = must(
        store
            .play_days(a, date(2026, 6, 1), date(2026, 6, 30))
            .await,
    );
    let rows: Vec<_> = days
        .iter()
        .map(|d| (d.day, d.resource, d.title.as_str(), d.plays, d.seconds))
        .collect();
    assert_eq!(
        rows,
        vec![
            (date(2026, 6, 9), r1, "柑橘冬季修剪要点", 2, 30),
            (date(2026, 6, 9), r2, "防范电信诈骗十问", 2, 2),
            (date(2026, 6, 8), r1, "柑橘冬季修剪要点", 1, 15),
        ]
    );
    let one_day = must(store.play_days(a, date(2026, 6, 8), date(2026, 6, 8)).await);
    assert_eq!(
        one_day.iter().map(|d| (d.day, d.plays)).collect::<Vec<_>>(),
        vec![(date(2026, 6, 8), 1)]
    );
    assert!(
        must(
            store
                .play_days(a, date(2026, 6, 10), date(2026, 6, 30))
                .await
        )
        .is_empty()
    );
    let theirs = must(
        store
            .play_days(b, date(2026, 6, 1), date(2026, 6, 30))
            .await,
    );
    assert_eq!(theirs.iter().map(|d| d.plays).sum::<i64>(), 2);
}

/// A player that sends one report twice at once (a retry racing the original): every play is
/// stored exactly once, and the two answers together count each once.
pub async fn same_report_twice_at_once(store: &SeaStore) {
    let admin = user(store, "并发测试").await;
    let r = resource(store, "暴雨天气防范指南").await;
    let screen_id = screen(store, admin, "并发屏", "511623", None, &hash('e')).await;
    let at = sh(2026, 6, 10, 9, 0, 0);
    let report: Vec<Play> = (0..60)
        .map(|i| {
            play(
                &format!("race-{i:04}"),
                r,
                sh(2026, 6, 9, 8, 0, 0).plus_seconds(i * 20),
                1_000,
            )
        })
        .collect();
    for round in 0..3 {
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let st = store.clone();
                let report = report.clone();
                tokio::spawn(
                    async move { st.record_heartbeat(screen_id, at, Some(r), &report).await },
                )
            })
            .collect();
        let mut stored = 0;
        for t in tasks {
            stored += must(t.await.unwrap_or_else(|e| panic!("task: {e}")));
        }
        assert_eq!(
            stored,
            if round == 0 { 60 } else { 0 },
            "round {round}: each play counted once"
        );
    }
    let days = must(
        store
            .play_days(screen_id, date(2026, 6, 9), date(2026, 6, 9))
            .await,
    );
    assert_eq!(
        days.iter()
            .map(|d| (d.plays, d.seconds))
            .collect::<Vec<_>>(),
        vec![(60, 60)]
    );
}
