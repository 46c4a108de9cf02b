//! Turning the forms of a person's measures, services, events and moves (page or API)
//! into validated values: one set of rules for both, an error per field in the user's
//! language. The rules that need the person's other measures (overlap, repeat term) are
//! the store's, inside its transaction; [`episode_error_field`] places their refusals.

use crate::i18n::{Lang, Tr};
use crate::person_input::FieldErrors;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use diaban_domain::person::{
    EndReason, EpisodeError, EpisodeKind, EventKind, HeldIn, ServiceKind, Substance,
};
use diaban_store::person_records::{NewEpisode, Profile};
use serde::Deserialize;

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y")).ok()
}

fn date_field(
    errors: &mut FieldErrors,
    tr: Tr,
    field: &'static str,
    v: &str,
    required: bool,
    today: NaiveDate,
) -> Option<NaiveDate> {
    match v.trim() {
        "" if required => {
            errors.push((field, tr.t("validation.required").into()));
            None
        }
        "" => None,
        s => match parse_date(s) {
            Some(d) if d.year() >= 1950 && d <= today => Some(d),
            Some(d) if d > today => {
                errors.push((field, tr.t("records.future_date").into()));
                None
            }
            _ => {
                errors.push((field, tr.t("validation.date").into()));
                None
            }
        },
    }
}

fn text_field(
    errors: &mut FieldErrors,
    tr: Tr,
    field: &'static str,
    v: &str,
    required: bool,
    max: usize,
) -> String {
    let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
    if v.is_empty() && required {
        errors.push((field, tr.t("validation.required").into()));
    } else if v.chars().count() > max {
        errors.push((field, tr.t("validation.too_long").into()));
    }
    v
}

/// The fields of a measure as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EpisodeInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub decision_number: String,
    #[serde(default)]
    pub decision_date: String,
    #[serde(default)]
    pub signer: String,
    #[serde(default)]
    pub start_on: String,
    #[serde(default)]
    pub term_months: String,
    #[serde(default)]
    pub actual_end: String,
    #[serde(default)]
    pub end_reason: String,
    #[serde(default)]
    pub criteria_met: String,
    #[serde(default)]
    pub place: String,
}

/// Checks a measure's fields. Dates may not be in the future except the start (a decision
/// may fix a start a few days on).
pub fn episode(input: &EpisodeInput, tr: Tr, today: NaiveDate) -> Result<NewEpisode, FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    let kind = match input.kind.trim().parse::<EpisodeKind>() {
        Ok(k) => Some(k),
        Err(_) => {
            errors.push(("kind", tr.t("records.kind_required").into()));
            None
        }
    };
    let is_determination = kind == Some(EpisodeKind::AddictionDetermination);
    let decision_number =
        text_field(&mut errors, tr, "decision_number", &input.decision_number, !is_determination, 60);
    let signer = text_field(&mut errors, tr, "signer", &input.signer, !is_determination, 120);
    let place = text_field(&mut errors, tr, "place", &input.place, false, 200);
    let decision_date = date_field(&mut errors, tr, "decision_date", &input.decision_date, true, today);
    let start = match input.start_on.trim() {
        "" => decision_date,
        s => match parse_date(s) {
            Some(d) if d.year() >= 1950 => Some(d),
            _ => {
                errors.push(("start_on", tr.t("validation.date").into()));
                None
            }
        },
    };
    let term_months = match input.term_months.trim() {
        "" => None,
        s => match s.parse::<u32>() {
            Ok(m) if (1..=120).contains(&m) => Some(m),
            _ => {
                errors.push(("term_months", tr.t("records.term_invalid").into()));
                None
            }
        },
    };
    let actual_end = date_field(&mut errors, tr, "actual_end", &input.actual_end, false, today);
    let end_reason = match input.end_reason.trim() {
        "" if actual_end.is_some() => {
            errors.push(("end_reason", tr.t("records.end_reason_required").into()));
            None
        }
        "" => None,
        s => match s.parse::<EndReason>() {
            Ok(r) => Some(r),
            Err(_) => {
                errors.push(("end_reason", tr.t("records.end_reason_required").into()));
                None
            }
        },
    };
    let criteria_met = match (is_determination, input.criteria_met.trim()) {
        (false, _) => None,
        (true, "") => {
            errors.push(("criteria_met", tr.t("validation.required").into()));
            None
        }
        (true, s) => match s.parse::<u8>() {
            Ok(c) if c <= 6 => Some(c),
            _ => {
                errors.push(("criteria_met", tr.t("records.criteria_invalid").into()));
                None
            }
        },
    };
    if let (Some(s), Some(e)) = (start, actual_end)
        && e <= s
    {
        let m = EpisodeError::EndNotAfterStart { start: s, end: e };
        errors.push(("actual_end", episode_message(&m, tr)));
    }
    match (kind, decision_date, start) {
        (Some(kind), Some(decision_date), Some(start)) if errors.is_empty() => Ok(NewEpisode {
            kind,
            decision_number,
            decision_date,
            signer,
            start,
            term_months,
            actual_end,
            end_reason,
            criteria_met,
            place,
        }),
        _ => Err(errors),
    }
}

