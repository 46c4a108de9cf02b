//! Checking a username and password, with throttling per address and temporary lockout
//! per account. An unknown user, a wrong password and a disabled account get the same
//! answer in about the same time (a dummy verification runs when there is no hash).

use crate::AppState;
use crate::error::AppError;
use chrono::Duration;
use diaban_store::audit::{self, NewEntry};
use diaban_store::{sessions, users};

/// Why a sign-in did not succeed.
#[derive(Debug)]
pub enum Refused {
    /// Wrong username or password (or a disabled account): one answer for all three.
    Invalid,
    /// Too many failures for this account or from this address.
    Throttled,
}

/// Checks the credentials and records the attempt. On success returns the account.
pub async fn check(
    state: &AppState,
    username: &str,
    password: &str,
    ip: &str,
) -> Result<Result<users::User, Refused>, AppError> {
    let cfg = &state.config;
    let name: String = username.trim().to_lowercase().chars().take(64).collect();
    let window_start = diaban_store::now() - Duration::minutes(cfg.lockout_minutes);
    let by_ip = sessions::ip_failures_since(&state.db, ip, window_start).await?;
    let by_name = sessions::username_failures_since(&state.db, &name, window_start).await?;
    if by_ip >= cfg.max_failures_per_ip || by_name >= cfg.max_failures_per_account {
        record(state, &name, None, ip, "login.throttled", "denied").await?;
        return Ok(Err(Refused::Throttled));
    }
    let user = users::by_username(&state.db, &name).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let password = password.to_owned();
    // On a match, a hash made with older parameters is replaced by one with today's
    // (computed here, while the password is at hand; stored below).
    let (ok, rehashed) = tokio::task::spawn_blocking(move || match hash {
        Some(h) => {
            use diaban_vault::password::{PasswordParams, hash_password, needs_rehash, verify_password};
            let ok = verify_password(&password, &h).unwrap_or(false);
            let fresh = (ok && needs_rehash(&h, &PasswordParams::default()))
                .then(|| hash_password(&password).ok())
                .flatten();
            (ok, fresh)
        }
        None => {
            diaban_vault::password::dummy_verify();
            (false, None)
        }
    })
    .await
    .map_err(AppError::internal)?;
    match user {
        Some(u) if ok && !u.disabled => {
            if let Some(h) = rehashed {
                users::replace_password_hash(&state.db, u.id, &u.password_hash, &h).await?;
            }
            // With two-factor the sign-in succeeds only with the code (the second step
            // records that success). Recording the password alone as a success would
            // reset the failure count, and with it the lockout that bounds code guessing.
            if u.totp_secret.is_none() {
                sessions::record_attempt(&state.db, &name, ip, true).await?;
            }
            record(state, &name, Some(&u), ip, "login.success", "ok").await?;
            Ok(Ok(u))
        }
        u => {
            sessions::record_attempt(&state.db, &name, ip, false).await?;
            record(state, &name, u.as_ref(), ip, "login.failure", "denied").await?;
            Ok(Err(Refused::Invalid))
        }
    }
}

async fn record(
    state: &AppState,
    name: &str,
    user: Option<&users::User>,
    ip: &str,
    action: &str,
    outcome: &str,
) -> Result<(), AppError> {
    let e = NewEntry {
        actor_user_id: user.map(|u| u.id),
        actor: name.to_owned(),
        role: user.map(|u| u.role.clone()).unwrap_or_default(),
        unit_code: String::new(),
        action: action.to_owned(),
        target_type: "session".to_owned(),
        target_id: String::new(),
        reason: String::new(),
        ip: ip.to_owned(),
        outcome: outcome.to_owned(),
    };
    audit::append(&state.db, &e).await?;
    Ok(())
}
