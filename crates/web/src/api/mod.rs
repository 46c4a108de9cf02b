//! The JSON API, version 1. Every route states who may use it where it is declared.

pub(crate) mod analytics;
pub(crate) mod areas;
mod audit;
pub(crate) mod businesses;
pub(crate) mod cases;
pub(crate) mod classifications;
mod data_breaches;
pub(crate) mod escalations;
pub(crate) mod incidents;
mod indicators;
mod notifications;
mod openapi;
pub(crate) mod parameters;
mod person_records;
mod persons;
pub(crate) mod plans;
pub(crate) mod propaganda;
pub(crate) mod reports;
pub(crate) mod rings;
mod session;
mod site_extras;
pub(crate) mod sites;
pub(crate) mod sites_io;
pub(crate) mod tips;
mod units;
mod users;

use crate::AppState;
use crate::error::{ApiError, AppError};
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(units::routes())
        .merge(openapi::routes())
        .merge(session::routes())
        .merge(persons::routes())
        .merge(person_records::routes())
        .merge(audit::routes())
        .merge(sites::routes())
        .merge(site_extras::routes())
        .merge(sites_io::routes())
        .merge(incidents::routes())
        .merge(parameters::routes())
        .merge(classifications::routes())
        .merge(areas::routes())
        .merge(tips::routes())
        .merge(escalations::routes())
        .merge(notifications::routes())
        .merge(businesses::routes())
        .merge(propaganda::routes())
        .merge(cases::routes())
        .merge(rings::routes())
        .merge(indicators::routes())
        .merge(plans::routes())
        .merge(analytics::routes())
        .merge(reports::routes())
        .merge(data_breaches::routes())
        .merge(users::routes())
}

/// The routes that take files, which get the larger body limit (see `crate::router`).
pub(crate) fn upload_routes() -> Router<AppState> {
    Router::new().merge(sites::upload_routes())
}

/// Query parameters whose rejection is a JSON 400 naming the problem. Handlers take
/// parameters as strings and parse them themselves, so each error names its parameter.
pub(crate) struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError(AppError::new(crate::error::ErrorKind::BadRequest, e.body_text())))
    }
}

/// Parses an optional `YYYY-MM-DD` parameter.
pub(crate) fn parse_date(name: &str, v: Option<&str>) -> Result<Option<chrono::NaiveDate>, ApiError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| {
            AppError::bad_param(name, format!("'{s}' is not a date of the form YYYY-MM-DD")).into()
        }),
    }
}

/// Parses an optional non-negative integer parameter within `max`.
pub(crate) fn parse_u64(name: &str, v: Option<&str>, default: u64, max: u64) -> Result<u64, ApiError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => match s.parse::<u64>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(AppError::bad_param(name, format!("expected a whole number from 0 to {max}")).into()),
        },
    }
}
