//! The volunteer activities storage contract (`volunteers::activity_ports::ActivityStore`) on
//! every configured backend: an activity round-trips with its team and leader, sign-ups stay
//! within the capacity (also when eight volunteers race for the last place) and happen once,
//! check-in and check-out each happen once, adjusted minutes win, a decision is made once,
//! a report with photos counts on the activity's date, and `activities`, `people_served`,
//! `materials_distributed` and `service_hours` equal what the records say.

use std::collections::BTreeMap;

use kejiyun_core::ids::{ActivityId, TeamId, UserId};
use kejiyun_core::paging::Page;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::StoreError;
use kejiyun_core::stats::{Cell, Metric};
use kejiyun_core::volunteers::TeamDraft;
use kejiyun_core::volunteers::activities::{
    ActivityDraft, ActivityInput, HoursStatus, ReportDraft, SignupHow,
};
use kejiyun_core::volunteers::activity_ports::{ActivityFilter, ActivityStore, NewActivity, Punch};
use kejiyun_core::volunteers::ports::{NewTeam, VolunteerStore};
use kejiyun_db::SeaStore;
use kejiyun_testkit::backends;

use crate::store_stats::{check_range, fresh_store, must, recomputed, sh, user, whole};

fn figures(cells: &BTreeMap<Cell, i64>) -> [i64; 4] {
    let sum = |m| {
        cells
            .iter()
            .filter(|(c, _)| c.metric == m)
            .map(|(_, v)| v)
            .sum()
    };
    [
        sum(Metric::Activities),
        sum(Metric::PeopleServed),
        sum(Metric::MaterialsDistributed),
        sum(Metric::ServiceHours),
    ]
}

fn conflict<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) -> String {
    match r {
        Err(StoreError::Conflict(m)) => m,
        other => panic!("{what}: expected a conflict, got {other:?}"),
    }
}

