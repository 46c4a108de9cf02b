//! The rows the indicator catalogue (`diaban_analytics::indicators`) is computed from,
//! for one scope, a period and the period before: sites and areas with their dated
//! states, persons grouped (`person_stats::groups`), the classes of communes, cases,
//! rings, propaganda and inspections. No identity leaves this module.
//!
//! Every row is attributed to the **current** commune its unit counts towards
//! (`units.scope_commune_id`): a legacy commune's rows add up in the commune it became,
//! which is how figures from before the 2025 merger compare with figures after it.

use crate::db::Db;
use crate::error::DbError;
use crate::persons::Scope;
use crate::{areas, person_stats, sites};
use chrono::NaiveDate;
use diaban_analytics::indicators::{ActivityFact, CaseFact, Classes, Data, SeizureFact};
use diaban_domain::classification::{CommuneClass, CriteriaVersion};
use diaban_domain::period::Period;
use diaban_domain::person::stats::StatGroup;
use sea_query::{Alias, Expr, ExprTrait, Func, JoinType, Query, SelectStatement};
use std::collections::BTreeMap;

/// What the catalogue needs besides the rows.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    /// The period of the values.
    pub period: Period,
    /// The period before.
    pub previous: Period,
    /// The plan's baseline (hot spots active on it are the T2 denominator).
    pub baseline: NaiveDate,
    /// The areas' non-relapse window in months.
    pub area_monitoring_months: u32,
    /// The statistical year the period ends in: the classes of communes are those of
    /// this year and the year before.
    pub class_year: i32,
}

fn stored<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, DbError> {
    r.map_err(|e| DbError::Other(format!("bad stored value: {e}")))
}

/// `table` joined to the units of `scope` through `unit_col`, with the current commune.
fn scoped(table: &str, alias: &'static str, unit_col: &'static str, scope: Scope) -> SelectStatement {
    Query::select()
        .expr_as(Expr::col(("u", "scope_commune_id")), Alias::new("commune"))
        .from_as(Alias::new(table), Alias::new(alias))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals((alias, unit_col)))
        .cond_where(scope.cond("u"))
        .to_owned()
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    commune: Option<i64>,
    occurred_on: NaiveDate,
    prosecuted_cases: i64,
    defendants: i64,
    persons_handled: i64,
    subjects: i64,
}

#[derive(sqlx::FromRow)]
struct DatedRow {
    commune: Option<i64>,
    on_date: NaiveDate,
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    commune: Option<i64>,
    on_date: NaiveDate,
    participants: i64,
    venue_type: String,
}

#[derive(sqlx::FromRow)]
struct SeizureRow {
    commune: Option<i64>,
    occurred_on: NaiveDate,
    drug: String,
    quantity: f64,
    unit: String,
}

#[derive(sqlx::FromRow)]
struct ClassRow {
    commune: Option<i64>,
    year: i64,
    version: String,
    class: String,
}

fn severity(c: CommuneClass) -> u8 {
    match c {
        CommuneClass::Type1 => 5,
        CommuneClass::Type2 => 4,
        CommuneClass::Type3 => 3,
        CommuneClass::HasDrugs => 2,
        CommuneClass::DrugFree => 1,
        CommuneClass::NotClassifiable => 0,
    }
}

fn u32_of(n: i64) -> u32 {
    u32::try_from(Ord::max(n, 0)).unwrap_or(u32::MAX)
}

/// Loads every row of `scope` the catalogue reads for `req`; `communes` are the current
/// communes the breakdown lists.
pub async fn load(db: &Db, scope: Scope, communes: &[i64], req: Request) -> Result<Data, DbError> {
    let mut v = load_many(db, scope, communes, &[req]).await?;
    v.pop().ok_or_else(|| DbError::Other("no data loaded".into()))
}

