//! `/api/v1/propaganda`: propaganda and education activities. Police officers read and
//! record those of their scope; a partner department records its own and lists only its
//! own, but sees the totals of its whole scope (aggregates carry no identities).

use crate::AppState;
use crate::api::sites::tr_of;
use crate::api::{ApiQuery, parse_date, parse_u64};
use crate::auth::actions::{ReadPropaganda, WritePropaganda};
use crate::auth::{Authorized, Identity};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::ops_export::{Cell, Table, csv_response, xlsx_response};
use crate::ops_input::{self, ActivityInput};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use diaban_domain::UnitLevel;
use diaban_domain::access::Role;
use diaban_store::propaganda::{self, Activity, PropagandaFilter, Totals};
use diaban_store::{audit, units};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadPropaganda (a partner: its own), POST = WritePropaganda; scoped;
        // every new activity audited.
        .route("/propaganda", get(list).post(create))
        // Access: ReadPropaganda; scoped; aggregates only.
        .route("/propaganda/summary", get(summary))
        // Access: ReadPropaganda (a partner: its own); scoped; audited.
        .route("/propaganda/export.csv", get(export_csv))
        .route("/propaganda/export.xlsx", get(export_xlsx))
}

/// The list filters as typed in a query string (shared with the pages).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub unit: Option<String>,
    pub venue_type: Option<String>,
    pub form: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The filter for `who`: a partner's lists hold only what its account recorded.
pub(crate) async fn filter_of(
    state: &AppState,
    who: &Identity,
    q: &ListQuery,
    max: u64,
) -> Result<PropagandaFilter, AppError> {
    let mut f = PropagandaFilter {
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
    if let Some(v) = nonempty(&q.venue_type) {
        f.venue_type = Some(v.parse().map_err(|e| AppError::bad_param("venue_type", e))?);
    }
    if let Some(v) = nonempty(&q.form) {
        f.form = Some(v.parse().map_err(|e| AppError::bad_param("form", e))?);
    }
    if who.role == Role::Partner {
        f.recorded_by = Some(who.user.id);
    }
    f.limit = parse_u64("limit", q.limit.as_deref(), 100, max).map_err(|e| e.0)?;
    f.offset = parse_u64("offset", q.offset.as_deref(), 0, u64::MAX >> 1).map_err(|e| e.0)?;
    Ok(f)
}

/// The totals of `who`'s whole scope within the filter's dates and kinds (a partner's
/// totals are not narrowed to its own: they are aggregates).
pub(crate) async fn totals_of(
    state: &AppState,
    who: &Identity,
    f: &PropagandaFilter,
) -> Result<Totals, AppError> {
    let mut all = f.clone();
    all.recorded_by = None;
    Ok(propaganda::totals(&state.db, who.scope(), &all).await?)
}

pub(crate) fn totals_json(t: &Totals) -> Value {
    let group = |m: Vec<(String, &propaganda::Tally)>| -> Vec<Value> {
        m.into_iter()
            .map(|(k, v)| json!({"key": k, "activities": v.activities, "participants": v.participants, "materials": v.materials}))
            .collect()
    };
    json!({
        "activities": t.all.activities, "participants": t.all.participants, "materials": t.all.materials,
        "by_organiser": group(t.by_organiser.iter().map(|(k, v)| (k.clone(), v)).collect()),
        "by_venue_type": group(t.by_venue_type.iter().map(|(k, v)| (k.as_str().to_owned(), v)).collect()),
        "by_form": group(t.by_form.iter().map(|(k, v)| (k.as_str().to_owned(), v)).collect()),
    })
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadPropaganda>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = filter_of(&state, &who, &q, 1000).await?;
    let (items, total) = propaganda::list(&state.db, who.scope(), &f).await?;
    Ok(Json(json!({"items": items, "total": total})))
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<WritePropaganda>,
    Json(input): Json<ActivityInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new = match ops_input::validate_activity(&state, &who, &input, tr_of(&who)).await? {
        Ok(n) => n,
        Err(errors) => {
            return Err(AppError::new(ErrorKind::Unprocessable, ops_input::errors_text(&errors)).into());
        }
    };
    let id =
        propaganda::create(&state.db, &new, Some(who.user.id), Some(who.audit("propaganda.create", "", "")))
            .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

async fn summary(
    State(state): State<AppState>,
    who: Authorized<ReadPropaganda>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = filter_of(&state, &who, &q, 1000).await?;
    Ok(Json(totals_json(&totals_of(&state, &who, &f).await?)))
}

const COLUMNS: &[(&str, &str, f64)] = &[
    ("id", "Mã", 8.0),
    ("held_on", "Ngày tổ chức", 12.0),
    ("unit_code", "Mã đơn vị", 10.0),
    ("unit_name", "Đơn vị hành chính", 24.0),
    ("organiser", "Đơn vị tổ chức", 28.0),
    ("venue_type", "Loại địa điểm", 22.0),
    ("place", "Địa điểm", 28.0),
    ("form", "Hình thức", 24.0),
    ("participants", "Số người tham dự", 12.0),
    ("materials", "Số tài liệu phát", 12.0),
    ("topic", "Nội dung", 40.0),
];

/// The activities as an export table (CSV: codes; XLSX: Vietnamese labels).
pub(crate) fn table(items: &[Activity], labels: bool) -> Table {
    let rows = items
        .iter()
        .map(|a| {
            vec![
                Cell::Int(a.id),
                Cell::Date(a.held_on),
                Cell::Text(a.unit_code.clone()),
                Cell::Text(a.unit_name.clone()),
                Cell::Text(a.organiser.clone()),
                Cell::Text(if labels { a.venue_type.label_vi() } else { a.venue_type.as_str() }.to_owned()),
                Cell::Text(a.place.clone()),
                Cell::Text(if labels { a.form.label_vi() } else { a.form.as_str() }.to_owned()),
                Cell::Int(a.participants),
                Cell::Int(a.materials),
                Cell::Text(a.topic.clone()),
            ]
        })
        .collect();
    Table { sheet: "Tuyên truyền", columns: COLUMNS, rows }
}

async fn for_export(state: &AppState, who: &Identity, q: &ListQuery) -> Result<Vec<Activity>, AppError> {
    let mut f = filter_of(state, who, q, u64::MAX >> 1).await?;
    f.limit = 0;
    f.offset = 0;
    let items = propaganda::list(&state.db, who.scope(), &f).await?.0;
    audit::append(&state.db, &who.audit("propaganda.export", "propaganda", items.len())).await?;
    Ok(items)
}

async fn export_csv(
    State(state): State<AppState>,
    who: Authorized<ReadPropaganda>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let items = for_export(&state, &who, &q).await?;
    Ok(csv_response(table(&items, false).csv()?, "propaganda.csv"))
}

async fn export_xlsx(
    State(state): State<AppState>,
    who: Authorized<ReadPropaganda>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let items = for_export(&state, &who, &q).await?;
    Ok(xlsx_response(table(&items, true).xlsx()?, "propaganda.xlsx"))
}
