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

#[cfg(test)]
mod tests {
    /// Every `.route("…")` declared in the API modules is described in the document.
    #[test]
    fn every_declared_api_route_is_documented() {
        let doc: serde_json::Value = serde_json::from_str(super::OPENAPI_JSON).expect("valid JSON");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
        let mut missing = Vec::new();
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).expect("api dir").flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for (i, _) in text.match_indices(".route(\"") {
                let rest = &text[i + 8..];
                let path = &rest[..rest.find('"').unwrap_or(0)];
                if !path.starts_with('/') {
                    continue;
                }
                seen += 1;
                if doc["paths"].get(format!("/api/v1{path}")).is_none() {
                    missing.push(path.to_owned());
                }
            }
        }
        assert!(seen >= 8, "found only {seen} routes: the scan is broken");
        assert!(missing.is_empty(), "API routes missing from openapi.json: {missing:?}");
    }
}
