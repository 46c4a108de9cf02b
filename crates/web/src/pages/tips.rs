//! Tin báo: the public tip form (no sign-in), the follow-up page, and the officers'
//! triage queue with a tip's page. The rules are the API's (`crate::tip_input`,
//! `crate::api::tips`).

use super::{Crumb, Ctx, json_block, redirect_with_flash, render};
use crate::AppState;
use crate::api::tips::{ListQuery, Outcome, TriageInput, read, status_of, triage};
use crate::auth::actions::TriageTips;
use crate::auth::{Authorized, session};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::site_input::Loose;
use crate::tip_input::{self, Refused, TipInput};
use askama::Template;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::site::SiteKind;
use diaban_domain::tip::TipStatus;
use diaban_store::tips;
use serde::Deserialize;
use serde_json::json;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: anyone, no sign-in (citizens); throttled per client; CSRF-protected.
        .route("/tip", get(form).post(send))
        // Access: anyone; throttled; shows only the status and the days.
        .route("/tip/status", get(status_form).post(status))
        // Access: TriageTips; scoped to the officer's commune or province.
        .route("/tips", get(queue))
        // Access: TriageTips; scoped (404 outside); the read is audited.
        .route("/tips/{id}", get(detail))
        // Access: TriageTips; scoped; audited.
        .route("/tips/{id}/triage", post(triage_form))
}

/// A commune in the form's list.
pub struct CommuneOption {
    code: String,
    name: String,
    centre: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "tip_form.html")]
struct FormPage {
    p: super::Page,
    communes: Vec<CommuneOption>,
    v: TipInput,
    lat: String,
    lon: String,
    wants_code: bool,
    error: Option<String>,
    problems: Vec<String>,
}

#[derive(Template)]
#[template(path = "tip_sent.html")]
struct SentPage {
    p: super::Page,
    code: Option<String>,
}

fn loose_text(l: &Option<Loose>) -> String {
    match l {
        Some(Loose::Text(s)) => s.clone(),
        Some(Loose::Num(n)) => n.to_string(),
        _ => String::new(),
    }
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    v: TipInput,
    error: Option<String>,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let communes = tip_input::communes(state)
        .await?
        .into_iter()
        .map(|c| CommuneOption {
            selected: c.code == v.unit,
            centre: match (c.lat, c.lon) {
                (Some(lat), Some(lon)) => format!("{lat:.5},{lon:.5}"),
                _ => String::new(),
            },
            code: c.code,
            name: c.name,
        })
        .collect();
    let p = ctx.page(None, "tips.public_title", "").await;
    let wants_code = matches!(&v.follow_up, Some(Loose::Text(s)) if s == "on");
    let page = FormPage {
        p,
        communes,
        lat: loose_text(&v.lat),
        lon: loose_text(&v.lon),
        wants_code,
        v,
        error,
        problems,
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    *r.status_mut() = status;
    Ok(r)
}

async fn form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let v = TipInput { follow_up: Some(Loose::Text("on".into())), ..Default::default() };
    form_page(&state, &ctx, v, None, vec![], StatusCode::OK).await
}

