//! `diaban analyze`: the spatio-temporal analyses of `diaban-analytics` on
//! incident files — emerging hot spots, the density surface and the
//! prediction accuracy check — as commands that read a CSV and write a CSV.
//!
//! Output files are written to a temporary file beside the target and renamed
//! into place, so a failed run never leaves a half-written result (`-` means
//! standard output; devices and pipes such as `/dev/null` are written into).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use clap::{Args, Subcommand};
use diaban_analytics::incidents::{ParseOptions, ParsedIncidents, read_csv};
use diaban_analytics::kde::{Kde, write_kde_csv};
use diaban_analytics::pai::{Pai, write_pai_csv};
use diaban_analytics::{Category, Ehsa, ErrorKind, SpaceTimeCube};

/// Analyses of incident files.
///
/// Every command reads incidents from a CSV file whose first line is the
/// header `lat,lon,date` (WGS84 degrees, dates as YYYY-MM-DD; the columns may
/// come in any order, and other columns are ignored). A row that cannot be
/// parsed, or whose coordinates are out of range, stops the command with its
/// line number, unless --skip-bad-rows is given. The exact definitions of
/// every statistic are in ANALYTICS.md; docs/analytics.md explains the
/// commands and their output.
#[derive(Debug, Subcommand)]
pub enum AnalyzeCommand {
    /// Emerging hot spot analysis: where activity is new, growing,
    /// persistent, fading or oscillating.
    ///
    /// Incidents are counted per H3 cell and calendar month (from the month of
    /// the earliest incident to that of the latest); each bin gets a Getis-Ord
    /// Gi* z score over its space-time neighbourhood (cells within K rings,
    /// this month and the N before), significance is judged with the
    /// Benjamini–Hochberg false discovery rate, each cell's z series gets a
    /// Mann–Kendall trend test, and each cell one of 17 categories (NEW_HOT,
    /// CONSECUTIVE_HOT, INTENSIFYING_HOT, DIMINISHING_HOT, PERSISTENT_HOT,
    /// HISTORICAL_HOT, OSCILLATING_HOT, SPORADIC_HOT, their _COLD twins, or
    /// NO_PATTERN).
    ///
    /// Output: one row per cell holding at least one incident, sorted by
    /// cell, with the columns
    /// cell,lat,lon,category,hot_bins,cold_bins,final_z,mk_tau,mk_z,mk_p
    /// (cell = lowercase hex H3 index; lat,lon = cell centre; hot_bins and
    /// cold_bins = months in which the cell is a significant hot or cold
    /// spot; final_z = Gi* z of the last month; mk_* = Mann–Kendall τ, Z and
    /// p of the z series). Floats have 6 decimals.
    Ehsa(EhsaArgs),
    /// Kernel density surface for the heat layer of a map.
    ///
    /// Quartic (biweight) kernel of bandwidth h metres and great-circle
    /// distance, evaluated at the centre of every H3 cell within h of at
    /// least one incident.
    ///
    /// Output: cell,lat,lon,density — cell = lowercase hex H3 index,
    /// lat,lon = cell centre, density = incidents per square kilometre (each
    /// incident's kernel integrates to 1), sorted by cell, 6 decimals.
    Kde(KdeArgs),
    /// Prediction Accuracy Index: how well each hot-spot method, fitted on
    /// one period, predicts the incidents of the next.
    ///
    /// The study region is the set of cells holding training incidents. Each
    /// method ranks those cells: ehsa_hot (cells in a hot EHSA category, by
    /// final z), kde (density at the cell centre) and last_period (incidents
    /// in the last training month). For the top 1%, 5% and 10% of the
    /// region's area, PAI = (n/N)/(a/A): the share of test incidents in the
    /// flagged cells over the share of area they cover. Higher is better;
    /// flagging at random gives about 1.
    ///
    /// Prints a table; --out also writes the CSV
    /// method,area_pct,cells,area_km2,hits,total,pai.
    Pai(PaiArgs),
}

