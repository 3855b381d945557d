use serde_json::json;

use super::{Services, SignIn};
use crate::accounts::password_policy::{PasswordProfile, parse_password, profile_for};
use crate::accounts::{self, Login, NewUser, ProfileUpdate, Role, User};
use crate::audit::AuditRecord;
use crate::auth::one_time_codes::{self as codes, CodeAttempt, CodePurpose, Verdict};
use crate::auth::{self, NewToken, TokenKind, second_factor};
use crate::ids::UserId;
use crate::permissions::{Actor, Grant, separation_conflict};
use crate::ports::StoreError;
use crate::regions::RegionCode;
use crate::text;
use crate::{DomainError, DomainResult};

#[derive(Debug, Clone, Default)]
pub struct RegisterInput {
    pub login: String,
    pub password: String,
    pub display_name: String,
    pub region: Option<String>,
}

pub struct LoginOutcome {
    pub user: User,
    /// The user with their grants, as later requests will authenticate them.
    pub actor: Actor,
    /// The session secret: the cookie value and the bearer token.
    pub token: String,
    /// The session as later requests will find it (`needs_second_factor`: admin grants
    /// withheld from `actor` until it passes a second factor).
    pub session: auth::TokenInfo,
    pub expires_at: crate::time::Timestamp,
}

impl std::fmt::Debug for LoginOutcome {
    // The session secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginOutcome")
            .field("user", &self.user.id)
            .field("session", &self.session.id)
            .finish_non_exhaustive()
    }
}

/// What `kejiyun admin create` and the admin page ask for.
#[derive(Debug, Clone)]
pub struct AdminSpec {
    pub login: String,
    pub password: Option<String>,
    pub display_name: Option<String>,
    pub role: String,
    pub region: Option<String>,
}

use_cases!(
    Accounts,
    accounts,
    "Accounts: registration, sign-in, profiles, administrators"
);

