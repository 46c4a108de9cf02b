//! The HTTP face of diaban: pages, the JSON API under `/api/v1`, authentication,
//! authorisation and audit. The application is a library that serves on any listener,
//! so tests start it on port 0 and the binary stays thin.

pub mod analytics_run;
pub mod api;
pub mod area_input;
mod assets;
pub mod attachments;
pub mod auth;
pub mod breach_input;
pub mod clock;
pub mod error;
pub(crate) mod export;
pub(crate) mod file_limits;
#[doc(hidden)]
pub mod fuzz;
mod health;
pub mod i18n;
pub mod incident_input;
pub mod indicators_ops;
pub mod input_text;
pub mod middleware;
pub mod ops_export;
pub mod ops_input;
mod pages;
pub mod person_input;
pub mod person_record_input;
pub mod person_records_ops;
pub mod person_stats_export;
pub(crate) mod plan_input;
pub mod reports_ops;
pub mod site_input;
pub mod site_ops;
pub mod table_export;
pub mod tip_input;

use axum::Router;
use diaban_store::Db;
use diaban_vault::KeyRing;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

pub use error::{ApiError, AppError};

/// Settings the web layer needs, passed in state (no globals).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// A tile URL template for maps; None draws the embedded Vietnam outline.
    pub tiles_url: Option<String>,
    /// The origin of `tiles_url`, allowed in the Content-Security-Policy.
    pub tiles_origin: Option<String>,
    /// Mark cookies Secure (behind TLS or a TLS-terminating proxy).
    pub secure_cookies: bool,
    /// Take the client address from X-Forwarded-For (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// A session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// A session ends this many minutes after sign-in, whatever happens.
    pub session_absolute_minutes: i64,
    /// Two-factor sign-in is mandatory for admin and province_officer.
    pub require_totp: bool,
    /// Failed sign-ins of one account from one address before that pair must wait; each
    /// further failure doubles the wait (see `auth::login::pair_locked_until`).
    pub max_failures_per_account: i64,
    /// Failed sign-ins from one address within `lockout_minutes` before it is throttled.
    pub max_failures_per_ip: i64,
    /// The address throttle's window, in minutes.
    pub lockout_minutes: i64,
    /// The first wait of a pair that reached `max_failures_per_account`, in seconds.
    pub backoff_first_seconds: i64,
    /// The longest wait of a pair, in minutes.
    pub backoff_max_minutes: i64,
    /// How long a pair's failures are remembered, in hours (a pair that fails no more
    /// for this long starts afresh).
    pub failure_memory_hours: i64,
    /// How much may be attached to one lifecycle step (10 MiB per file, 5 files).
    pub attachment_limits: diaban_domain::attachment::AttachmentLimits,
    /// Anonymous tips one client may send within `tip_window_minutes`.
    pub tip_limit: usize,
    /// The tip throttle's window, in minutes.
    pub tip_window_minutes: u64,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            tiles_url: None,
            tiles_origin: None,
            secure_cookies: false,
            trust_proxy: false,
            session_idle_minutes: 30,
            session_absolute_minutes: 12 * 60,
            require_totp: false,
            max_failures_per_account: 5,
            max_failures_per_ip: 30,
            lockout_minutes: 15,
            backoff_first_seconds: 60,
            backoff_max_minutes: 60,
            failure_memory_hours: 24,
            attachment_limits: Default::default(),
            tip_limit: 5,
            tip_window_minutes: 60,
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The data key ring; None when the server runs without a key file (then no personal
    /// data can be read or written).
    pub keys: Option<Arc<KeyRing>>,
    /// Settings.
    pub config: Arc<WebConfig>,
    /// The time for sessions and sign-in throttling (tests move it).
    pub clock: clock::Clock,
    /// The throttles of the public tip pages (in memory, per client address).
    pub tip_limits: Arc<tip_input::TipLimits>,
    /// The units in memory for name searches, read on first use (the units do not
    /// change while the server runs).
    unit_index: Arc<tokio::sync::OnceCell<diaban_store::unit_index::UnitIndex>>,
}

impl AppState {
    /// State over a database with the given settings.
    pub fn new(db: Db, keys: Option<KeyRing>, config: WebConfig) -> Self {
        Self {
            db,
            keys: keys.map(Arc::new),
            tip_limits: Arc::new(tip_input::TipLimits::new(config.tip_limit, config.tip_window_minutes)),
            config: Arc::new(config),
            clock: clock::Clock::default(),
            unit_index: Arc::new(tokio::sync::OnceCell::new()),
        }
    }

    /// Units matching a filter, from the in-memory index (filled on first use).
    pub async fn search_units(
        &self,
        filter: &diaban_store::units::UnitFilter,
    ) -> Result<(Vec<diaban_store::units::Unit>, i64), diaban_store::DbError> {
        let index =
            self.unit_index.get_or_try_init(|| diaban_store::unit_index::UnitIndex::load(&self.db)).await?;
        Ok(index.search(filter))
    }
}

/// The largest request body of every route but the uploads.
pub(crate) const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Every route of the application, with the layers every request goes through. Routes
/// that take files (a lifecycle step with attachments) get a body limit of their own,
/// sized from [`WebConfig::attachment_limits`]; every other route keeps [`BODY_LIMIT`].
pub fn router(state: AppState) -> Router {
    use axum::extract::DefaultBodyLimit;
    use axum::middleware::{from_fn, from_fn_with_state};
    use tower_http::limit::RequestBodyLimitLayer;
    let upload_limit = usize::try_from(state.config.attachment_limits.max_body_bytes()).unwrap_or(usize::MAX);
    let uploads = Router::new()
        .merge(pages::upload_routes())
        .nest("/api/v1", api::upload_routes())
        .layer(DefaultBodyLimit::max(upload_limit))
        .layer(RequestBodyLimitLayer::new(upload_limit));
    Router::new()
        .merge(health::routes())
        .merge(assets::routes())
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .merge(uploads)
        .fallback(error::not_found_fallback)
        .layer(from_fn(input_text::refuse_bad_text))
        .layer(from_fn_with_state(state.clone(), middleware::csrf))
        .layer(from_fn_with_state(state.clone(), middleware::language))
        .layer(from_fn(middleware::render_errors))
        .layer(from_fn_with_state(state.clone(), middleware::security_headers))
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
    let housekeeping = tokio::spawn(housekeeping(state.clone()));
    let served = axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    housekeeping.abort();
    served
}

/// How long sign-in attempts are kept: the lockout window needs minutes; a month lets an
/// administrator look back at a wave of failures.
const LOGIN_ATTEMPTS_KEPT_DAYS: i64 = 30;

/// Once at start and then every hour: removes expired sessions and old sign-in attempts.
/// A failure is logged and retried at the next round; it never stops the server.
async fn housekeeping(state: AppState) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    loop {
        every.tick().await;
        let now = state.clock.now();
        let idle = now - chrono::Duration::minutes(state.config.session_idle_minutes);
        match diaban_store::sessions::purge_expired(&state.db, now, idle).await {
            Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot remove expired sessions"),
        }
        let cutoff = now - chrono::Duration::days(LOGIN_ATTEMPTS_KEPT_DAYS);
        match diaban_store::sessions::purge_attempts_before(&state.db, cutoff).await {
            Ok(n) if n > 0 => tracing::info!(attempts = n, "old sign-in attempts removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot remove old sign-in attempts"),
        }
    }
}
