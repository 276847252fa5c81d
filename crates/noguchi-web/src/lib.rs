//! Noguchi's HTTP interface: server-rendered Japanese/English pages and the JSON API, over one
//! router.
//!
//! A request passes, in order: the security-header and error-rendering layer (`page.rs`), the
//! route policy (`auth::enforce`: who is calling, their sight, is the route allowed to them by the
//! domain's `ROUTES`, CSRF), then a thin handler that parses, calls one use case of
//! `noguchi-app` and renders. This crate depends on the app and the domain (for its types),
//! never on the store: it holds no SQL and no rule of its own.

mod api;
mod auth;
mod chart;
mod download;
mod error;
mod forms;
mod graph;
pub mod i18n;
mod openapi;
mod page;
mod pages;
mod routes;
mod timeline;
mod upload;
mod views;

pub use error::AppError;
pub use openapi::openapi_document;
pub use routes::registered_routes;

use noguchi_app::App;
use std::sync::Arc;

/// Settings of the web interface.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure`. Browsers accept Secure cookies from http://localhost and
    /// http://127.0.0.1 too; turn this off only for a plain-HTTP deployment on another host.
    pub secure_cookies: bool,
    pub session_ttl: time::Duration,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for per-address limits).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            session_ttl: time::Duration::hours(12),
            trusted_proxies: Vec::new(),
        }
    }
}

/// What every handler reaches: the application (its use cases) and the web's own settings.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> Self {
        Self {
            app,
            config: Arc::new(config),
        }
    }
}

/// The whole application as an axum router.
pub fn app(state: AppState) -> axum::Router {
    routes::router(state)
}

/// A random secret as hex (the pre-sign-in CSRF token).
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut r = vec![0u8; bytes];
    getrandom::fill(&mut r).expect("the operating system's random source is available");
    r.iter().map(|b| format!("{b:02x}")).collect()
}
