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
                OnConflict::columns(["unit_id", "year"]).update_columns(["population", "source"]).to_owned(),
            )
            .to_owned();
        for r in chunk {
            ins.values([r.unit_id.into(), r.year.into(), r.population.into(), r.source.clone().into()])
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

/// A population file that cannot be imported: every bad row, by line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportErrors(pub Vec<(u64, String)>);

impl std::fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "nothing imported: {} bad row(s)", self.0.len())?;
        for (line, why) in self.0.iter().take(20) {
            write!(f, "; line {line}: {why}")?;
        }
        if self.0.len() > 20 {
            write!(f, "; …")?;
        }
        Ok(())
    }
}

/// Imports a CSV with the header `unit_code,year,population`, all or nothing. A code is
/// read as the unit that had it on 1 July of the row's year, so a 2024 row with code 51
/// means the legacy Quảng Ngãi and a 2025 row the merged one. Returns the rows written.
#[tracing::instrument(skip_all)]
pub async fn import_csv(db: &Db, input: impl std::io::Read, source: &str) -> Result<usize, ImportOutcome> {
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(input);
    let header = rdr.headers().map_err(|e| ImportOutcome::Invalid(ImportErrors(vec![(1, e.to_string())])))?;
    let expected = ["unit_code", "year", "population"];
    if header.iter().collect::<Vec<_>>() != expected {
        return Err(ImportOutcome::Invalid(ImportErrors(vec![(
            1,
            format!("the header must be exactly {}", expected.join(",")),
        )])));
    }
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push((line, "unreadable row".to_owned()));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() != 3 {
            errors.push((line, format!("expected 3 columns, found {}", rec.len())));
            continue;
        }
        let code = &rec[0];
        let Ok(year) = rec[1].parse::<i32>() else {
            errors.push((line, format!("year '{}' is not a whole number", &rec[1])));
            continue;
        };
        if !(1900..=2200).contains(&year) {
            errors.push((line, format!("year {year} is outside 1900–2200")));
            continue;
        }
        let Ok(population) = rec[2].parse::<i64>() else {
            errors.push((line, format!("population '{}' is not a whole number", &rec[2])));
            continue;
        };
        if population < 0 {
            errors.push((line, "population cannot be negative".to_owned()));
            continue;
        }
        if !diaban_domain::unit::is_valid_unit_code(code) {
            errors.push((line, format!("unit code '{code}' is not 2 to 5 digits")));
            continue;
        }
        let mid_year = chrono::NaiveDate::from_ymd_opt(year, 7, 1).unwrap_or_default();
        let unit = crate::units::by_code(db, code, None, mid_year).await.map_err(ImportOutcome::Db)?;
        match unit {
            Some(u) if u.valid_on(mid_year) => {
                if !seen.insert((u.id, year)) {
                    errors.push((line, format!("unit {code} and year {year} appear twice")));
                    continue;
                }
                rows.push(Population {
                    unit_id: u.id,
                    year: year.into(),
                    population,
                    source: source.to_owned(),
                })
            }
            Some(_) => errors.push((line, format!("unit {code} did not exist in {year}"))),
            None => errors.push((line, format!("no unit has code {code}"))),
        }
    }
    if !errors.is_empty() {
        return Err(ImportOutcome::Invalid(ImportErrors(errors)));
    }
    if rows.is_empty() {
        return Err(ImportOutcome::Invalid(ImportErrors(vec![(1, "the file has no rows".to_owned())])));
    }
    upsert_all(db, &rows).await.map_err(ImportOutcome::Db)?;
    Ok(rows.len())
}

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportOutcome {
    /// Bad rows; nothing was written.
    #[error("{0}")]
    Invalid(ImportErrors),
    /// The database failed; nothing was written.
    #[error(transparent)]
    Db(DbError),
}

/// The latest population figure of each of `unit_ids` (year, residents).
pub async fn latest_for(
    db: &Db,
    unit_ids: &[i64],
) -> Result<std::collections::HashMap<i64, (i64, i64)>, DbError> {
    if unit_ids.is_empty() {
        return Ok(Default::default());
    }
    let q = Query::select()
        .columns(["unit_id", "year", "population", "source"])
        .from("population")
        .and_where(Expr::col("unit_id").is_in(unit_ids.iter().copied()))
        .order_by("year", Order::Asc)
        .to_owned();
    let rows: Vec<Population> = db.exec().fetch_all(&q).await?;
    // Ascending by year: later years overwrite earlier ones.
    Ok(rows.into_iter().map(|p| (p.unit_id, (p.year, p.population))).collect())
}
