//! Turning a propaganda activity, a case or a ring typed in a form or sent as JSON into
//! validated values for the store: one set of rules for pages and API, an error per
//! field in the user's language. The rules themselves (units that fit a drug, dates not
//! in the future, figures that fit an outcome) are the domain's; this module resolves
//! units within the caller's scope and reads loose text.

use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::site_input::{FieldErrors, Loose, parse_date, unit_in_scope};
use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::access::Role;
use diaban_domain::cases::{CaseOutcome, OutcomeFigures, SubjectRole, check_case};
use diaban_domain::propaganda::{PropagandaForm, VenueType, check_activity};
use diaban_domain::seizures::{Drug, QuantityUnit, SeizureLine};
use diaban_domain::site::LatLon;
use diaban_store::cases::{NewCase, NewSubject};
use diaban_store::propaganda::NewActivity;
use diaban_store::rings::NewRing;
use diaban_store::units;
use serde::Deserialize;

fn text_of(l: &Option<Loose>) -> String {
    match l {
        Some(Loose::Text(s)) => s.trim().to_owned(),
        Some(Loose::Num(n)) => n.to_string(),
        Some(Loose::Bool(b)) => b.to_string(),
        None => String::new(),
    }
}

/// A whole number from 0 to `max`; empty is `default`.
fn count(l: &Option<Loose>, default: u32, max: u32) -> Result<u32, ()> {
    if text_of(l).is_empty() {
        return Ok(default);
    }
    match l.as_ref().and_then(Loose::number) {
        Some(n) if n.fract() == 0.0 && n >= 0.0 && n <= f64::from(max) => Ok(n as u32),
        _ => Err(()),
    }
}

fn too_long(errors: &mut FieldErrors, tr: Tr, fields: &[(&'static str, &str, usize)]) {
    for (field, value, max) in fields {
        if value.chars().count() > *max {
            errors.push((field, tr.t("validation.too_long").into()));
        }
    }
}

/// The outcome (empty: pending) and its three figures as typed, each bad one named in
/// `errors`; whether the figures fit the outcome is `check_case`'s to say.
fn outcome_of(
    errors: &mut FieldErrors,
    tr: Tr,
    outcome: &str,
    [prosecuted_cases, defendants, persons_handled]: [&Option<Loose>; 3],
) -> (Option<CaseOutcome>, OutcomeFigures) {
    let outcome = match outcome.trim() {
        "" => Some(CaseOutcome::Pending),
        s => s.parse::<CaseOutcome>().ok(),
    };
    if outcome.is_none() {
        errors.push(("outcome", tr.t("ops.bad_choice").into()));
    }
    let mut figure = |field: &'static str, l: &Option<Loose>| {
        count(l, 0, 100_000).unwrap_or_else(|()| {
            errors.push((field, tr.t("ops.bad_count").into()));
            0
        })
    };
    let figures = OutcomeFigures {
        prosecuted_cases: figure("prosecuted_cases", prosecuted_cases),
        defendants: figure("defendants", defendants),
        persons_handled: figure("persons_handled", persons_handled),
    };
    (outcome, figures)
}

/// A date that must not lie after today.
fn past_date(errors: &mut FieldErrors, field: &'static str, s: &str, tr: Tr) -> Option<NaiveDate> {
    match parse_date(s) {
        Some(d) => Some(d),
        None => {
            errors.push((field, tr.t("validation.date").into()));
            None
        }
    }
}

/// The unit a record is filed against: the code typed (a commune, or with
/// `province_ok` the caller's province), or by default the caller's own unit.
async fn scoped_unit(
    state: &AppState,
    who: &Identity,
    errors: &mut FieldErrors,
    code: &str,
    as_of: NaiveDate,
    province_ok: bool,
    tr: Tr,
) -> Result<Option<i64>, AppError> {
    let code = code.trim();
    if code.is_empty() || code == who.unit.code {
        if province_ok || who.unit.level == "commune" {
            return Ok(Some(who.unit.id));
        }
        errors.push(("unit", tr.t("validation.required").into()));
        return Ok(None);
    }
    let u = if diaban_domain::unit::is_valid_unit_code(code) {
        units::by_code(&state.db, code, Some(UnitLevel::Commune), as_of).await?
    } else {
        None
    };
    Ok(match u {
        Some(u) if unit_in_scope(&u, who.scope()) => Some(u.id),
        Some(_) => {
            errors.push(("unit", format!("{} ({code})", tr.t("sites.unit_out_of_scope"))));
            None
        }
        None => {
            errors.push(("unit", format!("{} ({code})", tr.t("sites.unknown_unit"))));
            None
        }
    })
}

/// A propaganda activity as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActivityInput {
    /// YYYY-MM-DD or dd/mm/yyyy.
    #[serde(default)]
    pub held_on: String,
    /// A commune code; empty: the caller's own unit.
    #[serde(default)]
    pub unit: String,
    /// The organising unit or agency; a partner's is always its own name.
    #[serde(default)]
    pub organiser: String,
    /// commune, school, industrial_zone, business, other.
    #[serde(default)]
    pub venue_type: String,
    /// The place.
    #[serde(default)]
    pub place: String,
    /// meeting, loudspeaker, leaflets, social_media, contest, performance, other.
    #[serde(default)]
    pub form: String,
    /// People reached.
    #[serde(default)]
    pub participants: Option<Loose>,
    /// Copies of materials handed out.
    #[serde(default)]
    pub materials: Option<Loose>,
    /// Topic.
    #[serde(default)]
    pub topic: String,
}

