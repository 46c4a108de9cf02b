//! What every command shares: the database option, opening (and migrating) the
//! database, logging and the async runtime.

use anyhow::Context;
use clap::Args;
use diaban_store::{Db, reference};

/// The database option, the same for every command that touches the database.
#[derive(Args, Clone, Debug)]
pub struct DbArgs {
    /// Database URL: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, env = "DIABAN_DB", default_value = "sqlite://diaban.db")]
    pub db: String,
}

/// Opens the database, applies migrations and loads the reference units if missing.
pub async fn open_db(args: &DbArgs) -> anyhow::Result<Db> {
    let db = Db::connect(&args.db)
        .await
        .with_context(|| format!("database {}", redact_url(&args.db)))?;
    db.migrate().await?;
    match reference::load_units(&db).await? {
        reference::LoadOutcome::Loaded { units, lineage } => {
            tracing::info!(units, lineage, "administrative units loaded")
        }
        reference::LoadOutcome::AlreadyLoaded => {
            tracing::debug!("administrative units already loaded")
        }
    }
    Ok(db)
}

/// A URL with any password removed, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{}@{}", &url[..s + 3], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Sets up tracing with the given filter and format.
pub fn init_logging(level: &str, format: &str) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .map_err(|e| anyhow::anyhow!("invalid log level '{level}': {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let r = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    r.map_err(|e| anyhow::anyhow!("cannot set up logging: {e}"))
}

/// The multi-threaded runtime for database and server commands.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact_url("postgres://u:secret@h/db"),
            "postgres://u@h/db"
        );
        assert_eq!(super::redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
