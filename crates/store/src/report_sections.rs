//! The registry sections of a periodic report (`diaban_domain::report::sections`): for a
//! scope and a period, what the registries hold on the plan's lines of work — the plan's
//! tasks as they stood at the period's end, the escalation steps taken in it, seizures
//! by drug and unit, inspections of conditional businesses, communes by class and
//! propaganda by venue. Narrow rows are read in one query each and summed in Rust, so
//! both engines give the same figures. Aggregates only: no query here reads a person.
//! Persons by the QĐ 127 breakdowns come from `crate::person_stats` (the persons
//! statistics' own definition) and breaches from `crate::data_breaches`.

use crate::db::Db;
use crate::error::DbError;
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::business::BusinessLine;
use diaban_domain::classification::{CommuneClass, CriteriaVersion};
use diaban_domain::escalation::EscalationState;
use diaban_domain::plan::{ReportingFrequency, SupervisionKind, TaskState, late_reason};
use diaban_domain::propaganda::VenueType;
use diaban_domain::report::sections::{
    BusinessFigure, ClassLine, ClassificationFigures, EscalationFigures, SeizureFigure, TaskFigure,
    VenueFigure,
};
use diaban_domain::seizures::{Drug, QuantityUnit};
use sea_query::{Expr, ExprTrait, JoinType, Order, Query};
use std::collections::{BTreeMap, BTreeSet, HashMap};

fn bad(e: impl std::fmt::Display) -> DbError {
    DbError::Other(format!("bad stored value: {e}"))
}

/// The first instant of a day in Vietnam (UTC+07:00, no daylight saving).
pub fn vietnam_day_start(d: NaiveDate) -> DateTime<Utc> {
    let local = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    (local - chrono::Duration::hours(7)).and_utc()
}

/// The plan's tasks assigned to units of `scope` by `as_of`, each as it stood on
/// `as_of` (its last progress report on or before it, done or not, late or not by
/// `diaban_domain::plan::late_reason`), with the reminders and inspections recorded on it
/// from `from` to `to`. In the order of their deadlines.
#[tracing::instrument(skip(db))]
pub async fn tasks(
    db: &Db,
    plan_id: i64,
    scope: Scope,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
) -> Result<Vec<TaskFigure>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        unit_name: String,
        agency: String,
        title: String,
        assigned_on: NaiveDate,
        deadline: NaiveDate,
        frequency: String,
        state: String,
        done_on: Option<NaiveDate>,
    }
    let q = Query::select()
        .columns(
            ["id", "agency", "title", "assigned_on", "deadline", "frequency", "state", "done_on"]
                .map(|c| ("t", c)),
        )
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .from_as("plan_tasks", "t")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("t", "unit_id")))
        .and_where(Expr::col(("t", "plan_id")).eq(plan_id))
        .and_where(Expr::col(("t", "assigned_on")).lte(as_of))
        .cond_where(scope.cond("u"))
        .order_by(("t", "deadline"), Order::Asc)
        .order_by(("t", "id"), Order::Asc)
        .to_owned();
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    #[derive(sqlx::FromRow)]
    struct Progress {
        task_id: i64,
        on_date: NaiveDate,
        percent: i64,
    }
    #[derive(sqlx::FromRow)]
    struct Supervised {
        task_id: i64,
        kind: String,
    }
    let mut last: HashMap<i64, (NaiveDate, i64)> = HashMap::new();
    let mut supervised: HashMap<(i64, SupervisionKind), i64> = HashMap::new();
    for chunk in ids.chunks(500) {
        let q = Query::select()
            .columns(["task_id", "on_date", "percent"])
            .from("plan_task_reports")
            .and_where(Expr::col("task_id").is_in(chunk.iter().copied()))
            .and_where(Expr::col("on_date").lte(as_of))
            .order_by("on_date", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        for r in db.exec().fetch_all::<Progress, _>(&q).await? {
            last.insert(r.task_id, (r.on_date, r.percent));
        }
        let q = Query::select()
            .columns(["task_id", "kind"])
            .from("plan_task_supervision")
            .and_where(Expr::col("task_id").is_in(chunk.iter().copied()))
            .and_where(Expr::col("on_date").gte(from))
            .and_where(Expr::col("on_date").lte(to))
            .to_owned();
        for r in db.exec().fetch_all::<Supervised, _>(&q).await? {
            let kind: SupervisionKind = r.kind.parse().map_err(bad)?;
            *supervised.entry((r.task_id, kind)).or_default() += 1;
        }
    }
    rows.into_iter()
        .map(|r| {
            let frequency: ReportingFrequency = r.frequency.parse().map_err(bad)?;
            let stored: TaskState = r.state.parse().map_err(bad)?;
            // Done by the day looked at: a task done later was still open then.
            let done = stored == TaskState::Done && r.done_on.is_none_or(|d| d <= as_of);
            let state = if done { TaskState::Done } else { TaskState::Open };
            let l = last.get(&r.id).copied();
            let late = late_reason(state, r.deadline, frequency, r.assigned_on, l.map(|x| x.0), as_of);
            let n = |k| supervised.get(&(r.id, k)).copied().unwrap_or(0);
            Ok(TaskFigure {
                assignee: if r.agency.is_empty() { r.unit_name } else { r.agency },
                title: r.title,
                percent: l.map(|x| x.1),
                done,
                late,
                reminders: n(SupervisionKind::Reminder),
                inspections: n(SupervisionKind::Inspection),
            })
        })
        .collect()
}

