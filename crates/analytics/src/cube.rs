//! The space-time cube: incident counts per H3 cell and calendar month.
//!
//! Rows are the analysed locations (cells holding at least one incident),
//! sorted by cell index; columns are every month from the earliest incident's
//! to the latest's, empty months included.

use crate::date::YearMonth;
use crate::error::{Error, ErrorKind, Result};
use crate::incidents::Incident;
use crate::{cell, locate};

/// Incident counts per analysed cell × month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceTimeCube {
    resolution: u8,
    cells: Vec<u64>,
    first_month: YearMonth,
    steps: usize,
    counts: Vec<u32>,
}

/// The most bins (cells × months) a cube may have. The analysis keeps about
/// 20 bytes per bin, so this bounds it near 400 MB; real inputs stay far
/// below (2,000,000 incidents at resolution 9 over 36 months: 523,000 bins),
/// and reaching it usually means mistyped dates stretching the months.
pub const MAX_BINS: usize = 20_000_000;

fn too_large(steps: usize, first: YearMonth, last: YearMonth) -> Error {
    Error::parameter(format!(
        "the cube would exceed {MAX_BINS} bins: the incidents span {steps} months ({first} to {last}); \
         check the dates or use a coarser resolution"
    ))
}

impl SpaceTimeCube {
    /// Bins incidents into H3 cells at resolution `res` (0–15) and calendar
    /// months.
    ///
    /// Errors when there are no incidents or the resolution is invalid.
    pub fn build(incidents: &[Incident], res: u8) -> Result<Self> {
        let resolution = cell::resolution(res)?;
        let months = incidents.iter().map(|i| i.date().year_month());
        let Some((first, last)) = months.fold(None, |range, m| match range {
            None => Some((m, m)),
            Some((lo, hi)) => Some((m.min(lo), m.max(hi))),
        }) else {
            return Err(Error::new(ErrorKind::EmptyInput, "there are no incidents to analyse"));
        };
        let first_ordinal = first.ordinal();
        // Years are bounded to 1..=9999, so the span fits easily.
        let steps = (last.ordinal() - first_ordinal + 1) as usize;
        let step_of = |i: &Incident| (i.date().year_month().ordinal() - first_ordinal) as usize;
        let Some((cells, counts)) = locate::count_by_cell(incidents, resolution, steps, MAX_BINS, step_of)
        else {
            return Err(too_large(steps, first, last));
        };
        Ok(Self { resolution: res, cells, first_month: first, steps, counts })
    }

    /// Builds a cube from counts already binned (row-major: `counts[row *
    /// steps + t]`), for callers that keep their own binning and for tests.
    /// Cells must be valid, distinct H3 cells of one resolution; they are
    /// sorted here along with their rows.
    pub fn from_counts(
        cells: Vec<u64>,
        first_month: YearMonth,
        steps: usize,
        counts: Vec<u32>,
    ) -> Result<Self> {
        if steps == 0 || cells.is_empty() {
            return Err(Error::new(ErrorKind::EmptyInput, "a cube needs at least one cell and one step"));
        }
        if cells.len() * steps > MAX_BINS {
            return Err(Error::parameter(format!(
                "{} cells × {steps} steps exceed the limit of {MAX_BINS} bins",
                cells.len()
            )));
        }
        if counts.len() != cells.len() * steps {
            return Err(Error::parameter(format!(
                "{} counts do not fill {} cells × {steps} steps",
                counts.len(),
                cells.len()
            )));
        }
        let mut resolution = None;
        for &c in &cells {
            let res = u8::from(cell::cell_index(c)?.resolution());
            if resolution.replace(res).is_some_and(|r| r != res) {
                return Err(Error::parameter("all cells of a cube must have one resolution"));
            }
        }
        let mut order: Vec<usize> = (0..cells.len()).collect();
        order.sort_unstable_by_key(|&r| cells[r]);
        if order.windows(2).any(|w| cells[w[0]] == cells[w[1]]) {
            return Err(Error::parameter("a cell appears twice in the cube"));
        }
        let sorted_cells = order.iter().map(|&r| cells[r]).collect();
        let sorted_counts =
            order.iter().flat_map(|&r| counts[r * steps..(r + 1) * steps].iter().copied()).collect();
        Ok(Self {
            resolution: resolution.unwrap_or_default(),
            cells: sorted_cells,
            first_month,
            steps,
            counts: sorted_counts,
        })
    }

    /// The H3 resolution of the cells.
    pub fn resolution(&self) -> u8 {
        self.resolution
    }

    /// The analysed cells, sorted.
    pub fn cells(&self) -> &[u64] {
        &self.cells
    }

    /// The month of step 0.
    pub fn first_month(&self) -> YearMonth {
        self.first_month
    }

    /// The number of monthly steps.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The counts of row `row` (a position in [`cells`](Self::cells)), one
    /// per step.
    pub fn series(&self, row: usize) -> &[u32] {
        &self.counts[row * self.steps..(row + 1) * self.steps]
    }

