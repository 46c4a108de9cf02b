//! Kiến nghị: the list (overdue ones first and highlighted), the form to raise one, and
//! an escalation's page with its history and the steps the viewer's level may take.
//! The rules are the API's (`crate::api::escalations`).

use super::{Crumb, Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::api::escalations::{
    ListQuery, RaiseInput, StepInput, filter_of, level_of, raise, take_step, visibility,
};
use crate::auth::actions::{RaiseEscalations, ReadEscalations};
use crate::auth::{Authorized, Identity};
use crate::error::AppError;
use crate::i18n::Tr;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::access::Action;
use diaban_domain::escalation::{EscalationState, EscalationStep, Level, allowed_steps};
use diaban_store::escalations::{self, Escalation};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadEscalations (scoped; partners their own); POST =
        // RaiseEscalations; audited.
        .route("/escalations", get(list).post(raise_form))
        // Access: ReadEscalations; scoped (404 outside).
        .route("/escalations/{id}", get(detail))
        // Access: ReadEscalations plus the level the state machine expects; audited.
        .route("/escalations/{id}/steps", post(step_form))
}

pub(crate) fn state_label(s: EscalationState, tr: Tr) -> &'static str {
    match s {
        EscalationState::AtPolice => tr.t("escalations.state.at_police"),
        EscalationState::AtCommittee => tr.t("escalations.state.at_committee"),
        EscalationState::Decided => tr.t("escalations.state.decided"),
        EscalationState::Returned => tr.t("escalations.state.returned"),
    }
}

fn step_label(s: EscalationStep, tr: Tr) -> &'static str {
    match s {
        EscalationStep::Raise => tr.t("escalations.step.raise"),
        EscalationStep::Assign => tr.t("escalations.step.assign"),
        EscalationStep::Forward => tr.t("escalations.step.forward"),
        EscalationStep::Decide => tr.t("escalations.step.decide"),
        EscalationStep::Return => tr.t("escalations.step.return"),
        EscalationStep::Resubmit => tr.t("escalations.step.resubmit"),
    }
}

/// A list row for templates.
pub struct Row {
    id: i64,
    title: String,
    unit: String,
    state: &'static str,
    label: &'static str,
    assignee: String,
    due: String,
    overdue: bool,
}

fn row(e: &Escalation, tr: Tr) -> Row {
    Row {
        id: e.id,
        title: e.title.clone(),
        unit: e.unit_name.clone(),
        state: e.state.as_str(),
        label: state_label(e.state, tr),
        assignee: e.assignee_name.clone().unwrap_or_default(),
        due: e.due_on.map(|d| tr.date(&d)).unwrap_or_default(),
        overdue: e.overdue,
    }
}

/// A choice in a select.
pub struct Opt {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "escalations.html")]
struct ListPage {
    p: super::Page,
    rows: Vec<Row>,
    states: Vec<Opt>,
    overdue_only: bool,
    overdue_count: usize,
    can_raise: bool,
    v: RaiseInput,
    error: Option<String>,
    problems: Vec<String>,
}

async fn list_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    q: &ListQuery,
    v: RaiseInput,
    error: Option<String>,
    problems: Vec<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let f = filter_of(q)?;
    let found = escalations::list(&state.db, visibility(who), &f).await?;
    let rows: Vec<Row> = found.iter().map(|e| row(e, tr)).collect();
    let states = EscalationState::ALL
        .iter()
        .map(|s| Opt {
            value: s.as_str().into(),
            label: state_label(*s, tr).into(),
            selected: q.state.as_deref() == Some(s.as_str()),
        })
        .collect();
    let mut p = ctx.page(Some(who), "escalations.title", "escalations").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("escalations.title").into(), href: None },
    ];
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ListPage {
        p,
        overdue_count: rows.iter().filter(|r| r.overdue).count(),
        rows,
        states,
        overdue_only: f.overdue_on.is_some(),
        can_raise: who.may(Action::RaiseEscalations),
        v,
        error,
        problems,
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    *r.status_mut() = status;
    Ok(r)
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadEscalations>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    list_page(&state, &who, &ctx, &q, RaiseInput::default(), None, vec![]).await
}

