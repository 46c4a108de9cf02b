//! The persons linked to a site, by reference. The link says how the person is involved
//! (owner, dealer, user, other); who may open the person's record is still decided by
//! the persons' rules, so a list of links carries, per link, whether the reader's scope
//! reaches the person.

use crate::audit::{self, NewEntry};
use crate::db::Db;
use crate::error::DbError;
use crate::persons::Scope;
use chrono::{DateTime, Utc};
use diaban_domain::site::SubjectRole;
use sea_query::{Expr, ExprTrait, JoinType, OnConflict, Order, Query};
use serde::Serialize;

/// A person linked to a site.
#[derive(Debug, Clone, Serialize)]
pub struct LinkedPerson {
    /// The person's record id.
    pub person_id: i64,
    /// How the person is involved.
    pub role: SubjectRole,
    /// When linked.
    pub linked_at: DateTime<Utc>,
    /// Whether the reader's scope reaches the person's record.
    pub in_scope: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    person_id: i64,
    role: String,
    linked_at: DateTime<Utc>,
    scope_province_id: Option<i64>,
    scope_commune_id: Option<i64>,
}

/// Links `person_id` to `site_id` with `role` (a second link replaces the role), with
/// `audit_entry`, in one transaction. The caller has checked that both are in scope.
pub async fn link(
    db: &Db,
    site_id: i64,
    person_id: i64,
    role: SubjectRole,
    by: Option<i64>,
    audit_entry: Option<NewEntry>,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let q = Query::insert()
        .into_table("site_persons")
        .columns(["site_id", "person_id", "role", "linked_by", "linked_at"])
        .values_panic([
            site_id.into(),
            person_id.into(),
            role.as_str().into(),
            by.into(),
            crate::now().into(),
        ])
        .on_conflict(OnConflict::columns(["site_id", "person_id"]).update_columns(["role"]).to_owned())
        .to_owned();
    tx.exec().execute(&q).await?;
    if let Some(mut e) = audit_entry {
        e.target_type = "site".into();
        e.target_id = site_id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Removes a link; false when there was none.
pub async fn unlink(
    db: &Db,
    site_id: i64,
    person_id: i64,
    audit_entry: Option<NewEntry>,
) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let q = Query::delete()
        .from_table("site_persons")
        .and_where(Expr::col("site_id").eq(site_id))
        .and_where(Expr::col("person_id").eq(person_id))
        .to_owned();
    if tx.exec().execute(&q).await? == 0 {
        return Ok(false);
    }
    if let Some(mut e) = audit_entry {
        e.target_type = "site".into();
        e.target_id = site_id.to_string();
        audit::append_in(&mut tx, &e).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The persons linked to a site, with whether `reader` reaches each (None: nobody).
pub async fn linked(db: &Db, site_id: i64, reader: Option<Scope>) -> Result<Vec<LinkedPerson>, DbError> {
    let q = Query::select()
        .columns([("l", "person_id"), ("l", "role"), ("l", "linked_at")])
        .columns([("u", "scope_province_id"), ("u", "scope_commune_id")])
        .from_as("site_persons", "l")
        .join_as(JoinType::InnerJoin, "persons", "p", Expr::col(("p", "id")).equals(("l", "person_id")))
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("p", "residence_unit_id")))
        .and_where(Expr::col(("l", "site_id")).eq(site_id))
        .order_by(("l", "linked_at"), Order::Asc)
        .order_by(("l", "person_id"), Order::Asc)
        .to_owned();
    let rows: Vec<Row> = db.exec().fetch_all(&q).await?;
    rows.into_iter()
        .map(|r| {
            let in_scope = match reader {
                None => false,
                Some(Scope::Province(p)) => r.scope_province_id == Some(p),
                Some(Scope::Commune(c)) => r.scope_commune_id == Some(c),
            };
            Ok(LinkedPerson {
                person_id: r.person_id,
                role: r.role.parse().map_err(|e| DbError::Other(format!("bad stored value: {e}")))?,
                linked_at: r.linked_at,
                in_scope,
            })
        })
        .collect()
}

/// The sites a person is linked to (ids), for the person's page.
pub async fn sites_of(db: &Db, person_id: i64) -> Result<Vec<i64>, DbError> {
    #[derive(sqlx::FromRow)]
    struct S {
        site_id: i64,
    }
    let q = Query::select()
        .column("site_id")
        .from("site_persons")
        .and_where(Expr::col("person_id").eq(person_id))
        .order_by("site_id", Order::Asc)
        .to_owned();
    let rows: Vec<S> = db.exec().fetch_all(&q).await?;
    Ok(rows.into_iter().map(|r| r.site_id).collect())
}
