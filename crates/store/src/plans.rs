//! Plans (kế hoạch) and their targets. A plan names its issuing unit and the current
//! province that owns it by code (a plan of legacy Kon Tum, 62, is owned today by Quảng
//! Ngãi, 51); [`covered_communes`] turns the issuer into the current communes that cover
//! its territory, through the 2025 lineage. Targets are replaced as a whole, in one
//! transaction. The two example plans ship in migration 0014. Nothing here is personal
//! data; the tasks a plan assigns are in [`crate::plan_tasks`].

use crate::audit::{self, NewEntry};
use crate::db::Db;
use crate::error::DbError;
use crate::exec::IdRow;
use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::plan::{Plan, Target};
use sea_query::{Cond, Expr, ExprTrait, Order, Query, SelectStatement};
use serde::Serialize;

/// A stored plan: its id and the plan's fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRow {
    /// Id.
    pub id: i64,
    /// Number and symbol.
    pub number: String,
    /// Issuing body.
    pub issuer: String,
    /// Date of issue.
    pub issued_on: NaiveDate,
    /// Issuing unit's code at the date of issue (None: national).
    pub issuer_unit_code: Option<String>,
    /// Current province owning it (None: national).
    pub owner_unit_code: Option<String>,
    /// First day of the period.
    pub period_from: NaiveDate,
    /// Last day of the period.
    pub period_to: NaiveDate,
    /// Baseline date.
    pub baseline_on: NaiveDate,
    /// Title.
    pub title: String,
}

impl PlanRow {
    /// The plan's fields without the id.
    pub fn plan(&self) -> Plan {
        Plan {
            number: self.number.clone(),
            issuer: self.issuer.clone(),
            issued_on: self.issued_on,
            issuer_unit_code: self.issuer_unit_code.clone(),
            owner_unit_code: self.owner_unit_code.clone(),
            period_from: self.period_from,
            period_to: self.period_to,
            baseline_on: self.baseline_on,
            title: self.title.clone(),
        }
    }

