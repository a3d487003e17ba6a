//! The keyword trend detector: one decision (rising / stable / falling) and at most one alert per
//! keyword, from its `keyword_interest` history up to `as_of`.
//!
//! For each series (daily or weekly dates, any spacing):
//! 1. **Growth vs baseline** — the source's rule on the raw values: mean of the last
//!    `current_days` over the mean of the `baseline_days` before, minus 1; `growth_rule` fires at
//!    `growth ≥ growth_alert` (0.5).
//! 2. **Weekly log series** — values are averaged into 7-day buckets ending at `as_of` (this
//!    removes the weekly cycle of daily data) and logged with an offset of 1 % of the series mean
//!    (so that multiplying the series by a constant shifts the log series and changes nothing).
//!    With at least two years of weeks, the yearly cycle is removed by taking the year-over-year
//!    difference `y_t − y_{t−52}`; with less history the yearly cycle cannot be told from a trend
//!    by one series alone, and the decision leans on sustained level shifts (a seasonal bump comes
//!    back down; a rise stays).
//! 3. **Robust z** of the current week against the baseline weeks (median / MAD).
//! 4. **Mann-Kendall** test and **Sen's slope** over the last `trend_weeks` weeks.
//! 5. **Change points** of the weekly log series (PELT, [`super::changepoint`]).
//! 6. **CUSUM** (Page's two-sided cumulative sum, [`super::robust::cusum_runs`]) of the trend
//!    window against its first `level_weeks` weeks (median), in units of the week-to-week noise
//!    (MAD of first differences / √2), with allowance `cusum_k` and decision interval `cusum_h`.
//!
//! The decision is `Rising` when three things agree:
//! - **level**: the median of the last `level_weeks` weeks is at least `min_rise` (relative)
//!   above the median of the first `level_weeks` weeks of the trend window;
//! - **trend**: the Mann-Kendall test is significant (`p < p_value`) with an upward Sen slope;
//! - **sustained shift**: a vote of the two shift detectors — the change-point detector found a
//!   break (abrupt rises), or the upward CUSUM raised an alarm (gradual rises: PELT's line cost sees
//!   a steady climb as one trending segment, so without the CUSUM a slow rise was never `Rising`).
//!
//! `Falling` is symmetric (downward CUSUM); `Stable` otherwise. A keyword whose current window
//! grew by `growth_alert` with a robust z ≥ `emerging_z` is `Rising` before the slower tests can
//! confirm it. A `Rising` keyword alerts (critical > 3, high > 2, medium > 1.5) on a score chosen
//! by how the rise is dated:
//! - when the upward CUSUM's excursion began after the reference weeks (a rise that started
//!   inside the trend window), the **episode** is the ISO week where the excursion began (Page's
//!   estimate of the change time, which later runs reproduce because the reference weeks before a
//!   rise do not move with it), and the score is the largest of the robust z, the last recent
//!   change point's shift and the shift since the excursion began, in week-to-week noise units.
//!   The alert stands while the excursion is at most `cusum_alert_weeks` old and the current
//!   window is not below its baseline (growth ≥ 0, robust z ≥ 0); the outbox sends its key once;
//! - otherwise, with a change point or the emerging rule, the episode is the first week of the
//!   trailing run of weeks above the baseline, the score the larger of the robust z and the last
//!   recent shift, and the alert is raised only while that run is at most `alert_weeks` old;
//! - a gradual rise confirmed by the CUSUM alone whose excursion began within the reference weeks
//!   (older than the trend window) is reported as `Rising` without an alert.
//!
//! Reruns and the following days' runs give the same dedupe key.

