//! Configuration: defaults, then a TOML file, then `KEJIYUN_*` environment variables, then
//! command-line flags (highest). `kejiyun config default` prints [`DEFAULT_TOML`].

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: String,
    /// Where the embedded SQLite database (and later uploads and the search index) live.
    pub data_dir: PathBuf,
    /// `sqlite://…`, `postgres://…` or `mysql://…`; empty: SQLite in `data_dir`.
    pub database_url: String,
    /// The deployment's root region (six-digit GB/T 2260 code).
    pub root_region: String,
    /// Largest request body accepted by the JSON API and forms, in bytes.
    pub body_limit_bytes: usize,
    /// Largest uploaded file, in bytes (used by modules that accept uploads).
    pub upload_limit_bytes: usize,
    pub request_timeout_secs: u64,
    /// How long a login session lasts at most, in minutes (absolute timeout; at least 1).
    pub session_absolute_minutes: u64,
    /// A session unused this many minutes ends (idle timeout); 0: no idle timeout.
    pub session_idle_minutes: u64,
    /// The idle timeout of administrators' sessions (system and region admins), in minutes;
    /// 0: the same as everyone's.
    pub admin_session_idle_minutes: u64,
    /// `required`: administrators act as ordinary users until their session passes a second
    /// factor (动态口令, 等保 level 3); `optional`. `serve --demo` runs with `optional`.
    pub admin_second_factor: String,
    /// Mark cookies `Secure` (enable behind HTTPS).
    pub secure_cookies: bool,
    /// Failed logins per login name within the window that lock it.
    pub lockout_max_failures: u32,
    pub lockout_window_minutes: u32,
    /// The first lock of a login name, in minutes; each next lock (until a success) doubles.
    pub lockout_minutes: u32,
    /// The longest lock, in minutes.
    pub lockout_max_minutes: u32,
    /// An administrator's password expires after this many days (0: never); until changed
    /// they act as an ordinary user.
    pub admin_password_max_age_days: u32,
    /// None of the last this many passwords may be set again (0: no history; at most 24).
    pub password_history: u32,
    /// Login requests (API and form) per client address: this many a minute after a burst of
    /// `login_burst`; 0 turns the limit off.
    pub login_rate_per_minute: u32,
    pub login_burst: u32,
    /// Registrations per client address, likewise.
    pub register_rate_per_minute: u32,
    pub register_burst: u32,
    /// Requests for a one-time code (验证码) per client address, likewise. Each login name is
    /// also sent at most one code a minute, five an hour and ten a day.
    pub code_rate_per_minute: u32,
    pub code_burst: u32,
    /// How long a one-time code (password reset, login by code) can be used, in seconds.
    pub one_time_code_ttl_secs: u32,
    /// Wrong entries after which a one-time code is void.
    pub one_time_code_max_attempts: u32,
    /// Count the client address from the last `X-Forwarded-For` entry. Only behind a reverse
    /// proxy that sets it: otherwise clients choose their own address.
    pub trust_forwarded_for: bool,
    /// Extra banned words (敏感词), added to the built-in list.
    pub banned_words: Vec<String>,
    /// A published posting (service, need, achievement) closes as expired unless its owner
    /// confirms it within this many days.
    pub posting_ttl_days: i64,
    /// Experts a published question is routed to in each circle (county, city, province).
    pub question_invitations: usize,
    /// Hours after which a question nobody answered is routed to the next, wider circle.
    pub question_widen_hours: i64,
    /// Hours after which an unanswered question is listed for the region's admins.
    pub question_unanswered_hours: i64,
    /// How often the search index looks for new outbox rows, in milliseconds.
    pub search_poll_ms: u64,
    /// Days an outbox row is kept after its change; older rows are pruned every hour. A
    /// server whose index is further behind than this rebuilds its index at start.
    pub outbox_retention_days: i64,
    /// Days an audit entry is kept before `kejiyun audit prune` may delete it (等保 level 3: at
    /// least 180; less is refused).
    pub audit_retention_days: i64,
    /// `json` (one JSON object per line, for machines) or `pretty` (for a terminal).
    pub log_format: String,
    /// Waiting for a database connection (opening one, checking it is alive) before a
    /// request fails with 503, in milliseconds.
    pub database_acquire_timeout_ms: u64,
    /// Longest statement (PostgreSQL) or lock wait (MySQL/MariaDB), in milliseconds.
    pub database_statement_timeout_ms: u64,
    /// After a stop signal: how long the server keeps answering (with `/readyz` saying
    /// "draining") before it stops accepting connections, in milliseconds.
    pub shutdown_drain_ms: u64,
    /// Match by meaning as well as by words (sentence embeddings of every published record,
    /// computed in the background). Needs the model file; without it matching is by words.
    pub semantic_matching: bool,
    /// The embedding model file (`scripts/fetch-model`). Empty: `KEJIYUN_EMBED_MODEL`, else
    /// `<data_dir>/models/e5-small-q4.bin`, else `./models/e5-small-q4.bin`.
    pub embedding_model: String,
    /// The CJK font certificates are set in (`scripts/fetch-font`). Empty:
    /// `KEJIYUN_CERTIFICATE_FONT`, else `<data_dir>/models/NotoSansSC-Regular.ttf`, else
    /// `./models/NotoSansSC-Regular.ttf`.
    pub certificate_font: String,
    /// The address people reach the platform at (`https://kjy.example.cn`), printed in the QR
    /// codes of certificates. Empty: the scheme and host the download request came to.
    pub public_url: String,
    /// Count views of popular-science resources (浏览量: in memory, written once a second).
    /// Off: the resource page and API count nothing and the counts stay as they are.
    pub count_views: bool,
    /// The upload engine's limits (`[uploads]`).
    pub uploads: UploadsConfig,
}

