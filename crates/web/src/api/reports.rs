//! `/api/v1/reports`: periodic reports (issue 10). List (filters `unit`, `kind`,
//! `status`), create a draft, read one with its figures (frozen once issued; with
//! `?recompute=1` an issued report also shows the differences with figures computed
//! now, never stored), edit the narratives, the workflow steps and the files. The rules
//! are `diaban_domain::report::workflow` through `crate::reports_ops`. Aggregates only.

use super::ApiQuery;
use crate::AppState;
use crate::auth::actions::{DraftReports, ReadReports, ReviewReports};
use crate::auth::{Authorized, Identity};
use crate::error::{ApiError, AppError};
use crate::reports_ops::{self as rops, Format, NewReportInput};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use diaban_domain::report::workflow::{ReportStatus, Transition, available, may_edit, visible};
use diaban_domain::report::{ReportKind, diff};
use diaban_store::reports::{self, ReportFilter, ReportRow};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadReports (scope in the query; drafts only for the drafting
        // unit, see workflow::visible); POST = DraftReports, for the caller's own unit;
        // audited.
        .route("/reports", get(list).post(create))
        // Access: ReadReports; 404 outside the scope or not visible at its status.
        .route("/reports/{id}", get(detail))
        // Access: DraftReports, drafting unit, draft or returned; audited.
        .route("/reports/{id}/narratives", post(narratives))
        // Access: DraftReports (drafting unit); audited.
        .route("/reports/{id}/submit", post(submit))
        // Access: ReviewReports (PC04 for communes, leaders for the province); audited.
        .route("/reports/{id}/approve", post(approve))
        // Access: ReviewReports; a reason is required; audited.
        .route("/reports/{id}/return", post(send_back))
        // Access: DraftReports (drafting unit); audited.
        .route("/reports/{id}/redraft", post(redraft))
        // Access: DraftReports (drafting unit), after approval; freezes the figures; audited.
        .route("/reports/{id}/issue", post(issue))
        // Access: ReadReports; `?format=xlsx|docx`; audited as report.download.
        .route("/reports/{id}/download", get(download))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    unit: Option<String>,
    kind: Option<String>,
    status: Option<String>,
}

/// The filter from query strings (shared with the page).
pub(crate) async fn filter_of(
    state: &AppState,
    who: &Identity,
    unit: Option<&str>,
    kind: Option<&str>,
    status: Option<&str>,
) -> Result<ReportFilter, AppError> {
    let nonempty = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let unit_id = match nonempty(unit) {
        None => None,
        Some(code) => Some(crate::indicators_ops::place(state, who, Some(&code)).await?.unit.id),
    };
    let kind = match nonempty(kind) {
        None => None,
        Some(k) => Some(k.parse::<ReportKind>().map_err(|e| AppError::bad_param("kind", e))?),
    };
    let status = match nonempty(status) {
        None => None,
        Some(s) => Some(s.parse::<ReportStatus>().map_err(|e| AppError::bad_param("status", e))?),
    };
    Ok(ReportFilter { unit_id, kind, status })
}

/// The reports the caller may see under the filter.
pub(crate) async fn visible_list(
    state: &AppState,
    who: &Identity,
    f: &ReportFilter,
) -> Result<Vec<ReportRow>, AppError> {
    let rows = reports::list(&state.db, who.scope(), f).await?;
    Ok(rows.into_iter().filter(|r| visible(who.role, r.level, rops::standing(who, r), r.status)).collect())
}

