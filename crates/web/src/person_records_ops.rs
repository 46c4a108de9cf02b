//! The steps a page and the API share for a person's measures, services, events and
//! moves: the scope check with its audit entry, validation, the store call, and mapping
//! its refusals to field errors. Handlers only parse the request and shape the answer.

use crate::AppState;
use crate::auth::Identity;
use crate::error::{ApiError, AppError};
use crate::i18n::Tr;
use crate::person_input::FieldErrors;
use crate::person_record_input::{self as input, episode_error_field, episode_message};
use chrono::{DateTime, NaiveDate, Utc};
use diaban_domain::person::stats::{PersonStats, growth};
use diaban_domain::person::{DurationRules, EndReason, EpisodeKind, Regime};
use diaban_store::person_records::{self as records, DecideRefusal, EndRefusal};
use diaban_store::person_transfers::{self as transfers, NewTransfer, Transfer};
use diaban_store::persons::PersonFilter;
use diaban_store::{audit, person_work, persons, units};
use serde::Serialize;
use serde_json::{Value, json};

/// Today in Vietnam.
pub fn today() -> NaiveDate {
    diaban_domain::time::today_in_vietnam()
}

/// 404 unless person `id` is in the caller's scope; a refusal is audited as `action`
/// denied, so probing other communes' records leaves a trace.
pub async fn require_in_scope(
    state: &AppState,
    who: &Identity,
    id: i64,
    action: &str,
) -> Result<(), AppError> {
    if records::in_scope(&state.db, id, who.scope()).await? {
        return Ok(());
    }
    let mut e = who.audit(action, "person", id);
    e.outcome = "denied".into();
    audit::append(&state.db, &e).await?;
    Err(AppError::not_found("no such record in your scope"))
}

/// A read of part of a record (measures, services, …): one `person.read` entry, refused
/// attempts included.
pub async fn audited_read(state: &AppState, who: &Identity, id: i64) -> Result<(), AppError> {
    let found = records::in_scope(&state.db, id, who.scope()).await?;
    let mut e = who.audit("person.read", "person", id);
    if !found {
        e.outcome = "denied".into();
    }
    audit::append(&state.db, &e).await?;
    if found { Ok(()) } else { Err(AppError::not_found("no such record in your scope")) }
}

/// Ends a measure early or on its term.
pub async fn end_episode(
    state: &AppState,
    who: &Identity,
    id: i64,
    episode_id: i64,
    on: &str,
    reason: &str,
    tr: Tr,
) -> Result<Result<(), FieldErrors>, AppError> {
    let mut errors: FieldErrors = Vec::new();
    let on = match crate::site_input::parse_date(on.trim()) {
        Some(d) if d <= today() => Some(d),
        Some(_) => {
            errors.push(("on", tr.t("records.future_date").into()));
            None
        }
        None => {
            errors.push(("on", tr.t("validation.date").into()));
            None
        }
    };
    let reason = reason.trim().parse::<EndReason>().ok();
    if reason.is_none() {
        errors.push(("reason", tr.t("records.end_reason_required").into()));
    }
    let (Some(on), Some(reason)) = (on, reason) else { return Ok(Err(errors)) };
    let r = records::end_episode(
        &state.db,
        id,
        episode_id,
        on,
        reason,
        who.audit("person.episode.end", "person", id),
    )
    .await
    .map_err(|e| match e {
        diaban_store::DbError::NotFound => AppError::not_found("no such measure"),
        e => e.into(),
    })?;
    Ok(match r {
        Ok(()) => Ok(()),
        Err(EndRefusal::AlreadyEnded) => Err(vec![("on", tr.t("records.already_ended").into())]),
        Err(EndRefusal::Dates(e)) => Err(vec![("on", episode_message(&e, tr))]),
    })
}

