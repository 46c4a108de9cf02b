//! Key drug routes (DOMAIN.md §2): a route links communes across unit borders, in order,
//! and is in force for a period. A route is visible to a caller when one of its communes
//! is in the caller's scope; it may include communes of other provinces. Membership feeds
//! classification criterion (đ) through [`communes_on_routes`].

use crate::audit::{self, NewEntry};
use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::exec::{Count, IdRow};
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::route::RouteMode;
use sea_query::{Expr, ExprTrait, JoinType, Order, Query};
use serde::Serialize;
use std::collections::HashSet;

/// A route as entered, validated by the caller except for its units, which are checked
/// here (each must be a commune-level unit, current or legacy).
#[derive(Debug, Clone)]
pub struct NewRoute {
    /// Name ("Quốc lộ 14, đoạn qua …").
    pub name: String,
    /// How it runs.
    pub mode: RouteMode,
    /// Free text.
    pub description: String,
    /// First day in force.
    pub valid_from: NaiveDate,
    /// Last day in force; open when `None`.
    pub valid_to: Option<NaiveDate>,
    /// The communes along it, in order, by unit id; at least two.
    pub unit_ids: Vec<i64>,
}

/// A stored route.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Route {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Mode, as stored.
    pub mode: String,
    /// Description.
    pub description: String,
    /// First day in force.
    pub valid_from: NaiveDate,
    /// Last day in force.
    pub valid_to: Option<NaiveDate>,
    /// Communes along it.
    pub unit_count: i64,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// A commune on a route.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RouteUnit {
    /// Unit id.
    pub unit_id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `2025` or `legacy`.
    pub generation: String,
    /// The province it belongs to now (its scope province's name).
    pub province: Option<String>,
    /// Position along the route, from 1.
    pub position: i64,
}

const ROUTE_COLUMNS: [&str; 7] =
    ["id", "name", "mode", "description", "valid_from", "valid_to", "updated_at"];

fn visible(scope: Scope) -> sea_query::SelectStatement {
    Query::select()
        .column(("ru", "route_id"))
        .from_as("route_units", "ru")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("ru", "unit_id")))
        .cond_where(scope.cond("u"))
        .to_owned()
}

