//! Đối tượng: records of drug users and addicts. Identifying fields are opened only for
//! roles that may read them, within their scope; every list and every view is written to
//! the audit log (a view may carry a reason). A record outside the scope answers 404,
//! like one that does not exist, and the attempt is audited.

use super::{Crumb, Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::auth::actions::{ReadPersons, WritePersons};
use crate::auth::{Authorized, Identity};
use crate::error::{AppError, ErrorKind};
use crate::i18n::Tr;
use crate::person_input::{self, FieldErrors, PersonInput};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_store::person_duplicates::{self, Holder, Outcome};
use diaban_store::persons::{self, Person, PersonFilter};
use diaban_store::{audit, units};
use diaban_vault::KeyRing;
use serde::Deserialize;
use std::sync::Arc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: ReadPersons (province and commune officers; leaders when granted), scoped.
        .route("/persons", get(list).post(create))
        // Access: WritePersons (province and commune officers), scoped.
        .route("/persons/new", get(new_form))
        // Access: ReadPersons, scoped. A POST so identity numbers and names never appear
        // in URLs, logs of proxies or browser history.
        .route("/persons/search", post(search))
        // Access: ReadPersons, scoped; audited with an optional reason.
        .route("/persons/{id}", get(detail))
        .route("/persons/{id}/view", post(detail_with_reason))
}

pub(crate) fn keys(state: &AppState) -> Result<Arc<KeyRing>, AppError> {
    state
        .keys
        .clone()
        .ok_or_else(|| AppError::new(ErrorKind::Unavailable, "no data key").with_key("persons.no_key"))
}

/// A person row for templates.
pub struct PersonView {
    pub id: i64,
    pub full_name: String,
    pub id_number: String,
    pub sex: &'static str,
    pub birth: String,
    pub ethnicity: String,
    pub residence: String,
    pub address: String,
    pub phone: String,
    pub notes: String,
}

async fn view(state: &AppState, p: &Person, tr: Tr) -> Result<PersonView, AppError> {
    let unit = units::get(&state.db, p.residence_unit_id).await?;
    Ok(PersonView {
        id: p.id,
        full_name: p.full_name.clone(),
        id_number: p.id_number.clone().unwrap_or_default(),
        sex: if p.sex == "male" { tr.t("persons.male") } else { tr.t("persons.female") },
        birth: p.birth_date.map(|d| tr.date(&d)).unwrap_or_else(|| p.birth_year.to_string()),
        ethnicity: p.ethnicity.clone(),
        residence: unit.name,
        address: p.address.clone().unwrap_or_default(),
        phone: p.phone.clone().unwrap_or_default(),
        notes: p.notes.clone().unwrap_or_default(),
    })
}

#[derive(Template)]
#[template(path = "persons_list.html")]
struct ListPage {
    p: super::Page,
    rows: Vec<PersonView>,
    total: i64,
    page: u64,
    pages: u64,
    id_number: String,
    name: String,
    year: String,
    can_write: bool,
    searching: bool,
}

#[derive(Deserialize, Default)]
struct ListParams {
    page: Option<u64>,
}

#[derive(Deserialize, Default)]
struct SearchForm {
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    year: String,
}

const PAGE_SIZE: u64 = 25;

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    ctx: Ctx,
    Query(q): Query<ListParams>,
) -> Result<Response, AppError> {
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    list_page(state, who, ctx, page, SearchForm::default()).await
}

async fn search(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    ctx: Ctx,
    Form(f): Form<SearchForm>,
) -> Result<Response, AppError> {
    list_page(state, who, ctx, 1, f).await
}

async fn list_page(
    state: AppState,
    who: Authorized<ReadPersons>,
    ctx: Ctx,
    page: u64,
    f: SearchForm,
) -> Result<Response, AppError> {
    let keys = keys(&state)?;
    let tr = ctx.tr(Some(&who));
    let id_number = f.id_number.trim().to_owned();
    let name = f.name.trim().to_owned();
    let year = f.year.trim().to_owned();
    let mut filter = PersonFilter { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, ..Default::default() };
    if !id_number.is_empty() {
        filter.id_number = Some(id_number.clone());
    }
    if !name.is_empty() {
        let y = year.parse::<u16>().unwrap_or(0);
        filter.name_and_birth_year = Some((name.clone(), y));
    }
    let (found, total) = persons::list(&state.db, &keys, who.scope(), &filter).await?;
    let mut e = who.audit(
        "person.list",
        "person",
        found.iter().map(|p| p.id.to_string()).collect::<Vec<_>>().join(","),
    );
    e.reason = if filter.id_number.is_some() || filter.name_and_birth_year.is_some() {
        "search".into()
    } else {
        String::new()
    };
    audit::append(&state.db, &e).await?;
    let mut rows = Vec::with_capacity(found.len());
    for p in &found {
        rows.push(view(&state, p, tr).await?);
    }
    let mut p = ctx.page(Some(&who), "persons.title", "persons").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("persons.title").into(), href: None },
    ];
    let pages = (total as u64).div_ceil(PAGE_SIZE).max(1);
    let searching = !id_number.is_empty() || !name.is_empty();
    let page = ListPage {
        p,
        rows,
        total,
        page,
        pages,
        id_number,
        name,
        year,
        can_write: who.may(diaban_domain::access::Action::WritePersons),
        searching,
    };
    render(ctx.flash_key.is_some(), &page)
}

