//! Page tests: every locale key the pages use exists, and the main journeys work end to end
//! against an in-memory SQLite store (register → apply → moderate → directory).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{Request, StatusCode};
use kejiyun_core::app::{AdminSpec, Services};
use kejiyun_core::auth::LockoutPolicy;
use kejiyun_core::auth::one_time_codes::CodePolicy;
use kejiyun_core::banned_words::BannedWords;
use kejiyun_core::moderation::{ModerationKind, ModerationStatus};
use kejiyun_core::notifications::delivery::{Contact, OutgoingMessage, Sender};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::time::SystemClock;
use tower::ServiceExt;

use crate::i18n::{Lang, t};
use crate::{AppState, WebConfig};

/// Quoted `"ns.key"` literals in a source text (every stretch between two quotes is looked at,
/// as quotes nest inside template attributes).
fn literal_keys(src: &str) -> Vec<String> {
    src.split('"')
        .skip(1)
        .filter(|s| {
            // File names (templates, static files) are not keys.
            ![".html", ".css", ".js", ".svg"]
                .iter()
                .any(|ext| s.ends_with(ext))
                && s.contains('.')
                && !s.starts_with('.')
                && !s.ends_with('.')
                && !s.contains("..")
                && s.starts_with(|c: char| c.is_ascii_lowercase())
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_key_the_pages_use_is_translated() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut keys = Vec::new();
    let mut dirs = vec![format!("{root}/templates"), format!("{root}/src/pages")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path.display().to_string());
                continue;
            }
            if path.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            keys.extend(literal_keys(&std::fs::read_to_string(&path).expect("read")));
        }
    }
    keys.extend(super::market::tests::dynamic_keys());
    for s in ModerationStatus::ALL {
        keys.push(format!("status.{}", s.as_str()));
    }
    for k in ModerationKind::ALL {
        keys.push(format!("kind.{}", k.as_str()));
    }
    for r in [
        "user",
        "tech_worker",
        "volunteer",
        "org_admin",
        "region_admin",
        "system_admin",
    ] {
        keys.push(format!("role.{r}"));
    }
    for l in ["province", "city", "county"] {
        keys.push(format!("level.{l}"));
    }
    for e in ["not_found", "forbidden", "internal", "bad_request"] {
        keys.push(format!("error.{e}_hint"));
    }
    assert!(keys.len() > 150, "found only {} keys", keys.len());
    let missing: Vec<_> = keys.iter().filter(|k| t(Lang::Zh, k) == "??").collect();
    assert!(
        missing.is_empty(),
        "keys missing from the locales: {missing:?}"
    );
}

/// What a test server "sent", per server (keyed by its services), so a test reads the
/// registration code the way a person reads the SMS.
#[derive(Default)]
pub(super) struct Outbox(std::sync::Mutex<Vec<(String, String)>>);

#[async_trait::async_trait]
impl Sender for Outbox {
    async fn send(&self, to: &Contact, message: &OutgoingMessage) -> Result<(), String> {
        let who = to
            .phone
            .clone()
            .or_else(|| to.email.clone())
            .unwrap_or_default();
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((who, message.body.clone()));
        Ok(())
    }
}

type Outboxes = std::sync::Mutex<HashMap<usize, Arc<Outbox>>>;

fn outboxes() -> &'static Outboxes {
    static ALL: std::sync::OnceLock<Outboxes> = std::sync::OnceLock::new();
    ALL.get_or_init(Outboxes::default)
}

/// The last six-digit code the server of `services` sent to `login`.
pub(super) fn last_code(services: &Arc<Services>, login: &str) -> String {
    let key = Arc::as_ptr(services) as usize;
    let outbox = outboxes()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&key)
        .cloned()
        .expect("a test server's outbox");
    let sent = outbox
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    sent.iter()
        .rev()
        .filter(|(to, _)| to == login)
        .find_map(|(_, body)| {
            body.split(|c: char| !c.is_ascii_digit())
                .find(|w| w.len() == 6)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("no code was sent to {login}"))
}

/// Registers through the two-step page: the code to `fields`' login, then the form with it.
pub(super) async fn register_by_code(
    b: &mut Browser,
    services: &Arc<Services>,
    fields: &[(&str, &str)],
) -> Answer {
    let login = fields
        .iter()
        .find(|(k, _)| *k == "login")
        .map(|(_, v)| *v)
        .unwrap_or_default();
    let sent = b.post("/register/code", &[("login", login)]).await;
    assert_eq!(sent.status, StatusCode::OK, "code for {login}");
    let code = last_code(services, login);
    let mut with_code = fields.to_vec();
    with_code.push(("code", &code));
    b.post("/register", &with_code).await
}

