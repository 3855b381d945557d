//! One-time codes (验证码): six digits sent to a phone or e-mail address, to register (proving
//! the number or address is the registrant's), for a password reset or a login without the
//! password. Plain rules here; the store applies them in its transactions.
//!
//! - A code comes from the thread's CSPRNG (`rand::rng()`, ChaCha12 seeded from the OS) and is
//!   sent once; only a salted SHA-256 of it is stored (see [`code_hash`] for why not HMAC).
//! - It expires after `ttl_secs`, is used at most once, and after `max_attempts` wrong entries
//!   it is void ([`CodePolicy::judge`]). Only the newest code of a login name and purpose
//!   counts: asking for a new one replaces the old.
//! - A login name is sent at most one code a minute, five an hour and ten a day
//!   ([`CodePolicy::admit`]), whatever the purpose: each code is an SMS someone pays for and a
//!   message the owner receives.
//! - Asking for a code for a login name with no account answers exactly as for an account: a
//!   decoy row ([`decoy`]) that no code matches is stored in its place, so the rate limits and
//!   the wrong-code counts behave the same, and nothing is sent.
//! - Registration is the mirror image: a code goes to a login name *without* an account, and
//!   one with an account gets the decoy — and its owner a notice that someone tried to register
//!   it. Either way the registrant sees the same answer, so registration cannot be used to find
//!   out who has an account.

pub mod ports;

use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

use crate::DomainError;
use crate::ids::UserId;
use crate::notifications::delivery::OutgoingMessage;
use crate::time::Timestamp;

/// What a code is for. A code of one purpose never serves the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodePurpose {
    Register,
    PasswordReset,
    Login,
}

impl CodePurpose {
    pub const ALL: [Self; 3] = [Self::Register, Self::PasswordReset, Self::Login];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::PasswordReset => "password_reset",
            Self::Login => "login",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "register" => Ok(Self::Register),
            "password_reset" => Ok(Self::PasswordReset),
            "login" => Ok(Self::Login),
            _ => Err(DomainError::invalid(
                "purpose",
                "验证码用途只能是 register（注册）、password_reset（重置密码）或 login（验证码登录）",
            )),
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Self::Register => "注册",
            Self::PasswordReset => "重置密码",
            Self::Login => "登录",
        }
    }

    /// Whether a real code goes to a login name that has an account (`true`: a reset, a
    /// login) or to one that has none (registration); the other gets the decoy.
    pub fn wants_account(self) -> bool {
        !matches!(self, Self::Register)
    }
}

/// How long a code lives, how often it may be guessed, how often one is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePolicy {
    pub ttl_secs: i64,
    /// Wrong entries after which a code is void.
    pub max_attempts: u32,
    /// At most one code per login name within this many seconds.
    pub resend_secs: i64,
    pub per_hour: u32,
    pub per_day: u32,
}

impl Default for CodePolicy {
    fn default() -> Self {
        Self {
            ttl_secs: 10 * 60,
            max_attempts: 5,
            resend_secs: 60,
            per_hour: 5,
            per_day: 10,
        }
    }
}

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// Whether another code may be sent, or how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Send,
    /// Whole seconds until one may be sent (at least one).
    Wait {
        secs: u64,
    },
}

/// What a code entry amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The code was right: it is used now.
    Accepted,
    /// The code was wrong: one more attempt is counted; at 0 left the code is void.
    Wrong { attempts_left: u32 },
    /// No code to check: none asked for, expired, used, replaced or void.
    Dead,
}

/// A code as stored: its owner (none for a decoy), salt and hash, and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    pub user: Option<UserId>,
    pub salt: String,
    pub hash: String,
    pub expires_at: Timestamp,
    pub attempts: u32,
    pub used: bool,
}

/// One entry of a code, for the account `user` believes it is for (the account of the login
/// name now; `None` when there is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAttempt {
    pub login_key: String,
    pub purpose: CodePurpose,
    /// Six ASCII digits ([`parse_code`]).
    pub code: String,
    pub user: Option<UserId>,
    pub at: Timestamp,
}

