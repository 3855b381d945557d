//! Inquiries (对接): one thread per (posting, requester), its messages, and the counters kept
//! on the thread (message count, last activity) updated with each message.

use std::collections::HashMap;

use async_trait::async_trait;
use kejiyun_core::ids::{InquiryId, MessageId, UserId};
use kejiyun_core::market::inquiries::{Inquiry, Message};
use kejiyun_core::market::ports::InquiryStore;
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::notifications;
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::super::SeaStore;
use super::super::notifications as inbox;
use super::super::{Records, begin_write, corrupt, db_err, read_one, read_page};
use super::{name_of, names, posting_heads};
use crate::entities::{inquiries, inquiry_messages};

fn kind_of(raw: &str) -> StoreResult<PostingKind> {
    PostingKind::parse(raw).map_err(|_| corrupt("posting kind", raw))
}

async fn to_domain(
    db: &impl ConnectionTrait,
    rows: Vec<inquiries::Model>,
) -> StoreResult<Vec<Inquiry>> {
    let names = names(db, rows.iter().flat_map(|r| [r.requester_id, r.owner_id])).await?;
    let mut titles: HashMap<(PostingKind, i64), String> = HashMap::new();
    for kind in PostingKind::ALL {
        let ids = rows
            .iter()
            .filter(|r| r.posting_kind == kind.code())
            .map(|r| r.posting_id);
        for (id, (title, _)) in posting_heads(db, kind, ids).await? {
            titles.insert((kind, id), title);
        }
    }
    rows.into_iter()
        .map(|r| {
            let kind = kind_of(&r.posting_kind)?;
            Ok(Inquiry {
                id: InquiryId(r.id),
                posting_kind: kind,
                posting_id: r.posting_id,
                posting_title: titles
                    .get(&(kind, r.posting_id))
                    .cloned()
                    .unwrap_or_default(),
                requester: UserId(r.requester_id),
                requester_name: name_of(&names, r.requester_id),
                owner: UserId(r.owner_id),
                owner_name: name_of(&names, r.owner_id),
                created_at: Timestamp(r.created_at),
                last_message_at: Timestamp(r.last_message_at),
                message_count: u64::try_from(r.message_count).unwrap_or_default(),
            })
        })
        .collect()
}

impl Records for inquiries::Entity {
    type Record = Inquiry;
    async fn records<C: ConnectionTrait>(
        conn: &C,
        rows: Vec<inquiries::Model>,
    ) -> StoreResult<Vec<Inquiry>> {
        to_domain(conn, rows).await
    }
}

pub(in crate::store) async fn find(
    db: &DatabaseConnection,
    kind: PostingKind,
    posting_id: i64,
    requester: UserId,
) -> StoreResult<Option<i64>> {
    inquiries::Entity::find()
        .select_only()
        .column(inquiries::Column::Id)
        .filter(inquiries::Column::PostingKind.eq(kind.code()))
        .filter(inquiries::Column::PostingId.eq(posting_id))
        .filter(inquiries::Column::RequesterId.eq(requester.0))
        .into_tuple()
        .one(db)
        .await
        .map_err(db_err)
}

async fn insert_message<C: ConnectionTrait>(
    txn: &C,
    inquiry_id: i64,
    author: UserId,
    body: &str,
    at: Timestamp,
) -> StoreResult<i64> {
    Ok(
        inquiry_messages::Entity::insert(inquiry_messages::ActiveModel {
            inquiry_id: Set(inquiry_id),
            author_id: Set(author.0),
            body: Set(body.to_owned()),
            created_at: Set(at.micros()),
            ..Default::default()
        })
        .exec(txn)
        .await
        .map_err(db_err)?
        .last_insert_id,
    )
}

/// Tells the other side of the thread about a message, in the message's transaction.
#[expect(
    clippy::too_many_arguments,
    reason = "the thread, its posting, the two sides and the time"
)]
async fn notify_message<C: ConnectionTrait>(
    txn: &C,
    inquiry_id: i64,
    kind: PostingKind,
    posting_id: i64,
    author: UserId,
    recipient: UserId,
    first: bool,
    at: Timestamp,
) -> StoreResult<()> {
    if recipient == author {
        return Ok(());
    }
    let title = inbox::posting_head(txn, kind, posting_id)
        .await?
        .map(|(t, _)| t)
        .unwrap_or_default();
    let name = inbox::user_name(txn, author).await?;
    let n = notifications::new_message(recipient, InquiryId(inquiry_id), &title, &name, first, at);
    inbox::insert(txn, vec![n]).await
}

