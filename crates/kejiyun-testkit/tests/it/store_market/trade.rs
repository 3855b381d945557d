use super::deals::deal_filter;
use super::*;

/// A published need (owner), service (provider) and achievement (provider) in 邻水.
pub(super) async fn subjects(store: &SeaStore, p: &People) -> (i64, i64, i64) {
    let n = store
        .create_posting(
            p.owner,
            &need("邻水县脐橙园技术需求", "511623"),
            t(3000),
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = store
        .create_posting(
            p.provider,
            &service("李专家柑橘服务", "511623", "city", "fruit"),
            t(3000),
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let a = store
        .create_posting(
            p.provider,
            &achievement("李专家的柑橘成果", "511623"),
            t(3000),
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    publish(store, PostingKind::Need, n.0, t(3001), t(1_000_000)).await;
    publish(store, PostingKind::Service, s.0, t(3001), t(1_000_000)).await;
    publish(store, PostingKind::Achievement, a.0, t(3001), t(1_000_000)).await;
    (n.0, s.0, a.0)
}

/// Returns an inquiry on the need.
pub(super) async fn inquiries(store: &SeaStore, p: &People, need_id: i64, service_id: i64) -> i64 {
    assert!(
        store
            .find_inquiry(PostingKind::Service, service_id, p.owner)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );
    let on_service = store
        .create_inquiry(
            PostingKind::Service,
            service_id,
            p.owner,
            p.provider,
            p.owner,
            "请问能上门吗？",
            t(4000),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store
            .find_inquiry(PostingKind::Service, service_id, p.owner)
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        Some(on_service)
    );
    assert!(
        store
            .find_inquiry(PostingKind::Need, service_id, p.owner)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none(),
        "the kind is part of the thread's key"
    );
    let dup = store
        .create_inquiry(
            PostingKind::Service,
            service_id,
            p.owner,
            p.provider,
            p.owner,
            "再问一次",
            t(4001),
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let on_need = store
        .create_inquiry(
            PostingKind::Need,
            need_id,
            p.provider,
            p.owner,
            p.provider,
            "我可以帮您解决",
            t(4010),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A reply on the older thread makes it the most recent.
    let m = store
        .add_message(on_service, p.provider, "可以，下周二上门。", t(4020))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(m > MessageId(0));
    let missing = store
        .add_message(InquiryId(999_999), p.owner, "x", t(4021))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");

    let i = store
        .inquiry(on_service)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("inquiry found"));
    assert_eq!(
        (
            i.posting_kind,
            i.posting_id,
            i.posting_title.as_str(),
            i.requester_name.as_str(),
            i.owner_name.as_str(),
        ),
        (
            PostingKind::Service,
            service_id,
            "李专家柑橘服务",
            "张农户",
            "李专家"
        )
    );
    assert_eq!(
        (i.message_count, i.created_at, i.last_message_at),
        (2, t(4000), t(4020))
    );
    let msgs = store
        .messages(on_service)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        msgs.iter()
            .map(|m| (m.author_name.as_str(), m.body.as_str(), m.created_at))
            .collect::<Vec<_>>(),
        vec![
            ("张农户", "请问能上门吗？", t(4000)),
            ("李专家", "可以，下周二上门。", t(4020))
        ]
    );
    assert!(
        store
            .inquiry(InquiryId(999_999))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );
    for who in [p.owner, p.provider] {
        let l = store
            .list_inquiries(who, Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            l.items.iter().map(|i| i.id).collect::<Vec<_>>(),
            vec![on_service, on_need],
            "either side, newest activity first"
        );
        assert_eq!(l.total, 2);
    }
    let need_thread = store
        .inquiry(on_need)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (
            need_thread.posting_title.as_str(),
            need_thread.message_count
        ),
        ("邻水县脐橙园技术需求", 1)
    );
    assert_eq!(
        store
            .list_inquiries(p.stranger, Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .total,
        0
    );
    on_need.0
}

pub(super) fn quote_draft(price: i64) -> QuoteDraft {
    QuoteDraft::parse(&QuoteInput {
        price_fen: price,
        timeline_days: 30,
        method: "上门诊断三次并出具书面防治方案".into(),
        service_id: None,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn new_deal(
    p: &People,
    subject: DealSubject,
    amount: i64,
    region: &str,
    at: Timestamp,
) -> NewDeal {
    NewDeal {
        subject,
        requester: p.owner,
        provider: p.provider,
        terms: DealTerms {
            amount: Fen::new("amount_fen", amount).unwrap_or_else(|e| panic!("{e}")),
            deal_date: t(-86_400 * 30).shanghai_date(),
            note: Some("合同备注".into()),
        },
        origin: DealOrigin::Direct,
        quote_id: None,
        inquiry_id: None,
        region: code(region),
        proposed_by: p.owner,
        status: DealStatus::Proposed,
        requester_confirmed_at: Some(at),
        provider_confirmed_at: None,
        confirmed_at: None,
        recorded_by: None,
        evidence: None,
        audit: None,
        at,
    }
}

pub(super) async fn quotes(store: &SeaStore, p: &People, need_id: i64) {
    let q1 = store
        .create_quote(
            PostingId::new(need_id),
            p.provider,
            &quote_draft(300_000),
            t(5000),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dup = store
        .create_quote(
            PostingId::new(need_id),
            p.provider,
            &quote_draft(250_000),
            t(5001),
        )
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "one submitted quote: {dup:?}"
    );
    let q2 = store
        .create_quote(
            PostingId::new(need_id),
            p.stranger,
            &quote_draft(280_000),
            t(5002),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let q = store
        .quote(q1)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("quote found"));
    assert_eq!(
        (
            q.need_title.as_str(),
            q.need_owner,
            q.provider_name.as_str(),
            q.status
        ),
        (
            "邻水县脐橙园技术需求",
            p.owner,
            "李专家",
            QuoteStatus::Submitted
        )
    );
    assert_eq!(
        (q.draft, q.created_at, q.deal_id),
        (quote_draft(300_000), t(5000), None)
    );
    let ids = |need: Option<i64>, provider: Option<UserId>| async move {
        store
            .list_quotes(need.map(PostingId::new), provider, Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .items
            .into_iter()
            .map(|q| q.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(Some(need_id), None).await, vec![q2, q1], "newest first");
    assert_eq!(ids(None, Some(p.provider)).await, vec![q1]);
    assert_eq!(ids(Some(need_id), Some(p.stranger)).await, vec![q2]);
    assert!(ids(Some(999_999), None).await.is_empty());

    // Declining (no deal) frees the provider to quote again.
    let none = store
        .decide_quote(
            q2,
            QuoteStatus::Submitted,
            QuoteStatus::Declined,
            Some(DeclineReason::TooExpensive),
            Some("预算不够".into()),
            None,
            t(5010),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(none, None);
    let q = store
        .quote(q2)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (
            q.status,
            q.decline_reason,
            q.decline_note.as_deref(),
            q.decided_at
        ),
        (
            QuoteStatus::Declined,
            Some(DeclineReason::TooExpensive),
            Some("预算不够"),
            Some(t(5010))
        )
    );
    let q3 = store
        .create_quote(
            PostingId::new(need_id),
            p.stranger,
            &quote_draft(200_000),
            t(5011),
        )
        .await
        .unwrap_or_else(|e| panic!("a new quote after a decision: {e}"));

    // Atomicity: a deal that cannot be written leaves the quote submitted.
    let deals_before = store
        .list_deals(&deal_filter(), Page::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .total;
    let subject = DealSubject {
        need: Some(PostingId::new(need_id)),
        service: None,
        achievement: None,
    };
    let mut broken = new_deal(p, subject, 300_000, "511623", t(5020));
    broken.provider = UserId(999_999);
    broken.quote_id = Some(q1);
    broken.origin = DealOrigin::Quote;
    let failed = store
        .decide_quote(
            q1,
            QuoteStatus::Submitted,
            QuoteStatus::Accepted,
            None,
            None,
            Some(broken),
            t(5020),
        )
        .await;
    assert!(failed.is_err(), "{failed:?}");
    let q = store
        .quote(q1)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (q.status, q.deal_id, q.decided_at),
        (QuoteStatus::Submitted, None, None)
    );
    assert_eq!(
        store
            .list_deals(&deal_filter(), Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .total,
        deals_before
    );

    // Accepting writes the deal with it.
    let mut deal = new_deal(p, subject, 300_000, "511623", t(5030));
    deal.quote_id = Some(q1);
    deal.origin = DealOrigin::Quote;
    let deal_id = store
        .decide_quote(
            q1,
            QuoteStatus::Submitted,
            QuoteStatus::Accepted,
            None,
            None,
            Some(deal),
            t(5030),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("a deal id"));
    let q = store
        .quote(q1)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (q.status, q.deal_id, q.decided_at),
        (QuoteStatus::Accepted, Some(deal_id), Some(t(5030)))
    );
    let d = store
        .deal(deal_id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("deal found"));
    assert_eq!(
        (d.quote_id, d.origin, d.status),
        (Some(q1), DealOrigin::Quote, DealStatus::Proposed)
    );
    assert_eq!(
        last_outbox(store).await,
        ("deal".into(), deal_id.0, "upsert".into())
    );
    let late = store
        .decide_quote(
            q1,
            QuoteStatus::Submitted,
            QuoteStatus::Withdrawn,
            None,
            None,
            None,
            t(5031),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
    let missing = store
        .decide_quote(
            QuoteId(999_999),
            QuoteStatus::Submitted,
            QuoteStatus::Withdrawn,
            None,
            None,
            None,
            t(5031),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    store
        .decide_quote(
            q3,
            QuoteStatus::Submitted,
            QuoteStatus::Withdrawn,
            None,
            None,
            None,
            t(5032),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store
            .quote(q3)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|q| q.status),
        Some(QuoteStatus::Withdrawn)
    );
}
