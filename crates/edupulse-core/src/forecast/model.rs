//! [`ForecasterParams`] → [`Forecaster::fit`] → [`Forecaster::predict`] / [`Forecaster::backtest`].

use super::ets::Ets;
use super::gbm::{first_target, CalendarGbm, Ctx};
use super::metrics::mae;
use super::series::{daily_series, DailySeries, GapPolicy, SERIES};
use crate::error::{CoreError, Result};
use crate::experiments::dist::norm_ppf;
use crate::learn::GbdtParams;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A forecasting method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Candidate {
    /// The value of the same day one season earlier.
    SeasonalNaive,
    /// Holt-Winters ETS(A,Ad,A) ([`super::Ets`]).
    Ets,
    /// Gradient-boosted trees on calendar features ([`super::CalendarGbm`]).
    Gbm,
    /// The mean of the ETS and boosted forecasts.
    EtsGbm,
    /// The last value (only as the fallback for less than two seasons of history).
    Naive,
}

impl Candidate {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Candidate::SeasonalNaive => "seasonal_naive",
            Candidate::Ets => "ets",
            Candidate::Gbm => "gbm",
            Candidate::EtsGbm => "ets_gbm",
            Candidate::Naive => "naive",
        }
    }
}

/// Parameters of [`Forecaster::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForecasterParams {
    /// Days to forecast.
    pub horizon: usize,
    /// Season length in days (7: weekly).
    pub season: usize,
    /// Interval levels in percent, each in (0, 100).
    pub levels: Vec<f64>,
    /// The methods the backtest chooses from.
    pub candidates: Vec<Candidate>,
    /// Rolling origins of the internal backtest that chooses the method and calibrates the
    /// intervals (fewer when the history is short).
    pub calibration_origins: usize,
    /// Rolling origins whose errors of the chosen method calibrate the intervals (the first
    /// `calibration_origins` are the choice's; the chosen method alone is refitted at the
    /// others). More than `calibration_origins` so that the errors span a whole year of weekly
    /// origins (52) and the intervals see every season's volatility, not only the recent
    /// weeks'. Fewer when the history is short.
    pub interval_origins: usize,
    /// Days between two calibration origins.
    pub origin_step: usize,
    /// The interval at horizon `h` uses the backtest residuals of horizons `h ± horizon_pool`.
    pub horizon_pool: usize,
    /// Normalised conformal intervals: each backtest error is divided by the series' volatility
    /// at its origin — the mean absolute seasonal difference `|y[t] − y[t − season]|` over the
    /// `volatility_window` days before the origin — and the quantile of these scaled errors is
    /// multiplied by the same volatility over the last `volatility_window` days of the history,
    /// so the bands widen when the series has recently become more volatile than the year it
    /// was calibrated on. 0 = plain (unscaled) split conformal. Default 21 (chosen on the
    /// tuning windows of docs/forecast.md).
    pub volatility_window: usize,
    /// Missing dates between the first and the last.
    pub gaps: GapPolicy,
    /// Holidays (and other special days) of the calendar, a feature of the boosted model.
    pub holidays: Vec<NaiveDate>,
    /// Days in the recent level the boosted model predicts deviations from.
    pub level_window: usize,
    /// The boosted trees (the workspace's learner); `gbdt.seed` is the random state.
    pub gbdt: GbdtParams,
}

impl Default for ForecasterParams {
    fn default() -> Self {
        ForecasterParams {
            horizon: 30,
            season: 7,
            levels: vec![80.0, 95.0],
            candidates: vec![
                Candidate::SeasonalNaive,
                Candidate::Ets,
                Candidate::Gbm,
                Candidate::EtsGbm,
            ],
            calibration_origins: 20,
            interval_origins: 52,
            origin_step: 7,
            horizon_pool: 3,
            volatility_window: 21,
            gaps: GapPolicy::Interpolate,
            holidays: Vec::new(),
            level_window: 28,
            gbdt: GbdtParams {
                seed: 0,
                ..GbdtParams::default()
            },
        }
    }
}

