//! The contests storage contract (`contests::ports::ContestStore`) on every configured
//! backend: a contest round-trips with its spec; entries keep their fields and status; a score
//! revision replaces the judge's sheet; conflicts, assignment and votes read back; awards are
//! replaced until the notice is published, then fixed; a winner nominated to the parent
//! contest carries its origin, once only; and the figures `contest_entries` / `awards` equal
//! what the records say.

use std::collections::BTreeMap;

use kejiyun_core::audit::AuditRecord;
use kejiyun_core::contests::assignment::Assignment;
use kejiyun_core::contests::awards::AwardChoice;
use kejiyun_core::contests::conflicts::{Conflict, ConflictKind, ConflictTarget};
use kejiyun_core::contests::entries::{AuthorInput, EntryInput, EntrySpec, EntryStatus, Origin};
use kejiyun_core::contests::pairwise::PairwiseVote;
use kejiyun_core::contests::ports::{ContestFilter, ContestStore, NewContest, NewEntry};
use kejiyun_core::contests::rubric::CriterionInput;
use kejiyun_core::contests::scoring::ScoreSheet;
use kejiyun_core::contests::spec::{AwardLevelInput, ParentInput};
use kejiyun_core::contests::timeline::TimelineInput;
use kejiyun_core::contests::{ContestDraft, ContestSpec, ScoringMethod};
use kejiyun_core::ids::{ContestId, EntryId, UserId};
use kejiyun_core::paging::Page;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::StoreError;
use kejiyun_core::stats::{Cell, Metric};
use kejiyun_core::time::Timestamp;
use kejiyun_db::SeaStore;
use kejiyun_testkit::backends;

use crate::store_stats::{check_range, code, fresh_store, must, recomputed, sh, user, whole};

fn draft(region: &str, parent: Option<(ContestId, &str)>) -> ContestDraft {
    ContestDraft {
        name: "四川省青少年科技创新大赛".into(),
        edition: "第36届".into(),
        kind: "youth_innovation".into(),
        region: region.into(),
        groups: vec!["小学".into(), "初中".into()],
        timeline: TimelineInput {
            entries_open: "2026-03-01 09:00".into(),
            entries_close: "2026-03-31 18:00".into(),
            judging_open: "2026-04-05 09:00".into(),
            judging_close: "2026-04-20 18:00".into(),
            notice_open: "2026-04-25 09:00".into(),
            notice_close: "2026-05-02 18:00".into(),
        },
        rubric: vec![
            CriterionInput {
                name: "创新性".into(),
                weight: 40,
                min: 0,
                max: 10,
            },
            CriterionInput {
                name: "科学性".into(),
                weight: 60,
                min: 0,
                max: 10,
            },
        ],
        awards: vec![
            AwardLevelInput {
                name: "一等奖".into(),
                count: 1,
            },
            AwardLevelInput {
                name: "二等奖".into(),
                count: 2,
            },
        ],
        min_judges_per_entry: 2,
        scoring: "trimmed_mean".into(),
        trim: 1,
        parent: parent.map(|(id, r)| ParentInput {
            contest: id.0,
            region: r.into(),
        }),
    }
}

fn audit(action: &str) -> AuditRecord {
    AuditRecord {
        actor: None,
        at: sh(2026, 3, 1, 9, 0, 0),
        action: action.into(),
        target_kind: "contest".into(),
        target_id: String::new(),
        region: Some(code("511623")),
        before: None,
        after: None,
    }
}

async fn create(store: &SeaStore, by: UserId, d: &ContestDraft) -> ContestId {
    let spec = ContestSpec::parse(d).unwrap_or_else(|e| panic!("{e}"));
    let c = NewContest {
        spec,
        created_by: by,
        at: sh(2026, 2, 20, 9, 0, 0),
    };
    must(store.create_contest(&c, &audit("contest.create")).await)
}

fn entry_spec(spec: &ContestSpec, title: &str, school: &str) -> EntrySpec {
    let input = EntryInput {
        title: title.into(),
        group: "初中".into(),
        summary: "用声音传感器测量教室噪声并提醒。".into(),
        authors: vec![AuthorInput {
            name: "李同学".into(),
            school: Some(school.into()),
            grade: Some("初二".into()),
        }],
        tutor: Some("王老师".into()),
        school: school.into(),
    };
    EntrySpec::parse(spec, &input).unwrap_or_else(|e| panic!("{e}"))
}

fn figures(cells: &BTreeMap<Cell, i64>) -> (i64, i64) {
    let sum = |m| {
        cells
            .iter()
            .filter(|(c, _)| c.metric == m)
            .map(|(_, v)| v)
            .sum()
    };
    (sum(Metric::ContestEntries), sum(Metric::Awards))
}

