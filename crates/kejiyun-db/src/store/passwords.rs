//! [`PasswordStore`] over `users.password_changed_at`, `password_history` and the locks in
//! `login_attempts`.

use std::collections::HashMap;

use async_trait::async_trait;
use kejiyun_core::accounts::Phone;
use kejiyun_core::accounts::password_policy::{
    LockedName, MAX_HISTORY, MUST_CHANGE, PasswordChange, PasswordStore,
};
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::auth::TokenKind;
use kejiyun_core::ids::UserId;
use kejiyun_core::personal_data::fields;
use kejiyun_core::ports::StoreResult;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::sealing::Sealing;
use super::{SeaStore, audit, begin_write, corrupt, db_err, parse_region};
use crate::entities::{auth_tokens, login_attempts, password_history, users};

/// Keeps the account's current hash in its history (the oldest beyond [`MAX_HISTORY`] go),
/// before the caller replaces it, and stamps the change.
pub(super) async fn remember_current<C: ConnectionTrait>(
    txn: &C,
    user: UserId,
    at: Timestamp,
) -> StoreResult<()> {
    use password_history::Column as H;
    let current: Option<String> = users::Entity::find_by_id(user.0)
        .select_only()
        .column(users::Column::PasswordHash)
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    let Some(hash) = current else {
        return Err(corrupt("user of a password change", &user.to_string()));
    };
    password_history::Entity::insert(password_history::ActiveModel {
        user_id: Set(user.0),
        password_hash: Set(hash),
        replaced_at: Set(at.micros()),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await
    .map_err(db_err)?;
    let old: Vec<i64> = password_history::Entity::find()
        .select_only()
        .column(H::Id)
        .filter(H::UserId.eq(user.0))
        .order_by_desc(H::Id)
        .offset(u64::from(MAX_HISTORY))
        .limit(1000)
        .into_tuple()
        .all(txn)
        .await
        .map_err(db_err)?;
    if !old.is_empty() {
        password_history::Entity::delete_many()
            .filter(H::Id.is_in(old))
            .exec(txn)
            .await
            .map_err(db_err)?;
    }
    users::Entity::update_many()
        .col_expr(users::Column::PasswordChangedAt, Expr::value(at.micros()))
        .filter(users::Column::Id.eq(user.0))
        .exec(txn)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn change_password(db: &DatabaseConnection, c: PasswordChange) -> StoreResult<()> {
    let txn = begin_write(db).await?;
    remember_current(&txn, c.user, c.at).await?;
    users::Entity::update_many()
        .col_expr(users::Column::PasswordHash, Expr::value(c.password_hash))
        .col_expr(users::Column::UpdatedAt, Expr::value(c.at.micros()))
        .filter(users::Column::Id.eq(c.user.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    // The other sessions end: whoever else held one (a stolen cookie) is out.
    let mut others = auth_tokens::Entity::update_many()
        .col_expr(auth_tokens::Column::RevokedAt, Expr::value(c.at.micros()))
        .filter(auth_tokens::Column::UserId.eq(c.user.0))
        .filter(auth_tokens::Column::Kind.eq(TokenKind::Session.as_str()))
        .filter(auth_tokens::Column::RevokedAt.is_null());
    if let Some(keep) = c.keep_session {
        others = others.filter(auth_tokens::Column::Id.ne(keep.0));
    }
    others.exec(&txn).await.map_err(db_err)?;
    audit::insert(&txn, &c.audit).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(())
}

async fn require_password_change(db: &DatabaseConnection, user: UserId) -> StoreResult<()> {
    users::Entity::update_many()
        .col_expr(
            users::Column::PasswordChangedAt,
            Expr::value(MUST_CHANGE.micros()),
        )
        .filter(users::Column::Id.eq(user.0))
        .exec(db)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn password_changed_at(
    db: &DatabaseConnection,
    user: UserId,
) -> StoreResult<Option<Timestamp>> {
    let row: Option<(Option<i64>, i64)> = users::Entity::find_by_id(user.0)
        .select_only()
        .columns([users::Column::PasswordChangedAt, users::Column::CreatedAt])
        .into_tuple()
        .one(db)
        .await
        .map_err(db_err)?;
    Ok(row.map(|(changed, created)| Timestamp(changed.unwrap_or(created))))
}

async fn recent_password_hashes(
    db: &DatabaseConnection,
    user: UserId,
    n: u32,
) -> StoreResult<Vec<String>> {
    use password_history::Column as H;
    if n == 0 {
        return Ok(Vec::new());
    }
    let current: Option<String> = users::Entity::find_by_id(user.0)
        .select_only()
        .column(users::Column::PasswordHash)
        .into_tuple()
        .one(db)
        .await
        .map_err(db_err)?;
    let mut hashes: Vec<String> = current.into_iter().collect();
    let older: Vec<String> = password_history::Entity::find()
        .select_only()
        .column(H::PasswordHash)
        .filter(H::UserId.eq(user.0))
        .order_by_desc(H::Id)
        .limit(u64::from(n.saturating_sub(1)))
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    hashes.extend(older);
    Ok(hashes)
}

/// An account's id, phone's blind index, sealed phone, e-mail and region.
type AccountKeys = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

async fn locked_names(
    db: &DatabaseConnection,
    sealing: &Sealing,
    now: Timestamp,
) -> StoreResult<Vec<LockedName>> {
    use login_attempts::Column as L;
    let rows: Vec<(String, i64, i64)> = login_attempts::Entity::find()
        .select_only()
        .columns([L::LoginKey, L::LockLevel, L::LockedUntil])
        .filter(L::LockedUntil.gt(now.micros()))
        .order_by_asc(L::LockedUntil)
        .limit(1000)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // A key is a phone's blind index (the account's `phone_blind`) or an e-mail address.
    let keys: Vec<&str> = rows.iter().map(|(k, _, _)| k.as_str()).collect();
    let accounts: Vec<AccountKeys> = users::Entity::find()
        .select_only()
        .columns([
            users::Column::Id,
            users::Column::PhoneBlind,
            users::Column::Phone,
            users::Column::Email,
            users::Column::Region,
        ])
        .filter(
            Condition::any()
                .add(users::Column::PhoneBlind.is_in(keys.clone()))
                .add(users::Column::Email.is_in(keys)),
        )
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    let mut by_key = HashMap::new();
    for (id, phone_blind, phone, email, region) in accounts {
        let region = region.as_deref().map(parse_region).transpose()?;
        if let (Some(blind), Some(stored)) = (phone_blind, phone) {
            let plain = sealing.open(fields::USER_PHONE, &stored)?;
            let shown = Phone::parse(&plain)
                .map(|p| p.masked())
                .map_err(|_| corrupt("phone", "***"))?;
            by_key.insert(blind, (UserId(id), region, Some(shown)));
        }
        if let Some(e) = email {
            by_key.insert(e, (UserId(id), region, None));
        }
    }
    Ok(rows
        .into_iter()
        .map(|(key, level, until)| {
            let (user, shown) = match by_key.get(&key) {
                Some((id, region, shown)) => (Some((*id, *region)), shown.clone()),
                None => (None, None),
            };
            LockedName {
                user,
                shown,
                key,
                locked_until: Timestamp(until),
                level: u32::try_from(level).unwrap_or(0),
            }
        })
        .collect())
}

async fn unlock_names(
    db: &DatabaseConnection,
    keys: Vec<String>,
    now: Timestamp,
    audit_record: AuditRecord,
) -> StoreResult<bool> {
    use login_attempts::Column as L;
    let txn = begin_write(db).await?;
    let lifted = login_attempts::Entity::delete_many()
        .filter(L::LoginKey.is_in(keys))
        .filter(L::LockedUntil.gt(now.micros()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if lifted.rows_affected == 0 {
        txn.rollback().await.map_err(db_err)?;
        return Ok(false);
    }
    audit::insert(&txn, &audit_record).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(true)
}

#[async_trait]
impl PasswordStore for SeaStore {
    async fn password_changed_at(&self, user: UserId) -> StoreResult<Option<Timestamp>> {
        // Asked on every request of an administrator: kept between writes, like the grants.
        self.cache
            .get_or_load(format!("password_changed|{}", user.0), || {
                password_changed_at(&self.reader, user)
            })
            .await
    }
    async fn recent_password_hashes(&self, user: UserId, n: u32) -> StoreResult<Vec<String>> {
        recent_password_hashes(&self.db, user, n).await
    }
    async fn change_password(&self, change: PasswordChange) -> StoreResult<()> {
        retry!(change_password(&self.db, change.clone()))
    }
    async fn require_password_change(&self, user: UserId) -> StoreResult<()> {
        retry!(require_password_change(&self.db, user))
    }
    async fn locked_names(&self, now: Timestamp) -> StoreResult<Vec<LockedName>> {
        locked_names(&self.reader, &self.sealing, now).await
    }
    async fn unlock_names(
        &self,
        keys: Vec<String>,
        now: Timestamp,
        audit: AuditRecord,
    ) -> StoreResult<bool> {
        retry!(unlock_names(&self.db, keys.clone(), now, audit.clone()))
    }
}
