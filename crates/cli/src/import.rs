//! `diaban import …`: bulk imports, each all or nothing.

use crate::context::{DbArgs, open_db};
use anyhow::Context;
use clap::Subcommand;
use diaban_store::population::{self, ImportOutcome};

/// What to import.
#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Population per unit per year from a CSV with the header unit_code,year,population.
    /// A code means the unit that had it on 1 July of the row's year. Any bad row: nothing
    /// is imported and every bad row is named.
    Population {
        /// The CSV file.
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(cmd: ImportCommand) -> anyhow::Result<()> {
    match cmd {
        ImportCommand::Population { file, db } => {
            let f = std::fs::File::open(&file).with_context(|| format!("cannot open {}", file.display()))?;
            let db = open_db(&db).await?;
            let source =
                format!("import {}", file.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
            let result = population::import_csv(&db, std::io::BufReader::new(f), &source).await;
            db.close().await;
            match result {
                Ok(n) => {
                    println!("imported {n} population rows");
                    Ok(())
                }
                Err(ImportOutcome::Invalid(e)) => Err(anyhow::anyhow!("{}: {e}", file.display())),
                Err(ImportOutcome::Db(e)) => Err(e.into()),
            }
        }
    }
}
