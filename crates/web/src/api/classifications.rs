//! `/api/v1/classifications`: the yearly classification of the communes in scope
//! (DOMAIN.md §4, docs/classification.md). Reading needs ReadSites; entering manual
//! inputs and recomputing need WriteSites (the same police officers who keep the
//! registries the counts come from; see docs/decisions.md). The rules shared with the
//! pages (year, commune, input values) live here.

use crate::AppState;
use crate::api::ApiQuery;
use crate::auth::actions::{ReadSites, WriteSites};
use crate::auth::{Authorized, Identity};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::table_export::{Cell, Table, col, download};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use diaban_domain::classification::{CommuneClass, CriteriaVersion};
use diaban_store::classification::{self as cls, Commune, FIELDS, SourcedInput, StoredClassification};
use diaban_store::persons::Scope;
use diaban_store::units;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: ReadSites; the communes in the caller's scope.
        .route("/classifications", get(list))
        // Access: ReadSites; the year's table as CSV (aggregates, no identities).
        .route("/classifications/export.csv", get(export_csv))
        // Access: ReadSites; the same table as a workbook.
        .route("/classifications/export.xlsx", get(export_xlsx))
        // Access: ReadSites; the commune must be in scope (else 404).
        .route("/classifications/{unit_code}/{year}", get(detail))
        // Access: WriteSites; the commune must be in scope; audited.
        .route("/classifications/{unit_code}/{year}/inputs", put(set_inputs))
        // Access: WriteSites; every commune in the caller's scope; audited.
        .route("/classifications/{year}/compute", post(compute))
}

/// The statistical years that may be classified: 2015 to next year.
pub(crate) fn parse_year(name: &str, s: Option<&str>) -> Result<i32, AppError> {
    let this_year: i32 =
        diaban_domain::time::today_in_vietnam().format("%Y").to_string().parse().unwrap_or(2026);
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(this_year - 1);
    };
    match s.parse::<i32>() {
        Ok(y) if (2015..=this_year + 1).contains(&y) => Ok(y),
        _ => Err(AppError::bad_param(name, format!("'{s}' is not a year from 2015 to {}", this_year + 1))),
    }
}

/// The current commune with `code`, if it is in the caller's scope. A malformed or
/// unknown code is a 400 naming `name`; a commune outside the scope is a 404.
pub(crate) async fn commune_in_scope(
    state: &AppState,
    who: &Identity,
    name: &str,
    code: &str,
) -> Result<Commune, AppError> {
    let u = units::current_scope_unit(&state.db, code.trim(), true).await?.ok_or_else(|| {
        AppError::bad_param(name, format!("no current commune has the code '{}'", code.trim()))
    })?;
    let inside = match who.scope() {
        Scope::Province(p) => u.scope_province_id == Some(p),
        Scope::Commune(c) => u.id == c,
    };
    if !inside {
        return Err(AppError::not_found("no such commune in your scope"));
    }
    Ok(Commune { id: u.id, code: u.code, name: u.name, lat: u.lat, lon: u.lon })
}

/// One typed input value: a number, a numeric string, a boolean (on_key_route), empty or
/// null (clears the manual value).
pub(crate) fn parse_value(field: &str, v: &Value) -> Result<Option<f64>, String> {
    let text = match v {
        Value::Null => return Ok(None),
        Value::Bool(b) if field == "on_key_route" => return Ok(Some(if *b { 1.0 } else { 0.0 })),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return Err("expected a number".into()),
    };
    if text.is_empty() {
        return Ok(None);
    }
    if field == "on_key_route" {
        return match text.as_str() {
            "true" | "yes" | "1" => Ok(Some(1.0)),
            "false" | "no" | "0" => Ok(Some(0.0)),
            _ => Err("expected true or false".into()),
        };
    }
    let x: f64 = text.replace(',', ".").parse().map_err(|_| format!("'{text}' is not a number"))?;
    if !x.is_finite() {
        return Err(format!("'{text}' is not a number"));
    }
    if x < 0.0 {
        return Err("cannot be negative".into());
    }
    if field != "drug_plants_area_m2" && x.fract() != 0.0 {
        return Err("must be a whole number".into());
    }
    if field == "population" && x == 0.0 {
        return Err("must be more than 0; leave it empty when unknown".into());
    }
    if x > 1e12 {
        return Err("is too large".into());
    }
    Ok(Some(x))
}

