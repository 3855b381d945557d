use crate::ids::{InquiryId, MessageId, QuoteId};
use crate::market::inquiries::{Inquiry, Message, message_body};
use crate::market::postings::PostingKind;
use crate::moderation::ModerationStatus;
use crate::paging::{Page, Paged};
use crate::permissions::Actor;
use crate::{DomainError, DomainResult};

fn not_found() -> DomainError {
    DomainError::NotFound("对接记录不存在".into())
}

use_cases!(Inquiries, inquiries, "Inquiry threads");

impl Inquiries<'_> {
    /// Contacts the other side of a published posting; a second contact continues the same
    /// thread. Returns the inquiry id.
    pub async fn start_inquiry(
        &self,
        actor: &Actor,
        kind: PostingKind,
        posting_id: i64,
        body: &str,
    ) -> DomainResult<InquiryId> {
        if kind == PostingKind::Question {
            // A question is answered in its own thread, not negotiated.
            return Err(DomainError::invalid(
                "posting_kind",
                "问题请在问题页面回答，不能发起对接",
            ));
        }
        if !kind.traded() {
            return Err(DomainError::invalid(
                "posting_kind",
                format!("{}不能发起对接", kind.label_zh()),
            ));
        }
        let body = message_body(body)?;
        self.banned_words.check("body", &[&body])?;
        let (meta, _, _) = self.postings().posting_meta(kind, posting_id).await?;
        if meta.status != ModerationStatus::Published {
            return Err(DomainError::NotFound(format!(
                "{}不存在或未发布",
                kind.label_zh()
            )));
        }
        if meta.owner == actor.user_id {
            return Err(DomainError::invalid(
                "posting_id",
                "不能与自己发布的内容对接",
            ));
        }
        let now = self.now();
        match self
            .store
            .find_inquiry(kind, posting_id, actor.user_id)
            .await?
        {
            Some(id) => {
                self.store
                    .add_message(id, actor.user_id, &body, now)
                    .await?;
                Ok(id)
            }
            None => Ok(self
                .store
                .create_inquiry(
                    kind,
                    posting_id,
                    actor.user_id,
                    meta.owner,
                    actor.user_id,
                    &body,
                    now,
                )
                .await?),
        }
    }

    /// Only the two sides see a thread; anyone else gets 404.
    pub async fn inquiry(
        &self,
        actor: &Actor,
        id: InquiryId,
    ) -> DomainResult<(Inquiry, Vec<Message>)> {
        let inquiry = self.store.inquiry(id).await?.ok_or_else(not_found)?;
        if !inquiry.is_side(actor.user_id) {
            return Err(not_found());
        }
        let messages = self.store.messages(id).await?;
        Ok((inquiry, messages))
    }

    pub async fn reply_inquiry(
        &self,
        actor: &Actor,
        id: InquiryId,
        body: &str,
    ) -> DomainResult<MessageId> {
        let body = message_body(body)?;
        self.banned_words.check("body", &[&body])?;
        let inquiry = self.store.inquiry(id).await?.ok_or_else(not_found)?;
        if !inquiry.is_side(actor.user_id) {
            return Err(not_found());
        }
        Ok(self
            .store
            .add_message(id, actor.user_id, &body, self.now())
            .await?)
    }

    /// The owner of a need asks a quote's provider a question: the message goes to the thread
    /// between them on that need (opened now if the provider has not written yet).
    pub async fn ask_quote(
        &self,
        actor: &Actor,
        quote_id: QuoteId,
        body: &str,
    ) -> DomainResult<InquiryId> {
        let body = message_body(body)?;
        self.banned_words.check("body", &[&body])?;
        let quote = self.quotes().quote(actor, quote_id).await?;
        if quote.need_owner != actor.user_id {
            return Err(DomainError::Forbidden(
                "只有需求发布者可以向报价方提问".into(),
            ));
        }
        let now = self.now();
        match self
            .store
            .find_inquiry(PostingKind::Need, quote.need_id.0, quote.provider)
            .await?
        {
            Some(id) => {
                self.store
                    .add_message(id, actor.user_id, &body, now)
                    .await?;
                Ok(id)
            }
            None => Ok(self
                .store
                .create_inquiry(
                    PostingKind::Need,
                    quote.need_id.0,
                    quote.provider,
                    actor.user_id,
                    actor.user_id,
                    &body,
                    now,
                )
                .await?),
        }
    }

    pub async fn my_inquiries(&self, actor: &Actor, page: Page) -> DomainResult<Paged<Inquiry>> {
        Ok(self.store.list_inquiries(actor.user_id, page).await?)
    }
}
