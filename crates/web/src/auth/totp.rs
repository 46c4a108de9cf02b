//! The second factor: checking a code against a user's sealed secret, once per time step.

use crate::AppState;
use crate::error::AppError;
use diaban_store::users::{self, User};

/// Associated data binding a sealed TOTP secret to its column.
pub const TOTP_AAD: &[u8] = b"user:totp_secret";

/// Whether `code` is valid now for `user` and was not used before.
pub async fn check(state: &AppState, user: &User, code: &str) -> Result<bool, AppError> {
    let (Some(sealed), Some(keys)) = (&user.totp_secret, &state.keys) else {
        return Ok(false);
    };
    let secret = keys.open(sealed, TOTP_AAD).map_err(AppError::internal)?;
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
    let Some(step) = diaban_vault::totp::verify_step(&secret, code.trim(), now) else {
        return Ok(false);
    };
    Ok(users::advance_totp_step(&state.db, user.id, i64::try_from(step).unwrap_or(i64::MAX)).await?)
}
