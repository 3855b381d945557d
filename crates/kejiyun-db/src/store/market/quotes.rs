//! Quotes on needs. `open_flag` (1 while submitted) makes the database refuse a second
//! submitted quote by the same provider on the same need; accepting writes the deal in the
//! same transaction.

use async_trait::async_trait;
use kejiyun_core::ids::{DealId, NeedId, PostingId, QuoteId, UserId};
use kejiyun_core::market::money::Fen;
use kejiyun_core::market::ports::{NewDeal, QuoteStore};
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::market::quotes::{DeclineReason, Quote, QuoteDraft, QuoteStatus};
use kejiyun_core::notifications;
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};

use super::super::SeaStore;
use super::super::moderation::lost_race;
use super::super::notifications as inbox;
use super::super::stats::lock_subject;
use super::super::{Records, begin_write, corrupt, db_err, read_one, read_page};
use super::{deals, name_of, names, posting_heads};
use crate::entities::quotes;

async fn to_domain(db: &impl ConnectionTrait, rows: Vec<quotes::Model>) -> StoreResult<Vec<Quote>> {
    let names = names(db, rows.iter().map(|r| r.provider_id)).await?;
    let heads = posting_heads(db, PostingKind::Need, rows.iter().map(|r| r.need_id)).await?;
    rows.into_iter()
        .map(|r| {
            let (need_title, need_owner) = heads.get(&r.need_id).cloned().unwrap_or_default();
            Ok(Quote {
                id: QuoteId(r.id),
                need_id: PostingId::new(r.need_id),
                need_title,
                need_owner: UserId(need_owner),
                provider: UserId(r.provider_id),
                provider_name: name_of(&names, r.provider_id),
                draft: QuoteDraft {
                    price: Fen::new("price_fen", r.price_fen)
                        .map_err(|_| corrupt("quote price", &r.price_fen.to_string()))?,
                    timeline_days: u32::try_from(r.timeline_days)
                        .map_err(|_| corrupt("timeline", &r.timeline_days.to_string()))?,
                    method: r.method,
                    service_id: r.service_id.map(PostingId::new),
                },
                status: QuoteStatus::parse(&r.status)
                    .ok_or_else(|| corrupt("quote status", &r.status))?,
                decline_reason: r
                    .decline_reason
                    .as_deref()
                    .map(|d| DeclineReason::parse(d).map_err(|_| corrupt("decline reason", d)))
                    .transpose()?,
                decline_note: r.decline_note,
                deal_id: r.deal_id.map(DealId),
                created_at: Timestamp(r.created_at),
                decided_at: r.decided_at.map(Timestamp),
            })
        })
        .collect()
}

impl Records for quotes::Entity {
    type Record = Quote;
    async fn records<C: ConnectionTrait>(
        conn: &C,
        rows: Vec<quotes::Model>,
    ) -> StoreResult<Vec<Quote>> {
        to_domain(conn, rows).await
    }
}

