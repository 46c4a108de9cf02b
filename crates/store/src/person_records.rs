//! What happens to a person under management: the measures (episodes) with their legal
//! terms, the services received, events and the officer's decision on the measure the law
//! proposes, and the profile the statistics read (substances, duration of use, where
//! held). Nothing here is identifying; the person's identity stays sealed in `persons`.
//! Every write runs in one transaction with its audit entry; the rules that need the
//! person's other measures (no overlap, first time or repeat) are checked inside it.

use crate::audit::{self, NewEntry};
use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::exec::{Count, IdRow};
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::person::{
    DurationRules, EndReason, EpisodeError, EpisodeKind, EpisodeSpan, EventKind, HeldIn, PersonEvent, Regime,
    Substance, check_no_overlap, parse_substances, proposals, substances_text,
};
use sea_query::{Expr, ExprTrait, JoinType, OnConflict, Order, Query};
use serde::Serialize;

/// The parameter group of the terms of measures under both regimes
/// ([`DurationRules`], effective-dated: the value in force on a decision's date applies).
pub const DURATIONS: &str = "person_durations";

/// Whether person `id` exists within `scope`, without opening anything.
pub async fn in_scope(db: &Db, id: i64, scope: Scope) -> Result<bool, DbError> {
    let q = Query::select()
        .expr_as(Expr::col(("p", "id")).count(), "n")
        .from_as("persons", "p")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .and_where(Expr::col(("p", "id")).eq(id))
        .cond_where(scope.cond("u"))
        .to_owned();
    let c: Count = db.exec().fetch_one(&q).await?;
    Ok(c.n > 0)
}

/// The current commune person `id`'s record counts towards.
pub async fn residence_commune(db: &Db, id: i64) -> Result<Option<i64>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        commune: Option<i64>,
    }
    let q = Query::select()
        .expr_as(Expr::col(("u", "scope_commune_id")), sea_query::Alias::new("commune"))
        .from_as("persons", "p")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .and_where(Expr::col(("p", "id")).eq(id))
        .to_owned();
    let r: Option<Row> = db.exec().fetch_optional(&q).await?;
    Ok(r.and_then(|r| r.commune))
}

// ---------------------------------------------------------------------------------------
// Profile

/// What a record says about use, for the statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// Substances used.
    pub substances: Vec<Substance>,
    /// The year use began.
    pub use_since_year: Option<i32>,
    /// Occupation as written.
    pub occupation: String,
    /// Education as written.
    pub education: String,
    /// Where the person is held.
    pub held_in: HeldIn,
}

