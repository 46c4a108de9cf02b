//! Cases (vụ án, vụ việc) with their subjects and seizures, and the incidents they
//! create. A case is written in one transaction with everything that belongs to it: its
//! subjects (a person's record by reference, checked against the caller's scope, or a
//! free-text subject whose name is sealed with the data key), its seizure lines (checked
//! by `diaban_domain::seizures`), the geolocated incidents when it has coordinates (with
//! the re-formation alerts they raise, through `incidents::record_in`), and its audit
//! entries. Lists, totals and exports carry no identities.

use crate::audit::{self, NewEntry};
use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::exec::{Count, IdRow};
use crate::incidents::{self, NewIncident, Recorded};
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::cases::{CaseOutcome, OutcomeFigures, SubjectRole};
use diaban_domain::incident::IncidentKind;
use diaban_domain::seizures::{Drug, DrugTotal, QuantityUnit, SeizureLine, totals as seizure_totals};
use diaban_domain::site::LatLon;
use diaban_vault::KeyRing;
use sea_query::{Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A subject as recorded with a case: a person's record, or a name typed in.
#[derive(Debug, Clone)]
pub enum NewSubject {
    /// A person's record (it must lie in the recorder's scope).
    Person {
        /// The record's id.
        person_id: i64,
        /// What they did.
        role: SubjectRole,
    },
    /// A subject without a record: the name is sealed; birth year and sex stay in clear
    /// for statistics, like persons'.
    Named {
        /// Full name (sealed at rest).
        name: String,
        /// Birth year.
        birth_year: Option<i32>,
        /// male or female.
        sex: Option<String>,
        /// What they did.
        role: SubjectRole,
    },
}

/// A new case, validated by the caller (`diaban_domain::cases::check_case`).
#[derive(Debug, Clone)]
pub struct NewCase {
    /// The police file number, if any.
    pub reference: String,
    /// When it happened (not after today).
    pub occurred_on: NaiveDate,
    /// The commune it counts towards.
    pub unit_id: i64,
    /// Where, when known: then the matching incidents are created.
    pub location: Option<LatLon>,
    /// What happened (no identities).
    pub summary: String,
    /// Outcome so far.
    pub outcome: CaseOutcome,
    /// The outcome's figures.
    pub figures: OutcomeFigures,
    /// Subjects.
    pub subjects: Vec<NewSubject>,
    /// Seizure lines.
    pub seizures: Vec<SeizureLine>,
    /// The ring it belongs to (checked in scope by the caller).
    pub ring_id: Option<i64>,
}

/// What recording a case did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CaseRecorded {
    /// The case.
    pub id: i64,
    /// The incidents created from it (arrest, seizure).
    pub incidents: Vec<i64>,
    /// Re-formation alerts those incidents raised.
    pub alerts: Vec<i64>,
}

fn aad() -> &'static [u8] {
    b"case_subject:name_sealed"
}

fn stored<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, DbError> {
    r.map_err(|e| DbError::Other(format!("bad stored value: {e}")))
}