pub(super) async fn app() -> (Router, Arc<Services>) {
    let personal_data = kejiyun_core::personal_data::PersonalDataKey::from_secret(&[7; 32]);
    let store = kejiyun_db::connect("sqlite::memory:")
        .await
        .expect("connect")
        .with_personal_data_key(personal_data.clone());
    kejiyun_db::migrate(&store).await.expect("migrate");
    // Page tests upload nothing; the directory is only named.
    let files = Arc::new(store.files(&std::env::temp_dir().join("kejiyun-page-tests")));
    let store = Arc::new(store);
    let index = kejiyun_search::SearchIndex::in_memory(kejiyun_search::Analyzer::new())
        .expect("search index");
    let outbox = Arc::new(Outbox::default());
    let services = Arc::new(Services {
        search: Arc::new(index),
        search_feed: store.clone(),
        posting_ttl_days: 90,
        qa: kejiyun_core::questions::QaPolicy::default(),
        upload_limit_bytes: 2 * 1024 * 1024,
        files,
        upload_policy: kejiyun_core::uploads::UploadPolicy::default(),
        personal_data,
        views: std::sync::Arc::new(kejiyun_core::popsci::views::ViewCounter::default()),
        store,
        clock: Arc::new(SystemClock),
        regions: kejiyun_db::regions::directory(),
        root: RegionCode::parse("510000").expect("code"),
        banned_words: Arc::new(BannedWords::new(Vec::<String>::new())),
        lockout: LockoutPolicy::default(),
        password_policy: Default::default(),
        codes: CodePolicy::default(),
        sender: outbox.clone(),
        sessions: kejiyun_core::auth::SessionPolicy::default(),
        // These tests log admins in by password alone; the second factor has its own tests.
        admin_second_factor: kejiyun_core::auth::second_factor::SecondFactorPolicy::Optional,
    });
    outboxes()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(Arc::as_ptr(&services) as usize, outbox);
    let config = WebConfig {
        demo_notice: Some("演示账号 admin@example.com".into()),
        ..WebConfig::default()
    };
    let state = AppState::new(services.clone(), config);
    (crate::router(state), services)
}

pub(super) struct Answer {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

/// A browser: keeps cookies and posts forms with the CSRF token.
pub(super) struct Browser {
    app: Router,
    pub cookies: HashMap<String, String>,
}

impl Browser {
    pub(super) fn new(app: &Router) -> Self {
        Self {
            app: app.clone(),
            cookies: HashMap::new(),
        }
    }

    pub(super) async fn send(&mut self, req: axum::http::request::Builder, body: Body) -> Answer {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = req.header(COOKIE, cookie).body(body).expect("request");
        let resp = self.app.clone().oneshot(req).await.expect("response");
        for c in resp.headers().get_all(SET_COOKIE) {
            let c = c.to_str().expect("ascii");
            let (pair, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=').expect("cookie pair");
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        let status = resp.status();
        let location = resp
            .headers()
            .get(LOCATION)
            .map(|l| l.to_str().expect("ascii").to_owned())
            .unwrap_or_default();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 22)
            .await
            .expect("body");
        Answer {
            status,
            location,
            body: String::from_utf8(bytes.to_vec()).expect("utf-8"),
        }
    }

    pub(super) async fn get(&mut self, path: &str) -> Answer {
        self.send(Request::get(path), Body::empty()).await
    }

    pub(super) async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        if !self.cookies.contains_key("kjy_csrf") {
            self.get("/").await;
        }
        let csrf = self.cookies.get("kjy_csrf").cloned().unwrap_or_default();
        let mut all = vec![("csrf_token", csrf.as_str())];
        all.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&all).expect("form");
        let req = Request::post(path).header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(req, Body::from(body)).await
    }
}