use super::changepoint::{change_points_with, ChangePointParams, Workspace};
use super::robust::{cusum_runs, diff_noise, mann_kendall, median_in_place, robust_z};
use crate::error::{CoreError, Result};
use crate::results::Severity;
use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// Parameters of the trend detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrendParams {
    /// Days in the current window (default 7: the last week).
    pub current_days: u32,
    /// Days in the baseline window just before the current one (default 84: the 12 weeks before).
    pub baseline_days: u32,
    /// The source's rule: alert when growth ≥ this (default 0.5 = +50 %).
    pub growth_alert: f64,
    /// Weeks over which the Mann-Kendall trend and the level shift are measured (default 52).
    pub trend_weeks: usize,
    /// Weeks averaged (median) at each end of the trend window to compare levels (default 6).
    pub level_weeks: usize,
    /// Minimum relative level change for rising / falling (default 0.5 = +50 % / −33 %).
    pub min_rise: f64,
    /// Significance level of the Mann-Kendall test (default 0.05).
    pub p_value: f64,
    /// |z| above which an alert is medium (default 1.5).
    pub z_medium: f64,
    /// |z| above which an alert is high (default 2).
    pub z_high: f64,
    /// |z| above which an alert is critical (default 3).
    pub z_critical: f64,
    /// Robust z of the current window (with `growth ≥ growth_alert`) that makes a keyword rising
    /// before a change point can be confirmed (default 3).
    pub emerging_z: f64,
    /// A change-point episode alerts only while it started at most this many complete weeks ago
    /// (default 2): the daily runs of the first days of a rise alert under one key, and an older
    /// rise is reported (decision `rising`) without alerting again.
    pub alert_weeks: usize,
    /// Change-point detector on the weekly log series.
    pub changepoint: ChangePointParams,
    /// CUSUM allowance in noise units: half the smallest weekly shift worth detecting (default 0.5).
    pub cusum_k: f64,
    /// CUSUM decision interval in noise units (default 5: about 465 weeks between false alarms of
    /// one direction on Gaussian noise).
    pub cusum_h: f64,
    /// A rise dated by the CUSUM alerts only while it began at most this many weeks ago and the
    /// current window is not below its baseline (default 26): an old or stalled rise is reported
    /// (`rising`) without alerting.
    pub cusum_alert_weeks: usize,
}

impl Default for TrendParams {
    fn default() -> Self {
        TrendParams {
            current_days: 7,
            baseline_days: 84,
            growth_alert: 0.5,
            trend_weeks: 52,
            level_weeks: 6,
            min_rise: 0.5,
            p_value: 0.05,
            z_medium: 1.5,
            z_high: 2.0,
            z_critical: 3.0,
            alert_weeks: 2,
            emerging_z: 3.0,
            changepoint: ChangePointParams::default(),
            cusum_k: 0.5,
            cusum_h: 5.0,
            cusum_alert_weeks: 26,
        }
    }
}

impl TrendParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if self.current_days == 0 {
            return Err(CoreError::param("current_days", "must be ≥ 1"));
        }
        if self.baseline_days < 7 {
            return Err(CoreError::param("baseline_days", "must be ≥ 7"));
        }
        if !(self.growth_alert.is_finite() && self.growth_alert > 0.0) {
            return Err(CoreError::param(
                "growth_alert",
                "must be a positive number",
            ));
        }
        if !(8..=100_000).contains(&self.trend_weeks) {
            return Err(CoreError::param("trend_weeks", "must be in 8..=100000"));
        }
        if self.level_weeks == 0 || self.level_weeks > self.trend_weeks / 2 {
            return Err(CoreError::param(
                "level_weeks",
                "must be ≥ 1 and at most half of trend_weeks",
            ));
        }
        if !(self.min_rise.is_finite() && self.min_rise > 0.0) {
            return Err(CoreError::param("min_rise", "must be a positive number"));
        }
        if !(self.p_value > 0.0 && self.p_value < 1.0) {
            return Err(CoreError::param("p_value", "must be in (0, 1)"));
        }
        if !(self.z_medium > 0.0 && self.z_medium <= self.z_high && self.z_high <= self.z_critical)
        {
            return Err(CoreError::param(
                "z_medium",
                "need 0 < z_medium ≤ z_high ≤ z_critical",
            ));
        }
        if !(self.emerging_z.is_finite() && self.emerging_z > 0.0) {
            return Err(CoreError::param("emerging_z", "must be a positive number"));
        }
        if !(self.cusum_k.is_finite() && self.cusum_k >= 0.0) {
            return Err(CoreError::param("cusum_k", "must be a finite number ≥ 0"));
        }
        if self.cusum_alert_weeks == 0 {
            return Err(CoreError::param("cusum_alert_weeks", "must be ≥ 1"));
        }
        if !(self.cusum_h.is_finite() && self.cusum_h > 0.0) {
            return Err(CoreError::param("cusum_h", "must be a positive number"));
        }
        self.changepoint.validate()
    }

    /// Severity of a score, `None` below `z_medium`.
    pub fn severity(&self, z: f64) -> Option<Severity> {
        let a = z.abs();
        if a > self.z_critical {
            Some(Severity::Critical)
        } else if a > self.z_high {
            Some(Severity::High)
        } else if a > self.z_medium {
            Some(Severity::Medium)
        } else {
            None
        }
    }
}

