//! Emerging hot spot analysis (EHSA): which places are becoming, staying or
//! ceasing to be hot spots of drug activity.
//!
//! Incidents are binned into H3 cells × calendar months ([`SpaceTimeCube`]);
//! each bin gets a Getis-Ord Gi* z score over its space-time neighbourhood,
//! bins are judged significant with the Benjamini–Hochberg false discovery
//! rate (or a plain p ≤ α), each location's z series gets a Mann–Kendall
//! trend test, and the hot and cold flags plus the trend give one of 17
//! [`Category`] values. Every step follows `ANALYTICS.md` §1 exactly, so
//! another implementation of that text gives the same output.

mod category;
mod gi;
mod output;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

pub use category::Category;
pub use output::{EHSA_CSV_HEADER, write_ehsa_csv};

use crate::cube::SpaceTimeCube;
use crate::error::{Error, Result};
use crate::incidents::Incident;
use crate::stats::{self, MannKendall};
use crate::{cell, cell_hex, parallel};

/// Below these sizes a phase stays on the calling thread.
const MIN_BINS_PER_THREAD: usize = 100_000;
const MIN_ROWS_PER_THREAD: usize = 2_000;

/// The largest neighbourhood radius accepted: a disk of 64 rings already
/// holds 12,481 cells, far past any meaningful neighbourhood.
pub const MAX_RINGS: u32 = 64;

/// Validated EHSA parameters. Build one with [`Ehsa::builder`], or take the
/// defaults of `ANALYTICS.md`: resolution 8, K = 1, N = 1, α = 0.05, FDR on.
///
/// ```
/// use diaban_analytics::Ehsa;
/// let ehsa = Ehsa::builder().resolution(9).time_steps(2).build().unwrap();
/// assert_eq!((ehsa.resolution(), ehsa.rings(), ehsa.time_steps()), (9, 1, 2));
/// assert!(Ehsa::builder().alpha(1.5).build().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ehsa {
    resolution: u8,
    rings: u32,
    time_steps: u32,
    alpha: f64,
    fdr: bool,
}

impl Default for Ehsa {
    fn default() -> Self {
        Self { resolution: 8, rings: 1, time_steps: 1, alpha: 0.05, fdr: true }
    }
}

/// Builds an [`Ehsa`]; every setter is optional.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EhsaBuilder(Ehsa);

impl EhsaBuilder {
    /// H3 resolution of the cells, 0 to 15 (default 8, cells of about
    /// 0.74 km²).
    pub fn resolution(mut self, res: u8) -> Self {
        self.0.resolution = res;
        self
    }

    /// K: cells within this grid distance are spatial neighbours (default 1:
    /// the cell and its six neighbours).
    pub fn rings(mut self, k: u32) -> Self {
        self.0.rings = k;
        self
    }

    /// N: a bin's neighbourhood reaches this many steps back (default 1: this
    /// month and the previous one; 0: this month only).
    pub fn time_steps(mut self, n: u32) -> Self {
        self.0.time_steps = n;
        self
    }

    /// α, the significance level of the bins (default 0.05).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.0.alpha = alpha;
        self
    }

    /// Whether to control the false discovery rate with Benjamini–Hochberg
    /// (default true); false judges each bin alone with p ≤ α.
    pub fn fdr(mut self, on: bool) -> Self {
        self.0.fdr = on;
        self
    }

    /// Checks the parameters.
    pub fn build(self) -> Result<Ehsa> {
        let p = self.0;
        cell::resolution(p.resolution)?;
        if p.rings > MAX_RINGS {
            return Err(Error::parameter(format!(
                "K (neighbourhood rings) must be at most {MAX_RINGS}, not {}",
                p.rings
            )));
        }
        if !(p.alpha > 0.0 && p.alpha < 1.0) {
            return Err(Error::parameter(format!("alpha must be strictly between 0 and 1, not {}", p.alpha)));
        }
        Ok(p)
    }
}

impl Ehsa {
    /// A builder starting from the defaults.
    pub fn builder() -> EhsaBuilder {
        EhsaBuilder(Self::default())
    }

    /// H3 resolution.
    pub fn resolution(&self) -> u8 {
        self.resolution
    }

    /// K, the neighbourhood radius in grid rings.
    pub fn rings(&self) -> u32 {
        self.rings
    }

    /// N, the neighbourhood time step.
    pub fn time_steps(&self) -> u32 {
        self.time_steps
    }

    /// α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Whether Benjamini–Hochberg is applied.
    pub fn fdr(&self) -> bool {
        self.fdr
    }

    /// Runs the analysis on incidents.
    ///
    /// ```
    /// use diaban_analytics::{Date, Ehsa, Incident};
    /// let day = |m| Date::new(2025, m, 10).unwrap();
    /// let incidents: Vec<Incident> = (1..=6)
    ///     .map(|m| Incident::new(15.12, 108.80, day(m)).unwrap())
    ///     .chain([Incident::new(15.30, 108.60, day(1)).unwrap()])
    ///     .collect();
    /// let report = Ehsa::default().analyse(&incidents).unwrap();
    /// assert_eq!(report.rows().len(), 2);
    /// assert_eq!(report.cube().steps(), 6);
    /// ```
    pub fn analyse(&self, incidents: &[Incident]) -> Result<EhsaReport> {
        let started = Instant::now();
        let cube = SpaceTimeCube::build(incidents, self.resolution)?;
        let mut report = self.analyse_cube(cube)?;
        report.timings.insert(0, ("binning", started.elapsed()));
        Ok(report)
    }