/// One input to write: the field and its value (None clears it).
pub(crate) type InputValue = (&'static str, Option<f64>);

/// Parses a set of inputs; every bad field is named. Unknown fields are refused.
pub(crate) fn parse_values(body: &Map<String, Value>) -> Result<Vec<InputValue>, Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (k, v) in body {
        match FIELDS.iter().find(|f| **f == k.as_str()) {
            None => errors.push((k.clone(), format!("unknown input; expected one of {}", FIELDS.join(", ")))),
            Some(f) => match parse_value(f, v) {
                Ok(x) => out.push((*f, x)),
                Err(e) => errors.push((k.clone(), e)),
            },
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Saves manual inputs of one commune (audited), then recomputes its result (audited).
pub(crate) async fn save_and_recompute(
    state: &AppState,
    who: &Identity,
    c: &Commune,
    year: i32,
    values: &[(&str, Option<f64>)],
) -> Result<(), AppError> {
    if !values.is_empty() {
        cls::set_manual(
            &state.db,
            c,
            year,
            values,
            Some(who.user.id),
            Some(who.audit("classification.inputs", "classification", "")),
        )
        .await?;
    }
    cls::recompute(
        &state.db,
        who.scope(),
        std::slice::from_ref(c),
        year,
        Some(who.user.id),
        Some(who.audit("classification.compute", "classification", "")),
    )
    .await?;
    Ok(())
}

/// Recomputes every commune in the caller's scope for `year` (audited).
pub(crate) async fn recompute_all(state: &AppState, who: &Identity, year: i32) -> Result<usize, AppError> {
    let list = cls::communes(&state.db, who.scope()).await?;
    Ok(cls::recompute(
        &state.db,
        who.scope(),
        &list,
        year,
        Some(who.user.id),
        Some(who.audit("classification.compute", "classification", "")),
    )
    .await?)
}

/// The severity order of classes, for "up" and "down" between years.
pub(crate) fn severity(c: CommuneClass) -> Option<u8> {
    match c {
        CommuneClass::Type1 => Some(4),
        CommuneClass::Type2 => Some(3),
        CommuneClass::Type3 => Some(2),
        CommuneClass::HasDrugs => Some(1),
        CommuneClass::DrugFree => Some(0),
        CommuneClass::NotClassifiable => None,
    }
}

/// "worse", "better", "same", or "" when either year has no comparable class.
pub(crate) fn change(now: Option<CommuneClass>, before: Option<CommuneClass>) -> &'static str {
    match (now.and_then(severity), before.and_then(severity)) {
        (Some(a), Some(b)) if a > b => "worse",
        (Some(a), Some(b)) if a < b => "better",
        (Some(_), Some(_)) => "same",
        _ => "",
    }
}

/// One row of the province table.
pub(crate) struct YearRow {
    pub commune: Commune,
    pub now: Option<StoredClassification>,
    pub before: Option<CommuneClass>,
}

/// The year's table for the communes in scope (optionally one), with last year's class.
pub(crate) async fn year_table(
    state: &AppState,
    who: &Identity,
    year: i32,
    only: Option<&Commune>,
) -> Result<Vec<YearRow>, AppError> {
    let communes = match only {
        Some(c) => vec![c.clone()],
        None => cls::communes(&state.db, who.scope()).await?,
    };
    let ids: Vec<i64> = communes.iter().map(|c| c.id).collect();
    let mut now: HashMap<i64, StoredClassification> = HashMap::new();
    let mut before: HashMap<i64, CommuneClass> = HashMap::new();
    for r in cls::results(&state.db, &ids, &[year, year - 1]).await? {
        if r.year == i64::from(year) {
            now.insert(r.unit_id, r);
        } else {
            before.insert(r.unit_id, r.class);
        }
    }
    Ok(communes
        .into_iter()
        .map(|c| YearRow { now: now.remove(&c.id), before: before.get(&c.id).copied(), commune: c })
        .collect())
}

/// Counts per class (every class listed, "not_computed" for communes without a result).
pub(crate) fn counts<'a>(classes: impl Iterator<Item = Option<CommuneClass>>) -> BTreeMap<&'a str, usize> {
    let mut m: BTreeMap<&str, usize> = CommuneClass::ALL.iter().map(|c| (c.as_str(), 0)).collect();
    m.insert("not_computed", 0);
    for c in classes {
        *m.entry(c.map_or("not_computed", |c| c.as_str())).or_default() += 1;
    }
    m
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    year: Option<String>,
    unit: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let year = parse_year("year", q.year.as_deref())?;
    let only = match q.unit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => Some(commune_in_scope(&state, &who, "unit", code).await?),
        None => None,
    };
    let rows = year_table(&state, &who, year, only.as_ref()).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            let class = r.now.as_ref().map(|n| n.class);
            json!({"unit_code": r.commune.code, "unit_name": r.commune.name, "lat": r.commune.lat, "lon": r.commune.lon,
                   "class": class, "previous_class": r.before, "change": change(class, r.before),
                   "version": r.now.as_ref().map(|n| n.version),
                   "computed_at": r.now.as_ref().map(|n| n.computed_at)})
        })
        .collect();
    let now_counts = counts(rows.iter().map(|r| r.now.as_ref().map(|n| n.class)));
    let before_counts = counts(rows.iter().map(|r| r.before));
    Ok(Json(json!({"year": year, "version": CriteriaVersion::for_year(year), "items": items,
                    "counts": now_counts, "previous_counts": before_counts})))
}

