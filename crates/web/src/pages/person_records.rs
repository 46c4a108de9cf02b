//! Đối tượng › hồ sơ: the forms of a person's measures, services, events, proposals and
//! moves; the timeline on the detail page; the incoming moves of a commune, the work lists
//! and the statistics without identities. The forms show no identity (the record is named
//! by its number); the detail page is the one audited read.

use super::{Crumb, Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::auth::actions::{ReadPersons, ViewAggregates, WritePersons};
use crate::auth::{Authorized, Identity};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::person_input::FieldErrors;
use crate::person_record_input::{self as input, episode_error_field, episode_message};
use crate::person_records_ops as ops;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::person::{EndReason, EpisodeKind, EventKind, HeldIn, ServiceKind, Substance};
use diaban_store::person_records as records;
use diaban_store::person_transfers as transfers;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: WritePersons, scoped.
        .route("/persons/{id}/episodes/new", get(episode_form))
        .route("/persons/{id}/episodes", post(episode_create))
        .route("/persons/{id}/episodes/{episode_id}/end", post(episode_end))
        .route("/persons/{id}/services/new", get(service_form))
        .route("/persons/{id}/services", post(service_create))
        .route("/persons/{id}/events", post(event_create))
        .route("/persons/{id}/events/{event_id}/decision", post(decision))
        .route("/persons/{id}/transfers/new", get(transfer_form))
        .route("/persons/{id}/transfers", post(transfer_create))
        // Access: ReadPersons; the moves into the caller's scope.
        .route("/persons/incoming", get(incoming))
        // Access: WritePersons; a move into the caller's scope.
        .route("/persons/transfers/{transfer_id}/reported", post(reported))
        // Access: ReadPersons, scoped; audited as a list when names are shown.
        .route("/persons/work", get(work))
        // Access: ViewAggregates, scoped; counts only.
        .route("/persons/statistics", get(statistics))
}

fn label<T: Copy>(tr: Tr, v: T, vi: fn(T) -> &'static str, en: fn(T) -> &'static str) -> &'static str {
    if tr.0 == Lang::Vi { vi(v) } else { en(v) }
}

/// An option of a select.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

pub(super) fn crumbs(tr: Tr, id: i64, last: &str) -> Vec<Crumb> {
    vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("persons.title").into(), href: Some("/persons".into()) },
        Crumb { label: format!("{} #{id}", tr.t("records.record")), href: Some(format!("/persons/{id}")) },
        Crumb { label: last.into(), href: None },
    ]
}

pub(super) fn error_of<'a>(errors: &'a FieldErrors, field: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
}

// --- the timeline on the detail page ---------------------------------------------------

/// One line of the timeline.
pub struct TimelineEntry {
    pub on: String,
    pub sort: chrono::NaiveDate,
    pub what: &'static str,
    pub label: String,
    pub detail: String,
    pub regime: String,
    /// A running measure that may be ended here.
    pub end_episode_id: Option<i64>,
    /// A pending proposal: (event id, proposed measure, legal basis).
    pub proposal: Option<(i64, String, String, bool)>,
}

/// What the detail page shows besides the identity.
pub struct RecordView {
    pub timeline: Vec<TimelineEntry>,
    pub profile: Vec<(String, String)>,
    pub transfers: Vec<(String, String, String, bool, bool)>,
    pub end_reasons: Vec<Choice>,
    pub event_kinds: Vec<Choice>,
    pub today: String,
}

