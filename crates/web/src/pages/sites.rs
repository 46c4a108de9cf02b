//! Điểm, tụ điểm: the registry of drug sites as pages — a filtered list with a map of
//! points coloured by state, the form to record a site, and the detail page with the
//! timeline (each step with its attachments), the checks, and forms for the next
//! lifecycle step (with documents or photos) and for a check. The rules are the API's
//! (`crate::api::sites`, `crate::site_input`, `crate::attachments`); a refused step
//! re-renders the detail page with the reason, and nothing of it is saved.

use super::{Crumb, Ctx, json_block, redirect_with_flash, render};
use crate::AppState;
use crate::api::sites::{ListQuery, change_error, filter_of};
use crate::attachments::{self, StepSubmission};
use crate::auth::actions::{ReadSites, WriteSites};
use crate::auth::{Authorized, Identity};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::site_input::{self, FieldErrors, Loose, SiteInput, Warning};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::access::Action;
use diaban_domain::attachment::{FileKind, check_files};
use diaban_domain::site::{SiteKind, SiteState};
use diaban_store::site_attachments;
use diaban_store::sites::{self, CheckOutcome, CheckReport, Site, TransitionRequest};
use serde::Deserialize;
use serde_json::json;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadSites (officers, leaders), POST = WriteSites (officers); scoped.
        .route("/sites", get(list).post(create))
        // Access: WriteSites, scoped.
        .route("/sites/new", get(new_form))
        // Access: ReadSites, scoped.
        .route("/sites/{id}", get(detail))
        // Access: ReadSites, scoped; every download audited (site.attachment.read).
        .route("/sites/{id}/attachments/{aid}", get(download))
        // Access: WriteSites, scoped.
        .route("/sites/{id}/checks", post(record_check))
}

/// The routes that take files; `crate::router` gives them the larger body limit.
pub(crate) fn upload_routes() -> Router<AppState> {
    // Access: WriteSites, scoped; multipart with files `attachment`, CSRF field first.
    Router::new().route("/sites/{id}/transitions", post(change_state))
}

pub(super) fn state_label(s: SiteState, tr: Tr) -> &'static str {
    if tr.0 == Lang::Vi { s.label_vi() } else { s.label_en() }
}

pub(super) fn kind_label(k: SiteKind, tr: Tr) -> &'static str {
    if tr.0 == Lang::Vi { k.label_vi() } else { k.label_en() }
}

/// The map colour of a state (the text always says the state too).
fn state_color(s: SiteState) -> &'static str {
    match s {
        SiteState::Reported => "#7f8c8d",
        SiteState::Listed => "#c0392b",
        SiteState::UnderAction => "#e67e22",
        SiteState::Eliminated => "#27ae60",
        SiteState::Monitoring => "#2980b9",
        SiteState::Closed => "#2c3e50",
        SiteState::Reformed => "#8e44ad",
        SiteState::Dismissed => "#95a5a6",
    }
}

/// A site row for templates.
pub struct SiteRow {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub hot_spot: bool,
    pub unit: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub since: String,
}

fn row(s: &Site, tr: Tr) -> SiteRow {
    SiteRow {
        id: s.id,
        name: s.name.clone(),
        kind: kind_label(s.kind, tr),
        hot_spot: s.hot_spot,
        unit: s.unit_name.clone(),
        state: s.state.as_str(),
        state_label: state_label(s.state, tr),
        since: tr.date(&s.state_since),
    }
}

/// A choice in a select: value, label, selected.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "sites_list.html")]
struct ListPage {
    p: super::Page,
    rows: Vec<SiteRow>,
    total: i64,
    page: u64,
    pages: u64,
    kinds: Vec<Choice>,
    states: Vec<Choice>,
    unit: String,
    hot_spot: bool,
    overdue: bool,
    query: String,
    map_json: String,
    map_note: Option<String>,
    can_write: bool,
}

const PAGE_SIZE: u64 = 50;
/// The most points drawn on the list's map (the newest); the page says when more match,
/// and `GET /api/v1/sites/map` gives them all.
const MAP_LIMIT: usize = 5000;

