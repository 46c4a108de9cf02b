//! Checking a username and password, with throttling per (account, address) pair and per
//! address. Failures from one address never make an account wait at another: a pair
//! that failed `max_failures_per_account` times waits, and each further failure doubles
//! the wait (capped), while an address that fails on many accounts is throttled as a
//! whole. An unknown user, a wrong password and a disabled account get the same answer in
//! about the same time (a dummy verification runs when there is no hash), and since
//! unknown names are throttled by the same rule, a wait does not tell them apart either.

use crate::AppState;
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use diaban_store::audit::{self, NewEntry};
use diaban_store::{sessions, users};

/// Why a sign-in did not succeed.
#[derive(Debug)]
pub enum Refused {
    /// Wrong username or password (or a disabled account): one answer for all three.
    Invalid,
    /// Too many failures for this account from this address, or from this address: the
    /// next attempt is heard from this time on.
    Throttled(DateTime<Utc>),
}

/// Until when a pair with `failures` counted failures, the newest at `last`, must wait;
/// None when it may try now. The first `free` failures cost nothing; then the wait starts
/// at `first` and doubles with each failure, up to `max`.
pub fn pair_locked_until(
    failures: i64,
    last: Option<DateTime<Utc>>,
    free: i64,
    first: Duration,
    max: Duration,
) -> Option<DateTime<Utc>> {
    let last = last?;
    if failures < free.max(1) {
        return None;
    }
    let doublings = u32::try_from((failures - free).clamp(0, 30)).unwrap_or(30);
    let wait = first.checked_mul(1 << doublings).map_or(max, |w| w.min(max));
    Some(last + wait)
}

/// When this account may next be tried from this address, and when this address may next
/// try at all: the later of the two, or None when it may try now.
pub async fn throttled_until(
    state: &AppState,
    name: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let cfg = &state.config;
    let memory = now - Duration::hours(cfg.failure_memory_hours);
    let pair = sessions::pair_failures_since(&state.db, name, ip, memory).await?;
    let pair_until = pair_locked_until(
        pair.count,
        pair.last_at,
        cfg.max_failures_per_account,
        Duration::seconds(cfg.backoff_first_seconds),
        Duration::minutes(cfg.backoff_max_minutes),
    );
    let window = Duration::minutes(cfg.lockout_minutes);
    let ip_until =
        if sessions::ip_failures_since(&state.db, ip, now - window).await? >= cfg.max_failures_per_ip {
            sessions::ip_oldest_failure_since(&state.db, ip, now - window).await?.map(|t| t + window)
        } else {
            None
        };
    Ok([pair_until, ip_until].into_iter().flatten().max().filter(|until| *until > now))
}

/// Checks the credentials and records the attempt. On success returns the account.
pub async fn check(
    state: &AppState,
    username: &str,
    password: &str,
    ip: &str,
) -> Result<Result<users::User, Refused>, AppError> {
    let name: String = username.trim().to_lowercase().chars().take(64).collect();
    let now = state.clock.now();
    if let Some(until) = throttled_until(state, &name, ip, now).await? {
        record(state, &name, None, ip, "login.throttled", "denied").await?;
        return Ok(Err(Refused::Throttled(until)));
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
                sessions::record_attempt(&state.db, &name, ip, true, now).await?;
            }
            record(state, &name, Some(&u), ip, "login.success", "ok").await?;
            Ok(Ok(u))
        }
        u => {
            sessions::record_attempt(&state.db, &name, ip, false, now).await?;
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

#[cfg(test)]
mod tests {
    use super::pair_locked_until;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn the_wait_starts_after_the_free_failures_and_doubles_up_to_the_cap() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).single().expect("time");
        let (first, max) = (Duration::minutes(1), Duration::minutes(60));
        let wait = |n| pair_locked_until(n, Some(t), 5, first, max).map(|u| (u - t).num_minutes());
        assert_eq!(wait(0), None);
        assert_eq!(wait(4), None);
        assert_eq!(wait(5), Some(1));
        assert_eq!(wait(6), Some(2));
        assert_eq!(wait(8), Some(8));
        assert_eq!(wait(11), Some(60));
        assert_eq!(wait(500), Some(60));
        assert_eq!(pair_locked_until(9, None, 5, first, max), None);
    }
}
