//! Bikeshare hourly demand: R², MAE and fit time of edupulse's random forest and GBDT on the
//! 80/20 split scikit-learn draws with `train_test_split(random_state=42)` (its test indices are
//! in `bikeshare_test_idx.txt`, written and checked by `scripts/bench_demand.py`).
//!
//! `cargo run --release -p edupulse-core --example bikeshare_eval [path/to/Bikeshare.csv]`
//!
//! Features as in the script: season, month (1–12), hour, holiday, weekday, workingday,
//! weathersit (ordinal 1–4), temp, atemp, hum, windspeed; target: bikers.

use edupulse_core::learn::{ForestParams, GbdtParams, GradientBoosting, RandomForest};
use std::collections::HashSet;
use std::time::Instant;

// The one bikeshare loader (shared with edupulse-learn's linfa test and peers benchmark).
#[path = "../../edupulse-learn/tests/common/bikeshare.rs"]
mod bikeshare_data;
use bikeshare_data::{load_bikeshare as load, FEATURES};

const P: usize = FEATURES.len();

fn r2_mae(y: &[f64], p: &[f64]) -> (f64, f64) {
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let ss_tot: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    let ss_res: f64 = y.iter().zip(p).map(|(a, b)| (a - b).powi(2)).sum();
    let mae = y.iter().zip(p).map(|(a, b)| (a - b).abs()).sum::<f64>() / y.len() as f64;
    (1.0 - ss_res / ss_tot, mae)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Default: the first `shared/data/bikeshare/Bikeshare.csv` above the current directory.
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        let cwd = std::env::current_dir().unwrap_or_default();
        cwd.ancestors()
            .map(|d| d.join("shared/data/bikeshare/Bikeshare.csv"))
            .find(|p| p.exists())
            .map_or_else(
                || "../shared/data/bikeshare/Bikeshare.csv".to_string(),
                |p| p.display().to_string(),
            )
    });
    let (x, y) = load(std::path::Path::new(&path))?;
    let split = include_str!("bikeshare_test_idx.txt");
    let test: Vec<usize> = split.lines().map(str::parse).collect::<Result<_, _>>()?;
    let in_test: HashSet<usize> = test.iter().copied().collect();
    let train: Vec<usize> = (0..y.len()).filter(|i| !in_test.contains(i)).collect();
    let rows = |idx: &[usize]| -> (Vec<f64>, Vec<f64>) {
        (
            idx.iter()
                .flat_map(|&i| x[i * P..(i + 1) * P].iter().copied())
                .collect(),
            idx.iter().map(|&i| y[i]).collect(),
        )
    };
    let (xtr, ytr) = rows(&train);
    let (xte, yte) = rows(&test);
    println!(
        "bikeshare: {} train rows, {} test rows, {P} features",
        ytr.len(),
        yte.len()
    );
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    for n_jobs in [1usize, 0] {
        let params = ForestParams {
            n_jobs,
            ..ForestParams::default()
        };
        let mut times = Vec::new();
        let mut model = None;
        for _ in 0..3 {
            let t = Instant::now();
            model = Some(RandomForest::fit(&xtr, P, &ytr, &params)?);
            times.push(t.elapsed().as_secs_f64());
        }
        let model = model.ok_or("no fit")?;
        let pred = model.predict(&xte, P)?;
        let (r2, mae) = r2_mae(&yte, &pred);
        let iv = model.predict_interval(&xte, P, 0.1)?;
        let cover = iv
            .iter()
            .zip(&yte)
            .filter(|(i, y)| i.lower <= **y && **y <= i.upper)
            .count() as f64
            / yte.len() as f64;
        println!(
            "edupulse forest(100), n_jobs={n_jobs:<2}  R2 {r2:.5}  MAE {mae:7.3}  fit {:8.1} ms  90% QRF coverage {cover:.3}",
            median(times) * 1000.0
        );
        if n_jobs == 0 {
            let imp: Vec<String> = model
                .feature_importances
                .iter()
                .map(|v| format!("{v:.3}"))
                .collect();
            println!("  importances {}", imp.join(" "));
        }
    }
    for (name, params) in [
        (
            "gbdt sklearn's defaults",
            GbdtParams {
                max_iter: 100,
                early_stopping: false,
                ..GbdtParams::default()
            },
        ),
        ("gbdt (defaults)", GbdtParams::default()),
    ] {
        let mut times = Vec::new();
        let mut model = None;
        for _ in 0..3 {
            let t = Instant::now();
            model = Some(GradientBoosting::fit(&xtr, P, &ytr, &params)?);
            times.push(t.elapsed().as_secs_f64());
        }
        let model = model.ok_or("no fit")?;
        let pred = model.predict(&xte, P)?;
        let (r2, mae) = r2_mae(&yte, &pred);
        let iv = model.predict_interval(&xte, P, 0.1)?;
        let cover = iv
            .iter()
            .zip(&yte)
            .filter(|(i, y)| i.lower <= **y && **y <= i.upper)
            .count() as f64
            / yte.len() as f64;
        println!(
            "edupulse {name:<28} R2 {r2:.5}  MAE {mae:7.3}  fit {:8.1} ms  {} trees  90% coverage {cover:.3}",
            median(times) * 1000.0,
            model.trees.len()
        );
    }
    Ok(())
}
