//! Phân tích: emerging hot spots on the incidents of the user's scope for a chosen period
//! and parameters — a hexagon map coloured by category with the density heat layer (both
//! fetched by `assets/js/analytics.js` from `/api/v1/analytics/*`), counts per category,
//! PAI per method for a test period — and the signals fed back to the registries, raised
//! with "Tạo gợi ý" and accepted or dismissed on `/analytics/signals`.

use super::{Crumb, Ctx, redirect_with_flash, redirect_with_flash_count, render};
use crate::AppState;
use crate::analytics_run::{self as run, RunParams, RunQuery};
use crate::api::analytics::{
    SignalQuery, decide_signal, next_step, pai_table, raise_signals, signal_filter, today,
};
use crate::auth::actions::{DecideSignals, RunAnalytics};
use crate::auth::{Authorized, Identity};
use crate::error::{AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_analytics::Category;
use diaban_domain::access::Action;
use diaban_domain::analytics_signal::{SignalKind, SignalStatus};
use diaban_store::analytics_signals;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: RunAnalytics; the incidents of the user's scope; bounded parameters.
        .route("/analytics", get(analytics))
        // Access: GET = RunAnalytics, POST (Tạo gợi ý) = DecideSignals; scoped; audited.
        .route("/analytics/signals", get(signals).post(raise))
        // Access: DecideSignals; scoped (404 outside); audited.
        .route("/analytics/signals/{id}/decision", post(decide))
}

fn crumbs(tr: Tr, here: &str, parent: bool) -> Vec<Crumb> {
    let mut v = vec![Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) }];
    if parent {
        v.push(Crumb { label: tr.t("analytics.title").into(), href: Some("/analytics".into()) });
    }
    v.push(Crumb { label: here.to_owned(), href: None });
    v
}

/// The form's values, as typed (or the defaults).
pub struct FormValues {
    from: String,
    to: String,
    res: String,
    k: String,
    step: String,
    alpha: String,
    fdr: bool,
    bandwidth: String,
    test_from: String,
    test_to: String,
}

impl FormValues {
    fn of(q: &RunQuery, p: Option<&RunParams>) -> Self {
        let typed = |v: &Option<String>, d: String| v.clone().filter(|s| !s.trim().is_empty()).unwrap_or(d);
        let d = p.cloned().unwrap_or_else(|| {
            RunQuery::default().parse(today()).unwrap_or(RunParams {
                from: today(),
                to: today(),
                res: 8,
                k: 1,
                step: 1,
                alpha: 0.05,
                fdr: true,
                bandwidth: 500.0,
                test: None,
            })
        });
        FormValues {
            from: typed(&q.from, d.from.to_string()),
            to: typed(&q.to, d.to.to_string()),
            res: typed(&q.res, d.res.to_string()),
            k: typed(&q.k, d.k.to_string()),
            step: typed(&q.step, d.step.to_string()),
            alpha: typed(&q.alpha, d.alpha.to_string()),
            fdr: d.fdr,
            bandwidth: typed(&q.bandwidth, d.bandwidth.to_string()),
            test_from: typed(&q.test_from, String::new()),
            test_to: typed(&q.test_to, String::new()),
        }
    }
}

/// One category line of the summary.
pub struct CategoryLine {
    code: &'static str,
    label: &'static str,
    color: &'static str,
    cells: usize,
}

/// One PAI line, formatted.
pub struct PaiRowView {
    label: &'static str,
    share: String,
    cells: usize,
    area: String,
    hits: String,
    pai: String,
}

/// What a run shows.
pub struct Results {
    incidents: usize,
    months: usize,
    first_month: String,
    cells: usize,
    significant: usize,
    categories: Vec<CategoryLine>,
    query: String,
    pai: Option<Vec<PaiRowView>>,
    pai_note: String,
}

#[derive(Template)]
#[template(path = "analytics.html")]
struct Page {
    p: super::Page,
    v: FormValues,
    resolutions: Vec<u8>,
    error: Option<String>,
    results: Option<Results>,
    can_decide: bool,
    open_signals: usize,
}

