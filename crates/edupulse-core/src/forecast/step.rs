//! The forecast step of the daily job: daily revenue from `purchases` for the next `horizon`
//! days, and an alert when the month is forecast below its target.
//!
//! History: revenue per local calendar day (`[job] timezone`, UTC by default) of the purchases at or before the run, from the first
//! purchase (or `history_days` before the run) to the last complete day (the day before the run's
//! date, or the run's date when the run is at its end of day: `--as-of DATE`); a day without
//! purchases is 0. Writes `revenue_forecast` (one row per forecast day). The **month** is the
//! calendar month of the first forecast day: its revenue so far plus the forecast of its remaining
//! days is its expected revenue; below `monthly_target` an alert goes to the outbox with dedupe
//! key `forecast:revenue_below_target:<YYYY-MM>`, so each month alerts at most once however often
//! the job runs.

use super::model::{Forecaster, ForecasterParams, Regressors};
use super::series::GapPolicy;
use crate::clock::LocalClock;
use crate::error::{CoreError, Result};
use crate::job::{Step, StepOutput};
use crate::model::Tables;
use crate::results::{Notification, ResultSet, Severity};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Parameters of the forecast step (`[job.forecast]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForecastConfig {
    /// The forecaster (`levels` must stay `[80, 95]`: the table's columns).
    pub params: ForecasterParams,
    /// Days of history used (the most recent ones).
    pub history_days: u32,
    /// Monthly revenue target; `None` (the default) raises no alert.
    pub monthly_target: Option<f64>,
    /// Give the boosted candidates the webinars per local day (`webinars`: those starting that
    /// day, held or planned; `webinars_7d`: the day and the 6 before) as known-in-advance
    /// regressors ([`webinar_regressors`]).
    pub webinar_regressors: bool,
}

impl Default for ForecastConfig {
    fn default() -> Self {
        ForecastConfig {
            params: ForecasterParams {
                gaps: GapPolicy::Zero,
                ..ForecasterParams::default()
            },
            history_days: 730,
            monthly_target: None,
            webinar_regressors: false,
        }
    }
}

impl ForecastConfig {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        self.params.validate()?;
        if self.params.levels != [80.0, 95.0] {
            return Err(CoreError::param(
                "params.levels",
                "the revenue_forecast table has 80 % and 95 % columns: levels must be [80, 95]",
            ));
        }
        if self.history_days < 14 {
            return Err(CoreError::param("history_days", "must be ≥ 14"));
        }
        if let Some(t) = self.monthly_target {
            if !(t > 0.0 && t.is_finite()) {
                return Err(CoreError::param(
                    "monthly_target",
                    format!("{t} is not > 0"),
                ));
            }
        }
        Ok(())
    }
}

crate::result_table! {
    /// One forecast day of daily revenue (sum of `purchases.amount`).
    #[table = "revenue_forecast", step = "forecast", key = [date]]
    pub struct RevenueForecastRow {
        /// The forecast day (local calendar day of `[job] timezone`).
        pub date: NaiveDate,
        /// Days after the last complete day (1 = the next day).
        pub horizon: u32,
        /// Point forecast.
        pub mean: f64,
        /// Lower bound of the 80 % interval.
        pub lo_80: f64,
        /// Upper bound of the 80 % interval.
        pub hi_80: f64,
        /// Lower bound of the 95 % interval.
        pub lo_95: f64,
        /// Upper bound of the 95 % interval.
        pub hi_95: f64,
        /// The method chosen by the backtest (`seasonal_naive`, `ets`, `gbm`, `ets_gbm`, `naive`).
        pub model: String,
    }
}

/// The month's expected revenue: actual so far plus the forecast of the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthOutlook {
    /// `YYYY-MM`.
    pub month: String,
    /// Revenue of the month's days up to the last complete day.
    pub actual_to_date: f64,
    /// Forecast of the month's remaining days.
    pub forecast_rest: f64,
    /// `actual_to_date + forecast_rest`.
    pub expected: f64,
    /// Whether the horizon reaches the month's last day (else `expected` is partial and no alert
    /// is raised).
    pub complete: bool,
}

/// The last complete UTC day of a run at `as_of`.
pub fn last_complete_day(as_of: DateTime<Utc>) -> NaiveDate {
    (as_of + Duration::seconds(1)).date_naive() - Duration::days(1)
}

/// Daily revenue (UTC days) from the purchases at or before `as_of`, up to the last complete
/// day, at most `history_days` days; empty when there is none.
pub fn daily_revenue(
    tables: &Tables,
    as_of: DateTime<Utc>,
    history_days: u32,
) -> Vec<(NaiveDate, f64)> {
    daily_revenue_in(tables, as_of, history_days, &LocalClock::UTC)
}

/// [`daily_revenue`] over the local days of `clock` (23 and 25-hour days at the
/// daylight-saving changes are one day each).
pub fn daily_revenue_in(
    tables: &Tables,
    as_of: DateTime<Utc>,
    history_days: u32,
    clock: &LocalClock,
) -> Vec<(NaiveDate, f64)> {
    let last = clock.last_complete_day(as_of);
    let first_allowed = last - Duration::days(i64::from(history_days) - 1);
    let mut by_day: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for p in tables.purchases.iter().filter(|p| p.at <= as_of) {
        let d = clock.date(p.at);
        if d <= last && d >= first_allowed {
            *by_day.entry(d).or_insert(0.0) += p.amount;
        }
    }
    let Some(first) = by_day.keys().next().copied() else {
        return Vec::new();
    };
    let days = (last - first).num_days();
    (0..=days)
        .map(|k| {
            let d = first + Duration::days(k);
            (d, by_day.get(&d).copied().unwrap_or(0.0))
        })
        .collect()
}

/// Webinars per local day of `clock` from `first` to `last` (inclusive) as regressors of the
/// boosted model: `webinars` (starting that day, held or planned: a planned webinar is known in
/// advance) and `webinars_7d` (that day and the 6 before, since purchases follow a webinar by
/// days).
pub fn webinar_regressors(
    tables: &Tables,
    first: NaiveDate,
    last: NaiveDate,
    clock: &LocalClock,
) -> Result<Regressors> {
    let mut per_day: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for w in &tables.webinars {
        *per_day.entry(clock.date(w.starts_at)).or_default() += 1.0;
    }
    let mut regs = Regressors::new(vec!["webinars".into(), "webinars_7d".into()]);
    let mut d = first;
    while d <= last {
        let day = per_day.get(&d).copied().unwrap_or(0.0);
        let week: f64 = per_day
            .range(d - Duration::days(6)..=d)
            .map(|(_, v)| v)
            .sum();
        regs.insert(d, vec![day, week])?;
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    Ok(regs)
}

/// The outlook of the month of the first forecast day.
pub fn month_outlook(
    history: &[(NaiveDate, f64)],
    rows: &[RevenueForecastRow],
) -> Option<MonthOutlook> {
    let first = rows.first()?.date;
    let (y, m) = (first.year(), first.month());
    let same = |d: &NaiveDate| d.year() == y && d.month() == m;
    let actual_to_date: f64 = history
        .iter()
        .filter(|(d, _)| same(d))
        .map(|(_, v)| v)
        .sum();
    let forecast_rest: f64 = rows.iter().filter(|r| same(&r.date)).map(|r| r.mean).sum();
    let next_month_day = rows.iter().any(|r| !same(&r.date));
    Some(MonthOutlook {
        month: format!("{y:04}-{m:02}"),
        actual_to_date,
        forecast_rest,
        expected: actual_to_date + forecast_rest,
        complete: next_month_day,
    })
}

/// The forecast step.
#[derive(Debug, Clone, Default)]
pub struct ForecastStep {
    /// Parameters.
    pub config: ForecastConfig,
    /// The local clock of the revenue days and months (`[job] timezone`).
    pub clock: LocalClock,
}

impl Step for ForecastStep {
    fn name(&self) -> &str {
        "forecast"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        let cfg = &self.config;
        cfg.validate()?;
        let history = daily_revenue_in(tables, as_of, cfg.history_days, &self.clock);
        if history.is_empty() {
            return Ok(StepOutput {
                results: vec![ResultSet::of::<RevenueForecastRow>(as_of, &[])],
                notifications: Vec::new(),
                summary: serde_json::json!({"skipped": "no purchases before the run"}),
            });
        }
        let f = match (cfg.webinar_regressors, history.first(), history.last()) {
            (true, Some((first, _)), Some((last, _))) => {
                let end = *last + Duration::days(cfg.params.horizon as i64);
                let regs = webinar_regressors(tables, *first, end, &self.clock)?;
                Forecaster::fit_with(&history, &regs, &cfg.params)?
            }
            _ => Forecaster::fit(&history, &cfg.params)?,
        };
        let rows: Vec<RevenueForecastRow> = f
            .predict()
            .into_iter()
            .map(|p| RevenueForecastRow {
                date: p.date,
                horizon: p.horizon as u32,
                mean: p.mean,
                lo_80: p.bands[0].lo,
                hi_80: p.bands[0].hi,
                lo_95: p.bands[1].lo,
                hi_95: p.bands[1].hi,
                model: f.chosen.name().to_string(),
            })
            .collect();
        let outlook = month_outlook(&history, &rows);
        let mut notifications = Vec::new();
        if let (Some(target), Some(o)) = (cfg.monthly_target, &outlook) {
            if o.complete && o.expected < target {
                let gap = 1.0 - o.expected / target;
                notifications.push(Notification {
                    dedupe_key: format!("forecast:revenue_below_target:{}", o.month),
                    kind: "forecast_alert".into(),
                    severity: if gap > 0.2 { Severity::High } else { Severity::Medium },
                    title: format!(
                        "Ingresos de {} previstos por debajo del objetivo / {} revenue forecast below target",
                        o.month, o.month
                    ),
                    body: format!(
                        "Previsto {:.0} (real {:.0} + previsión {:.0}) frente a objetivo {:.0} ({:.0} % por debajo). \
                         Expected {:.0} (actual {:.0} + forecast {:.0}) vs target {:.0} ({:.0} % below).",
                        o.expected, o.actual_to_date, o.forecast_rest, target, 100.0 * gap,
                        o.expected, o.actual_to_date, o.forecast_rest, target, 100.0 * gap
                    ),
                    payload: serde_json::json!({
                        "month": o.month, "expected": o.expected, "actual_to_date": o.actual_to_date,
                        "forecast_rest": o.forecast_rest, "target": target, "model": f.chosen.name(),
                    }),
                    created_at: as_of,
                });
            }
        }
        Ok(StepOutput {
            results: vec![ResultSet::of(as_of, &rows)],
            notifications,
            summary: serde_json::json!({
                "days": history.len(),
                "model": f.chosen.name(),
                "regressors": f.regressors.names,
                "notes": f.notes,
                "month": outlook,
                "next_30_days": rows.iter().take(30).map(|r| r.mean).sum::<f64>(),
            }),
        })
    }
}