async fn raise_form(
    State(state): State<AppState>,
    who: Authorized<RaiseEscalations>,
    ctx: Ctx,
    Form(input): Form<RaiseInput>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    match raise(&state, &who, &input, tr).await? {
        Ok(id) => Ok(redirect_with_flash(&format!("/escalations/{id}"), "escalations.raised")),
        Err(errors) => {
            let problems = errors.iter().map(|(f, m)| format!("{}: {m}", field_label(f, tr))).collect();
            let e = Some(tr.t("common.form_errors").to_owned());
            list_page(&state, &who, &ctx, &ListQuery::default(), input, e, problems).await
        }
    }
}

fn field_label(f: &str, tr: Tr) -> &str {
    match f {
        "title" => tr.t("escalations.field_title"),
        "body" => tr.t("escalations.body"),
        other => other,
    }
}

/// A step of the history for templates.
pub struct HistoryRow {
    at: String,
    step: &'static str,
    to: &'static str,
    to_label: &'static str,
    by: String,
    assignee: String,
    due: String,
    note: String,
}

/// A step the viewer may take.
pub struct StepChoice {
    value: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "escalation_detail.html")]
struct DetailPage {
    p: super::Page,
    e: Escalation,
    state_label: &'static str,
    due: String,
    raised: String,
    history: Vec<HistoryRow>,
    steps: Vec<StepChoice>,
    assignable: Vec<Opt>,
    error: Option<String>,
}

async fn detail_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let e = escalations::get(&state.db, id, visibility(who))
        .await?
        .ok_or_else(|| AppError::not_found("no such escalation"))?;
    let history = escalations::history(&state.db, id)
        .await?
        .into_iter()
        .map(|s| {
            let to: EscalationState = s.to_state.parse().unwrap_or(EscalationState::AtPolice);
            HistoryRow {
                at: tr.datetime(&s.at),
                step: s.step.parse().map(|st| step_label(st, tr)).unwrap_or(""),
                to: to.as_str(),
                to_label: state_label(to, tr),
                by: s.by_name.unwrap_or_default(),
                assignee: s.assignee_name.unwrap_or_default(),
                due: s.due_on.map(|d| tr.date(&d)).unwrap_or_default(),
                note: s.note,
            }
        })
        .collect();
    let level = level_of(who);
    let steps: Vec<StepChoice> = allowed_steps(e.state)
        .into_iter()
        .filter(|(_, l)| Some(*l) == level)
        .map(|(s, _)| StepChoice { value: s.as_str(), label: step_label(s, tr) })
        .collect();
    let assignable = match (level, e.state) {
        (Some(l @ (Level::Police | Level::Committee)), s) if s.is_pending() => {
            let province = who.unit.scope_province_id.unwrap_or(who.unit.id);
            escalations::assignable(&state.db, l, province)
                .await?
                .into_iter()
                .map(|(id, name)| Opt {
                    selected: Some(id) == e.assignee_id,
                    value: id.to_string(),
                    label: name,
                })
                .collect()
        }
        _ => vec![],
    };
    let mut p = ctx.page(Some(who), "escalations.detail_title", "escalations").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("escalations.title").into(), href: Some("/escalations".into()) },
        Crumb { label: format!("#{id}"), href: None },
    ];
    let status = if error.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
    let page = DetailPage {
        p,
        state_label: state_label(e.state, tr),
        due: e.due_on.map(|d| tr.date(&d)).unwrap_or_default(),
        raised: tr.datetime(&e.created_at),
        e,
        history,
        steps,
        assignable,
        error,
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    *r.status_mut() = status;
    Ok(r)
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadEscalations>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    detail_page(&state, &who, &ctx, id, None).await
}

async fn step_form(
    State(state): State<AppState>,
    who: Authorized<ReadEscalations>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<StepInput>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    match take_step(&state, &who, id, &input, tr).await {
        Ok(_) => Ok(redirect_with_flash(&format!("/escalations/{id}"), "escalations.step_done")),
        // A refused step is shown on the page, with the message naming what is allowed.
        Err(e)
            if matches!(
                e.kind,
                crate::error::ErrorKind::Conflict | crate::error::ErrorKind::Unprocessable
            ) =>
        {
            detail_page(&state, &who, &ctx, id, Some(e.message)).await
        }
        Err(e) => Err(e),
    }
}