#[derive(Debug, Default, Deserialize)]
struct AnalyticsQuery {
    #[serde(flatten)]
    run: RunQuery,
    run_now: Option<String>,
}

fn pct(tr: Tr, share: f64) -> String {
    format!("{} %", tr.dec(share * 100.0, if share < 0.1 { 1 } else { 0 }))
}

async fn results(state: &AppState, who: &Identity, p: &RunParams, tr: Tr) -> Result<Results, AppError> {
    let list = run::load_incidents(state, who, p.from, p.to).await?;
    let report = run::ehsa(p, &list).await?;
    let counts = report.as_ref().map(|r| r.category_counts());
    let categories = Category::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| CategoryLine {
            code: c.as_str(),
            label: c.label_vi(),
            color: run::category_color(*c),
            cells: counts.map(|k| k[i].1).unwrap_or(0),
        })
        .collect();
    let (pai, pai_note) = match p.test {
        None => (None, tr.t("analytics.pai_choose").to_owned()),
        Some(_) => match pai_table(state, who, p, &list).await? {
            None => (None, tr.t("analytics.pai_nothing").to_owned()),
            Some(t) => {
                let rows = t
                    .lines
                    .iter()
                    .map(|l| PaiRowView {
                        label: if l.method == "registered_sites" {
                            tr.t("analytics.pai_sites")
                        } else {
                            l.label_vi
                        },
                        share: pct(tr, l.area_share),
                        cells: l.cells,
                        area: tr.dec(l.area_km2, 2),
                        hits: format!("{}/{}", tr.num(l.hits as i64), tr.num(l.total as i64)),
                        pai: l.pai.map(|x| tr.dec(x, 2)).unwrap_or_else(|| "—".into()),
                    })
                    .collect();
                let note = tr
                    .t("analytics.pai_region")
                    .replace("{cells}", &tr.num(t.study_cells as i64))
                    .replace("{area}", &tr.dec(t.study_area_km2, 1))
                    .replace("{n}", &tr.num(t.test_incidents as i64));
                (Some(rows), note)
            }
        },
    };
    Ok(Results {
        incidents: list.len(),
        months: report.as_ref().map(|r| r.cube().steps()).unwrap_or(0),
        first_month: report.as_ref().map(|r| r.cube().first_month().to_string()).unwrap_or_default(),
        cells: report.as_ref().map(|r| r.rows().len()).unwrap_or(0),
        significant: report.as_ref().map(|r| r.significant_bins()).unwrap_or(0),
        categories,
        query: p.query_string(),
        pai,
        pai_note,
    })
}

async fn analytics(
    State(state): State<AppState>,
    who: Authorized<RunAnalytics>,
    ctx: Ctx,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let mut p = ctx.page(Some(&who), "analytics.title", "analytics").await;
    p.breadcrumbs = crumbs(tr, tr.t("analytics.title"), false);
    let mut error = None;
    let mut out = None;
    let parsed = q.run.parse(today());
    if q.run_now.is_some() {
        match &parsed {
            Err(e) => error = Some(if tr.0 == Lang::Vi { e.vi.clone() } else { e.en.clone() }),
            Ok(params) => match results(&state, &who, params, tr).await {
                Ok(r) => out = Some(r),
                // A bounded-work refusal is the user's to fix: show it on the form.
                Err(e) if matches!(e.kind, ErrorKind::BadRequest | ErrorKind::Unprocessable) => {
                    error = Some(e.message.clone())
                }
                Err(e) => return Err(e),
            },
        }
    }
    let open = analytics_signals::list(
        &state.db,
        who.scope(),
        &analytics_signals::SignalFilter { status: Some(SignalStatus::Open), ..Default::default() },
    )
    .await?
    .len();
    let page = Page {
        p,
        v: FormValues::of(&q.run, parsed.as_ref().ok()),
        resolutions: run::RESOLUTIONS.collect(),
        error,
        results: out,
        can_decide: who.may(Action::DecideSignals),
        open_signals: open,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    *r.status_mut() = status;
    Ok(r)
}

async fn raise(
    State(state): State<AppState>,
    who: Authorized<DecideSignals>,
    Form(q): Form<RunQuery>,
) -> Result<Response, AppError> {
    let p = q.parse(today()).map_err(AppError::from)?;
    let r = raise_signals(&state, &who, &p).await?;
    Ok(redirect_with_flash_count("/analytics/signals", "analytics.raised", r.created.len()))
}

/// A signal for the list.
pub struct SignalView {
    id: i64,
    kind: &'static str,
    kind_code: &'static str,
    status: &'static str,
    status_code: &'static str,
    open: bool,
    cell: String,
    category: String,
    unit: String,
    target: String,
    target_href: String,
    incidents: i64,
    period: String,
    coords: String,
    decided: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "analytics_signals.html")]
