//! `SecondFactorStore`: enrolments, recovery codes and login challenges. Every "once" (a TOTP
//! step, a recovery code, a challenge) is a conditional update whose affected row count says
//! whether this request won, so of concurrent uses one only succeeds.

use async_trait::async_trait;
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::auth::TokenKind;
use kejiyun_core::auth::second_factor::ports::{
    Enable, NewChallenge, NewRecoveryCode, SecondFactorStore,
};
use kejiyun_core::auth::second_factor::{StoredChallenge, StoredFactor, StoredRecoveryCode};
use kejiyun_core::ids::UserId;
use kejiyun_core::ports::StoreResult;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect,
};

use super::{SeaStore, audit, begin_write, db_err};
use crate::entities::{
    auth_tokens, second_factor_challenges, second_factor_recovery_codes, second_factors,
};

async fn factor(db: &DatabaseConnection, user: UserId) -> StoreResult<Option<StoredFactor>> {
    Ok(second_factors::Entity::find_by_id(user.0)
        .one(db)
        .await
        .map_err(db_err)?
        .map(|m| StoredFactor {
            sealed_secret: m.secret_sealed,
            enabled_at: m.enabled_at.map(Timestamp),
            last_step: m.last_step,
        }))
}

async fn start(
    db: &DatabaseConnection,
    user: UserId,
    sealed: String,
    at: Timestamp,
) -> StoreResult<bool> {
    use second_factors::Column as F;
    let txn = begin_write(db).await?;
    second_factors::Entity::insert(second_factors::ActiveModel {
        user_id: Set(user.0),
        secret_sealed: Set(sealed.clone()),
        created_at: Set(at.micros()),
        enabled_at: Set(None),
        last_step: Set(None),
    })
    .on_conflict(
        OnConflict::column(F::UserId)
            .do_nothing_on([F::UserId])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await
    .map_err(db_err)?;
    let enabled: Option<Option<i64>> = second_factors::Entity::find()
        .select_only()
        .column(F::EnabledAt)
        .filter(F::UserId.eq(user.0))
        .lock_exclusive()
        .into_tuple()
        .one(&txn)
        .await
        .map_err(db_err)?;
    if enabled.flatten().is_some() {
        txn.commit().await.map_err(db_err)?;
        return Ok(false);
    }
    second_factors::Entity::update_many()
        .col_expr(F::SecretSealed, Expr::value(sealed))
        .col_expr(F::CreatedAt, Expr::value(at.micros()))
        .filter(F::UserId.eq(user.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    txn.commit().await.map_err(db_err)?;
    Ok(true)
}

/// "The account's last used step is older than `step`".
fn step_is_new(step: i64) -> Condition {
    use second_factors::Column as F;
    Condition::any()
        .add(F::LastStep.is_null())
        .add(F::LastStep.lt(step))
}

/// Records `step` as the last used one of an enabled factor; `false` for a replay.
async fn take_step(txn: &DatabaseTransaction, user: UserId, step: i64) -> StoreResult<bool> {
    use second_factors::Column as F;
    let res = second_factors::Entity::update_many()
        .col_expr(F::LastStep, Expr::value(step))
        .filter(F::UserId.eq(user.0))
        .filter(F::EnabledAt.is_not_null())
        .filter(step_is_new(step))
        .exec(txn)
        .await
        .map_err(db_err)?;
    Ok(res.rows_affected == 1)
}

async fn put_codes(
    txn: &DatabaseTransaction,
    user: UserId,
    codes: &[NewRecoveryCode],
    at: Timestamp,
) -> StoreResult<()> {
    second_factor_recovery_codes::Entity::delete_many()
        .filter(second_factor_recovery_codes::Column::UserId.eq(user.0))
        .exec(txn)
        .await
        .map_err(db_err)?;
    if codes.is_empty() {
        return Ok(());
    }
    let rows = codes
        .iter()
        .map(|c| second_factor_recovery_codes::ActiveModel {
            user_id: Set(user.0),
            salt: Set(c.salt.clone()),
            code_hash: Set(c.hash.clone()),
            created_at: Set(at.micros()),
            used_at: Set(None),
            ..Default::default()
        });
    second_factor_recovery_codes::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn enable_factor(db: &DatabaseConnection, e: &Enable, at: Timestamp) -> StoreResult<bool> {
    use second_factors::Column as F;
    let txn = begin_write(db).await?;
    let res = second_factors::Entity::update_many()
        .col_expr(F::EnabledAt, Expr::value(at.micros()))
        .col_expr(F::LastStep, Expr::value(e.step))
        .filter(F::UserId.eq(e.user.0))
        .filter(F::EnabledAt.is_null())
        .filter(step_is_new(e.step))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected != 1 {
        return Ok(false);
    }
    put_codes(&txn, e.user, &e.codes, at).await?;
    if let Some(session) = e.session {
        // The session the factor was confirmed in has just passed it.
        auth_tokens::Entity::update_many()
            .col_expr(auth_tokens::Column::SecondFactor, Expr::value(true))
            .filter(auth_tokens::Column::Id.eq(session.0))
            .filter(auth_tokens::Column::UserId.eq(e.user.0))
            .exec(&txn)
            .await
            .map_err(db_err)?;
    }
    audit::insert(&txn, &e.audit).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(true)
}

async fn use_step(db: &DatabaseConnection, user: UserId, step: i64) -> StoreResult<bool> {
    let txn = begin_write(db).await?;
    let taken = take_step(&txn, user, step).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(taken)
}

async fn recovery_codes(
    db: &DatabaseConnection,
    user: UserId,
) -> StoreResult<Vec<StoredRecoveryCode>> {
    use second_factor_recovery_codes::Column as R;
    Ok(second_factor_recovery_codes::Entity::find()
        .filter(R::UserId.eq(user.0))
        .filter(R::UsedAt.is_null())
        .all(db)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|m| StoredRecoveryCode {
            id: m.id,
            salt: m.salt,
            hash: m.code_hash,
        })
        .collect())
}

async fn replace_codes(
    db: &DatabaseConnection,
    user: UserId,
    step: i64,
    codes: &[NewRecoveryCode],
    at: Timestamp,
    record: &AuditRecord,
) -> StoreResult<bool> {
    let txn = begin_write(db).await?;
    if !take_step(&txn, user, step).await? {
        return Ok(false);
    }
    put_codes(&txn, user, codes, at).await?;
    audit::insert(&txn, record).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(true)
}

async fn use_code(
    db: &DatabaseConnection,
    user: UserId,
    id: i64,
    at: Timestamp,
    record: &AuditRecord,
) -> StoreResult<bool> {
    use second_factor_recovery_codes::Column as R;
    let txn = begin_write(db).await?;
    let res = second_factor_recovery_codes::Entity::update_many()
        .col_expr(R::UsedAt, Expr::value(at.micros()))
        .filter(R::Id.eq(id))
        .filter(R::UserId.eq(user.0))
        .filter(R::UsedAt.is_null())
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected != 1 {
        return Ok(false);
    }
    audit::insert(&txn, record).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(true)
}

async fn remove(
    db: &DatabaseConnection,
    user: UserId,
    step: Option<i64>,
    end_sessions: bool,
    at: Timestamp,
    record: &AuditRecord,
) -> StoreResult<bool> {
    let txn = begin_write(db).await?;
    if let Some(step) = step
        && !take_step(&txn, user, step).await?
    {
        return Ok(false);
    }
    second_factor_recovery_codes::Entity::delete_many()
        .filter(second_factor_recovery_codes::Column::UserId.eq(user.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    second_factor_challenges::Entity::delete_many()
        .filter(second_factor_challenges::Column::UserId.eq(user.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    let removed = second_factors::Entity::delete_many()
        .filter(second_factors::Column::UserId.eq(user.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if removed.rows_affected != 1 {
        return Ok(false);
    }
    if end_sessions {
        auth_tokens::Entity::update_many()
            .col_expr(auth_tokens::Column::RevokedAt, Expr::value(at.micros()))
            .filter(auth_tokens::Column::UserId.eq(user.0))
            .filter(auth_tokens::Column::Kind.eq(TokenKind::Session.as_str()))
            .filter(auth_tokens::Column::RevokedAt.is_null())
            .exec(&txn)
            .await
            .map_err(db_err)?;
    }
    audit::insert(&txn, record).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(true)
}

async fn create_challenge(db: &DatabaseConnection, c: &NewChallenge) -> StoreResult<()> {
    second_factor_challenges::Entity::insert(second_factor_challenges::ActiveModel {
        challenge_hash: Set(c.hash.clone()),
        user_id: Set(c.user.0),
        login_key: Set(c.login_key.clone()),
        created_at: Set(c.created_at.micros()),
        expires_at: Set(c.expires_at.micros()),
        wrong: Set(0),
        used_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await
    .map_err(db_err)?;
    Ok(())
}

async fn challenge_by_hash(
    db: &DatabaseConnection,
    hash: &str,
) -> StoreResult<Option<StoredChallenge>> {
    Ok(second_factor_challenges::Entity::find()
        .filter(second_factor_challenges::Column::ChallengeHash.eq(hash))
        .one(db)
        .await
        .map_err(db_err)?
        .map(|m| StoredChallenge {
            id: m.id,
            user: UserId(m.user_id),
            login_key: m.login_key,
            expires_at: Timestamp(m.expires_at),
            wrong: u32::try_from(m.wrong).unwrap_or(u32::MAX),
            used: m.used_at.is_some(),
        }))
}

async fn challenge_wrong(db: &DatabaseConnection, id: i64) -> StoreResult<()> {
    use second_factor_challenges::Column as C;
    second_factor_challenges::Entity::update_many()
        .col_expr(C::Wrong, Expr::col(C::Wrong).add(1))
        .filter(C::Id.eq(id))
        .exec(db)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn consume_challenge(db: &DatabaseConnection, id: i64, at: Timestamp) -> StoreResult<bool> {
    use second_factor_challenges::Column as C;
    let res = second_factor_challenges::Entity::update_many()
        .col_expr(C::UsedAt, Expr::value(at.micros()))
        .filter(C::Id.eq(id))
        .filter(C::UsedAt.is_null())
        .exec(db)
        .await
        .map_err(db_err)?;
    Ok(res.rows_affected == 1)
}

async fn prune_challenges(db: &DatabaseConnection, before: Timestamp) -> StoreResult<u64> {
    let res = second_factor_challenges::Entity::delete_many()
        .filter(second_factor_challenges::Column::ExpiresAt.lt(before.micros()))
        .exec(db)
        .await
        .map_err(db_err)?;
    Ok(res.rows_affected)
}

#[async_trait]
impl SecondFactorStore for SeaStore {
    async fn second_factor(&self, user: UserId) -> StoreResult<Option<StoredFactor>> {
        // The writer: a step just used must be seen by the next check.
        factor(&self.db, user).await
    }
    async fn start_second_factor(
        &self,
        user: UserId,
        sealed_secret: String,
        at: Timestamp,
    ) -> StoreResult<bool> {
        retry!(start(&self.db, user, sealed_secret.clone(), at))
    }
    async fn enable_second_factor(&self, enable: Enable, at: Timestamp) -> StoreResult<bool> {
        retry!(enable_factor(&self.db, &enable, at))
    }
    async fn use_second_factor_step(&self, user: UserId, step: i64) -> StoreResult<bool> {
        retry!(use_step(&self.db, user, step))
    }
    async fn recovery_codes(&self, user: UserId) -> StoreResult<Vec<StoredRecoveryCode>> {
        recovery_codes(&self.db, user).await
    }
    async fn replace_recovery_codes(
        &self,
        user: UserId,
        step: i64,
        codes: Vec<NewRecoveryCode>,
        at: Timestamp,
        audit: AuditRecord,
    ) -> StoreResult<bool> {
        retry!(replace_codes(&self.db, user, step, &codes, at, &audit))
    }
    async fn use_recovery_code(
        &self,
        user: UserId,
        id: i64,
        at: Timestamp,
        audit: AuditRecord,
    ) -> StoreResult<bool> {
        retry!(use_code(&self.db, user, id, at, &audit))
    }
    async fn remove_second_factor(
        &self,
        user: UserId,
        step: Option<i64>,
        end_sessions: bool,
        at: Timestamp,
        audit: AuditRecord,
    ) -> StoreResult<bool> {
        retry!(remove(&self.db, user, step, end_sessions, at, &audit))
    }
    async fn create_challenge(&self, challenge: NewChallenge) -> StoreResult<()> {
        retry!(create_challenge(&self.db, &challenge))
    }
    async fn challenge_by_hash(&self, hash: &str) -> StoreResult<Option<StoredChallenge>> {
        challenge_by_hash(&self.db, hash).await
    }
    async fn challenge_wrong(&self, id: i64) -> StoreResult<()> {
        retry!(challenge_wrong(&self.db, id))
    }
    async fn consume_challenge(&self, id: i64, at: Timestamp) -> StoreResult<bool> {
        retry!(consume_challenge(&self.db, id, at))
    }
    async fn prune_challenges(&self, before: Timestamp) -> StoreResult<u64> {
        retry!(prune_challenges(&self.db, before))
    }
}
