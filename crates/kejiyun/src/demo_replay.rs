//! Replays the demo history (`demo_history.rs`) through the real use cases on a
//! [`ManualClock`] set to each step's time: records, moderation and audit entries,
//! notifications and the statistics all carry their historical dates, and the statistics are
//! exactly what those use cases wrote (`kejiyun stats verify` finds nothing to fix).

use std::sync::Arc;

use anyhow::Context;
use kejiyun_core::app::market::{DealInput, OfflineDealInput};
use kejiyun_core::app::{AdminSpec, Decision, RegisterInput, Services};
use kejiyun_core::ids::{DealId, InquiryId, OrgId, PostingId, QuoteId, TechWorkerId, UserId};
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::market::quotes::QuoteInput;
use kejiyun_core::moderation::ModerationKind;
use kejiyun_core::notifications::delivery::LogSender;
use kejiyun_core::permissions::Actor;
use kejiyun_core::time::ManualClock;
use tracing::instrument::WithSubscriber;
use tracing::subscriber::NoSubscriber;

use crate::demo::{DEMO_PASSWORD, err};
use crate::demo_history::{CITY_ADMIN, Content, DealSource, PersonIx, Plan, Step};
use crate::demo_phrases::COUNTIES;

/// A few bytes that are a (tiny) PDF, the evidence of the demo's offline contracts.
pub(crate) const DEMO_CONTRACT_PDF: &[u8] = b"%PDF-1.4\n% Kejiyun demo contract\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

pub(crate) fn moderation_kind(kind: PostingKind) -> ModerationKind {
    kind.moderation_kind()
}

/// Makes the demo's history happen, from its first day to now.
pub async fn replay(s: &Services) -> anyhow::Result<()> {
    let plan = Plan::new(s.now(), s.posting_ttl_days);
    let clock = Arc::new(ManualClock::new(plan.start));
    let mut history = s.clone();
    history.clock = clock.clone();
    let mut r = Replay {
        s: &history,
        plan: &plan,
        users: Vec::with_capacity(plan.people.len()),
        workers: vec![None; plan.applications.len()],
        orgs: vec![None; plan.orgs.len()],
        postings: vec![None; plan.postings.len()],
        quotes: vec![None; plan.quotes.len()],
        inquiries: vec![None; plan.inquiries.len()],
        deals: vec![None; plan.deals.len()],
    };
    r.register_everyone(&clock).await?;
    for (t, step) in &plan.steps {
        clock.set(plan.time(*t));
        r.step(*step, &clock)
            .await
            .with_context(|| format!("demo step {step:?} at {}", plan.time(*t).to_rfc3339()))?;
    }
    Ok(())
}

/// The ids the steps made, by their index in the plan.
struct Replay<'a> {
    s: &'a Services,
    plan: &'a Plan,
    users: Vec<UserId>,
    workers: Vec<Option<TechWorkerId>>,
    orgs: Vec<Option<OrgId>>,
    postings: Vec<Option<i64>>,
    quotes: Vec<Option<QuoteId>>,
    inquiries: Vec<Option<InquiryId>>,
    deals: Vec<Option<DealId>>,
}

fn made<T: Copy>(ids: &[Option<T>], ix: usize, what: &str) -> anyhow::Result<T> {
    ids.get(ix)
        .copied()
        .flatten()
        .ok_or_else(|| anyhow::anyhow!("demo plan: {what} {ix} used before it was made"))
}

