//! Finding the H3 cell of millions of points quickly, with exactly the
//! answer h3o gives.
//!
//! `LatLng::to_cell` costs about half a microsecond, which alone would take
//! most of the time budget of an EHSA run on two million incidents. Incidents
//! cluster in comparatively few cells, so this module learns the cells it has
//! seen: for a cell lying wholly on one icosahedron face, H3's cell is the
//! set of points inside a spherical polygon whose edges are great-circle arcs
//! (H3 cells are hexagons in a gnomonic projection of the face, and gnomonic
//! projections map straight lines to great circles). A point is tested
//! against the few learned cells near it with six dot products; it is only
//! accepted when it lies inside by a safety margin far above the rounding
//! error of either computation. Points near an edge, in pentagons, in cells
//! cut by a face edge, or in cells not seen yet go to h3o.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use h3o::{CellIndex, LatLng, Resolution};

use crate::incidents::Incident;
use crate::parallel;

/// A point must lie this far (radians, about 6 mm on the ground) inside every
/// edge to be placed without h3o. Both h3o's and this module's rounding
/// errors are below 1e-13 radians.
const MARGIN: f64 = 1e-9;

/// Up to this many cells are remembered per bucket; more only means more
/// calls to h3o.
const BUCKET_CAPACITY: usize = 8;

/// A cell spanning more buckets than this (near the poles, across the
/// antimeridian) is not learned.
const MAX_BUCKETS_PER_CELL: i64 = 64;

/// A multiply-and-fold hasher for integer keys (bucket keys and cell
/// indexes), much cheaper than SipHash; the keys do not come from an
/// adversary who could exploit collisions in a way that matters here.
#[derive(Default, Clone, Copy)]
pub(crate) struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, value: u64) {
        let h = (self.0 ^ value).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        // Fold the well-mixed high half into the low bits, which pick the
        // hash table slot.
        self.0 = h ^ (h >> 29);
    }
}

/// A `HashMap` keyed by integers.
pub(crate) type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

type Vec3 = [f64; 3];

fn unit_vector(lat_rad: f64, lon_rad: f64) -> Vec3 {
    let (sin_lat, cos_lat) = lat_rad.sin_cos();
    let (sin_lon, cos_lon) = lon_rad.sin_cos();
    [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat]
}

