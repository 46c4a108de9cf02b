//! The transformation programme of key drug areas (DOMAIN.md §4): selection by decision,
//! the plan and its revisions, progress updates, evaluation against the province's
//! checklist (versioned: a change is a new version and past evaluations keep theirs),
//! recognition as transformed or not, reviews during the non-relapse window, and the
//! relapse or the end of the window. Which steps are allowed is
//! `diaban_domain::area`'s; this module records each one with who made it, keeps the
//! current state beside the history, and writes every change with its audit entry in one
//! transaction. Reads are scoped through the area's commune.

use crate::audit::{self, NewEntry};
use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::exec::IdRow;
use crate::persons::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::area::{
    Answer, AreaHistory, AreaParams, AreaState, Checklist, ChecklistError, ChecklistItem, Evaluation,
    TransitionError, evaluate, transition,
};
use diaban_domain::site::LatLon;
use diaban_domain::time::format_date;
use sea_query::{Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod checklist;
mod monitoring;

pub use checklist::*;
pub use monitoring::*;

/// The parameter group holding [`AreaParams`].
pub const PARAMS: &str = "areas";

/// The id every stored checklist version carries (one checklist per installation: the
/// province's).
pub const CHECKLIST_ID: &str = "province";

/// A change the programme refuses, or a failure. `Display` is English,
/// [`ChangeError::message_vi`] Vietnamese.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// No such area in the caller's scope.
    #[error("no such area")]
    NotFound,
    /// The programme does not allow the step.
    #[error(transparent)]
    Refused(TransitionError),
    /// A decision dated outside the programme period.
    #[error("the date {date} is outside the programme period {from} – {to}")]
    OutsideProgramme {
        /// The date given.
        date: NaiveDate,
        /// First day of the programme.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// A step dated before the current state took effect.
    #[error("the date {date} is before the current state's date {since}")]
    BeforeCurrentState {
        /// The date given.
        date: NaiveDate,
        /// The current state's date.
        since: NaiveDate,
    },
    /// A date after today.
    #[error("the date {0} is in the future")]
    InFuture(NaiveDate),
    /// The same commune part is already in the programme.
    #[error(
        "this area is already in the programme (area {0}); a relapsed area is selected again from its page"
    )]
    AlreadySelected(i64),
    /// Recognition as transformed without a passed evaluation.
    #[error("the latest evaluation did not pass: the area cannot be recognised as transformed")]
    EvaluationNotPassed,
    /// The non-relapse window has not ended yet.
    #[error("the non-relapse window ends on {0}: the monitoring cannot be closed before")]
    WindowOpen(NaiveDate),
    /// The checklist or the answers are wrong.
    #[error(transparent)]
    Checklist(ChecklistError),
    /// A required field is empty or a value is out of range; the text says which.
    #[error("{en}")]
    Invalid {
        /// English.
        en: String,
        /// Vietnamese.
        vi: String,
    },
    /// Someone else changed the area meanwhile.
    #[error("the area was changed by someone else meanwhile; reload and try again")]
    Concurrent,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl ChangeError {
    fn invalid(en: &str, vi: &str) -> Self {
        Self::Invalid { en: en.to_owned(), vi: vi.to_owned() }
    }

    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::NotFound => "Không tìm thấy địa bàn.".into(),
            Self::Refused(e) => e.message_vi(),
            Self::OutsideProgramme { date, from, to } => format!(
                "Ngày {} nằm ngoài thời gian của chương trình chuyển hóa ({} – {}).",
                format_date(*date),
                format_date(*from),
                format_date(*to)
            ),
            Self::BeforeCurrentState { date, since } => format!(
                "Ngày {} sớm hơn ngày của trạng thái hiện tại ({}).",
                format_date(*date),
                format_date(*since)
            ),
            Self::InFuture(d) => format!("Ngày {} là ngày trong tương lai.", format_date(*d)),
            Self::AlreadySelected(id) => format!(
                "Địa bàn này đã có trong chương trình chuyển hóa (địa bàn số {id}); địa bàn tái phức tạp được lựa chọn lại từ trang của nó."
            ),
            Self::EvaluationNotPassed => {
                "Lần đánh giá gần nhất chưa đạt: không thể công nhận địa bàn đã chuyển hóa.".into()
            }
            Self::WindowOpen(end) => format!(
                "Thời gian theo dõi không tái phức tạp kết thúc ngày {}: chưa thể kết thúc theo dõi.",
                format_date(*end)
            ),
            Self::Checklist(e) => e.message_vi(),
            Self::Invalid { vi, .. } => vi.clone(),
            Self::Concurrent => "Địa bàn vừa được người khác cập nhật; hãy tải lại trang rồi thử lại.".into(),
            Self::Db(e) => e.to_string(),
        }
    }
}

