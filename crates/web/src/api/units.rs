//! `/api/v1/units`: administrative units, their hierarchy and lineage. Reference data,
//! no personal information.

use super::{ApiQuery, parse_date, parse_u64};
use crate::AppState;
use crate::error::{ApiError, AppError};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::time::today_in_vietnam;
use diaban_domain::unit::is_valid_unit_code;
use diaban_store::population;
use diaban_store::units::{self, LineageLink, Unit, UnitFilter};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub(crate) fn routes() -> Router<AppState> {
    // Access: public reference data (the official list of units); later issues may put
    // it behind sign-in without changing the handlers.
    Router::new().route("/units", get(list)).route("/units/{code}", get(detail))
}

#[derive(Deserialize)]
pub(crate) struct ListParams {
    level: Option<String>,
    parent: Option<String>,
    q: Option<String>,
    as_of: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

#[derive(Serialize)]
struct UnitRef {
    code: String,
    name: String,
    level: String,
}

#[derive(Serialize)]
struct UnitJson {
    code: String,
    name: String,
    level: String,
    #[serde(rename = "type")]
    unit_type: String,
    generation: String,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
    lat: Option<f64>,
    lon: Option<f64>,
    area_km2: Option<f64>,
    parent: Option<UnitRef>,
}

fn unit_ref(u: &Unit) -> UnitRef {
    UnitRef { code: u.code.clone(), name: u.name.clone(), level: u.level.clone() }
}

fn unit_json(u: &Unit, parent: Option<&Unit>) -> UnitJson {
    UnitJson {
        code: u.code.clone(),
        name: u.name.clone(),
        level: u.level.clone(),
        unit_type: u.unit_type.clone(),
        generation: u.generation.clone(),
        valid_from: u.valid_from,
        valid_to: u.valid_to,
        lat: u.lat,
        lon: u.lon,
        area_km2: u.area_km2,
        parent: parent.map(unit_ref),
    }
}

#[derive(Serialize)]
struct ListResponse {
    items: Vec<UnitJson>,
    total: i64,
    limit: u64,
    offset: u64,
    as_of: NaiveDate,
}

async fn parents_of(state: &AppState, list: &[Unit]) -> Result<HashMap<i64, Unit>, ApiError> {
    let mut ids: Vec<i64> = list.iter().filter_map(|u| u.parent_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(units::get_many(&state.db, &ids).await?.into_iter().map(|u| (u.id, u)).collect())
}

/// `GET /api/v1/units?level=&parent=&q=&as_of=&limit=&offset=`: units valid on `as_of`
/// (default: today in Vietnam), ordered by code.
#[tracing::instrument(skip_all)]
async fn list(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<ListResponse>, ApiError> {
    let level = match p.level.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(s.parse::<UnitLevel>().map_err(|e| AppError::bad_param("level", e))?),
    };
    let as_of = parse_date("as_of", p.as_of.as_deref())?.unwrap_or_else(today_in_vietnam);
    let limit = parse_u64("limit", p.limit.as_deref(), 100, 1000)?;
    let offset = parse_u64("offset", p.offset.as_deref(), 0, u64::MAX >> 1)?;
    let parent_id = match p.parent.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => {
            if !is_valid_unit_code(code) {
                return Err(AppError::bad_param("parent", "a unit code is 2 to 5 digits").into());
            }
            let parent = units::by_code(&state.db, code, None, as_of)
                .await?
                .filter(|u| u.level != "commune")
                .ok_or_else(|| {
                    AppError::bad_param("parent", format!("no province or district has code {code}"))
                })?;
            Some(parent.id)
        }
    };
    let q = p.q.filter(|s| !s.trim().is_empty());
    if q.as_ref().is_some_and(|s| s.chars().count() > 100) {
        return Err(AppError::bad_param("q", "at most 100 characters").into());
    }
    let filter = UnitFilter { level, parent_id, q, as_of: Some(as_of), limit, offset, ..Default::default() };
    let (found, total) = state.search_units(&filter).await?;
    let parents = parents_of(&state, &found).await?;
    let items = found.iter().map(|u| unit_json(u, u.parent_id.and_then(|p| parents.get(&p)))).collect();
    Ok(Json(ListResponse { items, total, limit, offset, as_of }))
}

#[derive(Deserialize)]
pub(crate) struct DetailParams {
    as_of: Option<String>,
}

#[derive(Serialize)]
struct LinkJson {
    #[serde(flatten)]
    unit: UnitRef,
    valid_to: Option<NaiveDate>,
    valid_from: Option<NaiveDate>,
    kind: Option<String>,
    is_default: Option<bool>,
}

#[derive(Serialize)]
struct PopulationJson {
    year: i64,
    population: i64,
    source: String,
}

#[derive(Serialize)]
struct DetailResponse {
    #[serde(flatten)]
    unit: UnitJson,
    children: usize,
    predecessors: Vec<LinkJson>,
    successors: Vec<LinkJson>,
    population: Vec<PopulationJson>,
}

fn link_json(l: LineageLink) -> LinkJson {
    LinkJson {
        unit: unit_ref(&l.unit),
        valid_from: l.unit.valid_from,
        valid_to: l.unit.valid_to,
        kind: l.kind,
        is_default: l.is_default,
    }
}

/// `GET /api/v1/units/{code}?as_of=`: the unit with that code valid on `as_of` (default
/// today), or the latest that had the code; with parent, lineage and population.
#[tracing::instrument(skip_all)]
async fn detail(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiQuery(p): ApiQuery<DetailParams>,
) -> Result<Json<DetailResponse>, ApiError> {
    if !is_valid_unit_code(&code) {
        return Err(AppError::bad_param("code", "a unit code is 2 to 5 digits").into());
    }
    let as_of = parse_date("as_of", p.as_of.as_deref())?.unwrap_or_else(today_in_vietnam);
    let unit = units::by_code(&state.db, &code, None, as_of)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no unit has code {code}")))?;
    let parent = match unit.parent_id {
        Some(id) => Some(units::get(&state.db, id).await?),
        None => None,
    };
    let children = units::children(&state.db, unit.id).await?.len();
    let predecessors = units::predecessors(&state.db, &unit).await?.into_iter().map(link_json).collect();
    let successors = units::successors(&state.db, &unit).await?.into_iter().map(link_json).collect();
    let population = population::for_unit(&state.db, unit.id)
        .await?
        .into_iter()
        .map(|p| PopulationJson { year: p.year, population: p.population, source: p.source })
        .collect();
    Ok(Json(DetailResponse {
        unit: unit_json(&unit, parent.as_ref()),
        children,
        predecessors,
        successors,
        population,
    }))
}
