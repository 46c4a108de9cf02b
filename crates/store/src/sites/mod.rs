//! Drug sites (điểm, tụ điểm, điểm nguy cơ): the registry, the dated lifecycle and the
//! checks after elimination. Which steps are allowed and when checks fall due is decided
//! by `diaban_domain::site`; this module stores each step with who made it, keeps the
//! site's current state beside its history, and writes every change together with its
//! audit entry in one transaction. Lists and reads are scoped by unit inside the query,
//! through the unit's `scope_*_id` columns, so a site filed against a legacy commune
//! counts towards its current successor.

use crate::audit::{self, NewEntry};
use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::exec::{Count, IdRow};
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::attachment::CheckedFile;
use diaban_domain::site::{
    LatLon, SiteHistory, SiteKind, SiteParams, SiteState, TransitionError, monitoring_schedule, transition,
};
use diaban_vault::KeyRing;
use sea_query::{Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;
use std::collections::BTreeMap;

mod checks;
mod lifecycle;
mod nearby;

pub use checks::*;
pub use lifecycle::*;
pub use nearby::*;

/// A new site, validated by the caller (coordinates are a [`LatLon`], so in Vietnam).
#[derive(Debug, Clone)]
pub struct NewSite {
    /// Point, cluster or risk point.
    pub kind: SiteKind,
    /// Điểm nóng.
    pub hot_spot: bool,
    /// A short name ("Quán cà phê X, thôn Y").
    pub name: String,
    /// What happens there.
    pub description: String,
    /// Address text.
    pub address: String,
    /// The commune it lies in (current or legacy).
    pub unit_id: i64,
    /// Where it is.
    pub location: LatLon,
    /// The linked conditional business, by reference.
    pub business_ref: Option<String>,
    /// How it came to the police's attention.
    pub found_how: String,
    /// The officer in charge.
    pub responsible_user_id: Option<i64>,
    /// The state it is recorded in: `reported` or `listed`.
    pub state: SiteState,
    /// The date that state took effect.
    pub on: NaiveDate,
    /// Evidence or decision behind the first state.
    pub note: String,
}

/// A stored site, with its unit's code and name for display.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: SiteKind,
    /// Điểm nóng.
    pub hot_spot: bool,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Address text.
    pub address: String,
    /// Unit id.
    pub unit_id: i64,
    /// Unit code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Whether the unit is a legacy (pre-2025) one.
    pub unit_legacy: bool,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Linked conditional business.
    pub business_ref: Option<String>,
    /// How it was found.
    pub found_how: String,
    /// Officer in charge.
    pub responsible_user_id: Option<i64>,
    /// Current state.
    pub state: SiteState,
    /// Since when.
    pub state_since: NaiveDate,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: String,
    hot_spot: bool,
    name: String,
    description: String,
    address: String,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    unit_generation: String,
    lat: f64,
    lon: f64,
    business_ref: Option<String>,
    found_how: String,
    responsible_user_id: Option<i64>,
    state: String,
    state_since: NaiveDate,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn stored<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, DbError> {
    r.map_err(|e| DbError::Other(format!("bad stored value: {e}")))
}

impl TryFrom<Row> for Site {
    type Error = DbError;
    fn try_from(r: Row) -> Result<Self, DbError> {
        Ok(Site {
            id: r.id,
            kind: stored(r.kind.parse())?,
            hot_spot: r.hot_spot,
            name: r.name,
            description: r.description,
            address: r.address,
            unit_id: r.unit_id,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            unit_legacy: r.unit_generation == "legacy",
            lat: r.lat,
            lon: r.lon,
            business_ref: r.business_ref,
            found_how: r.found_how,
            responsible_user_id: r.responsible_user_id,
            state: stored(r.state.parse())?,
            state_since: r.state_since,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

const SITE_COLUMNS: [&str; 16] = [
    "id",
    "kind",
    "hot_spot",
    "name",
    "description",
    "address",
    "unit_id",
    "lat",
    "lon",
    "business_ref",
    "found_how",
    "responsible_user_id",
    "state",
    "state_since",
    "created_at",
    "updated_at",
];

fn join_units(q: &mut SelectStatement) {
    q.join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("s", "unit_id")));
}

fn select_sites() -> SelectStatement {
    let mut q = Query::select()
        .columns(SITE_COLUMNS.map(|c| ("s", c)))
        .expr_as(Expr::col(("u", "code")), "unit_code")
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .expr_as(Expr::col(("u", "generation")), "unit_generation")
        .from_as("sites", "s")
        .to_owned();
    join_units(&mut q);
    q
}

/// Why a change to a site was not made. Nothing is written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// No such site in the caller's scope.
    #[error("no such site")]
    NotFound,
    /// The lifecycle does not allow the step; the error lists the allowed targets.
    #[error(transparent)]
    Refused(TransitionError),
    /// The input breaks a rule (a date before the current state's, a check on a site
    /// not under monitoring, …).
    #[error("{0}")]
    Invalid(String),
    /// Someone else changed the site meanwhile.
    #[error("the site was changed by someone else meanwhile; reload and try again")]
    Concurrent,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

async fn insert_transition(
    tx: &mut Tx,
    site_id: i64,
    from: Option<SiteState>,
    to: SiteState,
    on: NaiveDate,
    by: Option<i64>,
    note: &str,
) -> Result<i64, DbError> {
    let q = Query::insert()
        .into_table("site_transitions")
        .columns(["site_id", "from_state", "to_state", "on_date", "by_user_id", "note", "created_at"])
        .values_panic([
            site_id.into(),
            from.map(|s| s.as_str().to_owned()).into(),
            to.as_str().into(),
            on.into(),
            by.into(),
            note.into(),
            crate::now().into(),
        ])
        .returning_col("id")
        .to_owned();
    Ok(tx.exec().fetch_one::<IdRow, _>(&q).await?.id)
}

/// Records a site and its first state, with `audit_entry` (its target set to the new
/// site) in the same transaction. The first state must be `reported` or `listed`.
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &Db,
    s: &NewSite,
    created_by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<i64, DbError> {
    let mut tx = db.begin().await?;
    let id = create_in(&mut tx, s, created_by).await?;
    if let Some(mut e) = audit_entry {
        e.target_type = "site".into();
        e.target_id = id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Records many sites in one transaction, with one `audit_entry` (its target set to the
/// number of sites): all of them or, on any failure, none. Returns their ids in order.
#[tracing::instrument(skip_all, fields(n = list.len()))]
pub async fn create_many(
    db: &Db,
    list: &[NewSite],
    created_by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<Vec<i64>, DbError> {
    let mut tx = db.begin().await?;
    let mut ids = Vec::with_capacity(list.len());
    for (i, s) in list.iter().enumerate() {
        let id = create_in(&mut tx, s, created_by).await.map_err(|e| match e {
            DbError::Invalid(m) => DbError::Invalid(format!("site {}: {m}", i + 1)),
            other => other,
        })?;
        ids.push(id);
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "site".into();
        e.target_id = format!("{} sites", ids.len());
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(ids)
}

/// [`create`] inside the caller's transaction (for imports: all rows or none).
pub async fn create_in(tx: &mut Tx, s: &NewSite, created_by: Option<i64>) -> Result<i64, DbError> {
    if !matches!(s.state, SiteState::Reported | SiteState::Listed) {
        return Err(DbError::Invalid(format!(
            "a new site starts as reported or listed, not {}",
            s.state.as_str()
        )));
    }
    if s.name.trim().is_empty() {
        return Err(DbError::Invalid("a site needs a name".into()));
    }
    let now = crate::now();
    let q = Query::insert()
        .into_table("sites")
        .columns([
            "kind",
            "hot_spot",
            "name",
            "description",
            "address",
            "unit_id",
            "lat",
            "lon",
            "business_ref",
            "found_how",
            "responsible_user_id",
            "state",
            "state_since",
            "created_at",
            "created_by",
            "updated_at",
        ])
        .values_panic([
            s.kind.as_str().into(),
            s.hot_spot.into(),
            s.name.trim().into(),
            s.description.clone().into(),
            s.address.clone().into(),
            s.unit_id.into(),
            s.location.lat().into(),
            s.location.lon().into(),
            s.business_ref.clone().filter(|b| !b.trim().is_empty()).into(),
            s.found_how.clone().into(),
            s.responsible_user_id.into(),
            s.state.as_str().into(),
            s.on.into(),
            now.into(),
            created_by.into(),
            now.into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    insert_transition(tx, id, None, s.state, s.on, created_by, &s.note).await?;
    Ok(id)
}

/// A site within `scope`; None when it does not exist or lies outside the scope (the
/// caller answers both the same way).
#[tracing::instrument(skip(db))]
pub async fn get(db: &Db, id: i64, scope: Scope) -> Result<Option<Site>, DbError> {
    let q = select_sites().and_where(Expr::col(("s", "id")).eq(id)).cond_where(scope.cond("u")).to_owned();
    let row: Option<Row> = db.exec().fetch_optional(&q).await?;
    row.map(Site::try_from).transpose()
}

/// How to narrow a list of sites.
#[derive(Debug, Clone, Default)]
pub struct SiteFilter {
    /// Sites of this unit: a current commune includes the legacy communes that went
    /// into it; a legacy unit matches only itself.
    pub unit_id: Option<i64>,
    /// Only this kind.
    pub kind: Option<SiteKind>,
    /// Only this state.
    pub state: Option<SiteState>,
    /// Only hot spots (true) or only the others (false).
    pub hot_spot: Option<bool>,
    /// Only sites with a pending check due before this date (overdue on it).
    pub overdue_on: Option<NaiveDate>,
    /// Page size (0: no limit).
    pub limit: u64,
    /// Rows to skip.
    pub offset: u64,
}

fn filter_cond(scope: Scope, f: &SiteFilter) -> Cond {
    let mut c = scope.cond("u");
    if let Some(u) = f.unit_id {
        c = c.add(
            Cond::any()
                .add(Expr::col(("s", "unit_id")).eq(u))
                .add(Expr::col(("u", "scope_commune_id")).eq(u)),
        );
    }
    if let Some(k) = f.kind {
        c = c.add(Expr::col(("s", "kind")).eq(k.as_str()));
    }
    if let Some(st) = f.state {
        c = c.add(Expr::col(("s", "state")).eq(st.as_str()));
    }
    if let Some(h) = f.hot_spot {
        c = c.add(Expr::col(("s", "hot_spot")).eq(h));
    }
    if let Some(day) = f.overdue_on {
        let pending = Query::select()
            .expr(Expr::val(1))
            .from_as("site_checks", "c")
            .and_where(Expr::col(("c", "site_id")).equals(("s", "id")))
            .and_where(Expr::col(("c", "done_on")).is_null())
            .and_where(Expr::col(("c", "due_on")).lt(day))
            .to_owned();
        c = c.add(Expr::exists(pending));
    }
    c
}

/// Sites within `scope` matching the filter, newest first, with the total before paging.
#[tracing::instrument(skip(db))]
pub async fn list(db: &Db, scope: Scope, f: &SiteFilter) -> Result<(Vec<Site>, i64), DbError> {
    let cond = filter_cond(scope, f);
    let mut count =
        Query::select().expr_as(Expr::col(("s", "id")).count(), "n").from_as("sites", "s").to_owned();
    join_units(&mut count);
    count.cond_where(cond.clone());
    let total: Count = db.exec().fetch_one(&count).await?;
    let mut q = select_sites().cond_where(cond).order_by(("s", "id"), Order::Desc).to_owned();
    if f.limit > 0 {
        q.limit(f.limit).offset(f.offset);
    }
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    let sites = rows.into_iter().map(Site::try_from).collect::<Result<Vec<_>, _>>()?;
    Ok((sites, total.n))
}

/// Corrects a site within `scope` to the fields of `e`, with `audit_entry`, in one
/// transaction. `e`'s first-state fields (`state`, `on`, `note`) are not used: a state
/// changes only through [`change_state`]. Refused with [`ChangeError::Concurrent`] when
/// the site changed since `seen_updated_at` (the value the form was built from), so one
/// officer's edit never silently undoes another's.
#[tracing::instrument(skip_all, fields(site = id))]
pub async fn update(
    db: &Db,
    id: i64,
    scope: Scope,
    e: &NewSite,
    seen_updated_at: Option<DateTime<Utc>>,
    audit_entry: Option<NewEntry>,
) -> Result<(), ChangeError> {
    if e.name.trim().is_empty() {
        return Err(ChangeError::Invalid("a site needs a name".into()));
    }
    let current = get(db, id, scope).await?.ok_or(ChangeError::NotFound)?;
    if seen_updated_at.is_some_and(|seen| seen != current.updated_at) {
        return Err(ChangeError::Concurrent);
    }
    let mut tx = db.begin().await?;
    let q = Query::update()
        .table("sites")
        .values([
            ("kind", e.kind.as_str().into()),
            ("hot_spot", e.hot_spot.into()),
            ("name", e.name.trim().into()),
            ("description", e.description.clone().into()),
            ("address", e.address.clone().into()),
            ("unit_id", e.unit_id.into()),
            ("lat", e.location.lat().into()),
            ("lon", e.location.lon().into()),
            ("business_ref", e.business_ref.clone().filter(|b| !b.trim().is_empty()).into()),
            ("found_how", e.found_how.clone().into()),
            ("responsible_user_id", e.responsible_user_id.into()),
            ("updated_at", crate::now().into()),
        ])
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("updated_at").eq(current.updated_at))
        .to_owned();
    if tx.exec().execute(&q).await.map_err(ChangeError::Db)? != 1 {
        return Err(ChangeError::Concurrent);
    }
    if let Some(mut a) = audit_entry {
        a.target_type = "site".into();
        a.target_id = id.to_string();
        audit::append_in(&mut tx, &a).await.map_err(ChangeError::Db)?;
    }
    tx.commit().await.map_err(ChangeError::Db)?;
    Ok(())
}

/// A site as the map draws it: no text beyond the name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MapPoint {
    /// Id.
    pub id: i64,
    /// Name (the marker's label).
    pub name: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Lifecycle state (stored form).
    pub state: String,
    /// Kind (stored form).
    pub kind: String,
    /// Điểm nóng.
    pub hot_spot: bool,
}

/// Every site within `scope` matching the filter (paging ignored), with only what a map
/// needs: one narrow query, no per-row conversion, for tens of thousands of markers.
#[tracing::instrument(skip(db))]
pub async fn map_points(db: &Db, scope: Scope, f: &SiteFilter) -> Result<Vec<MapPoint>, DbError> {
    let mut q = Query::select()
        .columns(["id", "name", "lat", "lon", "state", "kind", "hot_spot"].map(|c| ("s", c)))
        .from_as("sites", "s")
        .to_owned();
    join_units(&mut q);
    q.cond_where(filter_cond(scope, f)).order_by(("s", "id"), Order::Asc);
    db.exec().fetch_all(&q).await
}