/// Reads the measures, services, events and moves of a record already read (audited) by
/// the caller.
pub async fn record_view(state: &AppState, id: i64, tr: Tr) -> Result<RecordView, AppError> {
    let today = ops::today();
    let mut timeline = Vec::new();
    for e in records::episodes(&state.db, id).await? {
        let mut detail = Vec::new();
        if !e.decision_number.is_empty() {
            detail.push(format!(
                "{} {} ({})",
                tr.t("records.decision"),
                e.decision_number,
                tr.date(&e.decision_date)
            ));
        }
        if !e.signer.is_empty() {
            detail.push(format!("{}: {}", tr.t("records.signer"), e.signer));
        }
        if let Some(m) = e.term_months {
            detail.push(format!("{}: {m} {}", tr.t("records.term"), tr.t("records.months")));
        }
        if let Some(p) = e.planned_end {
            detail.push(format!("{}: {}", tr.t("records.planned_end"), tr.date(&p)));
        }
        if let Some(a) = e.actual_end {
            let reason =
                e.end_reason.map(|r| label(tr, r, EndReason::label_vi, EndReason::label_en)).unwrap_or("");
            detail.push(format!("{}: {} ({reason})", tr.t("records.actual_end"), tr.date(&a)));
        }
        if let Some(c) = e.criteria_met {
            detail.push(format!("{}: {c}/6", tr.t("records.criteria_met")));
        }
        if !e.place.is_empty() {
            detail.push(e.place.clone());
        }
        let runs =
            e.actual_end.is_none() && e.kind != EpisodeKind::AddictionDetermination && e.start <= today;
        timeline.push(TimelineEntry {
            on: tr.date(&e.start),
            sort: e.start,
            what: "episode",
            label: label(tr, e.kind, EpisodeKind::label_vi, EpisodeKind::label_en).to_owned(),
            detail: detail.join(" · "),
            regime: e.regime.citation().to_owned(),
            end_episode_id: runs.then_some(e.id),
            proposal: None,
        });
    }
    for s in records::services(&state.db, id).await? {
        let kind =
            s.kind.parse::<ServiceKind>().map(|k| label(tr, k, ServiceKind::label_vi, ServiceKind::label_en));
        timeline.push(TimelineEntry {
            on: tr.date(&s.provided_on),
            sort: s.provided_on,
            what: "service",
            label: kind.unwrap_or("").to_owned(),
            detail: s.provider,
            regime: String::new(),
            end_episode_id: None,
            proposal: None,
        });
    }
    for ev in records::events(&state.db, id).await? {
        let status = match ev.proposal {
            records::ProposalStatus::None => String::new(),
            records::ProposalStatus::Pending => tr.t("records.proposal_pending").to_owned(),
            records::ProposalStatus::Accepted => tr.t("records.proposal_accepted").to_owned(),
            records::ProposalStatus::Rejected => tr.t("records.proposal_rejected").to_owned(),
        };
        let proposal = match (&ev.proposed, ev.proposal) {
            (Some(p), records::ProposalStatus::Pending) => Some((
                ev.id,
                label(tr, p.to, EpisodeKind::label_vi, EpisodeKind::label_en).to_owned(),
                if tr.0 == Lang::Vi { p.legal_basis_vi.clone() } else { p.legal_basis_en.clone() },
                p.confirmed,
            )),
            _ => None,
        };
        timeline.push(TimelineEntry {
            on: tr.date(&ev.occurred_on),
            sort: ev.occurred_on,
            what: "event",
            label: label(tr, ev.kind, EventKind::label_vi, EventKind::label_en).to_owned(),
            detail: [status, ev.decision_note]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
            regime: ev.proposed.as_ref().map(|p| p.regime.citation().to_owned()).unwrap_or_default(),
            end_episode_id: None,
            proposal,
        });
    }
    timeline.sort_by_key(|t| std::cmp::Reverse(t.sort));
    let p = records::profile(&state.db, id).await?;
    let substances = p
        .substances
        .iter()
        .map(|s| label(tr, *s, Substance::label_vi, Substance::label_en))
        .collect::<Vec<_>>()
        .join(", ");
    let profile = vec![
        (tr.t("records.substances").to_owned(), substances),
        (tr.t("records.use_since").to_owned(), p.use_since_year.map(|y| y.to_string()).unwrap_or_default()),
        (tr.t("records.occupation").to_owned(), p.occupation),
        (tr.t("records.education").to_owned(), p.education),
        (
            tr.t("records.held_in").to_owned(),
            label(tr, p.held_in, HeldIn::label_vi, HeldIn::label_en).to_owned(),
        ),
    ];
    let now = chrono::Utc::now();
    let transfers = transfers::of_person(&state.db, id)
        .await?
        .into_iter()
        .map(|t| {
            (
                tr.datetime(&t.moved_at),
                t.from_unit_name.clone(),
                t.to_unit_name.clone(),
                t.notification_overdue(),
                t.report_overdue(now),
            )
        })
        .collect();
    Ok(RecordView {
        timeline,
        profile,
        transfers,
        end_reasons: EndReason::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str(),
                label: label(tr, *r, EndReason::label_vi, EndReason::label_en),
            })
            .collect(),
        event_kinds: EventKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str(),
                label: label(tr, *k, EventKind::label_vi, EventKind::label_en),
            })
            .collect(),
        today: today.to_string(),
    })
}