/// A domain refusal in the user's language.
pub fn episode_message(e: &EpisodeError, tr: Tr) -> String {
    if tr.0 == Lang::Vi { e.message_vi() } else { e.to_string() }
}

/// The field a refusal of the store belongs to.
pub fn episode_error_field(e: &EpisodeError) -> &'static str {
    match e {
        EpisodeError::NoTerm { .. }
        | EpisodeError::TermRequired { .. }
        | EpisodeError::TermOutOfRange { .. } => "term_months",
        EpisodeError::EndNotAfterStart { .. } => "actual_end",
        EpisodeError::DateOutOfRange { .. } | EpisodeError::Overlap { .. } => "start_on",
    }
}

/// The fields of a service as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServiceInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub provided_on: String,
    #[serde(default)]
    pub provider: String,
}

/// Checks a service: a known kind, a day not in the future, a provider.
pub fn service(
    input: &ServiceInput,
    tr: Tr,
    today: NaiveDate,
) -> Result<(ServiceKind, NaiveDate, String), FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    let kind = input.kind.trim().parse::<ServiceKind>().ok();
    if kind.is_none() {
        errors.push(("kind", tr.t("records.kind_required").into()));
    }
    let on = date_field(&mut errors, tr, "provided_on", &input.provided_on, true, today);
    let provider = text_field(&mut errors, tr, "provider", &input.provider, true, 200);
    match (kind, on) {
        (Some(k), Some(d)) if errors.is_empty() => Ok((k, d, provider)),
        _ => Err(errors),
    }
}

/// The fields of an event as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub occurred_on: String,
}

/// Checks an event: a known kind, a day not in the future.
pub fn event(input: &EventInput, tr: Tr, today: NaiveDate) -> Result<(EventKind, NaiveDate), FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    let kind = input.kind.trim().parse::<EventKind>().ok();
    if kind.is_none() {
        errors.push(("kind", tr.t("records.kind_required").into()));
    }
    let on = date_field(&mut errors, tr, "occurred_on", &input.occurred_on, true, today);
    match (kind, on) {
        (Some(k), Some(d)) if errors.is_empty() => Ok((k, d)),
        _ => Err(errors),
    }
}

/// The fields of a profile as typed; substances as a list (API) or repeated form fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileInput {
    #[serde(default)]
    pub substances: Vec<String>,
    #[serde(default)]
    pub use_since_year: String,
    #[serde(default)]
    pub occupation: String,
    #[serde(default)]
    pub education: String,
    #[serde(default)]
    pub held_in: String,
}

