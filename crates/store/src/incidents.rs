//! Incidents and the re-formation alerts they raise.
//!
//! An incident is recorded with the commune it counts towards (given, or the nearest
//! commune centre: the caller decides). In the same transaction, every site that was
//! eliminated or is under monitoring within the re-formation radius gets an alert
//! (`diaban_domain::incident::raises_reformation_alert` decides), which an officer
//! accepts or dismisses. Lists are scoped through the incident's or the site's unit.

use crate::audit::{self, NewEntry};
use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::exec::IdRow;
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::incident::{IncidentKind, raises_reformation_alert};
use diaban_domain::site::{LatLon, SiteState, haversine_m};
use sea_query::{Cond, Expr, ExprTrait, JoinType, Order, Query};
use serde::Serialize;

/// A new incident, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewIncident {
    /// What happened.
    pub kind: IncidentKind,
    /// When.
    pub on: NaiveDate,
    /// Where.
    pub location: LatLon,
    /// The commune it counts towards.
    pub unit_id: i64,
    /// manual, import, case or tip.
    pub source: String,
    /// Free text (no identities).
    pub note: String,
}

/// A stored incident.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: IncidentKind,
    /// Date.
    pub occurred_on: NaiveDate,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Its commune's id.
    pub unit_id: i64,
    /// Its commune's code.
    pub unit_code: String,
    /// Its commune's name.
    pub unit_name: String,
    /// Where it came from.
    pub source: String,
    /// Note.
    pub note: String,
    /// When recorded.
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: String,
    occurred_on: NaiveDate,
    lat: f64,
    lon: f64,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    source: String,
    note: String,
    created_at: DateTime<Utc>,
}

fn stored<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, DbError> {
    r.map_err(|e| DbError::Other(format!("bad stored value: {e}")))
}

impl TryFrom<Row> for Incident {
    type Error = DbError;
    fn try_from(r: Row) -> Result<Self, DbError> {
        Ok(Incident {
            id: r.id,
            kind: stored(r.kind.parse())?,
            occurred_on: r.occurred_on,
            lat: r.lat,
            lon: r.lon,
            unit_id: r.unit_id,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            source: r.source,
            note: r.note,
            created_at: r.created_at,
        })
    }
}

/// What recording incidents did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Recorded {
    /// The new incidents' ids, in input order.
    pub ids: Vec<i64>,
    /// Alerts raised on sites.
    pub alerts: Vec<i64>,
}

