//! Forecast: a daily metric (revenue, sign-ups, page views...) for the next days, with intervals.
//!
//! Decides, from a daily series (and optionally a holiday calendar and known-in-advance daily
//! regressors such as planned webinars or the trends score), the forecast of the next `horizon`
//! days and its 80 % / 95 % intervals:
//! - **candidates** ([`Candidate`]): the seasonal naive, Holt-Winters ETS with a weekly season and
//!   a damped trend ([`ets`], fitted by SSE), gradient-boosted trees on calendar features
//!   ([`gbm`], the workspace's learner) and the mean of the last two;
//! - **choice** by a rolling-origin backtest inside the history (mean absolute error);
//! - **intervals**: split-conformal per horizon on that backtest's errors (see
//!   [`Forecaster::fit_with`] and docs/forecast.md for why);
//! - **bad input**: duplicate dates are an error naming the row; gaps follow [`GapPolicy`]; fewer
//!   than two seasons falls back to the last value and says so in [`Forecaster::notes`].
//!
//! [`metrics`] has MASE, sMAPE and coverage; [`step`] is the job step (daily revenue from
//! `purchases`, table `revenue_forecast`, the below-target alert).

pub mod ets;
pub mod gbm;
pub mod metrics;
pub mod model;
pub mod series;
pub mod step;

pub use ets::Ets;
pub use gbm::CalendarGbm;
pub use metrics::{coverage, mae, mase, smape};
pub use model::{
    BacktestPoint, Band, Candidate, CandidateScore, ForecastPoint, Forecaster, ForecasterParams,
    IntervalKind, Regressors, WindowScore,
};
pub use series::{daily_series, DailySeries, GapPolicy, SERIES};
pub use step::{ForecastConfig, ForecastStep, MonthOutlook, RevenueForecastRow};

#[cfg(test)]
mod tests;
