//! Conditional businesses (ND 96/2016/NĐ-CP as amended), their inspections and their
//! links to drug sites. Lists are scoped by the business's unit like sites; the list of
//! businesses due for inspection is one query (no inspection on or after a cutoff day,
//! which `diaban_domain::business::inspection_cutoff` computes from the parameter).

use crate::audit::{self, NewEntry};
use crate::db::Db;
use crate::error::DbError;
use crate::exec::{Count, IdRow};
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::business::{BusinessLine, InspectionKind};
use diaban_domain::site::LatLon;
use sea_query::{Cond, Expr, ExprTrait, Func, JoinType, OnConflict, Order, Query, SelectStatement};
use serde::Serialize;

/// A new business, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewBusiness {
    /// Trading name.
    pub name: String,
    /// Line of business.
    pub line: BusinessLine,
    /// Number of the certificate of security-and-order conditions.
    pub certificate_no: String,
    /// Its date.
    pub certificate_on: Option<NaiveDate>,
    /// Address text.
    pub address: String,
    /// The commune it lies in.
    pub unit_id: i64,
    /// Where it is, if known.
    pub location: Option<LatLon>,
}

/// A stored business with its unit and its latest inspection.
#[derive(Debug, Clone, Serialize)]
pub struct Business {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Line.
    pub line: BusinessLine,
    /// Certificate number.
    pub certificate_no: String,
    /// Certificate date.
    pub certificate_on: Option<NaiveDate>,
    /// Address.
    pub address: String,
    /// Unit id.
    pub unit_id: i64,
    /// Unit code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// The day of the latest inspection.
    pub last_inspected_on: Option<NaiveDate>,
    /// How many inspections.
    pub inspections: i64,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    line: String,
    certificate_no: String,
    certificate_on: Option<NaiveDate>,
    address: String,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    lat: Option<f64>,
    lon: Option<f64>,
    last_inspected_on: Option<NaiveDate>,
    inspections: i64,
    created_at: DateTime<Utc>,
}

impl TryFrom<Row> for Business {
    type Error = DbError;
    fn try_from(r: Row) -> Result<Self, DbError> {
        Ok(Business {
            id: r.id,
            name: r.name,
            line: r.line.parse().map_err(|e| DbError::Other(format!("bad stored value: {e}")))?,
            certificate_no: r.certificate_no,
            certificate_on: r.certificate_on,
            address: r.address,
            unit_id: r.unit_id,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            lat: r.lat,
            lon: r.lon,
            last_inspected_on: r.last_inspected_on,
            inspections: r.inspections,
            created_at: r.created_at,
        })
    }
}

fn select() -> SelectStatement {
    let last = Query::select()
        .expr(Func::max(Expr::col(("i", "on_date"))))
        .from_as("business_inspections", "i")
        .and_where(Expr::col(("i", "business_id")).equals(("b", "id")))
        .to_owned();
    let count = Query::select()
        .expr(Expr::col(("i", "id")).count())
        .from_as("business_inspections", "i")
        .and_where(Expr::col(("i", "business_id")).equals(("b", "id")))
        .to_owned();
    Query::select()
        .columns(
            [
                "id",
                "name",
                "line",
                "certificate_no",
                "certificate_on",
                "address",
                "unit_id",
                "lat",
                "lon",
                "created_at",
            ]
            .map(|c| ("b", c)),
        )
        .expr_as(Expr::col(("u", "code")), "unit_code")
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .expr_as(Expr::SubQuery(None, Box::new(last.into())), "last_inspected_on")
        .expr_as(Expr::SubQuery(None, Box::new(count.into())), "inspections")
        .from_as("businesses", "b")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("b", "unit_id")))
        .to_owned()
}

