//! Streaming anomaly scores for business metrics (attendance, registrations, conversion, signups).
//!
//! Decides how surprising each point of a metric series is given only the points before it
//! (causal: the score at `t` uses points `≤ t`, so a score never changes when later data arrives).
//! The forecast of point `t` is an exponentially weighted level plus a seasonal offset for its
//! bucket — the day of week for daily (or coarser) data, the hour of the week for sub-daily data,
//! when timestamps are given — and the residual is scaled by an exponentially weighted mean
//! absolute residual. Residuals are winsorised at `clip` scales before they update the state, so a
//! spike does not drag the level or inflate the scale. The score is `erf(|z| / √2)` ∈ [0, 1]
//! (`1 −` the two-sided normal p-value), so the source's severities map to scores: medium
//! |z| > 1.5 ↔ 0.866, high |z| > 2 ↔ 0.954, critical |z| > 3 ↔ 0.9973 ([`severity_of_score`]).
//!
//! Missing values (NaN) score 0 and leave the state unchanged; the first `warmup` points score 0.

use super::robust::erfc;
use crate::error::{CoreError, Result};
use crate::results::Severity;
use serde::{Deserialize, Serialize};

/// Parameters of the streaming anomaly detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnomalyParams {
    /// Smoothing of the level, per point (0, 1] (default 0.1).
    pub level_alpha: f64,
    /// Smoothing of the seasonal offsets, per point of the bucket (0, 1] (default 0.15).
    pub season_alpha: f64,
    /// Smoothing of the residual scale (0, 1] (default 0.05).
    pub scale_alpha: f64,
    /// Residuals are clipped at this many scales before updating the state (default 3).
    pub clip: f64,
    /// Points scored 0 at the start while the state settles (default 14).
    pub warmup: usize,
}

impl Default for AnomalyParams {
    fn default() -> Self {
        AnomalyParams {
            level_alpha: 0.1,
            season_alpha: 0.15,
            scale_alpha: 0.05,
            clip: 3.0,
            warmup: 14,
        }
    }
}

impl AnomalyParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("level_alpha", self.level_alpha),
            ("season_alpha", self.season_alpha),
            ("scale_alpha", self.scale_alpha),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return Err(CoreError::param(name, format!("{v} is not in (0, 1]")));
            }
        }
        if !(self.clip.is_finite() && self.clip > 0.0) {
            return Err(CoreError::param("clip", "must be a positive number"));
        }
        Ok(())
    }
}

/// The source's severity of an anomaly score (critical |z| > 3, high > 2, medium > 1.5).
pub fn severity_of_score(score: f64) -> Option<Severity> {
    let z_of = |z: f64| 1.0 - erfc(z / std::f64::consts::SQRT_2);
    if score > z_of(3.0) {
        Some(Severity::Critical)
    } else if score > z_of(2.0) {
        Some(Severity::High)
    } else if score > z_of(1.5) {
        Some(Severity::Medium)
    } else {
        None
    }
}

const WEEK: i64 = 7 * 86_400;

/// Seasonal bucket of each point: weekday (daily or coarser spacing) or hour of week (sub-daily).
fn buckets(ts: &[i64]) -> Result<(Vec<usize>, usize)> {
    if ts.windows(2).any(|w| w[1] < w[0]) {
        return Err(CoreError::param(
            "timestamps",
            "must be sorted in increasing order",
        ));
    }
    let mut gaps: Vec<i64> = ts
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|&g| g > 0)
        .collect();
    gaps.sort_unstable();
    let median_gap = gaps.get(gaps.len() / 2).copied().unwrap_or(86_400);
    // 1970-01-01 was a Thursday: shift so that bucket 0 is Monday 00:00 UTC.
    let week_pos = |t: i64| (t + 3 * 86_400).rem_euclid(WEEK);
    if median_gap >= 12 * 3600 {
        Ok((
            ts.iter()
                .map(|&t| (week_pos(t) / 86_400) as usize)
                .collect(),
            7,
        ))
    } else {
        Ok((
            ts.iter().map(|&t| (week_pos(t) / 3600) as usize).collect(),
            168,
        ))
    }
}

/// Causal anomaly scores in [0, 1], one per point. `timestamps` (seconds since the Unix epoch,
/// UTC, sorted, same length) enable the day-of-week / hour-of-week seasonality; irregular spacing
/// is allowed.
pub fn anomaly_scores(
    values: &[f64],
    timestamps: Option<&[i64]>,
    params: &AnomalyParams,
) -> Result<Vec<f64>> {
    Ok(anomaly_z(values, timestamps, params)?
        .into_iter()
        .map(score_of_z)
        .collect())
}

/// The score of a signed z: `erf(|z| / √2)` ∈ [0, 1].
pub fn score_of_z(z: f64) -> f64 {
    let s = 1.0 - erfc(z.abs() / std::f64::consts::SQRT_2);
    if s.is_finite() {
        s.clamp(0.0, 1.0)
    } else {
        1.0
    }
}

