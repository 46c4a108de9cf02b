//! Nhật ký: the audit log for auditors and administrators, with filters, pages, the state
//! of the hash chain, and CSV export (itself audited).

use super::{Crumb, Ctx, render};
use crate::AppState;
use crate::auth::{Authorized, actions::ReadAudit};
use crate::error::AppError;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use diaban_store::audit::{self, AuditFilter, Entry};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    // Access: ReadAudit (admin, auditor) for both.
    Router::new().route("/audit", get(list)).route("/audit.csv", get(export))
}

#[derive(Deserialize, Default, Clone)]
pub struct Params {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub page: Option<u64>,
}

impl Params {
    fn filter(&self, limit: u64) -> AuditFilter {
        let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        AuditFilter {
            actor: opt(&self.actor),
            action_prefix: opt(&self.action),
            from: date(&self.from),
            to: date(&self.to),
            limit,
            offset: (self.page.unwrap_or(1).max(1) - 1) * limit,
            ..Default::default()
        }
    }
    fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("actor", &self.actor),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ])
        .unwrap_or_default()
    }
}

pub struct Row {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub reason: String,
    pub ip: String,
    pub outcome: String,
}

fn row(e: &Entry, tr: &crate::i18n::Tr) -> Row {
    Row {
        id: e.id,
        at: tr.datetime(&e.at),
        actor: e.actor.clone(),
        role: e.role.clone(),
        action: e.action.clone(),
        target: if e.target_id.is_empty() {
            e.target_type.clone()
        } else {
            format!("{} #{}", e.target_type, e.target_id)
        },
        reason: e.reason.clone(),
        ip: e.ip.clone(),
        outcome: e.outcome.clone(),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct ListPage {
    p: super::Page,
    f: Params,
    rows: Vec<Row>,
    total: i64,
    page: u64,
    pages: u64,
    query: String,
    chain_ok: bool,
    chain_message: String,
    entries: i64,
}

const PAGE: u64 = 50;

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadAudit>,
    ctx: Ctx,
    Query(f): Query<Params>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let (found, total) = audit::search(&state.db, &f.filter(PAGE)).await?;
    let report = audit::verify(&state.db).await?;
    let mut p = ctx.page(Some(&who), "audit.title", "audit").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("audit.title").into(), href: None },
    ];
    let page = ListPage {
        p,
        rows: found.iter().map(|e| row(e, &tr)).collect(),
        total,
        page: f.page.unwrap_or(1).max(1),
        pages: (total as u64).div_ceil(PAGE).max(1),
        query: f.query(),
        chain_ok: report.first_problem.is_none(),
        chain_message: report.first_problem.map(|(_, m)| m).unwrap_or_default(),
        entries: report.entries,
        f,
    };
    render(ctx.flash_key.is_some(), &page)
}

async fn export(
    State(state): State<AppState>,
    who: Authorized<ReadAudit>,
    Query(f): Query<Params>,
) -> Result<Response, AppError> {
    let mut filter = f.filter(100_000);
    filter.offset = 0;
    let (found, _) = audit::search(&state.db, &filter).await?;
    let mut w = crate::export::CsvOut::new();
    let header = [
        "id",
        "at_utc",
        "actor",
        "role",
        "unit_code",
        "action",
        "target_type",
        "target_id",
        "reason",
        "ip",
        "outcome",
        "prev_hash",
        "hash",
    ];
    w.write_record(header).map_err(AppError::internal)?;
    for e in &found {
        let at = e.at.to_rfc3339();
        let id = e.id.to_string();
        w.write_record([
            id.as_str(),
            &at,
            &e.actor,
            &e.role,
            &e.unit_code,
            &e.action,
            &e.target_type,
            &e.target_id,
            &e.reason,
            &e.ip,
            &e.outcome,
            &e.prev_hash,
            &e.hash,
        ])
        .map_err(AppError::internal)?;
    }
    let body = w.into_inner().map_err(AppError::internal)?;
    audit::append(&state.db, &who.audit("audit.export", "audit_log", found.len())).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (CONTENT_DISPOSITION, "attachment; filename=\"audit-log.csv\""),
        ],
        body,
    )
        .into_response())
}