async fn send(State(state): State<AppState>, ctx: Ctx, req: Request) -> Result<Response, AppError> {
    let (parts, body) = req.into_parts();
    let ip = session::client_ip(&state, &parts);
    let Form(input) = Form::<TipInput>::from_request(Request::from_parts(parts, body), &state)
        .await
        .map_err(|_| AppError::new(crate::error::ErrorKind::BadRequest, "the form is malformed"))?;
    let tr = ctx.tr(None);
    match tip_input::send(&state, &input, &ip, tr).await? {
        Ok(sent) => {
            let p = ctx.page(None, "tips.sent_title", "").await;
            render(false, &SentPage { p, code: sent.code })
        }
        Err(Refused::Throttled) => {
            let e = Some(tr.t("tips.throttled").to_owned());
            form_page(&state, &ctx, input, e, vec![], StatusCode::TOO_MANY_REQUESTS).await
        }
        Err(Refused::Invalid(errors)) => {
            let problems = errors.iter().map(|(f, m)| format!("{}: {m}", field_label(f, tr))).collect();
            let e = Some(tr.t("common.form_errors").to_owned());
            form_page(&state, &ctx, input, e, problems, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

fn field_label(field: &str, tr: Tr) -> &str {
    match field {
        "unit" => tr.t("tips.commune"),
        "text" => tr.t("tips.text"),
        "address" => tr.t("tips.address"),
        "lat" | "lon" => tr.t("tips.point"),
        "reason" => tr.t("tips.reason"),
        "date" => tr.t("incidents.date"),
        "site_kind" => tr.t("tips.site_kind"),
        "site_name" => tr.t("tips.site_name"),
        "site_id" => tr.t("tips.site_id"),
        "note" => tr.t("sites.note"),
        other => other,
    }
}

#[derive(Template)]
#[template(path = "tip_status.html")]
struct StatusPage {
    p: super::Page,
    result: Option<StatusView>,
    error: Option<String>,
}

/// What the follow-up page shows.
pub struct StatusView {
    status: &'static str,
    label: &'static str,
    received: String,
    triaged: Option<String>,
}

async fn status_form(ctx: Ctx) -> Result<Response, AppError> {
    let p = ctx.page(None, "tips.status_title", "").await;
    render(ctx.flash_key.is_some(), &StatusPage { p, result: None, error: None })
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

fn status_label(s: TipStatus, tr: Tr) -> &'static str {
    match s {
        TipStatus::New => tr.t("tips.status_new"),
        TipStatus::Accepted => tr.t("tips.status_accepted"),
        TipStatus::Dismissed => tr.t("tips.status_dismissed"),
    }
}

async fn status(State(state): State<AppState>, ctx: Ctx, req: Request) -> Result<Response, AppError> {
    let (parts, body) = req.into_parts();
    let ip = session::client_ip(&state, &parts);
    let Form(f) = Form::<CodeForm>::from_request(Request::from_parts(parts, body), &state)
        .await
        .map_err(|_| AppError::new(crate::error::ErrorKind::BadRequest, "the form is malformed"))?;
    let tr = ctx.tr(None);
    let p = ctx.page(None, "tips.status_title", "").await;
    let (page, code) = match tip_input::look_up(&state, &f.code, &ip).await? {
        Err(_) => (
            StatusPage { p, result: None, error: Some(tr.t("tips.throttled").into()) },
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Ok(None) => (
            StatusPage { p, result: None, error: Some(tr.t("tips.code_unknown").into()) },
            StatusCode::NOT_FOUND,
        ),
        Ok(Some(found)) => (
            StatusPage {
                p,
                result: Some(StatusView {
                    status: found.status.as_str(),
                    label: status_label(found.status, tr),
                    received: tr.date(&found.received_on),
                    triaged: found.triaged_on.map(|d| tr.date(&d)),
                }),
                error: None,
            },
            StatusCode::OK,
        ),
    };
    let mut r = render(false, &page)?;
    *r.status_mut() = code;
    Ok(r)
}

/// A queue line for templates.
pub struct QueueRow {
    id: i64,
    received: String,
    commune: String,
    has_point: bool,
    status: &'static str,
    label: &'static str,
}

/// A status filter choice.
pub struct StatusChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "tips_queue.html")]
struct QueuePage {
    p: super::Page,
    rows: Vec<QueueRow>,
    total: i64,
    statuses: Vec<StatusChoice>,
}

async fn queue(
    State(state): State<AppState>,
    who: Authorized<TriageTips>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    // The queue opens on what waits for triage.
    let status = if q.status.is_none() { Some(TipStatus::New) } else { status_of(&q)? };
    let (found, total) = tips::queue(&state.db, who.scope(), status, 500).await?;
    let rows = found
        .into_iter()
        .map(|t| {
            let st: TipStatus = t.status.parse().unwrap_or(TipStatus::New);
            QueueRow {
                id: t.id,
                received: tr.datetime(&t.received_at),
                commune: t.unit_name,
                has_point: t.lat.is_some(),
                status: st.as_str(),
                label: status_label(st, tr),
            }
        })
        .collect();
    let statuses = TipStatus::ALL
        .iter()
        .map(|s| StatusChoice {
            value: s.as_str(),
            label: status_label(*s, tr),
            selected: status == Some(*s),
        })
        .collect();
    let mut p = ctx.page(Some(&who), "tips.queue_title", "tips").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("tips.queue_title").into(), href: None },
    ];
    render(ctx.flash_key.is_some(), &QueuePage { p, rows, total, statuses })
}

/// A site kind choice.
pub struct KindChoice {
    value: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "tip_detail.html")]