/// Options every command shares.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Leave out rows that cannot be used (they are counted and the first is
    /// shown on stderr) instead of stopping at the first one.
    #[arg(long)]
    pub skip_bad_rows: bool,

    /// Print each phase and its duration on stderr (the default when stderr
    /// is a terminal).
    #[arg(long)]
    pub progress: bool,
}

/// Arguments of `diaban analyze ehsa`.
#[derive(Debug, Args)]
pub struct EhsaArgs {
    /// Incident CSV file (header lat,lon,date).
    pub input: PathBuf,

    /// Where to write the result CSV ("-" for standard output).
    #[arg(long, short = 'o', value_name = "OUT.csv")]
    pub out: PathBuf,

    /// H3 resolution of the cells, 0–15 (8: cells of about 0.74 km², 9:
    /// about 0.11 km²).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u8).range(0..=15))]
    pub res: u8,

    /// Spatial neighbourhood: cells within K grid rings (1: the cell and its
    /// six neighbours).
    #[arg(long, default_value_t = 1, value_name = "K")]
    pub k: u32,

    /// Temporal neighbourhood: this month and the N months before it.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub time_steps: u32,

    /// Significance level of the bins.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,

    /// Judge each bin alone (p ≤ alpha) instead of controlling the false
    /// discovery rate with Benjamini–Hochberg. Finds more hot spots, and
    /// more false ones.
    #[arg(long)]
    pub no_fdr: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// Arguments of `diaban analyze kde`.
#[derive(Debug, Args)]
pub struct KdeArgs {
    /// Incident CSV file (header lat,lon,date).
    pub input: PathBuf,

    /// Where to write the density CSV ("-" for standard output).
    #[arg(long, short = 'o', value_name = "OUT.csv")]
    pub out: PathBuf,

    /// H3 resolution of the evaluation cells, 0–15.
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u8).range(0..=15))]
    pub res: u8,

    /// Kernel bandwidth h in metres.
    #[arg(long, default_value_t = 500.0, value_name = "METRES")]
    pub bandwidth: f64,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// Arguments of `diaban analyze pai`.
#[derive(Debug, Args)]
pub struct PaiArgs {
    /// Incidents up to the end of the training period (header lat,lon,date).
    #[arg(long, value_name = "TRAIN.csv")]
    pub train: PathBuf,

    /// Incidents of the following period, to be predicted.
    #[arg(long, value_name = "TEST.csv")]
    pub test: PathBuf,

    /// Also write the results as CSV ("-" for standard output).
    #[arg(long, short = 'o', value_name = "OUT.csv")]
    pub out: Option<PathBuf>,

    /// H3 resolution of the study grid, 0–15.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u8).range(0..=15))]
    pub res: u8,

    /// EHSA spatial neighbourhood in grid rings.
    #[arg(long, default_value_t = 1, value_name = "K")]
    pub k: u32,

    /// EHSA temporal neighbourhood in months.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub time_steps: u32,

    /// EHSA significance level.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,

    /// EHSA without the false discovery rate control.
    #[arg(long)]
    pub no_fdr: bool,

