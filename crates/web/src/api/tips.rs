//! `/api/v1/tips`: anonymous tips. Sending one and looking up a follow-up code are
//! public (no account, throttled per client); the triage queue and its decisions need
//! `TriageTips` and are scoped to the officer's commune or province. The triage rules
//! live here and are shared with the pages.

use crate::AppState;
use crate::api::sites::tr_of;
use crate::api::{ApiQuery, parse_u64};
use crate::auth::Identity;
use crate::auth::actions::TriageTips;
use crate::auth::{Authorized, session};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use crate::site_input::{Loose, parse_date};
use crate::tip_input::{self, Refused, TipInput};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use diaban_domain::incident::IncidentKind;
use diaban_domain::site::{LatLon, SiteKind, SiteState};
use diaban_domain::tip::TipStatus;
use diaban_store::incidents::NewIncident;
use diaban_store::sites::NewSite;
use diaban_store::tips::{self, Accepted, SiteChoice, TriageError};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: anyone, no account (a citizen's tip); throttled per client address;
        // nothing about the sender is stored. GET: TriageTips, scoped.
        .route("/tips", get(list).post(send))
        // Access: anyone; throttled; answers only the status and the days.
        .route("/tips/status", post(status))
        // Access: TriageTips; scoped (404 outside); every read audited as tip.read.
        .route("/tips/{id}", get(detail))
        // Access: TriageTips; scoped; one transaction with its audit entry.
        .route("/tips/{id}/triage", post(triage_route))
}

fn lang_of(parts: &axum::http::request::Parts) -> Tr {
    Tr(parts.extensions.get::<crate::middleware::RequestLang>().and_then(|l| l.0).unwrap_or_default())
}

fn throttled(tr: Tr) -> AppError {
    AppError::new(ErrorKind::TooManyRequests, tr.t("tips.throttled"))
}

fn joined(errors: &[(&'static str, String)]) -> String {
    errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ")
}

async fn send(State(state): State<AppState>, req: Request) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (parts, body) = req.into_parts();
    let ip = session::client_ip(&state, &parts);
    let tr = lang_of(&parts);
    let Json(input) = Json::<TipInput>::from_request(Request::from_parts(parts, body), &state)
        .await
        .map_err(|_| AppError::new(ErrorKind::BadRequest, "the body must be a JSON tip"))?;
    match tip_input::send(&state, &input, &ip, tr).await? {
        Ok(sent) => Ok((StatusCode::CREATED, Json(json!({"id": sent.id, "follow_up_code": sent.code})))),
        Err(Refused::Throttled) => Err(throttled(tr).into()),
        Err(Refused::Invalid(errors)) => Err(AppError::new(ErrorKind::Unprocessable, joined(&errors)).into()),
    }
}

#[derive(Deserialize)]
struct CodeBody {
    #[serde(default)]
    code: String,
}

async fn status(State(state): State<AppState>, req: Request) -> Result<Json<Value>, ApiError> {
    let (parts, body) = req.into_parts();
    let ip = session::client_ip(&state, &parts);
    let tr = lang_of(&parts);
    let Json(b) = Json::<CodeBody>::from_request(Request::from_parts(parts, body), &state)
        .await
        .map_err(|_| AppError::new(ErrorKind::BadRequest, "the body must be {\"code\": …}"))?;
    match tip_input::look_up(&state, &b.code, &ip).await? {
        Err(_) => Err(throttled(tr).into()),
        Ok(None) => Err(AppError::not_found("no tip has this code").into()),
        Ok(Some(f)) => Ok(Json(json!(f))),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    pub status: Option<String>,
    pub limit: Option<String>,
}

pub(crate) fn status_of(q: &ListQuery) -> Result<Option<TipStatus>, AppError> {
    match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|e| AppError::bad_param("status", e)),
    }
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<TriageTips>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let status = status_of(&q)?;
    let limit = parse_u64("limit", q.limit.as_deref(), 200, 5000)?;
    let (items, total) = tips::queue(&state.db, who.scope(), status, limit).await?;
    Ok(Json(json!({"items": items, "total": total})))
}