fn draft(team: Option<TeamId>, capacity: i64) -> ActivityDraft {
    ActivityDraft::parse(&ActivityInput {
        team: team.map(|t| t.0),
        kind: "field_guidance".into(),
        title: "柑橘冬季清园田间指导".into(),
        place: "邻水县柑子镇柑橘示范园".into(),
        region: "511623".into(),
        starts_at: "2026-06-05 09:00".into(),
        ends_at: "2026-06-05 12:00".into(),
        capacity,
        skills: "种养植".into(),
        description: "清园、修剪、病虫害识别".into(),
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

async fn create(store: &SeaStore, team: Option<TeamId>, by: UserId, capacity: i64) -> ActivityId {
    must(
        store
            .create_activity(
                &NewActivity {
                    draft: draft(team, capacity),
                    checkin_secret: "ab".repeat(32),
                    created_by: by,
                },
                sh(2026, 6, 1, 9, 0, 0),
            )
            .await,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn activity_store_contract_on_every_backend() {
    for backend in backends() {
        eprintln!("store volunteer activities: backend={}", backend.name());
        let (db, store) = fresh_store(backend).await;
        contract(&store).await;
        last_place_under_concurrency(&store).await;
        db.cleanup().await;
    }
}

async fn contract(store: &SeaStore) {
    let (admin, leader, a, b, c) = (
        user(store, "县科协").await,
        user(store, "队长").await,
        user(store, "志愿甲").await,
        user(store, "志愿乙").await,
        user(store, "志愿丙").await,
    );
    let team = must(
        store
            .create_teams(
                &[(
                    NewTeam {
                        draft: TeamDraft::parse(
                            "邻水县科技志愿服务支队",
                            "支队",
                            None,
                            "511623",
                            leader,
                            "",
                        )
                        .unwrap_or_else(|e| panic!("{e}")),
                        created_by: admin,
                    },
                    None,
                )],
                sh(2026, 6, 1, 8, 0, 0),
            )
            .await,
    )[0];
    let id = create(store, Some(team), leader, 2).await;
    let act = must(store.activity(id).await).unwrap_or_else(|| panic!("read back"));
    assert_eq!(act.team_name.as_deref(), Some("邻水县科技志愿服务支队"));
    assert_eq!(act.team_leader, Some(leader));
    assert_eq!((act.capacity, act.signed_up), (2, 0));
    assert!(act.report.is_none());
    assert_eq!(
        must(store.activity_secret(id).await).as_deref(),
        Some("ab".repeat(32).as_str())
    );
    let listed = must(
        store
            .activities(
                &ActivityFilter {
                    scope: RegionScope::Within(vec![crate::store_stats::code("511600")]),
                    team: Some(team),
                    upcoming_at: None,
                },
                Page::default(),
            )
            .await,
    );
    assert_eq!(listed.total, 1);

    // Two places: a and b get them, c is told it is full; a again is told it is signed up.
    let at = sh(2026, 6, 2, 9, 0, 0);
    must(store.sign_up(id, a, SignupHow::SelfSignup, at).await);
    must(store.sign_up(id, b, SignupHow::Assigned, at).await);
    let m = conflict(
        store.sign_up(id, c, SignupHow::SelfSignup, at).await,
        "full",
    );
    assert!(m.contains("名额已满"), "{m}");
    let m = conflict(
        store.sign_up(id, a, SignupHow::SelfSignup, at).await,
        "twice",
    );
    assert!(m.contains("已报名"), "{m}");
    assert_eq!(must(store.activity(id).await).map(|a| a.signed_up), Some(2));

    // Check-in once; check-out only after check-in, once; the hours then wait.
    let m = conflict(
        store
            .punch(id, b, Punch::Out { minutes: 10 }, sh(2026, 6, 5, 9, 0, 0))
            .await,
        "out before in",
    );
    assert!(m.contains("先签到"), "{m}");
    assert!(must(
        store
            .punch(id, a, Punch::In, sh(2026, 6, 5, 8, 55, 0))
            .await
    ));
    assert!(!must(
        store.punch(id, a, Punch::In, sh(2026, 6, 5, 9, 5, 0)).await
    ));
    assert!(must(
        store
            .punch(
                id,
                a,
                Punch::Out { minutes: 170 },
                sh(2026, 6, 5, 11, 50, 0)
            )
            .await
    ));
    assert!(!must(
        store
            .punch(id, a, Punch::Out { minutes: 1 }, sh(2026, 6, 5, 11, 55, 0))
            .await
    ));
    let s = must(store.signup(id, a).await).unwrap_or_else(|| panic!("signup"));
    assert_eq!(s.checked_in_at, Some(sh(2026, 6, 5, 8, 55, 0)));
    assert_eq!(s.minutes, Some(170));
    assert_eq!(s.hours_status, Some(HoursStatus::Pending));
    let m = conflict(store.punch(id, c, Punch::In, at).await, "not signed up");
    assert!(m.contains("未报名"), "{m}");

    // b never checked out: the organizer records their time, then both are decided once.
    must(
        store
            .adjust_minutes(id, b, 120, "忘记签退，按现场记录补录")
            .await,
    );
    must(
        store
            .decide_hours(
                id,
                a,
                HoursStatus::Approved,
                None,
                leader,
                sh(2026, 6, 6, 9, 0, 0),
            )
            .await,
    );
    must(
        store
            .decide_hours(
                id,
                b,
                HoursStatus::Declined,
                Some("现场记录不全".into()),
                leader,
                sh(2026, 6, 6, 9, 0, 0),
            )
            .await,
    );
    conflict(
        store
            .decide_hours(
                id,
                a,
                HoursStatus::Declined,
                None,
                leader,
                sh(2026, 6, 6, 9, 0, 0),
            )
            .await,
        "decided twice",
    );
    conflict(
        store.adjust_minutes(id, a, 10, "改一改").await,
        "adjust decided",
    );
    let declined = must(store.signup(id, b).await).unwrap_or_else(|| panic!("signup"));
    assert_eq!(declined.hours_reason.as_deref(), Some("现场记录不全"));
    assert_eq!(declined.service_minutes(), Some(120));
    assert_eq!(figures(&recomputed(store).await), [0, 0, 0, 170]);

    // The report counts on the activity's day; a corrected one replaces it.
    let report = |people: u32| ReportDraft {
        people_served: people,
        materials_distributed: 300,
        gifts: 20,
        questions_answered: 45,
        note: Some("现场解答清园问题".into()),
        photos: vec![],
    };
    must(
        store
            .file_report(id, &report(100), sh(2026, 6, 5, 13, 0, 0))
            .await,
    );
    must(
        store
            .file_report(id, &report(120), sh(2026, 6, 5, 14, 0, 0))
            .await,
    );
    let act = must(store.activity(id).await).unwrap_or_else(|| panic!("read back"));
    let r = act.report.unwrap_or_else(|| panic!("report"));
    assert_eq!((r.people_served, r.questions_answered), (120, 45));
    let cells = recomputed(store).await;
    assert_eq!(figures(&cells), [1, 120, 300, 170]);
    check_range(store, &cells, whole("510000")).await;

    // The volunteer's record: the activity, their approved minutes.
    let record = must(store.service_record(a, None).await);
    assert_eq!(record.len(), 1);
    assert_eq!(record[0].signup.approved_minutes(), 170);
    let other_year = must(
        store
            .service_record(a, Some((sh(2025, 1, 1, 0, 0, 0), sh(2026, 1, 1, 0, 0, 0))))
            .await,
    );
    assert!(other_year.is_empty());
}

/// Eight volunteers ask for the last place at once: exactly one gets it.
async fn last_place_under_concurrency(store: &SeaStore) {
    let admin = user(store, "市科协").await;
    let id = create(store, None, admin, 3).await;
    for i in 0..2 {
        let u = user(store, &format!("早到{i}")).await;
        must(
            store
                .sign_up(id, u, SignupHow::SelfSignup, sh(2026, 6, 2, 8, 0, 0))
                .await,
        );
    }
    let mut late = Vec::new();
    for i in 0..8 {
        late.push(user(store, &format!("抢名额{i}")).await);
    }
    let mut tasks = Vec::new();
    for u in late {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.sign_up(id, u, SignupHow::SelfSignup, sh(2026, 6, 2, 9, 0, 0))
                .await
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
    assert_eq!(must(store.activity(id).await).map(|a| a.signed_up), Some(3));
    assert_eq!(must(store.signups(id).await).len(), 3);
    // The volunteer store is untouched by sign-ups (no profile needed at this level).
    assert!(must(store.volunteer_of(admin).await).is_none());
}
