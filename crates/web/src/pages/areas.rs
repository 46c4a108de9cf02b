//! Chuyển hóa địa bàn: the transformation programme of key areas. The list shows the
//! T3/T4 figures, a map and the reviews due; an area's page shows its timeline, plan,
//! progress, evaluations and reviews with the forms its state and the user's role allow.
//! The rules are the store's (`diaban_store::areas`) and the input checks
//! `crate::area_input`'s, shared with the API; a refused step re-renders the page with
//! the reason.

use super::{Crumb, Ctx, Flash, json_block, redirect_with_flash, render};
use crate::AppState;
use crate::api::areas::{ListQuery, at_of, figures_of, filter_of};
use crate::area_input::{
    self as input, DecisionInput, EvaluationInput, PlanInput, SelectInput, StepInput, change_error,
};
use crate::auth::actions::{DecideAreas, ReadAreas, WriteAreas};
use crate::auth::{Authorized, Identity};
use crate::error::{AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::access::Action;
use diaban_domain::area::{AreaState, Checklist, T3T4};
use diaban_store::areas::{self, Area, Measure};
use serde_json::json;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: ReadAreas, scoped.
        .route("/areas", get(list))
        // Access: DecideAreas (province officer); the commune must be in scope; audited.
        .route("/areas/new", get(new_form).post(create))
        // Access: ReadAreas, scoped.
        .route("/areas/{id}", get(detail))
        // Access: WriteAreas, scoped; audited.
        .route("/areas/{id}/plan", post(plan))
        .route("/areas/{id}/start", post(start))
        .route("/areas/{id}/progress", post(progress))
        .route("/areas/{id}/reviews", post(review))
        // Access: DecideAreas, scoped; audited.
        .route("/areas/{id}/evaluate", get(evaluate_form).post(evaluate))
        .route("/areas/{id}/decision", post(decide))
        .route("/areas/{id}/relapse", post(relapse))
        .route("/areas/{id}/close", post(close))
}

pub(super) fn state_label(s: AreaState, tr: Tr) -> &'static str {
    if tr.0 == Lang::Vi { s.label_vi() } else { s.label_en() }
}

/// The map colour of a state (the badge colours' stronger tone).
fn state_color(s: AreaState) -> &'static str {
    match s {
        AreaState::Selected => "#1a4a85",
        AreaState::Planned => "#553184",
        AreaState::InProgress => "#c56a00",
        AreaState::Evaluated => "#a07400",
        AreaState::Transformed | AreaState::Sustained => "#1c6236",
        AreaState::NotTransformed | AreaState::Relapsed => "#b3261e",
        AreaState::Monitoring => "#0f7f8c",
    }
}

fn crumbs(tr: Tr, last: Option<(&str, String)>) -> Vec<Crumb> {
    let mut c = vec![Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) }];
    match last {
        None => c.push(Crumb { label: tr.t("areas.title").into(), href: None }),
        Some((label, _)) => {
            c.push(Crumb { label: tr.t("areas.title").into(), href: Some("/areas".into()) });
            c.push(Crumb { label: label.to_owned(), href: None });
        }
    }
    c
}

/// A figure as the cards show it.
pub struct FigureCard {
    pub label: &'static str,
    pub value: String,
    pub foot: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub rule: String,
}

fn percent(x: Option<f64>, tr: Tr) -> String {
    match x {
        Some(v) => {
            let s = format!("{:.1}%", v * 100.0);
            if tr.0 == Lang::Vi { s.replace('.', ",") } else { s }
        }
        None => "—".into(),
    }
}

