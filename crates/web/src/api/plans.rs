//! `/api/v1/plans` and `/api/v1/tasks`: plans with their targets (each with the rule that
//! decides its status, in words), the tasks a plan assigns, progress reports, the
//! provincial police's reminders, inspections and guidance, difficulties raised as
//! escalations, and the late list. A caller sees the plans of its province and the
//! national ones; tasks by scope (a partner: those assigned to its account). Shared with
//! the pages.

use crate::AppState;
use crate::api::escalations::{RaiseInput, params};
use crate::auth::actions::{ManagePlans, RaiseEscalations, ReadPlans, ReportTasks, SuperviseTasks};
use crate::auth::{Authorized, Identity};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::plan_input::{self, PlanInput, ReportInput, SupervisionInput, TaskInput, joined, province_id};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use diaban_domain::access::Role;
use diaban_domain::plan::{
    DEFAULT_AT_RISK_MARGIN, Target, TargetInput, TaskState, describe_vi, status_rule_vi,
};
use diaban_store::plan_tasks::{self, Task, TaskFilter, TaskVisibility};
use diaban_store::plans::{self, PlanRow};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadPlans (the caller's province's and national plans); POST =
        // ManagePlans; audited.
        .route("/plans", get(list).post(create))
        // Access: GET = ReadPlans (404 for another province's plan); PUT = ManagePlans
        // (PC04: its province's plans; admin: also national ones); audited.
        .route("/plans/{id}", get(detail).put(update))
        // Access: GET = ReadPlans; PUT = ManagePlans, replaces every target; audited.
        .route("/plans/{id}/targets", get(targets).put(set_targets))
        // Access: GET = ReadPlans, scoped (a partner: its tasks); POST = ManagePlans;
        // audited.
        .route("/plans/{id}/tasks", get(tasks).post(create_task))
        // Access: SuperviseTasks; scoped.
        .route("/tasks/late", get(late))
        // Access: ReadPlans; scoped (404 outside; a partner: its tasks).
        .route("/tasks/{id}", get(task_detail))
        // Access: GET = ReadPlans; POST = ReportTasks, on a task the caller answers for
        // (its commune's, its agency's; PC04 any in the province); audited.
        .route("/tasks/{id}/reports", get(reports).post(add_report))
        // Access: SuperviseTasks; scoped; a reminder notifies the assignee; audited.
        .route("/tasks/{id}/supervision", post(supervise))
        // Access: ManagePlans; scoped; audited.
        .route("/tasks/{id}/state", post(set_state))
        // Access: RaiseEscalations, on a task the caller answers for; audited.
        .route("/tasks/{id}/difficulties", post(raise_difficulty))
}

/// Whose tasks the caller sees.
pub(crate) fn visibility(who: &Identity) -> TaskVisibility {
    TaskVisibility { scope: who.scope(), only_partner: (who.role == Role::Partner).then_some(who.user.id) }
}

/// A plan the caller sees (its province's or a national one); 404 otherwise.
pub(crate) async fn visible_plan(state: &AppState, who: &Identity, id: i64) -> Result<PlanRow, AppError> {
    plans::for_province(&state.db, province_id(who))
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| AppError::not_found("no such plan"))
}

/// Whether the caller may edit this plan: PC04 its province's; the administrator also
/// the national ones.
pub(crate) fn may_edit(who: &Identity, plan: &PlanRow) -> bool {
    who.may(diaban_domain::access::Action::ManagePlans) && (!plan.is_national() || who.role == Role::Admin)
}

/// A plan the caller may edit; 404 when not visible, 403 when national and not admin.
pub(crate) async fn editable_plan(state: &AppState, who: &Identity, id: i64) -> Result<PlanRow, AppError> {
    let p = visible_plan(state, who, id).await?;
    if !may_edit(who, &p) {
        return Err(AppError::new(ErrorKind::Forbidden, "only the administrator edits a national plan"));
    }
    Ok(p)
}

/// A task the caller sees; 404 otherwise.
pub(crate) async fn visible_task(state: &AppState, who: &Identity, id: i64) -> Result<Task, AppError> {
    let today = diaban_domain::time::today_in_vietnam();
    plan_tasks::get(&state.db, id, visibility(who), today)
        .await?
        .ok_or_else(|| AppError::not_found("no such task"))
}

pub(crate) fn target_json(id: i64, t: &Target) -> Value {
    json!({
        "id": id, "indicator": t.indicator, "indicator_label": t.indicator.label_vi(),
        "measure": t.indicator.measure(), "comparator": t.comparator, "symbol": t.comparator.symbol(),
        "value": t.value, "year": t.year, "deadline": t.deadline, "note": t.note,
        "description_vi": describe_vi(t), "status_rule_vi": status_rule_vi(t, DEFAULT_AT_RISK_MARGIN),
    })
}

async fn targets_json(state: &AppState, plan_id: i64) -> Result<Vec<Value>, AppError> {
    Ok(plans::targets(&state.db, plan_id).await?.iter().map(|(id, t)| target_json(*id, t)).collect())
}

