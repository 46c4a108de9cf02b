//! `diaban demo`: deterministic synthetic data for the reference province, Quảng Ngãi
//! (code 51, which took in Kon Tum in 2025). Every part is generated from one seed with
//! a small generator of our own ([`rng::SplitMix64`]) so the data do not change when a
//! dependency does. Each later feature adds its own module here.

mod population;
pub mod rng;

use crate::context::{DbArgs, open_db};
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
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let db = open_db(&args.db).await?;
    let r = fill(&db, args.seed).await;
    db.close().await;
    r?;
    println!(
        "demo data for Quảng Ngãi (51) are in {}",
        crate::context::redact_url(&args.db.db)
    );
    Ok(())
}

/// Fills the database with the demo data, once: a database that has them is left alone.
pub async fn fill(db: &Db, seed: u64) -> anyhow::Result<()> {
    if reference::is_loaded(db, "demo").await? {
        tracing::info!("demo data already present; nothing to do");
        return Ok(());
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
    reference::mark_loaded(db, "demo", &format!("seed {seed}")).await?;
    Ok(())
}
