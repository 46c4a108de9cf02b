//! What a user types for the transformation programme and the key routes — on a form or
//! as JSON — turned into the store's types, with one message per field in the user's
//! language. Shared by `api::areas` and `pages::areas` so both refuse the same input in
//! the same words.

use crate::AppState;
use crate::auth::Identity;
use crate::error::{AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use crate::site_input::{FieldErrors, Loose, parse_date, unit_in_scope};
use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::area::{Answer, AreaParams, Checklist};
use diaban_domain::route::RouteMode;
use diaban_domain::site::LatLon;
use diaban_store::areas::{self, Actor, ChangeError, Decision, Measure, NewArea, NewPlan};
use diaban_store::routes::NewRoute;
use diaban_store::units;
use serde::Deserialize;

/// The programme's parameters in force today.
pub async fn params(state: &AppState) -> Result<AreaParams, AppError> {
    let today = diaban_domain::time::today_in_vietnam();
    Ok(diaban_store::parameters::in_force(&state.db, areas::PARAMS, today).await?)
}

/// The acting user for the store, with today's date in Vietnam.
pub fn actor<'a>(who: &Identity, params: &'a AreaParams) -> Actor<'a> {
    Actor {
        scope: who.scope(),
        params,
        today: diaban_domain::time::today_in_vietnam(),
        by: Some(who.user.id),
    }
}

/// Maps a refused change to the error the user sees, in their language.
pub fn change_error(e: ChangeError, tr: Tr) -> AppError {
    let message = |e: &ChangeError| if tr.0 == Lang::Vi { e.message_vi() } else { e.to_string() };
    match e {
        ChangeError::NotFound => AppError::not_found(message(&e)),
        ChangeError::Concurrent => AppError::new(ErrorKind::Conflict, message(&e)),
        ChangeError::Db(d) => d.into(),
        other => AppError::new(ErrorKind::Unprocessable, message(&other)),
    }
}

fn date_field(errors: &mut FieldErrors, field: &'static str, s: &str, tr: Tr) -> Option<NaiveDate> {
    if s.trim().is_empty() {
        errors.push((field, tr.t("validation.required").to_owned()));
        return None;
    }
    let d = parse_date(s);
    if d.is_none() {
        errors.push((field, tr.t("validation.date").to_owned()));
    }
    d
}

fn required(errors: &mut FieldErrors, field: &'static str, s: &str, tr: Tr) {
    if s.trim().is_empty() {
        errors.push((field, tr.t("validation.required").to_owned()));
    }
}

/// A selection by decision.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SelectInput {
    /// The current commune's code.
    #[serde(default)]
    pub unit: String,
    /// The area's name.
    #[serde(default)]
    pub name: String,
    /// The part of the commune; empty for all of it.
    #[serde(default)]
    pub part: String,
    /// A point in the area (optional).
    #[serde(default)]
    pub lat: Option<Loose>,
    /// Longitude.
    #[serde(default)]
    pub lon: Option<Loose>,
    /// Decision number.
    #[serde(default)]
    pub decision_number: String,
    /// Decision date.
    #[serde(default)]
    pub decision_date: String,
    /// Signer.
    #[serde(default)]
    pub decision_signer: String,
    /// The relapsed area selected again.
    #[serde(default)]
    pub previous_area_id: Option<Loose>,
}

