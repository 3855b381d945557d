//! Marketplace page tests on in-memory SQLite: the guided need form, moderation from the queue,
//! a quote, its acceptance, both confirmations, the admin's deal list, and the multipart
//! evidence upload with its CSRF check.

use std::sync::Arc;

use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{Request, StatusCode};
use kejiyun_core::app::{AdminSpec, Services};
use kejiyun_core::market::deals::DealStatus;
use kejiyun_core::market::postings::CloseReason;
use kejiyun_core::market::quotes::{DeclineReason, QuoteStatus};
use kejiyun_core::market::tickets::{FollowUpKind, LinkKind, TicketOutcome, TicketStatus};

use super::super::tests::{Browser, app, queue_id};

/// Locale keys the marketplace pages build at run time (`format!`).
pub fn dynamic_keys() -> Vec<String> {
    let mut k = Vec::new();
    for kind in ["service", "need", "achievement"] {
        for s in ["list", "intro", "new", "edit", "none"] {
            k.push(format!("mk.{kind}.{s}"));
        }
        k.push(format!("v.kind.{kind}"));
    }
    for d in [
        "created",
        "saved",
        "submitted",
        "closed",
        "confirmed",
        "quoted",
        "declined",
        "ticket_requested",
        "withdrawn",
        "deal_proposed",
        "deal_confirmed",
        "deal_cancelled",
        "deal_recorded",
        "ticket_opened",
        "ticket_noted",
        "ticket_linked",
        "ticket_closed",
    ] {
        k.push(format!("mk.done.{d}"));
    }
    let mut v = |ns: &str, codes: &[&str]| {
        k.extend(codes.iter().map(|c| format!("v.{ns}.{c}")));
    };
    v("price", &["free", "negotiable", "amount"]);
    v("scope", &["county", "city", "province", "national"]);
    v(
        "industry",
        &["agriculture", "industry", "services", "medicine", "other"],
    );
    v(
        "maturity",
        &["research", "small_pilot", "pilot", "industrial"],
    );
    v(
        "ip",
        &[
            "invention_patent",
            "utility_patent",
            "design_patent",
            "software_copyright",
            "plant_variety",
            "trade_secret",
            "none",
        ],
    );
    v("transfer", &["transfer", "license", "equity", "co_develop"]);
    v("contact", &["message", "phone", "both"]);
    let close: Vec<_> = CloseReason::ALL.iter().map(|c| c.code()).collect();
    v("close", &close);
    let ds: Vec<_> = DealStatus::ALL.iter().map(|c| c.code()).collect();
    v("deal_status", &ds);
    v("origin", &["quote", "inquiry", "direct", "offline"]);
    let qs: Vec<_> = QuoteStatus::ALL.iter().map(|c| c.code()).collect();
    v("quote_status", &qs);
    let dr: Vec<_> = DeclineReason::ALL.iter().map(|c| c.code()).collect();
    v("decline", &dr);
    let ts: Vec<_> = TicketStatus::ALL.iter().map(|c| c.code()).collect();
    v("ticket_status", &ts);
    let to: Vec<_> = TicketOutcome::ALL.iter().map(|c| c.code()).collect();
    v("outcome", &to);
    let fk: Vec<_> = FollowUpKind::ALL.iter().map(|c| c.code()).collect();
    v("follow_up", &fk);
    let lk: Vec<_> = LinkKind::ALL.iter().map(|c| c.code()).collect();
    v("link", &lk);
    k
}

