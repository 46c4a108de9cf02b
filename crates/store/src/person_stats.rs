//! The rows the statistics on persons are computed from (`diaban_domain::person::stats`):
//! per person the commune, sex, birth year, ethnicity, profile, measures and service
//! days, never a name or a number. Three scoped queries, joined in memory by person id.

use crate::db::Db;
use crate::error::DbError;
use crate::persons::Scope;
use chrono::NaiveDate;
use diaban_domain::person::stats::{Period, PersonStats, StatEpisode, StatPerson, compute, has_record_in};
use diaban_domain::person::{EpisodeKind, Ethnicity, HeldIn, Sex, parse_substances};
use sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, Query, SelectStatement};
use std::collections::{BTreeMap, HashMap};

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: i64,
    commune: Option<i64>,
    sex: String,
    birth_year: i64,
    ethnicity: String,
    substances: Option<String>,
    use_since_year: Option<i64>,
    held_in: Option<String>,
}

#[derive(sqlx::FromRow)]
struct EpisodeRow {
    person_id: i64,
    kind: String,
    start_on: NaiveDate,
    planned_end: Option<NaiveDate>,
    actual_end: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct ServiceRow {
    person_id: i64,
    provided_on: NaiveDate,
}

fn in_scope(table: &str, alias: &'static str, scope: Scope) -> SelectStatement {
    Query::select()
        .from_as(Alias::new(table), Alias::new(alias))
        .join_as(JoinType::InnerJoin, "persons", "p", Expr::col(("p", "id")).equals((alias, "person_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .cond_where(scope.cond("u"))
        .to_owned()
}

/// The rows of every person in `scope` with a measure that may touch `[from, to]`, and
/// their services within it.
pub async fn rows(db: &Db, scope: Scope, from: NaiveDate, to: NaiveDate) -> Result<Vec<StatPerson>, DbError> {
    // Measures: started by the end, not ended before the start.
    let ends_after = Cond::any().add(Expr::col(("e", "actual_end")).gt(from)).add(
        Cond::all().add(Expr::col(("e", "actual_end")).is_null()).add(
            Cond::any()
                .add(Expr::col(("e", "planned_end")).is_null())
                .add(Expr::col(("e", "planned_end")).gt(from)),
        ),
    );
    let q = in_scope("person_episodes", "e", scope)
        .columns([
            ("e", "person_id"),
            ("e", "kind"),
            ("e", "start_on"),
            ("e", "planned_end"),
            ("e", "actual_end"),
        ])
        .and_where(Expr::col(("e", "start_on")).lte(to))
        .cond_where(ends_after)
        .to_owned();
    let eps: Vec<EpisodeRow> = db.exec().fetch_all(&q).await?;
    let mut by_person: HashMap<i64, StatPerson> = HashMap::with_capacity(eps.len());
    let mut episodes: HashMap<i64, Vec<StatEpisode>> = HashMap::with_capacity(eps.len());
    for e in eps {
        let kind: EpisodeKind = e
            .kind
            .parse()
            .map_err(|x: diaban_domain::person::UnknownPersonValue| DbError::Other(x.to_string()))?;
        let end = match kind {
            EpisodeKind::AddictionDetermination => e.start_on.succ_opt(),
            _ => e.actual_end.or(e.planned_end),
        };
        episodes.entry(e.person_id).or_default().push(StatEpisode { kind, start: e.start_on, end });
    }
    if episodes.is_empty() {
        return Ok(vec![]);
    }
    let q = Query::select()
        .column(("p", "id"))
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
        .cond_where(scope.cond("u"))
        .to_owned();
    let people: Vec<PersonRow> = db.exec().fetch_all(&q).await?;
    let mut kinh_cache: HashMap<String, bool> = HashMap::new();
    for p in people {
        let Some(eps) = episodes.remove(&p.id) else { continue };
        let kinh =
            *kinh_cache.entry(p.ethnicity.clone()).or_insert_with(|| Ethnicity::new(&p.ethnicity).is_kinh());
        let other = |e: diaban_domain::person::UnknownPersonValue| DbError::Other(e.to_string());
        by_person.insert(
            p.id,
            StatPerson {
                commune_id: p.commune.unwrap_or_default(),
                sex: p.sex.parse::<Sex>().map_err(other)?,
                birth_year: i32::try_from(p.birth_year).unwrap_or_default(),
                kinh,
                substances: parse_substances(p.substances.as_deref().unwrap_or_default()).map_err(other)?,
                use_since_year: p.use_since_year.and_then(|y| i32::try_from(y).ok()),
                held_in: match p.held_in.as_deref() {
                    None => HeldIn::Community,
                    Some(h) => h.parse().map_err(other)?,
                },
                episodes: eps,
                services: vec![],
            },
        );
    }
    let q = in_scope("person_services", "s", scope)
        .columns([("s", "person_id"), ("s", "provided_on")])
        .and_where(Expr::col(("s", "provided_on")).gte(from))
        .and_where(Expr::col(("s", "provided_on")).lte(to))
        .to_owned();
    let services: Vec<ServiceRow> = db.exec().fetch_all(&q).await?;
    for s in services {
        if let Some(p) = by_person.get_mut(&s.person_id) {
            p.services.push(s.provided_on);
        }
    }
    let mut v: Vec<StatPerson> = by_person.into_values().collect();
    v.sort_by_key(|p| p.commune_id);
    Ok(v)
}

/// The statistics of statistical year `year` in `scope`, with the year before for the
/// growth (T6): `(year's figures, previous year's figures)`.
pub async fn year_with_previous(
    db: &Db,
    scope: Scope,
    year: i32,
) -> Result<(PersonStats, PersonStats), DbError> {
    let (Some(cur), Some(prev)) = (Period::statistical_year(year), Period::statistical_year(year - 1)) else {
        return Err(DbError::Invalid(format!("year {year} is outside the calendar")));
    };
    let rows = rows(db, scope, prev.from, cur.to).await?;
    Ok((compute(&rows, cur), compute(&rows, prev)))
}

/// The statistics of any period in `scope`.
pub async fn period(db: &Db, scope: Scope, period: Period) -> Result<PersonStats, DbError> {
    let rows = rows(db, scope, period.from, period.to).await?;
    Ok(compute(&rows, period))
}

/// Persons with a management record in `period` per current commune of `scope` (the
/// registry count the classification of communes reads as criterion (a)).
pub async fn with_records_by_commune(
    db: &Db,
    scope: Scope,
    period: Period,
) -> Result<BTreeMap<i64, i64>, DbError> {
    let rows = rows(db, scope, period.from, period.to).await?;
    let mut out = BTreeMap::new();
    for p in rows.iter().filter(|p| has_record_in(p, &period)) {
        *out.entry(p.commune_id).or_default() += 1;
    }
    Ok(out)
}
