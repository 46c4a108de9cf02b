//! The vendored front-end files of `assets/`, embedded in the binary and served under
//! `/assets/` with a content type, an ETag and a day of caching.

use crate::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

#[derive(rust_embed::RustEmbed)]
#[folder = "../../assets/"]
#[exclude = "README.md"]
struct Assets;

pub(crate) fn routes() -> Router<AppState> {
    // Access: anyone (static, public files; the sign-in page needs them).
    Router::new().route("/assets/{*path}", get(asset))
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(file) = Assets::get(&path) else {
        return crate::error::AppError::not_found("no such asset").into_response();
    };
    let etag = format!(
        "\"{}\"",
        file.metadata.sha256_hash().iter().take(12).map(|b| format!("{b:02x}")).collect::<String>()
    );
    if headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mime = file.metadata.mimetype().to_owned();
    let mut res = file.data.into_owned().into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        h.insert(CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(ETAG, v);
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    res
}
