//! Turning a person form (page or API) into a validated record: one set of rules for
//! both, with an error per field in the user's language.

use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use chrono::{Datelike, NaiveDate};
use diaban_domain::person::{IdentityDocument, Sex};
use diaban_store::persons::{NewPerson, Scope};
use diaban_store::units;
use serde::Deserialize;

/// The fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonInput {
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub birth_year: String,
    #[serde(default)]
    pub ethnicity: String,
    #[serde(default)]
    pub residence_unit: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub notes: String,
}

/// One error per field.
pub type FieldErrors = Vec<(&'static str, String)>;

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y")).ok()
}

/// Validates the input against the rules and the identity's scope.
pub async fn validate(
    state: &AppState,
    who: &Identity,
    input: &PersonInput,
    tr: Tr,
) -> Result<Result<NewPerson, FieldErrors>, AppError> {
    let mut errors: FieldErrors = Vec::new();
    let full_name = input.full_name.split_whitespace().collect::<Vec<_>>().join(" ");
    if full_name.is_empty() {
        errors.push(("full_name", tr.t("validation.required").into()));
    } else if full_name.chars().count() > 120 {
        errors.push(("full_name", tr.t("validation.too_long").into()));
    }
    let sex = match input.sex.as_str() {
        "male" => Some(Sex::Male),
        "female" => Some(Sex::Female),
        _ => {
            errors.push(("sex", tr.t("validation.sex").into()));
            None
        }
    };
    let this_year = diaban_domain::time::today_in_vietnam().year();
    let birth_date = match input.birth_date.trim() {
        "" => None,
        s => match parse_date(s) {
            Some(d) if d.year() >= 1900 && d <= diaban_domain::time::today_in_vietnam() => Some(d),
            _ => {
                errors.push(("birth_date", tr.t("validation.date").into()));
                None
            }
        },
    };
    let birth_year = match (birth_date, input.birth_year.trim()) {
        (Some(d), _) => Some(d.year()),
        (None, "") => {
            errors.push(("birth_year", tr.t("validation.required").into()));
            None
        }
        (None, s) => match s.parse::<i32>() {
            Ok(y) if (1900..=this_year).contains(&y) => Some(y),
            _ => {
                errors.push(("birth_year", tr.t("validation.year").into()));
                None
            }
        },
    };
    let id_number = match input.id_number.trim() {
        "" => None,
        s => match IdentityDocument::parse(s, sex, birth_year) {
            Ok(doc) => Some(doc.number().to_owned()),
            Err(e) => {
                errors.push(("id_number", if tr.0 == Lang::Vi { e.message_vi() } else { e.to_string() }));
                None
            }
        },
    };
    let code = input.residence_unit.trim();
    let unit = if code.is_empty() {
        errors.push(("residence_unit", tr.t("validation.required").into()));
        None
    } else {
        let u = if diaban_domain::unit::is_valid_unit_code(code) {
            units::by_code(
                &state.db,
                code,
                Some(diaban_domain::UnitLevel::Commune),
                diaban_domain::time::today_in_vietnam(),
            )
            .await?
        } else {
            None
        };
        let in_scope = u.as_ref().is_some_and(|u| {
            !u.is_legacy()
                && match who.scope() {
                    Scope::Province(p) => u.scope_province_id == Some(p),
                    Scope::Commune(c) => u.scope_commune_id == Some(c),
                }
        });
        if !in_scope {
            errors.push(("residence_unit", tr.t("validation.unit").into()));
        }
        u.filter(|_| in_scope)
    };
    for (field, value, max) in [
        ("address", &input.address, 300),
        ("phone", &input.phone, 30),
        ("notes", &input.notes, 4000),
        ("ethnicity", &input.ethnicity, 60),
    ] {
        if value.chars().count() > max {
            errors.push((field, tr.t("validation.too_long").into()));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let (Some(sex), Some(birth_year), Some(unit)) = (sex, birth_year, unit) else {
        return Ok(Err(errors));
    };
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(Ok(NewPerson {
        residence_unit_id: unit.id,
        sex: sex.as_str().to_owned(),
        birth_year,
        ethnicity: opt(&input.ethnicity).unwrap_or_else(|| "Kinh".to_owned()),
        id_number,
        full_name,
        birth_date,
        address: opt(&input.address),
        phone: opt(&input.phone),
        notes: opt(&input.notes),
    }))
}
