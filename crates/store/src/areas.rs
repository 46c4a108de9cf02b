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

// ---------------------------------------------------------------------------------
// The checklist.

#[derive(sqlx::FromRow)]
struct ChecklistRow {
    version: i64,
    items: String,
    note: String,
    by_name: Option<String>,
    created_at: DateTime<Utc>,
}

/// One stored version of the checklist.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistVersion {
    /// The checklist.
    pub checklist: Checklist,
    /// Why it changed.
    pub note: String,
    /// Who saved it (None: the example shipped with diaban).
    pub by_name: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

fn checklist_query() -> SelectStatement {
    Query::select()
        .columns(["version", "items", "note", "created_at"].map(|c| ("c", c)))
        .expr_as(Expr::col(("us", "display_name")), "by_name")
        .from_as("area_checklists", "c")
        .join_as(JoinType::LeftJoin, "users", "us", Expr::col(("us", "id")).equals(("c", "created_by")))
        .to_owned()
}

fn checklist_of(r: ChecklistRow) -> Result<ChecklistVersion, DbError> {
    Ok(ChecklistVersion {
        checklist: Checklist {
            id: CHECKLIST_ID.to_owned(),
            version: stored(u32::try_from(r.version))?,
            items: stored(serde_json::from_str(&r.items))?,
        },
        note: r.note,
        by_name: r.by_name,
        created_at: r.created_at,
    })
}

/// Every version of the checklist, newest first. An installation that has none yet
/// gets version 1, the example of `diaban_domain::area::Checklist::example_vi`, which an
/// administrator then replaces with the province's own.
pub async fn checklist_versions(db: &Db) -> Result<Vec<ChecklistVersion>, DbError> {
    let q = checklist_query().order_by(("c", "version"), Order::Desc).to_owned();
    let rows: Vec<ChecklistRow> = db.exec().fetch_all(&q).await?;
    if rows.is_empty() {
        let example = Checklist::example_vi();
        let json = serde_json::to_string(&example.items).map_err(|e| DbError::Other(e.to_string()))?;
        let ins = Query::insert()
            .into_table("area_checklists")
            .columns(["version", "items", "note", "created_at"])
            .values_panic([1i64.into(), json.into(), "".into(), crate::now().into()])
            .on_conflict(sea_query::OnConflict::column("version").do_nothing().to_owned())
            .to_owned();
        db.exec().execute(&ins).await?;
        let rows: Vec<ChecklistRow> = db.exec().fetch_all(&q).await?;
        return rows.into_iter().map(checklist_of).collect();
    }
    rows.into_iter().map(checklist_of).collect()
}

/// The checklist in force: the latest version.
pub async fn current_checklist(db: &Db) -> Result<Checklist, DbError> {
    checklist_versions(db).await?.into_iter().next().map(|v| v.checklist).ok_or(DbError::NotFound)
}

/// One version of the checklist.
pub async fn checklist_version(db: &Db, version: u32) -> Result<Option<Checklist>, DbError> {
    checklist_versions(db)
        .await
        .map(|all| all.into_iter().map(|v| v.checklist).find(|c| c.version == version))
}