/// Checks a selection: the commune exists and lies in the caller's scope, the decision
/// fields are there, a point is a valid pair inside Vietnam. Date rules (programme
/// period, not in the future) are the store's.
pub async fn new_area(
    state: &AppState,
    who: &Identity,
    i: &SelectInput,
    tr: Tr,
) -> Result<Result<NewArea, FieldErrors>, AppError> {
    let mut errors = FieldErrors::new();
    required(&mut errors, "name", &i.name, tr);
    required(&mut errors, "decision_number", &i.decision_number, tr);
    required(&mut errors, "decision_signer", &i.decision_signer, tr);
    let decision_date = date_field(&mut errors, "decision_date", &i.decision_date, tr);
    let mut unit_id = None;
    if i.unit.trim().is_empty() {
        errors.push(("unit", tr.t("validation.required").to_owned()));
    } else {
        // Codes are reused across the 2025 reorganisation: the current commune first.
        let today = diaban_domain::time::today_in_vietnam();
        match units::by_code(&state.db, i.unit.trim(), Some(UnitLevel::Commune), today).await? {
            Some(u) if unit_in_scope(&u, who.scope()) => unit_id = Some(u.id),
            Some(_) => errors.push(("unit", tr.t("areas.unit_out_of_scope").to_owned())),
            None => errors.push(("unit", tr.t("areas.unit_unknown").to_owned())),
        }
    }
    let number = |v: &Option<Loose>| v.as_ref().and_then(Loose::number);
    let blank =
        |v: &Option<Loose>| v.as_ref().is_none_or(|l| matches!(l, Loose::Text(t) if t.trim().is_empty()));
    let location = match (blank(&i.lat), blank(&i.lon)) {
        (true, true) => None,
        _ => match (number(&i.lat), number(&i.lon)) {
            (Some(lat), Some(lon)) => match LatLon::new(lat, lon) {
                Ok(l) => Some(l),
                Err(_) => {
                    errors.push(("lat", tr.t("areas.point_outside").to_owned()));
                    None
                }
            },
            _ => {
                errors.push(("lat", tr.t("areas.point_pair").to_owned()));
                None
            }
        },
    };
    let previous_area_id = match &i.previous_area_id {
        None => None,
        Some(Loose::Text(t)) if t.trim().is_empty() => None,
        Some(v) => match v.number() {
            Some(n) if n >= 1.0 && n.fract() == 0.0 => Some(n as i64),
            _ => {
                errors.push(("previous_area_id", tr.t("areas.bad_number").to_owned()));
                None
            }
        },
    };
    match (unit_id, decision_date) {
        (Some(unit_id), Some(decision_date)) if errors.is_empty() => Ok(Ok(NewArea {
            unit_id,
            name: i.name.trim().to_owned(),
            part: i.part.trim().to_owned(),
            location,
            decision_number: i.decision_number.trim().to_owned(),
            decision_date,
            decision_signer: i.decision_signer.trim().to_owned(),
            previous_area_id,
        })),
        _ => Ok(Err(errors)),
    }
}

/// A plan or its revision.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanInput {
    /// First day.
    #[serde(default)]
    pub starts_on: String,
    /// Last day.
    #[serde(default)]
    pub ends_on: String,
    /// The measures.
    #[serde(default)]
    pub measures: Vec<Measure>,
    /// Note.
    #[serde(default)]
    pub note: String,
}

impl PlanInput {
    /// From a form whose measure rows repeat the fields `measure`, `unit` and `person`
    /// in order (a row's three fields are always sent together, even empty).
    pub fn from_form(pairs: &[(String, String)]) -> Self {
        let mut p = PlanInput::default();
        let (mut m, mut u, mut who) = (Vec::new(), Vec::new(), Vec::new());
        for (k, v) in pairs {
            match k.as_str() {
                "starts_on" => p.starts_on = v.clone(),
                "ends_on" => p.ends_on = v.clone(),
                "note" => p.note = v.clone(),
                "measure" => m.push(v.clone()),
                "unit" => u.push(v.clone()),
                "person" => who.push(v.clone()),
                _ => {}
            }
        }
        for (k, measure) in m.into_iter().enumerate() {
            let unit = u.get(k).cloned().unwrap_or_default();
            let person = who.get(k).cloned().unwrap_or_default();
            if !(measure.trim().is_empty() && unit.trim().is_empty() && person.trim().is_empty()) {
                p.measures.push(Measure { measure, unit, person });
            }
        }
        p
    }

