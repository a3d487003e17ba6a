//! Robust building blocks of the trend detector: median / MAD robust z-score, the Mann-Kendall
//! trend test with Sen's slope, and a two-sided CUSUM for sustained shifts.
//!
//! Decides, for one series of numbers: how unusual a value is against a baseline (robust z), whether
//! the series has a monotone trend and how steep it is (Mann-Kendall, Sen), and whether its level
//! has shifted for good (CUSUM). Pure functions over slices; NaN values are ignored where stated.

use serde::{Deserialize, Serialize};

/// Median of `x`, reordering it (NaN must have been removed). 0 for an empty slice.
pub fn median_in_place(x: &mut [f64]) -> f64 {
    let n = x.len();
    if n == 0 {
        return 0.0;
    }
    let cmp = |a: &f64, b: &f64| a.total_cmp(b);
    let (_, m, _) = x.select_nth_unstable_by(n / 2, cmp);
    let hi = *m;
    if n % 2 == 1 {
        hi
    } else {
        let lo = x[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        0.5 * (lo + hi)
    }
}

/// Median and MAD (scaled by 1.4826 to estimate a normal σ) of the finite values of `x`.
/// `None` when there is no finite value.
pub fn median_mad(x: &[f64]) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    let med = median_in_place(&mut v);
    for d in v.iter_mut() {
        *d = (*d - med).abs();
    }
    Some((med, 1.4826 * median_in_place(&mut v)))
}

/// Robust z-score of `value` against `baseline`: `(value − median) / (1.4826 · MAD)`.
///
/// When the MAD is 0 (a baseline of mostly identical values), the mean absolute deviation
/// (× 1.2533) is used instead; when that is 0 too, the z-score is 0 for a value equal to the
/// median and ±∞ is avoided by returning ±`z_cap`. `None` when the baseline has no finite value.
pub fn robust_z(value: f64, baseline: &[f64], z_cap: f64) -> Option<f64> {
    let (med, mad) = median_mad(baseline)?;
    let scale = if mad > 0.0 {
        mad
    } else {
        let fin: Vec<f64> = baseline.iter().copied().filter(|v| v.is_finite()).collect();
        1.2533 * fin.iter().map(|v| (v - med).abs()).sum::<f64>() / fin.len() as f64
    };
    let d = value - med;
    if !d.is_finite() {
        return None;
    }
    if scale > 0.0 {
        Some((d / scale).clamp(-z_cap, z_cap))
    } else if d == 0.0 {
        Some(0.0)
    } else {
        Some(z_cap.copysign(d))
    }
}

/// The Mann-Kendall trend test and Sen's slope of one series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MannKendall {
    /// The statistic `S = Σ_{i<j} sign(x_j − x_i)`.
    pub s: f64,
    /// Variance of `S` under no trend, corrected for ties.
    pub var_s: f64,
    /// Normal score with continuity correction.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Kendall's tau-a: `S / (n (n − 1) / 2)`.
    pub tau: f64,
    /// Sen's slope: the median of `(x_j − x_i) / (j − i)` over `i < j` (per step).
    pub sen_slope: f64,
    /// Number of finite points used.
    pub n: usize,
}

/// Mann-Kendall test and Sen's slope over the finite values of `x` (positions kept: a NaN leaves
/// a gap in time). Fewer than 3 finite points give `S = 0`, `p = 1`, slope 0.
pub fn mann_kendall(x: &[f64]) -> MannKendall {
    let pts: Vec<(f64, f64)> = x
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .map(|(i, &v)| (i as f64, v))
        .collect();
    let n = pts.len();
    if n < 3 {
        return MannKendall {
            s: 0.0,
            var_s: 0.0,
            z: 0.0,
            p_value: 1.0,
            tau: 0.0,
            sen_slope: 0.0,
            n,
        };
    }
    let mut s: i64 = 0;
    let mut slopes = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        let (ti, xi) = pts[i];
        for &(tj, xj) in &pts[i + 1..] {
            let d = xj - xi;
            s += (d > 0.0) as i64 - (d < 0.0) as i64;
            slopes.push(d / (tj - ti));
        }
    }
    // Tie correction: Σ t (t − 1)(2t + 5) over groups of equal values.
    let mut sorted: Vec<f64> = pts.iter().map(|p| p.1).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut k = 0;
    while k < n {
        let mut j = k + 1;
        while j < n && sorted[j] == sorted[k] {
            j += 1;
        }
        let t = (j - k) as f64;
        ties += t * (t - 1.0) * (2.0 * t + 5.0);
        k = j;
    }
    let nf = n as f64;
    let var_s = ((nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0).max(0.0);
    let s = s as f64;
    let z = if var_s <= 0.0 {
        0.0
    } else if s > 0.0 {
        (s - 1.0) / var_s.sqrt()
    } else if s < 0.0 {
        (s + 1.0) / var_s.sqrt()
    } else {
        0.0
    };
    let p_value = (2.0 * normal_sf(z.abs())).min(1.0);
    MannKendall {
        s,
        var_s,
        z,
        p_value,
        tau: s / (nf * (nf - 1.0) / 2.0),
        sen_slope: median_in_place(&mut slopes),
        n,
    }
}

