//! The kernel density surface behind the map's heat layer (ANALYTICS.md §2).
//!
//! The density at a point is Σ (3/(π h²))·(1 − d²/h²)² over the incidents
//! within great-circle distance d < h of it (the quartic, or biweight,
//! kernel). It is evaluated at the centres of the H3 cells within reach of at
//! least one incident. Distances use H3's spherical Earth (radius
//! 6,371.007 km), so they agree with h3o and the `h3` libraries.

use std::f64::consts::PI;
use std::fmt::Write as _;
use std::io::Write;

use h3o::{CellIndex, LatLng};

use crate::error::{Error, Result};
use crate::incidents::Incident;
use crate::locate::{self, IntMap};
use crate::{cell, parallel};

/// H3's mean Earth radius in metres.
pub const EARTH_RADIUS_M: f64 = 6_371_007.180_918_475;

/// Largest bandwidth accepted (50 km): beyond it the surface says nothing
/// local and the evaluation grows quadratically.
pub const MAX_BANDWIDTH_M: f64 = 50_000.0;

/// Largest bandwidth accepted, in average cell edge lengths of the
/// evaluation resolution: each incident's reach is a disk of about
/// 3·(h/1.5e)² cells, which stays near ten thousand at this ratio.
pub const MAX_BANDWIDTH_IN_EDGES: f64 = 100.0;

/// Validated density parameters: resolution 9 and a 500 m bandwidth by
/// default.
///
/// ```
/// use diaban_analytics::{Date, Incident, kde::Kde};
/// let date = Date::new(2025, 5, 1).unwrap();
/// let incidents = [Incident::new(15.12, 108.80, date).unwrap()];
/// let surface = Kde::builder().bandwidth(500.0).build().unwrap().surface(&incidents).unwrap();
/// // One incident: the peak is 3/(π h²) per m², 3.82 per km², at distance 0.
/// let peak = surface.iter().map(|c| c.density).fold(0.0, f64::max);
/// assert!(peak > 3.0 && peak <= 3.0 / (std::f64::consts::PI * 0.25));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kde {
    resolution: u8,
    bandwidth_m: f64,
}

impl Default for Kde {
    fn default() -> Self {
        Self { resolution: 9, bandwidth_m: 500.0 }
    }
}

/// Builds a [`Kde`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KdeBuilder(Kde);

impl KdeBuilder {
    /// H3 resolution of the evaluation cells (default 9, about 0.1 km²).
    pub fn resolution(mut self, res: u8) -> Self {
        self.0.resolution = res;
        self
    }

    /// Bandwidth h in metres (default 500).
    pub fn bandwidth(mut self, metres: f64) -> Self {
        self.0.bandwidth_m = metres;
        self
    }

    /// Checks the parameters.
    pub fn build(self) -> Result<Kde> {
        let resolution = cell::resolution(self.0.resolution)?;
        let h = self.0.bandwidth_m;
        if !(h > 0.0 && h <= MAX_BANDWIDTH_M) {
            return Err(Error::parameter(format!(
                "the bandwidth must be above 0 and at most {MAX_BANDWIDTH_M} m, not {h}"
            )));
        }
        let edge = resolution.edge_length_m();
        if h > MAX_BANDWIDTH_IN_EDGES * edge {
            return Err(Error::parameter(format!(
                "a bandwidth of {h} m is too large for resolution {} (cell edges of about {edge:.0} m): \
                 use at most {:.0} m or a coarser resolution",
                self.0.resolution,
                MAX_BANDWIDTH_IN_EDGES * edge
            )));
        }
        Ok(self.0)
    }
}

/// The density at one cell centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DensityCell {
    /// The H3 cell.
    pub cell: u64,
    /// Latitude of the centre.
    pub lat: f64,
    /// Longitude of the centre.
    pub lon: f64,
    /// Incidents per square kilometre (the kernel integrates to 1 per
    /// incident).
    pub density: f64,
}

/// The evaluation cells near one group of incidents.
struct Reach {
    /// Rows of the incidents located in the source cell.
    incidents: Vec<u32>,
    /// (slot of target cell, unit vector of its centre).
    targets: Vec<(u32, [f64; 3])>,
}

impl Kde {
    /// A builder starting from the defaults.
    pub fn builder() -> KdeBuilder {
        KdeBuilder(Self::default())
    }

    /// The evaluation resolution.
    pub fn resolution(&self) -> u8 {
        self.resolution
    }

    /// The bandwidth in metres.
    pub fn bandwidth_m(&self) -> f64 {
        self.bandwidth_m
    }

