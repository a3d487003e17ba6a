//! Rolling-origin evaluation of `edupulse_core::forecast` on a `ds,y` CSV (docs/forecast.md).
//!
//! `cargo run --release -p edupulse-core --example forecast_eval -- FILE [--windows 5]
//! [--h 30] [--offset 0] [--params JSON]`
//!
//! Windows are positional over the rows present (as `statsforecast.cross_validation`): window w
//! trains on the rows before it (gaps interpolated by the forecaster) and is scored on its `h` rows.
//! `--offset k` moves every window `k·h` rows back (tuning on earlier windows). Prints one JSON
//! object per scored row.

use chrono::NaiveDate;
use edupulse_core::forecast::{Forecaster, ForecasterParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or("usage: forecast_eval FILE [options]")?;
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let windows: usize = opt("--windows").map_or(Ok(5), |v| v.parse())?;
    let h: usize = opt("--h").map_or(Ok(30), |v| v.parse())?;
    let offset: usize = opt("--offset").map_or(Ok(0), |v| v.parse())?;
    let mut params: ForecasterParams = match opt("--params") {
        Some(j) => serde_json::from_str(&j)?,
        None => ForecasterParams::default(),
    };
    let mut rdr = csv::Reader::from_path(path)?;
    let mut rows: Vec<(NaiveDate, f64)> = Vec::new();
    for r in rdr.records() {
        let r = r?;
        rows.push((NaiveDate::parse_from_str(&r[0], "%Y-%m-%d")?, r[1].parse()?));
    }
    let n = rows.len();
    for w in 0..windows {
        let cut = n - (windows - w + offset) * h;
        let train = &rows[..cut];
        let test = &rows[cut..cut + h];
        let span = (test[h - 1].0 - train[cut - 1].0).num_days() as usize;
        params.horizon = span;
        let t0 = std::time::Instant::now();
        let f = Forecaster::fit(train, &params)?;
        let secs = t0.elapsed().as_secs_f64();
        let pred = f.predict();
        eprintln!(
            "window {} cutoff {} chosen {} origins {} scores {:?} notes {:?} ({secs:.2} s)",
            w + 1,
            train[cut - 1].0,
            f.chosen.name(),
            f.origins,
            f.scores
                .iter()
                .map(|s| (s.candidate.name(), (s.mase * 1000.0).round() / 1000.0))
                .collect::<Vec<_>>(),
            f.notes
        );
        for (d, y) in test {
            let p = pred
                .iter()
                .find(|p| p.date == *d)
                .ok_or("forecast date missing")?;
            println!(
                "{}",
                serde_json::json!({
                    "window": w + 1, "ds": d.to_string(), "y": y, "model": f.chosen.name(),
                    "mean": p.mean, "lo_80": p.bands[0].lo, "hi_80": p.bands[0].hi,
                    "lo_95": p.bands[1].lo, "hi_95": p.bands[1].hi, "fit_seconds": secs,
                })
            );
        }
    }
    Ok(())
}
