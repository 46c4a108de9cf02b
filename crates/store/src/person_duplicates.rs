//! Creating a person for someone who sees only a scope, when the identity number is
//! already on record. A record in the caller's scope is theirs to open; a record outside
//! it must not be revealed (not its id, not where it lies), so the creation is refused
//! and the case goes to the provincial police (PC04) as a possible transfer, in one
//! transaction with its audit entry.

use crate::audit::{self, NewEntry};
use crate::db::Db;
use crate::error::DbError;
use crate::notifications;
use crate::persons::{self, Created, NewPerson, Scope};
use diaban_domain::access::Role;
use diaban_vault::KeyRing;
use sea_query::{Expr, ExprTrait, JoinType, Query};

/// What [`create_in_scope`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new record.
    New(i64),
    /// A record with this identity number exists in the caller's scope.
    Existing(i64),
    /// A record with this identity number exists outside the caller's scope. Nothing of it
    /// may be shown to the caller.
    Elsewhere(Holder),
}

/// Where the record of an [`Outcome::Elsewhere`] lies: for the notification, never for
/// the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    /// The record's id.
    pub person_id: i64,
    /// The current province its residence counts towards.
    pub province_id: i64,
}

#[derive(sqlx::FromRow)]
struct Place {
    province_id: Option<i64>,
    in_scope: bool,
}

/// Creates a record, or finds the one with the same identity number and says whether it
/// lies in `scope`.
#[tracing::instrument(skip_all)]
pub async fn create_in_scope(
    db: &Db,
    keys: &KeyRing,
    p: &NewPerson,
    created_by: Option<i64>,
    scope: Scope,
) -> Result<Outcome, DbError> {
    let id = match persons::create(db, keys, p, created_by).await? {
        Created::New(id) => return Ok(Outcome::New(id)),
        Created::Existing(id) => id,
    };
    let (col, unit) = match scope {
        Scope::Province(u) => ("scope_province_id", u),
        Scope::Commune(u) => ("scope_commune_id", u),
    };
    let q = Query::select()
        .expr_as(Expr::col(("u", "scope_province_id")), "province_id")
        .expr_as(Expr::col(("u", col)).eq(unit), "in_scope")
        .from_as("persons", "p")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .and_where(Expr::col(("p", "id")).eq(id))
        .to_owned();
    let place: Place = db.exec().fetch_one(&q).await?;
    if place.in_scope {
        return Ok(Outcome::Existing(id));
    }
    let province_id =
        place.province_id.ok_or_else(|| DbError::Invalid("a record without a province".into()))?;
    Ok(Outcome::Elsewhere(Holder { person_id: id, province_id }))
}

/// Sends a refused creation to the provincial police as a possible transfer, and audits
/// it, in one transaction: PC04 of the province holding the record is told which record
/// (`person.possible_transfer`); PC04 of the caller's province, when it is another one,
/// is told which of its accounts met a record elsewhere
/// (`person.possible_transfer_elsewhere`, target the caller's account).
pub async fn refer_possible_transfer(
    db: &Db,
    holder: Holder,
    caller_user_id: i64,
    caller_province_id: i64,
    entry: &NewEntry,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let holders =
        notifications::accounts_with_role(&mut tx, Role::ProvinceOfficer, holder.province_id).await?;
    notifications::notify_in(&mut tx, &holders, "person.possible_transfer", "person", holder.person_id)
        .await?;
    if caller_province_id != holder.province_id {
        let ours =
            notifications::accounts_with_role(&mut tx, Role::ProvinceOfficer, caller_province_id).await?;
        notifications::notify_in(
            &mut tx,
            &ours,
            "person.possible_transfer_elsewhere",
            "user",
            caller_user_id,
        )
        .await?;
    }
    audit::append_in(&mut tx, entry).await?;
    tx.commit().await
}