struct DetailPage {
    p: super::Page,
    tip: tips::Tip,
    status_label: &'static str,
    received: String,
    triaged: Option<String>,
    map_json: String,
    lat: String,
    lon: String,
    received_on: String,
    today: String,
    kinds: Vec<KindChoice>,
    v: TriageInput,
    error: Option<String>,
    problems: Vec<String>,
}

async fn detail_page(
    state: &AppState,
    who: &crate::auth::Identity,
    ctx: &Ctx,
    id: i64,
    v: TriageInput,
    error: Option<String>,
    problems: Vec<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let tip = read(state, who, id).await?;
    let items: Vec<_> = match (tip.lat, tip.lon) {
        (Some(lat), Some(lon)) => {
            vec![json!({"lat": lat, "lon": lon, "label": tr.t("tips.point"), "color": "#c0392b"})]
        }
        _ => vec![],
    };
    let map = json!({"layers": [{"type": "points", "name": tr.t("tips.point"), "items": items}]});
    let received_on = tip.received_at.with_timezone(&diaban_domain::time::vietnam_offset()).date_naive();
    let kinds = SiteKind::ALL
        .iter()
        .map(|k| KindChoice {
            value: k.as_str(),
            label: if tr.0 == Lang::Vi { k.label_vi() } else { k.label_en() },
        })
        .collect();
    let mut p = ctx.page(Some(who), "tips.detail_title", "tips").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("tips.queue_title").into(), href: Some("/tips".into()) },
        Crumb { label: format!("#{id}"), href: None },
    ];
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = DetailPage {
        p,
        status_label: status_label(tip.status, tr),
        received: tr.datetime(&tip.received_at),
        triaged: tip.triaged_at.map(|t| tr.datetime(&t)),
        map_json: json_block(&map),
        lat: if v.lat.is_some() {
            loose_text(&v.lat)
        } else {
            tip.lat.map(|x| format!("{x:.6}")).unwrap_or_default()
        },
        lon: if v.lon.is_some() {
            loose_text(&v.lon)
        } else {
            tip.lon.map(|x| format!("{x:.6}")).unwrap_or_default()
        },
        received_on: received_on.to_string(),
        today: diaban_domain::time::today_in_vietnam().to_string(),
        kinds,
        tip,
        v,
        error,
        problems,
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    *r.status_mut() = status;
    Ok(r)
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<TriageTips>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    detail_page(&state, &who, &ctx, id, TriageInput::default(), None, vec![]).await
}

async fn triage_form(
    State(state): State<AppState>,
    who: Authorized<TriageTips>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<TriageInput>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    match triage(&state, &who, id, &input, tr).await? {
        Ok(Outcome::Dismissed) => Ok(redirect_with_flash("/tips", "tips.dismissed")),
        Ok(Outcome::Accepted(_)) => Ok(redirect_with_flash("/tips", "tips.accepted")),
        Err(errors) => {
            let problems = errors.iter().map(|(f, m)| format!("{}: {m}", field_label(f, tr))).collect();
            let e = Some(tr.t("common.form_errors").to_owned());
            detail_page(&state, &who, &ctx, id, input, e, problems).await
        }
    }
}
