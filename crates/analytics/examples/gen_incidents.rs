//! Writes a seeded, realistic synthetic incident file (`lat,lon,date`) for
//! benchmarks and demonstrations.
//!
//! Incidents cluster around a few hundred centres in a province-sized region
//! (by default around Quảng Ngãi, 14.0–15.5 N, 107.5–109.0 E), denser toward
//! the coast, over 36 months. Centres differ in size and spread and follow
//! different histories — steady, emerging, fading, seasonal — so an EHSA run
//! finds every kind of pattern. The same seed always gives the same file.
//!
//! ```text
//! cargo run --release -p diaban-analytics --example gen_incidents -- \
//!     --incidents 2000000 --months 36 --seed 42 --out /tmp/incidents.csv
//! ```

use std::io::{BufWriter, Write};

/// A small permuted congruential generator (PCG-XSH-RR); the example needs
/// reproducible numbers, not a dependency.
struct Rng(u64);

impl Rng {
    fn next_u32(&mut self) -> u32 {
        let old = self.0;
        self.0 = old.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        xorshifted.rotate_right((old >> 59) as u32)
    }

    fn uniform(&mut self) -> f64 {
        let hi = u64::from(self.next_u32()) << 21;
        let lo = u64::from(self.next_u32()) >> 11;
        ((hi | lo) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        // Box–Muller; one of the pair is enough here.
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

struct Options {
    incidents: usize,
    months: usize,
    centres: usize,
    seed: u64,
    start_year: i32,
    out: Option<String>,
    region: [f64; 4],
    spread: f64,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        incidents: 2_000_000,
        months: 36,
        centres: 250,
        seed: 42,
        start_year: 2023,
        out: None,
        region: [14.0, 15.5, 107.5, 109.0],
        spread: 1.0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        let bad = |e: &dyn std::fmt::Display| format!("{flag}: {e}");
        match flag.as_str() {
            "--incidents" => o.incidents = value()?.parse().map_err(|e| bad(&e))?,
            "--months" => o.months = value()?.parse().map_err(|e| bad(&e))?,
            "--centres" => o.centres = value()?.parse().map_err(|e| bad(&e))?,
            "--seed" => o.seed = value()?.parse().map_err(|e| bad(&e))?,
            "--start-year" => o.start_year = value()?.parse().map_err(|e| bad(&e))?,
            "--out" => o.out = Some(value()?),
            "--spread" => o.spread = value()?.parse().map_err(|e| bad(&e))?,
            "--region" => {
                let v: Vec<f64> =
                    value()?.split(',').map(str::parse).collect::<Result<_, _>>().map_err(|e| bad(&e))?;
                o.region =
                    v.try_into().map_err(|_| "--region takes LAT_MIN,LAT_MAX,LON_MIN,LON_MAX".to_string())?;
            }
            "-h" | "--help" => {
                println!(
                    "gen_incidents [--incidents N] [--months M] [--centres C] [--seed S] \
                     [--start-year Y] [--region LAT_MIN,LAT_MAX,LON_MIN,LON_MAX] [--spread X] [--out FILE]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if o.months == 0 || o.centres == 0 {
        return Err("--months and --centres must be positive".into());
    }
    Ok(o)
}

struct Centre {
    lat: f64,
    lon: f64,
    /// Spread in degrees.
    sigma: f64,
    /// Cumulative weights of the months.
    months: Vec<f64>,
}

fn main() {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("gen_incidents: {e}");
            std::process::exit(2);
        }
    };
    let mut rng = Rng(o.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let [lat_min, lat_max, lon_min, lon_max] = o.region;

    let mut centres = Vec::with_capacity(o.centres);
    let mut cumulative_size = Vec::with_capacity(o.centres);
    let mut size_sum = 0.0;
    for _ in 0..o.centres {
        // Towns and the trade routes are on the coastal plain: bias centres
        // east by taking the larger of two uniform draws.
        let east = rng.uniform().max(rng.uniform());
        let lat = lat_min + (lat_max - lat_min) * rng.uniform();
        let lon = lon_min + (lon_max - lon_min) * east;
        // Spread between about 150 m and 700 m.
        let sigma = (0.0015 + 0.005 * rng.uniform().powi(2)) * o.spread;
        // Heavy-tailed sizes: a few big markets, many small ones.
        let size = 1.0 / (0.05 + rng.uniform()).powf(1.2);
        let history = rng.uniform();
        let pivot = rng.uniform() * o.months as f64;
        let phase = rng.uniform() * 12.0;
        let mut weights = Vec::with_capacity(o.months);
        for m in 0..o.months {
            let t = m as f64;
            let w = if history < 0.45 {
                1.0
            } else if history < 0.62 {
                // Emerging: nothing before the pivot, growing after it.
                if t < pivot { 0.02 } else { 1.0 + (t - pivot) / 6.0 }
            } else if history < 0.78 {
                // Fading after the pivot.
                if t < pivot { 1.0 } else { (1.0 - (t - pivot) / 8.0).max(0.03) }
            } else {
                // Seasonal.
                1.0 + 0.9 * (2.0 * std::f64::consts::PI * (t + phase) / 12.0).sin()
            };
            weights.push(w * (0.8 + 0.4 * rng.uniform()));
        }
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let months = weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect();
        centres.push(Centre { lat, lon, sigma, months });
        size_sum += size;
        cumulative_size.push(size_sum);
    }

    let stdout = std::io::stdout();
    let sink: Box<dyn Write> = match &o.out {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("gen_incidents: creating {path}: {e}");
                std::process::exit(1);
            }
        },
        None => Box::new(stdout.lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 20, sink);
    let result = (|| -> std::io::Result<()> {
        writeln!(out, "lat,lon,date")?;
        for _ in 0..o.incidents {
            let pick = rng.uniform() * size_sum;
            let k = cumulative_size.partition_point(|&c| c < pick).min(o.centres - 1);
            let c = &centres[k];
            let lat = (c.lat + c.sigma * rng.normal()).clamp(-90.0, 90.0);
            let lon = c.lon + c.sigma * rng.normal() / c.lat.to_radians().cos();
            let u = rng.uniform();
            let m = c.months.partition_point(|&w| w < u).min(o.months - 1);
            let year = o.start_year + (m / 12) as i32;
            let month = m % 12 + 1;
            let day = 1 + rng.next_u32() % 28;
            writeln!(out, "{lat:.6},{lon:.6},{year:04}-{month:02}-{day:02}")?;
        }
        out.flush()
    })();
    if let Err(e) = result {
        eprintln!("gen_incidents: writing: {e}");
        std::process::exit(1);
    }
}