#[derive(Deserialize, Default)]
struct ListParams {
    unit: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    hot_spot: Option<String>,
    overdue: Option<String>,
    page: Option<u64>,
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ctx: Ctx,
    Query(q): Query<ListParams>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let lq = ListQuery {
        unit: q.unit.clone(),
        kind: q.kind.clone(),
        state: q.state.clone(),
        hot_spot: q.hot_spot.clone(),
        overdue: q.overdue.clone(),
        limit: None,
        offset: None,
    };
    let mut f = filter_of(&state, &lq, PAGE_SIZE).await?;
    f.limit = PAGE_SIZE;
    f.offset = (page - 1) * PAGE_SIZE;
    let (found, total) = sites::list(&state.db, who.scope(), &f).await?;
    let points = sites::map_points(&state.db, who.scope(), &f).await?;
    let map_shown = points.len().min(MAP_LIMIT);
    let items: Vec<_> = points
        .iter()
        .rev()
        .take(MAP_LIMIT)
        .map(|s| {
            let st: SiteState = s.state.parse().unwrap_or(SiteState::Reported);
            json!({"lat": s.lat, "lon": s.lon, "href": format!("/sites/{}", s.id),
                   "label": format!("{} — {}", s.name, state_label(st, tr)),
                   "color": state_color(st)})
        })
        .collect();
    let legend: Vec<_> = SiteState::ALL
        .iter()
        .map(|s| json!({"color": state_color(*s), "label": state_label(*s, tr)}))
        .collect();
    let map =
        json!({"layers": [{"type": "points", "name": tr.t("nav.sites"), "legend": legend, "items": items}]});
    let rows = found.iter().map(|s| row(s, tr)).collect();
    let pages = (total.max(0) as u64).div_ceil(PAGE_SIZE).max(1);
    let map_note = (points.len() > MAP_LIMIT)
        .then(|| format!("{} {} / {}", tr.t("sites.map_truncated"), tr.num(map_shown as i64), tr.num(total)));
    let sel = |v: &Option<String>, x: &str| v.as_deref() == Some(x);
    let kinds = SiteKind::ALL
        .iter()
        .map(|k| Choice { value: k.as_str(), label: kind_label(*k, tr), selected: sel(&q.kind, k.as_str()) })
        .collect();
    let states = SiteState::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str(),
            label: state_label(*s, tr),
            selected: sel(&q.state, s.as_str()),
        })
        .collect();
    let query = query_string(&[
        ("unit", q.unit.as_deref()),
        ("kind", q.kind.as_deref()),
        ("state", q.state.as_deref()),
        ("hot_spot", q.hot_spot.as_deref()),
        ("overdue", q.overdue.as_deref()),
    ]);
    let mut p = ctx.page(Some(&who), "sites.title", "sites").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("sites.title").into(), href: None },
    ];
    let page = ListPage {
        p,
        rows,
        total,
        page,
        pages,
        kinds,
        states,
        unit: q.unit.clone().unwrap_or_default(),
        hot_spot: q.hot_spot.is_some_and(|h| h == "true"),
        overdue: q.overdue.is_some_and(|h| h == "true"),
        query,
        map_json: json_block(&map),
        map_note,
        can_write: who.may(Action::WriteSites),
    };
    render(ctx.flash_key.is_some(), &page)
}

/// `a=1&b=2` from the non-empty pairs, percent-encoded.
fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter_map(|(k, v)| v.map(str::trim).filter(|v| !v.is_empty()).map(|v| (*k, v)))
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "site_form.html")]
pub(super) struct FormPage {
    p: super::Page,
    /// Where the form posts: `/sites`, or `/sites/{id}/edit` when correcting a site.
    action: String,
    /// Correcting a recorded site: the first-state fields are not shown.
    editing: bool,
    /// The site's `updated_at` the form was built from (editing only).
    pub(super) updated_at: String,
    v: SiteInput,
    lat: String,
    lon: String,
    hot_spot: bool,
    kinds: Vec<Choice>,
    /// The officers who can be put in charge: (id, name, selected).
    officers: Vec<(i64, String, bool)>,
    /// None of them is selected (the officer in charge is outside the caller's scope):
    /// the form offers "unchanged" first, so saving does not reassign the site.
    keep_responsible: bool,
    errors: FieldErrors,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

/// The officers the caller may put in charge of a site, `selected` marked.
pub(super) async fn officers(
    state: &AppState,
    who: &Identity,
    selected: Option<i64>,
) -> Result<Vec<(i64, String, bool)>, AppError> {
    Ok(diaban_store::users::officers_in(&state.db, who.scope())
        .await?
        .into_iter()
        .map(|o| (o.id, o.display_name, Some(o.id) == selected))
        .collect())
}

pub(super) fn form_page(
    p: super::Page,
    v: SiteInput,
    errors: FieldErrors,
    officers: Vec<(i64, String, bool)>,
    tr: Tr,
) -> FormPage {
    let text = |l: &Option<site_input::Loose>| match l {
        Some(site_input::Loose::Text(s)) => s.clone(),
        Some(site_input::Loose::Num(n)) => n.to_string(),
        _ => String::new(),
    };
    let kinds = SiteKind::ALL
        .iter()
        .map(|k| Choice { value: k.as_str(), label: kind_label(*k, tr), selected: v.kind == k.as_str() })
        .collect();
    FormPage {
        p,
        action: "/sites".into(),
        editing: false,
        updated_at: String::new(),
        lat: text(&v.lat),
        lon: text(&v.lon),
        hot_spot: matches!(&v.hot_spot, Some(site_input::Loose::Text(s)) if s == "on"),
        kinds,
        keep_responsible: !officers.iter().any(|o| o.2),
        officers,
        v,
        errors,
    }
}

impl FormPage {
    /// The same form, correcting site `id`.
    pub(super) fn for_edit(mut self, id: i64, updated_at: String) -> Self {
        self.action = format!("/sites/{id}/edit");
        self.editing = true;
        self.updated_at = updated_at;
        self
    }
}

pub(super) fn crumbs(tr: Tr, last: &str) -> Vec<Crumb> {
    vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("sites.title").into(), href: Some("/sites".into()) },
        Crumb { label: last.into(), href: None },
    ]
}