/// The escalations of units in `scope`: the steps taken from `from` to `to` (Vietnam
/// days), and where each raised by `to` stood at its end.
#[tracing::instrument(skip(db))]
pub async fn escalations(
    db: &Db,
    scope: Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<EscalationFigures, DbError> {
    #[derive(sqlx::FromRow)]
    struct Step {
        escalation_id: i64,
        source_type: String,
        step: String,
        from_state: Option<String>,
        to_state: String,
        due_on: Option<NaiveDate>,
        at: DateTime<Utc>,
    }
    let start = vietnam_day_start(from);
    let end = vietnam_day_start(to.succ_opt().unwrap_or(to));
    let q = Query::select()
        .columns(["escalation_id", "step", "from_state", "to_state", "due_on", "at"].map(|c| ("s", c)))
        .column(("e", "source_type"))
        .from_as("escalation_steps", "s")
        .join_as(
            JoinType::InnerJoin,
            "escalations",
            "e",
            Expr::col(("e", "id")).equals(("s", "escalation_id")),
        )
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("e", "unit_id")))
        .cond_where(scope.cond("u"))
        .and_where(Expr::col(("s", "at")).lt(end))
        .order_by(("s", "escalation_id"), Order::Asc)
        .order_by(("s", "id"), Order::Asc)
        .to_owned();
    let steps: Vec<Step> = db.exec().fetch_all(&q).await?;
    let mut f = EscalationFigures::default();
    // The state and the answer's due day after each escalation's last step by the end.
    let mut at_end: BTreeMap<i64, (EscalationState, Option<NaiveDate>)> = BTreeMap::new();
    for s in steps {
        let to_state: EscalationState = s.to_state.parse().map_err(bad)?;
        at_end.insert(s.escalation_id, (to_state, s.due_on));
        if s.at < start {
            continue;
        }
        match s.step.as_str() {
            "raise" => {
                f.raised += 1;
                if s.source_type == crate::plan_tasks::ESCALATION_SOURCE {
                    f.raised_from_tasks += 1;
                }
            }
            "forward" => f.forwarded += 1,
            "decide" if s.from_state.as_deref() == Some("at_committee") => f.decided_by_committee += 1,
            "decide" => f.decided_by_police += 1,
            "return" => f.returned += 1,
            _ => {}
        }
    }
    for (state, due) in at_end.values() {
        if matches!(state, EscalationState::AtPolice | EscalationState::AtCommittee) {
            f.open_at_end += 1;
            if due.is_some_and(|d| d < to) {
                f.overdue_at_end += 1;
            }
        }
    }
    Ok(f)
}

