//! Telco churn evaluation of the shared tabular classifier: stratified 5-fold AUC of logistic
//! regression, boosted trees and their ensemble (all with default parameters) on IBM Telco
//! (7,043 customers), over several fold shuffles.
//!
//! `cargo run --release -p edupulse-core --example telco [path/to/Telco-Customer-Churn.csv]
//! [--seeds 0,1,2] [--folds folds.csv]`
//!
//! `--folds` reads a fold assignment instead (a CSV with a header and one column per shuffle,
//! one row per customer, folds numbered from 0 — `scripts/telco_peers.py` writes scikit-learn's
//! `StratifiedKFold` there so both libraries are scored on the very same splits). `ONLY=name`
//! runs some models (comma-separated); `PARAMS` = JSON of
//! `ClassifierParams` overrides the defaults; `JSON=1` prints one JSON line per model and shuffle.

use edupulse_core::learn::{
    cross_validate_folds, stratified_folds, ClassifierParams, ColumnData, ModelKind, TabularData,
};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut path = "../shared/data/telco/Telco-Customer-Churn.csv".to_string();
    let mut seeds: Vec<u64> = vec![0, 1, 2];
    let mut folds_file: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seeds" => {
                seeds = args
                    .next()
                    .ok_or("--seeds needs a value")?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            "--folds" => folds_file = Some(args.next().ok_or("--folds needs a file")?),
            _ => path = a,
        }
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let mut data = TabularData::from_csv(&text)?;
    data.remove("customerID");
    let Some(ColumnData::Categorical(churn)) = data.remove("Churn") else {
        return Err("no categorical Churn column".into());
    };
    let y: Vec<bool> = churn.iter().map(|v| v == "Yes").collect();
    let json = std::env::var("JSON").is_ok();
    if !json {
        println!(
            "{} customers, {} columns, churn rate {:.3}",
            data.n_rows(),
            data.n_columns(),
            y.iter().filter(|v| **v).count() as f64 / y.len() as f64
        );
    }
    // One fold assignment per shuffle: ours (seeded) or read from the file.
    let splits: Vec<(String, Vec<usize>)> = match &folds_file {
        Some(f) => {
            let text = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
            let t = TabularData::from_csv(&text)?;
            t.names()
                .iter()
                .zip(t.columns())
                .map(|(name, c)| match c {
                    ColumnData::Numeric(v) => {
                        Ok((name.clone(), v.iter().map(|x| *x as usize).collect()))
                    }
                    _ => Err(format!("{f}: column {name} is not numeric")),
                })
                .collect::<Result<_, _>>()?
        }
        None => seeds
            .iter()
            .map(|&s| Ok((format!("seed{s}"), stratified_folds(&y, 5, s)?)))
            .collect::<Result<_, edupulse_core::CoreError>>()?,
    };
    let only = std::env::var("ONLY").unwrap_or_default();
    for model in [ModelKind::Logistic, ModelKind::Trees, ModelKind::Ensemble] {
        let name = model.as_str();
        if !only.is_empty() && !only.split(',').any(|o| o == name) {
            continue;
        }
        // PARAMS='{"l2": 10}' (JSON of ClassifierParams) overrides defaults, for exploring.
        let base: ClassifierParams = match std::env::var("PARAMS") {
            Ok(j) => serde_json::from_str(&j)?,
            Err(_) => ClassifierParams::default(),
        };
        let params = ClassifierParams { model, ..base };
        let mut means = Vec::new();
        for (split, folds) in &splits {
            let t = Instant::now();
            let r = cross_validate_folds(&data, &y, &params, folds)?;
            let secs = t.elapsed().as_secs_f64();
            means.push(r.mean_auc);
            if json {
                println!(
                    "{{\"model\": \"{name}\", \"split\": \"{split}\", \"mean_auc\": {:.6}, \"pooled_auc\": {:.6}, \"log_loss\": {:.6}, \"seconds\": {secs:.3}}}",
                    r.mean_auc, r.pooled_auc, r.log_loss
                );
            } else {
                println!(
                    "{name:9} {split:6} 5-fold AUC {:.4} (folds {}) pooled {:.4} log loss {:.4}  [{secs:.2} s]",
                    r.mean_auc,
                    r.fold_auc
                        .iter()
                        .map(|a| format!("{a:.4}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    r.pooled_auc,
                    r.log_loss,
                );
            }
        }
        if !json {
            println!(
                "{name:9} mean over {} shuffles {:.4} (min {:.4})",
                means.len(),
                means.iter().sum::<f64>() / means.len() as f64,
                means.iter().copied().fold(f64::INFINITY, f64::min)
            );
        }
    }
    Ok(())
}