/// Validates an activity against the rules and the caller's scope.
pub async fn validate_activity(
    state: &AppState,
    who: &Identity,
    input: &ActivityInput,
    tr: Tr,
) -> Result<Result<NewActivity, FieldErrors>, AppError> {
    let mut errors: FieldErrors = Vec::new();
    let today = diaban_domain::time::today_in_vietnam();
    let held_on = past_date(&mut errors, "held_on", &input.held_on, tr);
    let venue_type = input.venue_type.trim().parse::<VenueType>().ok();
    if venue_type.is_none() {
        errors.push(("venue_type", tr.t("ops.bad_choice").into()));
    }
    let form = input.form.trim().parse::<PropagandaForm>().ok();
    if form.is_none() {
        errors.push(("form", tr.t("ops.bad_choice").into()));
    }
    let participants = count(&input.participants, 0, u32::MAX).unwrap_or_else(|()| {
        errors.push(("participants", tr.t("ops.bad_count").into()));
        0
    });
    let materials = count(&input.materials, 0, 10_000_000).unwrap_or_else(|()| {
        errors.push(("materials", tr.t("ops.bad_count").into()));
        0
    });
    if let Some(d) = held_on {
        for e in check_activity(d, today, participants) {
            let field = if matches!(e, diaban_domain::propaganda::ActivityError::FutureDate) {
                "held_on"
            } else {
                "participants"
            };
            errors.push((field, if tr.0 == Lang::Vi { e.message_vi().into() } else { e.to_string() }));
        }
    }
    // A partner department records its own activities: the organiser is its account's name.
    let organiser = if who.role == Role::Partner {
        who.user.display_name.clone()
    } else {
        input.organiser.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    if organiser.is_empty() {
        errors.push(("organiser", tr.t("validation.required").into()));
    }
    too_long(
        &mut errors,
        tr,
        &[("organiser", &organiser, 200), ("place", &input.place, 300), ("topic", &input.topic, 2000)],
    );
    let unit_id =
        scoped_unit(state, who, &mut errors, &input.unit, held_on.unwrap_or(today), true, tr).await?;
    let (Some(held_on), Some(venue_type), Some(form), Some(unit_id), true) =
        (held_on, venue_type, form, unit_id, errors.is_empty())
    else {
        return Ok(Err(errors));
    };
    Ok(Ok(NewActivity {
        held_on,
        unit_id,
        organiser,
        venue_type,
        place: input.place.trim().to_owned(),
        form,
        participants,
        materials,
        topic: input.topic.trim().to_owned(),
    }))
}

/// One seizure line as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SeizureInput {
    /// heroin, synthetic, cannabis, cocaine, opium, other.
    #[serde(default)]
    pub drug: String,
    /// A positive number (decimal comma accepted).
    #[serde(default)]
    pub quantity: Option<Loose>,
    /// g, kg, tablet, brick, plant.
    #[serde(default)]
    pub unit: String,
}