/// `[uploads]`: the largest file of each kind, and how large a decoded image may be. Files
/// are kept in `<data_dir>/uploads`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadsConfig {
    pub image_max_mb: usize,
    pub pdf_max_mb: usize,
    pub video_max_mb: usize,
    pub audio_max_mb: usize,
    pub document_max_mb: usize,
    /// Largest width or height of an image, in pixels.
    pub image_max_side: u32,
    /// Largest width × height of an image, in megapixels.
    pub image_max_megapixels: u64,
    /// The thumbnail's longer side, in pixels.
    pub thumbnail_px: u32,
}

impl Default for UploadsConfig {
    fn default() -> Self {
        let p = kejiyun_core::uploads::UploadPolicy::default();
        const MB: usize = 1024 * 1024;
        Self {
            image_max_mb: p.image_max_bytes / MB,
            pdf_max_mb: p.pdf_max_bytes / MB,
            video_max_mb: p.video_max_bytes / MB,
            audio_max_mb: p.audio_max_bytes / MB,
            document_max_mb: p.document_max_bytes / MB,
            image_max_side: p.image_max_side,
            image_max_megapixels: p.image_max_pixels / 1_000_000,
            thumbnail_px: p.thumbnail_px,
        }
    }
}

impl UploadsConfig {
    pub fn policy(&self) -> kejiyun_core::uploads::UploadPolicy {
        let mb = |n: usize| n.max(1).saturating_mul(1024 * 1024);
        kejiyun_core::uploads::UploadPolicy {
            image_max_bytes: mb(self.image_max_mb),
            pdf_max_bytes: mb(self.pdf_max_mb),
            video_max_bytes: mb(self.video_max_mb),
            audio_max_bytes: mb(self.audio_max_mb),
            document_max_bytes: mb(self.document_max_mb),
            image_max_side: self.image_max_side.max(1),
            image_max_pixels: self.image_max_megapixels.max(1).saturating_mul(1_000_000),
            thumbnail_px: self.thumbnail_px.clamp(16, 2048),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: String::new(),
            root_region: "510000".into(),
            body_limit_bytes: 1024 * 1024,
            upload_limit_bytes: 10 * 1024 * 1024,
            request_timeout_secs: 30,
            session_absolute_minutes: 7 * 24 * 60,
            session_idle_minutes: 0,
            admin_session_idle_minutes: 30,
            admin_second_factor: "required".into(),
            secure_cookies: false,
            lockout_max_failures: 5,
            lockout_window_minutes: 15,
            lockout_minutes: 15,
            lockout_max_minutes: 24 * 60,
            admin_password_max_age_days: 90,
            password_history: 5,
            login_rate_per_minute: 30,
            login_burst: 10,
            register_rate_per_minute: 10,
            register_burst: 5,
            code_rate_per_minute: 10,
            code_burst: 5,
            one_time_code_ttl_secs: 600,
            one_time_code_max_attempts: 5,
            trust_forwarded_for: false,
            banned_words: Vec::new(),
            posting_ttl_days: 90,
            question_invitations: 5,
            question_widen_hours: 24,
            question_unanswered_hours: 48,
            search_poll_ms: 200,
            outbox_retention_days: 30,
            audit_retention_days: 180,
            log_format: "json".into(),
            database_acquire_timeout_ms: 3_000,
            database_statement_timeout_ms: 30_000,
            shutdown_drain_ms: 1_000,
            semantic_matching: true,
            embedding_model: String::new(),
            certificate_font: String::new(),
            public_url: String::new(),
            count_views: true,
            uploads: UploadsConfig::default(),
        }
    }
}