fn dot(a: &Vec3, b: &Vec3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: &Vec3, b: &Vec3) -> Vec3 {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

/// The six inward unit normals of a hexagon's great-circle edges, and the
/// local id of the cell.
struct Shape {
    normals: [Vec3; 6],
    id: u32,
}

impl Shape {
    fn contains(&self, p: &Vec3) -> bool {
        self.normals.iter().all(|n| dot(p, n) > MARGIN)
    }
}

/// What learning a cell yields: edge normals, centre (degrees) and padded
/// lat/lon bounds `[lat_min, lat_max, lon_min, lon_max]`.
struct Outline {
    normals: [Vec3; 6],
    centre: (f64, f64),
    bounds: [f64; 4],
}

/// The learned cells that may hold points of one bucket, as indexes into
/// `CellLocator::shapes`, nearest centre first: the first is the likeliest
/// to hold a point, so most points need one test.
#[derive(Default, Clone, Copy)]
struct Bucket {
    shapes: [u32; BUCKET_CAPACITY],
    len: u8,
}

/// Sines and cosines of the angles `k·step` for the integers `k` met so far,
/// in a small direct-mapped table: points fall in a few hundred bucket rows
/// and columns, so nearly every look-up hits.
struct TrigTable {
    step: f64,
    keys: Vec<i64>,
    values: Vec<(f64, f64)>,
}

const TRIG_TABLE_SIZE: usize = 4096;

impl TrigTable {
    fn new(step: f64) -> Self {
        Self { step, keys: vec![i64::MIN; TRIG_TABLE_SIZE], values: vec![(0.0, 1.0); TRIG_TABLE_SIZE] }
    }

    /// sin and cos of `angle` (radians), where `k·step ≤ angle` by less than
    /// one step: from the table's values at `k·step` and the Taylor series of
    /// the small remainder, which are exact to about 1e-17 when the step is
    /// below 0.01 radians (the remainder's 7th power over 5040).
    #[inline]
    fn sin_cos(&mut self, angle: f64, k: i64) -> (f64, f64) {
        let slot = (k as usize) % TRIG_TABLE_SIZE;
        if self.keys[slot] != k {
            self.keys[slot] = k;
            self.values[slot] = (k as f64 * self.step).sin_cos();
        }
        let (s0, c0) = self.values[slot];
        let a = angle - k as f64 * self.step;
        let a2 = a * a;
        // Horner forms of a − a³/3! + a⁵/5! − a⁷/7! and 1 − a²/2! + a⁴/4! − a⁶/6!,
        // with reciprocals so that no division is needed.
        let sin_a = a * (1.0 - a2 * (1.0 / 6.0) * (1.0 - a2 * (1.0 / 20.0) * (1.0 - a2 * (1.0 / 42.0))));
        let cos_a = 1.0 - a2 * 0.5 * (1.0 - a2 * (1.0 / 12.0) * (1.0 - a2 * (1.0 / 30.0)));
        (s0 * cos_a + c0 * sin_a, c0 * cos_a - s0 * sin_a)
    }
}

/// Longitude bands per thread in [`count_by_cell`].
const BANDS_PER_THREAD: usize = 4;

/// Points placed together by [`CellLocator::locate_batch`].
pub(crate) const BATCH: usize = 16;

/// Above this bucket size the Taylor remainder is no longer negligible next
/// to the margin, and points are converted with the library's sin and cos.
const MAX_TABLE_STEP: f64 = 0.01;

/// Locates points in cells of one resolution, numbering the cells it meets
/// `0, 1, 2, …` in order of first appearance.
pub(crate) struct CellLocator {
    resolution: Resolution,
    /// Buckets per degree of latitude or longitude.
    scale: f64,
    buckets: IntMap<u64, Bucket>,
    /// Local id → cell.
    cells: Vec<u64>,
    /// The learned cells.
    shapes: Vec<Shape>,
    /// Centres (degrees) of the learned cells, to order bucket candidates.
    centres: Vec<(f64, f64)>,
    ids: IntMap<u64, u32>,
    rows: Option<(TrigTable, TrigTable)>,
}

impl CellLocator {
    pub(crate) fn new(resolution: Resolution) -> Self {
        // Buckets about one edge wide: a bucket then meets a handful of cells
        // and a cell a handful of buckets.
        let edge_degrees = resolution.edge_length_rads().to_degrees();
        let step = edge_degrees.to_radians();
        Self {
            resolution,
            scale: 1.0 / edge_degrees,
            buckets: IntMap::default(),
            cells: Vec::new(),
            shapes: Vec::new(),
            centres: Vec::new(),
            ids: IntMap::default(),
            rows: (step < MAX_TABLE_STEP).then(|| (TrigTable::new(step), TrigTable::new(step))),
        }
    }

    /// The cells met so far, by local id.
    #[cfg(test)]
    fn cells(&self) -> &[u64] {
        &self.cells
    }

    fn key(y: i64, x: i64) -> u64 {
        ((y as u32 as u64) << 32) | (x as u32 as u64)
    }

    /// The local id of the cell holding the point. Coordinates must be
    /// finite (incidents are validated when built).
    #[inline]
    pub(crate) fn locate(&mut self, lat: f64, lon: f64) -> u32 {
        let (y, x) = ((lat * self.scale).floor() as i64, (lon * self.scale).floor() as i64);
        if let Some(&bucket) = self.buckets.get(&Self::key(y, x)) {
            let p = self.unit_vector_at(lat, lon, y, x);
            for &s in &bucket.shapes[..usize::from(bucket.len)] {
                let shape = &self.shapes[s as usize];
                if shape.contains(&p) {
                    return shape.id;
                }
            }
        }
        self.locate_with_h3o(lat, lon)
    }

    /// The local ids of the cells holding a batch of points (at most
    /// [`BATCH`]), written to `ids`.
    ///
    /// Equivalent to calling [`locate`](Self::locate) on each point, but
    /// staged so that the points' memory accesses overlap: first every
    /// bucket is looked up, then the first candidate shape of every point is
    /// touched, and only then are the points tested. Each stage's loads are
    /// independent of each other, so the processor keeps many cache misses in
    /// flight instead of waiting for them one point at a time, which is what
    /// this phase otherwise spends most of its time doing.
    pub(crate) fn locate_batch(&mut self, points: &[(f64, f64)], ids: &mut [u32]) {
        let mut buckets = [Bucket::default(); BATCH];
        let mut keys = [(0i64, 0i64); BATCH];
        for (k, &(lat, lon)) in points.iter().enumerate().take(BATCH) {
            let (y, x) = ((lat * self.scale).floor() as i64, (lon * self.scale).floor() as i64);
            keys[k] = (y, x);
            if let Some(bucket) = self.buckets.get(&Self::key(y, x)) {
                buckets[k] = *bucket;
            }
        }
        let mut touched = 0.0;
        for bucket in &buckets[..points.len().min(BATCH)] {
            if bucket.len > 0
                && let Some(shape) = self.shapes.get(bucket.shapes[0] as usize)
            {
                touched += shape.normals[0][0] + shape.normals[5][2];
            }
        }
        std::hint::black_box(touched);
        for (k, &(lat, lon)) in points.iter().enumerate().take(BATCH) {
            let (y, x) = keys[k];
            let bucket = &buckets[k];
            let mut found = None;
            if bucket.len > 0 {
                let p = self.unit_vector_at(lat, lon, y, x);
                for &s in &bucket.shapes[..usize::from(bucket.len)] {
                    let shape = &self.shapes[s as usize];
                    if shape.contains(&p) {
                        found = Some(shape.id);
                        break;
                    }
                }
            }
            ids[k] = match found {
                Some(id) => id,
                None => self.locate_with_h3o(lat, lon),
            };
        }
    }

    /// The unit vector of a point in bucket `(y, x)`.
    #[inline]
    fn unit_vector_at(&mut self, lat: f64, lon: f64, y: i64, x: i64) -> Vec3 {
        let (lat_r, lon_r) = (lat.to_radians(), lon.to_radians());
        match &mut self.rows {
            Some((rows, cols)) => {
                let (sin_lat, cos_lat) = rows.sin_cos(lat_r, y);
                let (sin_lon, cos_lon) = cols.sin_cos(lon_r, x);
                [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat]
            }
            None => unit_vector(lat_r, lon_r),
        }
    }

    /// Places a point with h3o and learns its cell.
    fn locate_with_h3o(&mut self, lat: f64, lon: f64) -> u32 {
        let cell = match LatLng::new(lat, lon) {
            Ok(point) => point.to_cell(self.resolution),
            // Unreachable for validated incidents; the cell of (0, 0) keeps
            // this total without a panic path.
            Err(_) => LatLng::default().to_cell(self.resolution),
        };
        self.learn(cell)
    }

    /// Registers a cell met through h3o and returns its local id.
    fn learn(&mut self, cell: CellIndex) -> u32 {
        let raw = u64::from(cell);
        if let Some(&id) = self.ids.get(&raw) {
            return id;
        }
        let id = u32::try_from(self.cells.len()).unwrap_or(u32::MAX);
        self.ids.insert(raw, id);
        self.cells.push(raw);
        if let Some(outline) = self.shape_of(cell) {
            let index = u32::try_from(self.shapes.len()).unwrap_or(u32::MAX);
            self.shapes.push(Shape { normals: outline.normals, id });
            self.centres.push(outline.centre);
            self.register(index, outline.bounds);
        }
        id
    }

    /// The edge normals, centre and padded lat/lon bounds of a cell, when it
    /// is a hexagon on a single icosahedron face of reasonable extent.
    fn shape_of(&self, cell: CellIndex) -> Option<Outline> {
        if cell.is_pentagon() || cell.icosahedron_faces().len() != 1 {
            return None;
        }
        let boundary = cell.boundary();
        if boundary.len() != 6 {
            return None;
        }
        let vertices: Vec<Vec3> =
            boundary.iter().map(|v| unit_vector(v.lat_radians(), v.lng_radians())).collect();
        // The normalised mean of the vertices lies inside the (convex) cell
        // and is cheaper than h3o's centre; it orients the normals and orders
        // bucket candidates.
        let sum = vertices.iter().fold([0.0; 3], |s, v| [s[0] + v[0], s[1] + v[1], s[2] + v[2]]);
        let norm = dot(&sum, &sum).sqrt();
        if norm == 0.0 {
            return None;
        }
        let c = [sum[0] / norm, sum[1] / norm, sum[2] / norm];
        let mut normals = [[0.0; 3]; 6];
        for (k, normal) in normals.iter_mut().enumerate() {
            let n = cross(&vertices[k], &vertices[(k + 1) % 6]);
            let len = dot(&n, &n).sqrt();
            if len == 0.0 {
                return None;
            }
            // Orient every normal towards the centre so "inside" is positive
            // whatever the vertex order.
            let sign = if dot(&n, &c) >= 0.0 { 1.0 } else { -1.0 };
            *normal = [sign * n[0] / len, sign * n[1] / len, sign * n[2] / len];
        }
        // A guard against a geometry this module did not anticipate: the
        // centre must test as inside.
        if !(Shape { normals, id: 0 }).contains(&c) {
            return None;
        }
        let (mut lat_min, mut lat_max) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut lon_min, mut lon_max) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in boundary.iter() {
            lat_min = lat_min.min(v.lat());
            lat_max = lat_max.max(v.lat());
            lon_min = lon_min.min(v.lng());
            lon_max = lon_max.max(v.lng());
        }
        if lon_max - lon_min > 90.0 {
            // Crosses the antimeridian.
            return None;
        }
        // Great-circle edges bow slightly away from the vertices' box; a 5%
        // pad is orders of magnitude more than that bow.
        let pad = 0.05 * (lat_max - lat_min).max(lon_max - lon_min);
        Some(Outline {
            normals,
            centre: (c[2].asin().to_degrees(), c[1].atan2(c[0]).to_degrees()),
            bounds: [lat_min - pad, lat_max + pad, lon_min - pad, lon_max + pad],
        })
    }

    fn register(&mut self, index: u32, [lat_min, lat_max, lon_min, lon_max]: [f64; 4]) {
        let (y0, y1) = ((lat_min * self.scale).floor() as i64, (lat_max * self.scale).floor() as i64);
        let (x0, x1) = ((lon_min * self.scale).floor() as i64, (lon_max * self.scale).floor() as i64);
        if (y1 - y0 + 1) * (x1 - x0 + 1) > MAX_BUCKETS_PER_CELL {
            return;
        }
        for y in y0..=y1 {
            for x in x0..=x1 {
                // Squared distance (in degrees, longitude shrunk with the
                // latitude) from the bucket's centre to a cell's centre.
                let (bucket_lat, bucket_lon) = ((y as f64 + 0.5) / self.scale, (x as f64 + 0.5) / self.scale);
                let shrink = bucket_lat.to_radians().cos();
                let distance = |s: u32| {
                    let (lat, lon) = self.centres[s as usize];
                    (lat - bucket_lat).powi(2) + ((lon - bucket_lon) * shrink).powi(2)
                };
                let bucket = self.buckets.entry(Self::key(y, x)).or_default();
                let len = usize::from(bucket.len);
                if len == BUCKET_CAPACITY {
                    continue;
                }
                let new = distance(index);
                let at = bucket.shapes[..len].iter().position(|&s| distance(s) > new).unwrap_or(len);
                bucket.shapes.copy_within(at..len, at + 1);
                bucket.shapes[at] = index;
                bucket.len += 1;
            }
        }
    }
}

