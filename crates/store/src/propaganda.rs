//! Propaganda and education activities: recorded one by one, listed and totalled within
//! a scope. Scope goes through the unit the activity was held in (a commune, or the
//! province for province-wide ones); a partner department additionally sees only the
//! activities its own account recorded (`PropagandaFilter::recorded_by`). Nothing here is
//! personal data.

use crate::audit::{self, NewEntry};
use crate::db::Db;
use crate::error::DbError;
use crate::exec::{Count, IdRow};
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::propaganda::{PropagandaForm, VenueType};
use sea_query::{Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;
use std::collections::BTreeMap;

/// A new activity, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewActivity {
    /// The day it was held.
    pub held_on: NaiveDate,
    /// Where (a commune, or the province): decides scope.
    pub unit_id: i64,
    /// The organising unit or agency, as named.
    pub organiser: String,
    /// The kind of venue.
    pub venue_type: VenueType,
    /// The place (school name, hamlet, company).
    pub place: String,
    /// The form.
    pub form: PropagandaForm,
    /// People reached.
    pub participants: u32,
    /// Copies of materials handed out.
    pub materials: u32,
    /// Topic or content.
    pub topic: String,
}

/// A stored activity with its unit's code and name.
#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    /// Id.
    pub id: i64,
    /// Day held.
    pub held_on: NaiveDate,
    /// Unit id.
    pub unit_id: i64,
    /// Unit code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Organising unit or agency.
    pub organiser: String,
    /// Venue type.
    pub venue_type: VenueType,
    /// Place.
    pub place: String,
    /// Form.
    pub form: PropagandaForm,
    /// Participants.
    pub participants: i64,
    /// Materials handed out.
    pub materials: i64,
    /// Topic.
    pub topic: String,
    /// The recording account.
    pub created_by: Option<i64>,
    /// When recorded.
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    held_on: NaiveDate,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    organiser: String,
    venue_type: String,
    place: String,
    form: String,
    participants: i64,
    materials: i64,
    topic: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
}

fn stored<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, DbError> {
    r.map_err(|e| DbError::Other(format!("bad stored value: {e}")))
}

impl TryFrom<Row> for Activity {
    type Error = DbError;
    fn try_from(r: Row) -> Result<Self, DbError> {
        Ok(Activity {
            id: r.id,
            held_on: r.held_on,
            unit_id: r.unit_id,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            organiser: r.organiser,
            venue_type: stored(r.venue_type.parse())?,
            place: r.place,
            form: stored(r.form.parse())?,
            participants: r.participants,
            materials: r.materials,
            topic: r.topic,
            created_by: r.created_by,
            created_at: r.created_at,
        })
    }
}