/// The routes with at least one commune in `scope`, by name.
pub async fn list(db: &Db, scope: Scope) -> Result<Vec<Route>, DbError> {
    let q = Query::select()
        .columns(ROUTE_COLUMNS.map(|c| ("r", c)))
        .expr_as(Expr::cust("(SELECT COUNT(*) FROM route_units c WHERE c.route_id = r.id)"), "unit_count")
        .from_as("routes", "r")
        .and_where(Expr::col(("r", "id")).in_subquery(visible(scope)))
        .order_by(("r", "name"), Order::Asc)
        .order_by(("r", "id"), Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// One route, if visible in `scope`.
pub async fn get(db: &Db, id: i64, scope: Scope) -> Result<Option<Route>, DbError> {
    let q = Query::select()
        .columns(ROUTE_COLUMNS.map(|c| ("r", c)))
        .expr_as(Expr::cust("(SELECT COUNT(*) FROM route_units c WHERE c.route_id = r.id)"), "unit_count")
        .from_as("routes", "r")
        .and_where(Expr::col(("r", "id")).eq(id))
        .and_where(Expr::col(("r", "id")).in_subquery(visible(scope)))
        .to_owned();
    db.exec().fetch_optional(&q).await
}

/// The communes of a route, in order (no scope check: call after [`get`]).
pub async fn units_of(db: &Db, route_id: i64) -> Result<Vec<RouteUnit>, DbError> {
    let q = Query::select()
        .columns([("u", "code"), ("u", "name"), ("u", "generation")])
        .expr_as(Expr::col(("u", "id")), "unit_id")
        .expr_as(Expr::col(("p", "name")), "province")
        .column(("ru", "position"))
        .from_as("route_units", "ru")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("ru", "unit_id")))
        .join_as(JoinType::LeftJoin, "units", "p", Expr::col(("p", "id")).equals(("u", "scope_province_id")))
        .and_where(Expr::col(("ru", "route_id")).eq(route_id))
        .order_by(("ru", "position"), Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

#[derive(sqlx::FromRow)]
struct LevelRow {
    id: i64,
    level: String,
}

async fn check(tx: &mut Tx, r: &NewRoute) -> Result<(), DbError> {
    if r.name.trim().is_empty() {
        return Err(DbError::Invalid("a route needs a name".into()));
    }
    if r.valid_to.is_some_and(|to| to < r.valid_from) {
        return Err(DbError::Invalid("a route cannot end before it starts".into()));
    }
    let mut seen = HashSet::new();
    if let Some(dup) = r.unit_ids.iter().find(|id| !seen.insert(**id)) {
        return Err(DbError::Invalid(format!("unit {dup} is listed twice")));
    }
    if r.unit_ids.len() < 2 {
        return Err(DbError::Invalid("a route links at least two communes".into()));
    }
    let q = Query::select()
        .columns(["id", "level"])
        .from("units")
        .and_where(Expr::col("id").is_in(r.unit_ids.iter().copied()))
        .to_owned();
    let rows: Vec<LevelRow> = tx.exec().fetch_all(&q).await?;
    if let Some(missing) = r.unit_ids.iter().find(|id| !rows.iter().any(|row| row.id == **id)) {
        return Err(DbError::Invalid(format!("no unit with id {missing}")));
    }
    if let Some(bad) = rows.iter().find(|row| row.level != "commune") {
        return Err(DbError::Invalid(format!("unit {} is not a commune", bad.id)));
    }
    Ok(())
}

async fn write_units(tx: &mut Tx, route_id: i64, unit_ids: &[i64]) -> Result<(), DbError> {
    let del =
        Query::delete().from_table("route_units").and_where(Expr::col("route_id").eq(route_id)).to_owned();
    tx.exec().execute(&del).await?;
    let mut ins =
        Query::insert().into_table("route_units").columns(["route_id", "unit_id", "position"]).to_owned();
    for (i, u) in unit_ids.iter().enumerate() {
        ins.values_panic([route_id.into(), (*u).into(), (i as i64 + 1).into()]);
    }
    tx.exec().execute(&ins).await?;
    Ok(())
}

/// Records a route with its communes and `audit_entry` (target: the new route) in one
/// transaction.
pub async fn create(
    db: &Db,
    r: &NewRoute,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<i64, DbError> {
    let mut tx = db.begin().await?;
    check(&mut tx, r).await?;
    let now = crate::now();
    let q = Query::insert()
        .into_table("routes")
        .columns([
            "name",
            "mode",
            "description",
            "valid_from",
            "valid_to",
            "created_at",
            "created_by",
            "updated_at",
        ])
        .values_panic([
            r.name.trim().into(),
            r.mode.as_str().into(),
            r.description.trim().into(),
            r.valid_from.into(),
            r.valid_to.into(),
            now.into(),
            by.into(),
            now.into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    write_units(&mut tx, id, &r.unit_ids).await?;
    if let Some(mut e) = audit_entry {
        e.target_type = "route".into();
        e.target_id = id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Replaces a route's fields and communes, with `audit_entry`, in one transaction. The
/// route must be visible in `scope` ([`DbError::NotFound`] otherwise).
pub async fn update(
    db: &Db,
    id: i64,
    scope: Scope,
    r: &NewRoute,
    audit_entry: Option<NewEntry>,
) -> Result<(), DbError> {
    if get(db, id, scope).await?.is_none() {
        return Err(DbError::NotFound);
    }
    let mut tx = db.begin().await?;
    check(&mut tx, r).await?;
    let q = Query::update()
        .table("routes")
        .values([
            ("name", r.name.trim().into()),
            ("mode", r.mode.as_str().into()),
            ("description", r.description.trim().into()),
            ("valid_from", r.valid_from.into()),
            ("valid_to", r.valid_to.into()),
            ("updated_at", crate::now().into()),
        ])
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    tx.exec().execute(&q).await?;
    write_units(&mut tx, id, &r.unit_ids).await?;
    if let Some(mut e) = audit_entry {
        e.target_type = "route".into();
        e.target_id = id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await
}

/// Whether any route is recorded at all: until one is, the registry cannot say that a
/// commune is *not* on a key route, and criterion (đ) stays a manual input.
pub async fn any(db: &Db) -> Result<bool, DbError> {
    let q = Query::select().expr_as(Expr::cust("COUNT(*)"), "n").from("routes").to_owned();
    Ok(db.exec().fetch_one::<Count, _>(&q).await?.n > 0)
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    commune: Option<i64>,
}

/// The current communes among `communes` that lie on a route in force at some time
/// between `from` and `to` (both included). A legacy commune on a route counts for its
/// current successor.
pub async fn communes_on_routes(
    db: &Db,
    communes: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashSet<i64>, DbError> {
    if communes.is_empty() {
        return Ok(HashSet::new());
    }
    let q = Query::select()
        .expr_as(Expr::col(("u", "scope_commune_id")), "commune")
        .from_as("route_units", "ru")
        .join_as(JoinType::InnerJoin, "routes", "r", Expr::col(("r", "id")).equals(("ru", "route_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("ru", "unit_id")))
        .and_where(Expr::col(("u", "scope_commune_id")).is_in(communes.iter().copied()))
        .and_where(Expr::col(("r", "valid_from")).lte(to))
        .cond_where(
            sea_query::Cond::any()
                .add(Expr::col(("r", "valid_to")).is_null())
                .add(Expr::col(("r", "valid_to")).gte(from)),
        )
        .to_owned();
    let rows: Vec<MemberRow> = db.exec().fetch_all(&q).await?;
    Ok(rows.into_iter().filter_map(|r| r.commune).collect())
}
