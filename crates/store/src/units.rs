//! Administrative units: look-ups by code and name, children, the units valid on a date,
//! and the lineage between the legacy units and the 2025 ones.

use crate::db::Db;
use crate::error::DbError;
use crate::exec::Count;
use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::text::fold;
use sea_query::{Cond, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde::Serialize;

/// An administrative unit as stored.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Unit {
    /// Internal id; other tables refer to units by it.
    pub id: i64,
    /// The official code (string: leading zeros kept).
    pub code: String,
    /// The official name, e.g. "Xã Đắk Tô".
    pub name: String,
    /// province, district or commune.
    pub level: String,
    /// Xã, Phường, Đặc khu, Thị trấn, Huyện, Tỉnh, Thành phố, …
    pub unit_type: String,
    /// "2025" or "legacy".
    pub generation: String,
    /// The parent unit, if any.
    pub parent_id: Option<i64>,
    /// The current province the unit's records count towards.
    pub scope_province_id: Option<i64>,
    /// The current commune the unit's records count towards (communes only).
    pub scope_commune_id: Option<i64>,
    /// First day of validity (None: before records began).
    pub valid_from: Option<NaiveDate>,
    /// Last day of validity (None: still valid).
    pub valid_to: Option<NaiveDate>,
    /// Approximate centre latitude.
    pub lat: Option<f64>,
    /// Approximate centre longitude.
    pub lon: Option<f64>,
    /// Area in km², where known.
    pub area_km2: Option<f64>,
}

impl Unit {
    /// Whether the unit is valid on `date`.
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= date) && self.valid_to.is_none_or(|t| t >= date)
    }

    /// Whether this is a legacy (pre-2025) unit.
    pub fn is_legacy(&self) -> bool {
        self.generation == "legacy"
    }
}

/// A link in the lineage: the unit at the other end, and how it is linked.
#[derive(Debug, Clone, Serialize)]
pub struct LineageLink {
    /// The linked unit.
    pub unit: Unit,
    /// whole or split, for commune-to-commune links; None for aggregated links.
    pub kind: Option<String>,
    /// Whether this is the default successor of a split unit.
    pub is_default: Option<bool>,
}

/// Filters for [`search`].
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Only units of this level.
    pub level: Option<UnitLevel>,
    /// Only children of this unit.
    pub parent_id: Option<i64>,
    /// Name contains this text (accent- and case-insensitive), or code equals it.
    pub q: Option<String>,
    /// Only units valid on this date.
    pub as_of: Option<NaiveDate>,
    /// Only units whose records count towards this current province.
    pub scope_province_id: Option<i64>,
    /// Only units whose records count towards this current commune.
    pub scope_commune_id: Option<i64>,
    /// Only units of this generation ("2025" or "legacy").
    pub generation: Option<String>,
    /// Sort column.
    pub order: UnitOrder,
    /// Sort descending.
    pub desc: bool,
    /// Page size.
    pub limit: u64,
    /// Rows to skip.
    pub offset: u64,
}

/// Columns a unit list can be sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnitOrder {
    /// By official code (default).
    #[default]
    Code,
    /// By name, accents ignored.
    Name,
    /// By area.
    Area,
}

pub(crate) const COLUMNS: [&str; 14] = [
    "id",
    "code",
    "name",
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
];

fn select_units() -> SelectStatement {
    Query::select().columns(COLUMNS.map(|c| ("units", c))).from("units").to_owned()
}

fn valid_on(date: NaiveDate) -> Cond {
    Cond::all()
        .add(
            Cond::any()
                .add(Expr::col(("units", "valid_from")).is_null())
                .add(Expr::col(("units", "valid_from")).lte(date)),
        )
        .add(
            Cond::any()
                .add(Expr::col(("units", "valid_to")).is_null())
                .add(Expr::col(("units", "valid_to")).gte(date)),
        )
}

/// A unit by id.
#[tracing::instrument(skip(db))]
pub async fn get(db: &Db, id: i64) -> Result<Unit, DbError> {
    let q = select_units().and_where(Expr::col(("units", "id")).eq(id)).to_owned();
    db.exec().fetch_one(&q).await
}