/// Values a link may prefill on the new-site form: the centre of a hot cell an officer
/// accepted as a suggestion on the Analytics page (`?lat=…&lon=…&signal=ID`).
#[derive(Debug, Default, Deserialize)]
struct NewSiteQuery {
    lat: Option<String>,
    lon: Option<String>,
    signal: Option<String>,
}

async fn new_form(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    ctx: Ctx,
    Query(q): Query<NewSiteQuery>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let mut p = ctx.page(Some(&who), "sites.new", "sites").await;
    p.breadcrumbs = crumbs(tr, tr.t("sites.new"));
    // Only plain coordinates are carried over; the form validates them like typed ones.
    let coord = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| s.parse::<f64>().is_ok_and(f64::is_finite))
            .map(|s| Loose::Text(s.to_owned()))
    };
    let from_signal = q.signal.as_deref().and_then(|s| s.trim().parse::<i64>().ok());
    let v = SiteInput {
        unit: if who.unit.level == "commune" { who.unit.code.clone() } else { String::new() },
        kind: "point".into(),
        lat: coord(&q.lat),
        lon: coord(&q.lon),
        found_how: from_signal.map(|id| format!("{} #{id}", tr.t("sites.from_signal"))).unwrap_or_default(),
        ..Default::default()
    };
    let officers = officers(&state, &who, Some(who.user.id)).await?;
    render(ctx.flash_key.is_some(), &form_page(p, v, vec![], officers, tr))
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    ctx: Ctx,
    Form(input): Form<SiteInput>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    match site_input::validate(&state, &who, &input, tr).await? {
        Err(errors) => {
            let mut p = ctx.page(Some(&who), "sites.new", "sites").await;
            p.breadcrumbs = crumbs(tr, tr.t("sites.new"));
            let chosen = input.responsible.as_ref().and_then(site_input::Loose::number).map(|n| n as i64);
            let officers = officers(&state, &who, chosen).await?;
            let mut r = render(false, &form_page(p, input, errors, officers, tr))?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Ok(new) => {
            let id =
                sites::create(&state.db, &new, Some(who.user.id), Some(who.audit("site.create", "site", "")))
                    .await?;
            Ok(redirect_with_flash(&format!("/sites/{id}"), "sites.created"))
        }
    }
}

/// A timeline entry for templates.
pub struct Step {
    pub on: String,
    pub state: &'static str,
    pub label: &'static str,
    pub by: String,
    pub note: String,
    pub attachments: Vec<AttachmentRow>,
}

/// An attachment in the timeline: name, kind and size, and its download address.
pub struct AttachmentRow {
    pub href: String,
    pub name: String,
    pub kind: &'static str,
    pub size: String,
}

/// A check for templates.
pub struct CheckRow {
    pub due: String,
    pub done: String,
    pub outcome: &'static str,
    pub overdue: bool,
    pub note: String,
}

#[derive(Template)]
#[template(path = "site_detail.html")]
struct DetailPage {
    p: super::Page,
    site: Site,
    kind: &'static str,
    state_label: &'static str,
    unit_legacy: bool,
    timeline: Vec<Step>,
    checks: Vec<CheckRow>,
    next: Vec<Choice>,
    warnings: Vec<Warning>,
    error: Option<String>,
    can_write: bool,
    monitoring: bool,
    today: String,
    map_json: String,
    alerts: Vec<AlertRow>,
    linked: Vec<LinkedRow>,
    can_link: bool,
    roles: Vec<Choice>,
    accept: String,
    attach_hint: String,
    responsible: Option<String>,
}