/// The persons' groups of every period of `reqs` (and of the periods before): from the
/// facts kept for a statistical year; the other periods (months, half-years) from one read
/// of the records over their span, grouped in Rust by the definition (`StatGroup::of`).
async fn persons_of(
    db: &Db,
    scope: Scope,
    reqs: &[Request],
) -> Result<BTreeMap<(NaiveDate, NaiveDate), Vec<StatGroup>>, DbError> {
    let mut out = BTreeMap::new();
    let mut other: Vec<Period> = Vec::new();
    for p in reqs.iter().flat_map(|r| [r.period, r.previous]) {
        if out.contains_key(&(p.from, p.to)) || other.contains(&p) {
            continue;
        }
        if crate::person_facts::year_kept(db, p).await?.is_some() {
            out.insert((p.from, p.to), person_stats::groups(db, scope, p).await?);
        } else {
            other.push(p);
        }
    }
    match other.as_slice() {
        [] => {}
        [p] => {
            out.insert((p.from, p.to), person_stats::grouped_in_sql(db, scope, *p).await?);
        }
        many => {
            let from = many.iter().map(|p| p.from).min().unwrap_or_default();
            let to = many.iter().map(|p| p.to).max().unwrap_or_default();
            let rows = person_stats::rows(db, scope, from, to).await?;
            for p in many {
                out.insert((p.from, p.to), rows.iter().filter_map(|r| StatGroup::of(r, p)).collect());
            }
        }
    }
    Ok(out)
}

