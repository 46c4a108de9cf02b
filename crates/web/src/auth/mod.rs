//! Who is asking, and may they. Identity comes from the session cookie or a bearer token
//! ([`Identity`]); [`Authorized`] adds the role check for one [`Action`], so a handler's
//! signature says what it requires. Scope (which unit's records) is applied in the store
//! queries through [`Identity::scope`].

pub mod actions;
pub mod login;
pub mod session;
pub mod totp;

use crate::AppState;
use crate::error::{AppError, ErrorKind};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use diaban_domain::access::{self, Action, Role};
use diaban_store::persons::Scope;
use diaban_store::units::Unit;
use diaban_store::users::User;
use std::marker::PhantomData;

/// How the request was authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser session; the value is the SHA-256 of the cookie token.
    Session(String),
    /// An API token (its id).
    Token(i64),
}

/// The signed-in user, with the unit that scopes everything they see.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The account.
    pub user: User,
    /// The account's role.
    pub role: Role,
    /// The scope unit (a current province or commune).
    pub unit: Unit,
    /// Session or token.
    pub via: Via,
    /// Client address (for the audit log).
    pub ip: String,
}

impl Identity {
    /// The records this identity may see.
    pub fn scope(&self) -> Scope {
        if self.unit.level == "commune" {
            Scope::Commune(self.unit.scope_commune_id.unwrap_or(self.unit.id))
        } else {
            Scope::Province(self.unit.scope_province_id.unwrap_or(self.unit.id))
        }
    }

    /// Whether the role allows an action.
    pub fn may(&self, action: Action) -> bool {
        access::allows(self.role, action, self.user.personal_data_granted)
    }

    /// An audit entry with this identity as actor.
    pub fn audit(
        &self,
        action: &str,
        target_type: &str,
        target_id: impl ToString,
    ) -> diaban_store::audit::NewEntry {
        diaban_store::audit::NewEntry {
            actor_user_id: Some(self.user.id),
            actor: self.user.username.clone(),
            role: self.role.as_str().to_owned(),
            unit_code: self.unit.code.clone(),
            action: action.to_owned(),
            target_type: target_type.to_owned(),
            target_id: target_id.to_string(),
            reason: String::new(),
            ip: self.ip.clone(),
            outcome: "ok".to_owned(),
        }
    }
}

/// Identity of a fully signed-in user (second factor done, password not due for
/// change). Missing or invalid credentials: 401 for the API, a redirect to the sign-in
/// page for pages (see `error.rs`).
impl<S> FromRequestParts<S> for Identity
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        match session::resolve(&state, parts).await? {
            session::Resolved::Ready(id) => Ok(*id),
            session::Resolved::NeedsSecondFactor(_) => Err(AppError::redirect("/login/totp")),
            session::Resolved::MustChangePassword(_) => Err(AppError::redirect("/account/password")),
            session::Resolved::MustEnrolTotp(_) => Err(AppError::redirect("/account/totp")),
            session::Resolved::Anonymous => Err(AppError::new(ErrorKind::Unauthorized, "sign in first")),
        }
    }
}

/// An action a route requires, as a type, so the requirement is in the handler's
/// signature: `Authorized<actions::ReadPersons>`.
pub trait Requirement {
    /// The action.
    const ACTION: Action;
}

/// An identity whose role allows `R::ACTION`. Refusals are 403 and are audited.
pub struct Authorized<R: Requirement> {
    /// The identity.
    pub who: Identity,
    _r: PhantomData<R>,
}

impl<R: Requirement> std::ops::Deref for Authorized<R> {
    type Target = Identity;
    fn deref(&self) -> &Identity {
        &self.who
    }
}

impl<S, R> FromRequestParts<S> for Authorized<R>
where
    AppState: FromRef<S>,
    S: Send + Sync,
    R: Requirement,
{
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let who = Identity::from_request_parts(parts, state).await?;
        if who.may(R::ACTION) {
            return Ok(Authorized { who, _r: PhantomData });
        }
        let st = AppState::from_ref(state);
        let mut e = who.audit("access.denied", "route", parts.uri.path());
        e.outcome = "denied".into();
        if let Err(err) = diaban_store::audit::append(&st.db, &e).await {
            tracing::error!(error = %err, "cannot audit a refusal");
        }
        Err(AppError::new(ErrorKind::Forbidden, "your role does not allow this"))
    }
}
