//! Session and API tokens, and the login lockout rule.

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
}

/// Failed logins per login name within a window lock that name temporarily. The key is the
/// normalised login whether or not an account exists, so the lock reveals nothing.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub window_secs: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_secs: 15 * 60,
        }
    }
}

impl LockoutPolicy {
    pub fn window_start(&self, now: Timestamp) -> Timestamp {
        now.plus_seconds(-self.window_secs)
    }

    pub fn is_locked(&self, failures_in_window: u64) -> bool {
        failures_in_window >= u64::from(self.max_failures)
    }

    pub fn minutes(&self) -> u32 {
        u32::try_from((self.window_secs + 59) / 60).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_hashed() {
        let (a, ha) = new_token_secret();
        let (b, _) = new_token_secret();
        assert_ne!(a, b);
        assert!(a.starts_with("kjy_"));
        assert_eq!(hash_token(&a), ha);
        assert_eq!(ha.len(), 64);
    }

    #[test]
    fn lockout_after_five_failures() {
        let p = LockoutPolicy::default();
        assert!(!p.is_locked(4));
        assert!(p.is_locked(5));
        assert_eq!(p.minutes(), 15);
        assert_eq!(p.window_start(Timestamp(900_000_000)), Timestamp(0));
    }
}