/// Incidents located in cells: the distinct cells, sorted, and the position
/// in `cells` of every incident's cell.
pub(crate) struct Located {
    pub(crate) cells: Vec<u64>,
    pub(crate) rows: Vec<u32>,
}

/// Below this many points per thread, locating runs on the calling thread.
const MIN_POINTS_PER_THREAD: usize = 100_000;

/// Locates every incident, one chunk per core. Each thread learns cells with
/// its own locator (cheap next to sharing one behind a lock); local cell ids
/// are then mapped to positions in the merged, sorted list of cells.
pub(crate) fn locate_all(incidents: &[Incident], resolution: Resolution) -> Located {
    let parts = parallel::chunk_count(incidents.len(), MIN_POINTS_PER_THREAD);
    let ranges = parallel::split_ranges(incidents.len(), parts);
    let locate = |range: std::ops::Range<usize>| {
        let mut locator = CellLocator::new(resolution);
        let ids: Vec<u32> = incidents[range].iter().map(|i| locator.locate(i.lat(), i.lon())).collect();
        (locator.cells, ids)
    };
    let located: Vec<(Vec<u64>, Vec<u32>)> = if parts == 1 {
        ranges.into_iter().map(locate).collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> =
                ranges.into_iter().map(|range| scope.spawn(move || locate(range))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    };
    let mut cells: Vec<u64> = located.iter().flat_map(|(c, _)| c.iter().copied()).collect();
    cells.sort_unstable();
    cells.dedup();
    let mut rows = Vec::with_capacity(incidents.len());
    for (local_cells, ids) in &located {
        // Every local cell is in `cells`, so the search always succeeds.
        let global: Vec<u32> =
            local_cells.iter().map(|c| cells.binary_search(c).unwrap_or_default() as u32).collect();
        rows.extend(ids.iter().map(|&id| global[id as usize]));
    }
    Located { cells, rows }
}

/// Counts incidents per cell and step (`step_of` maps an incident to
/// `0..steps`): the distinct cells, sorted, and their counts, row-major.
/// `None` when the cube would exceed `max_bins` bins.
///
/// With several threads the region is cut into longitude bands holding
/// about equal numbers of incidents (estimated from a sample), a few per
/// thread. Each thread copies the incidents of its bands out in one pass and
/// then places them band after band, so that at any time it works on one
/// band's cells, few enough to stay in cache, and learns only the cells of
/// its own bands; the copy costs much less than the cache misses it saves.
pub(crate) fn count_by_cell<F>(
    incidents: &[Incident],
    resolution: Resolution,
    steps: usize,
    max_bins: usize,
    step_of: F,
) -> Option<(Vec<u64>, Vec<u32>)>
where
    F: Fn(&Incident) -> usize + Sync,
{
    let threads = parallel::chunk_count(incidents.len(), MIN_POINTS_PER_THREAD);
    let band_count = if threads == 1 { 1 } else { threads * BANDS_PER_THREAD };
    let bounds: Vec<f64> = if band_count == 1 {
        Vec::new()
    } else {
        let stride = (incidents.len() / 4096).max(1);
        let mut sample: Vec<f64> = incidents.iter().step_by(stride).map(Incident::lon).collect();
        sample.sort_unstable_by(f64::total_cmp);
        (1..band_count).map(|k| sample[k * sample.len() / band_count]).collect()
    };
    let count_thread = |thread: usize| {
        let mut locator = CellLocator::new(resolution);
        let mut counts: Vec<u32> = Vec::new();
        let mut ids = [0u32; BATCH];
        // False when the cube grows past `max_bins`.
        let mut place = |locator: &mut CellLocator, batch: &[(f64, f64, usize)]| {
            let mut points = [(0.0, 0.0); BATCH];
            for (p, &(lat, lon, _)) in points.iter_mut().zip(batch) {
                *p = (lat, lon);
            }
            locator.locate_batch(&points[..batch.len()], &mut ids);
            for (&row, &(_, _, step)) in ids.iter().zip(batch) {
                let row = row as usize;
                if counts.len() < (row + 1) * steps {
                    if (row + 1) * steps > max_bins {
                        return false;
                    }
                    counts.resize((row + 1) * steps, 0);
                }
                counts[row * steps + step] += 1;
            }
            true
        };
        let point = |i: &Incident| (i.lat(), i.lon(), step_of(i));
        if band_count == 1 {
            let mut batch = [(0.0, 0.0, 0usize); BATCH];
            for chunk in incidents.chunks(BATCH) {
                for (slot, i) in batch.iter_mut().zip(chunk) {
                    *slot = point(i);
                }
                if !place(&mut locator, &batch[..chunk.len()]) {
                    return None;
                }
            }
        } else {
            let mine = thread * band_count / threads..(thread + 1) * band_count / threads;
            let mut bands: Vec<Vec<(f64, f64, usize)>> = vec![Vec::new(); mine.len()];
            for i in incidents {
                let band = bounds.partition_point(|&b| b <= i.lon());
                if mine.contains(&band) {
                    bands[band - mine.start].push(point(i));
                }
            }
            for band in &bands {
                for batch in band.chunks(BATCH) {
                    if !place(&mut locator, batch) {
                        return None;
                    }
                }
            }
        }
        Some((locator.cells, counts))
    };
    let bands: Vec<Option<(Vec<u64>, Vec<u32>)>> = if threads == 1 {
        vec![count_thread(0)]
    } else {
        std::thread::scope(|scope| {
            let count_thread = &count_thread;
            let handles: Vec<_> = (0..threads).map(|t| scope.spawn(move || count_thread(t))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    };
    let bands: Vec<(Vec<u64>, Vec<u32>)> = bands.into_iter().collect::<Option<_>>()?;
    let mut cells: Vec<u64> = bands.iter().flat_map(|(c, _)| c.iter().copied()).collect();
    cells.sort_unstable();
    cells.dedup();
    if cells.len() * steps > max_bins {
        return None;
    }
    let mut counts = vec![0u32; cells.len() * steps];
    for (local_cells, local_counts) in &bands {
        for (local, cell) in local_cells.iter().enumerate() {
            // Every local cell is in `cells`, so the search always succeeds;
            // a cell on a band edge is counted by both bands and summed here.
            let row = cells.binary_search(cell).unwrap_or_default();
            let source = local_counts.get(local * steps..(local + 1) * steps).unwrap_or_default();
            for (total, &n) in counts[row * steps..(row + 1) * steps].iter_mut().zip(source) {
                *total += n;
            }
        }
    }
    Some((cells, counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(res: u8, points: impl Iterator<Item = (f64, f64)>) -> usize {
        let resolution = Resolution::try_from(res).unwrap();
        let mut locator = CellLocator::new(resolution);
        let mut fast = 0;
        for (lat, lon) in points {
            let learned_before = locator.cells().len();
            let id = locator.locate(lat, lon);
            if locator.cells().len() == learned_before {
                fast += 1;
            }
            let expected = u64::from(LatLng::new(lat, lon).unwrap().to_cell(resolution));
            assert_eq!(locator.cells()[id as usize], expected, "res {res} ({lat}, {lon})");
        }
        fast
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn agrees_with_h3o_in_a_province() {
        for res in [7, 8, 9, 10] {
            let mut rng = Rng(0x1234_5678 + u64::from(res));
            // Dense points in a small window, so most are placed by the
            // learned shapes and edges are crossed many times.
            let points = (0..60_000).map(|_| (15.0 + 0.05 * rng.next(), 108.7 + 0.05 * rng.next()));
            let fast = check(res, points);
            assert!(fast > 30_000, "res {res}: only {fast} fast hits");
        }
    }

    #[test]
    fn agrees_with_h3o_across_the_globe_and_near_pentagons() {
        let mut rng = Rng(42);
        // Whole-globe samples, including poles and the antimeridian.
        let globe: Vec<(f64, f64)> = (0..40_000)
            .map(|_| ((rng.next() * 2.0 - 1.0).asin().to_degrees(), rng.next() * 360.0 - 180.0))
            .collect();
        for res in [2, 5, 8] {
            check(res, globe.iter().copied());
        }
        // Clouds around every pentagon centre at resolution 6, where cells
        // are cut by icosahedron edges.
        let mut clouds = Vec::new();
        for pentagon in Resolution::Six.pentagons() {
            let c = LatLng::from(pentagon);
            for _ in 0..400 {
                let lat = (c.lat() + 0.5 * (rng.next() - 0.5)).clamp(-90.0, 90.0);
                let lon = c.lng() + 0.5 * (rng.next() - 0.5);
                let lon = if lon > 180.0 {
                    lon - 360.0
                } else if lon < -180.0 {
                    lon + 360.0
                } else {
                    lon
                };
                clouds.push((lat, lon));
            }
        }
        check(6, clouds.iter().copied());
        check(7, clouds.iter().copied());
    }

    #[test]
    fn batches_agree_with_h3o() {
        let mut rng = Rng(77);
        let points: Vec<(f64, f64)> =
            (0..40_000).map(|_| (15.0 + 0.04 * rng.next(), 108.7 + 0.04 * rng.next())).collect();
        for res in [8u8, 9, 10] {
            let resolution = Resolution::try_from(res).unwrap();
            let mut locator = CellLocator::new(resolution);
            // Batches of every length up to BATCH, including partial ones.
            let mut start = 0;
            let mut len = 1;
            while start < points.len() {
                let batch = &points[start..(start + len).min(points.len())];
                let mut ids = [0u32; BATCH];
                locator.locate_batch(batch, &mut ids);
                for (&(lat, lon), &id) in batch.iter().zip(&ids) {
                    let expected = u64::from(LatLng::new(lat, lon).unwrap().to_cell(resolution));
                    assert_eq!(locator.cells()[id as usize], expected, "res {res} ({lat}, {lon})");
                }
                start += batch.len();
                len = len % BATCH + 1;
            }
        }
    }

    #[test]
    fn points_on_vertices_and_edges_fall_back_to_h3o() {
        let resolution = Resolution::Nine;
        let cell = LatLng::new(14.8, 108.9).unwrap().to_cell(resolution);
        let mut points = Vec::new();
        for v in cell.boundary().iter() {
            points.push((v.lat(), v.lng()));
        }
        let ring = cell.boundary();
        for k in 0..ring.len() {
            let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
            for t in [0.25, 0.5, 0.75] {
                points.push((a.lat() + t * (b.lat() - a.lat()), a.lng() + t * (b.lng() - a.lng())));
            }
        }
        let centre = LatLng::from(cell);
        // The centre first, so the cell is learned before the edge points.
        points.insert(0, (centre.lat(), centre.lng()));
        check(9, points.into_iter());
    }
}