/// [`load`] for several requests at once (a trend): the histories of sites and areas are
/// read once, the dated rows once over the span of all the periods, the persons once per
/// distinct period. `Data` come back in the order of `reqs`.
pub async fn load_many(
    db: &Db,
    scope: Scope,
    communes: &[i64],
    reqs: &[Request],
) -> Result<Vec<Data>, DbError> {
    let (Some(first), Some(last)) =
        (reqs.iter().map(|r| r.period.from).min(), reqs.iter().map(|r| r.period.to).max())
    else {
        return Ok(vec![]);
    };
    let sites: Vec<_> = sites::site_histories_by_commune(db, scope)
        .await?
        .into_iter()
        .map(|(c, h)| (c.unwrap_or_default(), h))
        .collect();
    let areas: Vec<_> = areas::histories_by_commune(db, scope, None)
        .await?
        .into_values()
        .map(|(c, h)| (c.unwrap_or_default(), h))
        .collect();
    let persons = persons_of(db, scope, reqs).await?;

    // Classes: the statistical year each period ends in and the year before, under each
    // criteria version applied (the catalogue decides which to count and whether two
    // years compare).
    let years: std::collections::BTreeSet<i64> =
        reqs.iter().flat_map(|r| [i64::from(r.class_year), i64::from(r.class_year - 1)]).collect();
    let q = scoped("classifications", "c", "unit_id", scope)
        .columns([("c", "year"), ("c", "version"), ("c", "class")])
        .and_where(Expr::col(("c", "year")).is_in(years))
        .to_owned();
    let rows: Vec<ClassRow> = db.exec().fetch_all(&q).await?;
    let mut by_year: BTreeMap<i64, Classes> = BTreeMap::new();
    for r in rows {
        let Some(c) = r.commune else { continue };
        let class: CommuneClass = stored(r.class.parse())?;
        let version: CriteriaVersion = stored(r.version.parse())?;
        // Several legacy communes merged into one current commune: it has drug problems
        // when any of them had, so the most serious class counts.
        let slot = by_year.entry(r.year).or_default().entry(c).or_default();
        match slot.get(&version) {
            Some(old) if severity(*old) >= severity(class) => {}
            _ => {
                slot.insert(version, class);
            }
        }
    }

    // Cases over the span, with their number of subjects.
    let subjects = Query::select()
        .expr(Func::count(Expr::col(("cs", "id"))))
        .from_as("case_subjects", "cs")
        .and_where(Expr::col(("cs", "case_id")).equals(("k", "id")))
        .to_owned();
    let q = scoped("cases", "k", "unit_id", scope)
        .columns([
            ("k", "occurred_on"),
            ("k", "prosecuted_cases"),
            ("k", "defendants"),
            ("k", "persons_handled"),
        ])
        .expr_as(Expr::SubQuery(None, Box::new(subjects.into())), Alias::new("subjects"))
        .and_where(Expr::col(("k", "occurred_on")).gte(first))
        .and_where(Expr::col(("k", "occurred_on")).lte(last))
        .to_owned();
    let rows: Vec<CaseRow> = db.exec().fetch_all(&q).await?;

    // Seizure lines of the cases over the span.
    let q = scoped("cases", "k", "unit_id", scope)
        .column(("k", "occurred_on"))
        .columns([("z", "drug"), ("z", "quantity"), ("z", "unit")])
        .join_as(JoinType::InnerJoin, "case_seizures", "z", Expr::col(("z", "case_id")).equals(("k", "id")))
        .and_where(Expr::col(("k", "occurred_on")).gte(first))
        .and_where(Expr::col(("k", "occurred_on")).lte(last))
        .to_owned();
    let seizure_rows: Vec<SeizureRow> = db.exec().fetch_all(&q).await?;
    let mut seizures = Vec::with_capacity(seizure_rows.len());
    for r in seizure_rows {
        seizures.push(SeizureFact {
            commune_id: r.commune.unwrap_or_default(),
            on: r.occurred_on,
            drug: stored(r.drug.parse())?,
            quantity: r.quantity,
            unit: stored(r.unit.parse())?,
        });
    }
    let cases: Vec<CaseFact> = rows
        .into_iter()
        .map(|r| CaseFact {
            commune_id: r.commune.unwrap_or_default(),
            occurred_on: r.occurred_on,
            subjects: u32_of(r.subjects),
            prosecuted_cases: u32_of(r.prosecuted_cases),
            defendants: u32_of(r.defendants),
            persons_handled: u32_of(r.persons_handled),
        })
        .collect();

    // Rings dismantled; the ring's unit gives its commune (a ring led by the province has
    // none).
    let q = scoped("rings", "r", "unit_id", scope)
        .expr_as(Expr::col(("r", "dismantled_on")), Alias::new("on_date"))
        .and_where(Expr::col(("r", "dismantled_on")).gte(first))
        .and_where(Expr::col(("r", "dismantled_on")).lte(last))
        .to_owned();
    let rows: Vec<DatedRow> = db.exec().fetch_all(&q).await?;
    let rings: Vec<(Option<i64>, NaiveDate)> = rows.into_iter().map(|r| (r.commune, r.on_date)).collect();

    let q = scoped("propaganda_activities", "a", "unit_id", scope)
        .expr_as(Expr::col(("a", "held_on")), Alias::new("on_date"))
        .columns([("a", "participants"), ("a", "venue_type")])
        .and_where(Expr::col(("a", "held_on")).gte(first))
        .and_where(Expr::col(("a", "held_on")).lte(last))
        .to_owned();
    let rows: Vec<ActivityRow> = db.exec().fetch_all(&q).await?;
    let mut propaganda = Vec::with_capacity(rows.len());
    for r in rows {
        propaganda.push(ActivityFact {
            commune_id: r.commune,
            on: r.on_date,
            participants: u32_of(r.participants),
            venue: stored(r.venue_type.parse())?,
        });
    }

    let q = Query::select()
        .expr_as(Expr::col(("u", "scope_commune_id")), Alias::new("commune"))
        .column(("i", "on_date"))
        .from_as("business_inspections", "i")
        .join_as(JoinType::InnerJoin, "businesses", "b", Expr::col(("b", "id")).equals(("i", "business_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("b", "unit_id")))
        .cond_where(scope.cond("u"))
        .and_where(Expr::col(("i", "on_date")).gte(first))
        .and_where(Expr::col(("i", "on_date")).lte(last))
        .to_owned();
    let rows: Vec<DatedRow> = db.exec().fetch_all(&q).await?;
    let inspections: Vec<(i64, NaiveDate)> =
        rows.into_iter().map(|r| (r.commune.unwrap_or_default(), r.on_date)).collect();

    let mut out = Vec::with_capacity(reqs.len());
    for req in reqs {
        let (p, prev) = (req.period, req.previous);
        let mut data = Data::empty(p, prev);
        data.baseline = req.baseline;
        data.area_monitoring_months = req.area_monitoring_months;
        data.communes = communes.to_vec();
        data.sites = sites.clone();
        data.areas = areas.clone();
        data.persons = persons.get(&(p.from, p.to)).cloned().unwrap_or_default();
        data.persons_previous = persons.get(&(prev.from, prev.to)).cloned().unwrap_or_default();
        data.classes = by_year.get(&i64::from(req.class_year)).cloned().unwrap_or_default();
        data.classes_previous = by_year.get(&i64::from(req.class_year - 1)).cloned().unwrap_or_default();
        data.cases = cases.iter().filter(|c| p.contains(c.occurred_on)).cloned().collect();
        data.rings_dismantled = rings.iter().filter(|(_, d)| p.contains(*d)).copied().collect();
        data.propaganda = propaganda.iter().filter(|a| p.contains(a.on)).cloned().collect();
        data.seizures =
            seizures.iter().filter(|z| p.contains(z.on) || prev.contains(z.on)).copied().collect();
        data.inspections = inspections.iter().filter(|(_, d)| p.contains(*d)).copied().collect();
        out.push(data);
    }
    Ok(out)
}