    /// Runs the analysis on a cube binned beforehand (its resolution must be
    /// this analysis's).
    pub fn analyse_cube(&self, cube: SpaceTimeCube) -> Result<EhsaReport> {
        if cube.resolution() != self.resolution {
            return Err(Error::parameter(format!(
                "the cube has resolution {} but the analysis expects {}",
                cube.resolution(),
                self.resolution
            )));
        }
        let mut timings = Vec::new();
        let mut clock = Instant::now();
        let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, Duration)>| {
            timings.push((name, clock.elapsed()));
            clock = Instant::now();
        };

        let neighbours = gi::Neighbours::build(cube.cells(), self.rings)?;
        lap("neighbourhoods", &mut timings);
        let z = gi::gi_star(&cube, &neighbours, self.time_steps);
        lap("gi*", &mut timings);
        let p: Vec<f64> = parallel::map_ranges(z.len(), MIN_BINS_PER_THREAD, |range| {
            z[range].iter().map(|&z| stats::normal_two_sided_p(z)).collect()
        });
        let significant = if self.fdr {
            stats::benjamini_hochberg(&p, self.alpha)
        } else {
            p.iter().map(|&p| p <= self.alpha).collect()
        };
        lap("significance", &mut timings);

        let steps = cube.steps();
        let summarise = |range: std::ops::Range<usize>| {
            let mut hot = vec![false; steps];
            let mut cold = vec![false; steps];
            range
                .map(|row| {
                    let zs = &z[row * steps..(row + 1) * steps];
                    let sig = &significant[row * steps..(row + 1) * steps];
                    for t in 0..steps {
                        hot[t] = sig[t] && zs[t] > 0.0;
                        cold[t] = sig[t] && zs[t] < 0.0;
                    }
                    let cell = cube.cells()[row];
                    let trend = stats::mann_kendall(zs);
                    let (lat, lon) = cell::cell_center(cell)?;
                    Ok(EhsaRow {
                        cell,
                        lat,
                        lon,
                        category: Category::classify(&hot, &cold, &trend),
                        hot_bins: hot.iter().filter(|&&b| b).count() as u32,
                        cold_bins: cold.iter().filter(|&&b| b).count() as u32,
                        final_z: zs[steps - 1],
                        trend,
                        incidents: cube.series(row).iter().map(|&c| u64::from(c)).sum(),
                    })
                })
                .collect::<Vec<Result<EhsaRow>>>()
        };
        let rows = parallel::map_ranges(cube.cells().len(), MIN_ROWS_PER_THREAD, summarise)
            .into_iter()
            .collect::<Result<Vec<_>>>()?;
        lap("trends and categories", &mut timings);

        Ok(EhsaReport { settings: *self, cube, rows, z, significant, timings })
    }
}

/// The EHSA result for one analysed location.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EhsaRow {
    /// The H3 cell index.
    pub cell: u64,
    /// Latitude of the cell centre, degrees.
    pub lat: f64,
    /// Longitude of the cell centre, degrees.
    pub lon: f64,
    /// The pattern.
    pub category: Category,
    /// Steps at which the bin is a significant hot spot.
    pub hot_bins: u32,
    /// Steps at which the bin is a significant cold spot.
    pub cold_bins: u32,
    /// The Gi* z score at the final step.
    pub final_z: f64,
    /// The Mann–Kendall test of the location's z series.
    pub trend: MannKendall,
    /// Incidents in the cell over all steps.
    pub incidents: u64,
}

impl EhsaRow {
    /// The cell as lowercase hexadecimal, as in the output file.
    pub fn cell_hex(&self) -> String {
        cell_hex(self.cell)
    }

    /// The cell's boundary polygon, `(lat, lon)` vertices, for maps.
    pub fn boundary(&self) -> Vec<(f64, f64)> {
        // The cell came from h3o, so it is valid.
        cell::cell_boundary(self.cell).unwrap_or_default()
    }
}

/// The full result of an analysis: one row per analysed location, sorted by
/// cell, and the per-bin scores behind it.
#[derive(Debug, Clone)]
pub struct EhsaReport {
    settings: Ehsa,
    cube: SpaceTimeCube,
    rows: Vec<EhsaRow>,
    z: Vec<f64>,
    significant: Vec<bool>,
    timings: Vec<(&'static str, Duration)>,
}

impl EhsaReport {
    /// The parameters used.
    pub fn settings(&self) -> &Ehsa {
        &self.settings
    }

    /// The binned counts.
    pub fn cube(&self) -> &SpaceTimeCube {
        &self.cube
    }

    /// One row per analysed location, sorted by cell.
    pub fn rows(&self) -> &[EhsaRow] {
        &self.rows
    }

    /// The Gi* z scores of row `row`, one per step.
    pub fn z_series(&self, row: usize) -> &[f64] {
        let steps = self.cube.steps();
        &self.z[row * steps..(row + 1) * steps]
    }

    /// Which bins of row `row` are significant, one per step.
    pub fn significant_series(&self, row: usize) -> &[bool] {
        let steps = self.cube.steps();
        &self.significant[row * steps..(row + 1) * steps]
    }

    /// How many bins of the whole cube are significant.
    pub fn significant_bins(&self) -> usize {
        self.significant.iter().filter(|&&b| b).count()
    }

    /// How many locations fall in each category, in precedence order.
    pub fn category_counts(&self) -> [(Category, usize); 17] {
        Category::ALL.map(|c| (c, self.rows.iter().filter(|r| r.category == c).count()))
    }

    /// How long each phase took (binning, neighbourhoods, Gi*, significance,
    /// trends and categories), for progress reports and profiling.
    pub fn timings(&self) -> &[(&'static str, Duration)] {
        &self.timings
    }

    /// Writes the output CSV; see [`write_ehsa_csv`].
    pub fn write_csv<W: std::io::Write>(&self, out: W) -> std::io::Result<()> {
        write_ehsa_csv(&self.rows, out)
    }
}