/// T3 and T4 against the plan's targets (60% and 85%): on track at or above the target,
/// at risk within 10 points below it, off track further below; no figure yet is shown
/// as such.
/// T3 and T4 as the plan in force judges them, for the statistical year containing
/// `at`, on the plan's territory within the place (the caller's scope, or the commune of
/// the filter): the same figures and verdict as the dashboard, the indicators API and the
/// reports (`crate::indicators_ops::judge`). Without a plan in force the figures at `at`
/// are shown without a status.
async fn figure_cards(
    state: &AppState,
    who: &crate::auth::Identity,
    unit: Option<&str>,
    fallback: &T3T4,
    at: chrono::NaiveDate,
    tr: Tr,
) -> Result<Vec<FigureCard>, AppError> {
    use crate::indicators_ops as ind;
    use diaban_domain::indicator::IndicatorId;
    use diaban_domain::period::{PeriodKind, StatPeriod};
    let place = ind::place(state, who, unit).await?;
    let cutoff = ind::reporting(state).await?.cutoff_day;
    let year = StatPeriod::containing(PeriodKind::Year, at, cutoff);
    let judged = match ind::plan_for(state, &place, ind::PlanPick::Default, year, cutoff).await? {
        Some(c) => Some(ind::judge(state, c, year, None).await?),
        None => None,
    };
    let share = |x: Option<f64>| percent(x.map(|v| v / 100.0), tr);
    let mut cards = Vec::new();
    for (id, label, foot) in [
        (IndicatorId::T3AreasTransformed, "areas.t3", "areas.t3_foot"),
        (IndicatorId::T4AreasNotRelapsed, "areas.t4", "areas.t4_foot"),
    ] {
        let card = match judged.as_ref().and_then(|j| j.on(id).map(|t| (j, t))) {
            Some((j, jt)) => {
                let (num, den) =
                    jt.figure.as_ref().map_or((0.0, 0.0), |f| (f.numerator, f.denominator.unwrap_or(0.0)));
                let st = jt.verdict.status;
                FigureCard {
                    label: tr.t(label),
                    value: share(jt.verdict.value),
                    foot: format!(
                        "{} / {} {} · {} · {} ({})",
                        tr.num(num as i64),
                        tr.num(den as i64),
                        tr.t(foot),
                        jt.verdict.judged_on.label_vi(),
                        j.plan.number,
                        j.territory_vi()
                    ),
                    status: ind::status_class(st),
                    status_label: if tr.0 == Lang::Vi { st.label_vi() } else { st.label_en() },
                    rule: jt.verdict.rule_vi.clone(),
                }
            }
            None => {
                let (v, num, den) = match id {
                    IndicatorId::T3AreasTransformed => {
                        (fallback.t3(), fallback.transformed, fallback.selected)
                    }
                    _ => (fallback.t4(), fallback.not_relapsed_after_window, fallback.transformed),
                };
                FigureCard {
                    label: tr.t(label),
                    value: percent(v, tr),
                    foot: format!("{} / {} {}", tr.num(num as i64), tr.num(den as i64), tr.t(foot)),
                    status: "none",
                    status_label: tr.t(if judged.is_some() {
                        "areas.no_target"
                    } else {
                        "areas.no_plan_in_force"
                    }),
                    rule: judged
                        .as_ref()
                        .map(|j| format!("{} — {}", j.plan.number, j.period.label_vi()))
                        .unwrap_or_default(),
                }
            }
        };
        cards.push(card);
    }
    Ok(cards)
}

pub struct AreaRow {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub decision: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub since: String,
}

pub struct DueRow {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub recognised: String,
    pub window_end: String,
    pub next_due: String,
    pub done: usize,
    pub overdue: bool,
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "areas_list.html")]
struct ListPage {
    p: super::Page,
    cards: Vec<FigureCard>,
    at: String,
    rows: Vec<AreaRow>,
    due: Vec<DueRow>,
    states: Vec<Choice>,
    unit: String,
    query: String,
    map_json: String,
    can_decide: bool,
}

