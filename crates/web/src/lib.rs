//! The HTTP face of diaban: the JSON API under `/api/v1`, the pages, and the health
//! check. The application is a library that serves on any listener, so tests start it
//! on port 0 and the binary stays thin.

pub mod api;
pub mod error;
mod health;

use axum::Router;
use diaban_store::Db;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

pub use error::{ApiError, AppError};

/// Settings the web layer needs, passed in state (no globals).
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// A tile URL template for maps; None draws the embedded Vietnam outline.
    pub tiles_url: Option<String>,
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Settings.
    pub config: Arc<WebConfig>,
}

impl AppState {
    /// State over a database with the given settings.
    pub fn new(db: Db, config: WebConfig) -> Self {
        Self {
            db,
            config: Arc::new(config),
        }
    }
}

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::routes())
        .nest("/api/v1", api::routes())
        .fallback(error::not_found_fallback)
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes, then finishes the
/// requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
