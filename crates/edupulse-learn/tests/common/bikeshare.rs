//! Bikeshare (`../shared/data/bikeshare`) as the learners' benchmarks and tests read it: the 11
//! features of `scripts/bench_demand.py`, row-major, and the `bikers` target; where the shared data
//! is, the committed 80/20 split and R². Shared by `tests/linfa_bikeshare.rs` and the examples
//! `bench_peers`, `gbdt_profile`, `gbdt_tune` (`#[path]` module; not every includer uses every
//! item, hence the `dead_code` allowances).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// `shared/data/<name>` in the nearest ancestor of the crate that has it (else `../shared/data`).
#[allow(dead_code)]
pub fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared").join("data").join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("../shared/data").join(name))
}

/// The rows of `idx` of a row-major matrix with `p` columns, and their targets.
#[allow(dead_code)]
pub fn rows(x: &[f64], y: &[f64], p: usize, idx: &[usize]) -> (Vec<f64>, Vec<f64>) {
    (
        idx.iter()
            .flat_map(|&i| x[i * p..(i + 1) * p].iter().copied())
            .collect(),
        idx.iter().map(|&i| y[i]).collect(),
    )
}

/// The committed 80/20 split (`split`: one test row index per line): `(train, test)` indices.
#[allow(dead_code)]
pub fn split_indices(
    split: &Path,
    n: usize,
) -> Result<(Vec<usize>, Vec<usize>), Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(split).map_err(|e| format!("{}: {e}", split.display()))?;
    let test: Vec<usize> = text.lines().map(str::parse).collect::<Result<_, _>>()?;
    let in_test: HashSet<usize> = test.iter().copied().collect();
    Ok(((0..n).filter(|i| !in_test.contains(i)).collect(), test))
}

/// R² of `pred` against `y`.
#[allow(dead_code)]
pub fn r2(y: &[f64], pred: &[f64]) -> f64 {
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let ss_res: f64 = y.iter().zip(pred).map(|(t, p)| (t - p).powi(2)).sum();
    let ss_tot: f64 = y.iter().map(|t| (t - mean).powi(2)).sum();
    1.0 - ss_res / ss_tot
}

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