/// Records incidents and the alerts they raise, with `audit_entry` (target: the number
/// of incidents), in one transaction: all or nothing.
#[tracing::instrument(skip_all, fields(n = list.len()))]
pub async fn record_many(
    db: &Db,
    list: &[NewIncident],
    radius_m: f64,
    created_by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<Recorded, DbError> {
    let mut tx = db.begin().await?;
    let out = record_in(&mut tx, list, radius_m, created_by).await?;
    if let Some(mut e) = audit_entry {
        e.target_type = "incident".into();
        e.target_id =
            if out.ids.len() == 1 { out.ids[0].to_string() } else { format!("{} incidents", out.ids.len()) };
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(out)
}

/// [`record_many`] inside the caller's transaction, without an audit entry (the caller
/// writes its own): a triaged tip, or a case, records its incidents and their alerts with itself.
pub async fn record_in(
    tx: &mut Tx,
    list: &[NewIncident],
    radius_m: f64,
    created_by: Option<i64>,
) -> Result<Recorded, DbError> {
    let mut out = Recorded::default();
    for inc in list {
        let id = insert(tx, inc, created_by).await?;
        out.ids.push(id);
        out.alerts.extend(raise_alerts(tx, id, inc, radius_m).await?);
    }
    Ok(out)
}

async fn insert(tx: &mut Tx, inc: &NewIncident, created_by: Option<i64>) -> Result<i64, DbError> {
    let q = Query::insert()
        .into_table("incidents")
        .columns([
            "kind",
            "occurred_on",
            "lat",
            "lon",
            "unit_id",
            "source",
            "note",
            "created_by",
            "created_at",
        ])
        .values_panic([
            inc.kind.as_str().into(),
            inc.on.into(),
            inc.location.lat().into(),
            inc.location.lon().into(),
            inc.unit_id.into(),
            inc.source.clone().into(),
            inc.note.trim().to_owned().into(),
            created_by.into(),
            crate::now().into(),
        ])
        .returning_col("id")
        .to_owned();
    Ok(tx.exec().fetch_one::<IdRow, _>(&q).await?.id)
}

#[derive(sqlx::FromRow)]
struct WatchedRow {
    id: i64,
    state: String,
    state_since: NaiveDate,
    lat: f64,
    lon: f64,
}

async fn raise_alerts(
    tx: &mut Tx,
    incident_id: i64,
    inc: &NewIncident,
    radius_m: f64,
) -> Result<Vec<i64>, DbError> {
    let at = inc.location;
    let q = Query::select()
        .columns(["id", "state", "state_since", "lat", "lon"])
        .from("sites")
        .and_where(Expr::col("state").is_in([SiteState::Eliminated.as_str(), SiteState::Monitoring.as_str()]))
        .cond_where(crate::sites::within_box(at, radius_m))
        .order_by("id", Order::Asc)
        .to_owned();
    let rows: Vec<WatchedRow> = tx.exec().fetch_all(&q).await?;
    let mut ids = Vec::new();
    for r in rows {
        let state: SiteState = stored(r.state.parse())?;
        let d = haversine_m(at.lat(), at.lon(), r.lat, r.lon);
        if !raises_reformation_alert(state, r.state_since, inc.on, d, radius_m) {
            continue;
        }
        let q = Query::insert()
            .into_table("site_alerts")
            .columns(["site_id", "incident_id", "distance_m", "status", "raised_at"])
            .values_panic([r.id.into(), incident_id.into(), d.into(), "open".into(), crate::now().into()])
            .returning_col("id")
            .to_owned();
        ids.push(tx.exec().fetch_one::<IdRow, _>(&q).await?.id);
    }
    Ok(ids)
}

/// How to narrow a list of incidents.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    /// Only this kind.
    pub kind: Option<IncidentKind>,
    /// On or after.
    pub from: Option<NaiveDate>,
    /// On or before.
    pub to: Option<NaiveDate>,
    /// Only this commune.
    pub unit_id: Option<i64>,
    /// Page size; 0 = all.
    pub limit: u64,
    /// Rows to skip.
    pub offset: u64,
}

/// Incidents within `scope` matching the filter, newest first, with the total.
#[tracing::instrument(skip(db))]
pub async fn list(db: &Db, scope: Scope, f: &IncidentFilter) -> Result<(Vec<Incident>, i64), DbError> {
    let mut cond = Cond::all().add(scope.cond("u"));
    if let Some(k) = f.kind {
        cond = cond.add(Expr::col(("i", "kind")).eq(k.as_str()));
    }
    if let Some(d) = f.from {
        cond = cond.add(Expr::col(("i", "occurred_on")).gte(d));
    }
    if let Some(d) = f.to {
        cond = cond.add(Expr::col(("i", "occurred_on")).lte(d));
    }
    if let Some(u) = f.unit_id {
        cond = cond.add(Expr::col(("i", "unit_id")).eq(u));
    }
    let mut q = Query::select()
        .columns(
            ["id", "kind", "occurred_on", "lat", "lon", "unit_id", "source", "note", "created_at"]
                .map(|c| ("i", c)),
        )
        .expr_as(Expr::col(("u", "code")), "unit_code")
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .from_as("incidents", "i")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("i", "unit_id")))
        .cond_where(cond.clone())
        .order_by(("i", "occurred_on"), Order::Desc)
        .order_by(("i", "id"), Order::Desc)
        .to_owned();
    if f.limit > 0 {
        q.limit(f.limit).offset(f.offset);
    }
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    let count = Query::select()
        .expr_as(Expr::col(("i", "id")).count(), "n")
        .from_as("incidents", "i")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("i", "unit_id")))
        .cond_where(cond)
        .to_owned();
    let total = db.exec().fetch_one::<crate::exec::Count, _>(&count).await?.n;
    Ok((rows.into_iter().map(Incident::try_from).collect::<Result<_, _>>()?, total))
}

