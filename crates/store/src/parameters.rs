//! Parameters the province sets: a named group (e.g. `sites`) holds one JSON value per
//! effective date. The value in force on a day is the latest one that started on or
//! before it; without any, the caller's defaults (DOMAIN.md's working values) apply.
//! A change is a new row from a date on, so what was decided under an earlier value can
//! always be explained by it.

use crate::audit::{self, NewEntry};
use crate::db::Db;
use crate::error::DbError;
use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// One stored value of a group.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ParameterVersion {
    /// Id.
    pub id: i64,
    /// The group.
    pub name: String,
    /// The value, JSON.
    pub value: String,
    /// The first day it applies.
    pub valid_from: NaiveDate,
    /// Who set it.
    pub set_by: Option<i64>,
    /// When.
    pub set_at: DateTime<Utc>,
    /// Why.
    pub note: String,
}

/// The value of group `name` in force on `on`, or `T::default()` when none was set.
/// A stored value that no longer decodes is an error, not a silent default.
pub async fn in_force<T: DeserializeOwned + Default>(
    db: &Db,
    name: &str,
    on: NaiveDate,
) -> Result<T, DbError> {
    let q = Query::select()
        .columns(["id", "name", "value", "valid_from", "set_by", "set_at", "note"])
        .from("parameters")
        .and_where(Expr::col("name").eq(name))
        .and_where(Expr::col("valid_from").lte(on))
        .order_by("valid_from", Order::Desc)
        .limit(1)
        .to_owned();
    let row: Option<ParameterVersion> = db.exec().fetch_optional(&q).await?;
    match row {
        None => Ok(T::default()),
        Some(r) => serde_json::from_str(&r.value)
            .map_err(|e| DbError::Invalid(format!("stored parameters '{name}' from {}: {e}", r.valid_from))),
    }
}

/// Like [`in_force`], with the first day of the stored value applied (`None`: the
/// defaults), for results that record which value they were decided under.
pub async fn in_force_dated<T: DeserializeOwned + Default>(
    db: &Db,
    name: &str,
    on: NaiveDate,
) -> Result<(T, Option<NaiveDate>), DbError> {
    let q = Query::select()
        .columns(["id", "name", "value", "valid_from", "set_by", "set_at", "note"])
        .from("parameters")
        .and_where(Expr::col("name").eq(name))
        .and_where(Expr::col("valid_from").lte(on))
        .order_by("valid_from", Order::Desc)
        .limit(1)
        .to_owned();
    let row: Option<ParameterVersion> = db.exec().fetch_optional(&q).await?;
    match row {
        None => Ok((T::default(), None)),
        Some(r) => serde_json::from_str(&r.value)
            .map(|v| (v, Some(r.valid_from)))
            .map_err(|e| DbError::Invalid(format!("stored parameters '{name}' from {}: {e}", r.valid_from))),
    }
}

/// Every stored value of group `name`, newest first.
pub async fn history(db: &Db, name: &str) -> Result<Vec<ParameterVersion>, DbError> {
    let q = Query::select()
        .columns(["id", "name", "value", "valid_from", "set_by", "set_at", "note"])
        .from("parameters")
        .and_where(Expr::col("name").eq(name))
        .order_by("valid_from", Order::Desc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// Stores `value` (validated by the caller) for group `name` from `valid_from` on,
/// replacing a value set for that same day, with `audit_entry` in the same transaction.
pub async fn set<T: Serialize>(
    db: &Db,
    name: &str,
    value: &T,
    valid_from: NaiveDate,
    set_by: Option<i64>,
    note: &str,
    audit_entry: Option<NewEntry>,
) -> Result<(), DbError> {
    let json = serde_json::to_string(value).map_err(|e| DbError::Invalid(e.to_string()))?;
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("parameters")
        .columns(["name", "value", "valid_from", "set_by", "set_at", "note"])
        .values_panic([
            name.into(),
            json.into(),
            valid_from.into(),
            set_by.into(),
            crate::now().into(),
            note.trim().to_owned().into(),
        ])
        .on_conflict(
            OnConflict::columns(["name", "valid_from"])
                .update_columns(["value", "set_by", "set_at", "note"])
                .to_owned(),
        )
        .to_owned();
    tx.exec().execute(&q).await?;
    if let Some(mut e) = audit_entry {
        e.target_type = "parameters".into();
        e.target_id = format!("{name}@{valid_from}");
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    if name == crate::person_facts::REPORTING {
        // The statistical years the persons statistics are kept for follow the cut-off day.
        crate::person_facts::ensure(db, diaban_domain::time::today_in_vietnam()).await?;
    }
    Ok(())
}
