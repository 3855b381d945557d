//! The marketplace storage contract (`market::ports`), run against every configured backend like
//! `store_contract.rs`: postings and their moderation, list filters, expiry, inquiries, quotes,
//! deals (with a binary evidence file and exact money sums) and caseworker tickets.

use kejiyun_core::accounts::ports::AccountStore;
use kejiyun_core::accounts::{Login, NewUser};
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::audit::ports::AuditStore;
use kejiyun_core::ids::{DealId, InquiryId, MessageId, PostingId, QuoteId, TicketId, UserId};
use kejiyun_core::market::deals::{DealOrigin, DealStatus, DealSubject, DealTerms, Evidence};
use kejiyun_core::market::money::Fen;
use kejiyun_core::market::ports::{
    DealChange, DealFilter, DealStore, InquiryStore, NewDeal, PostingChange, PostingLifecycleStore,
    PostingStore, QuoteStore, TicketFilter, TicketStore,
};
use kejiyun_core::market::postings::{
    AchievementDraft, AchievementInput, NeedDraft, NeedInput, PostingKind, ServiceDraft,
    ServiceInput,
};
use kejiyun_core::market::quotes::{DeclineReason, QuoteDraft, QuoteInput, QuoteStatus};
use kejiyun_core::market::tickets::{FollowUpKind, LinkKind, TicketOutcome, TicketStatus};
use kejiyun_core::moderation::ports::{ModerationStore, StatusChange};
use kejiyun_core::moderation::{ModerationKind, ModerationStatus as S};
use kejiyun_core::paging::Page;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::StoreError;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::time::Timestamp;
use kejiyun_db::SeaStore;
use kejiyun_testkit::{TestDatabase, backends};

mod deals;
mod postings;
mod tickets;
mod titles;
mod trade;

use deals::deals;
use postings::{posting_life_cycle, posting_lists_and_expiry};
use tickets::tickets;
use trade::{inquiries, quotes, subjects};

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn t(secs: i64) -> Timestamp {
    Timestamp::from_micros(1_800_000_000_000_000 + secs * 1_000_000)
}

fn page(n: u32, per: u32) -> Page {
    Page {
        page: n,
        per_page: per,
    }
}

fn within(codes: &[&str]) -> RegionScope {
    RegionScope::Within(codes.iter().map(|c| code(c)).collect())
}

struct People {
    owner: UserId,
    provider: UserId,
    staff: UserId,
    stranger: UserId,
}

async fn user(store: &SeaStore, login: &str, name: &str) -> UserId {
    store
        .create_user(
            NewUser {
                login: Login::parse(login).unwrap_or_else(|e| panic!("{e}")),
                display_name: name.into(),
                region: Some(code("511623")),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            },
            t(0),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn service(title: &str, region: &str, scope: &str, category: &str) -> ServiceDraft {
    ServiceDraft::parse(&ServiceInput {
        title: title.into(),
        description: format!("{title}：上门诊断柑橘黄龙病、溃疡病等病害，提供书面防治方案。"),
        category: category.into(),
        tags: vec!["柑橘,黄龙病".into()],
        region: region.into(),
        scope: scope.into(),
        price_kind: "amount".into(),
        price_fen: Some(123_456),
        contact: "both".into(),
        org_id: None,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn need(title: &str, region: &str) -> NeedDraft {
    NeedDraft::parse(&NeedInput {
        title: title.into(),
        problem: "果园 50 亩脐橙近两年陆续出现叶片斑驳黄化，部分果树已经死亡。".into(),
        current_practice: Some("自己挖除病树，喷过几次杀虫剂".into()),
        target: Some("控制住病情，三年内恢复正常产量".into()),
        budget_fen: Some(2_000_000),
        deadline: Some("2027-03-31".into()),
        industry: "agriculture".into(),
        category: "fruit".into(),
        region: region.into(),
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn achievement(title: &str, region: &str) -> AchievementDraft {
    AchievementDraft::parse(&AchievementInput {
        title: title.into(),
        summary: "建立了柑橘无病毒苗木三级繁育体系，苗木脱毒率达 99% 以上。".into(),
        category: "fruit".into(),
        maturity: "industrial".into(),
        ip_type: "invention_patent".into(),
        ip_number: Some("ZL202010000000.0".into()),
        holders: "四川省某农业科学院".into(),
        transfer_modes: vec!["transfer,license".into()],
        price_kind: "negotiable".into(),
        price_fen: None,
        region: region.into(),
        org_id: None,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn audit(action: &str, target_id: &str, region: &str, at: Timestamp) -> AuditRecord {
    AuditRecord {
        actor: None,
        at,
        action: action.into(),
        target_kind: "test".into(),
        target_id: target_id.into(),
        region: Some(code(region)),
        before: None,
        after: Some(serde_json::json!({ "说明": "中文" })),
    }
}

fn moved(from: S, to: S, at: Timestamp) -> PostingChange {
    PostingChange {
        change: StatusChange {
            from,
            to,
            reason: None,
            at,
            audit: None,
        },
        expires_at: None,
        close_reason: None,
    }
}

fn published(at: Timestamp, expires: Timestamp) -> PostingChange {
    PostingChange {
        expires_at: Some(expires),
        ..moved(S::Pending, S::Published, at)
    }
}

/// Draft → pending → published, as moderation does.
async fn publish(store: &SeaStore, kind: PostingKind, id: i64, at: Timestamp, expires: Timestamp) {
    store
        .change_posting_status(kind, id, moved(S::Draft, S::Pending, at))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .change_posting_status(kind, id, published(at, expires))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn last_outbox(store: &SeaStore) -> (String, i64, String) {
    kejiyun_db::testing::outbox(store)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .pop()
        .unwrap_or_else(|| panic!("an outbox row"))
}

async fn queued(store: &SeaStore, kind: ModerationKind, id: i64) -> bool {
    store
        .moderation_queue(&RegionScope::All, Some(kind), page(1, 100))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .items
        .iter()
        .any(|i| i.item_id == id)
}

async fn audit_actions(store: &SeaStore) -> Vec<(String, String)> {
    store
        .list_audit(&RegionScope::All, page(1, 100))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .items
        .into_iter()
        .map(|e| (e.record.action, e.record.target_id))
        .collect()
}

#[tokio::test]
async fn store_market_contract_on_every_backend() {
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        eprintln!(
            "store market contract: backend={} url={}",
            backend.name(),
            kejiyun_db::redact(&db.url)
        );
        let store = db.migrated_store().await;
        kejiyun_db::migrate(&store)
            .await
            .unwrap_or_else(|e| panic!("migrate twice on {}: {e}", backend.name()));
        let people = People {
            owner: user(&store, "13900000001", "张农户").await,
            provider: user(&store, "13900000002", "李专家").await,
            staff: user(&store, "13900000003", "王科员").await,
            stranger: user(&store, "13900000004", "路人").await,
        };
        posting_life_cycle(&store, &people).await;
        posting_lists_and_expiry(&store, &people).await;
        let (need_id, service_id, achievement_id) = subjects(&store, &people).await;
        let inquiry = inquiries(&store, &people, need_id, service_id).await;
        quotes(&store, &people, need_id).await;
        let deal = deals(&store, &people, need_id, service_id, achievement_id).await;
        tickets(&store, &people, need_id, inquiry, deal).await;
        eprintln!("store market contract: backend={} ok", backend.name());
        db.cleanup().await;
    }
}
