//! The persons statistics kept ahead of the request. For each person and statistical
//! year in which the person has a record, the year's [`StatGroup`] (`person_stat_facts`),
//! and how many persons share each group (`person_stat_groups`): a province's yearly
//! statistics then read a few thousand rows instead of every record (docs/performance.md).
//!
//! The facts are derived data. Every write to a person's measures, services, profile or
//! residence calls [`refresh`] in its own transaction, which replaces the person's facts
//! and moves the counts; [`ensure`] rebuilds everything when the reporting cut-off day
//! changed or the years kept no longer reach the year after today's. A period that is not
//! a statistical year kept here is counted from the records (`person_stats`), and the
//! store tests check both ways agree with `StatGroup::of`.

use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::exec::Exec;
use crate::person_stats::{self, EpisodeRow, PersonRow, ServiceRow};
use crate::persons::Scope;
use chrono::NaiveDate;
use diaban_domain::period::{Period, PeriodKind, ReportingParams, StatPeriod};
use diaban_domain::person::stats::{StatGroup, StatPerson};
use diaban_domain::person::stats_years::year_groups;
use diaban_domain::person::{HeldIn, Sex, parse_substances, substances_text};
use sea_query::{Alias, Expr, ExprTrait, OnConflict, Order, Query};
use std::collections::{BTreeMap, HashMap};

/// The parameter group of the reporting cut-off day.
pub const REPORTING: &str = "reporting";

/// How many persons are read or written per statement.
const CHUNK: usize = 400;

/// The columns of a person-year's facts (and of a group), in the order of [`Key::values`].
const KEY: [&str; 17] = [
    "stat_year",
    "scope_province_id",
    "scope_commune_id",
    "sex",
    "birth_year",
    "kinh",
    "substances",
    "use_since_year",
    "held_in",
    "f0",
    "f1",
    "f2",
    "f3",
    "fac",
    "reached",
    "addict",
    "counselled",
];

/// The conflict target of `person_stat_groups`, its primary key: [`KEY`] without the
/// province, which the commune decides.
fn group_pk() -> impl Iterator<Item = &'static str> {
    KEY.into_iter().filter(|c| *c != "scope_province_id")
}

/// With what the facts were built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Meta {
    /// The cut-off day of the statistical years.
    pub cutoff_day: i64,
    /// The last statistical year kept.
    pub last_year: i64,
}

/// One person-year's facts, or one group with `n` persons: the same columns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
struct Key {
    stat_year: i64,
    scope_province_id: i64,
    scope_commune_id: i64,
    sex: String,
    birth_year: i64,
    kinh: i64,
    substances: String,
    use_since_year: i64,
    held_in: String,
    f0: i64,
    f1: i64,
    f2: i64,
    f3: i64,
    fac: i64,
    reached: i64,
    addict: i64,
    counselled: i64,
}

#[derive(sqlx::FromRow)]
struct Counted {
    #[sqlx(flatten)]
    key: Key,
    n: i64,
}

impl Key {
    fn of(year: i32, province: i64, g: &StatGroup) -> Self {
        let b = i64::from;
        Self {
            stat_year: i64::from(year),
            scope_province_id: province,
            scope_commune_id: g.commune_id,
            sex: g.sex.as_str().to_owned(),
            birth_year: i64::from(g.birth_year),
            kinh: b(g.kinh),
            substances: substances_text(&g.substances),
            use_since_year: g.use_since_year.map_or(0, i64::from),
            held_in: g.held_in.as_str().to_owned(),
            f0: b(g.rehab_forms[0]),
            f1: b(g.rehab_forms[1]),
            f2: b(g.rehab_forms[2]),
            f3: b(g.rehab_forms[3]),
            fac: b(g.in_facility),
            reached: b(g.reached),
            addict: b(g.addict),
            counselled: b(g.counselled),
        }
    }

