//! `/api/v1/persons`: person records for integrations, under the same rules as the
//! pages (role, scope, audit of every read). Searching by identity number or name is a
//! POST so that identities never appear in URLs.

use crate::AppState;
use crate::auth::Authorized;
use crate::auth::actions::{ReadPersons, WritePersons};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::pages::persons::{keys, read_audited};
use crate::person_input::{self, PersonInput};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use diaban_store::audit;
use diaban_store::person_duplicates::{self, Outcome};
use diaban_store::persons::{self, Person, PersonFilter};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: POST = WritePersons, scoped; a number held outside the scope is refused
        // like any creation the caller may not complete and goes to PC04.
        .route("/persons", post(create))
        // Access: ReadPersons, scoped, audited.
        .route("/persons/search", post(search))
        .route("/persons/{id}", get(read))
}

fn person_json(p: &Person) -> Value {
    json!({
        "id": p.id, "full_name": p.full_name, "id_number": p.id_number, "sex": p.sex,
        "birth_year": p.birth_year, "birth_date": p.birth_date, "ethnicity": p.ethnicity,
        "residence_unit_id": p.residence_unit_id, "address": p.address, "phone": p.phone,
        "notes": p.notes, "created_at": p.created_at,
    })
}

async fn read(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let p = read_audited(&state, &who, id, "").await?;
    Ok(Json(person_json(&p)))
}

#[derive(Deserialize)]
struct Search {
    id_number: Option<String>,
    full_name: Option<String>,
    birth_year: Option<u16>,
    reason: Option<String>,
}

async fn search(
    State(state): State<AppState>,
    who: Authorized<ReadPersons>,
    Json(s): Json<Search>,
) -> Result<Json<Value>, ApiError> {
    let keys = keys(&state)?;
    let mut f = PersonFilter { limit: 100, ..Default::default() };
    match (s.id_number, s.full_name, s.birth_year) {
        (Some(n), _, _) => f.id_number = Some(n.trim().to_owned()),
        (None, Some(name), Some(y)) => f.name_and_birth_year = Some((name, y)),
        _ => {
            return Err(
                AppError::new(ErrorKind::BadRequest, "give id_number, or full_name with birth_year").into()
            );
        }
    }
    let (found, _) = persons::list(&state.db, &keys, who.scope(), &f).await?;
    let mut e = who.audit(
        "person.search",
        "person",
        found.iter().map(|p| p.id.to_string()).collect::<Vec<_>>().join(","),
    );
    e.reason = s.reason.unwrap_or_default().chars().take(500).collect();
    audit::append(&state.db, &e).await?;
    Ok(Json(json!({"items": found.iter().map(person_json).collect::<Vec<_>>()})))
}

async fn create(
    State(state): State<AppState>,
    who: Authorized<WritePersons>,
    Json(input): Json<PersonInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let keys = keys(&state)?;
    let tr = crate::i18n::Tr(crate::i18n::Lang::parse(&who.user.lang).unwrap_or_default());
    let new = match person_input::validate(&state, &who, &input, tr).await? {
        Ok(n) => n,
        Err(errors) => {
            let msg = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ");
            return Err(AppError::new(ErrorKind::Unprocessable, msg).into());
        }
    };
    match person_duplicates::create_in_scope(&state.db, &keys, &new, Some(who.user.id), who.scope()).await? {
        Outcome::New(id) => {
            audit::append(&state.db, &who.audit("person.create", "person", id)).await?;
            Ok((StatusCode::CREATED, Json(json!({"id": id, "created": true}))))
        }
        Outcome::Existing(id) => {
            audit::append(&state.db, &who.audit("person.create_duplicate", "person", id)).await?;
            Ok((
                StatusCode::OK,
                Json(
                    json!({"id": id, "created": false, "message": "a record with this identity number exists: no second record was made"}),
                ),
            ))
        }
        Outcome::Elsewhere(holder) => {
            let (field, message) = crate::pages::persons::refuse_elsewhere(&state, &who, holder, tr).await?;
            Err(AppError::new(ErrorKind::Unprocessable, format!("{field}: {message}")).into())
        }
    }
}
