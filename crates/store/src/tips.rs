//! Anonymous tips and their triage. A tip is stored with its commune, an optional point,
//! and its description and address sealed with the data key (a tip may name people);
//! nothing about the sender is kept, and the follow-up code only as its SHA-256. Triage
//! turns a tip into an incident of kind `tip` (and may open a site or attach the tip to
//! an existing one), or dismisses it with a reason, each in one transaction with its
//! audit entry. Queues are scoped by the tip's commune like every other record.

use crate::audit::{self, NewEntry};
use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::exec::{Count, IdRow};
use crate::incidents::{self, NewIncident};
use crate::persons::Scope;
use crate::sites::{self, NewSite};
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::site::LatLon;
use diaban_domain::tip::TipStatus;
use diaban_vault::KeyRing;
use sea_query::{Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;

const AAD_TEXT: &[u8] = b"tips:text";
const AAD_ADDRESS: &[u8] = b"tips:address";

/// A tip as sent, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewTip {
    /// The commune chosen by the sender.
    pub unit_id: i64,
    /// The optional point on the map.
    pub location: Option<LatLon>,
    /// Free-text address (may be empty).
    pub address: String,
    /// What happens there.
    pub text: String,
    /// SHA-256 of the follow-up code, when the sender asked for one.
    pub follow_up_hash: Option<String>,
}

/// A tip, opened, with its commune for display.
#[derive(Debug, Clone, Serialize)]
pub struct Tip {
    /// Id.
    pub id: i64,
    /// Commune id.
    pub unit_id: i64,
    /// Commune code.
    pub unit_code: String,
    /// Commune name.
    pub unit_name: String,
    /// Latitude of the point, if one was given.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// Address text.
    pub address: String,
    /// What happens there.
    pub text: String,
    /// new, accepted or dismissed.
    pub status: TipStatus,
    /// When received.
    pub received_at: DateTime<Utc>,
    /// Who triaged it.
    pub triaged_by: Option<i64>,
    /// When.
    pub triaged_at: Option<DateTime<Utc>>,
    /// The incident it became.
    pub incident_id: Option<i64>,
    /// The site it opened or was attached to.
    pub site_id: Option<i64>,
    /// Why it was dismissed.
    pub dismiss_reason: String,
}

/// A line of a triage queue: what a list shows, no text (the text opens, audited, on
/// the tip's page).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TipLine {
    /// Id.
    pub id: i64,
    /// Commune code.
    pub unit_code: String,
    /// Commune name.
    pub unit_name: String,
    /// Whether a point was given.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// new, accepted or dismissed.
    pub status: String,
    /// When received.
    pub received_at: DateTime<Utc>,
    /// The incident it became.
    pub incident_id: Option<i64>,
    /// The site it opened or was attached to.
    pub site_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    lat: Option<f64>,
    lon: Option<f64>,
    address_sealed: Option<String>,
    text_sealed: String,
    status: String,
    received_at: DateTime<Utc>,
    triaged_by: Option<i64>,
    triaged_at: Option<DateTime<Utc>>,
    incident_id: Option<i64>,
    site_id: Option<i64>,
    dismiss_reason: String,
}

fn open(keys: &KeyRing, r: Row) -> Result<Tip, DbError> {
    let opened = |s: &str, aad: &[u8]| {
        keys.open(s, aad).map_err(|e| DbError::Other(format!("cannot open tip {}: {e}", r.id)))
    };
    Ok(Tip {
        id: r.id,
        unit_id: r.unit_id,
        unit_code: r.unit_code.clone(),
        unit_name: r.unit_name.clone(),
        lat: r.lat,
        lon: r.lon,
        address: r.address_sealed.as_deref().map(|a| opened(a, AAD_ADDRESS)).transpose()?.unwrap_or_default(),
        text: opened(&r.text_sealed, AAD_TEXT)?,
        status: r.status.parse().map_err(|e| DbError::Other(format!("bad stored value: {e}")))?,
        received_at: r.received_at,
        triaged_by: r.triaged_by,
        triaged_at: r.triaged_at,
        incident_id: r.incident_id,
        site_id: r.site_id,
        dismiss_reason: r.dismiss_reason,
    })
}

fn select() -> SelectStatement {
    Query::select()
        .columns(
            [
                "id",
                "unit_id",
                "lat",
                "lon",
                "address_sealed",
                "text_sealed",
                "status",
                "received_at",
                "triaged_by",
                "triaged_at",
                "incident_id",
                "site_id",
                "dismiss_reason",
            ]
            .map(|c| ("t", c)),
        )
        .expr_as(Expr::col(("u", "code")), "unit_code")
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .from_as("tips", "t")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("t", "unit_id")))
        .to_owned()
}

