//! `SeaStore`: the storage port over SeaORM. Each public method runs in one transaction; row
//! types never leave this module.

mod accounts;
mod audit;
mod failure;
mod health;
mod market;
mod moderation;
pub(crate) mod notifications;
mod orgs;
mod search_feed;
mod stats;
mod stats_bulk;
mod stats_series;
mod stats_served;
mod tech_workers;
mod tokens;

use std::collections::BTreeMap;

use async_trait::async_trait;
use kejiyun_core::accounts::{Login, NewUser, ProfileUpdate, User};
use kejiyun_core::audit::{AuditEntry, AuditRecord};
use kejiyun_core::auth::{LoginAttempts, NewToken, TokenInfo, TokenKind};
use kejiyun_core::ids::{OrgId, TechWorkerId, TokenId, UserId};
use kejiyun_core::market::deals::{Deal, Evidence};
use kejiyun_core::market::inquiries::{Inquiry, Message};
use kejiyun_core::market::postings::{
    Achievement, AchievementDraft, Need, NeedDraft, PostingKind, Service, ServiceDraft,
};
use kejiyun_core::market::quotes::{DeclineReason, Quote, QuoteDraft, QuoteStatus};
use kejiyun_core::market::tickets::{FollowUpKind, LinkKind, Ticket, TicketOutcome};
use kejiyun_core::market_ports::{
    DealChange, DealFilter, MarketStore, NewDeal, PostingChange, PostingFilter, TicketFilter,
};
use kejiyun_core::moderation::{ModerationKind, ModerationStatus, QueueItem};
use kejiyun_core::orgs::{Org, OrgProfile};
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::permissions::{Grant, RegionScope};
use kejiyun_core::ports::{
    OrgFilter, StatusChange, Store, StoreError, StoreResult, TechWorkerFilter,
};
use kejiyun_core::regions::{Region, RegionCode};
use kejiyun_core::stats::{Cell, Metric};
use kejiyun_core::stats_figures::ServedRow;
use kejiyun_core::stats_ports::{CountedRecord, StatsRange, StatsStore, Tally};
use kejiyun_core::stats_series::{Series, SeriesKey};
use kejiyun_core::tech_workers::{TechWorker, TechWorkerProfile};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, EntityTrait, PaginatorTrait, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

use crate::entities::regions;

pub(crate) use failure::{db_err, is_retryable};

#[derive(Clone)]
pub struct SeaStore {
    db: DatabaseConnection,
}

impl SeaStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Inserts the region list unless the table already holds exactly that many rows.
    pub async fn seed_regions(&self, all: &[Region]) -> Result<(), DbErr> {
        let have = regions::Entity::find().count(&self.db).await?;
        if have == all.len() as u64 {
            return Ok(());
        }
        regions::Entity::delete_many().exec(&self.db).await?;
        for chunk in all.chunks(500) {
            let rows = chunk.iter().map(|r| regions::ActiveModel {
                code: Set(r.code.to_string()),
                name: Set(r.name.clone()),
                parent: Set(r.parent.map(|p| p.to_string())),
                level: Set(r.level().as_str().to_owned()),
            });
            regions::Entity::insert_many(rows).exec(&self.db).await?;
        }
        tracing::info!(regions = all.len(), "region list loaded");
        Ok(())
    }
}

/// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken at
/// once, waiting up to the busy timeout while another process (`kejiyun stats rebuild`, a
/// second server) writes. A deferred transaction that reads first can only be refused
/// ("database is locked", at once) when its first write finds the lock taken.
pub(crate) async fn begin_write(db: &DatabaseConnection) -> StoreResult<DatabaseTransaction> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    db.begin_with_options(options).await.map_err(db_err)
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("stored {what} is invalid: {value}"))
}

/// `(region, region_city, region_province)` for a regional row.
pub(crate) fn region_parts(code: RegionCode) -> (String, Option<String>, String) {
    (
        code.to_string(),
        code.city().map(|c| c.to_string()),
        code.province().to_string(),
    )
}

pub(crate) fn parse_region(raw: &str) -> StoreResult<RegionCode> {
    RegionCode::parse(raw).map_err(|_| corrupt("region", raw))
}

