//! Password profiles (等保 2.0 level 3, 身份鉴别 a): everyone's rule, a stricter one for
//! administrators (three of four character classes, a maximum age), and a history no one may
//! reuse.

use async_trait::async_trait;

use crate::DomainError;
use crate::accounts::{Login, Password, verify_password};
use crate::audit::AuditRecord;
use crate::ids::{TokenId, UserId};
use crate::permissions::{Actor, Grant};
use crate::ports::StoreResult;
use crate::regions::RegionCode;
use crate::time::Timestamp;

/// The stored "changed at" of a password that must be changed before its admin grants count
/// (an existing account just made an administrator: its password was never checked against
/// the admin profile).
pub const MUST_CHANGE: Timestamp = Timestamp(0);

/// Most old passwords the store keeps per account (the configured history is capped to it).
pub const MAX_HISTORY: u32 = 24;

/// Which rule a password must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProfile {
    /// 8–128 characters, a letter and a digit, not common, not holding the login.
    Everyone,
    /// Everyone's rule plus three of: upper case, lower case, digits, symbols; and a maximum
    /// age.
    Admin,
}

/// The one place that decides the profile: an account holding any admin grant (whatever
/// `Actor::is_admin` counts), or one being made an administrator, gets the admin profile.
pub fn profile_for(grants: &[Grant], becoming_admin: bool) -> PasswordProfile {
    if becoming_admin || is_admin(grants) {
        PasswordProfile::Admin
    } else {
        PasswordProfile::Everyone
    }
}

fn is_admin(grants: &[Grant]) -> bool {
    grants.iter().any(is_admin_grant)
}

fn is_admin_grant(g: &Grant) -> bool {
    Actor {
        user_id: crate::ids::UserId(0),
        grants: vec![*g],
    }
    .is_admin()
}

/// Parses a new password for `login` under `profile`.
pub fn parse_password(
    raw: &str,
    login: &Login,
    profile: PasswordProfile,
) -> Result<Password, DomainError> {
    let password = Password::parse(raw, login)?;
    if profile == PasswordProfile::Admin {
        check_classes(raw)?;
    }
    Ok(password)
}

/// The same error about another input field (the change form's `new_password`).
pub fn on_field(e: DomainError, field: &'static str) -> DomainError {
    match e {
        DomainError::Invalid { message, .. } => DomainError::Invalid { field, message },
        other => other,
    }
}

/// The number of character classes (upper, lower, digit, symbol) in `raw`.
pub fn classes(raw: &str) -> usize {
    let upper = raw.chars().any(char::is_uppercase);
    let lower = raw.chars().any(char::is_lowercase);
    let digit = raw.chars().any(|c| c.is_ascii_digit());
    // Anything else that is not a letter: punctuation, spaces, full-width symbols.
    let symbol = raw.chars().any(|c| !c.is_alphanumeric() && !c.is_control());
    [upper, lower, digit, symbol]
        .into_iter()
        .filter(|b| *b)
        .count()
}

fn check_classes(raw: &str) -> Result<(), DomainError> {
    if classes(raw) < 3 {
        return Err(DomainError::invalid(
            "password",
            "管理员密码需包含大写字母、小写字母、数字、符号中的至少三类",
        ));
    }
    Ok(())
}

/// How old an administrator's password may grow, and how many old passwords are remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// 0: never expires.
    pub admin_max_age_secs: i64,
    /// None of the last this many passwords (the current one included) may be set again;
    /// 0: no history.
    pub history: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            admin_max_age_secs: 90 * 86_400,
            history: 5,
        }
    }
}

impl PasswordPolicy {
    /// Whether a password set at `changed_at` is too old for an account of `profile` at
    /// `now`; [`MUST_CHANGE`] always is (for an administrator).
    pub fn expired(&self, profile: PasswordProfile, changed_at: Timestamp, now: Timestamp) -> bool {
        if profile != PasswordProfile::Admin {
            return false;
        }
        if changed_at == MUST_CHANGE {
            return true;
        }
        self.admin_max_age_secs > 0
            && now.micros() - changed_at.micros() > self.admin_max_age_secs * 1_000_000
    }

    /// Refuses `raw` if it matches one of `recent` hashes (newest first; only the first
    /// `history` are looked at).
    pub fn check_history(
        &self,
        field: &'static str,
        raw: &str,
        recent: &[String],
    ) -> Result<(), DomainError> {
        let n = usize::try_from(self.history).unwrap_or(usize::MAX);
        if recent.iter().take(n).any(|h| verify_password(raw, h)) {
            return Err(DomainError::invalid(
                field,
                format!("新密码不能与最近 {} 次使用过的密码相同", self.history),
            ));
        }
        Ok(())
    }
}

/// A password change: the new hash, the old one kept in the history, the account's other
/// sessions ended, the audit entry, in one transaction.
#[derive(Debug, Clone)]
pub struct PasswordChange {
    pub user: UserId,
    pub password_hash: String,
    pub at: Timestamp,
    /// The session to keep (the one the change was made in).
    pub keep_session: Option<TokenId>,
    pub audit: AuditRecord,
}