/// The officer's decision on a pending proposal. Accepting records the proposed measure
/// from the fields given (its kind is the proposal's).
pub async fn decide(
    state: &AppState,
    who: &Identity,
    id: i64,
    event_id: i64,
    episode: Option<input::EpisodeInput>,
    note: &str,
    tr: Tr,
) -> Result<Result<Option<i64>, FieldErrors>, AppError> {
    let events = records::events(&state.db, id).await?;
    let Some(ev) = events.iter().find(|e| e.id == event_id) else {
        return Err(AppError::not_found("no such event"));
    };
    let new = match (episode, &ev.proposed) {
        (Some(mut e), Some(p)) => {
            e.kind = p.to.as_str().to_owned();
            match input::episode(&e, tr, today()) {
                Ok(n) => Some(n),
                Err(errors) => return Ok(Err(errors)),
            }
        }
        (Some(_), None) => return Ok(Err(vec![("accept", tr.t("records.not_pending").into())])),
        (None, _) => None,
    };
    let note: String = note.trim().chars().take(500).collect();
    let r = records::decide(
        &state.db,
        id,
        event_id,
        new.as_ref(),
        &note,
        Some(who.user.id),
        who.audit(
            if new.is_some() { "person.proposal.accept" } else { "person.proposal.reject" },
            "person",
            id,
        ),
    )
    .await?;
    Ok(match r {
        Ok(episode_id) => Ok(episode_id),
        Err(DecideRefusal::NotPending) => Err(vec![("accept", tr.t("records.not_pending").into())]),
        Err(DecideRefusal::Episode(e)) => Err(vec![(episode_error_field(&e), episode_message(&e, tr))]),
    })
}

/// Records a move of person `id` to another current commune.
pub async fn transfer(
    state: &AppState,
    who: &Identity,
    id: i64,
    body: &input::TransferInput,
    tr: Tr,
) -> Result<Result<Transfer, FieldErrors>, AppError> {
    let now = Utc::now();
    let mut errors: FieldErrors = Vec::new();
    let times = match input::transfer_times(body, tr, now) {
        Ok(t) => Some(t),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let code = body.to_unit.trim();
    let unit = if diaban_domain::unit::is_valid_unit_code(code) {
        units::by_code(&state.db, code, Some(diaban_domain::UnitLevel::Commune), today()).await?
    } else {
        None
    };
    let unit = unit.filter(|u| !u.is_legacy());
    let current = records::residence_commune(&state.db, id).await?;
    match &unit {
        None => errors.push(("to_unit", tr.t("validation.unit").into())),
        Some(u) if Some(u.scope_commune_id.unwrap_or(u.id)) == current => {
            errors.push(("to_unit", tr.t("records.same_commune").into()))
        }
        Some(_) => {}
    }
    let (Some((moved_at, known_at)), Some(unit)) = (times, unit) else { return Ok(Err(errors)) };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let t = NewTransfer { person_id: id, to_unit_id: unit.id, moved_at, known_at };
    let tid = transfers::record(
        &state.db,
        &t,
        Some(who.user.id),
        who.audit("person.transfer.create", "person", id),
    )
    .await?;
    let stored = transfers::of_person(&state.db, id).await?.into_iter().find(|t| t.id == tid);
    stored.map(Ok).ok_or_else(|| AppError::internal("transfer vanished"))
}

/// The receiving commune records that the person reported (now when `at` is empty).
pub async fn mark_reported(
    state: &AppState,
    who: &Identity,
    transfer_id: i64,
    at: &str,
    tr: Tr,
) -> Result<Result<(), FieldErrors>, AppError> {
    let now = Utc::now();
    let at = match at.trim() {
        "" => now,
        s => match input::parse_local_datetime(s) {
            Some(t) if t <= now => t,
            Some(_) => return Ok(Err(vec![("reported_at", tr.t("records.future_date").into())])),
            None => return Ok(Err(vec![("reported_at", tr.t("validation.date").into())])),
        },
    };
    let done = transfers::mark_reported(
        &state.db,
        transfer_id,
        who.scope(),
        at,
        Some(who.user.id),
        who.audit("person.transfer.reported", "person", 0),
    )
    .await?;
    if done { Ok(Ok(())) } else { Err(AppError::not_found("no such incoming move waiting in your scope")) }
}

/// A move as JSON, with its overdue flags at `now`.
pub fn transfer_json(t: &Transfer, now: DateTime<Utc>) -> Value {
    json!({
        "id": t.id, "person_id": t.person_id,
        "from_unit": {"id": t.from_unit_id, "name": t.from_unit_name},
        "to_unit": {"id": t.to_unit_id, "name": t.to_unit_name},
        "moved_at": t.moved_at, "known_at": t.known_at, "regime": t.regime,
        "notified_at": t.notified_at, "notify_deadline": t.notify_deadline,
        "report_deadline": t.report_deadline, "reported_at": t.reported_at,
        "notification_overdue": t.notification_overdue(), "report_overdue": t.report_overdue(now),
    })
}

/// The statistical year that contains today, under the reporting cut-off day in force
/// (from 15/12 on, with the default, it is the next calendar year).
pub async fn this_statistical_year(state: &AppState) -> Result<i32, AppError> {
    let cutoff = crate::indicators_ops::reporting(state).await?.cutoff_day;
    Ok(diaban_domain::period::StatPeriod::containing(
        diaban_domain::period::PeriodKind::Year,
        today(),
        cutoff,
    )
    .year)
}

/// `year`, default the statistical year of today, within 2000–2100.
pub async fn parse_year(state: &AppState, v: Option<&str>) -> Result<i32, ApiError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(this_statistical_year(state).await?),
        Some(s) => match s.parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => Ok(y),
            _ => Err(AppError::bad_param("year", "expected a year from 2000 to 2100").into()),
        },
    }
}

