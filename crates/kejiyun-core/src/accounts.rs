//! People: login identifiers, passwords, profiles, roles and the masking of personal data.

pub mod password_policy;
pub mod ports;

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::ids::UserId;
use crate::regions::RegionCode;
use crate::text;
use crate::time::Timestamp;

/// A mainland mobile number, stored as 11 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let digits: String = raw
            .trim()
            .trim_start_matches("+86")
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .collect();
        let ok = digits.len() == 11
            && digits.bytes().all(|b| b.is_ascii_digit())
            && digits.starts_with('1')
            && matches!(digits.as_bytes()[1], b'3'..=b'9');
        if ok {
            Ok(Self(digits))
        } else {
            Err(DomainError::invalid("phone", "请输入 11 位手机号码"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****8000`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

/// An e-mail address, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = raw.trim().to_lowercase();
        let bad = || DomainError::invalid("email", "请输入有效的电子邮箱地址");
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || local.len() > 64
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(bad());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `z***@example.com`.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

/// What a person logs in with: a phone number or an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    Phone(Phone),
    Email(Email),
}

impl Login {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.contains('@') {
            Email::parse(raw).map(Self::Email)
        } else {
            Phone::parse(raw)
                .map(Self::Phone)
                .map_err(|_| DomainError::invalid("login", "请输入手机号码或电子邮箱"))
        }
    }

    /// The normalised name, for telling names apart in memory (a sheet's duplicates). What is
    /// stored under a login name is `PersonalDataKey::login_key`, never this.
    pub fn key(&self) -> String {
        match self {
            Self::Phone(p) => p.as_str().to_owned(),
            Self::Email(e) => e.as_str().to_owned(),
        }
    }
}

/// A password that satisfies the policy; never stored, only hashed.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The shipped list of passwords people pick first (lower case).
const COMMON_PASSWORDS: &str = include_str!("accounts/common_passwords.txt");

/// Whether `raw` (any case) is on the shipped list.
pub fn is_common_password(raw: &str) -> bool {
    let lower = raw.to_lowercase();
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == lower)
}

/// Whether `raw` holds the login it belongs to: the phone number (or its last eight digits,
/// what people type after a letter or two), or an e-mail's name before `@` (four characters
/// or more). The first thing an attacker holding the login tries.
fn holds_login(raw: &str, login: &Login) -> bool {
    let lower = raw.to_lowercase();
    match login {
        Login::Phone(p) => {
            let digits = p.as_str();
            lower.contains(digits) || digits.get(3..).is_some_and(|tail| lower.contains(tail))
        }
        Login::Email(e) => e
            .as_str()
            .split('@')
            .next()
            .filter(|name| name.chars().count() >= 4)
            .is_some_and(|name| lower.contains(&name.to_lowercase())),
    }
}

impl Password {
    /// A password for `login`'s account: 8–128 characters with a letter and a digit, not on
    /// the common list, not holding the login.
    pub fn parse(raw: &str, login: &Login) -> Result<Self, DomainError> {
        let password = Self::parse_shape(raw)?;
        if is_common_password(raw) {
            return Err(DomainError::invalid(
                "password",
                "这个密码太常见，很容易被猜中，请换一个",
            ));
        }
        if holds_login(raw, login) {
            return Err(DomainError::invalid(
                "password",
                "密码不能包含手机号或邮箱名",
            ));
        }
        Ok(password)
    }

    fn parse_shape(raw: &str) -> Result<Self, DomainError> {
        let n = raw.chars().count();
        if n < 8 {
            return Err(DomainError::invalid("password", "密码至少 8 位"));
        }
        if n > 128 {
            return Err(DomainError::invalid("password", "密码不能超过 128 位"));
        }
        let letters = raw.chars().any(|c| c.is_alphabetic());
        let digits = raw.chars().any(|c| c.is_ascii_digit());
        if !(letters && digits) {
            return Err(DomainError::invalid("password", "密码需同时包含字母和数字"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// Argon2id with a random salt, as a PHC string.
    pub fn hash(&self) -> Result<String, DomainError> {
        Argon2::default()
            .hash_password(self.0.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| DomainError::Internal(format!("argon2: {e}")))
    }
}

/// Checks `plain` against a stored PHC hash. A malformed hash verifies as false.
pub fn verify_password(plain: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(plain.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real verification, so an unknown login answers as slowly as a
/// known one and timing does not reveal which accounts exist.
pub fn verify_against_dummy(plain: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| {
        Password("dummy-password-1".into())
            .hash()
            .unwrap_or_default()
    });
    let _ = verify_password(plain, phc);
}

/// A resident identity card number (18 characters, ISO 7064 MOD 11-2 check digit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCardNumber(String);

impl IdCardNumber {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = raw.trim().to_uppercase();
        let bad = || DomainError::invalid("id_card", "身份证号码无效");
        let (body, check) = s.split_at_checked(17).ok_or_else(bad)?;
        if check.len() != 1 || Self::check_digit(body) != check.chars().next() {
            return Err(bad());
        }
        Ok(Self(s))
    }

    /// The check digit (GB 11643, ISO 7064 MOD 11-2) of a 17-digit body; `None` for anything
    /// else. Also what demo data and benchmarks complete their generated numbers with.
    pub fn check_digit(body: &str) -> Option<char> {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const CHECK: &[u8; 11] = b"10X98765432";
        let b = body.as_bytes();
        if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let sum: u32 = b
            .iter()
            .zip(WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        Some(char::from(CHECK[(sum % 11) as usize]))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `511623********123X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

/// Display name shown on pages.
pub fn display_name(raw: &str) -> Result<String, DomainError> {
    text::bounded("display_name", "姓名/昵称", raw, 1, 32, false)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    TechWorker,
    Volunteer,
    OrgAdmin,
    RegionAdmin,
    SystemAdmin,
    /// 安全管理员: grants and revokes administrators, unlocks accounts, resets second factors.
    SecurityAdmin,
    /// 审计管理员: reads the whole audit log and checks its chain; changes nothing.
    AuditAdmin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::TechWorker => "tech_worker",
            Self::Volunteer => "volunteer",
            Self::OrgAdmin => "org_admin",
            Self::RegionAdmin => "region_admin",
            Self::SystemAdmin => "system_admin",
            Self::SecurityAdmin => "security_admin",
            Self::AuditAdmin => "audit_admin",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Ok(match s {
            "user" => Self::User,
            "tech_worker" => Self::TechWorker,
            "volunteer" => Self::Volunteer,
            "org_admin" => Self::OrgAdmin,
            "region_admin" => Self::RegionAdmin,
            "system_admin" => Self::SystemAdmin,
            "security_admin" => Self::SecurityAdmin,
            "audit_admin" => Self::AuditAdmin,
            _ => return Err(DomainError::invalid("role", format!("未知角色：{s}"))),
        })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::User => "注册用户",
            Self::TechWorker => "科技工作者",
            Self::Volunteer => "科技志愿者",
            Self::OrgAdmin => "组织管理员",
            Self::RegionAdmin => "地区管理员",
            Self::SystemAdmin => "系统管理员",
            Self::SecurityAdmin => "安全管理员",
            Self::AuditAdmin => "审计管理员",
        }
    }
}

/// A stored account, as the store returns it.
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub display_name: String,
    pub region: Option<RegionCode>,
    pub bio: Option<String>,
    pub password_hash: String,
    pub created_at: Timestamp,
}