/// What the detector concludes about a keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Decision {
    /// A sustained, significant rise.
    Rising,
    /// No sustained change.
    Stable,
    /// A sustained, significant fall.
    Falling,
    /// Too little history (fewer than `2 · level_weeks + 2` weeks with data).
    InsufficientData,
}

crate::text_result_field!(Decision);

impl Decision {
    /// Text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Rising => "rising",
            Decision::Stable => "stable",
            Decision::Falling => "falling",
            Decision::InsufficientData => "insufficient_data",
        }
    }
}

crate::result_table! {
    /// The detector's result for one keyword.
    #[table = "trend_alerts", step = "trends", key = [keyword]]
    pub struct KeywordTrend {
        /// The keyword.
        pub keyword: String,
        /// The last day taken into account (the run's day).
        pub day: NaiveDate,
        /// Observations used (finite, at or before `as_of`, duplicates merged).
        pub n_points: usize,
        /// Mean of the current window (`None` when it has no data).
        pub current_mean: Option<f64>,
        /// Mean of the baseline window (`None` when it has no data).
        pub baseline_mean: Option<f64>,
        /// `current / baseline − 1` (`None` when undefined: no data or a zero baseline).
        pub growth: Option<f64>,
        /// The source's rule: `growth ≥ growth_alert`.
        pub growth_rule: bool,
        /// Robust z of the current week against the baseline weeks (log scale, deseasonalised when
        /// possible).
        pub robust_z: f64,
        /// Sen's slope of the weekly log series: relative change per week (0.02 = +2 %/week).
        pub slope_per_week: f64,
        /// Mann-Kendall two-sided p-value.
        pub p_value: f64,
        /// Level of the last `level_weeks` over the first `level_weeks` of the trend window, − 1.
        pub level_change: f64,
        /// Start dates of the weekly buckets where a new regime begins (within the trend window).
        pub change_points: Vec<NaiveDate>,
        /// Start of the sustained shift found by the CUSUM in the direction of the level change (the
        /// week after its statistic was last 0 before the alarm); `None` without an alarm.
        pub cusum_start: Option<NaiveDate>,
        /// Whether the yearly cycle was removed (≥ 2 years of weeks).
        pub deseasonalised: bool,
        /// The decision.
        pub decision: Decision,
        /// Alert score (see the module doc).
        pub score: f64,
        /// Alert severity, `None` when no alert.
        pub alert: Option<Severity>,
        /// The episode of the alert (ISO week of the start of the rise, e.g. `2025-W22`).
        pub episode: Option<String>,
        /// Weekly values (bucket means, oldest first; NaN-free: empty weeks are interpolated) for
        /// charts.
        pub weekly: Vec<f64>,
        /// Start date of the first weekly bucket.
        pub weekly_start: Option<NaiveDate>,
    }
}

/// Reusable buffers of the detector.
#[derive(Debug, Default, Clone)]
pub struct DetectorWorkspace {
    cp: Workspace,
    buf: Vec<f64>,
}

/// The trend detector with its parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendDetector {
    /// Parameters.
    pub params: TrendParams,
}

impl TrendDetector {
    /// A detector with validated parameters.
    pub fn new(params: TrendParams) -> Result<TrendDetector> {
        params.validate()?;
        Ok(TrendDetector { params })
    }

    /// Analyse one keyword from `(date, volume)` pairs in any order. Dates after `as_of` are
    /// ignored, NaN volumes are missing values, duplicate dates are averaged; a negative or
    /// infinite volume is an error naming `volume`.
    pub fn detect(
        &self,
        keyword: &str,
        points: &[(NaiveDate, f64)],
        as_of: NaiveDate,
    ) -> Result<KeywordTrend> {
        self.detect_with(keyword, points, as_of, &mut DetectorWorkspace::default())
    }

