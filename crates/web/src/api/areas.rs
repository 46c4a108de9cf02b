//! `/api/v1/areas` and `/api/v1/routes`: the transformation programme of key areas and
//! the key routes, under the same rules as the pages (role, scope in the query, every
//! change audited in its own transaction). The T3/T4 figures come from
//! `diaban_domain::area::transformation_figures` over the stored histories.

use crate::AppState;
use crate::api::ApiQuery;
use crate::api::classifications::commune_in_scope;
use crate::api::sites::tr_of;
use crate::area_input::{
    self as input, DecisionInput, EvaluationInput, PlanInput, RouteInput, SelectInput, StepInput,
    change_error, joined,
};
use crate::auth::actions::{DecideAreas, ManageParameters, ReadAreas, WriteAreas};
use crate::auth::{Authorized, Identity};
use crate::error::{ApiError, AppError};
use crate::i18n::Tr;
use crate::site_input::parse_date;
use crate::table_export::{Cell, Table, col, download};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use diaban_domain::area::{AreaState, ChecklistItem, T3T4, transformation_figures};
use diaban_store::areas::{self, Actor, Area, AreaFilter};
use diaban_store::routes;
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadAreas, POST (select by decision) = DecideAreas; scoped.
        .route("/areas", get(list).post(select))
        // Access: ReadAreas, scoped.
        .route("/areas/figures", get(figures))
        .route("/areas/monitoring", get(monitoring))
        .route("/areas/export.csv", get(export_csv))
        .route("/areas/export.xlsx", get(export_xlsx))
        // Access: GET = ReadAreas; PUT (a new version) = ManageParameters (admin).
        .route("/areas/checklist", get(checklist).put(set_checklist))
        // Access: ReadAreas, scoped.
        .route("/areas/{id}", get(read))
        // Access: WriteAreas, scoped.
        .route("/areas/{id}/plan", post(plan))
        .route("/areas/{id}/start", post(start))
        .route("/areas/{id}/progress", post(progress))
        .route("/areas/{id}/reviews", post(review))
        // Access: DecideAreas, scoped.
        .route("/areas/{id}/evaluations", post(evaluate))
        .route("/areas/{id}/decision", post(decide))
        .route("/areas/{id}/relapse", post(relapse))
        .route("/areas/{id}/close", post(close))
        // Access: GET = ReadAreas (routes with a commune in scope), POST = DecideAreas.
        .route("/routes", get(route_list).post(route_create))
        .route("/routes/export.csv", get(routes_csv))
        .route("/routes/export.xlsx", get(routes_xlsx))
        // Access: GET = ReadAreas, PUT = DecideAreas; the route must touch the scope.
        .route("/routes/{id}", get(route_read).put(route_update))
}

/// The list filters.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    pub unit: Option<String>,
    pub state: Option<String>,
    pub at: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The filter of a query; the commune must be in scope.
pub(crate) async fn filter_of(
    state: &AppState,
    who: &Identity,
    q: &ListQuery,
) -> Result<AreaFilter, AppError> {
    let mut f = AreaFilter::default();
    if let Some(code) = nonempty(&q.unit) {
        f.commune_id = Some(commune_in_scope(state, who, "unit", code).await?.id);
    }
    if let Some(s) = nonempty(&q.state) {
        f.state = Some(s.parse::<AreaState>().map_err(|e| AppError::bad_param("state", e))?);
    }
    Ok(f)
}

/// The date of the figures: `at`, else today.
pub(crate) fn at_of(q: &ListQuery) -> Result<NaiveDate, AppError> {
    match nonempty(&q.at) {
        None => Ok(diaban_domain::time::today_in_vietnam()),
        Some(s) => parse_date(s).ok_or_else(|| AppError::bad_param("at", "expected YYYY-MM-DD")),
    }
}

/// T3 and T4 for the areas in scope (one commune when the filter names it) at `at`.
pub(crate) async fn figures_of(
    state: &AppState,
    who: &Identity,
    f: &AreaFilter,
    at: NaiveDate,
) -> Result<T3T4, AppError> {
    let params = input::params(state).await?;
    let histories: Vec<_> =
        areas::histories(&state.db, who.scope(), f.commune_id).await?.into_values().collect();
    Ok(transformation_figures(&histories, at, params.monitoring_months))
}

