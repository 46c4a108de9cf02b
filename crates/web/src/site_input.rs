//! Turning a site form (page or API) into a validated [`NewSite`]: one set of rules for
//! both, an error per field in the user's language, and the warnings a site is accepted
//! with (another site within the re-formation radius, or far from its unit's centre).

use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::site::{LatLon, SiteKind, SiteParams, SiteState};
use diaban_store::persons::Scope;
use diaban_store::sites::{self, NewSite};
use diaban_store::units::{self, Unit};
use serde::{Deserialize, Serialize};

/// The name of the site parameters' group in the parameters table.
pub const PARAMS: &str = "sites";

/// The site parameters in force today: the province's (set on the Parameters page), or
/// DOMAIN.md's defaults when it has set none.
pub async fn params(state: &AppState) -> Result<SiteParams, AppError> {
    let today = diaban_domain::time::today_in_vietnam();
    Ok(diaban_store::parameters::in_force(&state.db, PARAMS, today).await?)
}

/// A value typed in a form (always text) or sent as JSON (a number or a boolean).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Loose {
    /// true/false.
    Bool(bool),
    /// A number.
    Num(f64),
    /// Text.
    Text(String),
}

impl Loose {
    /// The number typed or sent (a decimal comma is accepted); None for anything else.
    pub fn number(&self) -> Option<f64> {
        match self {
            Loose::Num(n) => Some(*n),
            // Vietnamese decimal commas are accepted.
            Loose::Text(s) => s.trim().replace(',', ".").parse().ok(),
            Loose::Bool(_) => None,
        }
    }
    fn flag(&self) -> bool {
        match self {
            Loose::Bool(b) => *b,
            Loose::Num(n) => *n != 0.0,
            Loose::Text(s) => matches!(s.trim(), "on" | "true" | "1" | "yes"),
        }
    }
}

/// The fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SiteInput {
    /// point, cluster or risk_point.
    #[serde(default)]
    pub kind: String,
    /// Hot spot: a checkbox ("on") or a boolean.
    #[serde(default)]
    pub hot_spot: Option<Loose>,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Address.
    #[serde(default)]
    pub address: String,
    /// The commune's code (current, or legacy as it was on `on`).
    #[serde(default)]
    pub unit: String,
    /// Latitude.
    #[serde(default)]
    pub lat: Option<Loose>,
    /// Longitude.
    #[serde(default)]
    pub lon: Option<Loose>,
    /// Linked conditional business.
    #[serde(default)]
    pub business_ref: String,
    /// How it was found.
    #[serde(default)]
    pub found_how: String,
    /// The officer in charge: an account id among the officers in scope. Empty: the one
    /// recording a new site; unchanged when correcting one.
    #[serde(default)]
    pub responsible: Option<Loose>,
    /// reported (default) or listed.
    #[serde(default)]
    pub state: String,
    /// The date of the first state (default today).
    #[serde(default)]
    pub on: String,
    /// Evidence for the first state.
    #[serde(default)]
    pub note: String,
}

/// One error per field.
pub type FieldErrors = Vec<(&'static str, String)>;

/// Something the user should look at, though the site was recorded.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Warning {
    /// Another site lies within the re-formation radius: perhaps the same place.
    NearExisting {
        /// The other site.
        site_id: i64,
        /// Its name.
        name: String,
        /// How far, metres (rounded).
        distance_m: i64,
        /// Explanation.
        message: String,
    },
    /// The site lies far from its unit's centre: perhaps a wrong unit or coordinate.
    FarFromUnitCentre {
        /// How far, km (rounded).
        distance_km: i64,
        /// Explanation.
        message: String,
    },
}

/// Parses `YYYY-MM-DD` or `dd/mm/yyyy`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y")).ok()
}

/// Whether a unit's records count towards the scope.
pub fn unit_in_scope(u: &Unit, scope: Scope) -> bool {
    match scope {
        Scope::Province(p) => u.scope_province_id == Some(p),
        Scope::Commune(c) => u.scope_commune_id == Some(c),
    }
}

/// A date for a lifecycle step: given, not in the future; empty means today.
pub fn step_date(s: &str, tr: Tr) -> Result<NaiveDate, String> {
    let today = diaban_domain::time::today_in_vietnam();
    if s.trim().is_empty() {
        return Ok(today);
    }
    match parse_date(s) {
        Some(d) if d <= today => Ok(d),
        Some(_) => Err(tr.t("sites.future_date").to_owned()),
        None => Err(tr.t("validation.date").to_owned()),
    }
}

