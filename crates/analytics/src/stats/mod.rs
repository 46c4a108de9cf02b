//! The statistics EHSA is built from, usable on their own: the normal tail,
//! the Benjamini–Hochberg false discovery rate and the Mann–Kendall trend
//! test, each exactly as `ANALYTICS.md` defines it.

#[cfg(test)]
mod tests;

use std::f64::consts::{PI, SQRT_2};

/// The complementary error function, erfc(x) = 1 − erf(x), with a relative
/// error below about 1e-13 over the whole range (the tail is what matters
/// for p-values, and 1 − erf loses it).
///
/// Below 2 it sums the power series of erf whose terms are all positive
/// (erf(x) = 2/√π · e^(−x²) · Σ (2x²)ⁿ x / (1·3·…·(2n+1))), so nothing
/// cancels inside the sum and 1 − erf keeps 13 digits since erfc(2) ≈ 0.005.
/// From 2 on it evaluates the classical continued fraction of erfc with
/// Lentz's method, which converges fast there.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.0 {
        let two_x2 = 2.0 * x * x;
        let mut term = x;
        let mut sum = x;
        let mut n = 0.0;
        while term > sum * 1e-17 {
            n += 1.0;
            term *= two_x2 / (2.0 * n + 1.0);
            sum += term;
        }
        return 1.0 - 2.0 / PI.sqrt() * (-x * x).exp() * sum;
    }
    if x > 27.3 {
        // e^(−x²) underflows below the smallest subnormal.
        return 0.0;
    }
    // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))).
    let tiny = 1e-300;
    let mut f = x;
    let mut c = x;
    let mut d = 0.0;
    for j in 1..=500 {
        let a = f64::from(j) / 2.0;
        d = x + a * d;
        if d.abs() < tiny {
            d = tiny;
        }
        d = 1.0 / d;
        c = x + a / c;
        if c.abs() < tiny {
            c = tiny;
        }
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-x * x).exp() / (PI.sqrt() * f)
}

/// Two-sided p-value of a standard normal score: 2·(1 − Φ(|z|)), computed
/// as erfc(|z|/√2) so that small p-values keep their precision.
///
/// ```
/// let p = diaban_analytics::stats::normal_two_sided_p(1.959963984540054);
/// assert!((p - 0.05).abs() < 1e-12);
/// ```
pub fn normal_two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / SQRT_2)
}

/// Benjamini–Hochberg false discovery rate at level `alpha`: which of the
/// p-values are significant.
///
/// With the p-values sorted ascending, k* is the largest rank k with
/// p₍ₖ₎ ≤ k·α/m; every p-value ≤ p₍ₖ*₎ is significant, so p-values tied with
/// the one at the boundary are all significant. None are when no rank
/// qualifies.
///
/// ```
/// use diaban_analytics::stats::benjamini_hochberg;
/// // Thresholds k·0.05/4: 0.0125, 0.025, 0.0375, 0.05.
/// let p = [0.04, 0.001, 0.02, 0.5];
/// assert_eq!(benjamini_hochberg(&p, 0.05), [false, true, true, false]);
/// ```
pub fn benjamini_hochberg(p: &[f64], alpha: f64) -> Vec<bool> {
    let m = p.len();
    let threshold = |k: usize| k as f64 * alpha / m as f64;
    // A qualifying p-value is at most the largest threshold, m·α/m; those
    // are also the smallest p-values, so their ranks among themselves are
    // their ranks among all, and only they need sorting (usually a small
    // share of the cube).
    let mut sorted: Vec<f64> = p.iter().copied().filter(|&x| x <= threshold(m)).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    let cutoff = (1..=sorted.len()).rev().find(|&k| sorted[k - 1] <= threshold(k)).map(|k| sorted[k - 1]);
    match cutoff {
        Some(cutoff) => p.iter().map(|&x| x <= cutoff).collect(),
        None => vec![false; m],
    }
}

/// The p-value at or below which a Mann–Kendall trend is significant.
pub const TREND_ALPHA: f64 = 0.05;

/// The result of a Mann–Kendall trend test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannKendall {
    /// S = Σ_{k<j} sign(x_j − x_k).
    pub s: i64,
    /// Var(S), corrected for ties.
    pub var_s: f64,
    /// The continuity-corrected normal score.
    pub z: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Kendall's τ = S / (n(n−1)/2).
    pub tau: f64,
}

impl MannKendall {
    /// Whether the trend is significant (p ≤ [`TREND_ALPHA`]).
    pub fn significant(&self) -> bool {
        self.p <= TREND_ALPHA
    }
}

/// The Mann–Kendall trend test with the tie correction.
///
/// Ties are values that compare equal, which is why EHSA computes its z
/// scores so that equal scores are bit-for-bit equal. With fewer than two
/// values (or all values tied) S and Var(S) are 0, and so are Z and τ, with
/// p = 1.
///
/// ```
/// let mk = diaban_analytics::stats::mann_kendall(&[1.0, 2.0, 3.0, 4.0, 5.0]);
/// assert_eq!(mk.s, 10);
/// assert_eq!(mk.tau, 1.0);
/// assert!(mk.significant());
/// ```
pub fn mann_kendall(x: &[f64]) -> MannKendall {
    let n = x.len();
    let mut s: i64 = 0;
    for (k, &a) in x.iter().enumerate() {
        for &b in &x[k + 1..] {
            s += i64::from(b > a) - i64::from(b < a);
        }
    }
    let n_i = n as i64;
    let mut numerator = n_i * (n_i - 1) * (2 * n_i + 5);
    let mut sorted = x.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && sorted[end] == sorted[start] {
            end += 1;
        }
        let t = (end - start) as i64;
        numerator -= t * (t - 1) * (2 * t + 5);
        start = end;
    }
    let var_s = numerator as f64 / 18.0;
    let z = if s > 0 && var_s > 0.0 {
        (s - 1) as f64 / var_s.sqrt()
    } else if s < 0 && var_s > 0.0 {
        (s + 1) as f64 / var_s.sqrt()
    } else {
        0.0
    };
    let tau = if n >= 2 { s as f64 / (n_i * (n_i - 1) / 2) as f64 } else { 0.0 };
    MannKendall { s, var_s, z, p: normal_two_sided_p(z), tau }
}
