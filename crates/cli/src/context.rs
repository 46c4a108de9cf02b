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

/// The data key option, for every command that reads or writes persons.
#[derive(Args, Clone, Debug, Default)]
pub struct KeyArgs {
    /// File holding the data keys that seal personal data (created by `diaban demo
    /// --key-file` or `diaban keys init`); required once the database holds persons.
    #[arg(long, env = "DIABAN_KEY_FILE")]
    pub key_file: Option<std::path::PathBuf>,
}

impl KeyArgs {
    /// Loads the key ring, if a file was named.
    pub fn load(&self) -> anyhow::Result<Option<diaban_vault::KeyRing>> {
        match &self.key_file {
            None => Ok(None),
            Some(p) => {
                diaban_vault::KeyRing::load(p).map(Some).with_context(|| format!("key file {}", p.display()))
            }
        }
    }

    /// Loads the key ring, which this command needs.
    pub fn require(&self) -> anyhow::Result<diaban_vault::KeyRing> {
        self.load()?
            .context("this command needs the data key file: pass --key-file PATH (or set DIABAN_KEY_FILE)")
    }
}

/// Opens the database, applies migrations and loads the reference units if missing.
pub async fn open_db(args: &DbArgs) -> anyhow::Result<Db> {
    let db = Db::connect(&args.db).await.with_context(|| format!("database {}", redact_url(&args.db)))?;
    db.migrate().await?;
    match reference::load_units(&db).await? {
        reference::LoadOutcome::Loaded { units, lineage } => {
            tracing::info!(units, lineage, "administrative units loaded")
        }
        reference::LoadOutcome::AlreadyLoaded => {
            tracing::debug!("administrative units already loaded")
        }
    }
    if diaban_store::person_facts::ensure(&db, diaban_domain::time::today_in_vietnam()).await? {
        tracing::info!("persons statistics facts built");
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
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let r = if format == "json" { builder.json().try_init() } else { builder.try_init() };
    r.map_err(|e| anyhow::anyhow!("cannot set up logging: {e}"))
}

/// The multi-threaded runtime for database and server commands.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(super::redact_url("postgres://u:secret@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