// --- measures --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "person_episode_form.html")]
struct EpisodeFormPage {
    p: super::Page,
    id: i64,
    action: String,
    v: input::EpisodeInput,
    kinds: Vec<Choice>,
    fixed_kind: bool,
    end_reasons: Vec<Choice>,
    errors: FieldErrors,
    terms_help: String,
}

impl EpisodeFormPage {
    fn error(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

fn terms_help(tr: Tr) -> String {
    let r = diaban_domain::person::DurationRules::default();
    let mut lines = Vec::new();
    for regime in diaban_domain::person::Regime::ALL {
        let t = r.term(EpisodeKind::CompulsoryRehab, regime, false);
        if let Some(t) = t {
            lines.push(format!(
                "{} {}: {}–{} {}",
                tr.t("records.law"),
                regime.citation(),
                t.min,
                t.max,
                tr.t("records.months")
            ));
        }
    }
    format!("{} ({})", tr.t("records.terms_help"), lines.join("; "))
}

#[allow(clippy::too_many_arguments)]
async fn episode_page(
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    action: String,
    v: input::EpisodeInput,
    fixed_kind: bool,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let mut p = ctx.page(Some(who), "records.add_episode", "persons").await;
    p.breadcrumbs = crumbs(tr, id, tr.t("records.add_episode"));
    let failed = !errors.is_empty();
    let page = EpisodeFormPage {
        p,
        id,
        action,
        v,
        kinds: EpisodeKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str(),
                label: label(tr, *k, EpisodeKind::label_vi, EpisodeKind::label_en),
            })
            .collect(),
        fixed_kind,
        end_reasons: EndReason::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str(),
                label: label(tr, *r, EndReason::label_vi, EndReason::label_en),
            })
            .collect(),
        errors,
        terms_help: terms_help(tr),
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize, Default)]
struct EpisodeFormQuery {
    event: Option<i64>,
}

async fn episode_form(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<EpisodeFormQuery>,
) -> Result<Response, AppError> {
    ops::require_in_scope(&state, &who, id, "person.episode.form").await?;
    let today = ops::today().to_string();
    match q.event {
        // Accepting a proposal: the proposed measure, decided from today.
        Some(ev) => {
            let v = input::EpisodeInput {
                kind: EpisodeKind::CompulsoryRehab.as_str().into(),
                decision_date: today.clone(),
                start_on: today,
                ..Default::default()
            };
            episode_page(&who, &ctx, id, format!("/persons/{id}/events/{ev}/decision"), v, true, vec![]).await
        }
        None => {
            let v =
                input::EpisodeInput { decision_date: today.clone(), start_on: today, ..Default::default() };
            episode_page(&who, &ctx, id, format!("/persons/{id}/episodes"), v, false, vec![]).await
        }
    }
}

