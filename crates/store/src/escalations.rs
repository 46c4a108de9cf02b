//! Escalations (kiến nghị, khó khăn vướng mắc) and their steps. Which step is allowed is
//! decided by `diaban_domain::escalation`; this module stores each step with who took it,
//! the assignee and the deadline, keeps the current state beside the history, notifies
//! whoever now owes an answer, and writes the audit entry — all in one transaction.
//!
//! Another module raises an escalation with [`raise`], naming its source
//! (`source_type`, `source_ref`: e.g. `plan_task`, `42`), and finds it again with
//! [`by_source`].

use crate::audit::{self, NewEntry};
use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::exec::IdRow;
use crate::notifications;
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::access::Role;
use diaban_domain::escalation::{
    EscalationState, EscalationStep, Level, StepError, deadline, is_overdue, step as next_state,
};
use sea_query::{Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;

/// A new escalation, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewEscalation {
    /// Where it comes from: `manual` (the form), or another module's name.
    pub source_type: String,
    /// The source's reference within it (e.g. a plan task id); empty for `manual`.
    pub source_ref: String,
    /// The raising unit: the commune, or the agency's province.
    pub unit_id: i64,
    /// A short title.
    pub title: String,
    /// The difficulty and what is asked.
    pub body: String,
    /// The day it is raised.
    pub on: NaiveDate,
    /// Days the police have to answer (parameter `escalation_response_days`).
    pub response_days: u32,
}

/// A stored escalation, with names for display.
#[derive(Debug, Clone, Serialize)]
pub struct Escalation {
    /// Id.
    pub id: i64,
    /// Source kind.
    pub source_type: String,
    /// Source reference.
    pub source_ref: String,
    /// Raising unit id.
    pub unit_id: i64,
    /// Its code.
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// Raising account.
    pub raised_by: Option<i64>,
    /// Its display name.
    pub raised_by_name: Option<String>,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Current state.
    pub state: EscalationState,
    /// Who must answer now.
    pub assignee_id: Option<i64>,
    /// Their display name.
    pub assignee_name: Option<String>,
    /// The answer is owed by this day.
    pub due_on: Option<NaiveDate>,
    /// The decision, once decided.
    pub decision: String,
    /// Raised at.
    pub created_at: DateTime<Utc>,
    /// Last step at.
    pub updated_at: DateTime<Utc>,
    /// Whether the answer is late today (computed).
    pub overdue: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    source_type: String,
    source_ref: String,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    raised_by: Option<i64>,
    raised_by_name: Option<String>,
    title: String,
    body: String,
    state: String,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    due_on: Option<NaiveDate>,
    decision: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn bad(e: impl std::fmt::Display) -> DbError {
    DbError::Other(format!("bad stored value: {e}"))
}

impl TryFrom<Row> for Escalation {
    type Error = DbError;
    fn try_from(r: Row) -> Result<Self, DbError> {
        let state: EscalationState = r.state.parse().map_err(bad)?;
        let today = diaban_domain::time::today_in_vietnam();
        Ok(Escalation {
            id: r.id,
            source_type: r.source_type,
            source_ref: r.source_ref,
            unit_id: r.unit_id,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            raised_by: r.raised_by,
            raised_by_name: r.raised_by_name,
            title: r.title,
            body: r.body,
            state,
            assignee_id: r.assignee_id,
            assignee_name: r.assignee_name,
            due_on: r.due_on,
            decision: r.decision,
            created_at: r.created_at,
            updated_at: r.updated_at,
            overdue: is_overdue(state, r.due_on, today),
        })
    }
}

fn select() -> SelectStatement {
    Query::select()
        .columns(
            [
                "id",
                "source_type",
                "source_ref",
                "unit_id",
                "raised_by",
                "title",
                "body",
                "state",
                "assignee_id",
                "due_on",
                "decision",
                "created_at",
                "updated_at",
            ]
            .map(|c| ("e", c)),
        )
        .expr_as(Expr::col(("u", "code")), "unit_code")
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .expr_as(Expr::col(("r", "display_name")), "raised_by_name")
        .expr_as(Expr::col(("a", "display_name")), "assignee_name")
        .from_as("escalations", "e")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("e", "unit_id")))
        .join_as(JoinType::LeftJoin, "users", "r", Expr::col(("r", "id")).equals(("e", "raised_by")))
        .join_as(JoinType::LeftJoin, "users", "a", Expr::col(("a", "id")).equals(("e", "assignee_id")))
        .to_owned()
}