    /// Kernel bandwidth in metres for the kde method.
    #[arg(long, default_value_t = 500.0, value_name = "METRES")]
    pub bandwidth: f64,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// Runs one `analyze` command.
pub fn run(cmd: AnalyzeCommand) -> Result<()> {
    match cmd {
        AnalyzeCommand::Ehsa(args) => ehsa(args),
        AnalyzeCommand::Kde(args) => kde(args),
        AnalyzeCommand::Pai(args) => pai(args),
    }
}

fn ehsa(args: EhsaArgs) -> Result<()> {
    let progress = Progress::new(args.common.progress);
    // Parameters first: a typo should not cost a parse of a large file.
    let analysis = Ehsa::builder()
        .resolution(args.res)
        .rings(args.k)
        .time_steps(args.time_steps)
        .alpha(args.alpha)
        .fdr(!args.no_fdr)
        .build()?;
    let parsed = load(&args.input, &args.common, &progress)?;
    let cube = SpaceTimeCube::build(&parsed.incidents, args.res)?;
    progress.phase(&format!(
        "binned into {} cells × {} months from {}",
        cube.cells().len(),
        cube.steps(),
        cube.first_month()
    ));
    let report = analysis.analyse_cube(cube)?;
    for (name, took) in report.timings() {
        progress.detail(name, took.as_secs_f64());
    }
    progress.phase("analysed");
    write_output(&args.out, |w| report.write_csv(w))?;
    progress.phase(&format!("wrote {}", args.out.display()));

    let summary: Vec<String> = report
        .category_counts()
        .iter()
        .filter(|(c, n)| *n > 0 && *c != Category::NoPattern)
        .map(|(c, n)| format!("{n} {c}"))
        .collect();
    eprintln!(
        "{} cells, {} significant bins of {}; {}",
        report.rows().len(),
        report.significant_bins(),
        report.rows().len() * report.cube().steps(),
        if summary.is_empty() { "no patterns".to_string() } else { summary.join(", ") }
    );
    Ok(())
}

fn kde(args: KdeArgs) -> Result<()> {
    let progress = Progress::new(args.common.progress);
    let kde = Kde::builder().resolution(args.res).bandwidth(args.bandwidth).build()?;
    let parsed = load(&args.input, &args.common, &progress)?;
    let surface = kde.surface(&parsed.incidents)?;
    progress.phase(&format!("evaluated {} cells", surface.len()));
    write_output(&args.out, |w| write_kde_csv(&surface, w))?;
    progress.phase(&format!("wrote {}", args.out.display()));
    Ok(())
}

fn pai(args: PaiArgs) -> Result<()> {
    let progress = Progress::new(args.common.progress);
    let ehsa = Ehsa::builder()
        .resolution(args.res)
        .rings(args.k)
        .time_steps(args.time_steps)
        .alpha(args.alpha)
        .fdr(!args.no_fdr)
        .build()?;
    let pai = Pai::builder().ehsa(ehsa).bandwidth(args.bandwidth).build()?;
    let train = load(&args.train, &args.common, &progress)?;
    let test = load(&args.test, &args.common, &progress)?;
    let last_train = train.incidents.iter().map(|i| i.date()).max();
    let first_test = test.incidents.iter().map(|i| i.date()).min();
    if let (Some(last), Some(first)) = (last_train, first_test)
        && first <= last
    {
        eprintln!("warning: the test period starts on {first}, before the training data ends ({last})");
    }
    let report = pai.evaluate(&train.incidents, &test.incidents)?;
    progress.phase("evaluated");

    let mut table = format!(
        "study region: {} cells, {:.2} km²; {} of {} test incidents inside it\n\
         {:<12} {:>6} {:>6} {:>10} {:>15} {:>9}\n",
        report.study_cells,
        report.study_area_km2,
        report.test_in_region,
        test.incidents.len(),
        "method",
        "area",
        "cells",
        "area_km2",
        "hits/total",
        "PAI"
    );
    for r in &report.rows {
        let pai = r.pai.map_or("-".to_string(), |p| format!("{p:.2}"));
        table += &format!(
            "{:<12} {:>5}% {:>6} {:>10.2} {:>15} {:>9}\n",
            r.method.as_str(),
            r.area_share * 100.0,
            r.cells,
            r.area_km2,
            format!("{}/{}", r.hits, r.total),
            pai
        );
    }
    print!("{table}");
    if let Some(out) = &args.out {
        write_output(out, |w| write_pai_csv(&report, w))?;
        progress.phase(&format!("wrote {}", out.display()));
    }
    Ok(())
}

/// Reads an incident file, turning a bad row into an error that names the
/// file and line and says how to go on.
fn load(path: &Path, common: &CommonArgs, progress: &Progress) -> Result<ParsedIncidents> {
    let options = ParseOptions::new().skip_bad_rows(common.skip_bad_rows);
    let parsed = read_csv(path, options).map_err(|e| match e.kind() {
        ErrorKind::InvalidRow => {
            anyhow!("{}: {e}; fix the row or pass --skip-bad-rows to leave such rows out", path.display())
        }
        ErrorKind::Io => anyhow!("{e}"),
        _ => anyhow!("{}: {e}", path.display()),
    })?;
    if parsed.rejected_count > 0 {
        eprintln!(
            "warning: {}: skipped {} bad row{} (first: {})",
            path.display(),
            parsed.rejected_count,
            if parsed.rejected_count == 1 { "" } else { "s" },
            parsed.rejected.first().map_or(String::new(), ToString::to_string)
        );
    }
    if parsed.incidents.is_empty() {
        return Err(anyhow!("{}: no usable incidents", path.display()));
    }
    progress.phase(&format!("read {} incidents from {}", parsed.incidents.len(), path.display()));
    Ok(parsed)
}

/// Writes a result: to standard output for "-"; straight into anything that
/// is not a regular file (`/dev/null`, a pipe), since renaming over it would
/// replace it; otherwise through a temporary file beside the target, renamed
/// into place, so that a failed run leaves no half-written file. A symbolic
/// link is followed, so the file it points to is the one replaced.
fn write_output(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    if path.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        return write(&mut lock).context("writing to standard output");
    }
    // Follow symbolic links, even dangling ones, so that a link stays a link.
    let mut target = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link =
                    std::fs::read_link(&target).with_context(|| format!("resolving {}", target.display()))?;
                target = match target.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => break,
        }
    }
    if let Ok(meta) = std::fs::metadata(&target)
        && !meta.is_file()
    {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(&target)
            .with_context(|| format!("opening {}", path.display()))?;
        return write(&mut file).with_context(|| format!("writing {}", path.display()));
    }
    let file_name = target.file_name().ok_or_else(|| anyhow!("{} is not a file path", path.display()))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = target.with_file_name(tmp_name);
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| write(&mut f))
        .and_then(|()| std::fs::rename(&tmp, &target));
    if let Err(e) = result {
        // Best effort: the temporary file may not even exist.
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow!("writing {}: {e}", path.display()));
    }
    Ok(())
}