/// The commented default configuration file.
pub const DEFAULT_TOML: &str = r#"# Kejiyun configuration. Every key can also be set as an environment variable
# KEJIYUN_<KEY> (e.g. KEJIYUN_DATABASE_URL), and `kejiyun serve --listen/--data-dir/
# --database-url` override both.

# Address the HTTP server listens on.
listen = "127.0.0.1:8080"

# Where the embedded SQLite database (and later uploads and the search index) live.
data_dir = "./data"

# sqlite://PATH, postgres://USER:PASSWORD@HOST:PORT/DB or mysql://USER:PASSWORD@HOST:PORT/DB.
# Empty: SQLite at <data_dir>/kejiyun.db.
database_url = ""

# The deployment's root region, a six-digit GB/T 2260 code (510000 = 四川省).
root_region = "510000"

# Largest request body (JSON API and forms), in bytes.
body_limit_bytes = 1048576

# Largest uploaded file (deal evidence), in bytes. Files are stored in the database: on
# MySQL/MariaDB keep max_allowed_packet above this (MariaDB's default is 16 MiB).
upload_limit_bytes = 10485760

# Seconds before a request is abandoned with 503.
request_timeout_secs = 30

# How long a login session lasts at most, in minutes (7 days; at least 1).
session_absolute_minutes = 10080

# A session unused for this many minutes ends (0: no idle timeout). Administrators' sessions
# (system and region admins) end after admin_session_idle_minutes (等保 level 3: 30).
session_idle_minutes = 0
admin_session_idle_minutes = 30

# "required": administrators (system and region admins) must pass a second factor (动态口令:
# an authenticator app's TOTP code, or a recovery code) after their password; until their
# session has, they act as ordinary users (等保 level 3, 身份鉴别). "optional": anyone may turn
# it on. `kejiyun serve --demo` runs with "optional" (its accounts are public).
admin_second_factor = "required"

# Mark cookies Secure; enable when served over HTTPS.
secure_cookies = false

# Login throttling: this many failures for one login name within the window lock it.
lockout_max_failures = 5
lockout_window_minutes = 15
# The first lock lasts lockout_minutes; each next lock of the same name (until a successful
# login or a password reset) twice as long, up to lockout_max_minutes (24 hours).
lockout_minutes = 15
lockout_max_minutes = 1440

# Administrators' passwords expire after this many days (0: never); until changed, the
# administrator acts as an ordinary user. None of the last password_history passwords
# (everyone's; at most 24) may be set again.
admin_password_max_age_days = 90
password_history = 5

# Per client address: login attempts (API and form) a minute after a burst, and likewise
# registrations. Over the limit the answer is 429 with Retry-After. 0 turns a limit off.
login_rate_per_minute = 30
login_burst = 10
register_rate_per_minute = 10
register_burst = 5

# Per client address: requests for a one-time code (验证码: password reset, login by code),
# likewise. Each login name is also sent at most one code a minute, five an hour, ten a day.
code_rate_per_minute = 10
code_burst = 5

# A one-time code can be used for this many seconds, once; this many wrong entries void it.
# Codes go out through the message sender (log-only by default: the log shows the subject,
# never the code).
one_time_code_ttl_secs = 600
one_time_code_max_attempts = 5

# Behind a reverse proxy, take the client address from the last X-Forwarded-For entry (the
# one the proxy appended). Leave off when clients reach the server directly: they could
# name any address.
trust_forwarded_for = false

# Extra banned words (敏感词) on top of the built-in list.
banned_words = []

# Days a published posting stays up before it closes as expired, unless its owner confirms
# it is still current (each confirmation starts the interval again).
posting_ttl_days = 90

