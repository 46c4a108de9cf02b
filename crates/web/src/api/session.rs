//! `/api/v1/session` and `/api/v1/me`: sign-in for API clients with the same session
//! cookie as the browser. The response carries the CSRF token that state-changing
//! requests made with the cookie must send in `X-CSRF-Token`.

use crate::AppState;
use crate::auth::login::{self, Refused};
use crate::auth::session::{self, Resolved};
use crate::auth::{Identity, Via};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::middleware::CsrfToken;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use diaban_store::{audit, sessions};
use serde::Deserialize;
use serde_json::json;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: anyone (this is how an API client signs in); DELETE: the session's owner.
        .route("/session", post(create).delete(end))
        // Access: any signed-in user (their own account).
        .route("/me", get(me))
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

async fn create(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    req: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    let ip = session::client_ip(&state, &parts);
    let Json(c) = <Json<Credentials> as axum::extract::FromRequest<AppState>>::from_request(
        Request::from_parts(parts, body),
        &state,
    )
    .await
    .map_err(|e| AppError::new(ErrorKind::BadRequest, e.body_text()))?;
    match login::check(&state, &c.username, &c.password, &ip).await? {
        Ok(user) => {
            let pending = user.totp_secret.is_some();
            if pending {
                // API sign-in has no second step: accounts with two-factor use API tokens.
                return Err(AppError::new(
                    ErrorKind::Forbidden,
                    "this account uses two-factor sign-in: use an API token",
                )
                .into());
            }
            let cookie = session::start(&state, user.id, false).await?;
            let mut r = Json(json!({
                "username": user.username,
                "role": user.role,
                "must_change_password": user.must_change_password,
                "csrf_token": csrf.0,
            }))
            .into_response();
            r.headers_mut().append(SET_COOKIE, HeaderValue::from_str(&cookie).map_err(AppError::internal)?);
            Ok(r)
        }
        Err(Refused::Invalid) => {
            Err(AppError::new(ErrorKind::Unauthorized, "wrong username or password").into())
        }
        Err(Refused::Throttled(until)) => Err(AppError::new(
            ErrorKind::TooManyRequests,
            format!(
                "too many failed sign-ins; try again after {}",
                until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        )
        .into()),
    }
}

async fn end(State(state): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let (parts, _) = req.into_parts();
    let resolved = session::resolve(&state, &parts).await?;
    let who = match resolved {
        Resolved::Ready(w)
        | Resolved::NeedsSecondFactor(w)
        | Resolved::MustChangePassword(w)
        | Resolved::MustEnrolTotp(w) => w,
        Resolved::Anonymous => return Err(AppError::new(ErrorKind::Unauthorized, "no session").into()),
    };
    let Via::Session(hash) = &who.via else {
        return Err(
            AppError::new(ErrorKind::BadRequest, "a token is not a session: revoke it instead").into()
        );
    };
    sessions::delete(&state.db, hash).await?;
    audit::append(&state.db, &who.audit("logout", "session", "")).await?;
    let mut r = axum::http::StatusCode::NO_CONTENT.into_response();
    r.headers_mut()
        .append(SET_COOKIE, HeaderValue::from_str(&session::clear(&state)).map_err(AppError::internal)?);
    Ok(r)
}

async fn me(who: Identity) -> Json<serde_json::Value> {
    Json(json!({
        "username": who.user.username,
        "display_name": who.user.display_name,
        "role": who.role.as_str(),
        "unit": {"code": who.unit.code, "name": who.unit.name, "level": who.unit.level},
        "lang": who.user.lang,
    }))
}
