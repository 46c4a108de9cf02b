//! Lịch kiểm tra: the pending checks of monitored sites in scope, due within a chosen
//! number of days (overdue ones flagged), per commune and per officer; "mine" narrows to
//! the sites the signed-in officer is responsible for.

use super::{Crumb, Ctx, render};
use crate::AppState;
use crate::auth::Authorized;
use crate::auth::actions::ReadSites;
use crate::error::AppError;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use chrono::Days;
use diaban_store::sites;
use serde::Deserialize;
use std::collections::BTreeMap;

pub(crate) fn routes() -> Router<AppState> {
    // Access: ReadSites, scoped.
    Router::new().route("/sites/checks", get(show))
}

/// A pending check for templates.
pub struct Row {
    due: String,
    overdue: bool,
    site_id: i64,
    site: String,
    unit: String,
    officer: String,
}

#[derive(Template)]
#[template(path = "site_checks.html")]
struct Page {
    p: super::Page,
    rows: Vec<Row>,
    /// (commune, overdue, due within the window but not overdue).
    by_commune: Vec<(String, usize, usize)>,
    days: u64,
    mine: bool,
}

#[derive(Deserialize, Default)]
struct Params {
    days: Option<String>,
    mine: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ctx: Ctx,
    Query(q): Query<Params>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let days = match q.days.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 30,
        Some(s) => s
            .parse::<u64>()
            .ok()
            .filter(|d| *d <= 366)
            .ok_or_else(|| AppError::bad_param("days", "a number of days from 0 to 366"))?,
    };
    let mine = q.mine.as_deref() == Some("true");
    let today = diaban_domain::time::today_in_vietnam();
    let by = today.checked_add_days(Days::new(days)).unwrap_or(today);
    let due = sites::due_checks(&state.db, who.scope(), by, mine.then_some(who.user.id)).await?;
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let rows = due
        .into_iter()
        .map(|c| {
            let overdue = diaban_domain::site::is_overdue(c.due_on, today, 0);
            let e = counts.entry(c.unit_name.clone()).or_default();
            if overdue {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
            Row {
                due: tr.date(&c.due_on),
                overdue,
                site_id: c.site_id,
                site: c.site_name,
                unit: c.unit_name,
                officer: c.responsible_name.unwrap_or_default(),
            }
        })
        .collect();
    let mut by_commune: Vec<(String, usize, usize)> =
        counts.into_iter().map(|(u, (o, d))| (u, o, d)).collect();
    by_commune.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut p = ctx.page(Some(&who), "checks.title", "site_checks").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("sites.title").into(), href: Some("/sites".into()) },
        Crumb { label: tr.t("checks.title").into(), href: None },
    ];
    render(ctx.flash_key.is_some(), &Page { p, rows, by_commune, days, mine })
}
