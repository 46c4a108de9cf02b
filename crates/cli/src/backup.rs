//! `diaban backup` and `diaban restore`: a consistent copy of the database, and the
//! check that proves it restores (the audit chain verifies, every table counted). The
//! store does the work; this module picks the engine's way and prints what it found.

use crate::context::DbArgs;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use diaban_store::{Db, backup};
use std::path::{Path, PathBuf};

/// `diaban backup [--out FILE] | diaban backup verify FILE`
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    command: Option<BackupCommand>,
    /// Where to write the copy (never overwritten). SQLite: a database file; PostgreSQL: a
    /// pg_dump custom-format archive (needs pg_dump on the PATH).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Subcommand, Debug)]
enum BackupCommand {
    /// Open a SQLite backup (a scratch copy of it, so the file is not touched), verify
    /// its audit chain and count its rows. For a PostgreSQL archive, use `diaban restore`
    /// into a scratch database, which runs the same check.
    Verify { file: PathBuf },
}

/// `diaban restore --from FILE --db URL`
#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup: a SQLite file or a pg_dump archive.
    #[arg(long)]
    from: PathBuf,
    /// Where to restore: a SQLite path that does not exist yet, or an empty PostgreSQL
    /// database.
    #[arg(long, env = "DIABAN_DB")]
    db: String,
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    if let Some(BackupCommand::Verify { file }) = args.command {
        return verify_file(&file).await;
    }
    let out = args.out.context("give --out FILE (or `diaban backup verify FILE`)")?;
    let db = Db::connect(&args.db.db).await.context("database")?;
    match db.backend() {
        diaban_store::Backend::Sqlite => {
            backup::sqlite_copy(&db, &out).await?;
            db.close().await;
            verify_file(&out).await
        }
        diaban_store::Backend::Postgres => {
            db.close().await;
            let url = args.db.db.clone();
            let to = out.clone();
            tokio::task::spawn_blocking(move || backup::postgres_dump(&url, &to)).await??;
            println!(
                "backup written: {} (pg_dump custom format, read back with pg_restore --list); \
                 check it restores with `diaban restore --from {} --db postgres://…/scratch`",
                out.display(),
                out.display()
            );
            Ok(())
        }
    }
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let from = args.from;
    if backup::is_postgres_dump(&from).with_context(|| format!("{}", from.display()))? {
        if !args.db.starts_with("postgres") {
            bail!("{} is a pg_dump archive: restore it into a PostgreSQL database", from.display());
        }
        let (f, url) = (from.clone(), args.db.clone());
        tokio::task::spawn_blocking(move || backup::postgres_restore(&f, &url)).await??;
    } else {
        let path =
            args.db.strip_prefix("sqlite://").context("a SQLite backup restores to a sqlite:// path")?;
        if Path::new(path).exists() {
            bail!("{path} exists: restore into a new file");
        }
        std::fs::copy(&from, path).with_context(|| format!("copy to {path}"))?;
    }
    let db = Db::connect(&args.db).await.context("restored database")?;
    let result = report(&db).await;
    db.close().await;
    result
}

/// Checks a SQLite backup on a scratch copy, so the backup file itself is never opened
/// for writing (opening sets the journal mode).
async fn verify_file(file: &Path) -> anyhow::Result<()> {
    if backup::is_postgres_dump(file).with_context(|| format!("{}", file.display()))? {
        bail!(
            "{} is a pg_dump archive: check it with `diaban restore --from FILE --db URL` into a scratch database",
            file.display()
        );
    }
    let scratch = std::env::temp_dir().join(format!("diaban-verify-{}.db", std::process::id()));
    std::fs::copy(file, &scratch).with_context(|| format!("{}", file.display()))?;
    let url = format!("sqlite://{}", scratch.display());
    let result = async {
        let db = Db::connect(&url).await.context("backup")?;
        let r = report(&db).await;
        db.close().await;
        r
    }
    .await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
    }
    result
}

async fn report(db: &Db) -> anyhow::Result<()> {
    let c = backup::check(db).await?;
    for (table, n) in &c.tables {
        println!("{table}\t{n}");
    }
    match c.audit.first_problem {
        None => {
            println!("audit log intact: {} entries; head hash {}", c.audit.entries, c.audit.head_hash);
            Ok(())
        }
        Some((id, why)) => bail!("audit log broken at entry {id}: {why}"),
    }
}
