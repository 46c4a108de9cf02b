use super::*;
use crate::date::{Date, YearMonth};
use crate::stats::MannKendall;
use crate::{cell_at, cell_center};

fn cell(lat: f64, lon: f64) -> u64 {
    cell_at(lat, lon, 8).unwrap()
}

/// A neighbour of `c` at grid distance 1.
fn neighbour(c: u64) -> u64 {
    let disk: Vec<h3o::CellIndex> = h3o::CellIndex::try_from(c).unwrap().grid_disk(1);
    disk.into_iter().map(u64::from).find(|&d| d != c).unwrap()
}

fn jan_2025() -> YearMonth {
    YearMonth::new(2025, 1).unwrap()
}

fn cube(cells: &[u64], steps: usize, counts: &[u32]) -> SpaceTimeCube {
    SpaceTimeCube::from_counts(cells.to_vec(), jan_2025(), steps, counts.to_vec()).unwrap()
}

fn row_of(report: &EhsaReport, c: u64) -> usize {
    report.rows().iter().position(|r| r.cell == c).unwrap()
}

/// Three cells A, B (neighbours) and C (far away), two months:
///
/// ```text
///        t=0 t=1
///   A     2   4
///   B     0   2
///   C     1   0
/// ```
///
/// m = 6, Σx = 9, Σx² = 25, x̄ = 1.5, S = √(25/6 − 2.25) = 1.384437…
/// (equivalently √V/m with V = 6·25 − 81 = 69). With K = 1, N = 1:
///
/// - (A,0): NB = {A,B}×{0}, Σ = 2, W = 2:
///   z = (2 − 1.5·2)/(S·√((12 − 4)/5)) = −1/(1.384437·1.264911) = −0.571040…
/// - (B,0): the same neighbourhood, so the same z, bit for bit.
/// - (A,1) and (B,1): NB = {A,B}×{0,1}, Σ = 8, W = 4:
///   z = (8 − 6)/(S·√((24 − 16)/5)) = 1.142080…
/// - (C,0): NB = {C}×{0}, Σ = 1, W = 1: z = (1 − 1.5)/(S·√(5/5)) = −0.361157…
/// - (C,1): NB = {C}×{0,1}, Σ = 1, W = 2: z = (1 − 3)/(S·1.264911) = −1.142080…
#[test]
fn gi_star_on_a_hand_computed_cube() {
    let a = cell(15.0, 108.8);
    let b = neighbour(a);
    let c = cell(15.5, 108.3);
    let report = Ehsa::default().analyse_cube(cube(&[a, b, c], 2, &[2, 4, 0, 2, 1, 0])).unwrap();
    let expect = |x: u64, z: [f64; 2]| {
        let got = report.z_series(row_of(&report, x));
        for t in 0..2 {
            assert!((got[t] - z[t]).abs() < 1e-12, "cell {x:x} step {t}: {} vs {}", got[t], z[t]);
        }
    };
    expect(a, [-0.5710402407201607, 1.1420804814403214]);
    expect(b, [-0.5710402407201607, 1.1420804814403214]);
    expect(c, [-0.3611575592573076, -1.1420804814403214]);
    // Same neighbourhood sum and size: exactly equal, which Mann–Kendall's
    // tie count relies on.
    assert_eq!(report.z_series(row_of(&report, a)), report.z_series(row_of(&report, b)));
    // |z| ≤ 1.15 is nowhere near significant.
    assert_eq!(report.significant_bins(), 0);
    assert!(report.rows().iter().all(|r| r.category == Category::NoPattern));
}

#[test]
fn time_steps_widen_the_window_backwards_only() {
    // One far-off cell, three months, N = 0 and N = 2.
    let a = cell(15.0, 108.8);
    let c = cell(15.5, 108.3);
    let counts = [1, 2, 3, 0, 0, 6];
    let n0 = Ehsa::builder().time_steps(0).build().unwrap();
    let n2 = Ehsa::builder().time_steps(2).build().unwrap();
    let r0 = n0.analyse_cube(cube(&[a, c], 3, &counts)).unwrap();
    let r2 = n2.analyse_cube(cube(&[a, c], 3, &counts)).unwrap();
    // m = 6, Σx = 12, Σx² = 50, V = 6·50 − 144 = 156.
    let z = |sum: f64, w: f64| (sum * 6.0 - 12.0 * w) / (156f64.sqrt() * ((6.0 * w - w * w) / 5.0).sqrt());
    let ra = row_of(&r0, a);
    assert_eq!(r0.z_series(ra), [z(1.0, 1.0), z(2.0, 1.0), z(3.0, 1.0)]);
    // N = 2 at step 2 covers steps 0..=2: Σ = 6, W = 3.
    assert_eq!(r2.z_series(ra), [z(1.0, 1.0), z(3.0, 2.0), z(6.0, 3.0)]);
}

