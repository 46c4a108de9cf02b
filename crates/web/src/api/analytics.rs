//! `/api/v1/analytics`: emerging hot spots, the density surface and the prediction
//! accuracy of each method, on the incidents in the caller's scope (the store query is
//! scoped); and the signals they feed back to the registries (ANALYTICS.md §4), raised
//! for the scope and accepted or dismissed by an officer, every decision audited.

use crate::AppState;
use crate::analytics_run::{self as run, RunParams, RunQuery};
use crate::api::sites::tr_of;
use crate::api::{ApiQuery, parse_u64};
use crate::auth::actions::{DecideSignals, RunAnalytics};
use crate::auth::{Authorized, Identity};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use diaban_domain::analytics_signal::{SignalKind, SignalStatus, decision_reason};
use diaban_store::analytics_signals::{self, DecideError, Raised, Signal, SignalFilter};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: RunAnalytics; the incidents of the caller's scope; bounded parameters.
        .route("/analytics/ehsa", get(ehsa))
        .route("/analytics/kde", get(kde))
        .route("/analytics/pai", get(pai))
        // Access: GET = RunAnalytics, POST (raise for a run) = DecideSignals; scoped;
        // raising audited.
        .route("/analytics/signals", get(list).post(raise))
        // Access: DecideSignals; scoped (404 outside); audited.
        .route("/analytics/signals/{id}/decision", post(decide))
}

/// Today in Vietnam, the default end of a period.
pub(crate) fn today() -> chrono::NaiveDate {
    diaban_domain::time::today_in_vietnam()
}

async fn ehsa(
    State(state): State<AppState>,
    who: Authorized<RunAnalytics>,
    ApiQuery(q): ApiQuery<RunQuery>,
) -> Result<Json<Value>, ApiError> {
    let p = q.parse(today()).map_err(AppError::from)?;
    let list = run::load_incidents(&state, &who, p.from, p.to).await?;
    let report = run::ehsa(&p, &list).await?;
    Ok(Json(run::ehsa_geojson(&p, list.len(), report.as_ref())))
}

async fn kde(
    State(state): State<AppState>,
    who: Authorized<RunAnalytics>,
    ApiQuery(q): ApiQuery<RunQuery>,
) -> Result<Json<Value>, ApiError> {
    let p = q.parse(today()).map_err(AppError::from)?;
    let list = run::load_incidents(&state, &who, p.from, p.to).await?;
    let cells = run::density(&p, &list).await?;
    Ok(Json(run::kde_geojson(&p, list.len(), &cells)))
}

/// PAI of every method for the run's test period (`None` without one).
pub(crate) async fn pai_table(
    state: &AppState,
    who: &Identity,
    p: &RunParams,
    train: &[run::Located],
) -> Result<Option<run::PaiTable>, AppError> {
    let Some((a, b)) = p.test else { return Ok(None) };
    let test = run::load_incidents(state, who, a, b).await?;
    let sites = run::scope_sites(state, who).await?;
    run::pai(p, train, &test, run::registered_points(&sites)).await
}

async fn pai(
    State(state): State<AppState>,
    who: Authorized<RunAnalytics>,
    ApiQuery(q): ApiQuery<RunQuery>,
) -> Result<Json<Value>, ApiError> {
    let p = q.parse(today()).map_err(AppError::from)?;
    if p.test.is_none() {
        return Err(AppError::bad_param("test_from", "give the test period (test_from and test_to)").into());
    }
    let train = run::load_incidents(&state, &who, p.from, p.to).await?;
    let table = pai_table(&state, &who, &p, &train).await?;
    Ok(Json(run::pai_json(&p, table.as_ref())))
}

/// Runs EHSA for the scope and stores the signals it gives (duplicates of open ones are
/// left out), audited as `analytics.signals.raise`.
pub(crate) async fn raise_signals(
    state: &AppState,
    who: &Identity,
    p: &RunParams,
) -> Result<Raised, AppError> {
    let list = run::load_incidents(state, who, p.from, p.to).await?;
    let Some(report) = run::ehsa(p, &list).await? else { return Ok(Raised::default()) };
    let sites = run::scope_sites(state, who).await?;
    let areas = run::monitored_areas(state, who).await?;
    let radius = crate::site_input::params(state).await?.reformation_radius_m;
    let found = run::signals(p, &report, &list, &sites, &areas, radius);
    let mut entry = who.audit("analytics.signals.raise", "analytics_signal", "");
    entry.reason = format!("{} → {}, res {}", p.from, p.to, p.res);
    Ok(analytics_signals::raise(&state.db, &found, Some(who.user.id), Some(entry)).await?)
}

