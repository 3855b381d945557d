//! The marketplace pages: services, needs and achievements (lists, detail pages, forms), the
//! caller's postings and quotes, inquiry threads, deals, and the admin pages for deals and
//! caseworker tickets. Handlers stay thin: parse the form, call one `Services` method, render.

mod admin;
mod deals;
mod detail;
mod forms;
mod inquiries;
mod lists;
pub use lists::{need_card, service_card};
mod shelf;
pub use shelf::{Provider, Shelf, provider_shelf};
mod mine;
#[cfg(test)]
pub(super) mod tests;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use kejiyun_core::DomainError;
use kejiyun_core::market::categories::Category;
use kejiyun_core::market::money::{Fen, Price};
use kejiyun_core::market::postings::{CloseReason, PostingKind, PostingMeta};
use kejiyun_core::market::quotes::{Quote, QuoteStatus};
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::time::Timestamp;

use super::common::{PageError, Pg};
use super::widgets::Opt;
use crate::AppState;

/// The marketplace routes.
pub fn router() -> Router<AppState> {
    let mut r = Router::new();
    for kind in ["services", "needs", "achievements"] {
        r = r
            .route(&format!("/{kind}"), get(lists::list))
            .route(
                &format!("/{kind}/new"),
                get(forms::new_form).post(forms::create),
            )
            .route(&format!("/{kind}/{{id}}"), get(detail::page))
            .route(
                &format!("/{kind}/{{id}}/edit"),
                get(forms::edit_form).post(forms::save),
            )
            .route(&format!("/{kind}/{{id}}/submit"), post(detail::submit))
            .route(&format!("/{kind}/{{id}}/close"), post(detail::close))
            .route(&format!("/{kind}/{{id}}/confirm"), post(detail::confirm))
            .route(&format!("/{kind}/{{id}}/inquire"), post(detail::inquire));
    }
    r.route("/needs/{id}/quotes", post(detail::quote))
        .route("/needs/{id}/ticket", post(detail::open_ticket))
        .route("/quotes/{id}/accept", post(detail::accept_quote))
        .route("/quotes/{id}/decline", post(detail::decline_quote))
        .route("/quotes/{id}/ask", post(detail::ask_quote))
        .route("/quotes/{id}/withdraw", post(mine::withdraw_quote))
        .route("/me/postings", get(mine::postings))
        .route("/me/quotes", get(mine::quotes))
        .route("/inquiries", get(inquiries::list))
        .route(
            "/inquiries/{id}",
            get(inquiries::thread).post(inquiries::reply),
        )
        .route("/inquiries/{id}/deal", post(inquiries::propose_deal))
        .route("/deals", get(deals::list))
        .route("/deals/{id}", get(deals::page))
        .route("/deals/{id}/confirm", post(deals::confirm))
        .route("/deals/{id}/cancel", post(deals::cancel))
        .route("/deals/{id}/evidence", get(deals::evidence))
        .route("/admin/deals", get(admin::deals))
        .route(
            "/admin/deals/offline",
            get(admin::offline_form)
                .post(admin::record_offline)
                // The global body limit is smaller than an upload: `CsrfMultipart` enforces
                // `upload_limit_bytes` + 64 KiB on this route instead.
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/admin/tickets", get(admin::tickets))
        .route("/admin/tickets/{id}", get(admin::ticket))
        .route("/admin/tickets/{id}/follow-up", post(admin::follow_up))
        .route("/admin/tickets/{id}/link", post(admin::link))
        .route("/admin/tickets/{id}/close", post(admin::close_ticket))
}

/// The posting kind of a marketplace path (`/services/…`, `/needs/…`, `/achievements/…`).
pub fn kind_of_path(path: &str) -> Option<PostingKind> {
    match path.trim_start_matches('/').split('/').next()? {
        "services" => Some(PostingKind::Service),
        "needs" => Some(PostingKind::Need),
        "achievements" => Some(PostingKind::Achievement),
        _ => None,
    }
}

pub fn kind_slug(kind: PostingKind) -> &'static str {
    match kind {
        PostingKind::Service => "services",
        PostingKind::Need => "needs",
        PostingKind::Achievement => "achievements",
        PostingKind::Question => "questions",
        PostingKind::Resource => "resources",
    }
}

/// The kind of the page being served, or the 404 page.
pub fn page_kind(pg: &Pg<'_>) -> Result<PostingKind, PageError> {
    kind_of_path(&pg.ctx.path)
        .ok_or_else(|| pg.fail(DomainError::NotFound(pg.t("error.not_found").into())))
}

pub fn posting_href(kind: PostingKind, id: i64) -> String {
    format!("/{}/{id}", kind_slug(kind))
}