impl ForecasterParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if self.horizon == 0 || self.horizon > 366 {
            return Err(CoreError::param("horizon", "must be in 1..=366"));
        }
        if self.season < 2 || self.season > 366 {
            return Err(CoreError::param("season", "must be in 2..=366"));
        }
        if self.levels.is_empty() {
            return Err(CoreError::param("levels", "give at least one level"));
        }
        for l in &self.levels {
            if !(*l > 0.0 && *l < 100.0) {
                return Err(CoreError::param(
                    "levels",
                    format!("{l} is not in (0, 100) (levels are percentages)"),
                ));
            }
        }
        if self.candidates.is_empty() {
            return Err(CoreError::param("candidates", "give at least one method"));
        }
        if self.candidates.contains(&Candidate::Naive) {
            return Err(CoreError::param(
                "candidates",
                "`naive` is only the short-history fallback",
            ));
        }
        if self.calibration_origins == 0 {
            return Err(CoreError::param("calibration_origins", "must be ≥ 1"));
        }
        if self.origin_step == 0 {
            return Err(CoreError::param("origin_step", "must be ≥ 1"));
        }
        if self.volatility_window != 0 && self.volatility_window < self.season {
            return Err(CoreError::param(
                "volatility_window",
                format!("must be 0 (off) or ≥ season ({})", self.season),
            ));
        }
        if self.level_window < 7 {
            return Err(CoreError::param("level_window", "must be ≥ 7"));
        }
        self.gbdt.validate()?;
        Ok(())
    }
}

/// Known-in-advance daily regressors of the boosted model (planned webinars per day, the trends
/// score...). A date without a value counts 0 (no webinar planned).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Regressors {
    /// Names, one per value of each row.
    pub names: Vec<String>,
    /// Values by date, `names.len()` each.
    pub by_date: BTreeMap<NaiveDate, Vec<f64>>,
}

impl Regressors {
    /// Regressors named `names` with no values yet.
    pub fn new(names: Vec<String>) -> Regressors {
        Regressors {
            names,
            by_date: BTreeMap::new(),
        }
    }

    /// Set the values of `date` (one per name, finite).
    pub fn insert(&mut self, date: NaiveDate, values: Vec<f64>) -> Result<()> {
        if values.len() != self.names.len() {
            return Err(CoreError::validation(
                "regressors",
                None,
                None,
                format!(
                    "{date}: {} values for {} names",
                    values.len(),
                    self.names.len()
                ),
            ));
        }
        if let Some(k) = values.iter().position(|v| !v.is_finite()) {
            return Err(CoreError::validation(
                "regressors",
                None,
                Some(&self.names[k]),
                format!("{date}: {} is not a finite number", values[k]),
            ));
        }
        self.by_date.insert(date, values);
        Ok(())
    }

    pub(crate) fn value(&self, d: NaiveDate, k: usize) -> f64 {
        self.by_date
            .get(&d)
            .and_then(|v| v.get(k))
            .copied()
            .unwrap_or(0.0)
    }
}

/// How the intervals were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IntervalKind {
    /// Split-conformal per horizon on the internal rolling-origin backtest.
    Conformal,
    /// Normal intervals of a naive method (history too short for a backtest).
    Normal,
}

/// Backtest error of one candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateScore {
    /// The method.
    pub candidate: Candidate,
    /// Mean absolute error over all calibration origins and horizons.
    pub mae: f64,
    /// `mae` scaled by the in-sample seasonal naive MAE of the whole history (MASE).
    pub mase: f64,
}

/// One interval of one forecast day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Level in percent.
    pub level: f64,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// One forecast day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastPoint {
    /// The day.
    pub date: NaiveDate,
    /// Days after the last observed day (1 = the next day).
    pub horizon: usize,
    /// Point forecast.
    pub mean: f64,
    /// One band per level, in the order of [`ForecasterParams::levels`].
    pub bands: Vec<Band>,
}

/// One day of [`Forecaster::backtest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestPoint {
    /// Window number, 1 = the oldest.
    pub window: usize,
    /// The last day the window's model saw.
    pub cutoff: NaiveDate,
    /// The method chosen in that window.
    pub model: Candidate,
    /// The observed value.
    pub actual: f64,
    /// The forecast.
    pub forecast: ForecastPoint,
}