/// The work lists of a scope (ids and dates only).
#[derive(Debug, Serialize)]
pub struct WorkLists {
    /// Measures ending by this day.
    pub until: NaiveDate,
    /// User management and post-rehab management ending soon.
    pub managements_ending: Vec<person_work::DueEpisode>,
    /// Rehab ending soon.
    pub rehab_ending: Vec<person_work::DueEpisode>,
    /// Post-rehab persons without a contact since this day.
    pub checks_since: NaiveDate,
    /// Post-rehab checks due.
    pub post_rehab_checks_due: Vec<person_work::DueEpisode>,
    /// The statistical year of the next list.
    pub year: i32,
    /// Persons with a record and no service in the year.
    pub without_service: Vec<person_work::Unreached>,
}

const WORK_LIMIT: u64 = 500;

/// Builds the work lists: ending within `days`, post-rehab checks every `check_days`,
/// services in statistical year `year`.
pub async fn worklists(
    state: &AppState,
    who: &Identity,
    days: u64,
    check_days: u64,
    year: i32,
) -> Result<WorkLists, AppError> {
    let today = today();
    let until = today + chrono::Days::new(days);
    let checks_since = today - chrono::Days::new(check_days);
    let period = diaban_domain::person::stats::Period::statistical_year(year)
        .ok_or_else(|| AppError::bad_param("year", "outside the calendar"))?;
    let scope = who.scope();
    Ok(WorkLists {
        until,
        managements_ending: person_work::ending_by(
            &state.db,
            scope,
            &[EpisodeKind::UserManagement, EpisodeKind::PostRehabManagement],
            until,
            WORK_LIMIT,
        )
        .await?,
        rehab_ending: person_work::ending_by(
            &state.db,
            scope,
            &[
                EpisodeKind::VoluntaryRehabHome,
                EpisodeKind::VoluntaryRehabFacility,
                EpisodeKind::CompulsoryRehab,
            ],
            until,
            WORK_LIMIT,
        )
        .await?,
        checks_since,
        post_rehab_checks_due: person_work::post_rehab_checks_due(
            &state.db,
            scope,
            today,
            checks_since,
            WORK_LIMIT,
        )
        .await?,
        year,
        without_service: person_work::without_service(
            &state.db,
            scope,
            period.from,
            period.to.min(today),
            WORK_LIMIT,
        )
        .await?,
    })
}

