//! `/api/v1/sites`: the registry of drug sites for integrations, under the same rules as
//! the pages (role, unit scope, every change audited in its own transaction).
//!
//! A site within the re-formation radius of an existing one is still recorded (two
//! places 150 m apart can both be real), with a `near_existing` warning carrying the
//! other site's id, so the officer can check and link them. Export and import as files
//! are in `sites_io`.
//!
//! A step may carry documents or photos (multipart, files `attachment`): they are checked
//! by their content and stored sealed in the step's transaction; any refused file
//! refuses the whole step with a message naming it.

use crate::AppState;
use crate::api::{ApiQuery, parse_u64};
use crate::attachments::{self, StepSubmission, meta_json};
use crate::auth::actions::{ReadSites, WriteSites};
use crate::auth::{Authorized, Identity};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use crate::site_input::{self, SiteInput};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use diaban_domain::UnitLevel;
use diaban_domain::attachment::check_files;
use diaban_domain::site::SiteState;
use diaban_store::site_attachments;
use diaban_store::sites::{
    self, ChangeError, CheckOutcome, CheckReport, Site, SiteFilter, TransitionRequest,
};
use diaban_store::units;
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadSites, POST = WriteSites; scoped.
        .route("/sites", get(list).post(create))
        // Access: ReadSites, scoped.
        .route("/sites/checks/due", get(due))
        .route("/sites/{id}", get(read))
        // Access: ReadSites, scoped; every download audited (site.attachment.read).
        .route("/sites/{id}/attachments/{aid}", get(download))
        // Access: WriteSites, scoped.
        .route("/sites/{id}/checks", post(record_check))
}

/// The routes that take files; `crate::router` gives them the larger body limit.
pub(crate) fn upload_routes() -> Router<AppState> {
    // Access: WriteSites, scoped; JSON, or multipart with files `attachment`.
    Router::new().route("/sites/{id}/transitions", post(change_state))
}

pub(crate) fn tr_of(who: &Identity) -> Tr {
    Tr(Lang::parse(&who.user.lang).unwrap_or_default())
}

pub(crate) fn site_json(s: &Site) -> Value {
    json!({
        "id": s.id, "kind": s.kind, "hot_spot": s.hot_spot, "name": s.name,
        "description": s.description, "address": s.address,
        "unit": {"id": s.unit_id, "code": s.unit_code, "name": s.unit_name, "legacy": s.unit_legacy},
        "lat": s.lat, "lon": s.lon, "business_ref": s.business_ref, "found_how": s.found_how,
        "responsible_user_id": s.responsible_user_id, "state": s.state, "state_since": s.state_since,
        "allowed_next": s.state.allowed_next(), "created_at": s.created_at, "updated_at": s.updated_at,
    })
}

/// The list filters as typed in a query string (shared with the pages).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    pub unit: Option<String>,
    pub kind: Option<String>,
    pub state: Option<String>,
    pub hot_spot: Option<String>,
    pub overdue: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Turns the query into a filter; an unknown value is an error naming its parameter.
pub(crate) async fn filter_of(
    state: &AppState,
    q: &ListQuery,
    max_limit: u64,
) -> Result<SiteFilter, AppError> {
    let today = diaban_domain::time::today_in_vietnam();
    let mut f = SiteFilter::default();
    if let Some(code) = nonempty(&q.unit) {
        let u = if diaban_domain::unit::is_valid_unit_code(code) {
            units::by_code(&state.db, code, Some(UnitLevel::Commune), today).await?
        } else {
            None
        };
        let u = u.ok_or_else(|| AppError::bad_param("unit", format!("no commune has the code '{code}'")))?;
        f.unit_id = Some(u.id);
    }
    if let Some(k) = nonempty(&q.kind) {
        f.kind = Some(k.parse().map_err(|e| AppError::bad_param("kind", e))?);
    }
    if let Some(s) = nonempty(&q.state) {
        f.state = Some(s.parse().map_err(|e| AppError::bad_param("state", e))?);
    }
    f.hot_spot = match nonempty(&q.hot_spot) {
        None => None,
        Some("true" | "1" | "on") => Some(true),
        Some("false" | "0") => Some(false),
        Some(_) => return Err(AppError::bad_param("hot_spot", "expected true or false")),
    };
    f.overdue_on = match nonempty(&q.overdue) {
        None | Some("false" | "0") => None,
        Some("true" | "1" | "on") => Some(today),
        Some(_) => return Err(AppError::bad_param("overdue", "expected true or false")),
    };
    f.limit = parse_u64("limit", q.limit.as_deref(), 100, max_limit).map_err(|e| e.0)?;
    f.offset = parse_u64("offset", q.offset.as_deref(), 0, u64::MAX >> 1).map_err(|e| e.0)?;
    Ok(f)
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = filter_of(&state, &q, 1000).await?;
    let (items, total) = sites::list(&state.db, who.scope(), &f).await?;
    Ok(Json(json!({"items": items.iter().map(site_json).collect::<Vec<_>>(), "total": total})))
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    Json(input): Json<SiteInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tr = tr_of(&who);
    let new = match site_input::validate(&state, &who, &input, tr).await? {
        Ok(n) => n,
        Err(errors) => {
            let msg = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ");
            return Err(AppError::new(ErrorKind::Unprocessable, msg).into());
        }
    };
    let warnings = site_input::warnings(&state, &new, None, tr).await?;
    let id =
        sites::create(&state.db, &new, Some(who.user.id), Some(who.audit("site.create", "site", ""))).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "warnings": warnings}))))
}

