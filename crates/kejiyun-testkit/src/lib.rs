//! Test harness. [`TestApp`] starts the real server (the same wiring as `kejiyun serve`) on a
//! free port with a database of its own; [`TestDatabase`] makes that database on SQLite, or on
//! the PostgreSQL / MySQL servers named by `KEJIYUN_TEST_POSTGRES_URL` and
//! `KEJIYUN_TEST_MYSQL_URL`; [`browser`] drives Debian's headless Chromium.

pub mod browser;
mod database;
pub mod proxy;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use kejiyun::config::Config;
use kejiyun::server::RunningServer;
use kejiyun_core::app::{AdminSpec, LoginOutcome, RegisterInput, Services, SignIn};
use kejiyun_core::auth::second_factor;
use kejiyun_core::notifications::delivery::{Contact, LogSender, OutgoingMessage, Sender};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

pub use database::{Backend, TestDatabase, backends};

/// The personal-data key of the stores the store tests open (a server under test makes its
/// own in its data directory).
pub fn test_personal_data_key() -> kejiyun_core::personal_data::PersonalDataKey {
    kejiyun_core::personal_data::PersonalDataKey::from_secret(&[42; 32])
}

/// The configuration of a test server: a free port on loopback, `data_dir`, `database_url`.
pub fn server_config(data_dir: &std::path::Path, database_url: &str) -> Config {
    Config {
        listen: "127.0.0.1:0".into(),
        data_dir: PathBuf::from(data_dir),
        database_url: database_url.to_owned(),
        log_format: "pretty".into(),
        // Tests stop servers often; the drain test sets its own.
        shutdown_drain_ms: 0,
        // The tests log in and register many times from 127.0.0.1; the throttle test sets
        // its own limits.
        login_rate_per_minute: 1_000_000,
        login_burst: 1_000_000,
        register_rate_per_minute: 1_000_000,
        register_burst: 1_000_000,
        code_rate_per_minute: 1_000_000,
        code_burst: 1_000_000,
        // Embedding every posting a test publishes would load the cores for nothing; the
        // semantic matching tests turn it on with the model they find.
        semantic_matching: false,
        // The checkout's font (scripts/fetch-font), wherever the test runs from.
        certificate_font: concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../models/NotoSansSC-Regular.ttf"
        )
        .into(),
        ..Config::default()
    }
}

/// The password every test account gets.
pub const PASSWORD: &str = "Test2026pass";

/// The CSRF cookie (and form field) of [`TestApp::page`].
pub const CSRF: &str = "csrf-test-value-0123456789";

/// The message sender of a test server: the product's log-only sender, which also keeps every
/// message, so a test reads the one-time code that was "sent".
#[derive(Debug, Default)]
pub struct CapturingSender(Mutex<Vec<(Contact, OutgoingMessage)>>);

#[async_trait::async_trait]
impl Sender for CapturingSender {
    async fn send(&self, to: &Contact, message: &OutgoingMessage) -> Result<(), String> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((to.clone(), message.clone()));
        LogSender.send(to, message).await
    }
}

impl CapturingSender {
    /// Every message so far, oldest first.
    pub fn all(&self) -> Vec<(Contact, OutgoingMessage)> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The messages sent to `login` (a phone number or e-mail address, as the contact has it).
    pub fn to(&self, login: &str) -> Vec<OutgoingMessage> {
        self.all()
            .into_iter()
            .filter(|(c, _)| c.phone.as_deref() == Some(login) || c.email.as_deref() == Some(login))
            .map(|(_, m)| m)
            .collect()
    }

    /// The six digits of the last message to `login` that carries a code.
    pub fn last_code(&self, login: &str) -> Option<String> {
        self.to(login).iter().rev().find_map(|m| {
            m.body
                .split(|c: char| !c.is_ascii_digit())
                .find(|w| w.len() == 6)
                .map(str::to_owned)
        })
    }
}

pub struct TestApp {
    server: RunningServer,
    pub db: TestDatabase,
    /// What the server sent (one-time codes, notification copies).
    pub sent: Arc<CapturingSender>,
    /// A client with its own cookie jar.
    pub client: Client,
    pub data_dir: tempfile::TempDir,
    /// What the server was started with (a restart reuses it).
    config: Config,
}

