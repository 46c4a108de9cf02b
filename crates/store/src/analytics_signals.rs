//! The analytics' signals to the registries (ANALYTICS.md §4), one table
//! `analytics_signals`: raised by a run of the analytics for a scope, at most one open
//! per (kind, cell, target), then accepted or dismissed with a reason by an officer. Scope
//! goes through the signal's unit (the site's, the area's, or the commune of the cell's
//! incidents).

use crate::audit::{self, NewEntry};
use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::exec::IdRow;
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::analytics_signal::{SignalKind, SignalStatus};
use sea_query::{Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;

/// A signal computed by a run, not yet stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSignal {
    /// What it asks for.
    pub kind: SignalKind,
    /// The H3 cell, lowercase hex.
    pub cell: String,
    /// Its resolution.
    pub resolution: u8,
    /// Latitude of the cell centre.
    pub lat: f64,
    /// Longitude of the cell centre.
    pub lon: f64,
    /// The unit that decides scope.
    pub unit_id: i64,
    /// The watched site (re-formation alerts).
    pub site_id: Option<i64>,
    /// The monitored area (relapse warnings).
    pub area_id: Option<i64>,
    /// The cell's EHSA category (`NEW_HOT`, …), or empty.
    pub category: String,
    /// Incidents behind the signal (in the cell, or within the radius).
    pub incidents: i64,
    /// First day of the analysed period.
    pub period_from: NaiveDate,
    /// Last day of the analysed period.
    pub period_to: NaiveDate,
    /// The run's parameters as JSON.
    pub params: String,
}

impl NewSignal {
    /// What "the same signal" means: the kind, the cell and this key.
    pub fn target_key(&self) -> String {
        match (self.site_id, self.area_id) {
            (Some(s), _) => format!("site:{s}"),
            (None, Some(a)) => format!("area:{a}"),
            (None, None) => String::new(),
        }
    }
}

/// A stored signal, with the names an officer needs.
#[derive(Debug, Clone, Serialize)]
pub struct Signal {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: SignalKind,
    /// H3 cell, hex.
    pub cell: String,
    /// Resolution of the cell.
    pub resolution: i64,
    /// Cell centre latitude.
    pub lat: f64,
    /// Cell centre longitude.
    pub lon: f64,
    /// The scoping unit's id.
    pub unit_id: i64,
    /// Its code.
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// The site, for re-formation alerts.
    pub site_id: Option<i64>,
    /// Its name.
    pub site_name: Option<String>,
    /// The area, for relapse warnings.
    pub area_id: Option<i64>,
    /// Its name.
    pub area_name: Option<String>,
    /// EHSA category of the cell.
    pub category: String,
    /// Incidents behind it.
    pub incidents: i64,
    /// Analysed period, first day.
    pub period_from: NaiveDate,
    /// Analysed period, last day.
    pub period_to: NaiveDate,
    /// Parameters of the run (JSON text).
    pub params: String,
    /// Who ran it.
    pub created_by: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// open, accepted or dismissed.
    pub status: SignalStatus,
    /// Who decided.
    pub decided_by: Option<i64>,
    /// Their user name.
    pub decided_by_name: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why.
    pub reason: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: String,
    cell: String,
    resolution: i64,
    lat: f64,
    lon: f64,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    site_id: Option<i64>,
    site_name: Option<String>,
    area_id: Option<i64>,
    area_name: Option<String>,
    category: String,
    incidents: i64,
    period_from: NaiveDate,
    period_to: NaiveDate,
    params: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    status: String,
    decided_by: Option<i64>,
    decided_by_name: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    reason: String,
}

fn stored<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, DbError> {
    r.map_err(|e| DbError::Other(format!("bad stored value: {e}")))
}

