//! `/api/v1/parameters/sites`: the site parameters in force and their history; setting
//! a new value from a date (admin only, audited).

use crate::AppState;
use crate::api::sites::tr_of;
use crate::auth::Authorized;
use crate::auth::actions::ManageParameters;
use crate::error::{ApiError, AppError, ErrorKind};
use crate::i18n::Lang;
use crate::site_input::{PARAMS, parse_date};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use diaban_domain::site::SiteParams;
use diaban_store::parameters;
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    // Access: ManageParameters (admin); a change is audited.
    Router::new().route("/parameters/sites", get(read).put(set))
}

async fn read(
    State(state): State<AppState>,
    _who: Authorized<ManageParameters>,
) -> Result<Json<Value>, ApiError> {
    let today = diaban_domain::time::today_in_vietnam();
    let current: SiteParams = parameters::in_force(&state.db, PARAMS, today).await?;
    let history = parameters::history(&state.db, PARAMS).await?;
    Ok(Json(json!({"in_force": current, "defaults": SiteParams::default(), "history": history})))
}

#[derive(Deserialize)]
struct SetInput {
    value: SiteParams,
    valid_from: String,
    #[serde(default)]
    note: String,
}

async fn set(
    State(state): State<AppState>,
    who: Authorized<ManageParameters>,
    Json(body): Json<SetInput>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr_of(&who);
    let from = parse_date(&body.valid_from)
        .ok_or_else(|| AppError::new(ErrorKind::Unprocessable, "valid_from: expected YYYY-MM-DD"))?;
    body.value.validate().map_err(|e| {
        AppError::new(ErrorKind::Unprocessable, if tr.0 == Lang::Vi { e.message_vi() } else { e.to_string() })
    })?;
    let note: String = body.note.trim().chars().take(500).collect();
    parameters::set(
        &state.db,
        PARAMS,
        &body.value,
        from,
        Some(who.user.id),
        &note,
        Some(who.audit("parameters.set", "parameters", PARAMS)),
    )
    .await?;
    Ok(Json(json!({"name": PARAMS, "valid_from": from, "value": body.value})))
}