/// Who acts, where and when: the caller's scope, the province's parameters in force,
/// today's date in Vietnam (no step may be dated after it) and the acting user.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The caller's scope.
    pub scope: Scope,
    /// The programme's parameters.
    pub params: &'a AreaParams,
    /// Today.
    pub today: NaiveDate,
    /// The acting user.
    pub by: Option<i64>,
}

/// An area to select, validated by the caller (the commune in scope).
#[derive(Debug, Clone)]
pub struct NewArea {
    /// The commune (current or legacy unit).
    pub unit_id: i64,
    /// A short name ("Xã Pờ Y", "Thôn 3, xã Đăk Hà").
    pub name: String,
    /// The part of the commune; empty for the whole commune.
    pub part: String,
    /// A point in the area, for the map and the analytics (the commune centre otherwise).
    pub location: Option<LatLon>,
    /// Decision number ("125/QĐ-UBND").
    pub decision_number: String,
    /// Decision date.
    pub decision_date: NaiveDate,
    /// Who signed it.
    pub decision_signer: String,
    /// The relapsed area this one selects again.
    pub previous_area_id: Option<i64>,
}

/// A stored area with its commune.
#[derive(Debug, Clone, Serialize)]
pub struct Area {
    /// Id.
    pub id: i64,
    /// Commune id.
    pub unit_id: i64,
    /// Commune code.
    pub unit_code: String,
    /// Commune name.
    pub unit_name: String,
    /// Name.
    pub name: String,
    /// Part of the commune; empty for the whole.
    pub part: String,
    /// A point in the area, if given.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// The commune centre.
    pub unit_lat: Option<f64>,
    /// Longitude.
    pub unit_lon: Option<f64>,
    /// Current state.
    pub state: AreaState,
    /// Since when.
    pub state_since: NaiveDate,
    /// Selection decision number.
    pub decision_number: String,
    /// Its date.
    pub decision_date: NaiveDate,
    /// Its signer.
    pub decision_signer: String,
    /// The earlier round of this area, if it was selected again after a relapse.
    pub previous_area_id: Option<i64>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Area {
    /// Where to draw it: its own point, else the commune centre.
    pub fn point(&self) -> Option<(f64, f64)> {
        match (self.lat, self.lon, self.unit_lat, self.unit_lon) {
            (Some(a), Some(b), _, _) => Some((a, b)),
            (_, _, Some(a), Some(b)) => Some((a, b)),
            _ => None,
        }
    }
}

#[derive(sqlx::FromRow)]
struct AreaRow {
    id: i64,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    name: String,
    part: String,
    lat: Option<f64>,
    lon: Option<f64>,
    unit_lat: Option<f64>,
    unit_lon: Option<f64>,
    state: String,
    state_since: NaiveDate,
    decision_number: String,
    decision_date: NaiveDate,
    decision_signer: String,
    previous_area_id: Option<i64>,
    updated_at: DateTime<Utc>,
}

fn stored<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, DbError> {
    r.map_err(|e| DbError::Other(format!("bad stored value: {e}")))
}

impl TryFrom<AreaRow> for Area {
    type Error = DbError;
    fn try_from(r: AreaRow) -> Result<Self, DbError> {
        Ok(Area {
            id: r.id,
            unit_id: r.unit_id,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            name: r.name,
            part: r.part,
            lat: r.lat,
            lon: r.lon,
            unit_lat: r.unit_lat,
            unit_lon: r.unit_lon,
            state: stored(r.state.parse())?,
            state_since: r.state_since,
            decision_number: r.decision_number,
            decision_date: r.decision_date,
            decision_signer: r.decision_signer,
            previous_area_id: r.previous_area_id,
            updated_at: r.updated_at,
        })
    }
}

fn select_areas() -> SelectStatement {
    Query::select()
        .columns(
            [
                "id",
                "unit_id",
                "name",
                "part",
                "lat",
                "lon",
                "state",
                "state_since",
                "decision_number",
                "decision_date",
                "decision_signer",
                "previous_area_id",
                "updated_at",
            ]
            .map(|c| ("a", c)),
        )
        .expr_as(Expr::col(("u", "code")), "unit_code")
        .expr_as(Expr::col(("u", "name")), "unit_name")
        .expr_as(Expr::col(("u", "lat")), "unit_lat")
        .expr_as(Expr::col(("u", "lon")), "unit_lon")
        .from_as("areas", "a")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("a", "unit_id")))
        .to_owned()
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct AreaFilter {
    /// Only areas in these current communes (scope commune ids); `None`: all in scope.
    pub commune_id: Option<i64>,
    /// Only this state.
    pub state: Option<AreaState>,
}

