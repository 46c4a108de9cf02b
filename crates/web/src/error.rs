//! One error type for the whole web layer, with one status mapping. An [`AppError`]
//! leaves the handler as a response carrying the error in an extension; the
//! `render_errors` middleware turns it into JSON `{"error":{"code":…,"message":…}}` under
//! `/api/` and into a page in the user's language elsewhere (or a redirect to sign-in).
//! [`ApiError`] is the same error for API handlers. Internal details are logged, never
//! sent.

use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
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
    /// 303 to another page (a sign-in step that must come first).
    Redirect,
}

impl ErrorKind {
    /// The HTTP status.
    pub fn status(self) -> StatusCode {
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
            Self::Redirect => StatusCode::SEE_OTHER,
        }
    }

    /// The machine-readable code of the JSON form.
    pub fn code(self) -> &'static str {
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
            Self::Redirect => "sign_in_incomplete",
        }
    }
}

/// An error answered to the client. The message is safe to show.
#[derive(Debug, Clone)]
pub struct AppError {
    /// The kind, which decides the status.
    pub kind: ErrorKind,
    /// A message for the user; never internal details.
    pub message: String,
    /// Where to go instead, for [`ErrorKind::Redirect`].
    pub location: Option<String>,
    /// A translation key for the page form of the message.
    pub key: Option<&'static str>,
    /// The message is already in the user's language: pages show it as it is.
    pub told: bool,
}

/// The same error, rendered as JSON for API clients.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl AppError {
    /// An error of `kind` with a message for the user.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), location: None, key: None, told: false }
    }
    /// An error whose message is already in the user's language (a refusal naming its
    /// reason and limit); pages and JSON show it as it is.
    pub fn told(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { told: true, ..Self::new(kind, message) }
    }
    /// Go to `path` first (a sign-in step).
    pub fn redirect(path: &str) -> Self {
        Self {
            kind: ErrorKind::Redirect,
            message: "complete the sign-in first".into(),
            location: Some(path.to_owned()),
            key: None,
            told: false,
        }
    }
    /// Shows the text of a translation key on the error page.
    pub fn with_key(mut self, key: &'static str) -> Self {
        self.key = Some(key);
        self
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

impl AppError {
    /// The JSON form.
    pub fn json_response(&self) -> Response {
        let status =
            if self.kind == ErrorKind::Redirect { StatusCode::UNAUTHORIZED } else { self.kind.status() };
        let body = json!({"error": {"code": self.kind.code(), "message": self.message}});
        (status, axum::Json(body)).into_response()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.json_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // The body is written by the `render_errors` middleware, which knows the path and
        // the user's language.
        let mut r = self.kind.status().into_response();
        r.extensions_mut().insert(self);
        r
    }
}

/// Unknown routes: JSON under /api, a page elsewhere.
pub async fn not_found_fallback(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        AppError::not_found("no such API route").json_response()
    } else {
        AppError::not_found("no such page").into_response()
    }
}