/// What registration stores.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: Login,
    pub display_name: String,
    pub region: Option<RegionCode>,
    pub password_hash: String,
}

/// Profile fields a person may edit themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileUpdate {
    pub display_name: String,
    pub region: Option<RegionCode>,
    pub bio: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_normalises_and_masks() {
        let p = Phone::parse("+86 138-0013-8000").expect("valid");
        assert_eq!(p.as_str(), "13800138000");
        assert_eq!(p.masked(), "138****8000");
        for bad in [
            "1380013800",
            "23800138000",
            "12800138000",
            "138001380001",
            "abc",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn email_and_login() {
        assert_eq!(
            Email::parse(" Zhang@Example.COM ").map(|e| e.masked()),
            Ok("z***@example.com".into())
        );
        for bad in ["a@b", "@b.cn", "a b@c.cn", "a@@b.cn", "a@.cn"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(Login::parse("13800138000"), Ok(Login::Phone(_))));
        assert!(matches!(Login::parse("a@b.cn"), Ok(Login::Email(_))));
        assert!(Login::parse("zhangsan").is_err());
    }

    #[test]
    fn password_policy_and_hash() {
        let phone = Login::parse("13912345678").expect("valid");
        assert!(Password::parse("short1", &phone).is_err());
        assert!(Password::parse("onlyletters", &phone).is_err());
        assert!(Password::parse("12345678", &phone).is_err());
        let pw = Password::parse("Ganju2026tx", &phone).expect("valid");
        let h = pw.hash().expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Ganju2026tx", &h));
        assert!(!verify_password("Ganju2027tx", &h));
        assert!(!verify_password("Ganju2026tx", "not a hash"));
    }

    #[test]
    fn common_passwords_and_the_login_inside_are_refused() {
        let phone = Login::parse("13912345678").expect("valid");
        let email = Login::parse("zhangsan@example.cn").expect("valid");
        // The four the last security review found accepted, in any case.
        for common in [
            "Aa123456",
            "password1",
            "woaini1314",
            "1qaz2wsx",
            "QWE123456",
        ] {
            let e = Password::parse(common, &phone).expect_err(common);
            assert!(e.to_string().contains("太常见"), "{common}: {e}");
        }
        for (holding, login) in [
            ("a13912345678", &phone),
            ("x12345678y", &phone),
            ("Zhangsan2026", &email),
        ] {
            let e = Password::parse(holding, login).expect_err(holding);
            assert!(e.to_string().contains("手机号或邮箱"), "{holding}: {e}");
        }
        assert!(Password::parse("Zhangsan2026", &phone).is_ok());
        assert!(is_common_password("AA123456"));
        assert!(!is_common_password("# Passwords people pick first"));
    }

    #[test]
    fn id_card_check_digit_and_mask() {
        // A syntactically valid example number (check digit computed by the rule).
        let id = IdCardNumber::parse("11010519491231002x").expect("valid");
        assert_eq!(id.masked(), "110105********002X");
        assert!(IdCardNumber::parse("110105194912310021").is_err());
        assert!(IdCardNumber::parse("11010519491231002").is_err());
    }

    #[test]
    fn roles_round_trip() {
        for r in [
            Role::User,
            Role::TechWorker,
            Role::Volunteer,
            Role::OrgAdmin,
            Role::RegionAdmin,
            Role::SystemAdmin,
            Role::SecurityAdmin,
            Role::AuditAdmin,
        ] {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert!(Role::parse("root").is_err());
    }
}