/// The areas in `scope`, newest selection first.
pub async fn list(db: &Db, scope: Scope, f: &AreaFilter) -> Result<Vec<Area>, DbError> {
    let mut q = select_areas().cond_where(scope.cond("u")).to_owned();
    if let Some(c) = f.commune_id {
        q.and_where(Expr::col(("u", "scope_commune_id")).eq(c));
    }
    if let Some(s) = f.state {
        q.and_where(Expr::col(("a", "state")).eq(s.as_str()));
    }
    q.order_by(("a", "decision_date"), Order::Desc).order_by(("a", "id"), Order::Desc);
    let rows: Vec<AreaRow> = db.exec().fetch_all(&q).await?;
    rows.into_iter().map(Area::try_from).collect()
}

/// One area, if in `scope`.
pub async fn get(db: &Db, id: i64, scope: Scope) -> Result<Option<Area>, DbError> {
    let q = select_areas().and_where(Expr::col(("a", "id")).eq(id)).cond_where(scope.cond("u")).to_owned();
    let row: Option<AreaRow> = db.exec().fetch_optional(&q).await?;
    row.map(Area::try_from).transpose()
}

async fn area_in_tx(tx: &mut Tx, id: i64, scope: Scope) -> Result<Area, ChangeError> {
    let q = select_areas().and_where(Expr::col(("a", "id")).eq(id)).cond_where(scope.cond("u")).to_owned();
    let row: Option<AreaRow> = tx.exec().fetch_optional(&q).await?;
    row.map(Area::try_from).transpose()?.ok_or(ChangeError::NotFound)
}

fn check_date(on: NaiveDate, today: NaiveDate, params: &AreaParams) -> Result<(), ChangeError> {
    if on > today {
        return Err(ChangeError::InFuture(on));
    }
    if !params.in_programme(on) {
        return Err(ChangeError::OutsideProgramme {
            date: on,
            from: params.programme_from,
            to: params.programme_to,
        });
    }
    Ok(())
}

fn required(value: &str, en: &str, vi: &str) -> Result<(), ChangeError> {
    if value.trim().is_empty() { Err(ChangeError::invalid(en, vi)) } else { Ok(()) }
}

fn with_audit(e: Option<NewEntry>, area_id: i64) -> Option<NewEntry> {
    e.map(|mut e| {
        e.target_type = "area".into();
        e.target_id = area_id.to_string();
        e
    })
}

#[allow(clippy::too_many_arguments)]
async fn insert_transition(
    tx: &mut Tx,
    area_id: i64,
    from: Option<AreaState>,
    to: AreaState,
    on: NaiveDate,
    decision_number: &str,
    note: &str,
    by: Option<i64>,
) -> Result<(), DbError> {
    let q = Query::insert()
        .into_table("area_transitions")
        .columns([
            "area_id",
            "from_state",
            "to_state",
            "on_date",
            "decision_number",
            "note",
            "by_user_id",
            "created_at",
        ])
        .values_panic([
            area_id.into(),
            from.map(|s| s.as_str().to_owned()).into(),
            to.as_str().into(),
            on.into(),
            decision_number.trim().into(),
            note.trim().into(),
            by.into(),
            crate::now().into(),
        ])
        .to_owned();
    tx.exec().execute(&q).await?;
    Ok(())
}

