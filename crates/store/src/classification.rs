//! The yearly classification of communes (DOMAIN.md §4): the inputs of each current
//! commune for a statistical year, each with its source — entered by an officer
//! (`manual`, with who and when), counted from the app's own registries (`registry`), or
//! missing — and the stored result. The rules are `diaban_domain::classification`'s;
//! this module gathers the inputs, applies the thresholds in force at the year's end
//! (parameter group [`PARAMS`]) and keeps the result with the thresholds it used, so a
//! later change of the thresholds never alters it. Recomputing replaces the result, in
//! one transaction with its audit entry.

use crate::audit::{self, NewEntry};
use crate::db::Db;
use crate::error::DbError;
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::classification::{
    ClassificationInputs, CommuneClass, CriteriaVersion, Thresholds, classify,
};
use diaban_domain::site::{SiteHistory, SiteKind, SiteState};
use sea_query::{Expr, ExprTrait, JoinType, OnConflict, Order, Query};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The parameter group holding the thresholds ([`Thresholds`] as JSON).
pub const PARAMS: &str = "classification";

/// Every input field, in the order forms and tables show them.
pub const FIELDS: [&str; 9] = [
    "population",
    "persons_with_records",
    "places_organising_use",
    "offenders_arrested",
    "drug_plants_count",
    "drug_plants_area_m2",
    "on_key_route",
    "addicts_with_records",
    "clusters",
];

/// The fields the registries can count today; the others are manual until their
/// registries exist (cases for arrests, seizures for plants). Key-route membership
/// comes from the routes registry once at least one route is recorded.
pub const REGISTRY_FIELDS: [&str; 5] =
    ["population", "persons_with_records", "places_organising_use", "clusters", "on_key_route"];

/// The last day of statistical year `year`: years run 15/12 of the year before to 14/12
/// (the reporting cut-off of DOMAIN.md §7), so counts "at the year's end" are taken at
/// the end of 14/12.
pub fn year_end(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 14).unwrap_or(NaiveDate::MIN)
}

/// Where an input's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputSource {
    /// Entered by an officer; overrides a registry count.
    Manual,
    /// Counted from the app's own data.
    Registry,
    /// Neither: the criteria that need it are undecided.
    Missing,
}

impl InputSource {
    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Registry => "registry",
            Self::Missing => "missing",
        }
    }
}

/// One input of one commune and year, with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourcedInput {
    /// The field of `ClassificationInputs`.
    pub field: String,
    /// The value used (on_key_route: 1 or 0).
    pub value: Option<f64>,
    /// Where it comes from.
    pub source: InputSource,
    /// What the registry counts, also when a manual value overrides it (None when the
    /// field has no registry or it has no figure).
    pub registry_value: Option<f64>,
    /// Who entered the manual value.
    pub entered_by: Option<String>,
    /// When.
    pub entered_at: Option<DateTime<Utc>>,
}

/// The domain's inputs from sourced ones.
pub fn to_domain_inputs(list: &[SourcedInput]) -> ClassificationInputs {
    let mut i = ClassificationInputs::default();
    for s in list {
        let Some(v) = s.value else { continue };
        let n = v.round() as i64;
        match s.field.as_str() {
            "population" => i.population = Some(n),
            "persons_with_records" => i.persons_with_records = Some(n),
            "places_organising_use" => i.places_organising_use = Some(n),
            "offenders_arrested" => i.offenders_arrested = Some(n),
            "drug_plants_count" => i.drug_plants_count = Some(n),
            "drug_plants_area_m2" => i.drug_plants_area_m2 = Some(v),
            "on_key_route" => i.on_key_route = Some(v != 0.0),
            "addicts_with_records" => i.addicts_with_records = Some(n),
            "clusters" => i.clusters = Some(n),
            _ => {}
        }
    }
    i
}

/// A current commune in a scope.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Commune {
    /// Unit id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Centre latitude.
    pub lat: Option<f64>,
    /// Centre longitude.
    pub lon: Option<f64>,
}

