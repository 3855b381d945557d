//! Per-address throttle of the forms an attacker hammers without an account: login (by
//! password or one-time code, and the password reset, which also guesses a code),
//! registration, and requests for a one-time code, on the API and the pages alike. The login lockout (per login name, in the
//! database) stops guessing one account; this stops one address from trying many accounts or
//! creating them in bulk. Limits are per server process, kept in memory.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::ApiError;
use crate::session::Ctx;

/// A rate with a burst: `burst` requests at once, then one every `60 / per_minute` seconds.
/// `per_minute = 0` turns the limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

/// The throttle's settings (from the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleConfig {
    pub login: Rate,
    pub register: Rate,
    /// Requests for a one-time code (each may send an SMS).
    pub code: Rate,
    /// Take the client address from the last `X-Forwarded-For` entry (the one the reverse
    /// proxy in front of the server appended). Only behind such a proxy: otherwise a client
    /// could name any address it likes.
    pub trust_forwarded_for: bool,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            login: Rate {
                per_minute: 30,
                burst: 10,
            },
            register: Rate {
                per_minute: 10,
                burst: 5,
            },
            code: Rate {
                per_minute: 10,
                burst: 5,
            },
            trust_forwarded_for: false,
        }
    }
}

/// What is throttled, each with its own budget per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Login,
    Register,
    Code,
}

impl Action {
    /// The throttled action of a request, if any: `POST` of the login, registration and
    /// one-time code forms and their API routes. Entering a code (to log in or reset the
    /// password) is a login: it guesses a secret.
    pub fn of(method: &Method, path: &str) -> Option<Self> {
        if method != Method::POST {
            return None;
        }
        match path {
            "/login"
            | "/api/v1/auth/login"
            | "/login/code"
            | "/api/v1/auth/code-login"
            | "/login/second-factor"
            | "/api/v1/auth/login/second-factor"
            | "/forgot-password/reset"
            | "/api/v1/auth/password-reset" => Some(Self::Login),
            "/register" | "/api/v1/auth/register" => Some(Self::Register),
            "/login/code/send" | "/forgot-password" | "/register/code" | "/api/v1/auth/codes" => {
                Some(Self::Code)
            }
            _ => None,
        }
    }
}

/// The generic cell rate algorithm: one instant per key (when its budget is full again, the
/// "theoretical arrival time"), no floating point. Returns the new instant, or how long to wait.
pub fn admit(tat: Option<Instant>, rate: Rate, now: Instant) -> Result<Instant, Duration> {
    let per_minute = u64::from(rate.per_minute.max(1));
    let interval = Duration::from_micros(60_000_000 / per_minute);
    let tolerance = interval * rate.burst.max(1).saturating_sub(1);
    let tat = tat.filter(|t| *t > now).unwrap_or(now);
    let ahead = tat - now;
    if ahead > tolerance {
        return Err(ahead - tolerance);
    }
    Ok(tat + interval)
}

/// Whole seconds to announce in `Retry-After` (at least one).
pub fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// The address a limit applies to: IPv6 clients by their /64 (one subscriber's network), and
/// IPv4-mapped IPv6 as the IPv4 address.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The client's address: the peer's, or with `trust_forwarded_for` the last valid entry of
/// `X-Forwarded-For` (a client can only prepend to it; the proxy appends what it saw).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trust_forwarded_for: bool) -> IpAddr {
    if !trust_forwarded_for {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .next_back()
        .unwrap_or(peer)
}

/// The buckets of one server process.
#[derive(Debug)]
pub struct Throttle {
    config: ThrottleConfig,
    state: Mutex<Buckets>,
}

#[derive(Debug, Default)]
struct Buckets {
    tat: HashMap<(Action, IpAddr), Instant>,
    /// Full buckets are forgotten when the map reaches this size (then twice what is left),
    /// so the sweep costs O(1) a request however many addresses come by.
    sweep_at: usize,
}

