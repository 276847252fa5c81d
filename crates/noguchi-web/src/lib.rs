//! Noguchi's HTTP interface: server-rendered Japanese/English pages and the JSON API, over one
//! router.
//!
//! A request passes, in order: the security-header and error-rendering layer (`page.rs`), the
//! route policy (`auth::enforce`: who is calling, is the route allowed to them by the domain's
//! `ROUTES`, CSRF), then a thin handler that parses, asks the domain policy for a grant, calls the
//! store and renders. This crate may depend on the domain and storage crates, never the reverse;
//! it holds no SQL.

mod api;
mod auth;
mod chart;
mod error;
mod export;
mod forms;
pub mod i18n;
mod import;
pub mod indexer;
mod matching;
mod openapi;
mod page;
mod pages;
pub mod password;
mod routes;

pub use auth::LoginLimiter;
pub use error::AppError;
pub use openapi::openapi_document;
pub use routes::registered_routes;

use noguchi_storage::Store;
use std::sync::Arc;

/// Settings of the web interface.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure`. Browsers accept Secure cookies from http://localhost and
    /// http://127.0.0.1 too; turn this off only for a plain-HTTP deployment on another host.
    pub secure_cookies: bool,
    pub session_ttl: time::Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            session_ttl: time::Duration::hours(12),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub limiter: Arc<LoginLimiter>,
    /// Answers to survey links (no account behind them) per link and per address, so a public
    /// form cannot be flooded.
    pub survey_limiter: Arc<LoginLimiter>,
    pub search: Arc<noguchi_search::SearchIndex>,
    /// Serialises applying the search queue (worker and requests).
    pub indexing: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig, search: Arc<noguchi_search::SearchIndex>) -> Self {
        Self {
            store,
            config: Arc::new(config),
            limiter: Arc::new(LoginLimiter::default()),
            survey_limiter: Arc::new(LoginLimiter::new(
                std::time::Duration::from_secs(15 * 60),
                300,
                20,
            )),
            search,
            indexing: Arc::new(tokio::sync::Mutex::new(())),
        }
    }
}

/// The whole application as an axum router.
pub fn app(state: AppState) -> axum::Router {
    routes::router(state)
}

pub(crate) use noguchi_storage::random_token as random_hex;