    /// The density at every cell whose centre lies within the bandwidth of at
    /// least one incident, sorted by cell. Empty input gives an empty
    /// surface.
    pub fn surface(&self, incidents: &[Incident]) -> Result<Vec<DensityCell>> {
        let resolution = cell::resolution(self.resolution)?;
        let h = self.bandwidth_m;
        let located = locate::locate_all(incidents, resolution);

        // Group incidents by source cell, then find for each source cell the
        // evaluation cells an incident inside it could reach.
        let mut groups: Vec<Vec<u32>> = vec![Vec::new(); located.cells.len()];
        for (i, &row) in located.rows.iter().enumerate() {
            groups[row as usize].push(i as u32);
        }
        let mut slots: IntMap<u64, u32> = IntMap::default();
        let mut targets: Vec<(u64, [f64; 3])> = Vec::new();
        let mut reaches = Vec::with_capacity(groups.len());
        for (group, &source) in groups.into_iter().zip(&located.cells) {
            let mut reach = Reach { incidents: group, targets: Vec::new() };
            for target in cells_within(cell::cell_index(source)?, h) {
                let raw = u64::from(target);
                let slot = *slots.entry(raw).or_insert_with(|| {
                    let c = LatLng::from(target);
                    targets.push((raw, unit_vector(c.lat_radians(), c.lng_radians())));
                    (targets.len() - 1) as u32
                });
                reach.targets.push((slot, targets[slot as usize].1));
            }
            reaches.push(reach);
        }

        // Sum the kernel, one chunk of source cells per thread, each thread
        // into its own array.
        let points: Vec<[f64; 3]> =
            incidents.iter().map(|i| unit_vector(i.lat().to_radians(), i.lon().to_radians())).collect();
        let weight = 3.0 / (PI * h * h) * 1e6;
        // Compare chord lengths instead of computing every distance: the
        // chord of an arc d is 2R·sin(d/2R), increasing in d.
        let half_angle = h / (2.0 * EARTH_RADIUS_M);
        let max_chord = 2.0 * half_angle.sin();
        let accumulate = |chunk: &[Reach]| {
            let mut density = vec![0.0; targets.len()];
            for reach in chunk {
                for &i in &reach.incidents {
                    let p = &points[i as usize];
                    for (slot, q) in &reach.targets {
                        let chord =
                            ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt();
                        if chord < max_chord {
                            let d = 2.0 * EARTH_RADIUS_M * (chord / 2.0).asin();
                            let u = 1.0 - (d * d) / (h * h);
                            density[*slot as usize] += weight * u * u;
                        }
                    }
                }
            }
            density
        };
        let parts = parallel::chunk_count(incidents.len(), 50_000);
        let ranges = parallel::split_ranges(reaches.len(), parts);
        let partials: Vec<Vec<f64>> = if parts == 1 {
            vec![accumulate(&reaches)]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = ranges
                    .into_iter()
                    .map(|r| {
                        let chunk = &reaches[r];
                        scope.spawn(move || accumulate(chunk))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                    .collect()
            })
        };
        let mut density = vec![0.0; targets.len()];
        for part in &partials {
            for (d, p) in density.iter_mut().zip(part) {
                *d += p;
            }
        }

        let mut out = Vec::new();
        for ((raw, _), &d) in targets.iter().zip(&density) {
            if d > 0.0 {
                let (lat, lon) = cell::cell_center(*raw)?;
                out.push(DensityCell { cell: *raw, lat, lon, density: d });
            }
        }
        out.sort_unstable_by_key(|c| c.cell);
        Ok(out)
    }
}

fn unit_vector(lat: f64, lon: f64) -> [f64; 3] {
    let (sin_lat, cos_lat) = lat.sin_cos();
    let (sin_lon, cos_lon) = lon.sin_cos();
    [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat]
}

/// The cells whose centres an incident inside `source` could reach: within
/// h + r of the source centre, r being the farthest the incident can be from
/// that centre (its farthest vertex). The disk grows until a whole ring lies
/// beyond that distance.
fn cells_within(source: CellIndex, h: f64) -> Vec<CellIndex> {
    let centre = LatLng::from(source);
    let radius = source.boundary().iter().map(|v| centre.distance_m(*v)).fold(0.0, f64::max);
    let limit = h + radius;
    // Centres of ring k are at least about 1.5·k·r apart from the source
    // centre, which gives a first guess.
    // The builder bounds h/edge, so k stays in the tens.
    let mut k = (limit / (1.5 * radius.max(f64::MIN_POSITIVE))).ceil().min(1000.0) as u32 + 1;
    loop {
        let disk: Vec<(CellIndex, u32)> = source.grid_disk_distances(k);
        let measured: Vec<(CellIndex, u32, f64)> =
            disk.into_iter().map(|(c, ring)| (c, ring, centre.distance_m(LatLng::from(c)))).collect();
        let outer_reached = measured.iter().any(|&(_, ring, d)| ring == k && d <= limit);
        if !outer_reached || k >= 1000 {
            return measured.into_iter().filter(|&(_, _, d)| d <= limit).map(|(c, _, _)| c).collect();
        }
        k += 1;
    }
}

