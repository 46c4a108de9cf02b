//! Vụ việc: the incidents in scope as a list and a map, a form to record one, a CSV
//! import (all or nothing, every bad row named), and the open re-formation alerts they
//! raised. The rules are the API's (`crate::incident_input`, `crate::api::incidents`).

use super::sites::Choice;
use super::{Crumb, Ctx, json_block, redirect_with_flash, render};
use crate::AppState;
use crate::api::incidents::{ListQuery, filter_of, record};
use crate::auth::actions::{ReadSites, WriteSites};
use crate::auth::{Authorized, Identity};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::incident_input::{self, IncidentInput};
use crate::site_input::Loose;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::access::Action;
use diaban_domain::incident::IncidentKind;
use diaban_store::incidents;
use serde::Deserialize;
use serde_json::json;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadSites, POST = WriteSites; scoped; audited.
        .route("/incidents", get(list).post(create))
        // Access: WriteSites; every row in scope; all or nothing; audited.
        .route("/incidents/import", post(import))
}

fn kind_label(k: IncidentKind, tr: Tr) -> &'static str {
    if tr.0 == Lang::Vi { k.label_vi() } else { k.label_en() }
}

/// An incident row for templates.
pub struct Row {
    on: String,
    kind: &'static str,
    unit: String,
    coords: String,
    source: String,
    note: String,
}

/// An open alert for templates.
pub struct AlertItem {
    site_id: i64,
    site_name: String,
    kind: &'static str,
    on: String,
    distance_m: i64,
}

#[derive(Template)]
#[template(path = "incidents.html")]
struct Page {
    p: super::Page,
    rows: Vec<Row>,
    total: i64,
    kinds: Vec<Choice>,
    from: String,
    to: String,
    map_json: String,
    alerts: Vec<AlertItem>,
    can_write: bool,
    v: IncidentInput,
    lat: String,
    lon: String,
    csv: String,
    today: String,
    error: Option<String>,
    problems: Vec<String>,
}

const LIMIT: u64 = 2000;

#[derive(Default)]
struct Again {
    v: IncidentInput,
    csv: String,
    error: Option<String>,
    problems: Vec<String>,
}

async fn page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    q: &ListQuery,
    again: Again,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let mut f = filter_of(state, q, LIMIT).await?;
    f.limit = LIMIT;
    let (found, total) = incidents::list(&state.db, who.scope(), &f).await?;
    let items: Vec<_> = found
        .iter()
        .map(|i| json!({"lat": i.lat, "lon": i.lon, "label": format!("{} — {}", kind_label(i.kind, tr), tr.date(&i.occurred_on)), "color": "#c0392b"}))
        .collect();
    let map = json!({"layers": [{"type": "points", "name": tr.t("incidents.title"), "items": items}]});
    let rows = found
        .iter()
        .take(200)
        .map(|i| Row {
            on: tr.date(&i.occurred_on),
            kind: kind_label(i.kind, tr),
            unit: i.unit_name.clone(),
            coords: format!("{:.5}, {:.5}", i.lat, i.lon),
            source: i.source.clone(),
            note: i.note.clone(),
        })
        .collect();
    let alerts = incidents::open_alerts(&state.db, who.scope())
        .await?
        .into_iter()
        .map(|a| AlertItem {
            site_id: a.site_id,
            site_name: a.site_name,
            kind: a.incident_kind.parse().map(|k| kind_label(k, tr)).unwrap_or(""),
            on: tr.date(&a.incident_on),
            distance_m: a.distance_m.round() as i64,
        })
        .collect();
    let kinds = IncidentKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str(),
            label: kind_label(*k, tr),
            selected: q.kind.as_deref() == Some(k.as_str()),
        })
        .collect();
    let text = |l: &Option<Loose>| match l {
        Some(Loose::Text(s)) => s.clone(),
        Some(Loose::Num(n)) => n.to_string(),
        _ => String::new(),
    };
    let mut p = ctx.page(Some(who), "incidents.title", "incidents").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("incidents.title").into(), href: None },
    ];
    let today = diaban_domain::time::today_in_vietnam().to_string();
    let status = if again.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut v = again.v;
    if v.date.is_empty() {
        v.date = today.clone();
    }
    let page = Page {
        p,
        rows,
        total,
        kinds,
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        map_json: json_block(&map),
        alerts,
        can_write: who.may(Action::WriteSites),
        lat: text(&v.lat),
        lon: text(&v.lon),
        v,
        csv: again.csv,
        today,
        error: again.error,
        problems: again.problems,
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    *r.status_mut() = status;
    Ok(r)
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    page(&state, &who, &ctx, &q, Again::default()).await
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    ctx: Ctx,
    Form(input): Form<IncidentInput>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    match incident_input::validate(&state, &who, &input, "manual", tr).await? {
        Err(errors) => {
            let problems = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect();
            let again = Again {
                v: input,
                error: Some(tr.t("common.form_errors").into()),
                problems,
                ..Default::default()
            };
            page(&state, &who, &ctx, &ListQuery::default(), again).await
        }
        Ok(new) => {
            let rec = record(&state, &who, &[new], "incident.create").await?;
            let key =
                if rec.alerts.is_empty() { "incidents.created" } else { "incidents.created_with_alert" };
            Ok(redirect_with_flash("/incidents", key))
        }
    }
}

#[derive(Deserialize)]
struct ImportForm {
    #[serde(default)]
    csv: String,
}

async fn import(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    ctx: Ctx,
    Form(f): Form<ImportForm>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    match incident_input::parse_csv(&state, &who, &f.csv, tr).await? {
        Err(problems) => {
            let again = Again {
                csv: f.csv,
                error: Some(tr.t("incidents.import_failed").into()),
                problems,
                ..Default::default()
            };
            page(&state, &who, &ctx, &ListQuery::default(), again).await
        }
        Ok(list) => {
            record(&state, &who, &list, "incident.import").await?;
            Ok(redirect_with_flash("/incidents", "incidents.imported"))
        }
    }
}
