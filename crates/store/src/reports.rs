//! Periodic reports (báo cáo định kỳ), their templates and the history of their
//! workflow. A report belongs to one current province or commune; lists are filtered by
//! scope in the query. A transition changes the status only from the status the caller
//! read (so two reviewers cannot both act), writes its history line and its audit entry
//! in the same transaction; issuing also gives the number and the date and stores the
//! frozen figures, which nothing ever changes afterwards. The rules of who may do what
//! are `diaban_domain::report::workflow`; this module only keeps what was decided.

use crate::audit::{self, NewEntry};
use crate::db::Db;
use crate::error::DbError;
use crate::exec::{Count, IdRow};
use crate::persons::Scope;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diaban_domain::report::template::Template;
use diaban_domain::report::workflow::{ReportStatus, Transition};
use diaban_domain::report::{Figures, ReportKind, ReportLevel};
use sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;
use std::collections::BTreeMap;

/// A stored template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateRow {
    /// Id.
    pub id: i64,
    /// Stable code ("default").
    pub code: String,
    /// Name.
    pub name: String,
    /// The template.
    pub template: Template,
}

#[derive(sqlx::FromRow)]
struct TemplateDbRow {
    id: i64,
    code: String,
    name: String,
    body: String,
}

impl TryFrom<TemplateDbRow> for TemplateRow {
    type Error = DbError;
    fn try_from(r: TemplateDbRow) -> Result<Self, DbError> {
        let template = Template::from_json(&r.body)
            .map_err(|e| DbError::Invalid(format!("report template {}: {e}", r.code)))?;
        Ok(TemplateRow { id: r.id, code: r.code, name: r.name, template })
    }
}

/// Every template, by id.
#[tracing::instrument(skip(db))]
pub async fn templates(db: &Db) -> Result<Vec<TemplateRow>, DbError> {
    let q = Query::select()
        .columns(["id", "code", "name", "body"])
        .from("report_templates")
        .order_by("id", Order::Asc)
        .to_owned();
    let rows: Vec<TemplateDbRow> = db.exec().fetch_all(&q).await?;
    rows.into_iter().map(TemplateRow::try_from).collect()
}

/// A template by id, or the one with code `default` when `id` is None.
#[tracing::instrument(skip(db))]
pub async fn template(db: &Db, id: Option<i64>) -> Result<TemplateRow, DbError> {
    let mut q = Query::select().columns(["id", "code", "name", "body"]).from("report_templates").to_owned();
    match id {
        Some(id) => q.and_where(Expr::col("id").eq(id)),
        None => q.and_where(Expr::col("code").eq("default")),
    };
    let row: Option<TemplateDbRow> = db.exec().fetch_optional(&q).await?;
    row.ok_or(DbError::NotFound)?.try_into()
}

/// A stored report with its unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    /// Id.
    pub id: i64,
    /// The unit's id.
    pub unit_id: i64,
    /// The unit's code.
    pub unit_code: String,
    /// The unit's name.
    pub unit_name: String,
    /// Province or commune.
    pub level: ReportLevel,
    /// The current province of the unit (itself for a province).
    pub province_id: i64,
    /// Kind.
    pub kind: ReportKind,
    /// Period name.
    pub period: String,
    /// The template.
    pub template_id: i64,
    /// Title.
    pub title: String,
    /// Status.
    pub status: ReportStatus,
    /// Narrative texts by the template's keys.
    pub narratives: BTreeMap<String, String>,
    /// The last return's reason ('' when never returned).
    pub return_reason: String,
    /// Number and symbol once issued ("3/BC-CAT").
    pub number: Option<String>,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// The figures as issued.
    pub frozen: Option<Figures>,
    /// Who created it.
    pub created_by: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    unit_level: String,
    unit_province: Option<i64>,
    kind: String,
    period: String,
    template_id: i64,
    title: String,
    status: String,
    narratives: String,
    return_reason: String,
    number: Option<String>,
    issued_on: Option<NaiveDate>,
    frozen: Option<String>,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn bad(what: &str, e: impl std::fmt::Display) -> DbError {
    DbError::Other(format!("stored report {what}: {e}"))
}

