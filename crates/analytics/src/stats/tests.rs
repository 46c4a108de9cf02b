use super::*;

fn close(a: f64, b: f64, rel: f64) -> bool {
    a == b || (a - b).abs() <= rel * a.abs().max(b.abs())
}

#[test]
fn erfc_matches_the_c_library_across_the_range() {
    // Reference values from Python's math.erfc (the platform C library).
    let table = [
        (0.0, 1.0),
        (1e-08, 0.9999999887162083),
        (0.1, 0.8875370839817152),
        (0.5, 0.4795001221869535),
        (1.0, 0.15729920705028513),
        (1.5, 0.033894853524689274),
        (1.99, 0.004888586800383003),
        (2.0, 0.004677734981047265),
        (2.01, 0.004475150644751763),
        (2.5, 0.0004069520174449589),
        (3.0, 2.2090496998585438e-05),
        (4.0, 1.541725790028002e-08),
        (5.0, 1.5374597944280351e-12),
        (6.0, 2.1519736712498916e-17),
        (8.0, 1.1224297172982928e-29),
        (10.0, 2.088487583762545e-45),
        (15.0, 7.212994172451206e-100),
        (20.0, 5.3958656116079005e-176),
        (26.0, 5.663192408856143e-296),
        (-0.5, 1.5204998778130465),
        (-2.5, 1.999593047982555),
    ];
    for (x, expected) in table {
        let got = erfc(x);
        assert!(close(got, expected, 1e-13), "erfc({x}) = {got:e}, expected {expected:e}");
    }
    // Subnormal and underflow tails: only the order of magnitude matters.
    assert!(erfc(27.0) > 0.0 && erfc(27.0) < 1e-318);
    assert_eq!(erfc(30.0), 0.0);
    assert_eq!(erfc(f64::INFINITY), 0.0);
    assert_eq!(erfc(f64::NEG_INFINITY), 2.0);
    assert!(erfc(f64::NAN).is_nan());
}

#[test]
fn erfc_is_monotone_across_the_method_switch() {
    let mut previous = erfc(1.9);
    let mut x = 1.9;
    while x < 2.1 {
        x += 1e-4;
        let v = erfc(x);
        assert!(v < previous, "erfc not decreasing at {x}");
        previous = v;
    }
}

#[test]
fn two_sided_p_of_common_critical_values() {
    assert!(close(normal_two_sided_p(1.959963984540054), 0.05, 1e-12));
    assert!(close(normal_two_sided_p(-2.5758293035489004), 0.01, 1e-12));
    assert_eq!(normal_two_sided_p(0.0), 1.0);
}

/// Expected values from pymannkendall 1.4.3 `original_test`; its p-value
/// is 2·(1 − Φ(|Z|)), which loses digits in the tail, so p is compared
/// with erfc(|Z|/√2) computed in Python.
#[test]
fn mann_kendall_matches_pymannkendall() {
    struct Case {
        x: &'static [f64],
        s: i64,
        var: f64,
        z: f64,
        p: f64,
        tau: f64,
    }
    let cases = [
        Case {
            x: &[1., 2., 3., 4., 5., 6., 7., 8., 9., 10.],
            s: 45,
            var: 125.0,
            z: 3.9354796403996297,
            p: 8.303070332644999e-05,
            tau: 1.0,
        },
        Case {
            x: &[0.3, -1.2, 0.8, 2.1, 1.7, 0.2, 3.3, 2.9, 4.1, 3.8, 5.0, 4.2],
            s: 48,
            var: 212.66666666666666,
            z: 3.222909762221586,
            p: 0.0012689552286568124,
            tau: 0.7272727272727273,
        },
        // Ties: three 1s, three 2s and two 4s.
        Case {
            x: &[1., 1., 2., 2., 2., 3., 1., 4., 4., 0.],
            s: 12,
            var: 116.66666666666667,
            z: 1.0184021097498066,
            p: 0.30848689999360884,
            tau: 0.26666666666666666,
        },
        Case {
            x: &[5., 5., 5., 4., 4., 3., 3., 3., 3., 1., 0., 0.],
            s: -55,
            var: 198.33333333333334,
            z: -3.834386653482322,
            p: 0.00012587800092244358,
            tau: -0.8333333333333334,
        },
        // Short series: the continuity correction cancels S = ±1.
        Case { x: &[1., 2.], s: 1, var: 1.0, z: 0.0, p: 1.0, tau: 1.0 },
        Case { x: &[3., 1., 2.], s: -1, var: 3.6666666666666665, z: 0.0, p: 1.0, tau: -0.3333333333333333 },
        Case { x: &[2.5; 8], s: 0, var: 0.0, z: 0.0, p: 1.0, tau: 0.0 },
    ];
    for c in cases {
        let mk = mann_kendall(c.x);
        assert_eq!(mk.s, c.s, "{:?}", c.x);
        assert!(close(mk.var_s, c.var, 1e-14), "{:?}: var {}", c.x, mk.var_s);
        assert!(close(mk.z, c.z, 1e-14), "{:?}: z {}", c.x, mk.z);
        assert!(close(mk.p, c.p, 1e-12), "{:?}: p {}", c.x, mk.p);
        assert!(close(mk.tau, c.tau, 1e-15), "{:?}: tau {}", c.x, mk.tau);
    }
}

