//! Marketplace use cases: postings, inquiries, quotes, deals, caseworker tickets.

mod deals;
mod inquiries;
mod postings;
mod quotes;
mod tickets;

pub use deals::{DealInput, DealQuery, Deals, OfflineDealInput};
pub use inquiries::Inquiries;
pub use postings::{PostingQuery, Postings};
pub use quotes::Quotes;
pub use tickets::Tickets;
