//! What the statistics on persons are computed from (`diaban_domain::person::stats`),
//! never a name or a number. [`groups`] lets SQL reduce a scope's persons to groups that
//! count alike in a period (a few thousand rows for a province of 300,000 records);
//! [`rows`] reads one row per person with its measures and services, the plain form the
//! domain's definition is written on, which the store tests compare `groups` against.

use crate::db::Db;
use crate::error::DbError;
use crate::persons::Scope;
use chrono::NaiveDate;
use diaban_domain::period::{ReportingParams, StatPeriod};
use diaban_domain::person::stats::{
    Period, PersonStats, REHAB_FORMS, StatEpisode, StatGroup, StatPerson, compute_groups,
};
use diaban_domain::person::{EpisodeKind, Ethnicity, HeldIn, ServiceKind, Sex, parse_substances};
use sea_query::{Alias, Cond, Expr, ExprTrait, Func, JoinType, Query, SelectStatement};
use std::collections::{BTreeMap, HashMap};

#[derive(sqlx::FromRow)]
pub(crate) struct PersonRow {
    pub(crate) id: i64,
    pub(crate) province: Option<i64>,
    commune: Option<i64>,
    sex: String,
    birth_year: i64,
    ethnicity: String,
    substances: Option<String>,
    use_since_year: Option<i64>,
    held_in: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct EpisodeRow {
    pub(crate) person_id: i64,
    kind: String,
    start_on: NaiveDate,
    planned_end: Option<NaiveDate>,
    actual_end: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ServiceRow {
    pub(crate) person_id: i64,
    provided_on: NaiveDate,
    kind: String,
}

fn in_scope(table: &str, alias: &'static str, scope: Scope) -> SelectStatement {
    Query::select()
        .from_as(Alias::new(table), Alias::new(alias))
        .join_as(JoinType::InnerJoin, "persons", "p", Expr::col(("p", "id")).equals((alias, "person_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .cond_where(scope.cond("u"))
        .to_owned()
}

/// The rows of every person in `scope` with a measure started by `to` (all of them: an
/// addiction recorded years before still makes the person an addict), and their services
/// within `[from, to]`. The plain form `StatGroup::of` is written on; the store tests
/// compare [`groups`] with it.
pub async fn rows(db: &Db, scope: Scope, from: NaiveDate, to: NaiveDate) -> Result<Vec<StatPerson>, DbError> {
    let q = in_scope("person_episodes", "e", scope)
        .columns([
            ("e", "person_id"),
            ("e", "kind"),
            ("e", "start_on"),
            ("e", "planned_end"),
            ("e", "actual_end"),
        ])
        .and_where(Expr::col(("e", "start_on")).lte(to))
        .to_owned();
    let eps: Vec<EpisodeRow> = db.exec().fetch_all(&q).await?;
    let mut by_person: HashMap<i64, StatPerson> = HashMap::with_capacity(eps.len());
    let mut episodes: HashMap<i64, Vec<StatEpisode>> = HashMap::with_capacity(eps.len());
    for e in eps {
        episodes.entry(e.person_id).or_default().push(stat_episode(&e)?);
    }
    if episodes.is_empty() {
        return Ok(vec![]);
    }
    let q = person_rows().cond_where(scope.cond("u")).to_owned();
    let people: Vec<PersonRow> = db.exec().fetch_all(&q).await?;
    let mut kinh_cache: HashMap<String, bool> = HashMap::new();
    for p in people {
        let Some(eps) = episodes.remove(&p.id) else { continue };
        by_person.insert(p.id, stat_person(&p, eps, &mut kinh_cache)?);
    }
    let q = in_scope("person_services", "s", scope)
        .columns([("s", "person_id"), ("s", "provided_on"), ("s", "kind")])
        .and_where(Expr::col(("s", "provided_on")).gte(from))
        .and_where(Expr::col(("s", "provided_on")).lte(to))
        .to_owned();
    let services: Vec<ServiceRow> = db.exec().fetch_all(&q).await?;
    for s in services {
        if let Some(p) = by_person.get_mut(&s.person_id) {
            add_service(p, &s);
        }
    }
    let mut v: Vec<StatPerson> = by_person.into_values().collect();
    v.sort_by_key(|p| p.commune_id);
    Ok(v)
}

/// The persons' attributes the statistics read, with their current commune and province
/// (persons `p`, units `u`, profiles `f`); the caller adds the condition.
pub(crate) fn person_rows() -> SelectStatement {
    Query::select()
        .column(("p", "id"))
        .expr_as(Expr::col(("u", "scope_province_id")), Alias::new("province"))
        .expr_as(Expr::col(("u", "scope_commune_id")), Alias::new("commune"))
        .columns([("p", "sex"), ("p", "birth_year"), ("p", "ethnicity")])
        .columns([("f", "substances"), ("f", "use_since_year"), ("f", "held_in")])
        .from_as("persons", "p")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .join_as(
            JoinType::LeftJoin,
            "person_profiles",
            "f",
            Expr::col(("f", "person_id")).equals(("p", "id")),
        )
        .to_owned()
}

fn unknown(e: diaban_domain::person::UnknownPersonValue) -> DbError {
    DbError::Other(e.to_string())
}

/// A measure as the statistics read it: a determination counts on its day only.
pub(crate) fn stat_episode(e: &EpisodeRow) -> Result<StatEpisode, DbError> {
    let kind: EpisodeKind = e.kind.parse().map_err(unknown)?;
    let end = match kind {
        EpisodeKind::AddictionDetermination => e.start_on.succ_opt(),
        _ => e.actual_end.or(e.planned_end),
    };
    Ok(StatEpisode { kind, start: e.start_on, end })
}

/// A person's statistics row from their attributes and measures (services added with
/// [`add_service`]). `kinh_cache` spares folding the same ethnicity again.
pub(crate) fn stat_person(
    p: &PersonRow,
    episodes: Vec<StatEpisode>,
    kinh_cache: &mut HashMap<String, bool>,
) -> Result<StatPerson, DbError> {
    let kinh =
        *kinh_cache.entry(p.ethnicity.clone()).or_insert_with(|| Ethnicity::new(&p.ethnicity).is_kinh());
    Ok(StatPerson {
        commune_id: p.commune.unwrap_or_default(),
        sex: p.sex.parse::<Sex>().map_err(unknown)?,
        birth_year: i32::try_from(p.birth_year).unwrap_or_default(),
        kinh,
        substances: parse_substances(p.substances.as_deref().unwrap_or_default()).map_err(unknown)?,
        use_since_year: p.use_since_year.and_then(|y| i32::try_from(y).ok()),
        held_in: match p.held_in.as_deref() {
            None => HeldIn::Community,
            Some(h) => h.parse().map_err(unknown)?,
        },
        episodes,
        services: vec![],
        counselling: vec![],
    })
}

/// Adds a service received to a person's statistics row.
pub(crate) fn add_service(p: &mut StatPerson, s: &ServiceRow) {
    p.services.push(s.provided_on);
    if s.kind == ServiceKind::Counselling.as_str() {
        p.counselling.push(s.provided_on);
    }
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    commune: Option<i64>,
    sex: String,
    birth_year: i64,
    ethnicity: String,
    substances: Option<String>,
    use_since_year: Option<i64>,
    held_in: Option<String>,
    f0: i64,
    f1: i64,
    f2: i64,
    f3: i64,
    fac: i64,
    reached: i64,
    addict: i64,
    counselled: i64,
    n: i64,
}

/// `CASE WHEN cond THEN 1 ELSE 0 END` as a 64-bit integer on both engines.
fn flag(cond: Cond) -> Expr {
    Expr::case(cond, Expr::val(1i64)).finally(Expr::val(0i64)).into()
}

/// The persons of `scope` with a record in `period`, grouped as [`StatGroup`] defines,
/// counted by SQL. Agrees with `StatGroup::of` over [`rows`] (checked by the store tests).
pub async fn groups(db: &Db, scope: Scope, period: Period) -> Result<Vec<StatGroup>, DbError> {
    if let Some(year) = crate::person_facts::year_kept(db, period).await? {
        return crate::person_facts::groups(db, scope, year).await;
    }
    grouped_in_sql(db, scope, period).await
}

/// [`groups`] counted from the records themselves (any period; what the facts kept per
/// statistical year must agree with).
pub async fn grouped_in_sql(db: &Db, scope: Scope, period: Period) -> Result<Vec<StatGroup>, DbError> {
    let (from, to) = (period.from, period.to);
    let end = || Func::coalesce([Expr::col(("e", "actual_end")), Expr::col(("e", "planned_end"))]);
    let determination = EpisodeKind::AddictionDetermination.as_str();
    let overlaps = || {
        Cond::all()
            .add(Expr::col(("e", "start_on")).lte(to))
            .add(Cond::any().add(Expr::expr(end()).is_null()).add(Expr::expr(end()).gt(from)))
    };
    let record = Cond::any()
        .add(
            Cond::all()
                .add(Expr::col(("e", "kind")).eq(determination))
                .add(Expr::col(("e", "start_on")).gte(from))
                .add(Expr::col(("e", "start_on")).lte(to)),
        )
        .add(Cond::all().add(Expr::col(("e", "kind")).ne(determination)).add(overlaps()));
    let facility = Cond::all()
        .add(
            Expr::col(("e", "kind"))
                .is_in([EpisodeKind::VoluntaryRehabFacility.as_str(), EpisodeKind::CompulsoryRehab.as_str()]),
        )
        .add(Expr::col(("e", "start_on")).lte(to))
        .add(Cond::any().add(Expr::expr(end()).is_null()).add(Expr::expr(end()).gt(to)));
    let served = Query::select()
        .expr(Expr::val(1i64))
        .from_as("person_services", "s")
        .and_where(Expr::col(("s", "person_id")).equals(("p", "id")))
        .and_where(Expr::col(("s", "provided_on")).gte(from))
        .and_where(Expr::col(("s", "provided_on")).lte(to))
        .to_owned();
    let counselled =
        served.clone().and_where(Expr::col(("s", "kind")).eq(ServiceKind::Counselling.as_str())).to_owned();
    let addiction_kinds: Vec<&str> =
        EpisodeKind::ALL.iter().filter(|k| k.marks_addiction()).map(|k| k.as_str()).collect();
    let addict = Cond::all()
        .add(Expr::col(("e", "kind")).is_in(addiction_kinds))
        .add(Expr::col(("e", "start_on")).lte(to));
    let attributes = [
        ("u", "scope_commune_id", "commune"),
        ("p", "sex", "sex"),
        ("p", "birth_year", "birth_year"),
        ("p", "ethnicity", "ethnicity"),
        ("f", "substances", "substances"),
        ("f", "use_since_year", "use_since_year"),
        ("f", "held_in", "held_in"),
    ];
    let mut inner = in_scope("person_episodes", "e", scope);
    inner
        .join_as(
            JoinType::LeftJoin,
            "person_profiles",
            "f",
            Expr::col(("f", "person_id")).equals(("p", "id")),
        )
        .and_where(Expr::col(("e", "start_on")).lte(to))
        .group_by_col(("p", "id"));
    for (table, col, alias) in attributes {
        inner.expr_as(Expr::col((table, col)), Alias::new(alias)).group_by_col((table, col));
    }
    for (i, form) in REHAB_FORMS.iter().enumerate() {
        let runs = overlaps().add(Expr::col(("e", "kind")).eq(form.as_str()));
        inner.expr_as(Func::max(flag(runs)), Alias::new(format!("f{i}")));
    }
    inner
        .expr_as(Func::max(flag(facility)), Alias::new("fac"))
        .expr_as(flag(Cond::all().add(Expr::exists(served))), Alias::new("reached"))
        .expr_as(Func::max(flag(addict)), Alias::new("addict"))
        .expr_as(flag(Cond::all().add(Expr::exists(counselled))), Alias::new("counselled"))
        .and_having(Expr::expr(Func::max(flag(record))).eq(1i64));
    let keys = ["commune", "sex", "birth_year", "ethnicity", "substances", "use_since_year", "held_in"]
        .into_iter()
        .chain(["f0", "f1", "f2", "f3", "fac", "reached", "addict", "counselled"]);
    let mut outer = Query::select();
    outer.from_subquery(inner, Alias::new("g"));
    for k in keys {
        outer.column(("g", k)).group_by_col(("g", k));
    }
    outer.expr_as(Func::count(Expr::col(sea_query::Asterisk)), Alias::new("n"));
    let rows: Vec<GroupRow> = db.exec().fetch_all(&outer).await?;
    let other = |e: diaban_domain::person::UnknownPersonValue| DbError::Other(e.to_string());
    let mut kinh_cache: HashMap<String, bool> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let kinh =
            *kinh_cache.entry(r.ethnicity.clone()).or_insert_with(|| Ethnicity::new(&r.ethnicity).is_kinh());
        out.push(StatGroup {
            commune_id: r.commune.unwrap_or_default(),
            sex: r.sex.parse::<Sex>().map_err(other)?,
            birth_year: i32::try_from(r.birth_year).unwrap_or_default(),
            kinh,
            substances: parse_substances(r.substances.as_deref().unwrap_or_default()).map_err(other)?,
            use_since_year: r.use_since_year.and_then(|y| i32::try_from(y).ok()),
            held_in: match r.held_in.as_deref() {
                None => HeldIn::Community,
                Some(h) => h.parse().map_err(other)?,
            },
            rehab_forms: [r.f0 == 1, r.f1 == 1, r.f2 == 1, r.f3 == 1],
            in_facility: r.fac == 1,
            reached: r.reached == 1,
            addict: r.addict == 1,
            counselled: r.counselled == 1,
            count: r.n,
        });
    }
    Ok(out)
}

/// The statistics of statistical year `year` in `scope` (months starting on the reporting
/// cut-off day in force), with the year before for the growth (T6): `(year's figures,
/// previous year's figures)`.
pub async fn year_with_previous(
    db: &Db,
    scope: Scope,
    year: i32,
) -> Result<(PersonStats, PersonStats), DbError> {
    let today = diaban_domain::time::today_in_vietnam();
    let r: ReportingParams = crate::parameters::in_force(db, crate::person_facts::REPORTING, today).await?;
    let bounds = |y: i32| StatPeriod::year(y).bounds(r.cutoff_day);
    let (Some(cur), Some(prev)) = (bounds(year), bounds(year - 1)) else {
        return Err(DbError::Invalid(format!("year {year} is outside the calendar")));
    };
    Ok((period(db, scope, cur).await?, period(db, scope, prev).await?))
}

/// The statistics of any period in `scope`.
pub async fn period(db: &Db, scope: Scope, period: Period) -> Result<PersonStats, DbError> {
    Ok(compute_groups(&groups(db, scope, period).await?, period))
}

/// Persons with a management record in `period` per current commune of `scope` (the
/// registry count the classification of communes reads as criterion (a)).
pub async fn with_records_by_commune(
    db: &Db,
    scope: Scope,
    period: Period,
) -> Result<BTreeMap<i64, i64>, DbError> {
    let mut out = BTreeMap::new();
    for g in groups(db, scope, period).await? {
        *out.entry(g.commune_id).or_default() += g.count;
    }
    Ok(out)
}
