//! One error type for the whole web layer, with one status mapping. [`AppError`] renders
//! as an HTML page, [`ApiError`] (the same error) as JSON
//! `{"error":{"code":…,"message":…}}`. Internal details are logged, never sent.

use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use diaban_store::DbError;
use serde_json::json;

/// The kinds of failure a client can be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: a parameter or field is malformed.
    BadRequest,
    /// 401: not signed in, or the credentials are wrong.
    Unauthorized,
    /// 403: signed in, but not allowed.
    Forbidden,
    /// 404: no such thing (or not in the caller's scope).
    NotFound,
    /// 409: it already exists, or the state does not allow it.
    Conflict,
    /// 413: the body is too large.
    PayloadTooLarge,
    /// 422: well-formed but breaks a rule.
    Unprocessable,
    /// 429: too many attempts.
    TooManyRequests,
    /// 500: our fault; details are in the log.
    Internal,
    /// 503: a dependency (the database) is unavailable.
    Unavailable,
}

impl ErrorKind {
    fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Unprocessable => "unprocessable",
            Self::TooManyRequests => "too_many_requests",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }
}

/// An error answered to the client. The message is safe to show.
#[derive(Debug)]
pub struct AppError {
    /// The kind, which decides the status.
    pub kind: ErrorKind,
    /// A message for the user; never internal details.
    pub message: String,
}

/// The same error, rendered as JSON for API clients.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl AppError {
    /// An error of `kind` with a message for the user.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
    /// 400 naming the parameter at fault.
    pub fn bad_param(name: &str, why: impl std::fmt::Display) -> Self {
        Self::new(ErrorKind::BadRequest, format!("parameter '{name}': {why}"))
    }
    /// 404.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, what)
    }
    /// 500, logging the cause (which is never sent).
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ErrorKind::Internal, "internal error; it has been logged")
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => AppError::not_found("not found"),
            DbError::Conflict(_) => AppError::new(ErrorKind::Conflict, "it already exists"),
            DbError::Invalid(m) => AppError::new(ErrorKind::Unprocessable, m),
            DbError::Connect(_) => {
                tracing::error!(error = %e, "database unavailable");
                AppError::new(ErrorKind::Unavailable, "the database is unavailable")
            }
            other => AppError::internal(other),
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError(e.into())
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.0.kind.code(), "message": self.0.message}});
        (self.0.kind.status(), axum::Json(body)).into_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // A minimal page until the page layer renders errors in the layout.
        let msg = html_escape(&self.message);
        let status = self.kind.status();
        let body = format!(
            "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>{}</title><h1>{}</h1><p>{msg}</p></html>",
            status.as_u16(),
            status.as_u16()
        );
        (status, Html(body)).into_response()
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Unknown routes: JSON under /api, a page elsewhere.
pub async fn not_found_fallback(uri: Uri) -> Response {
    let e = AppError::not_found("no such page");
    if uri.path().starts_with("/api/") {
        ApiError(AppError::not_found("no such API route")).into_response()
    } else {
        e.into_response()
    }
}