/// Moves `area` to `to` on `on`, recorded with its decision and note; the update only
/// applies while the area is still in the state read ([`ChangeError::Concurrent`]).
#[allow(clippy::too_many_arguments)]
async fn step(
    tx: &mut Tx,
    area: &Area,
    from: AreaState,
    to: AreaState,
    on: NaiveDate,
    decision_number: &str,
    note: &str,
    by: Option<i64>,
) -> Result<(), ChangeError> {
    transition(from, to).map_err(ChangeError::Refused)?;
    let upd = Query::update()
        .table("areas")
        .values([
            ("state", to.as_str().into()),
            ("state_since", on.into()),
            ("updated_at", crate::now().into()),
        ])
        .and_where(Expr::col("id").eq(area.id))
        .and_where(Expr::col("state").eq(from.as_str()))
        .to_owned();
    if tx.exec().execute(&upd).await? != 1 {
        return Err(ChangeError::Concurrent);
    }
    insert_transition(tx, area.id, Some(from), to, on, decision_number, note, by).await?;
    Ok(())
}

fn not_before_state(area: &Area, on: NaiveDate) -> Result<(), ChangeError> {
    if on < area.state_since {
        return Err(ChangeError::BeforeCurrentState { date: on, since: area.state_since });
    }
    Ok(())
}

