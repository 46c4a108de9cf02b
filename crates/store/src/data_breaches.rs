//! The personal-data breach register (DOMAIN.md §8): incidents recorded by a province,
//! with the deadline to notify the authority fixed when recorded (the `data_protection`
//! parameters in force on the day of detection), and the notifications of the authority
//! and of the persons concerned. Each change writes its audit entry in the same
//! transaction. Lists are filtered by scope in the query. The rules are
//! `diaban_domain::breach`; the register holds no identities.

use crate::audit::{self, NewEntry};
use crate::db::Db;
use crate::error::DbError;
use crate::exec::IdRow;
use crate::persons::Scope;
use crate::report_sections::vietnam_day_start;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::breach::{
    BreachCategory, DataProtectionParams, NotifyStatus, notify_deadline, notify_status,
};
use diaban_domain::report::sections::BreachFigures;
use sea_query::{Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;

/// The parameter group of the breach register.
pub const PARAMS: &str = "data_protection";

/// A new incident, checked by the caller (`diaban_domain::breach::check_new`).
#[derive(Debug, Clone)]
pub struct NewBreach {
    /// The recording province.
    pub unit_id: i64,
    /// When it was detected.
    pub detected_at: DateTime<Utc>,
    /// What happened (no identities).
    pub description: String,
    /// The categories of data touched.
    pub categories: Vec<BreachCategory>,
    /// Persons affected, approximately.
    pub persons_affected: i64,
    /// Measures taken.
    pub measures: String,
    /// The authority notified at (if already).
    pub authority_notified_at: Option<DateTime<Utc>>,
    /// The persons notified at (if they were).
    pub subjects_notified_at: Option<DateTime<Utc>>,
}

/// A stored incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breach {
    /// Id.
    pub id: i64,
    /// The recording province's id.
    pub unit_id: i64,
    /// Its code.
    pub unit_code: String,
    /// When it was detected.
    pub detected_at: DateTime<Utc>,
    /// What happened.
    pub description: String,
    /// Categories of data.
    pub categories: Vec<BreachCategory>,
    /// Persons affected, approximately.
    pub persons_affected: i64,
    /// Measures taken.
    pub measures: String,
    /// The hours to notify that applied.
    pub notify_hours: i64,
    /// The authority had to be notified by.
    pub notify_deadline: DateTime<Utc>,
    /// The authority notified at.
    pub authority_notified_at: Option<DateTime<Utc>>,
    /// The persons notified at.
    pub subjects_notified_at: Option<DateTime<Utc>>,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
    /// Where the authority's notification stands now.
    pub status: NotifyStatus,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    unit_id: i64,
    unit_code: String,
    detected_at: DateTime<Utc>,
    description: String,
    categories: String,
    persons_affected: i64,
    measures: String,
    notify_hours: i64,
    notify_deadline: DateTime<Utc>,
    authority_notified_at: Option<DateTime<Utc>>,
    subjects_notified_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

fn decode(r: Row, now: DateTime<Utc>) -> Result<Breach, DbError> {
    let categories = r
        .categories
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| c.parse::<BreachCategory>().map_err(|e| DbError::Other(format!("bad stored value: {e}"))))
        .collect::<Result<_, _>>()?;
    Ok(Breach {
        status: notify_status(r.notify_deadline, r.authority_notified_at, now),
        id: r.id,
        unit_id: r.unit_id,
        unit_code: r.unit_code,
        detected_at: r.detected_at,
        description: r.description,
        categories,
        persons_affected: r.persons_affected,
        measures: r.measures,
        notify_hours: r.notify_hours,
        notify_deadline: r.notify_deadline,
        authority_notified_at: r.authority_notified_at,
        subjects_notified_at: r.subjects_notified_at,
        created_at: r.created_at,
    })
}

fn select() -> SelectStatement {
    Query::select()
        .columns(
            [
                "id",
                "unit_id",
                "detected_at",
                "description",
                "categories",
                "persons_affected",
                "measures",
                "notify_hours",
                "notify_deadline",
                "authority_notified_at",
                "subjects_notified_at",
                "created_at",
            ]
            .map(|c| ("b", c)),
        )
        .expr_as(Expr::col(("u", "code")), "unit_code")
        .from_as("data_breaches", "b")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("b", "unit_id")))
        .to_owned()
}