/// Phase messages with elapsed times on stderr.
struct Progress {
    enabled: bool,
    start: Instant,
}

impl Progress {
    fn new(requested: bool) -> Self {
        Self { enabled: requested || std::io::stderr().is_terminal(), start: Instant::now() }
    }

    fn phase(&self, message: &str) {
        if self.enabled {
            eprintln!("[{:>7.3} s] {message}", self.start.elapsed().as_secs_f64());
        }
    }

    fn detail(&self, name: &str, seconds: f64) {
        if self.enabled {
            eprintln!("            {name}: {:.3} s", seconds);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug, Parser)]
    struct TestCli {
        #[command(subcommand)]
        command: AnalyzeCommand,
    }

    fn parse(args: &[&str]) -> Result<AnalyzeCommand, clap::Error> {
        TestCli::try_parse_from(std::iter::once("analyze").chain(args.iter().copied())).map(|c| c.command)
    }

    /// A fresh directory under the system temporary directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> Self {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "diaban-analyze-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn file(&self, name: &str, contents: &str) -> String {
            let path = self.0.join(name);
            std::fs::write(&path, contents).unwrap();
            path.display().to_string()
        }

        fn path(&self, name: &str) -> String {
            self.0.join(name).display().to_string()
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Two months of incidents in two places.
    fn incidents(month_offset: u32) -> String {
        let mut csv = String::from("lat,lon,date\n");
        for m in 1..=2 {
            for k in 0..5 {
                csv += &format!("15.12{k},108.80{k},2025-{:02}-1{k}\n", m + month_offset);
            }
            csv += &format!("14.9,108.6,2025-{:02}-01\n", m + month_offset);
        }
        csv
    }

    #[test]
    fn defaults_follow_the_definitions() {
        let AnalyzeCommand::Ehsa(a) = parse(&["ehsa", "in.csv", "--out", "o.csv"]).unwrap() else {
            panic!("not ehsa")
        };
        assert_eq!((a.res, a.k, a.time_steps, a.alpha, a.no_fdr), (8, 1, 1, 0.05, false));
        let AnalyzeCommand::Kde(k) = parse(&["kde", "in.csv", "-o", "o.csv"]).unwrap() else {
            panic!("not kde")
        };
        assert_eq!((k.res, k.bandwidth), (9, 500.0));
        assert!(parse(&["ehsa", "in.csv", "--out", "o.csv", "--res", "16"]).is_err());
        assert!(parse(&["ehsa", "in.csv"]).is_err());
        assert!(parse(&["pai", "--train", "a.csv"]).is_err());
    }

    #[test]
    fn ehsa_writes_the_output_file() {
        let dir = TempDir::new();
        let input = dir.file("in.csv", &incidents(0));
        let out = dir.path("out.csv");
        run(parse(&["ehsa", &input, "--out", &out, "--time-steps", "0"]).unwrap()).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with("cell,lat,lon,category,hot_bins,cold_bins,final_z,mk_tau,mk_z,mk_p\n"));
        // The header and three cells (the first place straddles two).
        assert_eq!(text.lines().count(), 4);
        // No temporary file is left beside the output.
        assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 2);
    }

    #[test]
    fn a_bad_row_is_named_and_can_be_skipped() {
        let dir = TempDir::new();
        let input =
            dir.file("in.csv", &incidents(0).replace("14.9,108.6,2025-01-01", "14.9,north,2025-01-01"));
        let out = dir.path("out.csv");
        let err = run(parse(&["ehsa", &input, "--out", &out]).unwrap()).unwrap_err();
        let message = format!("{err:#}");
        assert!(message.contains("in.csv: line 7: longitude \"north\" is not a number"), "{message}");
        assert!(message.contains("--skip-bad-rows"));
        assert!(!Path::new(&out).exists());
        run(parse(&["ehsa", &input, "--out", &out, "--skip-bad-rows"]).unwrap()).unwrap();
        assert!(Path::new(&out).exists());
        let empty = dir.file("empty.csv", "");
        let err = run(parse(&["kde", &empty, "--out", &out]).unwrap()).unwrap_err();
        assert!(format!("{err:#}").contains("empty"));
    }

    #[test]
    fn kde_and_pai_run() {
        let dir = TempDir::new();
        let train = dir.file("train.csv", &incidents(0));
        let test = dir.file("test.csv", &incidents(2));
        let density = dir.path("density.csv");
        run(parse(&["kde", &train, "--out", &density]).unwrap()).unwrap();
        let text = std::fs::read_to_string(&density).unwrap();
        assert!(text.starts_with("cell,lat,lon,density\n") && text.lines().count() > 2);
        let pai = dir.path("pai.csv");
        run(parse(&["pai", "--train", &train, "--test", &test, "--out", &pai]).unwrap()).unwrap();
        let text = std::fs::read_to_string(&pai).unwrap();
        assert_eq!(text.lines().count(), 1 + 9);
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_written_into_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = TempDir::new();
        let input = dir.file("in.csv", &incidents(0));
        run(parse(&["ehsa", &input, "--out", "/dev/null"]).unwrap()).unwrap();
        assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
        // A symbolic link keeps pointing at the (new) file.
        let target = dir.path("target.csv");
        let link = dir.path("link.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        run(parse(&["ehsa", &input, "--out", &link]).unwrap()).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert!(std::fs::read_to_string(&target).unwrap().starts_with("cell,"));
    }
}
