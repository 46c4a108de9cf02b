//! Quản trị › Chuyển hóa địa bàn: the programme's parameters (monitoring window, review
//! interval, programme period; effective-dated like the other parameters) and the
//! province's evaluation checklist (each save is a new version; past evaluations keep
//! the version they answered). Administrators only; every change audited.

use super::{Crumb, Ctx, Flash, redirect_with_flash, render};
use crate::AppState;
use crate::area_input::change_error;
use crate::auth::actions::ManageParameters;
use crate::auth::{Authorized, Identity};
use crate::error::{AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use crate::site_input::parse_date;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::area::{AreaParams, ChecklistItem};
use diaban_store::{areas, parameters};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    // Access: ManageParameters (admin); every change audited.
    Router::new()
        .route("/admin/areas", get(show).post(save_params))
        .route("/admin/areas/checklist", post(save_checklist))
}

pub struct VersionRow {
    pub version: u32,
    pub items: usize,
    pub note: String,
    pub by: String,
    pub at: String,
}

#[derive(Default, Deserialize, Clone)]
struct ParamsForm {
    #[serde(default)]
    monitoring_months: String,
    #[serde(default)]
    review_interval_months: String,
    #[serde(default)]
    programme_from: String,
    #[serde(default)]
    programme_to: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "area_admin.html")]
struct Page {
    p: super::Page,
    v: ParamsForm,
    history: Vec<(String, String, String, String)>,
    items: Vec<ChecklistItem>,
    blank_rows: usize,
    version: u32,
    versions: Vec<VersionRow>,
}

async fn page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    v: Option<ParamsForm>,
    items: Option<Vec<ChecklistItem>>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let today = diaban_domain::time::today_in_vietnam();
    let current: AreaParams = parameters::in_force(&state.db, areas::PARAMS, today).await?;
    let v = v.unwrap_or_else(|| ParamsForm {
        monitoring_months: current.monitoring_months.to_string(),
        review_interval_months: current.review_interval_months.to_string(),
        programme_from: current.programme_from.to_string(),
        programme_to: current.programme_to.to_string(),
        valid_from: today.to_string(),
        note: String::new(),
    });
    let history = parameters::history(&state.db, areas::PARAMS)
        .await?
        .into_iter()
        .map(|h| (h.valid_from.to_string(), h.value.clone(), h.note.clone(), tr.datetime(&h.set_at)))
        .collect();
    let versions = areas::checklist_versions(&state.db).await?;
    let current_list = versions.first().map(|v| v.checklist.clone());
    let version = current_list.as_ref().map(|c| c.version).unwrap_or(1);
    let items = items.unwrap_or_else(|| current_list.map(|c| c.items).unwrap_or_default());
    let versions = versions
        .iter()
        .map(|x| VersionRow {
            version: x.checklist.version,
            items: x.checklist.items.len(),
            note: x.note.clone(),
            by: x.by_name.clone().unwrap_or_else(|| tr.t("areas.shipped_example").into()),
            at: tr.datetime(&x.created_at),
        })
        .collect();
    let mut p = ctx.page(Some(who), "areas.admin_title", "area_admin").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("areas.admin_title").into(), href: None },
    ];
    let failed = error.is_some();
    if let Some(m) = error {
        p.flash = Some(Flash { kind: "error", text: m });
    }
    let mut r = render(
        ctx.flash_key.is_some() && !failed,
        &Page { p, v, history, items, blank_rows: 3, version, versions },
    )?;
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
    page(&state, &who, &ctx, None, None, None).await
}

fn months(s: &str) -> Option<u32> {
    s.trim().parse::<u32>().ok()
}

fn parse_params(f: &ParamsForm, tr: Tr) -> Result<(AreaParams, chrono::NaiveDate), String> {
    let bad = |k: &str| tr.t(k).to_owned();
    let monitoring_months = months(&f.monitoring_months).ok_or_else(|| bad("areas.bad_months"))?;
    let review_interval_months = months(&f.review_interval_months).ok_or_else(|| bad("areas.bad_months"))?;
    let programme_from = parse_date(&f.programme_from).ok_or_else(|| bad("validation.date"))?;
    let programme_to = parse_date(&f.programme_to).ok_or_else(|| bad("validation.date"))?;
    let valid_from = parse_date(&f.valid_from).ok_or_else(|| bad("validation.date"))?;
    let p = AreaParams { monitoring_months, review_interval_months, programme_from, programme_to };
    p.validate().map_err(|e| if tr.0 == Lang::Vi { e.message_vi() } else { e.to_string() })?;
    Ok((p, valid_from))
}

async fn save_params(
    State(state): State<AppState>,
    who: Authorized<ManageParameters>,
    ctx: Ctx,
    Form(f): Form<ParamsForm>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let (p, valid_from) = match parse_params(&f, tr) {
        Ok(x) => x,
        Err(m) => return page(&state, &who, &ctx, Some(f), None, Some(m)).await,
    };
    parameters::set(
        &state.db,
        areas::PARAMS,
        &p,
        valid_from,
        Some(who.user.id),
        f.note.trim(),
        Some(who.audit("parameters.set", "parameter", areas::PARAMS)),
    )
    .await?;
    Ok(redirect_with_flash("/admin/areas", "areas.params_saved"))
}

/// The checklist rows as typed: `code`, `text`, `required` repeat per row (a checkbox
/// sends `required` only when ticked, so each row carries its index in the value).
fn items_of(pairs: &[(String, String)]) -> (Vec<ChecklistItem>, String) {
    let (mut codes, mut texts, mut required, mut note) = (Vec::new(), Vec::new(), Vec::new(), String::new());
    for (k, v) in pairs {
        match k.as_str() {
            "code" => codes.push(v.trim().to_owned()),
            "text" => texts.push(v.trim().to_owned()),
            "required" => required.push(v.trim().to_owned()),
            "note" => note = v.clone(),
            _ => {}
        }
    }
    let items = codes
        .into_iter()
        .zip(texts)
        .enumerate()
        .filter(|(_, (c, t))| !(c.is_empty() && t.is_empty()))
        .map(|(k, (code, text_vi))| ChecklistItem {
            code,
            text_vi,
            required: required.contains(&k.to_string()),
        })
        .collect();
    (items, note)
}

async fn save_checklist(
    State(state): State<AppState>,
    who: Authorized<ManageParameters>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let (items, note) = items_of(&pairs);
    let audit = who.audit("area.checklist", "area_checklist", "");
    match areas::set_checklist(&state.db, items.clone(), &note, Some(who.user.id), Some(audit)).await {
        Ok(_) => Ok(redirect_with_flash("/admin/areas", "areas.checklist_saved")),
        Err(e) => {
            let e = change_error(e, tr);
            if e.kind == ErrorKind::Unprocessable {
                page(&state, &who, &ctx, None, Some(items), Some(e.message)).await
            } else {
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checklist_rows_keep_their_required_flag_by_index() {
        let pairs: Vec<(String, String)> = [
            ("code", "a"),
            ("text", "A"),
            ("required", "0"),
            ("code", ""),
            ("text", ""),
            ("code", "c"),
            ("text", "C"),
            ("note", "v2"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (items, note) = items_of(&pairs);
        assert_eq!(note, "v2");
        assert_eq!(items.len(), 2);
        assert!(items[0].required);
        assert!(!items[1].required);
        assert_eq!(items[1].code, "c");
    }
}
