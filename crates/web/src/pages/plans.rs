//! Kế hoạch: the plans of the caller's province and the national ones; a plan with its
//! targets (each with the rule that decides its status on hover), an editable targets
//! table and its tasks; a task with its progress reports, the provincial police's
//! reminders, inspections and guidance, and the difficulties raised on it; and the list
//! of late tasks (Nhiệm vụ trễ hạn) for PC04. The rules are the API's
//! (`crate::api::plans`, `crate::plan_input`).

use super::{Crumb, Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::api::escalations::RaiseInput;
use crate::api::plans::{
    StateInput, change_state, difficulty, editable_plan, may_edit, report, supervision, visibility,
    visible_plan, visible_task,
};
use crate::auth::actions::{ManagePlans, RaiseEscalations, ReadPlans, ReportTasks, SuperviseTasks};
use crate::auth::{Authorized, Identity};
use crate::error::AppError;
use crate::plan_input::{self, PlanInput, Problems, ReportInput, SupervisionInput, TaskInput, province_id};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::access::Action;
use diaban_domain::indicator::IndicatorId;
use diaban_domain::plan::{
    Comparator, DEFAULT_AT_RISK_MARGIN, SupervisionKind, TargetInput, TaskState, fmt_number_vi,
    status_rule_vi, when_vi,
};
use diaban_store::plan_tasks::{self, Task, TaskFilter};
use diaban_store::plans::{self, PlanRow};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadPlans (the province's and national plans); POST = ManagePlans;
        // audited.
        .route("/plans", get(list).post(create))
        // Access: GET = ReadPlans (404 for another province's plan); POST = ManagePlans
        // (PC04: its province's; admin: also national); audited.
        .route("/plans/{id}", get(detail).post(update))
        // Access: ManagePlans; replaces every target; audited.
        .route("/plans/{id}/targets", post(set_targets))
        // Access: ManagePlans; audited.
        .route("/plans/{id}/tasks", post(create_task))
        // Access: SuperviseTasks; scoped.
        .route("/tasks/late", get(late))
        // Access: ReadPlans; scoped (404 outside; a partner: its tasks).
        .route("/tasks/{id}", get(task))
        // Access: ReportTasks, on a task the caller answers for; audited.
        .route("/tasks/{id}/reports", post(add_report))
        // Access: SuperviseTasks; scoped; a reminder notifies the assignee; audited.
        .route("/tasks/{id}/supervision", post(supervise))
        // Access: ManagePlans; scoped; audited.
        .route("/tasks/{id}/state", post(set_state))
        // Access: RaiseEscalations, on a task the caller answers for; audited.
        .route("/tasks/{id}/difficulties", post(raise))
}

fn problem_lines(errors: &Problems) -> Vec<String> {
    errors.iter().map(|(f, m)| format!("{f}: {m}")).collect()
}

fn unprocessable(mut r: Response) -> Response {
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

/// A plan row for templates.
pub struct PlanLine {
    id: i64,
    number: String,
    title: String,
    issuer: String,
    issued_on: String,
    period: String,
    national: bool,
}

fn plan_line(p: &PlanRow, tr: crate::i18n::Tr) -> PlanLine {
    PlanLine {
        id: p.id,
        number: p.number.clone(),
        title: p.title.clone(),
        issuer: p.issuer.clone(),
        issued_on: tr.date(&p.issued_on),
        period: format!("{} – {}", tr.date(&p.period_from), tr.date(&p.period_to)),
        national: p.is_national(),
    }
}

#[derive(Template)]
#[template(path = "plans_list.html")]
struct ListPage {
    p: super::Page,
    rows: Vec<PlanLine>,
    can_manage: bool,
    can_supervise: bool,
    v: PlanInput,
    problems: Vec<String>,
}

async fn list_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    v: PlanInput,
    problems: Vec<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let rows =
        plans::for_province(&state.db, province_id(who)).await?.iter().map(|p| plan_line(p, tr)).collect();
    let mut p = ctx.page(Some(who), "plans.title", "plans").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("nav.plans").into(), href: None },
    ];
    let failed = !problems.is_empty();
    let r = render(
        ctx.flash_key.is_some(),
        &ListPage {
            p,
            rows,
            can_manage: who.may(Action::ManagePlans),
            can_supervise: who.may(Action::SuperviseTasks),
            v,
            problems,
        },
    )?;
    Ok(if failed { unprocessable(r) } else { r })
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadPlans>,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let mine = diaban_store::units::get(&state.db, province_id(&who)).await?;
    let v = PlanInput { owner_unit_code: mine.code, ..Default::default() };
    list_page(&state, &who, &ctx, v, Vec::new()).await
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<ManagePlans>,
    ctx: Ctx,
    Form(input): Form<PlanInput>,
) -> Result<Response, AppError> {
    let mine = diaban_store::units::get(&state.db, province_id(&who)).await?;
    let mut problems = match plan_input::parse_plan(&state, &input).await? {
        Ok(p) if p.owner_unit_code.as_deref() == Some(mine.code.as_str()) => {
            let id = plans::create(&state.db, &p, Some(who.audit("plan.create", "plan", ""))).await?;
            return Ok(redirect_with_flash(&format!("/plans/{id}"), "plans.saved"));
        }
        Ok(_) => Vec::new(),
        Err(e) => problem_lines(&e),
    };
    if problems.is_empty() {
        problems.push("owner_unit_code: Kế hoạch phải thuộc tỉnh của bạn.".into());
    }
    list_page(&state, &who, &ctx, input, problems).await
}