/// A login name locked now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedName {
    /// The stored login key (`PersonalDataKey::login_key`: a phone's blind index, or an
    /// e-mail address).
    pub key: String,
    /// The name masked for display, when the store knows it (an account's phone).
    pub shown: Option<String>,
    pub locked_until: Timestamp,
    pub level: u32,
    /// The account of that name, if there is one, and its region.
    pub user: Option<(UserId, Option<RegionCode>)>,
}

/// The storage port of passwords and lockouts.
#[async_trait]
pub trait PasswordStore: Send + Sync {
    /// When the account's password was last set (its creation if never changed since);
    /// `None` for no such account.
    async fn password_changed_at(&self, user: UserId) -> StoreResult<Option<Timestamp>>;
    /// The current password's hash, then older ones, newest first, at most `n` in all.
    async fn recent_password_hashes(&self, user: UserId, n: u32) -> StoreResult<Vec<String>>;
    async fn change_password(&self, change: PasswordChange) -> StoreResult<()>;
    /// Marks the password as one that must be changed ([`MUST_CHANGE`]).
    async fn require_password_change(&self, user: UserId) -> StoreResult<()>;
    /// The login names locked at `now`, with their accounts.
    async fn locked_names(&self, now: Timestamp) -> StoreResult<Vec<LockedName>>;
    /// Lifts the lock of the names `keys` (their count and level forgotten) and writes the
    /// audit entry; `false` if none was locked at `now`.
    async fn unlock_names(
        &self,
        keys: Vec<String>,
        now: Timestamp,
        audit: AuditRecord,
    ) -> StoreResult<bool>;
}

/// An actor whose administrator password is past its age acts as an ordinary user until they
/// change it: their admin grants are dropped (other grants stay).
pub fn without_admin_grants(mut actor: Actor) -> Actor {
    actor.grants.retain(|g| !is_admin_grant(g));
    actor
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::RegionCode;

    fn login() -> Login {
        Login::parse("someone@example.com").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn admins_need_three_classes_everyone_the_base_rule() {
        assert_eq!(classes("abcdefg1"), 2);
        assert_eq!(classes("Test2026pass"), 3);
        assert_eq!(classes("test-2026pass"), 3);
        assert_eq!(classes("Te-2026pass"), 4);
        assert!(parse_password("abcdefg1x", &login(), PasswordProfile::Everyone).is_ok());
        let e = parse_password("abcdefg1x", &login(), PasswordProfile::Admin)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("至少三类"), "{e}");
        assert!(parse_password("Test2026pass", &login(), PasswordProfile::Admin).is_ok());
        // Everyone's rule still applies to admins.
        assert!(parse_password("Aa1!", &login(), PasswordProfile::Admin).is_err());
    }

    #[test]
    fn the_profile_follows_admin_grants() {
        let region = RegionCode::parse("511623").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(profile_for(&[], false), PasswordProfile::Everyone);
        assert_eq!(
            profile_for(&[Grant::TechWorker], false),
            PasswordProfile::Everyone
        );
        assert_eq!(profile_for(&[], true), PasswordProfile::Admin);
        assert_eq!(
            profile_for(&[Grant::RegionAdmin(region)], false),
            PasswordProfile::Admin
        );
        let actor = Actor {
            user_id: crate::ids::UserId(1),
            grants: vec![Grant::SystemAdmin, Grant::TechWorker],
        };
        assert_eq!(without_admin_grants(actor).grants, vec![Grant::TechWorker]);
    }

    #[test]
    fn admin_passwords_expire_after_the_max_age() {
        let p = PasswordPolicy::default();
        let t0 = Timestamp::from_micros(1_000_000_000_000);
        let day = |d: i64| t0.plus_seconds(d * 86_400);
        assert!(!p.expired(PasswordProfile::Admin, t0, day(90)));
        assert!(p.expired(PasswordProfile::Admin, t0, day(91)));
        assert!(!p.expired(PasswordProfile::Everyone, t0, day(1000)));
        assert!(
            p.expired(PasswordProfile::Admin, MUST_CHANGE, t0),
            "must change"
        );
        let never = PasswordPolicy {
            admin_max_age_secs: 0,
            ..p
        };
        assert!(!never.expired(PasswordProfile::Admin, t0, day(1000)));
        assert!(never.expired(PasswordProfile::Admin, MUST_CHANGE, t0));
    }

    #[test]
    fn recent_passwords_cannot_be_reused() {
        let hash = |s: &str| {
            parse_password(s, &login(), PasswordProfile::Everyone)
                .and_then(|p| p.hash())
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let recent = vec![hash("First2026a"), hash("Second2026a")];
        let p = PasswordPolicy {
            history: 2,
            ..PasswordPolicy::default()
        };
        assert!(p.check_history("password", "Second2026a", &recent).is_err());
        assert!(p.check_history("password", "First2026a", &recent).is_err());
        assert!(p.check_history("password", "Third2026a", &recent).is_ok());
        let one = PasswordPolicy { history: 1, ..p };
        assert!(
            one.check_history("password", "Second2026a", &recent)
                .is_ok(),
            "only the newest"
        );
        assert!(
            one.check_history("password", "First2026a", &recent)
                .is_err()
        );
    }
}
