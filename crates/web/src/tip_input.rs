//! Anonymous tips from the public: the form's rules (shared by the page and the API), the
//! per-client throttle, and sending a tip. Nothing about the sender is kept: the client
//! address is used only in memory by the throttle, for the length of its window, and
//! never written with the tip, in the audit entry or in the logs.

use crate::AppState;
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::site_input::{FieldErrors, Loose};
use diaban_domain::site::LatLon;
use diaban_domain::tip::{MAX_ADDRESS, MAX_TEXT, follow_up_code};
use diaban_store::tips::{self, NewTip};
use serde::Deserialize;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A sliding-window counter per client: at most `max` events within `window`. Kept in
/// memory only (a restart forgets it; several web processes each count their own).
#[derive(Debug)]
pub struct Limiter {
    max: usize,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Past this many clients, the ones whose window has passed are forgotten at once, so
/// a flood from many addresses cannot grow the map without bound.
const PRUNE_AT: usize = 10_000;

impl Limiter {
    /// At most `max` events per client within `window`.
    pub fn new(max: usize, window: Duration) -> Self {
        Self { max, window, hits: Mutex::new(HashMap::new()) }
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, VecDeque<Instant>>) -> T) -> T {
        // A poisoned lock only means another request panicked mid-update; the counts
        // are still usable.
        let mut map = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut map)
    }

    /// Whether `key` may have one more event now (nothing is counted).
    pub fn allows(&self, key: &str) -> bool {
        let now = Instant::now();
        self.with(|map| match map.get_mut(key) {
            None => true,
            Some(q) => {
                while q.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
                    q.pop_front();
                }
                q.len() < self.max
            }
        })
    }

    /// Counts one event for `key`.
    pub fn record(&self, key: &str) {
        let now = Instant::now();
        self.with(|map| {
            if map.len() >= PRUNE_AT {
                map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < self.window));
            }
            map.entry(key.to_owned()).or_default().push_back(now);
        });
    }
}

/// The two throttles of the public tip pages: sending tips, and looking up a follow-up
/// code (four times as many: looking is harmless, guessing is hopeless anyway).
#[derive(Debug)]
pub struct TipLimits {
    /// Tips sent.
    pub submit: Limiter,
    /// Follow-up look-ups.
    pub lookup: Limiter,
}

impl TipLimits {
    /// From the settings.
    pub fn new(max: usize, window_minutes: u64) -> Self {
        let window = Duration::from_secs(window_minutes.saturating_mul(60));
        Self { submit: Limiter::new(max, window), lookup: Limiter::new(max.saturating_mul(4), window) }
    }
}

/// The fields as typed (form) or sent (JSON).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TipInput {
    /// The commune's code.
    #[serde(default)]
    pub unit: String,
    /// Latitude of the point on the map (optional).
    #[serde(default)]
    pub lat: Option<Loose>,
    /// Longitude.
    #[serde(default)]
    pub lon: Option<Loose>,
    /// Address text.
    #[serde(default)]
    pub address: String,
    /// What happens there.
    #[serde(default)]
    pub text: String,
    /// Whether the sender wants a follow-up code (a checkbox, or a boolean).
    #[serde(default)]
    pub follow_up: Option<Loose>,
}

impl TipInput {
    fn wants_code(&self) -> bool {
        match &self.follow_up {
            Some(Loose::Bool(b)) => *b,
            Some(Loose::Num(n)) => *n != 0.0,
            Some(Loose::Text(s)) => matches!(s.trim(), "on" | "true" | "1" | "yes"),
            None => false,
        }
    }
}

/// Why a tip was not taken.
#[derive(Debug)]
pub enum Refused {
    /// Too many tips from this client within the window.
    Throttled,
    /// Bad fields, one message per field.
    Invalid(FieldErrors),
}

/// A tip taken.
#[derive(Debug)]
pub struct Sent {
    /// Its id.
    pub id: i64,
    /// The follow-up code, shown once, when asked for.
    pub code: Option<String>,
}

/// The communes a tip may be sent to: those of the provinces this deployment serves.
pub async fn communes(state: &AppState) -> Result<Vec<tips::CommuneRow>, AppError> {
    Ok(tips::served_communes(&state.db).await?)
}

