//! Bikeshare (`../shared/data/bikeshare`) as the learners' benchmarks and tests read it: the 11
//! features of `scripts/bench_demand.py`, row-major, and the `bikers` target. Shared by
//! `tests/linfa_bikeshare.rs` and `examples/bench_peers.rs` (`#[path]` module).

use std::path::Path;

/// `mnth` values, January first.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec",
];
/// The feature columns, in matrix order.
pub const FEATURES: [&str; 11] = [
    "season",
    "mnth",
    "hr",
    "holiday",
    "weekday",
    "workingday",
    "weathersit",
    "temp",
    "atemp",
    "hum",
    "windspeed",
];
/// Bikeshare's 11 features (as in `scripts/bench_demand.py`), row-major, and `bikers`.
pub fn load_bikeshare(path: &Path) -> Result<(Vec<f64>, Vec<f64>), Box<dyn std::error::Error>> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let h = rdr.headers()?.clone();
    let col = |name: &str| h.iter().position(|c| c == name).ok_or(format!("no {name}"));
    let idx: Vec<usize> = FEATURES.iter().map(|n| col(n)).collect::<Result<_, _>>()?;
    let target = col("bikers")?;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for rec in rdr.records() {
        let rec = rec?;
        for (name, &i) in FEATURES.iter().zip(&idx) {
            let v = &rec[i];
            x.push(match *name {
                "mnth" => MONTHS
                    .iter()
                    .position(|m| *m == v)
                    .map(|k| k as f64 + 1.0)
                    .ok_or(format!("month {v}"))?,
                "weathersit" => match v {
                    "clear" => 1.0,
                    "cloudy/misty" => 2.0,
                    "light rain/snow" => 3.0,
                    "heavy rain/snow" => 4.0,
                    _ => return Err(format!("weathersit {v}").into()),
                },
                _ => v.parse()?,
            });
        }
        y.push(rec[target].parse()?);
    }
    Ok((x, y))
}