#[test]
fn a_neighbourhood_covering_the_whole_cube_scores_zero() {
    // Two neighbouring cells, two steps, N = 1: the bins at the last step
    // see all four bins (W = m), which the definition makes 0.
    let a = cell(15.0, 108.8);
    let b = neighbour(a);
    let report = Ehsa::default().analyse_cube(cube(&[a, b], 2, &[5, 0, 1, 9])).unwrap();
    for row in 0..2 {
        assert_eq!(report.z_series(row)[1], 0.0);
        assert_ne!(report.z_series(row)[0], 0.0);
    }
    // One bin in all: W = m = 1.
    let single = Ehsa::default().analyse_cube(cube(&[a], 1, &[7])).unwrap();
    assert_eq!(single.z_series(0), [0.0]);
}

#[test]
fn equal_counts_everywhere_score_zero() {
    let a = cell(15.0, 108.8);
    let c = cell(15.5, 108.3);
    let report = Ehsa::default().analyse_cube(cube(&[a, c], 3, &[4; 6])).unwrap();
    assert!(report.rows().iter().all(|r| r.final_z == 0.0 && r.trend.p == 1.0));
    assert!(report.rows().iter().all(|r| r.category == Category::NoPattern));
}

#[test]
fn exact_zero_numerator_gives_exact_zero() {
    // (A,0): Σ = 3, W = 2, m = 4, Σx = 6: 3·4 − 6·2 = 0.
    let a = cell(15.0, 108.8);
    let c = cell(15.5, 108.3);
    let report = Ehsa::builder()
        .rings(0)
        .time_steps(0)
        .build()
        .unwrap()
        .analyse_cube(cube(&[a, c], 2, &[1, 2, 3, 0]))
        .unwrap();
    // K = 0, N = 0: each bin alone, W = 1, x̄ = 1.5; no bin equals x̄, but
    // the spread is exact: z = (x − 1.5)/S.
    let s = (1.25f64).sqrt();
    let z = report.z_series(row_of(&report, a));
    assert!((z[0] - (1.0 - 1.5) / (s * 1.0)).abs() < 1e-15);
    let balanced = Ehsa::builder()
        .time_steps(1)
        .rings(0)
        .build()
        .unwrap()
        .analyse_cube(cube(&[a, c], 2, &[1, 2, 3, 0]))
        .unwrap();
    // (A,1): NB = A×{0,1}, Σ = 3, W = 2, Σx·W/m = 3: the numerator is 0.
    assert_eq!(balanced.z_series(row_of(&balanced, a))[1], 0.0);
}

#[test]
fn a_single_time_step_allows_only_new_or_no_pattern() {
    // With n = 1 the trend test is degenerate (S = 0, Z = 0, p = 1, τ = 0)
    // and only NEW_HOT, NEW_COLD or NO_PATTERN can be assigned.
    let mut cells = Vec::new();
    let mut counts = Vec::new();
    for k in 0..60 {
        cells.push(cell(14.0 + 0.05 * f64::from(k), 108.0));
        counts.push(20);
    }
    // x̄ = 20 exactly, so the background scores exactly 0.
    cells.push(cell(15.2, 109.5));
    counts.push(40);
    cells.push(cell(15.3, 109.5));
    counts.push(0);
    let report = Ehsa::builder()
        .rings(0)
        .build()
        .unwrap()
        .analyse_cube(SpaceTimeCube::from_counts(cells.clone(), jan_2025(), 1, counts).unwrap())
        .unwrap();
    for r in report.rows() {
        assert_eq!((r.trend.s, r.trend.var_s, r.trend.z, r.trend.p, r.trend.tau), (0, 0.0, 0.0, 1.0, 0.0));
        assert!(matches!(r.category, Category::NewHot | Category::NewCold | Category::NoPattern));
    }
    assert_eq!(report.rows()[row_of(&report, cells[60])].category, Category::NewHot);
    assert_eq!(report.rows()[row_of(&report, cells[61])].category, Category::NewCold);
    assert_eq!(report.rows()[row_of(&report, cells[0])].category, Category::NoPattern);
}