impl TryFrom<Row> for Signal {
    type Error = DbError;
    fn try_from(r: Row) -> Result<Self, DbError> {
        Ok(Signal {
            id: r.id,
            kind: stored(r.kind.parse())?,
            cell: r.cell,
            resolution: r.resolution,
            lat: r.lat,
            lon: r.lon,
            unit_id: r.unit_id,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            site_id: r.site_id,
            site_name: r.site_name,
            area_id: r.area_id,
            area_name: r.area_name,
            category: r.category,
            incidents: r.incidents,
            period_from: r.period_from,
            period_to: r.period_to,
            params: r.params,
            created_by: r.created_by,
            created_at: r.created_at,
            status: stored(r.status.parse())?,
            decided_by: r.decided_by,
            decided_by_name: r.decided_by_name,
            decided_at: r.decided_at,
            reason: r.reason,
        })
    }
}

fn select_signals() -> SelectStatement {
    Query::select()
        .columns(
            [
                "id",
                "kind",
                "cell",
                "resolution",
                "lat",
                "lon",
                "unit_id",
                "site_id",
                "area_id",
                "category",
                "incidents",
                "period_from",
                "period_to",
                "params",
                "created_by",
                "created_at",
                "status",
                "decided_by",
                "decided_at",
                "reason",
            ]
            .map(|c| ("g", c)),
        )
        .expr_as(Expr::col(("u", "code")), "unit_code")
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .expr_as(Expr::col(("s", "name")), "site_name")
        .expr_as(Expr::col(("a", "name")), "area_name")
        .expr_as(Expr::col(("d", "username")), "decided_by_name")
        .from_as("analytics_signals", "g")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("g", "unit_id")))
        .join_as(JoinType::LeftJoin, "sites", "s", Expr::col(("s", "id")).equals(("g", "site_id")))
        .join_as(JoinType::LeftJoin, "areas", "a", Expr::col(("a", "id")).equals(("g", "area_id")))
        .join_as(JoinType::LeftJoin, "users", "d", Expr::col(("d", "id")).equals(("g", "decided_by")))
        .to_owned()
}

/// What raising signals did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Raised {
    /// Ids of the new signals, in input order.
    pub created: Vec<i64>,
    /// Signals left out because the same one is already open.
    pub already_open: usize,
}

