//! Loads the shipped administrative units (`data/` at the repository root, embedded in
//! the binary) into the database on first start. Idempotent: the loaded data set's
//! version is recorded in `reference_data`, and a database that has it is left alone.
//!
//! Source: the open data set of the MIT-licensed `vietnamadminunits` package 1.0.4
//! (national statistics office codes), as copied into `data/` (see data/README.md).

use crate::db::Db;
use crate::error::DbError;
use crate::exec::Count;
use chrono::Utc;
use diaban_domain::text::fold;
use diaban_domain::time::REORGANISATION_DATE;
use sea_query::{Expr, ExprTrait, Query};
use std::collections::HashMap;

const UNITS_2025: &str = include_str!("../../../data/units-2025.csv");
const UNITS_LEGACY: &str = include_str!("../../../data/units-legacy.csv");
const LINEAGE: &str = include_str!("../../../data/units-2025-lineage.csv");

/// The version recorded for the shipped unit data set.
pub const UNITS_VERSION: &str = "vietnamadminunits-1.0.4";
const LEGACY_LAST_DAY: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(2025, 6, 30) {
    Some(d) => d,
    None => panic!("2025-06-30 is a valid date"),
};

/// What [`load_units`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadOutcome {
    /// The data were already there.
    AlreadyLoaded,
    /// The data were loaded: number of units and lineage rows.
    Loaded {
        /// Units inserted.
        units: usize,
        /// Lineage links inserted.
        lineage: usize,
    },
}

struct UnitRow {
    id: i64,
    code: String,
    name: String,
    level: &'static str,
    unit_type: String,
    generation: &'static str,
    parent_id: Option<i64>,
    scope_province_id: Option<i64>,
    scope_commune_id: Option<i64>,
    lat: Option<f64>,
    lon: Option<f64>,
    area_km2: Option<f64>,
}

/// Loads the units, the legacy ones and the lineage, in one transaction, unless this
/// version is already loaded.
pub async fn load_units(db: &Db) -> Result<LoadOutcome, DbError> {
    let q = Query::select()
        .expr_as(Expr::col("version").count(), "n")
        .from("reference_data")
        .and_where(Expr::col("name").eq("units"))
        .and_where(Expr::col("version").eq(UNITS_VERSION))
        .to_owned();
    let done: Count = db.exec().fetch_one(&q).await?;
    if done.n > 0 {
        return Ok(LoadOutcome::AlreadyLoaded);
    }
    let (units, lineage) = build_rows()?;
    let mut tx = db.begin().await?;
    for chunk in units.chunks(500) {
        let mut ins = Query::insert()
            .into_table("units")
            .columns([
                "id",
                "code",
                "name",
                "name_folded",
                "level",
                "unit_type",
                "generation",
                "parent_id",
                "scope_province_id",
                "scope_commune_id",
                "valid_from",
                "valid_to",
                "lat",
                "lon",
                "area_km2",
            ])
            .to_owned();
        for u in chunk {
            let (from, to) = if u.generation == "2025" {
                (Some(REORGANISATION_DATE), None)
            } else {
                (None, Some(LEGACY_LAST_DAY))
            };
            ins.values([
                u.id.into(),
                u.code.clone().into(),
                u.name.clone().into(),
                fold(&u.name).into(),
                u.level.into(),
                u.unit_type.clone().into(),
                u.generation.into(),
                u.parent_id.into(),
                u.scope_province_id.into(),
                u.scope_commune_id.into(),
                from.into(),
                to.into(),
                u.lat.into(),
                u.lon.into(),
                u.area_km2.into(),
            ])
            .map_err(|e| DbError::Other(e.to_string()))?;
        }
        tx.exec().execute(&ins).await?;
    }
    for chunk in lineage.chunks(1000) {
        let mut ins = Query::insert()
            .into_table("unit_lineage")
            .columns(["legacy_id", "current_id", "kind", "is_default"])
            .to_owned();
        for (legacy, current, kind, is_default) in chunk {
            ins.values([(*legacy).into(), (*current).into(), (*kind).into(), (*is_default).into()])
                .map_err(|e| DbError::Other(e.to_string()))?;
        }
        tx.exec().execute(&ins).await?;
    }
    let ins = Query::insert()
        .into_table("reference_data")
        .columns(["name", "version", "loaded_at"])
        .values_panic(["units".into(), UNITS_VERSION.into(), Utc::now().into()])
        .to_owned();
    tx.exec().execute(&ins).await?;
    tx.commit().await?;
    Ok(LoadOutcome::Loaded { units: units.len(), lineage: lineage.len() })
}

fn bad(what: &str, e: impl std::fmt::Display) -> DbError {
    DbError::Invalid(format!("shipped unit data ({what}) is unreadable: {e}"))
}