/// A re-formation alert with what the officer needs to judge it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Alert {
    /// Id.
    pub id: i64,
    /// The site.
    pub site_id: i64,
    /// Its name.
    pub site_name: String,
    /// The incident.
    pub incident_id: i64,
    /// Its kind.
    pub incident_kind: String,
    /// Its date.
    pub incident_on: NaiveDate,
    /// Distance from the site, metres.
    pub distance_m: f64,
    /// open, accepted or dismissed.
    pub status: String,
    /// When raised.
    pub raised_at: DateTime<Utc>,
    /// Who decided.
    pub decided_by: Option<i64>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why.
    pub decision_note: String,
}

fn select_alerts() -> sea_query::SelectStatement {
    Query::select()
        .columns(
            [
                "id",
                "site_id",
                "incident_id",
                "distance_m",
                "status",
                "raised_at",
                "decided_by",
                "decided_at",
                "decision_note",
            ]
            .map(|c| ("a", c)),
        )
        .expr_as(Expr::col(("s", "name")), "site_name")
        .expr_as(Expr::col(("i", "kind")), "incident_kind")
        .expr_as(Expr::col(("i", "occurred_on")), "incident_on")
        .from_as("site_alerts", "a")
        .join_as(JoinType::InnerJoin, "sites", "s", Expr::col(("s", "id")).equals(("a", "site_id")))
        .join_as(JoinType::InnerJoin, "incidents", "i", Expr::col(("i", "id")).equals(("a", "incident_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("s", "unit_id")))
        .to_owned()
}

/// The alerts on one site (the caller has checked the site is in scope), newest first.
pub async fn alerts_for_site(db: &Db, site_id: i64) -> Result<Vec<Alert>, DbError> {
    let q = select_alerts()
        .and_where(Expr::col(("a", "site_id")).eq(site_id))
        .order_by(("i", "occurred_on"), Order::Desc)
        .order_by(("a", "id"), Order::Desc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// Open alerts on sites within `scope`, newest first.
pub async fn open_alerts(db: &Db, scope: Scope) -> Result<Vec<Alert>, DbError> {
    let q = select_alerts()
        .and_where(Expr::col(("a", "status")).eq("open"))
        .cond_where(scope.cond("u"))
        .order_by(("i", "occurred_on"), Order::Desc)
        .order_by(("a", "id"), Order::Desc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// Why an alert was not decided.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    /// No such alert on a site in scope.
    #[error("no such alert")]
    NotFound,
    /// Already decided.
    #[error("this alert was already {0}")]
    AlreadyDecided(String),
    /// Database.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Accepts (`accept`) or dismisses an open alert on a site within `scope`, with a note
/// and `audit_entry`, in one transaction.
pub async fn decide(
    db: &Db,
    alert_id: i64,
    scope: Scope,
    accept: bool,
    note: &str,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<Alert, DecideError> {
    let q =
        select_alerts().and_where(Expr::col(("a", "id")).eq(alert_id)).cond_where(scope.cond("u")).to_owned();
    let current: Alert = db.exec().fetch_optional(&q).await?.ok_or(DecideError::NotFound)?;
    if current.status != "open" {
        return Err(DecideError::AlreadyDecided(current.status));
    }
    let status = if accept { "accepted" } else { "dismissed" };
    let mut tx = db.begin().await?;
    let u = Query::update()
        .table("site_alerts")
        .values([
            ("status", status.into()),
            ("decided_by", by.into()),
            ("decided_at", crate::now().into()),
            ("decision_note", note.trim().chars().take(4000).collect::<String>().into()),
        ])
        .and_where(Expr::col("id").eq(alert_id))
        .and_where(Expr::col("status").eq("open"))
        .to_owned();
    if tx.exec().execute(&u).await? != 1 {
        return Err(DecideError::AlreadyDecided("decided meanwhile".into()));
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "site_alert".into();
        e.target_id = alert_id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    let q = select_alerts().and_where(Expr::col(("a", "id")).eq(alert_id)).to_owned();
    Ok(db.exec().fetch_one(&q).await?)
}