fn trend(p: f64, tau: f64) -> MannKendall {
    MannKendall { s: 0, var_s: 1.0, z: 0.0, p, tau }
}

/// Hot/cold flags from a compact picture: `H` hot, `C` cold, `.` neither.
fn flags(picture: &str) -> (Vec<bool>, Vec<bool>) {
    (picture.chars().map(|c| c == 'H').collect(), picture.chars().map(|c| c == 'C').collect())
}

fn classify(picture: &str, trend: MannKendall) -> Category {
    let (hot, cold) = flags(picture);
    Category::classify(&hot, &cold, &trend)
}

#[test]
fn each_category_rule() {
    let flat = trend(0.6, 0.05);
    let up = trend(0.001, 0.6);
    let down = trend(0.001, -0.6);
    use Category::*;
    let cases = [
        (".........H", flat, NewHot),
        ("H", flat, NewHot),
        (".........C", flat, NewCold),
        ("C", flat, NewCold),
        ("........HH", flat, ConsecutiveHot),
        (".....HHHHH", up, ConsecutiveHot),
        ("........CC", flat, ConsecutiveCold),
        ("HHHHHHHHHH", up, IntensifyingHot),
        (".HHHHHHHHH", up, IntensifyingHot),
        ("CCCCCCCCCC", down, IntensifyingCold),
        ("HHHHHHHHHH", down, DiminishingHot),
        ("CCCCCCCCCC", up, DiminishingCold),
        ("HHHHHHHHHH", flat, PersistentHot),
        ("CCCCCCCCCC", flat, PersistentCold),
        ("HHHHHHHHH.", flat, HistoricalHot),
        ("HHHHHHHHH.", up, HistoricalHot),
        ("CCCCCCCCC.", flat, HistoricalCold),
        ("C......H.H", flat, OscillatingHot),
        ("CC..HH.CHH", flat, OscillatingHot),
        ("H......C.C", flat, OscillatingCold),
        ("H.H......H", flat, SporadicHot),
        ("HH.......H", flat, SporadicHot),
        ("C.C......C", flat, SporadicCold),
        ("..........", flat, NoPattern),
        ("HHH.......", flat, NoPattern),
        ("CCCC......", up, NoPattern),
    ];
    for (picture, t, expected) in cases {
        assert_eq!(classify(picture, t), expected, "{picture} with p {} τ {}", t.p, t.tau);
    }
    // Every category is reachable.
    let reached: std::collections::HashSet<Category> = cases.iter().map(|c| c.2).collect();
    assert_eq!(reached.len(), 17);
}

#[test]
fn ninety_percent_is_inclusive() {
    // 9 of 10 hot including the last: fH = 0.9 exactly.
    assert_eq!(classify(".HHHHHHHHH", trend(0.5, 0.0)), Category::PersistentHot);
    // 9 of 10 in two runs: still 90%, so persistent.
    assert_eq!(classify("H.HHHHHHHH", trend(0.5, 0.0)), Category::PersistentHot);
    // 8 of 10 in two runs: sporadic.
    assert_eq!(classify("H..HHHHHHH", trend(0.5, 0.0)), Category::SporadicHot);
    // A run of 9 of 10: fH = 0.9 is not < 0.9, so not consecutive.
    assert_eq!(classify(".HHHHHHHHH", trend(0.001, 0.5)), Category::IntensifyingHot);
    // 19 of 20 not at the end: historical.
    assert_eq!(classify("HHHHHHHHHHHHHHHHHHH.", trend(0.5, 0.0)), Category::HistoricalHot);
    // 18 of 21 not at the end: below 90%.
    assert_eq!(classify("HHHHHHHHHHHHHHHHHH...", trend(0.5, 0.0)), Category::NoPattern);
}

#[test]
fn precedence_interleaves_hot_and_cold() {
    // Hot in 11 of 12 steps but not the last, which is cold for the first
    // time: NEW_COLD comes before HISTORICAL_HOT.
    assert_eq!(classify("HHHHHHHHHHHC", trend(0.5, 0.0)), Category::NewCold);
    // A run of two cold ending the series after 10 hot steps: fH = 10/12
    // is under 0.9, so not historical; CONSECUTIVE_COLD wins.
    assert_eq!(classify("HHHHHHHHHHCC", trend(0.5, 0.0)), Category::ConsecutiveCold);
    // A significant trend with τ exactly 0 cannot happen, but if it did,
    // neither intensifying nor diminishing nor persistent would match.
    assert_eq!(classify("HHHHHHHHHH", trend(0.01, 0.0)), Category::NoPattern);
    // Empty series.
    assert_eq!(Category::classify(&[], &[], &trend(1.0, 0.0)), Category::NoPattern);
}