struct SignalsPage {
    p: super::Page,
    items: Vec<SignalView>,
    statuses: Vec<(&'static str, &'static str, bool)>,
    can_decide: bool,
}

fn kind_label(k: SignalKind, tr: Tr) -> &'static str {
    if tr.0 == Lang::Vi { k.label_vi() } else { k.label_en() }
}

fn status_label(s: SignalStatus, tr: Tr) -> &'static str {
    if tr.0 == Lang::Vi { s.label_vi() } else { s.label_en() }
}

async fn signals(
    State(state): State<AppState>,
    who: Authorized<RunAnalytics>,
    ctx: Ctx,
    Query(q): Query<SignalQuery>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let f = signal_filter(&q)?;
    let list = analytics_signals::list(&state.db, who.scope(), &f).await?;
    let items = list
        .iter()
        .map(|s| SignalView {
            id: s.id,
            kind: kind_label(s.kind, tr),
            kind_code: s.kind.as_str(),
            status: status_label(s.status, tr),
            status_code: s.status.as_str(),
            open: s.status == SignalStatus::Open,
            cell: s.cell.clone(),
            category: s.category.parse::<Category>().map(|c| c.label_vi().to_owned()).unwrap_or_default(),
            unit: s.unit_name.clone(),
            target: s.site_name.clone().or_else(|| s.area_name.clone()).unwrap_or_default(),
            target_href: match s.kind {
                SignalKind::SuggestSite => String::new(),
                _ => next_step(s),
            },
            incidents: s.incidents,
            period: format!("{} – {}", tr.date(&s.period_from), tr.date(&s.period_to)),
            coords: format!("{:.5}, {:.5}", s.lat, s.lon),
            decided: match (&s.decided_by_name, &s.decided_at) {
                (Some(n), Some(t)) => format!("{n}, {}", tr.datetime(t)),
                (None, Some(t)) => tr.datetime(t),
                _ => String::new(),
            },
            reason: s.reason.clone(),
        })
        .collect();
    let chosen = f.status.map(|s| s.as_str()).unwrap_or("");
    let statuses =
        SignalStatus::ALL.iter().map(|s| (s.as_str(), status_label(*s, tr), s.as_str() == chosen)).collect();
    let mut p = ctx.page(Some(&who), "analytics.signals", "analytics_signals").await;
    p.breadcrumbs = crumbs(tr, tr.t("analytics.signals"), true);
    let page = SignalsPage { p, items, statuses, can_decide: who.may(Action::DecideSignals) };
    render(ctx.flash_key.is_some(), &page)
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    who: Authorized<DecideSignals>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let accept = match f.decision.as_str() {
        "accept" => true,
        "dismiss" => false,
        _ => return Ok(redirect_with_flash("/analytics/signals", "error.analytics_choose")),
    };
    if f.reason.trim().is_empty() {
        return Ok(redirect_with_flash("/analytics/signals", "error.analytics_reason"));
    }
    let s = decide_signal(&state, &who, id, accept, &f.reason, tr).await?;
    if accept {
        Ok(redirect_with_flash(&next_step(&s), "analytics.accepted"))
    } else {
        Ok(redirect_with_flash("/analytics/signals", "analytics.dismissed"))
    }
}