fn opt_f64(s: &str) -> Option<f64> {
    s.trim().parse().ok()
}

/// Parses the three embedded files into rows with deterministic ids: current provinces,
/// current communes, legacy provinces, legacy districts, legacy communes, in file order.
/// A lineage link: legacy id, current id, kind, is_default.
type LineageRow = (i64, i64, &'static str, bool);

fn build_rows() -> Result<(Vec<UnitRow>, Vec<LineageRow>), DbError> {
    let mut rows: Vec<UnitRow> = Vec::with_capacity(14_500);
    let mut next_id = 1i64;
    let mut current_province: HashMap<String, i64> = HashMap::new();
    let mut current_commune: HashMap<String, i64> = HashMap::new();
    let mut current_by_name: HashMap<String, i64> = HashMap::new();
    let mut province_sums: HashMap<i64, (f64, f64, f64, f64)> = HashMap::new();

    let mut rdr = csv::Reader::from_reader(UNITS_2025.as_bytes());
    let records: Vec<csv::StringRecord> =
        rdr.records().collect::<Result<_, _>>().map_err(|e| bad("units-2025", e))?;
    for r in &records {
        let (pcode, pname) = (&r[0], &r[1]);
        if !current_province.contains_key(pcode) {
            let id = next_id;
            next_id += 1;
            current_province.insert(pcode.to_owned(), id);
            rows.push(UnitRow {
                id,
                code: pcode.to_owned(),
                name: pname.to_owned(),
                level: "province",
                unit_type: province_type(pname),
                generation: "2025",
                parent_id: None,
                scope_province_id: Some(id),
                scope_commune_id: None,
                lat: None,
                lon: None,
                area_km2: None,
            });
        }
    }
    for r in &records {
        let pid = current_province[&r[0]];
        let id = next_id;
        next_id += 1;
        current_commune.insert(r[2].to_owned(), id);
        current_by_name.insert(r[3].to_owned(), id);
        let (lat, lon, area) = (opt_f64(&r[5]), opt_f64(&r[6]), opt_f64(&r[7]));
        if let (Some(la), Some(lo)) = (lat, lon) {
            let s = province_sums.entry(pid).or_default();
            *s = (s.0 + la, s.1 + lo, s.2 + 1.0, s.3 + area.unwrap_or(0.0));
        }
        rows.push(UnitRow {
            id,
            code: r[2].to_owned(),
            name: r[3].to_owned(),
            level: "commune",
            unit_type: r[4].to_owned(),
            generation: "2025",
            parent_id: Some(pid),
            scope_province_id: Some(pid),
            scope_commune_id: Some(id),
            lat,
            lon,
            area_km2: area,
        });
    }

    // Lineage: legacy commune code -> (current commune id, kind, is_default).
    let mut lineage_by_code: HashMap<String, Vec<(i64, &'static str, bool)>> = HashMap::new();
    let mut rdr = csv::Reader::from_reader(LINEAGE.as_bytes());
    for r in rdr.records() {
        let r = r.map_err(|e| bad("lineage", e))?;
        let current = *current_commune
            .get(&r[1])
            .ok_or_else(|| bad("lineage", format!("unknown 2025 unit {}", &r[1])))?;
        let kind = if &r[2] == "whole" { "whole" } else { "split" };
        lineage_by_code.entry(r[0].to_owned()).or_default().push((current, kind, &r[3] == "1"));
    }
    let commune_province: HashMap<i64, i64> =
        rows.iter().filter(|u| u.level == "commune").filter_map(|u| Some((u.id, u.parent_id?))).collect();

    let mut rdr = csv::Reader::from_reader(UNITS_LEGACY.as_bytes());
    let legacy: Vec<csv::StringRecord> =
        rdr.records().collect::<Result<_, _>>().map_err(|e| bad("units-legacy", e))?;
    let mut legacy_province: HashMap<String, usize> = HashMap::new();
    let mut legacy_district: HashMap<String, usize> = HashMap::new();
    for r in &legacy {
        if !legacy_province.contains_key(&r[0]) {
            legacy_province.insert(r[0].to_owned(), rows.len());
            rows.push(UnitRow {
                id: next_id,
                code: r[0].to_owned(),
                name: r[1].to_owned(),
                level: "province",
                unit_type: province_type(&r[1]),
                generation: "legacy",
                parent_id: None,
                scope_province_id: None,
                scope_commune_id: None,
                lat: None,
                lon: None,
                area_km2: None,
            });
            next_id += 1;
        }
    }
    for r in &legacy {
        if !legacy_district.contains_key(&r[2]) {
            let parent = rows[legacy_province[&r[0]]].id;
            legacy_district.insert(r[2].to_owned(), rows.len());
            rows.push(UnitRow {
                id: next_id,
                code: r[2].to_owned(),
                name: r[3].to_owned(),
                level: "district",
                unit_type: r[4].to_owned(),
                generation: "legacy",
                parent_id: Some(parent),
                scope_province_id: None,
                scope_commune_id: None,
                lat: None,
                lon: None,
                area_km2: None,
            });
            next_id += 1;
        }
    }
    let mut lineage = Vec::with_capacity(10_600);
    // Votes of legacy communes for the current province of their default successor,
    // to give legacy districts and provinces the scope most of their communes went to.
    let mut votes: HashMap<usize, HashMap<i64, usize>> = HashMap::new();
    let mut sums: HashMap<usize, (f64, f64, f64)> = HashMap::new();
    for r in &legacy {
        let d_idx = legacy_district[&r[2]];
        let p_idx = legacy_province[&r[0]];
        let id = next_id;
        next_id += 1;
        // Five island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) had no
        // communes: the district governed directly. They are kept as commune-level units
        // under their own code, and linked whole to the 2025 special zone (đặc khu) of the
        // same name, which the lineage file leaves out.
        let island = r[5].is_empty();
        let (code, name, unit_type) = if island { (&r[2], &r[3], &r[4]) } else { (&r[5], &r[6], &r[7]) };
        let links = if island {
            let bare = name.split_once(' ').map(|(_, n)| n).unwrap_or(name);
            current_by_name
                .get(&format!("Đặc khu {bare}"))
                .map(|c| vec![(*c, "whole", true)])
                .unwrap_or_default()
        } else {
            lineage_by_code.get(code).cloned().unwrap_or_default()
        };
        let default = links.iter().find(|l| l.2).or(links.first()).map(|l| l.0);
        let scope_province = default.and_then(|c| commune_province.get(&c).copied());
        for (current, kind, is_default) in &links {
            lineage.push((id, *current, *kind, *is_default));
        }
        if let Some(p) = scope_province {
            *votes.entry(d_idx).or_default().entry(p).or_default() += 1;
            *votes.entry(p_idx).or_default().entry(p).or_default() += 1;
        }
        let (lat, lon) = match (opt_f64(&r[8]), opt_f64(&r[9])) {
            (None, None) if island => links
                .first()
                .and_then(|l| rows.iter().find(|u| u.id == l.0))
                .map_or((None, None), |u| (u.lat, u.lon)),
            other => other,
        };
        if let (Some(la), Some(lo)) = (lat, lon) {
            for idx in [d_idx, p_idx] {
                let s = sums.entry(idx).or_default();
                *s = (s.0 + la, s.1 + lo, s.2 + 1.0);
            }
        }
        rows.push(UnitRow {
            id,
            code: code.to_owned(),
            name: name.to_owned(),
            level: "commune",
            unit_type: unit_type.to_owned(),
            generation: "legacy",
            parent_id: Some(rows[d_idx].id),
            scope_province_id: scope_province,
            scope_commune_id: default,
            lat,
            lon,
            area_km2: None,
        });
    }
    for (idx, v) in votes {
        // Most votes wins; ties go to the smaller id so the result is deterministic.
        rows[idx].scope_province_id =
            v.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(p, _)| p);
    }
    for (idx, (la, lo, n)) in sums {
        rows[idx].lat = Some(round6(la / n));
        rows[idx].lon = Some(round6(lo / n));
    }
    for u in rows.iter_mut().filter(|u| u.generation == "2025" && u.level == "province") {
        if let Some((la, lo, n, area)) = province_sums.get(&u.id) {
            u.lat = Some(round6(la / n));
            u.lon = Some(round6(lo / n));
            u.area_km2 = Some((area * 100.0).round() / 100.0);
        }
    }
    Ok((rows, lineage))
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn province_type(name: &str) -> String {
    if name.starts_with("Thành phố") { "Thành phố" } else { "Tỉnh" }.to_owned()
}

/// Whether a named data set (e.g. "demo") has been recorded as loaded.
pub async fn is_loaded(db: &Db, name: &str) -> Result<bool, DbError> {
    let q = Query::select()
        .expr_as(Expr::col("name").count(), "n")
        .from("reference_data")
        .and_where(Expr::col("name").eq(name))
        .to_owned();
    let c: Count = db.exec().fetch_one(&q).await?;
    Ok(c.n > 0)
}

/// Records that a named data set has been loaded.
pub async fn mark_loaded(db: &Db, name: &str, version: &str) -> Result<(), DbError> {
    let ins = Query::insert()
        .into_table("reference_data")
        .columns(["name", "version", "loaded_at"])
        .values_panic([name.into(), version.into(), Utc::now().into()])
        .to_owned();
    db.exec().execute(&ins).await.map(|_| ())
}
