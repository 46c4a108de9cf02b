//! What the breach register's page and API share: the input of a new incident and of a
//! notification, parsed into checked values (times given in Vietnam's local time, or
//! RFC 3339), and the two changes with their audit entries (`data_breach.create`,
//! `data_breach.notify`). The rules are `diaban_domain::breach`.

use crate::auth::Identity;
use crate::error::{AppError, ErrorKind};
use chrono::{DateTime, NaiveDateTime, Utc};
use diaban_domain::breach::{BreachCategory, check_new, check_notified};
use diaban_store::Db;
use diaban_store::data_breaches::{self, NewBreach};
use diaban_store::persons::Scope;
use serde::{Deserialize, Serialize};

/// A new incident as typed (form fields or JSON).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct BreachInput {
    /// When it was detected: "2026-10-01T08:30" (Vietnam time) or RFC 3339.
    #[serde(default)]
    pub detected_at: String,
    /// What happened, without identities.
    #[serde(default)]
    pub description: String,
    /// Category codes (`identity`, `contact`, `health`, `crime`, `credentials`, `other`).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Persons affected, approximately.
    #[serde(default)]
    pub persons_affected: Option<i64>,
    /// Measures taken.
    #[serde(default)]
    pub measures: String,
    /// When the authority (A05) was notified, if already.
    #[serde(default)]
    pub authority_notified_at: Option<String>,
    /// When the persons were notified, if they were.
    #[serde(default)]
    pub subjects_notified_at: Option<String>,
}

/// A notification as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NotifiedInput {
    /// When the authority (A05) was notified.
    #[serde(default)]
    pub authority_notified_at: Option<String>,
    /// When the persons were notified.
    #[serde(default)]
    pub subjects_notified_at: Option<String>,
}

fn unprocessable(field: &str, msg: &str) -> AppError {
    AppError::new(ErrorKind::Unprocessable, format!("{field}: {msg}"))
}

/// A time typed in Vietnam ("2026-10-01T08:30", seconds optional) or as RFC 3339.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .ok()?;
    local.and_local_timezone(diaban_domain::time::vietnam_offset()).single().map(|t| t.with_timezone(&Utc))
}

fn optional_time(field: &str, v: &Option<String>) -> Result<Option<DateTime<Utc>>, AppError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse_time(s)
            .map(Some)
            .ok_or_else(|| unprocessable(field, "Nhập thời điểm dạng YYYY-MM-DDTHH:MM (giờ Việt Nam).")),
    }
}

/// The unit a caller's incidents are recorded against: its province (or its commune).
pub fn unit_of(who: &Identity) -> i64 {
    match who.scope() {
        Scope::Province(p) | Scope::Commune(p) => p,
    }
}

/// Checks and records a new incident; returns its id.
pub async fn create(db: &Db, who: &Identity, input: &BreachInput) -> Result<i64, AppError> {
    let detected_at = parse_time(&input.detected_at).ok_or_else(|| {
        unprocessable("detected_at", "Nhập thời điểm phát hiện dạng YYYY-MM-DDTHH:MM (giờ Việt Nam).")
    })?;
    let mut categories = Vec::new();
    for c in &input.categories {
        let c: BreachCategory =
            c.trim().parse().map_err(|_| unprocessable("categories", "Loại dữ liệu không hợp lệ."))?;
        if !categories.contains(&c) {
            categories.push(c);
        }
    }
    let persons = input.persons_affected.unwrap_or(-1);
    let now = Utc::now();
    check_new(&input.description, &categories, persons, detected_at, now)
        .map_err(|e| unprocessable(e.field(), e.message_vi()))?;
    let authority = optional_time("authority_notified_at", &input.authority_notified_at)?;
    let subjects = optional_time("subjects_notified_at", &input.subjects_notified_at)?;
    for (field, t) in [("authority_notified_at", authority), ("subjects_notified_at", subjects)] {
        if let Some(t) = t {
            check_notified(detected_at, t, now).map_err(|e| unprocessable(field, e.message_vi()))?;
        }
    }
    let b = NewBreach {
        unit_id: unit_of(who),
        detected_at,
        description: input.description.trim().chars().take(4000).collect(),
        categories,
        persons_affected: persons,
        measures: input.measures.trim().chars().take(4000).collect(),
        authority_notified_at: authority,
        subjects_notified_at: subjects,
    };
    Ok(data_breaches::create(db, &b, Some(who.user.id), who.audit("data_breach.create", "data_breach", ""))
        .await?)
}

/// Records when the authority and/or the persons were notified of incident `id` (in the
/// caller's scope; 404 otherwise).
pub async fn notified(db: &Db, who: &Identity, id: i64, input: &NotifiedInput) -> Result<(), AppError> {
    let b = data_breaches::get(db, who.scope(), id)
        .await?
        .ok_or_else(|| AppError::not_found("no such incident in your scope"))?;
    let authority = optional_time("authority_notified_at", &input.authority_notified_at)?;
    let subjects = optional_time("subjects_notified_at", &input.subjects_notified_at)?;
    if authority.is_none() && subjects.is_none() {
        return Err(unprocessable("authority_notified_at", "Nhập thời điểm đã thông báo."));
    }
    let now = Utc::now();
    for (field, t) in [("authority_notified_at", authority), ("subjects_notified_at", subjects)] {
        if let Some(t) = t {
            check_notified(b.detected_at, t, now).map_err(|e| unprocessable(field, e.message_vi()))?;
        }
    }
    let mut entry = who.audit("data_breach.notify", "data_breach", id);
    entry.reason = match (authority.is_some(), subjects.is_some()) {
        (true, true) => "authority,subjects",
        (true, false) => "authority",
        _ => "subjects",
    }
    .into();
    Ok(data_breaches::set_notified(db, id, authority, subjects, entry).await?)
}