impl Default for Profile {
    fn default() -> Self {
        Self {
            substances: vec![],
            use_since_year: None,
            occupation: String::new(),
            education: String::new(),
            held_in: HeldIn::Community,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ProfileRow {
    substances: String,
    use_since_year: Option<i64>,
    occupation: String,
    education: String,
    held_in: String,
}

impl ProfileRow {
    fn into_profile(self) -> Result<Profile, DbError> {
        Ok(Profile {
            substances: parse_substances(&self.substances).map_err(|e| DbError::Other(e.to_string()))?,
            use_since_year: self.use_since_year.and_then(|y| i32::try_from(y).ok()),
            occupation: self.occupation,
            education: self.education,
            held_in: self
                .held_in
                .parse()
                .map_err(|e: diaban_domain::person::UnknownPersonValue| DbError::Other(e.to_string()))?,
        })
    }
}

/// A person's profile; the defaults when none was recorded.
pub async fn profile(db: &Db, person_id: i64) -> Result<Profile, DbError> {
    let q = Query::select()
        .columns(["substances", "use_since_year", "occupation", "education", "held_in"])
        .from("person_profiles")
        .and_where(Expr::col("person_id").eq(person_id))
        .to_owned();
    let row: Option<ProfileRow> = db.exec().fetch_optional(&q).await?;
    row.map(ProfileRow::into_profile).transpose().map(Option::unwrap_or_default)
}

/// Records a person's profile (replacing the previous one), audited.
pub async fn set_profile(
    db: &Db,
    person_id: i64,
    p: &Profile,
    by: Option<i64>,
    audit_entry: NewEntry,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("person_profiles")
        .columns([
            "person_id",
            "substances",
            "use_since_year",
            "occupation",
            "education",
            "held_in",
            "updated_by",
            "updated_at",
        ])
        .values_panic([
            person_id.into(),
            substances_text(&p.substances).into(),
            p.use_since_year.map(i64::from).into(),
            p.occupation.clone().into(),
            p.education.clone().into(),
            p.held_in.as_str().into(),
            by.into(),
            crate::now().into(),
        ])
        .on_conflict(
            OnConflict::column("person_id")
                .update_columns([
                    "substances",
                    "use_since_year",
                    "occupation",
                    "education",
                    "held_in",
                    "updated_by",
                    "updated_at",
                ])
                .to_owned(),
        )
        .to_owned();
    tx.exec().execute(&q).await?;
    crate::person_facts::refresh(&mut tx, &[person_id]).await?;
    append(&mut tx, audit_entry, person_id).await?;
    tx.commit().await
}

async fn append(tx: &mut Tx, mut e: NewEntry, person_id: i64) -> Result<(), DbError> {
    e.target_type = "person".into();
    e.target_id = person_id.to_string();
    audit::append_in(tx, &e).await.map(|_| ())
}

// ---------------------------------------------------------------------------------------
// Episodes

/// A measure as the officer enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEpisode {
    /// Which measure.
    pub kind: EpisodeKind,
    /// Number of the decision (may be empty for an addiction determination).
    pub decision_number: String,
    /// Date of the decision: chooses the regime and the terms in force.
    pub decision_date: NaiveDate,
    /// Who signed it.
    pub signer: String,
    /// The first day it runs.
    pub start: NaiveDate,
    /// The term the decision fixed, when the regime gives a range.
    pub term_months: Option<u32>,
    /// Set when the measure has already ended.
    pub actual_end: Option<NaiveDate>,
    /// Why it ended (with `actual_end`).
    pub end_reason: Option<EndReason>,
    /// Addiction determination: criteria met, of six.
    pub criteria_met: Option<u8>,
    /// Facility or provider.
    pub place: String,
}

/// A stored measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Episode {
    /// Id.
    pub id: i64,
    /// The person.
    pub person_id: i64,
    /// Which measure.
    pub kind: EpisodeKind,
    /// The regime of the decision date.
    pub regime: Regime,
    /// Decision number.
    pub decision_number: String,
    /// Decision date.
    pub decision_date: NaiveDate,
    /// Signer.
    pub signer: String,
    /// First day.
    pub start: NaiveDate,
    /// Term in months, `None` without a term.
    pub term_months: Option<u32>,
    /// Whether the repeat term applied.
    pub is_repeat: bool,
    /// First day it no longer runs, by its term.
    pub planned_end: Option<NaiveDate>,
    /// First day it no longer ran, when it has ended.
    pub actual_end: Option<NaiveDate>,
    /// Why it ended.
    pub end_reason: Option<EndReason>,
    /// Criteria met (addiction determination).
    pub criteria_met: Option<u8>,
    /// Facility or provider.
    pub place: String,
    /// First day of the duration parameters applied; `None`: the defaults.
    pub terms_from: Option<NaiveDate>,
    /// When recorded.
    pub created_at: DateTime<Utc>,
}

impl Episode {
    /// The span the overlap rule and the statistics see: to the actual end, else the
    /// planned one; an addiction determination is one day.
    pub fn span(&self) -> EpisodeSpan {
        let end = match self.kind {
            EpisodeKind::AddictionDetermination => self.start.succ_opt(),
            _ => self.actual_end.or(self.planned_end),
        };
        EpisodeSpan { kind: self.kind, start: self.start, end }
    }

