use serde_json::json;

use crate::audit::AuditRecord;
use crate::ids::{DealId, FollowUpId, InquiryId, NeedId, TicketId};
use crate::market::ports::TicketFilter;
use crate::market::postings::{NeedDraft, PostingKind};
use crate::market::tickets::{
    FollowUpKind, LinkKind, Ticket, TicketOutcome, TicketStatus, follow_up_note,
};
use crate::moderation::ModerationStatus;
use crate::paging::{Page, Paged};
use crate::permissions::Actor;
use crate::{DomainError, DomainResult, text};

fn not_found() -> DomainError {
    DomainError::NotFound("保姆单不存在".into())
}

use_cases!(Tickets, tickets, "Caseworker tickets");

impl Tickets<'_> {
    /// Region staff take a need as a caseworker ticket (one open ticket per need).
    pub async fn open_ticket(&self, actor: &Actor, need_id: NeedId) -> DomainResult<TicketId> {
        let need = self
            .postings()
            .get::<NeedDraft>(Some(actor), need_id)
            .await?;
        // The need's owner may ask for one too: a need that finds no good match is offered
        // the caseworker (科服保姆) right beside its matches.
        if !actor.administers(need.draft.region) && need.meta.owner != actor.user_id {
            return Err(DomainError::Forbidden(
                "只有需求发布者和该地区的工作人员可以申请保姆单".into(),
            ));
        }
        if matches!(
            need.meta.status,
            ModerationStatus::Draft | ModerationStatus::Rejected
        ) {
            return Err(DomainError::Conflict("需求尚未提交，不能建保姆单".into()));
        }
        let now = self.now();
        let audit = AuditRecord {
            actor: Some(actor.user_id),
            at: now,
            action: "ticket.open".into(),
            target_kind: "need".into(),
            target_id: need_id.to_string(),
            region: Some(need.draft.region),
            before: None,
            after: Some(json!({ "status": TicketStatus::Open.code(), "need": need.draft.title })),
        };
        Ok(self
            .store
            .open_ticket(need_id, actor.user_id, need.draft.region, audit)
            .await?)
    }

    /// A ticket, for the admins of its region.
    pub async fn ticket(&self, actor: &Actor, id: TicketId) -> DomainResult<Ticket> {
        let t = self.store.ticket(id).await?.ok_or_else(not_found)?;
        if actor.administers(t.region) {
            Ok(t)
        } else {
            Err(not_found())
        }
    }

    async fn open_ticket_of(&self, actor: &Actor, id: TicketId) -> DomainResult<Ticket> {
        let t = self.ticket(actor, id).await?;
        if t.status != TicketStatus::Open {
            return Err(DomainError::Conflict("保姆单已办结".into()));
        }
        Ok(t)
    }

    pub async fn add_follow_up(
        &self,
        actor: &Actor,
        id: TicketId,
        kind: &str,
        note: &str,
    ) -> DomainResult<FollowUpId> {
        let kind = FollowUpKind::parse(kind)?;
        let note = follow_up_note(note)?;
        self.open_ticket_of(actor, id).await?;
        Ok(self
            .store
            .add_follow_up(id, kind, &note, actor.user_id, self.now())
            .await?)
    }

    /// Links an inquiry or deal that came of the ticket's need (`kind` says which `target` is).
    pub async fn link_ticket(
        &self,
        actor: &Actor,
        id: TicketId,
        kind: &str,
        target: i64,
    ) -> DomainResult<()> {
        let kind = LinkKind::parse(kind)?;
        let t = self.open_ticket_of(actor, id).await?;
        let related = match kind {
            LinkKind::Inquiry => self
                .store
                .inquiry(InquiryId(target))
                .await?
                .is_some_and(|i| {
                    i.posting_kind == PostingKind::Need && i.posting_id == t.need_id.0
                }),
            LinkKind::Deal => self
                .store
                .deal(DealId(target))
                .await?
                .is_some_and(|d| d.subject.need == Some(t.need_id)),
        };
        if !related {
            return Err(DomainError::invalid(
                "target",
                "只能关联与该需求相关的对接或交易",
            ));
        }
        Ok(self.store.link_ticket(id, kind, target).await?)
    }

    pub async fn close_ticket(
        &self,
        actor: &Actor,
        id: TicketId,
        outcome: &str,
        note: Option<&str>,
    ) -> DomainResult<()> {
        let outcome = TicketOutcome::parse(outcome)?;
        let note = text::optional("note", "办结说明", note, 1000, true)?;
        let t = self.open_ticket_of(actor, id).await?;
        let now = self.now();
        let audit = AuditRecord {
            actor: Some(actor.user_id),
            at: now,
            action: "ticket.close".into(),
            target_kind: "ticket".into(),
            target_id: id.to_string(),
            region: Some(t.region),
            before: Some(json!({ "status": TicketStatus::Open.code() })),
            after: Some(
                json!({ "status": TicketStatus::Closed.code(), "outcome": outcome.code(), "note": note }),
            ),
        };
        Ok(self.store.close_ticket(id, outcome, note, audit).await?)
    }

    /// The caller's own tickets (`mine`), or all tickets of the caller's regions.
    pub async fn list_tickets(
        &self,
        actor: &Actor,
        mine: bool,
        status: Option<TicketStatus>,
        need: Option<NeedId>,
        page: Page,
    ) -> DomainResult<Paged<Ticket>> {
        let scope = actor.admin_scope();
        if scope.is_empty() {
            return Err(DomainError::Forbidden(
                "只有地区工作人员可以查看保姆单".into(),
            ));
        }
        let filter = TicketFilter {
            scope,
            staff: mine.then_some(actor.user_id),
            status,
            need,
        };
        Ok(self.store.list_tickets(&filter, page).await?)
    }
}