/// The accuracy of one window of [`Forecaster::backtest_scores`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowScore {
    /// Window number, 1 = the oldest.
    pub window: usize,
    /// The last day the window's model saw.
    pub cutoff: NaiveDate,
    /// The method chosen in that window.
    pub model: Candidate,
    /// MASE, scaled by the seasonal naive's in-sample error on the history before the window
    /// (`None` when that history is too short).
    pub mase: Option<f64>,
    /// sMAPE in percent (M4 definition).
    pub smape: Option<f64>,
    /// Per level (the order of [`ForecasterParams::levels`]): the level and the share of the
    /// window's days inside its band.
    pub coverage: Vec<(f64, Option<f64>)>,
}

/// A fitted forecaster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecaster {
    /// The parameters.
    pub params: ForecasterParams,
    /// The history (gap-filled).
    pub series: DailySeries,
    /// The regressors of the boosted model.
    pub regressors: Regressors,
    /// The method chosen by the backtest (or the fallback).
    pub chosen: Candidate,
    /// Backtest error of each candidate that could be evaluated.
    pub scores: Vec<CandidateScore>,
    /// Calibration origins used (the method's choice).
    pub origins: usize,
    /// Origins whose errors calibrated the intervals.
    #[serde(default)]
    pub interval_origins: usize,
    /// How the intervals were made.
    pub interval_kind: IntervalKind,
    /// Interval half-widths: `half_widths[level][h − 1]`.
    pub half_widths: Vec<Vec<f64>>,
    /// What fell back and why (short history, too few residuals...).
    pub notes: Vec<String>,
    /// The ETS model, when the chosen method uses it.
    pub ets: Option<Ets>,
    /// The boosted model, when the chosen method uses it.
    pub gbm: Option<CalendarGbm>,
}

struct Fits {
    ets: Option<Ets>,
    gbm: Option<CalendarGbm>,
}

fn fit_for(c: Candidate, ctx: &Ctx, y: &[f64], p: &ForecasterParams) -> Result<Fits> {
    let ets = match c {
        Candidate::Ets | Candidate::EtsGbm => Some(Ets::fit(y, p.season)?),
        _ => None,
    };
    let gbm = match c {
        Candidate::Gbm | Candidate::EtsGbm => Some(CalendarGbm::fit(
            ctx,
            y,
            p.horizon,
            p.level_window,
            &p.gbdt,
        )?),
        _ => None,
    };
    Ok(Fits { ets, gbm })
}

fn forecast_with(
    c: Candidate,
    f: &Fits,
    ctx: &Ctx,
    y: &[f64],
    m: usize,
    h: usize,
) -> Result<Vec<f64>> {
    let n = y.len();
    let missing = |what: &str| CoreError::convergence("forecast", format!("{what} not fitted"));
    Ok(match c {
        Candidate::Naive => vec![y[n - 1]; h],
        Candidate::SeasonalNaive => (0..h).map(|k| y[n - m + k % m]).collect(),
        Candidate::Ets => f.ets.as_ref().ok_or_else(|| missing("ETS"))?.forecast(h),
        Candidate::Gbm => f
            .gbm
            .as_ref()
            .ok_or_else(|| missing("boosted model"))?
            .forecast(ctx, y, h)?,
        Candidate::EtsGbm => {
            let a = f.ets.as_ref().ok_or_else(|| missing("ETS"))?.forecast(h);
            let b = f
                .gbm
                .as_ref()
                .ok_or_else(|| missing("boosted model"))?
                .forecast(ctx, y, h)?;
            a.iter().zip(b).map(|(a, b)| 0.5 * (a + b)).collect()
        }
    })
}

/// In-sample seasonal naive MAE (the MASE scale); 1 when it is 0 or undefined.
fn naive_scale(y: &[f64], m: usize) -> f64 {
    if y.len() <= m {
        return 1.0;
    }
    let s = y.windows(m + 1).map(|w| (w[m] - w[0]).abs()).sum::<f64>() / (y.len() - m) as f64;
    if s > 0.0 && s.is_finite() {
        s
    } else {
        1.0
    }
}