    fn group(&self, count: i64) -> Result<StatGroup, DbError> {
        let unknown = |e: diaban_domain::person::UnknownPersonValue| DbError::Other(e.to_string());
        Ok(StatGroup {
            commune_id: self.scope_commune_id,
            sex: self.sex.parse::<Sex>().map_err(unknown)?,
            birth_year: i32::try_from(self.birth_year).unwrap_or_default(),
            kinh: self.kinh == 1,
            substances: parse_substances(&self.substances).map_err(unknown)?,
            use_since_year: (self.use_since_year != 0)
                .then(|| i32::try_from(self.use_since_year).ok())
                .flatten(),
            held_in: self.held_in.parse::<HeldIn>().map_err(unknown)?,
            rehab_forms: [self.f0 == 1, self.f1 == 1, self.f2 == 1, self.f3 == 1],
            in_facility: self.fac == 1,
            reached: self.reached == 1,
            addict: self.addict == 1,
            counselled: self.counselled == 1,
            count,
        })
    }

    fn values(&self) -> Vec<sea_query::SimpleExpr> {
        vec![
            self.stat_year.into(),
            self.scope_province_id.into(),
            self.scope_commune_id.into(),
            self.sex.clone().into(),
            self.birth_year.into(),
            self.kinh.into(),
            self.substances.clone().into(),
            self.use_since_year.into(),
            self.held_in.clone().into(),
            self.f0.into(),
            self.f1.into(),
            self.f2.into(),
            self.f3.into(),
            self.fac.into(),
            self.reached.into(),
            self.addict.into(),
            self.counselled.into(),
        ]
    }
}

async fn meta_with(exec: Exec<'_>) -> Result<Option<Meta>, DbError> {
    let q = Query::select()
        .columns(["cutoff_day", "last_year"])
        .from("person_stat_meta")
        .and_where(Expr::col("id").eq(1i64))
        .to_owned();
    exec.fetch_optional(&q).await
}

/// With what the facts were built; `None` before they are.
pub async fn meta(db: &Db) -> Result<Option<Meta>, DbError> {
    meta_with(db.exec()).await
}

/// The statistical year kept in the facts whose days are exactly `period`, if any.
pub async fn year_kept(db: &Db, period: Period) -> Result<Option<i32>, DbError> {
    let Some(m) = meta(db).await? else { return Ok(None) };
    let Ok(cutoff) = u32::try_from(m.cutoff_day) else { return Ok(None) };
    let year = StatPeriod::containing(PeriodKind::Year, period.to, cutoff);
    let kept = year.bounds(cutoff) == Some(period) && i64::from(year.year) <= m.last_year;
    Ok(kept.then_some(year.year))
}

/// The groups of statistical year `year` in `scope`, as kept.
pub async fn groups(db: &Db, scope: Scope, year: i32) -> Result<Vec<StatGroup>, DbError> {
    let scope_cond = match scope {
        Scope::Province(p) => Expr::col("scope_province_id").eq(p),
        Scope::Commune(c) => Expr::col("scope_commune_id").eq(c),
    };
    let q = Query::select()
        .columns(KEY)
        .column("n")
        .from("person_stat_groups")
        .and_where(Expr::col("stat_year").eq(i64::from(year)))
        .and_where(scope_cond)
        .and_where(Expr::col("n").gt(0i64))
        .to_owned();
    let rows: Vec<Counted> = db.exec().fetch_all(&q).await?;
    rows.iter().map(|r| r.key.group(r.n)).collect()
}