async fn episode_create(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<input::EpisodeInput>,
) -> Result<Response, AppError> {
    ops::require_in_scope(&state, &who, id, "person.episode.create").await?;
    let tr = ctx.tr(Some(&who));
    let action = format!("/persons/{id}/episodes");
    let n = match input::episode(&v, tr, ops::today()) {
        Ok(n) => n,
        Err(errors) => return episode_page(&who, &ctx, id, action, v, false, errors).await,
    };
    match records::add_episode(
        &state.db,
        id,
        &n,
        Some(who.user.id),
        who.audit("person.episode.create", "person", id),
    )
    .await?
    {
        Ok(_) => Ok(redirect_with_flash(&format!("/persons/{id}"), "records.episode_added")),
        Err(e) => {
            let errors = vec![(episode_error_field(&e), episode_message(&e, tr))];
            episode_page(&who, &ctx, id, action, v, false, errors).await
        }
    }
}

#[derive(Deserialize, Default)]
struct EndForm {
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
}

async fn episode_end(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
    Path((id, episode_id)): Path<(i64, i64)>,
    Form(f): Form<EndForm>,
) -> Result<Response, AppError> {
    ops::require_in_scope(&state, &who, id, "person.episode.end").await?;
    let tr = ctx.tr(Some(&who));
    Ok(match ops::end_episode(&state, &who, id, episode_id, &f.on, &f.reason, tr).await? {
        Ok(()) => redirect_with_flash(&format!("/persons/{id}"), "records.episode_ended"),
        Err(_) => redirect_with_flash(&format!("/persons/{id}"), "error.records_end_invalid"),
    })
}

// --- services --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "person_service_form.html")]
struct ServiceFormPage {
    p: super::Page,
    id: i64,
    v: input::ServiceInput,
    kinds: Vec<Choice>,
    errors: FieldErrors,
    today: String,
}

impl ServiceFormPage {
    fn error(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

async fn service_page(
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    v: input::ServiceInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let mut p = ctx.page(Some(who), "records.add_service", "persons").await;
    p.breadcrumbs = crumbs(tr, id, tr.t("records.add_service"));
    let failed = !errors.is_empty();
    let page = ServiceFormPage {
        p,
        id,
        v,
        kinds: ServiceKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str(),
                label: label(tr, *k, ServiceKind::label_vi, ServiceKind::label_en),
            })
            .collect(),
        errors,
        today: ops::today().to_string(),
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn service_form(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    ops::require_in_scope(&state, &who, id, "person.service.form").await?;
    let v = input::ServiceInput { provided_on: ops::today().to_string(), ..Default::default() };
    service_page(&who, &ctx, id, v, vec![]).await
}

async fn service_create(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<input::ServiceInput>,
) -> Result<Response, AppError> {
    ops::require_in_scope(&state, &who, id, "person.service.create").await?;
    let tr = ctx.tr(Some(&who));
    match input::service(&v, tr, ops::today()) {
        Err(errors) => service_page(&who, &ctx, id, v, errors).await,
        Ok((kind, on, provider)) => {
            records::add_service(
                &state.db,
                id,
                kind,
                on,
                &provider,
                Some(who.user.id),
                who.audit("person.service.create", "person", id),
            )
            .await?;
            Ok(redirect_with_flash(&format!("/persons/{id}"), "records.service_added"))
        }
    }
}

// --- events and proposals --------------------------------------------------------------

async fn event_create(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<input::EventInput>,
) -> Result<Response, AppError> {
    ops::require_in_scope(&state, &who, id, "person.event.create").await?;
    let tr = ctx.tr(Some(&who));
    match input::event(&v, tr, ops::today()) {
        Err(_) => Ok(redirect_with_flash(&format!("/persons/{id}"), "error.records_event_invalid")),
        Ok((kind, on)) => {
            let (_, status) = records::add_event(
                &state.db,
                id,
                kind,
                on,
                Some(who.user.id),
                who.audit("person.event.create", "person", id),
            )
            .await?;
            let key = if status == records::ProposalStatus::Pending {
                "records.event_added_proposal"
            } else {
                "records.event_added"
            };
            Ok(redirect_with_flash(&format!("/persons/{id}"), key))
        }
    }
}

#[derive(Deserialize, Default)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
    #[serde(flatten)]
    episode: input::EpisodeInput,
}

async fn decision(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
    Path((id, event_id)): Path<(i64, i64)>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, AppError> {
    ops::require_in_scope(&state, &who, id, "person.proposal.decide").await?;
    let tr = ctx.tr(Some(&who));
    let accept = f.decision != "reject";
    let episode = accept.then(|| f.episode.clone());
    match ops::decide(&state, &who, id, event_id, episode, &f.note, tr).await? {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/persons/{id}"),
            if accept { "records.proposal_accepted_flash" } else { "records.proposal_rejected_flash" },
        )),
        Err(errors) if accept => {
            episode_page(
                &who,
                &ctx,
                id,
                format!("/persons/{id}/events/{event_id}/decision"),
                f.episode,
                true,
                errors,
            )
            .await
        }
        Err(_) => Ok(redirect_with_flash(&format!("/persons/{id}"), "error.records_not_pending")),
    }
}