/// Checks a profile.
pub fn profile(input: &ProfileInput, tr: Tr, today: NaiveDate) -> Result<Profile, FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    let mut substances = Vec::new();
    for s in &input.substances {
        match s.trim().parse::<Substance>() {
            Ok(v) => substances.push(v),
            Err(_) => errors.push(("substances", tr.t("records.substance_invalid").into())),
        }
    }
    substances.sort();
    substances.dedup();
    let use_since_year = match input.use_since_year.trim() {
        "" => None,
        s => match s.parse::<i32>() {
            Ok(y) if (1950..=today.year()).contains(&y) => Some(y),
            _ => {
                errors.push(("use_since_year", tr.t("validation.year").into()));
                None
            }
        },
    };
    let occupation = text_field(&mut errors, tr, "occupation", &input.occupation, false, 120);
    let education = text_field(&mut errors, tr, "education", &input.education, false, 120);
    let held_in = match input.held_in.trim() {
        "" => Some(HeldIn::Community),
        s => s.parse::<HeldIn>().ok(),
    };
    if held_in.is_none() {
        errors.push(("held_in", tr.t("records.kind_required").into()));
    }
    match held_in {
        Some(held_in) if errors.is_empty() => {
            Ok(Profile { substances, use_since_year, occupation, education, held_in })
        }
        _ => Err(errors),
    }
}

/// The fields of a move as typed: the receiving commune's code and Vietnam local times.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TransferInput {
    #[serde(default)]
    pub to_unit: String,
    #[serde(default)]
    pub moved_at: String,
    #[serde(default)]
    pub known_at: String,
}

/// A local date and time in Vietnam (`YYYY-MM-DDTHH:MM` as a datetime-local field sends it,
/// or with a space), as UTC.
pub fn parse_local_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let naive = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())?;
    diaban_domain::time::VIETNAM_OFFSET.from_local_datetime(&naive).single().map(|d| d.with_timezone(&Utc))
}

/// Checks the times of a move: both given, not in the future, known not before moved.
/// Returns the times; the unit is checked by the caller against the scope rules.
pub fn transfer_times(
    input: &TransferInput,
    tr: Tr,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    let mut time = |field: &'static str, v: &str| match v.trim() {
        "" => {
            errors.push((field, tr.t("validation.required").into()));
            None
        }
        s => match parse_local_datetime(s) {
            Some(t) if t <= now => Some(t),
            Some(_) => {
                errors.push((field, tr.t("records.future_date").into()));
                None
            }
            None => {
                errors.push((field, tr.t("validation.date").into()));
                None
            }
        },
    };
    let moved = time("moved_at", &input.moved_at);
    let known = if input.known_at.trim().is_empty() { moved } else { time("known_at", &input.known_at) };
    if let (Some(m), Some(k)) = (moved, known)
        && k < m
    {
        errors.push(("known_at", tr.t("records.known_before_move").into()));
    }
    match (moved, known) {
        (Some(m), Some(k)) if errors.is_empty() => Ok((m, k)),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_service_in_the_future_is_refused_with_a_message() {
        let tr = Tr(Lang::Vi);
        let e = service(
            &ServiceInput {
                kind: "counselling".into(),
                provided_on: "2026-08-02".into(),
                provider: "Trạm y tế".into(),
            },
            tr,
            d(2026, 8, 1),
        )
        .unwrap_err();
        assert_eq!(e[0].0, "provided_on");
        assert_eq!(e[0].1, tr.t("records.future_date"));
        assert!(
            service(
                &ServiceInput {
                    kind: "counselling".into(),
                    provided_on: "2026-08-01".into(),
                    provider: "Trạm y tế".into()
                },
                tr,
                d(2026, 8, 1),
            )
            .is_ok()
        );
    }

    #[test]
    fn an_end_before_the_start_names_the_end_field() {
        let input = EpisodeInput {
            kind: "voluntary_rehab_home".into(),
            decision_number: "12/QĐ-UBND".into(),
            decision_date: "2026-03-01".into(),
            signer: "Chủ tịch UBND xã".into(),
            start_on: "2026-03-01".into(),
            term_months: "6".into(),
            actual_end: "2026-02-01".into(),
            end_reason: "quit".into(),
            ..Default::default()
        };
        let e = episode(&input, Tr(Lang::Vi), d(2026, 8, 1)).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "actual_end");
        assert!(e[0].1.contains("phải sau ngày bắt đầu"), "{}", e[0].1);
    }

    #[test]
    fn local_times_are_vietnam_time() {
        let t = parse_local_datetime("2026-07-01T06:30").unwrap();
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap());
    }
}