fn query_string(q: &ListQuery) -> String {
    let kept: Vec<(&str, &str)> = [("unit", &q.unit), ("state", &q.state)]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadAreas>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let f = filter_of(&state, &who, &q).await?;
    let at = at_of(&q)?;
    let found = areas::list(&state.db, who.scope(), &f).await?;
    let figures = figures_of(&state, &who, &f, at).await?;
    let params = input::params(&state).await?;
    let today = diaban_domain::time::today_in_vietnam();
    let due = areas::monitoring(&state.db, who.scope(), &params, today).await?;
    let items: Vec<_> = found
        .iter()
        .filter_map(|a| {
            a.point().map(|(lat, lon)| {
                json!({"lat": lat, "lon": lon, "href": format!("/areas/{}", a.id),
                       "label": format!("{} — {}", a.name, state_label(a.state, tr)),
                       "color": state_color(a.state)})
            })
        })
        .collect();
    let legend: Vec<_> = AreaState::ALL
        .iter()
        .map(|s| json!({"color": state_color(*s), "label": state_label(*s, tr)}))
        .collect();
    let map = json!({"layers": [{"type": "points", "name": tr.t("areas.title"), "legend": legend, "items": items}]});
    let rows = found.iter().map(|a| row(a, tr)).collect();
    let due = due
        .iter()
        .map(|d| DueRow {
            id: d.area.id,
            name: d.area.name.clone(),
            unit: d.area.unit_name.clone(),
            recognised: tr.date(&d.recognised_on),
            window_end: d.window_end.map(|e| tr.date(&e)).unwrap_or_default(),
            next_due: d
                .next_due
                .map(|e| tr.date(&e))
                .unwrap_or_else(|| tr.t("areas.reviews_complete").into()),
            done: d.done,
            overdue: d.overdue,
        })
        .collect();
    let states = AreaState::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str(),
            label: state_label(*s, tr),
            selected: q.state.as_deref() == Some(s.as_str()),
        })
        .collect();
    let mut p = ctx.page(Some(&who), "areas.title", "areas").await;
    p.breadcrumbs = crumbs(tr, None);
    let page = ListPage {
        p,
        cards: figure_cards(&state, &who, q.unit.as_deref(), &figures, at, tr).await?,
        at: tr.date(&at),
        rows,
        due,
        states,
        unit: q.unit.clone().unwrap_or_default(),
        query: query_string(&q),
        map_json: json_block(&map),
        can_decide: who.may(Action::DecideAreas),
    };
    render(ctx.flash_key.is_some(), &page)
}

fn row(a: &Area, tr: Tr) -> AreaRow {
    AreaRow {
        id: a.id,
        name: a.name.clone(),
        unit: format!("{} ({})", a.unit_name, a.unit_code),
        decision: format!("{} — {}", a.decision_number, tr.date(&a.decision_date)),
        state: a.state.as_str(),
        state_label: state_label(a.state, tr),
        since: tr.date(&a.state_since),
    }
}

// ---------------------------------------------------------------------------------
// Selection.