/// Upper tail of the standard normal, `P(Z > z)`, via `erfc` (|error| < 1.2e-7 relative).
pub fn normal_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, fractional error < 1.2e-7).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398
                                    + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Two-sided CUSUM on standardised values: `g⁺_t = max(0, g⁺_{t−1} + z_t − k)`,
/// `g⁻_t = max(0, g⁻_{t−1} − z_t − k)`; the first index where either exceeds `h`, with its sign.
///
/// `z_t = (x_t − center) / scale`; `scale ≤ 0` or non-finite values are skipped.
pub fn cusum(x: &[f64], center: f64, scale: f64, k: f64, h: f64) -> Option<(usize, i8)> {
    if scale.is_nan() || scale <= 0.0 {
        return None;
    }
    let (mut gp, mut gm) = (0.0f64, 0.0f64);
    for (t, &v) in x.iter().enumerate() {
        if !v.is_finite() {
            continue;
        }
        let z = (v - center) / scale;
        gp = (gp + z - k).max(0.0);
        gm = (gm - z - k).max(0.0);
        if gp > h {
            return Some((t, 1));
        }
        if gm > h {
            return Some((t, -1));
        }
    }
    None
}

/// One direction of a two-sided CUSUM run over a whole series (see [`cusum_runs`]).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct CusumRun {
    /// First index where the statistic exceeded `h` (`None`: no alarm).
    pub alarm: Option<usize>,
    /// Start of the excursion that raised the alarm: the index after the statistic was last 0
    /// before `alarm` (where the shift began, Page's estimate of the change time).
    pub start: Option<usize>,
    /// Largest value of the statistic over the series (in scale units).
    pub max: f64,
}

/// Two-sided CUSUM (Page 1954) on standardised values `z_t = (x_t − center) / scale`:
/// `g⁺_t = max(0, g⁺_{t−1} + z_t − k)` and `g⁻_t = max(0, g⁻_{t−1} − z_t − k)`, run over the
/// whole series; returns the upward and the downward run (first alarm above `h`, where its
/// excursion started, largest statistic). `k` is half the shift to detect, `h` the decision
/// interval, both in scale units (`k = 0.5`, `h = 5`: shifts of one scale, about 465 points
/// between false alarms of a one-sided chart on Gaussian noise). Non-finite values are skipped;
/// `scale ≤ 0` or non-finite gives no alarm.
pub fn cusum_runs(x: &[f64], center: f64, scale: f64, k: f64, h: f64) -> (CusumRun, CusumRun) {
    let (mut up, mut down) = (CusumRun::default(), CusumRun::default());
    if !(scale.is_finite() && scale > 0.0 && center.is_finite()) {
        return (up, down);
    }
    let (mut gp, mut gm) = (0.0f64, 0.0f64);
    let (mut sp, mut sm) = (0usize, 0usize);
    for (t, &v) in x.iter().enumerate() {
        if !v.is_finite() {
            continue;
        }
        let z = (v - center) / scale;
        gp = (gp + z - k).max(0.0);
        gm = (gm - z - k).max(0.0);
        if gp == 0.0 {
            sp = t + 1;
        }
        if gm == 0.0 {
            sm = t + 1;
        }
        up.max = up.max.max(gp);
        down.max = down.max.max(gm);
        if gp > h && up.alarm.is_none() {
            up.alarm = Some(t);
            up.start = Some(sp.min(t));
        }
        if gm > h && down.alarm.is_none() {
            down.alarm = Some(t);
            down.start = Some(sm.min(t));
        }
    }
    (up, down)
}

