//! Sign-in, the second factor and sign-out (pages).

use super::{Ctx, render};
use crate::AppState;
use crate::auth::login::{self, Refused};
use crate::auth::session::{self, Resolved};
use crate::auth::{Via, totp};
use crate::error::AppError;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_store::sessions;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    // Access: anyone (these pages are how one signs in and out).
    Router::new()
        .route("/login", get(form).post(submit))
        .route("/login/totp", get(totp_form).post(totp_submit))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    p: super::Page,
    error: Option<String>,
    username: String,
}

async fn form(ctx: Ctx) -> Result<Response, AppError> {
    let p = ctx.page(None, "auth.login_title", "").await;
    render(ctx.flash_key.is_some(), &LoginPage { p, error: None, username: String::new() })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

async fn submit(State(state): State<AppState>, ctx: Ctx, req: Request) -> Result<Response, AppError> {
    let (parts, body) = req.into_parts();
    let ip = session::client_ip(&state, &parts);
    let Form(f) = Form::<LoginForm>::from_request(Request::from_parts(parts, body), &state)
        .await
        .map_err(|e| AppError::new(crate::error::ErrorKind::BadRequest, e.body_text()))?;
    let tr = ctx.tr(None);
    let typed: String = f.username.chars().take(64).collect();
    let fail = |message: String, status| async move {
        let p = ctx.page(None, "auth.login_title", "").await;
        let page = LoginPage { p, error: Some(message), username: typed };
        let mut r = render(false, &page)?;
        *r.status_mut() = status;
        Ok::<Response, AppError>(r)
    };
    if f.username.trim().is_empty() || f.password.is_empty() {
        return fail(tr.t("auth.required").to_owned(), axum::http::StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match login::check(&state, &f.username, &f.password, &ip).await? {
        Ok(user) => {
            let pending = user.totp_secret.is_some();
            let cookie = session::start(&state, user.id, pending).await?;
            let mut r = Redirect::to(if pending { "/login/totp" } else { "/" }).into_response();
            r.headers_mut().append(SET_COOKIE, HeaderValue::from_str(&cookie).map_err(AppError::internal)?);
            Ok(r)
        }
        Err(Refused::Invalid) => {
            fail(tr.t("auth.invalid").to_owned(), axum::http::StatusCode::UNAUTHORIZED).await
        }
        Err(Refused::Throttled(until)) => {
            // The time is shown to the minute, rounded up, so trying at it always works.
            let at = until + chrono::Duration::seconds(59);
            let message = format!(
                "{} {}",
                tr.t("auth.throttled"),
                tr.t("auth.retry_at").replace("{time}", &tr.datetime(&at))
            );
            fail(message, axum::http::StatusCode::TOO_MANY_REQUESTS).await
        }
    }
}

use axum::extract::FromRequest;

#[derive(Template)]
#[template(path = "login_totp.html")]
struct TotpPage {
    p: super::Page,
    error: Option<String>,
}

async fn pending_identity(
    state: &AppState,
    parts: &axum::http::request::Parts,
) -> Result<crate::auth::Identity, AppError> {
    match session::resolve(state, parts).await? {
        Resolved::NeedsSecondFactor(id) => Ok(*id),
        Resolved::Anonymous => Err(AppError::redirect("/login")),
        _ => Err(AppError::redirect("/")),
    }
}

async fn totp_form(State(state): State<AppState>, ctx: Ctx, req: Request) -> Result<Response, AppError> {
    let (parts, _) = req.into_parts();
    let who = pending_identity(&state, &parts).await?;
    let p = ctx.page(None, "auth.totp_title", "").await;
    let _ = who;
    render(false, &TotpPage { p, error: None })
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn totp_submit(State(state): State<AppState>, ctx: Ctx, req: Request) -> Result<Response, AppError> {
    let (parts, body) = req.into_parts();
    let who = pending_identity(&state, &parts).await?;
    let Form(f) = Form::<CodeForm>::from_request(Request::from_parts(parts, body), &state)
        .await
        .map_err(|e| AppError::new(crate::error::ErrorKind::BadRequest, e.body_text()))?;
    let Via::Session(hash) = &who.via else { return Err(AppError::redirect("/login")) };
    // Wrong codes count as failed sign-ins, so guessing runs into the same lockout.
    let name = who.user.username.clone();
    let now = state.clock.now();
    if crate::auth::login::throttled_until(&state, &name, &who.ip, now).await?.is_some() {
        sessions::delete(&state.db, hash).await?;
        return Err(AppError::redirect("/login"));
    }
    if totp::check(&state, &who.user, &f.code).await? {
        sessions::complete_totp(&state.db, hash).await?;
        sessions::record_attempt(&state.db, &name, &who.ip, true, now).await?;
        diaban_store::audit::append(&state.db, &who.audit("login.second_factor", "session", "")).await?;
        return Ok(Redirect::to("/").into_response());
    }
    sessions::record_attempt(&state.db, &name, &who.ip, false, now).await?;
    let tr = ctx.tr(Some(&who));
    let p = ctx.page(None, "auth.totp_title", "").await;
    let mut r = render(false, &TotpPage { p, error: Some(tr.t("auth.totp_invalid").to_owned()) })?;
    *r.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
    Ok(r)
}

async fn logout(State(state): State<AppState>, req: Request) -> Result<Response, AppError> {
    let (parts, _) = req.into_parts();
    if let Some(raw) = session::cookie(&parts, session::SESSION_COOKIE) {
        let hash = diaban_vault::token::hash_token(raw);
        if let Ok(
            Resolved::Ready(who)
            | Resolved::NeedsSecondFactor(who)
            | Resolved::MustChangePassword(who)
            | Resolved::MustEnrolTotp(who),
        ) = session::resolve(&state, &parts).await
        {
            diaban_store::audit::append(&state.db, &who.audit("logout", "session", "")).await?;
        }
        sessions::delete(&state.db, &hash).await?;
    }
    let mut r = super::redirect_with_flash("/login", "auth.signed_out");
    r.headers_mut()
        .append(SET_COOKIE, HeaderValue::from_str(&session::clear(&state)).map_err(AppError::internal)?);
    Ok(r)
}