pub(crate) fn figures_json(f: &T3T4, at: NaiveDate) -> Value {
    json!({
        "at": at, "selected": f.selected, "transformed": f.transformed,
        "transformed_past_window": f.transformed_past_window,
        "relapsed_within_window": f.relapsed_within_window,
        "not_relapsed_after_window": f.not_relapsed_after_window,
        "t3": f.t3(), "t4": f.t4(),
        "definitions": {
            "t3": "transformed / selected (KH 3220 target: at least 60%)",
            "t4": "transformed, through the monitoring window and never relapsed (inside the window or after it) / transformed (DOMAIN.md §1; target: at least 85%)",
        },
    })
}

pub(crate) fn area_json(a: &Area) -> Value {
    json!({
        "id": a.id, "name": a.name, "part": a.part,
        "unit": {"id": a.unit_id, "code": a.unit_code, "name": a.unit_name},
        "lat": a.lat, "lon": a.lon, "state": a.state, "state_since": a.state_since,
        "allowed_next": a.state.allowed_next(),
        "decision": {"number": a.decision_number, "date": a.decision_date, "signer": a.decision_signer},
        "previous_area_id": a.previous_area_id, "updated_at": a.updated_at,
    })
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadAreas>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = filter_of(&state, &who, &q).await?;
    let at = at_of(&q)?;
    let items = areas::list(&state.db, who.scope(), &f).await?;
    let figures = figures_of(&state, &who, &f, at).await?;
    Ok(Json(json!({
        "items": items.iter().map(area_json).collect::<Vec<_>>(),
        "total": items.len(),
        "figures": figures_json(&figures, at),
    })))
}

async fn figures(
    State(state): State<AppState>,
    who: Authorized<ReadAreas>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = filter_of(&state, &who, &q).await?;
    let at = at_of(&q)?;
    Ok(Json(figures_json(&figures_of(&state, &who, &f, at).await?, at)))
}

async fn monitoring(
    State(state): State<AppState>,
    who: Authorized<ReadAreas>,
) -> Result<Json<Value>, ApiError> {
    let params = input::params(&state).await?;
    let today = diaban_domain::time::today_in_vietnam();
    let due = areas::monitoring(&state.db, who.scope(), &params, today).await?;
    let items: Vec<Value> = due
        .iter()
        .map(|d| {
            json!({"area": area_json(&d.area), "recognised_on": d.recognised_on, "window_end": d.window_end,
                   "next_review_due": d.next_due, "reviews_done": d.done, "overdue": d.overdue})
        })
        .collect();
    Ok(Json(json!({"items": items})))
}

async fn select(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    Json(i): Json<SelectInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tr = tr_of(&who);
    let new = input::new_area(&state, &who, &i, tr).await?.map_err(|e| joined(&e))?;
    let params = input::params(&state).await?;
    let audit = who.audit("area.select", "area", "");
    let id = areas::select(&state.db, &new, input::actor(&who, &params), Some(audit))
        .await
        .map_err(|e| change_error(e, tr))?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// Everything about one area, for the API and the page.
pub(crate) async fn detail_json(state: &AppState, who: &Identity, id: i64) -> Result<Value, AppError> {
    let a =
        areas::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such area"))?;
    let mut v = area_json(&a);
    v["timeline"] = json!(areas::transitions(&state.db, id).await?);
    v["plans"] = json!(areas::plans(&state.db, id).await?);
    v["progress"] = json!(areas::progress(&state.db, id).await?);
    v["evaluations"] = json!(areas::evaluations(&state.db, id).await?);
    v["reviews"] = json!(areas::reviews(&state.db, id).await?);
    Ok(v)
}

async fn read(
    State(state): State<AppState>,
    who: Authorized<ReadAreas>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(detail_json(&state, &who, id).await?))
}

async fn done(state: &AppState, who: &Identity, id: i64) -> Result<Json<Value>, ApiError> {
    Ok(Json(detail_json(state, who, id).await?))
}

async fn plan(
    State(state): State<AppState>,
    who: Authorized<WriteAreas>,
    Path(id): Path<i64>,
    Json(i): Json<PlanInput>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr_of(&who);
    let p = i.to_plan(tr).map_err(|e| joined(&e))?;
    let params = input::params(&state).await?;
    areas::save_plan(
        &state.db,
        id,
        input::actor(&who, &params),
        &p,
        Some(who.audit("area.plan", "area", id)),
    )
    .await
    .map_err(|e| change_error(e, tr))?;
    done(&state, &who, id).await
}

