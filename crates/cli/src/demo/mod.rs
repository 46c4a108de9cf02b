//! `diaban demo`: deterministic synthetic data for the reference province, Quảng Ngãi
//! (code 51, which took in Kon Tum in 2025). Every part is generated from one seed with
//! a small generator of our own ([`rng::SplitMix64`]) so the data do not change when a
//! dependency does. Each later feature adds its own module here.

mod accounts;
mod analytics_burst;
mod areas;
mod classification;
mod incidents;
mod operations;
mod person_records;
mod persons;
mod plans;
mod population;
mod propaganda_cases;
mod reports;
pub mod rng;
mod sites;

use crate::context::{DbArgs, KeyArgs, open_db};
use anyhow::Context;
use clap::Args;
use diaban_store::{Db, reference};

/// The seed used by `serve --demo` and by `demo` without `--seed`.
pub const DEFAULT_SEED: u64 = 3220;
/// The province the demo is about.
pub const DEMO_PROVINCE: &str = "51";

/// Options of `diaban demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Key file for the demo persons: created when it does not exist. Without it the
    /// demo has no person records.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// Loads the demo key file, creating it when missing (demo only: a key is never made
/// silently elsewhere).
pub fn ensure_key(keys: &KeyArgs) -> anyhow::Result<diaban_vault::KeyRing> {
    let path = keys.key_file.as_ref().context("no key file")?;
    if !path.exists() {
        diaban_vault::KeyRing::generate()
            .save(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("new demo key file: {}", path.display());
    }
    keys.require()
}

/// Prints the demo accounts.
pub fn print_accounts(accounts: &[accounts::DemoAccount]) {
    if accounts.is_empty() {
        return;
    }
    println!("demo accounts (username / password / role / unit):");
    for a in accounts {
        println!("  {:<16} {:<22} {:<17} {}", a.username, a.password, a.role, a.unit);
    }
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let keys = match args.keys.key_file {
        Some(_) => Some(ensure_key(&args.keys)?),
        None => {
            eprintln!("no --key-file: the demo gets no person records");
            None
        }
    };
    let db = open_db(&args.db).await?;
    let r = fill(&db, keys.as_ref(), args.seed).await;
    db.close().await;
    print_accounts(&r?);
    println!("demo data for Quảng Ngãi (51) are in {}", crate::context::redact_url(&args.db.db));
    Ok(())
}

/// Fills the database with the demo data, once: a database that has them is left alone.
/// Returns the demo accounts made (empty when the data were already there).
pub async fn fill(
    db: &Db,
    keys: Option<&diaban_vault::KeyRing>,
    seed: u64,
) -> anyhow::Result<Vec<accounts::DemoAccount>> {
    if reference::is_loaded(db, "demo").await? {
        tracing::info!("demo data already present; nothing to do");
        return Ok(vec![]);
    }
    let province = diaban_store::units::by_code(
        db,
        DEMO_PROVINCE,
        Some(diaban_domain::UnitLevel::Province),
        diaban_domain::time::REORGANISATION_DATE,
    )
    .await?
    .context("the demo province 51 is missing from the units")?;
    population::fill(db, &province, seed).await?;
    let accounts = accounts::fill(db, &province).await?;
    sites::fill(db, &province, seed).await?;
    incidents::fill(db, &province, seed).await?;
    analytics_burst::fill(db, &province, seed).await?;
    if let Some(keys) = keys {
        persons::fill(db, keys, &province, seed).await?;
        person_records::fill(db, &province, seed).await?;
    }
    areas::fill(db, &province, seed).await?;
    classification::fill(db, &province, seed).await?;
    operations::fill(db, keys, &province, seed).await?;
    propaganda_cases::fill(db, keys, &province, seed).await?;
    plans::fill(db, &province).await?;
    reports::fill(db, &province).await?;
    reference::mark_loaded(db, "demo", &format!("seed {seed}")).await?;
    Ok(accounts)
}
