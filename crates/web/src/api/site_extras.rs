//! `/api/v1/sites/…` beyond the lifecycle: correcting a site, the persons linked to it,
//! and the re-formation alerts. Same rules as the pages (`crate::site_ops`).

use crate::AppState;
use crate::api::sites::{site_json, tr_of};
use crate::auth::Authorized;
use crate::auth::actions::{ReadSites, WriteSites};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::site_input::SiteInput;
use crate::site_ops;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use diaban_domain::access::Action;
use diaban_store::{incidents, sites};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: WriteSites, scoped; audited. Optional `updated_at` refuses a stale edit.
        .route("/sites/{id}", put(update))
        // Access: WriteSites and ReadPersons; the person must be in the caller's scope.
        .route("/sites/{id}/persons", post(link))
        // Access: WriteSites, scoped.
        .route("/sites/{id}/persons/{person_id}", delete(unlink))
        // Access: ReadSites, scoped.
        .route("/sites/map", get(map))
        // Access: ReadSites, scoped.
        .route("/sites/alerts", get(open_alerts))
        // Access: WriteSites; the alert's site must be in scope.
        .route("/sites/alerts/{alert_id}", post(decide))
}

#[derive(Deserialize)]
struct EditInput {
    #[serde(flatten)]
    input: SiteInput,
    #[serde(default)]
    updated_at: String,
}

async fn update(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    Path(id): Path<i64>,
    Json(body): Json<EditInput>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr_of(&who);
    let seen = site_ops::parse_seen(&body.updated_at)?;
    match site_ops::edit(&state, &who, id, &body.input, seen, tr).await? {
        Ok(()) => {}
        Err(errors) => {
            let msg = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ");
            return Err(AppError::new(ErrorKind::Unprocessable, msg).into());
        }
    }
    let s =
        sites::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such site"))?;
    Ok(Json(site_json(&s)))
}

#[derive(Deserialize)]
struct LinkInput {
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    role: String,
}

async fn link(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    Path(id): Path<i64>,
    Json(body): Json<LinkInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !who.may(Action::ReadPersons) {
        return Err(
            AppError::new(ErrorKind::Forbidden, "linking a person needs access to persons' records").into()
        );
    }
    let tr = tr_of(&who);
    let person_id = site_ops::link_person(&state, &who, id, &body.id_number, &body.role, tr).await?;
    Ok((StatusCode::CREATED, Json(json!({"site_id": id, "person_id": person_id, "role": body.role.trim()}))))
}

async fn unlink(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    Path((id, person_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    site_ops::unlink_person(&state, &who, id, person_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every site in scope matching the list filters, with only what a map draws.
async fn map(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    crate::api::ApiQuery(q): crate::api::ApiQuery<crate::api::sites::ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = crate::api::sites::filter_of(&state, &q, u64::MAX >> 1).await?;
    let items = sites::map_points(&state.db, who.scope(), &f).await?;
    Ok(Json(json!({"items": items})))
}

async fn open_alerts(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
) -> Result<Json<Value>, ApiError> {
    let items = incidents::open_alerts(&state.db, who.scope()).await?;
    Ok(Json(json!({"items": items})))
}

#[derive(Deserialize)]
struct DecideInput {
    decision: String,
    #[serde(default)]
    note: String,
}

async fn decide(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    Path(alert_id): Path<i64>,
    Json(body): Json<DecideInput>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr_of(&who);
    let accept = match body.decision.trim() {
        "accept" => true,
        "dismiss" => false,
        _ => {
            return Err(
                AppError::new(ErrorKind::Unprocessable, "decision: expected accept or dismiss").into()
            );
        }
    };
    let a = site_ops::decide_alert(&state, &who, alert_id, accept, &body.note, tr).await?;
    Ok(Json(json!(a)))
}
