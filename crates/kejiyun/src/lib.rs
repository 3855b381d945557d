//! The `kejiyun` binary's library half: configuration, wiring of the store, services and
//! router, the demo data, and the CLI commands. `main.rs` only parses arguments; tests start
//! servers through [`server::spawn`].

pub mod backup;
pub mod bench;
pub mod bench_corpus;
pub mod bench_freshness;
pub mod bench_import;
pub mod bench_pages;
pub mod bench_ranker;
pub mod bench_realistic;
pub mod bench_routing;
pub mod bench_search;
pub mod bench_search_table;
pub mod bench_strong;
pub mod bench_views;
pub mod cli;
pub mod config;
pub mod demo;
mod demo_estations;
mod demo_history;
mod demo_market;
mod demo_phrases;
mod demo_popsci;
mod demo_replay;
mod demo_trainings;
mod demo_volunteers;
pub mod keys;
pub mod loadgen;
pub mod logging;
pub mod server;