/// The label of a vocabulary code (`v.{ns}.{code}` in the locales).
pub fn vocab(pg: &Pg<'_>, ns: &str, code: &str) -> &'static str {
    pg.t(&format!("v.{ns}.{code}"))
}

pub fn kind_label(pg: &Pg<'_>, kind: PostingKind) -> &'static str {
    vocab(pg, "kind", kind.code())
}

pub fn category_label(pg: &Pg<'_>, c: Category) -> &'static str {
    if pg.lang().is_en() {
        c.label_en()
    } else {
        c.label_zh()
    }
}

pub fn category_options(pg: &Pg<'_>, selected: &str) -> Vec<Opt> {
    Category::all()
        .map(|c| Opt {
            value: c.code().to_owned(),
            label: category_label(pg, c).to_owned(),
            selected: c.code() == selected,
        })
        .collect()
}

/// Options of a closed vocabulary, labelled from the locales.
pub fn vocab_options<T: Copy>(
    pg: &Pg<'_>,
    ns: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    selected: &str,
) -> Vec<Opt> {
    all.iter()
        .map(|v| Opt {
            value: code(*v).to_owned(),
            label: vocab(pg, ns, code(*v)).to_owned(),
            selected: code(*v) == selected,
        })
        .collect()
}

/// `1,234.50 元`.
pub fn yuan(pg: &Pg<'_>, f: Fen) -> String {
    format!("{} {}", f.yuan(), pg.t("mk.yuan"))
}

/// `0.12 万元`.
pub fn wan(pg: &Pg<'_>, f: Fen) -> String {
    format!("{} {}", f.wan_yuan(), pg.t("mk.wan_yuan"))
}

/// The value of a 元 input for an amount (`1234.5` → `1234.50`, no grouping).
pub fn yuan_value(f: Fen) -> String {
    format!("{}.{:02}", f.fen() / 100, f.fen() % 100)
}

pub fn price_label(pg: &Pg<'_>, p: Price) -> String {
    match p {
        Price::Amount(f) => yuan(pg, f),
        other => vocab(pg, "price", other.kind()).to_owned(),
    }
}

/// An optional amount typed in 元 → fen (blank: none).
pub fn opt_fen(field: &'static str, raw: &str) -> Result<Option<i64>, DomainError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        Fen::parse_yuan(field, raw).map(|f| Some(f.fen()))
    }
}

/// A required amount typed in 元 → fen.
pub fn fen(field: &'static str, raw: &str) -> Result<i64, DomainError> {
    Fen::parse_yuan(field, raw).map(Fen::fen)
}

/// An optional id typed on a form (blank: none).
pub fn opt_id(field: &'static str, raw: &str) -> Result<Option<i64>, DomainError> {
    let raw = raw.trim().trim_start_matches('#');
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(Some)
        .ok_or_else(|| DomainError::invalid(field, "请输入有效的编号（正整数）"))
}

/// A status badge for anything not published (owners and admins see those).
pub fn badge(pg: &Pg<'_>, s: ModerationStatus) -> Option<&'static str> {
    (s != ModerationStatus::Published).then(|| pg.status_label(s))
}

/// Expiry in Asia/Shanghai and whether it is close (under 14 days away).
pub struct Expiry {
    pub at: String,
    pub soon: bool,
}

pub fn expiry(pg: &Pg<'_>, at: Option<Timestamp>) -> Option<Expiry> {
    let at = at?;
    let now = pg.s().now();
    Some(Expiry {
        at: at.to_shanghai_display(),
        soon: at < now.plus_seconds(14 * 86_400),
    })
}

/// One card of a posting list.
pub struct PostingCard {
    pub id: i64,
    pub href: String,
    pub kind: &'static str,
    pub title: String,
    pub category: &'static str,
    pub region: String,
    /// Price, budget (or "—").
    pub price: String,
    pub owner: String,
    pub date: String,
    pub status: &'static str,
    pub badge: Option<&'static str>,
}

pub struct QuoteRow {
    pub id: i64,
    pub provider: String,
    pub price: String,
    pub timeline: String,
    pub method: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub decline: Option<String>,
    pub deal_href: Option<String>,
    pub need_href: String,
    pub need_title: String,
    /// Still open: the requester may accept / decline, the provider withdraw.
    pub open: bool,
}

pub fn quote_row(pg: &Pg<'_>, q: Quote) -> QuoteRow {
    QuoteRow {
        id: q.id.0,
        provider: q.provider_name,
        price: yuan(pg, q.draft.price),
        timeline: pg
            .t("mk.days")
            .replace("{n}", &q.draft.timeline_days.to_string()),
        method: q.draft.method,
        status: q.status.code(),
        status_label: vocab(pg, "quote_status", q.status.code()),
        decline: q.decline_reason.map(|r| {
            let label = vocab(pg, "decline", r.code());
            match q.decline_note {
                Some(n) => format!("{label}：{n}"),
                None => label.to_owned(),
            }
        }),
        deal_href: q.deal_id.map(|d| format!("/deals/{d}")),
        need_href: posting_href(PostingKind::Need, q.need_id.0),
        need_title: q.need_title,
        open: q.status == QuoteStatus::Submitted,
    }
}

/// What the owner may do with their posting.
pub struct OwnerBox {
    pub edit_href: String,
    pub can_submit: bool,
    pub can_close: bool,
    pub can_confirm: bool,
    pub expiry: Option<Expiry>,
    pub close_reasons: Vec<Opt>,
}

pub fn close_reason_options(pg: &Pg<'_>) -> Vec<Opt> {
    let owner_reasons: Vec<CloseReason> = CloseReason::ALL
        .into_iter()
        .filter(|r| *r != CloseReason::Expired)
        .collect();
    vocab_options(pg, "close", &owner_reasons, CloseReason::code, "")
}

pub fn owner_box(pg: &Pg<'_>, kind: PostingKind, id: i64, meta: &PostingMeta) -> OwnerBox {
    let s = meta.status;
    OwnerBox {
        edit_href: format!("{}/edit", posting_href(kind, id)),
        can_submit: matches!(s, ModerationStatus::Draft | ModerationStatus::Rejected),
        can_close: s != ModerationStatus::Closed,
        can_confirm: s == ModerationStatus::Published,
        expiry: if s == ModerationStatus::Published {
            expiry(pg, meta.expires_at)
        } else {
            None
        },
        close_reasons: close_reason_options(pg),
    }
}