/// A logged-in test user.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub login: String,
    pub token: String,
}

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl Part {
    /// A text field.
    pub fn text(name: &str, value: &str) -> Self {
        Self {
            name: name.into(),
            file_name: None,
            content_type: None,
            bytes: value.as_bytes().to_vec(),
        }
    }

    /// A file field.
    pub fn file(name: &str, file_name: &str, content_type: &str, bytes: Vec<u8>) -> Self {
        Self {
            name: name.into(),
            file_name: Some(file_name.into()),
            content_type: Some(content_type.into()),
            bytes,
        }
    }
}

/// A response read whole: status and JSON body (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
    /// The body exactly as sent (the snapshot tests compare it byte for byte).
    pub text: String,
}

impl Reply {
    /// Reads `resp` (the answer to a request for `path`) whole.
    async fn read(resp: reqwest::Result<reqwest::Response>, path: &str) -> Self {
        let resp = resp.unwrap_or_else(|e| panic!("request {path}: {e}"));
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        Self {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            headers,
            text,
        }
    }

    /// Asserts that the request was refused as invalid (422) for its field `field`.
    #[track_caller]
    pub fn assert_invalid_field(&self, field: &str) {
        assert_eq!(
            self.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {:?}",
            self.body
        );
        assert_eq!(self.body["error"]["field"], field, "{:?}", self.body);
    }

