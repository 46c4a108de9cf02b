//! `/api/v1/persons/{id}/…`: a person's measures, services, events (with the officer's
//! decision on what the law proposes), profile and moves; the incoming moves of a
//! commune, the work lists, the statistics without identities, the identity export and
//! the terms of measures as parameters. Same rules as the pages: role in the extractor,
//! scope in the query, every read and change of a record audited.

use super::{ApiQuery, parse_u64};
use crate::AppState;
use crate::api::sites::tr_of;
use crate::auth::Authorized;
use crate::auth::actions::{ExportIdentities, ManageParameters, ReadPersons, ViewAggregates, WritePersons};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::person_input::FieldErrors;
use crate::person_record_input::{self as input, episode_error_field, episode_message};
use crate::person_records_ops as ops;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use diaban_domain::person::DurationRules;
use diaban_store::person_records::{self as records, DURATIONS};
use diaban_store::{parameters, person_transfers as transfers};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadPersons (audited read), POST = WritePersons; scoped.
        .route("/persons/{id}/episodes", get(list_episodes).post(add_episode))
        // Access: WritePersons, scoped.
        .route("/persons/{id}/episodes/{episode_id}/end", post(end_episode))
        // Access: GET = ReadPersons (audited read), POST = WritePersons; scoped.
        .route("/persons/{id}/services", get(list_services).post(add_service))
        .route("/persons/{id}/events", get(list_events).post(add_event))
        // Access: WritePersons, scoped.
        .route("/persons/{id}/events/{event_id}/decision", post(decide))
        // Access: GET = ReadPersons (audited read), PUT = WritePersons; scoped.
        .route("/persons/{id}/profile", get(read_profile).put(set_profile))
        // Access: GET = ReadPersons (audited read), POST = WritePersons; scoped.
        .route("/persons/{id}/transfers", get(list_transfers).post(add_transfer))
        // Access: ReadPersons; the moves into the caller's scope.
        .route("/persons/transfers/incoming", get(incoming))
        // Access: WritePersons; a move into the caller's scope.
        .route("/persons/transfers/{transfer_id}/reported", post(reported))
        // Access: ReadPersons; scoped; ids and dates only.
        .route("/persons/worklists", get(worklists))
        // Access: ViewAggregates; scoped; counts only.
        .route("/persons/statistics", get(statistics))
        // Access: ViewAggregates; scoped; counts only (the same figures as a table).
        .route("/persons/statistics.xlsx", get(statistics_xlsx))
        .route("/persons/statistics.csv", get(statistics_csv))
        // Access: ExportIdentities; scoped; audited with the number of records.
        .route("/persons/export.csv", get(export_csv))
        // Access: ManageParameters (admin); a change is audited.
        .route("/parameters/person_durations", get(read_durations).put(set_durations))
}

fn unprocessable(errors: &FieldErrors) -> ApiError {
    let msg = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ");
    AppError::new(ErrorKind::Unprocessable, msg).into()
}

async fn list_episodes(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    ops::audited_read(&state, &who, id).await?;
    Ok(Json(json!({"items": records::episodes(&state.db, id).await?})))
}

async fn add_episode(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    Path(id): Path<i64>,
    Json(body): Json<input::EpisodeInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    ops::require_in_scope(&state, &who, id, "person.episode.create").await?;
    let tr = tr_of(&who);
    let n = input::episode(&body, tr, ops::today()).map_err(|e| unprocessable(&e))?;
    match records::add_episode(
        &state.db,
        id,
        &n,
        Some(who.user.id),
        who.audit("person.episode.create", "person", id),
    )
    .await?
    {
        Ok(eid) => {
            let ep = records::episodes(&state.db, id).await?.into_iter().find(|e| e.id == eid);
            Ok((StatusCode::CREATED, Json(json!({"id": eid, "episode": ep}))))
        }
        Err(e) => Err(unprocessable(&vec![(episode_error_field(&e), episode_message(&e, tr))])),
    }
}

#[derive(Deserialize)]
struct EndInput {
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
}

async fn end_episode(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    Path((id, episode_id)): Path<(i64, i64)>,
    Json(body): Json<EndInput>,
) -> Result<Json<Value>, ApiError> {
    ops::require_in_scope(&state, &who, id, "person.episode.end").await?;
    let tr = tr_of(&who);
    match ops::end_episode(&state, &who, id, episode_id, &body.on, &body.reason, tr).await? {
        Ok(()) => Ok(Json(json!({"id": episode_id, "ended": true}))),
        Err(errors) => Err(unprocessable(&errors)),
    }
}

async fn list_services(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    ops::audited_read(&state, &who, id).await?;
    Ok(Json(json!({"items": records::services(&state.db, id).await?})))
}

