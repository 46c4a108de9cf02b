//! Vụ việc: the cases in scope with their totals (outcomes, seizures per drug), a form to
//! record one with its seizure lines and subjects (numbered rows, no script needed), and
//! a case's page. Names of typed subjects show only to roles that read persons, and that
//! read is audited. The rules are the API's (`crate::ops_input`, `crate::api::cases`).

use super::sites::Choice;
use super::{Crumb, Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::api::cases::{ListQuery, filter_of, record, subjects_for};
use crate::auth::actions::{ReadCases, WriteCases};
use crate::auth::{Authorized, Identity};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::ops_input::{self, CaseInput, SeizureInput, SubjectInput};
use crate::site_input::Loose;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use diaban_domain::access::Action;
use diaban_domain::cases::{CaseOutcome, SubjectRole};
use diaban_domain::seizures::{Drug, QuantityUnit, SeizureLine};
use diaban_store::cases::{self, Case};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadCases, POST = WriteCases; scoped; audited.
        .route("/cases", get(list).post(create))
        // Access: WriteCases.
        .route("/cases/new", get(new_form))
        // Access: ReadCases; scoped; typed subjects' names only with ReadPersons (audited).
        .route("/cases/{id}", get(detail))
        // Access: WriteCases; scoped; audited.
        .route("/cases/{id}/outcome", axum::routing::post(set_outcome))
}

/// Rows of seizures and subjects the form offers.
const FORM_ROWS: usize = 4;

fn tr_label<T: Copy>(v: T, tr: Tr, vi: fn(T) -> &'static str, en: fn(T) -> &'static str) -> &'static str {
    if tr.0 == Lang::Vi { vi(v) } else { en(v) }
}

fn outcome_label(o: CaseOutcome, tr: Tr) -> &'static str {
    tr_label(o, tr, CaseOutcome::label_vi, CaseOutcome::label_en)
}

