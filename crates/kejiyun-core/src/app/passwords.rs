//! Passwords (等保 2.0 level 3, 身份鉴别 a/b): the profile a new password must meet, the
//! change while signed in, the administrators' expiry, and lifting login locks.

use serde_json::json;

use crate::accounts::password_policy::{
    self as policy, PasswordChange, PasswordProfile, on_field, parse_password, profile_for,
};
use crate::accounts::{self, Login, Password, User};
use crate::audit::AuditRecord;
use crate::auth::{TokenInfo, hash_token};
use crate::ids::UserId;
use crate::permissions::Actor;
use crate::personal_data::PersonalDataKey;
use crate::regions::RegionCode;
use crate::time::Timestamp;
use crate::{DomainError, DomainResult};

use_cases!(
    Passwords,
    passwords,
    "Passwords: profiles, change, expiry, login locks"
);

/// A locked login name as an administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockout {
    /// The login name, masked.
    pub login: String,
    /// Names the lock for unlocking without showing the name (SHA-256 of the key).
    pub name_ref: String,
    pub user_id: Option<UserId>,
    pub locked_until: Timestamp,
    /// Locks so far (this one included); the next lasts twice as long.
    pub level: u32,
}

/// Which lock to lift: by the login name, the account, or the reference from the list.
#[derive(Debug, Clone, Default)]
pub struct UnlockTarget {
    pub login: Option<String>,
    pub user_id: Option<UserId>,
    pub name_ref: Option<String>,
}

/// Who may lift a lock: the security administrator (安全管理员) any; a region (or system)
/// admin a name whose account lies in a region they administer — a county's staff unlock
/// their farmers; a name without an account only the security administrator.
pub fn may_unlock(actor: &Actor, account: Option<Option<RegionCode>>) -> bool {
    if actor.is_security_admin() {
        return true;
    }
    matches!(account, Some(Some(region)) if actor.administers(region))
}

/// The login an account signs in with.
pub fn login_of(user: &User) -> Option<Login> {
    match (&user.phone, &user.email) {
        (Some(p), _) => Some(Login::Phone(p.clone())),
        (None, Some(e)) => Some(Login::Email(e.clone())),
        (None, None) => None,
    }
}

/// Every login key of an account (a lock is per name), with the name masked.
fn keys_of(personal_data: &PersonalDataKey, user: &User) -> Vec<(String, String)> {
    let mut keys = Vec::new();
    if let Some(p) = &user.phone {
        keys.push((
            personal_data.login_key(&Login::Phone(p.clone())),
            p.masked(),
        ));
    }
    if let Some(e) = &user.email {
        keys.push((
            personal_data.login_key(&Login::Email(e.clone())),
            e.masked(),
        ));
    }
    keys
}

/// A stored login key as shown: an address masked, a phone (kept only as its blind index)
/// as its account shows it, else as a number without an account.
fn shown_key(key: &str, shown: Option<&str>) -> String {
    match (Login::parse(key), shown) {
        (Ok(Login::Email(e)), _) => e.masked(),
        (_, Some(s)) => s.to_owned(),
        _ => "未注册的手机号".into(),
    }
}