    /// The plan, or the fields to correct (measure rules are the store's).
    pub fn to_plan(&self, tr: Tr) -> Result<NewPlan, FieldErrors> {
        let mut errors = FieldErrors::new();
        let starts_on = date_field(&mut errors, "starts_on", &self.starts_on, tr);
        let ends_on = date_field(&mut errors, "ends_on", &self.ends_on, tr);
        match (starts_on, ends_on) {
            (Some(starts_on), Some(ends_on)) if errors.is_empty() => {
                Ok(NewPlan { starts_on, ends_on, measures: self.measures.clone(), note: self.note.clone() })
            }
            _ => Err(errors),
        }
    }
}

/// A dated step with a text: a progress update, a review's findings, a relapse's
/// reasons, the end of monitoring, the start of work.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StepInput {
    /// The date; empty means today.
    #[serde(default)]
    pub on: String,
    /// The text.
    #[serde(default)]
    pub text: String,
    /// A review saw signs of relapse.
    #[serde(default)]
    pub warning_signs: Option<Loose>,
}

impl StepInput {
    /// The date, today when empty; refused when not a date.
    pub fn date(&self, tr: Tr) -> Result<NaiveDate, AppError> {
        if self.on.trim().is_empty() {
            return Ok(diaban_domain::time::today_in_vietnam());
        }
        parse_date(&self.on).ok_or_else(|| AppError::new(ErrorKind::Unprocessable, tr.t("validation.date")))
    }

    /// The review flag.
    pub fn warning(&self) -> bool {
        match &self.warning_signs {
            Some(Loose::Bool(b)) => *b,
            Some(Loose::Text(t)) => matches!(t.trim(), "on" | "true" | "1" | "yes"),
            Some(Loose::Num(n)) => *n != 0.0,
            None => false,
        }
    }
}

/// The decision on an evaluated area.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DecisionInput {
    /// `transformed` or `not_transformed`.
    #[serde(default)]
    pub outcome: String,
    /// The decision's date.
    #[serde(default)]
    pub on: String,
    /// Its number.
    #[serde(default)]
    pub decision_number: String,
    /// Reasons or note.
    #[serde(default)]
    pub note: String,
}

impl DecisionInput {
    /// The store's decision, or why not.
    pub fn to_decision(&self, tr: Tr) -> Result<Decision, AppError> {
        let transformed = match self.outcome.trim() {
            "transformed" => true,
            "not_transformed" => false,
            _ => return Err(AppError::new(ErrorKind::Unprocessable, tr.t("areas.outcome_required"))),
        };
        let on = StepInput { on: self.on.clone(), ..Default::default() }.date(tr)?;
        Ok(Decision {
            transformed,
            on,
            decision_number: self.decision_number.clone(),
            note: self.note.clone(),
        })
    }
}

/// An evaluation against the checklist in force.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EvaluationInput {
    /// The date.
    #[serde(default)]
    pub on: String,
    /// Who evaluated.
    #[serde(default)]
    pub evaluator: String,
    /// The answers.
    #[serde(default)]
    pub answers: Vec<Answer>,
}

impl EvaluationInput {
    /// From a form with `met_{code}` = `yes`/`no` (unanswered: absent or empty) and
    /// `note_{code}` for each item of `checklist`.
    pub fn from_form(pairs: &[(String, String)], checklist: &Checklist) -> Self {
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned());
        let answers = checklist
            .items
            .iter()
            .filter_map(|i| {
                let met = match get(&format!("met_{}", i.code)).as_deref() {
                    Some("yes") => true,
                    Some("no") => false,
                    _ => return None,
                };
                let note = get(&format!("note_{}", i.code)).filter(|n| !n.is_empty());
                Some(Answer { code: i.code.clone(), met, note })
            })
            .collect();
        EvaluationInput {
            on: get("on").unwrap_or_default(),
            evaluator: get("evaluator").unwrap_or_default(),
            answers,
        }
    }
}