/// Noise scale of a series that may trend or shift: the MAD of first differences over √2 (robust
/// to level shifts and slow trends); the mean absolute difference (× 1.2533 / √2) when the MAD is
/// 0; 0 for a constant series.
pub fn diff_noise(x: &[f64], buf: &mut Vec<f64>) -> f64 {
    buf.clear();
    buf.extend(x.windows(2).map(|w| w[1] - w[0]).filter(|d| d.is_finite()));
    if buf.is_empty() {
        return 0.0;
    }
    let mean_abs = buf.iter().map(|d| d.abs()).sum::<f64>() / buf.len() as f64;
    let med = median_in_place(buf);
    for d in buf.iter_mut() {
        *d = (*d - med).abs();
    }
    let mad = 1.4826 * median_in_place(buf);
    let s = if mad > 1e-9 * mean_abs {
        mad
    } else {
        1.2533 * mean_abs
    };
    s / std::f64::consts::SQRT_2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_mad() {
        let mut v = vec![5.0, 1.0, 3.0, 2.0];
        assert_eq!(median_in_place(&mut v), 2.5);
        let (m, mad) = median_mad(&[1.0, 2.0, 3.0, 4.0, 100.0, f64::NAN]).unwrap();
        assert_eq!(m, 3.0);
        assert!((mad - 1.4826).abs() < 1e-12);
        assert_eq!(robust_z(3.0, &[3.0; 5], 10.0), Some(0.0));
        assert_eq!(robust_z(4.0, &[3.0; 5], 10.0), Some(10.0));
    }

    #[test]
    fn mann_kendall_matches_pymannkendall() {
        // Reference: pymannkendall.original_test([1, 2, 3, 5, 4, 6, 8, 7, 9, 10]) →
        // S = 41, var_s = 125.0, z = 3.5777087639996634, p = 0.00034665... , slope 1.0.
        let x = [1.0, 2.0, 3.0, 5.0, 4.0, 6.0, 8.0, 7.0, 9.0, 10.0];
        let mk = mann_kendall(&x);
        assert_eq!(mk.s, 41.0);
        assert_eq!(mk.var_s, 125.0);
        assert!((mk.z - 40.0 / 125f64.sqrt()).abs() < 1e-12);
        assert!((mk.p_value - 0.000346).abs() < 2e-6, "{}", mk.p_value);
        assert_eq!(mk.sen_slope, 1.0);
    }

    #[test]
    fn mann_kendall_ties_reduce_variance() {
        // n = 6 with one group of 3 ties: var = (6·5·17 − 3·2·11) / 18 = (510 − 66) / 18.
        let mk = mann_kendall(&[1.0, 2.0, 2.0, 2.0, 3.0, 4.0]);
        assert!((mk.var_s - 444.0 / 18.0).abs() < 1e-12);
        assert_eq!(mk.s, 12.0);
        let flat = mann_kendall(&[7.0; 10]);
        assert_eq!(flat.p_value, 1.0);
        assert_eq!(flat.sen_slope, 0.0);
    }

    #[test]
    fn erfc_reference_values() {
        assert!((erfc(0.0) - 1.0).abs() < 1e-7);
        assert!((erfc(1.0) - 0.157_299_207_050_285_1).abs() < 1e-7);
        assert!((normal_sf(1.959_963_984_540_054) - 0.025).abs() < 1e-7);
    }

    #[test]
    fn cusum_detects_shift() {
        let mut x = vec![0.0; 50];
        for (i, v) in x.iter_mut().enumerate() {
            *v = if i % 2 == 0 { 0.5 } else { -0.5 };
        }
        for v in &mut x[30..] {
            *v += 2.0;
        }
        let (t, sign) = cusum(&x, 0.0, 1.0, 0.5, 4.0).unwrap();
        assert_eq!(sign, 1);
        assert!((30..34).contains(&t));
        assert!(cusum(&x[..30], 0.0, 1.0, 0.5, 4.0).is_none());
        // The run version agrees on the alarm and locates the start of the shift.
        let (up, down) = cusum_runs(&x, 0.0, 1.0, 0.5, 4.0);
        assert_eq!(up.alarm, Some(t));
        assert!((29..=31).contains(&up.start.unwrap()), "{up:?}");
        assert_eq!(down.alarm, None);
        let neg: Vec<f64> = x.iter().map(|v| -v).collect();
        let (up2, down2) = cusum_runs(&neg, 0.0, 1.0, 0.5, 4.0);
        assert_eq!((up2.alarm, down2.alarm), (None, Some(t)));
        assert_eq!(cusum_runs(&x, 0.0, 0.0, 0.5, 4.0).0.alarm, None);
    }

    #[test]
    fn diff_noise_ignores_level_shifts_and_trends() {
        let mut buf = Vec::new();
        let mut st: u64 = 5;
        // Sums of 12 uniforms minus 6: close to standard normal noise.
        let alt: Vec<f64> = (0..400)
            .map(|_| {
                (0..12)
                    .map(|_| {
                        st = st
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        (st >> 11) as f64 / (1u64 << 53) as f64
                    })
                    .sum::<f64>()
                    - 6.0
            })
            .collect();
        let base = diff_noise(&alt, &mut buf);
        let shifted: Vec<f64> = alt
            .iter()
            .enumerate()
            .map(|(i, v)| v + 0.02 * i as f64 + if i >= 200 { 30.0 } else { 0.0 })
            .collect();
        let s = diff_noise(&shifted, &mut buf);
        assert!(base > 0.0 && (s - base).abs() < 0.1 * base, "{base} {s}");
        // σ = 1: the differences of independent draws estimate it.
        assert!((base - 1.0).abs() < 0.2, "{base}");
        assert_eq!(diff_noise(&[3.0; 10], &mut buf), 0.0);
    }
}