/// The commune's inputs as they stand and its stored result.
pub(crate) async fn detail_of(
    state: &AppState,
    who: &Identity,
    c: &Commune,
    year: i32,
) -> Result<(Vec<SourcedInput>, Option<StoredClassification>), AppError> {
    let mut inputs = cls::current_inputs(&state.db, who.scope(), &[c.id], year).await?;
    let result = cls::results(&state.db, &[c.id], &[year]).await?.into_iter().next();
    Ok((inputs.remove(&c.id).unwrap_or_default(), result))
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    Path((code, year)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let year = parse_year("year", Some(&year))?;
    let c = commune_in_scope(&state, &who, "unit_code", &code).await?;
    let (inputs, result) = detail_of(&state, &who, &c, year).await?;
    Ok(Json(json!({"unit_code": c.code, "unit_name": c.name, "year": year,
                    "version": CriteriaVersion::for_year(year), "inputs": inputs, "result": result})))
}

async fn set_inputs(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    Path((code, year)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    let year = parse_year("year", Some(&year))?;
    let c = commune_in_scope(&state, &who, "unit_code", &code).await?;
    let Value::Object(map) = body else {
        return Err(AppError::new(ErrorKind::Unprocessable, "expected an object of inputs").into());
    };
    let values = parse_values(&map).map_err(|errors| {
        let msg = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ");
        AppError::new(ErrorKind::Unprocessable, msg)
    })?;
    save_and_recompute(&state, &who, &c, year, &values).await?;
    let (inputs, result) = detail_of(&state, &who, &c, year).await?;
    Ok(Json(json!({"unit_code": c.code, "unit_name": c.name, "year": year,
                    "version": CriteriaVersion::for_year(year), "inputs": inputs, "result": result})))
}

async fn compute(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    Path(year): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let year = parse_year("year", Some(&year))?;
    let n = recompute_all(&state, &who, year).await?;
    Ok(Json(json!({"year": year, "computed": n})))
}

/// The year's table: one row per commune, its class, the previous year's, and the inputs.
async fn year_export(state: &AppState, who: &Identity, year: i32) -> Result<Table, AppError> {
    let rows = year_table(state, who, year, None).await?;
    let mut columns = vec![
        col("unit_code", "Mã xã", 9.0),
        col("unit_name", "Xã, phường", 24.0),
        col("year", "Năm", 6.0),
        col("version", "Tiêu chí áp dụng", 14.0),
        col("class", "Phân loại", 14.0),
        col("previous_class", "Năm trước", 14.0),
        col("change", "Thay đổi", 10.0),
    ];
    columns.extend(FIELDS.iter().map(|f| col(f, input_header_vi(f), 12.0)));
    columns.push(col("computed_at", "Thời điểm tính", 22.0));
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let class = r.now.as_ref().map(|n| n.class);
        let mut rec: Vec<Cell> = vec![
            r.commune.code.clone().into(),
            r.commune.name.clone().into(),
            i64::from(year).into(),
            CriteriaVersion::for_year(year).as_str().into(),
            class.map(|c| c.as_str().to_owned()).into(),
            r.before.map(|c| c.as_str().to_owned()).into(),
            change(class, r.before).into(),
        ];
        for f in FIELDS {
            let v = r.now.as_ref().and_then(|n| n.inputs.iter().find(|i| i.field == f)).and_then(|i| i.value);
            rec.push(v.into());
        }
        rec.push(r.now.as_ref().map(|n| n.computed_at.to_rfc3339()).into());
        out.push(rec);
    }
    Ok(Table { sheet: "Phân loại địa bàn", columns, rows: out })
}

/// The Vietnamese header of an input column.
fn input_header_vi(field: &str) -> &'static str {
    match field {
        "population" => "Dân số",
        "persons_with_records" => "Người có hồ sơ quản lý",
        "places_organising_use" => "Nơi tổ chức, chứa chấp sử dụng",
        "offenders_arrested" => "Người phạm tội bị bắt",
        "drug_plants_count" => "Cây có chứa chất ma túy",
        "drug_plants_area_m2" => "Diện tích cây (m²)",
        "on_key_route" => "Trên tuyến trọng điểm",
        "addicts_with_records" => "Người nghiện có hồ sơ",
        "clusters" => "Tụ điểm",
        _ => "",
    }
}

async fn export_csv(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let year = parse_year("year", q.year.as_deref())?;
    let body = year_export(&state, &who, year).await?.to_csv()?;
    Ok(download(body, &format!("classification-{year}.csv"), false))
}

async fn export_xlsx(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let year = parse_year("year", q.year.as_deref())?;
    let body = year_export(&state, &who, year).await?.to_xlsx()?;
    Ok(download(body, &format!("classification-{year}.xlsx"), true))
}
