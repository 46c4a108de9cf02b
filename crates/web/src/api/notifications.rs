//! `/api/v1/notifications`: the caller's own in-app notifications and marking them read.

use crate::AppState;
use crate::auth::Identity;
use crate::error::ApiError;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use diaban_store::notifications;
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: any signed-in user; only their own notifications.
        .route("/notifications", get(list))
        // Access: any signed-in user; only their own notifications.
        .route("/notifications/read", post(mark_read))
}

async fn list(State(state): State<AppState>, who: Identity) -> Result<Json<Value>, ApiError> {
    let items = notifications::list(&state.db, who.user.id, 200).await?;
    let unread = notifications::unread_count(&state.db, who.user.id).await?;
    Ok(Json(json!({"unread": unread, "items": items})))
}

#[derive(Deserialize)]
struct ReadBody {
    /// One notification; all when absent.
    #[serde(default)]
    id: Option<i64>,
}

async fn mark_read(
    State(state): State<AppState>,
    who: Identity,
    Json(b): Json<ReadBody>,
) -> Result<Json<Value>, ApiError> {
    let n = notifications::mark_read(&state.db, who.user.id, b.id).await?;
    Ok(Json(json!({"marked": n})))
}