/// A re-formation alert for templates.
pub struct AlertRow {
    pub id: i64,
    pub incident: &'static str,
    pub on: String,
    pub distance_m: i64,
    pub status: &'static str,
    pub status_key: &'static str,
    pub open: bool,
    pub note: String,
}

/// A linked person for templates: the record's id and role; the link to the record is
/// shown only to readers whose scope and role reach it.
pub struct LinkedRow {
    pub person_id: i64,
    pub role: &'static str,
    pub readable: bool,
}

pub(super) async fn detail_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let site =
        sites::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such site"))?;
    let today = diaban_domain::time::today_in_vietnam();
    let files = site_attachments::list_for_site(&state.db, id, who.scope()).await?;
    let timeline = sites::transitions(&state.db, id)
        .await?
        .into_iter()
        .map(|t| {
            let st: SiteState = t.to_state.parse().unwrap_or(SiteState::Reported);
            let attachments = files
                .iter()
                .filter(|a| a.transition_id == Some(t.id))
                .map(|a| AttachmentRow {
                    href: format!("/sites/{id}/attachments/{}", a.id),
                    name: a.file_name.clone(),
                    kind: FileKind::from_mime(&a.content_type).map_or("", FileKind::label),
                    size: attachments::size_label(u64::try_from(a.size_bytes).unwrap_or(0), tr),
                })
                .collect();
            Step {
                on: tr.date(&t.on_date),
                state: st.as_str(),
                label: state_label(st, tr),
                by: t.by_name.unwrap_or_default(),
                note: t.note,
                attachments,
            }
        })
        .collect();
    let checks = sites::checks(&state.db, id)
        .await?
        .into_iter()
        .map(|c| CheckRow {
            due: tr.date(&c.due_on),
            done: c.done_on.map(|d| tr.date(&d)).unwrap_or_default(),
            outcome: match c.outcome.as_deref().and_then(CheckOutcome::parse) {
                Some(CheckOutcome::NoActivity) => tr.t("sites.no_activity"),
                Some(CheckOutcome::Activity) => tr.t("sites.activity"),
                None => "",
            },
            overdue: c.done_on.is_none() && diaban_domain::site::is_overdue(c.due_on, today, 0),
            note: c.note,
        })
        .collect();
    let next = site
        .state
        .allowed_next()
        .iter()
        .map(|s| Choice { value: s.as_str(), label: state_label(*s, tr), selected: false })
        .collect();
    let as_new = sites::NewSite {
        kind: site.kind,
        hot_spot: site.hot_spot,
        name: site.name.clone(),
        description: String::new(),
        address: String::new(),
        unit_id: site.unit_id,
        location: diaban_domain::site::LatLon::new(site.lat, site.lon).map_err(AppError::internal)?,
        business_ref: None,
        found_how: String::new(),
        responsible_user_id: None,
        state: site.state,
        on: site.state_since,
        note: String::new(),
    };
    let warnings = site_input::warnings(state, &as_new, Some(site.id), tr).await?;
    let map = json!({"layers": [{"type": "points", "name": site.name, "items": [
        {"lat": site.lat, "lon": site.lon, "label": site.name, "color": state_color(site.state)}]}],
        "bounds": [[site.lat - 0.02, site.lon - 0.02], [site.lat + 0.02, site.lon + 0.02]]});
    let alerts = diaban_store::incidents::alerts_for_site(&state.db, id)
        .await?
        .into_iter()
        .map(|a| {
            let kind = a.incident_kind.parse::<diaban_domain::incident::IncidentKind>().ok();
            AlertRow {
                id: a.id,
                incident: kind
                    .map(|k| if tr.0 == Lang::Vi { k.label_vi() } else { k.label_en() })
                    .unwrap_or(""),
                on: tr.date(&a.incident_on),
                distance_m: a.distance_m.round() as i64,
                open: a.status == "open",
                status: match a.status.as_str() {
                    "accepted" => "accepted",
                    "dismissed" => "dismissed",
                    _ => "open",
                },
                status_key: match a.status.as_str() {
                    "accepted" => "sites.alert_accepted",
                    "dismissed" => "sites.alert_dismissed",
                    _ => "sites.alert_open",
                },
                note: a.decision_note,
            }
        })
        .collect();
    let reads_persons = who.may(Action::ReadPersons);
    let linked = diaban_store::site_links::linked(&state.db, id, reads_persons.then(|| who.scope()))
        .await?
        .into_iter()
        .map(|l| LinkedRow {
            person_id: l.person_id,
            role: if tr.0 == Lang::Vi { l.role.label_vi() } else { l.role.label_en() },
            readable: l.in_scope,
        })
        .collect();
    let roles = diaban_domain::site::SubjectRole::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str(),
            label: if tr.0 == Lang::Vi { r.label_vi() } else { r.label_en() },
            selected: false,
        })
        .collect();
    let mut p = ctx.page(Some(who), "sites.title", "sites").await;
    p.title = site.name.clone();
    p.breadcrumbs = crumbs(tr, &site.name);
    let responsible = match site.responsible_user_id {
        Some(uid) => Some(diaban_store::users::get(&state.db, uid).await?.display_name),
        None => None,
    };
    let page = DetailPage {
        responsible,
        alerts,
        linked,
        can_link: who.may(Action::WriteSites) && reads_persons,
        roles,
        p,
        kind: kind_label(site.kind, tr),
        state_label: state_label(site.state, tr),
        unit_legacy: site.unit_legacy,
        timeline,
        checks,
        next,
        warnings,
        can_write: who.may(Action::WriteSites),
        monitoring: site.state == SiteState::Monitoring,
        today: today.to_string(),
        map_json: json_block(&map),
        accept: FileKind::accept_list(),
        attach_hint: attachments::limits_hint(&state.config.attachment_limits, tr),
        site,
        error: error.clone(),
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    if error.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    detail_page(&state, &who, &ctx, id, None).await
}

