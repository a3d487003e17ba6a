//! Fit edupulse's random forest through `linfa::traits::Fit` on bikeshare and print the held-out
//! R² (linfa's metric) next to the slice API's.
//!
//! `cargo run --release --manifest-path examples/linfa-consumer/Cargo.toml [path/to/Bikeshare.csv]`

use edupulse_learn::{ForestParams, RandomForest};
use linfa::prelude::*;
use ndarray::{Array1, Array2};

const FEATURES: [&str; 9] = [
    "season",
    "hr",
    "holiday",
    "weekday",
    "workingday",
    "temp",
    "atemp",
    "hum",
    "windspeed",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/bikeshare/Bikeshare.csv".to_string());
    let mut rdr = csv::Reader::from_path(&path).map_err(|e| format!("{path}: {e}"))?;
    let h = rdr.headers()?.clone();
    let col = |n: &str| {
        h.iter()
            .position(|c| c == n)
            .ok_or(format!("no column {n}"))
    };
    let idx: Vec<usize> = FEATURES.iter().map(|n| col(n)).collect::<Result<_, _>>()?;
    let target = col("bikers")?;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for rec in rdr.records() {
        let rec = rec?;
        for &i in &idx {
            x.push(rec[i].parse::<f64>()?);
        }
        y.push(rec[target].parse::<f64>()?);
    }
    let n = y.len();
    let data = Dataset::new(
        Array2::from_shape_vec((n, FEATURES.len()), x)?,
        Array1::from(y),
    );
    // Every fifth hour held out.
    let (train_idx, test_idx): (Vec<usize>, Vec<usize>) = (0..n).partition(|i| i % 5 != 0);
    let train = Dataset::new(
        data.records().select(ndarray::Axis(0), &train_idx),
        data.targets().select(ndarray::Axis(0), &train_idx),
    );
    let test = Dataset::new(
        data.records().select(ndarray::Axis(0), &test_idx),
        data.targets().select(ndarray::Axis(0), &test_idx),
    );

    let params = ForestParams::default();
    let forest: RandomForest = params.fit(&train)?;
    let pred: Array1<f64> = Predict::predict(&forest, test.records());
    let r2 = pred.r2(test.targets())?;

    // The slice API on the same rows gives the same model and the same R².
    let p = FEATURES.len();
    let xs = train.records().as_slice().ok_or("layout")?;
    let ys = train.targets().as_slice().ok_or("layout")?;
    let same = RandomForest::fit(xs, p, ys, &params)?;
    let sp = same.predict(test.records().as_slice().ok_or("layout")?, p)?;
    let r2_slice = Array1::from(sp).r2(test.targets())?;
    if (r2 - r2_slice).abs() > 1e-12 {
        return Err(format!("linfa R² {r2} differs from the slice API's {r2_slice}").into());
    }
    println!(
        "bikeshare: {} train, {} test hours; forest(100) R² {r2:.5} (linfa), {r2_slice:.5} (slice API)",
        train.nsamples(),
        test.nsamples()
    );
    Ok(())
}
