//! `GET /api/v1/openapi.json`: the API description. It is written by hand (see
//! docs/decisions.md) and a test checks that every API route is in it.

use crate::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// The OpenAPI 3.1 document.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

pub(crate) fn routes() -> Router<AppState> {
    // Access: anyone; the description holds no data.
    Router::new().route("/openapi.json", get(openapi))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON)
}
