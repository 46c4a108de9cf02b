//! Tasks (nhiệm vụ) a plan assigns, and the work on them: the assignee's progress
//! reports; the provincial police's reminders (đôn đốc, each also an in-app notification
//! to the assignee), inspections and guidance; and difficulties raised on a task, which
//! become escalations (`crate::escalations`, source `plan_task`). A task is assigned to a
//! unit (a commune, or the province) that decides scope, optionally naming an agency and
//! the partner account that reports for it: a partner sees only the tasks assigned to
//! its account. Whether a task is late is the domain's rule
//! (`diaban_domain::plan::late_reason`), computed on read.

use crate::audit::{self, NewEntry};
use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::escalations::{self, Escalation, NewEscalation};
use crate::exec::IdRow;
use crate::notifications;
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::access::Role;
use diaban_domain::plan::{LateReason, PlanError, ReportingFrequency, SupervisionKind, TaskState};
use sea_query::{Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;
use std::collections::HashMap;

/// The `source_type` of escalations raised from a task.
pub const ESCALATION_SOURCE: &str = "plan_task";

/// A new task, validated by the caller (the store checks the title and dates again).
#[derive(Debug, Clone)]
pub struct NewTask {
    /// The plan.
    pub plan_id: i64,
    /// The assignee's unit: a commune, or the province for an agency.
    pub unit_id: i64,
    /// The agency or department named in the plan (empty for a commune's police).
    pub agency: String,
    /// The partner account that reports for the agency.
    pub partner_user_id: Option<i64>,
    /// Title.
    pub title: String,
    /// What is to be done.
    pub description: String,
    /// Day assigned.
    pub assigned_on: NaiveDate,
    /// Deadline.
    pub deadline: NaiveDate,
    /// How often progress is reported.
    pub frequency: ReportingFrequency,
}

/// A stored task with names for display, its last report and whether it is late.
#[derive(Debug, Clone, Serialize)]
pub struct Task {
    /// Id.
    pub id: i64,
    /// Plan id.
    pub plan_id: i64,
    /// Plan number.
    pub plan_number: String,
    /// Assignee unit id.
    pub unit_id: i64,
    /// Its code.
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// Agency named as assignee.
    pub agency: String,
    /// Partner account reporting for it.
    pub partner_user_id: Option<i64>,
    /// Its display name.
    pub partner_name: Option<String>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Day assigned.
    pub assigned_on: NaiveDate,
    /// Deadline.
    pub deadline: NaiveDate,
    /// Reporting frequency.
    pub frequency: ReportingFrequency,
    /// State.
    pub state: TaskState,
    /// Day done.
    pub done_on: Option<NaiveDate>,
    /// Day of the last progress report.
    pub last_report_on: Option<NaiveDate>,
    /// Progress in the last report.
    pub last_percent: Option<i64>,
    /// Why it is late today (None: not late).
    pub late: Option<LateReason>,
}

impl Task {
    /// Who carries it out, for display: the agency, else the unit.
    pub fn assignee(&self) -> &str {
        if self.agency.is_empty() { &self.unit_name } else { &self.agency }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    plan_id: i64,
    plan_number: String,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    agency: String,
    partner_user_id: Option<i64>,
    partner_name: Option<String>,
    title: String,
    description: String,
    assigned_on: NaiveDate,
    deadline: NaiveDate,
    frequency: String,
    state: String,
    done_on: Option<NaiveDate>,
}

fn bad(e: impl std::fmt::Display) -> DbError {
    DbError::Other(format!("bad stored value: {e}"))
}

fn invalid(e: PlanError) -> DbError {
    DbError::Invalid(e.message_vi())
}

fn select() -> SelectStatement {
    Query::select()
        .columns(
            [
                "id",
                "plan_id",
                "unit_id",
                "agency",
                "partner_user_id",
                "title",
                "description",
                "assigned_on",
                "deadline",
                "frequency",
                "state",
                "done_on",
            ]
            .map(|c| ("t", c)),
        )
        .expr_as(Expr::col(("p", "number")), "plan_number")
        .expr_as(Expr::col(("u", "code")), "unit_code")
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .expr_as(Expr::col(("a", "display_name")), "partner_name")
        .from_as("plan_tasks", "t")
        .join_as(JoinType::InnerJoin, "plans", "p", Expr::col(("p", "id")).equals(("t", "plan_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("t", "unit_id")))
        .join_as(JoinType::LeftJoin, "users", "a", Expr::col(("a", "id")).equals(("t", "partner_user_id")))
        .to_owned()
}

/// Whose tasks a caller sees: those of units in `scope`; a partner only those assigned
/// to its account.
#[derive(Debug, Clone, Copy)]
pub struct TaskVisibility {
    /// The caller's scope.
    pub scope: Scope,
    /// Only tasks assigned to this partner account.
    pub only_partner: Option<i64>,
}

impl TaskVisibility {
    fn cond(self) -> Cond {
        let mut c = self.scope.cond("u");
        if let Some(u) = self.only_partner {
            c = c.add(Expr::col(("t", "partner_user_id")).eq(u));
        }
        c
    }
}

#[derive(sqlx::FromRow)]
struct LastReport {
    task_id: i64,
    on_date: NaiveDate,
    percent: i64,
}

/// Fills in the last report and the late flag of each row.
async fn finish(db: &Db, rows: Vec<Row>, today: NaiveDate) -> Result<Vec<Task>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut last: HashMap<i64, (NaiveDate, i64)> = HashMap::new();
    for chunk in ids.chunks(500) {
        let q = Query::select()
            .columns(["task_id", "on_date", "percent"])
            .from("plan_task_reports")
            .and_where(Expr::col("task_id").is_in(chunk.iter().copied()))
            .order_by("on_date", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        let reports: Vec<LastReport> = db.exec().fetch_all(&q).await?;
        for r in reports {
            last.insert(r.task_id, (r.on_date, r.percent));
        }
    }
    rows.into_iter()
        .map(|r| {
            let frequency: ReportingFrequency = r.frequency.parse().map_err(bad)?;
            let state: TaskState = r.state.parse().map_err(bad)?;
            let l = last.get(&r.id).copied();
            let late = diaban_domain::plan::late_reason(
                state,
                r.deadline,
                frequency,
                r.assigned_on,
                l.map(|x| x.0),
                today,
            );
            Ok(Task {
                id: r.id,
                plan_id: r.plan_id,
                plan_number: r.plan_number,
                unit_id: r.unit_id,
                unit_code: r.unit_code,
                unit_name: r.unit_name,
                agency: r.agency,
                partner_user_id: r.partner_user_id,
                partner_name: r.partner_name,
                title: r.title,
                description: r.description,
                assigned_on: r.assigned_on,
                deadline: r.deadline,
                frequency,
                state,
                done_on: r.done_on,
                last_report_on: l.map(|x| x.0),
                last_percent: l.map(|x| x.1),
                late,
            })
        })
        .collect()
}

/// Creates a task with `audit_entry`, and tells the assignee (the partner account, or the
/// commune's officers) in one transaction.
#[tracing::instrument(skip_all, fields(plan = t.plan_id))]
pub async fn create(
    db: &Db,
    t: &NewTask,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<i64, DbError> {
    if t.title.trim().is_empty() {
        return Err(invalid(PlanError::NoTaskTitle));
    }
    let plan = crate::plans::get(db, t.plan_id).await?.ok_or(DbError::NotFound)?;
    if t.deadline < plan.issued_on {
        return Err(invalid(PlanError::DeadlineBeforeIssue));
    }
    diaban_domain::plan::check_task_deadline(&plan.plan(), t.deadline).map_err(invalid)?;
    let now = crate::now();
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("plan_tasks")
        .columns([
            "plan_id",
            "unit_id",
            "agency",
            "partner_user_id",
            "title",
            "description",
            "assigned_on",
            "deadline",
            "frequency",
            "state",
            "created_by",
            "created_at",
            "updated_at",
        ])
        .values_panic([
            t.plan_id.into(),
            t.unit_id.into(),
            t.agency.trim().into(),
            t.partner_user_id.into(),
            t.title.trim().into(),
            t.description.trim().into(),
            t.assigned_on.into(),
            t.deadline.into(),
            t.frequency.as_str().into(),
            TaskState::Open.as_str().into(),
            by.into(),
            now.into(),
            now.into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    let told = assignee_accounts(&mut tx, t.unit_id, t.partner_user_id).await?;
    notifications::notify_in(&mut tx, &told, "plan_task.assign", "plan_task", id).await?;
    if let Some(mut e) = audit_entry {
        e.target_type = "plan_task".into();
        e.target_id = id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct IdOnly {
    id: i64,
}

/// The accounts that answer for a task: its partner account, else the enabled commune
/// officers of its unit.
async fn assignee_accounts(tx: &mut Tx, unit_id: i64, partner: Option<i64>) -> Result<Vec<i64>, DbError> {
    if let Some(p) = partner {
        return Ok(vec![p]);
    }
    let q = Query::select()
        .column("id")
        .from("users")
        .and_where(Expr::col("role").eq(Role::CommuneOfficer.as_str()))
        .and_where(Expr::col("disabled").eq(false))
        .and_where(Expr::col("unit_id").eq(unit_id))
        .to_owned();
    let rows: Vec<IdOnly> = tx.exec().fetch_all(&q).await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// How to narrow a list of tasks.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Only this plan's tasks.
    pub plan_id: Option<i64>,
    /// Only tasks in this state.
    pub state: Option<TaskState>,
    /// Only tasks late on this day.
    pub late_on: Option<NaiveDate>,
}

/// The tasks the caller sees, late ones first, then by deadline. Lateness is judged on
/// `today`.
#[tracing::instrument(skip(db))]
pub async fn list(
    db: &Db,
    vis: TaskVisibility,
    f: &TaskFilter,
    today: NaiveDate,
) -> Result<Vec<Task>, DbError> {
    let mut q = select().cond_where(vis.cond()).to_owned();
    if let Some(p) = f.plan_id {
        q.and_where(Expr::col(("t", "plan_id")).eq(p));
    }
    if let Some(s) = f.state {
        q.and_where(Expr::col(("t", "state")).eq(s.as_str()));
    }
    if f.late_on.is_some() {
        q.and_where(Expr::col(("t", "state")).eq(TaskState::Open.as_str()));
    }
    q.order_by(("t", "deadline"), Order::Asc).order_by(("t", "id"), Order::Asc);
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    let mut v = finish(db, rows, f.late_on.unwrap_or(today)).await?;
    if f.late_on.is_some() {
        v.retain(|t| t.late.is_some());
    }
    v.sort_by_key(|t| t.late.is_none());
    Ok(v)
}

/// The open tasks late on `today` that the caller sees (the provincial police's list).
pub async fn late(db: &Db, vis: TaskVisibility, today: NaiveDate) -> Result<Vec<Task>, DbError> {
    list(db, vis, &TaskFilter { late_on: Some(today), ..Default::default() }, today).await
}

/// One task the caller sees; None when missing or not visible (answered alike).
pub async fn get(db: &Db, id: i64, vis: TaskVisibility, today: NaiveDate) -> Result<Option<Task>, DbError> {
    let q = select().and_where(Expr::col(("t", "id")).eq(id)).cond_where(vis.cond()).to_owned();
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    Ok(finish(db, rows, today).await?.into_iter().next())
}

/// Marks a task done on `on` or reopens it, with `audit_entry`.
#[tracing::instrument(skip_all, fields(task = id))]
pub async fn set_state(
    db: &Db,
    id: i64,
    state: TaskState,
    on: NaiveDate,
    audit_entry: Option<NewEntry>,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let done_on: Option<NaiveDate> = (state == TaskState::Done).then_some(on);
    let q = Query::update()
        .table("plan_tasks")
        .values([
            ("state", state.as_str().into()),
            ("done_on", done_on.into()),
            ("updated_at", crate::now().into()),
        ])
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    if tx.exec().execute(&q).await? != 1 {
        return Err(DbError::NotFound);
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "plan_task".into();
        e.target_id = id.to_string();
        e.reason = state.as_str().into();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A progress report.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Report {
    /// Id.
    pub id: i64,
    /// Day of the report.
    pub on_date: NaiveDate,
    /// Progress, 0–100.
    pub percent: i64,
    /// What was done.
    pub body: String,
    /// Reporting account.
    pub by_user_id: Option<i64>,
    /// Its display name.
    pub by_name: Option<String>,
    /// When recorded.
    pub created_at: DateTime<Utc>,
}

/// Records a progress report on a task (checked with
/// `diaban_domain::plan::validate_report` against `today`), with `audit_entry`.
#[tracing::instrument(skip_all, fields(task = task_id))]
#[allow(clippy::too_many_arguments)]
pub async fn add_report(
    db: &Db,
    task_id: i64,
    on: NaiveDate,
    percent: i64,
    body: &str,
    today: NaiveDate,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<i64, DbError> {
    diaban_domain::plan::validate_report(on, percent, body, today).map_err(invalid)?;
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("plan_task_reports")
        .columns(["task_id", "on_date", "percent", "body", "by_user_id", "created_at"])
        .values_panic([
            task_id.into(),
            on.into(),
            percent.into(),
            body.trim().into(),
            by.into(),
            crate::now().into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    let touch = Query::update()
        .table("plan_tasks")
        .values([("updated_at", crate::now().into())])
        .and_where(Expr::col("id").eq(task_id))
        .to_owned();
    tx.exec().execute(&touch).await?;
    if let Some(mut e) = audit_entry {
        e.target_type = "plan_task".into();
        e.target_id = task_id.to_string();
        e.reason = format!("{percent}%");
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// A task's progress reports, newest first.
pub async fn reports(db: &Db, task_id: i64) -> Result<Vec<Report>, DbError> {
    let q = Query::select()
        .columns(["id", "on_date", "percent", "body", "by_user_id", "created_at"].map(|c| ("r", c)))
        .expr_as(Expr::col(("b", "display_name")), "by_name")
        .from_as("plan_task_reports", "r")
        .join_as(JoinType::LeftJoin, "users", "b", Expr::col(("b", "id")).equals(("r", "by_user_id")))
        .and_where(Expr::col(("r", "task_id")).eq(task_id))
        .order_by(("r", "on_date"), Order::Desc)
        .order_by(("r", "id"), Order::Desc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// A reminder, an inspection or guidance recorded by the provincial police.
#[derive(Debug, Clone, Serialize)]
pub struct Supervision {
    /// Id.
    pub id: i64,
    /// Reminder, inspection or guidance.
    pub kind: SupervisionKind,
    /// Day.
    pub on_date: NaiveDate,
    /// The reminder's text, or the findings.
    pub body: String,
    /// By whom.
    pub by_user_id: Option<i64>,
    /// Their display name.
    pub by_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SupervisionRow {
    id: i64,
    kind: String,
    on_date: NaiveDate,
    body: String,
    by_user_id: Option<i64>,
    by_name: Option<String>,
}

/// Records a reminder, an inspection or guidance on a task, with `audit_entry`. A
/// reminder also notifies the assignee's accounts (in the same transaction).
#[tracing::instrument(skip_all, fields(task = task_id))]
#[allow(clippy::too_many_arguments)]
pub async fn supervise(
    db: &Db,
    task_id: i64,
    kind: SupervisionKind,
    on: NaiveDate,
    body: &str,
    today: NaiveDate,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<i64, DbError> {
    if body.trim().is_empty() {
        return Err(invalid(PlanError::NoText));
    }
    if on > today {
        return Err(invalid(PlanError::FutureReport));
    }
    #[derive(sqlx::FromRow)]
    struct Assignee {
        unit_id: i64,
        partner_user_id: Option<i64>,
    }
    let mut tx = db.begin().await?;
    let q = Query::select()
        .columns(["unit_id", "partner_user_id"])
        .from("plan_tasks")
        .and_where(Expr::col("id").eq(task_id))
        .to_owned();
    let a: Assignee = tx.exec().fetch_optional(&q).await?.ok_or(DbError::NotFound)?;
    let q = Query::insert()
        .into_table("plan_task_supervision")
        .columns(["task_id", "kind", "on_date", "body", "by_user_id", "created_at"])
        .values_panic([
            task_id.into(),
            kind.as_str().into(),
            on.into(),
            body.trim().into(),
            by.into(),
            crate::now().into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    if kind == SupervisionKind::Reminder {
        let told = assignee_accounts(&mut tx, a.unit_id, a.partner_user_id).await?;
        notifications::notify_in(&mut tx, &told, "plan_task.reminder", "plan_task", task_id).await?;
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "plan_task".into();
        e.target_id = task_id.to_string();
        e.reason = kind.as_str().into();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// A task's reminders, inspections and guidance, newest first.
pub async fn supervision(db: &Db, task_id: i64) -> Result<Vec<Supervision>, DbError> {
    let q = Query::select()
        .columns(["id", "kind", "on_date", "body", "by_user_id"].map(|c| ("s", c)))
        .expr_as(Expr::col(("b", "display_name")), "by_name")
        .from_as("plan_task_supervision", "s")
        .join_as(JoinType::LeftJoin, "users", "b", Expr::col(("b", "id")).equals(("s", "by_user_id")))
        .and_where(Expr::col(("s", "task_id")).eq(task_id))
        .order_by(("s", "on_date"), Order::Desc)
        .order_by(("s", "id"), Order::Desc)
        .to_owned();
    let rows: Vec<SupervisionRow> = db.exec().fetch_all(&q).await?;
    rows.into_iter()
        .map(|r| {
            Ok(Supervision {
                id: r.id,
                kind: r.kind.parse().map_err(bad)?,
                on_date: r.on_date,
                body: r.body,
                by_user_id: r.by_user_id,
                by_name: r.by_name,
            })
        })
        .collect()
}

/// Raises a difficulty met on `task` as an escalation to the provincial police (source
/// `plan_task`, the task's id; unit: the task's), through [`escalations::raise`].
#[tracing::instrument(skip_all, fields(task = task.id))]
#[allow(clippy::too_many_arguments)]
pub async fn raise_difficulty(
    db: &Db,
    task: &Task,
    title: &str,
    body: &str,
    on: NaiveDate,
    response_days: u32,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<i64, DbError> {
    let e = NewEscalation {
        source_type: ESCALATION_SOURCE.into(),
        source_ref: task.id.to_string(),
        unit_id: task.unit_id,
        title: title.into(),
        body: body.into(),
        on,
        response_days,
    };
    escalations::raise(db, &e, by, audit_entry).await
}

/// The escalations raised from a task, oldest first.
pub async fn escalations_of(db: &Db, task_id: i64) -> Result<Vec<Escalation>, DbError> {
    escalations::by_source(db, ESCALATION_SOURCE, &task_id.to_string()).await
}

/// The enabled partner accounts of a current province (id, display name), to name as
/// the reporting account of an agency's task.
pub async fn partners(db: &Db, province_id: i64) -> Result<Vec<(i64, String)>, DbError> {
    #[derive(sqlx::FromRow)]
    struct P {
        id: i64,
        display_name: String,
    }
    let q = Query::select()
        .columns([("a", "id"), ("a", "display_name")])
        .from_as("users", "a")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("a", "unit_id")))
        .and_where(Expr::col(("a", "role")).eq(Role::Partner.as_str()))
        .and_where(Expr::col(("a", "disabled")).eq(false))
        .and_where(Expr::col(("u", "scope_province_id")).eq(province_id))
        .order_by(("a", "display_name"), Order::Asc)
        .to_owned();
    let rows: Vec<P> = db.exec().fetch_all(&q).await?;
    Ok(rows.into_iter().map(|p| (p.id, p.display_name)).collect())
}
