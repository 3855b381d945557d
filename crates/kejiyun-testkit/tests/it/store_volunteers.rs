//! The volunteers storage contract (`volunteers::ports::VolunteerStore`) on every configured
//! backend: a profile round-trips with only its sealed number stored, a number (its blind
//! index) or an account registers once — also when eight registrations of one number race —,
//! a sheet registers all rows or none, imported phones get accounts, teams nest with their
//! leader as first member, requests are decided once, and `volunteers` / `teams` equal what
//! the records say.

use kejiyun_core::accounts::ports::AccountStore;
use kejiyun_core::accounts::{IdCardNumber, Login, Phone};
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::ids::{TeamId, UserId};
use kejiyun_core::paging::Page;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::personal_data::PersonalDataKey;
use kejiyun_core::ports::StoreError;
use kejiyun_core::stats::Metric;
use kejiyun_core::volunteers::ports::{
    NewTeam, NewVolunteer, VolunteerAccount, VolunteerFilter, VolunteerStore,
};
use kejiyun_core::volunteers::{ID_CARD_FIELD, MembershipStatus, Skill, TeamDraft};
use kejiyun_db::SeaStore;
use kejiyun_testkit::backends;

use crate::api_volunteers::id_number;
use crate::store_stats::{check_range, code, fresh_store, must, recomputed, sh, user, whole};

fn key() -> PersonalDataKey {
    PersonalDataKey::from_secret(&[9; 32])
}

fn profile(name: &str, seq: u32, phone: &str) -> NewVolunteer {
    let number = IdCardNumber::parse(&id_number(seq)).unwrap_or_else(|e| panic!("{e}"));
    let k = key();
    NewVolunteer {
        name: name.into(),
        id_cipher: k.seal(ID_CARD_FIELD, number.as_str()),
        id_blind: k.blind_index(ID_CARD_FIELD, number.as_str()),
        id_masked: number.masked(),
        phone: phone.into(),
        region: code("511623"),
        skills: vec![Skill::Farming, Skill::Law],
        availability: "周末".into(),
    }
}

fn figures(cells: &std::collections::BTreeMap<kejiyun_core::stats::Cell, i64>) -> (i64, i64) {
    let sum = |m| {
        cells
            .iter()
            .filter(|(c, _)| c.metric == m)
            .map(|(_, v)| v)
            .sum()
    };
    (sum(Metric::Volunteers), sum(Metric::Teams))
}

fn conflict<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) -> String {
    match r {
        Err(StoreError::Conflict(m)) => m,
        other => panic!("{what}: expected a conflict, got {other:?}"),
    }
}

fn decision_audit(by: UserId, at: kejiyun_core::time::Timestamp) -> AuditRecord {
    AuditRecord {
        actor: Some(by),
        at,
        action: "volunteer_team.decide".into(),
        target_kind: "volunteer_team".into(),
        target_id: "1".into(),
        region: Some(code("511623")),
        before: None,
        after: None,
    }
}

