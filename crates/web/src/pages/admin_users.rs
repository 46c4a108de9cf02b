//! Quản trị › Tài khoản: accounts for administrators — create (with a temporary password
//! shown once), disable or enable, reset a password, grant a leader access to personal
//! details, clear an account's sign-in lock. Every change is audited.

use super::{Crumb, Ctx, render};
use crate::AppState;
use crate::auth::{Authorized, actions::ManageUsers};
use crate::error::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::access::Role;
use diaban_store::{audit, sessions, units, users};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    // Access: ManageUsers (admin) for every route here.
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
        .route("/admin/users/{id}/reset", post(reset))
        .route("/admin/users/{id}/grant", post(grant))
        .route("/admin/users/{id}/unlock", post(unlock))
}

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub unit: String,
    pub disabled: bool,
    pub totp: bool,
    pub leader: bool,
    pub granted: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct ListPage {
    p: super::Page,
    rows: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    form: NewUserForm,
    shown_password: Option<(String, String)>,
}

#[derive(Deserialize, Default, Clone)]
pub struct NewUserForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub unit: String,
}

async fn page(
    state: &AppState,
    who: &Authorized<ManageUsers>,
    ctx: &Ctx,
    errors: Vec<String>,
    form: NewUserForm,
    shown: Option<(String, String)>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let mut rows = Vec::new();
    for u in users::list(&state.db).await? {
        let unit = units::get(&state.db, u.unit_id).await?;
        let role = u.role();
        rows.push(UserRow {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: if tr.0 == crate::i18n::Lang::Vi { role.label_vi() } else { role.label_en() },
            unit: format!("{} ({})", unit.name, unit.code),
            disabled: u.disabled,
            totp: u.totp_secret.is_some(),
            leader: role == Role::Leader,
            granted: u.personal_data_granted,
        });
    }
    let roles = Role::ALL
        .iter()
        .map(|r| (r.as_str(), if tr.0 == crate::i18n::Lang::Vi { r.label_vi() } else { r.label_en() }))
        .collect();
    let mut p = ctx.page(Some(who), "users.title", "users").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("users.title").into(), href: None },
    ];
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r =
        render(ctx.flash_key.is_some(), &ListPage { p, rows, roles, errors, form, shown_password: shown })?;
    *r.status_mut() = status;
    Ok(r)
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ManageUsers>,
    ctx: Ctx,
) -> Result<Response, AppError> {
    page(&state, &who, &ctx, vec![], NewUserForm::default(), None).await
}

/// A random temporary password that meets the policy.
pub fn temporary_password() -> String {
    format!("Tam-{}", diaban_vault::token::random_id(12))
}

