//! API tokens for integrations: shown once, stored as SHA-256, expiring, revocable,
//! scoped like their user.

use crate::db::Db;
use crate::error::DbError;
use crate::exec::IdRow;
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;

/// A token row (without the token, which is never stored).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    /// Id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// SHA-256 of the token.
    #[serde(skip)]
    pub token_hash: String,
    /// What it is for.
    pub label: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// End of validity.
    pub expires_at: DateTime<Utc>,
    /// When revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Last use.
    pub last_used_at: Option<DateTime<Utc>>,
}

const COLUMNS: [&str; 8] =
    ["id", "user_id", "token_hash", "label", "created_at", "expires_at", "revoked_at", "last_used_at"];

/// Stores a token's hash.
pub async fn create(
    db: &Db,
    user_id: i64,
    token_hash: &str,
    label: &str,
    expires_at: DateTime<Utc>,
) -> Result<i64, DbError> {
    let q = Query::insert()
        .into_table("api_tokens")
        .columns(["user_id", "token_hash", "label", "created_at", "expires_at"])
        .values_panic([
            user_id.into(),
            token_hash.into(),
            label.into(),
            crate::now().into(),
            expires_at.into(),
        ])
        .returning_col("id")
        .to_owned();
    let r: IdRow = db.exec().fetch_one(&q).await?;
    Ok(r.id)
}

/// A token by hash.
pub async fn by_hash(db: &Db, token_hash: &str) -> Result<Option<ApiToken>, DbError> {
    let q = Query::select()
        .columns(COLUMNS)
        .from("api_tokens")
        .and_where(Expr::col("token_hash").eq(token_hash))
        .to_owned();
    db.exec().fetch_optional(&q).await
}

/// A user's tokens, newest first.
pub async fn for_user(db: &Db, user_id: i64) -> Result<Vec<ApiToken>, DbError> {
    let q = Query::select()
        .columns(COLUMNS)
        .from("api_tokens")
        .and_where(Expr::col("user_id").eq(user_id))
        .order_by("id", Order::Desc)
        .to_owned();
    db.exec().fetch_all(&q).await
}

/// Revokes a token.
pub async fn revoke(db: &Db, id: i64) -> Result<(), DbError> {
    let q = Query::update()
        .table("api_tokens")
        .values([("revoked_at", crate::now().into())])
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("revoked_at").is_null())
        .to_owned();
    match db.exec().execute(&q).await? {
        1 => Ok(()),
        _ => Err(DbError::NotFound),
    }
}

/// Records a use.
pub async fn touch(db: &Db, id: i64) -> Result<(), DbError> {
    let q = Query::update()
        .table("api_tokens")
        .values([("last_used_at", crate::now().into())])
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    db.exec().execute(&q).await.map(|_| ())
}