fn text_of(l: &Option<Loose>) -> Option<String> {
    match l {
        Some(Loose::Text(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Loose::Num(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// Checks the fields.
pub async fn validate(
    state: &AppState,
    input: &TipInput,
    tr: Tr,
) -> Result<Result<NewTip, FieldErrors>, AppError> {
    let mut errors: FieldErrors = Vec::new();
    let code = input.unit.trim();
    let unit_id = if code.is_empty() {
        errors.push(("unit", tr.t("tips.pick_commune").into()));
        None
    } else {
        match tips::served_commune(&state.db, code).await? {
            Some(id) => Some(id),
            None => {
                errors.push(("unit", tr.t("tips.unknown_commune").into()));
                None
            }
        }
    };
    let text = input.text.trim();
    if text.is_empty() {
        errors.push(("text", tr.t("tips.text_required").into()));
    } else if text.chars().count() > MAX_TEXT {
        errors.push(("text", tr.t("validation.too_long").into()));
    }
    if input.address.trim().chars().count() > MAX_ADDRESS {
        errors.push(("address", tr.t("validation.too_long").into()));
    }
    let location = match (text_of(&input.lat), text_of(&input.lon)) {
        (None, None) => None,
        (Some(_), None) | (None, Some(_)) => {
            errors.push(("lat", tr.t("tips.point_incomplete").into()));
            None
        }
        (Some(_), Some(_)) => {
            let n = |l: &Option<Loose>| l.as_ref().and_then(Loose::number);
            match (n(&input.lat), n(&input.lon)) {
                (Some(lat), Some(lon)) => match LatLon::new(lat, lon) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        errors.push(("lat", if tr.0 == Lang::Vi { e.message_vi() } else { e.to_string() }));
                        None
                    }
                },
                _ => {
                    errors.push(("lat", tr.t("tips.bad_number").into()));
                    None
                }
            }
        }
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(NewTip {
        unit_id: unit_id.unwrap_or_default(),
        location,
        address: input.address.trim().to_owned(),
        text: text.to_owned(),
        follow_up_hash: None,
    }))
}

/// Takes a tip from the client at `ip`: throttle, validate, store (sealed), audit as
/// "anonymous" with no address. The data key is required (the text is sealed).
pub async fn send(
    state: &AppState,
    input: &TipInput,
    ip: &str,
    tr: Tr,
) -> Result<Result<Sent, Refused>, AppError> {
    if !state.tip_limits.submit.allows(ip) {
        tracing::info!("a tip was throttled");
        return Ok(Err(Refused::Throttled));
    }
    let keys = state
        .keys
        .as_ref()
        .ok_or_else(|| AppError::new(crate::error::ErrorKind::Unavailable, "tips cannot be taken now"))?;
    let mut new = match validate(state, input, tr).await? {
        Ok(n) => n,
        Err(e) => return Ok(Err(Refused::Invalid(e))),
    };
    let code = input.wants_code().then(|| {
        let mut random = [0u8; 12];
        diaban_vault::token::fill_random(&mut random);
        follow_up_code(&random)
    });
    new.follow_up_hash = code
        .as_deref()
        .and_then(diaban_domain::tip::normalise_code)
        .map(|c| diaban_vault::token::hash_token(&c));
    let entry = diaban_store::audit::NewEntry {
        actor: "anonymous".into(),
        action: "tip.create".into(),
        outcome: "ok".into(),
        ..Default::default()
    };
    let id = tips::submit(&state.db, keys, &new, Some(entry)).await?;
    state.tip_limits.submit.record(ip);
    Ok(Ok(Sent { id, code }))
}

/// Looks up a follow-up code for the client at `ip` (throttled). `Ok(None)`: no tip has
/// this code (or it is malformed).
pub async fn look_up(
    state: &AppState,
    typed: &str,
    ip: &str,
) -> Result<Result<Option<tips::FollowUp>, Refused>, AppError> {
    if !state.tip_limits.lookup.allows(ip) {
        return Ok(Err(Refused::Throttled));
    }
    state.tip_limits.lookup.record(ip);
    let Some(code) = diaban_domain::tip::normalise_code(typed) else { return Ok(Ok(None)) };
    Ok(Ok(tips::follow_up(&state.db, &diaban_vault::token::hash_token(&code)).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_allows_max_per_window_per_client() {
        let l = Limiter::new(2, Duration::from_secs(3600));
        for _ in 0..2 {
            assert!(l.allows("a"));
            l.record("a");
        }
        assert!(!l.allows("a"));
        assert!(l.allows("b"), "another client is not affected");
        let short = Limiter::new(1, Duration::ZERO);
        short.record("a");
        assert!(short.allows("a"), "a window that has passed forgets");
    }
}