async fn download(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    attachments::download(&state, &who, id, aid).await
}

/// The next step, from the multipart form (or an urlencoded one, without files): the
/// files are checked first and any refusal re-renders the page with every reason, so a
/// step is saved with all its files or not at all.
async fn change_state(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    ctx: Ctx,
    Path(id): Path<i64>,
    f: StepSubmission,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let Ok(to) = f.to.trim().parse::<SiteState>() else {
        return detail_page(&state, &who, &ctx, id, Some(tr.t("sites.choose_state").into())).await;
    };
    let on = match site_input::step_date(&f.on, tr) {
        Ok(d) => d,
        Err(m) => return detail_page(&state, &who, &ctx, id, Some(m)).await,
    };
    let files = match check_files(f.files, &state.config.attachment_limits) {
        Ok(files) => files,
        Err(refused) => {
            let msg = attachments::refusals_text(&refused, tr);
            return detail_page(&state, &who, &ctx, id, Some(msg)).await;
        }
    };
    let req = TransitionRequest { to, on, note: f.note.trim().chars().take(4000).collect() };
    let params = site_input::params(&state).await?;
    let entry = Some(who.audit("site.transition", "site", id));
    let done = if files.is_empty() {
        sites::change_state(&state.db, id, who.scope(), &req, Some(who.user.id), &params, entry).await
    } else {
        let Some(keys) = state.keys.clone() else {
            return detail_page(&state, &who, &ctx, id, Some(tr.t("attachments.no_key").into())).await;
        };
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
        .map(|_| ())
    };
    match done {
        Ok(()) => Ok(redirect_with_flash(&format!("/sites/{id}"), "sites.changed")),
        Err(sites::ChangeError::NotFound) => Err(AppError::not_found("no such site")),
        Err(sites::ChangeError::Db(e)) => Err(e.into()),
        Err(e) => detail_page(&state, &who, &ctx, id, Some(change_error(e, tr).message)).await,
    }
}

#[derive(Deserialize)]
struct CheckForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    note: String,
}

async fn record_check(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CheckForm>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let Some(outcome) = CheckOutcome::parse(f.outcome.trim()) else {
        return detail_page(&state, &who, &ctx, id, Some(tr.t("sites.choose_outcome").into())).await;
    };
    let on = match site_input::step_date(&f.on, tr) {
        Ok(d) => d,
        Err(m) => return detail_page(&state, &who, &ctx, id, Some(m)).await,
    };
    let report = CheckReport { on, outcome, note: f.note.trim().chars().take(4000).collect() };
    match sites::record_check(
        &state.db,
        id,
        who.scope(),
        &report,
        Some(who.user.id),
        &site_input::params(&state).await?,
        Some(who.audit("site.check", "site", id)),
    )
    .await
    {
        Ok(_) => Ok(redirect_with_flash(&format!("/sites/{id}"), "sites.check_recorded")),
        Err(sites::ChangeError::NotFound) => Err(AppError::not_found("no such site")),
        Err(sites::ChangeError::Db(e)) => Err(e.into()),
        Err(e) => detail_page(&state, &who, &ctx, id, Some(change_error(e, tr).message)).await,
    }
}
