//! The second factor (动态口令): enrolment, recovery codes, the second step of a login, and an
//! administrator's reset. The rules are `auth::second_factor`.

use serde_json::json;

use super::LoginOutcome;
use crate::accounts::User;
use crate::audit::AuditRecord;
use crate::auth::TokenInfo;
use crate::auth::TokenKind;
use crate::auth::second_factor::ports::{Enable, NewChallenge, NewRecoveryCode};
use crate::auth::second_factor::{
    self as sf, CodeVerdict, EnteredCode, SecondFactorStatus, StoredFactor,
};
use crate::ids::UserId;
use crate::permissions::Actor;
use crate::time::Timestamp;
use crate::{DomainError, DomainResult};

use_cases!(
    SecondFactor,
    second_factor,
    "The second factor: TOTP enrolment, recovery codes, the login's second step, resets"
);

/// A started enrolment: the secret, shown this once.
#[derive(Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// Base32, for typing into an authenticator app.
    pub secret: String,
    /// `otpauth://totp/…`, for scanning.
    pub uri: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(..)")
    }
}

/// The second step a login waits for: the challenge secret (shown once) and its expiry.
#[derive(Clone, PartialEq, Eq)]
pub struct Challenge {
    pub token: String,
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Challenge(..)")
    }
}

/// What a right password (or login code) leads to.
#[derive(Debug)]
pub enum SignIn {
    /// A session (the account has no second factor).
    Session(Box<LoginOutcome>),
    /// The account has one: its code is asked for next.
    SecondFactor(Challenge),
}

impl SignIn {
    /// The session, where a caller has no second step to offer (tools, benchmarks).
    pub fn into_session(self) -> DomainResult<LoginOutcome> {
        match self {
            Self::Session(o) => Ok(*o),
            Self::SecondFactor(_) => Err(DomainError::Forbidden(
                "该账号已启用动态口令，请在登录页完成第二步".into(),
            )),
        }
    }
}

fn wrong_code() -> DomainError {
    DomainError::invalid("code", "动态口令不正确")
}

fn replayed_code() -> DomainError {
    DomainError::invalid("code", "这个动态口令已经用过，请等验证器显示下一个口令")
}

fn dead_challenge() -> DomainError {
    DomainError::invalid("challenge", "登录验证已过期或失效，请重新输入密码登录")
}

/// Who may reset another person's second factor (a lost phone and codes).
pub fn may_reset(actor: &Actor) -> bool {
    // 三员分立: account security is the security administrator's.
    actor.is_security_admin()
}