/// The SQL condition for "the row's region lies in one of the scope's subtrees". Each root
/// compares the one column of its level, so the same query works on every backend.
pub(crate) fn scope_condition<C: ColumnTrait>(
    scope: &RegionScope,
    region: C,
    city: C,
    province: C,
) -> Condition {
    match scope {
        RegionScope::All => Condition::all(),
        RegionScope::Within(roots) if roots.is_empty() => Condition::all().add(Expr::cust("1 = 0")),
        RegionScope::Within(roots) => {
            let mut any = Condition::any();
            for r in roots {
                let s = r.to_string();
                any = any.add(match r.level() {
                    kejiyun_core::regions::RegionLevel::Province => province.eq(s),
                    kejiyun_core::regions::RegionLevel::City => city.eq(s),
                    kejiyun_core::regions::RegionLevel::County => region.eq(s),
                });
            }
            any
        }
    }
}

/// `%term%` with LIKE's wildcards in the term escaped, so user input matches literally.
pub(crate) fn contains_pattern(term: &str) -> LikeExpr {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

pub(crate) fn paged<T>(items: Vec<T>, total: u64, page: Page) -> Paged<T> {
    Paged { items, total, page }
}

pub(crate) fn status_of(raw: &str) -> StoreResult<ModerationStatus> {
    ModerationStatus::parse(raw).map_err(|_| corrupt("status", raw))
}

/// How many times a transaction that lost a deadlock (or a serialization race) is run again.
/// Under real contention (16 writers approving in one county on MariaDB) five tries with a
/// few milliseconds between them were not enough; the backoff below doubles to a cap.
const RETRIES: u32 = 10;

/// Sleeps before retry `attempt` (1-based): "full jitter" over an exponentially growing
/// window (10 ms, 20 ms, … capped at 320 ms), so the losers of one deadlock do not collide
/// again in lockstep. At most ~2 s in all.
pub(crate) async fn backoff(attempt: u32) {
    let window_ms = (10u64 << attempt.min(5)).min(320);
    let ms = 1 + rand::random::<u64>() % window_ms;
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

/// Runs a store write again when it lost a deadlock; the expression is re-evaluated each time.
macro_rules! retry {
    ($call:expr) => {{
        let mut attempt = 0u32;
        loop {
            match $call.await {
                Err(e) if is_retryable(&e) && attempt < RETRIES => {
                    attempt += 1;
                    tracing::debug!(attempt, error = %e, "retrying after a deadlock");
                    backoff(attempt).await;
                }
                other => break other,
            }
        }
    }};
}

#[async_trait]
impl Store for SeaStore {
    fn backend_name(&self) -> &'static str {
        match self.backend() {
            DbBackend::Sqlite => "sqlite",
            DbBackend::Postgres => "postgres",
            DbBackend::MySql => "mysql",
            _ => "other",
        }
    }

    async fn ping(&self) -> StoreResult<()> {
        self.db.ping().await.map_err(db_err)
    }

    async fn check_writable(&self, at: Timestamp) -> StoreResult<()> {
        health::check_writable(&self.db, at).await
    }

    async fn create_user(&self, user: NewUser, at: Timestamp) -> StoreResult<UserId> {
        retry!(accounts::create_user(&self.db, user.clone(), at))
    }
    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        accounts::user(&self.db, id).await
    }
    async fn user_by_login(&self, login: &Login) -> StoreResult<Option<User>> {
        accounts::user_by_login(&self.db, login).await
    }
    async fn update_profile(
        &self,
        id: UserId,
        update: ProfileUpdate,
        at: Timestamp,
    ) -> StoreResult<()> {
        retry!(accounts::update_profile(&self.db, id, update.clone(), at))
    }
    async fn grants(&self, id: UserId) -> StoreResult<Vec<Grant>> {
        accounts::grants(&self.db, id).await
    }
    async fn add_grant(&self, user: UserId, grant: Grant, audit: AuditRecord) -> StoreResult<()> {
        retry!(accounts::add_grant(&self.db, user, grant, audit.clone()))
    }
    async fn list_admins(&self, page: Page) -> StoreResult<Paged<(User, Grant)>> {
        accounts::list_admins(&self.db, page).await
    }

    async fn count_login_attempt(
        &self,
        key: &str,
        now: Timestamp,
        window_start: Timestamp,
    ) -> StoreResult<LoginAttempts> {
        retry!(tokens::count_login_attempt(
            &self.db,
            key,
            now,
            window_start
        ))
    }
    async fn clear_login_attempts(&self, key: &str) -> StoreResult<()> {
        retry!(tokens::clear_login_attempts(&self.db, key))
    }

    async fn create_token(&self, token: NewToken) -> StoreResult<TokenId> {
        retry!(tokens::create_token(&self.db, token.clone()))
    }
    async fn token_by_hash(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<TokenInfo>> {
        tokens::token_by_hash(&self.db, token_hash, now).await
    }
    async fn list_tokens(&self, user: UserId, kind: TokenKind) -> StoreResult<Vec<TokenInfo>> {
        tokens::list_tokens(&self.db, user, kind).await
    }
    async fn revoke_token(&self, user: UserId, id: TokenId, at: Timestamp) -> StoreResult<bool> {
        retry!(tokens::revoke_token(&self.db, user, id, at))
    }

    async fn create_tech_worker(
        &self,
        user: UserId,
        profile: &TechWorkerProfile,
        status: ModerationStatus,
        at: Timestamp,
    ) -> StoreResult<TechWorkerId> {
        retry!(tech_workers::create(&self.db, user, profile, status, at))
    }
    async fn tech_worker(&self, id: TechWorkerId) -> StoreResult<Option<TechWorker>> {
        tech_workers::get(&self.db, id).await
    }
    async fn tech_worker_by_user(&self, user: UserId) -> StoreResult<Option<TechWorker>> {
        tech_workers::by_user(&self.db, user).await
    }
    async fn update_tech_worker(
        &self,
        id: TechWorkerId,
        profile: &TechWorkerProfile,
        change: StatusChange,
    ) -> StoreResult<()> {
        retry!(tech_workers::update(&self.db, id, profile, change.clone()))
    }
    async fn list_tech_workers(
        &self,
        filter: &TechWorkerFilter,
        page: Page,
    ) -> StoreResult<Paged<TechWorker>> {
        tech_workers::list(&self.db, filter, page).await
    }

    async fn create_org(
        &self,
        admin: UserId,
        profile: &OrgProfile,
        status: ModerationStatus,
        at: Timestamp,
    ) -> StoreResult<OrgId> {
        retry!(orgs::create(&self.db, admin, profile, status, at))
    }
    async fn org(&self, id: OrgId) -> StoreResult<Option<Org>> {
        orgs::get(&self.db, id).await
    }
    async fn update_org(
        &self,
        id: OrgId,
        profile: &OrgProfile,
        change: StatusChange,
    ) -> StoreResult<()> {
        retry!(orgs::update(&self.db, id, profile, change.clone()))
    }
    async fn list_orgs(&self, filter: &OrgFilter, page: Page) -> StoreResult<Paged<Org>> {
        orgs::list(&self.db, filter, page).await
    }

    async fn moderation_queue(
        &self,
        scope: &RegionScope,
        kind: Option<ModerationKind>,
        page: Page,
    ) -> StoreResult<Paged<QueueItem>> {
        moderation::queue(&self.db, scope, kind, page).await
    }
    async fn change_status(
        &self,
        kind: ModerationKind,
        id: i64,
        change: StatusChange,
    ) -> StoreResult<()> {
        match kind {
            ModerationKind::TechWorker => {
                retry!(tech_workers::change_status(
                    &self.db,
                    TechWorkerId(id),
                    change.clone()
                ))
            }
            ModerationKind::Org => retry!(orgs::change_status(&self.db, OrgId(id), change.clone())),
            ModerationKind::Service | ModerationKind::Need | ModerationKind::Achievement => {
                Err(StoreError::Backend(
                    "postings are moderated through MarketStore::change_posting_status".into(),
                ))
            }
        }
    }

    async fn list_audit(&self, scope: &RegionScope, page: Page) -> StoreResult<Paged<AuditEntry>> {
        audit::list(&self.db, scope, page).await
    }
}

#[async_trait]
impl MarketStore for SeaStore {
    async fn create_service(
        &self,
        owner: UserId,
        draft: &ServiceDraft,
        at: Timestamp,
    ) -> StoreResult<i64> {
        retry!(market::postings::create_service(&self.db, owner, draft, at))
    }
    async fn create_need(
        &self,
        owner: UserId,
        draft: &NeedDraft,
        at: Timestamp,
    ) -> StoreResult<i64> {
        retry!(market::postings::create_need(&self.db, owner, draft, at))
    }
    async fn create_achievement(
        &self,
        owner: UserId,
        draft: &AchievementDraft,
        at: Timestamp,
    ) -> StoreResult<i64> {
        retry!(market::postings::create_achievement(
            &self.db, owner, draft, at
        ))
    }
    async fn service(&self, id: i64) -> StoreResult<Option<Service>> {
        market::postings::service(&self.db, id).await
    }
    async fn need(&self, id: i64) -> StoreResult<Option<Need>> {
        market::postings::need(&self.db, id).await
    }
    async fn achievement(&self, id: i64) -> StoreResult<Option<Achievement>> {
        market::postings::achievement(&self.db, id).await
    }
    async fn update_service(
        &self,
        id: i64,
        draft: &ServiceDraft,
        change: PostingChange,
    ) -> StoreResult<()> {
        retry!(market::postings::update_service(
            &self.db,
            id,
            draft,
            change.clone()
        ))
    }
    async fn update_need(
        &self,
        id: i64,
        draft: &NeedDraft,
        change: PostingChange,
    ) -> StoreResult<()> {
        retry!(market::postings::update_need(
            &self.db,
            id,
            draft,
            change.clone()
        ))
    }
    async fn update_achievement(
        &self,
        id: i64,
        draft: &AchievementDraft,
        change: PostingChange,
    ) -> StoreResult<()> {
        retry!(market::postings::update_achievement(
            &self.db,
            id,
            draft,
            change.clone()
        ))
    }
    async fn change_posting_status(
        &self,
        kind: PostingKind,
        id: i64,
        change: PostingChange,
    ) -> StoreResult<()> {
        retry!(market::postings::change_status(
            &self.db,
            kind,
            id,
            change.clone()
        ))
    }
    async fn confirm_posting(
        &self,
        kind: PostingKind,
        id: i64,
        expires_at: Timestamp,
        at: Timestamp,
    ) -> StoreResult<()> {
        retry!(market::postings::confirm(
            &self.db, kind, id, expires_at, at
        ))
    }
    async fn list_services(
        &self,
        filter: &PostingFilter,
        page: Page,
    ) -> StoreResult<Paged<Service>> {
        market::postings::list_services(&self.db, filter, page).await
    }
    async fn list_needs(&self, filter: &PostingFilter, page: Page) -> StoreResult<Paged<Need>> {
        market::postings::list_needs(&self.db, filter, page).await
    }
    async fn list_achievements(
        &self,
        filter: &PostingFilter,
        page: Page,
    ) -> StoreResult<Paged<Achievement>> {
        market::postings::list_achievements(&self.db, filter, page).await
    }
    async fn expired_postings(
        &self,
        kind: PostingKind,
        now: Timestamp,
        limit: u64,
    ) -> StoreResult<Vec<i64>> {
        market::postings::expired(&self.db, kind, now, limit).await
    }

    async fn find_inquiry(
        &self,
        kind: PostingKind,
        posting_id: i64,
        requester: UserId,
    ) -> StoreResult<Option<i64>> {
        market::inquiries::find(&self.db, kind, posting_id, requester).await
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
    ) -> StoreResult<i64> {
        retry!(market::inquiries::create(
            &self.db, kind, posting_id, requester, owner, author, body, at,
        ))
    }
    async fn add_message(
        &self,
        inquiry_id: i64,
        author: UserId,
        body: &str,
        at: Timestamp,
    ) -> StoreResult<i64> {
        retry!(market::inquiries::add_message(
            &self.db, inquiry_id, author, body, at
        ))
    }
    async fn inquiry(&self, id: i64) -> StoreResult<Option<Inquiry>> {
        market::inquiries::get(&self.db, id).await
    }
    async fn messages(&self, inquiry_id: i64) -> StoreResult<Vec<Message>> {
        market::inquiries::messages(&self.db, inquiry_id).await
    }
    async fn list_inquiries(&self, user: UserId, page: Page) -> StoreResult<Paged<Inquiry>> {
        market::inquiries::list(&self.db, user, page).await
    }

    async fn create_quote(
        &self,
        need_id: i64,
        provider: UserId,
        draft: &QuoteDraft,
        at: Timestamp,
    ) -> StoreResult<i64> {
        retry!(market::quotes::create(
            &self.db, need_id, provider, draft, at
        ))
    }
    async fn quote(&self, id: i64) -> StoreResult<Option<Quote>> {
        market::quotes::get(&self.db, id).await
    }
    async fn list_quotes(
        &self,
        need: Option<i64>,
        provider: Option<UserId>,
        page: Page,
    ) -> StoreResult<Paged<Quote>> {
        market::quotes::list(&self.db, need, provider, page).await
    }
    async fn decide_quote(
        &self,
        id: i64,
        from: QuoteStatus,
        to: QuoteStatus,
        reason: Option<DeclineReason>,
        note: Option<String>,
        deal: Option<NewDeal>,
        at: Timestamp,
    ) -> StoreResult<Option<i64>> {
        retry!(market::quotes::decide(
            &self.db,
            id,
            from,
            to,
            reason,
            note.clone(),
            deal.clone(),
            at
        ))
    }

    async fn create_deal(&self, deal: NewDeal) -> StoreResult<i64> {
        retry!(market::deals::create(&self.db, deal.clone()))
    }
    async fn deal(&self, id: i64) -> StoreResult<Option<Deal>> {
        market::deals::get(&self.db, id).await
    }
    async fn change_deal(&self, id: i64, change: DealChange) -> StoreResult<()> {
        retry!(market::deals::change(&self.db, id, change.clone()))
    }
    async fn list_deals(&self, filter: &DealFilter, page: Page) -> StoreResult<Paged<Deal>> {
        market::deals::list(&self.db, filter, page).await
    }
    async fn deal_evidence(&self, deal_id: i64) -> StoreResult<Option<(Evidence, Vec<u8>)>> {
        market::deals::evidence(&self.db, deal_id).await
    }

    async fn open_ticket(
        &self,
        need_id: i64,
        staff: UserId,
        region: RegionCode,
        audit: AuditRecord,
    ) -> StoreResult<i64> {
        retry!(market::tickets::open(
            &self.db,
            need_id,
            staff,
            region,
            audit.clone()
        ))
    }
    async fn ticket(&self, id: i64) -> StoreResult<Option<Ticket>> {
        market::tickets::get(&self.db, id).await
    }
    async fn add_follow_up(
        &self,
        ticket: i64,
        kind: FollowUpKind,
        note: &str,
        author: UserId,
        at: Timestamp,
    ) -> StoreResult<i64> {
        retry!(market::tickets::add_follow_up(
            &self.db, ticket, kind, note, author, at
        ))
    }
    async fn link_ticket(&self, ticket: i64, kind: LinkKind, target: i64) -> StoreResult<()> {
        retry!(market::tickets::link(&self.db, ticket, kind, target))
    }
    async fn close_ticket(
        &self,
        ticket: i64,
        outcome: TicketOutcome,
        note: Option<String>,
        audit: AuditRecord,
    ) -> StoreResult<()> {
        retry!(market::tickets::close(
            &self.db,
            ticket,
            outcome,
            note.clone(),
            audit.clone()
        ))
    }
    async fn list_tickets(&self, filter: &TicketFilter, page: Page) -> StoreResult<Paged<Ticket>> {
        market::tickets::list(&self.db, filter, page).await
    }
}

#[async_trait]
impl StatsStore for SeaStore {
    async fn report_rows(&self, range: StatsRange) -> StoreResult<Vec<ServedRow>> {
        stats_series::report_rows(&self.db, range).await
    }
    async fn served_series(&self) -> StoreResult<BTreeMap<SeriesKey, Series>> {
        stats_series::served_series(&self.db).await
    }
    async fn served_totals(&self) -> StoreResult<BTreeMap<SeriesKey, i64>> {
        stats_series::served_totals(&self.db).await
    }
    async fn counted_records(&self) -> StoreResult<Vec<CountedRecord>> {
        stats_served::counted_records(&self.db).await
    }
    async fn metric_records(
        &self,
        metric: Metric,
        range: StatsRange,
    ) -> StoreResult<Vec<CountedRecord>> {
        stats_served::metric_records(&self.db, metric, range).await
    }
    async fn replace_cells(&self, cells: &BTreeMap<Cell, i64>) -> StoreResult<()> {
        stats_bulk::replace_cells(&self.db, cells).await
    }
    async fn rebuild_series(&self, tally: &Tally) -> StoreResult<usize> {
        retry!(stats_bulk::rebuild_series(&self.db, tally))
    }
}
