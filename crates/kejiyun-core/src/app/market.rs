//! Marketplace use cases: postings, inquiries, quotes, deals, caseworker tickets.

mod deals;
mod inquiries;
mod postings;
mod quotes;
mod tickets;

pub use deals::{DealInput, DealQuery, OfflineDealInput};
pub use postings::PostingQuery;