/// The unit with `code` at `level` (any level when None) valid on `as_of`; when no unit
/// with that code is valid then, the most recent one that had it (a legacy code such as
/// Kon Tum's 62 still resolves). None when the code was never used.
#[tracing::instrument(skip(db))]
pub async fn by_code(
    db: &Db,
    code: &str,
    level: Option<UnitLevel>,
    as_of: NaiveDate,
) -> Result<Option<Unit>, DbError> {
    let mut q = select_units().and_where(Expr::col(("units", "code")).eq(code)).to_owned();
    if let Some(l) = level {
        q.and_where(Expr::col(("units", "level")).eq(l.as_str()));
    }
    let mut all: Vec<Unit> = db.exec().fetch_all(&q).await?;
    if let Some(i) = all.iter().position(|u| u.valid_on(as_of)) {
        return Ok(Some(all.swap_remove(i)));
    }
    all.sort_by_key(|u| std::cmp::Reverse(u.valid_to));
    Ok(all.into_iter().next())
}

/// Units matching the filter, ordered by code, with the total before paging.
#[tracing::instrument(skip(db))]
pub async fn search(db: &Db, f: &UnitFilter) -> Result<(Vec<Unit>, i64), DbError> {
    let mut cond = Cond::all();
    if let Some(l) = f.level {
        cond = cond.add(Expr::col(("units", "level")).eq(l.as_str()));
    }
    if let Some(p) = f.parent_id {
        cond = cond.add(Expr::col(("units", "parent_id")).eq(p));
    }
    if let Some(d) = f.as_of {
        // Redundant with the validity dates (the two generations meet on 1 July 2025), but
        // it lets the (generation, level) index cut the rows a name search scans.
        let generation = if d >= diaban_domain::time::REORGANISATION_DATE { "2025" } else { "legacy" };
        cond = cond.add(valid_on(d)).add(Expr::col(("units", "generation")).eq(generation));
    }
    if let Some(p) = f.scope_province_id {
        cond = cond.add(Expr::col(("units", "scope_province_id")).eq(p));
    }
    if let Some(c) = f.scope_commune_id {
        cond = cond.add(Expr::col(("units", "scope_commune_id")).eq(c));
    }
    if let Some(g) = &f.generation {
        cond = cond.add(Expr::col(("units", "generation")).eq(g.as_str()));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let folded = fold(q);
        let pattern = format!("%{}%", escape_like(&folded));
        cond = cond.add(
            Cond::any()
                .add(Expr::col(("units", "name_folded")).like(sea_query::LikeExpr::new(pattern).escape('\\')))
                .add(Expr::col(("units", "code")).eq(q)),
        );
    }
    let dir = if f.desc { Order::Desc } else { Order::Asc };
    let first = match f.order {
        UnitOrder::Code => "code",
        UnitOrder::Name => "name_folded",
        UnitOrder::Area => "area_km2",
    };
    // The total comes with the page (a window count) so the names are scanned once.
    let q = select_units()
        .expr_as(Expr::cust("COUNT(*) OVER ()"), "total")
        .cond_where(cond.clone())
        .order_by(("units", first), dir)
        .order_by(("units", "code"), Order::Asc)
        .order_by(("units", "generation"), Order::Asc)
        .limit(f.limit)
        .offset(f.offset)
        .to_owned();
    let rows: Vec<CountedUnit> = db.exec().fetch_all(&q).await?;
    let total = match rows.first() {
        Some(r) => r.total,
        // An empty page past the end, or a request for the total only: count apart.
        None if f.offset > 0 || f.limit == 0 => {
            let count = Query::select()
                .expr_as(Expr::col(("units", "id")).count(), "n")
                .from("units")
                .cond_where(cond)
                .to_owned();
            db.exec().fetch_one::<Count, _>(&count).await?.n
        }
        None => 0,
    };
    Ok((rows.into_iter().map(|r| r.unit).collect(), total))
}

