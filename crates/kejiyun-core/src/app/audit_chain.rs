//! The audit log's hash chain (`audit::chain`): `kejiyun audit verify` and `kejiyun audit prune`.

use crate::audit::chain::{self, ChainReport};
use crate::permissions::Actor;
use crate::{DomainError, DomainResult};

use_cases!(
    AuditChain,
    audit_chain,
    "The audit log's hash chain: verify, prune"
);

/// 等保 level 3 keeps audit records at least six months: a shorter retention is refused.
pub const MIN_AUDIT_RETENTION_DAYS: i64 = 180;

impl AuditChain<'_> {
    /// Recomputes the chain from the pruned horizon to the head and reports the first fault
    /// (see [`chain::verify`]).
    pub async fn verify(&self) -> DomainResult<ChainReport> {
        Ok(chain::verify(self.store.as_ref()).await?)
    }

    /// [`Self::verify`] asked from the web: the audit administrator's (审计管理员) check, which
    /// the other administrators — whose actions the log records — may not run or read.
    pub async fn verify_as(&self, actor: &Actor) -> DomainResult<ChainReport> {
        if !actor.is_audit_admin() {
            return Err(DomainError::Forbidden(
                "只有审计管理员可以校验审计日志".into(),
            ));
        }
        self.verify().await
    }

    /// Deletes the entries older than `retention_days` (at least
    /// [`MIN_AUDIT_RETENTION_DAYS`]), oldest first, after checking the whole chain (a broken
    /// chain is not pruned: that could delete the evidence); the rest stays verifiable from the
    /// horizon the head keeps. Returns the entries deleted and the horizon's `seq`.
    pub async fn prune(&self, retention_days: i64) -> DomainResult<(u64, i64)> {
        if retention_days < MIN_AUDIT_RETENTION_DAYS {
            return Err(DomainError::invalid(
                "audit_retention_days",
                format!("审计记录至少保留 {MIN_AUDIT_RETENTION_DAYS} 天（等保三级：不少于六个月）"),
            ));
        }
        let report = self.verify().await?;
        if let Some(b) = report.broken {
            return Err(DomainError::Conflict(format!("审计链不完整，未清理：{b}")));
        }
        let before = self
            .now()
            .plus_seconds(-retention_days.saturating_mul(86_400));
        Ok(self.store.prune_audit(before).await?)
    }
}
