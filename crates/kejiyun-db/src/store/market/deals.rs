//! Deals: the row, its optional evidence file (bytes in `deal_evidence`), the conditional state
//! changes, and an outbox row (`deal`, `upsert`) with every write, for consumers that follow
//! deals (search, exports); the served statistics are maintained in the same transaction.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use kejiyun_core::ids::{DealId, InquiryId, PostingId, QuoteId, UserId};
use kejiyun_core::market::deals::{Deal, DealOrigin, DealStatus, DealSubject, DealTerms, Evidence};
use kejiyun_core::market::money::Fen;
use kejiyun_core::market::ports::{DealChange, DealFilter, DealStore, NewDeal};
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::notifications;
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::StoreResult;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect,
};

use super::super::SeaStore;
use super::super::moderation::lost_race;
use super::super::notifications as inbox;
use super::super::stats::{self, Counter, Watch};
use super::super::{
    Records, audit, begin_write, corrupt, db_err, parse_region, read_one, read_page, region_parts,
    scope_condition,
};
use super::{name_of, names, posting_heads};
use crate::entities::{deal_evidence, deals, outbox};

/// Every write to a deal is an outbox upsert, for consumers that follow deals.
async fn outbox_upsert<C: ConnectionTrait>(txn: &C, id: i64, at: Timestamp) -> StoreResult<()> {
    outbox::Entity::insert(outbox::ActiveModel {
        at: Set(at.micros()),
        kind: Set("deal".to_owned()),
        item_id: Set(id),
        op: Set("upsert".to_owned()),
        ..Default::default()
    })
    .exec(txn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// The subject's posting columns (`need_id`, `service_id`, `achievement_id`).
pub(in crate::store) fn subject_columns(
    s: &DealSubject,
) -> (Option<i64>, Option<i64>, Option<i64>) {
    (
        s.need.map(|n| n.0),
        s.service.map(|v| v.0),
        s.achievement.map(|a| a.0),
    )
}

/// The subject of a deal row.
fn subject_of(r: &deals::Model) -> DealSubject {
    DealSubject {
        need: r.need_id.map(PostingId::new),
        service: r.service_id.map(PostingId::new),
        achievement: r.achievement_id.map(PostingId::new),
    }
}

/// Inserts a deal with its evidence, audit entry and outbox row, inside the caller's
/// transaction. An audit record without a target id gets the new deal's id.
pub(super) async fn insert<C: ConnectionTrait>(txn: &C, d: NewDeal) -> StoreResult<i64> {
    let (region, city, province) = region_parts(d.region);
    let (need, service, achievement) = subject_columns(&d.subject);
    stats::lock_subject(txn, need, service, achievement).await?;
    let id = deals::Entity::insert(deals::ActiveModel {
        need_id: Set(need),
        service_id: Set(service),
        achievement_id: Set(achievement),
        requester_id: Set(d.requester.0),
        provider_id: Set(d.provider.0),
        amount_fen: Set(d.terms.amount.fen()),
        deal_date: Set(d.terms.deal_date.format("%Y-%m-%d").to_string()),
        note: Set(d.terms.note.clone()),
        origin: Set(d.origin.code().to_owned()),
        quote_id: Set(d.quote_id.map(|q| q.0)),
        inquiry_id: Set(d.inquiry_id.map(|i| i.0)),
        region: Set(region),
        region_city: Set(city),
        region_province: Set(province),
        proposed_by: Set(d.proposed_by.0),
        status: Set(d.status.code().to_owned()),
        requester_confirmed_at: Set(d.requester_confirmed_at.map(Timestamp::micros)),
        provider_confirmed_at: Set(d.provider_confirmed_at.map(Timestamp::micros)),
        confirmed_at: Set(d.confirmed_at.map(Timestamp::micros)),
        cancelled_at: Set(None),
        cancel_reason: Set(None),
        recorded_by: Set(d.recorded_by.map(|u| u.0)),
        created_at: Set(d.at.micros()),
        updated_at: Set(d.at.micros()),
        ..Default::default()
    })
    .exec(txn)
    .await
    .map_err(db_err)?
    .last_insert_id;
    if let Some((ev, bytes)) = d.evidence {
        deal_evidence::Entity::insert(deal_evidence::ActiveModel {
            deal_id: Set(id),
            file_name: Set(ev.file_name),
            content_type: Set(ev.content_type),
            size: Set(i64::try_from(ev.size).unwrap_or(i64::MAX)),
            sha256: Set(ev.sha256),
            content: Set(bytes),
        })
        .exec(txn)
        .await
        .map_err(db_err)?;
    }
    if let Some(mut record) = d.audit {
        if record.target_id.is_empty() {
            record.target_id = id.to_string();
        }
        audit::insert(txn, &record).await?;
    }
    Watch::created(Counter::Deal(id)).finish(txn).await?;
    outbox_upsert(txn, id, d.at).await?;
    let title = inbox::deal_title(txn, &d.subject).await?;
    let mut notes = Vec::new();
    if d.status == DealStatus::Confirmed {
        for side in [d.requester, d.provider] {
            notes.push(notifications::deal_confirmed(
                side,
                DealId(id),
                &title,
                d.at,
            ));
        }
    } else if d.status == DealStatus::Proposed {
        // Each side still to confirm, except the one who proposed it.
        let waiting = [
            (d.requester, d.requester_confirmed_at),
            (d.provider, d.provider_confirmed_at),
        ];
        for (side, confirmed_at) in waiting {
            if confirmed_at.is_none() && side != d.proposed_by {
                notes.push(notifications::deal_to_confirm(
                    side,
                    DealId(id),
                    &title,
                    d.at,
                ));
            }
        }
    }
    inbox::insert(txn, notes).await?;
    Ok(id)
}

pub(in crate::store) async fn create(db: &DatabaseConnection, d: NewDeal) -> StoreResult<i64> {
    let txn = begin_write(db).await?;
    let id = insert(&txn, d).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(id)
}

fn parse_status(raw: &str) -> StoreResult<DealStatus> {
    DealStatus::parse(raw).map_err(|_| corrupt("deal status", raw))
}

async fn to_domain(db: &impl ConnectionTrait, rows: Vec<deals::Model>) -> StoreResult<Vec<Deal>> {
    let names = names(
        db,
        rows.iter().flat_map(|r| [r.requester_id, r.provider_id]),
    )
    .await?;
    let achievements = posting_heads(
        db,
        PostingKind::Achievement,
        rows.iter().filter_map(|r| r.achievement_id),
    )
    .await?;
    let needs = posting_heads(db, PostingKind::Need, rows.iter().filter_map(|r| r.need_id)).await?;
    let services = posting_heads(
        db,
        PostingKind::Service,
        rows.iter().filter_map(|r| r.service_id),
    )
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let evidence: HashMap<i64, Evidence> = if ids.is_empty() {
        HashMap::new()
    } else {
        let meta: Vec<(i64, String, String, i64, String)> = deal_evidence::Entity::find()
            .select_only()
            .columns([
                deal_evidence::Column::DealId,
                deal_evidence::Column::FileName,
                deal_evidence::Column::ContentType,
                deal_evidence::Column::Size,
                deal_evidence::Column::Sha256,
            ])
            .filter(deal_evidence::Column::DealId.is_in(ids))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        meta.into_iter()
            .map(|(id, file_name, content_type, size, sha256)| {
                let size = u64::try_from(size).unwrap_or_default();
                (
                    id,
                    Evidence {
                        file_name,
                        content_type,
                        size,
                        sha256,
                    },
                )
            })
            .collect()
    };
    let title = |map: &HashMap<i64, (String, i64)>, id: Option<i64>| {
        id.and_then(|id| map.get(&id)).map(|h| h.0.clone())
    };
    rows.into_iter()
        .map(|r| {
            let subject_title = title(&achievements, r.achievement_id)
                .or_else(|| title(&needs, r.need_id))
                .or_else(|| title(&services, r.service_id))
                .unwrap_or_default();
            let amount = Fen::new("amount_fen", r.amount_fen)
                .map_err(|_| corrupt("amount", &r.amount_fen.to_string()))?;
            let deal_date = NaiveDate::parse_from_str(&r.deal_date, "%Y-%m-%d")
                .map_err(|_| corrupt("deal date", &r.deal_date))?;
            Ok(Deal {
                id: DealId(r.id),
                subject: subject_of(&r),
                subject_title,
                requester: UserId(r.requester_id),
                requester_name: name_of(&names, r.requester_id),
                provider: UserId(r.provider_id),
                provider_name: name_of(&names, r.provider_id),
                terms: DealTerms {
                    amount,
                    deal_date,
                    note: r.note,
                },
                origin: DealOrigin::parse(&r.origin).ok_or_else(|| corrupt("origin", &r.origin))?,
                quote_id: r.quote_id.map(QuoteId),
                inquiry_id: r.inquiry_id.map(InquiryId),
                status: parse_status(&r.status)?,
                requester_confirmed_at: r.requester_confirmed_at.map(Timestamp),
                provider_confirmed_at: r.provider_confirmed_at.map(Timestamp),
                confirmed_at: r.confirmed_at.map(Timestamp),
                cancelled_at: r.cancelled_at.map(Timestamp),
                cancel_reason: r.cancel_reason,
                region: parse_region(&r.region)?,
                proposed_by: UserId(r.proposed_by),
                recorded_by: r.recorded_by.map(UserId),
                evidence: evidence.get(&r.id).cloned(),
                created_at: Timestamp(r.created_at),
            })
        })
        .collect()
}

impl Records for deals::Entity {
    type Record = Deal;
    async fn records<C: ConnectionTrait>(
        conn: &C,
        rows: Vec<deals::Model>,
    ) -> StoreResult<Vec<Deal>> {
        to_domain(conn, rows).await
    }
}

pub(in crate::store) async fn get(db: &DatabaseConnection, id: i64) -> StoreResult<Option<Deal>> {
    read_one(db, deals::Entity::find_by_id(id)).await
}

fn confirmed(col: deals::Column, was: bool) -> Condition {
    Condition::all().add(if was {
        col.is_not_null()
    } else {
        col.is_null()
    })
}

pub(in crate::store) async fn change(
    db: &DatabaseConnection,
    id: i64,
    c: DealChange,
) -> StoreResult<()> {
    let mut update = deals::Entity::update_many()
        .col_expr(deals::Column::Status, Expr::value(c.to.code()))
        .col_expr(
            deals::Column::RequesterConfirmedAt,
            Expr::value(c.requester_confirmed_at.map(Timestamp::micros)),
        )
        .col_expr(
            deals::Column::ProviderConfirmedAt,
            Expr::value(c.provider_confirmed_at.map(Timestamp::micros)),
        )
        .col_expr(
            deals::Column::ConfirmedAt,
            Expr::value(c.confirmed_at.map(Timestamp::micros)),
        )
        .col_expr(deals::Column::UpdatedAt, Expr::value(c.at.micros()));
    if c.to == DealStatus::Cancelled {
        update = update
            .col_expr(deals::Column::CancelledAt, Expr::value(c.at.micros()))
            .col_expr(
                deals::Column::CancelReason,
                Expr::value(c.cancel_reason.clone()),
            );
    }
    let txn = begin_write(db).await?;
    let watch = Watch::start(&txn, &[Counter::Deal(id)]).await?;
    let res = update
        .filter(deals::Column::Id.eq(id))
        .filter(deals::Column::Status.eq(c.from.code()))
        .filter(confirmed(
            deals::Column::RequesterConfirmedAt,
            c.from_requester_confirmed,
        ))
        .filter(confirmed(
            deals::Column::ProviderConfirmedAt,
            c.from_provider_confirmed,
        ))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        let exists = deals::Entity::find_by_id(id)
            .count(&txn)
            .await
            .map_err(db_err)?
            > 0;
        return Err(lost_race(exists));
    }
    watch.finish(&txn).await?;
    if let Some(record) = &c.audit {
        audit::insert(&txn, record).await?;
    }
    outbox_upsert(&txn, id, c.at).await?;
    if c.to == DealStatus::Confirmed && c.from != DealStatus::Confirmed {
        notify_confirmed(&txn, id, c.at).await?;
    }
    txn.commit().await.map_err(db_err)
}

/// Both sides learn that the deal is confirmed, in the confirming transaction.
async fn notify_confirmed<C: ConnectionTrait>(txn: &C, id: i64, at: Timestamp) -> StoreResult<()> {
    let Some(d) = deals::Entity::find_by_id(id)
        .one(txn)
        .await
        .map_err(db_err)?
    else {
        return Ok(());
    };
    let title = inbox::deal_title(txn, &subject_of(&d)).await?;
    let notes = [d.requester_id, d.provider_id]
        .into_iter()
        .map(|u| notifications::deal_confirmed(UserId(u), DealId(id), &title, at))
        .collect();
    inbox::insert(txn, notes).await
}

pub(in crate::store) async fn list(
    db: &DatabaseConnection,
    f: &DealFilter,
    page: Page,
) -> StoreResult<Paged<Deal>> {
    let mut q = deals::Entity::find().filter(scope_condition(
        &f.scope,
        deals::Column::Region,
        deals::Column::RegionCity,
        deals::Column::RegionProvince,
    ));
    if let Some(u) = f.party {
        q = q.filter(
            Condition::any()
                .add(deals::Column::RequesterId.eq(u.0))
                .add(deals::Column::ProviderId.eq(u.0)),
        );
    }
    if let Some(s) = f.status {
        q = q.filter(deals::Column::Status.eq(s.code()));
    }
    match f.transfer {
        Some(true) => q = q.filter(deals::Column::AchievementId.is_not_null()),
        Some(false) => q = q.filter(deals::Column::AchievementId.is_null()),
        None => {}
    }
    read_page(db, q, deals::Column::CreatedAt, deals::Column::Id, page).await
}

pub(in crate::store) async fn evidence(
    db: &DatabaseConnection,
    deal_id: i64,
) -> StoreResult<Option<(Evidence, Vec<u8>)>> {
    Ok(deal_evidence::Entity::find_by_id(deal_id)
        .one(db)
        .await
        .map_err(db_err)?
        .map(|e| {
            (
                Evidence {
                    file_name: e.file_name,
                    content_type: e.content_type,
                    size: u64::try_from(e.size).unwrap_or_default(),
                    sha256: e.sha256,
                },
                e.content,
            )
        }))
}

#[async_trait]
impl DealStore for SeaStore {
    async fn create_deal(&self, deal: NewDeal) -> StoreResult<DealId> {
        retry!(create(&self.db, deal.clone())).map(DealId)
    }
    async fn deal(&self, id: DealId) -> StoreResult<Option<Deal>> {
        get(&self.reader, id.0).await
    }
    async fn change_deal(&self, id: DealId, c: DealChange) -> StoreResult<()> {
        retry!(change(&self.db, id.0, c.clone()))
    }
    async fn list_deals(&self, filter: &DealFilter, page: Page) -> StoreResult<Paged<Deal>> {
        list(&self.reader, filter, page).await
    }
    async fn deal_evidence(&self, deal_id: DealId) -> StoreResult<Option<(Evidence, Vec<u8>)>> {
        evidence(&self.reader, deal_id.0).await
    }
}