#[test]
fn mann_kendall_with_one_or_no_value() {
    for x in [&[][..], &[3.7][..]] {
        let mk = mann_kendall(x);
        assert_eq!((mk.s, mk.var_s, mk.z, mk.p, mk.tau), (0, 0.0, 0.0, 1.0, 0.0));
        assert!(!mk.significant());
    }
}

#[test]
fn mann_kendall_counts_ties_by_exact_equality() {
    // 0.1 + 0.2 differs from 0.3 in the last bit: not a tie.
    let nearly = mann_kendall(&[0.3, 0.1 + 0.2, 0.3]);
    let exact = mann_kendall(&[0.3, 0.3, 0.3]);
    assert_eq!(nearly.s, 0);
    assert!(nearly.var_s > 0.0);
    assert_eq!(exact.var_s, 0.0);
}

#[test]
fn trend_significance_is_at_most_five_percent() {
    let mk = |p| MannKendall { s: 1, var_s: 1.0, z: 1.0, p, tau: 0.1 };
    assert!(mk(0.05).significant());
    assert!(!mk(0.050000001).significant());
}

#[test]
fn benjamini_hochberg_edge_cases() {
    // Empty input.
    assert!(benjamini_hochberg(&[], 0.05).is_empty());
    // None significant.
    assert_eq!(benjamini_hochberg(&[0.2, 0.5, 1.0], 0.05), [false; 3]);
    // All significant: the largest p meets the largest threshold.
    assert_eq!(benjamini_hochberg(&[0.001, 0.05, 0.02], 0.05), [true; 3]);
    // A single test is judged at α itself.
    assert_eq!(benjamini_hochberg(&[0.05], 0.05), [true]);
    assert_eq!(benjamini_hochberg(&[0.0500001], 0.05), [false]);
    // Equality with k·α/m qualifies: 0.025 ≤ 1·0.05/2.
    assert_eq!(benjamini_hochberg(&[0.025, 0.9], 0.05), [true, false]);
    // The step-up: rank 1 fails (0.026 > 0.0167) but rank 2 passes
    // (0.026 ≤ 0.0333), so both tied p-values are significant.
    assert_eq!(benjamini_hochberg(&[0.026, 0.9, 0.026], 0.05), [true, false, true]);
    // Ties straddling a failing rank: 0.03 at ranks 2–4 (thresholds 0.02,
    // 0.03, 0.04 for m = 5) fails at rank 2, but the largest qualifying rank
    // is 5 (0.041 ≤ 0.05), so every tied value is in.
    assert_eq!(benjamini_hochberg(&[0.03, 0.001, 0.03, 0.03, 0.041], 0.05), [true; 5]);
    // Same ties with the last value out: k* = 4 still covers every 0.03.
    assert_eq!(benjamini_hochberg(&[0.03, 0.001, 0.03, 0.03, 0.5], 0.05), [true, true, true, true, false]);
    // A large p-value early in the input does not stop the scan.
    let mut p = vec![0.9; 100];
    p[50] = 1e-6;
    p[7] = 1e-4;
    let sig = benjamini_hochberg(&p, 0.05);
    assert_eq!(sig.iter().filter(|&&s| s).count(), 2);
    assert!(sig[50] && sig[7]);
}

#[test]
fn benjamini_hochberg_agrees_with_the_full_sort_definition() {
    // The implementation sorts only p ≤ α; compare with sorting all.
    let mut state = 99u64;
    for round in 0..200 {
        let m = 1 + round % 37;
        let p: Vec<f64> = (0..m)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                let u = (state >> 11) as f64 / (1u64 << 53) as f64;
                // Many small values and some exact repeats.
                if u < 0.3 { (u * 100.0).floor() / 1000.0 } else { u }
            })
            .collect();
        let alpha = [0.01, 0.05, 0.2][round % 3];
        let mut sorted = p.clone();
        sorted.sort_by(f64::total_cmp);
        let k_star = (1..=m).rev().find(|&k| sorted[k - 1] <= k as f64 * alpha / m as f64);
        let expected: Vec<bool> = p.iter().map(|&x| k_star.is_some_and(|k| x <= sorted[k - 1])).collect();
        assert_eq!(benjamini_hochberg(&p, alpha), expected, "{p:?}");
    }
}