impl TryFrom<Row> for ReportRow {
    type Error = DbError;
    fn try_from(r: Row) -> Result<Self, DbError> {
        let level =
            ReportLevel::of_unit_level(&r.unit_level).ok_or_else(|| bad("unit level", &r.unit_level))?;
        Ok(ReportRow {
            id: r.id,
            unit_id: r.unit_id,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            level,
            province_id: r.unit_province.unwrap_or(r.unit_id),
            kind: r.kind.parse().map_err(|e| bad("kind", e))?,
            period: r.period,
            template_id: r.template_id,
            title: r.title,
            status: r.status.parse().map_err(|e| bad("status", e))?,
            narratives: serde_json::from_str(&r.narratives).map_err(|e| bad("narratives", e))?,
            return_reason: r.return_reason,
            number: r.number,
            issued_on: r.issued_on,
            frozen: match r.frozen {
                None => None,
                Some(s) => Some(serde_json::from_str(&s).map_err(|e| bad("frozen figures", e))?),
            },
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn select() -> SelectStatement {
    let cols = [
        "id",
        "unit_id",
        "kind",
        "period",
        "template_id",
        "title",
        "status",
        "narratives",
        "return_reason",
        "number",
        "issued_on",
        "frozen",
        "created_by",
        "created_at",
        "updated_at",
    ];
    Query::select()
        .columns(cols.map(|c| ("r", c)))
        .expr_as(Expr::col(("u", "code")), Alias::new("unit_code"))
        .expr_as(Expr::col(("u", "name")), Alias::new("unit_name"))
        .expr_as(Expr::col(("u", "level")), Alias::new("unit_level"))
        .expr_as(Expr::col(("u", "scope_province_id")), Alias::new("unit_province"))
        .from_as("reports", "r")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("r", "unit_id")))
        .to_owned()
}

/// Which reports to list.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    /// Only this unit.
    pub unit_id: Option<i64>,
    /// Only this kind.
    pub kind: Option<ReportKind>,
    /// Only this status.
    pub status: Option<ReportStatus>,
}

fn scope_cond(scope: Scope) -> Cond {
    match scope {
        Scope::Province(p) => {
            Cond::any().add(Expr::col(("u", "id")).eq(p)).add(Expr::col(("u", "scope_province_id")).eq(p))
        }
        Scope::Commune(c) => {
            Cond::any().add(Expr::col(("u", "id")).eq(c)).add(Expr::col(("u", "scope_commune_id")).eq(c))
        }
    }
}

/// The reports of the scope matching the filter, newest period first. The caller
/// narrows them further by status with `diaban_domain::report::workflow::visible`.
#[tracing::instrument(skip(db))]
pub async fn list(db: &Db, scope: Scope, f: &ReportFilter) -> Result<Vec<ReportRow>, DbError> {
    let mut c = scope_cond(scope);
    c = Cond::all().add(c);
    if let Some(u) = f.unit_id {
        c = c.add(Expr::col(("r", "unit_id")).eq(u));
    }
    if let Some(k) = f.kind {
        c = c.add(Expr::col(("r", "kind")).eq(k.as_str()));
    }
    if let Some(s) = f.status {
        c = c.add(Expr::col(("r", "status")).eq(s.as_str()));
    }
    let q = select()
        .cond_where(c)
        .order_by(("r", "period"), Order::Desc)
        .order_by(("u", "code"), Order::Asc)
        .order_by(("r", "id"), Order::Desc)
        .to_owned();
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    rows.into_iter().map(ReportRow::try_from).collect()
}

/// A report by id within the scope (None outside it or when missing).
#[tracing::instrument(skip(db))]
pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<Option<ReportRow>, DbError> {
    let q =
        select().cond_where(Cond::all().add(scope_cond(scope)).add(Expr::col(("r", "id")).eq(id))).to_owned();
    let row: Option<Row> = db.exec().fetch_optional(&q).await?;
    row.map(ReportRow::try_from).transpose()
}

/// A new report (always a draft).
#[derive(Debug, Clone)]
pub struct NewReport {
    /// The unit (a current province or commune).
    pub unit_id: i64,
    /// Kind.
    pub kind: ReportKind,
    /// Period name (checked against the kind by the caller).
    pub period: String,
    /// Template.
    pub template_id: i64,
    /// Title.
    pub title: String,
    /// The template's default narratives.
    pub narratives: BTreeMap<String, String>,
}

fn json<T: Serialize>(v: &T) -> Result<String, DbError> {
    serde_json::to_string(v).map_err(|e| DbError::Other(e.to_string()))
}

/// Creates a draft; [`DbError::Conflict`] when the unit has one for the kind and period.
#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, r: &NewReport, audit_entry: NewEntry) -> Result<i64, DbError> {
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("reports")
        .columns([
            "unit_id",
            "kind",
            "period",
            "template_id",
            "title",
            "status",
            "narratives",
            "created_by",
            "created_at",
            "updated_at",
        ])
        .values_panic([
            r.unit_id.into(),
            r.kind.as_str().into(),
            r.period.clone().into(),
            r.template_id.into(),
            r.title.trim().into(),
            ReportStatus::Draft.as_str().into(),
            json(&r.narratives)?.into(),
            audit_entry.actor_user_id.into(),
            now.into(),
            now.into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    let mut e = audit_entry;
    e.target_type = "report".into();
    e.target_id = id.to_string();
    audit::append_in(&mut tx, &e).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces the narratives of a draft or returned report; [`DbError::NotFound`] when it
/// is in another status (the caller checked the rules).
#[tracing::instrument(skip_all, fields(report = id))]
pub async fn set_narratives(
    db: &Db,
    id: i64,
    narratives: &BTreeMap<String, String>,
    audit_entry: NewEntry,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let q = Query::update()
        .table("reports")
        .values([("narratives", json(narratives)?.into()), ("updated_at", Utc::now().into())])
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").is_in([ReportStatus::Draft.as_str(), ReportStatus::Returned.as_str()]))
        .to_owned();
    if tx.exec().execute(&q).await? != 1 {
        return Err(DbError::NotFound);
    }
    let mut e = audit_entry;
    e.target_type = "report".into();
    e.target_id = id.to_string();
    audit::append_in(&mut tx, &e).await?;
    tx.commit().await
}

/// What issuing adds: the symbol for the number, the date and the frozen figures.
#[derive(Debug, Clone)]
pub struct Issue {
    /// The symbol after the number ("BC-CAT").
    pub symbol: String,
    /// The date of issue.
    pub on: NaiveDate,
    /// The figures as they are now, frozen from here on.
    pub figures: Figures,
}

/// A step decided by `diaban_domain::report::workflow::step`.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// The status the caller read.
    pub from: ReportStatus,
    /// The status after the step.
    pub to: ReportStatus,
    /// The step.
    pub t: Transition,
    /// The reason given (required to return).
    pub reason: &'a str,
}

/// Moves a report from `from` to `to` by `t`, with its history line and audit entry
/// (`report.<transition>`, the reason in the entry). [`DbError::Conflict`] when the report
/// is no longer in `from` (someone acted first). Issuing numbers the report: the count
/// of the unit's reports issued in the same calendar year, plus one.
#[tracing::instrument(skip_all, fields(report = id))]
pub async fn transition(
    db: &Db,
    id: i64,
    step: &Step<'_>,
    issue: Option<Issue>,
    audit_entry: NewEntry,
) -> Result<(), DbError> {
    let Step { from, to, t, reason } = *step;
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let mut values: Vec<(&str, sea_query::Expr)> =
        vec![("status", to.as_str().into()), ("updated_at", now.into())];
    if t == Transition::Return {
        values.push(("return_reason", reason.trim().into()));
    }
    if let Some(i) = &issue {
        let unit =
            Query::select().column("unit_id").from("reports").and_where(Expr::col("id").eq(id)).to_owned();
        #[derive(sqlx::FromRow)]
        struct UnitOf {
            unit_id: i64,
        }
        let u: UnitOf = tx.exec().fetch_one(&unit).await?;
        let year_from = NaiveDate::from_ymd_opt(i.on.year(), 1, 1).unwrap_or(i.on);
        let year_to = NaiveDate::from_ymd_opt(i.on.year(), 12, 31).unwrap_or(i.on);
        let count = Query::select()
            .expr_as(Expr::col("id").count(), "n")
            .from("reports")
            .and_where(Expr::col("unit_id").eq(u.unit_id))
            .and_where(Expr::col("status").eq(ReportStatus::Issued.as_str()))
            .and_where(Expr::col("issued_on").gte(year_from))
            .and_where(Expr::col("issued_on").lte(year_to))
            .to_owned();
        let n: Count = tx.exec().fetch_one(&count).await?;
        values.push(("number", format!("{}/{}", n.n + 1, i.symbol).into()));
        values.push(("issued_on", i.on.into()));
        values.push(("frozen", json(&i.figures)?.into()));
    }
    let q = Query::update()
        .table("reports")
        .values(values)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(from.as_str()))
        .to_owned();
    if tx.exec().execute(&q).await? != 1 {
        return Err(DbError::Conflict(Some("reports_status".into())));
    }
    let ev = Query::insert()
        .into_table("report_events")
        .columns([
            "report_id",
            "action",
            "from_status",
            "to_status",
            "actor_user_id",
            "actor",
            "reason",
            "at",
        ])
        .values_panic([
            id.into(),
            t.as_str().into(),
            from.as_str().into(),
            to.as_str().into(),
            audit_entry.actor_user_id.into(),
            audit_entry.actor.clone().into(),
            reason.trim().into(),
            now.into(),
        ])
        .to_owned();
    tx.exec().execute(&ev).await?;
    let mut e = audit_entry;
    e.action = format!("report.{}", t.as_str());
    e.target_type = "report".into();
    e.target_id = id.to_string();
    e.reason = reason.trim().to_owned();
    audit::append_in(&mut tx, &e).await?;
    tx.commit().await
}

/// A line of a report's history.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Event {
    /// Id.
    pub id: i64,
    /// The transition.
    pub action: String,
    /// From.
    pub from_status: String,
    /// To.
    pub to_status: String,
    /// Who (username).
    pub actor: String,
    /// The reason given.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A report's history, oldest first.
#[tracing::instrument(skip(db))]
pub async fn events(db: &Db, report_id: i64) -> Result<Vec<Event>, DbError> {
    let q = Query::select()
        .columns(["id", "action", "from_status", "to_status", "actor", "reason", "at"])
        .from("report_events")
        .and_where(Expr::col("report_id").eq(report_id))
        .order_by("id", Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}