#[derive(sqlx::FromRow)]
struct CountedUnit {
    #[sqlx(flatten)]
    unit: Unit,
    total: i64,
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The children of a unit, ordered by code.
#[tracing::instrument(skip(db))]
pub async fn children(db: &Db, id: i64) -> Result<Vec<Unit>, DbError> {
    let q = select_units()
        .and_where(Expr::col(("units", "parent_id")).eq(id))
        .order_by(("units", "code"), Order::Asc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    other: i64,
    kind: Option<String>,
    is_default: Option<bool>,
}

async fn links(db: &Db, q: SelectStatement) -> Result<Vec<LineageLink>, DbError> {
    let rows: Vec<LinkRow> = db.exec().fetch_all(&q).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(LineageLink { unit: get(db, r.other).await?, kind: r.kind, is_default: r.is_default });
    }
    out.sort_by(|a, b| a.unit.code.cmp(&b.unit.code));
    Ok(out)
}

/// For a legacy unit, the current units it went into: a commune's successors through
/// the lineage; a district's, the current communes its communes went into; a
/// province's, the current provinces. Empty for a current unit.
#[tracing::instrument(skip(db, unit), fields(unit = unit.id))]
pub async fn successors(db: &Db, unit: &Unit) -> Result<Vec<LineageLink>, DbError> {
    if !unit.is_legacy() {
        return Ok(vec![]);
    }
    let q = match unit.level.as_str() {
        "commune" => Query::select()
            .expr_as(Expr::col(("l", "current_id")), "other")
            .expr_as(Expr::col(("l", "kind")), "kind")
            .expr_as(Expr::col(("l", "is_default")), "is_default")
            .from_as("unit_lineage", "l")
            .and_where(Expr::col(("l", "legacy_id")).eq(unit.id))
            .to_owned(),
        "district" => Query::select()
            .distinct()
            .expr_as(Expr::col(("l", "current_id")), "other")
            .expr_as(Expr::cust("NULL"), "kind")
            .expr_as(Expr::cust("NULL"), "is_default")
            .from_as("unit_lineage", "l")
            .join_as(JoinType::InnerJoin, "units", "lc", Expr::col(("lc", "id")).equals(("l", "legacy_id")))
            .and_where(Expr::col(("lc", "parent_id")).eq(unit.id))
            .to_owned(),
        _ => Query::select()
            .distinct()
            .expr_as(Expr::col(("cc", "parent_id")), "other")
            .expr_as(Expr::cust("NULL"), "kind")
            .expr_as(Expr::cust("NULL"), "is_default")
            .from_as("unit_lineage", "l")
            .join_as(JoinType::InnerJoin, "units", "lc", Expr::col(("lc", "id")).equals(("l", "legacy_id")))
            .join_as(JoinType::InnerJoin, "units", "ld", Expr::col(("ld", "id")).equals(("lc", "parent_id")))
            .join_as(JoinType::InnerJoin, "units", "cc", Expr::col(("cc", "id")).equals(("l", "current_id")))
            .and_where(Expr::col(("ld", "parent_id")).eq(unit.id))
            .to_owned(),
    };
    links(db, q).await
}

/// For a current unit, the legacy units that went into it: a commune's legacy communes
/// through the lineage; a province's, the legacy provinces. Empty for a legacy unit.
#[tracing::instrument(skip(db, unit), fields(unit = unit.id))]
pub async fn predecessors(db: &Db, unit: &Unit) -> Result<Vec<LineageLink>, DbError> {
    if unit.is_legacy() {
        return Ok(vec![]);
    }
    let q = match unit.level.as_str() {
        "commune" => Query::select()
            .expr_as(Expr::col(("l", "legacy_id")), "other")
            .expr_as(Expr::col(("l", "kind")), "kind")
            .expr_as(Expr::col(("l", "is_default")), "is_default")
            .from_as("unit_lineage", "l")
            .and_where(Expr::col(("l", "current_id")).eq(unit.id))
            .to_owned(),
        _ => Query::select()
            .distinct()
            .expr_as(Expr::col(("ld", "parent_id")), "other")
            .expr_as(Expr::cust("NULL"), "kind")
            .expr_as(Expr::cust("NULL"), "is_default")
            .from_as("unit_lineage", "l")
            .join_as(JoinType::InnerJoin, "units", "lc", Expr::col(("lc", "id")).equals(("l", "legacy_id")))
            .join_as(JoinType::InnerJoin, "units", "ld", Expr::col(("ld", "id")).equals(("lc", "parent_id")))
            .join_as(JoinType::InnerJoin, "units", "cc", Expr::col(("cc", "id")).equals(("l", "current_id")))
            .and_where(Expr::col(("cc", "parent_id")).eq(unit.id))
            .to_owned(),
    };
    links(db, q).await
}

/// Number of units of a level and generation ("2025" or "legacy").
pub async fn count(db: &Db, level: UnitLevel, generation: &str) -> Result<i64, DbError> {
    let q = Query::select()
        .expr_as(Expr::col("id").count(), "n")
        .from("units")
        .and_where(Expr::col("level").eq(level.as_str()))
        .and_where(Expr::col("generation").eq(generation))
        .to_owned();
    let c: Count = db.exec().fetch_one(&q).await?;
    Ok(c.n)
}

/// Units by id, in no particular order; unknown ids are left out.
#[tracing::instrument(skip_all, fields(n = ids.len()))]
pub async fn get_many(db: &Db, ids: &[i64]) -> Result<Vec<Unit>, DbError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let q = select_units().and_where(Expr::col(("units", "id")).is_in(ids.iter().copied())).to_owned();
    db.exec().fetch_all(&q).await
}

