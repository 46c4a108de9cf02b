//! `GET /healthz`: the process is up and the database answers. Public (no sign-in), so
//! it reveals nothing but the version and the engine.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    // Access: anyone (load balancers and monitoring probe it without credentials).
    Router::new().route("/healthz", get(healthz))
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let db = state.db.backend().as_str();
    let version = env!("CARGO_PKG_VERSION");
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ok", "version": version, "db": db}))),
        Err(e) => {
            tracing::error!(error = %e, "health check: database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "error", "version": version, "db": db})))
        }
    }
}
