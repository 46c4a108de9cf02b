//! The `diaban` binary: parses the command line and hands each subcommand to its own
//! module. Errors end the process with one line on stderr and a non-zero status.

mod admin;
mod analyze;
mod backup;
mod context;
mod demo;
mod import;
mod report;
mod serve;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// diaban: the drug-control programme of a province — sites, areas, persons, operations,
/// targets and reports.
#[derive(Parser)]
#[command(name = "diaban", version, about, propagate_version = true)]
struct Cli {
    /// Log level or filter (error, warn, info, debug, trace, or a tracing filter).
    #[arg(long, env = "DIABAN_LOG", default_value = "info", global = true)]
    log_level: String,
    /// Log format: text for people, json for log collectors.
    #[arg(long, env = "DIABAN_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"], global = true)]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrations and reference data are applied at start).
    Serve(serve::ServeArgs),
    /// Apply database migrations and load the reference data, then exit.
    Migrate(context::DbArgs),
    /// Fill a database with deterministic synthetic demo data for Quảng Ngãi.
    Demo(demo::DemoArgs),
    /// Import data from files.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Manage accounts.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(admin::TokenCommand),
    /// Write a consistent copy of the database, or check one (`backup verify FILE`).
    Backup(backup::BackupArgs),
    /// Restore a backup into a new database and check it (audit chain, rows per table).
    Restore(backup::RestoreArgs),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(admin::AuditCommand),
    /// Manage the data keys that seal personal data.
    #[command(subcommand)]
    Keys(admin::KeysCommand),
    /// Write a periodic report (XLSX tables or DOCX narrative) for a unit and a period.
    Report(report::ReportArgs),
    /// Spatio-temporal analytics on incident files (EHSA, density, accuracy).
    #[command(subcommand)]
    Analyze(analyze::AnalyzeCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = context::init_logging(&cli.log_level, &cli.log_format) {
        eprintln!("diaban: error: {e}");
        return ExitCode::from(2);
    }
    let result = context::runtime().and_then(|rt| rt.block_on(run(cli.command)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the chain of causes joined, no backtrace.
            eprintln!("diaban: error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => serve::run(args).await,
        Command::Migrate(args) => {
            let db = context::open_db(&args).await?;
            db.close().await;
            println!("migrations applied; reference data loaded");
            Ok(())
        }
        Command::Demo(args) => demo::run(args).await,
        Command::Import(cmd) => import::run(cmd).await,
        Command::User(cmd) => admin::user(cmd).await,
        Command::Token(cmd) => admin::token(cmd).await,
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
        Command::Audit(cmd) => admin::audit_cmd(cmd).await,
        Command::Keys(cmd) => admin::keys(cmd).await,
        Command::Report(args) => report::run(args).await,
        // Pure computation on files, on its own threads.
        Command::Analyze(cmd) => tokio::task::spawn_blocking(move || analyze::run(cmd)).await?,
    }
}