#[derive(Template)]
#[template(path = "person_form.html")]
struct FormPage {
    p: super::Page,
    v: PersonInput,
    errors: FieldErrors,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

async fn new_form(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
) -> Result<Response, AppError> {
    keys(&state)?;
    let tr = ctx.tr(Some(&who));
    let mut p = ctx.page(Some(&who), "persons.new", "persons").await;
    p.breadcrumbs = crumbs(tr, tr.t("persons.new"));
    let v = PersonInput {
        residence_unit: if who.unit.level == "commune" { who.unit.code.clone() } else { String::new() },
        ..Default::default()
    };
    render(ctx.flash_key.is_some(), &FormPage { p, v, errors: vec![] })
}

fn crumbs(tr: Tr, last: &str) -> Vec<Crumb> {
    vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("persons.title").into(), href: Some("/persons".into()) },
        Crumb { label: last.into(), href: None },
    ]
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
    Form(input): Form<PersonInput>,
) -> Result<Response, AppError> {
    let keys = keys(&state)?;
    let tr = ctx.tr(Some(&who));
    match person_input::validate(&state, &who, &input, tr).await? {
        Err(errors) => {
            let mut p = ctx.page(Some(&who), "persons.new", "persons").await;
            p.breadcrumbs = crumbs(tr, tr.t("persons.new"));
            let mut r = render(false, &FormPage { p, v: input, errors })?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Ok(new) => {
            match person_duplicates::create_in_scope(&state.db, &keys, &new, Some(who.user.id), who.scope())
                .await?
            {
                Outcome::New(id) => {
                    audit::append(&state.db, &who.audit("person.create", "person", id)).await?;
                    Ok(redirect_with_flash(&format!("/persons/{id}"), "persons.created"))
                }
                Outcome::Existing(id) => {
                    audit::append(&state.db, &who.audit("person.create_duplicate", "person", id)).await?;
                    Ok(redirect_with_flash(&format!("/persons/{id}"), "persons.existing"))
                }
                // The form comes back with the refusal on the number, as for any other field
                // the caller cannot record.
                Outcome::Elsewhere(holder) => {
                    let error = refuse_elsewhere(&state, &who, holder, tr).await?;
                    let mut p = ctx.page(Some(&who), "persons.new", "persons").await;
                    p.breadcrumbs = crumbs(tr, tr.t("persons.new"));
                    let mut r = render(false, &FormPage { p, v: input, errors: vec![(error.0, error.1)] })?;
                    *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
                    Ok(r)
                }
            }
        }
    }
}

#[derive(Template)]
#[template(path = "person_detail.html")]
struct DetailPage {
    p: super::Page,
    person: PersonView,
    /// The sites the person is linked to that the reader may open: (id, name).
    sites: Vec<(i64, String)>,
    /// Measures, services, events, profile and moves.
    rec: Option<super::person_records::RecordView>,
    can_write: bool,
}

/// Opens a record in scope and audits the read (or the refused attempt).
pub(crate) async fn read_audited(
    state: &AppState,
    who: &Identity,
    id: i64,
    reason: &str,
) -> Result<Person, AppError> {
    let keys = keys(state)?;
    let found = persons::get(&state.db, &keys, id, who.scope()).await?;
    let mut e = who.audit("person.read", "person", id);
    e.reason = reason.chars().take(500).collect();
    if found.is_none() {
        e.outcome = "denied".into();
    }
    audit::append(&state.db, &e).await?;
    found.ok_or_else(|| AppError::not_found("no such record in your scope"))
}

async fn show(
    state: AppState,
    who: Authorized<ReadPersons>,
    ctx: Ctx,
    id: i64,
    reason: &str,
) -> Result<Response, AppError> {
    let person = read_audited(&state, &who, id, reason).await?;
    let tr = ctx.tr(Some(&who));
    let person = view(&state, &person, tr).await?;
    let mut p = ctx.page(Some(&who), "persons.title", "persons").await;
    p.title = person.full_name.clone();
    p.breadcrumbs = crumbs(tr, &person.full_name);
    let mut sites = Vec::new();
    if who.may(diaban_domain::access::Action::ReadSites) {
        for site_id in diaban_store::site_links::sites_of(&state.db, id).await? {
            if let Some(s) = diaban_store::sites::get(&state.db, site_id, who.scope()).await? {
                sites.push((s.id, s.name));
            }
        }
    }
    let rec = Some(super::person_records::record_view(&state, id, tr).await?);
    let can_write = who.may(diaban_domain::access::Action::WritePersons);
    render(ctx.flash_key.is_some(), &DetailPage { p, person, sites, rec, can_write })
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    show(state, who, ctx, id, "").await
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn detail_with_reason(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, AppError> {
    if f.reason.trim().is_empty() {
        return Ok(Redirect::to(&format!("/persons/{id}")).into_response());
    }
    show(state, who, ctx, id, f.reason.trim()).await
}

/// A creation refused because the identity number is on record outside the caller's
/// scope: PC04 hears of it as a possible transfer, the attempt is audited as a refused
/// look-up (the record's id as target, never the number), and the caller gets a field
/// error that names neither the record nor where it lies.
pub(crate) async fn refuse_elsewhere(
    state: &AppState,
    who: &Identity,
    holder: Holder,
    tr: Tr,
) -> Result<(&'static str, String), AppError> {
    let mut e = who.audit("person.create", "person", holder.person_id);
    e.outcome = "denied".into();
    e.reason = "identity number on record outside the caller's scope: referred to PC04".into();
    let caller_province = who.unit.scope_province_id.unwrap_or(who.unit.id);
    person_duplicates::refer_possible_transfer(&state.db, holder, who.user.id, caller_province, &e).await?;
    Ok(("id_number", tr.t("persons.elsewhere").to_owned()))
}