/// Saves a new version of the checklist (the latest plus one) after checking it; past
/// evaluations keep the version they answered. Returns the new version.
pub async fn set_checklist(
    db: &Db,
    items: Vec<ChecklistItem>,
    note: &str,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<u32, ChangeError> {
    let current = current_checklist(db).await?;
    let mut items = items;
    for i in &mut items {
        i.code = i.code.trim().to_owned();
        i.text_vi = i.text_vi.trim().to_owned();
    }
    if let Some(i) = items.iter().find(|i| i.code.is_empty() || i.text_vi.is_empty()) {
        return Err(ChangeError::Invalid {
            en: format!("item '{}' needs both a code and a text", i.code),
            vi: format!("Tiêu chí «{}» cần có cả mã và nội dung.", i.code),
        });
    }
    let next = Checklist { id: CHECKLIST_ID.to_owned(), version: current.version + 1, items };
    next.validate().map_err(ChangeError::Checklist)?;
    let json = serde_json::to_string(&next.items).map_err(|e| DbError::Other(e.to_string()))?;
    let mut tx = db.begin().await?;
    let ins = Query::insert()
        .into_table("area_checklists")
        .columns(["version", "items", "note", "created_by", "created_at"])
        .values_panic([
            i64::from(next.version).into(),
            json.into(),
            note.trim().into(),
            by.into(),
            crate::now().into(),
        ])
        .to_owned();
    tx.exec().execute(&ins).await.map_err(|e| match e {
        DbError::Conflict(_) => ChangeError::Concurrent,
        other => ChangeError::Db(other),
    })?;
    if let Some(mut e) = audit_entry {
        e.target_type = "area_checklist".into();
        e.target_id = next.version.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(next.version)
}

// ---------------------------------------------------------------------------------
// Evaluation, recognition, monitoring.

/// A stored evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct StoredEvaluation {
    /// Id.
    pub id: i64,
    /// The date of the evaluation.
    pub on_date: NaiveDate,
    /// The checklist version answered.
    pub checklist_version: u32,
    /// The answers.
    pub answers: Vec<Answer>,
    /// Whether every required item was met.
    pub passed: bool,
    /// Required items met.
    pub required_met: i64,
    /// Required items.
    pub required_total: i64,
    /// Who evaluated (the council or officer, as written).
    pub evaluator: String,
    /// Who recorded it.
    pub by_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct EvaluationRow {
    id: i64,
    on_date: NaiveDate,
    checklist_version: i64,
    answers: String,
    passed: bool,
    required_met: i64,
    required_total: i64,
    evaluator: String,
    by_name: Option<String>,
}

/// Evaluates an area whose plan is being carried out against the checklist in force:
/// answers for unknown items, answered twice or missing required items are refused with
/// the domain's message. Moves the area to `evaluated`. Returns whether it passed.
pub async fn evaluate_area(
    db: &Db,
    id: i64,
    cx: Actor<'_>,
    on: NaiveDate,
    answers: Vec<Answer>,
    evaluator: &str,
    audit_entry: Option<NewEntry>,
) -> Result<bool, ChangeError> {
    let Actor { scope, params, today, by } = cx;
    check_date(on, today, params)?;
    required(evaluator, "say who evaluated", "Cần ghi rõ cơ quan hoặc người đánh giá.")?;
    let checklist = current_checklist(db).await?;
    let evaluation = Evaluation { checklist_version: checklist.version, answers };
    let result = evaluate(&checklist, &evaluation).map_err(ChangeError::Checklist)?;
    let mut tx = db.begin().await?;
    let area = area_in_tx(&mut tx, id, scope).await?;
    not_before_state(&area, on)?;
    step(&mut tx, &area, area.state, AreaState::Evaluated, on, "", "", by).await?;
    let json = serde_json::to_string(&evaluation.answers).map_err(|e| DbError::Other(e.to_string()))?;
    let q = Query::insert()
        .into_table("area_evaluations")
        .columns([
            "area_id",
            "on_date",
            "checklist_version",
            "answers",
            "passed",
            "required_met",
            "required_total",
            "evaluator",
            "created_by",
            "created_at",
        ])
        .values_panic([
            id.into(),
            on.into(),
            i64::from(checklist.version).into(),
            json.into(),
            result.passed.into(),
            (result.required_met as i64).into(),
            (result.required_total as i64).into(),
            evaluator.trim().into(),
            by.into(),
            crate::now().into(),
        ])
        .to_owned();
    tx.exec().execute(&q).await?;
    finish(tx, audit_entry, id).await?;
    Ok(result.passed)
}

/// The evaluations of an area, newest first (no scope check).
pub async fn evaluations(db: &Db, id: i64) -> Result<Vec<StoredEvaluation>, DbError> {
    let q = Query::select()
        .columns(
            [
                "id",
                "on_date",
                "checklist_version",
                "answers",
                "passed",
                "required_met",
                "required_total",
                "evaluator",
            ]
            .map(|c| ("e", c)),
        )
        .expr_as(Expr::col(("us", "display_name")), "by_name")
        .from_as("area_evaluations", "e")
        .join_as(JoinType::LeftJoin, "users", "us", Expr::col(("us", "id")).equals(("e", "created_by")))
        .and_where(Expr::col(("e", "area_id")).eq(id))
        .order_by(("e", "on_date"), Order::Desc)
        .order_by(("e", "id"), Order::Desc)
        .to_owned();
    let rows: Vec<EvaluationRow> = db.exec().fetch_all(&q).await?;
    rows.into_iter()
        .map(|r| {
            Ok(StoredEvaluation {
                id: r.id,
                on_date: r.on_date,
                checklist_version: stored(u32::try_from(r.checklist_version))?,
                answers: stored(serde_json::from_str(&r.answers))?,
                passed: r.passed,
                required_met: r.required_met,
                required_total: r.required_total,
                evaluator: r.evaluator,
                by_name: r.by_name,
            })
        })
        .collect()
}

/// The decision on an evaluated area.
#[derive(Debug, Clone)]
pub struct Decision {
    /// Recognised as transformed (true) or not.
    pub transformed: bool,
    /// The decision's date.
    pub on: NaiveDate,
    /// Its number (required for a recognition).
    pub decision_number: String,
    /// Why not, or a note.
    pub note: String,
}

/// Decides on an evaluated area: recognised as transformed (only when the latest
/// evaluation passed; the non-relapse monitoring starts the same day) or not
/// transformed. The decision number is required for a recognition.
pub async fn decide(
    db: &Db,
    id: i64,
    cx: Actor<'_>,
    d: &Decision,
    audit_entry: Option<NewEntry>,
) -> Result<(), ChangeError> {
    let Actor { scope, params, today, by } = cx;
    let Decision { transformed, on, decision_number, note } = d;
    let (transformed, on, decision_number, note) =
        (*transformed, *on, decision_number.as_str(), note.as_str());
    check_date(on, today, params)?;
    if transformed {
        required(
            decision_number,
            "a recognition needs its decision number",
            "Cần nhập số quyết định công nhận địa bàn đã chuyển hóa.",
        )?;
    } else {
        required(note, "say why the area is not transformed", "Cần nêu lý do chưa đạt chuyển hóa.")?;
    }
    let last_passed = evaluations(db, id).await?.first().is_some_and(|e| e.passed);
    let mut tx = db.begin().await?;
    let area = area_in_tx(&mut tx, id, scope).await?;
    not_before_state(&area, on)?;
    if transformed {
        transition(area.state, AreaState::Transformed).map_err(ChangeError::Refused)?;
        if !last_passed {
            return Err(ChangeError::EvaluationNotPassed);
        }
        step(&mut tx, &area, area.state, AreaState::Transformed, on, decision_number, note, by).await?;
        let again = Area { state: AreaState::Transformed, ..area.clone() };
        step(&mut tx, &again, AreaState::Transformed, AreaState::Monitoring, on, "", "", by).await?;
    } else {
        step(&mut tx, &area, area.state, AreaState::NotTransformed, on, decision_number, note, by).await?;
    }
    finish(tx, audit_entry, id).await
}

/// A review during the non-relapse window.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Review {
    /// Id.
    pub id: i64,
    /// When it was done.
    pub done_on: NaiveDate,
    /// What was found.
    pub findings: String,
    /// Whether it saw signs of relapse.
    pub warning_signs: bool,
    /// Who recorded it.
    pub by_name: Option<String>,
}

/// Records a review of an area under monitoring.
pub async fn review(
    db: &Db,
    id: i64,
    cx: Actor<'_>,
    done_on: NaiveDate,
    findings: &str,
    warning_signs: bool,
    audit_entry: Option<NewEntry>,
) -> Result<(), ChangeError> {
    let Actor { scope, today, by, .. } = cx;
    required(findings, "the review needs its findings", "Cần nhập kết quả rà soát.")?;
    if done_on > today {
        return Err(ChangeError::InFuture(done_on));
    }
    let mut tx = db.begin().await?;
    let area = area_in_tx(&mut tx, id, scope).await?;
    if area.state != AreaState::Monitoring {
        return Err(ChangeError::Invalid {
            en: format!("reviews are recorded during monitoring, not in state '{}'", area.state),
            vi: format!(
                "Chỉ ghi nhận rà soát khi địa bàn đang được theo dõi, không phải ở trạng thái «{}».",
                area.state.label_vi()
            ),
        });
    }
    not_before_state(&area, done_on)?;
    let q = Query::insert()
        .into_table("area_reviews")
        .columns(["area_id", "done_on", "findings", "warning_signs", "created_by", "created_at"])
        .values_panic([
            id.into(),
            done_on.into(),
            findings.trim().into(),
            warning_signs.into(),
            by.into(),
            crate::now().into(),
        ])
        .to_owned();
    tx.exec().execute(&q).await?;
    finish(tx, audit_entry, id).await
}

/// The reviews of an area, newest first (no scope check).
pub async fn reviews(db: &Db, id: i64) -> Result<Vec<Review>, DbError> {
    let q = Query::select()
        .columns(["id", "done_on", "findings", "warning_signs"].map(|c| ("r", c)))
        .expr_as(Expr::col(("us", "display_name")), "by_name")
        .from_as("area_reviews", "r")
        .join_as(JoinType::LeftJoin, "users", "us", Expr::col(("us", "id")).equals(("r", "created_by")))
        .and_where(Expr::col(("r", "area_id")).eq(id))
        .order_by(("r", "done_on"), Order::Desc)
        .order_by(("r", "id"), Order::Desc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// Records a relapse (tái phức tạp) of an area under monitoring, with its reasons.
pub async fn relapse(
    db: &Db,
    id: i64,
    cx: Actor<'_>,
    on: NaiveDate,
    reasons: &str,
    audit_entry: Option<NewEntry>,
) -> Result<(), ChangeError> {
    let Actor { scope, params, today, by } = cx;
    check_date(on, today, params)?;
    required(reasons, "a relapse needs its reasons", "Cần nêu lý do, biểu hiện tái phức tạp.")?;
    let mut tx = db.begin().await?;
    let area = area_in_tx(&mut tx, id, scope).await?;
    not_before_state(&area, on)?;
    step(&mut tx, &area, area.state, AreaState::Relapsed, on, "", reasons, by).await?;
    finish(tx, audit_entry, id).await
}

/// Ends the monitoring of an area whose window has passed without relapse: `monitoring
/// → sustained`, on or after the window's last day.
pub async fn close_monitoring(
    db: &Db,
    id: i64,
    cx: Actor<'_>,
    on: NaiveDate,
    note: &str,
    audit_entry: Option<NewEntry>,
) -> Result<(), ChangeError> {
    let Actor { scope, params, today, by } = cx;
    if on > today {
        return Err(ChangeError::InFuture(on));
    }
    let recognised = recognised_on(db, id).await?;
    let mut tx = db.begin().await?;
    let area = area_in_tx(&mut tx, id, scope).await?;
    transition(area.state, AreaState::Sustained).map_err(ChangeError::Refused)?;
    let recognised = recognised.unwrap_or(area.state_since);
    if let Some(end) = params.window_end(recognised)
        && on < end
    {
        return Err(ChangeError::WindowOpen(end));
    }
    step(&mut tx, &area, area.state, AreaState::Sustained, on, "", note, by).await?;
    finish(tx, audit_entry, id).await
}

/// One recorded step of an area's programme.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Transition {
    /// The state before (None for the selection).
    pub from_state: Option<String>,
    /// The state after.
    pub to_state: String,
    /// When it took effect.
    pub on_date: NaiveDate,
    /// The decision behind it.
    pub decision_number: String,
    /// Note or reasons.
    pub note: String,
    /// Who recorded it.
    pub by_name: Option<String>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

/// The history of an area, oldest first (no scope check).
pub async fn transitions(db: &Db, id: i64) -> Result<Vec<Transition>, DbError> {
    let q = Query::select()
        .columns(
            ["from_state", "to_state", "on_date", "decision_number", "note", "created_at"].map(|c| ("t", c)),
        )
        .expr_as(Expr::col(("us", "display_name")), "by_name")
        .from_as("area_transitions", "t")
        .join_as(JoinType::LeftJoin, "users", "us", Expr::col(("us", "id")).equals(("t", "by_user_id")))
        .and_where(Expr::col(("t", "area_id")).eq(id))
        .order_by(("t", "on_date"), Order::Asc)
        .order_by(("t", "id"), Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

async fn recognised_on(db: &Db, id: i64) -> Result<Option<NaiveDate>, DbError> {
    Ok(transitions(db, id)
        .await?
        .into_iter()
        .find(|t| t.to_state == AreaState::Transformed.as_str())
        .map(|t| t.on_date))
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    area_id: i64,
    to_state: String,
    on_date: NaiveDate,
}

/// The dated histories of the areas in `scope` (optionally of one current commune), by
/// area id: the input of the T3 and T4 figures.
pub async fn histories(
    db: &Db,
    scope: Scope,
    commune_id: Option<i64>,
) -> Result<BTreeMap<i64, AreaHistory>, DbError> {
    let mut q = Query::select()
        .columns([("t", "area_id"), ("t", "to_state"), ("t", "on_date")])
        .from_as("area_transitions", "t")
        .join_as(JoinType::InnerJoin, "areas", "a", Expr::col(("a", "id")).equals(("t", "area_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("a", "unit_id")))
        .cond_where(scope.cond("u"))
        .order_by(("t", "area_id"), Order::Asc)
        .order_by(("t", "on_date"), Order::Asc)
        .order_by(("t", "id"), Order::Asc)
        .to_owned();
    if let Some(c) = commune_id {
        q.cond_where(Cond::all().add(Expr::col(("u", "scope_commune_id")).eq(c)));
    }
    let rows: Vec<HistoryRow> = db.exec().fetch_all(&q).await?;
    let mut out: BTreeMap<i64, AreaHistory> = BTreeMap::new();
    for r in rows {
        out.entry(r.area_id)
            .or_insert_with(|| AreaHistory { transitions: Vec::new() })
            .transitions
            .push((r.on_date, stored(r.to_state.parse())?));
    }
    Ok(out)
}

/// An area under monitoring with its next review.
#[derive(Debug, Clone, Serialize)]
pub struct DueReview {
    /// The area.
    pub area: Area,
    /// The day it was recognised as transformed.
    pub recognised_on: NaiveDate,
    /// The window's last day.
    pub window_end: Option<NaiveDate>,
    /// The next review due (None when every scheduled review is done).
    pub next_due: Option<NaiveDate>,
    /// Reviews done.
    pub done: usize,
    /// The next review is due before `today`.
    pub overdue: bool,
}

/// The areas under monitoring in `scope` with their review schedule: the n-th review is
/// due on the n-th date of [`AreaParams::review_schedule`]; one review done counts
/// against the first due date, and so on.
pub async fn monitoring(
    db: &Db,
    scope: Scope,
    params: &AreaParams,
    today: NaiveDate,
) -> Result<Vec<DueReview>, DbError> {
    let areas =
        list(db, scope, &AreaFilter { state: Some(AreaState::Monitoring), ..Default::default() }).await?;
    let mut out = Vec::with_capacity(areas.len());
    for a in areas {
        let recognised = recognised_on(db, a.id).await?.unwrap_or(a.state_since);
        let done = reviews(db, a.id).await?.len();
        let schedule = params.review_schedule(recognised);
        let next_due = schedule.get(done).copied();
        out.push(DueReview {
            overdue: next_due.is_some_and(|d| d < today),
            window_end: params.window_end(recognised),
            recognised_on: recognised,
            next_due,
            done,
            area: a,
        });
    }
    out.sort_by_key(|d| (d.next_due.is_none(), d.next_due, d.area.id));
    Ok(out)
}
