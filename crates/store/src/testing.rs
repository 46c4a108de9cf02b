//! Fresh, migrated databases for tests: always a new SQLite file, and a new PostgreSQL
//! database on the server named by `TEST_DATABASE_URL` when that variable is set, so
//! the same test body runs on both engines and tests never share state.

use crate::db::Db;
use crate::error::DbError;
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A database made for one test. Call [`TestDb::cleanup`] at the end to remove it.
pub struct TestDb {
    /// The handle.
    pub db: Db,
    /// The URL it was opened with (to start a server on it).
    pub url: String,
    drop_pg: Option<(String, String)>,
    sqlite_file: Option<std::path::PathBuf>,
}

fn unique_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("diaban_test_{}_{}_{}", std::process::id(), n, nanos)
}

/// A new SQLite database file in the temporary directory, migrated.
pub async fn sqlite() -> Result<TestDb, DbError> {
    let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
    let url = format!("sqlite://{}", path.display());
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    Ok(TestDb { db, url, drop_pg: None, sqlite_file: Some(path) })
}

/// A new PostgreSQL database when `TEST_DATABASE_URL` is set, migrated.
pub async fn postgres() -> Result<Option<TestDb>, DbError> {
    let Some(t) = postgres_empty().await? else {
        return Ok(None);
    };
    t.db.migrate().await?;
    Ok(Some(t))
}

/// A new, empty PostgreSQL database (not migrated) when `TEST_DATABASE_URL` is set: a
/// place to restore a dump into.
pub async fn postgres_empty() -> Result<Option<TestDb>, DbError> {
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        return Ok(None);
    };
    let name = unique_name();
    let admin = Db::connect(&admin_url).await?;
    if let Db::Postgres(p) = &admin {
        // A database name cannot be a bound parameter; `name` is made here from digits
        // and underscores only.
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(p).await?;
    }
    admin.close().await;
    let url = replace_db_name(&admin_url, &name);
    let db = Db::connect(&url).await?;
    Ok(Some(TestDb { db, url, drop_pg: Some((admin_url, name)), sqlite_file: None }))
}

/// A fresh database on every engine available: SQLite always, PostgreSQL when set.
pub async fn all() -> Result<Vec<TestDb>, DbError> {
    let mut v = vec![sqlite().await?];
    if let Some(pg) = postgres().await? {
        v.push(pg);
    }
    Ok(v)
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = &base[scheme_end..];
    let new_base = match host_part.find('/') {
        Some(i) => format!("{}{}/{}", &base[..scheme_end], &host_part[..i], name),
        None => format!("{base}/{name}"),
    };
    match query {
        Some(q) => format!("{new_base}?{q}"),
        None => new_base,
    }
}

/// Runs one SQL statement exactly as written and gives the number of rows affected. For
/// tests that play someone with direct access to the database (dropping the audit
/// triggers, rewriting a row); the application never runs SQL it did not build itself.
pub async fn execute_raw(db: &Db, sql: &str) -> Result<u64, DbError> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    Ok(match db {
        Db::Sqlite(p) => sqlx::query(sql).execute(p).await?.rows_affected(),
        Db::Postgres(p) => sqlx::query(sql).execute(p).await?.rows_affected(),
    })
}

/// Runs a query exactly as written and gives every column of every row as text (NULL as
/// None). Select text columns only, or cast to text in the query.
pub async fn query_text(db: &Db, sql: &str) -> Result<Vec<Vec<Option<String>>>, DbError> {
    use sqlx::Row;
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    Ok(match db {
        Db::Sqlite(p) => sqlx::query(sql)
            .fetch_all(p)
            .await?
            .iter()
            .map(|r| (0..r.len()).map(|i| r.try_get::<Option<String>, _>(i)).collect())
            .collect::<Result<_, _>>()?,
        Db::Postgres(p) => sqlx::query(sql)
            .fetch_all(p)
            .await?
            .iter()
            .map(|r| (0..r.len()).map(|i| r.try_get::<Option<String>, _>(i)).collect())
            .collect::<Result<_, _>>()?,
    })
}

impl TestDb {
    /// Closes the pool and removes the database.
    pub async fn cleanup(self) {
        self.db.close().await;
        if let Some((admin_url, name)) = self.drop_pg
            && let Ok(Db::Postgres(p)) = Db::connect(&admin_url).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&p)
                .await;
            p.close().await;
        }
        if let Some(path) = self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            super::replace_db_name("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::replace_db_name("postgres://postgres@localhost", "x"),
            "postgres://postgres@localhost/x"
        );
        assert_eq!(
            super::replace_db_name("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
