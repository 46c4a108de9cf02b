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
use diaban_domain::classification::{ClassificationInputs, CriteriaVersion, Thresholds, classify};
use diaban_domain::site::SiteParams;
use diaban_store::classification as cls;
use diaban_store::parameters;
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    // Access: ManageParameters (admin); a change is audited.
    Router::new()
        .route("/parameters/sites", get(read).put(set))
        // Access: ManageParameters (admin); a change is audited and applies to results
        // computed afterwards only.
        .route("/parameters/classification", get(read_thresholds).put(set_thresholds))
        // Access: ManageParameters (admin); a change is audited.
        .route("/parameters/operations", get(read_operations).put(set_operations))
}

async fn read_operations(
    State(state): State<AppState>,
    _who: Authorized<ManageParameters>,
) -> Result<Json<Value>, ApiError> {
    use diaban_domain::escalation::OperationsParams;
    let name = crate::api::escalations::PARAMS;
    let today = diaban_domain::time::today_in_vietnam();
    let current: OperationsParams = parameters::in_force(&state.db, name, today).await?;
    let history = parameters::history(&state.db, name).await?;
    Ok(Json(json!({"in_force": current, "defaults": OperationsParams::default(), "history": history})))
}

#[derive(Deserialize)]
struct SetOperations {
    value: Value,
    valid_from: String,
    #[serde(default)]
    note: String,
}

async fn set_operations(
    State(state): State<AppState>,
    who: Authorized<ManageParameters>,
    Json(body): Json<SetOperations>,
) -> Result<Json<Value>, ApiError> {
    use crate::pages::parameter_groups::{Group, check};
    let name = crate::api::escalations::PARAMS;
    let from = parse_date(&body.valid_from)
        .ok_or_else(|| AppError::new(ErrorKind::Unprocessable, "valid_from: expected YYYY-MM-DD"))?;
    let value = check(Group::Operations, &body.value.to_string(), tr_of(&who))
        .map_err(|m| AppError::new(ErrorKind::Unprocessable, format!("value: {m}")))?;
    let note: String = body.note.trim().chars().take(500).collect();
    parameters::set(
        &state.db,
        name,
        &value,
        from,
        Some(who.user.id),
        &note,
        Some(who.audit("parameters.set", "parameters", name)),
    )
    .await?;
    Ok(Json(json!({"name": name, "valid_from": from, "value": value})))
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

async fn read_thresholds(
    State(state): State<AppState>,
    _who: Authorized<ManageParameters>,
) -> Result<Json<Value>, ApiError> {
    let today = diaban_domain::time::today_in_vietnam();
    let current: Thresholds = parameters::in_force(&state.db, cls::PARAMS, today).await?;
    let history = parameters::history(&state.db, cls::PARAMS).await?;
    Ok(Json(json!({"in_force": current, "defaults": Thresholds::default(), "history": history})))
}

/// Checks thresholds by classifying empty inputs under every version: what is refused
/// there would be refused on every commune.
pub(crate) fn check_thresholds(t: &Thresholds, lang: Lang) -> Result<(), String> {
    for v in CriteriaVersion::ALL {
        if let Err(e) = classify(&ClassificationInputs::default(), v, t) {
            return Err(if lang == Lang::Vi { e.message_vi() } else { e.to_string() });
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct SetThresholds {
    value: Thresholds,
    valid_from: String,
    #[serde(default)]
    note: String,
}

async fn set_thresholds(
    State(state): State<AppState>,
    who: Authorized<ManageParameters>,
    Json(body): Json<SetThresholds>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr_of(&who);
    let from = parse_date(&body.valid_from)
        .ok_or_else(|| AppError::new(ErrorKind::Unprocessable, "valid_from: expected YYYY-MM-DD"))?;
    check_thresholds(&body.value, tr.0)
        .map_err(|m| AppError::new(ErrorKind::Unprocessable, format!("value: {m}")))?;
    let note: String = body.note.trim().chars().take(500).collect();
    parameters::set(
        &state.db,
        cls::PARAMS,
        &body.value,
        from,
        Some(who.user.id),
        &note,
        Some(who.audit("parameters.set", "parameters", cls::PARAMS)),
    )
    .await?;
    Ok(Json(json!({"name": cls::PARAMS, "valid_from": from, "value": body.value})))
}
