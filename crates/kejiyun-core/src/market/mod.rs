//! The marketplace: services, needs and achievements (postings), inquiries, quotes, deals and
//! caseworker tickets. Plain types and rules; the use cases are in `app::market`.

pub mod categories;
pub mod deals;
pub mod inquiries;
pub mod money;
pub mod ports;
pub mod postings;
pub mod quotes;
pub mod tickets;
