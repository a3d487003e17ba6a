//! Do planned webinars per day help the revenue forecast? Rolling-origin backtest of the job's
//! forecaster on the simulated business's daily revenue, with and without the webinar
//! regressors of `[job.forecast] webinar_regressors` (docs/forecast.md).
//!
//! `cargo run --release -p edupulse-core --example forecast_regressors -- [--students 2000]
//! [--seeds 1,2,3] [--windows 5]`
//!
//! Prints one JSON line per seed and setting: mean MASE, sMAPE and 80 % / 95 % coverage over the
//! windows, and the candidate each window chose.

use edupulse_core::clock::LocalClock;
use edupulse_core::forecast::step::{daily_revenue_in, webinar_regressors, ForecastConfig};
use edupulse_core::forecast::Forecaster;
use edupulse_core::simulate::{simulate, SimConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let students: usize = opt("--students").map_or(Ok(2000), |v| v.parse())?;
    let windows: usize = opt("--windows").map_or(Ok(5), |v| v.parse())?;
    let seeds: Vec<u64> = opt("--seeds")
        .unwrap_or_else(|| "1,2,3".into())
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let cfg = ForecastConfig::default();
    let clock = LocalClock::UTC;
    for seed in seeds {
        let sim = SimConfig {
            students,
            seed,
            ..SimConfig::default()
        };
        let tables = simulate(&sim)?;
        let as_of = edupulse_core::model::end_of_day(sim.end_date());
        let history = daily_revenue_in(&tables, as_of, cfg.history_days, &clock);
        let (Some(first), Some(last)) = (history.first(), history.last()) else {
            continue;
        };
        let end = last.0 + chrono::Duration::days(cfg.params.horizon as i64);
        let regs = webinar_regressors(&tables, first.0, end, &clock)?;
        for with in [false, true] {
            let t0 = std::time::Instant::now();
            let f = if with {
                Forecaster::fit_with(&history, &regs, &cfg.params)?
            } else {
                Forecaster::fit(&history, &cfg.params)?
            };
            let scores = f.backtest_scores(windows)?;
            let mean = |v: Vec<f64>| v.iter().sum::<f64>() / v.len().max(1) as f64;
            let mase = mean(scores.iter().filter_map(|s| s.mase).collect());
            let smape = mean(scores.iter().filter_map(|s| s.smape).collect());
            let cov = |k: usize| {
                mean(
                    scores
                        .iter()
                        .filter_map(|s| s.coverage.get(k).and_then(|c| c.1))
                        .collect(),
                )
            };
            println!(
                "{}",
                serde_json::json!({
                    "seed": seed, "days": history.len(), "webinar_regressors": with,
                    "mase": mase, "smape": smape, "cov80": cov(0), "cov95": cov(1),
                    "chosen": scores.iter().map(|s| s.model.name()).collect::<Vec<_>>(),
                    "seconds": t0.elapsed().as_secs_f64(),
                })
            );
        }
    }
    Ok(())
}