#[derive(sqlx::FromRow)]
struct IdOnly {
    id: i64,
}

/// The current (2025) communes that hold the territory of `unit`, sorted by id: a
/// current commune is itself; a current province, its communes; a legacy commune,
/// district or province, the current communes its communes went into through the
/// lineage (all successors of a split commune). This is how a plan of legacy Kon Tum
/// (62) and figures asked for code 62 find the communes of today.
#[tracing::instrument(skip(db, unit), fields(unit = unit.id))]
pub async fn territory(db: &Db, unit: &Unit) -> Result<Vec<i64>, DbError> {
    let current_communes = || {
        Query::select()
            .column("id")
            .from("units")
            .and_where(Expr::col("level").eq("commune"))
            .and_where(Expr::col("generation").eq("2025"))
            .to_owned()
    };
    let through_lineage = || {
        Query::select()
            .distinct()
            .expr_as(Expr::col(("l", "current_id")), "id")
            .from_as("unit_lineage", "l")
            .join_as(JoinType::InnerJoin, "units", "lc", Expr::col(("lc", "id")).equals(("l", "legacy_id")))
            .to_owned()
    };
    let q = match (unit.is_legacy(), unit.level.as_str()) {
        (false, "commune") => return Ok(vec![unit.id]),
        (false, _) => current_communes().and_where(Expr::col("parent_id").eq(unit.id)).to_owned(),
        (true, "commune") => through_lineage().and_where(Expr::col(("lc", "id")).eq(unit.id)).to_owned(),
        (true, "district") => {
            through_lineage().and_where(Expr::col(("lc", "parent_id")).eq(unit.id)).to_owned()
        }
        (true, _) => through_lineage()
            .join_as(JoinType::InnerJoin, "units", "ld", Expr::col(("ld", "id")).equals(("lc", "parent_id")))
            .and_where(Expr::col(("ld", "parent_id")).eq(unit.id))
            .to_owned(),
    };
    let rows: Vec<IdOnly> = db.exec().fetch_all(&q).await?;
    let mut ids: Vec<i64> = rows.into_iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Every current (2025) commune, sorted by id (a national plan's territory).
pub async fn all_current_communes(db: &Db) -> Result<Vec<i64>, DbError> {
    let q = Query::select()
        .column("id")
        .from("units")
        .and_where(Expr::col("level").eq("commune"))
        .and_where(Expr::col("generation").eq("2025"))
        .order_by("id", Order::Asc)
        .to_owned();
    let rows: Vec<IdOnly> = db.exec().fetch_all(&q).await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// A unit by code for figures over a period: the current province or commune with the
/// code first, else a legacy province, district or commune that had it (its territory
/// is then found through the lineage). None when the code was never used.
pub async fn for_figures(db: &Db, code: &str) -> Result<Option<Unit>, DbError> {
    if !diaban_domain::unit::is_valid_unit_code(code) {
        return Ok(None);
    }
    if let Some(u) = current_scope_unit(db, code, false).await? {
        return Ok(Some(u));
    }
    if let Some(u) = current_scope_unit(db, code, true).await? {
        return Ok(Some(u));
    }
    let q = select_units()
        .and_where(Expr::col(("units", "code")).eq(code))
        .and_where(Expr::col(("units", "generation")).eq("legacy"))
        .to_owned();
    let mut all: Vec<Unit> = db.exec().fetch_all(&q).await?;
    // Provinces before districts before communes when a code is shared across levels.
    let rank = |u: &Unit| match u.level.as_str() {
        "province" => 0,
        "district" => 1,
        _ => 2,
    };
    all.sort_by_key(|u| (rank(u), std::cmp::Reverse(u.valid_to)));
    Ok(all.into_iter().next())
}

/// The current (2025) unit that can scope an account: a commune when `commune`, else a
/// province. None when the code is malformed, unknown, or names a legacy unit.
pub async fn current_scope_unit(db: &Db, code: &str, commune: bool) -> Result<Option<Unit>, DbError> {
    if !diaban_domain::unit::is_valid_unit_code(code) {
        return Ok(None);
    }
    let level = if commune { UnitLevel::Commune } else { UnitLevel::Province };
    let today = diaban_domain::time::today_in_vietnam();
    Ok(by_code(db, code, Some(level), today).await?.filter(|u| !u.is_legacy()))
}
