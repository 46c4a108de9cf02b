//! Thông báo: the signed-in user's notifications, newest unread first, marked read one by
//! one or all at once. The count shows in the page header (see `super::Ctx::page`).

use super::{Ctx, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use diaban_store::notifications;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: any signed-in user; their own notifications only.
        .route("/notifications", get(list))
        // Access: any signed-in user; their own notifications only.
        .route("/notifications/read", post(read_all))
        // Access: any signed-in user; another user's notification is left alone.
        .route("/notifications/{id}/read", post(read_one))
}

/// A notification for templates.
pub struct Row {
    id: i64,
    at: String,
    text: String,
    href: String,
    target_id: i64,
    read: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct Page {
    p: super::Page,
    rows: Vec<Row>,
    unread: i64,
}

fn text_key(kind: &str) -> &'static str {
    match kind {
        "escalation.raise" => "notifications.escalation.raise",
        "escalation.assign" => "notifications.escalation.assign",
        "escalation.forward" => "notifications.escalation.forward",
        "escalation.decide" => "notifications.escalation.decide",
        "escalation.return" => "notifications.escalation.return",
        "escalation.resubmit" => "notifications.escalation.resubmit",
        "plan_task.assign" => "notifications.plan_task.assign",
        "plan_task.reminder" => "notifications.plan_task.reminder",
        "person.possible_transfer" => "notifications.person.possible_transfer",
        "person.possible_transfer_elsewhere" => "notifications.person.possible_transfer_elsewhere",
        _ => "notifications.other",
    }
}

async fn list(State(state): State<AppState>, who: Identity, ctx: Ctx) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let rows = notifications::list(&state.db, who.user.id, 200)
        .await?
        .into_iter()
        .map(|n| Row {
            id: n.id,
            at: tr.datetime(&n.created_at),
            text: tr.t(text_key(&n.kind)).to_owned(),
            href: match n.target_type.as_str() {
                "escalation" => format!("/escalations/{}", n.target_id),
                "plan_task" => format!("/tasks/{}", n.target_id),
                "person" => format!("/persons/{}", n.target_id),
                _ => "/".to_owned(),
            },
            target_id: n.target_id,
            read: n.read_at.is_some(),
        })
        .collect();
    let unread = notifications::unread_count(&state.db, who.user.id).await?;
    let p = ctx.page(Some(&who), "notifications.title", "notifications").await;
    render(ctx.flash_key.is_some(), &Page { p, rows, unread })
}

async fn read_all(State(state): State<AppState>, who: Identity) -> Result<Response, AppError> {
    notifications::mark_read(&state.db, who.user.id, None).await?;
    Ok(Redirect::to("/notifications").into_response())
}

async fn read_one(
    State(state): State<AppState>,
    who: Identity,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    notifications::mark_read(&state.db, who.user.id, Some(id)).await?;
    Ok(Redirect::to("/notifications").into_response())
}