/// A tip within the officer's scope, opened; the read is audited (the text may name
/// people). 404 outside the scope, like a missing one.
pub(crate) async fn read(state: &AppState, who: &Identity, id: i64) -> Result<tips::Tip, AppError> {
    let keys = state
        .keys
        .as_ref()
        .ok_or_else(|| AppError::new(ErrorKind::Unavailable, "tips are sealed with the data key"))?;
    let found = tips::get(&state.db, keys, id, who.scope()).await?;
    let mut e = who.audit("tip.read", "tip", id);
    if found.is_none() {
        e.outcome = "denied".into();
    }
    diaban_store::audit::append(&state.db, &e).await?;
    found.ok_or_else(|| AppError::not_found("no such tip"))
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<TriageTips>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(read(&state, &who, id).await?)))
}

/// A triage decision as typed (page) or sent (JSON), flat.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct TriageInput {
    /// accept or dismiss.
    #[serde(default)]
    pub decision: String,
    /// Why it is dismissed.
    #[serde(default)]
    pub reason: String,
    /// The incident's date (default: the day the tip was received).
    #[serde(default)]
    pub date: String,
    /// The incident's point (default: the tip's).
    #[serde(default)]
    pub lat: Option<Loose>,
    /// Longitude.
    #[serde(default)]
    pub lon: Option<Loose>,
    /// A note for the incident (no identities).
    #[serde(default)]
    pub note: String,
    /// "" (none), "new" or "existing".
    #[serde(default)]
    pub site: String,
    /// For a new site: point, cluster or risk_point.
    #[serde(default)]
    pub site_kind: String,
    /// For a new site: its name.
    #[serde(default)]
    pub site_name: String,
    /// For an existing site: its id.
    #[serde(default)]
    pub site_id: Option<Loose>,
}

/// What triage made of a tip.
pub(crate) enum Outcome {
    /// An incident (and perhaps a site).
    Accepted(Accepted),
    /// Set aside.
    Dismissed,
}

fn msg(tr: Tr, vi_key: &'static str) -> String {
    tr.t(vi_key).to_owned()
}