/// What was seized in cases of `scope` that occurred from `from` to `to`: the sum of each
/// (drug, unit) as recorded and the cases with such a line, in the drugs' and units'
/// display order. Units are never converted into one another.
#[tracing::instrument(skip(db))]
pub async fn seizures(
    db: &Db,
    scope: Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SeizureFigure>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        case_id: i64,
        drug: String,
        unit: String,
        quantity: f64,
    }
    let q = Query::select()
        .columns([("s", "case_id"), ("s", "drug"), ("s", "unit"), ("s", "quantity")])
        .from_as("case_seizures", "s")
        .join_as(JoinType::InnerJoin, "cases", "c", Expr::col(("c", "id")).equals(("s", "case_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("c", "unit_id")))
        .cond_where(scope.cond("u"))
        .and_where(Expr::col(("c", "occurred_on")).gte(from))
        .and_where(Expr::col(("c", "occurred_on")).lte(to))
        .order_by(("s", "id"), Order::Asc)
        .to_owned();
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    let mut by: BTreeMap<(Drug, QuantityUnit), (f64, BTreeSet<i64>)> = BTreeMap::new();
    for r in rows {
        let key = (r.drug.parse().map_err(bad)?, r.unit.parse().map_err(bad)?);
        let e = by.entry(key).or_default();
        e.0 += r.quantity;
        e.1.insert(r.case_id);
    }
    Ok(by
        .into_iter()
        .map(|((drug, unit), (quantity, cases))| SeizureFigure {
            drug,
            unit,
            quantity,
            cases: cases.len() as i64,
        })
        .collect())
}

/// Inspections of conditional businesses of `scope` from `from` to `to`, per line of
/// business (lines without any are left out).
#[tracing::instrument(skip(db))]
pub async fn businesses(
    db: &Db,
    scope: Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<BusinessFigure>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        business_id: i64,
        line: String,
        kind: String,
        violation_found: bool,
    }
    let q = Query::select()
        .columns([("i", "business_id"), ("i", "kind"), ("i", "violation_found")])
        .column(("b", "line"))
        .from_as("business_inspections", "i")
        .join_as(JoinType::InnerJoin, "businesses", "b", Expr::col(("b", "id")).equals(("i", "business_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("b", "unit_id")))
        .cond_where(scope.cond("u"))
        .and_where(Expr::col(("i", "on_date")).gte(from))
        .and_where(Expr::col(("i", "on_date")).lte(to))
        .to_owned();
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    #[derive(Default)]
    struct Acc {
        inspected: BTreeSet<i64>,
        violating: BTreeSet<i64>,
        inspections: i64,
        ad_hoc: i64,
        with_violations: i64,
    }
    let mut by: BTreeMap<&'static str, Acc> = BTreeMap::new();
    let mut lines: HashMap<&'static str, BusinessLine> = HashMap::new();
    for r in rows {
        let line: BusinessLine = r.line.parse().map_err(bad)?;
        lines.insert(line.as_str(), line);
        let a = by.entry(line.as_str()).or_default();
        a.inspected.insert(r.business_id);
        a.inspections += 1;
        if r.kind == "ad_hoc" {
            a.ad_hoc += 1;
        }
        if r.violation_found {
            a.with_violations += 1;
            a.violating.insert(r.business_id);
        }
    }
    Ok(BusinessLine::ALL
        .iter()
        .filter_map(|l| {
            let a = by.remove(l.as_str())?;
            Some(BusinessFigure {
                line: *l,
                businesses_inspected: a.inspected.len() as i64,
                inspections: a.inspections,
                ad_hoc: a.ad_hoc,
                with_violations: a.with_violations,
                businesses_with_violations: a.violating.len() as i64,
            })
        })
        .collect())
}

/// The current communes of `scope` by their stored class of statistical year `year`
/// and the criteria version each was classified under.
#[tracing::instrument(skip(db))]
pub async fn classification(db: &Db, scope: Scope, year: i32) -> Result<ClassificationFigures, DbError> {
    let communes = crate::classification::communes(db, scope).await?;
    let ids: Vec<i64> = communes.iter().map(|c| c.id).collect();
    let mut by: BTreeMap<(usize, &'static str), (CommuneClass, CriteriaVersion, i64)> = BTreeMap::new();
    let mut classified = 0;
    for chunk in ids.chunks(500) {
        for r in crate::classification::results(db, chunk, &[year]).await? {
            classified += 1;
            let order = CommuneClass::ALL.iter().position(|c| *c == r.class).unwrap_or(usize::MAX);
            by.entry((order, r.version.as_str())).or_insert((r.class, r.version, 0)).2 += 1;
        }
    }
    Ok(ClassificationFigures {
        year,
        communes: ids.len() as i64,
        lines: by
            .into_values()
            .map(|(class, version, communes)| ClassLine { class, version, communes })
            .collect(),
        not_classified: ids.len() as i64 - classified,
    })
}

/// Propaganda held in `scope` from `from` to `to`, per type of venue (every type, zeros
/// included, in display order).
#[tracing::instrument(skip(db))]
pub async fn propaganda(
    db: &Db,
    scope: Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<VenueFigure>, DbError> {
    let f = crate::propaganda::PropagandaFilter { from: Some(from), to: Some(to), ..Default::default() };
    let t = crate::propaganda::totals(db, scope, &f).await?;
    Ok(VenueType::ALL
        .iter()
        .map(|v| {
            let tally = t.by_venue_type.get(v).cloned().unwrap_or_default();
            VenueFigure { venue: *v, sessions: tally.activities, participants: tally.participants }
        })
        .collect())
}