/// A target row for templates.
pub struct TargetLine {
    indicator: String,
    id: &'static str,
    symbol: &'static str,
    value: String,
    when: String,
    note: String,
    rule: String,
    /// The figure judged for the period shown ("" when the target says nothing of it).
    result: String,
    /// The verdict: CSS suffix and label ("" when none).
    status: &'static str,
    status_label: &'static str,
}

/// An editable target row.
pub struct TargetEdit {
    indicator: String,
    comparator: String,
    value: String,
    year: String,
    deadline: String,
    note: String,
}

/// A choice in a select.
pub struct Opt {
    value: String,
    label: String,
}

/// A task row for templates.
pub struct TaskLine {
    id: i64,
    title: String,
    assignee: String,
    deadline: String,
    frequency: &'static str,
    state: &'static str,
    state_label: &'static str,
    progress: String,
    late: Option<&'static str>,
    plan_number: String,
}

fn task_line(t: &Task, tr: crate::i18n::Tr) -> TaskLine {
    TaskLine {
        id: t.id,
        title: t.title.clone(),
        assignee: t.assignee().to_owned(),
        deadline: tr.date(&t.deadline),
        frequency: t.frequency.label_vi(),
        state: t.state.as_str(),
        state_label: t.state.label_vi(),
        progress: match (t.last_percent, t.last_report_on) {
            (Some(p), Some(d)) => format!("{p}% ({})", tr.date(&d)),
            _ => "—".into(),
        },
        late: t.late.map(|l| l.label_vi()),
        plan_number: t.plan_number.clone(),
    }
}

#[derive(Template)]
#[template(path = "plan_detail.html")]
struct DetailPage {
    p: super::Page,
    plan: PlanLine,
    baseline: String,
    issuer_code: String,
    owner_code: String,
    covered: usize,
    targets: Vec<TargetLine>,
    /// The period and place the results column is for, in words ("" without results).
    results_for: String,
    edit: Vec<TargetEdit>,
    indicators: Vec<Opt>,
    comparators: Vec<Opt>,
    tasks: Vec<TaskLine>,
    can_edit: bool,
    can_add_tasks: bool,
    v: PlanInput,
    t: TaskInput,
    partners: Vec<Opt>,
    problems: Vec<String>,
}

/// What a failed form sends back to the detail page.
#[derive(Default)]
struct Retry {
    plan: Option<PlanInput>,
    targets: Option<Vec<TargetInput>>,
    task: Option<TaskInput>,
    problems: Vec<String>,
}