/// The statistics rows of persons `ids` with their province: every measure and service.
/// A person without a measure, or living outside every current province, has none.
async fn people(tx: &mut Tx, ids: &[i64]) -> Result<Vec<(i64, i64, StatPerson)>, DbError> {
    let q =
        person_stats::person_rows().and_where(Expr::col(("p", "id")).is_in(ids.iter().copied())).to_owned();
    let persons: Vec<PersonRow> = tx.exec().fetch_all(&q).await?;
    let q = Query::select()
        .columns(["person_id", "kind", "start_on", "planned_end", "actual_end"])
        .from("person_episodes")
        .and_where(Expr::col("person_id").is_in(ids.iter().copied()))
        .to_owned();
    let eps: Vec<EpisodeRow> = tx.exec().fetch_all(&q).await?;
    let q = Query::select()
        .columns(["person_id", "provided_on", "kind"])
        .from("person_services")
        .and_where(Expr::col("person_id").is_in(ids.iter().copied()))
        .to_owned();
    let services: Vec<ServiceRow> = tx.exec().fetch_all(&q).await?;
    let mut episodes: HashMap<i64, Vec<_>> = HashMap::new();
    for e in &eps {
        episodes.entry(e.person_id).or_default().push(person_stats::stat_episode(e)?);
    }
    let mut kinh_cache = HashMap::new();
    let mut out: BTreeMap<i64, (i64, StatPerson)> = BTreeMap::new();
    for p in &persons {
        let Some(province) = p.province else { continue };
        let Some(eps) = episodes.remove(&p.id) else { continue };
        out.insert(p.id, (province, person_stats::stat_person(p, eps, &mut kinh_cache)?));
    }
    for s in &services {
        if let Some((_, p)) = out.get_mut(&s.person_id) {
            person_stats::add_service(p, s);
        }
    }
    Ok(out.into_iter().map(|(id, (province, p))| (id, province, p)).collect())
}

/// Replaces the facts of persons `ids` (any number) and adds to `delta` how the counts
/// of the groups move.
async fn replace(tx: &mut Tx, ids: &[i64], m: Meta, delta: &mut BTreeMap<Key, i64>) -> Result<(), DbError> {
    let (Ok(cutoff), Ok(last_year)) = (u32::try_from(m.cutoff_day), i32::try_from(m.last_year)) else {
        return Err(DbError::Invalid("the statistics facts were built with a bad cut-off day".into()));
    };
    for chunk in ids.chunks(CHUNK) {
        let q = Query::select()
            .columns(KEY)
            .from("person_stat_facts")
            .and_where(Expr::col("person_id").is_in(chunk.iter().copied()))
            .to_owned();
        let old: Vec<Key> = tx.exec().fetch_all(&q).await?;
        for k in old {
            *delta.entry(k).or_default() -= 1;
        }
        let del = Query::delete()
            .from_table("person_stat_facts")
            .and_where(Expr::col("person_id").is_in(chunk.iter().copied()))
            .to_owned();
        tx.exec().execute(&del).await?;
        let mut rows = Vec::new();
        for (id, province, p) in people(tx, chunk).await? {
            for (year, g) in year_groups(&p, cutoff, last_year) {
                rows.push((id, Key::of(year, province, &g)));
            }
        }
        for part in rows.chunks(CHUNK) {
            let mut ins = Query::insert()
                .into_table("person_stat_facts")
                .columns(std::iter::once("person_id").chain(KEY))
                .to_owned();
            for (id, k) in part {
                let mut v: Vec<sea_query::SimpleExpr> = vec![(*id).into()];
                v.extend(k.values());
                ins.values_panic(v);
                *delta.entry(k.clone()).or_default() += 1;
            }
            tx.exec().execute(&ins).await?;
        }
    }
    Ok(())
}

/// Moves the counts of the groups by `delta`, in key order (so concurrent writers lock
/// the rows in the same order).
async fn apply(tx: &mut Tx, delta: BTreeMap<Key, i64>) -> Result<(), DbError> {
    let moves: Vec<(Key, i64)> = delta.into_iter().filter(|(_, d)| *d != 0).collect();
    for part in moves.chunks(CHUNK) {
        let mut ins = Query::insert()
            .into_table("person_stat_groups")
            .columns(KEY.into_iter().chain(["n"]))
            .on_conflict(
                OnConflict::columns(group_pk())
                    .value(
                        "n",
                        Expr::col(("person_stat_groups", "n")).add(Expr::col((Alias::new("excluded"), "n"))),
                    )
                    .to_owned(),
            )
            .to_owned();
        for (k, d) in part {
            let mut v = k.values();
            v.push((*d).into());
            ins.values_panic(v);
        }
        tx.exec().execute(&ins).await?;
    }
    Ok(())
}