fn conflict<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) -> String {
    match r {
        Err(StoreError::Conflict(m)) => m,
        other => panic!("{what}: expected a conflict, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn contest_store_contract_on_every_backend() {
    for backend in backends() {
        eprintln!("store contests: backend={}", backend.name());
        let (db, store) = fresh_store(backend).await;
        contract(&store).await;
        db.cleanup().await;
    }
}

async fn contract(store: &SeaStore) {
    let admin = user(store, "市科协").await;
    let city = create(store, admin, &draft("511600", None)).await;
    let county = create(store, admin, &draft("511623", Some((city, "511600")))).await;
    let c = must(store.contest(county).await).unwrap_or_else(|| panic!("read back"));
    let expected = ContestSpec::parse(&draft("511623", Some((city, "511600"))))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.spec, expected, "the spec round-trips");
    assert_eq!(c.spec.scoring, ScoringMethod::TrimmedMean { trim: 1 });
    assert_eq!(c.notice_published_at, None);
    let listed = must(
        store
            .contests(
                &ContestFilter {
                    scope: RegionScope::Within(vec![code("511600")]),
                },
                Page::default(),
            )
            .await,
    );
    assert_eq!(listed.total, 2);
    let elsewhere = ContestFilter {
        scope: RegionScope::Within(vec![code("510100")]),
    };
    assert_eq!(
        must(store.contests(&elsewhere, Page::default()).await).total,
        0
    );

    // Entries: fields, status and the figure `contest_entries`.
    let pupil = user(store, "李同学").await;
    let mut ids = Vec::new();
    for (title, school) in [
        ("教室噪声提醒器", "邻水县第一中学"),
        ("节水灌溉控制器", "邻水县第二中学"),
        ("校园垃圾分类机器人", "邻水县第三中学"),
    ] {
        let e = NewEntry {
            contest: county,
            spec: entry_spec(&c.spec, title, school),
            region: c.spec.region,
            submitted_by: pupil,
            at: sh(2026, 3, 10, 10, 0, 0),
            origin: None,
        };
        ids.push(must(
            store.add_entry(&e, &audit("contest_entry.submit")).await,
        ));
    }
    let (e1, e2, e3) = (ids[0], ids[1], ids[2]);
    let r = must(store.entry(e1).await).unwrap_or_else(|| panic!("entry"));
    assert_eq!(
        r.entry.spec,
        entry_spec(&c.spec, "教室噪声提醒器", "邻水县第一中学")
    );
    assert_eq!(r.entry.status, EntryStatus::Submitted);
    assert_eq!((r.region, r.submitted_by), (code("511623"), pupil));
    assert_eq!(figures(&recomputed(store).await), (3, 0));
    let at = sh(2026, 4, 1, 9, 0, 0);
    for id in [e1, e2] {
        must(
            store
                .set_entry_status(
                    id,
                    &EntryStatus::Submitted,
                    &EntryStatus::Accepted,
                    at,
                    &audit("a"),
                )
                .await,
        );
    }
    let returned = EntryStatus::Returned {
        reason: "缺少研究报告".into(),
    };
    must(
        store
            .set_entry_status(e3, &EntryStatus::Submitted, &returned, at, &audit("r"))
            .await,
    );
    let stale = store
        .set_entry_status(
            e3,
            &EntryStatus::Submitted,
            &EntryStatus::Accepted,
            at,
            &audit("a"),
        )
        .await;
    assert!(conflict(stale, "stale status").contains("状态已变化"));
    let r = must(store.entry(e3).await).unwrap_or_else(|| panic!("entry"));
    assert_eq!((r.entry.status, r.decided_at), (returned.clone(), Some(at)));
    assert_eq!(
        figures(&recomputed(store).await),
        (3, 0),
        "returned: still entered"
    );
    let corrected = entry_spec(&c.spec, "校园垃圾分类机器人（修订）", "邻水县第三中学");
    let later_on = sh(2026, 3, 20, 9, 0, 0);
    must(
        store
            .resubmit_entry(e3, &corrected, later_on, &audit("re"))
            .await,
    );
    let r = must(store.entry(e3).await).unwrap_or_else(|| panic!("entry"));
    assert_eq!(
        (r.entry.status, r.entry.spec),
        (EntryStatus::Submitted, corrected.clone())
    );
    assert_eq!(
        r.submitted_at,
        sh(2026, 3, 10, 10, 0, 0),
        "first submission kept"
    );
    let again = store
        .resubmit_entry(e3, &corrected, later_on, &audit("re"))
        .await;
    assert!(conflict(again, "resubmitted twice").contains("状态已变化"));
    must(
        store
            .set_entry_status(e3, &EntryStatus::Submitted, &returned, at, &audit("r"))
            .await,
    );
    assert_eq!(
        figures(&recomputed(store).await),
        (3, 0),
        "one entry, however often sent"
    );
    assert_eq!(must(store.entries(county, Some(pupil)).await).len(), 3);
    assert_eq!(must(store.entries(county, Some(admin)).await).len(), 0);

    // Judges, conflicts, assignment.
    let (u1, u2) = (user(store, "评委甲").await, user(store, "评委乙").await);
    let j1 = must(
        store
            .add_judge(county, u1, "广安市科协", at, &audit("j"))
            .await,
    );
    let j2 = must(
        store
            .add_judge(county, u2, "邻水县第二中学", at, &audit("j"))
            .await,
    );
    let again = store.add_judge(county, u1, "x", at, &audit("j")).await;
    assert!(conflict(again, "judge twice").contains("已是本大赛的评委"));
    let judges = must(store.judges(county).await);
    assert_eq!(judges.len(), 2);
    assert!(judges[0].judge.name.starts_with("评委甲"), "{judges:?}");
    assert_eq!(
        (judges[0].user, judges[0].judge.organization.as_str()),
        (u1, "广安市科协")
    );
    let declared = Conflict {
        judge: j1,
        target: ConflictTarget::Entry(e2),
        kind: ConflictKind::Tutor,
    };
    must(store.add_conflict(county, &declared, at, &audit("c")).await);
    assert_eq!(must(store.conflicts(county).await).declared(), &[declared]);
    let a = Assignment::new(BTreeMap::from([(e1, vec![j2, j1])]));
    must(store.set_assignment(county, &a, &audit("as")).await);
    assert_eq!(must(store.assignment(county).await), a);

    // A revision replaces the sheet.
    let sheet = |points: Vec<i32>, total: f64| ScoreSheet {
        judge: j1,
        entry: e1,
        points,
        total,
        comment: Some("数据详实".into()),
    };
    must(
        store
            .put_score(county, &sheet(vec![6, 7], 66.0), at, &audit("s"))
            .await,
    );
    let later = sh(2026, 4, 6, 9, 0, 0);
    must(
        store
            .put_score(county, &sheet(vec![9, 8], 84.0), later, &audit("s"))
            .await,
    );
    assert_eq!(
        must(store.score_sheets(county).await),
        vec![sheet(vec![9, 8], 84.0)]
    );
    assert_eq!(
        must(store.score_sheet(j1, e1).await),
        Some((sheet(vec![9, 8], 84.0), later))
    );
    let vote = PairwiseVote {
        judge: j2,
        winner: e1,
        loser: e2,
    };
    must(store.add_vote(county, &vote, at, &audit("v")).await);
    assert_eq!(must(store.votes(county).await), vec![vote]);

    // Awards: replaced until the notice, then fixed; counted from the notice.
    let first = |entry: EntryId, level: &str| AwardChoice {
        entry,
        level: level.into(),
    };
    must(
        store
            .set_awards(county, &[first(e2, "一等奖")], at, &audit("aw"))
            .await,
    );
    let chosen = [first(e1, "一等奖"), first(e2, "二等奖")];
    must(store.set_awards(county, &chosen, at, &audit("aw")).await);
    let awards = must(store.awards(county).await);
    assert_eq!(
        awards.iter().map(|a| a.award.clone()).collect::<Vec<_>>(),
        chosen.to_vec()
    );
    assert_eq!(
        figures(&recomputed(store).await),
        (3, 0),
        "not yet published"
    );
    let published = sh(2026, 4, 25, 9, 0, 0);
    must(store.publish_notice(county, published, &audit("n")).await);
    let twice = store.publish_notice(county, published, &audit("n")).await;
    conflict(twice, "published twice");
    let fixed = store.set_awards(county, &[], at, &audit("aw")).await;
    assert!(conflict(fixed, "awards after the notice").contains("公示已发布"));
    let c = must(store.contest(county).await).unwrap_or_else(|| panic!("read back"));
    assert_eq!(c.notice_published_at, Some(published));
    let cells = recomputed(store).await;
    assert_eq!(figures(&cells), (3, 2));
    check_range(store, &cells, whole("510000")).await;

    // Nomination: a new entry of the parent carrying its origin, once only; not a new entry
    // in the figures. A withdrawal takes its award out.
    let origin = Origin {
        from_contest: county,
        from_round_region: code("511623"),
        award: "一等奖".into(),
    };
    let city_spec = must(store.contest(city).await)
        .unwrap_or_else(|| panic!("city"))
        .spec;
    let nominated = NewEntry {
        contest: city,
        spec: entry_spec(&city_spec, "教室噪声提醒器", "邻水县第一中学"),
        region: code("511623"),
        submitted_by: pupil,
        at: Timestamp(published.micros() + 86_400_000_000 * 8),
        origin: Some((origin.clone(), e1)),
    };
    let n = must(store.add_entry(&nominated, &audit("nominate")).await);
    let r = must(store.entry(n).await).unwrap_or_else(|| panic!("nominated"));
    assert_eq!(r.entry.contest, city);
    assert_eq!(r.entry.origin, Some(origin));
    assert_eq!((r.from_entry, r.region), (Some(e1), code("511623")));
    assert_eq!(r.entry.status, EntryStatus::Submitted);
    let twice = store.add_entry(&nominated, &audit("nominate")).await;
    assert!(conflict(twice, "nominated twice").contains("已推荐"));
    assert_eq!(figures(&recomputed(store).await), (3, 2));
    let withdrawn = EntryStatus::Withdrawn {
        reason: "作者放弃".into(),
    };
    must(
        store
            .set_entry_status(e2, &EntryStatus::Accepted, &withdrawn, later, &audit("w"))
            .await,
    );
    let cells = recomputed(store).await;
    assert_eq!(figures(&cells), (3, 1));
    check_range(store, &cells, whole("510000")).await;
    check_range(store, &cells, whole("511623")).await;
}