/// Stores the signals of a run, leaving out each one whose (kind, cell, target) is
/// already open, with `audit_entry` (target: the number created) when anything was
/// created, in one transaction.
#[tracing::instrument(skip_all, fields(n = list.len()))]
pub async fn raise(
    db: &Db,
    list: &[NewSignal],
    created_by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<Raised, DbError> {
    let mut tx = db.begin().await?;
    let mut out = Raised::default();
    for s in list {
        if is_open(&mut tx, s).await? {
            out.already_open += 1;
            continue;
        }
        out.created.push(insert(&mut tx, s, created_by).await?);
    }
    if let Some(mut e) = audit_entry.filter(|_| !out.created.is_empty()) {
        e.target_type = "analytics_signal".into();
        e.target_id = if out.created.len() == 1 {
            out.created[0].to_string()
        } else {
            format!("{} signals", out.created.len())
        };
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(out)
}

async fn is_open(tx: &mut Tx, s: &NewSignal) -> Result<bool, DbError> {
    let q = Query::select()
        .column("id")
        .from("analytics_signals")
        .and_where(Expr::col("kind").eq(s.kind.as_str()))
        .and_where(Expr::col("cell").eq(s.cell.as_str()))
        .and_where(Expr::col("target_key").eq(s.target_key()))
        .and_where(Expr::col("status").eq(SignalStatus::Open.as_str()))
        .to_owned();
    Ok(tx.exec().fetch_optional::<IdRow, _>(&q).await?.is_some())
}

async fn insert(tx: &mut Tx, s: &NewSignal, created_by: Option<i64>) -> Result<i64, DbError> {
    let q = Query::insert()
        .into_table("analytics_signals")
        .columns([
            "kind",
            "cell",
            "resolution",
            "lat",
            "lon",
            "unit_id",
            "site_id",
            "area_id",
            "target_key",
            "category",
            "incidents",
            "period_from",
            "period_to",
            "params",
            "created_by",
            "created_at",
            "status",
        ])
        .values_panic([
            s.kind.as_str().into(),
            s.cell.clone().into(),
            i64::from(s.resolution).into(),
            s.lat.into(),
            s.lon.into(),
            s.unit_id.into(),
            s.site_id.into(),
            s.area_id.into(),
            s.target_key().into(),
            s.category.clone().into(),
            s.incidents.into(),
            s.period_from.into(),
            s.period_to.into(),
            s.params.clone().into(),
            created_by.into(),
            crate::now().into(),
            SignalStatus::Open.as_str().into(),
        ])
        .returning_col("id")
        .to_owned();
    Ok(tx.exec().fetch_one::<IdRow, _>(&q).await?.id)
}

/// How to narrow the list.
#[derive(Debug, Clone, Default)]
pub struct SignalFilter {
    /// Only this status.
    pub status: Option<SignalStatus>,
    /// Only this kind.
    pub kind: Option<SignalKind>,
    /// At most this many (0: all).
    pub limit: u64,
}

/// Signals within `scope`, open ones first, newest first.
#[tracing::instrument(skip(db))]
pub async fn list(db: &Db, scope: Scope, f: &SignalFilter) -> Result<Vec<Signal>, DbError> {
    let mut cond = Cond::all().add(scope.cond("u"));
    if let Some(s) = f.status {
        cond = cond.add(Expr::col(("g", "status")).eq(s.as_str()));
    }
    if let Some(k) = f.kind {
        cond = cond.add(Expr::col(("g", "kind")).eq(k.as_str()));
    }
    let mut q = select_signals()
        .cond_where(cond)
        .order_by(("g", "created_at"), Order::Desc)
        .order_by(("g", "id"), Order::Desc)
        .to_owned();
    if f.limit > 0 {
        q.limit(f.limit);
    }
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    let mut v: Vec<Signal> = rows.into_iter().map(Signal::try_from).collect::<Result<_, _>>()?;
    // Open first; the sort is stable, so each group stays newest first.
    v.sort_by_key(|s| s.status != SignalStatus::Open);
    Ok(v)
}

/// One signal within `scope`; None when missing or outside it (answered alike).
pub async fn get(db: &Db, id: i64, scope: Scope) -> Result<Option<Signal>, DbError> {
    let q = select_signals().and_where(Expr::col(("g", "id")).eq(id)).cond_where(scope.cond("u")).to_owned();
    let row: Option<Row> = db.exec().fetch_optional(&q).await?;
    row.map(Signal::try_from).transpose()
}

/// Why a signal was not decided.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    /// No such signal in scope.
    #[error("no such signal")]
    NotFound,
    /// Already decided.
    #[error("this signal was already {0}")]
    AlreadyDecided(SignalStatus),
    /// Database.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Accepts or dismisses an open signal within `scope`, with the reason (validated by the
/// caller) and `audit_entry` (target: the signal), in one transaction.
#[tracing::instrument(skip(db, reason, audit_entry))]
pub async fn decide(
    db: &Db,
    id: i64,
    scope: Scope,
    accept: bool,
    reason: &str,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<Signal, DecideError> {
    let current = get(db, id, scope).await?.ok_or(DecideError::NotFound)?;
    if current.status != SignalStatus::Open {
        return Err(DecideError::AlreadyDecided(current.status));
    }
    let status = if accept { SignalStatus::Accepted } else { SignalStatus::Dismissed };
    let mut tx = db.begin().await?;
    let u = Query::update()
        .table("analytics_signals")
        .values([
            ("status", status.as_str().into()),
            ("decided_by", by.into()),
            ("decided_at", crate::now().into()),
            ("reason", reason.trim().chars().take(2000).collect::<String>().into()),
        ])
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(SignalStatus::Open.as_str()))
        .to_owned();
    if tx.exec().execute(&u).await? != 1 {
        return Err(DecideError::AlreadyDecided(status));
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "analytics_signal".into();
        e.target_id = id.to_string();
        if e.reason.is_empty() {
            e.reason = reason.trim().chars().take(500).collect();
        }
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    get(db, id, scope).await?.ok_or(DecideError::NotFound)
}
