//! Turning an incident typed in a form, sent as JSON or read from a CSV row into a
//! validated [`NewIncident`]: one set of rules for all three. The commune is the one
//! given, or else the current commune in the caller's scope whose centre is nearest
//! (commune boundaries are not shipped, so this is an approximation the list shows).

use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::site_input::{FieldErrors, Loose, parse_date, unit_in_scope};
use diaban_domain::UnitLevel;
use diaban_domain::incident::IncidentKind;
use diaban_domain::site::LatLon;
use diaban_domain::text::code_point;
use diaban_store::incidents::NewIncident;
use diaban_store::persons::Scope;
use diaban_store::units::{self, UnitFilter};
use serde::Deserialize;

/// The fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IncidentInput {
    /// arrest, seizure, tip, overdose, syringe_find, other.
    #[serde(default)]
    pub kind: String,
    /// YYYY-MM-DD or dd/mm/yyyy; not after today.
    #[serde(default, alias = "on")]
    pub date: String,
    /// Latitude.
    #[serde(default)]
    pub lat: Option<Loose>,
    /// Longitude.
    #[serde(default)]
    pub lon: Option<Loose>,
    /// The commune's code (optional).
    #[serde(default)]
    pub unit: String,
    /// Free text, no identities.
    #[serde(default)]
    pub note: String,
}

