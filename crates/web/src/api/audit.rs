//! `/api/v1/audit`: the audit log for auditors and administrators.

use super::{ApiQuery, parse_date, parse_u64};
use crate::AppState;
use crate::auth::{Authorized, actions::ReadAudit};
use crate::error::ApiError;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use diaban_store::audit::{self, AuditFilter};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    // Access: ReadAudit (admin, auditor).
    Router::new().route("/audit", get(list)).route("/audit/verify", get(verify))
}

#[derive(Deserialize)]
struct Params {
    actor: Option<String>,
    action: Option<String>,
    target_type: Option<String>,
    target_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    _who: Authorized<ReadAudit>,
    ApiQuery(p): ApiQuery<Params>,
) -> Result<Json<Value>, ApiError> {
    let f = AuditFilter {
        actor: p.actor,
        action_prefix: p.action,
        target_type: p.target_type,
        target_id: p.target_id,
        from: parse_date("from", p.from.as_deref())?,
        to: parse_date("to", p.to.as_deref())?,
        limit: parse_u64("limit", p.limit.as_deref(), 100, 1000)?,
        offset: parse_u64("offset", p.offset.as_deref(), 0, u64::MAX >> 1)?,
    };
    let (items, total) = audit::search(&state.db, &f).await?;
    Ok(Json(json!({"items": items, "total": total})))
}

async fn verify(State(state): State<AppState>, _who: Authorized<ReadAudit>) -> Result<Json<Value>, ApiError> {
    let r = audit::verify(&state.db).await?;
    Ok(Json(json!({"entries": r.entries, "head_hash": r.head_hash, "intact": r.first_problem.is_none(),
        "first_problem": r.first_problem.map(|(id, m)| json!({"entry": id, "message": m}))})))
}
