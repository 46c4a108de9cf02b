//! Checking hot-spot maps against what happened next: the Prediction
//! Accuracy Index (ANALYTICS.md §3).
//!
//! PAI = (n/N) / (a/A): the share of the next period's incidents caught by
//! the flagged cells, over the share of the study area they cover. A map
//! that flags 5% of the area and catches 30% of the incidents has PAI 6;
//! flagging at random gives about 1.
//!
//! Three methods rank the cells of the study region (the cells analysed on
//! the training data) from the training incidents:
//!
//! - [`PaiMethod::EhsaHot`]: cells in any hot EHSA category, by final Gi* z
//!   score, highest first;
//! - [`PaiMethod::Kde`]: cells by the kernel density at their centre;
//! - [`PaiMethod::LastPeriod`]: cells by their incident count in the last
//!   month of the training data.
//!
//! Ties keep cell order, so results are reproducible. Cells with no signal
//! (not hot, zero density, zero count) are never flagged. For each area
//! share (1%, 5%, 10% by default) the flagged cells are the shortest prefix
//! of the ranking whose area reaches that share of A, or the whole ranking
//! when it is shorter; a is their actual area.

use std::fmt;
use std::fmt::Write as _;
use std::io::Write;

use crate::ehsa::Ehsa;
use crate::error::{Error, ErrorKind, Result};
use crate::incidents::Incident;
use crate::kde::Kde;
use crate::locate::{self, IntMap};
use crate::{cell, cell_area_km2};

/// A way of ranking cells by expected activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaiMethod {
    /// EHSA hot categories, by final z score.
    EhsaHot,
    /// Kernel density.
    Kde,
    /// Counts of the last training month.
    LastPeriod,
}

impl PaiMethod {
    /// Every method, in report order.
    pub const ALL: [PaiMethod; 3] = [Self::EhsaHot, Self::Kde, Self::LastPeriod];

    /// The name used in output files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EhsaHot => "ehsa_hot",
            Self::Kde => "kde",
            Self::LastPeriod => "last_period",
        }
    }

    /// The Vietnamese name shown to users.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::EhsaHot => "Điểm nóng EHSA",
            Self::Kde => "Mật độ hạt nhân (KDE)",
            Self::LastPeriod => "Số vụ kỳ trước",
        }
    }
}

impl fmt::Display for PaiMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Validated PAI parameters: the EHSA and density settings used on the
/// training data (their resolutions must match: it is the study grid) and
/// the area shares to report.
#[derive(Debug, Clone, PartialEq)]
pub struct Pai {
    ehsa: Ehsa,
    bandwidth_m: f64,
    area_shares: Vec<f64>,
}

impl Default for Pai {
    fn default() -> Self {
        Self { ehsa: Ehsa::default(), bandwidth_m: 500.0, area_shares: vec![0.01, 0.05, 0.10] }
    }
}

/// Builds a [`Pai`].
#[derive(Debug, Clone, PartialEq)]
pub struct PaiBuilder(Pai);

impl PaiBuilder {
    /// The EHSA settings; their resolution is the study grid's (default:
    /// the EHSA defaults, resolution 8).
    pub fn ehsa(mut self, ehsa: Ehsa) -> Self {
        self.0.ehsa = ehsa;
        self
    }

    /// The kernel bandwidth in metres (default 500).
    pub fn bandwidth(mut self, metres: f64) -> Self {
        self.0.bandwidth_m = metres;
        self
    }

    /// The area shares to report, each in (0, 1] (default 1%, 5%, 10%).
    pub fn area_shares(mut self, shares: &[f64]) -> Self {
        self.0.area_shares = shares.to_vec();
        self
    }

    /// Checks the parameters.
    pub fn build(self) -> Result<Pai> {
        self.kde()?;
        if self.0.area_shares.is_empty() || self.0.area_shares.iter().any(|s| !(*s > 0.0 && *s <= 1.0)) {
            return Err(Error::parameter("area shares must be a non-empty list of numbers in (0, 1]"));
        }
        Ok(self.0)
    }

    fn kde(&self) -> Result<Kde> {
        Kde::builder().resolution(self.0.ehsa.resolution()).bandwidth(self.0.bandwidth_m).build()
    }
}

/// One line of the evaluation: a method at an area share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaiRow {
    /// The ranking method.
    pub method: PaiMethod,
    /// The requested share of the study area (0.05 for 5%).
    pub area_share: f64,
    /// Cells flagged.
    pub cells: usize,
    /// a: their area in km².
    pub area_km2: f64,
    /// n: next-period incidents inside them.
    pub hits: u64,
    /// N: all next-period incidents.
    pub total: u64,
    /// (n/N)/(a/A); `None` when nothing was flagged.
    pub pai: Option<f64>,
}

/// The evaluation of all methods.
#[derive(Debug, Clone, PartialEq)]
pub struct PaiReport {
    /// Cells of the study region (the cells analysed on the training data).
    pub study_cells: usize,
    /// A: the study region's area in km².
    pub study_area_km2: f64,
    /// Next-period incidents inside the study region.
    pub test_in_region: u64,
    /// One row per method and area share, methods in [`PaiMethod::ALL`]
    /// order.
    pub rows: Vec<PaiRow>,
}

