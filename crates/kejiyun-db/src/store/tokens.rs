use async_trait::async_trait;
use kejiyun_core::auth::ports::AuthStore;
use kejiyun_core::auth::{LockoutPolicy, LoginAttempts, NewToken, TokenInfo, TokenKind};
use kejiyun_core::ids::{TokenId, UserId};
use kejiyun_core::ports::StoreResult;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::{SeaStore, begin_write, corrupt, db_err};
use crate::entities::{auth_tokens, login_attempts};

/// `last_used_at` is refreshed at most this often, so reads don't each cost a write.
const TOUCH_INTERVAL_SECS: i64 = 60;

/// Counts one attempt: makes sure the key's row exists, locks and reads it, and writes the
/// next state (count, window, lock and its level) back, in one transaction. Creating before
/// locking means two first attempts never both insert; the lock makes concurrent attempts take
/// their turn, so the n-th sees n.
pub(super) async fn count_login_attempt(
    db: &DatabaseConnection,
    key: &str,
    now: Timestamp,
    policy: &LockoutPolicy,
) -> StoreResult<LoginAttempts> {
    use login_attempts::Column as L;
    let txn = begin_write(db).await?;
    login_attempts::Entity::insert(login_attempts::ActiveModel {
        login_key: Set(key.to_owned()),
        attempts: Set(0),
        window_start: Set(now.micros()),
        lock_level: Set(0),
        locked_until: Set(None),
    })
    .on_conflict(
        OnConflict::column(L::LoginKey)
            .do_nothing_on([L::LoginKey])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await
    .map_err(db_err)?;
    let stored: Option<(i64, i64, i64, Option<i64>)> = login_attempts::Entity::find()
        .select_only()
        .columns([L::Attempts, L::WindowStart, L::LockLevel, L::LockedUntil])
        .filter(L::LoginKey.eq(key))
        .lock_exclusive()
        .into_tuple()
        .one(&txn)
        .await
        .map_err(db_err)?;
    let Some((attempts, since, level, locked_until)) = stored else {
        return Err(corrupt(
            "login attempts",
            "a row created in this transaction is missing",
        ));
    };
    let stored = LoginAttempts {
        count: u64::try_from(attempts).unwrap_or(0),
        since: Timestamp(since),
        level: u32::try_from(level).unwrap_or(0),
        locked_until: locked_until.map(Timestamp),
    };
    let next = LoginAttempts::next(Some(stored), now, policy);
    login_attempts::Entity::update_many()
        .col_expr(
            L::Attempts,
            Expr::value(i64::try_from(next.count).unwrap_or(i64::MAX)),
        )
        .col_expr(L::WindowStart, Expr::value(next.since.micros()))
        .col_expr(L::LockLevel, Expr::value(i64::from(next.level)))
        .col_expr(
            L::LockedUntil,
            Expr::value(next.locked_until.map(Timestamp::micros)),
        )
        .filter(L::LoginKey.eq(key))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    txn.commit().await.map_err(db_err)?;
    Ok(next)
}

pub(super) async fn clear_login_attempts(db: &DatabaseConnection, key: &str) -> StoreResult<()> {
    login_attempts::Entity::delete_many()
        .filter(login_attempts::Column::LoginKey.eq(key))
        .exec(db)
        .await
        .map_err(db_err)?;
    Ok(())
}

fn to_info(m: auth_tokens::Model) -> StoreResult<TokenInfo> {
    Ok(TokenInfo {
        id: TokenId(m.id),
        user_id: UserId(m.user_id),
        kind: TokenKind::parse(&m.kind).ok_or_else(|| corrupt("token kind", &m.kind))?,
        name: m.name,
        created_at: Timestamp(m.created_at),
        expires_at: m.expires_at.map(Timestamp),
        last_used_at: m.last_used_at.map(Timestamp),
        second_factor: m.second_factor,
        needs_second_factor: false,
    })
}

pub(super) async fn create_token(db: &DatabaseConnection, t: NewToken) -> StoreResult<TokenId> {
    let res = auth_tokens::Entity::insert(auth_tokens::ActiveModel {
        user_id: Set(t.user_id.0),
        kind: Set(t.kind.as_str().to_owned()),
        name: Set(t.name),
        token_hash: Set(t.token_hash),
        created_at: Set(t.created_at.micros()),
        expires_at: Set(t.expires_at.map(Timestamp::micros)),
        last_used_at: Set(None),
        revoked_at: Set(None),
        second_factor: Set(t.second_factor),
        ..Default::default()
    })
    .exec(db)
    .await
    .map_err(db_err)?;
    Ok(TokenId(res.last_insert_id))
}

fn live(now: Timestamp) -> Condition {
    Condition::all()
        .add(auth_tokens::Column::RevokedAt.is_null())
        .add(
            Condition::any()
                .add(auth_tokens::Column::ExpiresAt.is_null())
                .add(auth_tokens::Column::ExpiresAt.gt(now.micros())),
        )
}

/// The live token with this hash. Read on `reader`; the occasional `last_used_at` touch is
/// a write, on `writer`.
pub(super) async fn token_by_hash(
    reader: &DatabaseConnection,
    writer: &DatabaseConnection,
    token_hash: &str,
    now: Timestamp,
) -> StoreResult<Option<TokenInfo>> {
    let Some(row) = auth_tokens::Entity::find()
        .filter(auth_tokens::Column::TokenHash.eq(token_hash))
        .filter(live(now))
        .one(reader)
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    let stale = row
        .last_used_at
        .is_none_or(|t| now.micros() - t > TOUCH_INTERVAL_SECS * 1_000_000);
    if stale {
        auth_tokens::Entity::update_many()
            .col_expr(auth_tokens::Column::LastUsedAt, Expr::value(now.micros()))
            .filter(auth_tokens::Column::Id.eq(row.id))
            .exec(writer)
            .await
            .map_err(db_err)?;
    }
    to_info(row).map(Some)
}

pub(super) async fn list_tokens(
    db: &DatabaseConnection,
    user: UserId,
    kind: TokenKind,
) -> StoreResult<Vec<TokenInfo>> {
    auth_tokens::Entity::find()
        .filter(auth_tokens::Column::UserId.eq(user.0))
        .filter(auth_tokens::Column::Kind.eq(kind.as_str()))
        .filter(auth_tokens::Column::RevokedAt.is_null())
        .order_by_desc(auth_tokens::Column::Id)
        .all(db)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(to_info)
        .collect()
}

pub(super) async fn revoke_token(
    db: &DatabaseConnection,
    user: UserId,
    id: TokenId,
    at: Timestamp,
) -> StoreResult<bool> {
    let res = auth_tokens::Entity::update_many()
        .col_expr(auth_tokens::Column::RevokedAt, Expr::value(at.micros()))
        .filter(auth_tokens::Column::Id.eq(id.0))
        .filter(auth_tokens::Column::UserId.eq(user.0))
        .filter(auth_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .map_err(db_err)?;
    Ok(res.rows_affected > 0)
}

#[async_trait]
impl AuthStore for SeaStore {
    async fn count_login_attempt(
        &self,
        key: &str,
        now: Timestamp,
        policy: &LockoutPolicy,
    ) -> StoreResult<LoginAttempts> {
        retry!(count_login_attempt(&self.db, key, now, policy))
    }
    async fn clear_login_attempts(&self, key: &str) -> StoreResult<()> {
        retry!(clear_login_attempts(&self.db, key))
    }
    async fn create_token(&self, token: NewToken) -> StoreResult<TokenId> {
        retry!(create_token(&self.db, token.clone()))
    }
    async fn token_by_hash(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<TokenInfo>> {
        // Every request of a logged-in user asks this: kept between writes (`read_cache`; a
        // logout or revocation is a write). A kept token is still checked against its expiry.
        let key = format!("token|{token_hash}");
        let found = self
            .cache
            .get_or_load(key, || {
                token_by_hash(&self.reader, &self.db, token_hash, now)
            })
            .await?;
        Ok(found.filter(|t| t.expires_at.is_none_or(|e| e > now)))
    }
    async fn list_tokens(&self, user: UserId, kind: TokenKind) -> StoreResult<Vec<TokenInfo>> {
        list_tokens(&self.reader, user, kind).await
    }
    async fn revoke_token(&self, user: UserId, id: TokenId, at: Timestamp) -> StoreResult<bool> {
        retry!(revoke_token(&self.db, user, id, at))
    }
}