impl SecondFactor<'_> {
    fn audit(&self, actor: Option<UserId>, user: &User, action: &str) -> AuditRecord {
        AuditRecord {
            actor,
            at: self.now(),
            action: format!("user.second_factor.{action}"),
            target_kind: "user".into(),
            target_id: user.id.to_string(),
            region: user.region,
            before: None,
            after: None,
        }
    }

    async fn user(&self, id: UserId) -> DomainResult<User> {
        self.store
            .user(id)
            .await?
            .ok_or(DomainError::Unauthenticated)
    }

    /// Whether the account holds admin grants the policy requires a second factor for (read
    /// afresh: an actor may have had them withheld).
    async fn required_of(&self, user: UserId) -> DomainResult<bool> {
        let actor = Actor {
            user_id: user,
            grants: self.store.grants(user).await?,
        };
        Ok(self.admin_second_factor.requires(&actor))
    }

    async fn enabled_factor(&self, user: UserId) -> DomainResult<Option<StoredFactor>> {
        Ok(self
            .store
            .second_factor(user)
            .await?
            .filter(|f| f.enabled_at.is_some()))
    }

    fn open_secret(&self, factor: &StoredFactor) -> DomainResult<Vec<u8>> {
        let text = self
            .personal_data
            .open(sf::SECRET_FIELD, &factor.sealed_secret)?;
        sf::secret_from_base32(&text)
            .map_err(|_| DomainError::Internal("stored second factor secret".into()))
    }

    /// Checks a TOTP code of `factor`: the step it matched, or the form's error.
    fn check(&self, factor: &StoredFactor, code: &str) -> DomainResult<i64> {
        let secret = self.open_secret(factor)?;
        match sf::judge_code(&secret, code, self.now(), factor.last_step) {
            CodeVerdict::Accepted { step } => Ok(step),
            CodeVerdict::Replayed => Err(replayed_code()),
            CodeVerdict::Wrong => Err(wrong_code()),
        }
    }

    /// The caller's second factor as `/api/v1/me` tells it; `token` is the session asking.
    pub async fn status(
        &self,
        user: UserId,
        token: &TokenInfo,
    ) -> DomainResult<SecondFactorStatus> {
        self.status_of(user, token.second_factor).await
    }

    pub(super) async fn status_of(
        &self,
        user: UserId,
        passed: bool,
    ) -> DomainResult<SecondFactorStatus> {
        Ok(SecondFactorStatus {
            enabled: self.enabled_factor(user).await?.is_some(),
            required: self.required_of(user).await?,
            satisfied: passed,
        })
    }

    /// How many unused recovery codes the caller has left.
    pub async fn recovery_codes_left(&self, actor: &Actor) -> DomainResult<usize> {
        Ok(self.store.recovery_codes(actor.user_id).await?.len())
    }

    /// Starts enrolment (or starts it again, with a new secret): the secret is returned this
    /// once and stored only sealed. Refused once the factor is enabled.
    pub async fn start(&self, actor: &Actor) -> DomainResult<Enrolment> {
        let user = self.user(actor.user_id).await?;
        let account = user
            .phone
            .as_ref()
            .map(|p| p.as_str().to_owned())
            .or_else(|| user.email.as_ref().map(|e| e.as_str().to_owned()))
            .unwrap_or_else(|| format!("user {}", user.id));
        let secret = sf::new_secret();
        let text = sf::secret_base32(&secret);
        let uri = sf::otpauth_uri(&secret, &account)?;
        let sealed = self.personal_data.seal(sf::SECRET_FIELD, &text);
        if !self
            .store
            .start_second_factor(user.id, sealed, self.now())
            .await?
        {
            return Err(DomainError::Conflict("动态口令已启用".into()));
        }
        Ok(Enrolment { secret: text, uri })
    }

    /// Confirms enrolment with a current code: the factor is on, `session` counts as having
    /// passed it, and the ten recovery codes are returned this once.
    pub async fn confirm(
        &self,
        actor: &Actor,
        session: &TokenInfo,
        code: &str,
    ) -> DomainResult<Vec<String>> {
        let code = sf::parse_totp(code)?;
        let user = self.user(actor.user_id).await?;
        let factor = match self.store.second_factor(user.id).await? {
            None => {
                return Err(DomainError::Conflict(
                    "请先开始设置动态口令，再输入验证器显示的口令".into(),
                ));
            }
            Some(f) if f.enabled_at.is_some() => {
                return Err(DomainError::Conflict("动态口令已启用".into()));
            }
            Some(f) => f,
        };
        let step = self.check(&factor, &code)?;
        let codes = sf::new_recovery_codes();
        let enable = Enable {
            user: user.id,
            step,
            codes: stored(&codes),
            session: (session.kind == TokenKind::Session).then_some(session.id),
            audit: self.audit(Some(user.id), &user, "enabled"),
        };
        if !self.store.enable_second_factor(enable, self.now()).await? {
            return Err(replayed_code());
        }
        Ok(codes.into_iter().map(|c| c.shown).collect())
    }

    /// Replaces the recovery codes (a current code needed); the new ones are returned once.
    pub async fn regenerate(&self, actor: &Actor, code: &str) -> DomainResult<Vec<String>> {
        let code = sf::parse_totp(code)?;
        let user = self.user(actor.user_id).await?;
        let factor = self
            .enabled_factor(user.id)
            .await?
            .ok_or_else(|| DomainError::Conflict("尚未启用动态口令".into()))?;
        let step = self.check(&factor, &code)?;
        let codes = sf::new_recovery_codes();
        let audit = self.audit(Some(user.id), &user, "recovery_regenerated");
        if !self
            .store
            .replace_recovery_codes(user.id, step, stored(&codes), self.now(), audit)
            .await?
        {
            return Err(replayed_code());
        }
        Ok(codes.into_iter().map(|c| c.shown).collect())
    }

    /// Turns the factor off (a current code needed); refused to an administrator while the
    /// policy requires it.
    pub async fn disable(&self, actor: &Actor, code: &str) -> DomainResult<()> {
        let code = sf::parse_totp(code)?;
        let user = self.user(actor.user_id).await?;
        if self.required_of(user.id).await? {
            return Err(DomainError::Forbidden(
                "管理员必须使用动态口令，不能关闭".into(),
            ));
        }
        let factor = self
            .enabled_factor(user.id)
            .await?
            .ok_or_else(|| DomainError::Conflict("尚未启用动态口令".into()))?;
        let step = self.check(&factor, &code)?;
        let audit = self.audit(Some(user.id), &user, "disabled");
        if !self
            .store
            .remove_second_factor(user.id, Some(step), false, self.now(), audit)
            .await?
        {
            return Err(replayed_code());
        }
        Ok(())
    }

    /// Another administrator removes `user`'s factor (a lost phone and lost codes): their
    /// sessions end, and they enrol again at their next login.
    pub async fn reset(&self, by: &Actor, user: UserId) -> DomainResult<()> {
        if !may_reset(by) {
            return Err(DomainError::Forbidden(
                "只有安全管理员可以重置他人的动态口令".into(),
            ));
        }
        let target = self
            .store
            .user(user)
            .await?
            .ok_or_else(|| DomainError::NotFound("用户不存在".into()))?;
        let audit = self.audit(Some(by.user_id), &target, "reset");
        if !self
            .store
            .remove_second_factor(target.id, None, true, self.now(), audit)
            .await?
        {
            return Err(DomainError::NotFound("该用户没有设置动态口令".into()));
        }
        Ok(())
    }

    /// After a right password or login code for `user` (whose login name is `key`): a
    /// challenge if they have the factor, else `None` (a session may open).
    pub(super) async fn begin(&self, user: &User, key: &str) -> DomainResult<Option<Challenge>> {
        if self.enabled_factor(user.id).await?.is_none() {
            return Ok(None);
        }
        let now = self.now();
        let (token, hash) = sf::new_challenge();
        let expires_at = now.plus_seconds(sf::CHALLENGE_TTL_SECS);
        self.store
            .create_challenge(NewChallenge {
                user: user.id,
                login_key: key.to_owned(),
                hash,
                created_at: now,
                expires_at,
            })
            .await?;
        Ok(Some(Challenge { token, expires_at }))
    }

    /// The second step of a login: a TOTP code or a recovery code for the challenge. A wrong
    /// code counts under the login lockout of the login name and against the challenge,
    /// which dies after five.
    pub async fn login(&self, challenge: &str, code: &str) -> DomainResult<LoginOutcome> {
        let challenge = challenge.trim();
        if !challenge.starts_with("kjc_") || challenge.len() > 100 {
            return Err(dead_challenge());
        }
        let entry = sf::parse_entry(code)?;
        let now = self.now();
        let Some(found) = self
            .store
            .challenge_by_hash(&crate::auth::hash_token(challenge))
            .await?
            .filter(|c| c.live(now))
        else {
            return Err(dead_challenge());
        };
        self.accounts().count_attempt(&found.login_key).await?;
        let user = self.user(found.user).await?;
        let factor = self
            .enabled_factor(user.id)
            .await?
            .ok_or_else(dead_challenge)?;
        let verdict = match &entry {
            EnteredCode::Totp(code) => match self.check(&factor, code) {
                Ok(step) => {
                    if self.store.use_second_factor_step(user.id, step).await? {
                        Ok(())
                    } else {
                        Err(replayed_code())
                    }
                }
                Err(e) => Err(e),
            },
            EnteredCode::Recovery(code) => {
                let stored = self.store.recovery_codes(user.id).await?;
                match sf::matching_recovery(&stored, code) {
                    Some(id) => {
                        let audit = AuditRecord {
                            after: Some(json!({ "left": stored.len().saturating_sub(1) })),
                            ..self.audit(Some(user.id), &user, "recovery_used")
                        };
                        if self
                            .store
                            .use_recovery_code(user.id, id, now, audit)
                            .await?
                        {
                            Ok(())
                        } else {
                            Err(wrong_recovery())
                        }
                    }
                    None => Err(wrong_recovery()),
                }
            }
        };
        if let Err(e) = verdict {
            self.store.challenge_wrong(found.id).await?;
            return Err(e);
        }
        if !self.store.consume_challenge(found.id, now).await? {
            return Err(dead_challenge());
        }
        self.store.clear_login_attempts(&found.login_key).await?;
        self.accounts().open_session(user, true).await
    }

    /// Deletes challenges no one can use any more (the sweeper).
    pub async fn prune_challenges(&self) -> DomainResult<u64> {
        let before = self.now().plus_seconds(-sf::CHALLENGE_TTL_SECS);
        Ok(self.store.prune_challenges(before).await?)
    }
}

fn wrong_recovery() -> DomainError {
    DomainError::invalid("code", "恢复码不正确或已使用")
}

fn stored(codes: &[sf::RecoveryCode]) -> Vec<NewRecoveryCode> {
    codes
        .iter()
        .map(|c| NewRecoveryCode {
            salt: c.salt.clone(),
            hash: c.hash.clone(),
        })
        .collect()
}
