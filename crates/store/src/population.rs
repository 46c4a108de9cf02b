//! Resident population per unit per year: the denominator of every rate.

use crate::db::Db;
use crate::error::DbError;
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;

/// One unit's population in one year.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Population {
    /// The unit.
    pub unit_id: i64,
    /// The year.
    pub year: i64,
    /// Residents.
    pub population: i64,
    /// Where the figure comes from ("import", "demo estimate", …).
    pub source: String,
}

/// Writes (inserts or replaces) population figures in one transaction: all or nothing.
#[tracing::instrument(skip_all, fields(rows = rows.len()))]
pub async fn upsert_all(db: &Db, rows: &[Population]) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    for chunk in rows.chunks(500) {
        let mut ins = Query::insert()
            .into_table("population")
            .columns(["unit_id", "year", "population", "source"])
            .on_conflict(
                OnConflict::columns(["unit_id", "year"])
                    .update_columns(["population", "source"])
                    .to_owned(),
            )
            .to_owned();
        for r in chunk {
            ins.values([
                r.unit_id.into(),
                r.year.into(),
                r.population.into(),
                r.source.clone().into(),
            ])
            .map_err(|e| DbError::Other(e.to_string()))?;
        }
        tx.exec().execute(&ins).await?;
    }
    tx.commit().await
}

/// A unit's population series, by year.
#[tracing::instrument(skip(db))]
pub async fn for_unit(db: &Db, unit_id: i64) -> Result<Vec<Population>, DbError> {
    let q = Query::select()
        .columns(["unit_id", "year", "population", "source"])
        .from("population")
        .and_where(Expr::col("unit_id").eq(unit_id))
        .order_by("year", Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}
