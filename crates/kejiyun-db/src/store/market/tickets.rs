//! Caseworker tickets: `open_flag` (1 while open) makes the database refuse a second open
//! ticket on a need; follow-ups and links hang off the ticket.

use std::collections::HashMap;

use async_trait::async_trait;
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::ids::{FollowUpId, NeedId, PostingId, TicketId, UserId};
use kejiyun_core::market::ports::{TicketFilter, TicketStore};
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::market::tickets::{
    FollowUp, FollowUpKind, LinkKind, Ticket, TicketOutcome, TicketStatus,
};
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, SqlErr,
};

use super::super::SeaStore;
use super::super::moderation::lost_race;
use super::super::{
    Records, audit, begin_write, corrupt, db_err, parse_region, read_one, read_page, region_parts,
    scope_condition,
};
use super::{name_of, names, posting_heads};
use crate::entities::{ticket_follow_ups, ticket_links, tickets};

fn parsed<T, E>(what: &str, raw: &str, r: Result<T, E>) -> StoreResult<T> {
    r.map_err(|_| corrupt(what, raw))
}

/// Tickets with their links and follow-ups (a list shows them too).
async fn to_domain(
    db: &impl ConnectionTrait,
    rows: Vec<tickets::Model>,
) -> StoreResult<Vec<Ticket>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut links: HashMap<i64, Vec<(LinkKind, i64)>> = HashMap::new();
    let mut notes: HashMap<i64, Vec<ticket_follow_ups::Model>> = HashMap::new();
    if !ids.is_empty() {
        for l in ticket_links::Entity::find()
            .filter(ticket_links::Column::TicketId.is_in(ids.clone()))
            .order_by_asc(ticket_links::Column::Id)
            .all(db)
            .await
            .map_err(db_err)?
        {
            let kind = parsed("link kind", &l.kind, LinkKind::parse(&l.kind))?;
            links
                .entry(l.ticket_id)
                .or_default()
                .push((kind, l.target_id));
        }
        for f in ticket_follow_ups::Entity::find()
            .filter(ticket_follow_ups::Column::TicketId.is_in(ids))
            .order_by_asc(ticket_follow_ups::Column::Id)
            .all(db)
            .await
            .map_err(db_err)?
        {
            notes.entry(f.ticket_id).or_default().push(f);
        }
    }
    let names = names(
        db,
        rows.iter()
            .map(|r| r.staff_id)
            .chain(notes.values().flatten().map(|f| f.author_id)),
    )
    .await?;
    let heads = posting_heads(db, PostingKind::Need, rows.iter().map(|r| r.need_id)).await?;
    rows.into_iter()
        .map(|r| {
            let follow_ups = notes
                .remove(&r.id)
                .unwrap_or_default()
                .into_iter()
                .map(|f| {
                    Ok(FollowUp {
                        id: FollowUpId(f.id),
                        kind: parsed("follow-up kind", &f.kind, FollowUpKind::parse(&f.kind))?,
                        author_name: name_of(&names, f.author_id),
                        author: UserId(f.author_id),
                        note: f.note,
                        at: Timestamp(f.at),
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Ticket {
                id: TicketId(r.id),
                need_id: PostingId::new(r.need_id),
                need_title: heads
                    .get(&r.need_id)
                    .map(|h| h.0.clone())
                    .unwrap_or_default(),
                region: parse_region(&r.region)?,
                staff: UserId(r.staff_id),
                staff_name: name_of(&names, r.staff_id),
                status: parsed("ticket status", &r.status, TicketStatus::parse(&r.status))?,
                outcome: r
                    .outcome
                    .as_deref()
                    .map(|o| parsed("outcome", o, TicketOutcome::parse(o)))
                    .transpose()?,
                outcome_note: r.outcome_note,
                opened_at: Timestamp(r.opened_at),
                closed_at: r.closed_at.map(Timestamp),
                follow_ups,
                links: links.remove(&r.id).unwrap_or_default(),
            })
        })
        .collect()
}

impl Records for tickets::Entity {
    type Record = Ticket;
    async fn records<C: ConnectionTrait>(
        conn: &C,
        rows: Vec<tickets::Model>,
    ) -> StoreResult<Vec<Ticket>> {
        to_domain(conn, rows).await
    }
}

pub(in crate::store) async fn open(
    db: &DatabaseConnection,
    need_id: i64,
    staff: UserId,
    region: RegionCode,
    record: AuditRecord,
) -> StoreResult<i64> {
    let (r, city, province) = region_parts(region);
    let txn = begin_write(db).await?;
    let id = tickets::Entity::insert(tickets::ActiveModel {
        need_id: Set(need_id),
        staff_id: Set(staff.0),
        region: Set(r),
        region_city: Set(city),
        region_province: Set(province),
        status: Set(TicketStatus::Open.code().to_owned()),
        open_flag: Set(Some(1)),
        outcome: Set(None),
        outcome_note: Set(None),
        opened_at: Set(record.at.micros()),
        closed_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(|e| match db_err(e) {
        StoreError::Conflict(m) if m == "记录已存在" => {
            StoreError::Conflict("该需求已有跟进中的保姆单".into())
        }
        other => other,
    })?
    .last_insert_id;
    audit::insert(&txn, &record).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(id)
}

pub(in crate::store) async fn get(db: &DatabaseConnection, id: i64) -> StoreResult<Option<Ticket>> {
    read_one(db, tickets::Entity::find_by_id(id)).await
}

async fn exists<C: ConnectionTrait>(txn: &C, id: i64) -> StoreResult<bool> {
    Ok(tickets::Entity::find_by_id(id)
        .count(txn)
        .await
        .map_err(db_err)?
        > 0)
}

pub(in crate::store) async fn add_follow_up(
    db: &DatabaseConnection,
    ticket: i64,
    kind: FollowUpKind,
    note: &str,
    author: UserId,
    at: Timestamp,
) -> StoreResult<i64> {
    let txn = begin_write(db).await?;
    if !exists(&txn, ticket).await? {
        return Err(StoreError::NotFound);
    }
    let id = ticket_follow_ups::Entity::insert(ticket_follow_ups::ActiveModel {
        ticket_id: Set(ticket),
        kind: Set(kind.code().to_owned()),
        note: Set(note.to_owned()),
        author_id: Set(author.0),
        at: Set(at.micros()),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(db_err)?
    .last_insert_id;
    txn.commit().await.map_err(db_err)?;
    Ok(id)
}

pub(in crate::store) async fn link(
    db: &DatabaseConnection,
    ticket: i64,
    kind: LinkKind,
    target: i64,
) -> StoreResult<()> {
    let txn = begin_write(db).await?;
    if !exists(&txn, ticket).await? {
        return Err(StoreError::NotFound);
    }
    let linked = ticket_links::Entity::find()
        .filter(ticket_links::Column::TicketId.eq(ticket))
        .filter(ticket_links::Column::Kind.eq(kind.code()))
        .filter(ticket_links::Column::TargetId.eq(target))
        .count(&txn)
        .await
        .map_err(db_err)?
        > 0;
    if linked {
        return Ok(());
    }
    let inserted = ticket_links::Entity::insert(ticket_links::ActiveModel {
        ticket_id: Set(ticket),
        kind: Set(kind.code().to_owned()),
        target_id: Set(target),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    match inserted {
        Ok(_) => txn.commit().await.map_err(db_err),
        // Linked concurrently: the link exists, which is all that was asked.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(()),
        Err(e) => Err(db_err(e)),
    }
}

pub(in crate::store) async fn close(
    db: &DatabaseConnection,
    ticket: i64,
    outcome: TicketOutcome,
    note: Option<String>,
    record: AuditRecord,
) -> StoreResult<()> {
    let txn = begin_write(db).await?;
    let res = tickets::Entity::update_many()
        .col_expr(
            tickets::Column::Status,
            Expr::value(TicketStatus::Closed.code()),
        )
        .col_expr(tickets::Column::OpenFlag, Expr::value(Option::<i64>::None))
        .col_expr(tickets::Column::Outcome, Expr::value(outcome.code()))
        .col_expr(tickets::Column::OutcomeNote, Expr::value(note))
        .col_expr(tickets::Column::ClosedAt, Expr::value(record.at.micros()))
        .filter(tickets::Column::Id.eq(ticket))
        .filter(tickets::Column::Status.eq(TicketStatus::Open.code()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(lost_race(exists(&txn, ticket).await?));
    }
    audit::insert(&txn, &record).await?;
    txn.commit().await.map_err(db_err)
}

pub(in crate::store) async fn list(
    db: &DatabaseConnection,
    f: &TicketFilter,
    page: Page,
) -> StoreResult<Paged<Ticket>> {
    let mut q = tickets::Entity::find().filter(scope_condition(
        &f.scope,
        tickets::Column::Region,
        tickets::Column::RegionCity,
        tickets::Column::RegionProvince,
    ));
    if let Some(s) = f.staff {
        q = q.filter(tickets::Column::StaffId.eq(s.0));
    }
    if let Some(s) = f.status {
        q = q.filter(tickets::Column::Status.eq(s.code()));
    }
    if let Some(n) = f.need {
        q = q.filter(tickets::Column::NeedId.eq(n.0));
    }
    read_page(db, q, tickets::Column::OpenedAt, tickets::Column::Id, page).await
}

#[async_trait]
impl TicketStore for SeaStore {
    async fn open_ticket(
        &self,
        need_id: NeedId,
        staff: UserId,
        region: RegionCode,
        audit: AuditRecord,
    ) -> StoreResult<TicketId> {
        retry!(open(&self.db, need_id.0, staff, region, audit.clone())).map(TicketId)
    }
    async fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>> {
        get(&self.reader, id.0).await
    }
    async fn add_follow_up(
        &self,
        ticket: TicketId,
        kind: FollowUpKind,
        note: &str,
        author: UserId,
        at: Timestamp,
    ) -> StoreResult<FollowUpId> {
        retry!(add_follow_up(&self.db, ticket.0, kind, note, author, at)).map(FollowUpId)
    }
    async fn link_ticket(&self, ticket: TicketId, kind: LinkKind, target: i64) -> StoreResult<()> {
        retry!(link(&self.db, ticket.0, kind, target))
    }
    async fn close_ticket(
        &self,
        ticket: TicketId,
        outcome: TicketOutcome,
        note: Option<String>,
        audit: AuditRecord,
    ) -> StoreResult<()> {
        retry!(close(
            &self.db,
            ticket.0,
            outcome,
            note.clone(),
            audit.clone()
        ))
    }
    async fn list_tickets(&self, filter: &TicketFilter, page: Page) -> StoreResult<Paged<Ticket>> {
        list(&self.reader, filter, page).await
    }
}
