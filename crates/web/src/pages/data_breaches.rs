//! Sự cố dữ liệu cá nhân: the breach register's page (DOMAIN.md §8, docs/security.md §6)
//! — the province's incidents with their deadline to notify A05 and whether it was met
//! (overdue ones flagged), the form to record one (its text must hold no identities),
//! and a form per incident to record when A05 and the persons were notified. The rules
//! and the audit are those of the API (`crate::breach_input`).

use super::{Crumb, Ctx, redirect_with_flash, render};
use crate::AppState;
use crate::auth::actions::{ReadBreaches, RecordBreaches};
use crate::auth::{Authorized, Identity};
use crate::breach_input::{self, BreachInput, NotifiedInput};
use crate::error::{AppError, ErrorKind};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use diaban_domain::access::Action;
use diaban_domain::breach::{BreachCategory, NotifyStatus};
use diaban_store::data_breaches;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadBreaches (scope in the query); POST = RecordBreaches, for the
        // caller's province; audited as data_breach.create.
        .route("/data-breaches", get(list).post(create))
        // Access: RecordBreaches; 404 outside the scope; audited as data_breach.notify.
        .route("/data-breaches/{id}/notified", post(notified))
}

/// A row of the register.
pub struct Row {
    id: i64,
    detected_at: String,
    description: String,
    categories: String,
    persons_affected: i64,
    measures: String,
    deadline: String,
    status: &'static str,
    status_label: &'static str,
    authority_at: String,
    subjects_at: String,
}

/// A category checkbox.
pub struct Choice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "data_breaches.html")]
struct ListPage {
    p: super::Page,
    rows: Vec<Row>,
    can_record: bool,
    v: BreachInput,
    persons: String,
    choices: Vec<Choice>,
    problems: Vec<String>,
}

async fn list_page(
    state: &AppState,
    who: &Identity,
    ctx: &Ctx,
    v: BreachInput,
    problems: Vec<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let rows = data_breaches::list(&state.db, who.scope())
        .await?
        .into_iter()
        .map(|b| Row {
            id: b.id,
            detected_at: tr.datetime(&b.detected_at),
            description: b.description,
            categories: b.categories.iter().map(|c| c.label_vi()).collect::<Vec<_>>().join("; "),
            persons_affected: b.persons_affected,
            measures: b.measures,
            deadline: tr.datetime(&b.notify_deadline),
            status: match b.status {
                NotifyStatus::InTime => "in_time",
                NotifyStatus::Late => "late",
                NotifyStatus::Pending => "pending",
                NotifyStatus::Overdue => "overdue",
            },
            status_label: b.status.label_vi(),
            authority_at: b.authority_notified_at.map(|t| tr.datetime(&t)).unwrap_or_default(),
            subjects_at: b.subjects_notified_at.map(|t| tr.datetime(&t)).unwrap_or_default(),
        })
        .collect();
    let mut p = ctx.page(Some(who), "breaches.title", "data_breaches").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("breaches.title").into(), href: None },
    ];
    let choices = BreachCategory::ALL
        .iter()
        .map(|c| Choice {
            value: c.as_str(),
            label: c.label_vi(),
            checked: v.categories.iter().any(|x| x == c.as_str()),
        })
        .collect();
    let failed = !problems.is_empty();
    let page = ListPage {
        p,
        rows,
        can_record: who.may(Action::RecordBreaches),
        persons: v.persons_affected.map(|n| n.to_string()).unwrap_or_default(),
        v,
        choices,
        problems,
    };
    let mut res = render(ctx.flash_key.is_some(), &page)?;
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadBreaches>,
    ctx: Ctx,
) -> Result<Response, AppError> {
    list_page(&state, &who, &ctx, BreachInput::default(), vec![]).await
}

/// The form's fields: the categories are repeated checkboxes.
fn input_of(fields: Vec<(String, String)>) -> (BreachInput, Option<String>) {
    let mut v = BreachInput::default();
    let mut bad_count = None;
    for (k, val) in fields {
        match k.as_str() {
            "detected_at" => v.detected_at = val,
            "description" => v.description = val,
            "categories" => v.categories.push(val),
            "persons_affected" => match val.trim().parse::<i64>() {
                Ok(n) => v.persons_affected = Some(n),
                Err(_) => bad_count = Some(val),
            },
            "measures" => v.measures = val,
            "authority_notified_at" => v.authority_notified_at = Some(val),
            "subjects_notified_at" => v.subjects_notified_at = Some(val),
            _ => {}
        }
    }
    (v, bad_count)
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<RecordBreaches>,
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (v, bad_count) = input_of(fields);
    if bad_count.is_some() {
        let msg = "persons_affected: Nhập số người bị ảnh hưởng (ước tính), là số nguyên.".to_owned();
        return list_page(&state, &who, &ctx, v, vec![msg]).await;
    }
    match breach_input::create(&state.db, &who, &v).await {
        Ok(_) => Ok(redirect_with_flash("/data-breaches", "breaches.created")),
        Err(e) if e.kind == ErrorKind::Unprocessable => {
            let msg = e.message.clone();
            list_page(&state, &who, &ctx, v, vec![msg]).await
        }
        Err(e) => Err(e),
    }
}

async fn notified(
    State(state): State<AppState>,
    who: Authorized<RecordBreaches>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<NotifiedInput>,
) -> Result<Response, AppError> {
    match breach_input::notified(&state.db, &who, id, &f).await {
        Ok(()) => Ok(redirect_with_flash("/data-breaches", "breaches.notified")),
        Err(e) if e.kind == ErrorKind::Unprocessable => {
            let msg = e.message.clone();
            list_page(&state, &who, &ctx, BreachInput::default(), vec![msg]).await
        }
        Err(e) => Err(e),
    }
}
