use super::trade::new_deal;
use super::*;

pub(super) fn deal_filter() -> DealFilter {
    DealFilter {
        scope: RegionScope::All,
        party: None,
        status: None,
        transfer: None,
    }
}

/// Bytes of every value, in an order that is not a simple ramp: ~200 KB.
pub(super) fn blob() -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut x: u32 = 0x1234_5678;
    while out.len() < 200 * 1024 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.push((x >> 24) as u8);
    }
    out.extend([0u8, 0, 0xff, 0xfe, b'\\', b'\'', b'"', 0]);
    out
}

/// Returns a deal on the need.
pub(super) async fn deals(
    store: &SeaStore,
    p: &People,
    need_id: i64,
    service_id: i64,
    achievement_id: i64,
) -> i64 {
    // Direct: need + service, the requester's side confirmed.
    let subject = DealSubject {
        need: Some(PostingId::new(need_id)),
        service: Some(PostingId::new(service_id)),
        achievement: None,
    };
    let id = store
        .create_deal(new_deal(p, subject, 1_234_567, "511623", t(6000)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let d = store
        .deal(id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("deal found"));
    assert_eq!(d.subject, subject);
    assert_eq!(d.subject_title, "邻水县脐橙园技术需求", "the need's title");
    assert_eq!(
        (
            d.requester_name.as_str(),
            d.provider_name.as_str(),
            d.region,
            d.evidence.clone()
        ),
        ("张农户", "李专家", code("511623"), None)
    );
    assert_eq!(
        d.terms,
        new_deal(p, subject, 1_234_567, "511623", t(6000)).terms
    );
    assert_eq!(
        (
            d.requester_confirmed_at,
            d.provider_confirmed_at,
            d.confirmed_at,
            d.created_at
        ),
        (Some(t(6000)), None, None, t(6000))
    );
    assert_eq!(
        last_outbox(store).await,
        ("deal".into(), id.0, "upsert".into())
    );
    assert!(
        store
            .deal(DealId(999_999))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );

    // The provider confirms; a change computed from stale confirmations loses.
    let confirm = DealChange {
        from: DealStatus::Proposed,
        from_requester_confirmed: true,
        from_provider_confirmed: false,
        to: DealStatus::Confirmed,
        requester_confirmed_at: Some(t(6000)),
        provider_confirmed_at: Some(t(6010)),
        confirmed_at: Some(t(6010)),
        cancel_reason: None,
        audit: None,
        at: t(6010),
    };
    let stale = store
        .change_deal(
            id,
            DealChange {
                from_requester_confirmed: false,
                ..confirm.clone()
            },
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    store
        .change_deal(id, confirm.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let again = store.change_deal(id, confirm.clone()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let missing = store.change_deal(DealId(999_999), confirm).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let d = store
        .deal(id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (d.status, d.provider_confirmed_at, d.confirmed_at),
        (DealStatus::Confirmed, Some(t(6010)), Some(t(6010)))
    );

    // A transfer (achievement answering the need) and a service-only deal.
    let transfer_subject = DealSubject {
        need: Some(PostingId::new(need_id)),
        service: None,
        achievement: Some(PostingId::new(achievement_id)),
    };
    let transfer = store
        .create_deal(new_deal(p, transfer_subject, 50_000_000, "511623", t(6020)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let d = store
        .deal(transfer)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        d.subject_title, "李专家的柑橘成果",
        "a transfer is titled by its achievement"
    );
    let service_subject = DealSubject {
        need: None,
        service: Some(PostingId::new(service_id)),
        achievement: None,
    };
    let service_only = store
        .create_deal(new_deal(p, service_subject, 80_000, "510104", t(6030)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let d = store
        .deal(service_only)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(d.subject_title, "李专家柑橘服务");

    // An admin cancels the transfer with an audit entry.
    store
        .change_deal(
            transfer,
            DealChange {
                from: DealStatus::Proposed,
                from_requester_confirmed: true,
                from_provider_confirmed: false,
                to: DealStatus::Cancelled,
                requester_confirmed_at: Some(t(6020)),
                provider_confirmed_at: None,
                confirmed_at: None,
                cancel_reason: Some("双方协商取消".into()),
                audit: Some(audit(
                    "deal.cancel",
                    &transfer.to_string(),
                    "511623",
                    t(6040),
                )),
                at: t(6040),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let d = store
        .deal(transfer)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (d.status, d.cancel_reason.as_deref(), d.cancelled_at),
        (DealStatus::Cancelled, Some("双方协商取消"), Some(t(6040)))
    );
    assert_eq!(
        audit_actions(store).await.first(),
        Some(&("deal.cancel".to_owned(), transfer.to_string()))
    );

    // An offline contract with its file: the bytes come back exactly; the audit names the deal.
    let bytes = blob();
    let evidence = Evidence {
        file_name: "合同扫描件.pdf".into(),
        content_type: "application/pdf".into(),
        size: bytes.len() as u64,
        sha256: "ab".repeat(32),
    };
    let mut offline = new_deal(p, subject, 9_900, "511623", t(6050));
    offline.origin = DealOrigin::Offline;
    offline.status = DealStatus::Confirmed;
    offline.requester_confirmed_at = None;
    offline.confirmed_at = Some(t(6050));
    offline.recorded_by = Some(p.staff);
    offline.proposed_by = p.staff;
    offline.evidence = Some((evidence.clone(), bytes.clone()));
    offline.audit = Some(audit("deal.record_offline", "", "511623", t(6050)));
    let offline_id = store
        .create_deal(offline)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (got, content) = store
        .deal_evidence(offline_id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("evidence stored"));
    assert_eq!(got, evidence);
    assert_eq!(content.len(), bytes.len());
    assert!(content == bytes, "evidence bytes differ");
    let d = store
        .deal(offline_id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!((d.evidence, d.recorded_by), (Some(evidence), Some(p.staff)));
    assert!(
        store
            .deal_evidence(id)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );
    assert_eq!(
        audit_actions(store).await.first(),
        Some(&("deal.record_offline".to_owned(), offline_id.to_string()))
    );

    // Filters.
    let list = |f: DealFilter| async move {
        let mut ids: Vec<DealId> = store
            .list_deals(&f, page(1, 100))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .items
            .into_iter()
            .map(|d| d.id)
            .collect();
        ids.sort_unstable();
        ids
    };
    let all = list(deal_filter()).await;
    assert!(
        all.contains(&id)
            && all.contains(&transfer)
            && all.contains(&service_only)
            && all.contains(&offline_id)
    );
    assert_eq!(
        list(DealFilter {
            transfer: Some(true),
            ..deal_filter()
        })
        .await,
        vec![transfer]
    );
    assert!(
        !list(DealFilter {
            transfer: Some(false),
            ..deal_filter()
        })
        .await
        .contains(&transfer)
    );
    assert_eq!(
        list(DealFilter {
            scope: within(&["510100"]),
            ..deal_filter()
        })
        .await,
        vec![service_only]
    );
    assert!(
        list(DealFilter {
            party: Some(p.stranger),
            ..deal_filter()
        })
        .await
        .is_empty()
    );
    assert_eq!(
        list(DealFilter {
            party: Some(p.provider),
            ..deal_filter()
        })
        .await,
        all
    );
    assert_eq!(
        list(DealFilter {
            party: Some(p.owner),
            ..deal_filter()
        })
        .await,
        all
    );
    let mut confirmed = vec![id, offline_id];
    confirmed.sort_unstable();
    assert_eq!(
        list(DealFilter {
            status: Some(DealStatus::Confirmed),
            scope: within(&["511623"]),
            ..deal_filter()
        })
        .await,
        confirmed
    );
    let newest = store
        .list_deals(&deal_filter(), page(1, 1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (newest.items[0].id, newest.total),
        (offline_id, all.len() as u64)
    );

    // 253 amounts in one county sum to exactly 65792.06万元.
    let total: i64 = 6_579_206_000_000 / 100;
    let n = 253i64;
    let mut amounts: Vec<i64> = (0..n - 1).map(|i| total / n + i % 7).collect();
    amounts.push(total - amounts.iter().sum::<i64>());
    for (i, a) in amounts.iter().enumerate() {
        store
            .create_deal(new_deal(
                p,
                service_subject,
                *a,
                "511602",
                t(7000 + i as i64),
            ))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut read = Vec::new();
    for pg in 1..=3 {
        let got = store
            .list_deals(
                &DealFilter {
                    scope: within(&["511602"]),
                    ..deal_filter()
                },
                page(pg, 100),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got.total, 253);
        read.extend(got.items.into_iter().map(|d| d.terms.amount));
    }
    assert_eq!(read.len(), 253);
    let sum = Fen::sum(read).unwrap_or_else(|| panic!("no overflow"));
    assert_eq!((sum.fen(), sum.wan_yuan().as_str()), (total, "65792.06"));
    let big = store
        .create_deal(new_deal(p, service_subject, Fen::MAX, "511602", t(8000)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store
            .deal(big)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|d| d.terms.amount.fen()),
        Some(Fen::MAX)
    );
    id.0
}