/// One subject as typed: a person's record id, or a name.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SubjectInput {
    /// A person's record id (then the other fields but `role` are ignored).
    #[serde(default)]
    pub person_id: Option<Loose>,
    /// Full name of a subject without a record.
    #[serde(default)]
    pub name: String,
    /// Birth year.
    #[serde(default)]
    pub birth_year: Option<Loose>,
    /// male or female.
    #[serde(default)]
    pub sex: String,
    /// organiser, trafficker, transporter, possessor, harbourer, user, other.
    #[serde(default)]
    pub role: String,
}

/// A case as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CaseInput {
    /// File number.
    #[serde(default)]
    pub reference: String,
    /// YYYY-MM-DD or dd/mm/yyyy; not after today.
    #[serde(default)]
    pub occurred_on: String,
    /// The commune's code; empty: a commune officer's own, or the commune nearest the
    /// coordinates.
    #[serde(default)]
    pub unit: String,
    /// Latitude (optional, with `lon`).
    #[serde(default)]
    pub lat: Option<Loose>,
    /// Longitude.
    #[serde(default)]
    pub lon: Option<Loose>,
    /// What happened, no identities.
    #[serde(default)]
    pub summary: String,
    /// pending, criminal, administrative.
    #[serde(default)]
    pub outcome: String,
    /// Cases prosecuted.
    #[serde(default)]
    pub prosecuted_cases: Option<Loose>,
    /// Defendants.
    #[serde(default)]
    pub defendants: Option<Loose>,
    /// Persons handled administratively.
    #[serde(default)]
    pub persons_handled: Option<Loose>,
    /// The ring it belongs to.
    #[serde(default)]
    pub ring_id: Option<Loose>,
    /// Subjects.
    #[serde(default)]
    pub subjects: Vec<SubjectInput>,
    /// Seizure lines.
    #[serde(default)]
    pub seizures: Vec<SeizureInput>,
}

/// An error on a numbered row of a list field ("seizures", "subjects"): the field is the
/// list, the message names the row and the column (`dòng 2, unit: …`).
fn row_error(errors: &mut FieldErrors, list: &'static str, i: usize, column: &str, msg: String, tr: Tr) {
    errors.push((list, format!("{} {}, {column}: {msg}", tr.t("ops.row"), i + 1)));
}