impl Forecaster {
    /// Fit on `(date, value)` points with no regressors. See [`Forecaster::fit_with`].
    ///
    /// ```
    /// use chrono::{Duration, NaiveDate};
    /// use edupulse_core::forecast::{Forecaster, ForecasterParams};
    /// let d0 = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    /// let pts: Vec<_> = (0..120)
    ///     .map(|i| (d0 + Duration::days(i), 10.0 + (i % 7) as f64))
    ///     .collect();
    /// let params = ForecasterParams { horizon: 14, calibration_origins: 4, ..Default::default() };
    /// let f = Forecaster::fit(&pts, &params).unwrap();
    /// let p = f.predict();
    /// assert_eq!(p.len(), 14);
    /// assert!(p[0].bands[0].lo <= p[0].mean && p[0].mean <= p[0].bands[0].hi);
    /// ```
    pub fn fit(points: &[(NaiveDate, f64)], params: &ForecasterParams) -> Result<Forecaster> {
        Forecaster::fit_with(points, &Regressors::default(), params)
    }

    /// Fit on `(date, value)` points (any order; duplicates are an error, gaps follow
    /// `params.gaps`) with known-in-advance regressors for the boosted model.
    ///
    /// The method is chosen by a rolling-origin backtest inside the history
    /// (`calibration_origins` origins `origin_step` days apart, each forecasting `horizon` days
    /// from the history before it), by mean absolute error; the intervals are split-conformal
    /// per horizon on the chosen method's absolute errors there. Short histories fall back (see
    /// [`Forecaster::notes`]): fewer than two seasons → the last value with normal intervals
    /// σ√h; no room for a backtest origin → the seasonal naive with its normal intervals.
    pub fn fit_with(
        points: &[(NaiveDate, f64)],
        regressors: &Regressors,
        params: &ForecasterParams,
    ) -> Result<Forecaster> {
        params.validate()?;
        let series = daily_series(points, params.gaps)?;
        Forecaster::fit_daily(series, regressors, params)
    }