# Expert Q&A (专家问诊): a published question is routed to this many of the best-matching
# verified tech workers of its county; if nobody answers within question_widen_hours, to those
# of its city, then of its province. Admins see questions unanswered for longer than
# question_unanswered_hours.
question_invitations = 5
question_widen_hours = 24
question_unanswered_hours = 48

# How often each server's search index looks for changes in the database (milliseconds): a
# posting is searchable this long after it is published, on every server sharing the database.
# The index itself lives in <data_dir>/search-index; `kejiyun reindex` rebuilds it.
search_poll_ms = 200

# Days the change log behind the search index (the outbox) keeps a change; older entries are
# deleted every hour. A server stopped for longer than this rebuilds its index when it starts.
outbox_retention_days = 30

# Days the audit log keeps an entry; `kejiyun audit prune` deletes older ones (oldest first,
# keeping the rest verifiable with `kejiyun audit verify`). At least 180 (等保 level 3: six
# months); a smaller value is refused.
audit_retention_days = 180

# "json" (one object per line, with the request id) or "pretty".
log_format = "json"

# How long a request waits for a database connection (opening one and checking it answers)
# before it fails with 503 "数据库暂时无法访问" (milliseconds). /readyz waits at most 1 s.
database_acquire_timeout_ms = 3000

# Longest statement on PostgreSQL (statement_timeout) and longest lock wait on MySQL/MariaDB
# (innodb_lock_wait_timeout, whole seconds), in milliseconds.
database_statement_timeout_ms = 30000

# After SIGTERM/Ctrl-C the server keeps answering this long, /readyz saying "draining" so a
# load balancer stops sending, then stops accepting and finishes the requests in flight.
shutdown_drain_ms = 1000

# Match needs and services by meaning as well as by words: every published record gets a
# sentence embedding (multilingual-e5-small, computed in the background, kept in the
# database). Needs the model file, fetched once with scripts/fetch-model; without it matching
# is by words only (and the log says so).
semantic_matching = true

# The model file. Empty: $KEJIYUN_EMBED_MODEL, else <data_dir>/models/e5-small-q4.bin, else
# ./models/e5-small-q4.bin (where scripts/fetch-model puts it in a checkout).
embedding_model = ""

# The CJK font certificates (PDF) are set in: Noto Sans SC, fetched once with
# scripts/fetch-font. Empty: $KEJIYUN_CERTIFICATE_FONT, else
# <data_dir>/models/NotoSansSC-Regular.ttf, else ./models/NotoSansSC-Regular.ttf.
certificate_font = ""

# The address people reach the platform at (e.g. "https://kjy.example.cn"), printed in the QR
# code of every certificate so that a phone can open its verify page. Empty: the scheme and
# host the download request came to.
public_url = ""

# Count views of popular-science resources (浏览量): once per visitor (the signed-in user, else
# a salted hash of address and user agent) per resource and 30 minutes, in memory, written to
# the database once a second. false: nothing is counted and the counts stay as they are.
count_views = true
# The upload engine (photos of questions and answers now; other modules' files later). The
# kind of a file is decided by its content; images are decoded and re-encoded (no EXIF, no
# appended data) with a thumbnail. Files live in <data_dir>/uploads, named by a random id.
[uploads]
# Largest file of each kind, in MB.
image_max_mb = 10
pdf_max_mb = 20
video_max_mb = 200
audio_max_mb = 50
document_max_mb = 20
# Largest image: each side in pixels, and width x height in megapixels (larger ones, such
# as decompression bombs, are refused before decoding).
image_max_side = 12000
image_max_megapixels = 50
# The thumbnail's longer side, in pixels.
thumbnail_px = 320
"#;

/// Values given on the command line; `None` leaves the configured value.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