async fn detail_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    plan: PlanRow,
    retry: Retry,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let today = diaban_domain::time::today_in_vietnam();
    let stored = plans::targets(&state.db, plan.id).await?;
    // Results: the plan judged for the caller's place on the statistical year of today, or
    // its final year once it ended — by the same verdict as the dashboard and reports.
    let judged = {
        use crate::indicators_ops as ind;
        let cutoff = ind::reporting(state).await?.cutoff_day;
        let (period, _) = ind::period_of(None, cutoff)?;
        let place = ind::place(state, who, None).await?;
        match ind::plan_for(state, &place, ind::PlanPick::IdOrFinal(plan.id), period, cutoff).await {
            Ok(Some(c)) => Some(ind::judge(state, c, period, None).await?),
            _ => None,
        }
    };
    let results_for = judged
        .as_ref()
        .map(|j| format!("{} — {}", j.period.label_vi(), j.territory_vi()))
        .unwrap_or_default();
    let targets = stored
        .iter()
        .map(|(_, t)| {
            let jt = judged.as_ref().and_then(|j| j.targets.iter().find(|x| x.target == *t));
            let (result, status, status_label) = match jt {
                Some(jt) => (
                    crate::pages::dashboard::shown(tr, t.indicator, jt.verdict.value),
                    crate::indicators_ops::status_class(jt.verdict.status),
                    jt.verdict.status.label_vi(),
                ),
                None => (String::new(), "", ""),
            };
            (t, result, status, status_label)
        })
        .map(|(t, result, status, status_label)| TargetLine {
            result,
            status,
            status_label,
            indicator: t.indicator.label_vi().to_owned(),
            id: t.indicator.as_str(),
            symbol: t.comparator.symbol(),
            value: fmt_number_vi(t.value),
            when: when_vi(t),
            note: t.note.clone(),
            rule: status_rule_vi(t, DEFAULT_AT_RISK_MARGIN),
        })
        .collect();
    let mut rows = retry.targets.unwrap_or_else(|| stored.iter().map(|(_, t)| TargetInput::of(t)).collect());
    rows.extend((0..2).map(|_| TargetInput::default()));
    let edit = rows
        .into_iter()
        .map(|r| TargetEdit {
            indicator: r.indicator,
            comparator: r.comparator,
            value: r.value,
            year: r.year,
            deadline: r.deadline,
            note: r.note,
        })
        .collect();
    let f = TaskFilter { plan_id: Some(plan.id), ..Default::default() };
    let tasks = plan_tasks::list(&state.db, visibility(who), &f, today).await?;
    let partners = plan_tasks::partners(&state.db, province_id(who))
        .await?
        .into_iter()
        .map(|(id, name)| Opt { value: id.to_string(), label: name })
        .collect();
    let covered = plans::covered_communes(&state.db, plan.id).await?.len();
    let mut p = ctx.page(Some(who), "plans.detail_title", "plans").await;
    p.title = format!("{} {}", tr.t("plans.plan"), plan.number);
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("nav.plans").into(), href: Some("/plans".into()) },
        Crumb { label: plan.number.clone(), href: None },
    ];
    let failed = !retry.problems.is_empty();
    let page = DetailPage {
        p,
        baseline: tr.date(&plan.baseline_on),
        issuer_code: plan.issuer_unit_code.clone().unwrap_or_default(),
        owner_code: plan.owner_unit_code.clone().unwrap_or_default(),
        covered,
        targets,
        results_for,
        edit,
        indicators: IndicatorId::ALL
            .iter()
            .map(|i| Opt { value: i.as_str().into(), label: i.label_vi().into() })
            .collect(),
        comparators: Comparator::ALL
            .iter()
            .map(|c| Opt { value: c.as_str().into(), label: c.symbol().into() })
            .collect(),
        tasks: tasks.iter().map(|t| task_line(t, tr)).collect(),
        can_edit: may_edit(who, &plan),
        can_add_tasks: who.may(Action::ManagePlans),
        v: retry.plan.unwrap_or_else(|| PlanInput::of(&plan)),
        t: retry.task.unwrap_or_default(),
        partners,
        plan: plan_line(&plan, tr),
        problems: retry.problems,
    };
    let r = render(ctx.flash_key.is_some(), &page)?;
    Ok(if failed { unprocessable(r) } else { r })
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadPlans>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let plan = visible_plan(&state, &who, id).await?;
    detail_page(&state, &who, &ctx, plan, Retry::default()).await
}

