//! The second factor (动态口令, 等保 2.0 level 3 身份鉴别 d): a TOTP (RFC 6238: HMAC-SHA-1, six
//! digits, 30-second steps, through `totp-rs`) with ten single-use recovery codes (恢复码).
//! Plain rules here; `app/second_factor.rs` applies them, the store keeps them.
//!
//! - The TOTP secret (160 random bits) is shown once, when enrolment starts, and stored only
//!   sealed with the personal-data key ([`SECRET_FIELD`]): a stolen database does not yield it.
//! - A code is accepted for the current step and one either side ([`SKEW`]); a step already
//!   used by the account is refused ([`judge_code`]), so a code seen over a shoulder is spent.
//! - Recovery codes are ten random symbols each, stored as a salted SHA-256 (they carry 50
//!   bits, so a slow hash buys nothing a guess limit does not), each used once.
//! - A password (or login code) that is right for an account with the factor gives a challenge
//!   ([`new_challenge`]): random, stored hashed, [`CHALLENGE_TTL_SECS`] long, single use, dead
//!   after [`CHALLENGE_MAX_WRONG`] wrong codes; wrong codes count under the login lockout too.
//! - When the policy requires it, an administrator whose session did not pass a second factor
//!   acts as an ordinary user ([`restrict`]).

pub mod ports;
#[cfg(test)]
mod tests;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};

use crate::DomainError;
use crate::auth::TokenInfo;
use crate::permissions::Actor;
use crate::time::Timestamp;

/// Seconds per TOTP step (RFC 6238's default; what every authenticator app assumes).
pub const STEP_SECS: i64 = 30;
/// Steps accepted either side of the current one (clock drift, typing time).
pub const SKEW: u16 = 1;
pub const DIGITS: u8 = 6;
/// Recovery codes handed out at once.
pub const RECOVERY_CODES: usize = 10;
/// How long the second step of a login may wait.
pub const CHALLENGE_TTL_SECS: i64 = 5 * 60;
/// Wrong codes after which a challenge is dead (the password must be entered again).
pub const CHALLENGE_MAX_WRONG: u32 = 5;
/// The associated data the sealed TOTP secret is bound to (see `personal_data`).
pub const SECRET_FIELD: &str = crate::personal_data::fields::SECOND_FACTOR_SECRET;
/// The issuer an authenticator app shows beside the account.
pub const ISSUER: &str = "Kejiyun";

/// Whether administrators must pass a second factor (config `admin_second_factor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecondFactorPolicy {
    #[default]
    Required,
    Optional,
}

impl SecondFactorPolicy {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "required" => Ok(Self::Required),
            "optional" => Ok(Self::Optional),
            _ => Err(DomainError::invalid(
                "admin_second_factor",
                "admin_second_factor 只能是 required 或 optional",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Optional => "optional",
        }
    }

    /// Whether `actor` (with all their grants) must pass a second factor to act as admin.
    pub fn requires(self, actor: &Actor) -> bool {
        self == Self::Required && actor.is_admin()
    }
}

/// What `/api/v1/me` and the pages say about the caller's second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecondFactorStatus {
    /// The account has a confirmed second factor.
    pub enabled: bool,
    /// The policy requires one of this account (an administrator).
    pub required: bool,
    /// This session passed a second factor (at login, or by enrolling in it).
    pub satisfied: bool,
}

/// Drops the admin grants of `actor` when the policy requires a second factor of them and the
/// session `token` did not pass one: they act as an ordinary user until it does. Every grant
/// that makes an actor an admin ([`Actor::is_admin`]) goes, whatever its kind. Returns whether
/// any was dropped.
pub fn restrict(actor: &mut Actor, token: &TokenInfo, policy: SecondFactorPolicy) -> bool {
    if token.second_factor || !policy.requires(actor) {
        return false;
    }
    let user_id = actor.user_id;
    actor.grants.retain(|g| {
        !Actor {
            user_id,
            grants: vec![*g],
        }
        .is_admin()
    });
    true
}

/// A fresh TOTP secret: 20 bytes from the CSPRNG (RFC 4226's recommended 160 bits).
pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// The secret as an authenticator app takes it typed in: base32 (RFC 4648), no padding.
pub fn secret_base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

/// The secret from its base32 form (what [`secret_base32`] wrote, spaces and case forgiven).
pub fn secret_from_base32(text: &str) -> Result<Vec<u8>, DomainError> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Secret::try_from_base32(cleaned)
        .map(|s| s.as_bytes().to_vec())
        .map_err(|_| DomainError::invalid("secret", "密钥不是有效的 base32 文本"))
}

fn totp(secret: &[u8], account: &str) -> Result<Totp, DomainError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(SKEW)
        .with_step_duration(STEP_SECS.unsigned_abs())
        .with_secret(secret.to_vec())
        .with_account_name(account.replace(':', " "))
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| DomainError::Internal(format!("TOTP: {e}")))
}

/// The `otpauth://totp/…` URI an authenticator app scans (the QR code) for `account`.
pub fn otpauth_uri(secret: &[u8], account: &str) -> Result<String, DomainError> {
    totp(secret, account)?
        .to_url()
        .map_err(|e| DomainError::Internal(format!("TOTP URI: {e}")))
}

fn unix_secs(at: Timestamp) -> u64 {
    u64::try_from(at.micros().div_euclid(1_000_000)).unwrap_or(0)
}

/// The TOTP step `at` falls in.
pub fn step_at(at: Timestamp) -> i64 {
    at.micros().div_euclid(1_000_000).div_euclid(STEP_SECS)
}

/// The code of step `step` (what an authenticator app shows then): for tests and the test kit.
pub fn code_for_step(secret: &[u8], step: i64) -> Result<String, DomainError> {
    let secs = u64::try_from(step.saturating_mul(STEP_SECS)).unwrap_or(0);
    Ok(totp(secret, "")?.generate(secs).to_string())
}

