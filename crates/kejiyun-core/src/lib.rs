//! Kejiyun's domain: validated value types, rules and state machines, the permission model and
//! the storage ports (each area's `ports` module). Nothing here does IO; the web and db crates
//! call these functions, and tests call them directly.

pub mod accounts;
pub mod app;
pub mod audit;
pub mod auth;
pub mod banned_words;
pub mod bases;
pub mod certificates;
pub mod contests;
pub mod error;
pub mod estations;
pub mod ids;
pub mod import;
pub mod market;
pub mod matching;
pub mod moderation;
pub mod notifications;
pub mod orgs;
pub mod paging;
pub mod permissions;
pub mod personal_data;
pub mod popsci;
pub mod ports;
pub mod profiles;
pub mod questions;
pub mod regions;
pub mod rotating_code;
pub mod search_ports;
pub mod stats;
pub mod stats_figures;
pub mod stats_series;
pub mod stats_summary;
pub mod tech_workers;
pub mod text;
pub mod time;
pub mod trainings;
pub mod uploads;
pub mod volunteers;

pub use error::{DomainError, DomainResult};