/// Records an activity with `audit_entry` (its target set to the new id) in one
/// transaction.
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &Db,
    a: &NewActivity,
    created_by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<i64, DbError> {
    if a.organiser.trim().is_empty() {
        return Err(DbError::Invalid("an activity needs its organiser".into()));
    }
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("propaganda_activities")
        .columns([
            "held_on",
            "unit_id",
            "organiser",
            "venue_type",
            "place",
            "form",
            "participants",
            "materials",
            "topic",
            "created_by",
            "created_at",
        ])
        .values_panic([
            a.held_on.into(),
            a.unit_id.into(),
            a.organiser.trim().into(),
            a.venue_type.as_str().into(),
            a.place.trim().into(),
            a.form.as_str().into(),
            i64::from(a.participants).into(),
            i64::from(a.materials).into(),
            a.topic.trim().into(),
            created_by.into(),
            crate::now().into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    if let Some(mut e) = audit_entry {
        e.target_type = "propaganda".into();
        e.target_id = id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// How to narrow a list of activities.
#[derive(Debug, Clone, Default)]
pub struct PropagandaFilter {
    /// Held on or after.
    pub from: Option<NaiveDate>,
    /// Held on or before.
    pub to: Option<NaiveDate>,
    /// Held in this unit (a current commune includes the legacy ones in it).
    pub unit_id: Option<i64>,
    /// Only this venue type.
    pub venue_type: Option<VenueType>,
    /// Only this form.
    pub form: Option<PropagandaForm>,
    /// Only those recorded by this account (a partner's own).
    pub recorded_by: Option<i64>,
    /// Page size (0: no limit).
    pub limit: u64,
    /// Rows to skip.
    pub offset: u64,
}

fn cond(scope: Scope, f: &PropagandaFilter) -> Cond {
    let mut c = scope.cond("u");
    if let Some(d) = f.from {
        c = c.add(Expr::col(("a", "held_on")).gte(d));
    }
    if let Some(d) = f.to {
        c = c.add(Expr::col(("a", "held_on")).lte(d));
    }
    if let Some(u) = f.unit_id {
        c = c.add(
            Cond::any()
                .add(Expr::col(("a", "unit_id")).eq(u))
                .add(Expr::col(("u", "scope_commune_id")).eq(u)),
        );
    }
    if let Some(v) = f.venue_type {
        c = c.add(Expr::col(("a", "venue_type")).eq(v.as_str()));
    }
    if let Some(v) = f.form {
        c = c.add(Expr::col(("a", "form")).eq(v.as_str()));
    }
    if let Some(u) = f.recorded_by {
        c = c.add(Expr::col(("a", "created_by")).eq(u));
    }
    c
}

fn from_joined(q: &mut SelectStatement) {
    q.from_as("propaganda_activities", "a").join_as(
        JoinType::InnerJoin,
        "units",
        "u",
        Expr::col(("u", "id")).equals(("a", "unit_id")),
    );
}

/// Activities within `scope` matching the filter, newest first, with the total.
#[tracing::instrument(skip(db))]
pub async fn list(db: &Db, scope: Scope, f: &PropagandaFilter) -> Result<(Vec<Activity>, i64), DbError> {
    let c = cond(scope, f);
    let mut count = Query::select().expr_as(Expr::col(("a", "id")).count(), "n").to_owned();
    from_joined(&mut count);
    count.cond_where(c.clone());
    let total: Count = db.exec().fetch_one(&count).await?;
    let mut q = Query::select()
        .columns(
            [
                "id",
                "held_on",
                "unit_id",
                "organiser",
                "venue_type",
                "place",
                "form",
                "participants",
                "materials",
                "topic",
                "created_by",
                "created_at",
            ]
            .map(|c| ("a", c)),
        )
        .expr_as(Expr::col(("u", "code")), "unit_code")
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .to_owned();
    from_joined(&mut q);
    q.cond_where(c).order_by(("a", "held_on"), Order::Desc).order_by(("a", "id"), Order::Desc);
    if f.limit > 0 {
        q.limit(f.limit).offset(f.offset);
    }
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    Ok((rows.into_iter().map(Activity::try_from).collect::<Result<_, _>>()?, total.n))
}

/// One line of the totals: how many activities and how many people reached.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Activities.
    pub activities: i64,
    /// Participants.
    pub participants: i64,
    /// Materials handed out.
    pub materials: i64,
}

impl Tally {
    fn add(&mut self, participants: i64, materials: i64) {
        self.activities += 1;
        self.participants += participants;
        self.materials += materials;
    }
}

/// Totals of the activities matching a filter (paging ignored), overall and by
/// organiser, venue type and form (each in a stable order).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    /// Everything.
    pub all: Tally,
    /// By organising unit or agency, by name.
    pub by_organiser: BTreeMap<String, Tally>,
    /// By venue type.
    pub by_venue_type: BTreeMap<VenueType, Tally>,
    /// By form.
    pub by_form: BTreeMap<PropagandaForm, Tally>,
}

#[derive(sqlx::FromRow)]
struct TallyRow {
    organiser: String,
    venue_type: String,
    form: String,
    participants: i64,
    materials: i64,
}

/// The totals within `scope` (an aggregate: no identities). Summed in Rust over narrow
/// rows, so the figures are identical on both engines (no SUM type differences).
#[tracing::instrument(skip(db))]
pub async fn totals(db: &Db, scope: Scope, f: &PropagandaFilter) -> Result<Totals, DbError> {
    let mut q = Query::select()
        .columns(["organiser", "venue_type", "form", "participants", "materials"].map(|c| ("a", c)))
        .to_owned();
    from_joined(&mut q);
    q.cond_where(cond(scope, f));
    let rows: Vec<TallyRow> = db.exec().fetch_all(&q).await?;
    let mut t = Totals::default();
    for r in rows {
        t.all.add(r.participants, r.materials);
        t.by_organiser.entry(r.organiser).or_default().add(r.participants, r.materials);
        t.by_venue_type.entry(stored(r.venue_type.parse())?).or_default().add(r.participants, r.materials);
        t.by_form.entry(stored(r.form.parse())?).or_default().add(r.participants, r.materials);
    }
    Ok(t)
}