fn summary(r: &ReportRow) -> Value {
    json!({
        "id": r.id,
        "unit": {"code": r.unit_code, "name": r.unit_name},
        "level": r.level,
        "kind": r.kind,
        "period": r.period,
        "title": r.title,
        "status": r.status,
        "status_label": r.status.label_vi(),
        "number": r.number,
        "issued_on": r.issued_on,
        "updated_at": r.updated_at,
    })
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadReports>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = filter_of(&state, &who, q.unit.as_deref(), q.kind.as_deref(), q.status.as_deref()).await?;
    let rows = visible_list(&state, &who, &f).await?;
    Ok(Json(json!({"items": rows.iter().map(summary).collect::<Vec<_>>(), "total": rows.len()})))
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<DraftReports>,
    Json(input): Json<NewReportInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = rops::create(&state, &who, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

#[derive(Deserialize, Default)]
struct DetailQuery {
    recompute: Option<String>,
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadReports>,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<DetailQuery>,
) -> Result<Json<Value>, ApiError> {
    let r = rops::visible_report(&state.db, &who, id).await?;
    let figures = rops::report_figures(&state.db, &r).await?;
    let st = rops::standing(&who, &r);
    let history = reports::events(&state.db, id).await?;
    let mut v = summary(&r);
    v["narratives"] = json!(r.narratives);
    v["return_reason"] = json!(r.return_reason);
    v["frozen"] = json!(r.frozen.is_some());
    v["figures"] = json!(figures);
    v["editable"] = json!(may_edit(who.role, r.level, st, r.status));
    v["actions"] = json!(available(who.role, r.level, st, r.status));
    v["history"] = json!(history);
    v["downloads"] = json!({
        "xlsx": format!("/api/v1/reports/{id}/download?format=xlsx"),
        "docx": format!("/api/v1/reports/{id}/download?format=docx"),
    });
    if q.recompute.as_deref().is_some_and(|s| s == "1" || s == "true") {
        v["recomputed"] = match &r.frozen {
            Some(frozen) => {
                let now = rops::live_figures(&state.db, &r).await?;
                json!({"computed_at": now.computed_at, "differences": diff(frozen, &now)})
            }
            None => json!({"differences": [], "note": "not issued: figures are live"}),
        };
    }
    Ok(Json(v))
}

#[derive(Deserialize, Default)]
struct NarrativesInput {
    #[serde(default)]
    narratives: BTreeMap<String, String>,
}

async fn narratives(
    State(state): State<AppState>,
    who: Authorized<DraftReports>,
    Path(id): Path<i64>,
    Json(input): Json<NarrativesInput>,
) -> Result<Json<Value>, ApiError> {
    rops::set_narratives(&state, &who, id, &input.narratives).await?;
    Ok(Json(json!({"id": id})))
}

#[derive(Deserialize, Default)]
struct StepInput {
    #[serde(default)]
    reason: String,
}

async fn stepped(
    state: &AppState,
    who: &Identity,
    id: i64,
    t: Transition,
    reason: &str,
) -> Result<Json<Value>, ApiError> {
    rops::take_step(state, who, id, t, reason).await?;
    let r = rops::visible_report(&state.db, who, id).await?;
    Ok(Json(summary(&r)))
}

async fn submit(
    State(state): State<AppState>,
    who: Authorized<DraftReports>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    stepped(&state, &who, id, Transition::Submit, "").await
}

async fn approve(
    State(state): State<AppState>,
    who: Authorized<ReviewReports>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    stepped(&state, &who, id, Transition::Approve, "").await
}

async fn send_back(
    State(state): State<AppState>,
    who: Authorized<ReviewReports>,
    Path(id): Path<i64>,
    Json(input): Json<StepInput>,
) -> Result<Json<Value>, ApiError> {
    stepped(&state, &who, id, Transition::Return, &input.reason).await
}

async fn redraft(
    State(state): State<AppState>,
    who: Authorized<DraftReports>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    stepped(&state, &who, id, Transition::Redraft, "").await
}

async fn issue(
    State(state): State<AppState>,
    who: Authorized<DraftReports>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    stepped(&state, &who, id, Transition::Issue, "").await
}

#[derive(Deserialize, Default)]
pub(crate) struct DownloadQuery {
    pub format: Option<String>,
}

/// The file of a report the caller may read (shared with the page).
pub(crate) async fn file_response(
    state: &AppState,
    who: &Identity,
    id: i64,
    format: Option<&str>,
) -> Result<Response, AppError> {
    let format = Format::parse(format.unwrap_or("").trim())
        .ok_or_else(|| AppError::bad_param("format", "expected xlsx or docx"))?;
    let r = rops::visible_report(&state.db, who, id).await?;
    let bytes = rops::report_file(&state.db, &r, format).await?;
    diaban_store::audit::append(&state.db, &who.audit("report.download", "report", id)).await?;
    let name = format!("bao-cao-{}-{}-{}.{}", r.unit_code, r.kind, r.period, format.ext());
    Ok((
        [
            (header::CONTENT_TYPE, format.mime().to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

async fn download(
    State(state): State<AppState>,
    who: Authorized<ReadReports>,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<DownloadQuery>,
) -> Result<Response, ApiError> {
    Ok(file_response(&state, &who, id, q.format.as_deref()).await?)
}