const MIN_SWEEP: usize = 4096;

impl Throttle {
    pub fn new(config: ThrottleConfig) -> Self {
        Self {
            config,
            state: Mutex::new(Buckets {
                tat: HashMap::new(),
                sweep_at: MIN_SWEEP,
            }),
        }
    }

    pub fn config(&self) -> ThrottleConfig {
        self.config
    }

    /// Takes one request of `action` from `ip`'s budget, or says how long to wait.
    pub fn check(&self, action: Action, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let rate = match action {
            Action::Login => self.config.login,
            Action::Register => self.config.register,
            Action::Code => self.config.code,
        };
        if rate.per_minute == 0 {
            return Ok(());
        }
        let key = (action, client_key(ip));
        let mut b = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let next = admit(b.tat.get(&key).copied(), rate, now)?;
        b.tat.insert(key, next);
        if b.tat.len() >= b.sweep_at {
            b.tat.retain(|_, tat| *tat > now);
            b.sweep_at = (b.tat.len() * 2).max(MIN_SWEEP);
        }
        Ok(())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .tat
            .len()
    }
}

/// The message of a throttled request.
pub fn message(wait_secs: u64) -> String {
    format!("操作过于频繁，请 {wait_secs} 秒后再试")
}

/// Middleware: refuses a throttled request over its address's budget with 429, `Retry-After`
/// and a Chinese message (the API's error shape, or the error page). Without the peer's
/// address (a router served without connect info) nothing is throttled.
pub async fn limit(State(state): State<AppState>, ctx: Ctx, req: Request, next: Next) -> Response {
    let Some(action) = Action::of(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let Some(peer) = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return next.run(req).await;
    };
    let throttle = &state.throttle;
    let ip = client_ip(peer, req.headers(), throttle.config().trust_forwarded_for);
    let Err(wait) = throttle.check(action, ip, Instant::now()) else {
        return next.run(req).await;
    };
    let secs = retry_after_secs(wait);
    tracing::warn!(%ip, ?action, retry_after = secs, "throttled");
    let resp = if ctx.path.starts_with("/api/") {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            message(secs),
        )
        .into_response()
    } else {
        crate::pages::status_page(
            &state,
            &ctx,
            StatusCode::TOO_MANY_REQUESTS,
            Some(message(secs)),
        )
    };
    crate::error::with_retry_after(resp, Some(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const LOGIN: Rate = Rate {
        per_minute: 30,
        burst: 10,
    };

    #[test]
    fn a_burst_then_one_every_interval() {
        let t0 = Instant::now();
        let mut tat = None;
        for i in 0..10 {
            tat = Some(admit(tat, LOGIN, t0).unwrap_or_else(|w| panic!("{i}: wait {w:?}")));
        }
        // The 11th at once waits one interval (2 s at 30 a minute).
        assert_eq!(admit(tat, LOGIN, t0), Err(Duration::from_secs(2)));
        // After half an interval: one second left.
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(admit(tat, LOGIN, t1), Err(Duration::from_secs(1)));
        // After one interval: exactly one more.
        let t2 = t0 + Duration::from_secs(2);
        let tat = Some(admit(tat, LOGIN, t2).unwrap_or_else(|w| panic!("wait {w:?}")));
        assert!(admit(tat, LOGIN, t2).is_err());
        // A long pause fills the budget again, never beyond the burst.
        let later = t0 + Duration::from_secs(3600);
        let mut tat2 = tat;
        for _ in 0..10 {
            tat2 = Some(admit(tat2, LOGIN, later).unwrap_or_else(|w| panic!("wait {w:?}")));
        }
        assert!(admit(tat2, LOGIN, later).is_err());
    }

    #[test]
    fn burst_of_one_is_a_plain_rate() {
        let r = Rate {
            per_minute: 60,
            burst: 1,
        };
        let t0 = Instant::now();
        let tat = admit(None, r, t0).ok();
        assert_eq!(admit(tat, r, t0), Err(Duration::from_secs(1)));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(2001)), 3);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }

    #[test]
    fn only_the_posts_of_login_and_register() {
        assert_eq!(
            Action::of(&Method::POST, "/api/v1/auth/login"),
            Some(Action::Login)
        );
        assert_eq!(Action::of(&Method::POST, "/login"), Some(Action::Login));
        assert_eq!(
            Action::of(&Method::POST, "/register"),
            Some(Action::Register)
        );
        assert_eq!(Action::of(&Method::GET, "/login"), None);
        assert_eq!(Action::of(&Method::POST, "/api/v1/auth/logout"), None);
        for code in ["/api/v1/auth/codes", "/forgot-password", "/login/code/send"] {
            assert_eq!(
                Action::of(&Method::POST, code),
                Some(Action::Code),
                "{code}"
            );
        }
        for entry in [
            "/api/v1/auth/code-login",
            "/login/code",
            "/api/v1/auth/password-reset",
            "/forgot-password/reset",
        ] {
            assert_eq!(
                Action::of(&Method::POST, entry),
                Some(Action::Login),
                "{entry}"
            );
        }
        assert_eq!(Action::of(&Method::GET, "/forgot-password"), None);
    }

    #[test]
    fn addresses_are_keyed_by_ipv4_or_ipv6_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let b: IpAddr = "2001:db8:1:2:bbbb::9"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        let mapped: IpAddr = "::ffff:10.0.0.7".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(client_key(mapped), IpAddr::from([10, 0, 0, 7]));
    }

    #[test]
    fn forwarded_for_only_when_trusted_and_only_its_last_entry() {
        let peer = IpAddr::from([127, 0, 0, 1]);
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.9"),
        );
        assert_eq!(client_ip(peer, &h, false), peer);
        assert_eq!(client_ip(peer, &h, true), IpAddr::from([203, 0, 113, 9]));
        h.insert("x-forwarded-for", HeaderValue::from_static("garbage"));
        assert_eq!(client_ip(peer, &h, true), peer);
    }

    #[test]
    fn addresses_and_actions_have_their_own_budgets() {
        let t = Throttle::new(ThrottleConfig {
            login: Rate {
                per_minute: 1,
                burst: 1,
            },
            register: Rate {
                per_minute: 1,
                burst: 1,
            },
            code: Rate {
                per_minute: 1,
                burst: 1,
            },
            trust_forwarded_for: false,
        });
        let now = Instant::now();
        let (x, y) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        assert!(t.check(Action::Login, x, now).is_ok());
        assert!(t.check(Action::Login, x, now).is_err());
        assert!(t.check(Action::Register, x, now).is_ok());
        assert!(t.check(Action::Code, x, now).is_ok());
        assert!(t.check(Action::Code, x, now).is_err());
        assert!(t.check(Action::Login, y, now).is_ok());
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let t = Throttle::new(ThrottleConfig {
            login: Rate {
                per_minute: 0,
                burst: 1,
            },
            ..ThrottleConfig::default()
        });
        let now = Instant::now();
        for _ in 0..100 {
            assert!(
                t.check(Action::Login, IpAddr::from([10, 0, 0, 1]), now)
                    .is_ok()
            );
        }
    }

    #[test]
    fn full_buckets_are_forgotten() {
        let t = Throttle::new(ThrottleConfig::default());
        let now = Instant::now();
        for i in 0..(MIN_SWEEP as u32 - 1) {
            let ip = IpAddr::from(i.to_be_bytes());
            assert!(t.check(Action::Login, ip, now).is_ok());
        }
        assert_eq!(t.len(), MIN_SWEEP - 1);
        // Much later every bucket is full again: the next request sweeps them away.
        let later = now + Duration::from_secs(3600);
        assert!(
            t.check(Action::Login, IpAddr::from([192, 0, 2, 1]), later)
                .is_ok()
        );
        assert_eq!(t.len(), 1);
    }
}
