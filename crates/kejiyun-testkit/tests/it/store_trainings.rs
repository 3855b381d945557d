//! The trainings storage contract (`trainings::ports::TrainingStore`) on every configured
//! backend: a training with its sessions round-trips, enrolment keeps within the capacity
//! (all or none; concurrent requests for the last place: exactly one wins), once per user, the
//! roll takes only enrolled users and counts a person once per session, and the figures
//! `trainings` / `training_attendance` equal what the records say.

use kejiyun_core::ids::{TrainingId, UserId};
use kejiyun_core::paging::Page;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::StoreError;
use kejiyun_core::rotating_code::EventSecret;
use kejiyun_core::stats::Metric;
use kejiyun_core::trainings::ports::{NewTraining, TrainingFilter, TrainingStore};
use kejiyun_core::trainings::{CheckIn, SessionInput, TrainingDraft, TrainingInput};
use kejiyun_db::SeaStore;
use kejiyun_testkit::backends;

use crate::store_stats::{check_range, code, fresh_store, must, recomputed, sh, user, whole};

fn draft(capacity: u32) -> TrainingDraft {
    let input = TrainingInput {
        kind: "practical_tech".into(),
        title: "柑橘绿色防控实用技术培训".into(),
        region: "511623".into(),
        org: None,
        place: Some("邻水县农业农村局三楼会议室".into()),
        online_url: None,
        capacity,
        audience: "种植大户、农技协会员".into(),
        sessions: vec![
            SessionInput {
                starts_at: "2026-06-10 09:00".into(),
                ends_at: "2026-06-10 12:00".into(),
            },
            SessionInput {
                starts_at: "2026-06-11 14:00".into(),
                ends_at: "2026-06-11 17:00".into(),
            },
        ],
    };
    TrainingDraft::parse(&input).unwrap_or_else(|e| panic!("{e}"))
}

async fn create(store: &SeaStore, by: UserId, capacity: u32) -> TrainingId {
    let d = draft(capacity);
    let secrets = d
        .sessions
        .iter()
        .map(|_| EventSecret::generate().to_hex())
        .collect();
    let t = NewTraining {
        draft: d,
        secrets,
        created_by: by,
        at: sh(2026, 6, 1, 9, 0, 0),
    };
    must(store.create_training(&t).await)
}

fn figures(cells: &std::collections::BTreeMap<kejiyun_core::stats::Cell, i64>) -> (i64, i64) {
    let sum = |m| {
        cells
            .iter()
            .filter(|(c, _)| c.metric == m)
            .map(|(_, v)| v)
            .sum()
    };
    (sum(Metric::Trainings), sum(Metric::TrainingAttendance))
}

