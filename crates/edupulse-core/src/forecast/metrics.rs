//! Forecast accuracy: MASE, sMAPE and interval coverage, as in the M4 competition and
//! `utilsforecast.losses`.

/// Mean absolute scaled error: the mean absolute error of the forecast divided by the in-sample
/// mean absolute error of the seasonal naive forecast with period `m` on `train`
/// (`mean |y[t] − y[t−m]|`). `None` when `train` has no more than `m` values, the inputs differ in
/// length or are empty, or the scale is 0.
///
/// ```
/// use edupulse_core::forecast::mase;
/// let train = [1.0, 2.0, 3.0, 1.0, 2.0, 5.0]; // seasonal-3 naive MAE = (0 + 0 + 2) / 3
/// assert!((mase(&[2.0], &[3.0], &train, 3).unwrap() - 1.5).abs() < 1e-12);
/// ```
pub fn mase(actual: &[f64], forecast: &[f64], train: &[f64], m: usize) -> Option<f64> {
    if actual.is_empty() || actual.len() != forecast.len() || m == 0 || train.len() <= m {
        return None;
    }
    let scale = train
        .windows(m + 1)
        .map(|w| (w[m] - w[0]).abs())
        .sum::<f64>()
        / (train.len() - m) as f64;
    if scale <= 0.0 || !scale.is_finite() {
        return None;
    }
    Some(mae(actual, forecast)? / scale)
}

/// Mean absolute error. `None` for empty or unequal inputs.
pub fn mae(actual: &[f64], forecast: &[f64]) -> Option<f64> {
    if actual.is_empty() || actual.len() != forecast.len() {
        return None;
    }
    Some(
        actual
            .iter()
            .zip(forecast)
            .map(|(a, f)| (a - f).abs())
            .sum::<f64>()
            / actual.len() as f64,
    )
}

/// Symmetric mean absolute percentage error in percent, M4's definition:
/// `200/n · Σ |y − ŷ| / (|y| + |ŷ|)`, a term with `|y| + |ŷ| = 0` counting 0 (as `utilsforecast`).
///
/// ```
/// use edupulse_core::forecast::smape;
/// assert!((smape(&[100.0], &[110.0]).unwrap() - 200.0 * 10.0 / 210.0).abs() < 1e-9);
/// ```
pub fn smape(actual: &[f64], forecast: &[f64]) -> Option<f64> {
    if actual.is_empty() || actual.len() != forecast.len() {
        return None;
    }
    let s: f64 = actual
        .iter()
        .zip(forecast)
        .map(|(a, f)| {
            let d = a.abs() + f.abs();
            if d == 0.0 {
                0.0
            } else {
                (a - f).abs() / d
            }
        })
        .sum();
    Some(200.0 * s / actual.len() as f64)
}

/// Share of `actual` inside `[lo, hi]` (bounds included). `None` for empty or unequal inputs.
pub fn coverage(actual: &[f64], lo: &[f64], hi: &[f64]) -> Option<f64> {
    if actual.is_empty() || actual.len() != lo.len() || actual.len() != hi.len() {
        return None;
    }
    let inside = actual
        .iter()
        .zip(lo.iter().zip(hi))
        .filter(|(a, (l, h))| *l <= *a && *a <= *h)
        .count();
    Some(inside as f64 / actual.len() as f64)
}