async fn raise(
    State(state): State<AppState>,
    who: Authorized<DecideSignals>,
    ApiQuery(q): ApiQuery<RunQuery>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let p = q.parse(today()).map_err(AppError::from)?;
    let r = raise_signals(&state, &who, &p).await?;
    Ok((StatusCode::CREATED, Json(json!({"created": r.created, "already_open": r.already_open}))))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignalQuery {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub limit: Option<String>,
}

/// The list filter as typed.
pub(crate) fn signal_filter(q: &SignalQuery) -> Result<SignalFilter, AppError> {
    let nonempty =
        |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(SignalFilter {
        status: nonempty(&q.status)
            .map(|s| s.parse::<SignalStatus>().map_err(|e| AppError::bad_param("status", e)))
            .transpose()?,
        kind: nonempty(&q.kind)
            .map(|s| s.parse::<SignalKind>().map_err(|e| AppError::bad_param("kind", e)))
            .transpose()?,
        limit: parse_u64("limit", q.limit.as_deref(), 500, 5_000).map_err(|e| e.0)?,
    })
}

/// Where an officer goes to act on an accepted signal: the new-site form at the cell
/// centre, the site, or the area.
pub(crate) fn next_step(s: &Signal) -> String {
    match s.kind {
        SignalKind::SuggestSite => format!("/sites/new?lat={:.6}&lon={:.6}&signal={}", s.lat, s.lon, s.id),
        SignalKind::ReformationAlert => format!("/sites/{}", s.site_id.unwrap_or_default()),
        SignalKind::RelapseWarning => format!("/areas/{}", s.area_id.unwrap_or_default()),
    }
}

fn signal_json(s: &Signal) -> Value {
    let mut v = json!(s);
    v["next"] = json!(next_step(s));
    v
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<RunAnalytics>,
    ApiQuery(q): ApiQuery<SignalQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = signal_filter(&q)?;
    let items = analytics_signals::list(&state.db, who.scope(), &f).await?;
    Ok(Json(json!({"items": items.iter().map(signal_json).collect::<Vec<_>>(), "total": items.len()})))
}

/// Accepts or dismisses a signal in scope with a reason, audited as
/// `analytics.signal.accept` or `analytics.signal.dismiss`.
pub(crate) async fn decide_signal(
    state: &AppState,
    who: &Identity,
    id: i64,
    accept: bool,
    reason: &str,
    tr: Tr,
) -> Result<Signal, AppError> {
    let reason = decision_reason(reason).map_err(|vi| {
        AppError::new(
            ErrorKind::Unprocessable,
            if tr.0 == Lang::Vi { vi } else { "reason: say why the signal is accepted or dismissed" },
        )
    })?;
    let action = if accept { "analytics.signal.accept" } else { "analytics.signal.dismiss" };
    analytics_signals::decide(
        &state.db,
        id,
        who.scope(),
        accept,
        &reason,
        Some(who.user.id),
        Some(who.audit(action, "analytics_signal", id)),
    )
    .await
    .map_err(|e| match e {
        DecideError::NotFound => AppError::not_found("no such signal"),
        DecideError::AlreadyDecided(s) => {
            AppError::new(ErrorKind::Conflict, format!("{} ({s})", tr.t("analytics.already_decided")))
        }
        DecideError::Db(d) => d.into(),
    })
}

#[derive(Deserialize)]
struct DecideInput {
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    who: Authorized<DecideSignals>,
    Path(id): Path<i64>,
    Json(body): Json<DecideInput>,
) -> Result<Json<Value>, ApiError> {
    let accept = match body.decision.trim() {
        "accept" => true,
        "dismiss" => false,
        _ => {
            return Err(
                AppError::new(ErrorKind::Unprocessable, "decision: expected accept or dismiss").into()
            );
        }
    };
    let s = decide_signal(&state, &who, id, accept, &body.reason, tr_of(&who)).await?;
    Ok(Json(signal_json(&s)))
}
