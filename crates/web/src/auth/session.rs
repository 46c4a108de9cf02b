//! Sessions and tokens: the cookie, its timeouts, bearer tokens, and the client address.

use super::{Identity, Via};
use crate::AppState;
use crate::error::{AppError, ErrorKind};
use axum::extract::ConnectInfo;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use chrono::{Duration, Utc};
use diaban_store::{sessions, tokens, units, users};
use std::net::SocketAddr;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "dz_session";

/// The outcome of looking at a request's credentials.
pub enum Resolved {
    /// Fully signed in.
    Ready(Box<Identity>),
    /// Password accepted; the second factor is due.
    NeedsSecondFactor(Box<Identity>),
    /// Signed in, but an administrator set the password: it must be changed first.
    MustChangePassword(Box<Identity>),
    /// Signed in, but two-factor is mandatory for the role and not set up yet.
    MustEnrolTotp(Box<Identity>),
    /// No (valid) session.
    Anonymous,
}

/// The value of a cookie in the request.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_in(&parts.headers, name)
}

/// The value of a cookie among request headers (shared with the middleware).
pub fn cookie_in<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The client address: the socket peer, or, when the deployment says it runs behind a
/// trusted proxy, the last X-Forwarded-For hop — the address that proxy saw. Earlier hops
/// are whatever the client chose to send (a proxy appends to the header), so trusting
/// the first would let anyone pick a new address for each attempt and escape throttling.
pub fn client_ip(state: &AppState, parts: &Parts) -> String {
    if state.config.trust_proxy
        && let Some(v) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(last) = v.rsplit(',').next().map(str::trim).filter(|h| !h.is_empty())
    {
        return last.to_owned();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// A Set-Cookie value with the project's attributes.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: i64) -> String {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

/// Looks at the session cookie or the bearer token.
pub async fn resolve(state: &AppState, parts: &Parts) -> Result<Resolved, AppError> {
    let ip = client_ip(state, parts);
    if let Some(auth) = parts.headers.get(AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| AppError::new(ErrorKind::Unauthorized, "malformed Authorization header"))?;
        return by_token(state, token.trim(), ip).await;
    }
    let Some(raw) = cookie(parts, SESSION_COOKIE) else {
        return Ok(Resolved::Anonymous);
    };
    let hash = diaban_vault::token::hash_token(raw);
    let Some(s) = sessions::get(&state.db, &hash).await? else {
        return Ok(Resolved::Anonymous);
    };
    let now = state.clock.now();
    let idle = Duration::minutes(state.config.session_idle_minutes);
    if now >= s.expires_at || now - s.last_seen_at > idle {
        sessions::delete(&state.db, &hash).await?;
        return Ok(Resolved::Anonymous);
    }
    if now - s.last_seen_at >= touch_interval(idle) {
        sessions::touch(&state.db, &hash, now).await?;
    }
    let user = users::get(&state.db, s.user_id).await?;
    if user.disabled {
        sessions::delete(&state.db, &hash).await?;
        return Ok(Resolved::Anonymous);
    }
    let id = identity(state, user, Via::Session(hash), ip).await?;
    Ok(if s.totp_pending {
        Resolved::NeedsSecondFactor(id)
    } else if id.user.must_change_password {
        Resolved::MustChangePassword(id)
    } else if state.config.require_totp && id.role.needs_two_factor() && id.user.totp_secret.is_none() {
        Resolved::MustEnrolTotp(id)
    } else {
        Resolved::Ready(id)
    })
}

async fn identity(
    state: &AppState,
    user: users::User,
    via: Via,
    ip: String,
) -> Result<Box<Identity>, AppError> {
    let unit = units::get(&state.db, user.unit_id).await?;
    let role = user.role();
    Ok(Box::new(Identity { user, role, unit, via, ip }))
}

async fn by_token(state: &AppState, token: &str, ip: String) -> Result<Resolved, AppError> {
    let invalid = || AppError::new(ErrorKind::Unauthorized, "invalid or expired token");
    let t = tokens::by_hash(&state.db, &diaban_vault::token::hash_token(token)).await?.ok_or_else(invalid)?;
    if t.revoked_at.is_some() || t.expires_at <= Utc::now() {
        return Err(invalid());
    }
    let user = users::get(&state.db, t.user_id).await?;
    if user.disabled {
        return Err(invalid());
    }
    // As for sessions: recording every use would make each API call a write.
    if t.last_used_at.is_none_or(|at| Utc::now() - at > Duration::seconds(60)) {
        tokens::touch(&state.db, t.id).await?;
    }
    Ok(Resolved::Ready(identity(state, user, Via::Token(t.id), ip).await?))
}

/// How stale a session's last-seen time may grow before a request writes it again.
/// Writing on every request would make each page a write, so the time is written at most
/// once per interval; a session may therefore end up to one interval early, counted from
/// the last request. A twentieth of the idle timeout (at most a minute, at least a
/// second) keeps that error small at any setting: 3 s of a 1-minute timeout, 60 s of 30
/// minutes. (A fixed minute used to end 1-minute sessions of a user who kept working.)
pub fn touch_interval(idle: Duration) -> Duration {
    (idle / 20).clamp(Duration::seconds(1), Duration::seconds(60))
}

/// Starts a session for a user; returns the Set-Cookie value.
pub async fn start(state: &AppState, user_id: i64, totp_pending: bool) -> Result<String, AppError> {
    let token = diaban_vault::token::random_id(32);
    let hash = diaban_vault::token::hash_token(&token);
    let now = state.clock.now();
    let expires = now + Duration::minutes(state.config.session_absolute_minutes);
    sessions::create(&state.db, &hash, user_id, now, expires, totp_pending).await?;
    Ok(set_cookie(state, SESSION_COOKIE, &token, state.config.session_absolute_minutes * 60))
}

/// A Set-Cookie value that removes the session cookie.
pub fn clear(state: &AppState) -> String {
    set_cookie(state, SESSION_COOKIE, "", 0)
}