impl Pai {
    /// A builder starting from the defaults.
    pub fn builder() -> PaiBuilder {
        PaiBuilder(Self::default())
    }

    /// Ranks the study cells with every method from `train` and scores the
    /// rankings against `test`, the incidents of the following period.
    ///
    /// ```
    /// use diaban_analytics::{Date, Incident, pai::{Pai, PaiMethod}};
    /// let at = |lat, m| Incident::new(lat, 108.8, Date::new(2025, m, 1).unwrap()).unwrap();
    /// let train: Vec<Incident> = (1..=3).flat_map(|m| [at(15.10, m), at(15.10, m), at(15.20, m)]).collect();
    /// let test = vec![at(15.10, 4), at(15.10, 4), at(15.20, 4)];
    /// let report = Pai::default().evaluate(&train, &test).unwrap();
    /// let last = report.rows.iter().find(|r| r.method == PaiMethod::LastPeriod).unwrap();
    /// // The busier of two equal cells is flagged first and catches 2 of 3.
    /// assert_eq!((last.cells, last.hits, last.total), (1, 2, 3));
    /// ```
    pub fn evaluate(&self, train: &[Incident], test: &[Incident]) -> Result<PaiReport> {
        if test.is_empty() {
            return Err(Error::new(ErrorKind::EmptyInput, "there are no incidents in the test period"));
        }
        let ehsa = self.ehsa.analyse(train)?;
        let cube = ehsa.cube();
        let study = cube.cells();
        let areas: Vec<f64> = study.iter().map(|&c| cell_area_km2(c)).collect::<Result<_>>()?;
        let study_area: f64 = areas.iter().sum();

        let resolution = cell::resolution(self.ehsa.resolution())?;
        let located = locate::locate_all(test, resolution);
        let mut test_counts: IntMap<u64, u64> = IntMap::default();
        for &row in &located.rows {
            *test_counts.entry(located.cells[row as usize]).or_default() += 1;
        }
        let hits_of = |row: usize| test_counts.get(&study[row]).copied().unwrap_or(0);
        let total = test.len() as u64;

        // Rankings as rows of the study grid; sorts are stable over rows in
        // cell order, so ties stay in cell order.
        let mut ehsa_rank: Vec<usize> =
            (0..study.len()).filter(|&r| ehsa.rows()[r].category.is_hot()).collect();
        ehsa_rank.sort_by(|&a, &b| ehsa.rows()[b].final_z.total_cmp(&ehsa.rows()[a].final_z));

        let kde = PaiBuilder(self.clone()).kde()?.surface(train)?;
        let density: IntMap<u64, f64> = kde.iter().map(|c| (c.cell, c.density)).collect();
        let density_of = |r: usize| density.get(&study[r]).copied().unwrap_or(0.0);
        let mut kde_rank: Vec<usize> = (0..study.len()).filter(|&r| density_of(r) > 0.0).collect();
        kde_rank.sort_by(|&a, &b| density_of(b).total_cmp(&density_of(a)));

        let last = cube.steps() - 1;
        let mut last_rank: Vec<usize> = (0..study.len()).filter(|&r| cube.series(r)[last] > 0).collect();
        last_rank.sort_by_key(|&r| std::cmp::Reverse(cube.series(r)[last]));

        let mut rows = Vec::new();
        for (method, ranking) in [
            (PaiMethod::EhsaHot, &ehsa_rank),
            (PaiMethod::Kde, &kde_rank),
            (PaiMethod::LastPeriod, &last_rank),
        ] {
            for &share in &self.area_shares {
                let budget = share * study_area;
                let mut area = 0.0;
                let mut hits = 0;
                let mut cells = 0;
                for &r in ranking.iter() {
                    if area >= budget {
                        break;
                    }
                    area += areas[r];
                    hits += hits_of(r);
                    cells += 1;
                }
                rows.push(PaiRow {
                    method,
                    area_share: share,
                    cells,
                    area_km2: area,
                    hits,
                    total,
                    pai: prediction_accuracy_index(hits, total, area, study_area),
                });
            }
        }
        Ok(PaiReport {
            study_cells: study.len(),
            study_area_km2: study_area,
            test_in_region: (0..study.len()).map(hits_of).sum(),
            rows,
        })
    }
}

/// PAI = (hits/total) / (area/study_area), or `None` when there is nothing
/// to divide by (no incidents, no flagged area, no study area).
///
/// ```
/// use diaban_analytics::pai::prediction_accuracy_index;
/// let pai = prediction_accuracy_index(30, 100, 5.0, 100.0).unwrap();
/// assert!((pai - 6.0).abs() < 1e-12);
/// assert_eq!(prediction_accuracy_index(3, 100, 0.0, 100.0), None);
/// ```
pub fn prediction_accuracy_index(hits: u64, total: u64, area: f64, study_area: f64) -> Option<f64> {
    // Written as a predicate so that NaN counts as "not positive".
    let positive = |x: f64| x > 0.0;
    if total == 0 || !positive(area) || !positive(study_area) {
        return None;
    }
    Some((hits as f64 / total as f64) / (area / study_area))
}

