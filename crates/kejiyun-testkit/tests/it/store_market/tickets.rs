use super::*;

pub(super) async fn tickets(store: &SeaStore, p: &People, need_id: i64, inquiry: i64, deal: i64) {
    let t1 = store
        .open_ticket(
            PostingId::new(need_id),
            p.staff,
            code("511623"),
            audit("ticket.open", &need_id.to_string(), "511623", t(9000)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        audit_actions(store).await.first(),
        Some(&("ticket.open".to_owned(), need_id.to_string()))
    );
    let dup = store
        .open_ticket(
            PostingId::new(need_id),
            p.stranger,
            code("511623"),
            audit("ticket.open", &need_id.to_string(), "511623", t(9001)),
        )
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "one open ticket per need: {dup:?}"
    );
    assert_eq!(
        audit_actions(store)
            .await
            .iter()
            .filter(|a| a.0 == "ticket.open")
            .count(),
        1,
        "the refused ticket wrote no audit entry"
    );

    let f1 = store
        .add_follow_up(t1, FollowUpKind::Call, "电话了解果园情况", p.staff, t(9010))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let f2 = store
        .add_follow_up(
            t1,
            FollowUpKind::Introduction,
            "引荐李专家",
            p.staff,
            t(9020),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(f2 > f1);
    let missing = store
        .add_follow_up(
            TicketId(999_999),
            FollowUpKind::Note,
            "无",
            p.staff,
            t(9021),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    for _ in 0..2 {
        store
            .link_ticket(t1, LinkKind::Inquiry, inquiry)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    store
        .link_ticket(t1, LinkKind::Deal, deal)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let missing = store
        .link_ticket(TicketId(999_999), LinkKind::Deal, deal)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");

    let tk = store
        .ticket(t1)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("ticket found"));
    assert_eq!(
        (
            tk.need_title.as_str(),
            tk.staff_name.as_str(),
            tk.status,
            tk.opened_at,
            tk.region
        ),
        (
            "邻水县脐橙园技术需求",
            "王科员",
            TicketStatus::Open,
            t(9000),
            code("511623")
        )
    );
    assert_eq!(
        tk.links,
        vec![(LinkKind::Inquiry, inquiry), (LinkKind::Deal, deal)],
        "linking twice keeps one"
    );
    assert_eq!(
        tk.follow_ups
            .iter()
            .map(|f| (f.kind, f.note.as_str(), f.author_name.as_str(), f.at))
            .collect::<Vec<_>>(),
        vec![
            (FollowUpKind::Call, "电话了解果园情况", "王科员", t(9010)),
            (FollowUpKind::Introduction, "引荐李专家", "王科员", t(9020)),
        ]
    );
    assert!(
        store
            .ticket(TicketId(999_999))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );

    store
        .close_ticket(
            t1,
            TicketOutcome::DealMade,
            Some("已促成交易".into()),
            audit("ticket.close", &t1.to_string(), "511623", t(9030)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let again = store
        .close_ticket(
            t1,
            TicketOutcome::Referred,
            None,
            audit("ticket.close", &t1.to_string(), "511623", t(9031)),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let missing = store
        .close_ticket(
            TicketId(999_999),
            TicketOutcome::Referred,
            None,
            audit("ticket.close", "999999", "511623", t(9031)),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    assert_eq!(
        audit_actions(store)
            .await
            .iter()
            .filter(|a| a.0 == "ticket.close")
            .count(),
        1
    );
    let tk = store
        .ticket(t1)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (
            tk.status,
            tk.outcome,
            tk.outcome_note.as_deref(),
            tk.closed_at
        ),
        (
            TicketStatus::Closed,
            Some(TicketOutcome::DealMade),
            Some("已促成交易"),
            Some(t(9030))
        )
    );

    // Closed, the need can be taken again; a ticket elsewhere for the lists.
    let t2 = store
        .open_ticket(
            PostingId::new(need_id),
            p.stranger,
            code("511623"),
            audit("ticket.open", &need_id.to_string(), "511623", t(9040)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let other_need = store
        .create_posting(p.owner, &need("成都的另一个需求", "510104"), t(9041), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let t3 = store
        .open_ticket(
            other_need,
            p.staff,
            code("510104"),
            audit("ticket.open", &other_need.to_string(), "510104", t(9042)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let list = |f: TicketFilter| async move {
        let got = store
            .list_tickets(&f, Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for t in &got.items {
            let one = store
                .ticket(t.id)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("ticket {} listed but not found", t.id));
            assert_eq!(t.follow_ups, one.follow_ups, "a list shows the follow-ups");
        }
        assert_eq!(got.total, got.items.len() as u64);
        got.items.into_iter().map(|t| t.id).collect::<Vec<_>>()
    };
    let all = TicketFilter {
        scope: RegionScope::All,
        staff: None,
        status: None,
        need: None,
    };
    assert_eq!(list(all.clone()).await, vec![t3, t2, t1], "newest first");
    assert_eq!(
        list(TicketFilter {
            scope: within(&["511600"]),
            ..all.clone()
        })
        .await,
        vec![t2, t1]
    );
    assert_eq!(
        list(TicketFilter {
            staff: Some(p.staff),
            ..all.clone()
        })
        .await,
        vec![t3, t1]
    );
    assert_eq!(
        list(TicketFilter {
            status: Some(TicketStatus::Open),
            ..all.clone()
        })
        .await,
        vec![t3, t2]
    );
    assert_eq!(
        list(TicketFilter {
            need: Some(PostingId::new(need_id)),
            ..all.clone()
        })
        .await,
        vec![t2, t1]
    );
    assert!(
        list(TicketFilter {
            scope: RegionScope::Within(vec![]),
            ..all
        })
        .await
        .is_empty()
    );
}