fn id_after(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|r| r.split(['?', '#', '/']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{location} does not start with {prefix}<id>"))
}

async fn register(
    app: &axum::Router,
    services: &Arc<Services>,
    phone: &str,
    name: &str,
) -> Browser {
    let mut b = Browser::new(app);
    let fields = [
        ("login", phone),
        ("password", "Ganju2026tx"),
        ("display_name", name),
        ("region", "511623"),
    ];
    let r = super::super::tests::register_by_code(&mut b, services, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "register {name}");
    b
}

fn multipart(csrf: Option<&str>, fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----kjyboundary7MA4YWxk";
    let mut body = Vec::new();
    let mut part = |name: &str, value: &[u8], file_name: Option<&str>| {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file_name {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    };
    if let Some(c) = csrf {
        part("csrf_token", c.as_bytes(), None);
    }
    for (k, v) in fields {
        part(k, v.as_bytes(), None);
    }
    part("evidence", file, Some("合同.pdf"));
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn need_quote_accept_confirm_and_admin_pages() {
    let (app, services) = app().await;

    // Lists are public and light.
    let mut visitor = Browser::new(&app);
    for list in [
        "/services",
        "/needs",
        "/achievements",
        "/services?available_in=511623&scope=county",
    ] {
        let r = visitor.get(list).await;
        assert_eq!(r.status, StatusCode::OK, "{list}");
        assert!(r.body.len() < 100_000);
    }
    assert_eq!(
        visitor.get("/needs/new").await.status,
        StatusCode::SEE_OTHER
    );

    // The farmer checks the need's completeness, then submits it.
    let mut farmer = register(&app, &services, "13800138001", "李大伯").await;
    let blank = farmer.get("/needs/new").await;
    assert!(
        blank.body.contains("<option value=\"511623\" selected>"),
        "the form starts in the region given at registration"
    );
    let need = [
        ("title", "脐橙黄龙病防治技术咨询"),
        (
            "problem",
            "果园 50 亩脐橙近两年陆续出现叶片斑驳黄化，部分果树已经死亡，担心蔓延到整个果园。",
        ),
        ("current_practice", ""),
        ("target", "控制住病情，三年内恢复正常产量"),
        ("budget_yuan", "20,000"),
        ("deadline", ""),
        ("industry", "agriculture"),
        ("category", "fruit"),
        ("region", "511623"),
    ];
    let mut check = need.to_vec();
    check.push(("action", "check"));
    let r = farmer.post("/needs/new", &check).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("data-score=\"80\""),
        "80 without practice and deadline"
    );
    assert!(
        r.body.contains("目前是怎么做的"),
        "says what would raise it"
    );
    assert!(r.body.contains("id=\"need-submit\""));
    let mut bad = need.to_vec();
    bad[4] = ("budget_yuan", "-5");
    bad.push(("action", "submit"));
    let r = farmer.post("/needs/new", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("金额不能为负数") && r.body.contains("脐橙黄龙病防治技术咨询"));
    let mut submit = need.to_vec();
    submit.push(("action", "submit"));
    let r = farmer.post("/needs/new", &submit).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let need_id = id_after(&r.location, "/needs/");
    let page = farmer.get(&format!("/needs/{need_id}")).await;
    assert!(page.body.contains("data-status=\"pending\"") && page.body.contains("20,000.00"));
    assert!(
        farmer
            .get("/me/postings")
            .await
            .body
            .contains("脐橙黄龙病防治技术咨询")
    );
    assert_eq!(
        Browser::new(&app)
            .get(&format!("/needs/{need_id}"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "pending needs are not public"
    );

    // The county admin approves it from the queue; the item links to the need.
    for (login, role, region) in [("county@example.com", "region_admin", "511623")] {
        services
            .accounts()
            .create_admin(
                None,
                AdminSpec {
                    login: login.into(),
                    password: Some("Shiju2026pass".into()),
                    display_name: Some("邻水县科协".into()),
                    role: role.into(),
                    region: Some(region.into()),
                },
            )
            .await
            .expect("admin");
    }
    let mut admin = Browser::new(&app);
    let r = admin
        .post(
            "/login",
            &[
                ("login", "county@example.com"),
                ("password", "Shiju2026pass"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let queue = admin.get("/admin").await;
    assert!(queue.body.contains(&format!("href=\"/needs/{need_id}\"")));
    assert_eq!(queue_id(&queue.body, "need"), need_id.to_string());
    let r = admin
        .post(&format!("/admin/moderation/need/{need_id}/approve"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = admin.get(&format!("/needs/{need_id}")).await;
    assert!(
        page.body.contains("id=\"open-ticket\""),
        "region admins may open a ticket"
    );

    // A verified tech worker quotes.
    let mut expert = register(&app, &services, "13800138002", "王农艺师").await;
    let r = expert
        .post(
            "/me/tech-worker",
            &[
                ("field", "果树栽培"),
                ("employer", "邻水县农业农村局"),
                ("expertise", "柑橘"),
                ("service_region", "511623"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let tw = queue_id(&admin.get("/admin").await.body, "tech_worker");
    admin
        .post(&format!("/admin/moderation/tech_worker/{tw}/approve"), &[])
        .await;
    let page = expert.get(&format!("/needs/{need_id}")).await;
    assert!(page.body.contains("id=\"quote-submit\"") && page.body.contains("name=\"price_yuan\""));
    let quote = [
        ("price_yuan", "3000.5"),
        ("timeline_days", "30"),
        ("method", "上门诊断三次并出具书面防治方案"),
        ("service_id", ""),
    ];
    let r = expert
        .post(&format!("/needs/{need_id}/quotes"), &quote)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(expert.get("/me/quotes").await.body.contains("3,000.50"));

    // The farmer sees it side by side and accepts it: a deal is proposed.
    let page = farmer.get(&format!("/needs/{need_id}")).await;
    let marker = "class=\"quote-row\" data-id=\"";
    let start = page.body.find(marker).expect("quote row") + marker.len();
    let quote_id: String = page.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(
        page.body
            .contains("button type=\"submit\" class=\"btn approve accept\"")
    );
    let r = farmer
        .post(&format!("/quotes/{quote_id}/accept"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let deal_id = id_after(&r.location, "/deals/");
    let deal = farmer.get(&format!("/deals/{deal_id}")).await;
    assert!(
        deal.body.contains("data-status=\"proposed\"")
            && !deal.body.contains("id=\"deal-confirm\"")
    );

    // The tech worker confirms.
    let deal = expert.get(&format!("/deals/{deal_id}")).await;
    assert!(deal.body.contains("id=\"deal-confirm\""));
    let r = expert.post(&format!("/deals/{deal_id}/confirm"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let deal = expert.get(&format!("/deals/{deal_id}")).await;
    assert!(
        deal.body
            .contains("id=\"deal-status\" data-status=\"confirmed\"")
    );
    assert!(deal.body.contains("0.30 万元"), "3000.50 元 = 0.30 万元");

    // The admin sees it among the region's deals; the farmer may not open that page.
    let list = admin.get("/admin/deals").await;
    assert!(
        list.body
            .contains(&format!("class=\"deal-row\" data-id=\"{deal_id}\""))
    );
    assert!(list.body.contains("id=\"page-total\">0.30 万元"));
    assert_eq!(
        farmer.get("/admin/deals").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(farmer.get("/deals").await.body.contains("deal-row"));

    // A ticket on the need, with a follow-up, a linked deal and an outcome.
    let r = admin.post(&format!("/needs/{need_id}/ticket"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let ticket = id_after(&r.location, "/admin/tickets/");
    let r = admin
        .post(
            &format!("/admin/tickets/{ticket}/follow-up"),
            &[("kind", "call"), ("note", "电话了解果园情况")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let deal_str = deal_id.to_string();
    let r = admin
        .post(
            &format!("/admin/tickets/{ticket}/link"),
            &[("kind", "deal"), ("target", &deal_str)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = admin
        .post(
            &format!("/admin/tickets/{ticket}/close"),
            &[("outcome", "deal_made"), ("note", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = admin.get(&format!("/admin/tickets/{ticket}")).await;
    assert!(page.body.contains("电话了解果园情况") && page.body.contains("data-status=\"closed\""));
    assert!(
        admin
            .get("/admin/tickets")
            .await
            .body
            .contains("ticket-row")
    );

    // An inquiry thread between a neighbour and the farmer.
    let mut neighbour = register(&app, &services, "13800138003", "张邻居").await;
    let r = neighbour
        .post(
            &format!("/needs/{need_id}/inquire"),
            &[("body", "我家也有这个问题，能一起请专家吗？")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let thread = r.location.clone();
    assert!(farmer.get(&thread).await.body.contains("能一起请专家吗"));
    assert_eq!(
        expert.get(&thread).await.status,
        StatusCode::NOT_FOUND,
        "only the two sides"
    );

    // Offline contract: multipart with the CSRF token; without it, refused.
    let csrf = admin.cookies.get("kjy_csrf").cloned().expect("csrf cookie");
    let fields = [
        ("need_id", need_str(need_id)),
        ("provider_id", String::new()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut all = fields.clone();
    all.extend([
        ("amount_yuan", "12,345.67"),
        ("deal_date", "2024-05-01"),
        ("note", "线下签约"),
    ]);
    let (ct, body) = multipart(None, &all, b"%PDF-1.7 test");
    let req = Request::post("/admin/deals/offline").header(CONTENT_TYPE, ct);
    assert_eq!(
        admin.send(req, Body::from(body)).await.status,
        StatusCode::FORBIDDEN
    );
    let (ct, body) = multipart(Some(&csrf), &all, b"MZ not a pdf");
    let req = Request::post("/admin/deals/offline").header(CONTENT_TYPE, ct);
    let r = admin.send(req, Body::from(body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("PDF、PNG 或 JPEG"));
    let (ct, body) = multipart(Some(&csrf), &all, b"%PDF-1.7 test");
    let req = Request::post("/admin/deals/offline").header(CONTENT_TYPE, ct);
    let r = admin.send(req, Body::from(body)).await;
    // The need's owner is the requester; without a provider the parties are unknown.
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let expert_id = expert_user_id(&services).await;
    let mut with_provider = all.clone();
    with_provider[1] = ("provider_id", expert_id.as_str());
    let (ct, body) = multipart(Some(&csrf), &with_provider, b"%PDF-1.7 test");
    let req = Request::post("/admin/deals/offline").header(CONTENT_TYPE, ct);
    let r = admin.send(req, Body::from(body)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let offline = id_after(&r.location, "/deals/");
    let req = Request::get(format!("/deals/{offline}/evidence"));
    let ev = admin.send(req, Body::empty()).await;
    assert_eq!(ev.status, StatusCode::OK);
    assert_eq!(ev.body, "%PDF-1.7 test");
    assert_eq!(
        neighbour
            .get(&format!("/deals/{offline}/evidence"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

fn need_str(id: i64) -> String {
    id.to_string()
}

async fn expert_user_id(services: &kejiyun_core::app::Services) -> String {
    let found = services
        .store
        .user_by_login(&kejiyun_core::accounts::Login::parse("13800138002").expect("login"))
        .await
        .ok()
        .flatten()
        .expect("expert");
    found.id.0.to_string()
}