    fn fit_daily(
        series: DailySeries,
        regressors: &Regressors,
        params: &ForecasterParams,
    ) -> Result<Forecaster> {
        let y = &series.values;
        let (n, m, h) = (y.len(), params.season, params.horizon);
        let holidays: BTreeSet<NaiveDate> = params.holidays.iter().copied().collect();
        let ctx = Ctx {
            start: series.start,
            holidays: &holidays,
            regressors,
        };
        let mut notes = Vec::new();
        if series.filled > 0 {
            notes.push(format!(
                "{} missing day(s) filled ({:?})",
                series.filled, params.gaps
            ));
        }
        let base = Forecaster {
            params: params.clone(),
            series: series.clone(),
            regressors: regressors.clone(),
            chosen: Candidate::Naive,
            scores: Vec::new(),
            origins: 0,
            interval_origins: 0,
            interval_kind: IntervalKind::Normal,
            half_widths: Vec::new(),
            notes: Vec::new(),
            ets: None,
            gbm: None,
        };
        if n < 2 * m {
            notes.push(format!(
                "fewer than two seasons ({n} < {} days): the last value, normal intervals σ·√h",
                2 * m
            ));
            let sigma = rmse_diff(y, 1);
            let hw = normal_widths(&params.levels, h, |k| sigma * (k as f64).sqrt());
            return Ok(Forecaster {
                half_widths: hw,
                notes,
                ..base
            });
        }
        let origins: Vec<usize> = (0..params.calibration_origins)
            .filter_map(|j| n.checked_sub(h + j * params.origin_step))
            .filter(|&o| o >= 2 * m)
            .collect();
        if origins.is_empty() {
            notes.push(format!(
                "no room for a backtest origin ({n} days < two seasons + horizon): seasonal naive, \
                 normal intervals σ·√(⌊(h−1)/m⌋+1)"
            ));
            let sigma = rmse_diff(y, m);
            let hw = normal_widths(&params.levels, h, |k| {
                sigma * ((((k - 1) / m) + 1) as f64).sqrt()
            });
            return Ok(Forecaster {
                chosen: Candidate::SeasonalNaive,
                half_widths: hw,
                notes,
                ..base
            });
        }
        let earliest = origins.iter().copied().min().unwrap_or(n);
        let gbm_min = first_target(h, params.level_window) + 2 * m + 30;
        let mut candidates = params.candidates.clone();
        if earliest < gbm_min {
            let before = candidates.len();
            candidates.retain(|c| !matches!(c, Candidate::Gbm | Candidate::EtsGbm));
            if candidates.len() < before {
                notes.push(format!(
                    "history too short for the boosted model at every origin ({earliest} < \
                     {gbm_min} days): not a candidate"
                ));
            }
            if candidates.is_empty() {
                candidates.push(Candidate::Ets);
            }
        }
        // residuals[c][origin][k] = y − ŷ at horizon k + 1.
        let mut residuals: Vec<Vec<Vec<f64>>> = vec![Vec::new(); candidates.len()];
        let mut errors: Vec<Option<String>> = vec![None; candidates.len()];
        for &o in &origins {
            let train = &y[..o];
            let mut ets_cache: Option<Ets> = None;
            let mut gbm_cache: Option<CalendarGbm> = None;
            for (ci, &c) in candidates.iter().enumerate() {
                if errors[ci].is_some() {
                    continue;
                }
                let fits = match c {
                    Candidate::EtsGbm if ets_cache.is_some() && gbm_cache.is_some() => Fits {
                        ets: ets_cache.clone(),
                        gbm: gbm_cache.clone(),
                    },
                    _ => match fit_for(c, &ctx, train, params) {
                        Ok(f) => f,
                        Err(e) => {
                            errors[ci] = Some(e.to_string());
                            continue;
                        }
                    },
                };
                let fc = forecast_with(c, &fits, &ctx, train, m, h)?;
                residuals[ci].push(y[o..o + h].iter().zip(&fc).map(|(a, f)| a - f).collect());
                if fits.ets.is_some() {
                    ets_cache = fits.ets;
                }
                if fits.gbm.is_some() {
                    gbm_cache = fits.gbm;
                }
            }
        }
        let scale = naive_scale(y, m);
        let mut scores = Vec::new();
        for (ci, &c) in candidates.iter().enumerate() {
            if let Some(e) = &errors[ci] {
                notes.push(format!("{} dropped: {e}", c.name()));
                continue;
            }
            let all: Vec<f64> = residuals[ci].iter().flatten().copied().collect();
            let zeros = vec![0.0; all.len()];
            if let Some(err) = mae(&all, &zeros) {
                scores.push(CandidateScore {
                    candidate: c,
                    mae: err,
                    mase: err / scale,
                });
            }
        }
        let best = scores
            .iter()
            .min_by(|a, b| a.mae.total_cmp(&b.mae))
            .map(|s| s.candidate)
            .ok_or_else(|| {
                CoreError::validation(SERIES, None, None, "no candidate method could be fitted")
            })?;
        let ci = candidates.iter().position(|&c| c == best).unwrap_or(0);
        // More origins for the intervals: the chosen method only, at origins where it fits.
        let mut calib = residuals[ci].clone();
        let mut calib_origins = origins.clone();
        let min_origin = if matches!(best, Candidate::Gbm | Candidate::EtsGbm) {
            gbm_min
        } else {
            2 * m
        };
        for j in params.calibration_origins..params.interval_origins {
            let Some(o) = n.checked_sub(h + j * params.origin_step) else {
                break;
            };
            if o < min_origin {
                break;
            }
            let train = &y[..o];
            let Ok(fits) = fit_for(best, &ctx, train, params) else {
                continue;
            };
            let fc = forecast_with(best, &fits, &ctx, train, m, h)?;
            calib.push(y[o..o + h].iter().zip(&fc).map(|(a, f)| a - f).collect());
            calib_origins.push(o);
        }
        let w = params.volatility_window;
        let scaled = if w == 0 {
            None
        } else {
            let at: Option<Vec<f64>> = calib_origins
                .iter()
                .map(|&o| local_volatility(y, o, w, m))
                .collect();
            match (at, local_volatility(y, n, w, m)) {
                (Some(at), Some(now)) => Some((at, now)),
                _ => {
                    notes.push(format!(
                        "the series is constant over a {w}-day window: unscaled conformal intervals"
                    ));
                    None
                }
            }
        };
        let (half_widths, few) = match &scaled {
            None => conformal_widths(&calib, &params.levels, h, params.horizon_pool),
            Some((at, now)) => {
                let normalised: Vec<Vec<f64>> = calib
                    .iter()
                    .zip(at)
                    .map(|(r, s)| r.iter().map(|e| e / s).collect())
                    .collect();
                let (w, few) =
                    conformal_widths(&normalised, &params.levels, h, params.horizon_pool);
                let w = w
                    .into_iter()
                    .map(|l| l.into_iter().map(|v| v * now).collect())
                    .collect();
                (w, few)
            }
        };
        for (level, count) in few {
            notes.push(format!(
                "{count} calibration errors are too few for an exact {level} % conformal \
                 quantile: the largest is used"
            ));
        }
        let fits = fit_for(best, &ctx, y, params)?;
        Ok(Forecaster {
            chosen: best,
            scores,
            origins: origins.len(),
            interval_origins: calib.len(),
            interval_kind: IntervalKind::Conformal,
            half_widths,
            notes,
            ets: fits.ets,
            gbm: fits.gbm,
            ..base
        })
    }