/// Whose escalations a caller sees: those of units in `scope`, and for a partner only
/// the ones its account raised.
#[derive(Debug, Clone, Copy)]
pub struct Visibility {
    /// The caller's scope.
    pub scope: Scope,
    /// Only escalations raised by this account (partners).
    pub only_raised_by: Option<i64>,
}

impl Visibility {
    fn cond(self) -> Cond {
        let mut c = self.scope.cond("u");
        if let Some(u) = self.only_raised_by {
            c = c.add(Expr::col(("e", "raised_by")).eq(u));
        }
        c
    }
}

#[derive(sqlx::FromRow)]
struct ProvinceRow {
    scope_province_id: Option<i64>,
}

async fn province_of(tx: &mut Tx, unit_id: i64) -> Result<i64, DbError> {
    let q = Query::select()
        .column("scope_province_id")
        .from("units")
        .and_where(Expr::col("id").eq(unit_id))
        .to_owned();
    let r: ProvinceRow = tx.exec().fetch_one(&q).await?;
    r.scope_province_id.ok_or_else(|| DbError::Invalid("the unit belongs to no current province".into()))
}

#[allow(clippy::too_many_arguments)]
async fn insert_step(
    tx: &mut Tx,
    id: i64,
    step: EscalationStep,
    from: Option<EscalationState>,
    to: EscalationState,
    by: Option<i64>,
    assignee: Option<i64>,
    due_on: Option<NaiveDate>,
    note: &str,
) -> Result<(), DbError> {
    let q = Query::insert()
        .into_table("escalation_steps")
        .columns([
            "escalation_id",
            "step",
            "from_state",
            "to_state",
            "by_user_id",
            "assignee_id",
            "due_on",
            "note",
            "at",
        ])
        .values_panic([
            id.into(),
            step.as_str().into(),
            from.map(|s| s.as_str().to_owned()).into(),
            to.as_str().into(),
            by.into(),
            assignee.into(),
            due_on.into(),
            note.trim().into(),
            crate::now().into(),
        ])
        .to_owned();
    tx.exec().execute(&q).await?;
    Ok(())
}

