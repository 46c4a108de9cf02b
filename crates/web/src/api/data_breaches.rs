//! `/api/v1/data-breaches`: the personal-data breach register (DOMAIN.md §8). List the
//! incidents of the caller's province with their notification deadline and status,
//! record one, record when the authority (A05) and the persons were notified. Entries
//! describe incidents, never persons. The rules are `diaban_domain::breach` through
//! `crate::breach_input`.

use crate::AppState;
use crate::auth::Authorized;
use crate::auth::actions::{ReadBreaches, RecordBreaches};
use crate::breach_input::{self, BreachInput, NotifiedInput};
use crate::error::{ApiError, AppError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use diaban_store::data_breaches::{self, Breach};
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadBreaches (scope in the query); POST = RecordBreaches, for the
        // caller's province; audited as data_breach.create.
        .route("/data-breaches", get(list).post(create))
        // Access: ReadBreaches; 404 outside the scope.
        .route("/data-breaches/{id}", get(detail))
        // Access: RecordBreaches; 404 outside the scope; audited as data_breach.notify.
        .route("/data-breaches/{id}/notified", post(notified))
}

fn view(b: &Breach) -> Value {
    json!({
        "id": b.id,
        "unit": b.unit_code,
        "detected_at": b.detected_at,
        "description": b.description,
        "categories": b.categories,
        "persons_affected": b.persons_affected,
        "measures": b.measures,
        "notify_hours": b.notify_hours,
        "notify_deadline": b.notify_deadline,
        "authority_notified_at": b.authority_notified_at,
        "subjects_notified_at": b.subjects_notified_at,
        "status": b.status,
        "status_label": b.status.label_vi(),
        "created_at": b.created_at,
    })
}

async fn list(State(state): State<AppState>, who: Authorized<ReadBreaches>) -> Result<Json<Value>, ApiError> {
    let rows = data_breaches::list(&state.db, who.scope()).await?;
    Ok(Json(json!({"items": rows.iter().map(view).collect::<Vec<_>>()})))
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadBreaches>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let b = data_breaches::get(&state.db, who.scope(), id)
        .await?
        .ok_or_else(|| AppError::not_found("no such incident in your scope"))?;
    Ok(Json(view(&b)))
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<RecordBreaches>,
    Json(input): Json<BreachInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = breach_input::create(&state.db, &who, &input).await?;
    let b =
        data_breaches::get(&state.db, who.scope(), id).await?.ok_or_else(|| AppError::not_found("gone"))?;
    Ok((StatusCode::CREATED, Json(view(&b))))
}

async fn notified(
    State(state): State<AppState>,
    who: Authorized<RecordBreaches>,
    Path(id): Path<i64>,
    Json(input): Json<NotifiedInput>,
) -> Result<Json<Value>, ApiError> {
    breach_input::notified(&state.db, &who, id, &input).await?;
    let b =
        data_breaches::get(&state.db, who.scope(), id).await?.ok_or_else(|| AppError::not_found("gone"))?;
    Ok(Json(view(&b)))
}