/// What a TOTP entry amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeVerdict {
    /// Right, for this step (which the account has now used).
    Accepted {
        step: i64,
    },
    /// Right, but for a step the account already used: a replay.
    Replayed,
    Wrong,
}

/// Judges `code` at `now` against `secret`, the account's last used step being `last_step`.
pub fn judge_code(
    secret: &[u8],
    code: &str,
    now: Timestamp,
    last_step: Option<i64>,
) -> CodeVerdict {
    let Ok(totp) = totp(secret, "") else {
        return CodeVerdict::Wrong;
    };
    match totp.check(code, unix_secs(now)) {
        None => CodeVerdict::Wrong,
        Some(step) => {
            let step = i64::try_from(step).unwrap_or(i64::MAX);
            if last_step.is_some_and(|last| step <= last) {
                CodeVerdict::Replayed
            } else {
                CodeVerdict::Accepted { step }
            }
        }
    }
}

/// What the person typed at the second step: six digits are a TOTP code, anything else of
/// the right shape a recovery code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnteredCode {
    Totp(String),
    Recovery(String),
}

/// Reads a second-step entry (spaces and dashes forgiven, recovery codes in any case).
pub fn parse_entry(raw: &str) -> Result<EnteredCode, DomainError> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if cleaned.len() == usize::from(DIGITS) && cleaned.chars().all(|c| c.is_ascii_digit()) {
        return Ok(EnteredCode::Totp(cleaned));
    }
    match normalize_recovery(&cleaned) {
        Some(code) => Ok(EnteredCode::Recovery(code)),
        None => Err(DomainError::invalid(
            "code",
            "请输入 6 位动态口令或 10 位恢复码",
        )),
    }
}

/// Reads a TOTP code where only one will do (enrolment, regenerating, disabling).
pub fn parse_totp(raw: &str) -> Result<String, DomainError> {
    let cleaned: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if cleaned.len() == usize::from(DIGITS) && cleaned.chars().all(|c| c.is_ascii_digit()) {
        Ok(cleaned)
    } else {
        Err(DomainError::invalid(
            "code",
            "请输入验证器显示的 6 位动态口令",
        ))
    }
}

/// The recovery codes' symbols: lower-case letters and digits without 0/o, 1/l/i (hard to
/// tell apart on paper); 31 of them, so ten carry 49 bits.
const RECOVERY_SYMBOLS: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const RECOVERY_LEN: usize = 10;

/// A recovery code as typed, made canonical (lower case, no dashes); `None` if it cannot be one.
pub fn normalize_recovery(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (code.len() == RECOVERY_LEN && code.bytes().all(|b| RECOVERY_SYMBOLS.contains(&b)))
        .then_some(code)
}

/// A recovery code to show (`abcde-fghjk`) with the salt and hash to store.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode {
    pub shown: String,
    pub salt: String,
    pub hash: String,
}

impl std::fmt::Debug for RecoveryCode {
    // A code never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(..)")
    }
}

/// The stored hash of a canonical recovery code under `salt`.
pub fn recovery_hash(salt: &str, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"kejiyun recovery code\0");
    h.update(salt.as_bytes());
    h.update([0]);
    h.update(code.as_bytes());
    hex::encode(h.finalize())
}

/// Ten fresh recovery codes.
pub fn new_recovery_codes() -> Vec<RecoveryCode> {
    let mut rng = rand::rng();
    let symbols = RECOVERY_SYMBOLS;
    (0..RECOVERY_CODES)
        .map(|_| {
            let code: String = (0..RECOVERY_LEN)
                .map(|_| char::from(symbols[rng.random_range(0..symbols.len())]))
                .collect();
            let mut salt = [0u8; 12];
            rng.fill_bytes(&mut salt);
            let salt = hex::encode(salt);
            RecoveryCode {
                shown: format!("{}-{}", &code[..5], &code[5..]),
                hash: recovery_hash(&salt, &code),
                salt,
            }
        })
        .collect()
}

/// A stored recovery code not used yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecoveryCode {
    pub id: i64,
    pub salt: String,
    pub hash: String,
}

/// The unused code among `stored` that `code` (canonical) is, if any.
pub fn matching_recovery(stored: &[StoredRecoveryCode], code: &str) -> Option<i64> {
    stored
        .iter()
        .find(|s| {
            let h = recovery_hash(&s.salt, code);
            // Equal length hex: compared without an early exit.
            h.len() == s.hash.len()
                && h.bytes()
                    .zip(s.hash.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        })
        .map(|s| s.id)
}

/// A fresh login challenge (`kjc_…`, 256 bits) and the hash to store. Not a session secret:
/// its prefix differs, so it never authenticates a request.
pub fn new_challenge() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("kjc_{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = crate::auth::hash_token(&secret);
    (secret, hash)
}

/// A challenge as stored, live or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChallenge {
    pub id: i64,
    pub user: crate::ids::UserId,
    pub login_key: String,
    pub expires_at: Timestamp,
    pub wrong: u32,
    pub used: bool,
}

impl StoredChallenge {
    /// Whether the second step may still be tried with it at `now`.
    pub fn live(&self, now: Timestamp) -> bool {
        !self.used && now < self.expires_at && self.wrong < CHALLENGE_MAX_WRONG
    }
}

/// The secret of an enrolment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFactor {
    /// Sealed with the personal-data key under [`SECRET_FIELD`].
    pub sealed_secret: String,
    /// Set once a code confirmed it: before, the enrolment is pending and does nothing.
    pub enabled_at: Option<Timestamp>,
    /// The newest step a code was accepted for (replays are refused).
    pub last_step: Option<i64>,
}
