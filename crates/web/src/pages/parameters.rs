//! Quản trị › Tham số: the province's parameters (for now the site group: monitoring
//! window, check interval, re-formation radius, cluster size, distance warning), each
//! change effective from a date and audited. Past decisions keep the value in force when
//! they were made.

use super::{Crumb, Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::auth::actions::ManageParameters;
use crate::auth::{Authorized, Identity};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::site_input::{PARAMS, parse_date};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use diaban_domain::site::SiteParams;
use diaban_store::parameters;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    // Access: ManageParameters (admin); every change audited.
    Router::new().route("/admin/parameters", get(show).post(save))
}

#[derive(Template)]
#[template(path = "parameters.html")]
struct Page {
    p: super::Page,
    v: SiteParams,
    valid_from: String,
    note: String,
    history: Vec<(String, String, String, String)>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    v: Option<SiteParams>,
    valid_from: String,
    note: String,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let today = diaban_domain::time::today_in_vietnam();
    let v = match v {
        Some(v) => v,
        None => parameters::in_force(&state.db, PARAMS, today).await?,
    };
    let history = parameters::history(&state.db, PARAMS)
        .await?
        .into_iter()
        .map(|h| (tr.date(&h.valid_from), h.value, h.note, h.set_at.format("%Y-%m-%d %H:%M UTC").to_string()))
        .collect();
    let mut p = ctx.page(Some(who), "params.title", "parameters").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("params.title").into(), href: None },
    ];
    let failed = error.is_some();
    let valid_from = if valid_from.is_empty() { today.to_string() } else { valid_from };
    let mut r = render(ctx.flash_key.is_some(), &Page { p, v, valid_from, note, history, error })?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn show(
    State(state): State<AppState>,
    who: Authorized<ManageParameters>,
    ctx: Ctx,
) -> Result<Response, AppError> {
    page(&state, &who, &ctx, None, String::new(), String::new(), None).await
}

/// The form as typed (every field text: `serde(flatten)` cannot read numbers from a
/// urlencoded body).
#[derive(Deserialize)]
struct ParamsForm {
    #[serde(default)]
    monitoring_months: String,
    #[serde(default)]
    check_interval_months: String,
    #[serde(default)]
    reformation_radius_m: String,
    #[serde(default)]
    cluster_min_subjects: String,
    #[serde(default)]
    far_from_unit_centre_km: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    note: String,
}

impl ParamsForm {
    fn values(&self) -> Option<SiteParams> {
        let num = |s: &str| s.trim().replace(',', ".").parse::<f64>().ok().filter(|v| v.is_finite());
        let whole = |s: &str| s.trim().parse::<u32>().ok();
        Some(SiteParams {
            monitoring_months: whole(&self.monitoring_months)?,
            check_interval_months: whole(&self.check_interval_months)?,
            reformation_radius_m: num(&self.reformation_radius_m)?,
            cluster_min_subjects: whole(&self.cluster_min_subjects)?,
            far_from_unit_centre_km: num(&self.far_from_unit_centre_km)?,
        })
    }
}

async fn save(
    State(state): State<AppState>,
    who: Authorized<ManageParameters>,
    ctx: Ctx,
    Form(f): Form<ParamsForm>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let Some(v) = f.values() else {
        return page(&state, &who, &ctx, None, f.valid_from, f.note, Some(tr.t("params.bad_number").into()))
            .await;
    };
    let Some(from) = parse_date(&f.valid_from) else {
        return page(&state, &who, &ctx, Some(v), f.valid_from, f.note, Some(tr.t("validation.date").into()))
            .await;
    };
    if let Err(e) = v.validate() {
        let msg = if tr.0 == Lang::Vi { e.message_vi() } else { e.to_string() };
        return page(&state, &who, &ctx, Some(v), f.valid_from, f.note, Some(msg)).await;
    }
    let note: String = f.note.trim().chars().take(500).collect();
    parameters::set(
        &state.db,
        PARAMS,
        &v,
        from,
        Some(who.user.id),
        &note,
        Some(who.audit("parameters.set", "parameters", PARAMS)),
    )
    .await?;
    Ok(redirect_with_flash("/admin/parameters", "params.saved"))
}