/// Validates the input against the rules and the identity's scope.
pub async fn validate(
    state: &AppState,
    who: &Identity,
    input: &SiteInput,
    tr: Tr,
) -> Result<Result<NewSite, FieldErrors>, AppError> {
    let mut errors: FieldErrors = Vec::new();
    let kind = match input.kind.trim().parse::<SiteKind>() {
        Ok(k) => Some(k),
        Err(_) => {
            errors.push(("kind", tr.t("sites.bad_kind").into()));
            None
        }
    };
    let first_state = match input.state.trim() {
        "" => Some(SiteState::Reported),
        s => match s.parse::<SiteState>() {
            Ok(st @ (SiteState::Reported | SiteState::Listed)) => Some(st),
            _ => {
                errors.push(("state", tr.t("sites.bad_first_state").into()));
                None
            }
        },
    };
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.push(("name", tr.t("validation.required").into()));
    }
    for (field, value, max) in [
        ("name", &name, 200),
        ("description", &input.description, 4000),
        ("address", &input.address, 300),
        ("business_ref", &input.business_ref, 200),
        ("found_how", &input.found_how, 500),
        ("note", &input.note, 4000),
    ] {
        if value.chars().count() > max {
            errors.push((field, tr.t("validation.too_long").into()));
        }
    }
    let on = match step_date(&input.on, tr) {
        Ok(d) => Some(d),
        Err(m) => {
            errors.push(("on", m));
            None
        }
    };
    let location =
        match (input.lat.as_ref().and_then(Loose::number), input.lon.as_ref().and_then(Loose::number)) {
            (Some(lat), Some(lon)) => match LatLon::new(lat, lon) {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(("lat", if tr.0 == Lang::Vi { e.message_vi() } else { e.to_string() }));
                    None
                }
            },
            (lat, lon) => {
                if lat.is_none() {
                    errors.push(("lat", tr.t("sites.bad_coordinate").into()));
                }
                if lon.is_none() {
                    errors.push(("lon", tr.t("sites.bad_coordinate").into()));
                }
                None
            }
        };
    let code = input.unit.trim();
    let unit = if code.is_empty() {
        errors.push(("unit", tr.t("validation.required").into()));
        None
    } else {
        let as_of = on.unwrap_or_else(diaban_domain::time::today_in_vietnam);
        let u = if diaban_domain::unit::is_valid_unit_code(code) {
            units::by_code(&state.db, code, Some(UnitLevel::Commune), as_of).await?
        } else {
            None
        };
        match u {
            Some(u) if unit_in_scope(&u, who.scope()) => Some(u),
            Some(_) => {
                errors.push(("unit", format!("{} ({code})", tr.t("sites.unit_out_of_scope"))));
                None
            }
            None => {
                errors.push(("unit", format!("{} ({code})", tr.t("sites.unknown_unit"))));
                None
            }
        }
    };
    let responsible = match &input.responsible {
        None => Ok(None),
        Some(Loose::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(l) => match l.number().filter(|n| n.fract() == 0.0).map(|n| n as i64) {
            Some(id)
                if diaban_store::users::officers_in(&state.db, who.scope())
                    .await?
                    .iter()
                    .any(|o| o.id == id) =>
            {
                Ok(Some(id))
            }
            _ => Err(tr.t("sites.bad_responsible")),
        },
    };
    let responsible = match responsible {
        Ok(r) => r,
        Err(m) => {
            errors.push(("responsible", m.to_owned()));
            None
        }
    };
    let (Some(kind), Some(first_state), Some(on), Some(location), Some(unit), true) =
        (kind, first_state, on, location, unit, errors.is_empty())
    else {
        return Ok(Err(errors));
    };
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(Ok(NewSite {
        kind,
        hot_spot: input.hot_spot.as_ref().is_some_and(Loose::flag),
        name,
        description: input.description.trim().to_owned(),
        address: input.address.trim().to_owned(),
        unit_id: unit.id,
        location,
        business_ref: opt(&input.business_ref),
        found_how: input.found_how.trim().to_owned(),
        responsible_user_id: responsible.or(Some(who.user.id)),
        state: first_state,
        on,
        note: input.note.trim().to_owned(),
    }))
}

/// The warnings for a site about to be recorded (or just recorded, `except` itself).
pub async fn warnings(
    state: &AppState,
    site: &NewSite,
    except: Option<i64>,
    tr: Tr,
) -> Result<Vec<Warning>, AppError> {
    let p = params(state).await?;
    let mut out = Vec::new();
    for n in sites::nearby(&state.db, site.location, p.reformation_radius_m).await? {
        if Some(n.id) == except {
            continue;
        }
        out.push(Warning::NearExisting {
            site_id: n.id,
            name: n.name,
            distance_m: n.distance_m.round() as i64,
            message: tr.t("sites.warn_near").to_owned(),
        });
    }
    let unit = units::get(&state.db, site.unit_id).await?;
    if let (Some(lat), Some(lon)) = (unit.lat, unit.lon)
        && let Ok(centre) = LatLon::new(lat, lon)
        && p.is_far_from_unit_centre(site.location, centre)
    {
        out.push(Warning::FarFromUnitCentre {
            distance_km: (site.location.distance_m(centre) / 1000.0).round() as i64,
            message: tr.t("sites.warn_far").to_owned(),
        });
    }
    Ok(out)
}
