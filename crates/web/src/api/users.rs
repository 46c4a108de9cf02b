//! `/api/v1/users`: what an administrator does to accounts from a script. For now one
//! thing: clearing an account's sign-in lock, as the page *Quản trị › Tài khoản* does.

use crate::AppState;
use crate::auth::Authorized;
use crate::auth::actions::ManageUsers;
use crate::error::ApiError;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    // Access: ManageUsers (admin); audited as user.unlock.
    Router::new().route("/users/{id}/unlock", post(unlock))
}

async fn unlock(
    State(state): State<AppState>,
    who: Authorized<ManageUsers>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    crate::pages::admin_users::unlock_account(&state, &who, id).await?;
    Ok(Json(json!({"id": id, "unlocked": true})))
}
