//! Benchmarks of the EHSA pipeline's phases on synthetic clustered incidents
//! (`cargo bench -p diaban-analytics --bench ehsa`). The whole command on the
//! full 2,000,000-incident workload is timed by `scripts/bench-ehsa.sh`;
//! these isolate the phases at a size that keeps a run short.

use std::hint::black_box;

use diaban_analytics::incidents::{ParseOptions, parse_csv};
use diaban_analytics::stats::{benjamini_hochberg, mann_kendall};
use diaban_analytics::{Ehsa, Incident, SpaceTimeCube};

fn main() {
    divan::main();
}

/// Incidents in the benchmark workload.
const INCIDENTS: usize = 400_000;

/// A splitmix64 step: reproducible numbers without a dependency.
fn next(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// Incidents clustered around 150 centres in a province-sized region over 36
/// months, as CSV text.
fn workload_csv() -> String {
    let mut state = 2024;
    let centres: Vec<(f64, f64, f64)> = (0..150)
        .map(|_| {
            (14.0 + 1.5 * next(&mut state), 107.5 + 1.5 * next(&mut state), 0.001 + 0.004 * next(&mut state))
        })
        .collect();
    let mut csv = String::with_capacity(INCIDENTS * 32 + 16);
    csv.push_str("lat,lon,date\n");
    for _ in 0..INCIDENTS {
        let (lat, lon, spread) = centres[(next(&mut state) * centres.len() as f64) as usize];
        // A sum of uniforms is close enough to a normal spread here.
        let dy = (next(&mut state) + next(&mut state) + next(&mut state) - 1.5) * spread;
        let dx = (next(&mut state) + next(&mut state) + next(&mut state) - 1.5) * spread;
        let month = (next(&mut state) * 36.0) as u32;
        let day = 1 + (next(&mut state) * 28.0) as u32;
        csv.push_str(&format!(
            "{:.6},{:.6},{}-{:02}-{:02}\n",
            lat + dy,
            lon + dx,
            2023 + month / 12,
            month % 12 + 1,
            day
        ));
    }
    csv
}

fn workload() -> Vec<Incident> {
    parse_csv(workload_csv().as_bytes(), ParseOptions::new()).map(|p| p.incidents).unwrap_or_default()
}

#[divan::bench(sample_count = 20)]
fn parse(bencher: divan::Bencher) {
    let csv = workload_csv();
    bencher
        .counter(divan::counter::ItemsCount::new(INCIDENTS))
        .bench(|| parse_csv(black_box(csv.as_bytes()), ParseOptions::new()).map(|p| p.incidents.len()));
}

#[divan::bench(args = [8, 9], sample_count = 20)]
fn bin_into_cube(bencher: divan::Bencher, res: u8) {
    let incidents = workload();
    bencher
        .counter(divan::counter::ItemsCount::new(incidents.len()))
        .bench(|| SpaceTimeCube::build(black_box(&incidents), res).map(|c| c.cells().len()));
}

#[divan::bench(args = [8, 9], sample_count = 20)]
fn analyse_cube(bencher: divan::Bencher, res: u8) {
    let incidents = workload();
    let ehsa = Ehsa::builder().resolution(res).build();
    let cube = SpaceTimeCube::build(&incidents, res);
    let (Ok(ehsa), Ok(cube)) = (ehsa, cube) else {
        return;
    };
    bencher.with_inputs(|| cube.clone()).bench_values(|cube| ehsa.analyse_cube(cube).map(|r| r.rows().len()));
}

#[divan::bench]
fn mann_kendall_36_steps(bencher: divan::Bencher) {
    let mut state = 5;
    let series: Vec<f64> = (0..36).map(|_| (next(&mut state) * 8.0).round() - 4.0).collect();
    bencher.bench(|| mann_kendall(black_box(&series)));
}

#[divan::bench]
fn benjamini_hochberg_500k(bencher: divan::Bencher) {
    let mut state = 9;
    let p: Vec<f64> = (0..500_000).map(|_| next(&mut state).powi(3)).collect();
    bencher.bench(|| benjamini_hochberg(black_box(&p), 0.05).len());
}
