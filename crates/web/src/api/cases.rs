//! `/api/v1/cases`: cases with their subjects and seizures. Recording a case with
//! coordinates creates its incidents (arrest, seizure) and their re-formation alerts in
//! the same transaction. Lists, totals and exports carry no identities; the names of
//! free-text subjects appear only on one case's detail, for roles that read persons, and
//! that read is audited (`case.subjects.read`).

use crate::AppState;
use crate::api::sites::tr_of;
use crate::api::{ApiQuery, parse_date, parse_u64};
use crate::auth::actions::{ReadCases, WriteCases};
use crate::auth::{Authorized, Identity};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::ops_export::{Cell, Table, csv_response, xlsx_response};
use crate::ops_input::{self, CaseInput};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use diaban_domain::UnitLevel;
use diaban_domain::access::Action;
use diaban_domain::cases::CaseOutcome;
use diaban_domain::seizures::SeizureLine;
use diaban_store::cases::{self, Case, CaseFilter, CaseRecorded, CaseTotals, NewCase, Subject};
use diaban_store::{audit, units};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadCases, POST = WriteCases; scoped; every new case audited.
        .route("/cases", get(list).post(create))
        // Access: ReadCases; scoped; aggregates only.
        .route("/cases/summary", get(summary))
        .route("/cases/summary.csv", get(summary_csv))
        .route("/cases/summary.xlsx", get(summary_xlsx))
        // Access: ReadCases; scoped; no identities; audited.
        .route("/cases/export.csv", get(export_csv))
        .route("/cases/export.xlsx", get(export_xlsx))
        // Access: ReadCases; scoped; subjects' names only with ReadPersons, audited.
        .route("/cases/{id}", get(read))
        // Access: WriteCases; scoped; the change is audited.
        .route("/cases/{id}/outcome", axum::routing::put(set_outcome))
}

async fn set_outcome(
    State(state): State<AppState>,
    who: Authorized<WriteCases>,
    Path(id): Path<i64>,
    Json(input): Json<ops_input::OutcomeInput>,
) -> Result<Json<Value>, ApiError> {
    let c =
        cases::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such case"))?;
    let u = ops_input::validate_outcome(&input, c.occurred_on, tr_of(&who))
        .map_err(|e| AppError::new(ErrorKind::Unprocessable, ops_input::errors_text(&e)))?;
    if !cases::update_outcome(&state.db, id, who.scope(), &u, who.audit("case.update", "case", id)).await? {
        return Err(AppError::not_found("no such case").into());
    }
    let c =
        cases::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such case"))?;
    Ok(Json(case_json(&c)))
}

/// The list filters as typed in a query string (shared with the pages).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub unit: Option<String>,
    pub outcome: Option<String>,
    pub ring: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(crate) async fn filter_of(state: &AppState, q: &ListQuery, max: u64) -> Result<CaseFilter, AppError> {
    let mut f = CaseFilter {
        from: parse_date("from", q.from.as_deref()).map_err(|e| e.0)?,
        to: parse_date("to", q.to.as_deref()).map_err(|e| e.0)?,
        ..Default::default()
    };
    if let Some(code) = nonempty(&q.unit) {
        let today = diaban_domain::time::today_in_vietnam();
        let u = if diaban_domain::unit::is_valid_unit_code(code) {
            units::by_code(&state.db, code, Some(UnitLevel::Commune), today).await?
        } else {
            None
        };
        f.unit_id = Some(
            u.ok_or_else(|| AppError::bad_param("unit", format!("no commune has the code '{code}'")))?.id,
        );
    }
    if let Some(o) = nonempty(&q.outcome) {
        f.outcome = Some(o.parse::<CaseOutcome>().map_err(|e| AppError::bad_param("outcome", e))?);
    }
    if let Some(r) = nonempty(&q.ring) {
        f.ring_id = Some(r.parse().map_err(|_| AppError::bad_param("ring", "expected a ring id"))?);
    }
    f.limit = parse_u64("limit", q.limit.as_deref(), 100, max).map_err(|e| e.0)?;
    f.offset = parse_u64("offset", q.offset.as_deref(), 0, u64::MAX >> 1).map_err(|e| e.0)?;
    Ok(f)
}

fn line_json(l: &SeizureLine) -> Value {
    json!({"drug": l.drug(), "quantity": l.quantity(), "unit": l.unit()})
}

pub(crate) fn case_json(c: &Case) -> Value {
    json!({
        "id": c.id, "reference": c.reference, "occurred_on": c.occurred_on,
        "unit": {"id": c.unit_id, "code": c.unit_code, "name": c.unit_name},
        "lat": c.lat, "lon": c.lon, "summary": c.summary, "outcome": c.outcome,
        "prosecuted_cases": c.figures.prosecuted_cases, "defendants": c.figures.defendants,
        "persons_handled": c.figures.persons_handled, "ring_id": c.ring_id, "subjects": c.subjects,
        "seizures": c.seizures.iter().map(line_json).collect::<Vec<_>>(), "created_at": c.created_at,
    })
}