/// The current (2025) communes within `scope`, by code.
pub async fn communes(db: &Db, scope: Scope) -> Result<Vec<Commune>, DbError> {
    let q = Query::select()
        .columns([("u", "id"), ("u", "code"), ("u", "name"), ("u", "lat"), ("u", "lon")])
        .from_as("units", "u")
        .and_where(Expr::col(("u", "level")).eq("commune"))
        .and_where(Expr::col(("u", "generation")).eq("2025"))
        .cond_where(scope.cond("u"))
        .order_by(("u", "code"), Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

#[derive(sqlx::FromRow)]
struct ManualRow {
    unit_id: i64,
    field: String,
    value: f64,
    username: Option<String>,
    entered_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct TransitionRow {
    site_id: i64,
    commune: Option<i64>,
    kind: String,
    to_state: String,
    on_date: NaiveDate,
}

#[derive(sqlx::FromRow)]
struct PopulationRow {
    unit_id: i64,
    population: i64,
}

fn stored<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, DbError> {
    r.map_err(|e| DbError::Other(format!("bad stored value: {e}")))
}

/// What the registries count for each commune of `communes` in `year`.
async fn registry_counts(
    db: &Db,
    scope: Scope,
    communes: &[i64],
    year: i32,
) -> Result<HashMap<i64, BTreeMap<&'static str, f64>>, DbError> {
    let mut out: HashMap<i64, BTreeMap<&'static str, f64>> = HashMap::new();
    if communes.is_empty() {
        return Ok(out);
    }
    // Population: the commune's own figure for the year. A zero figure is no figure:
    // no rate can be computed on it.
    let q = Query::select()
        .columns(["unit_id", "population"])
        .from("population")
        .and_where(Expr::col("unit_id").is_in(communes.iter().copied()))
        .and_where(Expr::col("year").eq(i64::from(year)))
        .to_owned();
    let rows: Vec<PopulationRow> = db.exec().fetch_all(&q).await?;
    for r in rows.into_iter().filter(|r| r.population > 0) {
        out.entry(r.unit_id).or_default().insert("population", r.population as f64);
    }
    // Persons with a management record in the statistical year (a measure running on a
    // day of it), by the commune they live in: the same count as the persons statistics.
    let period = diaban_domain::person::stats::Period::statistical_year(year)
        .ok_or_else(|| DbError::Invalid(format!("year {year} is outside the calendar")))?;
    let with_records = crate::person_stats::with_records_by_commune(db, scope, period).await?;
    for c in communes {
        let n = with_records.get(c).copied().unwrap_or(0);
        out.entry(*c).or_default().insert("persons_with_records", n as f64);
    }
    // Sites: points and clusters active (listed, under action, re-formed) at the end of
    // the year's last day; clusters alone for QĐ 3122.
    let q = Query::select()
        .column(("t", "site_id"))
        .expr_as(Expr::col(("u", "scope_commune_id")), "commune")
        .column(("s", "kind"))
        .columns([("t", "to_state"), ("t", "on_date")])
        .from_as("site_transitions", "t")
        .join_as(JoinType::InnerJoin, "sites", "s", Expr::col(("s", "id")).equals(("t", "site_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("s", "unit_id")))
        .cond_where(scope.cond("u"))
        .and_where(Expr::col(("t", "on_date")).lte(year_end(year)))
        .order_by(("t", "site_id"), Order::Asc)
        .order_by(("t", "on_date"), Order::Asc)
        .order_by(("t", "id"), Order::Asc)
        .to_owned();
    let rows: Vec<TransitionRow> = db.exec().fetch_all(&q).await?;
    let mut sites: BTreeMap<i64, (Option<i64>, SiteHistory)> = BTreeMap::new();
    for r in rows {
        let state: SiteState = stored(r.to_state.parse())?;
        let kind: SiteKind = stored(r.kind.parse())?;
        sites
            .entry(r.site_id)
            .or_insert_with(|| (r.commune, SiteHistory { kind, hot_spot: false, transitions: Vec::new() }))
            .1
            .transitions
            .push((r.on_date, state));
    }
    for c in communes {
        let m = out.entry(*c).or_default();
        m.insert("places_organising_use", 0.0);
        m.insert("clusters", 0.0);
    }
    for (commune, h) in sites.values() {
        let active =
            h.kind.is_point_or_cluster() && h.state_at(year_end(year)).is_some_and(SiteState::is_active);
        if let (true, Some(c)) = (active, commune)
            && let Some(m) = out.get_mut(c)
        {
            *m.entry("places_organising_use").or_default() += 1.0;
            if h.kind == SiteKind::Cluster {
                *m.entry("clusters").or_default() += 1.0;
            }
        }
    }
    // Criterion (đ): on a key route in force during the year. Until a route is recorded
    // the registry cannot tell "not on a route" from "routes not entered yet".
    if crate::routes::any(db).await? {
        let first_day = year_end(year - 1).succ_opt().unwrap_or(NaiveDate::MIN);
        let on = crate::routes::communes_on_routes(db, communes, first_day, year_end(year)).await?;
        for c in communes {
            out.entry(*c).or_default().insert("on_key_route", if on.contains(c) { 1.0 } else { 0.0 });
        }
    }
    Ok(out)
}

async fn manual_rows(db: &Db, communes: &[i64], year: i32) -> Result<Vec<ManualRow>, DbError> {
    if communes.is_empty() {
        return Ok(vec![]);
    }
    let q = Query::select()
        .columns([("i", "unit_id"), ("i", "field"), ("i", "value"), ("i", "entered_at")])
        .column(("us", "username"))
        .from_as("classification_inputs", "i")
        .join_as(JoinType::LeftJoin, "users", "us", Expr::col(("us", "id")).equals(("i", "entered_by")))
        .and_where(Expr::col(("i", "unit_id")).is_in(communes.iter().copied()))
        .and_where(Expr::col(("i", "year")).eq(i64::from(year)))
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// The inputs of each of `communes` (current communes within `scope`) for `year`, as
/// they stand now: the manual value where one was entered, else the registry's count,
/// else missing.
pub async fn current_inputs(
    db: &Db,
    scope: Scope,
    communes: &[i64],
    year: i32,
) -> Result<HashMap<i64, Vec<SourcedInput>>, DbError> {
    let registry = registry_counts(db, scope, communes, year).await?;
    let mut manual: HashMap<(i64, String), ManualRow> = HashMap::new();
    for r in manual_rows(db, communes, year).await? {
        manual.insert((r.unit_id, r.field.clone()), r);
    }
    let mut out = HashMap::new();
    for &c in communes {
        let reg = registry.get(&c);
        let list = FIELDS
            .iter()
            .map(|&field| {
                let registry_value = reg.and_then(|m| m.get(field).copied());
                match manual.remove(&(c, field.to_owned())) {
                    Some(m) => SourcedInput {
                        field: field.to_owned(),
                        value: Some(m.value),
                        source: InputSource::Manual,
                        registry_value,
                        entered_by: m.username,
                        entered_at: Some(m.entered_at),
                    },
                    None => SourcedInput {
                        field: field.to_owned(),
                        value: registry_value,
                        source: if registry_value.is_some() {
                            InputSource::Registry
                        } else {
                            InputSource::Missing
                        },
                        registry_value,
                        entered_by: None,
                        entered_at: None,
                    },
                }
            })
            .collect();
        out.insert(c, list);
    }
    Ok(out)
}

/// Writes manual inputs of one commune for one year: `Some` sets a value, `None` clears
/// it (the registry count, if any, applies again). Values are checked by the caller.
/// One transaction with `audit_entry` (target `{code}/{year}`).
pub async fn set_manual(
    db: &Db,
    commune: &Commune,
    year: i32,
    values: &[(&str, Option<f64>)],
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<(), DbError> {
    if let Some((bad, _)) = values.iter().find(|(f, _)| !FIELDS.contains(f)) {
        return Err(DbError::Invalid(format!("unknown classification input '{bad}'")));
    }
    let mut tx = db.begin().await?;
    let now = crate::now();
    for (field, value) in values {
        let del = Query::delete()
            .from_table("classification_inputs")
            .and_where(Expr::col("unit_id").eq(commune.id))
            .and_where(Expr::col("year").eq(i64::from(year)))
            .and_where(Expr::col("field").eq(*field))
            .to_owned();
        tx.exec().execute(&del).await?;
        if let Some(v) = value {
            let ins = Query::insert()
                .into_table("classification_inputs")
                .columns(["unit_id", "year", "field", "value", "entered_by", "entered_at"])
                .values_panic([
                    commune.id.into(),
                    i64::from(year).into(),
                    (*field).into(),
                    (*v).into(),
                    by.into(),
                    now.into(),
                ])
                .to_owned();
            tx.exec().execute(&ins).await?;
        }
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "classification".into();
        e.target_id = format!("{}/{year}", commune.code);
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await
}

/// Classifies every commune of `list` for `year` with the thresholds in force at the
/// year's end and stores the results, replacing earlier ones, with one audit entry.
/// Returns how many were stored.
pub async fn recompute(
    db: &Db,
    scope: Scope,
    list: &[Commune],
    year: i32,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<usize, DbError> {
    let (thresholds, from): (Thresholds, Option<NaiveDate>) =
        crate::parameters::in_force_dated(db, PARAMS, year_end(year)).await?;
    let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
    let mut inputs = current_inputs(db, scope, &ids, year).await?;
    let version = CriteriaVersion::for_year(year);
    let thresholds_json = serde_json::to_string(&thresholds).map_err(|e| DbError::Invalid(e.to_string()))?;
    let now = crate::now();
    let mut tx = db.begin().await?;
    for c in list {
        let sourced = inputs.remove(&c.id).unwrap_or_default();
        let result = classify(&to_domain_inputs(&sourced), version, &thresholds)
            .map_err(|e| DbError::Invalid(format!("commune {}: {e}", c.code)))?;
        let inputs_json = serde_json::to_string(&sourced).map_err(|e| DbError::Invalid(e.to_string()))?;
        let result_json = serde_json::to_string(&result).map_err(|e| DbError::Invalid(e.to_string()))?;
        let q = Query::insert()
            .into_table("classifications")
            .columns([
                "unit_id",
                "year",
                "version",
                "class",
                "inputs",
                "result",
                "thresholds",
                "thresholds_from",
                "computed_at",
                "computed_by",
            ])
            .values_panic([
                c.id.into(),
                i64::from(year).into(),
                version.as_str().into(),
                result.class.as_str().into(),
                inputs_json.into(),
                result_json.into(),
                thresholds_json.clone().into(),
                from.into(),
                now.into(),
                by.into(),
            ])
            .on_conflict(
                OnConflict::columns(["unit_id", "year"])
                    .update_columns([
                        "version",
                        "class",
                        "inputs",
                        "result",
                        "thresholds",
                        "thresholds_from",
                        "computed_at",
                        "computed_by",
                    ])
                    .to_owned(),
            )
            .to_owned();
        tx.exec().execute(&q).await?;
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "classification".into();
        if e.target_id.is_empty() {
            e.target_id = match list {
                [one] => format!("{}/{year}", one.code),
                _ => format!("{year} ({} communes)", list.len()),
            };
        }
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(list.len())
}

/// One criterion of a stored result, as the domain wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCriterion {
    /// "a" … "đ", or a short name.
    pub id: String,
    /// type_1, type_2, type_3, drug_free.
    pub band: String,
    /// Met, not met, or undecided (None).
    pub met: Option<bool>,
    /// The measured value.
    pub value: String,
    /// The threshold.
    pub threshold: String,
    /// Whether the threshold is confirmed by a public text.
    pub confirmed: bool,
    /// Inputs whose absence left it undecided.
    pub missing_inputs: Vec<String>,
    /// Reasoning, Vietnamese.
    pub explanation_vi: String,
    /// Reasoning, English.
    pub explanation_en: String,
}

/// The explanation part of a stored result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredExplanation {
    /// Every criterion, in band order.
    pub criteria: Vec<StoredCriterion>,
    /// Inputs missing for at least one criterion.
    pub missing_inputs: Vec<String>,
}

/// A stored classification.
#[derive(Debug, Clone, Serialize)]
pub struct StoredClassification {
    /// The commune's unit id.
    pub unit_id: i64,
    /// The statistical year.
    pub year: i64,
    /// The criteria version applied.
    pub version: CriteriaVersion,
    /// The class.
    pub class: CommuneClass,
    /// The inputs it was computed on, with their sources.
    pub inputs: Vec<SourcedInput>,
    /// The per-criterion explanation.
    pub explanation: StoredExplanation,
    /// The thresholds applied.
    pub thresholds: serde_json::Value,
    /// The first day of the parameter value applied (None: built-in defaults).
    pub thresholds_from: Option<NaiveDate>,
    /// When computed.
    pub computed_at: DateTime<Utc>,
    /// By whom (username).
    pub computed_by: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ResultRow {
    unit_id: i64,
    year: i64,
    version: String,
    class: String,
    inputs: String,
    result: String,
    thresholds: String,
    thresholds_from: Option<NaiveDate>,
    computed_at: DateTime<Utc>,
    username: Option<String>,
}

impl TryFrom<ResultRow> for StoredClassification {
    type Error = DbError;
    fn try_from(r: ResultRow) -> Result<Self, DbError> {
        Ok(StoredClassification {
            unit_id: r.unit_id,
            year: r.year,
            version: stored(r.version.parse())?,
            class: stored(r.class.parse())?,
            inputs: stored(serde_json::from_str(&r.inputs))?,
            explanation: stored(serde_json::from_str(&r.result))?,
            thresholds: stored(serde_json::from_str(&r.thresholds))?,
            thresholds_from: r.thresholds_from,
            computed_at: r.computed_at,
            computed_by: r.username,
        })
    }
}

/// The stored results of `unit_ids` for the given years.
pub async fn results(db: &Db, unit_ids: &[i64], years: &[i32]) -> Result<Vec<StoredClassification>, DbError> {
    if unit_ids.is_empty() || years.is_empty() {
        return Ok(vec![]);
    }
    let q = Query::select()
        .columns([
            ("c", "unit_id"),
            ("c", "year"),
            ("c", "version"),
            ("c", "class"),
            ("c", "inputs"),
            ("c", "result"),
            ("c", "thresholds"),
            ("c", "thresholds_from"),
            ("c", "computed_at"),
        ])
        .column(("us", "username"))
        .from_as("classifications", "c")
        .join_as(JoinType::LeftJoin, "users", "us", Expr::col(("us", "id")).equals(("c", "computed_by")))
        .and_where(Expr::col(("c", "unit_id")).is_in(unit_ids.iter().copied()))
        .and_where(Expr::col(("c", "year")).is_in(years.iter().map(|y| i64::from(*y))))
        .order_by(("c", "unit_id"), Order::Asc)
        .to_owned();
    let rows: Vec<ResultRow> = db.exec().fetch_all(&q).await?;
    rows.into_iter().map(StoredClassification::try_from).collect()
}