/// Raises an escalation to the provincial police: stores it and its first step,
/// notifies the province's PC04 officers, and writes `audit_entry` (its target set to the
/// new escalation), in one transaction. This is the one function other modules call.
#[tracing::instrument(skip_all)]
pub async fn raise(
    db: &Db,
    e: &NewEscalation,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<i64, DbError> {
    if e.title.trim().is_empty() || e.body.trim().is_empty() {
        return Err(DbError::Invalid("an escalation needs a title and a description".into()));
    }
    let state = EscalationState::AtPolice;
    let due = deadline(EscalationStep::Raise, e.on, e.response_days, None);
    let now = crate::now();
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("escalations")
        .columns([
            "source_type",
            "source_ref",
            "unit_id",
            "raised_by",
            "title",
            "body",
            "state",
            "due_on",
            "created_at",
            "updated_at",
        ])
        .values_panic([
            e.source_type.trim().into(),
            e.source_ref.trim().into(),
            e.unit_id.into(),
            by.into(),
            e.title.trim().into(),
            e.body.trim().into(),
            state.as_str().into(),
            due.into(),
            now.into(),
            now.into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    insert_step(&mut tx, id, EscalationStep::Raise, None, state, by, None, due, &e.body).await?;
    let province = province_of(&mut tx, e.unit_id).await?;
    let police = notifications::accounts_with_role(&mut tx, Role::ProvinceOfficer, province).await?;
    notifications::notify_in(&mut tx, &police, "escalation.raise", "escalation", id).await?;
    if let Some(mut a) = audit_entry {
        a.target_type = "escalation".into();
        a.target_id = id.to_string();
        audit::append_in(&mut tx, &a).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The escalations raised from one source (e.g. a plan task), oldest first.
pub async fn by_source(db: &Db, source_type: &str, source_ref: &str) -> Result<Vec<Escalation>, DbError> {
    let q = select()
        .and_where(Expr::col(("e", "source_type")).eq(source_type))
        .and_where(Expr::col(("e", "source_ref")).eq(source_ref))
        .order_by(("e", "id"), Order::Asc)
        .to_owned();
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    rows.into_iter().map(Escalation::try_from).collect()
}

/// How to narrow a list.
#[derive(Debug, Clone, Default)]
pub struct EscalationFilter {
    /// Only this state.
    pub state: Option<EscalationState>,
    /// Only pending ones whose deadline passed before this day.
    pub overdue_on: Option<NaiveDate>,
    /// Page size (0: all).
    pub limit: u64,
}

/// The escalations the caller sees, overdue first, then by deadline and newest.
#[tracing::instrument(skip(db))]
pub async fn list(db: &Db, vis: Visibility, f: &EscalationFilter) -> Result<Vec<Escalation>, DbError> {
    let mut q = select().cond_where(vis.cond()).to_owned();
    if let Some(s) = f.state {
        q.and_where(Expr::col(("e", "state")).eq(s.as_str()));
    }
    if let Some(d) = f.overdue_on {
        q.and_where(Expr::col(("e", "state")).is_in(["at_police", "at_committee"]));
        q.and_where(Expr::col(("e", "due_on")).lt(d));
    }
    q.order_by(("e", "updated_at"), Order::Desc).order_by(("e", "id"), Order::Desc);
    if f.limit > 0 {
        q.limit(f.limit);
    }
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    let mut v = rows.into_iter().map(Escalation::try_from).collect::<Result<Vec<_>, _>>()?;
    // Late ones first: they are what needs doing.
    v.sort_by_key(|e| (!e.overdue, !e.state.is_pending()));
    Ok(v)
}

/// One escalation the caller sees; None when missing or not visible (answered alike).
pub async fn get(db: &Db, id: i64, vis: Visibility) -> Result<Option<Escalation>, DbError> {
    let q = select().and_where(Expr::col(("e", "id")).eq(id)).cond_where(vis.cond()).to_owned();
    let row: Option<Row> = db.exec().fetch_optional(&q).await?;
    row.map(Escalation::try_from).transpose()
}

/// A step in an escalation's history.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StepRecord {
    /// Id.
    pub id: i64,
    /// The step (stored form).
    pub step: String,
    /// From.
    pub from_state: Option<String>,
    /// To.
    pub to_state: String,
    /// By whom.
    pub by_user_id: Option<i64>,
    /// Their display name.
    pub by_name: Option<String>,
    /// The assignee after the step.
    pub assignee_id: Option<i64>,
    /// Their display name.
    pub assignee_name: Option<String>,
    /// The deadline after the step.
    pub due_on: Option<NaiveDate>,
    /// Decision, reasons, summary.
    pub note: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The steps of an escalation (the caller has checked it is visible), oldest first.
pub async fn history(db: &Db, id: i64) -> Result<Vec<StepRecord>, DbError> {
    let q = Query::select()
        .columns(
            ["id", "step", "from_state", "to_state", "by_user_id", "assignee_id", "due_on", "note", "at"]
                .map(|c| ("s", c)),
        )
        .expr_as(Expr::col(("b", "display_name")), "by_name")
        .expr_as(Expr::col(("a", "display_name")), "assignee_name")
        .from_as("escalation_steps", "s")
        .join_as(JoinType::LeftJoin, "users", "b", Expr::col(("b", "id")).equals(("s", "by_user_id")))
        .join_as(JoinType::LeftJoin, "users", "a", Expr::col(("a", "id")).equals(("s", "assignee_id")))
        .and_where(Expr::col(("s", "escalation_id")).eq(id))
        .order_by(("s", "id"), Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// A step to take.
#[derive(Debug, Clone)]
pub struct StepRequest {
    /// Which step.
    pub step: EscalationStep,
    /// The level the actor speaks for.
    pub level: Level,
    /// Decision, reasons or summary.
    pub note: String,
    /// The account to assign (for `assign`).
    pub assignee_id: Option<i64>,
    /// The day of the step.
    pub on: NaiveDate,
    /// Days to answer, for a step that starts a new deadline.
    pub response_days: u32,
}

/// Why a step was not taken. Nothing is written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum StepFailure {
    /// No such escalation visible to the caller.
    #[error("no such escalation")]
    NotFound,
    /// The state machine refuses it (the message names the allowed steps).
    #[error(transparent)]
    Refused(StepError),
    /// The assignee is not an active account of the level that must answer.
    #[error("the assignee must be an active {0} of the province")]
    BadAssignee(&'static str),
    /// Someone else took a step meanwhile.
    #[error("someone else answered this escalation meanwhile; reload and try again")]
    Concurrent,
    /// Database.
    #[error(transparent)]
    Db(#[from] DbError),
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    role: String,
    disabled: bool,
    scope_province_id: Option<i64>,
}

/// Takes a step on an escalation the caller sees (`vis`): checks it with the domain's
/// state machine, stores it with its deadline and assignee, notifies whoever must act
/// next, and writes `audit_entry`, in one transaction.
#[tracing::instrument(skip_all, fields(escalation = id))]
pub async fn take_step(
    db: &Db,
    id: i64,
    vis: Visibility,
    req: &StepRequest,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<Escalation, StepFailure> {
    let current = get(db, id, vis).await?.ok_or(StepFailure::NotFound)?;
    let to = next_state(current.state, req.step, req.level, &req.note, req.assignee_id.is_some())
        .map_err(StepFailure::Refused)?;
    let mut tx = db.begin().await?;
    let province = province_of(&mut tx, current.unit_id).await?;
    // Who answers next, and who is told.
    let assignee = match req.step {
        EscalationStep::Assign => {
            let want = if req.level == Level::Committee { Role::Leader } else { Role::ProvinceOfficer };
            let a = req.assignee_id.ok_or(StepFailure::Refused(StepError::AssigneeRequired))?;
            let q = Query::select()
                .columns([("a", "role"), ("a", "disabled")])
                .column(("u", "scope_province_id"))
                .from_as("users", "a")
                .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("a", "unit_id")))
                .and_where(Expr::col(("a", "id")).eq(a))
                .to_owned();
            let row: Option<AccountRow> = tx.exec().fetch_optional(&q).await?;
            let fits = row.is_some_and(|r| {
                r.role == want.as_str() && !r.disabled && r.scope_province_id == Some(province)
            });
            if !fits {
                return Err(StepFailure::BadAssignee(if want == Role::Leader {
                    "leader"
                } else {
                    "provincial police officer"
                }));
            }
            Some(a)
        }
        // The same person keeps it until it moves to someone new.
        _ if to == current.state => current.assignee_id,
        _ => None,
    };
    let due =
        if to.is_pending() { deadline(req.step, req.on, req.response_days, current.due_on) } else { None };
    let mut values = vec![
        ("state", to.as_str().into()),
        ("assignee_id", assignee.into()),
        ("due_on", due.into()),
        ("updated_at", crate::now().into()),
    ];
    if req.step == EscalationStep::Decide {
        values.push(("decision", req.note.trim().into()));
    }
    let q = Query::update()
        .table("escalations")
        .values(values)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("updated_at").eq(current.updated_at))
        .to_owned();
    if tx.exec().execute(&q).await? != 1 {
        return Err(StepFailure::Concurrent);
    }
    insert_step(&mut tx, id, req.step, Some(current.state), to, by, assignee, due, &req.note).await?;
    let told: Vec<i64> = match (req.step, to) {
        (EscalationStep::Assign, _) => assignee.into_iter().collect(),
        (EscalationStep::Forward, _) => {
            notifications::accounts_with_role(&mut tx, Role::Leader, province).await?
        }
        (EscalationStep::Return, EscalationState::AtPolice) | (EscalationStep::Resubmit, _) => {
            notifications::accounts_with_role(&mut tx, Role::ProvinceOfficer, province).await?
        }
        (EscalationStep::Decide | EscalationStep::Return, _) => {
            current.raised_by.into_iter().chain(current.assignee_id).collect()
        }
        _ => vec![],
    };
    let told: Vec<i64> = told.into_iter().filter(|u| Some(*u) != by).collect();
    let kind = format!("escalation.{}", req.step.as_str());
    notifications::notify_in(&mut tx, &told, &kind, "escalation", id).await?;
    if let Some(mut a) = audit_entry {
        a.target_type = "escalation".into();
        a.target_id = id.to_string();
        a.reason = format!("{} -> {}", current.state.as_str(), to.as_str());
        audit::append_in(&mut tx, &a).await?;
    }
    tx.commit().await?;
    get(db, id, Visibility { scope: vis.scope, only_raised_by: None }).await?.ok_or(StepFailure::NotFound)
}

/// The accounts an escalation at `level` may be assigned to in the province of `scope`
/// (id and display name).
pub async fn assignable(db: &Db, level: Level, province_id: i64) -> Result<Vec<(i64, String)>, DbError> {
    #[derive(sqlx::FromRow)]
    struct A {
        id: i64,
        display_name: String,
    }
    let role = if level == Level::Committee { Role::Leader } else { Role::ProvinceOfficer };
    let q = Query::select()
        .columns([("a", "id"), ("a", "display_name")])
        .from_as("users", "a")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("a", "unit_id")))
        .and_where(Expr::col(("a", "role")).eq(role.as_str()))
        .and_where(Expr::col(("a", "disabled")).eq(false))
        .and_where(Expr::col(("u", "scope_province_id")).eq(province_id))
        .order_by(("a", "display_name"), Order::Asc)
        .to_owned();
    let rows: Vec<A> = db.exec().fetch_all(&q).await?;
    Ok(rows.into_iter().map(|a| (a.id, a.display_name)).collect())
}
