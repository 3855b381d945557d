//! SeaORM row types, one module per table. Rows stay inside this crate: the store converts
//! them into `kejiyun-core` domain values.

pub mod achievements;
pub mod answer_helpful;
pub mod answer_photos;
pub mod audit_log;
pub mod auth_tokens;
pub mod deal_evidence;
pub mod deals;
pub mod inquiries;
pub mod inquiry_messages;
pub mod login_attempts;
pub mod moderation_queue;
pub mod needs;
pub mod notification_preferences;
pub mod notifications;
pub mod one_time_code_keys;
pub mod one_time_codes;
pub mod orgs;
pub mod outbox;
pub mod outbox_horizon;
pub mod question_answers;
pub mod question_invitations;
pub mod question_photos;
pub mod questions;
pub mod quotes;
pub mod regions;
pub mod search_vectors;
pub mod services;
pub mod stat_series;
pub mod tech_workers;
pub mod ticket_follow_ups;
pub mod ticket_links;
pub mod tickets;
pub mod uploads;
pub mod user_grants;
pub mod users;