// --- moves -----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "person_transfer_form.html")]
struct TransferFormPage {
    p: super::Page,
    id: i64,
    v: input::TransferInput,
    errors: FieldErrors,
}

impl TransferFormPage {
    fn error(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

async fn transfer_page(
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    v: input::TransferInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let mut p = ctx.page(Some(who), "records.add_transfer", "persons").await;
    p.breadcrumbs = crumbs(tr, id, tr.t("records.add_transfer"));
    let failed = !errors.is_empty();
    let mut r = render(ctx.flash_key.is_some(), &TransferFormPage { p, id, v, errors })?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn transfer_form(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    ops::require_in_scope(&state, &who, id, "person.transfer.form").await?;
    transfer_page(&who, &ctx, id, input::TransferInput::default(), vec![]).await
}

async fn transfer_create(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<input::TransferInput>,
) -> Result<Response, AppError> {
    ops::require_in_scope(&state, &who, id, "person.transfer.create").await?;
    let tr = ctx.tr(Some(&who));
    match ops::transfer(&state, &who, id, &v, tr).await? {
        Err(errors) => transfer_page(&who, &ctx, id, v, errors).await,
        // The record now belongs to the receiving commune; a commune officer of the old
        // one can no longer open it.
        Ok(_) => Ok(redirect_with_flash("/persons", "records.transfer_added")),
    }
}

#[derive(Template)]
#[template(path = "persons_incoming.html")]
struct IncomingPage {
    p: super::Page,
    rows: Vec<IncomingRow>,
    can_write: bool,
}

struct IncomingRow {
    id: i64,
    person_id: i64,
    from: String,
    to: String,
    moved_at: String,
    report_deadline: String,
    notification_overdue: bool,
    report_overdue: bool,
}

async fn incoming(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let now = chrono::Utc::now();
    let rows = transfers::incoming(&state.db, who.scope(), false, 500)
        .await?
        .into_iter()
        .map(|t| IncomingRow {
            id: t.id,
            person_id: t.person_id,
            from: t.from_unit_name.clone(),
            to: t.to_unit_name.clone(),
            moved_at: tr.datetime(&t.moved_at),
            report_deadline: t.report_deadline.map(|d| tr.datetime(&d)).unwrap_or_else(|| "—".into()),
            notification_overdue: t.notification_overdue(),
            report_overdue: t.report_overdue(now),
        })
        .collect();
    let mut p = ctx.page(Some(&who), "records.incoming", "persons_incoming").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("records.incoming").into(), href: None },
    ];
    let can_write = who.may(diaban_domain::access::Action::WritePersons);
    render(ctx.flash_key.is_some(), &IncomingPage { p, rows, can_write })
}

async fn reported(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
    Path(transfer_id): Path<i64>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    ops::mark_reported(&state, &who, transfer_id, "", tr)
        .await?
        .map_err(|_| AppError::not_found("no such move"))?;
    Ok(redirect_with_flash("/persons/incoming", "records.reported_flash"))
}

// --- work lists ------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "persons_work.html")]
struct WorkPage {
    p: super::Page,
    days: u64,
    until: String,
    checks_since: String,
    year: i32,
    managements: Vec<WorkRow>,
    rehab: Vec<WorkRow>,
    checks: Vec<WorkRow>,
    unreached: Vec<WorkRow>,
}

struct WorkRow {
    person_id: i64,
    name: String,
    what: String,
    date: String,
    unit: String,
    overdue: bool,
}

#[derive(Deserialize, Default)]
struct WorkQuery {
    days: Option<u64>,
}

async fn work(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    ctx: Ctx,
    Query(q): Query<WorkQuery>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let days = q.days.unwrap_or(30).min(366);
    let today = ops::today();
    let year = ops::this_statistical_year(&state).await?;
    let w = ops::worklists(&state, &who, days, 30, year).await?;
    // The names shown are a read of those records: one audited list.
    let keys = super::persons::keys(&state)?;
    let mut ids: Vec<i64> = w
        .managements_ending
        .iter()
        .chain(&w.rehab_ending)
        .chain(&w.post_rehab_checks_due)
        .map(|d| d.person_id)
        .chain(w.without_service.iter().map(|u| u.person_id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names = std::collections::HashMap::new();
    for id in &ids {
        if let Some(p) = diaban_store::persons::get(&state.db, &keys, *id, who.scope()).await? {
            names.insert(*id, p.full_name);
        }
    }
    let mut e =
        who.audit("person.list", "person", ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(","));
    e.reason = "worklist".into();
    diaban_store::audit::append(&state.db, &e).await?;
    let name = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
    let due = |v: &[diaban_store::person_work::DueEpisode], date_of_start: bool| -> Vec<WorkRow> {
        v.iter()
            .map(|d| WorkRow {
                person_id: d.person_id,
                name: name(d.person_id),
                what: d
                    .kind
                    .parse::<EpisodeKind>()
                    .map(|k| label(tr, k, EpisodeKind::label_vi, EpisodeKind::label_en).to_owned())
                    .unwrap_or_default(),
                date: if date_of_start {
                    tr.date(&d.start_on)
                } else {
                    d.planned_end.map(|p| tr.date(&p)).unwrap_or_default()
                },
                unit: d.unit_name.clone(),
                overdue: !date_of_start && d.planned_end.is_some_and(|p| p <= today),
            })
            .collect()
    };
    let managements = due(&w.managements_ending, false);
    let rehab = due(&w.rehab_ending, false);
    let checks = due(&w.post_rehab_checks_due, true);
    let unreached = w
        .without_service
        .iter()
        .map(|u| WorkRow {
            person_id: u.person_id,
            name: name(u.person_id),
            what: String::new(),
            date: String::new(),
            unit: u.unit_name.clone(),
            overdue: false,
        })
        .collect();
    let mut p = ctx.page(Some(&who), "records.work", "persons_work").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("records.work").into(), href: None },
    ];
    let page = WorkPage {
        p,
        days,
        until: tr.date(&w.until),
        checks_since: tr.date(&w.checks_since),
        year: w.year,
        managements,
        rehab,
        checks,
        unreached,
    };
    render(ctx.flash_key.is_some(), &page)
}

// --- statistics ------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "persons_stats.html")]
struct StatsPage {
    p: super::Page,
    year: i32,
    period: String,
    total: i64,
    previous: i64,
    growth: String,
    addicts: i64,
    addicts_previous: i64,
    addicts_growth: String,
    t5: String,
    /// The plan's T5 and T6 as the dashboard judges them: (label, value, CSS suffix,
    /// status, where and when).
    verdicts: Vec<(&'static str, String, &'static str, &'static str, String)>,
    /// (heading, [(label, count)]).
    sections: Vec<(String, Vec<(String, i64)>)>,
    /// (unit, with records, reached, T5, previous, growth).
    units: Vec<(String, i64, i64, String, i64, String)>,
}

#[derive(Deserialize, Default)]
struct StatsQuery {
    year: Option<i32>,
}

fn pct(tr: Tr, x: Option<f64>) -> String {
    x.map(|x| format!("{}%", tr.dec(x * 100.0, 1))).unwrap_or_else(|| "—".into())
}

async fn statistics(
    State(state): State<AppState>,
    who: Authorized<ViewAggregates>,
    ctx: Ctx,
    Query(q): Query<StatsQuery>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let year = match q.year.filter(|y| (2000..=2100).contains(y)) {
        Some(y) => y,
        None => ops::this_statistical_year(&state).await?,
    };
    let (cur, prev) = diaban_store::person_stats::year_with_previous(&state.db, who.scope(), year).await?;
    let g = diaban_domain::person::stats::growth(cur.total.with_records, prev.total.with_records);
    let ag = diaban_domain::person::stats::growth(cur.total.addicts, prev.total.addicts);
    // T5 and T6 are judged once, by the plan in force on its territory (the dashboard's
    // verdict); this page shows that verdict rather than a rule of its own.
    let verdicts = {
        use crate::indicators_ops as ind;
        use diaban_domain::indicator::IndicatorId as I;
        use diaban_domain::period::StatPeriod;
        let cutoff = ind::reporting(&state).await?.cutoff_day;
        let place = ind::place(&state, &who, None).await?;
        let period = StatPeriod::year(year);
        let judged = match ind::plan_for(&state, &place, ind::PlanPick::Default, period, cutoff).await? {
            Some(c) => Some(ind::judge(&state, c, period, None).await?),
            None => None,
        };
        let mut v = Vec::new();
        if let Some(j) = &judged {
            for id in [I::T5PersonsReached, I::T6AddictsGrowth] {
                if let Some(jt) = j.on(id) {
                    v.push((
                        id.label_vi(),
                        crate::pages::dashboard::shown(tr, id, jt.verdict.value),
                        ind::status_class(jt.verdict.status),
                        jt.verdict.status.label_vi(),
                        format!(
                            "{} · {} · {}",
                            j.plan.number,
                            jt.verdict.judged_on.label_vi(),
                            j.territory_vi()
                        ),
                    ));
                }
            }
        }
        v
    };
    let mut units = Vec::new();
    for (unit_id, b) in &cur.by_unit {
        let name = diaban_store::units::get(&state.db, *unit_id).await.map(|u| u.name).unwrap_or_default();
        let previous = prev.by_unit.get(unit_id).map(|p| p.with_records).unwrap_or(0);
        units.push((
            name,
            b.with_records,
            b.reached_by_services,
            pct(tr, b.t5_rate()),
            previous,
            pct(tr, diaban_domain::person::stats::growth(b.with_records, previous)),
        ));
    }
    let mut p = ctx.page(Some(&who), "records.statistics", "persons_stats").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("records.statistics").into(), href: None },
    ];
    let page = StatsPage {
        p,
        year,
        period: format!("{} – {}", tr.date(&cur.period.from), tr.date(&cur.period.to)),
        total: cur.total.with_records,
        previous: prev.total.with_records,
        growth: pct(tr, g),
        addicts: cur.total.addicts,
        addicts_previous: prev.total.addicts,
        addicts_growth: pct(tr, ag),
        verdicts,
        t5: pct(tr, cur.total.t5_rate()),
        sections: crate::person_stats_export::sections(tr, &cur.total)
            .into_iter()
            .map(|(h, cells)| (h, cells.into_iter().map(|(_, l, n)| (l, n)).collect()))
            .collect(),
        units,
    };
    render(ctx.flash_key.is_some(), &page)
}