/// Records an incident with its deadline (the parameter in force on the day of
/// detection, in Vietnam) and `audit_entry` (target: the new id), in one transaction.
#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, b: &NewBreach, by: Option<i64>, audit_entry: NewEntry) -> Result<i64, DbError> {
    let day = b.detected_at.with_timezone(&diaban_domain::time::vietnam_offset()).date_naive();
    let params: DataProtectionParams = crate::parameters::in_force(db, PARAMS, day).await?;
    let deadline = notify_deadline(b.detected_at, params.breach_notify_hours);
    let categories: Vec<&str> = b.categories.iter().map(|c| c.as_str()).collect();
    let now = crate::now();
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("data_breaches")
        .columns([
            "unit_id",
            "detected_at",
            "description",
            "categories",
            "persons_affected",
            "measures",
            "notify_hours",
            "notify_deadline",
            "authority_notified_at",
            "subjects_notified_at",
            "recorded_by",
            "created_at",
            "updated_at",
        ])
        .values_panic([
            b.unit_id.into(),
            b.detected_at.into(),
            b.description.trim().into(),
            categories.join(",").into(),
            b.persons_affected.into(),
            b.measures.trim().into(),
            i64::from(params.breach_notify_hours).into(),
            deadline.into(),
            b.authority_notified_at.into(),
            b.subjects_notified_at.into(),
            by.into(),
            now.into(),
            now.into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    let mut e = audit_entry;
    e.target_type = "data_breach".into();
    e.target_id = id.to_string();
    audit::append_in(&mut tx, &e).await?;
    tx.commit().await?;
    Ok(id)
}

/// The incidents of `scope`, newest detection first, with their status now.
#[tracing::instrument(skip(db))]
pub async fn list(db: &Db, scope: Scope) -> Result<Vec<Breach>, DbError> {
    let q = select()
        .cond_where(scope.cond("u"))
        .order_by(("b", "detected_at"), Order::Desc)
        .order_by(("b", "id"), Order::Desc)
        .to_owned();
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    let now = Utc::now();
    rows.into_iter().map(|r| decode(r, now)).collect()
}

/// One incident of `scope` (None when missing or outside it).
#[tracing::instrument(skip(db))]
pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<Option<Breach>, DbError> {
    let q = select().cond_where(scope.cond("u")).and_where(Expr::col(("b", "id")).eq(id)).to_owned();
    let row: Option<Row> = db.exec().fetch_optional(&q).await?;
    row.map(|r| decode(r, Utc::now())).transpose()
}

/// Records when the authority and/or the persons were notified (a value given replaces
/// the stored one; None keeps it), with `audit_entry`.
#[tracing::instrument(skip_all, fields(breach = id))]
pub async fn set_notified(
    db: &Db,
    id: i64,
    authority_at: Option<DateTime<Utc>>,
    subjects_at: Option<DateTime<Utc>>,
    audit_entry: NewEntry,
) -> Result<(), DbError> {
    let mut values: Vec<(&str, sea_query::Expr)> = vec![("updated_at", crate::now().into())];
    if let Some(t) = authority_at {
        values.push(("authority_notified_at", t.into()));
    }
    if let Some(t) = subjects_at {
        values.push(("subjects_notified_at", t.into()));
    }
    let mut tx = db.begin().await?;
    let q =
        Query::update().table("data_breaches").values(values).and_where(Expr::col("id").eq(id)).to_owned();
    if tx.exec().execute(&q).await? != 1 {
        return Err(DbError::NotFound);
    }
    let mut e = audit_entry;
    e.target_type = "data_breach".into();
    e.target_id = id.to_string();
    audit::append_in(&mut tx, &e).await?;
    tx.commit().await
}

/// The register's counts for a report: incidents of `scope` detected from `from` to `to`
/// (Vietnam days) and how their notification stood at the end of `to` (or at `now`, if
/// earlier).
#[tracing::instrument(skip(db))]
pub async fn figures(
    db: &Db,
    scope: Scope,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<BreachFigures, DbError> {
    let end = vietnam_day_start(to.succ_opt().unwrap_or(to));
    let q = select()
        .cond_where(scope.cond("u"))
        .and_where(Expr::col(("b", "detected_at")).gte(vietnam_day_start(from)))
        .and_where(Expr::col(("b", "detected_at")).lt(end))
        .to_owned();
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    // The last instant of the period, or now while it runs.
    let as_of = std::cmp::min(end - chrono::Duration::microseconds(1), now);
    let mut f = BreachFigures::default();
    for r in rows {
        let b = decode(r, as_of)?;
        f.detected += 1;
        f.persons_affected += b.persons_affected;
        match b.status {
            NotifyStatus::InTime => f.notified_in_time += 1,
            NotifyStatus::Late => f.notified_late += 1,
            NotifyStatus::Pending => f.pending += 1,
            NotifyStatus::Overdue => f.overdue += 1,
        }
        if b.subjects_notified_at.is_some_and(|t| t <= as_of) {
            f.subjects_notified += 1;
        }
    }
    Ok(f)
}
