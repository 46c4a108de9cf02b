//! `/api/v1/incidents`: geolocated incidents (the analytics' input), one at a time or as a
//! CSV import (all or nothing). Recording an incident near an eliminated or monitored
//! site raises a re-formation alert on it, reported in the answer.

use crate::AppState;
use crate::api::sites::tr_of;
use crate::api::{ApiQuery, parse_date, parse_u64};
use crate::auth::actions::{ReadSites, WriteSites};
use crate::auth::{Authorized, Identity};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::incident_input::{self, IncidentInput};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use diaban_domain::UnitLevel;
use diaban_domain::incident::IncidentKind;
use diaban_store::incidents::{self, IncidentFilter, NewIncident, Recorded};
use diaban_store::units;
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadSites, POST = WriteSites (incidents are police operational
        // data, under the sites' rules); scoped; audited.
        .route("/incidents", get(list).post(create))
        // Access: WriteSites; every row in the caller's scope; all or nothing; audited.
        .route("/incidents/import", post(import))
}

/// The list filters as typed in a query string (shared with the page).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub unit: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

pub(crate) async fn filter_of(state: &AppState, q: &ListQuery, max: u64) -> Result<IncidentFilter, AppError> {
    let nonempty =
        |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let mut f = IncidentFilter::default();
    if let Some(k) = nonempty(&q.kind) {
        f.kind = Some(k.parse::<IncidentKind>().map_err(|e| AppError::bad_param("kind", e))?);
    }
    f.from = parse_date("from", q.from.as_deref()).map_err(|e| e.0)?;
    f.to = parse_date("to", q.to.as_deref()).map_err(|e| e.0)?;
    if let Some(code) = nonempty(&q.unit) {
        let today = diaban_domain::time::today_in_vietnam();
        let u = if diaban_domain::unit::is_valid_unit_code(&code) {
            units::by_code(&state.db, &code, Some(UnitLevel::Commune), today).await?
        } else {
            None
        };
        f.unit_id = Some(
            u.ok_or_else(|| AppError::bad_param("unit", format!("no commune has the code '{code}'")))?.id,
        );
    }
    f.limit = parse_u64("limit", q.limit.as_deref(), 100, max).map_err(|e| e.0)?;
    f.offset = parse_u64("offset", q.offset.as_deref(), 0, u64::MAX >> 1).map_err(|e| e.0)?;
    Ok(f)
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = filter_of(&state, &q, 10_000).await?;
    let (items, total) = incidents::list(&state.db, who.scope(), &f).await?;
    Ok(Json(json!({"items": items, "total": total})))
}

/// Records validated incidents with their alerts (radius from the site parameters).
pub(crate) async fn record(
    state: &AppState,
    who: &Identity,
    list: &[NewIncident],
    action: &str,
) -> Result<Recorded, AppError> {
    let params = crate::site_input::params(state).await?;
    Ok(incidents::record_many(
        &state.db,
        list,
        params.reformation_radius_m,
        Some(who.user.id),
        Some(who.audit(action, "incident", "")),
    )
    .await?)
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    Json(input): Json<IncidentInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tr = tr_of(&who);
    let new = match incident_input::validate(&state, &who, &input, "manual", tr).await? {
        Ok(n) => n,
        Err(errors) => {
            let msg = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ");
            return Err(AppError::new(ErrorKind::Unprocessable, msg).into());
        }
    };
    let rec = record(&state, &who, &[new], "incident.create").await?;
    Ok((StatusCode::CREATED, Json(json!({"id": rec.ids[0], "alerts": rec.alerts}))))
}

async fn import(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    use crate::file_limits::{too_large_text, utf8_text};
    let tr = tr_of(&who);
    let limit = incident_input::MAX_IMPORT_BYTES;
    let body = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AppError::told(ErrorKind::PayloadTooLarge, too_large_text(limit as u64, tr)))?;
    let text = utf8_text(&body, tr).map_err(|m| AppError::told(ErrorKind::BadRequest, m))?;
    match incident_input::parse_csv(&state, &who, text, tr).await? {
        Err(bad) => Err(AppError::new(
            ErrorKind::Unprocessable,
            format!("nothing was imported; {} bad row(s): {}", bad.len(), bad.join(" | ")),
        )
        .into()),
        Ok(list) => {
            let rec = record(&state, &who, &list, "incident.import").await?;
            Ok((StatusCode::CREATED, Json(json!({"imported": rec.ids.len(), "alerts": rec.alerts.len()}))))
        }
    }
}