fn seizures_text(lines: &[SeizureLine], tr: Tr) -> String {
    lines
        .iter()
        .map(|l| {
            format!(
                "{}: {} {}",
                tr_label(l.drug(), tr, Drug::label_vi, Drug::label_en),
                quantity(l.quantity(), tr),
                tr_label(l.unit(), tr, QuantityUnit::label_vi, QuantityUnit::label_en)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A quantity with at most three decimals and no trailing zeros (2,5 not 2,500).
fn quantity(x: f64, tr: Tr) -> String {
    let s = tr.dec(x, 3);
    let mark = if tr.0 == Lang::Vi { ',' } else { '.' };
    if s.contains(mark) { s.trim_end_matches('0').trim_end_matches(mark).to_owned() } else { s }
}

/// A case row for templates.
pub struct Row {
    id: i64,
    on: String,
    reference: String,
    unit: String,
    outcome: &'static str,
    subjects: i64,
    seizures: String,
    ring_id: Option<i64>,
}

fn row(c: &Case, tr: Tr) -> Row {
    Row {
        id: c.id,
        on: tr.date(&c.occurred_on),
        reference: c.reference.clone(),
        unit: c.unit_name.clone(),
        outcome: outcome_label(c.outcome, tr),
        subjects: c.subjects,
        seizures: seizures_text(&c.seizures, tr),
        ring_id: c.ring_id,
    }
}

/// A line of seized totals for templates.
pub struct SeizedLine {
    drug: &'static str,
    grams: String,
    tablets: String,
    bricks: String,
    plants: String,
}

#[derive(Template)]
#[template(path = "cases_list.html")]
struct ListPage {
    p: super::Page,
    rows: Vec<Row>,
    total: i64,
    outcomes: Vec<Choice>,
    from: String,
    to: String,
    export_query: String,
    by_outcome: Vec<(&'static str, String)>,
    figures: Vec<(&'static str, String)>,
    seized: Vec<SeizedLine>,
    can_write: bool,
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadCases>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let mut f = filter_of(&state, &q, 500).await?;
    f.limit = 500;
    let (found, total) = cases::list(&state.db, who.scope(), &f).await?;
    let t = cases::totals(&state.db, who.scope(), &f).await?;
    let outcomes = CaseOutcome::ALL
        .iter()
        .map(|o| Choice {
            value: o.as_str(),
            label: outcome_label(*o, tr),
            selected: q.outcome.as_deref() == Some(o.as_str()),
        })
        .collect();
    let export_query = serde_urlencoded::to_string([
        ("from", q.from.clone().unwrap_or_default()),
        ("to", q.to.clone().unwrap_or_default()),
        ("outcome", q.outcome.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    let by_outcome = CaseOutcome::ALL
        .iter()
        .map(|o| (outcome_label(*o, tr), tr.num(t.by_outcome.get(o).copied().unwrap_or(0))))
        .collect();
    let figures = vec![
        ("ops.cases_count", tr.num(t.cases)),
        ("ops.prosecuted_cases", tr.num(t.prosecuted_cases)),
        ("ops.defendants", tr.num(t.defendants)),
        ("ops.persons_handled", tr.num(t.persons_handled)),
        ("ops.subjects_count", tr.num(t.subjects)),
    ];
    let seized = t
        .seizures
        .iter()
        .map(|(d, s)| SeizedLine {
            drug: tr_label(*d, tr, Drug::label_vi, Drug::label_en),
            grams: tr.dec(s.grams, 1),
            tablets: tr.num(s.tablets),
            bricks: tr.num(s.bricks),
            plants: tr.num(s.plants),
        })
        .collect();
    let mut p = ctx.page(Some(&who), "ops.cases_title", "cases").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("nav.cases").into(), href: None },
    ];
    let page = ListPage {
        p,
        rows: found.iter().map(|c| row(c, tr)).collect(),
        total,
        outcomes,
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        export_query,
        by_outcome,
        figures,
        seized,
        can_write: who.may(Action::WriteCases),
    };
    render(ctx.flash_key.is_some(), &page)
}

/// A seizure row of the form.
pub struct SeizureRow {
    n: usize,
    drug: String,
    quantity: String,
    unit: String,
}

/// A subject row of the form.
pub struct SubjectRow {
    n: usize,
    person_id: String,
    name: String,
    birth_year: String,
    sex: String,
    role: String,
}

#[derive(Template)]
#[template(path = "case_form.html")]
struct FormPage {
    p: super::Page,
    v: CaseInput,
    lat: String,
    lon: String,
    prosecuted_cases: String,
    defendants: String,
    persons_handled: String,
    ring_id: String,
    outcomes: Vec<Choice>,
    drugs: Vec<Choice>,
    units: Vec<Choice>,
    roles: Vec<Choice>,
    seizure_rows: Vec<SeizureRow>,
    subject_rows: Vec<SubjectRow>,
    today: String,
    error: Option<String>,
    problems: Vec<String>,
}

fn text(l: &Option<Loose>) -> String {
    match l {
        Some(Loose::Text(s)) => s.clone(),
        Some(Loose::Num(n)) => n.to_string(),
        _ => String::new(),
    }
}

async fn form_page(
    who: &Identity,
    ctx: &Ctx,
    v: CaseInput,
    raw: &[(String, String)],
    problems: Vec<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let get = |k: String| raw.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let choices = |all: Vec<(&'static str, &'static str)>| -> Vec<Choice> {
        all.into_iter().map(|(value, label)| Choice { value, label, selected: false }).collect()
    };
    let mut p = ctx.page(Some(who), "ops.case_new", "cases").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("nav.cases").into(), href: Some("/cases".into()) },
        Crumb { label: tr.t("ops.case_new").into(), href: None },
    ];
    let failed = !problems.is_empty();
    let today = diaban_domain::time::today_in_vietnam().to_string();
    let mut v = v;
    if v.occurred_on.is_empty() {
        v.occurred_on = today.clone();
    }
    let page = FormPage {
        p,
        lat: text(&v.lat),
        lon: text(&v.lon),
        prosecuted_cases: text(&v.prosecuted_cases),
        defendants: text(&v.defendants),
        persons_handled: text(&v.persons_handled),
        ring_id: text(&v.ring_id),
        outcomes: CaseOutcome::ALL
            .iter()
            .map(|o| Choice {
                value: o.as_str(),
                label: outcome_label(*o, tr),
                selected: v.outcome == o.as_str(),
            })
            .collect(),
        drugs: choices(
            Drug::ALL
                .iter()
                .map(|d| (d.as_str(), tr_label(*d, tr, Drug::label_vi, Drug::label_en)))
                .collect(),
        ),
        units: choices(
            QuantityUnit::ALL
                .iter()
                .map(|u| (u.as_str(), tr_label(*u, tr, QuantityUnit::label_vi, QuantityUnit::label_en)))
                .collect(),
        ),
        roles: choices(
            SubjectRole::ALL
                .iter()
                .map(|r| (r.as_str(), tr_label(*r, tr, SubjectRole::label_vi, SubjectRole::label_en)))
                .collect(),
        ),
        seizure_rows: (1..=FORM_ROWS)
            .map(|n| SeizureRow {
                n,
                drug: get(format!("seizure_drug_{n}")),
                quantity: get(format!("seizure_quantity_{n}")),
                unit: get(format!("seizure_unit_{n}")),
            })
            .collect(),
        subject_rows: (1..=FORM_ROWS)
            .map(|n| SubjectRow {
                n,
                person_id: get(format!("subject_person_{n}")),
                name: get(format!("subject_name_{n}")),
                birth_year: get(format!("subject_birth_year_{n}")),
                sex: get(format!("subject_sex_{n}")),
                role: get(format!("subject_role_{n}")),
            })
            .collect(),
        v,
        today,
        error: failed.then(|| tr.t("common.form_errors").to_owned()),
        problems,
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_form(who: Authorized<WriteCases>, ctx: Ctx) -> Result<Response, AppError> {
    form_page(&who, &ctx, CaseInput::default(), &[], Vec::new()).await
}

/// The form's flat fields as a [`CaseInput`]: numbered rows left wholly empty are
/// skipped.
fn input_of(raw: &[(String, String)]) -> CaseInput {
    let get = |k: &str| raw.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let loose = |k: &str| Some(Loose::Text(get(k)));
    let mut v = CaseInput {
        reference: get("reference"),
        occurred_on: get("occurred_on"),
        unit: get("unit"),
        lat: loose("lat"),
        lon: loose("lon"),
        summary: get("summary"),
        outcome: get("outcome"),
        prosecuted_cases: loose("prosecuted_cases"),
        defendants: loose("defendants"),
        persons_handled: loose("persons_handled"),
        ring_id: loose("ring_id"),
        ..Default::default()
    };
    for n in 1..=FORM_ROWS {
        let (drug, qty, unit) = (
            get(&format!("seizure_drug_{n}")),
            get(&format!("seizure_quantity_{n}")),
            get(&format!("seizure_unit_{n}")),
        );
        // A row counts once a quantity is typed (the selects always carry a value).
        if !qty.trim().is_empty() {
            v.seizures.push(SeizureInput { drug, quantity: Some(Loose::Text(qty)), unit });
        }
        let person = get(&format!("subject_person_{n}"));
        let name = get(&format!("subject_name_{n}"));
        if !person.trim().is_empty() || !name.trim().is_empty() {
            v.subjects.push(SubjectInput {
                person_id: Some(Loose::Text(person)),
                name,
                birth_year: Some(Loose::Text(get(&format!("subject_birth_year_{n}")))),
                sex: get(&format!("subject_sex_{n}")),
                role: get(&format!("subject_role_{n}")),
            });
        }
    }
    v
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<WriteCases>,
    ctx: Ctx,
    Form(raw): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let input = input_of(&raw);
    let new = match ops_input::validate_case(&state, &who, &input, tr).await? {
        Ok(n) => n,
        Err(errors) => {
            let problems = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect();
            return form_page(&who, &ctx, input, &raw, problems).await;
        }
    };
    match record(&state, &who, &new).await {
        Ok(rec) => {
            let key = if rec.alerts.is_empty() { "ops.saved_case" } else { "ops.saved_case_alert" };
            Ok(redirect_with_flash(&format!("/cases/{}", rec.id), key))
        }
        // A linked record outside the scope: shown on the form like any other error.
        Err(e) if e.kind == crate::error::ErrorKind::Unprocessable => {
            form_page(&who, &ctx, input, &raw, vec![format!("subjects: {}", e.message)]).await
        }
        Err(e) => Err(e),
    }
}

/// A subject for templates.
pub struct SubjectView {
    label: String,
    person_id: Option<i64>,
    role: &'static str,
    details: String,
}

#[derive(Template)]
#[template(path = "case_detail.html")]
struct DetailPage {
    p: super::Page,
    c: Case,
    on: String,
    outcome: &'static str,
    seizures: Vec<String>,
    subjects: Vec<SubjectView>,
    incidents: Vec<i64>,
    can_write: bool,
    outcomes: Vec<Choice>,
    error: Option<String>,
    failed: bool,
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadCases>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    show(&state, &who, &ctx, id, None).await
}

/// The case's page; `error` is a refused change of its outcome (answered 422).
async fn show(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let c =
        cases::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such case"))?;
    let subjects = subjects_for(state, who, id)
        .await?
        .into_iter()
        .map(|s| {
            let sex = match s.sex.as_deref() {
                Some("male") => tr.t("ops.male"),
                Some("female") => tr.t("ops.female"),
                _ => "",
            };
            let details = [s.birth_year.map(|y| y.to_string()).unwrap_or_default(), sex.to_owned()]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            SubjectView {
                label: match (&s.name, s.person_id) {
                    (Some(n), _) => n.clone(),
                    (None, Some(p)) => format!("{} #{p}", tr.t("ops.person_record")),
                    (None, None) => tr.t("ops.subject_hidden").to_owned(),
                },
                person_id: s.person_id.filter(|_| s.person_in_scope),
                role: tr_label(s.role, tr, SubjectRole::label_vi, SubjectRole::label_en),
                details,
            }
        })
        .collect();
    let mut p = ctx.page(Some(who), "ops.case", "cases").await;
    p.title = format!("{} #{}", tr.t("ops.case"), c.id);
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("nav.cases").into(), href: Some("/cases".into()) },
        Crumb { label: p.title.clone(), href: None },
    ];
    let page = DetailPage {
        p,
        on: tr.date(&c.occurred_on),
        outcome: outcome_label(c.outcome, tr),
        seizures: c.seizures.iter().map(|l| seizures_text(std::slice::from_ref(l), tr)).collect(),
        subjects,
        incidents: cases::incident_ids(&state.db, id).await?,
        can_write: who.may(Action::WriteCases),
        outcomes: CaseOutcome::ALL
            .iter()
            .map(|o| Choice { value: o.as_str(), label: outcome_label(*o, tr), selected: *o == c.outcome })
            .collect(),
        failed: error.is_some(),
        error,
        c,
    };
    let failed = page.failed;
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn set_outcome(
    State(state): State<AppState>,
    who: Authorized<WriteCases>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<crate::ops_input::OutcomeInput>,
) -> Result<Response, AppError> {
    let c =
        cases::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such case"))?;
    let tr = ctx.tr(Some(&who));
    match crate::ops_input::validate_outcome(&input, c.occurred_on, tr) {
        Err(errors) => show(&state, &who, &ctx, id, Some(crate::ops_input::errors_text(&errors))).await,
        Ok(u) => {
            cases::update_outcome(&state.db, id, who.scope(), &u, who.audit("case.update", "case", id))
                .await?;
            Ok(redirect_with_flash(&format!("/cases/{id}"), "ops.case_updated"))
        }
    }
}