/// Stores a tip with `audit_entry` (its target set to the tip), in one transaction.
/// The entry must name no one: the actor is "anonymous" and the address empty.
#[tracing::instrument(skip_all)]
pub async fn submit(
    db: &Db,
    keys: &KeyRing,
    t: &NewTip,
    audit_entry: Option<NewEntry>,
) -> Result<i64, DbError> {
    if t.text.trim().is_empty() {
        return Err(DbError::Invalid("a tip needs a description".into()));
    }
    let address = Some(t.address.trim()).filter(|a| !a.is_empty()).map(|a| keys.seal(a, AAD_ADDRESS));
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("tips")
        .columns(["unit_id", "lat", "lon", "address_sealed", "text_sealed", "follow_up_hash", "received_at"])
        .values_panic([
            t.unit_id.into(),
            t.location.map(|p| p.lat()).into(),
            t.location.map(|p| p.lon()).into(),
            address.into(),
            keys.seal(t.text.trim(), AAD_TEXT).into(),
            t.follow_up_hash.clone().into(),
            crate::now().into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    if let Some(mut e) = audit_entry {
        e.target_type = "tip".into();
        e.target_id = id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// What the sender may learn with the follow-up code: the status and the days, nothing
/// the police wrote.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUp {
    /// new, accepted or dismissed.
    pub status: TipStatus,
    /// The day it was received (Vietnam time).
    pub received_on: NaiveDate,
    /// The day it was triaged.
    pub triaged_on: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct FollowUpRow {
    status: String,
    received_at: DateTime<Utc>,
    triaged_at: Option<DateTime<Utc>>,
}

/// The status of the tip whose follow-up code hashes to `code_hash`.
pub async fn follow_up(db: &Db, code_hash: &str) -> Result<Option<FollowUp>, DbError> {
    let q = Query::select()
        .columns(["status", "received_at", "triaged_at"])
        .from("tips")
        .and_where(Expr::col("follow_up_hash").eq(code_hash))
        .to_owned();
    let row: Option<FollowUpRow> = db.exec().fetch_optional(&q).await?;
    let day = |t: DateTime<Utc>| t.with_timezone(&diaban_domain::time::vietnam_offset()).date_naive();
    row.map(|r| {
        Ok(FollowUp {
            status: r.status.parse().map_err(|e| DbError::Other(format!("bad stored value: {e}")))?,
            received_on: day(r.received_at),
            triaged_on: r.triaged_at.map(day),
        })
    })
    .transpose()
}

/// The tips within `scope`, optionally of one status, oldest new first (a queue), with
/// the total.
#[tracing::instrument(skip(db))]
pub async fn queue(
    db: &Db,
    scope: Scope,
    status: Option<TipStatus>,
    limit: u64,
) -> Result<(Vec<TipLine>, i64), DbError> {
    let mut cond = Cond::all().add(scope.cond("u"));
    if let Some(s) = status {
        cond = cond.add(Expr::col(("t", "status")).eq(s.as_str()));
    }
    let mut q = Query::select()
        .columns(["id", "lat", "lon", "status", "received_at", "incident_id", "site_id"].map(|c| ("t", c)))
        .expr_as(Expr::col(("u", "code")), "unit_code")
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .from_as("tips", "t")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("t", "unit_id")))
        .cond_where(cond.clone())
        .order_by(("t", "received_at"), Order::Desc)
        .order_by(("t", "id"), Order::Desc)
        .to_owned();
    if limit > 0 {
        q.limit(limit);
    }
    let rows = db.exec().fetch_all(&q).await?;
    let count = Query::select()
        .expr_as(Expr::col(("t", "id")).count(), "n")
        .from_as("tips", "t")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("t", "unit_id")))
        .cond_where(cond)
        .to_owned();
    Ok((rows, db.exec().fetch_one::<Count, _>(&count).await?.n))
}

/// One tip within `scope`, opened; None when missing or out of scope (answered alike).
pub async fn get(db: &Db, keys: &KeyRing, id: i64, scope: Scope) -> Result<Option<Tip>, DbError> {
    let q = select().and_where(Expr::col(("t", "id")).eq(id)).cond_where(scope.cond("u")).to_owned();
    let row: Option<Row> = db.exec().fetch_optional(&q).await?;
    row.map(|r| open(keys, r)).transpose()
}

