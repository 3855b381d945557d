//! SeaORM row types, one module per table. Rows stay inside this crate: the store converts
//! them into `kejiyun-core` domain values.

pub mod audit_log;
pub mod auth_tokens;
pub mod login_failures;
pub mod moderation_queue;
pub mod orgs;
pub mod outbox;
pub mod regions;
pub mod tech_workers;
pub mod user_grants;
pub mod users;
