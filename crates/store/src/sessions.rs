//! Server-side sessions (the cookie holds a random token; the table keeps its SHA-256)
//! and the record of sign-in attempts behind throttling and lockout.

use crate::db::Db;
use crate::error::DbError;
use crate::exec::Count;
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Query};

/// A session row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    /// SHA-256 of the cookie token.
    pub token_hash: String,
    /// Whose session.
    pub user_id: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last request seen (idle timeout).
    pub last_seen_at: DateTime<Utc>,
    /// Absolute end.
    pub expires_at: DateTime<Utc>,
    /// Password accepted, second factor still due.
    pub totp_pending: bool,
}

/// Stores a new session, begun `now` (the web layer's clock).
pub async fn create(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    totp_pending: bool,
) -> Result<(), DbError> {
    let q = Query::insert()
        .into_table("sessions")
        .columns(["token_hash", "user_id", "created_at", "last_seen_at", "expires_at", "totp_pending"])
        .values_panic([
            token_hash.into(),
            user_id.into(),
            now.into(),
            now.into(),
            expires_at.into(),
            totp_pending.into(),
        ])
        .to_owned();
    db.exec().execute(&q).await.map(|_| ())
}

/// A session by token hash.
pub async fn get(db: &Db, token_hash: &str) -> Result<Option<Session>, DbError> {
    let q = Query::select()
        .columns(["token_hash", "user_id", "created_at", "last_seen_at", "expires_at", "totp_pending"])
        .from("sessions")
        .and_where(Expr::col("token_hash").eq(token_hash))
        .to_owned();
    db.exec().fetch_optional(&q).await
}

/// Records activity on a session.
pub async fn touch(db: &Db, token_hash: &str, at: DateTime<Utc>) -> Result<(), DbError> {
    let q = Query::update()
        .table("sessions")
        .values([("last_seen_at", at.into())])
        .and_where(Expr::col("token_hash").eq(token_hash))
        .to_owned();
    db.exec().execute(&q).await.map(|_| ())
}

/// Marks the second factor as done.
pub async fn complete_totp(db: &Db, token_hash: &str) -> Result<(), DbError> {
    let q = Query::update()
        .table("sessions")
        .values([("totp_pending", false.into())])
        .and_where(Expr::col("token_hash").eq(token_hash))
        .to_owned();
    db.exec().execute(&q).await.map(|_| ())
}

/// Ends one session.
pub async fn delete(db: &Db, token_hash: &str) -> Result<(), DbError> {
    let q =
        Query::delete().from_table("sessions").and_where(Expr::col("token_hash").eq(token_hash)).to_owned();
    db.exec().execute(&q).await.map(|_| ())
}

/// Ends every session of a user (password change, reset, disabling).
pub async fn delete_for_user(db: &Db, user_id: i64) -> Result<u64, DbError> {
    let q = Query::delete().from_table("sessions").and_where(Expr::col("user_id").eq(user_id)).to_owned();
    db.exec().execute(&q).await
}

/// Removes sessions past their absolute end or idle since before `idle_cutoff`.
pub async fn purge_expired(db: &Db, now: DateTime<Utc>, idle_cutoff: DateTime<Utc>) -> Result<u64, DbError> {
    let q = Query::delete()
        .from_table("sessions")
        .cond_where(
            sea_query::Cond::any()
                .add(Expr::col("expires_at").lte(now))
                .add(Expr::col("last_seen_at").lt(idle_cutoff)),
        )
        .to_owned();
    db.exec().execute(&q).await
}

/// Removes sign-in attempts made before `cutoff` (they only serve the lockout window and
/// a short look back; they hold usernames and addresses, so they are not kept longer).
pub async fn purge_attempts_before(db: &Db, cutoff: DateTime<Utc>) -> Result<u64, DbError> {
    let q = Query::delete().from_table("login_attempts").and_where(Expr::col("at").lt(cutoff)).to_owned();
    db.exec().execute(&q).await
}

/// Records a sign-in attempt made `at` (the username as typed, lowercased; the client
/// address).
pub async fn record_attempt(
    db: &Db,
    username: &str,
    ip: &str,
    success: bool,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    let q = Query::insert()
        .into_table("login_attempts")
        .columns(["username", "ip", "at", "success"])
        .values_panic([username.trim().to_lowercase().into(), ip.into(), at.into(), success.into()])
        .to_owned();
    db.exec().execute(&q).await.map(|_| ())
}