/// What triage does with the site.
#[derive(Debug, Clone)]
pub enum SiteChoice {
    /// Nothing.
    None,
    /// Open a new site (state `reported`).
    New(Box<NewSite>),
    /// Attach the tip to this site (checked to be in scope).
    Existing(i64),
}

/// Why a triage was not made. Nothing is written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    /// No such tip in scope.
    #[error("no such tip")]
    NotFound,
    /// The tip was triaged already (perhaps meanwhile).
    #[error("this tip was already triaged ({0})")]
    AlreadyTriaged(String),
    /// The site to attach to is not in scope.
    #[error("no such site")]
    SiteNotFound,
    /// Database.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// What an accepted tip became.
#[derive(Debug, Clone, Serialize)]
pub struct Accepted {
    /// The new incident.
    pub incident_id: i64,
    /// Re-formation alerts it raised.
    pub alerts: Vec<i64>,
    /// The site opened or attached to.
    pub site_id: Option<i64>,
}

async fn current_status(db: &Db, id: i64, scope: Scope) -> Result<TipStatus, TriageError> {
    let q = Query::select()
        .column(("t", "status"))
        .from_as("tips", "t")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("t", "unit_id")))
        .and_where(Expr::col(("t", "id")).eq(id))
        .cond_where(scope.cond("u"))
        .to_owned();
    #[derive(sqlx::FromRow)]
    struct S {
        status: String,
    }
    let s: S = db.exec().fetch_optional(&q).await?.ok_or(TriageError::NotFound)?;
    s.status.parse().map_err(|e| TriageError::Db(DbError::Other(format!("bad stored value: {e}"))))
}

/// Marks the tip triaged if it is still new; false when someone triaged it meanwhile.
async fn mark(
    tx: &mut Tx,
    id: i64,
    status: TipStatus,
    by: Option<i64>,
    incident_id: Option<i64>,
    site_id: Option<i64>,
    reason: &str,
) -> Result<bool, DbError> {
    let q = Query::update()
        .table("tips")
        .values([
            ("status", status.as_str().into()),
            ("triaged_by", by.into()),
            ("triaged_at", crate::now().into()),
            ("incident_id", incident_id.into()),
            ("site_id", site_id.into()),
            ("dismiss_reason", reason.trim().chars().take(2000).collect::<String>().into()),
        ])
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(TipStatus::New.as_str()))
        .to_owned();
    Ok(tx.exec().execute(&q).await? == 1)
}

/// What accepting a tip records: the incident (kind `tip`), the site it opens or attaches
/// to, and the radius within which the incident raises alerts.
#[derive(Debug, Clone)]
pub struct Acceptance {
    /// The incident the tip becomes.
    pub incident: NewIncident,
    /// Whether the tip opens a new site, attaches to an existing one, or neither.
    pub site: SiteChoice,
    /// Radius (metres) within which the incident raises alerts.
    pub radius_m: f64,
}