async fn update(
    State(state): State<AppState>,
    who: Authorized<ManagePlans>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<PlanInput>,
) -> Result<Response, AppError> {
    let plan = editable_plan(&state, &who, id).await?;
    match plan_input::parse_plan(&state, &input).await? {
        Ok(p) => {
            plans::update(&state.db, id, &p, Some(who.audit("plan.update", "plan", id))).await?;
            Ok(redirect_with_flash(&format!("/plans/{id}"), "plans.saved"))
        }
        Err(e) => {
            let retry = Retry { plan: Some(input), problems: problem_lines(&e), ..Default::default() };
            detail_page(&state, &who, &ctx, plan, retry).await
        }
    }
}

async fn set_targets(
    State(state): State<AppState>,
    who: Authorized<ManagePlans>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let plan = editable_plan(&state, &who, id).await?;
    let rows = plan_input::target_rows(&fields);
    match plan_input::parse_targets(&rows, &plan.plan()) {
        Ok(targets) => {
            plans::set_targets(&state.db, id, &targets, Some(who.audit("plan.targets", "plan", id))).await?;
            Ok(redirect_with_flash(&format!("/plans/{id}"), "plans.targets_saved"))
        }
        Err(e) => {
            let rows = rows.into_iter().filter(|r| !r.indicator.trim().is_empty()).collect();
            let retry = Retry { targets: Some(rows), problems: problem_lines(&e), ..Default::default() };
            detail_page(&state, &who, &ctx, plan, retry).await
        }
    }
}

async fn create_task(
    State(state): State<AppState>,
    who: Authorized<ManagePlans>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<TaskInput>,
) -> Result<Response, AppError> {
    let plan = visible_plan(&state, &who, id).await?;
    match plan_input::parse_task(&state, &who, &plan, &input).await? {
        Ok(new) => {
            let tid = plan_tasks::create(
                &state.db,
                &new,
                Some(who.user.id),
                Some(who.audit("plan_task.create", "", "")),
            )
            .await?;
            Ok(redirect_with_flash(&format!("/tasks/{tid}"), "plans.task_saved"))
        }
        Err(e) => {
            let retry = Retry { task: Some(input), problems: problem_lines(&e), ..Default::default() };
            detail_page(&state, &who, &ctx, plan, retry).await
        }
    }
}

#[derive(Template)]
#[template(path = "tasks_late.html")]
struct LatePage {
    p: super::Page,
    rows: Vec<TaskLine>,
}

async fn late(
    State(state): State<AppState>,
    who: Authorized<SuperviseTasks>,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let today = diaban_domain::time::today_in_vietnam();
    let rows = plan_tasks::late(&state.db, visibility(&who), today)
        .await?
        .iter()
        .map(|t| task_line(t, tr))
        .collect();
    let mut p = ctx.page(Some(&who), "plans.late_title", "tasks_late").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("nav.plans").into(), href: Some("/plans".into()) },
        Crumb { label: tr.t("plans.late_title").into(), href: None },
    ];
    render(ctx.flash_key.is_some(), &LatePage { p, rows })
}

/// A report, a supervision record or an escalation for templates.
pub struct Entry {
    on: String,
    what: String,
    by: String,
    text: String,
    percent: String,
}

/// An escalation linked to the task.
pub struct Linked {
    id: i64,
    title: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "task_detail.html")]
struct TaskPage {
    p: super::Page,
    t: TaskLine,
    unit: String,
    description: String,
    assigned_on: String,
    plan_id: i64,
    done: bool,
    reports: Vec<Entry>,
    supervision: Vec<Entry>,
    escalations: Vec<Linked>,
    can_report: bool,
    can_supervise: bool,
    can_manage: bool,
    can_raise: bool,
    kinds: Vec<Opt>,
    today: String,
    r: ReportInput,
    s: SupervisionInput,
    d: RaiseInput,
    problems: Vec<String>,
}

#[derive(Default)]
struct TaskRetry {
    report: Option<ReportInput>,
    supervision: Option<SupervisionInput>,
    difficulty: Option<RaiseInput>,
    problems: Vec<String>,
}