async fn add_service(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    Path(id): Path<i64>,
    Json(body): Json<input::ServiceInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    ops::require_in_scope(&state, &who, id, "person.service.create").await?;
    let (kind, on, provider) =
        input::service(&body, tr_of(&who), ops::today()).map_err(|e| unprocessable(&e))?;
    let sid = records::add_service(
        &state.db,
        id,
        kind,
        on,
        &provider,
        Some(who.user.id),
        who.audit("person.service.create", "person", id),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": sid}))))
}

async fn list_events(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    ops::audited_read(&state, &who, id).await?;
    Ok(Json(json!({"items": records::events(&state.db, id).await?})))
}

async fn add_event(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    Path(id): Path<i64>,
    Json(body): Json<input::EventInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    ops::require_in_scope(&state, &who, id, "person.event.create").await?;
    let (kind, on) = input::event(&body, tr_of(&who), ops::today()).map_err(|e| unprocessable(&e))?;
    let (eid, status) = records::add_event(
        &state.db,
        id,
        kind,
        on,
        Some(who.user.id),
        who.audit("person.event.create", "person", id),
    )
    .await?;
    let ev = records::events(&state.db, id).await?.into_iter().find(|e| e.id == eid);
    Ok((StatusCode::CREATED, Json(json!({"id": eid, "proposal": status, "event": ev}))))
}

#[derive(Deserialize)]
struct DecisionInput {
    accept: bool,
    #[serde(default)]
    note: String,
    /// The measure to record when accepting (its kind is the proposed one).
    #[serde(default)]
    episode: Option<input::EpisodeInput>,
}

async fn decide(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    Path((id, event_id)): Path<(i64, i64)>,
    Json(body): Json<DecisionInput>,
) -> Result<Json<Value>, ApiError> {
    ops::require_in_scope(&state, &who, id, "person.proposal.decide").await?;
    let tr = tr_of(&who);
    let episode = if body.accept { Some(body.episode.unwrap_or_default()) } else { None };
    match ops::decide(&state, &who, id, event_id, episode, &body.note, tr).await? {
        Ok(episode_id) => {
            Ok(Json(json!({"event_id": event_id, "accepted": body.accept, "episode_id": episode_id})))
        }
        Err(errors) => Err(unprocessable(&errors)),
    }
}

async fn read_profile(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    ops::audited_read(&state, &who, id).await?;
    Ok(Json(json!(records::profile(&state.db, id).await?)))
}

async fn set_profile(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    Path(id): Path<i64>,
    Json(body): Json<input::ProfileInput>,
) -> Result<Json<Value>, ApiError> {
    ops::require_in_scope(&state, &who, id, "person.profile.update").await?;
    let p = input::profile(&body, tr_of(&who), ops::today()).map_err(|e| unprocessable(&e))?;
    records::set_profile(
        &state.db,
        id,
        &p,
        Some(who.user.id),
        who.audit("person.profile.update", "person", id),
    )
    .await?;
    Ok(Json(json!(p)))
}

async fn list_transfers(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    ops::audited_read(&state, &who, id).await?;
    let now = chrono::Utc::now();
    let items: Vec<Value> =
        transfers::of_person(&state.db, id).await?.iter().map(|t| ops::transfer_json(t, now)).collect();
    Ok(Json(json!({"items": items})))
}

async fn add_transfer(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    Path(id): Path<i64>,
    Json(body): Json<input::TransferInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    ops::require_in_scope(&state, &who, id, "person.transfer.create").await?;
    match ops::transfer(&state, &who, id, &body, tr_of(&who)).await? {
        Ok(t) => Ok((StatusCode::CREATED, Json(ops::transfer_json(&t, chrono::Utc::now())))),
        Err(errors) => Err(unprocessable(&errors)),
    }
}

#[derive(Deserialize, Default)]
struct IncomingQuery {
    all: Option<String>,
}

async fn incoming(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    ApiQuery(q): ApiQuery<IncomingQuery>,
) -> Result<Json<Value>, ApiError> {
    let all = matches!(q.all.as_deref(), Some("true" | "1"));
    let now = chrono::Utc::now();
    let items: Vec<Value> = transfers::incoming(&state.db, who.scope(), all, 500)
        .await?
        .iter()
        .map(|t| ops::transfer_json(t, now))
        .collect();
    Ok(Json(json!({"items": items})))
}

#[derive(Deserialize, Default)]
struct ReportedInput {
    #[serde(default)]
    reported_at: String,
}

async fn reported(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    Path(transfer_id): Path<i64>,
    Json(body): Json<ReportedInput>,
) -> Result<Json<Value>, ApiError> {
    match ops::mark_reported(&state, &who, transfer_id, &body.reported_at, tr_of(&who)).await? {
        Ok(()) => Ok(Json(json!({"id": transfer_id, "reported": true}))),
        Err(errors) => Err(unprocessable(&errors)),
    }
}

#[derive(Deserialize, Default)]
struct WorkQuery {
    days: Option<String>,
    check_days: Option<String>,
    year: Option<String>,
}

async fn worklists(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    ApiQuery(q): ApiQuery<WorkQuery>,
) -> Result<Json<Value>, ApiError> {
    let days = parse_u64("days", q.days.as_deref(), 30, 366)?;
    let check_days = parse_u64("check_days", q.check_days.as_deref(), 30, 366)?;
    let year = ops::parse_year(&state, q.year.as_deref()).await?;
    let w = ops::worklists(&state, &who, days, check_days, year).await?;
    Ok(Json(serde_json::to_value(&w).map_err(AppError::internal)?))
}

#[derive(Deserialize, Default)]
struct StatsQuery {
    year: Option<String>,
}

async fn statistics(
    State(state): State<AppState>,
    who: Authorized<ViewAggregates>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Json<Value>, ApiError> {
    let year = ops::parse_year(&state, q.year.as_deref()).await?;
    let (cur, prev) = diaban_store::person_stats::year_with_previous(&state.db, who.scope(), year).await?;
    Ok(Json(ops::statistics_json(&state, year, &cur, &prev).await?))
}

async fn statistics_table(
    state: &AppState,
    who: &Authorized<ViewAggregates>,
    year: Option<&str>,
    xlsx: bool,
) -> Result<Response, ApiError> {
    use crate::person_stats_export as export;
    let year = ops::parse_year(state, year).await?;
    let (cur, prev) = diaban_store::person_stats::year_with_previous(&state.db, who.scope(), year).await?;
    let ids: Vec<i64> = cur.by_unit.keys().copied().collect();
    let names = diaban_store::units::get_many(&state.db, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, (u.code, u.name)))
        .collect();
    let tr = tr_of(who);
    let lines = export::lines(tr, &cur, &prev, &names);
    let body = if xlsx {
        let period = tr
            .t("records.export_period")
            .replace("{year}", &year.to_string())
            .replace("{from}", &tr.date(&cur.period.from))
            .replace("{to}", &tr.date(&cur.period.to));
        export::xlsx(tr, tr.t("records.export_title"), &period, &lines)?
    } else {
        export::csv(tr, &lines)?
    };
    let name = format!("thong-ke-nguoi-co-ho-so-{year}.{}", if xlsx { "xlsx" } else { "csv" });
    Ok(crate::table_export::download(body, &name, xlsx))
}

async fn statistics_xlsx(
    State(state): State<AppState>,
    who: Authorized<ViewAggregates>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Response, ApiError> {
    statistics_table(&state, &who, q.year.as_deref(), true).await
}

async fn statistics_csv(
    State(state): State<AppState>,
    who: Authorized<ViewAggregates>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Response, ApiError> {
    statistics_table(&state, &who, q.year.as_deref(), false).await
}

async fn export_csv(
    State(state): State<AppState>,
    who: Authorized<ExportIdentities>,
) -> Result<impl IntoResponse, ApiError> {
    let body = ops::identities_csv(&state, &who).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (CONTENT_DISPOSITION, "attachment; filename=\"persons.csv\""),
        ],
        body,
    ))
}