impl Config {
    /// Defaults ← file (if given or `./kejiyun.toml` exists) ← `KEJIYUN_*` ← flags.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, Box<figment::Error>> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(f) => fig = fig.merge(Toml::file_exact(f)),
            None => {
                if Path::new("kejiyun.toml").exists() {
                    fig = fig.merge(Toml::file_exact("kejiyun.toml"));
                }
            }
        }
        fig = fig.merge(Env::prefixed("KEJIYUN_").only(&[
            "listen",
            "data_dir",
            "database_url",
            "root_region",
            "body_limit_bytes",
            "upload_limit_bytes",
            "request_timeout_secs",
            "session_absolute_minutes",
            "session_idle_minutes",
            "admin_session_idle_minutes",
            "search_poll_ms",
            "outbox_retention_days",
            "audit_retention_days",
            "secure_cookies",
            "lockout_max_failures",
            "lockout_window_minutes",
            "lockout_minutes",
            "lockout_max_minutes",
            "admin_password_max_age_days",
            "password_history",
            "login_rate_per_minute",
            "login_burst",
            "register_rate_per_minute",
            "register_burst",
            "code_rate_per_minute",
            "code_burst",
            "one_time_code_ttl_secs",
            "one_time_code_max_attempts",
            "trust_forwarded_for",
            "posting_ttl_days",
            "question_invitations",
            "question_widen_hours",
            "question_unanswered_hours",
            "log_format",
            "count_views",
        ]));
        if fig.find_value("session_ttl_hours").is_ok() {
            return Err(Box::new(figment::Error::from(
                "session_ttl_hours 已改为 session_absolute_minutes（单位：分钟），另有 session_idle_minutes 与 admin_session_idle_minutes：请改写配置".to_owned(),
            )));
        }
        let mut config: Config = fig.extract().map_err(Box::new)?;
        config.apply(overrides);
        if config.session_absolute_minutes == 0 {
            return Err(Box::new(figment::Error::from(
                "session_absolute_minutes 至少为 1（分钟）".to_owned(),
            )));
        }
        if config.audit_retention_days < kejiyun_core::app::MIN_AUDIT_RETENTION_DAYS {
            return Err(Box::new(figment::Error::from(format!(
                "audit_retention_days 至少为 {} 天（等保三级：审计记录保留不少于六个月）",
                kejiyun_core::app::MIN_AUDIT_RETENTION_DAYS
            ))));
        }
        Ok(config)
    }

    pub fn apply(&mut self, o: &Overrides) {
        if let Some(l) = &o.listen {
            self.listen = l.clone();
        }
        if let Some(d) = &o.data_dir {
            self.data_dir = d.clone();
        }
        if let Some(u) = &o.database_url {
            self.database_url = u.clone();
        }
    }

    /// The database URL in force: the configured one, or SQLite in the data directory.
    pub fn database_timeouts(&self) -> kejiyun_db::DbTimeouts {
        kejiyun_db::DbTimeouts {
            acquire: std::time::Duration::from_millis(self.database_acquire_timeout_ms.max(100)),
            statement: std::time::Duration::from_millis(
                self.database_statement_timeout_ms.max(1_000),
            ),
        }
    }

    pub fn effective_database_url(&self) -> String {
        if self.database_url.trim().is_empty() {
            format!("sqlite://{}/kejiyun.db?mode=rwc", self.data_dir.display())
        } else {
            self.database_url.trim().to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_file_matches_defaults() {
        let parsed: Config = toml::from_str(DEFAULT_TOML).expect("default file parses");
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn overrides_win_and_sqlite_is_default() {
        let mut c = Config::default();
        c.apply(&Overrides {
            listen: Some("127.0.0.1:9".into()),
            data_dir: Some("/tmp/k".into()),
            database_url: None,
        });
        assert_eq!(c.listen, "127.0.0.1:9");
        assert_eq!(
            c.effective_database_url(),
            "sqlite:///tmp/k/kejiyun.db?mode=rwc"
        );
    }

    #[test]
    fn session_limits_are_minutes_and_never_silently_changed() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let load = |text: &str| {
            let path = dir.path().join("kejiyun.toml");
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
            Config::load(Some(&path), &Overrides::default()).map_err(|e| e.to_string())
        };
        let c = load("session_absolute_minutes = 480\nadmin_session_idle_minutes = 15\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (c.session_absolute_minutes, c.admin_session_idle_minutes),
            (480, 15)
        );
        let zero = load("session_absolute_minutes = 0\n")
            .err()
            .unwrap_or_default();
        assert!(zero.contains("session_absolute_minutes"), "{zero}");
        let old = load("session_ttl_hours = 0\n").err().unwrap_or_default();
        assert!(old.contains("session_absolute_minutes"), "{old}");
        let short = load("audit_retention_days = 179\n")
            .err()
            .unwrap_or_default();
        assert!(short.contains("audit_retention_days"), "{short}");
        let kept = load("audit_retention_days = 365\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept.audit_retention_days, 365);
    }
}