pub(crate) fn totals_json(t: &CaseTotals) -> Value {
    json!({
        "cases": t.cases,
        "by_outcome": t.by_outcome.iter().map(|(k, v)| (k.as_str().to_owned(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "prosecuted_cases": t.prosecuted_cases, "defendants": t.defendants,
        "persons_handled": t.persons_handled, "subjects": t.subjects,
        "seizures": t.seizures.iter().map(|(d, s)| json!({"drug": d, "grams": s.grams, "tablets": s.tablets, "bricks": s.bricks, "plants": s.plants})).collect::<Vec<_>>(),
    })
}

/// Records a validated case (radius from the site parameters, keys for typed names).
pub(crate) async fn record(
    state: &AppState,
    who: &Identity,
    new: &NewCase,
) -> Result<CaseRecorded, AppError> {
    let params = crate::site_input::params(state).await?;
    Ok(cases::create(
        &state.db,
        state.keys.as_deref(),
        new,
        who.scope(),
        params.reformation_radius_m,
        Some(who.user.id),
        Some(who.audit("case.create", "case", "")),
    )
    .await?)
}

/// The subjects of a case in scope as `who` may see them; names of typed subjects are
/// opened only for roles that read persons, and that read is audited.
pub(crate) async fn subjects_for(
    state: &AppState,
    who: &Identity,
    case_id: i64,
) -> Result<Vec<Subject>, AppError> {
    let reads_persons = who.may(Action::ReadPersons);
    let reader = reads_persons.then(|| who.scope());
    let reveal = if reads_persons { state.keys.as_deref() } else { None };
    let list = cases::subjects(&state.db, case_id, reader, reveal).await?;
    if list.iter().any(|s| s.name.is_some()) {
        audit::append(&state.db, &who.audit("case.subjects.read", "case", case_id)).await?;
    }
    Ok(list)
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadCases>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = filter_of(&state, &q, 1000).await?;
    let (items, total) = cases::list(&state.db, who.scope(), &f).await?;
    Ok(Json(json!({"items": items.iter().map(case_json).collect::<Vec<_>>(), "total": total})))
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<WriteCases>,
    Json(input): Json<CaseInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new = match ops_input::validate_case(&state, &who, &input, tr_of(&who)).await? {
        Ok(n) => n,
        Err(errors) => {
            return Err(AppError::new(ErrorKind::Unprocessable, ops_input::errors_text(&errors)).into());
        }
    };
    let rec = record(&state, &who, &new).await?;
    Ok((StatusCode::CREATED, Json(json!(rec))))
}

async fn read(
    State(state): State<AppState>,
    who: Authorized<ReadCases>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let c =
        cases::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such case"))?;
    let mut v = case_json(&c);
    v["subject_list"] = json!(subjects_for(&state, &who, id).await?);
    v["incidents"] = json!(cases::incident_ids(&state.db, id).await?);
    Ok(Json(v))
}

async fn summary(
    State(state): State<AppState>,
    who: Authorized<ReadCases>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = filter_of(&state, &q, u64::MAX >> 1).await?;
    Ok(Json(totals_json(&cases::totals(&state.db, who.scope(), &f).await?)))
}

const CASE_COLUMNS: &[(&str, &str, f64)] = &[
    ("id", "Mã vụ", 8.0),
    ("reference", "Số hồ sơ", 14.0),
    ("occurred_on", "Ngày xảy ra", 12.0),
    ("unit_code", "Mã xã", 10.0),
    ("unit_name", "Xã, phường", 24.0),
    ("lat", "Vĩ độ", 11.0),
    ("lon", "Kinh độ", 11.0),
    ("outcome", "Kết quả xử lý", 20.0),
    ("prosecuted_cases", "Số vụ khởi tố", 10.0),
    ("defendants", "Số bị can", 10.0),
    ("persons_handled", "Số người xử lý hành chính", 12.0),
    ("subjects", "Số đối tượng", 10.0),
    ("seizures", "Tang vật thu giữ", 40.0),
    ("ring_id", "Mã đường dây", 10.0),
];

fn seizures_text(lines: &[SeizureLine], labels: bool) -> String {
    lines
        .iter()
        .map(|l| {
            if labels {
                format!("{} {} {}", l.drug().label_vi(), l.quantity(), l.unit().label_vi())
            } else {
                format!("{} {} {}", l.drug().as_str(), l.quantity(), l.unit().as_str())
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The cases as an export table: no identities, subjects counted.
pub(crate) fn case_table(items: &[Case], labels: bool) -> Table {
    let opt = |x: Option<f64>| x.map(Cell::Num).unwrap_or(Cell::Empty);
    let rows = items
        .iter()
        .map(|c| {
            vec![
                Cell::Int(c.id),
                Cell::Text(c.reference.clone()),
                Cell::Date(c.occurred_on),
                Cell::Text(c.unit_code.clone()),
                Cell::Text(c.unit_name.clone()),
                opt(c.lat),
                opt(c.lon),
                Cell::Text(if labels { c.outcome.label_vi() } else { c.outcome.as_str() }.to_owned()),
                Cell::Int(c.figures.prosecuted_cases.into()),
                Cell::Int(c.figures.defendants.into()),
                Cell::Int(c.figures.persons_handled.into()),
                Cell::Int(c.subjects),
                Cell::Text(seizures_text(&c.seizures, labels)),
                c.ring_id.map(Cell::Int).unwrap_or(Cell::Empty),
            ]
        })
        .collect();
    Table { sheet: "Vụ việc", columns: CASE_COLUMNS, rows }
}

const SUMMARY_COLUMNS: &[(&str, &str, f64)] =
    &[("indicator", "Mã chỉ tiêu", 30.0), ("label", "Chỉ tiêu", 44.0), ("value", "Số liệu", 14.0)];

/// The totals as an indicator table (one row per figure; seizures per drug and unit).
pub(crate) fn summary_table(t: &CaseTotals) -> Table {
    let mut rows = Vec::new();
    let mut push =
        |key: String, label: String, v: Cell| rows.push(vec![Cell::Text(key), Cell::Text(label), v]);
    push("cases".into(), "Tổng số vụ".into(), Cell::Int(t.cases));
    for &o in CaseOutcome::ALL {
        let n = t.by_outcome.get(&o).copied().unwrap_or(0);
        push(format!("cases.{}", o.as_str()), format!("Số vụ: {}", o.label_vi()), Cell::Int(n));
    }
    push("prosecuted_cases".into(), "Số vụ khởi tố".into(), Cell::Int(t.prosecuted_cases));
    push("defendants".into(), "Số bị can".into(), Cell::Int(t.defendants));
    push("persons_handled".into(), "Số người xử lý hành chính".into(), Cell::Int(t.persons_handled));
    push("subjects".into(), "Số đối tượng".into(), Cell::Int(t.subjects));
    for (d, s) in &t.seizures {
        let name = d.label_vi();
        push(format!("seized.{}.grams", d.as_str()), format!("{name} (gam)"), Cell::Num(s.grams));
        for (unit, n) in [("tablets", s.tablets), ("bricks", s.bricks), ("plants", s.plants)] {
            if n > 0 {
                let label = match unit {
                    "tablets" => "viên",
                    "bricks" => "bánh",
                    _ => "cây",
                };
                push(format!("seized.{}.{unit}", d.as_str()), format!("{name} ({label})"), Cell::Int(n));
            }
        }
    }
    Table { sheet: "Tổng hợp", columns: SUMMARY_COLUMNS, rows }
}

async fn for_export(state: &AppState, who: &Identity, q: &ListQuery) -> Result<Vec<Case>, AppError> {
    let mut f = filter_of(state, q, u64::MAX >> 1).await?;
    f.limit = 0;
    f.offset = 0;
    let items = cases::list(&state.db, who.scope(), &f).await?.0;
    audit::append(&state.db, &who.audit("case.export", "case", items.len())).await?;
    Ok(items)
}

async fn export_csv(
    State(state): State<AppState>,
    who: Authorized<ReadCases>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let items = for_export(&state, &who, &q).await?;
    Ok(csv_response(case_table(&items, false).csv()?, "cases.csv"))
}

async fn export_xlsx(
    State(state): State<AppState>,
    who: Authorized<ReadCases>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let items = for_export(&state, &who, &q).await?;
    Ok(xlsx_response(case_table(&items, true).xlsx()?, "cases.xlsx"))
}

async fn summary_csv(
    State(state): State<AppState>,
    who: Authorized<ReadCases>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let f = filter_of(&state, &q, u64::MAX >> 1).await?;
    let t = cases::totals(&state.db, who.scope(), &f).await?;
    Ok(csv_response(summary_table(&t).csv()?, "cases-summary.csv"))
}

async fn summary_xlsx(
    State(state): State<AppState>,
    who: Authorized<ReadCases>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let f = filter_of(&state, &q, u64::MAX >> 1).await?;
    let t = cases::totals(&state.db, who.scope(), &f).await?;
    Ok(xlsx_response(summary_table(&t).xlsx()?, "cases-summary.xlsx"))
}