/// A key route.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RouteInput {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// `road`, `rail`, `waterway`, `air`, `sea` or `mixed`.
    #[serde(default)]
    pub mode: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// First day in force.
    #[serde(default)]
    pub valid_from: String,
    /// Last day in force; empty: open.
    #[serde(default)]
    pub valid_to: String,
    /// The codes of the current communes along it, in order.
    #[serde(default)]
    pub units: Vec<String>,
}

/// Splits a typed list of codes on commas, semicolons, spaces and line breaks.
pub fn split_codes(s: &str) -> Vec<String> {
    s.split([',', ';', ' ', '\n', '\r', '\t'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Checks a route: every code a current commune (any province), at least two, none
/// twice; dates in order; a known mode.
pub async fn new_route(
    state: &AppState,
    i: &RouteInput,
    tr: Tr,
) -> Result<Result<NewRoute, FieldErrors>, AppError> {
    let mut errors = FieldErrors::new();
    required(&mut errors, "name", &i.name, tr);
    let mode: Option<RouteMode> = i.mode.trim().parse().ok();
    if mode.is_none() {
        errors.push(("mode", tr.t("areas.mode_required").to_owned()));
    }
    let valid_from = date_field(&mut errors, "valid_from", &i.valid_from, tr);
    let valid_to = if i.valid_to.trim().is_empty() {
        None
    } else {
        let d = parse_date(&i.valid_to);
        if d.is_none() {
            errors.push(("valid_to", tr.t("validation.date").to_owned()));
        }
        d
    };
    if let (Some(f), Some(t)) = (valid_from, valid_to)
        && t < f
    {
        errors.push(("valid_to", tr.t("areas.route_reversed").to_owned()));
    }
    let today = diaban_domain::time::today_in_vietnam();
    let mut unit_ids = Vec::new();
    let mut unknown = Vec::new();
    for code in &i.units {
        match units::by_code(&state.db, code.trim(), Some(UnitLevel::Commune), today).await? {
            Some(u) if !u.is_legacy() => unit_ids.push(u.id),
            _ => unknown.push(code.trim().to_owned()),
        }
    }
    if !unknown.is_empty() {
        errors.push(("units", format!("{} {}", tr.t("areas.route_unknown_codes"), unknown.join(", "))));
    } else {
        let mut seen = std::collections::HashSet::new();
        if let Some((k, _)) = unit_ids.iter().enumerate().find(|(_, id)| !seen.insert(**id)) {
            errors.push(("units", format!("{} {}", tr.t("areas.route_code_twice"), i.units[k].trim())));
        } else if unit_ids.len() < 2 {
            errors.push(("units", tr.t("areas.route_two_communes").to_owned()));
        }
    }
    match (mode, valid_from) {
        (Some(mode), Some(valid_from)) if errors.is_empty() => Ok(Ok(NewRoute {
            name: i.name.trim().to_owned(),
            mode,
            description: i.description.trim().to_owned(),
            valid_from,
            valid_to,
            unit_ids,
        })),
        _ => Ok(Err(errors)),
    }
}

/// Joins field errors into one message for the API.
pub fn joined(errors: &FieldErrors) -> AppError {
    let msg = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ");
    AppError::new(ErrorKind::Unprocessable, msg)
}

/// Joins field errors into one message for a page, each field by its label.
pub fn joined_labelled(errors: &FieldErrors, tr: Tr) -> AppError {
    let msg = errors
        .iter()
        .map(|(f, m)| {
            let key = match *f {
                "starts_on" => "areas.plan_starts",
                "ends_on" => "areas.plan_ends",
                _ => "areas.field",
            };
            format!("{}: {m}", tr.t(key))
        })
        .collect::<Vec<_>>()
        .join(" ");
    AppError::new(ErrorKind::Unprocessable, msg)
}
