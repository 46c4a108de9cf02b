//! The one place that matches on the engine: builds a sea-query statement for the
//! engine at hand and runs it on a pool or inside a transaction. Rows are decoded with
//! `sqlx::FromRow`, so a row type must decode on both engines (use i64, f64, String,
//! bool, `NaiveDate`, `DateTime<Utc>` and their options).

use crate::error::DbError;
use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::SqlxBinder;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
// The SQL text comes from sea-query with every value bound as a parameter, so it is
// asserted safe here, in the one place statements are run.
use sqlx::{AssertSqlSafe, FromRow, PgConnection, PgPool, SqliteConnection, SqlitePool};

/// Where a statement runs.
pub(crate) enum Exec<'a> {
    SqlitePool(&'a SqlitePool),
    PgPool(&'a PgPool),
    SqliteConn(&'a mut SqliteConnection),
    PgConn(&'a mut PgConnection),
}

/// A row type that decodes on both engines.
pub(crate) trait AnyRow:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> AnyRow for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

impl Exec<'_> {
    /// Runs a statement that returns no rows; gives the number of rows affected.
    pub(crate) async fn execute<S: SqlxBinder>(self, stmt: &S) -> Result<u64, DbError> {
        Ok(match self {
            Exec::SqlitePool(p) => {
                let (sql, v) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), v).execute(p).await?.rows_affected()
            }
            Exec::SqliteConn(c) => {
                let (sql, v) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), v).execute(c).await?.rows_affected()
            }
            Exec::PgPool(p) => {
                let (sql, v) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), v).execute(p).await?.rows_affected()
            }
            Exec::PgConn(c) => {
                let (sql, v) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), v).execute(c).await?.rows_affected()
            }
        })
    }

    /// Runs a query and decodes every row.
    pub(crate) async fn fetch_all<T: AnyRow, S: SqlxBinder>(self, stmt: &S) -> Result<Vec<T>, DbError> {
        Ok(match self {
            Exec::SqlitePool(p) => {
                let (sql, v) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), v).fetch_all(p).await?
            }
            Exec::SqliteConn(c) => {
                let (sql, v) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), v).fetch_all(c).await?
            }
            Exec::PgPool(p) => {
                let (sql, v) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), v).fetch_all(p).await?
            }
            Exec::PgConn(c) => {
                let (sql, v) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), v).fetch_all(c).await?
            }
        })
    }

    /// Runs a query and decodes at most one row.
    pub(crate) async fn fetch_optional<T: AnyRow, S: SqlxBinder>(
        self,
        stmt: &S,
    ) -> Result<Option<T>, DbError> {
        Ok(match self {
            Exec::SqlitePool(p) => {
                let (sql, v) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), v).fetch_optional(p).await?
            }
            Exec::SqliteConn(c) => {
                let (sql, v) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), v).fetch_optional(c).await?
            }
            Exec::PgPool(p) => {
                let (sql, v) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), v).fetch_optional(p).await?
            }
            Exec::PgConn(c) => {
                let (sql, v) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), v).fetch_optional(c).await?
            }
        })
    }

    /// Runs a query that must return exactly one row.
    pub(crate) async fn fetch_one<T: AnyRow, S: SqlxBinder>(self, stmt: &S) -> Result<T, DbError> {
        self.fetch_optional(stmt).await?.ok_or(DbError::NotFound)
    }
}

/// A single `COUNT(*)`-style scalar row.
#[derive(sqlx::FromRow)]
pub(crate) struct Count {
    pub n: i64,
}

/// A single id, from `RETURNING id`.
#[derive(sqlx::FromRow)]
pub(crate) struct IdRow {
    pub id: i64,
}