#[test]
fn category_names_round_trip() {
    for c in Category::ALL {
        assert_eq!(c.as_str().parse::<Category>().unwrap(), c);
        assert_eq!(c.to_string(), c.as_str());
        assert!(!c.label_vi().is_empty());
        assert_eq!(c.is_hot() as u8 + c.is_cold() as u8 + (c == Category::NoPattern) as u8, 1);
    }
    assert_eq!(Category::ALL.iter().filter(|c| c.is_hot()).count(), 8);
    assert_eq!(Category::ConsecutiveHot.label_vi(), "Điểm nóng liên tiếp");
    assert_eq!(Category::HistoricalCold.label_vi(), "Điểm lạnh trong quá khứ");
    assert_eq!(Category::NoPattern.label_vi(), "Không có xu hướng");
    assert!("HOT".parse::<Category>().is_err());
}

/// Twelve months of background — 150 scattered cells with one incident a
/// month — and planted cells far from each other and from the background,
/// each with the history of one hot category. Default parameters.
#[test]
fn planted_patterns_are_found_end_to_end() {
    let mut incidents = Vec::new();
    let mut add = |c: u64, month: u8, n: u32| {
        let (lat, lon) = cell_center(c).unwrap();
        for k in 0..n {
            let day = 1 + (k % 28) as u8;
            incidents.push(Incident::new(lat, lon, Date::new(2024, month, day).unwrap()).unwrap());
        }
    };
    for k in 0..150 {
        let c = cell(14.0 + 0.01 * f64::from(k % 15) * 7.0, 107.6 + 0.07 * f64::from(k / 15));
        for month in 1..=12 {
            add(c, month, 1);
        }
    }
    let planted = |k: u32| cell(15.4, 108.0 + 0.1 * f64::from(k));
    let history: [(Category, [u32; 12]); 6] = [
        (Category::NewHot, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40]),
        (Category::ConsecutiveHot, [0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 20, 20]),
        (Category::PersistentHot, [20; 12]),
        (Category::IntensifyingHot, [10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32]),
        (Category::DiminishingHot, [32, 30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10]),
        (Category::HistoricalHot, [20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 0, 0]),
    ];
    for (k, (_, counts)) in history.iter().enumerate() {
        for (m, &n) in counts.iter().enumerate() {
            add(planted(k as u32), m as u8 + 1, n);
        }
    }
    let report = Ehsa::default().analyse(&incidents).unwrap();
    assert_eq!(report.cube().steps(), 12);
    assert_eq!(report.cube().first_month(), YearMonth::new(2024, 1).unwrap());
    for (k, (expected, _)) in history.iter().enumerate() {
        let row = &report.rows()[row_of(&report, planted(k as u32))];
        assert_eq!(row.category, *expected, "planted cell {k}: {row:?}");
    }
    // The persistent cell's z series is constant after the first step
    // (same Σ and W every month), so Mann–Kendall sees 11 tied values.
    let persistent = row_of(&report, planted(2));
    let z = report.z_series(persistent);
    assert!(z[1..].iter().all(|&v| v == z[1]));
    assert_eq!(report.rows()[persistent].trend.s, 11);
    // The background has no pattern.
    let background = report.rows().iter().filter(|r| r.category == Category::NoPattern).count();
    assert_eq!(background, 150);
    assert_eq!(report.rows().len(), 156);
    assert_eq!(report.rows().iter().map(|r| r.incidents).sum::<u64>(), incidents.len() as u64);
}

/// Cold patterns need a busy background: 80 cells with 10 incidents every
/// month, each alone (K = 0, N = 0) so that a bin is judged on its own
/// count.
#[test]
fn planted_cold_patterns() {
    let mut cells = Vec::new();
    let mut counts = Vec::new();
    for k in 0..80 {
        cells.push(cell(14.0 + 0.02 * f64::from(k), 107.6));
        counts.extend([10u32; 12]);
    }
    let planted: [(Category, [u32; 12]); 5] = [
        (Category::NewCold, [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 0]),
        (Category::ConsecutiveCold, [10, 10, 10, 10, 10, 10, 10, 10, 10, 0, 0, 0]),
        (Category::PersistentCold, [1; 12]),
        (Category::HistoricalCold, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10]),
        (Category::OscillatingCold, [40, 0, 10, 10, 10, 10, 10, 10, 10, 10, 10, 0]),
    ];
    for (k, (_, series)) in planted.iter().enumerate() {
        cells.push(cell(15.4, 108.0 + 0.1 * k as f64));
        counts.extend(series);
    }
    let analysis = Ehsa::builder().rings(0).time_steps(0).build().unwrap();
    let report = analysis
        .analyse_cube(SpaceTimeCube::from_counts(cells.clone(), jan_2025(), 12, counts).unwrap())
        .unwrap();
    for (k, (expected, _)) in planted.iter().enumerate() {
        let row = &report.rows()[row_of(&report, cells[80 + k])];
        assert_eq!(row.category, *expected, "planted cell {k}: {row:?}");
    }
}