/// Failed attempts for a username since `since`, not counting those before the last
/// success (a successful sign-in clears the count).
pub async fn username_failures_since(db: &Db, username: &str, since: DateTime<Utc>) -> Result<i64, DbError> {
    let name = username.trim().to_lowercase();
    #[derive(sqlx::FromRow)]
    struct Last {
        at: Option<DateTime<Utc>>,
    }
    let q = Query::select()
        .expr_as(Expr::col("at").max(), "at")
        .from("login_attempts")
        .and_where(Expr::col("username").eq(name.clone()))
        .and_where(Expr::col("success").eq(true))
        .to_owned();
    let last: Last = db.exec().fetch_one(&q).await?;
    let from = last.at.map_or(since, |l| Ord::max(l, since));
    let q = Query::select()
        .expr_as(Expr::col("id").count(), "n")
        .from("login_attempts")
        .and_where(Expr::col("username").eq(name))
        .and_where(Expr::col("success").eq(false))
        .and_where(Expr::col("at").gt(from))
        .to_owned();
    let c: Count = db.exec().fetch_one(&q).await?;
    Ok(c.n)
}

/// Failed attempts from an address since `since`.
pub async fn ip_failures_since(db: &Db, ip: &str, since: DateTime<Utc>) -> Result<i64, DbError> {
    let q = Query::select()
        .expr_as(Expr::col("id").count(), "n")
        .from("login_attempts")
        .and_where(Expr::col("ip").eq(ip))
        .and_where(Expr::col("success").eq(false))
        .and_where(Expr::col("at").gt(since))
        .to_owned();
    let c: Count = db.exec().fetch_one(&q).await?;
    Ok(c.n)
}

/// The failures of one (account, address) pair that still count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairFailures {
    /// How many.
    pub count: i64,
    /// The newest.
    pub last_at: Option<DateTime<Utc>>,
}

/// Failed attempts for `username` from `ip` since `since`, not counting those before the
/// pair's last success nor before an administrator cleared the account's failures.
/// Failures from other addresses are not counted: they cannot lock this one out.
pub async fn pair_failures_since(
    db: &Db,
    username: &str,
    ip: &str,
    since: DateTime<Utc>,
) -> Result<PairFailures, DbError> {
    let name = username.trim().to_lowercase();
    #[derive(sqlx::FromRow)]
    struct Last {
        at: Option<DateTime<Utc>>,
    }
    let q = Query::select()
        .expr_as(Expr::col("at").max(), "at")
        .from("login_attempts")
        .and_where(Expr::col("username").eq(name.clone()))
        .and_where(Expr::col("ip").eq(ip))
        .and_where(Expr::col("success").eq(true))
        .to_owned();
    let success: Last = db.exec().fetch_one(&q).await?;
    let q = Query::select()
        .expr_as(Expr::col("lockout_cleared_at").max(), "at")
        .from("users")
        .and_where(Expr::col("username").eq(name.clone()))
        .to_owned();
    let cleared: Last = db.exec().fetch_one(&q).await?;
    let from = [success.at, cleared.at].into_iter().flatten().fold(since, Ord::max);
    #[derive(sqlx::FromRow)]
    struct Failures {
        n: i64,
        last_at: Option<DateTime<Utc>>,
    }
    let q = Query::select()
        .expr_as(Expr::col("id").count(), "n")
        .expr_as(Expr::col("at").max(), "last_at")
        .from("login_attempts")
        .and_where(Expr::col("username").eq(name))
        .and_where(Expr::col("ip").eq(ip))
        .and_where(Expr::col("success").eq(false))
        .and_where(Expr::col("at").gt(from))
        .to_owned();
    let f: Failures = db.exec().fetch_one(&q).await?;
    Ok(PairFailures { count: f.n, last_at: f.last_at })
}

/// The oldest failed attempt from an address since `since` (with [`ip_failures_since`],
/// when the address's throttle ends).
pub async fn ip_oldest_failure_since(
    db: &Db,
    ip: &str,
    since: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Last {
        at: Option<DateTime<Utc>>,
    }
    let q = Query::select()
        .expr_as(Expr::col("at").min(), "at")
        .from("login_attempts")
        .and_where(Expr::col("ip").eq(ip))
        .and_where(Expr::col("success").eq(false))
        .and_where(Expr::col("at").gt(since))
        .to_owned();
    let l: Last = db.exec().fetch_one(&q).await?;
    Ok(l.at)
}

/// An administrator's unlock: the account's failures up to `at` stop counting, from
/// every address. Returns whether the account exists.
pub async fn clear_failures(db: &Db, user_id: i64, at: DateTime<Utc>) -> Result<bool, DbError> {
    let q = Query::update()
        .table("users")
        .values([("lockout_cleared_at", at.into())])
        .and_where(Expr::col("id").eq(user_id))
        .to_owned();
    Ok(db.exec().execute(&q).await? == 1)
}