/// Records a business with `audit_entry` (its target set to the new business), in one
/// transaction.
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &Db,
    b: &NewBusiness,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<i64, DbError> {
    if b.name.trim().is_empty() {
        return Err(DbError::Invalid("a business needs a name".into()));
    }
    let now = crate::now();
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("businesses")
        .columns([
            "name",
            "line",
            "certificate_no",
            "certificate_on",
            "address",
            "unit_id",
            "lat",
            "lon",
            "created_by",
            "created_at",
            "updated_at",
        ])
        .values_panic([
            b.name.trim().into(),
            b.line.as_str().into(),
            b.certificate_no.trim().into(),
            b.certificate_on.into(),
            b.address.trim().into(),
            b.unit_id.into(),
            b.location.map(|p| p.lat()).into(),
            b.location.map(|p| p.lon()).into(),
            by.into(),
            now.into(),
            now.into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    if let Some(mut e) = audit_entry {
        e.target_type = "business".into();
        e.target_id = id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// A business within `scope`; None when missing or outside (answered alike).
pub async fn get(db: &Db, id: i64, scope: Scope) -> Result<Option<Business>, DbError> {
    let q = select().and_where(Expr::col(("b", "id")).eq(id)).cond_where(scope.cond("u")).to_owned();
    let row: Option<Row> = db.exec().fetch_optional(&q).await?;
    row.map(Business::try_from).transpose()
}

/// How to narrow a list of businesses.
#[derive(Debug, Clone, Default)]
pub struct BusinessFilter {
    /// Only this line.
    pub line: Option<BusinessLine>,
    /// Only those of this commune (a current commune includes its legacy ones).
    pub unit_id: Option<i64>,
    /// Only those without an inspection on or after this day (due for inspection).
    pub not_inspected_since: Option<NaiveDate>,
    /// Page size (0: all).
    pub limit: u64,
    /// Rows to skip.
    pub offset: u64,
}

fn filter_cond(scope: Scope, f: &BusinessFilter) -> Cond {
    let mut c = scope.cond("u");
    if let Some(l) = f.line {
        c = c.add(Expr::col(("b", "line")).eq(l.as_str()));
    }
    if let Some(u) = f.unit_id {
        c = c.add(
            Cond::any()
                .add(Expr::col(("b", "unit_id")).eq(u))
                .add(Expr::col(("u", "scope_commune_id")).eq(u)),
        );
    }
    if let Some(day) = f.not_inspected_since {
        let recent = Query::select()
            .expr(Expr::val(1))
            .from_as("business_inspections", "i")
            .and_where(Expr::col(("i", "business_id")).equals(("b", "id")))
            .and_where(Expr::col(("i", "on_date")).gte(day))
            .to_owned();
        c = c.add(Expr::exists(recent).not());
    }
    c
}

/// Businesses within `scope` matching the filter, by name, with the total before paging.
#[tracing::instrument(skip(db))]
pub async fn list(db: &Db, scope: Scope, f: &BusinessFilter) -> Result<(Vec<Business>, i64), DbError> {
    let cond = filter_cond(scope, f);
    let count = Query::select()
        .expr_as(Expr::col(("b", "id")).count(), "n")
        .from_as("businesses", "b")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("b", "unit_id")))
        .cond_where(cond.clone())
        .to_owned();
    let total = db.exec().fetch_one::<Count, _>(&count).await?.n;
    let mut q = select()
        .cond_where(cond)
        .order_by(("b", "name"), Order::Asc)
        .order_by(("b", "id"), Order::Asc)
        .to_owned();
    if f.limit > 0 {
        q.limit(f.limit).offset(f.offset);
    }
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    Ok((rows.into_iter().map(Business::try_from).collect::<Result<_, _>>()?, total))
}

/// An inspection as recorded.
#[derive(Debug, Clone)]
pub struct NewInspection {
    /// Planned or ad hoc.
    pub kind: InspectionKind,
    /// The day.
    pub on: NaiveDate,
    /// What was found.
    pub findings: String,
    /// Violations (empty when none).
    pub violations: String,
    /// Sanctions applied.
    pub sanctions: String,
}

/// A stored inspection.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Inspection {
    /// Id.
    pub id: i64,
    /// planned or ad_hoc.
    pub kind: String,
    /// The day.
    pub on_date: NaiveDate,
    /// Findings.
    pub findings: String,
    /// Violations.
    pub violations: String,
    /// Sanctions.
    pub sanctions: String,
    /// Whether violations were found.
    pub violation_found: bool,
    /// By whom.
    pub by_user_id: Option<i64>,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
}

/// Why an inspection or a link was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum BusinessError {
    /// No such business in scope.
    #[error("no such business")]
    UnknownBusiness,
    /// No such site in scope.
    #[error("no such site")]
    UnknownSite,
    /// Database.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Records an inspection of a business within `scope`, with `audit_entry`, in one
/// transaction. An unknown (or out-of-scope) business is refused.
#[tracing::instrument(skip_all, fields(business = business_id))]
pub async fn add_inspection(
    db: &Db,
    business_id: i64,
    scope: Scope,
    i: &NewInspection,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<i64, BusinessError> {
    if get(db, business_id, scope).await?.is_none() {
        return Err(BusinessError::UnknownBusiness);
    }
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("business_inspections")
        .columns([
            "business_id",
            "kind",
            "on_date",
            "findings",
            "violations",
            "sanctions",
            "violation_found",
            "by_user_id",
            "created_at",
        ])
        .values_panic([
            business_id.into(),
            i.kind.as_str().into(),
            i.on.into(),
            i.findings.trim().into(),
            i.violations.trim().into(),
            i.sanctions.trim().into(),
            (!i.violations.trim().is_empty()).into(),
            by.into(),
            crate::now().into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    if let Some(mut e) = audit_entry {
        e.target_type = "business".into();
        e.target_id = business_id.to_string();
        e.reason = format!("inspection {id}");
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The inspections of a business (the caller has checked it is in scope), newest first.
pub async fn inspections(db: &Db, business_id: i64) -> Result<Vec<Inspection>, DbError> {
    let q = Query::select()
        .columns([
            "id",
            "kind",
            "on_date",
            "findings",
            "violations",
            "sanctions",
            "violation_found",
            "by_user_id",
            "created_at",
        ])
        .from("business_inspections")
        .and_where(Expr::col("business_id").eq(business_id))
        .order_by("on_date", Order::Desc)
        .order_by("id", Order::Desc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// Links a business and a site, both within `scope`, with `audit_entry`; linking twice
/// is harmless.
pub async fn link_site(
    db: &Db,
    business_id: i64,
    site_id: i64,
    scope: Scope,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<(), BusinessError> {
    if get(db, business_id, scope).await?.is_none() {
        return Err(BusinessError::UnknownBusiness);
    }
    if crate::sites::get(db, site_id, scope).await?.is_none() {
        return Err(BusinessError::UnknownSite);
    }
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("business_sites")
        .columns(["business_id", "site_id", "linked_by", "linked_at"])
        .values_panic([business_id.into(), site_id.into(), by.into(), crate::now().into()])
        .on_conflict(OnConflict::columns(["business_id", "site_id"]).do_nothing().to_owned())
        .to_owned();
    tx.exec().execute(&q).await?;
    if let Some(mut e) = audit_entry {
        e.target_type = "business".into();
        e.target_id = business_id.to_string();
        e.reason = format!("site {site_id}");
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A site linked to a business.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LinkedSite {
    /// Site id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its state (stored form).
    pub state: String,
}

/// The sites linked to a business (the caller has checked it is in scope).
pub async fn sites_of(db: &Db, business_id: i64) -> Result<Vec<LinkedSite>, DbError> {
    let q = Query::select()
        .columns([("s", "id"), ("s", "name"), ("s", "state")])
        .from_as("business_sites", "l")
        .join_as(JoinType::InnerJoin, "sites", "s", Expr::col(("s", "id")).equals(("l", "site_id")))
        .and_where(Expr::col(("l", "business_id")).eq(business_id))
        .order_by(("s", "id"), Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}