#[test]
fn builder_checks_parameters() {
    assert_eq!(Ehsa::builder().build().unwrap(), Ehsa::default());
    let e = Ehsa::default();
    assert_eq!((e.resolution(), e.rings(), e.time_steps(), e.alpha(), e.fdr()), (8, 1, 1, 0.05, true));
    for bad in [
        Ehsa::builder().resolution(16),
        Ehsa::builder().rings(MAX_RINGS + 1),
        Ehsa::builder().alpha(0.0),
        Ehsa::builder().alpha(1.0),
        Ehsa::builder().alpha(f64::NAN),
    ] {
        assert_eq!(bad.build().unwrap_err().kind(), crate::ErrorKind::InvalidParameter);
    }
    // A cube of another resolution is refused.
    let c9 = cell_at(15.0, 108.8, 9).unwrap();
    let cube9 = SpaceTimeCube::from_counts(vec![c9], jan_2025(), 1, vec![1]).unwrap();
    assert!(Ehsa::default().analyse_cube(cube9).is_err());
    // No incidents.
    assert_eq!(Ehsa::default().analyse(&[]).unwrap_err().kind(), crate::ErrorKind::EmptyInput);
}

#[test]
fn fdr_off_judges_bins_alone() {
    // Many cells, one moderately busy: significant at p ≤ 0.05 alone, but
    // not after the false discovery rate correction over 400 bins.
    let mut cells = Vec::new();
    let mut counts = Vec::new();
    for k in 0..100 {
        cells.push(cell(14.0 + 0.02 * f64::from(k), 107.6));
        counts.extend(match k {
            0 => [4, 1, 1, 1],
            _ => [1 + (k % 3), 1 + ((k + 1) % 3), 1 + ((k + 2) % 3), 1 + (k % 2)],
        });
    }
    let outlier = cells[0];
    let cube = SpaceTimeCube::from_counts(cells, jan_2025(), 4, counts).unwrap();
    let strict = Ehsa::builder().rings(0).time_steps(0).build().unwrap();
    let loose = Ehsa::builder().rings(0).time_steps(0).fdr(false).build().unwrap();
    let with_fdr = strict.analyse_cube(cube.clone()).unwrap();
    let without = loose.analyse_cube(cube).unwrap();
    // The outlier: z ≈ (4 − 1.95)/0.78 ≈ 2.6, p ≈ 0.009 > 0.05/400.
    assert_eq!(with_fdr.significant_bins(), 0);
    assert_eq!(without.significant_bins(), 1);
    assert!(without.significant_series(row_of(&without, outlier))[0]);
}

#[test]
fn output_csv_is_sorted_and_formatted() {
    let a = cell(15.0, 108.8);
    let c = cell(15.5, 108.3);
    let report = Ehsa::default().analyse_cube(cube(&[c, a], 2, &[1, 0, 2, 4])).unwrap();
    let mut reversed: Vec<EhsaRow> = report.rows().to_vec();
    reversed.reverse();
    let mut out = Vec::new();
    write_ehsa_csv(&reversed, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], EHSA_CSV_HEADER);
    assert_eq!(lines.len(), 3);
    assert!(text.ends_with('\n') && !text.contains('\r'));
    let first: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(first[0], format!("{:x}", a.min(c)));
    assert_eq!(first.len(), 10);
    for col in [1, 2, 6, 7, 8, 9] {
        assert_eq!(first[col].split('.').nth(1).unwrap().len(), 6, "{}", lines[1]);
    }
    assert!(lines[1] < lines[2]);
    assert_eq!(report.rows()[0].cell_hex(), first[0]);
    assert_eq!(report.rows()[0].boundary().len(), 6);
    let counts = report.category_counts();
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<usize>(), 2);
    assert!(!report.timings().is_empty());
}