/// Applies a triage decision to a tip in scope. `Ok(Err(errors))`: bad fields, nothing
/// written.
pub(crate) async fn triage(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &TriageInput,
    tr: Tr,
) -> Result<Result<Outcome, Vec<(&'static str, String)>>, AppError> {
    let tip = read(state, who, id).await?;
    let map_err = |e: TriageError| match e {
        TriageError::NotFound => AppError::not_found("no such tip"),
        TriageError::AlreadyTriaged(_) => AppError::new(ErrorKind::Conflict, tr.t("tips.already_triaged")),
        TriageError::SiteNotFound => AppError::new(ErrorKind::Unprocessable, tr.t("tips.no_such_site")),
        TriageError::Db(e) => e.into(),
    };
    match input.decision.trim() {
        "dismiss" => {
            if input.reason.trim().is_empty() {
                return Ok(Err(vec![("reason", msg(tr, "tips.reason_required"))]));
            }
            let mut e = who.audit("tip.dismiss", "tip", id);
            e.reason = input.reason.trim().chars().take(500).collect();
            tips::dismiss(&state.db, id, who.scope(), &input.reason, Some(who.user.id), Some(e))
                .await
                .map_err(map_err)?;
            Ok(Ok(Outcome::Dismissed))
        }
        "accept" => {
            let mut errors = Vec::new();
            let received = tip.received_at.with_timezone(&diaban_domain::time::vietnam_offset()).date_naive();
            let today = diaban_domain::time::today_in_vietnam();
            let on = if input.date.trim().is_empty() {
                Some(received)
            } else {
                match parse_date(&input.date) {
                    Some(d) if d <= today => Some(d),
                    Some(_) => {
                        errors.push(("date", msg(tr, "sites.future_date")));
                        None
                    }
                    None => {
                        errors.push(("date", msg(tr, "validation.date")));
                        None
                    }
                }
            };
            let n = |l: &Option<Loose>| l.as_ref().and_then(Loose::number);
            let location = match (n(&input.lat), n(&input.lon), tip.lat, tip.lon) {
                (Some(lat), Some(lon), _, _) | (None, None, Some(lat), Some(lon)) => {
                    match LatLon::new(lat, lon) {
                        Ok(p) => Some(p),
                        Err(e) => {
                            errors
                                .push(("lat", if tr.0 == Lang::Vi { e.message_vi() } else { e.to_string() }));
                            None
                        }
                    }
                }
                _ => {
                    errors.push(("lat", msg(tr, "tips.point_needed")));
                    None
                }
            };
            if input.note.chars().count() > 4000 {
                errors.push(("note", msg(tr, "validation.too_long")));
            }
            let site = match input.site.trim() {
                "" | "none" => Some(SiteChoice::None),
                "existing" => match n(&input.site_id) {
                    Some(s) if s >= 1.0 && s.fract() == 0.0 => Some(SiteChoice::Existing(s as i64)),
                    _ => {
                        errors.push(("site_id", msg(tr, "tips.site_id_needed")));
                        None
                    }
                },
                "new" => {
                    let kind = input.site_kind.trim().parse::<SiteKind>().ok();
                    let name = input.site_name.split_whitespace().collect::<Vec<_>>().join(" ");
                    if kind.is_none() {
                        errors.push(("site_kind", msg(tr, "sites.bad_kind")));
                    }
                    if name.is_empty() || name.chars().count() > 200 {
                        errors.push(("site_name", msg(tr, "validation.required")));
                    }
                    match (kind, location, on) {
                        (Some(kind), Some(location), Some(on)) if !name.is_empty() => {
                            Some(SiteChoice::New(Box::new(NewSite {
                                kind,
                                hot_spot: false,
                                name,
                                description: String::new(),
                                address: String::new(),
                                unit_id: tip.unit_id,
                                location,
                                business_ref: None,
                                found_how: tr.t("tips.found_how").to_owned(),
                                responsible_user_id: Some(who.user.id),
                                state: SiteState::Reported,
                                on,
                                note: format!("tip {id}"),
                            })))
                        }
                        _ => None,
                    }
                }
                _ => {
                    errors.push(("site", msg(tr, "tips.bad_site_choice")));
                    None
                }
            };
            let (Some(on), Some(location), Some(site), true) = (on, location, site, errors.is_empty()) else {
                return Ok(Err(errors));
            };
            let incident = NewIncident {
                kind: IncidentKind::Tip,
                on,
                location,
                unit_id: tip.unit_id,
                source: "tip".into(),
                note: input.note.trim().to_owned(),
            };
            let params = crate::site_input::params(state).await?;
            let acceptance = tips::Acceptance { incident, site, radius_m: params.reformation_radius_m };
            let accepted = tips::accept(
                &state.db,
                id,
                who.scope(),
                &acceptance,
                Some(who.user.id),
                Some(who.audit("tip.accept", "tip", id)),
            )
            .await
            .map_err(map_err)?;
            Ok(Ok(Outcome::Accepted(accepted)))
        }
        _ => Ok(Err(vec![("decision", msg(tr, "tips.bad_decision"))])),
    }
}

async fn triage_route(
    State(state): State<AppState>,
    who: Authorized<TriageTips>,
    Path(id): Path<i64>,
    Json(input): Json<TriageInput>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr_of(&who);
    match triage(&state, &who, id, &input, tr).await? {
        Err(errors) => Err(AppError::new(ErrorKind::Unprocessable, joined(&errors)).into()),
        Ok(Outcome::Dismissed) => Ok(Json(json!({"status": "dismissed"}))),
        Ok(Outcome::Accepted(a)) => Ok(Json(json!({"status": "accepted", "incident_id": a.incident_id,
            "site_id": a.site_id, "alerts": a.alerts}))),
    }
}
