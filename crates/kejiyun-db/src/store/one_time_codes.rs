//! `OneTimeCodeStore`: one-time codes. A request for a code takes its login name's lock row,
//! so the sending limits are read and the code stored in one turn; an entry locks the newest
//! code of its name and purpose, so of concurrent entries of one code one only is accepted.

use async_trait::async_trait;
use kejiyun_core::auth::TokenKind;
use kejiyun_core::auth::one_time_codes::ports::{NewCode, OneTimeCodeStore, PasswordReset};
use kejiyun_core::auth::one_time_codes::{Admission, CodeAttempt, CodePolicy, StoredCode, Verdict};
use kejiyun_core::ids::UserId;
use kejiyun_core::ports::StoreResult;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::{SeaStore, audit, begin_write, corrupt, db_err};
use crate::entities::{auth_tokens, login_attempts, one_time_code_keys, one_time_codes, users};

/// Makes sure the login name's lock row exists and locks it. Created before it is locked, so
/// two first requests never both insert; tried twice, as the hourly pruning may delete the
/// row between the two statements.
async fn lock_key(txn: &DatabaseTransaction, key: &str) -> StoreResult<()> {
    use one_time_code_keys::Column as K;
    for _ in 0..2 {
        one_time_code_keys::Entity::insert(one_time_code_keys::ActiveModel {
            login_key: Set(key.to_owned()),
            last_sent_at: Set(0),
        })
        .on_conflict(
            OnConflict::column(K::LoginKey)
                .do_nothing_on([K::LoginKey])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await
        .map_err(db_err)?;
        let locked: Option<String> = one_time_code_keys::Entity::find()
            .select_only()
            .column(K::LoginKey)
            .filter(K::LoginKey.eq(key))
            .lock_exclusive()
            .into_tuple()
            .one(txn)
            .await
            .map_err(db_err)?;
        if locked.is_some() {
            return Ok(());
        }
    }
    Err(corrupt(
        "one-time code key",
        "a row created in this transaction is missing",
    ))
}

pub(super) async fn issue_code(
    db: &DatabaseConnection,
    code: NewCode,
    policy: CodePolicy,
) -> StoreResult<Admission> {
    use one_time_codes::Column as C;
    let now = code.created_at;
    let since = policy.history_start(now);
    let txn = begin_write(db).await?;
    lock_key(&txn, &code.login_key).await?;
    // What no limit counts any more and can no longer be used.
    one_time_codes::Entity::delete_many()
        .filter(C::LoginKey.eq(&code.login_key))
        .filter(C::CreatedAt.lte(since.micros()))
        .filter(C::ExpiresAt.lte(now.micros()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    let sent: Vec<i64> = one_time_codes::Entity::find()
        .select_only()
        .column(C::CreatedAt)
        .filter(C::LoginKey.eq(&code.login_key))
        .filter(C::CreatedAt.gt(since.micros()))
        .into_tuple()
        .all(&txn)
        .await
        .map_err(db_err)?;
    let sent: Vec<Timestamp> = sent.into_iter().map(Timestamp).collect();
    let admission = policy.admit(&sent, now);
    if admission == Admission::Send {
        one_time_codes::Entity::insert(one_time_codes::ActiveModel {
            login_key: Set(code.login_key.clone()),
            purpose: Set(code.purpose.as_str().to_owned()),
            user_id: Set(code.user.map(|u| u.0)),
            salt: Set(code.salt),
            code_hash: Set(code.hash),
            created_at: Set(now.micros()),
            expires_at: Set(code.expires_at.micros()),
            attempts: Set(0),
            used_at: Set(None),
            ..Default::default()
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_err)?;
        one_time_code_keys::Entity::update_many()
            .col_expr(
                one_time_code_keys::Column::LastSentAt,
                Expr::value(now.micros()),
            )
            .filter(one_time_code_keys::Column::LoginKey.eq(&code.login_key))
            .exec(&txn)
            .await
            .map_err(db_err)?;
    }
    // Committed either way: the pruning above is worth keeping.
    txn.commit().await.map_err(db_err)?;
    Ok(admission)
}

fn to_stored(m: &one_time_codes::Model) -> StoredCode {
    StoredCode {
        user: m.user_id.map(UserId),
        salt: m.salt.clone(),
        hash: m.code_hash.clone(),
        expires_at: Timestamp(m.expires_at),
        attempts: u32::try_from(m.attempts).unwrap_or(u32::MAX),
        used: m.used_at.is_some(),
    }
}

/// The accepted reset: the new password, the user's sessions ended, the name's lockout lifted,
/// the audit entry.
async fn apply_reset(
    txn: &DatabaseTransaction,
    reset: &PasswordReset,
    login_key: &str,
    at: Timestamp,
) -> StoreResult<()> {
    super::passwords::remember_current(txn, reset.user, at).await?;
    let changed = users::Entity::update_many()
        .col_expr(
            users::Column::PasswordHash,
            Expr::value(reset.password_hash.clone()),
        )
        .col_expr(users::Column::UpdatedAt, Expr::value(at.micros()))
        .filter(users::Column::Id.eq(reset.user.0))
        .exec(txn)
        .await
        .map_err(db_err)?;
    if changed.rows_affected != 1 {
        return Err(corrupt("user of a one-time code", &reset.user.to_string()));
    }
    auth_tokens::Entity::update_many()
        .col_expr(auth_tokens::Column::RevokedAt, Expr::value(at.micros()))
        .filter(auth_tokens::Column::UserId.eq(reset.user.0))
        .filter(auth_tokens::Column::Kind.eq(TokenKind::Session.as_str()))
        .filter(auth_tokens::Column::RevokedAt.is_null())
        .exec(txn)
        .await
        .map_err(db_err)?;
    login_attempts::Entity::delete_many()
        .filter(login_attempts::Column::LoginKey.eq(login_key))
        .exec(txn)
        .await
        .map_err(db_err)?;
    audit::insert(txn, &reset.audit).await
}

pub(super) async fn use_code(
    db: &DatabaseConnection,
    attempt: CodeAttempt,
    policy: CodePolicy,
    reset: Option<PasswordReset>,
) -> StoreResult<Verdict> {
    use one_time_codes::Column as C;
    let txn = begin_write(db).await?;
    let newest = one_time_codes::Entity::find()
        .filter(C::LoginKey.eq(&attempt.login_key))
        .filter(C::Purpose.eq(attempt.purpose.as_str()))
        .order_by_desc(C::Id)
        .limit(1)
        .lock_exclusive()
        .one(&txn)
        .await
        .map_err(db_err)?;
    let Some(row) = newest else {
        txn.commit().await.map_err(db_err)?;
        return Ok(Verdict::Dead);
    };
    let stored = to_stored(&row);
    let mut verdict = policy.judge(&stored, &attempt);
    // Conditional on the state judged: under the row lock it cannot have moved, and if it
    // ever did, this entry loses rather than two winning.
    let unchanged = |q: sea_orm::UpdateMany<one_time_codes::Entity>| {
        q.filter(C::Id.eq(row.id))
            .filter(C::UsedAt.is_null())
            .filter(C::Attempts.eq(row.attempts))
    };
    match verdict {
        Verdict::Accepted => {
            let used = unchanged(
                one_time_codes::Entity::update_many()
                    .col_expr(C::UsedAt, Expr::value(attempt.at.micros())),
            )
            .exec(&txn)
            .await
            .map_err(db_err)?;
            if used.rows_affected != 1 {
                verdict = Verdict::Dead;
            } else if let Some(reset) = &reset {
                if Some(reset.user) != stored.user {
                    // Never one account's code for another's password: nothing is kept.
                    return Err(corrupt(
                        "password reset",
                        "for another account than the code's",
                    ));
                }
                apply_reset(&txn, reset, &attempt.login_key, attempt.at).await?;
            }
        }
        Verdict::Wrong { .. } => {
            unchanged(
                one_time_codes::Entity::update_many()
                    .col_expr(C::Attempts, Expr::value(row.attempts.saturating_add(1))),
            )
            .exec(&txn)
            .await
            .map_err(db_err)?;
        }
        Verdict::Dead => {}
    }
    txn.commit().await.map_err(db_err)?;
    Ok(verdict)
}

pub(super) async fn prune_codes(db: &DatabaseConnection, before: Timestamp) -> StoreResult<u64> {
    use one_time_codes::Column as C;
    let txn = begin_write(db).await?;
    let codes = one_time_codes::Entity::delete_many()
        .filter(C::CreatedAt.lt(before.micros()))
        .filter(C::ExpiresAt.lt(before.micros()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    one_time_code_keys::Entity::delete_many()
        .filter(one_time_code_keys::Column::LastSentAt.lt(before.micros()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    txn.commit().await.map_err(db_err)?;
    Ok(codes.rows_affected)
}

#[async_trait]
impl OneTimeCodeStore for SeaStore {
    async fn issue_code(&self, code: NewCode, policy: CodePolicy) -> StoreResult<Admission> {
        retry!(issue_code(&self.db, code.clone(), policy))
    }

    async fn use_code(
        &self,
        attempt: CodeAttempt,
        policy: CodePolicy,
        reset: Option<PasswordReset>,
    ) -> StoreResult<Verdict> {
        retry!(use_code(&self.db, attempt.clone(), policy, reset.clone()))
    }

    async fn prune_codes(&self, before: Timestamp) -> StoreResult<u64> {
        retry!(prune_codes(&self.db, before))
    }
}
