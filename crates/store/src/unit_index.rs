//! An in-memory copy of the administrative units for name searches.
//!
//! The units never change while the server runs (they are loaded once, before it
//! starts), and a name search is a substring match that no B-tree index serves, so a
//! database scan of ~14,000 rows costs a few milliseconds. The index answers the same
//! [`UnitFilter`] as [`crate::units::search`], with the same order, in microseconds.

use crate::db::Db;
use crate::error::DbError;
use crate::units::{Unit, UnitFilter, UnitOrder};
use diaban_domain::text::fold;
use sea_query::Query;
use std::cmp::Ordering;

/// Every unit with its folded name.
#[derive(Debug, Default)]
pub struct UnitIndex {
    units: Vec<(Unit, String)>,
}

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(flatten)]
    unit: Unit,
    name_folded: String,
}

impl UnitIndex {
    /// Reads every unit from the database.
    pub async fn load(db: &Db) -> Result<UnitIndex, DbError> {
        let q = Query::select()
            .columns(crate::units::COLUMNS.map(|c| ("units", c)))
            .column(("units", "name_folded"))
            .from("units")
            .to_owned();
        let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
        Ok(UnitIndex { units: rows.into_iter().map(|r| (r.unit, r.name_folded)).collect() })
    }

    /// Number of units held.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether no unit is held (the reference data was not loaded).
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Units matching the filter, in the order of [`crate::units::search`], with the
    /// total before paging.
    pub fn search(&self, f: &UnitFilter) -> (Vec<Unit>, i64) {
        let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        let folded = q.map(fold);
        let mut hits: Vec<&(Unit, String)> = self
            .units
            .iter()
            .filter(|(u, name)| {
                f.level.is_none_or(|l| u.level == l.as_str())
                    && f.parent_id.is_none_or(|p| u.parent_id == Some(p))
                    && f.as_of.is_none_or(|d| u.valid_on(d))
                    && f.scope_province_id.is_none_or(|p| u.scope_province_id == Some(p))
                    && f.scope_commune_id.is_none_or(|c| u.scope_commune_id == Some(c))
                    && f.generation.as_deref().is_none_or(|g| u.generation == g)
                    && match (q, folded.as_deref()) {
                        (Some(q), Some(folded)) => name.contains(folded) || u.code == q,
                        _ => true,
                    }
            })
            .collect();
        let first = |a: &(Unit, String), b: &(Unit, String)| -> Ordering {
            match f.order {
                UnitOrder::Code => a.0.code.cmp(&b.0.code),
                UnitOrder::Name => a.1.cmp(&b.1),
                // NULL areas sort first ascending, as SQLite does.
                UnitOrder::Area => a.0.area_km2.partial_cmp(&b.0.area_km2).unwrap_or(Ordering::Equal),
            }
        };
        hits.sort_by(|a, b| {
            let o = first(a, b);
            let o = if f.desc { o.reverse() } else { o };
            o.then_with(|| a.0.code.cmp(&b.0.code)).then_with(|| a.0.generation.cmp(&b.0.generation))
        });
        let total = hits.len() as i64;
        let page = hits
            .into_iter()
            .skip(usize::try_from(f.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(f.limit).unwrap_or(usize::MAX))
            .map(|(u, _)| u.clone())
            .collect();
        (page, total)
    }
}