pub(in crate::store) async fn create(
    db: &DatabaseConnection,
    need_id: i64,
    provider: UserId,
    draft: &QuoteDraft,
    at: Timestamp,
) -> StoreResult<i64> {
    let txn = begin_write(db).await?;
    let id = quotes::Entity::insert(quotes::ActiveModel {
        need_id: Set(need_id),
        provider_id: Set(provider.0),
        price_fen: Set(draft.price.fen()),
        timeline_days: Set(i32::try_from(draft.timeline_days).unwrap_or(i32::MAX)),
        method: Set(draft.method.clone()),
        service_id: Set(draft.service_id.map(|s| s.0)),
        status: Set(QuoteStatus::Submitted.code().to_owned()),
        open_flag: Set(Some(1)),
        decline_reason: Set(None),
        decline_note: Set(None),
        deal_id: Set(None),
        created_at: Set(at.micros()),
        decided_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(|e| match db_err(e) {
        StoreError::Conflict(m) if m == "记录已存在" => {
            StoreError::Conflict("您已对该需求提交过报价，请等待对方回复或先撤回".into())
        }
        other => other,
    })?
    .last_insert_id;
    if let Some((title, owner)) = inbox::posting_head(&txn, PostingKind::Need, need_id).await? {
        let name = inbox::user_name(&txn, provider).await?;
        let n = notifications::new_quote(UserId(owner), PostingId::new(need_id), &title, &name, at);
        inbox::insert(&txn, vec![n]).await?;
    }
    txn.commit().await.map_err(db_err)?;
    Ok(id)
}

pub(in crate::store) async fn get(db: &DatabaseConnection, id: i64) -> StoreResult<Option<Quote>> {
    read_one(db, quotes::Entity::find_by_id(id)).await
}

pub(in crate::store) async fn list(
    db: &DatabaseConnection,
    need: Option<i64>,
    provider: Option<UserId>,
    page: Page,
) -> StoreResult<Paged<Quote>> {
    let mut q = quotes::Entity::find();
    if let Some(n) = need {
        q = q.filter(quotes::Column::NeedId.eq(n));
    }
    if let Some(p) = provider {
        q = q.filter(quotes::Column::ProviderId.eq(p.0));
    }
    read_page(db, q, quotes::Column::CreatedAt, quotes::Column::Id, page).await
}

/// Moves the quote only if it still has `from`; the deal (if any) is inserted in the same
/// transaction, so a failing deal leaves the quote as it was.
#[expect(
    clippy::too_many_arguments,
    reason = "mirrors QuoteStore::decide_quote"
)]
pub(in crate::store) async fn decide(
    db: &DatabaseConnection,
    id: i64,
    from: QuoteStatus,
    to: QuoteStatus,
    reason: Option<DeclineReason>,
    note: Option<String>,
    deal: Option<NewDeal>,
    at: Timestamp,
) -> StoreResult<Option<i64>> {
    let open_flag = (to == QuoteStatus::Submitted).then_some(1i64);
    let txn = begin_write(db).await?;
    if let Some(d) = &deal {
        // Before the quote's update, whose foreign-key check share-locks the need on MySQL.
        let (need, service, achievement) = deals::subject_columns(&d.subject);
        lock_subject(&txn, need, service, achievement).await?;
    }
    let res = quotes::Entity::update_many()
        .col_expr(quotes::Column::Status, Expr::value(to.code()))
        .col_expr(quotes::Column::OpenFlag, Expr::value(open_flag))
        .col_expr(
            quotes::Column::DeclineReason,
            Expr::value(reason.map(|r| r.code().to_owned())),
        )
        .col_expr(quotes::Column::DeclineNote, Expr::value(note))
        .col_expr(quotes::Column::DecidedAt, Expr::value(at.micros()))
        .filter(quotes::Column::Id.eq(id))
        .filter(quotes::Column::Status.eq(from.code()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        let exists = quotes::Entity::find_by_id(id)
            .count(&txn)
            .await
            .map_err(db_err)?
            > 0;
        return Err(lost_race(exists));
    }
    let deal_id = match deal {
        Some(d) => {
            let deal_id = deals::insert(&txn, d).await?;
            quotes::Entity::update_many()
                .col_expr(quotes::Column::DealId, Expr::value(deal_id))
                .filter(quotes::Column::Id.eq(id))
                .exec(&txn)
                .await
                .map_err(db_err)?;
            Some(deal_id)
        }
        None => None,
    };
    txn.commit().await.map_err(db_err)?;
    Ok(deal_id)
}

#[async_trait]
impl QuoteStore for SeaStore {
    async fn create_quote(
        &self,
        need_id: NeedId,
        provider: UserId,
        draft: &QuoteDraft,
        at: Timestamp,
    ) -> StoreResult<QuoteId> {
        retry!(create(&self.db, need_id.0, provider, draft, at)).map(QuoteId)
    }
    async fn quote(&self, id: QuoteId) -> StoreResult<Option<Quote>> {
        get(&self.reader, id.0).await
    }
    async fn list_quotes(
        &self,
        need: Option<NeedId>,
        provider: Option<UserId>,
        page: Page,
    ) -> StoreResult<Paged<Quote>> {
        list(&self.reader, need.map(|n| n.0), provider, page).await
    }
    async fn decide_quote(
        &self,
        id: QuoteId,
        from: QuoteStatus,
        to: QuoteStatus,
        reason: Option<DeclineReason>,
        note: Option<String>,
        deal: Option<NewDeal>,
        at: Timestamp,
    ) -> StoreResult<Option<DealId>> {
        retry!(decide(
            &self.db,
            id.0,
            from,
            to,
            reason,
            note.clone(),
            deal.clone(),
            at
        ))
        .map(|deal| deal.map(DealId))
    }
}