    /// `error.code` of an error answer.
    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

/// The second-factor secrets of accounts enrolled through [`TestApp::enrol_second_factor`],
/// with the last step a code was made for (login names are unique across tests).
type Secrets = std::collections::HashMap<String, (Vec<u8>, i64)>;

fn second_factor_secrets() -> std::sync::MutexGuard<'static, Secrets> {
    static SECRETS: std::sync::OnceLock<Mutex<Secrets>> = std::sync::OnceLock::new();
    SECRETS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The TOTP secret `login` enrolled with here, if any.
pub fn second_factor_secret(login: &str) -> Option<Vec<u8>> {
    second_factor_secrets().get(login).map(|(s, _)| s.clone())
}

/// The next code of `login`'s authenticator (what its app shows): a step the account has not
/// used yet (the server refuses replays), the current one or the next; waits for the next
/// step when both are spent.
pub async fn second_factor_code(login: &str) -> String {
    loop {
        let now_step = second_factor::step_at(kejiyun_core::time::Clock::now(
            &kejiyun_core::time::SystemClock,
        ));
        let code = {
            let mut secrets = second_factor_secrets();
            let Some((secret, last)) = secrets.get_mut(login) else {
                panic!("{login} has no second factor enrolled by the test kit");
            };
            let step = now_step.max(last.saturating_add(1));
            if step <= now_step + 1 {
                *last = step;
                Some(
                    second_factor::code_for_step(secret, step)
                        .unwrap_or_else(|e| panic!("TOTP: {e}")),
                )
            } else {
                None
            }
        };
        match code {
            Some(c) => return c,
            None => tokio::time::sleep(std::time::Duration::from_millis(500)).await,
        }
    }
}

/// Finishes a login through the services: the session, after the second step when `sign_in`
/// asks for it (with [`second_factor_code`]).
pub async fn complete_login(services: &Services, login: &str, sign_in: SignIn) -> LoginOutcome {
    match sign_in {
        SignIn::Session(o) => *o,
        SignIn::SecondFactor(c) => {
            let code = second_factor_code(login).await;
            services
                .second_factor()
                .login(&c.token, &code)
                .await
                .unwrap_or_else(|e| panic!("second step of {login}: {e}"))
        }
    }
}

fn unique(prefix: &str) -> String {
    format!("{prefix}{}", rand::random::<u32>())
}

/// A fresh 11-digit phone number.
pub fn phone() -> String {
    format!("139{:08}", rand::random::<u32>() % 100_000_000)
}

/// The content type (with its boundary) and body of a `multipart/form-data` request.
pub fn multipart_body(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = format!("kjyboundary{}", rand::random::<u64>());
    let mut body: Vec<u8> = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", p.name);
        if let Some(f) = &p.file_name {
            disposition.push_str(&format!("; filename=\"{f}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(ct) = &p.content_type {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&p.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

impl TestApp {
    /// A server on SQLite.
    pub async fn spawn() -> Self {
        Self::spawn_on(Backend::Sqlite).await
    }

    pub async fn spawn_on(backend: Backend) -> Self {
        let db = TestDatabase::create(backend).await;
        Self::spawn_with(db, |_| {}).await
    }

    /// A server on `db`, after `tweak` adjusts the configuration.
    pub async fn spawn_with(db: TestDatabase, tweak: impl FnOnce(&mut Config)) -> Self {
        let data_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let mut config = server_config(data_dir.path(), &db.url);
        tweak(&mut config);
        let sent = Arc::new(CapturingSender::default());
        let server = kejiyun::server::spawn_with_sender(&config, false, sent.clone())
            .await
            .unwrap_or_else(|e| panic!("server failed to start on {}: {e:#}", db.backend.name()));
        Self {
            server,
            db,
            sent,
            client: client(),
            data_dir,
            config,
        }
    }

    /// Stops the server and starts it again with the same configuration, database and data
    /// directory (a restart of `kejiyun serve`; it listens on a new port).
    pub async fn restart(self) -> Self {
        let Self {
            server,
            db,
            sent,
            client,
            data_dir,
            config,
        } = self;
        server.stop().await;
        let server = kejiyun::server::spawn_with_sender(&config, false, sent.clone())
            .await
            .unwrap_or_else(|e| panic!("server failed to restart: {e:#}"));
        Self {
            server,
            db,
            sent,
            client,
            data_dir,
            config,
        }
    }

    /// Stops the server and keeps everything else (database, data directory, the port's
    /// number) for [`StoppedApp::start_again`]: a server that goes away under a client that
    /// keeps its address (a browser page, a screen).
    pub async fn stop_server(self) -> StoppedApp {
        let Self {
            server,
            db,
            sent,
            client,
            data_dir,
            mut config,
        } = self;
        config.listen = server.addr.to_string();
        server.stop().await;
        StoppedApp {
            db,
            sent,
            client,
            data_dir,
            config,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    /// Stops the server and leaves its data directory and SQLite file on disk (the caller
    /// removes them), for a test that goes on from them in another process.
    pub async fn stop_keeping_files(self) {
        let Self {
            server,
            db,
            data_dir,
            ..
        } = self;
        server.stop().await;
        let _ = data_dir.keep();
        db.keep_files();
    }

    pub fn services(&self) -> &Services {
        &self.server.services
    }

    /// Sends a request with an optional bearer token and JSON body, using `client`.
    pub async fn send_with(
        &self,
        client: &Client,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Reply::read(req.send().await, path).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send_with(&client(), Method::GET, path, token, None)
            .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send_with(&client(), Method::POST, path, token, Some(body))
            .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send_with(&client(), Method::PUT, path, token, Some(body))
            .await
    }

    /// Sends raw bytes with a given content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let req = client()
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body);
        Reply::read(req.send().await, path).await
    }

    /// A page as the browser of `who` sees it (the session cookie is the login's token), or of
    /// a visitor; with `form`, that form is posted along with the CSRF token. The CSRF cookie is
    /// always [`CSRF`], so the pages' hidden `csrf_token` fields are too.
    pub async fn page(
        &self,
        who: Option<&TestUser>,
        form: Option<&[(&str, &str)]>,
        path: &str,
    ) -> (StatusCode, String) {
        let cookie = match who {
            Some(u) => format!("kjy_session={}; kjy_csrf={CSRF}", u.token),
            None => format!("kjy_csrf={CSRF}"),
        };
        let client = client();
        let req = match form {
            None => client.get(self.url(path)),
            Some(fields) => {
                let mut all: Vec<(&str, &str)> = vec![("csrf_token", CSRF)];
                all.extend_from_slice(fields);
                client.post(self.url(path)).form(&all)
            }
        };
        let reply = Reply::read(req.header("cookie", cookie).send().await, path).await;
        (reply.status, reply.text)
    }

    /// Asks for a registration code for `login` and returns the code "sent" (an empty string
    /// when none was: the login name is registered, and its owner got a reminder instead).
    pub async fn registration_code(&self, login: &str) -> String {
        let r = self
            .post(
                "/api/v1/auth/codes",
                None,
                json!({ "login": login, "purpose": "register" }),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::ACCEPTED,
            "code for {login}: {:?}",
            r.body
        );
        // The contact holds the address as the server normalised it (lower case).
        let to = if login.contains('@') {
            login.trim().to_lowercase()
        } else {
            login.to_owned()
        };
        self.sent
            .to(&to)
            .last()
            .filter(|m| m.subject.contains("注册验证码"))
            .and_then(|_| self.sent.last_code(&to))
            .unwrap_or_default()
    }

    /// Registers `login` through the API with a fresh registration code; the answer as sent.
    pub async fn register(&self, login: &str, body: serde_json::Value) -> Reply {
        let code = self.registration_code(login).await;
        let mut body = body;
        if let Some(fields) = body.as_object_mut() {
            fields.insert("login".into(), json!(login));
            fields.entry("code").or_insert(json!(code));
        }
        self.post("/api/v1/auth/register", None, body).await
    }

    /// Makes a user (home region optional) the way the operator's tools do — registration by
    /// code over HTTP has its own tests, and a code sent here would hold back the one a test
    /// asks for next (one a minute per login name) — and logs them in.
    pub async fn user(&self, name: &str, region: Option<&str>) -> TestUser {
        let login = phone();
        self.services()
            .accounts()
            .create_account(RegisterInput {
                login: login.clone(),
                password: PASSWORD.into(),
                display_name: name.into(),
                region: region.map(Into::into),
            })
            .await
            .unwrap_or_else(|e| panic!("register {name}: {e}"));
        self.login(&login).await
    }

    /// Tries to log in as `login` with `password`; the answer as sent.
    pub async fn try_login(&self, login: &str, password: &str) -> Reply {
        self.post(
            "/api/v1/auth/login",
            None,
            json!({ "login": login, "password": password }),
        )
        .await
    }

    /// Logs in as `login` with [`PASSWORD`]; an account that enrolled a second factor here
    /// (admins do) answers its challenge with the next unused code.
    pub async fn login(&self, login: &str) -> TestUser {
        let mut r = self.try_login(login, PASSWORD).await;
        if r.status == StatusCode::ACCEPTED {
            let challenge = r.body["challenge"].as_str().unwrap_or_default().to_owned();
            let code = second_factor_code(login).await;
            r = self
                .post(
                    "/api/v1/auth/login/second-factor",
                    None,
                    json!({ "challenge": challenge, "code": code }),
                )
                .await;
        }
        assert_eq!(r.status, StatusCode::OK, "login {login}: {:?}", r.body);
        TestUser {
            id: r.body["user"]["id"].as_i64().unwrap_or_default(),
            login: login.to_owned(),
            token: r.body["token"].as_str().unwrap_or_default().to_owned(),
        }
    }

    /// Creates an admin the way `kejiyun admin create` does, and logs them in.
    pub async fn admin(&self, role: &str, region: Option<&str>) -> TestUser {
        let login = format!("{}@admins.test", unique("admin"));
        self.services()
            .accounts()
            .create_admin(
                None,
                AdminSpec {
                    login: login.clone(),
                    password: Some(PASSWORD.into()),
                    display_name: Some(format!("{role} {}", region.unwrap_or("all"))),
                    role: role.into(),
                    region: region.map(Into::into),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("create admin: {e}"));
        // A fully working admin: enrolled in the second factor, the session having passed it.
        let admin = self.login(&login).await;
        self.enrol_second_factor(&admin).await;
        admin
    }

    /// Enrols `user` in the second factor through the API (start, then confirm with a code
    /// computed from the returned secret); their session passes it. The recovery codes.
    pub async fn enrol_second_factor(&self, user: &TestUser) -> Vec<String> {
        let r = self
            .post("/api/v1/me/second-factor", Some(&user.token), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "start: {:?}", r.body);
        let secret = r.body["secret"].as_str().unwrap_or_default();
        let secret = second_factor::secret_from_base32(secret)
            .unwrap_or_else(|e| panic!("the returned secret: {e}"));
        second_factor_secrets().insert(user.login.clone(), (secret, i64::MIN));
        let code = second_factor_code(&user.login).await;
        let r = self
            .post(
                "/api/v1/me/second-factor/confirm",
                Some(&user.token),
                json!({ "code": code }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "confirm: {:?}", r.body);
        r.body["recovery_codes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A user with a pending tech-worker application serving `region`; returns (user, id).
    pub async fn applicant(&self, name: &str, region: &str) -> (TestUser, i64) {
        let u = self.user(name, Some(region)).await;
        let r = self
            .post(
                "/api/v1/tech-workers",
                Some(&u.token),
                json!({
                    "field": "果树栽培",
                    "title": "农艺师",
                    "employer": "县农业农村局",
                    "expertise": ["柑橘", "黄龙病防治"],
                    "service_region": region,
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "apply: {:?}", r.body);
        let id = r.body["id"].as_i64().unwrap_or_default();
        (u, id)
    }

    /// A verified tech worker serving `region`: applies, and an admin of that region verifies.
    pub async fn tech_worker(&self, name: &str, region: &str) -> TestUser {
        let (u, id) = self.applicant(name, region).await;
        let admin = self.admin("region_admin", Some(region)).await;
        let r = self.verify_tech_worker(&admin, id).await;
        assert_eq!(r.status, StatusCode::OK, "verify {name}: {:?}", r.body);
        u
    }

    /// `admin` verifies the tech-worker application `id`; the answer as sent.
    pub async fn verify_tech_worker(&self, admin: &TestUser, id: i64) -> Reply {
        self.post(
            &format!("/api/v1/tech-workers/{id}/verify"),
            Some(&admin.token),
            json!({}),
        )
        .await
    }

    /// Asks `/readyz` and asserts that the server is not ready (503); the answer, for its
    /// reason.
    pub async fn assert_not_ready(&self) -> Reply {
        let ready = self.get("/readyz", None).await;
        assert_eq!(
            ready.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{:?}",
            ready.body
        );
        ready
    }

    /// Posts `multipart/form-data` built from `parts` (with an optional bearer token).
    pub async fn post_multipart(&self, path: &str, token: Option<&str>, parts: &[Part]) -> Reply {
        let (content_type, body) = multipart_body(parts);
        let mut req = client()
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        Reply::read(req.send().await, path).await
    }

    /// A page form posted as `multipart/form-data` (a form with files) by the browser of `who`:
    /// the CSRF token first, then `parts`, as [`TestApp::page`] does for url-encoded forms.
    pub async fn page_multipart(&self, who: &TestUser, path: &str, parts: &[Part]) -> Reply {
        let mut all = vec![Part::text("csrf_token", CSRF)];
        all.extend_from_slice(parts);
        let (content_type, body) = multipart_body(&all);
        let req = client()
            .post(self.url(path))
            .header("content-type", content_type)
            .header(
                "cookie",
                format!("kjy_session={}; kjy_csrf={CSRF}", who.token),
            )
            .body(body);
        Reply::read(req.send().await, path).await
    }

    /// GETs raw bytes (a download): status, headers and the body as sent.
    pub async fn get_bytes(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut req = client().get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("request {path}: {e}"));
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("body of {path}: {e}"));
        (status, headers, bytes.to_vec())
    }

    /// Stops the server and removes the test's database.
    pub async fn stop(self) {
        self.server.stop().await;
        self.db.cleanup().await;
    }
}

/// A [`TestApp`] whose server [`TestApp::stop_server`] stopped: its database and data
/// directory stay, and nothing listens on its port until [`StoppedApp::start_again`].
pub struct StoppedApp {
    pub db: TestDatabase,
    sent: Arc<CapturingSender>,
    client: Client,
    data_dir: tempfile::TempDir,
    /// Listens on the stopped server's address.
    config: Config,
}

impl StoppedApp {
    /// Starts the server again with the same configuration, database and data directory, on
    /// the same port (the listener sets `SO_REUSEADDR`, so connections of the stopped server
    /// still in `TIME_WAIT` do not hold the port). Retries for a few seconds in case
    /// something else grabbed the port in between.
    pub async fn start_again(self) -> TestApp {
        let Self {
            db,
            sent,
            client,
            data_dir,
            config,
        } = self;
        let mut last = None;
        for _ in 0..50 {
            match kejiyun::server::spawn_with_sender(&config, false, sent.clone()).await {
                Ok(server) => {
                    return TestApp {
                        server,
                        db,
                        sent,
                        client,
                        data_dir,
                        config,
                    };
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
        panic!(
            "server failed to start again on {}: {last:#?}",
            config.listen
        )
    }

    /// Removes the test's database (the server is not started again).
    pub async fn cleanup(self) {
        self.db.cleanup().await;
    }
}
