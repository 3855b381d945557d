//! The one integration-test binary: the real server on a free port, talking HTTP (and a real
//! browser); the store contract suite on every configured database backend.

mod api_accounts;
mod api_errors;
mod browser;
mod cli;
mod moderation;
mod openapi;
mod permissions;
mod store_contract;