fn conflict<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) -> String {
    match r {
        Err(StoreError::Conflict(m)) => m,
        other => panic!("{what}: expected a conflict, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn training_store_contract_on_every_backend() {
    for backend in backends() {
        eprintln!("store trainings: backend={}", backend.name());
        let (db, store) = fresh_store(backend).await;
        contract(&store).await;
        last_place_under_concurrency(&store).await;
        db.cleanup().await;
    }
}

async fn contract(store: &SeaStore) {
    let admin = user(store, "县科协").await;
    let (a, b, c) = (
        user(store, "学员甲").await,
        user(store, "学员乙").await,
        user(store, "学员丙").await,
    );
    let id = create(store, admin, 2).await;
    let t = must(store.training(id).await).unwrap_or_else(|| panic!("read back"));
    assert_eq!(t.title, "柑橘绿色防控实用技术培训");
    assert_eq!((t.capacity, t.enrolled, t.sessions.len()), (2, 0, 2));
    assert_eq!(t.sessions[0].seq, 1);
    assert_eq!(t.starts_at(), Some(sh(2026, 6, 10, 9, 0, 0)));
    assert_eq!(figures(&recomputed(store).await), (1, 0), "held: counted");

    // Enrolment: all or none, within the capacity, once per user.
    let full = conflict(
        store.enrol(id, &[a, b, c], sh(2026, 6, 2, 9, 0, 0)).await,
        "3 of 2",
    );
    assert!(full.contains("名额已满"), "{full}");
    must(store.enrol(id, &[a], sh(2026, 6, 2, 9, 0, 0)).await);
    let twice = conflict(
        store.enrol(id, &[a], sh(2026, 6, 2, 9, 5, 0)).await,
        "twice",
    );
    assert!(twice.contains("已报名"), "{twice}");
    must(store.enrol(id, &[b], sh(2026, 6, 2, 9, 0, 0)).await);
    conflict(
        store.enrol(id, &[c], sh(2026, 6, 2, 9, 0, 0)).await,
        "past capacity",
    );
    let t = must(store.training(id).await).unwrap_or_else(|| panic!("read back"));
    assert_eq!(t.enrolled, 2);
    let names: Vec<UserId> = must(store.enrolments(id).await)
        .into_iter()
        .map(|e| e.user)
        .collect();
    assert_eq!(names, vec![a, b]);
    assert!(must(store.is_enrolled(id, a).await));
    assert!(!must(store.is_enrolled(id, c).await));
    let mine = must(
        store
            .trainings(
                &TrainingFilter {
                    scope: RegionScope::Within(vec![code("511600")]),
                    enrolled: Some(b),
                },
                Page::default(),
            )
            .await,
    );
    assert_eq!(mine.total, 1);
    let elsewhere = TrainingFilter {
        scope: RegionScope::Within(vec![code("510100")]),
        enrolled: None,
    };
    assert_eq!(
        must(store.trainings(&elsewhere, Page::default()).await).total,
        0
    );

    // The roll: enrolled users only; present twice is one person-time.
    let (s1, s2) = (t.sessions[0].id, t.sessions[1].id);
    let at = sh(2026, 6, 10, 9, 10, 0);
    let not = conflict(
        store.set_attendance(s1, c, Some(CheckIn::Roll), at).await,
        "not enrolled",
    );
    assert!(not.contains("未报名"), "{not}");
    assert!(must(
        store.set_attendance(s1, a, Some(CheckIn::Code), at).await
    ));
    assert!(!must(
        store.set_attendance(s1, a, Some(CheckIn::Roll), at).await
    ));
    assert!(must(
        store.set_attendance(s1, b, Some(CheckIn::Roll), at).await
    ));
    assert!(must(
        store.set_attendance(s2, a, Some(CheckIn::Roll), at).await
    ));
    assert_eq!(figures(&recomputed(store).await), (1, 3));
    check_range(store, &recomputed(store).await, whole("510000")).await;
    // Unticked: one person-time fewer.
    assert!(must(store.set_attendance(s2, a, None, at).await));
    assert!(!must(store.set_attendance(s2, a, None, at).await));
    let roll = must(store.roll(s1).await);
    assert_eq!(
        roll.iter()
            .map(|r| (r.user, r.check_in))
            .collect::<Vec<_>>(),
        vec![(a, Some(CheckIn::Code)), (b, Some(CheckIn::Roll))]
    );
    assert!(
        must(store.roll(s2).await)
            .iter()
            .all(|r| r.check_in.is_none())
    );
    let cells = recomputed(store).await;
    assert_eq!(figures(&cells), (1, 2));
    check_range(store, &cells, whole("510000")).await;
    let key = must(store.session_key(s1).await).unwrap_or_else(|| panic!("key"));
    assert_eq!(key.training, id);
    assert!(EventSecret::from_hex(&key.secret).is_some());
}

/// Eight users ask for the last place at once: exactly one is enrolled, the others are told
/// it is full, and `enrolled` never passes the capacity.
async fn last_place_under_concurrency(store: &SeaStore) {
    let admin = user(store, "市科协").await;
    let id = create(store, admin, 3).await;
    let early = [user(store, "早到甲").await, user(store, "早到乙").await];
    must(store.enrol(id, &early, sh(2026, 6, 2, 8, 0, 0)).await);
    let mut late = Vec::new();
    for i in 0..8 {
        late.push(user(store, &format!("抢名额{i}")).await);
    }
    let mut tasks = Vec::new();
    for u in late {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.enrol(id, &[u], sh(2026, 6, 2, 9, 0, 0)).await
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap_or_else(|e| panic!("task: {e}")) {
            Ok(()) => won += 1,
            Err(StoreError::Conflict(m)) => assert!(m.contains("名额已满"), "{m}"),
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert_eq!(won, 1, "exactly one gets the last place");
    let t = must(store.training(id).await).unwrap_or_else(|| panic!("read back"));
    assert_eq!(t.enrolled, 3);
    assert_eq!(must(store.enrolments(id).await).len(), 3);
}