/// The statistics of a year and the year before as JSON, units by code and name.
pub async fn statistics_json(
    state: &AppState,
    year: i32,
    cur: &PersonStats,
    prev: &PersonStats,
) -> Result<Value, AppError> {
    let mut by_unit = Vec::new();
    for (unit_id, b) in &cur.by_unit {
        let (code, name) = match units::get(&state.db, *unit_id).await {
            Ok(u) => (u.code, u.name),
            Err(_) => (String::new(), String::new()),
        };
        let previous = prev.by_unit.get(unit_id).map(|p| p.with_records).unwrap_or(0);
        by_unit.push(json!({
            "unit": {"id": unit_id, "code": code, "name": name},
            "breakdown": b, "t5_rate": b.t5_rate(),
            "previous_year_with_records": previous, "growth": growth(b.with_records, previous),
        }));
    }
    let g = growth(cur.total.with_records, prev.total.with_records);
    Ok(json!({
        "year": year, "period": cur.period, "previous_period": prev.period,
        "total": cur.total, "t5_rate": cur.total.t5_rate(),
        "previous_year_with_records": prev.total.with_records,
        // Growth of persons with records (not a plan target); T6 is the growth of addicts,
        // judged against the plan by `GET /api/v1/indicators`.
        "growth": g,
        "addicts_previous_year": prev.total.addicts,
        "addicts_growth": growth(cur.total.addicts, prev.total.addicts),
        "by_unit": by_unit,
    }))
}

/// Every record of the caller's scope with its identities, as CSV; the export is audited
/// with the number of records (the ids are in the file, not in the log).
pub async fn identities_csv(state: &AppState, who: &Identity) -> Result<Vec<u8>, AppError> {
    let keys = crate::pages::persons::keys(state)?;
    let mut w = crate::export::CsvOut::new();
    let io = |e: csv::Error| AppError::internal(e);
    w.write_record([
        "id",
        "id_number",
        "full_name",
        "sex",
        "birth_year",
        "birth_date",
        "ethnicity",
        "residence_unit_code",
        "residence_unit_name",
        "address",
        "running_measures",
    ])
    .map_err(io)?;
    let mut offset = 0;
    let mut count = 0usize;
    let mut names: std::collections::HashMap<i64, (String, String)> = std::collections::HashMap::new();
    let day = today();
    loop {
        let f = PersonFilter { limit: 1000, offset, ..Default::default() };
        let (batch, _) = persons::list(&state.db, &keys, who.scope(), &f).await?;
        if batch.is_empty() {
            break;
        }
        for p in &batch {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(p.residence_unit_id) {
                let u = units::get(&state.db, p.residence_unit_id).await?;
                slot.insert((u.code, u.name));
            }
            let (code, name) = &names[&p.residence_unit_id];
            let running: Vec<&str> = records::episodes(&state.db, p.id)
                .await?
                .iter()
                .filter(|e| e.runs_on(day))
                .map(|e| e.kind.as_str())
                .collect();
            w.write_record([
                p.id.to_string(),
                p.id_number.clone().unwrap_or_default(),
                p.full_name.clone(),
                p.sex.clone(),
                p.birth_year.to_string(),
                p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
                p.ethnicity.clone(),
                code.clone(),
                name.clone(),
                p.address.clone().unwrap_or_default(),
                running.join(","),
            ])
            .map_err(io)?;
            count += 1;
        }
        offset += 1000;
    }
    let body = w.into_inner().map_err(|e| AppError::internal(e.to_string()))?;
    audit::append(&state.db, &who.audit("person.export", "person", count)).await?;
    Ok(body)
}

/// Checks terms of measures: every range has min ≤ max and at least one month.
pub fn check_durations(r: &DurationRules) -> Result<(), String> {
    for regime in Regime::ALL {
        for kind in EpisodeKind::ALL {
            for repeat in [false, true] {
                if let Some(t) = r.term(kind, regime, repeat)
                    && (t.min == 0 || t.min > t.max || t.max > 120)
                {
                    return Err(format!(
                        "{} under {}: a term must be 1 to 120 months with min ≤ max",
                        kind.as_str(),
                        regime.as_str()
                    ));
                }
            }
        }
    }
    Ok(())
}