/// The `data-id` of the first queue item of `kind` on the admin page.
pub(super) fn queue_id(html: &str, kind: &str) -> String {
    let marker = format!("data-kind=\"{kind}\" data-id=\"");
    let start = html.find(&marker).expect("queue item") + marker.len();
    html[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

#[tokio::test]
async fn public_pages_and_errors() {
    let (app, _) = app().await;
    let mut b = Browser::new(&app);
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.body.contains("四川省") && home.body.contains("广安市"),
        "root and children"
    );
    assert!(home.body.contains("href=\"/login\""));
    assert!(home.body.len() < 100_000);
    assert!(
        home.body.contains("href=\"/api\""),
        "the footer leads to the API page"
    );

    let login = b.get("/login").await;
    assert!(
        login.body.contains("inputmode=\"tel\"")
            && login.body.contains("href=\"/login?with=email\""),
        "a phone number by default, an address on request"
    );
    let by_email = b.get("/login?with=email&next=%2Fme").await;
    assert!(
        by_email.body.contains("inputmode=\"email\"")
            && by_email.body.contains("href=\"/login?next=%2Fme\""),
        "the switch keeps where the login leads"
    );

    let api = b.get("/api").await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(
        api.body.contains("开放接口（API）说明")
            && api.body.contains("POST /api/v1/needs")
            && api.body.contains("CreateNeedRequest")
            && api.body.contains("href=\"/api/v1/openapi.json\""),
        "the API reference lists the operations"
    );

    let r = b.get("/regions").await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/regions/510000")
    );
    let r = b.get("/regions/511623").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("邻水县") && r.body.contains("href=\"/regions/511600\""));
    for bad in [
        "/regions/999999",
        "/regions/abc",
        "/regions/110000",
        "/tech-workers/0",
        "/orgs/x",
        "/nope",
    ] {
        let r = b.get(bad).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
        assert!(
            r.body.contains("页面不存在") || r.body.contains("不存在"),
            "{bad}"
        );
    }
    for list in [
        "/tech-workers?region=zzz&page=abc&q=%E6%9F%91",
        "/orgs?type=gang&region=511623&page=99",
    ] {
        let r = b.get(list).await;
        assert_eq!(r.status, StatusCode::OK, "{list}");
        assert!(r.body.len() < 100_000, "{list} is {} bytes", r.body.len());
    }

    let r = b.get("/me").await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/login?next=%2Fme")
    );
    let r = b.get("/admin").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let login = b.get("/login?next=%2F%2Fevil.example").await;
    assert!(!login.body.contains("evil.example"));
    assert!(login.body.contains("演示账号"), "demo notice");
    assert!(
        b.get("/login?next=%2Fme%2Ftokens")
            .await
            .body
            .contains("value=\"/me/tokens\"")
    );

    let elder = b.get("/?elder=1").await;
    assert!(elder.body.contains("class=\"elder\"") && elder.body.contains("?elder=0"));
    assert!(
        b.get("/").await.body.contains("class=\"elder\""),
        "elder mode sticks"
    );
    // Elder mode words things plainly and shows fewer menu items.
    assert!(elder.body.contains("找专家") && !elder.body.contains("href=\"/achievements\""));
    let en = b.get("/?lang=en&elder=0").await;
    assert!(en.body.contains("lang=\"en\"") && en.body.contains("Tech workers"));

    // A form without the CSRF token is refused.
    let req = Request::post("/login").header(CONTENT_TYPE, "application/x-www-form-urlencoded");
    let r = b.send(req, Body::from("login=a%40b.cn&password=x")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn register_apply_moderate_and_browse() {
    let (app, services) = app().await;
    let mut user = Browser::new(&app);

    let r = user
        .post(
            "/register",
            &[
                ("login", "13800138000"),
                ("password", "short"),
                ("display_name", "张三"),
                ("region", "511623"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("密码至少 8 位") && r.body.contains("value=\"13800138000\""));
    assert!(!r.body.contains("short"), "the password is never echoed");
    assert!(
        r.body.contains("<option value=\"511623\" selected>"),
        "region kept"
    );

    let fields = [
        ("login", "13800138000"),
        ("password", "Ganju2026tx"),
        ("display_name", "张三"),
        ("region", "511623"),
    ];
    let r = register_by_code(&mut user, &services, &fields).await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/me")
    );
    assert!(user.cookies.contains_key("kjy_session"));
    let me = user.get("/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body.contains("13800138000") && me.body.contains("id=\"logout\""));

    // Registered already: a new code would not come (the owner is told instead), and the used
    // one is spent, so any code typed is refused.
    let mut again = Browser::new(&app);
    let mut guessed = fields.to_vec();
    guessed.push(("code", "000000"));
    let r = again.post("/register", &guessed).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = Browser::new(&app)
        .post(
            "/login",
            &[("login", "13800138000"), ("password", "Ganju2026tx")],
        )
        .await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/me/postings"),
        "a user lands on their own postings"
    );

    let form = user.get("/me/tech-worker").await;
    assert!(form.body.contains("id=\"tw-status\"") && form.body.contains("data-status=\"none\""));
    let tw = [
        ("field", "果树栽培"),
        ("title", "高级农艺师"),
        ("employer", "邻水县农业农村局"),
        ("expertise", "柑橘，脐橙、黄龙病防治"),
        ("service_region", "511623"),
        ("bio", ""),
        ("id_card", "11010519491231002X"),
    ];
    let r = user
        .post(
            "/me/tech-worker",
            &[
                ("field", ""),
                ("employer", "x"),
                ("expertise", "a"),
                ("service_region", "511623"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = user.post("/me/tech-worker", &tw).await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/me/tech-worker?saved=1")
    );
    let form = user.get("/me/tech-worker").await;
    assert!(form.body.contains("data-status=\"pending\"") && form.body.contains("黄龙病防治"));

    let r = user
        .post(
            "/orgs/new",
            &[
                ("name", "邻水县柑橘产业协会"),
                ("org_type", "rural_association"),
                ("region", "511623"),
                ("contact_phone", "13900139000"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let org_path = r.location.split('?').next().expect("path").to_owned();
    assert!(
        user.get(&org_path).await.body.contains("13900139000"),
        "owner sees the full phone"
    );
    assert_eq!(
        user.get(&format!("{org_path}/edit")).await.status,
        StatusCode::OK
    );
    assert_eq!(user.get("/admin").await.status, StatusCode::FORBIDDEN);

    let token = user
        .post("/me/tokens", &[("name", "对接"), ("days", "30")])
        .await;
    assert!(token.body.contains("kjy_"), "secret shown once");
    assert!(!user.get("/me/tokens").await.body.contains("value=\"kjy_"));

    services
        .accounts()
        .create_admin(
            None,
            AdminSpec {
                login: "admin@example.com".into(),
                password: Some("Shiju2026pass".into()),
                display_name: None,
                role: "region_admin".into(),
                region: Some("511600".into()),
            },
        )
        .await
        .expect("admin");
    let mut admin = Browser::new(&app);
    let r = admin
        .post(
            "/login",
            &[
                ("login", "admin@example.com"),
                ("password", "wrong123"),
                ("next", "/admin"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = admin
        .post(
            "/login",
            &[
                ("login", "admin@example.com"),
                ("password", "Shiju2026pass"),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/admin"),
        "an admin lands on the queue"
    );
    let queue = admin.get("/admin").await;
    assert!(queue.body.contains("class=\"queue-item card\""));
    assert!(
        queue.body.contains("id=\"pending-badge\""),
        "the admin's menu says something waits"
    );
    let tw_id = queue_id(&queue.body, "tech_worker");
    let org_id = queue_id(&queue.body, "org");
    // The admin sees the number masked, and reads it in full by the audited reveal.
    let profile = admin.get(&format!("/tech-workers/{tw_id}")).await.body;
    assert!(profile.contains("110105********002X") && !profile.contains("11010519491231002X"));
    assert!(profile.contains("reveal-id-card"), "a reveal button");
    let revealed = admin
        .post(&format!("/tech-workers/{tw_id}/id-card"), &[])
        .await;
    assert!(
        revealed.body.contains("11010519491231002X"),
        "{}",
        revealed.body
    );
    assert!(
        !Browser::new(&app)
            .get(&format!("/tech-workers/{tw_id}"))
            .await
            .status
            .is_success()
    );

    let r = admin
        .post(
            &format!("/admin/moderation/tech_worker/{tw_id}/approve"),
            &[],
        )
        .await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/admin?done=approved")
    );
    let r = admin
        .post(
            &format!("/admin/moderation/org/{org_id}/reject"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .post(
            &format!("/admin/moderation/org/{org_id}/reject"),
            &[("reason", "材料不全")],
        )
        .await;
    assert_eq!(r.location, "/admin?done=rejected");
    let r = admin
        .post(&format!("/admin/moderation/org/{org_id}/approve"), &[])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        admin
            .get("/admin/audit")
            .await
            .body
            .contains("tech_worker.approve")
    );
    assert_eq!(
        admin.get("/admin/admins").await.status,
        StatusCode::FORBIDDEN
    );

    let mut visitor = Browser::new(&app);
    let list = visitor.get("/tech-workers?region=511600").await;
    assert!(list.body.contains("张三") && list.body.contains(&format!("/tech-workers/{tw_id}")));
    let profile = visitor.get(&format!("/tech-workers/{tw_id}")).await;
    assert!(
        profile.body.contains("110105********002X") && !profile.body.contains("11010519491231002X")
    );
    assert!(
        visitor
            .get("/")
            .await
            .body
            .contains("<span class=\"stat-num\">1</span>")
    );
    let status = user.get("/me/tech-worker").await;
    assert!(status.body.contains("data-status=\"published\""));
    let org = user.get(&org_path).await;
    assert!(org.body.contains("材料不全") && org.body.contains("data-status=\"rejected\""));

    let r = user.post("/logout", &[]).await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/")
    );
    assert!(!user.cookies.contains_key("kjy_session"));
    assert_eq!(user.get("/me").await.status, StatusCode::SEE_OTHER);
}