impl CodePolicy {
    /// Codes sent before this are no longer needed for the limits.
    pub fn history_start(&self, now: Timestamp) -> Timestamp {
        now.plus_seconds(-DAY.max(self.resend_secs))
    }

    /// Whether a login name that was sent codes at `sent` (any order) may be sent another at
    /// `now`: one per `resend_secs`, `per_hour` in any hour, `per_day` in any day (sliding).
    pub fn admit(&self, sent: &[Timestamp], now: Timestamp) -> Admission {
        let mut sent: Vec<Timestamp> = sent.iter().copied().filter(|t| *t <= now).collect();
        sent.sort_unstable();
        // The instant from which another code may be sent, for each limit.
        let mut free_at = now;
        let mut limit = |window: i64, max: u32| {
            let start = now.plus_seconds(-window);
            let inside: Vec<Timestamp> = sent.iter().copied().filter(|t| *t > start).collect();
            let max = usize::try_from(max.max(1)).unwrap_or(usize::MAX);
            if inside.len() >= max {
                // The oldest of those that must leave the window first.
                let leaving = inside[inside.len() - max];
                free_at = free_at.max(leaving.plus_seconds(window));
            }
        };
        limit(self.resend_secs.max(1), 1);
        limit(HOUR, self.per_hour);
        limit(DAY, self.per_day);
        if free_at <= now {
            Admission::Send
        } else {
            let micros = free_at.micros().saturating_sub(now.micros());
            let secs = micros.saturating_add(999_999) / 1_000_000;
            Admission::Wait {
                secs: u64::try_from(secs).unwrap_or(u64::MAX).max(1),
            }
        }
    }

    /// Judges an entry against the newest stored code of its login name and purpose.
    pub fn judge(&self, stored: &StoredCode, attempt: &CodeAttempt) -> Verdict {
        if stored.used || attempt.at >= stored.expires_at || stored.attempts >= self.max_attempts {
            return Verdict::Dead;
        }
        let right = matches(
            &stored.salt,
            &stored.hash,
            attempt.purpose,
            &attempt.login_key,
            &attempt.code,
        );
        // The account must still be the one the code was sent for (a decoy has none); a
        // registration code was sent for no account, and there must still be none.
        let same_account = stored.user == attempt.user
            && (stored.user.is_some() || attempt.purpose == CodePurpose::Register);
        if right && same_account {
            Verdict::Accepted
        } else {
            Verdict::Wrong {
                attempts_left: self.max_attempts.saturating_sub(stored.attempts + 1),
            }
        }
    }

    /// Whole minutes a code lives (at least one), for the message.
    pub fn ttl_minutes(&self) -> i64 {
        ((self.ttl_secs + 59) / 60).max(1)
    }
}

/// A fresh code: the digits to send, and the salt and hash to store.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedCode {
    pub code: String,
    pub salt: String,
    pub hash: String,
}

impl std::fmt::Debug for IssuedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuedCode(***)")
    }
}

/// A new six-digit code for `login_key` and `purpose` (uniform over 000000–999999).
pub fn new_code(purpose: CodePurpose, login_key: &str) -> IssuedCode {
    let mut rng = rand::rng();
    let code = format!("{:06}", rng.random_range(0..1_000_000u32));
    let salt = new_salt(&mut rng);
    let hash = code_hash(&salt, purpose, login_key, &code);
    IssuedCode { code, salt, hash }
}

/// What is stored for a login name without an account: a salt and a random "hash" that no code
/// has, so every entry is wrong, counted like any other.
pub fn decoy() -> (String, String) {
    let mut rng = rand::rng();
    let salt = new_salt(&mut rng);
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    (salt, hex::encode(bytes))
}

fn new_salt(rng: &mut impl RngCore) -> String {
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    hex::encode(salt)
}