fn unprocessable(errors: &[(&'static str, String)]) -> ApiError {
    AppError::new(ErrorKind::Unprocessable, joined(errors)).into()
}

async fn list(State(state): State<AppState>, who: Authorized<ReadPlans>) -> Result<Json<Value>, ApiError> {
    let items = plans::for_province(&state.db, province_id(&who)).await?;
    Ok(Json(json!({"items": items, "total": items.len()})))
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<ManagePlans>,
    Json(input): Json<PlanInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let p = plan_input::parse_plan(&state, &input).await?.map_err(|e| unprocessable(&e))?;
    let mine = diaban_store::units::get(&state.db, province_id(&who)).await?;
    if p.owner_unit_code.as_deref() != Some(mine.code.as_str()) && who.role != Role::Admin {
        return Err(AppError::new(
            ErrorKind::Unprocessable,
            "owner_unit_code: Kế hoạch phải thuộc tỉnh của bạn.",
        )
        .into());
    }
    let id = plans::create(&state.db, &p, Some(who.audit("plan.create", "plan", ""))).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadPlans>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let p = visible_plan(&state, &who, id).await?;
    let covered = plans::covered_communes(&state.db, id).await?.len();
    Ok(Json(json!({"plan": p, "targets": targets_json(&state, id).await?, "covered_communes": covered})))
}

async fn update(
    State(state): State<AppState>,
    who: Authorized<ManagePlans>,
    Path(id): Path<i64>,
    Json(input): Json<PlanInput>,
) -> Result<Json<Value>, ApiError> {
    editable_plan(&state, &who, id).await?;
    let p = plan_input::parse_plan(&state, &input).await?.map_err(|e| unprocessable(&e))?;
    plans::update(&state.db, id, &p, Some(who.audit("plan.update", "plan", id))).await?;
    Ok(Json(json!(plans::get(&state.db, id).await?)))
}

async fn targets(
    State(state): State<AppState>,
    who: Authorized<ReadPlans>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    visible_plan(&state, &who, id).await?;
    Ok(Json(json!({"items": targets_json(&state, id).await?})))
}

/// The body of `PUT …/targets`: the whole list.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum TargetsBody {
    List(Vec<TargetInput>),
    Wrapped { targets: Vec<TargetInput> },
}

async fn set_targets(
    State(state): State<AppState>,
    who: Authorized<ManagePlans>,
    Path(id): Path<i64>,
    Json(body): Json<TargetsBody>,
) -> Result<Json<Value>, ApiError> {
    let plan = editable_plan(&state, &who, id).await?;
    let rows = match body {
        TargetsBody::List(v) | TargetsBody::Wrapped { targets: v } => v,
    };
    let parsed = plan_input::parse_targets(&rows, &plan.plan()).map_err(|e| unprocessable(&e))?;
    plans::set_targets(&state.db, id, &parsed, Some(who.audit("plan.targets", "plan", id))).await?;
    Ok(Json(json!({"items": targets_json(&state, id).await?})))
}

fn task_json(t: &Task) -> Value {
    let mut v = json!(t);
    v["assignee"] = json!(t.assignee());
    v["late_label"] = json!(t.late.map(|l| l.label_vi()));
    v
}

async fn tasks(
    State(state): State<AppState>,
    who: Authorized<ReadPlans>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    visible_plan(&state, &who, id).await?;
    let today = diaban_domain::time::today_in_vietnam();
    let f = TaskFilter { plan_id: Some(id), ..Default::default() };
    let items = plan_tasks::list(&state.db, visibility(&who), &f, today).await?;
    Ok(Json(json!({"items": items.iter().map(task_json).collect::<Vec<_>>(), "total": items.len()})))
}

async fn create_task(
    State(state): State<AppState>,
    who: Authorized<ManagePlans>,
    Path(id): Path<i64>,
    Json(input): Json<TaskInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let plan = visible_plan(&state, &who, id).await?;
    let new = plan_input::parse_task(&state, &who, &plan, &input).await?.map_err(|e| unprocessable(&e))?;
    let tid =
        plan_tasks::create(&state.db, &new, Some(who.user.id), Some(who.audit("plan_task.create", "", "")))
            .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": tid}))))
}

async fn late(
    State(state): State<AppState>,
    who: Authorized<SuperviseTasks>,
) -> Result<Json<Value>, ApiError> {
    let today = diaban_domain::time::today_in_vietnam();
    let items = plan_tasks::late(&state.db, visibility(&who), today).await?;
    Ok(Json(json!({"items": items.iter().map(task_json).collect::<Vec<_>>(), "total": items.len()})))
}

async fn task_detail(
    State(state): State<AppState>,
    who: Authorized<ReadPlans>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let t = visible_task(&state, &who, id).await?;
    let reports = plan_tasks::reports(&state.db, id).await?;
    let supervision = plan_tasks::supervision(&state.db, id).await?;
    let escalations = plan_tasks::escalations_of(&state.db, id).await?;
    Ok(Json(json!({"task": task_json(&t), "reports": reports, "supervision": supervision,
        "escalations": escalations.iter().map(|e| json!({"id": e.id, "title": e.title, "state": e.state})).collect::<Vec<_>>()})))
}

async fn reports(
    State(state): State<AppState>,
    who: Authorized<ReadPlans>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    visible_task(&state, &who, id).await?;
    Ok(Json(json!({"items": plan_tasks::reports(&state.db, id).await?})))
}

/// Records a report on a task the caller answers for. `Ok(Err(..))`: bad fields.
pub(crate) async fn report(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &ReportInput,
) -> Result<Result<i64, plan_input::Problems>, AppError> {
    visible_task(state, who, id).await?;
    let today = diaban_domain::time::today_in_vietnam();
    let r = match plan_input::parse_report(input, today) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let rid = plan_tasks::add_report(
        &state.db,
        id,
        r.on,
        r.percent,
        &r.body,
        today,
        Some(who.user.id),
        Some(who.audit("plan_task.report", "plan_task", id)),
    )
    .await?;
    Ok(Ok(rid))
}

async fn add_report(
    State(state): State<AppState>,
    who: Authorized<ReportTasks>,
    Path(id): Path<i64>,
    Json(input): Json<ReportInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let rid = report(&state, &who, id, &input).await?.map_err(|e| unprocessable(&e))?;
    Ok((StatusCode::CREATED, Json(json!({"id": rid}))))
}

/// Records a reminder, an inspection or guidance. `Ok(Err(..))`: bad fields.
pub(crate) async fn supervision(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &SupervisionInput,
) -> Result<Result<i64, plan_input::Problems>, AppError> {
    visible_task(state, who, id).await?;
    let today = diaban_domain::time::today_in_vietnam();
    let (kind, on, body) = match plan_input::parse_supervision(input, today) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let action = format!("plan_task.{}", kind.as_str());
    let sid = plan_tasks::supervise(
        &state.db,
        id,
        kind,
        on,
        &body,
        today,
        Some(who.user.id),
        Some(who.audit(&action, "plan_task", id)),
    )
    .await?;
    Ok(Ok(sid))
}

async fn supervise(
    State(state): State<AppState>,
    who: Authorized<SuperviseTasks>,
    Path(id): Path<i64>,
    Json(input): Json<SupervisionInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let sid = supervision(&state, &who, id, &input).await?.map_err(|e| unprocessable(&e))?;
    Ok((StatusCode::CREATED, Json(json!({"id": sid}))))
}

/// A state change as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct StateInput {
    #[serde(default)]
    pub state: String,
}

