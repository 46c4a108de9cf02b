//! The site page's forms beyond the lifecycle: correcting a site, linking persons to it,
//! and deciding the re-formation alerts raised on it. The rules live in
//! `crate::site_ops`, shared with the API; a refused change re-renders the page with the
//! reason.

use super::sites::{FormPage, crumbs, detail_page, form_page, officers};
use super::{Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Authorized;
use crate::auth::actions::WriteSites;
use crate::error::{AppError, ErrorKind};
use crate::site_input::{Loose, SiteInput};
use crate::site_ops;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::access::Action;
use diaban_store::sites;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: WriteSites, scoped (the site and the unit chosen); audited.
        .route("/sites/{id}/edit", get(edit_form).post(edit))
        // Access: WriteSites and ReadPersons; the person must be in the caller's scope.
        .route("/sites/{id}/persons", post(link))
        // Access: WriteSites, scoped.
        .route("/sites/{id}/persons/{person_id}/unlink", post(unlink))
        // Access: WriteSites; the alert's site must be in scope.
        .route("/sites/{id}/alerts/{alert_id}", post(decide))
}

async fn edit_form(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let s =
        sites::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such site"))?;
    let first_on =
        sites::transitions(&state.db, id).await?.first().map(|t| t.on_date).unwrap_or(s.state_since);
    let v = SiteInput {
        kind: s.kind.as_str().into(),
        hot_spot: s.hot_spot.then(|| Loose::Text("on".into())),
        name: s.name.clone(),
        description: s.description.clone(),
        address: s.address.clone(),
        unit: s.unit_code.clone(),
        lat: Some(Loose::Text(format!("{:.6}", s.lat))),
        lon: Some(Loose::Text(format!("{:.6}", s.lon))),
        business_ref: s.business_ref.clone().unwrap_or_default(),
        found_how: s.found_how.clone(),
        responsible: s.responsible_user_id.map(|r| Loose::Text(r.to_string())),
        state: String::new(),
        on: first_on.to_string(),
        note: String::new(),
    };
    let mut p = ctx.page(Some(&who), "sites.edit", "sites").await;
    p.breadcrumbs = crumbs(tr, &s.name);
    let officers = officers(&state, &who, s.responsible_user_id).await?;
    let page = form_page(p, v, vec![], officers, tr).for_edit(id, s.updated_at.to_rfc3339());
    render(ctx.flash_key.is_some(), &page)
}

#[derive(Deserialize)]
struct EditForm {
    #[serde(flatten)]
    input: SiteInput,
    #[serde(default)]
    updated_at: String,
}

async fn edit(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<EditForm>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let seen = site_ops::parse_seen(&f.updated_at)?;
    let again = |errors, message: Option<String>| async {
        let mut p = ctx.page(Some(&who), "sites.edit", "sites").await;
        p.breadcrumbs = crumbs(tr, &f.input.name);
        if let Some(m) = message {
            p.flash = Some(super::Flash { kind: "error", text: m });
        }
        let chosen = f.input.responsible.as_ref().and_then(Loose::number).map(|n| n as i64);
        let officers = officers(&state, &who, chosen).await?;
        let page: FormPage =
            form_page(p, f.input.clone(), errors, officers, tr).for_edit(id, f.updated_at.clone());
        let mut r = render(false, &page)?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok::<Response, AppError>(r)
    };
    match site_ops::edit(&state, &who, id, &f.input, seen, tr).await {
        Ok(Ok(())) => Ok(redirect_with_flash(&format!("/sites/{id}"), "sites.updated")),
        Ok(Err(errors)) => again(errors, None).await,
        Err(e) if e.kind == ErrorKind::Conflict || e.kind == ErrorKind::Unprocessable => {
            again(vec![], Some(e.message)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct LinkForm {
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    role: String,
}

async fn link(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<LinkForm>,
) -> Result<Response, AppError> {
    if !who.may(Action::ReadPersons) {
        return Err(AppError::new(ErrorKind::Forbidden, "linking a person needs access to persons' records"));
    }
    let tr = ctx.tr(Some(&who));
    match site_ops::link_person(&state, &who, id, &f.id_number, &f.role, tr).await {
        Ok(_) => Ok(redirect_with_flash(&format!("/sites/{id}"), "sites.person_linked")),
        Err(e) if e.kind == ErrorKind::Unprocessable => {
            detail_page(&state, &who, &ctx, id, Some(e.message)).await
        }
        Err(e) => Err(e),
    }
}

async fn unlink(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    Path((id, person_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    site_ops::unlink_person(&state, &who, id, person_id).await?;
    Ok(redirect_with_flash(&format!("/sites/{id}"), "sites.person_unlinked"))
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

async fn decide(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    ctx: Ctx,
    Path((id, alert_id)): Path<(i64, i64)>,
    Form(f): Form<DecideForm>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let accept = match f.decision.as_str() {
        "accept" => true,
        "dismiss" => false,
        _ => return detail_page(&state, &who, &ctx, id, Some(tr.t("sites.alert_choose").into())).await,
    };
    match site_ops::decide_alert(&state, &who, alert_id, accept, &f.note, tr).await {
        Ok(a) if a.site_id == id => Ok(redirect_with_flash(&format!("/sites/{id}"), "sites.alert_decided")),
        Ok(a) => Ok(redirect_with_flash(&format!("/sites/{}", a.site_id), "sites.alert_decided")),
        Err(e) if matches!(e.kind, ErrorKind::Unprocessable | ErrorKind::Conflict) => {
            detail_page(&state, &who, &ctx, id, Some(e.message)).await
        }
        Err(e) => Err(e),
    }
}
