//! Rings (đường dây mua bán, vận chuyển ma túy): a named ring led by a unit, the cases
//! linked to it (a case belongs to at most one ring) and, through them, its subjects; a
//! ring is marked dismantled (triệt phá) on a date. Scope goes through the ring's unit,
//! and a case is linked only when both lie within the caller's scope.

use crate::audit::{self, NewEntry};
use crate::db::Db;
use crate::error::DbError;
use crate::exec::IdRow;
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::cases::{CaseError, check_dismantled_on};
use sea_query::{Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;

/// A new ring.
#[derive(Debug, Clone)]
pub struct NewRing {
    /// A working name ("Đường dây Lào – Kon Tum").
    pub name: String,
    /// The leading unit (a commune or the province).
    pub unit_id: i64,
    /// What is known (no identities).
    pub description: String,
}

/// A stored ring, with how many cases and subjects it has.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Ring {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Leading unit.
    pub unit_id: i64,
    /// Its code.
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// Description.
    pub description: String,
    /// Dismantled on (None: still active).
    pub dismantled_on: Option<NaiveDate>,
    /// Cases linked.
    pub cases: i64,
    /// Subjects of those cases.
    pub subjects: i64,
    /// First case's date.
    pub first_case_on: Option<NaiveDate>,
    /// When recorded.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Records a ring with `audit_entry`, in one transaction.
pub async fn create(
    db: &Db,
    r: &NewRing,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<i64, DbError> {
    if r.name.trim().is_empty() {
        return Err(DbError::Invalid("a ring needs a name".into()));
    }
    let now = crate::now();
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("rings")
        .columns(["name", "unit_id", "description", "created_by", "created_at", "updated_at"])
        .values_panic([
            r.name.trim().into(),
            r.unit_id.into(),
            r.description.trim().into(),
            by.into(),
            now.into(),
            now.into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    if let Some(mut e) = audit_entry {
        e.target_type = "ring".into();
        e.target_id = id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(id)
}

fn select_rings() -> SelectStatement {
    let cases = Query::select()
        .expr(Expr::col(("c", "id")).count())
        .from_as("cases", "c")
        .and_where(Expr::col(("c", "ring_id")).equals(("r", "id")))
        .to_owned();
    let subjects = Query::select()
        .expr(Expr::col(("s", "id")).count())
        .from_as("case_subjects", "s")
        .join_as(JoinType::InnerJoin, "cases", "c", Expr::col(("c", "id")).equals(("s", "case_id")))
        .and_where(Expr::col(("c", "ring_id")).equals(("r", "id")))
        .to_owned();
    let first = Query::select()
        .expr(Expr::col(("c", "occurred_on")).min())
        .from_as("cases", "c")
        .and_where(Expr::col(("c", "ring_id")).equals(("r", "id")))
        .to_owned();
    Query::select()
        .columns(
            ["id", "name", "unit_id", "description", "dismantled_on", "created_at", "updated_at"]
                .map(|c| ("r", c)),
        )
        .expr_as(Expr::col(("u", "code")), "unit_code")
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .expr_as(Expr::SubQuery(None, Box::new(cases.into())), "cases")
        .expr_as(Expr::SubQuery(None, Box::new(subjects.into())), "subjects")
        .expr_as(Expr::SubQuery(None, Box::new(first.into())), "first_case_on")
        .from_as("rings", "r")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("r", "unit_id")))
        .to_owned()
}

/// A ring within `scope`; None when missing or outside it.
pub async fn get(db: &Db, id: i64, scope: Scope) -> Result<Option<Ring>, DbError> {
    let q = select_rings().and_where(Expr::col(("r", "id")).eq(id)).cond_where(scope.cond("u")).to_owned();
    db.exec().fetch_optional(&q).await
}

/// Rings within `scope`, active ones first, then newest first; `dismantled` narrows.
pub async fn list(db: &Db, scope: Scope, dismantled: Option<bool>) -> Result<Vec<Ring>, DbError> {
    let mut q = select_rings().cond_where(scope.cond("u")).to_owned();
    match dismantled {
        Some(true) => {
            q.and_where(Expr::col(("r", "dismantled_on")).is_not_null());
        }
        Some(false) => {
            q.and_where(Expr::col(("r", "dismantled_on")).is_null());
        }
        None => {}
    }
    q.order_by(("r", "id"), Order::Desc);
    db.exec().fetch_all(&q).await
}

/// Why a change to a ring was not made. Nothing is written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum RingError {
    /// No such ring (or case) in scope.
    #[error("{0}")]
    NotFound(&'static str),
    /// A rule of the domain refused it.
    #[error(transparent)]
    Refused(#[from] CaseError),
    /// The case belongs to another ring already.
    #[error("the case already belongs to ring {0}")]
    OtherRing(i64),
    /// The ring is dismantled: its cases are closed.
    #[error("the ring is already dismantled")]
    AlreadyDismantled,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Links a case to a ring (both within `scope`), with `audit_entry`.
pub async fn link_case(
    db: &Db,
    ring_id: i64,
    case_id: i64,
    scope: Scope,
    audit_entry: Option<NewEntry>,
) -> Result<(), RingError> {
    let ring = get(db, ring_id, scope).await?.ok_or(RingError::NotFound("no such ring"))?;
    let case = crate::cases::get(db, case_id, scope)
        .await?
        .ok_or(RingError::NotFound("no such case in your scope"))?;
    match case.ring_id {
        Some(r) if r == ring_id => return Ok(()),
        Some(r) => return Err(RingError::OtherRing(r)),
        None => {}
    }
    if let Some(on) = ring.dismantled_on {
        // A case after the dismantling is a new ring's (or the ring re-formed).
        if case.occurred_on > on {
            return Err(RingError::Refused(CaseError::BadDismantlingDate));
        }
    }
    let mut tx = db.begin().await?;
    let u = Query::update()
        .table("cases")
        .value("ring_id", ring_id)
        .and_where(Expr::col("id").eq(case_id))
        .and_where(Expr::col("ring_id").is_null())
        .to_owned();
    if tx.exec().execute(&u).await? != 1 {
        return Err(RingError::OtherRing(0));
    }
    let u = Query::update()
        .table("rings")
        .value("updated_at", crate::now())
        .and_where(Expr::col("id").eq(ring_id))
        .to_owned();
    tx.exec().execute(&u).await?;
    if let Some(mut e) = audit_entry {
        e.target_type = "ring".into();
        e.target_id = ring_id.to_string();
        e.reason = format!("case {case_id}");
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Marks a ring within `scope` dismantled on `on` (not before its first case, not after
/// `today`), with `audit_entry`.
pub async fn dismantle(
    db: &Db,
    ring_id: i64,
    scope: Scope,
    on: NaiveDate,
    today: NaiveDate,
    audit_entry: Option<NewEntry>,
) -> Result<Ring, RingError> {
    let ring = get(db, ring_id, scope).await?.ok_or(RingError::NotFound("no such ring"))?;
    if ring.dismantled_on.is_some() {
        return Err(RingError::AlreadyDismantled);
    }
    check_dismantled_on(on, ring.first_case_on, today)?;
    let mut tx = db.begin().await?;
    let u = Query::update()
        .table("rings")
        .values([("dismantled_on", on.into()), ("updated_at", crate::now().into())])
        .and_where(Expr::col("id").eq(ring_id))
        .and_where(Expr::col("dismantled_on").is_null())
        .to_owned();
    if tx.exec().execute(&u).await? != 1 {
        return Err(RingError::AlreadyDismantled);
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "ring".into();
        e.target_id = ring_id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    get(db, ring_id, scope).await?.ok_or(RingError::NotFound("no such ring"))
}