async fn read(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let s =
        sites::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such site"))?;
    let files = site_attachments::list_for_site(&state.db, id, who.scope()).await?;
    let timeline: Vec<Value> = sites::transitions(&state.db, id)
        .await?
        .iter()
        .map(|t| {
            let mut step = json!(t);
            step["attachments"] =
                files.iter().filter(|a| a.transition_id == Some(t.id)).map(meta_json).collect();
            step
        })
        .collect();
    let checks = sites::checks(&state.db, id).await?;
    let reader = who.may(diaban_domain::access::Action::ReadPersons).then(|| who.scope());
    let persons = diaban_store::site_links::linked(&state.db, id, reader).await?;
    let alerts = diaban_store::incidents::alerts_for_site(&state.db, id).await?;
    let mut v = site_json(&s);
    v["timeline"] = json!(timeline);
    v["checks"] = json!(checks);
    v["persons"] = json!(persons);
    v["alerts"] = json!(alerts);
    Ok(Json(v))
}

async fn download(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    Ok(attachments::download(&state, &who, id, aid).await?)
}

/// Maps a refused change to the error the client sees.
pub(crate) fn change_error(e: ChangeError, tr: Tr) -> AppError {
    match e {
        ChangeError::NotFound => AppError::not_found("no such site"),
        ChangeError::Refused(t) => {
            let msg = if tr.0 == Lang::Vi { t.message_vi() } else { t.to_string() };
            // The allowed targets also in their API form, whatever the language.
            let allowed: Vec<&str> = t.allowed().iter().map(|s| s.as_str()).collect();
            AppError::new(ErrorKind::Conflict, format!("{msg} [allowed: {}]", allowed.join(", ")))
        }
        ChangeError::Invalid(m) => AppError::new(ErrorKind::Unprocessable, m),
        ChangeError::Concurrent => AppError::new(ErrorKind::Conflict, ChangeError::Concurrent.to_string()),
        ChangeError::Db(d) => d.into(),
    }
}

async fn change_state(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    Path(id): Path<i64>,
    input: StepSubmission,
) -> Result<Json<Value>, ApiError> {
    let tr = tr_of(&who);
    let to: SiteState =
        input.to.trim().parse().map_err(|e| AppError::new(ErrorKind::Unprocessable, format!("to: {e}")))?;
    let on = site_input::step_date(&input.on, tr)
        .map_err(|m| AppError::new(ErrorKind::Unprocessable, format!("on: {m}")))?;
    let files = check_files(input.files, &state.config.attachment_limits)
        .map_err(|r| AppError::new(ErrorKind::Unprocessable, attachments::refusals_text(&r, tr)))?;
    let req = TransitionRequest { to, on, note: input.note.trim().chars().take(4000).collect() };
    let entry = Some(who.audit("site.transition", "site", id));
    let params = site_input::params(&state).await?;
    let added = if files.is_empty() {
        sites::change_state(&state.db, id, who.scope(), &req, Some(who.user.id), &params, entry)
            .await
            .map_err(|e| change_error(e, tr))?;
        Vec::new()
    } else {
        let keys = attachments::keys(&state)
            .map_err(|e| AppError { message: tr.t("attachments.no_key").into(), ..e })?;
        sites::change_state_with_attachments(
            &state.db,
            &keys,
            id,
            who.scope(),
            &req,
            &files,
            Some(who.user.id),
            &params,
            entry,
        )
        .await
        .map_err(|e| change_error(e, tr))?
        .attachment_ids
    };
    let s =
        sites::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such site"))?;
    let mut v = site_json(&s);
    let metas = site_attachments::list_for_site(&state.db, id, who.scope()).await?;
    v["attachments"] = metas.iter().filter(|m| added.contains(&m.id)).map(meta_json).collect();
    Ok(Json(v))
}

#[derive(Deserialize)]
struct CheckInput {
    outcome: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    note: String,
}

async fn record_check(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    Path(id): Path<i64>,
    Json(input): Json<CheckInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tr = tr_of(&who);
    let outcome = CheckOutcome::parse(input.outcome.trim()).ok_or_else(|| {
        AppError::new(ErrorKind::Unprocessable, "outcome: expected no_activity or activity")
    })?;
    let on = site_input::step_date(&input.on, tr)
        .map_err(|m| AppError::new(ErrorKind::Unprocessable, format!("on: {m}")))?;
    let report = CheckReport { on, outcome, note: input.note.trim().chars().take(4000).collect() };
    let check_id = sites::record_check(
        &state.db,
        id,
        who.scope(),
        &report,
        Some(who.user.id),
        &site_input::params(&state).await?,
        Some(who.audit("site.check", "site", id)),
    )
    .await
    .map_err(|e| change_error(e, tr))?;
    let s =
        sites::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such site"))?;
    Ok((StatusCode::CREATED, Json(json!({"check_id": check_id, "site": site_json(&s)}))))
}

#[derive(Deserialize)]
struct DueQuery {
    by: Option<String>,
    mine: Option<String>,
}

async fn due(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ApiQuery(q): ApiQuery<DueQuery>,
) -> Result<Json<Value>, ApiError> {
    let today = diaban_domain::time::today_in_vietnam();
    let by = crate::api::parse_date("by", q.by.as_deref())?.unwrap_or(today);
    let mine = matches!(q.mine.as_deref(), Some("true" | "1"));
    let items = sites::due_checks(&state.db, who.scope(), by, mine.then_some(who.user.id)).await?;
    let items: Vec<Value> = items
        .iter()
        .map(|c| {
            let mut v = json!(c);
            v["overdue"] = json!(diaban_domain::site::is_overdue(c.due_on, today, 0));
            v
        })
        .collect();
    Ok(Json(json!({"items": items})))
}