/// Accepts a new tip within `scope`: records the acceptance's incident (with the alerts it
/// raises within its radius), opens or attaches the site, marks the tip, and writes
/// `audit_entry` — all in one transaction.
#[tracing::instrument(skip_all, fields(tip = id))]
pub async fn accept(
    db: &Db,
    id: i64,
    scope: Scope,
    acceptance: &Acceptance,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<Accepted, TriageError> {
    let Acceptance { incident, site, radius_m } = acceptance;
    let radius_m = *radius_m;
    let status = current_status(db, id, scope).await?;
    if status != TipStatus::New {
        return Err(TriageError::AlreadyTriaged(status.as_str().into()));
    }
    if let SiteChoice::Existing(site_id) = site
        && sites::get(db, *site_id, scope).await?.is_none()
    {
        return Err(TriageError::SiteNotFound);
    }
    let mut tx = db.begin().await?;
    let rec = incidents::record_in(&mut tx, std::slice::from_ref(incident), radius_m, by).await?;
    let incident_id = rec.ids[0];
    let site_id = match site {
        SiteChoice::None => None,
        SiteChoice::Existing(s) => Some(*s),
        SiteChoice::New(new) => Some(sites::create_in(&mut tx, new, by).await?),
    };
    if !mark(&mut tx, id, TipStatus::Accepted, by, Some(incident_id), site_id, "").await? {
        return Err(TriageError::AlreadyTriaged("meanwhile".into()));
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "tip".into();
        e.target_id = id.to_string();
        e.reason = match (site, site_id) {
            (SiteChoice::New(_), Some(s)) => format!("incident {incident_id}; new site {s}"),
            (SiteChoice::Existing(_), Some(s)) => format!("incident {incident_id}; site {s}"),
            _ => format!("incident {incident_id}"),
        };
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(Accepted { incident_id, alerts: rec.alerts, site_id })
}

/// Dismisses a new tip within `scope` with a reason, with `audit_entry`, in one
/// transaction.
#[tracing::instrument(skip_all, fields(tip = id))]
pub async fn dismiss(
    db: &Db,
    id: i64,
    scope: Scope,
    reason: &str,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<(), TriageError> {
    if reason.trim().is_empty() {
        return Err(TriageError::Db(DbError::Invalid("dismissing a tip needs a reason".into())));
    }
    let status = current_status(db, id, scope).await?;
    if status != TipStatus::New {
        return Err(TriageError::AlreadyTriaged(status.as_str().into()));
    }
    let mut tx = db.begin().await?;
    if !mark(&mut tx, id, TipStatus::Dismissed, by, None, None, reason).await? {
        return Err(TriageError::AlreadyTriaged("meanwhile".into()));
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "tip".into();
        e.target_id = id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Re-seals every tip's text and address under `new` (key rotation), inside the
/// rotation's transaction.
pub(crate) async fn reseal_in(tx: &mut Tx, old: &KeyRing, new: &KeyRing) -> Result<usize, DbError> {
    #[derive(sqlx::FromRow)]
    struct Sealed {
        id: i64,
        address_sealed: Option<String>,
        text_sealed: String,
    }
    let q = Query::select()
        .columns(["id", "address_sealed", "text_sealed"])
        .from("tips")
        .order_by("id", Order::Asc)
        .to_owned();
    let rows: Vec<Sealed> = tx.exec().fetch_all(&q).await?;
    let n = rows.len();
    for r in rows {
        let err = |e: diaban_vault::VaultError| DbError::Other(format!("cannot re-seal tip {}: {e}", r.id));
        let text = new.seal(&old.open(&r.text_sealed, AAD_TEXT).map_err(err)?, AAD_TEXT);
        let address = match r.address_sealed.as_deref() {
            Some(a) => Some(new.seal(&old.open(a, AAD_ADDRESS).map_err(err)?, AAD_ADDRESS)),
            None => None,
        };
        let u = Query::update()
            .table("tips")
            .values([("text_sealed", text.into()), ("address_sealed", address.into())])
            .and_where(Expr::col("id").eq(r.id))
            .to_owned();
        tx.exec().execute(&u).await?;
    }
    Ok(n)
}

fn served_provinces() -> SelectStatement {
    Query::select()
        .distinct()
        .column(("su", "scope_province_id"))
        .from_as("users", "a")
        .join_as(JoinType::InnerJoin, "units", "su", Expr::col(("su", "id")).equals(("a", "unit_id")))
        .and_where(Expr::col(("a", "disabled")).eq(false))
        .to_owned()
}

/// A commune a tip may be sent to.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CommuneRow {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Approximate centre.
    pub lat: Option<f64>,
    /// Approximate centre.
    pub lon: Option<f64>,
}

/// The current communes of the provinces this deployment serves (those its accounts are
/// scoped to), by name: what a citizen may choose on the tip form.
pub async fn served_communes(db: &Db) -> Result<Vec<CommuneRow>, DbError> {
    let q = Query::select()
        .columns(["id", "code", "name", "lat", "lon"])
        .from("units")
        .and_where(Expr::col("level").eq("commune"))
        .and_where(Expr::col("generation").eq("2025"))
        .and_where(Expr::col("scope_province_id").in_subquery(served_provinces()))
        .order_by("name", Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// The id of the current commune with `code` among [`served_communes`], if any.
pub async fn served_commune(db: &Db, code: &str) -> Result<Option<i64>, DbError> {
    let q = Query::select()
        .columns(["id", "code", "name", "lat", "lon"])
        .from("units")
        .and_where(Expr::col("code").eq(code))
        .and_where(Expr::col("level").eq("commune"))
        .and_where(Expr::col("generation").eq("2025"))
        .and_where(Expr::col("scope_province_id").in_subquery(served_provinces()))
        .to_owned();
    let row: Option<CommuneRow> = db.exec().fetch_optional(&q).await?;
    Ok(row.map(|r| r.id))
}
