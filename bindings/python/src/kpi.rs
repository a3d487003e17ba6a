//! Bindings of `edupulse_core::kpi::scorecard`: conversion and error mapping only. The window
//! bounds cross as Unix seconds (`edupulse.kpi` resolves dates in the caller's time zone); the
//! rows come back as a list of dicts. The GIL is released around the computation.

use crate::errors::{guard, Failure};
use chrono::{DateTime, Utc};
use edupulse::core::clock::LocalClock;
use edupulse::core::kpi::scorecard::{latest_instant, scorecard, KpiWindow};
use edupulse::core::kpi::KpiConfig;
use pyo3::prelude::*;

fn at(name: &str, secs: i64) -> Result<DateTime<Utc>, Failure> {
    DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| Failure::param(name, "not a representable time"))
}

/// The scorecard rows of `tables` over `(start, end]` (`edupulse.kpi.scorecard`); `config` is a
/// `KpiConfig` dict (`targets`, `at_risk_margin`, …). Defaults: `end` = the latest instant in
/// the tables, `start` = `window_days` local days before `end`. `timezone` (an IANA name,
/// default UTC) is the KPIs' local clock: slots, months and days are read on it.
#[pyfunction]
#[pyo3(signature = (tables, start=None, end=None, config=None, timezone=None))]
pub(crate) fn kpi_scorecard<'py>(
    py: Python<'py>,
    tables: &Bound<'py, PyAny>,
    start: Option<i64>,
    end: Option<i64>,
    config: Option<Bound<'py, PyAny>>,
    timezone: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let card = guard(|| {
        let mut cfg: KpiConfig = crate::demand::py_param("targets", config.as_ref())?;
        if let Some(tz) = timezone {
            cfg.clock = LocalClock::parse(&tz, "timezone")?;
        }
        let raw = crate::convert::extract_tables(tables)?;
        py.detach(move || {
            let mut t = crate::convert::parse_tables(&raw)?;
            t.validate()?;
            let end = match end {
                Some(s) => at("end", s)?,
                None => latest_instant(&t).ok_or_else(|| {
                    Failure::param("end", "the tables hold no dated row: give `end`")
                })?,
            };
            let start = match start {
                Some(s) => at("start", s)?,
                None => cfg.clock.add_days(end, -i64::from(cfg.window_days)),
            };
            let window = KpiWindow::new(start, end)?;
            Ok::<_, Failure>(scorecard(&t, window, &cfg)?)
        })
    })?;
    guard(|| pythonize::pythonize(py, &card.rows).map_err(|e| Failure::Internal(e.to_string())))
}
