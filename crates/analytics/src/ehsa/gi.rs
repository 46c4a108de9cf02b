//! Space-time neighbourhoods and the Getis-Ord Gi* statistic over the whole
//! cube.

use crate::cube::SpaceTimeCube;
use crate::error::Result;
use crate::locate::IntMap;
use crate::{cell, parallel};

/// Spatial neighbours of every analysed cell in compressed rows: the
/// neighbours of row `i` are `index[offset[i]..offset[i + 1]]`, rows of the
/// cube, the cell itself included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Neighbours {
    pub(crate) offset: Vec<usize>,
    pub(crate) index: Vec<u32>,
}

impl Neighbours {
    /// The analysed cells within grid distance `rings` of each analysed
    /// cell (H3 grid disk ∩ analysed cells).
    pub(crate) fn build(cells: &[u64], rings: u32) -> Result<Self> {
        let row_of: IntMap<u64, u32> = cells.iter().enumerate().map(|(row, &c)| (c, row as u32)).collect();
        let mut offset = Vec::with_capacity(cells.len() + 1);
        let mut index = Vec::with_capacity(cells.len() * 7);
        offset.push(0);
        for &c in cells {
            let disk: Vec<h3o::CellIndex> = cell::cell_index(c)?.grid_disk(rings);
            let start = index.len();
            index.extend(disk.iter().filter_map(|d| row_of.get(&u64::from(*d)).copied()));
            // Sorted rows make the sums below walk memory forwards.
            index[start..].sort_unstable();
            offset.push(index.len());
        }
        Ok(Self { offset, index })
    }

    fn of(&self, row: usize) -> &[u32] {
        &self.index[self.offset[row]..self.offset[row + 1]]
    }
}

/// Below this many rows Gi* stays on the calling thread.
const MIN_ROWS_PER_THREAD: usize = 2_000;

/// The Gi* z score of every bin, row-major like the cube's counts.
///
/// The global window is the whole cube: m bins, x̄ = Σx/m and
/// S² = Σx²/m − x̄². Writing V = m·Σx² − (Σx)² (so S = √V/m) and
/// num = (Σ_NB x)·m − (Σx)·W, the definition
/// z = (Σ_NB x − x̄·W) / (S·√((m·W − W²)/(m − 1))) becomes
/// z = num / (√V · √((m·W − W²)/(m − 1))).
/// `num` and `V` are exact integers, so a mathematically zero score is
/// exactly 0 and two bins with the same neighbourhood sum and size get
/// bit-identical scores, which the Mann–Kendall tie count relies on.
pub(crate) fn gi_star(cube: &SpaceTimeCube, neighbours: &Neighbours, time_steps: u32) -> Vec<f64> {
    let steps = cube.steps();
    let rows = cube.cells().len();
    let m = (rows * steps) as i128;
    let counts = cube.counts();
    let total: i128 = counts.iter().map(|&c| i128::from(c)).sum();
    let total_sq: i128 = counts.iter().map(|&c| i128::from(c) * i128::from(c)).sum();
    let v = m * total_sq - total * total;
    if v == 0 {
        // S = 0: every bin holds the same count.
        return vec![0.0; counts.len()];
    }
    let sqrt_v = (v as f64).sqrt();
    let lag = usize::try_from(time_steps).unwrap_or(usize::MAX);

    // Rows are independent, so they are shared out between threads.
    parallel::map_ranges(rows, MIN_ROWS_PER_THREAD, |range| {
        let mut z = Vec::with_capacity(range.len() * steps);
        // Σ of the spatial neighbours' counts at each step, reused across
        // the time window.
        let mut spatial = vec![0u64; steps];
        for row in range {
            let nb = neighbours.of(row);
            spatial.fill(0);
            for &j in nb {
                for (s, &c) in spatial.iter_mut().zip(cube.series(j as usize)) {
                    *s += u64::from(c);
                }
            }
            let size = nb.len() as i128;
            let mut window = 0u64;
            for t in 0..steps {
                window += spatial[t];
                let first = t.saturating_sub(lag);
                if t > lag {
                    window -= spatial[t - lag - 1];
                }
                let w = size * (t - first + 1) as i128;
                if w == m {
                    // The neighbourhood is the whole cube: 0/0, defined as 0.
                    z.push(0.0);
                    continue;
                }
                let numerator = i128::from(window) * m - total * w;
                let spread = ((m * w - w * w) as f64 / (m - 1) as f64).sqrt();
                z.push(numerator as f64 / (sqrt_v * spread));
            }
        }
        z
    })
}
