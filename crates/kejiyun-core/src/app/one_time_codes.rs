//! One-time codes (验证码): asking for one, resetting a forgotten password with it, logging in
//! with it. The rules are `auth::one_time_codes`; every answer is the same whether or not the
//! login name has an account.

use serde_json::json;

use super::SignIn;
use crate::DomainError;
use crate::DomainResult;
use crate::accounts::{Login, Password};
use crate::audit::AuditRecord;
use crate::auth::one_time_codes::ports::{NewCode, PasswordReset};
use crate::auth::one_time_codes::{
    self as codes, Admission, CodeAttempt, CodePurpose, code_message, parse_code,
};
use crate::notifications::delivery::Contact;

use_cases!(
    OneTimeCodes,
    codes,
    "One-time codes: password reset and login by a code sent to the phone or e-mail"
);

impl OneTimeCodes<'_> {
    /// Sends a code for `purpose` to `login` (a phone number gets an SMS, an address an
    /// e-mail), unless the login name was sent one too recently (`TooFrequent`). A reset or
    /// login code goes only to a login name with an account, a registration code only to one
    /// without (`CodePurpose::wants_account`); the other case answers the same and is limited
    /// the same, but gets no code — a registration attempt on an existing account tells its
    /// owner instead.
    pub async fn request_code(&self, login: &str, purpose: CodePurpose) -> DomainResult<()> {
        let login = Login::parse(login)?;
        let key = self.personal_data.login_key(&login);
        let now = self.now();
        let user = self.store.user_by_login(&login).await?;
        let gets_code = user.is_some() == purpose.wants_account();
        let (code, salt, hash) = if gets_code {
            let c = codes::new_code(purpose, &key);
            (Some(c.code), c.salt, c.hash)
        } else {
            let (salt, hash) = codes::decoy();
            (None, salt, hash)
        };
        let new = NewCode {
            login_key: key,
            purpose,
            user: user.as_ref().map(|u| u.id),
            salt,
            hash,
            created_at: now,
            expires_at: now.plus_seconds(self.codes.ttl_secs),
        };
        if let Admission::Wait { secs } = self.store.issue_code(new, self.codes).await? {
            return Err(DomainError::TooFrequent { secs });
        }
        let message = match (&code, &user) {
            (Some(code), _) => code_message(purpose, code, &self.codes),
            (None, Some(_)) => codes::already_registered_message(),
            (None, None) => return Ok(()),
        };
        // The message goes to what was typed only: the channel the person has in hand.
        let contact = Contact {
            user: user.as_ref().map(|u| u.id),
            name: user.map(|u| u.display_name).unwrap_or_default(),
            phone: match &login {
                Login::Phone(p) => Some(p.as_str().to_owned()),
                Login::Email(_) => None,
            },
            email: match &login {
                Login::Email(e) => Some(e.as_str().to_owned()),
                Login::Phone(_) => None,
            },
        };
        if let Err(e) = self.sender.send(&contact, &message).await {
            // Answered as sent all the same: an error here would tell whether the account
            // exists. The person asks again after the minute.
            tracing::warn!(error = %e, purpose = purpose.as_str(), "sending a one-time code failed");
        }
        Ok(())
    }

    /// Sets a new password with a password-reset code. The new password must meet the policy
    /// (checked first, so a weak password does not spend an attempt). On success every session
    /// of the account ends, the login lockout of the name is lifted, and the audit log records
    /// it — in the transaction that uses the code.
    pub async fn reset_password(
        &self,
        login: &str,
        code: &str,
        new_password: &str,
    ) -> DomainResult<()> {
        let login = Login::parse(login)?;
        let code = parse_code(code)?;
        let password = Password::parse(new_password, &login)?;
        let user = self.store.user_by_login(&login).await?;
        // The account's own rules (the admin profile, the history) are told only to whoever
        // holds the code: refused, the code is judged (and spent) without the reset.
        if let Some(refused) = self.account_rules(user.as_ref(), new_password).await? {
            let attempt = CodeAttempt {
                login_key: self.personal_data.login_key(&login),
                purpose: CodePurpose::PasswordReset,
                code,
                user: user.as_ref().map(|u| u.id),
                at: self.now(),
            };
            let verdict = self.store.use_code(attempt, self.codes, None).await?;
            return Err(codes::refusal(verdict).unwrap_or_else(|| {
                DomainError::invalid(
                    "password",
                    format!("{refused}；本次验证码已失效，请重新获取验证码后再试"),
                )
            }));
        }
        // Hashed whether or not the account exists, so both take the same time.
        let password_hash = password.hash()?;
        let now = self.now();
        let channel = match &login {
            Login::Phone(_) => "phone",
            Login::Email(_) => "email",
        };
        let reset = user.as_ref().map(|u| PasswordReset {
            user: u.id,
            password_hash,
            audit: AuditRecord {
                actor: Some(u.id),
                at: now,
                action: "user.password_reset".into(),
                target_kind: "user".into(),
                target_id: u.id.to_string(),
                region: u.region,
                before: None,
                after: Some(json!({ "via": "one_time_code", "channel": channel })),
            },
        });
        let attempt = CodeAttempt {
            login_key: self.personal_data.login_key(&login),
            purpose: CodePurpose::PasswordReset,
            code,
            user: user.as_ref().map(|u| u.id),
            at: now,
        };
        let verdict = self.store.use_code(attempt, self.codes, reset).await?;
        match codes::refusal(verdict) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// What the account's profile and history say against `raw`, if anything. An unknown
    /// account spends the same Argon2 time, so the answer's timing does not tell it exists.
    async fn account_rules(
        &self,
        user: Option<&crate::accounts::User>,
        raw: &str,
    ) -> DomainResult<Option<DomainError>> {
        let Some(user) = user else {
            for _ in 0..self.password_policy.history {
                crate::accounts::verify_against_dummy(raw);
            }
            return Ok(None);
        };
        let profile = self.passwords().profile_of(user.id).await?;
        match self
            .passwords()
            .new_password(user, raw, profile, "password")
            .await
        {
            Ok(_) => Ok(None),
            Err(e @ DomainError::Invalid { .. }) => Ok(Some(e)),
            Err(e) => Err(e),
        }
    }

    /// Logs in with a login code: a session (or the second step) like the password login's. The entry counts as a
    /// sign-in attempt under the login lockout (a locked name stays locked, a wrong code
    /// counts as a failure, a success clears the count), besides the code's own attempt limit.
    pub async fn login_with_code(&self, login: &str, code: &str) -> DomainResult<SignIn> {
        let login = Login::parse(login)?;
        let code = parse_code(code)?;
        let key = self.personal_data.login_key(&login);
        self.accounts().count_attempt(&key).await?;
        let user = self.store.user_by_login(&login).await?;
        let attempt = CodeAttempt {
            login_key: key.clone(),
            purpose: CodePurpose::Login,
            code,
            user: user.as_ref().map(|u| u.id),
            at: self.now(),
        };
        let verdict = self.store.use_code(attempt, self.codes, None).await?;
        if let Some(e) = codes::refusal(verdict) {
            return Err(e);
        }
        // Accepted means the code's account is `user` (`CodePolicy::judge`).
        let Some(user) = user else {
            return Err(DomainError::Internal(
                "an accepted one-time code without its account".into(),
            ));
        };
        self.accounts().signed_in(user, &key).await
    }

    /// Deletes what no limit counts and no one can use any more (the sweeper, hourly);
    /// returns how many codes.
    pub async fn prune_codes(&self) -> DomainResult<u64> {
        let before = self.codes.history_start(self.now());
        Ok(self.store.prune_codes(before).await?)
    }
}