/// The header of the PAI CSV.
pub const PAI_CSV_HEADER: &str = "method,area_pct,cells,area_km2,hits,total,pai";

/// Writes the evaluation as CSV: `method,area_pct,cells,area_km2,hits,total,pai`,
/// the area share in percent, floats with 6 decimals, an empty `pai` when
/// nothing was flagged.
pub fn write_pai_csv<W: Write>(report: &PaiReport, mut out: W) -> std::io::Result<()> {
    let mut text = String::from(PAI_CSV_HEADER);
    text.push('\n');
    for r in &report.rows {
        let pai = r.pai.map(|p| format!("{p:.6}")).unwrap_or_default();
        // Writing into a String cannot fail.
        let _ = writeln!(
            text,
            "{},{:.6},{},{:.6},{},{},{}",
            r.method,
            r.area_share * 100.0,
            r.cells,
            r.area_km2,
            r.hits,
            r.total,
            pai
        );
    }
    out.write_all(text.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::{cell_at, cell_center};

    fn at(cell: u64, month: u8, n: usize) -> Vec<Incident> {
        let (lat, lon) = cell_center(cell).unwrap();
        vec![Incident::new(lat, lon, Date::new(2024, month, 1).unwrap()).unwrap(); n]
    }

    /// Ten cells far apart (so neither EHSA neighbourhoods nor kernels
    /// overlap), with training counts that rank them, and a test period.
    #[test]
    fn scores_each_method_by_hand() {
        let cells: Vec<u64> =
            (0..10).map(|k| cell_at(14.0 + 0.1 * f64::from(k), 108.0, 8).unwrap()).collect();
        let mut train = Vec::new();
        for (k, &c) in cells.iter().enumerate() {
            // Cell 0 busiest in the last month, then 1, …; cell 9 only early.
            train.extend(at(c, 1, 1));
            train.extend(at(c, 2, if k == 9 { 0 } else { 10 - k }));
        }
        let test: Vec<Incident> = [at(cells[0], 3, 6), at(cells[5], 3, 3), at(cells[9], 3, 1)].concat();
        let outside = at(cell_at(10.0, 100.0, 8).unwrap(), 3, 2);
        let test = [test, outside].concat();

        let pai = Pai::builder().area_shares(&[0.1, 0.25, 1.0]).build().unwrap();
        let report = pai.evaluate(&train, &test).unwrap();
        let areas: Vec<f64> = cells.iter().map(|&c| cell_area_km2(c).unwrap()).collect();
        let total_area: f64 = areas.iter().sum();
        assert_eq!(report.study_cells, 10);
        assert!((report.study_area_km2 - total_area).abs() < 1e-9);
        assert_eq!(report.test_in_region, 10);

        let row = |m: PaiMethod, share: f64| {
            *report.rows.iter().find(|r| r.method == m && r.area_share == share).unwrap()
        };
        // Last period: cells ranked 0, 1, …, 8 (cell 9 had none in month 2).
        // 10% of the area is reached by the first cell (cells have nearly
        // equal areas), which catches 6 of the 12 test incidents.
        let last = row(PaiMethod::LastPeriod, 0.1);
        assert_eq!((last.cells, last.hits, last.total), (1, 6, 12));
        let expected = (6.0 / 12.0) / (areas[0] / total_area);
        assert!((last.pai.unwrap() - expected).abs() < 1e-12);
        // Everything that has a rank: 9 cells, all but cell 9's incident.
        let all = row(PaiMethod::LastPeriod, 1.0);
        assert_eq!((all.cells, all.hits), (9, 9));
        // KDE ranks by training density: all cells, same order as totals.
        let kde = row(PaiMethod::Kde, 1.0);
        assert_eq!((kde.cells, kde.hits), (10, 10));
        assert_eq!(row(PaiMethod::Kde, 0.1).hits, 6);
        for r in &report.rows {
            assert_eq!(r.total, 12);
            assert!(r.area_km2 <= total_area + 1e-9);
        }
        let mut out = Vec::new();
        write_pai_csv(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("method,area_pct,cells,area_km2,hits,total,pai\n"));
        assert_eq!(text.lines().count(), 1 + 9);
        assert!(text.contains("last_period,10.000000,1,"));
    }

    #[test]
    fn nothing_flagged_has_no_index() {
        let c = cell_at(14.0, 108.0, 8).unwrap();
        // A single cell with a steady count: no hot spot, so EHSA flags
        // nothing.
        let train = [at(c, 1, 2), at(c, 2, 2)].concat();
        let report = Pai::default().evaluate(&train, &at(c, 3, 1)).unwrap();
        let ehsa = report.rows.iter().find(|r| r.method == PaiMethod::EhsaHot).unwrap();
        assert_eq!((ehsa.cells, ehsa.pai), (0, None));
        assert!(Pai::default().evaluate(&train, &[]).is_err());
        assert!(Pai::builder().area_shares(&[]).build().is_err());
        assert!(Pai::builder().area_shares(&[1.5]).build().is_err());
        assert!(Pai::builder().bandwidth(-1.0).build().is_err());
    }
}
