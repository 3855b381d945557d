//! A typed id per entity, so a user id can never be passed where an organization id is meant.

use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        // Generic code (the profile engine) stores and reads ids as the rows' integer keys.
        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

typed_id!(
    /// A registered person.
    UserId,
    /// A tech worker (科技工作者) profile.
    TechWorkerId,
    /// An organization.
    OrgId,
    /// A session or API token.
    TokenId,
    /// An audit log entry.
    AuditId,
);
