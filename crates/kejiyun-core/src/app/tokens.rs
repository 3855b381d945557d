use crate::auth::{self, NewToken, TokenInfo, TokenKind};
use crate::ids::TokenId;
use crate::permissions::Actor;
use crate::text;
use crate::{DomainError, DomainResult};

use_cases!(Tokens, tokens, "API tokens");

impl Tokens<'_> {
    /// Creates an API token for integrations; the secret is returned once and never stored.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        name: &str,
        expires_in_days: Option<u32>,
    ) -> DomainResult<(String, TokenInfo)> {
        let name = text::bounded("name", "令牌名称", name, 1, 50, false)?;
        let now = self.now();
        let expires_at = match expires_in_days {
            None => None,
            Some(d) if (1..=3650).contains(&d) => Some(now.plus_seconds(i64::from(d) * 86_400)),
            Some(_) => {
                return Err(DomainError::invalid(
                    "expires_in_days",
                    "有效期须在 1 到 3650 天之间",
                ));
            }
        };
        let (secret, token_hash) = auth::new_token_secret();
        let id = self
            .store
            .create_token(NewToken {
                user_id: actor.user_id,
                kind: TokenKind::Api,
                name: name.clone(),
                token_hash,
                created_at: now,
                expires_at,
                // Trusted as far as its issuer was: an admin's token only while they are one
                // for this session (its second factor passed, or none required).
                second_factor: actor.is_admin(),
            })
            .await?;
        Ok((
            secret,
            TokenInfo {
                id,
                user_id: actor.user_id,
                kind: TokenKind::Api,
                name,
                created_at: now,
                expires_at,
                last_used_at: None,
                second_factor: actor.is_admin(),
                needs_second_factor: false,
            },
        ))
    }

    pub async fn list_api_tokens(&self, actor: &Actor) -> DomainResult<Vec<TokenInfo>> {
        Ok(self
            .store
            .list_tokens(actor.user_id, TokenKind::Api)
            .await?)
    }

    pub async fn revoke_api_token(&self, actor: &Actor, id: TokenId) -> DomainResult<()> {
        if self
            .store
            .revoke_token(actor.user_id, id, self.now())
            .await?
        {
            Ok(())
        } else {
            Err(DomainError::NotFound("令牌不存在或已撤销".into()))
        }
    }
}