impl Replay<'_> {
    /// Everyone's account, in the order they registered, each at its time.
    async fn register_everyone(&mut self, clock: &ManualClock) -> anyhow::Result<()> {
        let mut order: Vec<usize> = (0..self.plan.people.len()).collect();
        order.sort_by_key(|p| self.plan.people[*p].registered);
        let mut ids = vec![UserId(0); self.plan.people.len()];
        for p in order {
            let person = &self.plan.people[p];
            clock.set(self.plan.time(person.registered));
            let accounts = self.s.accounts();
            ids[p] = match person.admin {
                Some((role, region)) => accounts
                    .create_admin(
                        None,
                        AdminSpec {
                            login: person.login.clone(),
                            password: Some(DEMO_PASSWORD.into()),
                            display_name: Some(person.name.clone()),
                            role: role.into(),
                            region: region.map(Into::into),
                        },
                    )
                    .await
                    .map_err(err)?,
                None => accounts
                    .create_account(RegisterInput {
                        login: person.login.clone(),
                        password: DEMO_PASSWORD.into(),
                        display_name: person.name.clone(),
                        region: person.county.map(|c| COUNTIES[c].0.into()),
                    })
                    .await
                    .map_err(err)?,
            };
        }
        self.users = ids;
        Ok(())
    }

    /// The person as the use cases see them now (roles derived from verified profiles and
    /// organizations included).
    async fn actor(&self, p: PersonIx) -> anyhow::Result<Actor> {
        let user_id = self.users[p];
        Ok(Actor {
            user_id,
            grants: self.s.store.grants(user_id).await?,
        })
    }

    fn posting(&self, ix: usize) -> anyhow::Result<(PostingKind, i64)> {
        let kind = self.plan.postings[ix].content.kind();
        Ok((kind, made(&self.postings, ix, "posting")?))
    }

    async fn moderate(
        &self,
        county: Option<usize>,
        kind: ModerationKind,
        id: i64,
        decision: Decision,
    ) -> anyhow::Result<()> {
        let admin = self.actor(self.plan.moderator(county)).await?;
        self.s
            .moderation()
            .moderate(&admin, kind, id, decision)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn step(&mut self, step: Step, clock: &ManualClock) -> anyhow::Result<()> {
        let (s, plan) = (self.s, self.plan);
        let today = || s.now().shanghai_date().to_string();
        match step {
            Step::Apply(a) => {
                let app = &plan.applications[a];
                let me = self.actor(app.person).await?;
                let id = s.tech_workers().apply(&me, &app.input).await.map_err(err)?;
                self.workers[a] = Some(id);
            }
            Step::VerifyWorker(a) => {
                let id = made(&self.workers, a, "tech worker")?;
                let county = plan.people[plan.applications[a].person].county;
                self.moderate(county, ModerationKind::TechWorker, id.0, Decision::Approve)
                    .await?;
            }
            Step::RegisterOrg(o) => {
                let org = &plan.orgs[o];
                let owner = self.actor(org.owner).await?;
                let id = s.orgs().register(&owner, &org.input).await.map_err(err)?;
                self.orgs[o] = Some(id);
            }
            Step::VerifyOrg(o) => {
                let id = made(&self.orgs, o, "organization")?;
                self.moderate(
                    plan.orgs[o].county,
                    ModerationKind::Org,
                    id.0,
                    Decision::Approve,
                )
                .await?;
            }
            Step::Create { posting, submit } => {
                let p = &plan.postings[posting];
                let owner = self.actor(p.owner).await?;
                let postings = s.postings();
                let id = match &p.content {
                    Content::Service(i) => postings.create(&owner, i, submit).await.map(|id| id.0),
                    Content::Need(i) => postings.create(&owner, i, submit).await.map(|id| id.0),
                    Content::Achievement(i) => {
                        postings.create(&owner, i, submit).await.map(|id| id.0)
                    }
                }
                .map_err(err)?;
                self.postings[posting] = Some(id);
            }
            Step::Approve(posting) | Step::Reject { posting, .. } => {
                let (kind, id) = self.posting(posting)?;
                let decision = match step {
                    Step::Reject { reason, .. } => Decision::Reject {
                        reason: reason.into(),
                    },
                    _ => Decision::Approve,
                };
                let county = Some(plan.postings[posting].county);
                self.moderate(county, moderation_kind(kind), id, decision)
                    .await?;
            }
            Step::Renew(posting) => {
                let (kind, id) = self.posting(posting)?;
                let owner = self.actor(plan.postings[posting].owner).await?;
                s.postings()
                    .confirm_posting(&owner, kind, id)
                    .await
                    .map_err(err)?;
            }
            Step::Close { posting, reason } => {
                let (kind, id) = self.posting(posting)?;
                let owner = self.actor(plan.postings[posting].owner).await?;
                s.postings()
                    .close_posting(&owner, kind, id, reason)
                    .await
                    .map_err(err)?;
            }
            Step::Quote(q) => {
                let quote = &plan.quotes[q];
                let provider = self.actor(quote.provider).await?;
                let need = made(&self.postings, quote.need, "need")?;
                let service_id = match quote.service {
                    Some(ix) => Some(PostingId::new(made(&self.postings, ix, "service")?)),
                    None => None,
                };
                let input = QuoteInput {
                    price_fen: quote.price_fen,
                    timeline_days: quote.timeline_days,
                    method: quote.method.clone(),
                    service_id,
                };
                let id = s
                    .quotes()
                    .submit_quote(&provider, PostingId::new(need), &input)
                    .await
                    .map_err(err)?;
                self.quotes[q] = Some(id);
            }
            Step::Accept(deal) => {
                let DealSource::Quote(quote) = plan.deals[deal].source else {
                    anyhow::bail!("demo plan: deal {deal} is not a quote's");
                };
                let id = made(&self.quotes, quote, "quote")?;
                let owner = self
                    .actor(plan.postings[plan.quotes[quote].need].owner)
                    .await?;
                self.deals[deal] = Some(s.quotes().accept_quote(&owner, id).await.map_err(err)?);
            }
            Step::Decline(quote) => {
                let id = made(&self.quotes, quote, "quote")?;
                let owner = self
                    .actor(plan.postings[plan.quotes[quote].need].owner)
                    .await?;
                s.quotes()
                    .decline_quote(&owner, id, "chose_another", None)
                    .await
                    .map_err(err)?;
            }
            Step::Ask(i) => {
                let inquiry = &plan.inquiries[i];
                let (kind, id) = self.posting(inquiry.posting)?;
                let me = self.actor(inquiry.requester).await?;
                let thread = s
                    .inquiries()
                    .start_inquiry(&me, kind, id, &inquiry.body)
                    .await
                    .map_err(err)?;
                self.inquiries[i] = Some(thread);
            }
            Step::Reply(i) => {
                let inquiry = &plan.inquiries[i];
                let thread = made(&self.inquiries, i, "inquiry")?;
                let owner = self.actor(plan.postings[inquiry.posting].owner).await?;
                s.inquiries()
                    .reply_inquiry(&owner, thread, &inquiry.reply)
                    .await
                    .map_err(err)?;
            }
            Step::Propose(d) => {
                let deal = &plan.deals[d];
                let DealSource::Inquiry(i) = deal.source else {
                    anyhow::bail!("demo plan: deal {d} is not proposed in a thread");
                };
                let thread = made(&self.inquiries, i, "inquiry")?;
                let provider = self
                    .actor(plan.postings[plan.inquiries[i].posting].owner)
                    .await?;
                let input = DealInput {
                    inquiry_id: Some(thread),
                    amount_fen: deal.amount_fen,
                    deal_date: today(),
                    note: deal.note.clone(),
                    ..Default::default()
                };
                self.deals[d] = Some(
                    s.deals()
                        .propose_deal(&provider, &input)
                        .await
                        .map_err(err)?,
                );
            }
            Step::Confirm { deal, by } => {
                let id = made(&self.deals, deal, "deal")?;
                let me = self.actor(by).await?;
                s.deals().confirm_deal(&me, id).await.map_err(err)?;
            }
            Step::RecordOffline(d) => {
                let deal = &plan.deals[d];
                let DealSource::Offline {
                    achievement,
                    requester,
                } = deal.source
                else {
                    anyhow::bail!("demo plan: deal {d} is not an offline contract");
                };
                let input = OfflineDealInput {
                    achievement_id: Some(PostingId::new(made(
                        &self.postings,
                        achievement,
                        "achievement",
                    )?)),
                    requester_id: Some(self.users[requester].0),
                    amount_fen: deal.amount_fen,
                    deal_date: today(),
                    note: deal.note.clone(),
                    ..Default::default()
                };
                let admin = self.actor(CITY_ADMIN).await?;
                self.deals[d] = Some(
                    s.deals()
                        .record_offline_deal(
                            &admin,
                            &input,
                            "技术转让合同.pdf",
                            DEMO_CONTRACT_PDF.to_vec(),
                        )
                        .await
                        .map_err(err)?,
                );
            }
            Step::Sweep => {
                s.postings().expire_postings().await.map_err(err)?;
                // The copies of history are settled on their day, never sent (so not through
                // the deployment's sender) and not logged either: months of them.
                s.notifications()
                    .deliver_notifications(&LogSender)
                    .with_subscriber(NoSubscriber::default())
                    .await
                    .map_err(err)?;
            }
            Step::Showcase => {
                crate::demo_market::load(s, clock).await?;
                crate::demo_trainings::load(s, clock).await?;
                crate::demo_volunteers::load(s, clock).await?;
                crate::demo_popsci::load(s, clock).await?;
                crate::demo_estations::load(s, clock).await?;
            }
        }
        Ok(())
    }
}
