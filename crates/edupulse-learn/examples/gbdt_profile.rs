//! Profile the GBDT fit on bikeshare: fits `GbdtParams` (default, or LightGBM's settings with
//! `--lgbm`) `--repeat` times on the 80/20 training split and prints the median fit time, the
//! number of trees and the test R²; `--dump FILE` writes the test predictions (bit-exact hex) so
//! that a grower change can be checked not to move any prediction.
//!
//! ```text
//! cargo run --release -p edupulse-learn --example gbdt_profile -- [--lgbm] [--repeat 20] [--dump preds.txt]
//! perf record -g target/release/examples/gbdt_profile --repeat 50
//! ```

use edupulse_learn::{GbdtParams, GradientBoosting};
use std::path::PathBuf;
use std::time::Instant;

#[path = "../tests/common/bikeshare.rs"]
mod bikeshare_data;
use bikeshare_data::{load_bikeshare, rows, shared, split_indices, FEATURES};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    const P: usize = FEATURES.len();
    let mut repeat = 20usize;
    let mut lgbm = false;
    let mut dump: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--repeat" => repeat = args.next().ok_or("--repeat N")?.parse()?,
            "--lgbm" => lgbm = true,
            "--dump" => dump = Some(args.next().ok_or("--dump FILE")?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let (x, y) = load_bikeshare(&shared("bikeshare").join("Bikeshare.csv"))?;
    let split = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../edupulse-core/examples/bikeshare_test_idx.txt");
    let (train, test) = split_indices(&split, y.len())?;
    let (xtr, ytr) = rows(&x, &y, P, &train);
    let (xte, yte) = rows(&x, &y, P, &test);
    let params = if lgbm {
        GbdtParams {
            max_iter: 100,
            early_stopping: false,
            ..GbdtParams::default()
        }
    } else {
        GbdtParams::default()
    };
    let mut times = Vec::new();
    let mut model = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        model = Some(GradientBoosting::fit(&xtr, P, &ytr, &params)?);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let m = model.ok_or("no fit")?;
    let pred = m.predict(&xte, P)?;
    let mean = yte.iter().sum::<f64>() / yte.len() as f64;
    let ss_res: f64 = yte.iter().zip(&pred).map(|(t, p)| (t - p).powi(2)).sum();
    let ss_tot: f64 = yte.iter().map(|t| (t - mean).powi(2)).sum();
    println!(
        "fit {:.1} ms (median of {}; min {:.1}), {} trees, test R² {:.6}",
        times[times.len() / 2],
        times.len(),
        times[0],
        m.trees.len(),
        1.0 - ss_res / ss_tot
    );
    if let Some(path) = dump {
        let mut s: String = pred
            .iter()
            .map(|v| format!("{:016x}\n", v.to_bits()))
            .collect();
        // The interval's residuals and the validation losses (everything the fit computes).
        for v in m.residuals.iter().chain(&m.validation_loss) {
            s.push_str(&format!("{:016x}\n", v.to_bits()));
        }
        for v in &m.feature_importances {
            s.push_str(&format!("{:016x}\n", v.to_bits()));
        }
        std::fs::write(path, s)?;
    }
    Ok(())
}
