//! Quản trị › Tham số: the province's parameters (for now the site group: monitoring
//! window, check interval, re-formation radius, cluster size, distance warning), each
//! change effective from a date and audited. Past decisions keep the value in force when
//! they were made.

use super::{Crumb, Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::auth::actions::ManageParameters;
use crate::auth::{Authorized, Identity};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::site_input::{PARAMS, parse_date};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::classification::{CriteriaVersion, Thresholds};
use diaban_domain::site::SiteParams;
use diaban_store::classification as cls;
use diaban_store::parameters;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    // Access: ManageParameters (admin); every change audited.
    Router::new()
        .route("/admin/parameters", get(show).post(save))
        // Access: ManageParameters (admin); audited; stored results keep the thresholds
        // they were computed with.
        .route("/admin/parameters/classification", post(save_thresholds))
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
    t: ThresholdsSection,
}

/// The classification thresholds section.
#[derive(Default)]
struct ThresholdsSection {
    json: String,
    valid_from: String,
    note: String,
    /// (version, band, criterion, threshold, confirmed, description).
    criteria: Vec<(&'static str, &'static str, &'static str, String, bool, String)>,
    history: Vec<(String, String, String)>,
    error: Option<String>,
}

async fn thresholds_section(
    state: &AppState,
    tr: Tr,
    mut t: ThresholdsSection,
) -> Result<ThresholdsSection, AppError> {
    let today = diaban_domain::time::today_in_vietnam();
    let current: Thresholds = parameters::in_force(&state.db, cls::PARAMS, today).await?;
    if t.json.is_empty() {
        t.json = serde_json::to_string_pretty(&current).map_err(AppError::internal)?;
    }
    if t.valid_from.is_empty() {
        t.valid_from = today.to_string();
    }
    let vi = tr.0 == Lang::Vi;
    for v in CriteriaVersion::ALL {
        for c in current.criteria(v) {
            t.criteria.push((
                if vi { v.label_vi() } else { v.label_en() },
                if vi { c.band.label_vi() } else { c.band.label_en() },
                c.id,
                c.threshold,
                c.confirmed,
                if vi { c.description_vi } else { c.description_en },
            ));
        }
    }
    t.history = parameters::history(&state.db, cls::PARAMS)
        .await?
        .into_iter()
        .map(|h| (tr.date(&h.valid_from), h.note, h.set_at.format("%Y-%m-%d %H:%M UTC").to_string()))
        .collect();
    Ok(t)
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    v: Option<SiteParams>,
    valid_from: String,
    note: String,
    error: Option<String>,
    t: ThresholdsSection,
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
    let failed = error.is_some() || t.error.is_some();
    let valid_from = if valid_from.is_empty() { today.to_string() } else { valid_from };
    let t = thresholds_section(state, tr, t).await?;
    let mut r = render(ctx.flash_key.is_some(), &Page { p, v, valid_from, note, history, error, t })?;
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
    page(&state, &who, &ctx, None, String::new(), String::new(), None, ThresholdsSection::default()).await
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
        return page(
            &state,
            &who,
            &ctx,
            None,
            f.valid_from,
            f.note,
            Some(tr.t("params.bad_number").into()),
            ThresholdsSection::default(),
        )
        .await;
    };
    let Some(from) = parse_date(&f.valid_from) else {
        return page(
            &state,
            &who,
            &ctx,
            Some(v),
            f.valid_from,
            f.note,
            Some(tr.t("validation.date").into()),
            ThresholdsSection::default(),
        )
        .await;
    };
    if let Err(e) = v.validate() {
        let msg = if tr.0 == Lang::Vi { e.message_vi() } else { e.to_string() };
        return page(
            &state,
            &who,
            &ctx,
            Some(v),
            f.valid_from,
            f.note,
            Some(msg),
            ThresholdsSection::default(),
        )
        .await;
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

#[derive(Deserialize)]
struct ThresholdsForm {
    #[serde(default)]
    thresholds: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    note: String,
}

async fn save_thresholds(
    State(state): State<AppState>,
    who: Authorized<ManageParameters>,
    ctx: Ctx,
    Form(f): Form<ThresholdsForm>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let again = |error: String| ThresholdsSection {
        json: f.thresholds.clone(),
        valid_from: f.valid_from.clone(),
        note: f.note.clone(),
        error: Some(error),
        ..Default::default()
    };
    let value: Thresholds = match serde_json::from_str(&f.thresholds) {
        Ok(v) => v,
        Err(e) => {
            let t = again(format!("{}: {e}", tr.t("params.bad_json")));
            return page(&state, &who, &ctx, None, String::new(), String::new(), None, t).await;
        }
    };
    let Some(from) = parse_date(&f.valid_from) else {
        let t = again(tr.t("validation.date").into());
        return page(&state, &who, &ctx, None, String::new(), String::new(), None, t).await;
    };
    if let Err(m) = crate::api::parameters::check_thresholds(&value, tr.0) {
        return page(&state, &who, &ctx, None, String::new(), String::new(), None, again(m)).await;
    }
    let note: String = f.note.trim().chars().take(500).collect();
    parameters::set(
        &state.db,
        cls::PARAMS,
        &value,
        from,
        Some(who.user.id),
        &note,
        Some(who.audit("parameters.set", "parameters", cls::PARAMS)),
    )
    .await?;
    Ok(redirect_with_flash("/admin/parameters", "params.saved"))
}