/// The incidents a case with coordinates creates: a seizure when something was seized,
/// an arrest when there are subjects or nothing was seized.
pub fn incidents_for(c: &NewCase, case_id: i64) -> Vec<NewIncident> {
    let Some(at) = c.location else { return Vec::new() };
    let mut kinds = Vec::new();
    if !c.seizures.is_empty() {
        kinds.push(IncidentKind::Seizure);
    }
    if !c.subjects.is_empty() || c.seizures.is_empty() {
        kinds.push(IncidentKind::Arrest);
    }
    kinds
        .into_iter()
        .map(|kind| NewIncident {
            kind,
            on: c.occurred_on,
            location: at,
            unit_id: c.unit_id,
            source: "case".into(),
            note: format!("case #{case_id}"),
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct PersonScopeRow {
    id: i64,
}

/// Checks that every linked person lies within `scope` (the persons' rule).
async fn persons_in_scope(tx: &mut Tx, ids: &[i64], scope: Scope) -> Result<(), DbError> {
    if ids.is_empty() {
        return Ok(());
    }
    let q = Query::select()
        .column(("p", "id"))
        .from_as("persons", "p")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .and_where(Expr::col(("p", "id")).is_in(ids.iter().copied()))
        .cond_where(scope.cond("u"))
        .to_owned();
    let found: Vec<PersonScopeRow> = tx.exec().fetch_all(&q).await?;
    if let Some(missing) = ids.iter().find(|id| !found.iter().any(|r| r.id == **id)) {
        return Err(DbError::Invalid(format!("no person record {missing} in your scope")));
    }
    Ok(())
}

/// Records a case with its subjects, seizures, incidents (when it has coordinates, with
/// the alerts they raise within `radius_m`) and audit entries (`audit_entry` for the
/// case, one `case.link_person` per linked record), in one transaction: all or nothing.
/// `keys` seals free-text subjects' names; without it such subjects are refused.
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &Db,
    keys: Option<&KeyRing>,
    c: &NewCase,
    scope: Scope,
    radius_m: f64,
    created_by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<CaseRecorded, DbError> {
    let mut tx = db.begin().await?;
    let person_ids: Vec<i64> = c
        .subjects
        .iter()
        .filter_map(|s| match s {
            NewSubject::Person { person_id, .. } => Some(*person_id),
            NewSubject::Named { .. } => None,
        })
        .collect();
    persons_in_scope(&mut tx, &person_ids, scope).await?;
    let q = Query::insert()
        .into_table("cases")
        .columns([
            "reference",
            "occurred_on",
            "unit_id",
            "lat",
            "lon",
            "summary",
            "outcome",
            "prosecuted_cases",
            "defendants",
            "persons_handled",
            "ring_id",
            "created_by",
            "created_at",
        ])
        .values_panic([
            c.reference.trim().into(),
            c.occurred_on.into(),
            c.unit_id.into(),
            c.location.map(|l| l.lat()).into(),
            c.location.map(|l| l.lon()).into(),
            c.summary.trim().into(),
            c.outcome.as_str().into(),
            i64::from(c.figures.prosecuted_cases).into(),
            i64::from(c.figures.defendants).into(),
            i64::from(c.figures.persons_handled).into(),
            c.ring_id.into(),
            created_by.into(),
            crate::now().into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    for s in &c.subjects {
        let (person_id, name_sealed, birth_year, sex, role) = match s {
            NewSubject::Person { person_id, role } => (Some(*person_id), None, None, None, *role),
            NewSubject::Named { name, birth_year, sex, role } => {
                let keys = keys.ok_or_else(|| {
                    DbError::Invalid(
                        "subjects without a record need the data key, which is not loaded".into(),
                    )
                })?;
                (None, Some(keys.seal(name.trim(), aad())), birth_year.map(i64::from), sex.clone(), *role)
            }
        };
        let q = Query::insert()
            .into_table("case_subjects")
            .columns(["case_id", "person_id", "name_sealed", "birth_year", "sex", "role"])
            .values_panic([
                id.into(),
                person_id.into(),
                name_sealed.into(),
                birth_year.into(),
                sex.into(),
                role.as_str().into(),
            ])
            .to_owned();
        tx.exec().execute(&q).await?;
    }
    for l in &c.seizures {
        let q = Query::insert()
            .into_table("case_seizures")
            .columns(["case_id", "drug", "quantity", "unit"])
            .values_panic([
                id.into(),
                l.drug().as_str().into(),
                l.quantity().into(),
                l.unit().as_str().into(),
            ])
            .to_owned();
        tx.exec().execute(&q).await?;
    }
    let Recorded { ids: incident_ids, alerts } =
        incidents::record_in(&mut tx, &incidents_for(c, id), radius_m, created_by).await?;
    for inc in &incident_ids {
        let q = Query::insert()
            .into_table("case_incidents")
            .columns(["case_id", "incident_id"])
            .values_panic([id.into(), (*inc).into()])
            .to_owned();
        tx.exec().execute(&q).await?;
    }
    if let Some(e) = audit_entry {
        let mut case_entry = e.clone();
        case_entry.target_type = "case".into();
        case_entry.target_id = id.to_string();
        audit::append_in(&mut tx, &case_entry).await?;
        for p in &person_ids {
            let mut link = e.clone();
            link.action = "case.link_person".into();
            link.target_type = "person".into();
            link.target_id = p.to_string();
            link.reason = format!("case {id}");
            audit::append_in(&mut tx, &link).await?;
        }
    }
    tx.commit().await?;
    Ok(CaseRecorded { id, incidents: incident_ids, alerts })
}

/// A case as lists and exports show it: no identities, subjects counted.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// Id.
    pub id: i64,
    /// File number.
    pub reference: String,
    /// When.
    pub occurred_on: NaiveDate,
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
    /// Summary.
    pub summary: String,
    /// Outcome.
    pub outcome: CaseOutcome,
    /// Outcome figures.
    pub figures: OutcomeFigures,
    /// Ring.
    pub ring_id: Option<i64>,
    /// Number of subjects.
    pub subjects: i64,
    /// Seizure lines.
    pub seizures: Vec<SeizureLine>,
    /// When recorded.
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    reference: String,
    occurred_on: NaiveDate,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    lat: Option<f64>,
    lon: Option<f64>,
    summary: String,
    outcome: String,
    prosecuted_cases: i64,
    defendants: i64,
    persons_handled: i64,
    ring_id: Option<i64>,
    created_at: DateTime<Utc>,
}

const CASE_COLUMNS: [&str; 13] = [
    "id",
    "reference",
    "occurred_on",
    "unit_id",
    "lat",
    "lon",
    "summary",
    "outcome",
    "prosecuted_cases",
    "defendants",
    "persons_handled",
    "ring_id",
    "created_at",
];

fn join_units(q: &mut SelectStatement) {
    q.join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("c", "unit_id")));
}

fn select_cases() -> SelectStatement {
    let mut q = Query::select()
        .columns(CASE_COLUMNS.map(|c| ("c", c)))
        .expr_as(Expr::col(("u", "code")), "unit_code")
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .from_as("cases", "c")
        .to_owned();
    join_units(&mut q);
    q
}

fn count_u32(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[derive(sqlx::FromRow)]
struct SeizureRow {
    case_id: i64,
    drug: String,
    quantity: f64,
    unit: String,
}

#[derive(sqlx::FromRow)]
struct SubjectCount {
    case_id: i64,
    n: i64,
}

/// Fills the seizure lines and subject counts of `rows`, with two queries.
async fn complete(db: &Db, rows: Vec<Row>) -> Result<Vec<Case>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut lines: HashMap<i64, Vec<SeizureLine>> = HashMap::new();
    let mut counts: HashMap<i64, i64> = HashMap::new();
    for chunk in ids.chunks(500) {
        let q = Query::select()
            .columns(["case_id", "drug", "quantity", "unit"])
            .from("case_seizures")
            .and_where(Expr::col("case_id").is_in(chunk.iter().copied()))
            .order_by("id", Order::Asc)
            .to_owned();
        let found: Vec<SeizureRow> = db.exec().fetch_all(&q).await?;
        for s in found {
            let drug: Drug = stored(s.drug.parse())?;
            let unit: QuantityUnit = stored(s.unit.parse())?;
            lines.entry(s.case_id).or_default().push(stored(SeizureLine::new(drug, s.quantity, unit))?);
        }
        let q = Query::select()
            .column("case_id")
            .expr_as(Expr::col("id").count(), "n")
            .from("case_subjects")
            .and_where(Expr::col("case_id").is_in(chunk.iter().copied()))
            .group_by_col("case_id")
            .to_owned();
        let found: Vec<SubjectCount> = db.exec().fetch_all(&q).await?;
        counts.extend(found.into_iter().map(|c| (c.case_id, c.n)));
    }
    rows.into_iter()
        .map(|r| {
            Ok(Case {
                id: r.id,
                reference: r.reference,
                occurred_on: r.occurred_on,
                unit_id: r.unit_id,
                unit_code: r.unit_code,
                unit_name: r.unit_name,
                lat: r.lat,
                lon: r.lon,
                summary: r.summary,
                outcome: stored(r.outcome.parse())?,
                figures: OutcomeFigures {
                    prosecuted_cases: count_u32(r.prosecuted_cases),
                    defendants: count_u32(r.defendants),
                    persons_handled: count_u32(r.persons_handled),
                },
                ring_id: r.ring_id,
                subjects: counts.get(&r.id).copied().unwrap_or(0),
                seizures: lines.remove(&r.id).unwrap_or_default(),
                created_at: r.created_at,
            })
        })
        .collect()
}

/// How to narrow a list of cases.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// On or after.
    pub from: Option<NaiveDate>,
    /// On or before.
    pub to: Option<NaiveDate>,
    /// This commune (a current commune includes the legacy ones in it).
    pub unit_id: Option<i64>,
    /// Only this outcome.
    pub outcome: Option<CaseOutcome>,
    /// Only the cases of this ring.
    pub ring_id: Option<i64>,
    /// Page size (0: no limit).
    pub limit: u64,
    /// Rows to skip.
    pub offset: u64,
}

fn cond(scope: Scope, f: &CaseFilter) -> Cond {
    let mut c = scope.cond("u");
    if let Some(d) = f.from {
        c = c.add(Expr::col(("c", "occurred_on")).gte(d));
    }
    if let Some(d) = f.to {
        c = c.add(Expr::col(("c", "occurred_on")).lte(d));
    }
    if let Some(u) = f.unit_id {
        c = c.add(
            Cond::any()
                .add(Expr::col(("c", "unit_id")).eq(u))
                .add(Expr::col(("u", "scope_commune_id")).eq(u)),
        );
    }
    if let Some(o) = f.outcome {
        c = c.add(Expr::col(("c", "outcome")).eq(o.as_str()));
    }
    if let Some(r) = f.ring_id {
        c = c.add(Expr::col(("c", "ring_id")).eq(r));
    }
    c
}

/// Cases within `scope` matching the filter, newest first, with the total.
#[tracing::instrument(skip(db))]
pub async fn list(db: &Db, scope: Scope, f: &CaseFilter) -> Result<(Vec<Case>, i64), DbError> {
    let c = cond(scope, f);
    let mut count =
        Query::select().expr_as(Expr::col(("c", "id")).count(), "n").from_as("cases", "c").to_owned();
    join_units(&mut count);
    count.cond_where(c.clone());
    let total: Count = db.exec().fetch_one(&count).await?;
    let mut q = select_cases()
        .cond_where(c)
        .order_by(("c", "occurred_on"), Order::Desc)
        .order_by(("c", "id"), Order::Desc)
        .to_owned();
    if f.limit > 0 {
        q.limit(f.limit).offset(f.offset);
    }
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    Ok((complete(db, rows).await?, total.n))
}

/// A case within `scope`; None when missing or outside it.
#[tracing::instrument(skip(db))]
pub async fn get(db: &Db, id: i64, scope: Scope) -> Result<Option<Case>, DbError> {
    let q = select_cases().and_where(Expr::col(("c", "id")).eq(id)).cond_where(scope.cond("u")).to_owned();
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    Ok(complete(db, rows).await?.pop())
}

/// A subject as a case's page shows it. The name of a free-text subject is opened only
/// when asked (`reveal`), and the caller audits that read.
#[derive(Debug, Clone, Serialize)]
pub struct Subject {
    /// Id of the subject line.
    pub id: i64,
    /// The person's record, when linked.
    pub person_id: Option<i64>,
    /// Whether the reader's scope reaches that record.
    pub person_in_scope: bool,
    /// The typed name, opened (None when not revealed or linked to a record).
    pub name: Option<String>,
    /// Whether a typed name exists (hidden or not).
    pub has_name: bool,
    /// Birth year (typed subjects).
    pub birth_year: Option<i64>,
    /// male or female (typed subjects).
    pub sex: Option<String>,
    /// Role in the case.
    pub role: SubjectRole,
}

#[derive(sqlx::FromRow)]
struct SubjectRow {
    id: i64,
    person_id: Option<i64>,
    name_sealed: Option<String>,
    birth_year: Option<i64>,
    sex: Option<String>,
    role: String,
    scope_province_id: Option<i64>,
    scope_commune_id: Option<i64>,
}

/// The subjects of a case (the caller has checked the case is in scope). Names are
/// opened with `reveal` (keys) only; `reader` is the scope used to say whether a linked
/// record may be opened (None: it may not).
pub async fn subjects(
    db: &Db,
    case_id: i64,
    reader: Option<Scope>,
    reveal: Option<&KeyRing>,
) -> Result<Vec<Subject>, DbError> {
    let q = Query::select()
        .columns(["id", "person_id", "name_sealed", "birth_year", "sex", "role"].map(|c| ("s", c)))
        .columns([("u", "scope_province_id"), ("u", "scope_commune_id")])
        .from_as("case_subjects", "s")
        .join_as(JoinType::LeftJoin, "persons", "p", Expr::col(("p", "id")).equals(("s", "person_id")))
        .join_as(JoinType::LeftJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .and_where(Expr::col(("s", "case_id")).eq(case_id))
        .order_by(("s", "id"), Order::Asc)
        .to_owned();
    let rows: Vec<SubjectRow> = db.exec().fetch_all(&q).await?;
    rows.into_iter()
        .map(|r| {
            let person_in_scope = r.person_id.is_some()
                && match reader {
                    None => false,
                    Some(Scope::Province(p)) => r.scope_province_id == Some(p),
                    Some(Scope::Commune(c)) => r.scope_commune_id == Some(c),
                };
            let name = match (&r.name_sealed, reveal) {
                (Some(s), Some(keys)) => Some(
                    keys.open(s, aad()).map_err(|e| DbError::Other(format!("cannot open a subject: {e}")))?,
                ),
                _ => None,
            };
            Ok(Subject {
                id: r.id,
                person_id: r.person_id,
                person_in_scope,
                has_name: r.name_sealed.is_some(),
                name,
                birth_year: r.birth_year,
                sex: r.sex,
                role: stored(r.role.parse())?,
            })
        })
        .collect()
}

/// The incidents a case created.
pub async fn incident_ids(db: &Db, case_id: i64) -> Result<Vec<i64>, DbError> {
    let q = Query::select()
        .expr_as(Expr::col("incident_id"), "id")
        .from("case_incidents")
        .and_where(Expr::col("case_id").eq(case_id))
        .order_by("incident_id", Order::Asc)
        .to_owned();
    let rows: Vec<IdRow> = db.exec().fetch_all(&q).await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The aggregate figures of the cases matching a filter (an aggregate: no identities).
#[derive(Debug, Clone, Default, Serialize)]
pub struct CaseTotals {
    /// Cases.
    pub cases: i64,
    /// Cases per outcome.
    pub by_outcome: BTreeMap<CaseOutcome, i64>,
    /// Cases prosecuted (khởi tố vụ).
    pub prosecuted_cases: i64,
    /// Defendants (bị can).
    pub defendants: i64,
    /// Persons handled administratively.
    pub persons_handled: i64,
    /// Subjects recorded.
    pub subjects: i64,
    /// Seizures per drug.
    pub seizures: Vec<(Drug, DrugTotal)>,
}

/// Totals within `scope` (paging ignored). Summed in Rust over the cases' rows, so both
/// engines give the same figures.
#[tracing::instrument(skip(db))]
pub async fn totals(db: &Db, scope: Scope, f: &CaseFilter) -> Result<CaseTotals, DbError> {
    let mut all = f.clone();
    all.limit = 0;
    all.offset = 0;
    let (cases, _) = list(db, scope, &all).await?;
    let mut t = CaseTotals { cases: cases.len() as i64, ..Default::default() };
    for c in &cases {
        *t.by_outcome.entry(c.outcome).or_default() += 1;
        t.prosecuted_cases += i64::from(c.figures.prosecuted_cases);
        t.defendants += i64::from(c.figures.defendants);
        t.persons_handled += i64::from(c.figures.persons_handled);
        t.subjects += c.subjects;
    }
    t.seizures = seizure_totals(cases.iter().flat_map(|c| c.seizures.iter()));
    Ok(t)
}

/// Re-seals the free-text subjects' names under `new` (key rotation, inside the
/// rotation's transaction).
pub(crate) async fn reseal_in(tx: &mut Tx, old: &KeyRing, new: &KeyRing) -> Result<(), DbError> {
    #[derive(sqlx::FromRow)]
    struct Sealed {
        id: i64,
        name_sealed: String,
    }
    let q = Query::select()
        .columns(["id", "name_sealed"])
        .from("case_subjects")
        .and_where(Expr::col("name_sealed").is_not_null())
        .order_by("id", Order::Asc)
        .to_owned();
    let rows: Vec<Sealed> = tx.exec().fetch_all(&q).await?;
    for r in rows {
        let plain = old.open(&r.name_sealed, aad()).map_err(|e| DbError::Other(e.to_string()))?;
        let u = Query::update()
            .table("case_subjects")
            .value("name_sealed", new.seal(&plain, aad()))
            .and_where(Expr::col("id").eq(r.id))
            .to_owned();
        tx.exec().execute(&u).await?;
    }
    Ok(())
}

/// What can change on a case after it was recorded: the file number, the summary and the
/// outcome with its figures (a prosecution decided later). Place, date, subjects and
/// seizures are the record of what was found and stay as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseUpdate {
    /// File number.
    pub reference: String,
    /// What happened (no identities).
    pub summary: String,
    /// The outcome.
    pub outcome: CaseOutcome,
    /// Its figures (checked by the caller with `diaban_domain::cases::check_case`).
    pub figures: OutcomeFigures,
}

/// Updates a case of `scope`; `false` when it is not in the scope (nothing written). The
/// change and the audit entry are one transaction.
pub async fn update_outcome(
    db: &Db,
    id: i64,
    scope: Scope,
    u: &CaseUpdate,
    audit_entry: NewEntry,
) -> Result<bool, DbError> {
    if get(db, id, scope).await?.is_none() {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    let q = Query::update()
        .table("cases")
        .values([
            ("reference", u.reference.trim().into()),
            ("summary", u.summary.trim().into()),
            ("outcome", u.outcome.as_str().into()),
            ("prosecuted_cases", i64::from(u.figures.prosecuted_cases).into()),
            ("defendants", i64::from(u.figures.defendants).into()),
            ("persons_handled", i64::from(u.figures.persons_handled).into()),
        ])
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    tx.exec().execute(&q).await?;
    let mut e = audit_entry;
    e.target_type = "case".into();
    e.target_id = id.to_string();
    audit::append_in(&mut tx, &e).await?;
    tx.commit().await?;
    Ok(true)
}