/// One dated step with a text (start, progress, review, relapse, end of monitoring):
/// the date parsed (today when empty), the store call made with its audit entry, and
/// the area returned as `GET /areas/{id}` gives it.
async fn dated_step<F>(
    state: &AppState,
    who: &Identity,
    id: i64,
    i: &StepInput,
    action: &str,
    f: F,
) -> Result<Json<Value>, ApiError>
where
    F: AsyncFnOnce(Actor<'_>, NaiveDate, diaban_store::audit::NewEntry) -> Result<(), areas::ChangeError>,
{
    let tr = tr_of(who);
    let on = i.date(tr)?;
    let params = input::params(state).await?;
    f(input::actor(who, &params), on, who.audit(action, "area", id))
        .await
        .map_err(|e| change_error(e, tr))?;
    done(state, who, id).await
}

async fn start(
    State(state): State<AppState>,
    who: Authorized<WriteAreas>,
    Path(id): Path<i64>,
    Json(i): Json<StepInput>,
) -> Result<Json<Value>, ApiError> {
    let db = &state.db;
    dated_step(&state, &who, id, &i, "area.start", async |cx, on, a| {
        areas::start(db, id, cx, on, Some(a)).await
    })
    .await
}

async fn progress(
    State(state): State<AppState>,
    who: Authorized<WriteAreas>,
    Path(id): Path<i64>,
    Json(i): Json<StepInput>,
) -> Result<Json<Value>, ApiError> {
    let (db, text) = (&state.db, i.text.clone());
    dated_step(&state, &who, id, &i, "area.progress", async |cx, on, a| {
        areas::add_progress(db, id, cx, on, &text, Some(a)).await
    })
    .await
}

async fn review(
    State(state): State<AppState>,
    who: Authorized<WriteAreas>,
    Path(id): Path<i64>,
    Json(i): Json<StepInput>,
) -> Result<Json<Value>, ApiError> {
    let (db, text, warning) = (&state.db, i.text.clone(), i.warning());
    dated_step(&state, &who, id, &i, "area.review", async |cx, on, a| {
        areas::review(db, id, cx, on, &text, warning, Some(a)).await
    })
    .await
}

async fn relapse(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    Path(id): Path<i64>,
    Json(i): Json<StepInput>,
) -> Result<Json<Value>, ApiError> {
    let (db, text) = (&state.db, i.text.clone());
    dated_step(&state, &who, id, &i, "area.relapse", async |cx, on, a| {
        areas::relapse(db, id, cx, on, &text, Some(a)).await
    })
    .await
}

async fn close(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    Path(id): Path<i64>,
    Json(i): Json<StepInput>,
) -> Result<Json<Value>, ApiError> {
    let (db, text) = (&state.db, i.text.clone());
    dated_step(&state, &who, id, &i, "area.close", async |cx, on, a| {
        areas::close_monitoring(db, id, cx, on, &text, Some(a)).await
    })
    .await
}

async fn evaluate(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    Path(id): Path<i64>,
    Json(i): Json<EvaluationInput>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr_of(&who);
    let on = StepInput { on: i.on.clone(), ..Default::default() }.date(tr)?;
    let params = input::params(&state).await?;
    let audit = who.audit("area.evaluate", "area", id);
    areas::evaluate_area(
        &state.db,
        id,
        input::actor(&who, &params),
        on,
        i.answers,
        &i.evaluator,
        Some(audit),
    )
    .await
    .map_err(|e| change_error(e, tr))?;
    done(&state, &who, id).await
}

async fn decide(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    Path(id): Path<i64>,
    Json(i): Json<DecisionInput>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr_of(&who);
    let d = i.to_decision(tr)?;
    let params = input::params(&state).await?;
    areas::decide(&state.db, id, input::actor(&who, &params), &d, Some(who.audit("area.decide", "area", id)))
        .await
        .map_err(|e| change_error(e, tr))?;
    done(&state, &who, id).await
}

async fn checklist(
    State(state): State<AppState>,
    _who: Authorized<ReadAreas>,
) -> Result<Json<Value>, ApiError> {
    let versions = areas::checklist_versions(&state.db).await?;
    Ok(Json(json!({"current": versions.first(), "versions": versions})))
}

#[derive(Deserialize)]
struct ChecklistBody {
    items: Vec<ChecklistItem>,
    #[serde(default)]
    note: String,
}

async fn set_checklist(
    State(state): State<AppState>,
    who: Authorized<ManageParameters>,
    Json(b): Json<ChecklistBody>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr_of(&who);
    let v = areas::set_checklist(
        &state.db,
        b.items,
        &b.note,
        Some(who.user.id),
        Some(who.audit("area.checklist", "area_checklist", "")),
    )
    .await
    .map_err(|e| change_error(e, tr))?;
    Ok(Json(json!({"version": v})))
}

/// The export of the areas in scope: one row per area with its latest plan and
/// evaluation; no personal data (responsible officials are named by post in plans and
/// are not exported).
pub(crate) async fn areas_table(
    state: &AppState,
    who: &Identity,
    f: &AreaFilter,
    tr: Tr,
) -> Result<Table, AppError> {
    let list = areas::list(&state.db, who.scope(), f).await?;
    let mut rows = Vec::with_capacity(list.len());
    for a in &list {
        let plan = areas::plans(&state.db, a.id).await?.into_iter().next();
        let evaluation = areas::evaluations(&state.db, a.id).await?.into_iter().next();
        let transitions = areas::transitions(&state.db, a.id).await?;
        let dated = |s: AreaState| transitions.iter().find(|t| t.to_state == s.as_str()).map(|t| t.on_date);
        rows.push(vec![
            Cell::from(a.id),
            a.unit_code.clone().into(),
            a.unit_name.clone().into(),
            a.name.clone().into(),
            a.part.clone().into(),
            a.decision_number.clone().into(),
            a.decision_date.into(),
            a.decision_signer.clone().into(),
            if tr.0 == crate::i18n::Lang::Vi { a.state.label_vi() } else { a.state.as_str() }.into(),
            a.state_since.into(),
            plan.as_ref().map(|p| p.starts_on).into(),
            plan.as_ref().map(|p| p.ends_on).into(),
            evaluation.as_ref().map(|e| e.on_date).into(),
            evaluation.as_ref().map(|e| format!("{}/{}", e.required_met, e.required_total)).into(),
            dated(AreaState::Transformed).into(),
            dated(AreaState::Relapsed).into(),
            a.lat.into(),
            a.lon.into(),
        ]);
    }
    Ok(Table {
        sheet: "Địa bàn chuyển hóa",
        columns: vec![
            col("id", "Số", 6.0),
            col("unit_code", "Mã xã", 9.0),
            col("unit_name", "Xã, phường", 22.0),
            col("name", "Địa bàn", 28.0),
            col("part", "Phần địa bàn", 18.0),
            col("decision_number", "Số quyết định lựa chọn", 16.0),
            col("decision_date", "Ngày quyết định", 12.0),
            col("decision_signer", "Người ký", 20.0),
            col("state", "Trạng thái", 24.0),
            col("state_since", "Từ ngày", 12.0),
            col("plan_starts_on", "Kế hoạch từ", 12.0),
            col("plan_ends_on", "Kế hoạch đến", 12.0),
            col("evaluated_on", "Ngày đánh giá", 12.0),
            col("required_met", "Tiêu chí bắt buộc đạt", 12.0),
            col("transformed_on", "Ngày công nhận chuyển hóa", 14.0),
            col("relapsed_on", "Ngày tái phức tạp", 14.0),
            col("lat", "Vĩ độ", 11.0),
            col("lon", "Kinh độ", 11.0),
        ],
        rows,
    })
}

async fn export(
    state: AppState,
    who: Authorized<ReadAreas>,
    q: ListQuery,
    xlsx: bool,
) -> Result<Response, ApiError> {
    let f = filter_of(&state, &who, &q).await?;
    let table = areas_table(&state, &who, &f, tr_of(&who)).await?;
    diaban_store::audit::append(
        &state.db,
        &who.audit("area.export", "area", format!("{} areas", table.rows.len())),
    )
    .await?;
    let body = if xlsx { table.to_xlsx()? } else { table.to_csv()? };
    Ok(download(body, if xlsx { "dia-ban-chuyen-hoa.xlsx" } else { "dia-ban-chuyen-hoa.csv" }, xlsx))
}

async fn export_csv(
    State(state): State<AppState>,
    who: Authorized<ReadAreas>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    export(state, who, q, false).await
}

async fn export_xlsx(
    State(state): State<AppState>,
    who: Authorized<ReadAreas>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    export(state, who, q, true).await
}

// ---------------------------------------------------------------------------------
// Routes.

pub(crate) async fn route_json(state: &AppState, r: &routes::Route) -> Result<Value, AppError> {
    let members = routes::units_of(&state.db, r.id).await?;
    let today = diaban_domain::time::today_in_vietnam();
    Ok(json!({
        "id": r.id, "name": r.name, "mode": r.mode, "description": r.description,
        "valid_from": r.valid_from, "valid_to": r.valid_to,
        "in_force": diaban_domain::route::in_force_during(r.valid_from, r.valid_to, today, today),
        "units": members, "updated_at": r.updated_at,
    }))
}

async fn route_list(
    State(state): State<AppState>,
    who: Authorized<ReadAreas>,
) -> Result<Json<Value>, ApiError> {
    let list = routes::list(&state.db, who.scope()).await?;
    let mut items = Vec::with_capacity(list.len());
    for r in &list {
        items.push(route_json(&state, r).await?);
    }
    Ok(Json(json!({"items": items})))
}

async fn route_read(
    State(state): State<AppState>,
    who: Authorized<ReadAreas>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let r =
        routes::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such route"))?;
    Ok(Json(route_json(&state, &r).await?))
}

/// A route must touch the caller's scope when it is created, so that it can see it.
pub(crate) async fn touches_scope(state: &AppState, who: &Identity, ids: &[i64]) -> Result<bool, AppError> {
    let units = diaban_store::units::get_many(&state.db, ids).await?;
    Ok(units.iter().any(|u| crate::site_input::unit_in_scope(u, who.scope())))
}

async fn route_create(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    Json(i): Json<RouteInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tr = tr_of(&who);
    let r = input::new_route(&state, &i, tr).await?.map_err(|e| joined(&e))?;
    if !touches_scope(&state, &who, &r.unit_ids).await? {
        return Err(
            AppError::new(crate::error::ErrorKind::Unprocessable, tr.t("areas.route_outside_scope")).into()
        );
    }
    let id = routes::create(&state.db, &r, Some(who.user.id), Some(who.audit("route.create", "route", "")))
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

async fn route_update(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    Path(id): Path<i64>,
    Json(i): Json<RouteInput>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr_of(&who);
    let r = input::new_route(&state, &i, tr).await?.map_err(|e| joined(&e))?;
    if !touches_scope(&state, &who, &r.unit_ids).await? {
        return Err(
            AppError::new(crate::error::ErrorKind::Unprocessable, tr.t("areas.route_outside_scope")).into()
        );
    }
    routes::update(&state.db, id, who.scope(), &r, Some(who.audit("route.update", "route", id))).await?;
    let stored =
        routes::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such route"))?;
    Ok(Json(route_json(&state, &stored).await?))
}

/// The routes in scope, one row per route with its communes listed in order.
pub(crate) async fn routes_table(state: &AppState, who: &Identity) -> Result<Table, AppError> {
    let list = routes::list(&state.db, who.scope()).await?;
    let mut rows = Vec::with_capacity(list.len());
    for r in &list {
        let members = routes::units_of(&state.db, r.id).await?;
        let mode = r.mode.parse::<diaban_domain::route::RouteMode>().map(|m| m.label_vi()).unwrap_or("");
        rows.push(vec![
            Cell::from(r.id),
            r.name.clone().into(),
            mode.into(),
            r.valid_from.into(),
            r.valid_to.into(),
            Cell::from(members.len() as i64),
            members.iter().map(|m| m.code.as_str()).collect::<Vec<_>>().join(" ").into(),
            members
                .iter()
                .map(|m| format!("{} ({})", m.name, m.province.as_deref().unwrap_or("")))
                .collect::<Vec<_>>()
                .join("; ")
                .into(),
            r.description.clone().into(),
        ]);
    }
    Ok(Table {
        sheet: "Tuyến trọng điểm",
        columns: vec![
            col("id", "Số", 6.0),
            col("name", "Tên tuyến", 30.0),
            col("mode", "Loại hình", 16.0),
            col("valid_from", "Hiệu lực từ", 12.0),
            col("valid_to", "Hiệu lực đến", 12.0),
            col("unit_count", "Số xã", 8.0),
            col("unit_codes", "Mã các xã", 30.0),
            col("units", "Các xã (tỉnh)", 60.0),
            col("description", "Mô tả", 40.0),
        ],
        rows,
    })
}

async fn routes_export(
    state: AppState,
    who: Authorized<ReadAreas>,
    xlsx: bool,
) -> Result<Response, ApiError> {
    let table = routes_table(&state, &who).await?;
    diaban_store::audit::append(
        &state.db,
        &who.audit("route.export", "route", format!("{} routes", table.rows.len())),
    )
    .await?;
    let body = if xlsx { table.to_xlsx()? } else { table.to_csv()? };
    Ok(download(body, if xlsx { "tuyen-trong-diem.xlsx" } else { "tuyen-trong-diem.csv" }, xlsx))
}

async fn routes_csv(State(state): State<AppState>, who: Authorized<ReadAreas>) -> Result<Response, ApiError> {
    routes_export(state, who, false).await
}

async fn routes_xlsx(
    State(state): State<AppState>,
    who: Authorized<ReadAreas>,
) -> Result<Response, ApiError> {
    routes_export(state, who, true).await
}
