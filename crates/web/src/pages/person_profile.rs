//! The statistical profile of a record (substances, year use began, occupation,
//! education, where held) as a form: the page twin of `PUT /api/v1/persons/{id}/profile`,
//! with the same checks (`person_record_input::profile`). Opening the form shows sealed
//! health data, so it is an audited read; saving is audited as a change.

use super::person_records::{crumbs, error_of};
use super::{Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::auth::actions::WritePersons;
use crate::auth::{Authorized, Identity};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::person_input::FieldErrors;
use crate::person_record_input::{self as input, ProfileInput};
use crate::person_records_ops as ops;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use diaban_domain::person::{HeldIn, Substance};
use diaban_store::person_records as records;

pub(crate) fn routes() -> Router<AppState> {
    // Access: WritePersons, scoped; GET is an audited read, POST an audited change.
    Router::new().route("/persons/{id}/profile", get(form).post(save))
}

/// A checkbox or option: value, label, checked.
pub struct Tick {
    value: &'static str,
    label: &'static str,
    on: bool,
}

#[derive(Template)]
#[template(path = "person_profile_form.html")]
struct ProfilePage {
    p: super::Page,
    id: i64,
    v: ProfileInput,
    substances: Vec<Tick>,
    held: Vec<Tick>,
    errors: FieldErrors,
    this_year: i32,
}

impl ProfilePage {
    fn error(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

fn pick(tr: Tr, vi: &'static str, en: &'static str) -> &'static str {
    if tr.0 == Lang::Vi { vi } else { en }
}

async fn page(
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    v: ProfileInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    use chrono::Datelike;
    let tr = ctx.tr(Some(who));
    let mut p = ctx.page(Some(who), "records.edit_profile", "persons").await;
    p.breadcrumbs = crumbs(tr, id, tr.t("records.edit_profile"));
    let failed = !errors.is_empty();
    let substances = Substance::ALL
        .iter()
        .map(|s| Tick {
            value: s.as_str(),
            label: pick(tr, s.label_vi(), s.label_en()),
            on: v.substances.iter().any(|x| x == s.as_str()),
        })
        .collect();
    let held = HeldIn::ALL
        .iter()
        .map(|h| Tick {
            value: h.as_str(),
            label: pick(tr, h.label_vi(), h.label_en()),
            on: v.held_in == h.as_str(),
        })
        .collect();
    let page = ProfilePage { p, id, v, substances, held, errors, this_year: ops::today().year() };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn form(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    ops::audited_read(&state, &who, id).await?;
    let f = records::profile(&state.db, id).await?;
    let v = ProfileInput {
        substances: f.substances.iter().map(|s| s.as_str().to_owned()).collect(),
        use_since_year: f.use_since_year.map(|y| y.to_string()).unwrap_or_default(),
        occupation: f.occupation,
        education: f.education,
        held_in: f.held_in.as_str().to_owned(),
    };
    page(&who, &ctx, id, v, vec![]).await
}

/// The form's fields: the substances come as repeated `substances` checkboxes, which a
/// struct cannot take from a urlencoded body, so the pairs are read as they come.
fn from_pairs(pairs: Vec<(String, String)>) -> ProfileInput {
    let mut v = ProfileInput::default();
    for (k, val) in pairs {
        match k.as_str() {
            "substances" => v.substances.push(val),
            "use_since_year" => v.use_since_year = val,
            "occupation" => v.occupation = val,
            "education" => v.education = val,
            "held_in" => v.held_in = val,
            _ => {}
        }
    }
    v
}

async fn save(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ops::require_in_scope(&state, &who, id, "person.profile.update").await?;
    let v = from_pairs(pairs);
    let tr = ctx.tr(Some(&who));
    match input::profile(&v, tr, ops::today()) {
        Err(errors) => page(&who, &ctx, id, v, errors).await,
        Ok(p) => {
            records::set_profile(
                &state.db,
                id,
                &p,
                Some(who.user.id),
                who.audit("person.profile.update", "person", id),
            )
            .await?;
            Ok(redirect_with_flash(&format!("/persons/{id}"), "records.profile_saved"))
        }
    }
}