/// Marks a task done or reopens it.
pub(crate) async fn change_state(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &StateInput,
) -> Result<(), AppError> {
    let task = visible_task(state, who, id).await?;
    visible_plan(state, who, task.plan_id).await?;
    let s: TaskState =
        input.state.trim().parse().map_err(|_| {
            AppError::new(ErrorKind::Unprocessable, "state: Trạng thái phải là open hoặc done.")
        })?;
    let today = diaban_domain::time::today_in_vietnam();
    plan_tasks::set_state(&state.db, id, s, today, Some(who.audit("plan_task.state", "plan_task", id)))
        .await?;
    Ok(())
}

async fn set_state(
    State(state): State<AppState>,
    who: Authorized<ManagePlans>,
    Path(id): Path<i64>,
    Json(input): Json<StateInput>,
) -> Result<Json<Value>, ApiError> {
    change_state(&state, &who, id, &input).await?;
    Ok(Json(task_json(&visible_task(&state, &who, id).await?)))
}

/// Raises a difficulty on a task the caller answers for. `Ok(Err(..))`: bad fields.
pub(crate) async fn difficulty(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &RaiseInput,
) -> Result<Result<i64, plan_input::Problems>, AppError> {
    let task = visible_task(state, who, id).await?;
    let mut errors = plan_input::Problems::new();
    let title = input.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(("title", "Chưa nhập tiêu đề (tối đa 200 ký tự).".to_owned()));
    }
    if input.body.trim().is_empty() || input.body.chars().count() > 8000 {
        errors.push(("body", "Chưa nhập nội dung khó khăn, vướng mắc.".to_owned()));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let p = params(state).await?;
    let eid = plan_tasks::raise_difficulty(
        &state.db,
        &task,
        &title,
        input.body.trim(),
        diaban_domain::time::today_in_vietnam(),
        p.escalation_response_days,
        Some(who.user.id),
        Some(who.audit("escalation.raise", "escalation", "")),
    )
    .await?;
    Ok(Ok(eid))
}

async fn raise_difficulty(
    State(state): State<AppState>,
    who: Authorized<RaiseEscalations>,
    Path(id): Path<i64>,
    Json(input): Json<RaiseInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let eid = difficulty(&state, &who, id, &input).await?.map_err(|e| unprocessable(&e))?;
    Ok((StatusCode::CREATED, Json(json!({"id": eid}))))
}