    /// [`TrendDetector::detect`] reusing buffers.
    pub fn detect_with(
        &self,
        keyword: &str,
        points: &[(NaiveDate, f64)],
        as_of: NaiveDate,
        ws: &mut DetectorWorkspace,
    ) -> Result<KeywordTrend> {
        let p = &self.params;
        for (d, v) in points {
            if v.is_infinite() || *v < 0.0 {
                return Err(CoreError::param(
                    "volume",
                    format!("{keyword} on {d}: {v} is not a finite value ≥ 0"),
                ));
            }
        }
        // Day offsets back from as_of: 0 = as_of.
        let mut pts: Vec<(i64, f64)> = points
            .iter()
            .filter(|(d, v)| *d <= as_of && v.is_finite())
            .map(|(d, v)| ((as_of - *d).num_days(), *v))
            .collect();
        pts.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.total_cmp(&b.1)));
        // Merge duplicate dates (mean).
        let mut merged: Vec<(i64, f64)> = Vec::with_capacity(pts.len());
        let mut count = 0.0;
        for (o, v) in pts {
            match merged.last_mut() {
                Some(last) if last.0 == o => {
                    count += 1.0;
                    last.1 += (v - last.1) / count;
                }
                _ => {
                    merged.push((o, v));
                    count = 1.0;
                }
            }
        }
        let n_points = merged.len();
        let cur_days = i64::from(p.current_days);
        let base_days = i64::from(p.baseline_days);
        let mean_in = |lo: i64, hi: i64| -> Option<f64> {
            let (s, c) = merged
                .iter()
                .filter(|(o, _)| *o >= lo && *o < hi)
                .fold((0.0, 0usize), |(s, c), (_, v)| (s + v, c + 1));
            (c > 0).then(|| s / c as f64)
        };
        let current_mean = mean_in(0, cur_days);
        let baseline_mean = mean_in(cur_days, cur_days + base_days);
        let growth = match (current_mean, baseline_mean) {
            (Some(c), Some(b)) if b > 0.0 => Some(c / b - 1.0),
            (Some(0.0), Some(_)) => Some(0.0),
            _ => None,
        };
        let growth_rule = growth.is_some_and(|g| g >= p.growth_alert);

        // Complete ISO weeks (Monday to Sunday, Sunday ≤ as_of), oldest first: week boundaries
        // do not move from one daily run to the next, so neither do change points and episodes.
        let as_of_wd = i64::from(as_of.weekday().num_days_from_monday());
        // Offset (days back from as_of) of the Sunday ending the last complete week.
        let last_sun = if as_of_wd == 6 { 0 } else { as_of_wd + 1 };
        // No complete week holds data when there is no point before the last Sunday (or none at
        // all: a run dated before the series starts).
        let n_weeks = match merged.first() {
            Some(&(max_off, _)) if max_off >= last_sun => ((max_off - last_sun) / 7 + 1) as usize,
            _ => 0,
        };
        let mut sums = vec![0.0; n_weeks];
        let mut cnts = vec![0u32; n_weeks];
        for &(o, v) in &merged {
            if o < last_sun {
                continue;
            }
            let k = ((o - last_sun) / 7) as usize;
            let i = n_weeks - 1 - k;
            sums[i] += v;
            cnts[i] += 1;
        }
        let mut weekly: Vec<f64> = sums
            .iter()
            .zip(&cnts)
            .map(|(s, &c)| if c > 0 { s / f64::from(c) } else { f64::NAN })
            .collect();
        let weeks_with_data = cnts.iter().filter(|&&c| c > 0).count();
        let weekly_start =
            as_of.checked_sub_days(Days::new((last_sun + 7 * n_weeks as i64 - 1).max(0) as u64));
        let mut out = KeywordTrend {
            keyword: keyword.to_string(),
            day: as_of,
            n_points,
            current_mean,
            baseline_mean,
            growth,
            growth_rule,
            robust_z: 0.0,
            slope_per_week: 0.0,
            p_value: 1.0,
            level_change: 0.0,
            change_points: Vec::new(),
            cusum_start: None,
            deseasonalised: false,
            decision: Decision::InsufficientData,
            score: 0.0,
            alert: None,
            episode: None,
            weekly: Vec::new(),
            weekly_start: if n_weeks > 0 { weekly_start } else { None },
        };
        if n_weeks == 0 {
            return Ok(out);
        }
        super::changepoint::interpolate_nan(&mut weekly)?;
        out.weekly = weekly.clone();
        let Some(cur_mean) = current_mean else {
            return Ok(out);
        };
        if weeks_with_data < 2 * p.level_weeks + 2 {
            return Ok(out);
        }
        // Log scale with an offset relative to the series' mean.
        let mean = weekly.iter().sum::<f64>() / weekly.len() as f64;
        if mean <= 0.0 {
            out.decision = Decision::Stable;
            return Ok(out);
        }
        let off = 0.01 * mean;
        let mut y: Vec<f64> = weekly.iter().map(|v| (v + off).ln()).collect();
        let mut cur = (cur_mean + off).ln();
        let base_w = (p.baseline_days as usize).div_ceil(7).max(2);
        if y.len() >= 52 + base_w + 2 * p.level_weeks {
            // Year-over-year: same week last year; the current window against the same days.
            y = (52..y.len()).map(|t| y[t] - y[t - 52]).collect();
            let ly = mean_in(364, 364 + cur_days).map_or(y[y.len() - 1], |m| (m + off).ln());
            cur -= ly;
            out.deseasonalised = true;
        }
        let n = y.len();
        // Baseline: the complete weeks that end before the current window starts.
        let excl = ((cur_days - 1 - last_sun).max(-1) + 7) as usize / 7;
        let base_end = n.saturating_sub(excl);
        let base = &y[base_end.saturating_sub(base_w)..base_end];
        let (base_med, base_scale) = match super::robust::median_mad(base) {
            Some((m, s)) if base.len() >= 2 => {
                out.robust_z = robust_z(cur, base, 10.0).unwrap_or(0.0);
                (m, s)
            }
            _ => (0.0, 0.0),
        };
        // Trend window.
        let tw = &y[n.saturating_sub(p.trend_weeks)..];
        let mk = mann_kendall(tw);
        out.p_value = mk.p_value;
        out.slope_per_week = mk.sen_slope.exp_m1();
        let lw = p.level_weeks.min(tw.len() / 2);
        let first = seg_median(&tw[..lw], &mut ws.buf);
        let last = seg_median(&tw[tw.len() - lw..], &mut ws.buf);
        let shift = last - first;
        out.level_change = shift.exp_m1();
        // Change points of the weekly log series.
        // Change points within the trend window (PELT is quadratic on a series without change,
        // so the window also bounds the cost); indices are made relative to `y`.
        let tw0 = n - tw.len();
        let cps: Vec<usize> = change_points_with(tw, &p.changepoint, &mut ws.cp)?
            .into_iter()
            .map(|c| c + tw0)
            .collect();
        let offset = weekly.len() - n;
        let week_date = |i: usize| {
            weekly_start.and_then(|s| s.checked_add_days(Days::new(7 * (i + offset) as u64)))
        };
        out.change_points = cps.iter().filter_map(|&c| week_date(c)).collect();
        // CUSUM of the trend window against its first weeks, in week-to-week noise units.
        let tw_noise = diff_noise(tw, &mut ws.buf);
        let (cu, cd) = cusum_runs(tw, first, tw_noise, p.cusum_k, p.cusum_h);
        let thr = p.min_rise.ln_1p();
        let mk_sig = mk.p_value < p.p_value;
        let has_cp = !cps.is_empty();
        let sustained_up =
            mk_sig && mk.sen_slope > 0.0 && shift >= thr && (has_cp || cu.alarm.is_some());
        let sustained_down =
            mk_sig && mk.sen_slope < 0.0 && shift <= -thr && (has_cp || cd.alarm.is_some());
        let emerging = growth_rule && out.robust_z >= p.emerging_z;
        out.decision = if sustained_up || emerging {
            Decision::Rising
        } else if sustained_down {
            Decision::Falling
        } else {
            Decision::Stable
        };
        let run = if shift >= 0.0 { cu } else { cd };
        out.cusum_start = run.start.and_then(|s| week_date(tw0 + s));
        out.score = out.robust_z;
        // The upward CUSUM excursion, when it began after the reference weeks: a rise that
        // started inside the trend window, dated by Page's estimate (stable from run to run).
        let cusum_episode = match (cu.alarm, cu.start) {
            (Some(_), Some(s)) if s >= lw => Some(s),
            _ => None,
        };
        if out.decision == Decision::Rising && !has_cp && !emerging && cusum_episode.is_none() {
            // A gradual rise older than the trend window: reported, not alerted.
        } else if let (Decision::Rising, Some(s)) = (out.decision, cusum_episode) {
            // Scored by the larger of the robust z, the last recent change point's shift and the
            // shift since the CUSUM excursion began (noise units); the episode is the week the
            // excursion began, the same on every run, so the outbox sends it once.
            let since = seg_median(&tw[s..], &mut ws.buf);
            let cusum_z = if tw_noise > 0.0 {
                ((since - first) / tw_noise).min(10.0)
            } else {
                10.0
            };
            let shift_z = recent_shift_z(&y, &cps, tw0, base_w + 1, &mut ws.buf);
            out.score = out.robust_z.max(cusum_z).max(shift_z);
            let live = tw.len() - s <= p.cusum_alert_weeks
                && out.robust_z >= 0.0
                && growth.is_none_or(|g| g >= 0.0);
            out.alert = if live {
                p.severity(out.score.max(0.0))
            } else {
                None
            };
            if out.alert.is_some() {
                out.episode = week_date(tw0 + s).map(|d| {
                    let w = d.iso_week();
                    format!("{}-W{:02}", w.year(), w.week())
                });
            }
        } else if out.decision == Decision::Rising {
            let shift_z = recent_shift_z(&y, &cps, tw0, base_w + 1, &mut ws.buf);
            out.score = out.robust_z.max(shift_z);
            out.alert = p.severity(out.score.max(0.0));
            if out.alert.is_some() {
                // Episode: the first week of the trailing run of weeks above the baseline
                // (median + z_medium · MAD); the current week when no complete week is above.
                let thr_w = base_med + p.z_medium * base_scale;
                let mut start = n;
                while start > 0 && base_scale > 0.0 && y[start - 1] > thr_w {
                    start -= 1;
                }
                // Alert while the episode is new; an older rise is reported, not re-alerted.
                if n - start > p.alert_weeks || (start == n && out.robust_z < p.z_medium) {
                    out.alert = None;
                }
                let date = if start < n {
                    week_date(start)
                } else {
                    Some(as_of)
                };
                out.episode = date.map(|d| {
                    let w = d.iso_week();
                    format!("{}-W{:02}", w.year(), w.week())
                });
            }
        }
        Ok(out)
    }
}

