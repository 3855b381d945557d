//! Session and API tokens, the login lockout rule, and one-time codes.

pub mod lockout;
pub mod one_time_codes;
pub mod ports;
pub mod second_factor;

pub use lockout::{LockoutPolicy, LoginAttempts};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::ids::{TokenId, UserId};
use crate::time::Timestamp;

/// Sessions (browser cookie) and API tokens (integrations) share one mechanism: a random
/// secret shown once, stored only as its SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Session,
    Api,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Api => "api",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "session" => Some(Self::Session),
            "api" => Some(Self::Api),
            _ => None,
        }
    }
}

/// A fresh secret (`kjy_…`, 256 bits) and the hash to store.
pub fn new_token_secret() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("kjy_{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_token(&secret);
    (secret, hash)
}

pub fn hash_token(secret: &str) -> String {
    hash_token_bytes(secret.as_bytes())
}

/// SHA-256 of any bytes, hex.
pub fn hash_token_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A random value for the double-submit CSRF cookie.
pub fn new_csrf_value() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[derive(Debug, Clone)]
pub struct NewToken {
    pub user_id: UserId,
    pub kind: TokenKind,
    pub name: String,
    pub token_hash: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    /// The session passed a second factor; an API token, that it was issued by an actor who
    /// held admin rights then (see `second_factor::restrict`).
    pub second_factor: bool,
}

#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub id: TokenId,
    pub user_id: UserId,
    pub kind: TokenKind,
    pub name: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    /// As stored: see [`NewToken::second_factor`].
    pub second_factor: bool,
    /// Set by `authenticate`: the caller's admin grants were withheld, as the policy requires
    /// a second factor this session has not passed.
    pub needs_second_factor: bool,
}

/// How long sessions last: an absolute limit from login, and an idle limit since the last use
/// (stricter for administrators, 等保 level 3). API tokens have neither: they live until
/// revoked or their own expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub absolute_secs: i64,
    /// 0: no idle limit.
    pub idle_secs: i64,
    /// For system and region admins; 0: the same as everyone's.
    pub admin_idle_secs: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            absolute_secs: 7 * 24 * 3600,
            idle_secs: 0,
            admin_idle_secs: 30 * 60,
        }
    }
}

/// How often a token's `last_used_at` is written (the store's touch): an idle limit is judged
/// to within this.
pub const LAST_USE_PRECISION_SECS: i64 = 60;

impl SessionPolicy {
    /// Whether the session `token` of an `admin` (or not) has been idle too long at `now`.
    pub fn idle_expired(&self, token: &TokenInfo, admin: bool, now: Timestamp) -> bool {
        if token.kind != TokenKind::Session {
            return false;
        }
        let limit = if admin && self.admin_idle_secs > 0 {
            self.admin_idle_secs
        } else {
            self.idle_secs
        };
        if limit <= 0 {
            return false;
        }
        let last = token.last_used_at.unwrap_or(token.created_at);
        now.micros() - last.micros() > (limit + LAST_USE_PRECISION_SECS) * 1_000_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_end_after_their_idle_limit_admins_sooner() {
        let p = SessionPolicy {
            absolute_secs: 86_400,
            idle_secs: 0,
            admin_idle_secs: 30 * 60,
        };
        let t0 = Timestamp::from_micros(1_000_000_000_000);
        let session = TokenInfo {
            id: TokenId(1),
            user_id: UserId(1),
            kind: TokenKind::Session,
            name: String::new(),
            created_at: t0,
            expires_at: None,
            last_used_at: Some(t0.plus_seconds(60)),
            second_factor: false,
            needs_second_factor: false,
        };
        let at = |m: i64| t0.plus_seconds(60 + m * 60);
        assert!(!p.idle_expired(&session, true, at(30)));
        assert!(p.idle_expired(&session, true, at(32)));
        assert!(
            !p.idle_expired(&session, false, at(10_000)),
            "no idle limit for users"
        );
        let api = TokenInfo {
            kind: TokenKind::Api,
            ..session.clone()
        };
        assert!(
            !p.idle_expired(&api, true, at(10_000)),
            "API tokens have none"
        );
        let users = SessionPolicy {
            idle_secs: 120 * 60,
            ..p
        };
        assert!(users.idle_expired(&session, false, at(122)));
        assert!(!users.idle_expired(&session, false, at(100)));
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let (a, ha) = new_token_secret();
        let (b, _) = new_token_secret();
        assert_ne!(a, b);
        assert!(a.starts_with("kjy_"));
        assert_eq!(hash_token(&a), ha);
        assert_eq!(ha.len(), 64);
    }
}
