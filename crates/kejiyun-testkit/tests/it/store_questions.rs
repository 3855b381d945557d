//! The Q&A storage contract (`questions::ports::QuestionStore` and the posting engine's
//! `PostingStore<QuestionDraft>`), on every configured backend: moderation through the engine,
//! invitations by circle (conditional on the round), answers moving the answer state only from
//! the state read, one accepted answer, one helpful mark per user, the unanswered filter, and
//! the figures `questions` / `questions_answered` equal to what the records say.

use kejiyun_core::ids::{AnswerId, PostingId, QuestionId, UserId};
use kejiyun_core::market::ports::{PostingFilter, PostingLifecycleStore, PostingStore};
use kejiyun_core::market::postings::{CloseReason, PostingKind};
use kejiyun_core::moderation::ModerationStatus as S;
use kejiyun_core::notifications;
use kejiyun_core::paging::Page;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::StoreError;
use kejiyun_core::profiles::ports::ProfileStore;
use kejiyun_core::questions::ports::{
    AcceptAnswer, AcceptedAnswerStore, InviteRound, NewAnswer, QuestionStore,
};
use kejiyun_core::questions::{AnswerState, NewInvitation, QuestionDraft, QuestionInput};
use kejiyun_core::stats::Metric;
use kejiyun_core::tech_workers::{TechWorker, TechWorkerProfile};
use kejiyun_core::time::Timestamp;
use kejiyun_db::SeaStore;
use kejiyun_testkit::backends;

use crate::store_stats::{
    check_range, code, fresh_store, must, posting_change, recomputed, sh, user, whole,
};

fn question(title: &str) -> QuestionDraft {
    must(
        QuestionDraft::parse(&QuestionInput {
            title: title.into(),
            text: "家里十几棵柑橘树的叶片出现斑驳黄化，已经两个月了。".into(),
            category: "fruit".into(),
            region: "511623".into(),
        })
        .map_err(|e| StoreError::Conflict(e.to_string())),
    )
}

/// `author` answers `q` (asked by `asker`, who is told).
fn answer(
    q: QuestionId,
    asker: UserId,
    author: UserId,
    from: AnswerState,
    at: Timestamp,
) -> NewAnswer {
    NewAnswer {
        question: q,
        author,
        text: "建议先采集叶片送检，确认是否为黄龙病。".into(),
        from,
        to: AnswerState::Answered,
        notification: notifications::new_answer(asker, q.0, "题", "专家", at),
        at,
    }
}

fn counts(cells: &std::collections::BTreeMap<kejiyun_core::stats::Cell, i64>) -> (i64, i64) {
    let sum = |m| {
        cells
            .iter()
            .filter(|(c, _)| c.metric == m)
            .map(|(_, v)| v)
            .sum()
    };
    (sum(Metric::Questions), sum(Metric::QuestionsAnswered))
}

async fn state(store: &SeaStore, q: QuestionId) -> AnswerState {
    must(store.qa_state(q).await)
        .unwrap_or_else(|| panic!("question {q}"))
        .state
}

#[tokio::test]
async fn question_store_contract_on_every_backend() {
    for backend in backends() {
        eprintln!("store questions: backend={}", backend.name());
        let (db, store) = fresh_store(backend).await;
        contract(&store).await;
        db.cleanup().await;
    }
}

