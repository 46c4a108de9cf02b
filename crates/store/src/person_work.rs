//! Work lists for the officers managing persons, scoped in the query: measures ending
//! soon (management, rehab), post-rehab persons due for a check, and persons with a record
//! and no service in a period. They return ids and dates; the caller opens the names it
//! shows, audited.

use crate::db::Db;
use crate::error::DbError;
use crate::persons::Scope;
use chrono::NaiveDate;
use diaban_domain::person::EpisodeKind;
use sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, Order, Query};
use serde::Serialize;

/// A running measure with its planned end.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DueEpisode {
    /// The measure.
    pub episode_id: i64,
    /// The person.
    pub person_id: i64,
    /// Stored form of the kind.
    pub kind: String,
    /// First day.
    pub start_on: NaiveDate,
    /// Planned end (first day it no longer runs).
    pub planned_end: Option<NaiveDate>,
    /// The commune's name.
    pub unit_name: String,
}

/// Running measures of `kinds` whose planned end falls on or before `until` (those past
/// their end without being closed included), soonest first.
pub async fn ending_by(
    db: &Db,
    scope: Scope,
    kinds: &[EpisodeKind],
    until: NaiveDate,
    limit: u64,
) -> Result<Vec<DueEpisode>, DbError> {
    let q = Query::select()
        .expr_as(Expr::col(("e", "id")), Alias::new("episode_id"))
        .columns([("e", "person_id"), ("e", "kind"), ("e", "start_on"), ("e", "planned_end")])
        .expr_as(Expr::col(("u", "name")), Alias::new("unit_name"))
        .from_as("person_episodes", "e")
        .join_as(JoinType::InnerJoin, "persons", "p", Expr::col(("p", "id")).equals(("e", "person_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .cond_where(scope.cond("u"))
        .and_where(Expr::col(("e", "kind")).is_in(kinds.iter().map(|k| k.as_str())))
        .and_where(Expr::col(("e", "actual_end")).is_null())
        .and_where(Expr::col(("e", "planned_end")).lte(until))
        .order_by(("e", "planned_end"), Order::Asc)
        .limit(limit)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// Persons in post-rehab management on `today` without any service (a contact, a check)
/// since `since`: a check is due. Longest waiting first.
pub async fn post_rehab_checks_due(
    db: &Db,
    scope: Scope,
    today: NaiveDate,
    since: NaiveDate,
    limit: u64,
) -> Result<Vec<DueEpisode>, DbError> {
    let recent = Query::select()
        .expr(Expr::val(1))
        .from_as("person_services", "s")
        .and_where(Expr::col(("s", "person_id")).equals(("e", "person_id")))
        .and_where(Expr::col(("s", "provided_on")).gte(since))
        .to_owned();
    let q = Query::select()
        .expr_as(Expr::col(("e", "id")), Alias::new("episode_id"))
        .columns([("e", "person_id"), ("e", "kind"), ("e", "start_on"), ("e", "planned_end")])
        .expr_as(Expr::col(("u", "name")), Alias::new("unit_name"))
        .from_as("person_episodes", "e")
        .join_as(JoinType::InnerJoin, "persons", "p", Expr::col(("p", "id")).equals(("e", "person_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .cond_where(scope.cond("u"))
        .and_where(Expr::col(("e", "kind")).eq(EpisodeKind::PostRehabManagement.as_str()))
        .and_where(Expr::col(("e", "actual_end")).is_null())
        .and_where(Expr::col(("e", "start_on")).lte(today))
        .cond_where(
            Cond::any()
                .add(Expr::col(("e", "planned_end")).is_null())
                .add(Expr::col(("e", "planned_end")).gt(today)),
        )
        .and_where(Expr::exists(recent).not())
        .order_by(("e", "start_on"), Order::Asc)
        .limit(limit)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// A person with a record in the period and no service in it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Unreached {
    /// The person.
    pub person_id: i64,
    /// The commune's name.
    pub unit_name: String,
}

/// Persons in `scope` with a measure running in `[from, to]` and no service in it (the
/// persons target T5 still misses).
pub async fn without_service(
    db: &Db,
    scope: Scope,
    from: NaiveDate,
    to: NaiveDate,
    limit: u64,
) -> Result<Vec<Unreached>, DbError> {
    let running = Query::select()
        .expr(Expr::val(1))
        .from_as("person_episodes", "e")
        .and_where(Expr::col(("e", "person_id")).equals(("p", "id")))
        .and_where(Expr::col(("e", "kind")).ne(EpisodeKind::AddictionDetermination.as_str()))
        .and_where(Expr::col(("e", "start_on")).lte(to))
        .cond_where(
            Cond::any().add(Expr::col(("e", "actual_end")).gt(from)).add(
                Cond::all().add(Expr::col(("e", "actual_end")).is_null()).add(
                    Cond::any()
                        .add(Expr::col(("e", "planned_end")).is_null())
                        .add(Expr::col(("e", "planned_end")).gt(from)),
                ),
            ),
        )
        .to_owned();
    // Rehab in any form and substitution therapy running in the period reach the person
    // for T5 (DOMAIN.md §5), like a service row.
    let treated =
        running
            .clone()
            .and_where(Expr::col(("e", "kind")).is_in(
                diaban_domain::person::stats::REHAB_FORMS.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            ))
            .to_owned();
    let served = Query::select()
        .expr(Expr::val(1))
        .from_as("person_services", "s")
        .and_where(Expr::col(("s", "person_id")).equals(("p", "id")))
        .and_where(Expr::col(("s", "provided_on")).gte(from))
        .and_where(Expr::col(("s", "provided_on")).lte(to))
        .to_owned();
    let q = Query::select()
        .expr_as(Expr::col(("p", "id")), Alias::new("person_id"))
        .expr_as(Expr::col(("u", "name")), Alias::new("unit_name"))
        .from_as("persons", "p")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .cond_where(scope.cond("u"))
        .and_where(Expr::exists(running))
        .and_where(Expr::exists(served).not())
        .and_where(Expr::exists(treated).not())
        .order_by(("p", "id"), Order::Asc)
        .limit(limit)
        .to_owned();
    db.exec().fetch_all(&q).await
}