    /// Whether the plan is national (no owning province).
    pub fn is_national(&self) -> bool {
        self.owner_unit_code.is_none()
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    number: String,
    issuer: String,
    issued_on: NaiveDate,
    issuer_unit_code: Option<String>,
    owner_unit_code: Option<String>,
    period_from: NaiveDate,
    period_to: NaiveDate,
    baseline_on: NaiveDate,
    title: String,
}

impl From<Row> for PlanRow {
    fn from(r: Row) -> Self {
        PlanRow {
            id: r.id,
            number: r.number,
            issuer: r.issuer,
            issued_on: r.issued_on,
            issuer_unit_code: r.issuer_unit_code,
            owner_unit_code: r.owner_unit_code,
            period_from: r.period_from,
            period_to: r.period_to,
            baseline_on: r.baseline_on,
            title: r.title,
        }
    }
}

const COLUMNS: [&str; 10] = [
    "id",
    "number",
    "issuer",
    "issued_on",
    "issuer_unit_code",
    "owner_unit_code",
    "period_from",
    "period_to",
    "baseline_on",
    "title",
];

fn select() -> SelectStatement {
    Query::select().columns(COLUMNS.map(|c| ("plans", c))).from("plans").to_owned()
}

fn values(p: &Plan) -> Vec<(&'static str, sea_query::Expr)> {
    let code = |c: &Option<String>| c.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
    vec![
        ("number", p.number.trim().into()),
        ("issuer", p.issuer.trim().into()),
        ("issued_on", p.issued_on.into()),
        ("issuer_unit_code", code(&p.issuer_unit_code).into()),
        ("owner_unit_code", code(&p.owner_unit_code).into()),
        ("period_from", p.period_from.into()),
        ("period_to", p.period_to.into()),
        ("baseline_on", p.baseline_on.into()),
        ("title", p.title.trim().into()),
    ]
}

fn invalid(e: diaban_domain::plan::PlanError) -> DbError {
    DbError::Invalid(e.message_vi())
}

/// Every plan: provincial ones by owner, then national ones; newest issue first.
#[tracing::instrument(skip(db))]
pub async fn list(db: &Db) -> Result<Vec<PlanRow>, DbError> {
    let q = select()
        .order_by_expr(Expr::col(("plans", "owner_unit_code")).is_null(), Order::Asc)
        .order_by(("plans", "issued_on"), Order::Desc)
        .order_by(("plans", "id"), Order::Asc)
        .to_owned();
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    Ok(rows.into_iter().map(PlanRow::from).collect())
}

/// A plan by id; None when missing.
#[tracing::instrument(skip(db))]
pub async fn get(db: &Db, id: i64) -> Result<Option<PlanRow>, DbError> {
    let q = select().and_where(Expr::col(("plans", "id")).eq(id)).to_owned();
    let row: Option<Row> = db.exec().fetch_optional(&q).await?;
    Ok(row.map(PlanRow::from))
}

/// The plans that apply to a current province: those it owns, then the national ones
/// (which apply everywhere), newest issue first within each.
#[tracing::instrument(skip(db))]
pub async fn for_province(db: &Db, province_unit_id: i64) -> Result<Vec<PlanRow>, DbError> {
    let province = crate::units::get(db, province_unit_id).await?;
    let q = select()
        .cond_where(
            Cond::any()
                .add(Expr::col(("plans", "owner_unit_code")).eq(province.code.as_str()))
                .add(Expr::col(("plans", "owner_unit_code")).is_null()),
        )
        .order_by_expr(Expr::col(("plans", "owner_unit_code")).is_null(), Order::Asc)
        .order_by(("plans", "issued_on"), Order::Desc)
        .order_by(("plans", "id"), Order::Asc)
        .to_owned();
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    Ok(rows.into_iter().map(PlanRow::from).collect())
}

/// Creates a plan (checked with `diaban_domain::plan::validate_plan`) with `audit_entry`.
#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, p: &Plan, audit_entry: Option<NewEntry>) -> Result<i64, DbError> {
    diaban_domain::plan::validate_plan(p).map_err(invalid)?;
    let mut tx = db.begin().await?;
    let (cols, vals): (Vec<_>, Vec<_>) = values(p).into_iter().unzip();
    let q =
        Query::insert().into_table("plans").columns(cols).values_panic(vals).returning_col("id").to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    if let Some(mut e) = audit_entry {
        e.target_type = "plan".into();
        e.target_id = id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Changes a plan's fields; [`DbError::NotFound`] when missing.
#[tracing::instrument(skip_all, fields(plan = id))]
pub async fn update(db: &Db, id: i64, p: &Plan, audit_entry: Option<NewEntry>) -> Result<(), DbError> {
    diaban_domain::plan::validate_plan(p).map_err(invalid)?;
    let mut tx = db.begin().await?;
    let q = Query::update().table("plans").values(values(p)).and_where(Expr::col("id").eq(id)).to_owned();
    if tx.exec().execute(&q).await? != 1 {
        return Err(DbError::NotFound);
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "plan".into();
        e.target_id = id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TargetRow {
    id: i64,
    indicator: String,
    comparator: String,
    value: f64,
    year: Option<i64>,
    deadline: Option<NaiveDate>,
    note: String,
}

fn bad(e: impl std::fmt::Display) -> DbError {
    DbError::Other(format!("bad stored value: {e}"))
}

/// A plan's targets in their order, each with its id.
#[tracing::instrument(skip(db))]
pub async fn targets(db: &Db, plan_id: i64) -> Result<Vec<(i64, Target)>, DbError> {
    let q = Query::select()
        .columns(["id", "indicator", "comparator", "value", "year", "deadline", "note"])
        .from("plan_targets")
        .and_where(Expr::col("plan_id").eq(plan_id))
        .order_by("position", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    let rows: Vec<TargetRow> = db.exec().fetch_all(&q).await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.id,
                Target {
                    indicator: r.indicator.parse().map_err(bad)?,
                    comparator: r.comparator.parse().map_err(bad)?,
                    value: r.value,
                    year: r.year.map(i32::try_from).transpose().map_err(bad)?,
                    deadline: r.deadline,
                    note: r.note,
                },
            ))
        })
        .collect()
}

/// Replaces a plan's targets by `targets` (each checked against the plan), in one
/// transaction with `audit_entry`; [`DbError::NotFound`] when the plan is missing.
#[tracing::instrument(skip_all, fields(plan = plan_id, n = targets.len()))]
pub async fn set_targets(
    db: &Db,
    plan_id: i64,
    targets: &[Target],
    audit_entry: Option<NewEntry>,
) -> Result<(), DbError> {
    let plan = get(db, plan_id).await?.ok_or(DbError::NotFound)?.plan();
    for t in targets {
        diaban_domain::plan::validate_target(t, &plan).map_err(invalid)?;
    }
    let mut tx = db.begin().await?;
    let del =
        Query::delete().from_table("plan_targets").and_where(Expr::col("plan_id").eq(plan_id)).to_owned();
    tx.exec().execute(&del).await?;
    for (i, t) in targets.iter().enumerate() {
        let q = Query::insert()
            .into_table("plan_targets")
            .columns(["plan_id", "position", "indicator", "comparator", "value", "year", "deadline", "note"])
            .values_panic([
                plan_id.into(),
                (i as i64 + 1).into(),
                t.indicator.as_str().into(),
                t.comparator.as_str().into(),
                t.value.into(),
                t.year.map(i64::from).into(),
                t.deadline.into(),
                t.note.trim().into(),
            ])
            .to_owned();
        tx.exec().execute(&q).await?;
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "plan".into();
        e.target_id = plan_id.to_string();
        e.reason = format!("{} targets", targets.len());
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The current (2025) communes that cover the plan's territory (sorted by id): for a
/// plan issued by a legacy province (KH 3220 of Kon Tum), the current communes its
/// communes went into through the lineage; for a plan issued by a current province, its
/// communes; for a national plan, every current commune. This is the territory the
/// plan's targets are judged on.
#[tracing::instrument(skip(db))]
pub async fn covered_communes(db: &Db, plan_id: i64) -> Result<Vec<i64>, DbError> {
    let plan = get(db, plan_id).await?.ok_or(DbError::NotFound)?;
    territory(db, &plan).await
}

/// [`covered_communes`] of a plan already read.
pub async fn territory(db: &Db, plan: &PlanRow) -> Result<Vec<i64>, DbError> {
    match plan.issuer_unit_code.as_deref().or(plan.owner_unit_code.as_deref()) {
        None => crate::units::all_current_communes(db).await,
        Some(code) => {
            let issuer = crate::units::by_code(db, code, Some(UnitLevel::Province), plan.issued_on)
                .await?
                .ok_or_else(|| {
                    DbError::Invalid(format!("the plan's issuing unit '{code}' is not a province"))
                })?;
            crate::units::territory(db, &issuer).await
        }
    }
}