/// The size of the last upward shift of `y` (at the last change point, if it lies within
/// `recent_weeks` of the end), in week-to-week noise units, capped at 10; 0 otherwise.
fn recent_shift_z(
    y: &[f64],
    cps: &[usize],
    tw0: usize,
    recent_weeks: usize,
    buf: &mut Vec<f64>,
) -> f64 {
    let n = y.len();
    let noise = {
        buf.clear();
        buf.extend(y.windows(2).map(|w| w[1] - w[0]));
        super::robust::median_mad(buf).map_or(0.0, |(_, m)| m / std::f64::consts::SQRT_2)
    };
    let Some(&c) = cps.last() else {
        return 0.0;
    };
    if n - c > recent_weeks || c >= n {
        return 0.0;
    }
    let from = cps.len().checked_sub(2).map_or(tw0, |k| cps[k]).min(c);
    let before = seg_median(&y[from..c], buf);
    let after = seg_median(&y[c..], buf);
    if after <= before {
        0.0
    } else if noise > 0.0 {
        ((after - before) / noise).min(10.0)
    } else {
        10.0
    }
}

fn seg_median(x: &[f64], buf: &mut Vec<f64>) -> f64 {
    buf.clear();
    buf.extend_from_slice(x);
    median_in_place(buf)
}
