//! Đường dây: the rings in scope with a form to create one, and a ring's page with its
//! cases, a form to link a case and one to mark it dismantled. The rules are the API's
//! (`crate::ops_input`, `crate::api::rings`).

use super::{Crumb, Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::api::rings::ring_error;
use crate::auth::Authorized;
use crate::auth::Identity;
use crate::auth::actions::{ReadCases, WriteCases};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::ops_input::{self, RingInput};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::access::Action;
use diaban_store::cases::{self, CaseFilter};
use diaban_store::rings::{self, Ring};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadCases, POST = WriteCases; scoped; audited.
        .route("/rings", get(list).post(create))
        // Access: ReadCases; scoped.
        .route("/rings/{id}", get(detail))
        // Access: WriteCases; ring and case in scope; audited.
        .route("/rings/{id}/cases", post(link_case))
        .route("/rings/{id}/dismantle", post(dismantle))
}

/// A ring row for templates.
pub struct Row {
    id: i64,
    name: String,
    unit: String,
    cases: i64,
    subjects: i64,
    status: String,
}

fn status(r: &Ring, tr: Tr) -> String {
    match r.dismantled_on {
        Some(d) => format!("{} {}", tr.t("ops.dismantled_on"), tr.date(&d)),
        None => tr.t("ops.active").to_owned(),
    }
}

#[derive(Template)]
#[template(path = "rings_list.html")]
struct ListPage {
    p: super::Page,
    rows: Vec<Row>,
    can_write: bool,
    v: RingInput,
    error: Option<String>,
    problems: Vec<String>,
}

async fn list_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    v: RingInput,
    problems: Vec<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let rows = rings::list(&state.db, who.scope(), None)
        .await?
        .iter()
        .map(|r| Row {
            id: r.id,
            name: r.name.clone(),
            unit: r.unit_name.clone(),
            cases: r.cases,
            subjects: r.subjects,
            status: status(r, tr),
        })
        .collect();
    let mut p = ctx.page(Some(who), "ops.rings_title", "rings").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("nav.rings").into(), href: None },
    ];
    let failed = !problems.is_empty();
    let page = ListPage {
        p,
        rows,
        can_write: who.may(Action::WriteCases),
        v,
        error: failed.then(|| tr.t("common.form_errors").to_owned()),
        problems,
    };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadCases>,
    ctx: Ctx,
) -> Result<Response, AppError> {
    list_page(&state, &who, &ctx, RingInput::default(), Vec::new()).await
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<WriteCases>,
    ctx: Ctx,
    Form(input): Form<RingInput>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    match ops_input::validate_ring(&state, &who, &input, tr).await? {
        Err(errors) => {
            let problems = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect();
            list_page(&state, &who, &ctx, input, problems).await
        }
        Ok(new) => {
            let id =
                rings::create(&state.db, &new, Some(who.user.id), Some(who.audit("ring.create", "", "")))
                    .await?;
            Ok(redirect_with_flash(&format!("/rings/{id}"), "ops.saved_ring"))
        }
    }
}

/// A case of the ring for templates.
pub struct CaseRow {
    id: i64,
    on: String,
    unit: String,
    subjects: i64,
}

#[derive(Template)]
#[template(path = "ring_detail.html")]
struct DetailPage {
    p: super::Page,
    r: Ring,
    status: String,
    cases: Vec<CaseRow>,
    can_write: bool,
    today: String,
    error: Option<String>,
}

async fn detail_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let r =
        rings::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such ring"))?;
    let f = CaseFilter { ring_id: Some(id), ..Default::default() };
    let cases = cases::list(&state.db, who.scope(), &f)
        .await?
        .0
        .iter()
        .map(|c| CaseRow {
            id: c.id,
            on: tr.date(&c.occurred_on),
            unit: c.unit_name.clone(),
            subjects: c.subjects,
        })
        .collect();
    let mut p = ctx.page(Some(who), "ops.ring", "rings").await;
    p.title = r.name.clone();
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("nav.rings").into(), href: Some("/rings".into()) },
        Crumb { label: r.name.clone(), href: None },
    ];
    let failed = error.is_some();
    let page = DetailPage {
        p,
        status: status(&r, tr),
        r,
        cases,
        can_write: who.may(Action::WriteCases),
        today: diaban_domain::time::today_in_vietnam().to_string(),
        error,
    };
    let mut res = render(ctx.flash_key.is_some(), &page)?;
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadCases>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    detail_page(&state, &who, &ctx, id, None).await
}

#[derive(Deserialize)]
struct LinkForm {
    #[serde(default)]
    case_id: String,
}

async fn link_case(
    State(state): State<AppState>,
    who: Authorized<WriteCases>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<LinkForm>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let Ok(case_id) = f.case_id.trim().trim_start_matches('#').parse::<i64>() else {
        return detail_page(
            &state,
            &who,
            &ctx,
            id,
            Some(format!("{}: {}", tr.t("ops.case_id"), tr.t("ops.bad_count"))),
        )
        .await;
    };
    match rings::link_case(&state.db, id, case_id, who.scope(), Some(who.audit("ring.link_case", "", "")))
        .await
    {
        Ok(()) => Ok(redirect_with_flash(&format!("/rings/{id}"), "ops.linked_case")),
        // The ring itself out of scope: a 404 page like any missing page.
        Err(rings::RingError::NotFound("no such ring")) => Err(AppError::not_found("no such ring")),
        Err(e) => detail_page(&state, &who, &ctx, id, Some(ring_error(e, tr).message)).await,
    }
}

#[derive(Deserialize)]
struct DismantleForm {
    #[serde(default)]
    on: String,
}

async fn dismantle(
    State(state): State<AppState>,
    who: Authorized<WriteCases>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DismantleForm>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let on = match ops_input::step_date(&f.on, tr) {
        Ok(d) => d,
        Err(m) => return detail_page(&state, &who, &ctx, id, Some(m)).await,
    };
    let today = diaban_domain::time::today_in_vietnam();
    match rings::dismantle(&state.db, id, who.scope(), on, today, Some(who.audit("ring.dismantle", "", "")))
        .await
    {
        Ok(_) => Ok(redirect_with_flash(&format!("/rings/{id}"), "ops.dismantled")),
        Err(rings::RingError::NotFound(m)) => Err(AppError::not_found(m)),
        Err(e) => detail_page(&state, &who, &ctx, id, Some(ring_error(e, tr).message)).await,
    }
}
