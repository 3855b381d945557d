//! The one integration-test binary: the real server on a free port, talking HTTP (and a real
//! browser); the store contract suite on every configured database backend.

mod api_access;
mod api_accounts;
mod api_errors;
mod api_market_ask;
mod api_market_input;
mod api_market_money;
mod api_market_openapi;
mod api_market_postings;
mod api_market_support;
mod api_market_tickets;
mod api_market_trade;
mod api_notifications;
mod api_query_text;
mod api_search;
mod api_stats;
mod api_stats_export;
mod bench_matching;
mod bench_search;
mod bench_smoke;
mod browser;
mod browser_market;
mod browser_stats;
mod cli;
mod moderation;
mod openapi;
mod permissions;
mod search_outbox;
mod store_contract;
mod store_market;
mod store_notifications;
mod store_stats;
mod store_stats_days;
