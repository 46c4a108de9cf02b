//! `/api/v1/rings`: rings (đường dây) with their cases; cases are linked to a ring, and
//! a ring is marked dismantled on a date. Under the cases' rules (ReadCases /
//! WriteCases), scoped through the ring's leading unit; every change audited.

use crate::AppState;
use crate::api::cases::case_json;
use crate::api::sites::tr_of;
use crate::auth::Authorized;
use crate::auth::actions::{ReadCases, WriteCases};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use crate::ops_input::{self, RingInput};
use crate::site_input::Loose;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use diaban_store::cases::{self, CaseFilter};
use diaban_store::rings::{self, RingError};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadCases, POST = WriteCases; scoped; audited.
        .route("/rings", get(list).post(create))
        // Access: ReadCases; scoped.
        .route("/rings/{id}", get(read))
        // Access: WriteCases; ring and case in scope; audited.
        .route("/rings/{id}/cases", post(link_case))
        .route("/rings/{id}/dismantle", post(dismantle))
}

/// Maps a refused ring change to the error the client sees.
pub(crate) fn ring_error(e: RingError, tr: Tr) -> AppError {
    match e {
        RingError::NotFound(m) => AppError::not_found(m),
        RingError::Refused(c) => AppError::new(
            ErrorKind::Unprocessable,
            if tr.0 == Lang::Vi { c.message_vi() } else { c.to_string() },
        ),
        RingError::OtherRing(_) | RingError::AlreadyDismantled => {
            let key = if matches!(e, RingError::AlreadyDismantled) {
                "ops.ring_already_dismantled"
            } else {
                "ops.case_in_other_ring"
            };
            AppError::new(ErrorKind::Conflict, tr.t(key)).with_key(key)
        }
        RingError::Db(d) => d.into(),
    }
}

#[derive(Deserialize)]
struct ListQuery {
    dismantled: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadCases>,
    crate::api::ApiQuery(q): crate::api::ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let d = match q.dismantled.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("true" | "1") => Some(true),
        Some("false" | "0") => Some(false),
        Some(_) => return Err(AppError::bad_param("dismantled", "expected true or false").into()),
    };
    Ok(Json(json!({"items": rings::list(&state.db, who.scope(), d).await?})))
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<WriteCases>,
    Json(input): Json<RingInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new = match ops_input::validate_ring(&state, &who, &input, tr_of(&who)).await? {
        Ok(n) => n,
        Err(errors) => {
            return Err(AppError::new(ErrorKind::Unprocessable, ops_input::errors_text(&errors)).into());
        }
    };
    let id =
        rings::create(&state.db, &new, Some(who.user.id), Some(who.audit("ring.create", "", ""))).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

async fn read(
    State(state): State<AppState>,
    who: Authorized<ReadCases>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let r =
        rings::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such ring"))?;
    let f = CaseFilter { ring_id: Some(id), ..Default::default() };
    let (list, _) = cases::list(&state.db, who.scope(), &f).await?;
    let mut v = json!(r);
    v["case_list"] = json!(list.iter().map(case_json).collect::<Vec<_>>());
    Ok(Json(v))
}

#[derive(Deserialize)]
struct LinkInput {
    case_id: Option<Loose>,
}

async fn link_case(
    State(state): State<AppState>,
    who: Authorized<WriteCases>,
    Path(id): Path<i64>,
    Json(input): Json<LinkInput>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr_of(&who);
    let case_id = input
        .case_id
        .as_ref()
        .and_then(Loose::number)
        .filter(|n| n.fract() == 0.0 && *n > 0.0)
        .ok_or_else(|| AppError::new(ErrorKind::Unprocessable, "case_id: expected a case id"))?;
    rings::link_case(&state.db, id, case_id as i64, who.scope(), Some(who.audit("ring.link_case", "", "")))
        .await
        .map_err(|e| ring_error(e, tr))?;
    let r =
        rings::get(&state.db, id, who.scope()).await?.ok_or_else(|| AppError::not_found("no such ring"))?;
    Ok(Json(json!(r)))
}

#[derive(Deserialize)]
struct DismantleInput {
    #[serde(default)]
    on: String,
}

async fn dismantle(
    State(state): State<AppState>,
    who: Authorized<WriteCases>,
    Path(id): Path<i64>,
    Json(input): Json<DismantleInput>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr_of(&who);
    let on = ops_input::step_date(&input.on, tr)
        .map_err(|m| AppError::new(ErrorKind::Unprocessable, format!("on: {m}")))?;
    let today = diaban_domain::time::today_in_vietnam();
    let r =
        rings::dismantle(&state.db, id, who.scope(), on, today, Some(who.audit("ring.dismantle", "", "")))
            .await
            .map_err(|e| ring_error(e, tr))?;
    Ok(Json(json!(r)))
}
