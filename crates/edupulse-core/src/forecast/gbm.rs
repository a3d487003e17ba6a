//! The gradient-boosted candidate: the shared [`crate::learn::GradientBoosting`] on calendar
//! features, predicting each day `H` days ahead of the information it uses (a direct forecast
//! for the largest horizon, valid for every horizon up to `H`).
//!
//! For target day `i` the anchor is `a = i − H` (the last day the model may look at), and:
//! - the target is `y[i] − level(a)`, with `level(a)` the mean of the `level_window` days ending at
//!   `a` (trees cannot extrapolate a level; they learn the deviation from the recent level);
//! - features: weekday, month, day of month, day of year, holiday (0/1), days to the nearest
//!   holiday (clamped to ±7), the same weekday `7·⌈H/7⌉` days earlier and the last-7-day mean at the
//!   anchor (both minus `level(a)`), then each extra regressor (planned webinars per day, the
//!   trends score...; a date without a value counts 0).

use super::Regressors;
use crate::error::{CoreError, Result};
use crate::learn::{GbdtParams, GradientBoosting};
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A fitted gradient-boosted calendar model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarGbm {
    /// The horizon the model looks ahead (its anchor lag).
    pub lag: usize,
    /// Days in the level mean.
    pub level_window: usize,
    /// The boosted trees.
    pub model: GradientBoosting,
    /// Names of the features, in order.
    pub features: Vec<String>,
}

/// Shared context: history, dates, calendar.
pub(crate) struct Ctx<'a> {
    pub start: NaiveDate,
    pub holidays: &'a BTreeSet<NaiveDate>,
    pub regressors: &'a Regressors,
}

fn holiday_distance(h: &BTreeSet<NaiveDate>, d: NaiveDate) -> f64 {
    let after = h.range(d..).next().map(|x| (*x - d).num_days());
    let before = h.range(..d).next_back().map(|x| (*x - d).num_days());
    let best = [after, before]
        .into_iter()
        .flatten()
        .min_by_key(|v| v.abs())
        .unwrap_or(8);
    best.clamp(-8, 8) as f64
}

/// The lookback a model with this lag and level window needs before its first target.
pub(crate) fn first_target(lag: usize, level_window: usize) -> usize {
    let season_lag = lag.div_ceil(7) * 7;
    (lag + level_window - 1).max(season_lag).max(lag + 6)
}

fn row(ctx: &Ctx, y: &[f64], i: usize, lag: usize, level_window: usize, out: &mut Vec<f64>) -> f64 {
    let d = ctx.start + Duration::days(i as i64);
    let a = i - lag;
    let level = y[a + 1 - level_window..=a].iter().sum::<f64>() / level_window as f64;
    let week = y[a - 6..=a].iter().sum::<f64>() / 7.0;
    let season_lag = lag.div_ceil(7) * 7;
    out.push(d.weekday().num_days_from_monday() as f64);
    out.push(d.month() as f64);
    out.push(d.day() as f64);
    out.push(d.ordinal() as f64);
    out.push(if ctx.holidays.contains(&d) { 1.0 } else { 0.0 });
    out.push(holiday_distance(ctx.holidays, d));
    out.push(y[i - season_lag] - level);
    out.push(week - level);
    for k in 0..ctx.regressors.names.len() {
        out.push(ctx.regressors.value(d, k));
    }
    level
}

fn names(ctx: &Ctx) -> Vec<String> {
    let mut v: Vec<String> = [
        "weekday",
        "month",
        "day_of_month",
        "day_of_year",
        "holiday",
        "days_to_holiday",
        "same_weekday_before",
        "last_week_mean",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(ctx.regressors.names.iter().cloned());
    v
}

impl CalendarGbm {
    /// Fit on `y` (day 0 = `ctx.start`) looking `lag` days ahead.
    pub(crate) fn fit(
        ctx: &Ctx,
        y: &[f64],
        lag: usize,
        level_window: usize,
        params: &GbdtParams,
    ) -> Result<CalendarGbm> {
        let first = first_target(lag, level_window);
        if y.len() <= first + 1 {
            return Err(CoreError::validation(
                super::SERIES,
                None,
                None,
                format!("the boosted model needs more than {} days", first + 1),
            ));
        }
        let features = names(ctx);
        let p = features.len();
        let mut x = Vec::with_capacity((y.len() - first) * p);
        let mut t = Vec::with_capacity(y.len() - first);
        for i in first..y.len() {
            let level = row(ctx, y, i, lag, level_window, &mut x);
            t.push(y[i] - level);
        }
        let model = GradientBoosting::fit(&x, p, &t, params)?;
        Ok(CalendarGbm {
            lag,
            level_window,
            model,
            features,
        })
    }

    /// Forecast days `y.len() .. y.len() + h` (`h ≤ lag`).
    pub(crate) fn forecast(&self, ctx: &Ctx, y: &[f64], h: usize) -> Result<Vec<f64>> {
        let n = y.len();
        if h > self.lag {
            return Err(CoreError::param(
                "horizon",
                format!("{h} exceeds the boosted model's lag {}", self.lag),
            ));
        }
        // Extend with placeholders: rows only read days ≤ i − lag < n, and i − 7·⌈lag/7⌉ < n.
        let mut ext = y.to_vec();
        ext.resize(n + h, 0.0);
        let p = self.features.len();
        let mut x = Vec::with_capacity(h * p);
        let mut levels = Vec::with_capacity(h);
        for i in n..n + h {
            levels.push(row(ctx, &ext, i, self.lag, self.level_window, &mut x));
        }
        let dev = self.model.predict(&x, p)?;
        Ok(levels.iter().zip(dev).map(|(l, d)| l + d).collect())
    }
}
