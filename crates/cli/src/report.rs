//! `diaban report`: one periodic report file for a unit and a period, computed now from
//! the database through the same code as the server (`diaban_web::reports_ops`), with the
//! default template and narratives, marked as a draft (issued reports live in the app).
//! Aggregates only: the file carries no identity, so the data key is not needed to
//! compute it; `--key-file` is accepted like every command's and only checked.

use crate::context::{DbArgs, KeyArgs, open_db};
use anyhow::Context;
use clap::{Args, ValueEnum};
use diaban_domain::report::ReportKind;
use diaban_web::reports_ops::{Format, adhoc_file};
use std::path::PathBuf;

/// The kinds on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// A month: --period YYYY-MM.
    Monthly,
    /// Six months: --period YYYY-H1 or YYYY-H2.
    HalfYear,
    /// A year: --period YYYY.
    Annual,
}

/// The formats on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// The statistical tables.
    Xlsx,
    /// The narrative report (Decree 30/2020/NĐ-CP layout).
    Docx,
}

/// `diaban report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    keys: KeyArgs,
    /// The current province or commune (code), e.g. 51 or 23293.
    #[arg(long)]
    unit: String,
    /// The period: YYYY-MM (monthly), YYYY-H1/YYYY-H2 (half-year), YYYY (annual).
    #[arg(long)]
    period: String,
    /// How often the report is made.
    #[arg(long, value_enum)]
    kind: KindArg,
    /// xlsx (tables) or docx (narrative report).
    #[arg(long, value_enum)]
    format: FormatArg,
    /// Where to write the file.
    #[arg(long)]
    out: PathBuf,
}

pub async fn run(args: ReportArgs) -> anyhow::Result<()> {
    let kind = match args.kind {
        KindArg::Monthly => ReportKind::Monthly,
        KindArg::HalfYear => ReportKind::HalfYear,
        KindArg::Annual => ReportKind::Annual,
    };
    // The period is checked before the database is opened: a typo fails fast.
    kind.period(&args.period).map_err(|e| anyhow::anyhow!("--period: {e}"))?;
    args.keys.load()?;
    let format = match args.format {
        FormatArg::Xlsx => Format::Xlsx,
        FormatArg::Docx => Format::Docx,
    };
    let db = open_db(&args.db).await?;
    let bytes = adhoc_file(&db, &args.unit, kind, &args.period, format).await;
    db.close().await;
    let bytes = bytes.map_err(|e| anyhow::anyhow!("{}", e.message))?;
    std::fs::write(&args.out, &bytes).with_context(|| format!("cannot write {}", args.out.display()))?;
    println!("{} ({} bytes)", args.out.display(), bytes.len());
    Ok(())
}