fn audit(target: &str) -> AuditRecord {
    AuditRecord {
        actor: None,
        at: sh(2026, 6, 3, 9, 0, 0),
        action: "volunteer.id_card.read".into(),
        target_kind: "volunteer".into(),
        target_id: target.into(),
        region: Some(code("511623")),
        before: None,
        after: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn volunteer_store_contract_on_every_backend() {
    for backend in backends() {
        eprintln!("store volunteers: backend={}", backend.name());
        let (db, store) = fresh_store(backend).await;
        contract(&store).await;
        one_number_under_concurrency(&store).await;
        db.cleanup().await;
    }
}

async fn contract(store: &SeaStore) {
    let at = sh(2026, 6, 1, 9, 0, 0);
    let (a, b) = (user(store, "志愿甲").await, user(store, "志愿乙").await);
    let ids = must(
        store
            .register_volunteers(
                &[(
                    VolunteerAccount::User(a),
                    profile("志愿甲", 1, "13900000101"),
                )],
                at,
            )
            .await,
    );
    let v = must(store.volunteer(ids[0]).await).unwrap_or_else(|| panic!("read back"));
    assert_eq!((v.user, v.name.as_str()), (a, "志愿甲"));
    assert_eq!(v.skills, vec![Skill::Farming, Skill::Law]);
    assert_eq!(v.id_card_masked, profile("志愿甲", 1, "").id_masked);
    assert_eq!(
        must(store.volunteer_of(a).await).map(|v| v.id),
        Some(ids[0])
    );
    let sealed =
        must(store.reveal_id_card(ids[0], audit("1")).await).unwrap_or_else(|| panic!("sealed"));
    assert_eq!(
        key()
            .open(ID_CARD_FIELD, &sealed)
            .unwrap_or_else(|e| panic!("{e}")),
        id_number(1)
    );
    assert_eq!(figures(&recomputed(store).await), (1, 0));

    // The same number, the same account, a sheet with one taken row: nothing written.
    let dup = conflict(
        store
            .register_volunteers(
                &[(
                    VolunteerAccount::User(b),
                    profile("志愿乙", 1, "13900000102"),
                )],
                at,
            )
            .await,
        "same number",
    );
    assert!(dup.contains("已登记"), "{dup}");
    conflict(
        store
            .register_volunteers(
                &[(
                    VolunteerAccount::User(a),
                    profile("志愿甲", 2, "13900000101"),
                )],
                at,
            )
            .await,
        "same account",
    );
    conflict(
        store
            .register_volunteers(
                &[
                    (VolunteerAccount::Phone, profile("新人丙", 3, "13900000103")),
                    (
                        VolunteerAccount::User(b),
                        profile("志愿乙", 1, "13900000102"),
                    ),
                ],
                at,
            )
            .await,
        "a sheet with a taken number",
    );
    let phone = Phone::parse("13900000103").unwrap_or_else(|e| panic!("{e}"));
    assert!(
        must(store.user_by_login(&Login::Phone(phone.clone())).await).is_none(),
        "no account left behind by the failed sheet"
    );
    assert_eq!(figures(&recomputed(store).await), (1, 0));
    let blinds = vec![profile("", 1, "").id_blind, profile("", 3, "").id_blind];
    assert_eq!(must(store.registered_id_blinds(&blinds).await).len(), 1);

    // A clean sheet: the unknown phone gets an account (no password) and a profile.
    let ids = must(
        store
            .register_volunteers(
                &[
                    (VolunteerAccount::Phone, profile("新人丙", 3, "13900000103")),
                    (
                        VolunteerAccount::User(b),
                        profile("志愿乙", 4, "13900000102"),
                    ),
                ],
                sh(2026, 6, 2, 9, 0, 0),
            )
            .await,
    );
    assert_eq!(ids.len(), 2);
    let c = must(store.user_by_login(&Login::Phone(phone)).await)
        .unwrap_or_else(|| panic!("account created"));
    assert_eq!(c.display_name, "新人丙");
    assert!(!kejiyun_core::accounts::verify_password(
        "",
        &c.password_hash
    ));
    let list = must(
        store
            .volunteers(
                &VolunteerFilter {
                    scope: RegionScope::Within(vec![code("511600")]),
                    skill: Some(Skill::Law),
                },
                Page::default(),
            )
            .await,
    );
    assert_eq!(list.total, 3);
    let none = must(
        store
            .volunteers(
                &VolunteerFilter {
                    scope: RegionScope::Within(vec![code("510100")]),
                    skill: None,
                },
                Page::default(),
            )
            .await,
    );
    assert_eq!(none.total, 0);
    assert_eq!(figures(&recomputed(store).await), (3, 0));

    // Teams: a 支队 and, in the same call, its 大队 (named by position).
    let admin = user(store, "县科协").await;
    let team = |name: &str, level: &str, leader: UserId| NewTeam {
        draft: TeamDraft::parse(name, level, None, "511623", leader, "")
            .unwrap_or_else(|e| panic!("{e}")),
        created_by: admin,
    };
    let teams = must(
        store
            .create_teams(
                &[
                    (team("邻水县科技志愿服务支队", "支队", a), None),
                    (team("农技服务大队", "大队", b), Some(Err(0))),
                ],
                sh(2026, 6, 3, 9, 0, 0),
            )
            .await,
    );
    let top = must(store.team(teams[0]).await).unwrap_or_else(|| panic!("team"));
    assert_eq!(top.members, 1, "the leader is the first member");
    assert!(top.leader_name.starts_with("志愿甲"), "{}", top.leader_name);
    let subs = must(store.sub_teams(teams[0]).await);
    assert_eq!(
        subs.iter().map(|t| t.id).collect::<Vec<TeamId>>(),
        vec![teams[1]]
    );
    assert_eq!(subs[0].parent, Some(teams[0]));
    assert_eq!(
        must(store.teams_named(&["农技服务大队".into()]).await).len(),
        1
    );

    // A request, decided once; asked again while pending: conflict.
    must(
        store
            .request_membership(teams[0], b, sh(2026, 6, 4, 9, 0, 0))
            .await,
    );
    conflict(
        store
            .request_membership(teams[0], b, sh(2026, 6, 4, 9, 1, 0))
            .await,
        "asked twice",
    );
    let requests = must(store.memberships(teams[0]).await);
    assert_eq!(
        requests[0].status,
        MembershipStatus::Pending,
        "pending first"
    );
    must(
        store
            .decide_membership(
                teams[0],
                b,
                MembershipStatus::Declined,
                Some("不在本乡镇".into()),
                &decision_audit(a, sh(2026, 6, 4, 10, 0, 0)),
            )
            .await,
    );
    conflict(
        store
            .decide_membership(
                teams[0],
                b,
                MembershipStatus::Approved,
                None,
                &decision_audit(a, sh(2026, 6, 4, 10, 1, 0)),
            )
            .await,
        "decided twice",
    );
    let mine = must(store.memberships_of(b).await);
    let declined = mine
        .iter()
        .find(|m| m.team == teams[0])
        .unwrap_or_else(|| panic!("request kept"));
    assert_eq!(declined.reason.as_deref(), Some("不在本乡镇"));
    // The leader changes to the declined volunteer: a member now.
    must(store.change_leader(teams[0], b, audit("team")).await);
    let top = must(store.team(teams[0]).await).unwrap_or_else(|| panic!("team"));
    assert_eq!((top.leader, top.members), (b, 2));

    let cells = recomputed(store).await;
    assert_eq!(figures(&cells), (3, 2));
    check_range(store, &cells, whole("510000")).await;
}

/// Eight people register the same ID number at once: exactly one profile, the others are
/// told it is registered already.
async fn one_number_under_concurrency(store: &SeaStore) {
    let mut people = Vec::new();
    for i in 0..8 {
        people.push(user(store, &format!("抢登记{i}")).await);
    }
    let mut tasks = Vec::new();
    for (i, u) in people.into_iter().enumerate() {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let row = profile("抢登记", 77, &format!("1390000{:04}", 200 + i));
            s.register_volunteers(&[(VolunteerAccount::User(u), row)], sh(2026, 6, 5, 9, 0, 0))
                .await
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap_or_else(|e| panic!("task: {e}")) {
            Ok(_) => won += 1,
            Err(StoreError::Conflict(m)) => assert!(m.contains("已登记"), "{m}"),
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert_eq!(won, 1, "one number, one volunteer");
}
