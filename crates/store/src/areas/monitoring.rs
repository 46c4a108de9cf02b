//! Evaluation, recognition, reviews during the non-relapse window, relapse and the end
//! of monitoring; the histories behind T3 and T4.

use super::*;

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
    commune: Option<i64>,
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
    Ok(histories_by_commune(db, scope, commune_id).await?.into_iter().map(|(id, (_, h))| (id, h)).collect())
}

/// The same histories with the current commune each area counts towards.
pub async fn histories_by_commune(
    db: &Db,
    scope: Scope,
    commune_id: Option<i64>,
) -> Result<BTreeMap<i64, (Option<i64>, AreaHistory)>, DbError> {
    let mut q = Query::select()
        .columns([("t", "area_id"), ("t", "to_state"), ("t", "on_date")])
        .expr_as(Expr::col(("u", "scope_commune_id")), "commune")
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
    let mut out: BTreeMap<i64, (Option<i64>, AreaHistory)> = BTreeMap::new();
    for r in rows {
        out.entry(r.area_id)
            .or_insert_with(|| (r.commune, AreaHistory { transitions: Vec::new() }))
            .1
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