    /// The forecast for the `horizon` days after the last observed day.
    pub fn predict(&self) -> Vec<ForecastPoint> {
        let h = self.params.horizon;
        let y = &self.series.values;
        let holidays: BTreeSet<NaiveDate> = self.params.holidays.iter().copied().collect();
        let ctx = Ctx {
            start: self.series.start,
            holidays: &holidays,
            regressors: &self.regressors,
        };
        let fits = Fits {
            ets: self.ets.clone(),
            gbm: self.gbm.clone(),
        };
        // The fitted models match `chosen` by construction; a failure here would be a bug, and
        // the seasonal naive is the safe answer.
        let mean = forecast_with(self.chosen, &fits, &ctx, y, self.params.season, h)
            .unwrap_or_else(|_| {
                (0..h)
                    .map(|k| {
                        y[y.len() - self.params.season.min(y.len())
                            + k % self.params.season.min(y.len())]
                    })
                    .collect()
            });
        let end = self.series.end();
        mean.iter()
            .enumerate()
            .map(|(k, &mu)| ForecastPoint {
                date: end + Duration::days(k as i64),
                horizon: k + 1,
                mean: mu,
                bands: self
                    .params
                    .levels
                    .iter()
                    .zip(&self.half_widths)
                    .map(|(&level, w)| Band {
                        level,
                        lo: mu - w[k],
                        hi: mu + w[k],
                    })
                    .collect(),
            })
            .collect()
    }

    /// Rolling-origin evaluation of the whole procedure (choice + intervals): `windows`
    /// consecutive blocks of `horizon` days at the end of the history; for each, a forecaster is
    /// fitted on the days before the block with the same parameters and regressors.
    pub fn backtest(&self, windows: usize) -> Result<Vec<BacktestPoint>> {
        let (n, h) = (self.series.values.len(), self.params.horizon);
        if windows == 0 {
            return Err(CoreError::param("windows", "must be ≥ 1"));
        }
        if windows * h >= n {
            return Err(CoreError::param(
                "windows",
                format!("{windows} windows of {h} days leave no history ({n} days)"),
            ));
        }
        let mut out = Vec::with_capacity(windows * h);
        for w in 0..windows {
            let cut = n - (windows - w) * h;
            let prefix = DailySeries {
                start: self.series.start,
                values: self.series.values[..cut].to_vec(),
                filled: 0,
            };
            let f = Forecaster::fit_daily(prefix, &self.regressors, &self.params)?;
            for p in f.predict() {
                let i = cut + p.horizon - 1;
                out.push(BacktestPoint {
                    window: w + 1,
                    cutoff: self.series.date(cut - 1),
                    model: f.chosen,
                    actual: self.series.values[i],
                    forecast: p,
                });
            }
        }
        Ok(out)
    }