/// Validates the input against the rules and the identity's scope; `source` says where
/// it came from (manual, import).
pub async fn validate(
    state: &AppState,
    who: &Identity,
    input: &IncidentInput,
    source: &str,
    tr: Tr,
) -> Result<Result<NewIncident, FieldErrors>, AppError> {
    let mut errors: FieldErrors = Vec::new();
    let kind = match input.kind.trim().parse::<IncidentKind>() {
        Ok(k) => Some(k),
        Err(_) => {
            let allowed: Vec<&str> = IncidentKind::ALL.iter().map(|k| k.as_str()).collect();
            errors.push(("kind", format!("{} ({})", tr.t("incidents.bad_kind"), allowed.join(", "))));
            None
        }
    };
    let today = diaban_domain::time::today_in_vietnam();
    let on = match parse_date(&input.date) {
        Some(d) if d > today => {
            errors.push(("date", tr.t("sites.future_date").into()));
            None
        }
        Some(d) => Some(d),
        None => {
            errors.push(("date", tr.t("validation.date").into()));
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
            _ => {
                errors.push(("lat", tr.t("sites.bad_coordinate").into()));
                None
            }
        };
    if input.note.chars().count() > 2000 {
        errors.push(("note", tr.t("validation.too_long").into()));
    }
    let code = input.unit.trim();
    let unit_id = if !code.is_empty() {
        let as_of = on.unwrap_or(today);
        let u = if diaban_domain::unit::is_valid_unit_code(code) {
            units::by_code(&state.db, code, Some(UnitLevel::Commune), as_of).await?
        } else {
            None
        };
        match u {
            Some(u) if unit_in_scope(&u, who.scope()) => Some(u.id),
            Some(_) => {
                errors.push(("unit", format!("{} ({code})", tr.t("sites.unit_out_of_scope"))));
                None
            }
            None => {
                errors.push(("unit", format!("{} ({code})", tr.t("sites.unknown_unit"))));
                None
            }
        }
    } else if let Some(at) = location {
        match nearest_commune(state, who.scope(), at).await? {
            Some(id) => Some(id),
            None => {
                errors.push(("unit", tr.t("incidents.no_commune").into()));
                None
            }
        }
    } else {
        None
    };
    let (Some(kind), Some(on), Some(location), Some(unit_id), true) =
        (kind, on, location, unit_id, errors.is_empty())
    else {
        return Ok(Err(errors));
    };
    Ok(Ok(NewIncident {
        kind,
        on,
        location,
        unit_id,
        source: source.to_owned(),
        note: input.note.trim().to_owned(),
    }))
}

/// How far from the nearest commune centre a point may lie and still be placed in it:
/// farther, it is most likely outside the caller's area.
const MAX_CENTRE_DISTANCE_M: f64 = 40_000.0;

/// The current commune within `scope` whose centre is nearest to `at`, if one lies
/// within [`MAX_CENTRE_DISTANCE_M`].
pub async fn nearest_commune(state: &AppState, scope: Scope, at: LatLon) -> Result<Option<i64>, AppError> {
    let mut f = UnitFilter {
        level: Some(UnitLevel::Commune),
        generation: Some("2025".into()),
        limit: 100_000,
        ..Default::default()
    };
    match scope {
        Scope::Province(p) => f.scope_province_id = Some(p),
        Scope::Commune(c) => f.scope_commune_id = Some(c),
    }
    let (communes, _) = state.search_units(&f).await?;
    let best = communes
        .iter()
        .filter_map(|u| Some((u.id, diaban_domain::site::haversine_m(at.lat(), at.lon(), u.lat?, u.lon?))))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    Ok(best.filter(|(_, d)| *d <= MAX_CENTRE_DISTANCE_M).map(|(id, _)| id))
}

/// The largest incidents file the API takes (the page's form is limited to 1 MiB).
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;
/// The most lines an incidents file may have, the header included.
pub const MAX_IMPORT_LINES: usize = 20_000;

/// Reads a CSV of incidents (header `lat,lon,date,kind`, optionally `unit` and `note`, any
/// order) and validates every row: the incidents, or one message per bad row naming its
/// line (the header is line 1).
pub async fn parse_csv(
    state: &AppState,
    who: &Identity,
    text: &str,
    tr: Tr,
) -> Result<Result<Vec<NewIncident>, Vec<String>>, AppError> {
    const COLUMNS: [&str; 6] = ["lat", "lon", "date", "kind", "unit", "note"];
    if let Some((line, c)) = crate::file_limits::first_control_line(text) {
        let m = tr
            .t("limits.control_line")
            .replace("{line}", &line.to_string())
            .replace("{code}", &code_point(c));
        return Ok(Err(vec![m]));
    }
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|c| c.trim_start_matches('\u{feff}').to_lowercase()).collect(),
        Err(e) => return Ok(Err(vec![format!("line 1: {e}")])),
    };
    let unknown: Vec<&String> = header.iter().filter(|h| !COLUMNS.contains(&h.as_str())).collect();
    let missing: Vec<&str> =
        ["lat", "lon", "date", "kind"].into_iter().filter(|c| !header.iter().any(|h| h == c)).collect();
    if !unknown.is_empty() || !missing.is_empty() {
        return Ok(Err(vec![format!(
            "line 1: the header must name lat, lon, date and kind (optionally unit, note); unknown {unknown:?}, missing {missing:?}"
        )]));
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                bad.push(format!("line {line}: {e}"));
                continue;
            }
        };
        // Bounded while reading: a line of commas is many empty fields, and every line
        // costs a lookup of the units.
        if rec.len() > crate::file_limits::MAX_CSV_FIELDS || line > MAX_IMPORT_LINES {
            let m = if line > MAX_IMPORT_LINES {
                tr.t("limits.too_many_lines").replace("{max}", &tr.num(MAX_IMPORT_LINES as i64))
            } else {
                tr.t("limits.too_many_fields")
                    .replace("{line}", &line.to_string())
                    .replace("{max}", &crate::file_limits::MAX_CSV_FIELDS.to_string())
            };
            return Ok(Err(vec![m]));
        }
        if rec.iter().all(|c| c.is_empty()) {
            continue;
        }
        let get = |name: &str| col(name).and_then(|c| rec.get(c)).unwrap_or("").to_owned();
        let input = IncidentInput {
            kind: get("kind"),
            date: get("date"),
            lat: Some(Loose::Text(get("lat"))),
            lon: Some(Loose::Text(get("lon"))),
            unit: get("unit"),
            note: get("note"),
        };
        match validate(state, who, &input, "import", tr).await? {
            Ok(n) => ok.push(n),
            Err(errors) => {
                let msg = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ");
                bad.push(format!("line {line}: {msg}"));
            }
        }
    }
    if ok.is_empty() && bad.is_empty() {
        bad.push(tr.t("incidents.empty_file").to_owned());
    }
    Ok(if bad.is_empty() { Ok(ok) } else { Err(bad) })
}