/// SHA-256 of the salt, purpose, login name and code, hex.
///
/// Why a per-code salt and not HMAC: a six-digit code has a million values, so no hash keeps it
/// from someone who reads the table *and* the salt — and an HMAC key would have to be shared by
/// every server on the database and kept outside it, which the deployment has no place for (a
/// key stored in the database protects nothing more). What the hash does: the code never sits
/// in the database, its backups or a query log as written; the salt means one table of a
/// million hashes cannot read every row at once; purpose and login name in the hash mean a row
/// cannot be moved to another account or use. The code itself is protected by its short life,
/// its attempt limit and single use.
pub fn code_hash(salt: &str, purpose: CodePurpose, login_key: &str, code: &str) -> String {
    let mut h = Sha256::new();
    for part in [salt, purpose.as_str(), login_key, code] {
        h.update(part.as_bytes());
        // A separator no part contains, so parts cannot run into each other.
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

/// Whether `code` is the one hashed as `hash`, compared in constant time.
pub fn matches(salt: &str, hash: &str, purpose: CodePurpose, login_key: &str, code: &str) -> bool {
    let candidate = code_hash(salt, purpose, login_key, code);
    let (a, b) = (candidate.as_bytes(), hash.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A typed code: six digits, spaces ignored, full-width digits (as a Chinese input method may
/// type them) read as digits.
pub fn parse_code(raw: &str) -> Result<String, DomainError> {
    let digits: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            c => c,
        })
        .collect();
    if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(DomainError::invalid("code", "请输入 6 位数字验证码"))
    }
}

/// What a refused entry says.
pub fn refusal(verdict: Verdict) -> Option<DomainError> {
    match verdict {
        Verdict::Accepted => None,
        Verdict::Wrong { attempts_left } if attempts_left > 0 => Some(DomainError::invalid(
            "code",
            format!("验证码错误，还可再试 {attempts_left} 次"),
        )),
        Verdict::Wrong { .. } | Verdict::Dead => Some(DomainError::invalid(
            "code",
            "验证码无效或已失效（已使用、已过期或错误次数过多），请重新获取",
        )),
    }
}

/// What the owner of an account is told when someone asks to register its phone number or
/// address again: the registrant learns nothing, the owner learns that it happened.
pub fn already_registered_message() -> OutgoingMessage {
    OutgoingMessage {
        subject: "科技云注册提醒".into(),
        body: "【科技云】有人正在用此号码（或邮箱）注册科技云，但它已经注册过账号。如果是您本人，请直接登录；忘记密码可在登录页点“忘记密码”用验证码重置。如非本人操作，请忽略本消息。".into(),
    }
}

/// The message that carries a code. The subject never holds the code: the log-only sender
/// logs subjects.
pub fn code_message(purpose: CodePurpose, code: &str, policy: &CodePolicy) -> OutgoingMessage {
    OutgoingMessage {
        subject: format!("科技云{}验证码", purpose.label_zh()),
        body: format!(
            "【科技云】您的{}验证码是 {code}，{} 分钟内有效，仅可使用一次。如非本人操作，请忽略本消息；工作人员不会向您索要验证码。",
            purpose.label_zh(),
            policy.ttl_minutes()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_micros(1_800_000_000_000_000 + secs * 1_000_000)
    }

    const KEY: &str = "13800138000";

    fn stored(code: &IssuedCode, attempts: u32) -> StoredCode {
        StoredCode {
            user: Some(UserId(7)),
            salt: code.salt.clone(),
            hash: code.hash.clone(),
            expires_at: t(600),
            attempts,
            used: false,
        }
    }

    fn attempt(code: &str, at: i64) -> CodeAttempt {
        CodeAttempt {
            login_key: KEY.into(),
            purpose: CodePurpose::PasswordReset,
            code: code.into(),
            user: Some(UserId(7)),
            at: t(at),
        }
    }

    /// A code that differs from `code`.
    fn other(code: &str) -> String {
        let n: u32 = code.parse().unwrap_or_default();
        format!("{:06}", (n + 1) % 1_000_000)
    }

    #[test]
    fn codes_are_six_digits_random_and_only_their_hash_is_kept() {
        let a = new_code(CodePurpose::Login, KEY);
        let b = new_code(CodePurpose::Login, KEY);
        assert_eq!(a.code.len(), 6);
        assert!(a.code.bytes().all(|c| c.is_ascii_digit()));
        assert_ne!(a.salt, b.salt);
        assert_eq!(a.hash.len(), 64);
        assert!(matches(&a.salt, &a.hash, CodePurpose::Login, KEY, &a.code));
        assert!(!matches(
            &a.salt,
            &a.hash,
            CodePurpose::Login,
            KEY,
            &other(&a.code)
        ));
        // Bound to its purpose and login name.
        assert!(!matches(
            &a.salt,
            &a.hash,
            CodePurpose::PasswordReset,
            KEY,
            &a.code
        ));
        assert!(!matches(
            &a.salt,
            &a.hash,
            CodePurpose::Login,
            "13800138001",
            &a.code
        ));
        assert!(format!("{a:?}").contains("***"));
    }

    #[test]
    fn codes_spread_over_all_digits() {
        // 2000 codes: every digit shows up in every position (a broken generator — always
        // zero-padded small numbers, say — would not).
        let mut seen = [[false; 10]; 6];
        for _ in 0..2000 {
            let c = new_code(CodePurpose::Login, KEY).code;
            for (i, d) in c.bytes().enumerate() {
                seen[i][usize::from(d - b'0')] = true;
            }
        }
        assert!(seen.iter().all(|pos| pos.iter().all(|d| *d)), "{seen:?}");
    }

    #[test]
    fn a_decoy_matches_no_code() {
        let (salt, hash) = decoy();
        for code in ["000000", "123456", "999999"] {
            assert!(!matches(&salt, &hash, CodePurpose::Login, KEY, code));
        }
    }

    #[test]
    fn typed_codes_are_read_leniently_but_must_be_six_digits() {
        assert_eq!(parse_code(" 123 456 "), Ok("123456".into()));
        assert_eq!(parse_code("１２３４５６"), Ok("123456".into()));
        for bad in ["", "12345", "1234567", "12a456", "１２３４５"] {
            let e = parse_code(bad);
            assert!(
                matches!(e, Err(DomainError::Invalid { field: "code", .. })),
                "{bad}: {e:?}"
            );
        }
    }

    #[test]
    fn the_right_code_in_time_is_accepted_once() {
        let p = CodePolicy::default();
        let c = new_code(CodePurpose::PasswordReset, KEY);
        let s = stored(&c, 0);
        assert_eq!(p.judge(&s, &attempt(&c.code, 10)), Verdict::Accepted);
        let used = StoredCode { used: true, ..s };
        assert_eq!(p.judge(&used, &attempt(&c.code, 10)), Verdict::Dead);
    }

    #[test]
    fn an_expired_code_is_dead() {
        let p = CodePolicy::default();
        let c = new_code(CodePurpose::PasswordReset, KEY);
        let s = stored(&c, 0);
        assert_eq!(p.judge(&s, &attempt(&c.code, 599)), Verdict::Accepted);
        assert_eq!(p.judge(&s, &attempt(&c.code, 600)), Verdict::Dead);
    }

    #[test]
    fn wrong_entries_count_down_and_then_the_code_is_void() {
        let p = CodePolicy::default();
        let c = new_code(CodePurpose::PasswordReset, KEY);
        let wrong = other(&c.code);
        for n in 0..5u32 {
            assert_eq!(
                p.judge(&stored(&c, n), &attempt(&wrong, 10)),
                Verdict::Wrong {
                    attempts_left: 4 - n
                }
            );
        }
        // After five wrong entries even the right code is refused.
        assert_eq!(
            p.judge(&stored(&c, 5), &attempt(&c.code, 10)),
            Verdict::Dead
        );
        assert!(
            refusal(Verdict::Wrong { attempts_left: 2 })
                .is_some_and(|e| e.to_string().contains("还可再试 2 次"))
        );
        assert!(
            refusal(Verdict::Wrong { attempts_left: 0 })
                .is_some_and(|e| e.to_string().contains("已失效"))
        );
        assert_eq!(refusal(Verdict::Accepted), None);
    }

    #[test]
    fn a_code_serves_only_its_account_and_purpose() {
        let p = CodePolicy::default();
        let c = new_code(CodePurpose::PasswordReset, KEY);
        let s = stored(&c, 0);
        let mut a = attempt(&c.code, 10);
        a.user = None;
        assert!(matches!(p.judge(&s, &a), Verdict::Wrong { .. }));
        a.user = Some(UserId(8));
        assert!(matches!(p.judge(&s, &a), Verdict::Wrong { .. }));
        let mut a = attempt(&c.code, 10);
        a.purpose = CodePurpose::Login;
        assert!(matches!(p.judge(&s, &a), Verdict::Wrong { .. }));
        // A decoy has no owner: never accepted, even for an attempt without one.
        let decoy = StoredCode { user: None, ..s };
        let mut a = attempt(&c.code, 10);
        a.user = None;
        assert!(matches!(p.judge(&decoy, &a), Verdict::Wrong { .. }));
    }

    #[test]
    fn one_code_a_minute() {
        let p = CodePolicy::default();
        assert_eq!(p.admit(&[], t(0)), Admission::Send);
        assert_eq!(p.admit(&[t(0)], t(0)), Admission::Wait { secs: 60 });
        assert_eq!(p.admit(&[t(0)], t(59)), Admission::Wait { secs: 1 });
        assert_eq!(p.admit(&[t(0)], t(60)), Admission::Send);
        // Part of a second still to wait is announced as a whole one.
        let almost = Timestamp::from_micros(t(59).micros() + 500_000);
        assert_eq!(p.admit(&[t(0)], almost), Admission::Wait { secs: 1 });
    }

    #[test]
    fn five_an_hour_and_ten_a_day() {
        let p = CodePolicy::default();
        let hour: Vec<Timestamp> = (0..5).map(|i| t(i * 120)).collect();
        // The sixth waits until the first leaves the hour.
        assert_eq!(p.admit(&hour, t(600)), Admission::Wait { secs: 3000 });
        assert_eq!(p.admit(&hour, t(3600)), Admission::Send);
        // Ten spread over the day: the eleventh waits for the first to be a day old.
        let day: Vec<Timestamp> = (0..10).map(|i| t(i * 4000)).collect();
        assert_eq!(
            p.admit(&day, t(40_000)),
            Admission::Wait {
                secs: 86_400 - 40_000
            }
        );
        assert_eq!(p.admit(&day, t(86_400)), Admission::Send);
        // Order does not matter.
        let mut shuffled = hour.clone();
        shuffled.reverse();
        assert_eq!(p.admit(&shuffled, t(600)), Admission::Wait { secs: 3000 });
        assert!(p.history_start(t(86_400)) == t(0));
    }

    #[test]
    fn a_registration_code_serves_a_login_name_that_still_has_no_account() {
        let p = CodePolicy::default();
        let c = new_code(CodePurpose::Register, KEY);
        let s = StoredCode {
            user: None,
            ..stored(&c, 0)
        };
        let entry = |user: Option<UserId>, purpose: CodePurpose| CodeAttempt {
            purpose,
            user,
            ..attempt(&c.code, 10)
        };
        assert_eq!(
            p.judge(&s, &entry(None, CodePurpose::Register)),
            Verdict::Accepted
        );
        // Registered meanwhile: the code no longer fits.
        assert!(matches!(
            p.judge(&s, &entry(Some(UserId(7)), CodePurpose::Register)),
            Verdict::Wrong { .. }
        ));
        // Without an account, only registration accepts a code (the others' decoys have none).
        let login = new_code(CodePurpose::Login, KEY);
        let decoyish = StoredCode {
            user: None,
            ..stored(&login, 0)
        };
        let entry = CodeAttempt {
            purpose: CodePurpose::Login,
            user: None,
            ..attempt(&login.code, 10)
        };
        assert!(matches!(p.judge(&decoyish, &entry), Verdict::Wrong { .. }));
        assert!(!CodePurpose::Register.wants_account());
        assert!(CodePurpose::Login.wants_account() && CodePurpose::PasswordReset.wants_account());
    }

    #[test]
    fn purposes_round_trip() {
        for p in CodePurpose::ALL {
            assert_eq!(CodePurpose::parse(p.as_str()), Ok(p));
        }
        assert!(CodePurpose::parse("admin").is_err());
    }

    #[test]
    fn the_message_carries_the_code_in_its_body_only() {
        let m = code_message(CodePurpose::Login, "012345", &CodePolicy::default());
        assert!(!m.subject.contains("012345"));
        assert!(m.body.contains("012345"));
        assert!(m.body.contains("10 分钟"));
    }
}