    /// [`Forecaster::backtest`] scored per window: MASE (scaled on the history before the
    /// window, season `params.season`), sMAPE and the coverage of each band.
    ///
    /// Errors: as [`Forecaster::backtest`].
    pub fn backtest_scores(&self, windows: usize) -> Result<Vec<WindowScore>> {
        let points = self.backtest(windows)?;
        let (n, h) = (self.series.values.len(), self.params.horizon);
        let mut out = Vec::with_capacity(windows);
        for k in 1..=windows {
            let pts: Vec<&BacktestPoint> = points.iter().filter(|b| b.window == k).collect();
            let Some(first) = pts.first() else {
                continue;
            };
            let actual: Vec<f64> = pts.iter().map(|b| b.actual).collect();
            let mean: Vec<f64> = pts.iter().map(|b| b.forecast.mean).collect();
            let band = |i: usize, lo: bool| -> Vec<f64> {
                pts.iter()
                    .map(|b| {
                        b.forecast
                            .bands
                            .get(i)
                            .map_or(f64::NAN, |x| if lo { x.lo } else { x.hi })
                    })
                    .collect()
            };
            let cut = n - (windows - k + 1) * h;
            out.push(WindowScore {
                window: k,
                cutoff: first.cutoff,
                model: first.model,
                mase: super::metrics::mase(
                    &actual,
                    &mean,
                    &self.series.values[..cut],
                    self.params.season,
                ),
                smape: super::metrics::smape(&actual, &mean),
                coverage: self
                    .params
                    .levels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        (
                            *l,
                            super::metrics::coverage(&actual, &band(i, true), &band(i, false)),
                        )
                    })
                    .collect(),
            });
        }
        Ok(out)
    }
}

/// Mean absolute seasonal difference `|y[t] − y[t − m]|` over the `w` days before `o` (from the
/// first day with a seasonal lag when fewer); `None` when there is none or it is 0.
pub(crate) fn local_volatility(y: &[f64], o: usize, w: usize, m: usize) -> Option<f64> {
    let end = o.min(y.len());
    let start = end.saturating_sub(w).max(m);
    if start >= end {
        return None;
    }
    let s = (start..end).map(|t| (y[t] - y[t - m]).abs()).sum::<f64>() / (end - start) as f64;
    (s > 0.0 && s.is_finite()).then_some(s)
}

/// Root mean square of the lag-`lag` differences (0 when there are none).
fn rmse_diff(y: &[f64], lag: usize) -> f64 {
    if y.len() <= lag {
        return 0.0;
    }
    let d: Vec<f64> = y.windows(lag + 1).map(|w| w[lag] - w[0]).collect();
    (d.iter().map(|v| v * v).sum::<f64>() / d.len() as f64).sqrt()
}

fn normal_widths(levels: &[f64], h: usize, sd: impl Fn(usize) -> f64) -> Vec<Vec<f64>> {
    levels
        .iter()
        .map(|l| {
            let z = norm_ppf(0.5 + l / 200.0);
            (1..=h).map(|k| z * sd(k)).collect()
        })
        .collect()
}

/// Split-conformal half-widths per horizon: for level `L` and horizon `k`, the
/// `⌈(N+1)·L/100⌉`-th smallest absolute error among the `N` backtest errors at horizons
/// `k ± pool`. Returns the widths and the levels where `N` was too small (the largest is used).
fn conformal_widths(
    res: &[Vec<f64>],
    levels: &[f64],
    h: usize,
    pool: usize,
) -> (Vec<Vec<f64>>, Vec<(f64, usize)>) {
    let mut few = Vec::new();
    let widths = levels
        .iter()
        .map(|&l| {
            let mut short = None;
            let w = (0..h)
                .map(|k| {
                    let lo = k.saturating_sub(pool);
                    let hi = (k + pool).min(h - 1);
                    let mut a: Vec<f64> = res
                        .iter()
                        .flat_map(|r| r[lo..=hi].iter().map(|v| v.abs()))
                        .collect();
                    a.sort_by(f64::total_cmp);
                    let nn = a.len();
                    let rank = ((nn + 1) as f64 * l / 100.0).ceil() as usize;
                    if rank > nn {
                        short = Some(nn);
                    }
                    a.get(rank.clamp(1, nn.max(1)) - 1).copied().unwrap_or(0.0)
                })
                .collect();
            if let Some(nn) = short {
                few.push((l, nn));
            }
            w
        })
        .collect();
    (widths, few)
}