impl Passwords<'_> {
    /// The profile of an existing account (from its stored grants, not a request's actor,
    /// whose admin grants an expired password has dropped).
    pub async fn profile_of(&self, user: UserId) -> DomainResult<PasswordProfile> {
        Ok(profile_for(&self.store.grants(user).await?, false))
    }

    /// A new password for `user` under `profile`, not one of their recent ones; errors name
    /// `field`.
    pub async fn new_password(
        &self,
        user: &User,
        raw: &str,
        profile: PasswordProfile,
        field: &'static str,
    ) -> DomainResult<Password> {
        let login =
            login_of(user).ok_or_else(|| DomainError::invalid(field, "该账户没有登录名"))?;
        let password = parse_password(raw, &login, profile).map_err(|e| on_field(e, field))?;
        let history = self.password_policy.history.min(policy::MAX_HISTORY);
        if history > 0 {
            let recent = self.store.recent_password_hashes(user.id, history).await?;
            self.password_policy.check_history(field, raw, &recent)?;
        }
        Ok(password)
    }

    /// Changes the caller's password: the current one is checked under the login lockout,
    /// the new one under the account's profile and history; the account's other sessions end.
    pub async fn change_password(
        &self,
        actor: &Actor,
        token: &TokenInfo,
        current: &str,
        new: &str,
    ) -> DomainResult<()> {
        let user = self
            .store
            .user(actor.user_id)
            .await?
            .ok_or(DomainError::Unauthenticated)?;
        let login = login_of(&user)
            .ok_or_else(|| DomainError::invalid("current_password", "该账户没有登录名"))?;
        let key = self.personal_data.login_key(&login);
        self.accounts().count_attempt(&key).await?;
        if !accounts::verify_password(current, &user.password_hash) {
            return Err(DomainError::invalid("current_password", "当前密码不正确"));
        }
        self.store.clear_login_attempts(&key).await?;
        let profile = self.profile_of(user.id).await?;
        let password = self
            .new_password(&user, new, profile, "new_password")
            .await?;
        let now = self.now();
        self.store
            .change_password(PasswordChange {
                user: user.id,
                password_hash: password.hash()?,
                at: now,
                keep_session: Some(token.id),
                audit: AuditRecord {
                    actor: Some(user.id),
                    at: now,
                    action: "user.password_changed".into(),
                    target_kind: "user".into(),
                    target_id: user.id.to_string(),
                    region: user.region,
                    before: None,
                    after: Some(json!({ "other_sessions_ended": true })),
                },
            })
            .await?;
        Ok(())
    }

    /// Whether `user` is an administrator whose password is past its age (or must be
    /// changed): they act as an ordinary user until they change it.
    pub async fn expired(&self, user: UserId) -> DomainResult<bool> {
        let profile = self.profile_of(user).await?;
        if profile != PasswordProfile::Admin {
            return Ok(false);
        }
        let Some(changed) = self.store.password_changed_at(user).await? else {
            return Ok(false);
        };
        Ok(self.password_policy.expired(profile, changed, self.now()))
    }

    /// `actor` as requests see them: an administrator with an expired password without their
    /// admin grants. Only admins cost a lookup (kept between writes by the store).
    pub async fn expire_admin(&self, actor: Actor) -> DomainResult<Actor> {
        if !actor.is_admin() {
            return Ok(actor);
        }
        let Some(changed) = self.store.password_changed_at(actor.user_id).await? else {
            return Ok(actor);
        };
        if self
            .password_policy
            .expired(PasswordProfile::Admin, changed, self.now())
        {
            Ok(policy::without_admin_grants(actor))
        } else {
            Ok(actor)
        }
    }

    fn require_unlocker(&self, actor: &Actor) -> DomainResult<()> {
        // Not the audit administrator: it changes nothing.
        if actor.runs_regions() || actor.is_security_admin() {
            Ok(())
        } else {
            Err(DomainError::forbidden())
        }
    }

    /// The names locked now that `actor` may unlock.
    pub async fn lockouts(&self, actor: &Actor) -> DomainResult<Vec<Lockout>> {
        self.require_unlocker(actor)?;
        let names = self.store.locked_names(self.now()).await?;
        Ok(names
            .into_iter()
            .filter(|n| may_unlock(actor, n.user.map(|(_, r)| r)))
            .map(|n| Lockout {
                login: shown_key(&n.key, n.shown.as_deref()),
                name_ref: hash_token(&n.key),
                user_id: n.user.map(|(id, _)| id),
                locked_until: n.locked_until,
                level: n.level,
            })
            .collect())
    }

    /// Lifts a lock (its count and level too); audited as `user.unlocked`.
    pub async fn unlock(&self, actor: &Actor, target: UnlockTarget) -> DomainResult<()> {
        self.require_unlocker(actor)?;
        let now = self.now();
        let (names, account): (Vec<(String, String)>, Option<User>) =
            if let Some(id) = target.user_id {
                let user = self
                    .store
                    .user(id)
                    .await?
                    .ok_or_else(|| DomainError::NotFound("没有这个用户".into()))?;
                (keys_of(&self.personal_data, &user), Some(user))
            } else if let Some(raw) = target.login.as_deref() {
                let login = Login::parse(raw)?;
                let user = self.store.user_by_login(&login).await?;
                let shown = match &login {
                    Login::Phone(p) => p.masked(),
                    Login::Email(e) => e.masked(),
                };
                (vec![(self.personal_data.login_key(&login), shown)], user)
            } else if let Some(r) = target.name_ref.as_deref() {
                let found = self
                    .store
                    .locked_names(now)
                    .await?
                    .into_iter()
                    .find(|n| hash_token(&n.key) == r)
                    .ok_or_else(|| DomainError::NotFound("该登录名当前未被锁定".into()))?;
                let user = match found.user {
                    Some((id, _)) => self.store.user(id).await?,
                    None => None,
                };
                let shown = shown_key(&found.key, found.shown.as_deref());
                (vec![(found.key, shown)], user)
            } else {
                return Err(DomainError::invalid(
                    "login",
                    "请指定要解锁的登录名（login）或用户（user_id）",
                ));
            };
        let region = account.as_ref().and_then(|u| u.region);
        if !may_unlock(actor, account.as_ref().map(|u| u.region)) {
            return Err(DomainError::Forbidden(
                "只能解锁您所管理地区内账户的登录名".into(),
            ));
        }
        let audit = AuditRecord {
            actor: Some(actor.user_id),
            at: now,
            action: "user.unlocked".into(),
            target_kind: "user".into(),
            target_id: account
                .as_ref()
                .map(|u| u.id.to_string())
                .unwrap_or_default(),
            region,
            before: None,
            after: Some(json!({
                "logins": names.iter().map(|(_, shown)| shown).collect::<Vec<_>>(),
            })),
        };
        let keys = names.into_iter().map(|(key, _)| key).collect();
        if !self.store.unlock_names(keys, now, audit).await? {
            return Err(DomainError::NotFound("该登录名当前未被锁定".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permissions::Grant;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_security_admin_unlocks_all_region_admins_their_regions_accounts() {
        let system = Actor {
            user_id: UserId(1),
            grants: vec![Grant::SecurityAdmin],
        };
        let region = Actor {
            user_id: UserId(2),
            grants: vec![Grant::RegionAdmin(code("511623"))],
        };
        assert!(may_unlock(&system, None));
        assert!(may_unlock(&system, Some(None)));
        assert!(may_unlock(&region, Some(Some(code("511623")))));
        assert!(!may_unlock(&region, Some(Some(code("511621")))));
        assert!(
            !may_unlock(&region, Some(None)),
            "an account without a region"
        );
        assert!(!may_unlock(&region, None), "a name without an account");
    }
}
