//! The append-only audit trail of administrative actions: who, when, what, before → after.

pub mod chain;
pub mod ports;

use serde_json::Value;

use crate::ids::{AuditId, UserId};
use crate::regions::RegionCode;
use crate::time::Timestamp;

/// What an administrative action records, written in the same transaction as the action.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// `None` for actions taken from the command line by the operator.
    pub actor: Option<UserId>,
    pub at: Timestamp,
    /// A dotted verb: `tech_worker.approve`, `org.reject`, `grant.add` …
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    /// The region the target belongs to, so region admins see their own region's trail.
    pub region: Option<RegionCode>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: AuditId,
    pub actor_name: Option<String>,
    pub record: AuditRecord,
}