async fn read_durations(
    State(state): State<AppState>,
    _who: Authorized<ManageParameters>,
) -> Result<Json<Value>, ApiError> {
    let today = ops::today();
    let current: DurationRules = parameters::in_force(&state.db, DURATIONS, today).await?;
    let history = parameters::history(&state.db, DURATIONS).await?;
    Ok(Json(json!({"in_force": current, "defaults": DurationRules::default(), "history": history})))
}

#[derive(Deserialize)]
struct SetDurations {
    value: DurationRules,
    valid_from: String,
    #[serde(default)]
    note: String,
}

async fn set_durations(
    State(state): State<AppState>,
    who: Authorized<ManageParameters>,
    Json(body): Json<SetDurations>,
) -> Result<Json<Value>, ApiError> {
    let from = crate::site_input::parse_date(&body.valid_from)
        .ok_or_else(|| AppError::new(ErrorKind::Unprocessable, "valid_from: expected YYYY-MM-DD"))?;
    ops::check_durations(&body.value)
        .map_err(|m| AppError::new(ErrorKind::Unprocessable, format!("value: {m}")))?;
    let note: String = body.note.trim().chars().take(500).collect();
    parameters::set(
        &state.db,
        DURATIONS,
        &body.value,
        from,
        Some(who.user.id),
        &note,
        Some(who.audit("parameters.set", "parameters", DURATIONS)),
    )
    .await?;
    Ok(Json(json!({"name": DURATIONS, "valid_from": from, "value": body.value})))
}