async fn task_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    retry: TaskRetry,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let t = visible_task(state, who, id).await?;
    let reports = plan_tasks::reports(&state.db, id)
        .await?
        .into_iter()
        .map(|r| Entry {
            on: tr.date(&r.on_date),
            what: String::new(),
            by: r.by_name.unwrap_or_default(),
            text: r.body,
            percent: format!("{}%", r.percent),
        })
        .collect();
    let supervision = plan_tasks::supervision(&state.db, id)
        .await?
        .into_iter()
        .map(|s| Entry {
            on: tr.date(&s.on_date),
            what: s.kind.label_vi().into(),
            by: s.by_name.unwrap_or_default(),
            text: s.body,
            percent: String::new(),
        })
        .collect();
    let escalations = plan_tasks::escalations_of(&state.db, id)
        .await?
        .into_iter()
        .map(|e| Linked { id: e.id, title: e.title, state: e.state.as_str() })
        .collect();
    let mut p = ctx.page(Some(who), "plans.task_title", "plans").await;
    p.title = format!("{} #{}: {}", tr.t("plans.task"), t.id, t.title);
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("nav.plans").into(), href: Some("/plans".into()) },
        Crumb { label: t.plan_number.clone(), href: Some(format!("/plans/{}", t.plan_id)) },
        Crumb { label: format!("#{}", t.id), href: None },
    ];
    let failed = !retry.problems.is_empty();
    let page = TaskPage {
        p,
        unit: t.unit_name.clone(),
        description: t.description.clone(),
        assigned_on: tr.date(&t.assigned_on),
        plan_id: t.plan_id,
        done: t.state == TaskState::Done,
        reports,
        supervision,
        escalations,
        can_report: who.may(Action::ReportTasks),
        can_supervise: who.may(Action::SuperviseTasks),
        can_manage: who.may(Action::ManagePlans),
        can_raise: who.may(Action::RaiseEscalations),
        kinds: SupervisionKind::ALL
            .iter()
            .map(|k| Opt { value: k.as_str().into(), label: k.label_vi().into() })
            .collect(),
        today: diaban_domain::time::today_in_vietnam().to_string(),
        r: retry.report.unwrap_or_default(),
        s: retry.supervision.unwrap_or_default(),
        d: retry.difficulty.unwrap_or_default(),
        problems: retry.problems,
        t: task_line(&t, tr),
    };
    let r = render(ctx.flash_key.is_some(), &page)?;
    Ok(if failed { unprocessable(r) } else { r })
}

async fn task(
    State(state): State<AppState>,
    who: Authorized<ReadPlans>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    task_page(&state, &who, &ctx, id, TaskRetry::default()).await
}

async fn add_report(
    State(state): State<AppState>,
    who: Authorized<ReportTasks>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<ReportInput>,
) -> Result<Response, AppError> {
    match report(&state, &who, id, &input).await? {
        Ok(_) => Ok(redirect_with_flash(&format!("/tasks/{id}"), "plans.report_saved")),
        Err(e) => {
            let retry = TaskRetry { report: Some(input), problems: problem_lines(&e), ..Default::default() };
            task_page(&state, &who, &ctx, id, retry).await
        }
    }
}

async fn supervise(
    State(state): State<AppState>,
    who: Authorized<SuperviseTasks>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<SupervisionInput>,
) -> Result<Response, AppError> {
    match supervision(&state, &who, id, &input).await? {
        Ok(_) => Ok(redirect_with_flash(&format!("/tasks/{id}"), "plans.supervision_saved")),
        Err(e) => {
            let retry =
                TaskRetry { supervision: Some(input), problems: problem_lines(&e), ..Default::default() };
            task_page(&state, &who, &ctx, id, retry).await
        }
    }
}

async fn set_state(
    State(state): State<AppState>,
    who: Authorized<ManagePlans>,
    Path(id): Path<i64>,
    Form(input): Form<StateInput>,
) -> Result<Response, AppError> {
    change_state(&state, &who, id, &input).await?;
    Ok(Redirect::to(&format!("/tasks/{id}")).into_response())
}

async fn raise(
    State(state): State<AppState>,
    who: Authorized<RaiseEscalations>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<RaiseInput>,
) -> Result<Response, AppError> {
    match difficulty(&state, &who, id, &input).await? {
        Ok(eid) => Ok(redirect_with_flash(&format!("/escalations/{eid}"), "plans.difficulty_saved")),
        Err(e) => {
            let retry =
                TaskRetry { difficulty: Some(input), problems: problem_lines(&e), ..Default::default() };
            task_page(&state, &who, &ctx, id, retry).await
        }
    }
}