async fn contract(store: &SeaStore) {
    let asker = user(store, "提问农户").await;
    let expert = user(store, "李农艺师").await;
    let neighbour = user(store, "张大姐").await;
    let profile = TechWorkerProfile {
        field: "果树栽培".into(),
        title: Some("农艺师".into()),
        employer: "县农业农村局".into(),
        expertise: vec!["柑橘".into()],
        service_region: code("511623"),
        bio: None,
        id_card: None,
    };
    let tw = must(
        ProfileStore::<TechWorker>::create_profile(
            store,
            expert,
            &profile,
            S::Pending,
            sh(2026, 5, 1, 9, 0, 0),
        )
        .await,
    );
    let (asked, answered_at, later) = (
        sh(2026, 6, 1, 9, 0, 0),
        sh(2026, 6, 3, 23, 30, 0),
        sh(2026, 6, 4, 8, 0, 0),
    );

    // Through the posting engine: submitted with its creation, then published.
    let draft = question("柑橘叶片发黄是不是黄龙病");
    let submit = Some(posting_change(S::Draft, S::Pending, asked, None));
    let q = must(store.create_posting(asker, &draft, asked, submit).await);
    let read = must(PostingStore::<QuestionDraft>::posting(store, q).await)
        .unwrap_or_else(|| panic!("question read back"));
    assert_eq!(read.draft, draft, "content round trip");
    assert_eq!(
        (read.meta.kind, read.meta.status),
        (PostingKind::Question, S::Pending)
    );
    assert_eq!(
        counts(&recomputed(store).await),
        (0, 0),
        "pending: not counted"
    );
    must(
        store
            .change_posting_status(
                PostingKind::Question,
                q.0,
                posting_change(S::Pending, S::Published, asked, None),
            )
            .await,
    );
    assert_eq!(state(store, q).await, AnswerState::Open);
    assert_eq!(counts(&recomputed(store).await), (1, 0));
    check_range(store, &recomputed(store).await, whole("510000")).await;

    // Routing: due at once (never invited), then one circle at a time.
    let due = must(store.questions_to_widen(asked, 10).await);
    assert_eq!(due, vec![(q, 0)]);
    // Nobody to invite yet: the same circle is tried again at the time given.
    let retry = InviteRound {
        from_round: 0,
        round: 0,
        invitations: Vec::new(),
        notifications: Vec::new(),
        next_widen_at: Some(answered_at),
        at: asked,
    };
    must(store.invite_experts(q, retry).await);
    assert!(must(store.questions_to_widen(asked, 10).await).is_empty());
    assert_eq!(
        must(store.questions_to_widen(answered_at, 10).await),
        vec![(q, 0)]
    );
    let round = |from_round, round, next| InviteRound {
        from_round,
        round,
        invitations: vec![NewInvitation {
            expert,
            tech_worker: tw,
            reasons: vec!["匹配词：柑橘".into()],
        }],
        notifications: vec![notifications::question_invitation(
            expert,
            q.0,
            "题",
            &[],
            asked,
        )],
        next_widen_at: next,
        at: asked,
    };
    must(store.invite_experts(q, round(0, 1, Some(later))).await);
    let lost = store.invite_experts(q, round(0, 1, Some(later))).await;
    assert!(matches!(lost, Err(StoreError::Conflict(_))), "{lost:?}");
    let invited = must(store.invitations(q).await);
    assert_eq!(invited.len(), 1);
    assert_eq!(
        (invited[0].expert, invited[0].tech_worker, invited[0].round),
        (expert, tw, 1)
    );
    assert!(invited[0].expert_name.starts_with("李农艺师"));
    assert_eq!(invited[0].reasons, vec!["匹配词：柑橘".to_owned()]);
    assert!(
        must(store.questions_to_widen(asked, 10).await).is_empty(),
        "not yet due"
    );
    assert_eq!(
        must(store.questions_to_widen(later, 10).await),
        vec![(q, 1)]
    );

    // The unanswered filter (published at or before the time given).
    let filter = |before| PostingFilter {
        scope: RegionScope::Within(vec![code("511600")]),
        status: Some(S::Published),
        owner: None,
        org: None,
        category: None,
        query: None,
        available_in: None,
        service_scope: None,
        unanswered_before: Some(before),
        resource_kind: None,
        most_viewed: false,
    };
    let listed = |before| async move {
        must(
            PostingStore::<QuestionDraft>::list_postings(store, &filter(before), Page::default())
                .await,
        )
        .items
        .iter()
        .map(|x| x.id)
        .collect::<Vec<_>>()
    };
    assert_eq!(listed(later).await, vec![q]);
    assert!(
        listed(sh(2026, 5, 31, 0, 0, 0)).await.is_empty(),
        "published later"
    );

    // Answers move the state only from the state read; the first one counts, on its day.
    let a1 = must(
        store
            .add_answer(answer(q, asker, expert, AnswerState::Open, answered_at))
            .await,
    );
    let stale = store
        .add_answer(answer(q, asker, expert, AnswerState::Open, later))
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let a2 = must(
        store
            .add_answer(answer(q, asker, expert, AnswerState::Answered, later))
            .await,
    );
    let qa = must(store.qa_state(q).await).unwrap_or_else(|| panic!("state"));
    assert_eq!(
        (qa.state, qa.first_answered_at),
        (AnswerState::Answered, Some(answered_at))
    );
    let cells = recomputed(store).await;
    assert_eq!(counts(&cells), (1, 1));
    assert!(
        cells
            .keys()
            .any(|c| c.metric == Metric::QuestionsAnswered && c.day == answered_at.shanghai_date())
    );
    check_range(store, &cells, whole("510000")).await;
    assert!(
        must(store.questions_to_widen(later, 10).await).is_empty(),
        "answered: no more circles"
    );
    let late = store.invite_experts(q, round(1, 2, None)).await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");

    // Helpful: once per user.
    must(store.mark_helpful(a1, neighbour, later).await);
    let twice = store.mark_helpful(a1, neighbour, later).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    let seen = must(store.answers(q, Some(neighbour)).await);
    assert_eq!(seen.iter().map(|a| a.id).collect::<Vec<_>>(), vec![a1, a2]);
    assert_eq!((seen[0].helpful, seen[0].helpful_by_viewer), (1, true));
    assert_eq!((seen[1].helpful, seen[1].helpful_by_viewer), (0, false));
    assert!(seen[0].author_name.starts_with("李农艺师"));

    // One accepted answer; the answer must be the question's.
    let accept = |answer, from| AcceptAnswer {
        question: q,
        answer,
        from,
        to: AnswerState::Resolved,
        notification: notifications::answer_accepted(expert, q.0, "题", later),
        at: later,
    };
    let foreign = store
        .accept_answer(accept(AnswerId(999_999), AnswerState::Answered))
        .await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    assert_eq!(state(store, q).await, AnswerState::Answered, "rolled back");
    must(store.accept_answer(accept(a2, AnswerState::Answered)).await);
    // Routing's track record: the accepted answer counts for its author in the category.
    let author = must(store.answer(a2).await).map(|a| a.author);
    if let Some(author) = author {
        let in_fruit = must(store.accepted_answers_in(&[author], "fruit").await);
        assert_eq!(in_fruit.get(&author), Some(&1), "{in_fruit:?}");
        let elsewhere = must(store.accepted_answers_in(&[author], "grain").await);
        assert!(elsewhere.is_empty());
    }
    let again = store.accept_answer(accept(a1, AnswerState::Answered)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(state(store, q).await, AnswerState::Resolved);
    assert!(must(store.answer(a2).await).is_some_and(|a| a.accepted));
    let mine = must(store.answers_by(expert, Page::default()).await);
    assert_eq!(mine.total, 2);
    assert_eq!(mine.items[0].answer.id, a2, "accepted first");
    assert_eq!(mine.items[0].question_title, "柑橘叶片发黄是不是黄龙病");

    // Withdrawn: neither figure counts it any more.
    let close = posting_change(S::Published, S::Closed, later, Some(CloseReason::Withdrawn));
    must(
        store
            .change_posting_status(PostingKind::Question, q.0, close)
            .await,
    );
    let cells = recomputed(store).await;
    assert_eq!(counts(&cells), (0, 0));
    check_range(store, &cells, whole("510000")).await;
    assert!(
        must(PostingStore::<QuestionDraft>::posting(store, PostingId::new(999_999)).await)
            .is_none()
    );
}
