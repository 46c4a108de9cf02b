//! In-app notifications: one row per recipient, naming what happened (`kind`, e.g.
//! `escalation.forward`) and to what (`target_type`, `target_id`); the interface writes
//! the sentence. They are written in the transaction of the change they announce, read
//! by their recipient only, and marked read.

use crate::db::{Db, Tx};
use crate::error::DbError;
use crate::exec::Count;
use chrono::{DateTime, Utc};
use diaban_domain::access::Role;
use sea_query::{Expr, ExprTrait, JoinType, Order, Query};
use serde::Serialize;

/// A notification.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Notification {
    /// Id.
    pub id: i64,
    /// What happened, e.g. `escalation.forward`.
    pub kind: String,
    /// What it is about, e.g. `escalation`.
    pub target_type: String,
    /// Its id.
    pub target_id: i64,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When its recipient read it.
    pub read_at: Option<DateTime<Utc>>,
}

/// Notifies each of `users` (duplicates removed) inside the caller's transaction.
pub async fn notify_in(
    tx: &mut Tx,
    users: &[i64],
    kind: &str,
    target_type: &str,
    target_id: i64,
) -> Result<(), DbError> {
    let mut users = users.to_vec();
    users.sort_unstable();
    users.dedup();
    let now = crate::now();
    for u in users {
        let q = Query::insert()
            .into_table("notifications")
            .columns(["user_id", "kind", "target_type", "target_id", "created_at"])
            .values_panic([u.into(), kind.into(), target_type.into(), target_id.into(), now.into()])
            .to_owned();
        tx.exec().execute(&q).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct IdOnly {
    id: i64,
}

/// The enabled accounts of `role` whose scope lies in the current province `province_id`.
pub async fn accounts_with_role(tx: &mut Tx, role: Role, province_id: i64) -> Result<Vec<i64>, DbError> {
    let q = Query::select()
        .column(("a", "id"))
        .from_as("users", "a")
        .join_as(JoinType::InnerJoin, "units", "u", Expr::col(("u", "id")).equals(("a", "unit_id")))
        .and_where(Expr::col(("a", "role")).eq(role.as_str()))
        .and_where(Expr::col(("a", "disabled")).eq(false))
        .and_where(Expr::col(("u", "scope_province_id")).eq(province_id))
        .order_by(("a", "id"), Order::Asc)
        .to_owned();
    let rows: Vec<IdOnly> = tx.exec().fetch_all(&q).await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// How many notifications `user_id` has not read.
pub async fn unread_count(db: &Db, user_id: i64) -> Result<i64, DbError> {
    let q = Query::select()
        .expr_as(Expr::col("id").count(), "n")
        .from("notifications")
        .and_where(Expr::col("user_id").eq(user_id))
        .and_where(Expr::col("read_at").is_null())
        .to_owned();
    Ok(db.exec().fetch_one::<Count, _>(&q).await?.n)
}

/// The newest `limit` notifications of `user_id`, unread first.
pub async fn list(db: &Db, user_id: i64, limit: u64) -> Result<Vec<Notification>, DbError> {
    let q = Query::select()
        .columns(["id", "kind", "target_type", "target_id", "created_at", "read_at"])
        .from("notifications")
        .and_where(Expr::col("user_id").eq(user_id))
        .order_by_expr(Expr::col("read_at").is_null(), Order::Desc)
        .order_by("id", Order::Desc)
        .limit(limit)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// Marks `user_id`'s notifications read: the one given, or all. Another user's
/// notification is left alone. Returns how many changed.
pub async fn mark_read(db: &Db, user_id: i64, id: Option<i64>) -> Result<u64, DbError> {
    let mut q = Query::update()
        .table("notifications")
        .values([("read_at", crate::now().into())])
        .and_where(Expr::col("user_id").eq(user_id))
        .and_where(Expr::col("read_at").is_null())
        .to_owned();
    if let Some(id) = id {
        q.and_where(Expr::col("id").eq(id));
    }
    db.exec().execute(&q).await
}
