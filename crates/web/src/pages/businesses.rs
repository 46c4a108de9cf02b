//! Cơ sở kinh doanh có điều kiện: the registry in scope (with the "not inspected within
//! the period" filter and the exports), a form to record one, and a business's page
//! with its inspections, its linked sites and the forms to add either. The rules are the
//! API's (`crate::api::businesses`).

use super::{Crumb, Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::api::businesses::{
    BusinessInput, InspectionInput, LinkInput, ListQuery, create, filter_of, inspect, link,
};
use crate::auth::actions::{ManageBusinesses, ReadSites};
use crate::auth::{Authorized, Identity};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::access::Action;
use diaban_domain::business::{BusinessLine, InspectionKind};
use diaban_store::businesses::{self, Business};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadSites, POST = ManageBusinesses; scoped; audited.
        .route("/businesses", get(list).post(create_form))
        // Access: ReadSites; scoped (404 outside).
        .route("/businesses/{id}", get(detail))
        // Access: ManageBusinesses; scoped; audited.
        .route("/businesses/{id}/inspections", post(inspect_form))
        // Access: ManageBusinesses; scoped; audited.
        .route("/businesses/{id}/sites", post(link_form))
}

fn line_label(l: BusinessLine, tr: Tr) -> &'static str {
    if tr.0 == Lang::Vi { l.label_vi() } else { l.label_en() }
}

/// A choice for templates.
pub struct Opt {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// A list row for templates.
pub struct Row {
    id: i64,
    name: String,
    line: &'static str,
    certificate: String,
    unit: String,
    last: String,
    due: bool,
}

#[derive(Template)]
#[template(path = "businesses.html")]
struct ListPage {
    p: super::Page,
    rows: Vec<Row>,
    total: i64,
    lines: Vec<Opt>,
    due_only: bool,
    months: u32,
    query: String,
    can_write: bool,
    v: BusinessInput,
    lat: String,
    lon: String,
    error: Option<String>,
    problems: Vec<String>,
}

fn loose(l: &Option<crate::site_input::Loose>) -> String {
    match l {
        Some(crate::site_input::Loose::Text(s)) => s.clone(),
        Some(crate::site_input::Loose::Num(n)) => n.to_string(),
        _ => String::new(),
    }
}

async fn list_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    q: &ListQuery,
    v: BusinessInput,
    error: Option<String>,
    problems: Vec<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let params = crate::api::escalations::params(state).await?;
    let mut f = filter_of(state, q, 2000).await?;
    f.limit = 500;
    let (found, total) = businesses::list(&state.db, who.scope(), &f).await?;
    let today = diaban_domain::time::today_in_vietnam();
    let rows = found
        .iter()
        .map(|b: &Business| Row {
            id: b.id,
            name: b.name.clone(),
            line: line_label(b.line, tr),
            certificate: match b.certificate_on {
                Some(d) => format!("{} ({})", b.certificate_no, tr.date(&d)),
                None => b.certificate_no.clone(),
            },
            unit: b.unit_name.clone(),
            last: b
                .last_inspected_on
                .map(|d| tr.date(&d))
                .unwrap_or_else(|| tr.t("businesses.never").to_owned()),
            due: diaban_domain::business::inspection_due(
                b.last_inspected_on,
                today,
                params.business_inspection_months,
            ),
        })
        .collect();
    let lines = BusinessLine::ALL
        .iter()
        .map(|l| Opt {
            value: l.as_str(),
            label: line_label(*l, tr),
            selected: q.line.as_deref() == Some(l.as_str()),
        })
        .collect();
    let due_only = f.not_inspected_since.is_some();
    let query = serde_urlencoded::to_string([
        ("line", q.line.clone().unwrap_or_default()),
        ("due", if due_only { "1".to_owned() } else { String::new() }),
    ])
    .unwrap_or_default();
    let mut p = ctx.page(Some(who), "businesses.title", "businesses").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("businesses.title").into(), href: None },
    ];
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ListPage {
        p,
        rows,
        total,
        lines,
        due_only,
        months: params.business_inspection_months,
        query,
        can_write: who.may(Action::ManageBusinesses),
        lat: loose(&v.lat),
        lon: loose(&v.lon),
        v,
        error,
        problems,
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
    list_page(&state, &who, &ctx, &q, BusinessInput::default(), None, vec![]).await
}

fn field_label(f: &str, tr: Tr) -> &str {
    match f {
        "name" => tr.t("businesses.name"),
        "line" => tr.t("businesses.line"),
        "certificate_no" => tr.t("businesses.certificate_no"),
        "certificate_on" => tr.t("businesses.certificate_on"),
        "address" => tr.t("sites.address"),
        "unit" => tr.t("sites.unit"),
        "lat" | "lon" => tr.t("sites.coordinates"),
        "kind" => tr.t("businesses.inspection_kind"),
        "on" => tr.t("businesses.inspected_on"),
        "findings" => tr.t("businesses.findings"),
        "violations" => tr.t("businesses.violations"),
        "sanctions" => tr.t("businesses.sanctions"),
        other => other,
    }
}