    /// All counts, row-major.
    pub fn counts(&self) -> &[u32] {
        &self.counts
    }

    /// The total number of incidents in the cube.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::{cell_at, cell_center};

    fn at(cell: u64, y: i32, m: u8) -> Incident {
        let (lat, lon) = cell_center(cell).unwrap();
        Incident::new(lat, lon, Date::new(y, m, 15).unwrap()).unwrap()
    }

    #[test]
    fn bins_by_cell_and_month_including_empty_months() {
        let a = cell_at(15.0, 108.8, 8).unwrap();
        let b = cell_at(14.5, 108.9, 8).unwrap();
        let incidents = [at(a, 2024, 11), at(b, 2025, 2), at(a, 2024, 11), at(a, 2025, 2)];
        let cube = SpaceTimeCube::build(&incidents, 8).unwrap();
        assert_eq!(cube.first_month(), YearMonth::new(2024, 11).unwrap());
        assert_eq!(cube.steps(), 4);
        let mut sorted = vec![a, b];
        sorted.sort_unstable();
        assert_eq!(cube.cells(), sorted);
        let row_a = cube.cells().iter().position(|&c| c == a).unwrap();
        let row_b = 1 - row_a;
        assert_eq!(cube.series(row_a), [2, 0, 0, 1]);
        assert_eq!(cube.series(row_b), [0, 0, 0, 1]);
        assert_eq!(cube.total(), 4);
        assert_eq!(cube.counts().len(), 8);
        assert_eq!(cube.resolution(), 8);
    }

    #[test]
    fn many_incidents_are_binned_like_one_at_a_time() {
        // Enough incidents for the parallel path.
        let mut incidents = Vec::new();
        let mut state = 3u64;
        for _ in 0..250_000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let lat = 15.0 + 0.2 * ((state >> 40) as f64 / (1u64 << 24) as f64);
            let lon = 108.6 + 0.2 * (((state >> 16) & 0xFFFFFF) as f64 / (1u64 << 24) as f64);
            let month = 1 + (state % 12) as u8;
            incidents.push(Incident::new(lat, lon, Date::new(2024, month, 1).unwrap()).unwrap());
        }
        let cube = SpaceTimeCube::build(&incidents, 9).unwrap();
        let mut expected = std::collections::BTreeMap::new();
        for i in &incidents {
            let c = cell_at(i.lat(), i.lon(), 9).unwrap();
            *expected.entry((c, i.date().month())).or_insert(0u32) += 1;
        }
        let cells: std::collections::BTreeSet<u64> = expected.keys().map(|k| k.0).collect();
        assert_eq!(cube.cells(), cells.into_iter().collect::<Vec<_>>());
        for (row, &c) in cube.cells().iter().enumerate() {
            for (t, &n) in cube.series(row).iter().enumerate() {
                assert_eq!(n, expected.get(&(c, t as u8 + 1)).copied().unwrap_or(0));
            }
        }
    }

    #[test]
    fn mistyped_dates_cannot_blow_up_the_cube() {
        // Year 1 and year 9999: 119,988 months; 200 cells make 24 million bins.
        let mut incidents: Vec<Incident> = (0..200)
            .map(|k| {
                let c = cell_at(14.0 + 0.01 * f64::from(k), 108.0, 8).unwrap();
                at(c, 9999, 12)
            })
            .collect();
        incidents[0] =
            Incident::new(incidents[0].lat(), incidents[0].lon(), Date::new(1, 1, 1).unwrap()).unwrap();
        let err = SpaceTimeCube::build(&incidents, 8).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter);
        assert!(err.to_string().contains("119988 months (0001-01 to 9999-12)"), "{err}");
    }

    #[test]
    fn from_counts_validates() {
        let a = cell_at(15.0, 108.8, 8).unwrap();
        let b = cell_at(14.5, 108.9, 8).unwrap();
        let c9 = cell_at(14.5, 108.9, 9).unwrap();
        let jan = YearMonth::new(2025, 1).unwrap();
        assert!(SpaceTimeCube::from_counts(vec![a, b], jan, 2, vec![1, 2, 3]).is_err());
        assert!(SpaceTimeCube::from_counts(vec![a, a], jan, 1, vec![1, 2]).is_err());
        assert!(SpaceTimeCube::from_counts(vec![a, c9], jan, 1, vec![1, 2]).is_err());
        assert!(SpaceTimeCube::from_counts(vec![7], jan, 1, vec![1]).is_err());
        assert!(SpaceTimeCube::from_counts(vec![], jan, 1, vec![]).is_err());
        let cube = SpaceTimeCube::from_counts(vec![b.max(a), b.min(a)], jan, 2, vec![1, 2, 3, 4]).unwrap();
        assert_eq!(cube.cells(), [a.min(b), a.max(b)]);
        assert_eq!(cube.series(0), [3, 4]);
        assert!(SpaceTimeCube::build(&[], 8).is_err());
        assert!(SpaceTimeCube::build(&[at(a, 2025, 1)], 16).is_err());
    }
}