/// Brings the facts of persons `ids` up to date inside the transaction that changed
/// their records. Does nothing before the facts are built (the statistics are then
/// counted from the records).
pub async fn refresh(tx: &mut Tx, ids: &[i64]) -> Result<(), DbError> {
    let Some(m) = meta_with(tx.exec()).await? else { return Ok(()) };
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut delta = BTreeMap::new();
    replace(tx, &ids, m, &mut delta).await?;
    apply(tx, delta).await
}

/// Builds the facts again from the records, for statistical years with months starting
/// on `cutoff_day` up to `last_year`. One transaction: the statistics read either the old
/// facts or the new ones.
pub async fn rebuild(db: &Db, cutoff_day: u32, last_year: i32) -> Result<(), DbError> {
    if !(1..=28).contains(&cutoff_day) {
        return Err(DbError::Invalid(format!("cut-off day {cutoff_day} is not in 1–28")));
    }
    let mut tx = db.begin().await?;
    // One transaction: readers see the old facts or the new ones. A write to a person's
    // record while a rebuild runs may leave that person's facts stale until the person's
    // next write; rebuilds run at start and when the cut-off day changes.
    tx.exec().execute(&Query::delete().from_table("person_stat_meta").to_owned()).await?;
    tx.exec().execute(&Query::delete().from_table("person_stat_groups").to_owned()).await?;
    tx.exec().execute(&Query::delete().from_table("person_stat_facts").to_owned()).await?;
    let m = Meta { cutoff_day: i64::from(cutoff_day), last_year: i64::from(last_year) };
    let ins = Query::insert()
        .into_table("person_stat_meta")
        .columns(["id", "cutoff_day", "last_year", "built_at"])
        .values_panic([1i64.into(), m.cutoff_day.into(), m.last_year.into(), crate::now().into()])
        .to_owned();
    tx.exec().execute(&ins).await?;
    #[derive(sqlx::FromRow)]
    struct Id {
        person_id: i64,
    }
    let q = Query::select()
        .column("person_id")
        .distinct()
        .from("person_episodes")
        .order_by("person_id", Order::Asc)
        .to_owned();
    let ids: Vec<i64> = tx.exec().fetch_all::<Id, _>(&q).await?.into_iter().map(|r| r.person_id).collect();
    let mut delta = BTreeMap::new();
    replace(&mut tx, &ids, m, &mut delta).await?;
    apply(&mut tx, delta).await?;
    tx.commit().await
}

/// The cut-off day and the last year the facts should be built with on `today`: the
/// reporting parameter in force, and the statistical year after today's.
pub async fn wanted(db: &Db, today: NaiveDate) -> Result<(u32, i32), DbError> {
    let r: ReportingParams = crate::parameters::in_force(db, REPORTING, today).await?;
    Ok((r.cutoff_day, StatPeriod::containing(PeriodKind::Year, today, r.cutoff_day).year + 1))
}

/// Rebuilds the facts when they are missing, were built with another cut-off day, or
/// stop before the year after today's. Returns whether it rebuilt them.
pub async fn ensure(db: &Db, today: NaiveDate) -> Result<bool, DbError> {
    let (cutoff, last_year) = wanted(db, today).await?;
    match meta(db).await? {
        Some(m) if m.cutoff_day == i64::from(cutoff) && m.last_year >= i64::from(last_year) => Ok(false),
        _ => {
            rebuild(db, cutoff, last_year).await?;
            Ok(true)
        }
    }
}