async fn finish(tx: Tx, entry: Option<NewEntry>, area_id: i64) -> Result<(), ChangeError> {
    let mut tx = tx;
    if let Some(e) = with_audit(entry, area_id) {
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Selects an area by decision: refuses a decision in the future or outside the
/// programme period, missing decision fields, and a commune part already in an
/// unfinished round (sustained and relapsed rounds are finished). Returns the new id.
pub async fn select(
    db: &Db,
    a: &NewArea,
    cx: Actor<'_>,
    audit_entry: Option<NewEntry>,
) -> Result<i64, ChangeError> {
    let Actor { params, today, by, .. } = cx;
    required(&a.name, "the area needs a name", "Cần nhập tên địa bàn.")?;
    required(&a.decision_number, "the decision needs a number", "Cần nhập số quyết định lựa chọn.")?;
    required(&a.decision_signer, "the decision needs its signer", "Cần nhập người ký quyết định.")?;
    check_date(a.decision_date, today, params)?;
    let mut tx = db.begin().await?;
    let open = Query::select()
        .column("id")
        .from("areas")
        .and_where(Expr::col("unit_id").eq(a.unit_id))
        .and_where(Expr::col("part").eq(a.part.trim()))
        .and_where(
            Expr::col("state").is_not_in([AreaState::Sustained.as_str(), AreaState::Relapsed.as_str()]),
        )
        .to_owned();
    if let Some(row) = tx.exec().fetch_optional::<IdRow, _>(&open).await? {
        return Err(ChangeError::AlreadySelected(row.id));
    }
    if let Some(prev) = a.previous_area_id {
        let q = Query::select()
            .column("id")
            .from("areas")
            .and_where(Expr::col("id").eq(prev))
            .and_where(Expr::col("state").eq(AreaState::Relapsed.as_str()))
            .to_owned();
        if tx.exec().fetch_optional::<IdRow, _>(&q).await?.is_none() {
            return Err(ChangeError::invalid(
                "only a relapsed area can be selected again",
                "Chỉ địa bàn tái phức tạp mới được lựa chọn lại.",
            ));
        }
    }
    let now = crate::now();
    let q = Query::insert()
        .into_table("areas")
        .columns([
            "unit_id",
            "name",
            "part",
            "lat",
            "lon",
            "state",
            "state_since",
            "decision_number",
            "decision_date",
            "decision_signer",
            "previous_area_id",
            "created_at",
            "created_by",
            "updated_at",
        ])
        .values_panic([
            a.unit_id.into(),
            a.name.trim().into(),
            a.part.trim().into(),
            a.location.map(|l| l.lat()).into(),
            a.location.map(|l| l.lon()).into(),
            AreaState::Selected.as_str().into(),
            a.decision_date.into(),
            a.decision_number.trim().into(),
            a.decision_date.into(),
            a.decision_signer.trim().into(),
            a.previous_area_id.into(),
            now.into(),
            by.into(),
            now.into(),
        ])
        .returning_col("id")
        .to_owned();
    let id = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    insert_transition(&mut tx, id, None, AreaState::Selected, a.decision_date, &a.decision_number, "", by)
        .await?;
    finish(tx, audit_entry, id).await?;
    Ok(id)
}

/// One measure of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    /// What is to be done.
    pub measure: String,
    /// The responsible unit or agency.
    pub unit: String,
    /// The responsible person (an official, by name and post).
    pub person: String,
}

/// A plan to save.
#[derive(Debug, Clone)]
pub struct NewPlan {
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// The measures, at least one.
    pub measures: Vec<Measure>,
    /// Free text.
    pub note: String,
}

/// A stored plan revision.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Revision, from 1.
    pub revision: i64,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Measures.
    pub measures: Vec<Measure>,
    /// Note.
    pub note: String,
    /// Who saved it.
    pub by_name: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct PlanRow {
    revision: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    measures: String,
    note: String,
    by_name: Option<String>,
    created_at: DateTime<Utc>,
}

/// Saves a plan or a new revision of it. The first plan moves a selected area to
/// `planned`; a revised plan of an area not transformed puts it back to work
/// (`in_progress`, dated the plan's first day); planned and in-progress areas may revise
/// theirs. The window must lie in the programme period and end after it starts.
pub async fn save_plan(
    db: &Db,
    id: i64,
    cx: Actor<'_>,
    p: &NewPlan,
    audit_entry: Option<NewEntry>,
) -> Result<i64, ChangeError> {
    let Actor { scope, params, by, .. } = cx;
    let measures: Vec<Measure> = p
        .measures
        .iter()
        .filter(|m| !m.measure.trim().is_empty())
        .map(|m| Measure {
            measure: m.measure.trim().to_owned(),
            unit: m.unit.trim().to_owned(),
            person: m.person.trim().to_owned(),
        })
        .collect();
    if measures.is_empty() {
        return Err(ChangeError::invalid(
            "the plan needs at least one measure",
            "Kế hoạch cần ít nhất một biện pháp.",
        ));
    }
    if let Some(m) = measures.iter().find(|m| m.unit.is_empty()) {
        return Err(ChangeError::Invalid {
            en: format!("the measure '{}' needs a responsible unit", m.measure),
            vi: format!("Biện pháp «{}» cần có đơn vị chịu trách nhiệm.", m.measure),
        });
    }
    if p.ends_on <= p.starts_on {
        return Err(ChangeError::invalid(
            "the plan must end after it starts",
            "Ngày kết thúc kế hoạch phải sau ngày bắt đầu.",
        ));
    }
    for d in [p.starts_on, p.ends_on] {
        if !params.in_programme(d) {
            return Err(ChangeError::OutsideProgramme {
                date: d,
                from: params.programme_from,
                to: params.programme_to,
            });
        }
    }
    let mut tx = db.begin().await?;
    let area = area_in_tx(&mut tx, id, scope).await?;
    if p.starts_on < area.decision_date {
        return Err(ChangeError::Invalid {
            en: format!("the plan cannot start before the selection decision ({})", area.decision_date),
            vi: format!(
                "Kế hoạch không thể bắt đầu trước ngày quyết định lựa chọn ({}).",
                format_date(area.decision_date)
            ),
        });
    }
    match area.state {
        AreaState::Selected => {
            let on = Ord::max(p.starts_on, area.state_since);
            step(&mut tx, &area, AreaState::Selected, AreaState::Planned, on, "", "", by).await?;
        }
        AreaState::NotTransformed => {
            not_before_state(&area, p.starts_on)?;
            step(&mut tx, &area, AreaState::NotTransformed, AreaState::InProgress, p.starts_on, "", "", by)
                .await?;
        }
        AreaState::Planned | AreaState::InProgress => {}
        other => {
            return Err(ChangeError::Invalid {
                en: format!("the plan cannot be changed in state '{other}'"),
                vi: format!(
                    "Không thể lập hoặc sửa kế hoạch khi địa bàn ở trạng thái «{}».",
                    other.label_vi()
                ),
            });
        }
    }
    let q = Query::select()
        .expr_as(Expr::cust("COALESCE(MAX(revision), 0) + 1"), "id")
        .from("area_plans")
        .and_where(Expr::col("area_id").eq(id))
        .to_owned();
    let revision = tx.exec().fetch_one::<IdRow, _>(&q).await?.id;
    let json = serde_json::to_string(&measures).map_err(|e| DbError::Other(e.to_string()))?;
    let ins = Query::insert()
        .into_table("area_plans")
        .columns([
            "area_id",
            "revision",
            "starts_on",
            "ends_on",
            "measures",
            "note",
            "created_by",
            "created_at",
        ])
        .values_panic([
            id.into(),
            revision.into(),
            p.starts_on.into(),
            p.ends_on.into(),
            json.into(),
            p.note.trim().into(),
            by.into(),
            crate::now().into(),
        ])
        .to_owned();
    tx.exec().execute(&ins).await?;
    finish(tx, audit_entry, id).await?;
    Ok(revision)
}

/// The plan revisions of an area, newest first (no scope check: call after [`get`]).
pub async fn plans(db: &Db, id: i64) -> Result<Vec<Plan>, DbError> {
    let q = Query::select()
        .columns(["revision", "starts_on", "ends_on", "measures", "note", "created_at"].map(|c| ("p", c)))
        .expr_as(Expr::col(("us", "display_name")), "by_name")
        .from_as("area_plans", "p")
        .join_as(JoinType::LeftJoin, "users", "us", Expr::col(("us", "id")).equals(("p", "created_by")))
        .and_where(Expr::col(("p", "area_id")).eq(id))
        .order_by(("p", "revision"), Order::Desc)
        .to_owned();
    let rows: Vec<PlanRow> = db.exec().fetch_all(&q).await?;
    rows.into_iter()
        .map(|r| {
            Ok(Plan {
                revision: r.revision,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                measures: stored(serde_json::from_str(&r.measures))?,
                note: r.note,
                by_name: r.by_name,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// Starts carrying out the plan: `planned → in_progress` on `on`.
pub async fn start(
    db: &Db,
    id: i64,
    cx: Actor<'_>,
    on: NaiveDate,
    audit_entry: Option<NewEntry>,
) -> Result<(), ChangeError> {
    let Actor { scope, params, today, by } = cx;
    check_date(on, today, params)?;
    let mut tx = db.begin().await?;
    let area = area_in_tx(&mut tx, id, scope).await?;
    not_before_state(&area, on)?;
    step(&mut tx, &area, area.state, AreaState::InProgress, on, "", "", by).await?;
    finish(tx, audit_entry, id).await
}

/// A progress update.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Progress {
    /// Id.
    pub id: i64,
    /// The date it reports on.
    pub on_date: NaiveDate,
    /// What was done.
    pub text: String,
    /// Who wrote it.
    pub by_name: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Records a progress update on an area whose plan is being carried out (planned or in
/// progress), dated no later than today and not before the selection.
pub async fn add_progress(
    db: &Db,
    id: i64,
    cx: Actor<'_>,
    on: NaiveDate,
    text: &str,
    audit_entry: Option<NewEntry>,
) -> Result<(), ChangeError> {
    let Actor { scope, today, by, .. } = cx;
    required(text, "the update needs a text", "Cần nhập nội dung tiến độ.")?;
    if on > today {
        return Err(ChangeError::InFuture(on));
    }
    let mut tx = db.begin().await?;
    let area = area_in_tx(&mut tx, id, scope).await?;
    if !matches!(area.state, AreaState::Planned | AreaState::InProgress) {
        return Err(ChangeError::Invalid {
            en: format!("progress is reported while the plan is carried out, not in state '{}'", area.state),
            vi: format!(
                "Chỉ báo cáo tiến độ khi đang thực hiện kế hoạch, không phải ở trạng thái «{}».",
                area.state.label_vi()
            ),
        });
    }
    if on < area.decision_date {
        return Err(ChangeError::BeforeCurrentState { date: on, since: area.decision_date });
    }
    let q = Query::insert()
        .into_table("area_progress")
        .columns(["area_id", "on_date", "text", "created_by", "created_at"])
        .values_panic([id.into(), on.into(), text.trim().into(), by.into(), crate::now().into()])
        .to_owned();
    tx.exec().execute(&q).await?;
    finish(tx, audit_entry, id).await
}

/// The progress updates of an area, newest first (no scope check).
pub async fn progress(db: &Db, id: i64) -> Result<Vec<Progress>, DbError> {
    let q = Query::select()
        .columns(["id", "on_date", "text", "created_at"].map(|c| ("p", c)))
        .expr_as(Expr::col(("us", "display_name")), "by_name")
        .from_as("area_progress", "p")
        .join_as(JoinType::LeftJoin, "users", "us", Expr::col(("us", "id")).equals(("p", "created_by")))
        .and_where(Expr::col(("p", "area_id")).eq(id))
        .order_by(("p", "on_date"), Order::Desc)
        .order_by(("p", "id"), Order::Desc)
        .to_owned();
    db.exec().fetch_all(&q).await
}