async fn create_form(
    State(state): State<AppState>,
    who: Authorized<ManageBusinesses>,
    ctx: Ctx,
    Form(input): Form<BusinessInput>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    match create(&state, &who, &input, tr).await? {
        Ok(id) => Ok(redirect_with_flash(&format!("/businesses/{id}"), "businesses.created")),
        Err(errors) => {
            let problems = errors.iter().map(|(f, m)| format!("{}: {m}", field_label(f, tr))).collect();
            let e = Some(tr.t("common.form_errors").to_owned());
            list_page(&state, &who, &ctx, &ListQuery::default(), input, e, problems).await
        }
    }
}

/// An inspection for templates.
pub struct InspectionRow {
    on: String,
    kind: &'static str,
    findings: String,
    violations: String,
    sanctions: String,
    violation_found: bool,
}

/// A linked site for templates.
pub struct SiteRow {
    id: i64,
    name: String,
}

#[derive(Template)]
#[template(path = "business_detail.html")]
struct DetailPage {
    p: super::Page,
    b: Business,
    line: &'static str,
    certificate_on: String,
    last: String,
    inspections: Vec<InspectionRow>,
    sites: Vec<SiteRow>,
    kinds: Vec<Opt>,
    today: String,
    can_write: bool,
    v: InspectionInput,
    error: Option<String>,
    problems: Vec<String>,
}

async fn detail_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    v: InspectionInput,
    error: Option<String>,
    problems: Vec<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let b = businesses::get(&state.db, id, who.scope())
        .await?
        .ok_or_else(|| AppError::not_found("no such business"))?;
    let inspections = businesses::inspections(&state.db, id)
        .await?
        .into_iter()
        .map(|i| InspectionRow {
            on: tr.date(&i.on_date),
            kind: i
                .kind
                .parse::<InspectionKind>()
                .map(|k| if tr.0 == Lang::Vi { k.label_vi() } else { k.label_en() })
                .unwrap_or(""),
            findings: i.findings,
            violations: i.violations,
            sanctions: i.sanctions,
            violation_found: i.violation_found,
        })
        .collect();
    let sites = businesses::sites_of(&state.db, id)
        .await?
        .into_iter()
        .map(|s| SiteRow { id: s.id, name: s.name })
        .collect();
    let kinds = InspectionKind::ALL
        .iter()
        .map(|k| Opt {
            value: k.as_str(),
            label: if tr.0 == Lang::Vi { k.label_vi() } else { k.label_en() },
            selected: v.kind == k.as_str(),
        })
        .collect();
    let mut p = ctx.page(Some(who), "businesses.detail_title", "businesses").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("businesses.title").into(), href: Some("/businesses".into()) },
        Crumb { label: b.name.clone(), href: None },
    ];
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = DetailPage {
        p,
        line: line_label(b.line, tr),
        certificate_on: b.certificate_on.map(|d| tr.date(&d)).unwrap_or_default(),
        last: b.last_inspected_on.map(|d| tr.date(&d)).unwrap_or_else(|| tr.t("businesses.never").to_owned()),
        b,
        inspections,
        sites,
        kinds,
        today: diaban_domain::time::today_in_vietnam().to_string(),
        can_write: who.may(Action::ManageBusinesses),
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
    who: Authorized<ReadSites>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    detail_page(&state, &who, &ctx, id, InspectionInput::default(), None, vec![]).await
}

async fn inspect_form(
    State(state): State<AppState>,
    who: Authorized<ManageBusinesses>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<InspectionInput>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    match inspect(&state, &who, id, &input, tr).await? {
        Ok(_) => Ok(redirect_with_flash(&format!("/businesses/{id}"), "businesses.inspected")),
        Err(errors) => {
            let problems = errors.iter().map(|(f, m)| format!("{}: {m}", field_label(f, tr))).collect();
            let e = Some(tr.t("common.form_errors").to_owned());
            detail_page(&state, &who, &ctx, id, input, e, problems).await
        }
    }
}

async fn link_form(
    State(state): State<AppState>,
    who: Authorized<ManageBusinesses>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<LinkInput>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    match link(&state, &who, id, &input, tr).await {
        Ok(()) => Ok(redirect_with_flash(&format!("/businesses/{id}"), "businesses.linked")),
        Err(e) if e.kind == crate::error::ErrorKind::Unprocessable => {
            detail_page(&state, &who, &ctx, id, InspectionInput::default(), Some(e.message), vec![]).await
        }
        Err(e) => Err(e),
    }
}