/// Validates a case against the rules and the caller's scope (linked persons are checked
/// against the persons' scope by the store, in the case's transaction).
pub async fn validate_case(
    state: &AppState,
    who: &Identity,
    input: &CaseInput,
    tr: Tr,
) -> Result<Result<NewCase, FieldErrors>, AppError> {
    let vi = tr.0 == Lang::Vi;
    let mut errors: FieldErrors = Vec::new();
    let today = diaban_domain::time::today_in_vietnam();
    let occurred_on = past_date(&mut errors, "occurred_on", &input.occurred_on, tr);
    let (outcome, figures) = outcome_of(
        &mut errors,
        tr,
        &input.outcome,
        [&input.prosecuted_cases, &input.defendants, &input.persons_handled],
    );
    if let (Some(on), Some(o)) = (occurred_on, outcome) {
        for e in check_case(on, today, o, figures) {
            errors.push((e.field(), if vi { e.message_vi() } else { e.to_string() }));
        }
    }
    let location = match (text_of(&input.lat).is_empty(), text_of(&input.lon).is_empty()) {
        (true, true) => None,
        _ => match (input.lat.as_ref().and_then(Loose::number), input.lon.as_ref().and_then(Loose::number)) {
            (Some(lat), Some(lon)) => match LatLon::new(lat, lon) {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(("lat", if vi { e.message_vi() } else { e.to_string() }));
                    None
                }
            },
            _ => {
                errors.push(("lat", tr.t("sites.bad_coordinate").into()));
                None
            }
        },
    };
    too_long(&mut errors, tr, &[("reference", &input.reference, 100), ("summary", &input.summary, 4000)]);
    let as_of = occurred_on.unwrap_or(today);
    let unit_id = if input.unit.trim().is_empty() && who.unit.level != "commune" {
        match location {
            Some(at) => match crate::incident_input::nearest_commune(state, who.scope(), at).await? {
                Some(id) => Some(id),
                None => {
                    errors.push(("unit", tr.t("incidents.no_commune").into()));
                    None
                }
            },
            None => {
                errors.push(("unit", tr.t("validation.required").into()));
                None
            }
        }
    } else {
        scoped_unit(state, who, &mut errors, &input.unit, as_of, false, tr).await?
    };
    let mut seizures = Vec::new();
    for (i, s) in input.seizures.iter().enumerate() {
        let drug = s.drug.trim().parse::<Drug>().ok();
        if drug.is_none() {
            row_error(&mut errors, "seizures", i, "drug", tr.t("ops.bad_choice").into(), tr);
        }
        let unit = s.unit.trim().parse::<QuantityUnit>().ok();
        if unit.is_none() {
            row_error(&mut errors, "seizures", i, "unit", tr.t("ops.bad_choice").into(), tr);
        }
        let quantity = s.quantity.as_ref().and_then(Loose::number).unwrap_or(f64::NAN);
        if let (Some(drug), Some(unit)) = (drug, unit) {
            match SeizureLine::new(drug, quantity, unit) {
                Ok(l) => seizures.push(l),
                Err(e) => {
                    let field = if matches!(e, diaban_domain::seizures::SeizureError::UnitDoesNotFit { .. }) {
                        "unit"
                    } else {
                        "quantity"
                    };
                    row_error(
                        &mut errors,
                        "seizures",
                        i,
                        field,
                        if vi { e.message_vi() } else { e.to_string() },
                        tr,
                    );
                }
            }
        }
    }
    let mut subjects = Vec::new();
    for (i, s) in input.subjects.iter().enumerate() {
        let role = match s.role.trim() {
            "" => Some(SubjectRole::Other),
            r => r.parse::<SubjectRole>().ok(),
        };
        let Some(role) = role else {
            row_error(&mut errors, "subjects", i, "role", tr.t("ops.bad_choice").into(), tr);
            continue;
        };
        if !text_of(&s.person_id).is_empty() {
            match s.person_id.as_ref().and_then(Loose::number).filter(|n| n.fract() == 0.0 && *n > 0.0) {
                Some(id) => subjects.push(NewSubject::Person { person_id: id as i64, role }),
                None => row_error(&mut errors, "subjects", i, "person_id", tr.t("ops.bad_count").into(), tr),
            }
            continue;
        }
        let name = s.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > 200 {
            row_error(&mut errors, "subjects", i, "name", tr.t("ops.subject_needs_name").into(), tr);
            continue;
        }
        let birth_year = match text_of(&s.birth_year) {
            t if t.is_empty() => None,
            t => match t.parse::<i32>() {
                Ok(y) if (1900..=today.format("%Y").to_string().parse().unwrap_or(2100)).contains(&y) => {
                    Some(y)
                }
                _ => {
                    row_error(&mut errors, "subjects", i, "birth_year", tr.t("ops.bad_year").into(), tr);
                    None
                }
            },
        };
        let sex = match s.sex.trim() {
            "" => None,
            x @ ("male" | "female") => Some(x.to_owned()),
            _ => {
                row_error(&mut errors, "subjects", i, "sex", tr.t("ops.bad_choice").into(), tr);
                None
            }
        };
        subjects.push(NewSubject::Named { name, birth_year, sex, role });
    }
    let ring_id = match text_of(&input.ring_id) {
        t if t.is_empty() => None,
        _ => match input.ring_id.as_ref().and_then(Loose::number).filter(|n| n.fract() == 0.0 && *n > 0.0) {
            Some(id)
                if diaban_store::rings::get(&state.db, id as i64, who.scope())
                    .await?
                    .is_some_and(|r| r.dismantled_on.is_none()) =>
            {
                Some(id as i64)
            }
            _ => {
                errors.push(("ring_id", tr.t("ops.bad_ring").into()));
                None
            }
        },
    };
    let (Some(occurred_on), Some(outcome), Some(unit_id), true) =
        (occurred_on, outcome, unit_id, errors.is_empty())
    else {
        return Ok(Err(errors));
    };
    Ok(Ok(NewCase {
        reference: input.reference.trim().to_owned(),
        occurred_on,
        unit_id,
        location,
        summary: input.summary.trim().to_owned(),
        outcome,
        figures,
        subjects,
        seizures,
        ring_id,
    }))
}

