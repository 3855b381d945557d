//! The storage port of sign-in: the login lockout's counts, sessions and API tokens.

use async_trait::async_trait;

use crate::auth::{LockoutPolicy, LoginAttempts, NewToken, TokenInfo, TokenKind};
use crate::ids::{TokenId, UserId};
use crate::ports::StoreResult;
use crate::time::Timestamp;

#[async_trait]
pub trait AuthStore: Send + Sync {
    // Login lockout.
    /// Counts one login attempt for `key`, before its password is checked, in one transaction
    /// that locks the key's count: of concurrent attempts the n-th sees n
    /// ([`LoginAttempts::next`](crate::auth::LoginAttempts::next) under `policy`: windows,
    /// locks and their growing length).
    async fn count_login_attempt(
        &self,
        key: &str,
        now: Timestamp,
        policy: &LockoutPolicy,
    ) -> StoreResult<LoginAttempts>;
    /// A successful login forgets the key's count and lock level.
    async fn clear_login_attempts(&self, key: &str) -> StoreResult<()>;

    // Sessions and API tokens.
    async fn create_token(&self, token: NewToken) -> StoreResult<TokenId>;
    /// The live (unrevoked, unexpired) token with this hash; records its use.
    async fn token_by_hash(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<TokenInfo>>;
    async fn list_tokens(&self, user: UserId, kind: TokenKind) -> StoreResult<Vec<TokenInfo>>;
    /// Revokes one of `user`'s tokens; `false` if there is no such live token.
    async fn revoke_token(&self, user: UserId, id: TokenId, at: Timestamp) -> StoreResult<bool>;
}