/// The signed standardised residuals behind [`anomaly_scores`] (positive: above the forecast),
/// one per point: 0 during the warm-up and for missing values, finite (clamped to ±1e9).
pub fn anomaly_z(
    values: &[f64],
    timestamps: Option<&[i64]>,
    params: &AnomalyParams,
) -> Result<Vec<f64>> {
    params.validate()?;
    if values.iter().any(|v| v.is_infinite()) {
        return Err(CoreError::param("values", "contains infinite values"));
    }
    let (bucket, nb) = match timestamps {
        Some(ts) => {
            if ts.len() != values.len() {
                return Err(CoreError::param(
                    "timestamps",
                    format!("{} timestamps for {} values", ts.len(), values.len()),
                ));
            }
            buckets(ts)?
        }
        None => (Vec::new(), 1),
    };
    let mut season = vec![0.0; nb];
    let mut seen = vec![0usize; nb];
    let mut level = f64::NAN;
    let mut scale = 0.0f64;
    let mut count = 0usize;
    let mut out = Vec::with_capacity(values.len());
    for (i, &x) in values.iter().enumerate() {
        if x.is_nan() {
            out.push(0.0);
            continue;
        }
        let b = if nb > 1 { bucket[i] } else { 0 };
        if level.is_nan() {
            level = x;
            count = 1;
            seen[b] = 1;
            out.push(0.0);
            continue;
        }
        let pred = level + season[b];
        let r = x - pred;
        // A floor on the scale relative to the level keeps constant series finite.
        let floor = 1e-9 * (level.abs() + 1e-300);
        let s = scale.max(floor);
        let z = if s > 0.0 { r / (1.2533 * s) } else { 0.0 };
        let z = if count < params.warmup || z.is_nan() {
            0.0
        } else {
            z.clamp(-1e9, 1e9)
        };
        out.push(z);
        // Update the state with the clipped residual.
        let lim = params.clip * 1.2533 * scale;
        let rc = if count < params.warmup || scale <= 0.0 {
            r
        } else {
            r.clamp(-lim, lim)
        };
        let xc = pred + rc;
        scale += params.scale_alpha.max(1.0 / (count as f64 + 1.0)) * (rc.abs() - scale);
        let la = params.level_alpha.max(1.0 / (count as f64 + 1.0));
        level += la * (xc - season[b] - level);
        if nb > 1 {
            let sa = params.season_alpha.max(1.0 / (seen[b] as f64 + 1.0));
            season[b] += sa * (xc - level - season[b]);
            seen[b] += 1;
        }
        count += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daily(n: usize) -> (Vec<f64>, Vec<i64>) {
        // 2025-01-06 is a Monday; weekends are 40 % lower; small deterministic noise.
        let t0 = 1_736_121_600i64;
        let mut s: u64 = 7;
        let mut v = Vec::new();
        let mut ts = Vec::new();
        for d in 0..n {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            let wd = d % 7;
            let base = if wd >= 5 { 60.0 } else { 100.0 };
            v.push(base * (1.0 + 0.05 * u));
            ts.push(t0 + 86_400 * d as i64);
        }
        (v, ts)
    }

    #[test]
    fn weekly_pattern_is_not_an_anomaly_but_a_spike_is() {
        let (mut v, ts) = daily(200);
        let p = AnomalyParams::default();
        let s = anomaly_scores(&v, Some(&ts), &p).unwrap();
        // Scores are 1 − p-values: under no anomaly about 4.6 % exceed the "high" level by
        // chance, and none here reach "critical" (the noise is bounded).
        let sev = |s: &[f64], at_least: Severity| {
            s.iter()
                .skip(40)
                .filter(|&&x| severity_of_score(x).is_some_and(|v| v >= at_least))
                .count()
        };
        assert_eq!(sev(&s, Severity::Critical), 0, "{s:?}");
        assert!(sev(&s, Severity::High) <= 10);
        v[150] *= 1.6;
        let s2 = anomaly_scores(&v, Some(&ts), &p).unwrap();
        assert_eq!(severity_of_score(s2[150]), Some(Severity::Critical));
        // Without the day-of-week buckets the weekly swing inflates the noise scale and the
        // spike stands out less.
        let s3 = anomaly_scores(&v, None, &p).unwrap();
        assert!(s3[150] < s2[150], "{} {}", s3[150], s2[150]);
    }

    #[test]
    fn causal_scale_invariant_and_constant() {
        let (v, ts) = daily(120);
        let p = AnomalyParams::default();
        let full = anomaly_scores(&v, Some(&ts), &p).unwrap();
        let pre = anomaly_scores(&v[..70], Some(&ts[..70]), &p).unwrap();
        assert_eq!(&full[..70], &pre[..]);
        let scaled: Vec<f64> = v.iter().map(|x| 13.0 * x).collect();
        let s2 = anomaly_scores(&scaled, Some(&ts), &p).unwrap();
        for (a, b) in full.iter().zip(&s2) {
            assert!((a - b).abs() < 1e-9);
        }
        let c = anomaly_scores(&[5.0; 100], None, &p).unwrap();
        assert!(c.iter().all(|&x| x == 0.0));
        let mut v2 = v.clone();
        v2[30] = f64::NAN;
        let s = anomaly_scores(&v2, Some(&ts), &p).unwrap();
        assert!(s.iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x)));
        assert!(anomaly_scores(&v, Some(&ts[..5]), &p).is_err());
        let mut bad = ts.clone();
        bad.swap(3, 4);
        assert!(anomaly_scores(&v, Some(&bad), &p).is_err());
    }
}
