//! Backups that restore. A SQLite database is copied online with `VACUUM INTO`, which
//! writes one consistent snapshot while others keep writing; a PostgreSQL database is
//! dumped with `pg_dump` (one snapshot too) in its custom format and restored with
//! `pg_restore`. Either way the check is the same: open the copy, verify the audit
//! log's hash chain and count the rows of every table. Personal data stay sealed in the
//! copy: without the key file it cannot be read, by design.

use crate::audit::{self, VerifyReport};
use crate::db::{Backend, Db};
use crate::error::DbError;
use sea_query::{Alias, Expr, ExprTrait, Query};
use std::path::Path;
use std::process::Command;

/// What a check of a database (a backup opened, or a restored copy) found.
#[derive(Debug, Clone)]
pub struct Check {
    /// The audit chain.
    pub audit: VerifyReport,
    /// Every table with its number of rows, by name.
    pub tables: Vec<(String, i64)>,
}

impl Check {
    /// The rows of one table (0 when there is no such table).
    pub fn rows(&self, table: &str) -> i64 {
        self.tables.iter().find(|(t, _)| t == table).map_or(0, |(_, n)| *n)
    }
}

/// Writes a consistent copy of a SQLite database to `out`, which must not exist.
pub async fn sqlite_copy(db: &Db, out: &Path) -> Result<(), DbError> {
    if out.exists() {
        return Err(DbError::Invalid(format!("{} exists: a backup never overwrites a file", out.display())));
    }
    let Db::Sqlite(pool) = db else {
        return Err(DbError::Invalid("VACUUM INTO is for SQLite; use pg_dump for PostgreSQL".into()));
    };
    let target = out.to_str().ok_or_else(|| DbError::Invalid("the backup path is not UTF-8".into()))?;
    // A constant statement; the path is a bound value.
    sqlx::query(sqlx::AssertSqlSafe("VACUUM INTO ?".to_owned())).bind(target).execute(pool).await?;
    Ok(())
}

/// Dumps a PostgreSQL database to `out` with `pg_dump --format=custom` (one snapshot),
/// then checks that `pg_restore --list` reads it.
pub fn postgres_dump(url: &str, out: &Path) -> Result<(), DbError> {
    if out.exists() {
        return Err(DbError::Invalid(format!("{} exists: a backup never overwrites a file", out.display())));
    }
    run(Command::new("pg_dump").arg("--format=custom").arg("--no-owner").arg("--file").arg(out).arg(url))?;
    run(Command::new("pg_restore").arg("--list").arg(out))
}

/// Restores a `pg_dump` file into the empty PostgreSQL database at `url`.
pub fn postgres_restore(from: &Path, url: &str) -> Result<(), DbError> {
    run(Command::new("pg_restore")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg("--exit-on-error")
        .arg("--dbname")
        .arg(url)
        .arg(from))
}

fn run(cmd: &mut Command) -> Result<(), DbError> {
    let name = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd.output().map_err(|e| {
        DbError::Invalid(format!("cannot run {name} ({e}): install the PostgreSQL client tools"))
    })?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(DbError::Invalid(format!("{name} failed: {}", err.lines().next().unwrap_or("no message"))))
    }
}

/// Whether a file is a `pg_dump` custom-format archive (else it is taken for SQLite).
pub fn is_postgres_dump(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 5];
    let n = std::fs::File::open(path)?.read(&mut head)?;
    Ok(n == 5 && &head == b"PGDMP")
}

#[derive(sqlx::FromRow)]
struct Name {
    name: String,
}

#[derive(sqlx::FromRow)]
struct Rows {
    n: i64,
}

/// Verifies the audit chain and counts the rows of every table.
pub async fn check(db: &Db) -> Result<Check, DbError> {
    let audit = audit::verify(db).await?;
    let list = match db.backend() {
        Backend::Sqlite => Query::select()
            .expr_as(Expr::col("name"), "name")
            .from("sqlite_master")
            .and_where(Expr::col("type").eq("table"))
            .to_owned(),
        Backend::Postgres => Query::select()
            .expr_as(Expr::col("table_name"), "name")
            .from(("information_schema", "tables"))
            .and_where(Expr::col("table_schema").eq("public"))
            .and_where(Expr::col("table_type").eq("BASE TABLE"))
            .to_owned(),
    };
    let mut names: Vec<Name> = db.exec().fetch_all(&list).await?;
    // The engines' own tables and the migrations' bookkeeping are not data.
    names.retain(|n| !n.name.starts_with("sqlite_") && !n.name.starts_with("_sqlx"));
    names.sort_by(|a, b| a.name.cmp(&b.name));
    let mut tables = Vec::with_capacity(names.len());
    for Name { name } in names {
        let q = Query::select()
            .expr_as(Expr::col(sea_query::Asterisk).count(), "n")
            .from(Alias::new(name.as_str()))
            .to_owned();
        let r: Rows = db.exec().fetch_one(&q).await?;
        tables.push((name, r.n));
    }
    Ok(Check { audit, tables })
}