/// The header of the density CSV.
pub const KDE_CSV_HEADER: &str = "cell,lat,lon,density";

/// Writes a density surface as CSV: `cell,lat,lon,density`, the cell as
/// lowercase hexadecimal, the centre with 6 decimals, the density in
/// incidents per km² with 6 decimals, sorted by cell.
pub fn write_kde_csv<W: Write>(cells: &[DensityCell], mut out: W) -> std::io::Result<()> {
    let mut order: Vec<&DensityCell> = cells.iter().collect();
    order.sort_by_key(|c| c.cell);
    let mut text = String::with_capacity(60 * (cells.len() + 1));
    text.push_str(KDE_CSV_HEADER);
    text.push('\n');
    for c in order {
        // Writing into a String cannot fail.
        let _ = writeln!(text, "{:x},{:.6},{:.6},{:.6}", c.cell, c.lat, c.lon, c.density);
    }
    out.write_all(text.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use h3o::Resolution;

    fn incident(lat: f64, lon: f64) -> Incident {
        Incident::new(lat, lon, Date::new(2025, 1, 1).unwrap()).unwrap()
    }

    /// The straightforward definition: every incident against every cell
    /// centre in a generous disk, with h3o's haversine distance.
    fn brute_force(incidents: &[Incident], res: u8, h: f64) -> IntMap<u64, f64> {
        let resolution = Resolution::try_from(res).unwrap();
        let mut out = IntMap::default();
        for i in incidents {
            let p = LatLng::new(i.lat(), i.lon()).unwrap();
            for c in p.to_cell(resolution).grid_disk::<Vec<_>>(12) {
                let d = p.distance_m(LatLng::from(c));
                if d < h {
                    let u = 1.0 - d * d / (h * h);
                    *out.entry(u64::from(c)).or_insert(0.0) += 3.0 / (PI * h * h) * u * u * 1e6;
                }
            }
        }
        out
    }

    #[test]
    fn matches_the_definition() {
        let mut state = 7u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let incidents: Vec<Incident> =
            (0..300).map(|_| incident(15.0 + 0.03 * next(), 108.7 + 0.03 * next())).collect();
        for (res, h) in [(9, 500.0), (8, 1200.0), (10, 300.0)] {
            let kde = Kde::builder().resolution(res).bandwidth(h).build().unwrap();
            let surface = kde.surface(&incidents).unwrap();
            let expected = brute_force(&incidents, res, h);
            assert_eq!(surface.len(), expected.len(), "res {res}");
            for c in &surface {
                let e = expected[&c.cell];
                assert!((c.density - e).abs() <= 1e-9 * e.max(1.0), "{} vs {e}", c.density);
            }
            assert!(surface.windows(2).all(|w| w[0].cell < w[1].cell));
        }
    }

    #[test]
    fn one_incident_integrates_to_about_one() {
        let kde = Kde::builder().resolution(11).bandwidth(400.0).build().unwrap();
        let surface = kde.surface(&[incident(15.1, 108.8)]).unwrap();
        let total: f64 = surface.iter().map(|c| c.density * cell::cell_area_km2(c.cell).unwrap()).sum();
        assert!((total - 1.0).abs() < 0.01, "{total}");
    }

    #[test]
    fn parameters_are_checked_and_output_is_formatted() {
        assert!(Kde::builder().bandwidth(0.0).build().is_err());
        assert!(Kde::builder().bandwidth(f64::NAN).build().is_err());
        assert!(Kde::builder().resolution(16).build().is_err());
        assert!(Kde::builder().resolution(15).bandwidth(500.0).build().is_err());
        assert!(Kde::default().surface(&[]).unwrap().is_empty());
        let surface = Kde::default().surface(&[incident(15.1, 108.8)]).unwrap();
        let mut out = Vec::new();
        write_kde_csv(&surface, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("cell,lat,lon,density\n"));
        assert_eq!(text.lines().count(), surface.len() + 1);
        let line = text.lines().nth(1).unwrap();
        assert_eq!(line.split(',').count(), 4);
        assert_eq!(line.split(',').nth(3).unwrap().split('.').nth(1).unwrap().len(), 6);
    }
}