/// A ring as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RingInput {
    /// A working name.
    #[serde(default)]
    pub name: String,
    /// The leading unit: a commune code, empty for the caller's own unit.
    #[serde(default)]
    pub unit: String,
    /// What is known (no identities).
    #[serde(default)]
    pub description: String,
}

/// Validates a ring.
pub async fn validate_ring(
    state: &AppState,
    who: &Identity,
    input: &RingInput,
    tr: Tr,
) -> Result<Result<NewRing, FieldErrors>, AppError> {
    let mut errors: FieldErrors = Vec::new();
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.push(("name", tr.t("validation.required").into()));
    }
    too_long(&mut errors, tr, &[("name", &name, 200), ("description", &input.description, 4000)]);
    let today = diaban_domain::time::today_in_vietnam();
    let unit_id = scoped_unit(state, who, &mut errors, &input.unit, today, true, tr).await?;
    let (Some(unit_id), true) = (unit_id, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    Ok(Ok(NewRing { name, unit_id, description: input.description.trim().to_owned() }))
}

/// A date typed for a step (dismantling): required, not after today.
pub fn step_date(s: &str, tr: Tr) -> Result<NaiveDate, String> {
    match parse_date(s) {
        Some(d) if d <= diaban_domain::time::today_in_vietnam() => Ok(d),
        Some(_) => Err(tr.t("sites.future_date").into()),
        None => Err(tr.t("validation.date").into()),
    }
}

/// Field errors as one line ("field: message; …"), for the API.
pub fn errors_text(errors: &FieldErrors) -> String {
    errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ")
}

/// A case's outcome as typed (the page's form and `PUT /api/v1/cases/{id}/outcome`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OutcomeInput {
    /// The police file number.
    #[serde(default)]
    pub reference: String,
    /// What happened, no identities.
    #[serde(default)]
    pub summary: String,
    /// pending, criminal, administrative.
    #[serde(default)]
    pub outcome: String,
    /// Cases prosecuted.
    #[serde(default)]
    pub prosecuted_cases: Option<Loose>,
    /// Defendants.
    #[serde(default)]
    pub defendants: Option<Loose>,
    /// Persons handled administratively.
    #[serde(default)]
    pub persons_handled: Option<Loose>,
}

/// Checks a new outcome of a case that occurred on `occurred_on` with the rules of a new
/// case (figures that fit the outcome).
pub fn validate_outcome(
    input: &OutcomeInput,
    occurred_on: NaiveDate,
    tr: Tr,
) -> Result<diaban_store::cases::CaseUpdate, FieldErrors> {
    let vi = tr.0 == Lang::Vi;
    let mut errors: FieldErrors = Vec::new();
    let (outcome, figures) = outcome_of(
        &mut errors,
        tr,
        &input.outcome,
        [&input.prosecuted_cases, &input.defendants, &input.persons_handled],
    );
    too_long(&mut errors, tr, &[("reference", &input.reference, 100), ("summary", &input.summary, 4000)]);
    let today = diaban_domain::time::today_in_vietnam();
    if let Some(o) = outcome {
        for e in check_case(occurred_on, today, o, figures) {
            errors.push((e.field(), if vi { e.message_vi() } else { e.to_string() }));
        }
    }
    match outcome {
        Some(outcome) if errors.is_empty() => Ok(diaban_store::cases::CaseUpdate {
            reference: input.reference.clone(),
            summary: input.summary.clone(),
            outcome,
            figures,
        }),
        _ => Err(errors),
    }
}
