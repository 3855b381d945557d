//! The rotating check-in code (签到码): a shared engine, written once for training sessions
//! and later for volunteers' activities. Each event (a session, an activity) has its own
//! random secret; its code is six digits derived from HMAC-SHA256(secret, the 30-second window
//! number), so it changes every 30 seconds, cannot be predicted without the secret, and a
//! photo of the code shared later is refused. Pure functions of (secret, time): the caller
//! passes the clock's time, so the rules are tested with a fixed clock.
//!
//! Verification accepts the current window's code, and the previous window's for a few
//! seconds after the change ([`GRACE_SECS`]): someone who read the code just before it turned
//! over is not refused while typing it.

use sha2::{Digest, Sha256};

use crate::time::Timestamp;

/// How long one code is shown, in seconds.
pub const WINDOW_SECS: i64 = 30;
/// How long, after a change, the previous code is still accepted.
pub const GRACE_SECS: i64 = 5;
/// Digits of a code.
pub const DIGITS: usize = 6;

/// An event's secret: 32 random bytes, kept as 64 hex characters.
#[derive(Clone, PartialEq, Eq)]
pub struct EventSecret([u8; 32]);

impl std::fmt::Debug for EventSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never in logs: anyone holding it can compute every code.
        f.write_str("EventSecret(…)")
    }
}

impl EventSecret {
    /// A fresh secret from the operating system's CSPRNG.
    pub fn generate() -> Self {
        Self(rand::random())
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The stored form (64 lowercase hex characters).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// `None` for anything but 64 hex characters.
    pub fn from_hex(s: &str) -> Option<Self> {
        let bytes = hex::decode(s).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }
}

/// HMAC-SHA256 (RFC 2104), written out over the `sha2` already in the tree (the `hmac` crate in
/// Cargo.lock is built on a different `digest` major version than our `sha2`).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The window number of `at` (windows start at the Unix epoch, every [`WINDOW_SECS`]).
pub fn window(at: Timestamp) -> i64 {
    at.micros().div_euclid(WINDOW_SECS * 1_000_000)
}

/// When window `w` starts.
pub fn window_start(w: i64) -> Timestamp {
    Timestamp(w * WINDOW_SECS * 1_000_000)
}

/// The code of window `w`: HOTP's dynamic truncation (RFC 4226 §5.3) of the HMAC of the
/// window number, as six digits with leading zeros.
pub fn code_for_window(secret: &EventSecret, w: i64) -> String {
    let mac = hmac_sha256(&secret.0, &w.to_be_bytes());
    let offset = usize::from(mac[31] & 0x0f);
    let bin = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    format!("{:06}", bin % 1_000_000)
}

/// The code to show at `at`, and until when it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownCode {
    pub code: String,
    /// The next code replaces this one at this time.
    pub changes_at: Timestamp,
}

impl ShownCode {
    /// Whole seconds until the change (at least 1, so a page refreshing then sees the next).
    pub fn seconds_left(&self, at: Timestamp) -> i64 {
        ((self.changes_at.micros() - at.micros()) / 1_000_000).max(1)
    }
}

pub fn current(secret: &EventSecret, at: Timestamp) -> ShownCode {
    let w = window(at);
    ShownCode {
        code: code_for_window(secret, w),
        changes_at: window_start(w + 1),
    }
}

/// Whether `entered` is the code at `at`: the current window's, or the previous one's within
/// [`GRACE_SECS`] of the change. Spaces around and inside are ignored (a phone keyboard may
/// group the digits); anything but six digits is refused.
pub fn verify(secret: &EventSecret, entered: &str, at: Timestamp) -> bool {
    let digits: String = entered.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let w = window(at);
    let mut ok = same(&code_for_window(secret, w), &digits);
    let since_change = at.micros() - window_start(w).micros();
    if since_change < GRACE_SECS * 1_000_000 {
        ok |= same(&code_for_window(secret, w - 1), &digits);
    }
    ok
}

/// Compares without stopping at the first difference (no timing hint of a partly right code).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed clock: `secs` after the Unix epoch.
    fn at(secs: i64) -> Timestamp {
        Timestamp(secs * 1_000_000)
    }

    fn secret() -> EventSecret {
        EventSecret::from_bytes([7; 32])
    }

    #[test]
    fn hmac_matches_rfc_4231_test_cases() {
        // Test case 2: key "Jefe".
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        let mac = hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn rotating_code_is_six_digits_and_changes_each_window() {
        let s = secret();
        let t = 1_796_000_010; // a window start (divisible by 30)
        assert_eq!(t % WINDOW_SECS, 0);
        let c = current(&s, at(t));
        assert_eq!(c.code.len(), 6);
        assert!(c.code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(c.changes_at, at(t + 30));
        assert_eq!(c.seconds_left(at(t + 12)), 18);
        assert_eq!(current(&s, at(t + 29)).code, c.code, "same window");
        assert_ne!(current(&s, at(t + 30)).code, c.code, "next window");
        // Another event's secret gives other codes.
        let other = EventSecret::from_bytes([8; 32]);
        assert_ne!(current(&other, at(t)).code, c.code);
    }

    #[test]
    fn rotating_code_verify_accepts_current_and_previous_within_grace_only() {
        let s = secret();
        let t = 1_796_000_012;
        let now = current(&s, at(t)).code;
        assert!(verify(&s, &now, at(t)));
        assert!(verify(&s, &format!(" {} {} ", &now[..3], &now[3..]), at(t)));
        // Just after the change: the previous code still passes for GRACE_SECS.
        let next_window = t - t % WINDOW_SECS + WINDOW_SECS;
        assert!(verify(&s, &now, at(next_window)));
        assert!(verify(&s, &now, at(next_window + GRACE_SECS - 1)));
        assert!(!verify(&s, &now, at(next_window + GRACE_SECS)), "expired");
        // An old code (two windows back) is refused even in the grace.
        assert!(!verify(&s, &now, at(next_window + WINDOW_SECS)));
        // The next window's code is not accepted early.
        let future = code_for_window(&s, window(at(t)) + 1);
        assert!(!verify(&s, &future, at(t)));
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert!(!verify(&s, bad, at(t)), "{bad:?}");
        }
    }

    #[test]
    fn rotating_code_secret_round_trips_as_hex_and_hides_in_debug() {
        let s = EventSecret::generate();
        assert_eq!(EventSecret::from_hex(&s.to_hex()), Some(s.clone()));
        assert_eq!(s.to_hex().len(), 64);
        assert_eq!(EventSecret::from_hex("abc"), None);
        assert_eq!(format!("{s:?}"), "EventSecret(…)");
    }
}