/// Checks a username: 3–32 characters of a-z, 0-9, '.', '_', '-'.
pub fn valid_username(s: &str) -> bool {
    (3..=32).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// Resolves the scope unit for a role: a current commune for commune officers, a current
/// province for the others.
pub async fn scope_unit(state: &AppState, role: Role, code: &str) -> Result<Option<units::Unit>, AppError> {
    Ok(units::current_scope_unit(&state.db, code, role.scope_is_commune()).await?)
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<ManageUsers>,
    ctx: Ctx,
    Form(f): Form<NewUserForm>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let mut errors = Vec::new();
    let username = f.username.trim().to_lowercase();
    if !valid_username(&username) {
        errors.push(tr.t("users.username_rule").to_owned());
    }
    let role = f.role.parse::<Role>().ok();
    if role.is_none() {
        errors.push(format!("{}: {}", tr.t("users.role"), tr.t("validation.required")));
    }
    let unit = match role {
        Some(r) => scope_unit(&state, r, f.unit.trim()).await?,
        None => None,
    };
    if role.is_some() && unit.is_none() {
        errors.push(tr.t("users.unit_rule").to_owned());
    }
    let display_name = f.display_name.trim().chars().take(100).collect::<String>();
    if display_name.is_empty() {
        errors.push(format!("{}: {}", tr.t("users.display_name"), tr.t("validation.required")));
    }
    let (Some(role), Some(unit), true) = (role, unit, errors.is_empty()) else {
        return page(&state, &who, &ctx, errors, f, None).await;
    };
    let password = temporary_password();
    let hash = hash(&password).await?;
    let new = users::NewUser {
        username: username.clone(),
        display_name,
        password_hash: hash,
        role,
        unit_id: unit.id,
        must_change_password: true,
    };
    match users::create(&state.db, &new).await {
        Ok(id) => {
            audit::append(&state.db, &who.audit("user.create", "user", id)).await?;
            page(&state, &who, &ctx, vec![], NewUserForm::default(), Some((username, password))).await
        }
        Err(diaban_store::DbError::Conflict(_)) => {
            page(&state, &who, &ctx, vec![tr.t("users.taken").to_owned()], f, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// argon2id off the async threads.
pub async fn hash(password: &str) -> Result<String, AppError> {
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || diaban_vault::password::hash_password(&pw))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

async fn disable(
    State(state): State<AppState>,
    who: Authorized<ManageUsers>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    users::set_disabled(&state.db, id, true).await?;
    sessions::delete_for_user(&state.db, id).await?;
    audit::append(&state.db, &who.audit("user.disable", "user", id)).await?;
    Ok(super::redirect_with_flash("/admin/users", "common.saved"))
}

async fn enable(
    State(state): State<AppState>,
    who: Authorized<ManageUsers>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    users::set_disabled(&state.db, id, false).await?;
    audit::append(&state.db, &who.audit("user.enable", "user", id)).await?;
    Ok(super::redirect_with_flash("/admin/users", "common.saved"))
}

async fn reset(
    State(state): State<AppState>,
    who: Authorized<ManageUsers>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let user = users::get(&state.db, id).await?;
    let password = temporary_password();
    users::set_password(&state.db, id, &hash(&password).await?, true).await?;
    sessions::delete_for_user(&state.db, id).await?;
    audit::append(&state.db, &who.audit("user.reset_password", "user", id)).await?;
    page(&state, &who, &ctx, vec![], NewUserForm::default(), Some((user.username, password))).await
}

#[derive(Deserialize)]
struct GrantForm {
    #[serde(default)]
    granted: String,
}

async fn grant(
    State(state): State<AppState>,
    who: Authorized<ManageUsers>,
    Path(id): Path<i64>,
    Form(f): Form<GrantForm>,
) -> Result<Response, AppError> {
    let user = users::get(&state.db, id).await?;
    if user.role() != Role::Leader {
        return Err(AppError::new(
            crate::error::ErrorKind::Unprocessable,
            "only a leader's access can be granted",
        ));
    }
    let granted = f.granted == "true";
    users::set_personal_data_grant(&state.db, id, granted).await?;
    audit::append(
        &state.db,
        &who.audit(
            if granted { "user.grant_personal_data" } else { "user.revoke_personal_data" },
            "user",
            id,
        ),
    )
    .await?;
    Ok(super::redirect_with_flash("/admin/users", "common.saved"))
}

/// Clears an account's failed sign-ins from every address (the page and the API share
/// it), audited as `user.unlock`. An unknown id is 404.
pub(crate) async fn unlock_account(
    state: &AppState,
    who: &crate::auth::Identity,
    id: i64,
) -> Result<(), AppError> {
    if !sessions::clear_failures(&state.db, id, state.clock.now()).await? {
        return Err(AppError::new(crate::error::ErrorKind::NotFound, "no such account"));
    }
    audit::append(&state.db, &who.audit("user.unlock", "user", id)).await?;
    Ok(())
}

async fn unlock(
    State(state): State<AppState>,
    who: Authorized<ManageUsers>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    unlock_account(&state, &who, id).await?;
    Ok(super::redirect_with_flash("/admin/users", "common.saved"))
}
