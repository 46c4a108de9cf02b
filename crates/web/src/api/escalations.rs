//! `/api/v1/escalations`: kiến nghị raised by communes and partner agencies, answered by
//! the provincial police and, beyond their authority, by the Provincial People's
//! Committee. The rules of a step are the domain's; the level a caller speaks for comes
//! from the role. Shared with the pages.

use crate::AppState;
use crate::api::sites::tr_of;
use crate::api::{ApiQuery, parse_u64};
use crate::auth::actions::{RaiseEscalations, ReadEscalations};
use crate::auth::{Authorized, Identity};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use crate::site_input::Loose;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use diaban_domain::access::{Action, Role};
use diaban_domain::escalation::{EscalationState, EscalationStep, Level, OperationsParams};
use diaban_store::escalations::{
    self, Escalation, EscalationFilter, NewEscalation, StepFailure, StepRequest, Visibility,
};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadEscalations (scoped; partners see their own); POST =
        // RaiseEscalations (communes and partners); audited.
        .route("/escalations", get(list).post(raise_route))
        // Access: ReadEscalations; scoped (404 outside).
        .route("/escalations/{id}", get(detail))
        // Access: ReadEscalations, and the level the role speaks for must be the one the
        // state machine expects (police: HandleEscalations; committee:
        // DecideEscalations; the raiser: RaiseEscalations); audited.
        .route("/escalations/{id}/steps", post(step_route))
}

/// The name of the operations parameters' group.
pub(crate) const PARAMS: &str = "operations";

/// The operations parameters in force today.
pub(crate) async fn params(state: &AppState) -> Result<OperationsParams, AppError> {
    let today = diaban_domain::time::today_in_vietnam();
    Ok(diaban_store::parameters::in_force(&state.db, PARAMS, today).await?)
}

/// Whose escalations the caller sees.
pub(crate) fn visibility(who: &Identity) -> Visibility {
    Visibility { scope: who.scope(), only_raised_by: (who.role == Role::Partner).then_some(who.user.id) }
}

/// The level a role speaks for, if it may take steps at all.
pub(crate) fn level_of(who: &Identity) -> Option<Level> {
    if who.may(Action::HandleEscalations) {
        Some(Level::Police)
    } else if who.may(Action::DecideEscalations) {
        Some(Level::Committee)
    } else if who.may(Action::RaiseEscalations) {
        Some(Level::Raiser)
    } else {
        None
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    pub state: Option<String>,
    pub overdue: Option<String>,
    pub limit: Option<String>,
}

pub(crate) fn filter_of(q: &ListQuery) -> Result<EscalationFilter, AppError> {
    let mut f = EscalationFilter::default();
    if let Some(s) = q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        f.state = Some(s.parse::<EscalationState>().map_err(|e| AppError::bad_param("state", e))?);
    }
    if matches!(q.overdue.as_deref(), Some("1" | "true" | "on")) {
        f.overdue_on = Some(diaban_domain::time::today_in_vietnam());
    }
    f.limit = parse_u64("limit", q.limit.as_deref(), 500, 5000).map_err(|e| e.0)?;
    Ok(f)
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadEscalations>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = filter_of(&q)?;
    let items = escalations::list(&state.db, visibility(&who), &f).await?;
    Ok(Json(json!({"items": items, "total": items.len()})))
}

/// An escalation as typed or sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct RaiseInput {
    /// A short title.
    #[serde(default)]
    pub title: String,
    /// The difficulty and what is asked.
    #[serde(default)]
    pub body: String,
}