    /// Whether it runs on `day`.
    pub fn runs_on(&self, day: NaiveDate) -> bool {
        let s = self.span();
        s.start <= day && s.end.is_none_or(|e| day < e)
    }
}

#[derive(sqlx::FromRow)]
struct EpisodeRow {
    id: i64,
    person_id: i64,
    kind: String,
    regime: String,
    decision_number: String,
    decision_date: NaiveDate,
    signer: String,
    start_on: NaiveDate,
    term_months: Option<i64>,
    is_repeat: bool,
    planned_end: Option<NaiveDate>,
    actual_end: Option<NaiveDate>,
    end_reason: Option<String>,
    criteria_met: Option<i64>,
    place: String,
    terms_from: Option<NaiveDate>,
    created_at: DateTime<Utc>,
}

fn bad(e: impl std::fmt::Display) -> DbError {
    DbError::Other(e.to_string())
}

impl EpisodeRow {
    fn decode(self) -> Result<Episode, DbError> {
        Ok(Episode {
            id: self.id,
            person_id: self.person_id,
            kind: self.kind.parse().map_err(bad)?,
            regime: self.regime.parse().map_err(bad)?,
            decision_number: self.decision_number,
            decision_date: self.decision_date,
            signer: self.signer,
            start: self.start_on,
            term_months: self.term_months.and_then(|m| u32::try_from(m).ok()),
            is_repeat: self.is_repeat,
            planned_end: self.planned_end,
            actual_end: self.actual_end,
            end_reason: self.end_reason.map(|r| r.parse()).transpose().map_err(bad)?,
            criteria_met: self.criteria_met.and_then(|c| u8::try_from(c).ok()),
            place: self.place,
            terms_from: self.terms_from,
            created_at: self.created_at,
        })
    }
}

const EPISODE_COLUMNS: [&str; 17] = [
    "id",
    "person_id",
    "kind",
    "regime",
    "decision_number",
    "decision_date",
    "signer",
    "start_on",
    "term_months",
    "is_repeat",
    "planned_end",
    "actual_end",
    "end_reason",
    "criteria_met",
    "place",
    "terms_from",
    "created_at",
];

async fn episodes_in(tx: &mut Tx, person_id: i64) -> Result<Vec<Episode>, DbError> {
    let q = Query::select()
        .columns(EPISODE_COLUMNS)
        .from("person_episodes")
        .and_where(Expr::col("person_id").eq(person_id))
        .order_by("start_on", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    let rows: Vec<EpisodeRow> = tx.exec().fetch_all(&q).await?;
    rows.into_iter().map(EpisodeRow::decode).collect()
}

/// A person's measures, oldest first.
pub async fn episodes(db: &Db, person_id: i64) -> Result<Vec<Episode>, DbError> {
    let q = Query::select()
        .columns(EPISODE_COLUMNS)
        .from("person_episodes")
        .and_where(Expr::col("person_id").eq(person_id))
        .order_by("start_on", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    let rows: Vec<EpisodeRow> = db.exec().fetch_all(&q).await?;
    rows.into_iter().map(EpisodeRow::decode).collect()
}

/// Whether a new measure of `kind` is a repeat: the person had a rehab measure before (for
/// a rehab form, any form counts: Law 120/2025's 36 months are for a person rehabbed
/// before), or a measure of the same kind (otherwise).
pub fn is_repeat(existing: &[Episode], kind: EpisodeKind, start: NaiveDate) -> bool {
    existing
        .iter()
        .any(|e| e.start < start && if kind.is_rehab() { e.kind.is_rehab() } else { e.kind == kind })
}

/// Adds a measure: the terms in force on the decision date give the planned end, and it
/// must not overlap a measure of the same kind. `Ok(Err(_))` is a refusal to show the
/// officer; nothing is written then.
pub async fn add_episode(
    db: &Db,
    person_id: i64,
    n: &NewEpisode,
    by: Option<i64>,
    audit_entry: NewEntry,
) -> Result<Result<i64, EpisodeError>, DbError> {
    let (rules, terms_from): (DurationRules, _) =
        crate::parameters::in_force_dated(db, DURATIONS, n.decision_date).await?;
    let mut tx = db.begin().await?;
    let id = match insert_episode(&mut tx, person_id, n, &rules, terms_from, by).await? {
        Ok(id) => id,
        Err(e) => return Ok(Err(e)),
    };
    crate::person_facts::refresh(&mut tx, &[person_id]).await?;
    append(&mut tx, audit_entry, person_id).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

async fn insert_episode(
    tx: &mut Tx,
    person_id: i64,
    n: &NewEpisode,
    rules: &DurationRules,
    terms_from: Option<NaiveDate>,
    by: Option<i64>,
) -> Result<Result<i64, EpisodeError>, DbError> {
    let existing = episodes_in(tx, person_id).await?;
    let regime = Regime::for_decision(n.decision_date);
    let repeat = is_repeat(&existing, n.kind, n.start);
    let planned_end = match rules.planned_end(n.kind, n.start, regime, repeat, n.term_months) {
        Ok(e) => e,
        Err(e) => return Ok(Err(e)),
    };
    let term_months = match (n.term_months, rules.term(n.kind, regime, repeat)) {
        (Some(m), _) => Some(m),
        (None, Some(r)) => Some(r.min),
        (None, None) => None,
    };
    let span_end = match n.kind {
        EpisodeKind::AddictionDetermination => n.actual_end.or(n.start.succ_opt()),
        _ => n.actual_end.or(planned_end),
    };
    if let Some(end) = n.actual_end
        && end <= n.start
    {
        return Ok(Err(EpisodeError::EndNotAfterStart { start: n.start, end }));
    }
    let spans: Vec<EpisodeSpan> = existing.iter().map(Episode::span).collect();
    if let Err(e) = check_no_overlap(&spans, &EpisodeSpan { kind: n.kind, start: n.start, end: span_end }) {
        return Ok(Err(e));
    }
    let q = Query::insert()
        .into_table("person_episodes")
        .columns([
            "person_id",
            "kind",
            "regime",
            "decision_number",
            "decision_date",
            "signer",
            "start_on",
            "term_months",
            "is_repeat",
            "planned_end",
            "actual_end",
            "end_reason",
            "criteria_met",
            "place",
            "terms_from",
            "created_by",
            "created_at",
        ])
        .values_panic([
            person_id.into(),
            n.kind.as_str().into(),
            regime.as_str().into(),
            n.decision_number.clone().into(),
            n.decision_date.into(),
            n.signer.clone().into(),
            n.start.into(),
            term_months.map(i64::from).into(),
            repeat.into(),
            planned_end.into(),
            n.actual_end.into(),
            n.end_reason.map(|r| r.as_str()).into(),
            n.criteria_met.map(i64::from).into(),
            n.place.clone().into(),
            terms_from.into(),
            by.into(),
            crate::now().into(),
        ])
        .returning_col("id")
        .to_owned();
    let r: IdRow = tx.exec().fetch_one(&q).await?;
    Ok(Ok(r.id))
}

/// Why ending a measure was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndRefusal {
    /// The measure has ended already.
    #[error("the measure ended already")]
    AlreadyEnded,
    /// The end is not after the start.
    #[error(transparent)]
    Dates(#[from] EpisodeError),
}

/// Ends a running measure on `on` (the first day it no longer runs) for `reason`.
pub async fn end_episode(
    db: &Db,
    person_id: i64,
    episode_id: i64,
    on: NaiveDate,
    reason: EndReason,
    audit_entry: NewEntry,
) -> Result<Result<(), EndRefusal>, DbError> {
    let mut tx = db.begin().await?;
    let existing = episodes_in(&mut tx, person_id).await?;
    let Some(ep) = existing.iter().find(|e| e.id == episode_id) else {
        return Err(DbError::NotFound);
    };
    if ep.actual_end.is_some() {
        return Ok(Err(EndRefusal::AlreadyEnded));
    }
    if on <= ep.start {
        return Ok(Err(EpisodeError::EndNotAfterStart { start: ep.start, end: on }.into()));
    }
    let q = Query::update()
        .table("person_episodes")
        .values([("actual_end", on.into()), ("end_reason", reason.as_str().into())])
        .and_where(Expr::col("id").eq(episode_id))
        .and_where(Expr::col("person_id").eq(person_id))
        .to_owned();
    tx.exec().execute(&q).await?;
    crate::person_facts::refresh(&mut tx, &[person_id]).await?;
    append(&mut tx, audit_entry, person_id).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

// ---------------------------------------------------------------------------------------
// Services

/// A service received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Service {
    /// Id.
    pub id: i64,
    /// The person.
    pub person_id: i64,
    /// Kind (stored form of `ServiceKind`).
    pub kind: String,
    /// The day.
    pub provided_on: NaiveDate,
    /// Who provided it.
    pub provider: String,
    /// When recorded.
    pub created_at: DateTime<Utc>,
}

/// Records a service (validated by the caller: a known kind, not in the future).
pub async fn add_service(
    db: &Db,
    person_id: i64,
    kind: diaban_domain::person::ServiceKind,
    on: NaiveDate,
    provider: &str,
    by: Option<i64>,
    audit_entry: NewEntry,
) -> Result<i64, DbError> {
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("person_services")
        .columns(["person_id", "kind", "provided_on", "provider", "created_by", "created_at"])
        .values_panic([
            person_id.into(),
            kind.as_str().into(),
            on.into(),
            provider.to_owned().into(),
            by.into(),
            crate::now().into(),
        ])
        .returning_col("id")
        .to_owned();
    let r: IdRow = tx.exec().fetch_one(&q).await?;
    crate::person_facts::refresh(&mut tx, &[person_id]).await?;
    append(&mut tx, audit_entry, person_id).await?;
    tx.commit().await?;
    Ok(r.id)
}

/// A person's services, newest first.
pub async fn services(db: &Db, person_id: i64) -> Result<Vec<Service>, DbError> {
    let q = Query::select()
        .columns(["id", "person_id", "kind", "provided_on", "provider", "created_at"])
        .from("person_services")
        .and_where(Expr::col("person_id").eq(person_id))
        .order_by("provided_on", Order::Desc)
        .order_by("id", Order::Desc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

// ---------------------------------------------------------------------------------------
// Events and proposals

/// What became of the measure the law proposed after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// The event proposes nothing.
    None,
    /// Waiting for the officer.
    Pending,
    /// The officer applied it (an episode was recorded).
    Accepted,
    /// The officer decided against it.
    Rejected,
}

impl ProposalStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }
    fn parse(s: &str) -> Result<Self, DbError> {
        Ok(match s {
            "none" => Self::None,
            "pending" => Self::Pending,
            "accepted" => Self::Accepted,
            "rejected" => Self::Rejected,
            other => return Err(DbError::Other(format!("unknown proposal status {other}"))),
        })
    }
}

/// A recorded event with the officer's decision on its proposal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Id.
    pub id: i64,
    /// The person.
    pub person_id: i64,
    /// What happened.
    pub kind: EventKind,
    /// When.
    pub occurred_on: NaiveDate,
    /// The proposal's fate.
    pub proposal: ProposalStatus,
    /// What the law proposes (recomputed from the event; `None` when nothing).
    pub proposed: Option<diaban_domain::person::Proposal>,
    /// When decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The officer's note.
    pub decision_note: String,
    /// The measure recorded on acceptance.
    pub episode_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    person_id: i64,
    kind: String,
    occurred_on: NaiveDate,
    proposal: String,
    decided_at: Option<DateTime<Utc>>,
    decision_note: String,
    episode_id: Option<i64>,
}

impl EventRow {
    fn decode(self) -> Result<Event, DbError> {
        let kind: EventKind = self.kind.parse().map_err(bad)?;
        Ok(Event {
            id: self.id,
            person_id: self.person_id,
            kind,
            occurred_on: self.occurred_on,
            proposal: ProposalStatus::parse(&self.proposal)?,
            proposed: proposals(&[PersonEvent { on: self.occurred_on, kind }]).into_iter().next(),
            decided_at: self.decided_at,
            decision_note: self.decision_note,
            episode_id: self.episode_id,
        })
    }
}

const EVENT_COLUMNS: [&str; 8] =
    ["id", "person_id", "kind", "occurred_on", "proposal", "decided_at", "decision_note", "episode_id"];

/// Records an event; when the law proposes a measure after it, the proposal waits for the
/// officer ([`decide`]). Returns the id and the status.
pub async fn add_event(
    db: &Db,
    person_id: i64,
    kind: EventKind,
    on: NaiveDate,
    by: Option<i64>,
    audit_entry: NewEntry,
) -> Result<(i64, ProposalStatus), DbError> {
    let status = if proposals(&[PersonEvent { on, kind }]).is_empty() {
        ProposalStatus::None
    } else {
        ProposalStatus::Pending
    };
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("person_events")
        .columns(["person_id", "kind", "occurred_on", "proposal", "created_by", "created_at"])
        .values_panic([
            person_id.into(),
            kind.as_str().into(),
            on.into(),
            status.as_str().into(),
            by.into(),
            crate::now().into(),
        ])
        .returning_col("id")
        .to_owned();
    let r: IdRow = tx.exec().fetch_one(&q).await?;
    append(&mut tx, audit_entry, person_id).await?;
    tx.commit().await?;
    Ok((r.id, status))
}

/// A person's events, newest first.
pub async fn events(db: &Db, person_id: i64) -> Result<Vec<Event>, DbError> {
    let q = Query::select()
        .columns(EVENT_COLUMNS)
        .from("person_events")
        .and_where(Expr::col("person_id").eq(person_id))
        .order_by("occurred_on", Order::Desc)
        .order_by("id", Order::Desc)
        .to_owned();
    let rows: Vec<EventRow> = db.exec().fetch_all(&q).await?;
    rows.into_iter().map(EventRow::decode).collect()
}

/// Why a decision on a proposal was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecideRefusal {
    /// Nothing is pending on this event.
    #[error("no proposal is waiting on this event")]
    NotPending,
    /// The measure to record breaks a rule.
    #[error(transparent)]
    Episode(#[from] EpisodeError),
}

/// The officer's decision on a pending proposal: `Some(episode)` applies it (the measure
/// is recorded in the same transaction), `None` rejects it.
pub async fn decide(
    db: &Db,
    person_id: i64,
    event_id: i64,
    accept: Option<&NewEpisode>,
    note: &str,
    by: Option<i64>,
    audit_entry: NewEntry,
) -> Result<Result<Option<i64>, DecideRefusal>, DbError> {
    let rules: Option<(DurationRules, Option<NaiveDate>)> = match accept {
        Some(n) => Some(crate::parameters::in_force_dated(db, DURATIONS, n.decision_date).await?),
        None => None,
    };
    let mut tx = db.begin().await?;
    let q = Query::select()
        .columns(EVENT_COLUMNS)
        .from("person_events")
        .and_where(Expr::col("id").eq(event_id))
        .and_where(Expr::col("person_id").eq(person_id))
        .to_owned();
    let ev: EventRow = tx.exec().fetch_optional(&q).await?.ok_or(DbError::NotFound)?;
    if ev.proposal != "pending" {
        return Ok(Err(DecideRefusal::NotPending));
    }
    let episode_id = match (accept, &rules) {
        (Some(n), Some((r, from))) => match insert_episode(&mut tx, person_id, n, r, *from, by).await? {
            Ok(id) => Some(id),
            Err(e) => return Ok(Err(e.into())),
        },
        _ => None,
    };
    let status = if accept.is_some() { ProposalStatus::Accepted } else { ProposalStatus::Rejected };
    let q = Query::update()
        .table("person_events")
        .values([
            ("proposal", status.as_str().into()),
            ("decided_by", by.into()),
            ("decided_at", crate::now().into()),
            ("decision_note", note.to_owned().into()),
            ("episode_id", episode_id.into()),
        ])
        .and_where(Expr::col("id").eq(event_id))
        .to_owned();
    tx.exec().execute(&q).await?;
    crate::person_facts::refresh(&mut tx, &[person_id]).await?;
    append(&mut tx, audit_entry, person_id).await?;
    tx.commit().await?;
    Ok(Ok(episode_id))
}

// ---------------------------------------------------------------------------------------
// Demo and bulk loading

/// Ids and residence communes of every record in `scope`, in id order (no identities).
pub async fn ids_in_scope(db: &Db, scope: Scope) -> Result<Vec<i64>, DbError> {
    let q = Query::select()
        .expr_as(Expr::col(("p", "id")), sea_query::Alias::new("id"))
        .from_as("persons", "p")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .cond_where(scope.cond("u"))
        .order_by(("p", "id"), Order::Asc)
        .to_owned();
    let rows: Vec<IdRow> = db.exec().fetch_all(&q).await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// One person's history for [`load_histories`].
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The person.
    pub person_id: i64,
    /// Measures, in date order.
    pub episodes: Vec<NewEpisode>,
    /// Services: kind, day, provider.
    pub services: Vec<(diaban_domain::person::ServiceKind, NaiveDate, String)>,
    /// Events (their proposals wait for an officer).
    pub events: Vec<(EventKind, NaiveDate)>,
    /// Profile.
    pub profile: Option<Profile>,
}

/// Loads generated histories (the demo) in one transaction under the default terms,
/// through the same rules as an officer's entry: a measure the rules refuse is an error.
/// Not audited: nobody read or changed a real record.
pub async fn load_histories(db: &Db, histories: &[History]) -> Result<usize, DbError> {
    let rules = DurationRules::default();
    let mut tx = db.begin().await?;
    let mut n = 0;
    let now = crate::now();
    for h in histories {
        for e in &h.episodes {
            insert_episode(&mut tx, h.person_id, e, &rules, None, None)
                .await?
                .map_err(|e| DbError::Invalid(format!("person {}: {e}", h.person_id)))?;
            n += 1;
        }
        for (kind, on, provider) in &h.services {
            let q = Query::insert()
                .into_table("person_services")
                .columns(["person_id", "kind", "provided_on", "provider", "created_at"])
                .values_panic([
                    h.person_id.into(),
                    kind.as_str().into(),
                    (*on).into(),
                    provider.clone().into(),
                    now.into(),
                ])
                .to_owned();
            tx.exec().execute(&q).await?;
        }
        for (kind, on) in &h.events {
            let status = if proposals(&[PersonEvent { on: *on, kind: *kind }]).is_empty() {
                "none"
            } else {
                "pending"
            };
            let q = Query::insert()
                .into_table("person_events")
                .columns(["person_id", "kind", "occurred_on", "proposal", "created_at"])
                .values_panic([
                    h.person_id.into(),
                    kind.as_str().into(),
                    (*on).into(),
                    status.into(),
                    now.into(),
                ])
                .to_owned();
            tx.exec().execute(&q).await?;
        }
        if let Some(p) = &h.profile {
            let q = Query::insert()
                .into_table("person_profiles")
                .columns([
                    "person_id",
                    "substances",
                    "use_since_year",
                    "occupation",
                    "education",
                    "held_in",
                    "updated_at",
                ])
                .values_panic([
                    h.person_id.into(),
                    substances_text(&p.substances).into(),
                    p.use_since_year.map(i64::from).into(),
                    p.occupation.clone().into(),
                    p.education.clone().into(),
                    p.held_in.as_str().into(),
                    now.into(),
                ])
                .to_owned();
            tx.exec().execute(&q).await?;
        }
    }
    let ids: Vec<i64> = histories.iter().map(|h| h.person_id).collect();
    crate::person_facts::refresh(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(n)
}
