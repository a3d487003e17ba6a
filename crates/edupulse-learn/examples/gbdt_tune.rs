//! Choose GBDT defaults by inner cross-validation on the bikeshare **training** split only (the
//! 1,729 test hours of `bikeshare_test_idx.txt` are never read): 5-fold CV (rows shuffled with
//! seed 0) of a small grid of learning rates and early-stopping patiences, printing mean CV R²,
//! mean trees and mean fit time per configuration.
//!
//! ```text
//! cargo run --release -p edupulse-learn --example gbdt_tune
//! ```

use edupulse_learn::{GbdtParams, GradientBoosting};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;
use std::time::Instant;

#[path = "../tests/common/bikeshare.rs"]
mod bikeshare_data;
use bikeshare_data::{load_bikeshare, r2, rows, shared, split_indices, FEATURES};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    const P: usize = FEATURES.len();
    const K: usize = 5;
    let (x, y) = load_bikeshare(&shared("bikeshare").join("Bikeshare.csv"))?;
    let split = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../edupulse-core/examples/bikeshare_test_idx.txt");
    let (mut train, _) = split_indices(&split, y.len())?;
    train.shuffle(&mut ChaCha8Rng::seed_from_u64(0));
    let rows = |idx: &[usize]| rows(&x, &y, P, idx);
    // Fold k validates on the rows at shuffled positions ≡ k (mod K) and fits on the others.
    let folds: Vec<(Vec<usize>, Vec<usize>)> = (0..K)
        .map(|k| {
            let pick = |keep: bool| -> Vec<usize> {
                train
                    .iter()
                    .enumerate()
                    .filter(|(pos, _)| (pos % K == k) != keep)
                    .map(|(_, &i)| i)
                    .collect()
            };
            (pick(true), pick(false))
        })
        .collect();
    println!("| learning_rate | n_iter_no_change | validation_fraction | CV R² | trees | fit ms |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for lr in [0.1, 0.15, 0.2, 0.25, 0.3] {
        for patience in [5usize, 10] {
            for vf in [0.1] {
                let params = GbdtParams {
                    learning_rate: lr,
                    n_iter_no_change: patience,
                    validation_fraction: vf,
                    ..GbdtParams::default()
                };
                let (mut s, mut trees, mut ms) = (0.0, 0.0, 0.0);
                for (fit_idx, val_idx) in &folds {
                    let (xf, yf) = rows(fit_idx);
                    let (xv, yv) = rows(val_idx);
                    let t = Instant::now();
                    let m = GradientBoosting::fit(&xf, P, &yf, &params)?;
                    ms += t.elapsed().as_secs_f64() * 1e3;
                    s += r2(&yv, &m.predict(&xv, P)?);
                    trees += m.trees.len() as f64;
                }
                let k = K as f64;
                println!(
                    "| {lr} | {patience} | {vf} | {:.4} | {:.0} | {:.1} |",
                    s / k,
                    trees / k,
                    ms / k
                );
            }
        }
    }
    Ok(())
}