#[expect(
    clippy::too_many_arguments,
    reason = "the thread's key, its sides and its first message"
)]
pub(in crate::store) async fn create(
    db: &DatabaseConnection,
    kind: PostingKind,
    posting_id: i64,
    requester: UserId,
    owner: UserId,
    author: UserId,
    body: &str,
    at: Timestamp,
) -> StoreResult<i64> {
    let txn = begin_write(db).await?;
    let id = inquiries::Entity::insert(inquiries::ActiveModel {
        posting_kind: Set(kind.code().to_owned()),
        posting_id: Set(posting_id),
        requester_id: Set(requester.0),
        owner_id: Set(owner.0),
        created_at: Set(at.micros()),
        last_message_at: Set(at.micros()),
        message_count: Set(1),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(|e| match db_err(e) {
        StoreError::Conflict(m) if m == "记录已存在" => {
            StoreError::Conflict("您已就该内容发起过对接".into())
        }
        other => other,
    })?
    .last_insert_id;
    insert_message(&txn, id, author, body, at).await?;
    let recipient = if author == requester {
        owner
    } else {
        requester
    };
    notify_message(&txn, id, kind, posting_id, author, recipient, true, at).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(id)
}

pub(in crate::store) async fn add_message(
    db: &DatabaseConnection,
    inquiry_id: i64,
    author: UserId,
    body: &str,
    at: Timestamp,
) -> StoreResult<i64> {
    let txn = begin_write(db).await?;
    let res = inquiries::Entity::update_many()
        .col_expr(
            inquiries::Column::MessageCount,
            Expr::col(inquiries::Column::MessageCount).add(1),
        )
        .col_expr(inquiries::Column::LastMessageAt, Expr::value(at.micros()))
        .filter(inquiries::Column::Id.eq(inquiry_id))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    let id = insert_message(&txn, inquiry_id, author, body, at).await?;
    let thread: Option<(String, i64, i64, i64)> = inquiries::Entity::find_by_id(inquiry_id)
        .select_only()
        .columns([
            inquiries::Column::PostingKind,
            inquiries::Column::PostingId,
            inquiries::Column::RequesterId,
            inquiries::Column::OwnerId,
        ])
        .into_tuple()
        .one(&txn)
        .await
        .map_err(db_err)?;
    if let Some((kind, posting_id, requester, owner)) = thread {
        let recipient = if author.0 == requester {
            owner
        } else {
            requester
        };
        let kind = kind_of(&kind)?;
        let recipient = UserId(recipient);
        notify_message(
            &txn, inquiry_id, kind, posting_id, author, recipient, false, at,
        )
        .await?;
    }
    txn.commit().await.map_err(db_err)?;
    Ok(id)
}

pub(in crate::store) async fn get(
    db: &DatabaseConnection,
    id: i64,
) -> StoreResult<Option<Inquiry>> {
    read_one(db, inquiries::Entity::find_by_id(id)).await
}

pub(in crate::store) async fn messages(
    db: &DatabaseConnection,
    inquiry_id: i64,
) -> StoreResult<Vec<Message>> {
    let rows = inquiry_messages::Entity::find()
        .filter(inquiry_messages::Column::InquiryId.eq(inquiry_id))
        .order_by_asc(inquiry_messages::Column::Id)
        .all(db)
        .await
        .map_err(db_err)?;
    let names = names(db, rows.iter().map(|r| r.author_id)).await?;
    Ok(rows
        .into_iter()
        .map(|r| Message {
            id: MessageId(r.id),
            inquiry_id: InquiryId(r.inquiry_id),
            author: UserId(r.author_id),
            author_name: name_of(&names, r.author_id),
            body: r.body,
            created_at: Timestamp(r.created_at),
        })
        .collect())
}

pub(in crate::store) async fn list(
    db: &DatabaseConnection,
    user: UserId,
    page: Page,
) -> StoreResult<Paged<Inquiry>> {
    let q = inquiries::Entity::find().filter(
        Condition::any()
            .add(inquiries::Column::RequesterId.eq(user.0))
            .add(inquiries::Column::OwnerId.eq(user.0)),
    );
    read_page(
        db,
        q,
        inquiries::Column::LastMessageAt,
        inquiries::Column::Id,
        page,
    )
    .await
}

#[async_trait]
impl InquiryStore for SeaStore {
    async fn find_inquiry(
        &self,
        kind: PostingKind,
        posting_id: i64,
        requester: UserId,
    ) -> StoreResult<Option<InquiryId>> {
        Ok(find(&self.reader, kind, posting_id, requester)
            .await?
            .map(InquiryId))
    }
    async fn create_inquiry(
        &self,
        kind: PostingKind,
        posting_id: i64,
        requester: UserId,
        owner: UserId,
        author: UserId,
        body: &str,
        at: Timestamp,
    ) -> StoreResult<InquiryId> {
        retry!(create(
            &self.db, kind, posting_id, requester, owner, author, body, at,
        ))
        .map(InquiryId)
    }
    async fn add_message(
        &self,
        inquiry_id: InquiryId,
        author: UserId,
        body: &str,
        at: Timestamp,
    ) -> StoreResult<MessageId> {
        retry!(add_message(&self.db, inquiry_id.0, author, body, at)).map(MessageId)
    }
    async fn inquiry(&self, id: InquiryId) -> StoreResult<Option<Inquiry>> {
        get(&self.reader, id.0).await
    }
    async fn messages(&self, inquiry_id: InquiryId) -> StoreResult<Vec<Message>> {
        messages(&self.reader, inquiry_id.0).await
    }
    async fn list_inquiries(&self, user: UserId, page: Page) -> StoreResult<Paged<Inquiry>> {
        list(&self.reader, user, page).await
    }
}
