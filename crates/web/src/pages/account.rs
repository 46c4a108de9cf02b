//! Tài khoản của tôi: change password (forced after an administrator's reset), interface
//! language, and two-factor sign-in (mandatory for some roles when configured).

use super::{Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::auth::session::{self, Resolved};
use crate::auth::{Identity, totp::TOTP_AAD};
use crate::error::AppError;
use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_store::{audit, sessions, users};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    // Access: any signed-in user, for their own account, including while a password
    // change or two-factor set-up is due.
    Router::new()
        .route("/account", get(show))
        .route("/account/password", get(show).post(change_password))
        .route("/account/lang", post(set_lang))
        .route("/account/totp", get(show).post(enable_totp))
        .route("/account/totp/disable", post(disable_totp))
}

enum Due {
    Nothing,
    Password,
    Totp,
}

async fn own_identity(
    state: &AppState,
    parts: &axum::http::request::Parts,
) -> Result<(Identity, Due), AppError> {
    match session::resolve(state, parts).await? {
        Resolved::Ready(id) => Ok((*id, Due::Nothing)),
        Resolved::MustChangePassword(id) => Ok((*id, Due::Password)),
        Resolved::MustEnrolTotp(id) => Ok((*id, Due::Totp)),
        Resolved::NeedsSecondFactor(_) => Err(AppError::redirect("/login/totp")),
        Resolved::Anonymous => Err(AppError::redirect("/login")),
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    p: super::Page,
    notice: Option<&'static str>,
    errors: Vec<String>,
    lang: String,
    totp_on: bool,
    totp_available: bool,
    new_secret: Option<(String, String, String)>,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    who: &Identity,
    due: Due,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let notice = match due {
        Due::Nothing => None,
        Due::Password => Some("account.must_change"),
        Due::Totp => Some("account.totp_required"),
    };
    let mut p = ctx.page(Some(who), "account.title", "account").await;
    if !matches!(due, Due::Nothing) {
        // Until the step is done, nothing else can be opened.
        p.nav.clear();
    }
    let totp_available = state.keys.is_some();
    let new_secret = match (&state.keys, who.user.totp_secret.is_some()) {
        (Some(keys), false) => {
            let secret = diaban_vault::totp::generate_secret();
            let uri = diaban_vault::totp::otpauth_uri("diaban", &who.user.username, &secret);
            Some((secret.clone(), uri, keys.seal(&secret, b"pending:totp_secret")))
        }
        _ => None,
    };
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AccountPage {
        p,
        notice,
        errors,
        lang: ctx.lang_for(Some(who)).code().to_owned(),
        totp_on: who.user.totp_secret.is_some(),
        totp_available,
        new_secret,
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    *r.status_mut() = status;
    Ok(r)
}

async fn show(State(state): State<AppState>, ctx: Ctx, req: Request) -> Result<Response, AppError> {
    let (parts, _) = req.into_parts();
    let (who, due) = own_identity(&state, &parts).await?;
    page(&state, &ctx, &who, due, vec![]).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

async fn form<T: serde::de::DeserializeOwned>(
    state: &AppState,
    req: Request,
) -> Result<(Identity, Due, T), AppError> {
    let (parts, body) = req.into_parts();
    let (who, due) = own_identity(state, &parts).await?;
    let Form(f) = Form::<T>::from_request(Request::from_parts(parts, body), state)
        .await
        .map_err(|e| AppError::new(crate::error::ErrorKind::BadRequest, e.body_text()))?;
    Ok((who, due, f))
}

async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    req: Request,
) -> Result<Response, AppError> {
    let (who, due, f) = form::<PasswordForm>(&state, req).await?;
    let tr = ctx.tr(Some(&who));
    let mut errors = Vec::new();
    let hash = who.user.password_hash.clone();
    let current = f.current.clone();
    let ok = tokio::task::spawn_blocking(move || {
        diaban_vault::password::verify_password(&current, &hash).unwrap_or(false)
    })
    .await
    .map_err(AppError::internal)?;
    if !ok {
        errors.push(tr.t("account.wrong_current").to_owned());
    }
    if f.new != f.confirm {
        errors.push(tr.t("account.mismatch").to_owned());
    }
    if let Err(e) = diaban_vault::password::check_password_policy(&f.new) {
        errors.push(if tr.0 == crate::i18n::Lang::Vi { e.message_vi() } else { e.message_en() }.to_string());
    }
    if !errors.is_empty() {
        return page(&state, &ctx, &who, due, errors).await;
    }
    let hash = super::admin_users::hash(&f.new).await?;
    users::set_password(&state.db, who.user.id, &hash, false).await?;
    // Every other session ends; this one stays.
    sessions::delete_for_user(&state.db, who.user.id).await?;
    let cookie = session::start(&state, who.user.id, false).await?;
    audit::append(&state.db, &who.audit("user.change_password", "user", who.user.id)).await?;
    let mut r = redirect_with_flash("/account", "account.password_changed");
    r.headers_mut().append(
        axum::http::header::SET_COOKIE,
        axum::http::HeaderValue::from_str(&cookie).map_err(AppError::internal)?,
    );
    Ok(r)
}

#[derive(Deserialize)]
struct LangForm {
    #[serde(default)]
    lang: String,
}

async fn set_lang(State(state): State<AppState>, req: Request) -> Result<Response, AppError> {
    let (who, _, f) = form::<LangForm>(&state, req).await?;
    let lang =
        crate::i18n::Lang::parse(&f.lang).ok_or_else(|| AppError::bad_param("lang", "expected vi or en"))?;
    users::set_lang(&state.db, who.user.id, lang.code()).await?;
    let mut r = redirect_with_flash("/account", "account.language_saved");
    // The cookie must follow, or it would keep overriding the saved setting.
    r.headers_mut().append(
        axum::http::header::SET_COOKIE,
        axum::http::HeaderValue::from_str(&session::set_cookie(
            &state,
            "dz_lang",
            lang.code(),
            60 * 60 * 24 * 365,
        ))
        .map_err(AppError::internal)?,
    );
    Ok(r)
}

#[derive(Deserialize)]
struct TotpForm {
    #[serde(default)]
    pending: String,
    #[serde(default)]
    code: String,
}

async fn enable_totp(State(state): State<AppState>, ctx: Ctx, req: Request) -> Result<Response, AppError> {
    let (who, due, f) = form::<TotpForm>(&state, req).await?;
    let tr = ctx.tr(Some(&who));
    let keys = state.keys.clone().ok_or_else(|| {
        AppError::new(crate::error::ErrorKind::Unavailable, "no data key").with_key("account.totp_no_key")
    })?;
    let secret = keys
        .open(&f.pending, b"pending:totp_secret")
        .map_err(|_| AppError::bad_param("pending", "invalid"))?;
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
    if diaban_vault::totp::verify_step(&secret, f.code.trim(), now).is_none() {
        return page(&state, &ctx, &who, due, vec![tr.t("auth.totp_invalid").to_owned()]).await;
    }
    users::set_totp(&state.db, who.user.id, Some(&keys.seal(&secret, TOTP_AAD))).await?;
    audit::append(&state.db, &who.audit("user.enable_totp", "user", who.user.id)).await?;
    Ok(redirect_with_flash("/account", "account.totp_enabled"))
}

#[derive(Deserialize)]
struct DisableForm {
    #[serde(default)]
    code: String,
}

async fn disable_totp(State(state): State<AppState>, ctx: Ctx, req: Request) -> Result<Response, AppError> {
    let (who, due, f) = form::<DisableForm>(&state, req).await?;
    let tr = ctx.tr(Some(&who));
    if state.config.require_totp && who.role.needs_two_factor() {
        return Err(AppError::new(
            crate::error::ErrorKind::Forbidden,
            "two-factor sign-in is mandatory for this role",
        ));
    }
    if !crate::auth::totp::check(&state, &who.user, &f.code).await? {
        return page(&state, &ctx, &who, due, vec![tr.t("auth.totp_invalid").to_owned()]).await;
    }
    users::set_totp(&state.db, who.user.id, None).await?;
    audit::append(&state.db, &who.audit("user.disable_totp", "user", who.user.id)).await?;
    Ok(redirect_with_flash("/account", "account.totp_disabled"))
}