/// Raises an escalation for the caller's unit. `Ok(Err(errors))`: bad fields.
pub(crate) async fn raise(
    state: &AppState,
    who: &Identity,
    input: &RaiseInput,
    tr: Tr,
) -> Result<Result<i64, Vec<(&'static str, String)>>, AppError> {
    let mut errors = Vec::new();
    let title = input.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        errors.push(("title", tr.t("validation.required").to_owned()));
    } else if title.chars().count() > 200 {
        errors.push(("title", tr.t("validation.too_long").to_owned()));
    }
    if input.body.trim().is_empty() {
        errors.push(("body", tr.t("validation.required").to_owned()));
    } else if input.body.chars().count() > 8000 {
        errors.push(("body", tr.t("validation.too_long").to_owned()));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let p = params(state).await?;
    let new = NewEscalation {
        source_type: "manual".into(),
        source_ref: String::new(),
        unit_id: who.unit.id,
        title,
        body: input.body.trim().to_owned(),
        on: diaban_domain::time::today_in_vietnam(),
        response_days: p.escalation_response_days,
    };
    let id = escalations::raise(
        &state.db,
        &new,
        Some(who.user.id),
        Some(who.audit("escalation.raise", "escalation", "")),
    )
    .await?;
    Ok(Ok(id))
}

fn joined(errors: &[(&'static str, String)]) -> String {
    errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ")
}

async fn raise_route(
    State(state): State<AppState>,
    who: Authorized<RaiseEscalations>,
    Json(input): Json<RaiseInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    match raise(&state, &who, &input, tr_of(&who)).await? {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({"id": id})))),
        Err(errors) => Err(AppError::new(ErrorKind::Unprocessable, joined(&errors)).into()),
    }
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadEscalations>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let e = escalations::get(&state.db, id, visibility(&who))
        .await?
        .ok_or_else(|| AppError::not_found("no such escalation"))?;
    let steps = escalations::history(&state.db, id).await?;
    Ok(Json(json!({"escalation": e, "steps": steps})))
}

/// A step as typed or sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct StepInput {
    /// assign, forward, decide, return, resubmit.
    #[serde(default)]
    pub step: String,
    /// Decision, reasons or summary.
    #[serde(default)]
    pub note: String,
    /// For assign: the account id.
    #[serde(default)]
    pub assignee: Option<Loose>,
}

/// Takes a step as the caller's level. Refusals carry a clear message (Vietnamese for
/// Vietnamese users).
pub(crate) async fn take_step(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &StepInput,
    tr: Tr,
) -> Result<Escalation, AppError> {
    let Some(level) = level_of(who) else {
        return Err(AppError::new(ErrorKind::Forbidden, "your role does not take steps on escalations"));
    };
    let step: EscalationStep = input
        .step
        .trim()
        .parse()
        .map_err(|e| AppError::new(ErrorKind::Unprocessable, format!("step: {e}")))?;
    if input.note.chars().count() > 8000 {
        return Err(AppError::new(ErrorKind::Unprocessable, tr.t("validation.too_long")));
    }
    let assignee = input.assignee.as_ref().and_then(Loose::number).filter(|n| *n >= 1.0).map(|n| n as i64);
    let p = params(state).await?;
    let req = StepRequest {
        step,
        level,
        note: input.note.clone(),
        assignee_id: assignee,
        on: diaban_domain::time::today_in_vietnam(),
        response_days: p.escalation_response_days,
    };
    let audit = who.audit(&format!("escalation.{}", step.as_str()), "escalation", id);
    escalations::take_step(&state.db, id, visibility(who), &req, Some(who.user.id), Some(audit))
        .await
        .map_err(|e| match e {
            StepFailure::NotFound => AppError::not_found("no such escalation"),
            StepFailure::Refused(r) => AppError::new(
                ErrorKind::Conflict,
                if tr.0 == Lang::Vi { r.message_vi() } else { r.to_string() },
            ),
            StepFailure::BadAssignee(_) => {
                AppError::new(ErrorKind::Unprocessable, tr.t("escalations.bad_assignee"))
            }
            StepFailure::Concurrent => AppError::new(ErrorKind::Conflict, tr.t("escalations.concurrent")),
            StepFailure::Db(e) => e.into(),
        })
}

async fn step_route(
    State(state): State<AppState>,
    who: Authorized<ReadEscalations>,
    Path(id): Path<i64>,
    Json(input): Json<StepInput>,
) -> Result<Json<Value>, ApiError> {
    let e = take_step(&state, &who, id, &input, tr_of(&who)).await?;
    Ok(Json(json!(e)))
}