#[derive(Template)]
#[template(path = "area_form.html")]
struct FormPage {
    p: super::Page,
    v: SelectInput,
    errors: Vec<(&'static str, String)>,
    today: String,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
    fn text(v: &Option<crate::site_input::Loose>) -> String {
        match v {
            Some(crate::site_input::Loose::Text(t)) => t.clone(),
            Some(crate::site_input::Loose::Num(n)) => n.to_string(),
            _ => String::new(),
        }
    }
}

#[derive(serde::Deserialize, Default)]
struct NewQuery {
    previous: Option<i64>,
}

async fn new_form(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let mut v = SelectInput::default();
    // Selecting a relapsed area again: its commune and name carry over.
    if let Some(prev) = q.previous {
        let a = areas::get(&state.db, prev, who.scope())
            .await?
            .ok_or_else(|| AppError::not_found("no such area"))?;
        v.unit = a.unit_code;
        v.name = a.name;
        v.part = a.part;
        v.previous_area_id = Some(crate::site_input::Loose::Text(prev.to_string()));
    }
    let mut p = ctx.page(Some(&who), "areas.new", "areas").await;
    p.breadcrumbs = crumbs(tr, Some((tr.t("areas.new"), String::new())));
    let today = diaban_domain::time::today_in_vietnam().to_string();
    render(ctx.flash_key.is_some(), &FormPage { p, v, errors: vec![], today })
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    ctx: Ctx,
    Form(v): Form<SelectInput>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let again = |errors: Vec<(&'static str, String)>, message: Option<String>| async {
        let mut p = ctx.page(Some(&who), "areas.new", "areas").await;
        p.breadcrumbs = crumbs(tr, Some((tr.t("areas.new"), String::new())));
        if let Some(m) = message {
            p.flash = Some(Flash { kind: "error", text: m });
        }
        let today = diaban_domain::time::today_in_vietnam().to_string();
        let mut r = render(false, &FormPage { p, v: v.clone(), errors, today })?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok::<Response, AppError>(r)
    };
    let new = match input::new_area(&state, &who, &v, tr).await? {
        Ok(n) => n,
        Err(errors) => return again(errors, None).await,
    };
    let params = input::params(&state).await?;
    let audit = who.audit("area.select", "area", "");
    match areas::select(&state.db, &new, input::actor(&who, &params), Some(audit)).await {
        Ok(id) => Ok(redirect_with_flash(&format!("/areas/{id}"), "areas.selected")),
        Err(e) => {
            let e = change_error(e, tr);
            if e.kind == ErrorKind::Unprocessable { again(vec![], Some(e.message)).await } else { Err(e) }
        }
    }
}

// ---------------------------------------------------------------------------------
// The area's page.

pub struct StepRow {
    pub on: String,
    pub state: &'static str,
    pub label: &'static str,
    pub decision: String,
    pub note: String,
    pub by: String,
}

pub struct PlanView {
    pub revision: i64,
    pub period: String,
    pub measures: Vec<Measure>,
    pub note: String,
    pub by: String,
    pub revisions: usize,
}

pub struct AnswerRow {
    pub text: String,
    pub required: bool,
    pub met: Option<bool>,
    pub note: String,
}

pub struct EvaluationView {
    pub on: String,
    pub version: u32,
    pub passed: bool,
    pub score: String,
    pub evaluator: String,
    pub answers: Vec<AnswerRow>,
}

pub struct NoteRow {
    pub on: String,
    pub text: String,
    pub flag: bool,
    pub by: String,
}

#[derive(Template)]
#[template(path = "area_detail.html")]
struct DetailPage {
    p: super::Page,
    a: Area,
    state_label: &'static str,
    map_json: String,
    timeline: Vec<StepRow>,
    plan: Option<PlanView>,
    plan_form: PlanInput,
    blank_rows: usize,
    progress: Vec<NoteRow>,
    evaluations: Vec<EvaluationView>,
    reviews: Vec<NoteRow>,
    window_end: Option<String>,
    next_review: Option<String>,
    today: String,
    can_write: bool,
    can_decide: bool,
    error: Option<String>,
}

impl DetailPage {
    fn in_state(&self, names: &[&str]) -> bool {
        names.contains(&self.a.state.as_str())
    }
}

fn by(name: &Option<String>) -> String {
    name.clone().unwrap_or_default()
}

async fn detail_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let a =
        areas::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such area"))?;
    let params = input::params(state).await?;
    let transitions = areas::transitions(&state.db, id).await?;
    let plans = areas::plans(&state.db, id).await?;
    let checklists = areas::checklist_versions(&state.db).await?;
    let evaluations = areas::evaluations(&state.db, id).await?;
    let reviews = areas::reviews(&state.db, id).await?;
    let progress = areas::progress(&state.db, id).await?;
    let timeline = transitions
        .iter()
        .map(|t| {
            let s: AreaState = t.to_state.parse().unwrap_or(AreaState::Selected);
            StepRow {
                on: tr.date(&t.on_date),
                state: s.as_str(),
                label: state_label(s, tr),
                decision: t.decision_number.clone(),
                note: t.note.clone(),
                by: by(&t.by_name),
            }
        })
        .collect();
    let plan = plans.first().map(|p| PlanView {
        revision: p.revision,
        period: format!("{} – {}", tr.date(&p.starts_on), tr.date(&p.ends_on)),
        measures: p.measures.clone(),
        note: p.note.clone(),
        by: by(&p.by_name),
        revisions: plans.len(),
    });
    let plan_form = plans
        .first()
        .map(|p| PlanInput {
            starts_on: p.starts_on.to_string(),
            ends_on: p.ends_on.to_string(),
            measures: p.measures.clone(),
            note: String::new(),
        })
        .unwrap_or_default();
    let checklist_of = |v: u32| checklists.iter().map(|c| &c.checklist).find(|c| c.version == v);
    let evaluations = evaluations
        .iter()
        .map(|e| {
            let items = checklist_of(e.checklist_version).map(|c| c.items.clone()).unwrap_or_default();
            EvaluationView {
                on: tr.date(&e.on_date),
                version: e.checklist_version,
                passed: e.passed,
                score: format!("{}/{}", e.required_met, e.required_total),
                evaluator: e.evaluator.clone(),
                answers: items
                    .iter()
                    .map(|i| {
                        let ans = e.answers.iter().find(|x| x.code == i.code);
                        AnswerRow {
                            text: i.text_vi.clone(),
                            required: i.required,
                            met: ans.map(|x| x.met),
                            note: ans.and_then(|x| x.note.clone()).unwrap_or_default(),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let recognised = transitions.iter().find(|t| t.to_state == "transformed").map(|t| t.on_date);
    let window_end = recognised.and_then(|r| params.window_end(r));
    let next_review = recognised.and_then(|r| params.review_schedule(r).get(reviews.len()).copied());
    let map = a
        .point()
        .map(|(lat, lon)| {
            json!({"layers": [{"type": "points", "name": a.name, "items": [{"lat": lat, "lon": lon,
                "label": a.name, "color": state_color(a.state)}]}]})
        })
        .unwrap_or(json!({"layers": []}));
    let mut p = ctx.page(Some(who), "areas.title", "areas").await;
    p.title = a.name.clone();
    p.breadcrumbs = crumbs(tr, Some((&a.name, String::new())));
    let blank_rows = if plans.is_empty() { 4 } else { 2 };
    let page = DetailPage {
        state_label: state_label(a.state, tr),
        map_json: json_block(&map),
        timeline,
        plan,
        plan_form,
        blank_rows,
        progress: progress
            .iter()
            .map(|x| NoteRow {
                on: tr.date(&x.on_date),
                text: x.text.clone(),
                flag: false,
                by: by(&x.by_name),
            })
            .collect(),
        evaluations,
        reviews: reviews
            .iter()
            .map(|r| NoteRow {
                on: tr.date(&r.done_on),
                text: r.findings.clone(),
                flag: r.warning_signs,
                by: by(&r.by_name),
            })
            .collect(),
        window_end: window_end.map(|d| tr.date(&d)),
        next_review: next_review.map(|d| tr.date(&d)),
        today: diaban_domain::time::today_in_vietnam().to_string(),
        can_write: who.may(Action::WriteAreas),
        can_decide: who.may(Action::DecideAreas),
        error,
        a,
        p,
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    if page.error.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadAreas>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    detail_page(&state, &who, &ctx, id, None).await
}

/// After a step: back to the page with a flash, or the page again with the refusal.
async fn after(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    result: Result<(), AppError>,
    flash: &'static str,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(redirect_with_flash(&format!("/areas/{id}"), flash)),
        Err(e) if matches!(e.kind, ErrorKind::Unprocessable | ErrorKind::Conflict) => {
            detail_page(state, who, ctx, id, Some(e.message)).await
        }
        Err(e) => Err(e),
    }
}

async fn plan(
    State(state): State<AppState>,
    who: Authorized<WriteAreas>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let params = input::params(&state).await?;
    let result = async {
        let p = PlanInput::from_form(&pairs).to_plan(tr).map_err(|e| input::joined_labelled(&e, tr))?;
        areas::save_plan(
            &state.db,
            id,
            input::actor(&who, &params),
            &p,
            Some(who.audit("area.plan", "area", id)),
        )
        .await
        .map_err(|e| change_error(e, tr))?;
        Ok(())
    }
    .await;
    after(&state, &who, &ctx, id, result, "areas.plan_saved").await
}

/// One dated step with a text from a form: the date parsed (today when empty), the
/// store call made with its audit entry, refusals mapped to the user's language.
async fn dated_step<F>(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    i: &StepInput,
    action: &str,
    f: F,
) -> Result<(), AppError>
where
    F: AsyncFnOnce(
        areas::Actor<'_>,
        chrono::NaiveDate,
        diaban_store::audit::NewEntry,
    ) -> Result<(), areas::ChangeError>,
{
    let tr = ctx.tr(Some(who));
    let on = i.date(tr)?;
    let params = input::params(state).await?;
    f(input::actor(who, &params), on, who.audit(action, "area", id)).await.map_err(|e| change_error(e, tr))
}

async fn start(
    State(state): State<AppState>,
    who: Authorized<WriteAreas>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(i): Form<StepInput>,
) -> Result<Response, AppError> {
    let db = &state.db;
    let result = dated_step(&state, &who, &ctx, id, &i, "area.start", async |cx, on, a| {
        areas::start(db, id, cx, on, Some(a)).await
    })
    .await;
    after(&state, &who, &ctx, id, result, "areas.step_saved").await
}

async fn progress(
    State(state): State<AppState>,
    who: Authorized<WriteAreas>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(i): Form<StepInput>,
) -> Result<Response, AppError> {
    let db = &state.db;
    let text = i.text.clone();
    let result = dated_step(&state, &who, &ctx, id, &i, "area.progress", async |cx, on, a| {
        areas::add_progress(db, id, cx, on, &text, Some(a)).await
    })
    .await;
    after(&state, &who, &ctx, id, result, "areas.progress_saved").await
}

async fn review(
    State(state): State<AppState>,
    who: Authorized<WriteAreas>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(i): Form<StepInput>,
) -> Result<Response, AppError> {
    let db = &state.db;
    let (text, warning) = (i.text.clone(), i.warning());
    let result = dated_step(&state, &who, &ctx, id, &i, "area.review", async |cx, on, a| {
        areas::review(db, id, cx, on, &text, warning, Some(a)).await
    })
    .await;
    after(&state, &who, &ctx, id, result, "areas.review_saved").await
}

async fn decide(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(i): Form<DecisionInput>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let params = input::params(&state).await?;
    let result = async {
        let d = i.to_decision(tr)?;
        areas::decide(
            &state.db,
            id,
            input::actor(&who, &params),
            &d,
            Some(who.audit("area.decide", "area", id)),
        )
        .await
        .map_err(|e| change_error(e, tr))
    }
    .await;
    after(&state, &who, &ctx, id, result, "areas.step_saved").await
}

async fn relapse(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(i): Form<StepInput>,
) -> Result<Response, AppError> {
    let db = &state.db;
    let text = i.text.clone();
    let result = dated_step(&state, &who, &ctx, id, &i, "area.relapse", async |cx, on, a| {
        areas::relapse(db, id, cx, on, &text, Some(a)).await
    })
    .await;
    after(&state, &who, &ctx, id, result, "areas.step_saved").await
}

async fn close(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(i): Form<StepInput>,
) -> Result<Response, AppError> {
    let db = &state.db;
    let text = i.text.clone();
    let result = dated_step(&state, &who, &ctx, id, &i, "area.close", async |cx, on, a| {
        areas::close_monitoring(db, id, cx, on, &text, Some(a)).await
    })
    .await;
    after(&state, &who, &ctx, id, result, "areas.step_saved").await
}

// ---------------------------------------------------------------------------------
// Evaluation.

#[derive(Template)]
#[template(path = "area_evaluate.html")]
struct EvaluatePage {
    p: super::Page,
    a: Area,
    checklist: Checklist,
    v: EvaluationInput,
    today: String,
}

impl EvaluatePage {
    fn answer(&self, code: &str) -> Option<bool> {
        self.v.answers.iter().find(|a| a.code == code).map(|a| a.met)
    }
    fn note(&self, code: &str) -> String {
        self.v.answers.iter().find(|a| a.code == code).and_then(|a| a.note.clone()).unwrap_or_default()
    }
}

async fn evaluate_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    v: EvaluationInput,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let a =
        areas::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such area"))?;
    let checklist = areas::current_checklist(&state.db).await?;
    let mut p = ctx.page(Some(who), "areas.evaluate", "areas").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("areas.title").into(), href: Some("/areas".into()) },
        Crumb { label: a.name.clone(), href: Some(format!("/areas/{id}")) },
        Crumb { label: tr.t("areas.evaluate").into(), href: None },
    ];
    let failed = error.is_some();
    if let Some(m) = error {
        p.flash = Some(Flash { kind: "error", text: m });
    }
    let today = diaban_domain::time::today_in_vietnam().to_string();
    let mut r = render(ctx.flash_key.is_some() && !failed, &EvaluatePage { p, a, checklist, v, today })?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn evaluate_form(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    evaluate_page(&state, &who, &ctx, id, EvaluationInput::default(), None).await
}

async fn evaluate(
    State(state): State<AppState>,
    who: Authorized<DecideAreas>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let checklist = areas::current_checklist(&state.db).await?;
    let v = EvaluationInput::from_form(&pairs, &checklist);
    let params = input::params(&state).await?;
    let result = async {
        let on = StepInput { on: v.on.clone(), ..Default::default() }.date(tr)?;
        let audit = who.audit("area.evaluate", "area", id);
        areas::evaluate_area(
            &state.db,
            id,
            input::actor(&who, &params),
            on,
            v.answers.clone(),
            &v.evaluator,
            Some(audit),
        )
        .await
        .map_err(|e| change_error(e, tr))
    }
    .await;
    match result {
        Ok(true) => Ok(redirect_with_flash(&format!("/areas/{id}"), "areas.evaluation_passed")),
        Ok(false) => Ok(redirect_with_flash(&format!("/areas/{id}"), "areas.evaluation_failed")),
        Err(e) if e.kind == ErrorKind::Unprocessable || e.kind == ErrorKind::Conflict => {
            evaluate_page(&state, &who, &ctx, id, v, Some(e.message)).await
        }
        Err(e) => Err(e),
    }
}