impl Accounts<'_> {
    fn optional_region(&self, raw: Option<&str>) -> DomainResult<Option<RegionCode>> {
        match raw.map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => {
                let code = RegionCode::parse(s)?;
                self.deployment_region(code, "region")?;
                Ok(Some(code))
            }
        }
    }

    /// Registers an account for a login name that proved to be the registrant's: `code` is
    /// the registration code sent to it. A login name that already has an account was sent no
    /// code (its owner a notice), so its answer is a wrong code like any other: registration
    /// says nothing about who is registered. The form is checked before the code, so a typo in
    /// the password does not spend an attempt.
    pub async fn register(&self, input: RegisterInput, code: &str) -> DomainResult<UserId> {
        let user = self.new_user(input)?;
        let code = codes::parse_code(code)?;
        let existing = self.store.user_by_login(&user.login).await?;
        let attempt = CodeAttempt {
            login_key: self.personal_data.login_key(&user.login),
            purpose: CodePurpose::Register,
            code,
            user: existing.map(|u| u.id),
            at: self.now(),
        };
        let verdict = self.store.use_code(attempt, self.codes, None).await?;
        if let Some(e) = codes::refusal(verdict) {
            return Err(e);
        }
        self.store
            .create_user(user, self.now())
            .await
            .map_err(|e| match e {
                // Registered between the code and now (by the same person: the code went to
                // them): the code is spent, nothing new is revealed.
                StoreError::Conflict(_) => codes::refusal(Verdict::Dead)
                    .unwrap_or_else(|| DomainError::Conflict("该手机号或邮箱已注册".into())),
                other => other.into(),
            })
    }

    /// An account made by the operator (demo data, imports run on the server): the same
    /// checks as registration, without a code; a login name already registered is a conflict.
    pub async fn create_account(&self, input: RegisterInput) -> DomainResult<UserId> {
        let user = self.new_user(input)?;
        self.store
            .create_user(user, self.now())
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => DomainError::Conflict("该手机号或邮箱已注册".into()),
                other => other.into(),
            })
    }

    fn new_user(&self, input: RegisterInput) -> DomainResult<NewUser> {
        let login = Login::parse(&input.login)?;
        let password = parse_password(&input.password, &login, profile_for(&[], false))?;
        let display_name = accounts::display_name(&input.display_name)?;
        self.banned_words.check("display_name", &[&display_name])?;
        let region = self.optional_region(input.region.as_deref())?;
        Ok(NewUser {
            login,
            display_name,
            region,
            password_hash: password.hash()?,
        })
    }

    /// Checks the password under the lockout rule and opens a session, or, for an account
    /// with a second factor, answers its challenge. The attempt is counted before the password
    /// is checked, so parallel guesses each see the ones before them.
    pub async fn login(&self, login: &str, password: &str) -> DomainResult<SignIn> {
        let login = Login::parse(login)?;
        let key = self.personal_data.login_key(&login);
        self.count_attempt(&key).await?;
        let user = self.store.user_by_login(&login).await?;
        let ok = match &user {
            Some(u) => accounts::verify_password(password, &u.password_hash),
            None => {
                accounts::verify_against_dummy(password);
                false
            }
        };
        // A failure stays counted; a success forgets the count.
        let Some(user) = user.filter(|_| ok) else {
            return Err(DomainError::BadCredentials);
        };
        self.signed_in(user, &key).await
    }

    /// A right first factor for `user`: the second step's challenge if they have one (the
    /// count stays, so wrong codes add to it), else the count forgotten and a session.
    pub(super) async fn signed_in(&self, user: User, key: &str) -> DomainResult<SignIn> {
        if let Some(challenge) = self.second_factor().begin(&user, key).await? {
            return Ok(SignIn::SecondFactor(challenge));
        }
        self.store.clear_login_attempts(key).await?;
        Ok(SignIn::Session(Box::new(
            self.open_session(user, false).await?,
        )))
    }

    /// Counts a sign-in attempt (a password or a one-time code) for the login name `key` under
    /// the lockout rule, before the secret is checked; refused while the name is locked.
    pub(super) async fn count_attempt(&self, key: &str) -> DomainResult<()> {
        let now = self.now();
        let attempts = self
            .store
            .count_login_attempt(key, now, &self.lockout)
            .await?;
        if self.lockout.admits(attempts) {
            Ok(())
        } else {
            Err(DomainError::Locked {
                minutes: self.lockout.minutes_left(attempts, now),
            })
        }
    }

    /// A new session for `user`, who has just proved who they are (a password, a one-time
    /// code; `second_factor`: and a second factor).
    pub(super) async fn open_session(
        &self,
        user: User,
        second_factor: bool,
    ) -> DomainResult<LoginOutcome> {
        let now = self.now();
        let (token, token_hash) = auth::new_token_secret();
        let expires_at = now.plus_seconds(self.sessions.absolute_secs);
        let id = self
            .store
            .create_token(NewToken {
                user_id: user.id,
                kind: TokenKind::Session,
                name: "session".into(),
                token_hash,
                created_at: now,
                expires_at: Some(expires_at),
                second_factor,
            })
            .await?;
        let mut actor = Actor {
            user_id: user.id,
            grants: self.store.grants(user.id).await?,
        };
        let mut info = auth::TokenInfo {
            id,
            user_id: user.id,
            kind: TokenKind::Session,
            name: "session".into(),
            created_at: now,
            expires_at: Some(expires_at),
            last_used_at: None,
            second_factor,
            needs_second_factor: false,
        };
        info.needs_second_factor =
            second_factor::restrict(&mut actor, &info, self.admin_second_factor);
        Ok(LoginOutcome {
            session: info,
            user,
            actor,
            token,
            expires_at,
        })
    }

    /// Resolves a session cookie or bearer token to the caller.
    pub async fn authenticate(
        &self,
        secret: &str,
    ) -> DomainResult<Option<(Actor, crate::auth::TokenInfo)>> {
        if !secret.starts_with("kjy_") || secret.len() > 100 {
            return Ok(None);
        }
        let Some(mut info) = self
            .store
            .token_by_hash(&auth::hash_token(secret), self.now())
            .await?
        else {
            return Ok(None);
        };
        let grants = self.store.grants(info.user_id).await?;
        let actor = Actor {
            user_id: info.user_id,
            grants,
        };
        let mut actor = self.passwords().expire_admin(actor).await?;
        if self
            .sessions
            .idle_expired(&info, actor.is_admin(), self.now())
        {
            // Ended for good: a later request within the touch interval must not revive it.
            self.store
                .revoke_token(info.user_id, info.id, self.now())
                .await?;
            return Ok(None);
        }
        info.needs_second_factor =
            second_factor::restrict(&mut actor, &info, self.admin_second_factor);
        Ok(Some((actor, info)))
    }

    pub async fn logout(&self, actor: &Actor, token: &crate::auth::TokenInfo) -> DomainResult<()> {
        self.store
            .revoke_token(actor.user_id, token.id, self.now())
            .await?;
        Ok(())
    }

    pub async fn me(&self, actor: &Actor) -> DomainResult<User> {
        self.store
            .user(actor.user_id)
            .await?
            .ok_or(DomainError::Unauthenticated)
    }

    pub async fn update_profile(
        &self,
        actor: &Actor,
        display_name: &str,
        region: Option<&str>,
        bio: Option<&str>,
    ) -> DomainResult<User> {
        let update = ProfileUpdate {
            display_name: accounts::display_name(display_name)?,
            region: self.optional_region(region)?,
            bio: text::optional("bio", "个人简介", bio, 1000, true)?,
        };
        let mut texts = vec![update.display_name.as_str()];
        texts.extend(update.bio.as_deref());
        self.banned_words.check("bio", &texts)?;
        self.store
            .update_profile(actor.user_id, update, self.now())
            .await?;
        self.me(actor).await
    }

    /// The grant `role` (and `region`, for a region admin) names, if `by` may give or take it:
    /// through the web only the security administrator manages administrators, and only region
    /// and system admins; the security and audit administrators themselves are set by the
    /// operator on the server (`by` is `None`: `kejiyun admin create`), so no web account can
    /// make the account that audits it.
    fn manageable_grant(
        &self,
        by: Option<&Actor>,
        role: &str,
        region: Option<&str>,
    ) -> DomainResult<Grant> {
        if let Some(actor) = by
            && !actor.is_security_admin()
        {
            return Err(DomainError::Forbidden(
                "只有安全管理员可以设置或撤销管理员（三员分立）".into(),
            ));
        }
        let role = Role::parse(role.trim())?;
        let grant = match role {
            Role::SystemAdmin => Grant::SystemAdmin,
            Role::SecurityAdmin => Grant::SecurityAdmin,
            Role::AuditAdmin => Grant::AuditAdmin,
            Role::RegionAdmin => {
                let raw = region
                    .ok_or_else(|| DomainError::invalid("region", "地区管理员必须指定地区"))?;
                let code = RegionCode::parse(raw)?;
                self.deployment_region(code, "region")?;
                Grant::RegionAdmin(code)
            }
            _ => {
                return Err(DomainError::invalid(
                    "role",
                    "只能设置 region_admin、system_admin、security_admin 或 audit_admin",
                ));
            }
        };
        if by.is_some() && matches!(grant, Grant::SecurityAdmin | Grant::AuditAdmin) {
            return Err(DomainError::Forbidden(
                "安全管理员和审计管理员只能由运维人员在服务器上用 kejiyun admin create 设置".into(),
            ));
        }
        Ok(grant)
    }

    /// Creates (or promotes) an administrator. `by` is `None` when the operator runs the CLI,
    /// which may set any administrator role; through the web only the security administrator
    /// may, and only region and system admins (`manageable_grant`). An account holds at most
    /// one of the separated duties (三员分立), checked by the store in the grant's transaction.
    pub async fn create_admin(&self, by: Option<&Actor>, spec: AdminSpec) -> DomainResult<UserId> {
        let grant = self.manageable_grant(by, &spec.role, spec.region.as_deref())?;
        let role = grant.role();
        let login = Login::parse(&spec.login)?;
        let user_id = match self.store.user_by_login(&login).await? {
            // Its password was never checked against the admin profile: the new admin acts
            // as an ordinary user until they change it (`Passwords::expire_admin`).
            Some(u) => {
                let held = self.store.grants(u.id).await?;
                if held.contains(&grant) {
                    return Ok(u.id);
                }
                // Refused before anything changes (三员分立).
                if let Some(other) = separation_conflict(&held, grant) {
                    return Err(separation_refusal(other, role));
                }
                if self.passwords().profile_of(u.id).await? != PasswordProfile::Admin {
                    self.store.require_password_change(u.id).await?;
                }
                u.id
            }
            None => {
                let password = parse_password(
                    spec.password
                        .as_deref()
                        .ok_or_else(|| DomainError::invalid("password", "新账户需要设置密码"))?,
                    &login,
                    profile_for(&[], true),
                )?;
                let name = spec
                    .display_name
                    .clone()
                    .unwrap_or_else(|| format!("{}管理员", grant_label(self, grant)));
                let new = NewUser {
                    login,
                    display_name: accounts::display_name(&name)?,
                    region: match grant {
                        Grant::RegionAdmin(r) => Some(r),
                        _ => None,
                    },
                    password_hash: password.hash()?,
                };
                self.store.create_user(new, self.now()).await?
            }
        };
        let held = self.store.grants(user_id).await?;
        if held.contains(&grant) {
            return Ok(user_id);
        }
        if let Some(other) = separation_conflict(&held, grant) {
            return Err(separation_refusal(other, role));
        }
        let audit = self.grant_audit(by, "grant.add", user_id, grant);
        self.store
            .add_grant(user_id, grant, audit)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(message) => DomainError::Conflict(message),
                other => other.into(),
            })?;
        Ok(user_id)
    }

    /// The audit entry of a grant given (`grant.add`: the role after) or taken (`grant.revoke`:
    /// the role before).
    fn grant_audit(
        &self,
        by: Option<&Actor>,
        action: &str,
        user: UserId,
        grant: Grant,
    ) -> AuditRecord {
        let region = match grant {
            Grant::RegionAdmin(r) => Some(r),
            _ => None,
        };
        let role = Some(json!({
            "role": grant.role().as_str(),
            "region": region.map(|r| r.to_string()),
        }));
        let added = action == "grant.add";
        AuditRecord {
            actor: by.map(|a| a.user_id),
            at: self.now(),
            action: action.into(),
            target_kind: "user".into(),
            target_id: user.to_string(),
            region,
            before: if added { None } else { role.clone() },
            after: if added { role } else { None },
        }
    }

    /// Takes an administrator role away (staff who left, a role given by mistake): the same
    /// permission as giving it; audited. The account and its other roles stay.
    pub async fn revoke_admin(
        &self,
        by: Option<&Actor>,
        user: UserId,
        role: &str,
        region: Option<&str>,
    ) -> DomainResult<()> {
        let grant = self.manageable_grant(by, role, region)?;
        let audit = self.grant_audit(by, "grant.revoke", user, grant);
        self.store
            .revoke_grant(user, grant, audit)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => DomainError::NotFound("该账户没有这个管理员角色".into()),
                other => other.into(),
            })
    }
}

/// The refusal of a grant the separation of duties forbids.
fn separation_refusal(held: Role, wanted: Role) -> DomainError {
    DomainError::Conflict(format!(
        "三员分立：该账户已是{}，不能再担任{}",
        held.label_zh(),
        wanted.label_zh()
    ))
}

fn grant_label(s: &Services, g: Grant) -> String {
    match g {
        Grant::RegionAdmin(r) => s
            .regions
            .get(r)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| r.to_string()),
        Grant::SecurityAdmin => "安全".into(),
        Grant::AuditAdmin => "审计".into(),
        _ => "系统".into(),
    }
}
