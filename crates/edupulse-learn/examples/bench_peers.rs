//! edupulse-learn against its Rust peers, timed in-process, one JSON line per model.
//!
//! - **Bikeshare** (regression, the 80/20 split of `scripts/bench_demand.py`, test indices in
//!   `crates/edupulse-core/examples/bikeshare_test_idx.txt`): our `RandomForest` (defaults,
//!   1 thread and all threads), our `GradientBoosting` (defaults, single-threaded) and linfa-trees
//!   `DecisionTree` (defaults). linfa 0.8 has **no regression tree**: `DecisionTree` is a
//!   classifier, so it is fitted on the integer `bikers` counts as class labels (each leaf predicts
//!   its modal count) — the only way to get a bikeshare prediction out of linfa-trees.
//! - **Telco** (churn, the folds of `--folds`, e.g. scikit-learn's
//!   `StratifiedKFold(5, shuffle=True, random_state=0)` written by `scripts/bench_learn.py`; our
//!   `stratified_folds(y, 5, 0)` without it): our `Logistic` against `linfa-logistic`, both with
//!   `Σ logloss + ½‖β‖²` (our `l2 = 1`, linfa's `alpha = 1`, scikit-learn's `C = 1`; intercept
//!   unpenalised) on the very same encoded matrix per fold: tenure, MonthlyCharges and
//!   TotalCharges (blank → 0, as the script does) standardised, every other column one-hot
//!   (SeniorCitizen included), both learned on the training fold by our `Encoder`. Mean fold AUC;
//!   fit time = sum over the folds of the median of `--repeat` fits, encoding excluded.
//!
//! ```text
//! cargo run --release -p edupulse-learn --features linfa --example bench_peers -- \
//!     [--bikeshare Bikeshare.csv] [--split test_idx.txt] [--telco Telco.csv] [--folds folds.csv] \
//!     [--repeat 3] [--only bikeshare|telco]
//! ```
//!
//! Paths default to the first `shared/data/...` above the crate. Fit times are the median of
//! `--repeat` fits (3).

use edupulse_learn::{
    roc_auc, stratified_folds, ColumnData, Encoder, EncoderParams, ForestParams, GbdtParams,
    GradientBoosting, Logistic, LogisticParams, RandomForest, TabularData,
};
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use linfa_trees::DecisionTree;
use ndarray::{Array1, Array2};
use std::path::{Path, PathBuf};
use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

#[path = "../tests/common/bikeshare.rs"]
mod bikeshare_data;
use bikeshare_data::{load_bikeshare, r2, rows, shared, split_indices, FEATURES};

const TELCO_NUMERIC: [&str; 3] = ["tenure", "MonthlyCharges", "TotalCharges"];

/// Median fit time (seconds) of `repeat` calls and the last fitted value.
fn timed<T>(repeat: usize, mut fit: impl FnMut() -> Res<T>) -> Res<(T, f64)> {
    let mut times = Vec::with_capacity(repeat);
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        last = Some(fit()?);
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok((last.ok_or("no fit")?, times[times.len() / 2]))
}

fn emit(dataset: &str, model: &str, metric: &str, value: f64, fit_s: f64, note: &str) {
    let j = serde_json::json!({
        "dataset": dataset, "model": model, "metric": metric, "value": value,
        "fit_s": fit_s, "note": note,
    });
    println!("{j}");
}

fn bikeshare(path: &Path, split: &Path, repeat: usize) -> Res<()> {
    const P: usize = FEATURES.len();
    let (x, y) = load_bikeshare(path)?;
    let (train, test) = split_indices(split, y.len())?;
    let (xtr, ytr) = rows(&x, &y, P, &train);
    let (xte, yte) = rows(&x, &y, P, &test);

    for (n_jobs, label) in [(1usize, "1 thread"), (0, "all threads")] {
        let params = ForestParams {
            n_jobs,
            ..ForestParams::default()
        };
        let (m, t) = timed(repeat, || Ok(RandomForest::fit(&xtr, P, &ytr, &params)?))?;
        let pred = m.predict(&xte, P)?;
        emit(
            "bikeshare",
            &format!("edupulse RandomForest(100), {label}"),
            "r2",
            r2(&yte, &pred),
            t,
            "ForestParams::default()",
        );
    }
    let params = GbdtParams::default();
    let (m, t) = timed(repeat, || {
        Ok(GradientBoosting::fit(&xtr, P, &ytr, &params)?)
    })?;
    let pred = m.predict(&xte, P)?;
    emit(
        "bikeshare",
        "edupulse GradientBoosting, 1 thread",
        "r2",
        r2(&yte, &pred),
        t,
        &format!(
            "GbdtParams::default() (early stopping on 10% of train): {} trees",
            m.trees.len()
        ),
    );
    let params = GbdtParams {
        max_iter: 100,
        early_stopping: false,
        ..GbdtParams::default()
    };
    let (m, t) = timed(repeat, || {
        Ok(GradientBoosting::fit(&xtr, P, &ytr, &params)?)
    })?;
    let pred = m.predict(&xte, P)?;
    emit(
        "bikeshare",
        "edupulse GradientBoosting(100 iter, no early stop), 1 thread",
        "r2",
        r2(&yte, &pred),
        t,
        "LightGBM's / scikit-learn's defaults: 100 trees, 31 leaves, lr 0.1, 20 per leaf",
    );

    // linfa-trees: classification only; the counts are the classes.
    let xtr_a = Array2::from_shape_vec((ytr.len(), P), xtr.clone())?;
    let xte_a = Array2::from_shape_vec((yte.len(), P), xte.clone())?;
    let ytr_c: Array1<usize> = ytr.iter().map(|v| *v as usize).collect();
    let data = Dataset::new(xtr_a, ytr_c);
    let (tree, t) = timed(repeat, || Ok(DecisionTree::params().fit(&data)?))?;
    let pred: Array1<usize> = tree.predict(&xte_a);
    let pred: Vec<f64> = pred.iter().map(|c| *c as f64).collect();
    emit(
        "bikeshare",
        "linfa-trees DecisionTree, 1 thread",
        "r2",
        r2(&yte, &pred),
        t,
        "DecisionTree::params() (Gini, no depth limit); a classifier: bikers counts as class labels",
    );
    Ok(())
}

/// Telco as the script sees it: three numeric columns (TotalCharges blank → 0), every other
/// column categorical, customerID dropped; labels Churn == "Yes".
fn load_telco(path: &PathBuf) -> Res<(TabularData, Vec<bool>)> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let raw = TabularData::from_csv(&text)?;
    let mut data = TabularData::new();
    let mut y = None;
    for (name, col) in raw.names().iter().zip(raw.columns()) {
        match name.as_str() {
            "customerID" => {}
            "Churn" => {
                y = Some(
                    (0..col.len())
                        .map(|i| col.display(i) == "Yes")
                        .collect::<Vec<_>>(),
                )
            }
            n if TELCO_NUMERIC.contains(&n) => {
                let ColumnData::Numeric(v) = col else {
                    return Err(format!("{n} is not numeric").into());
                };
                let v: Vec<f64> = v
                    .iter()
                    .map(|x| if x.is_nan() { 0.0 } else { *x })
                    .collect();
                data.push(n, ColumnData::Numeric(v))?;
            }
            n => {
                let v: Vec<String> = (0..col.len()).map(|i| col.display(i)).collect();
                data.push(n, ColumnData::Categorical(v))?;
            }
        }
    }
    Ok((data, y.ok_or("no Churn column")?))
}

fn telco(path: &PathBuf, folds_file: Option<&PathBuf>, repeat: usize) -> Res<()> {
    let (data, y) = load_telco(path)?;
    let (folds, fold_note) = match folds_file {
        Some(f) => {
            let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
            let mut lines = text.lines();
            let head = lines.next().ok_or("empty folds file")?;
            let folds: Vec<usize> = lines
                .map(|l| l.split(',').next().unwrap_or("").trim().parse())
                .collect::<Result<_, _>>()?;
            (
                folds,
                format!("folds: first column ({head}) of the folds file"),
            )
        }
        None => (
            stratified_folds(&y, 5, 0)?,
            "folds: edupulse stratified_folds(y, 5, 0)".to_string(),
        ),
    };
    if folds.len() != y.len() {
        return Err(format!("{} folds for {} rows", folds.len(), y.len()).into());
    }
    let k = folds.iter().max().map_or(0, |m| m + 1);
    let ours = LogisticParams::default();
    let (mut auc_ours, mut auc_linfa, mut t_ours, mut t_linfa) = (0.0, 0.0, 0.0, 0.0);
    let mut p_enc = 0;
    for fold in 0..k {
        let train: Vec<usize> = (0..y.len()).filter(|&i| folds[i] != fold).collect();
        let test: Vec<usize> = (0..y.len()).filter(|&i| folds[i] == fold).collect();
        let (dtr, dte) = (data.take(&train), data.take(&test));
        let ytr: Vec<bool> = train.iter().map(|&i| y[i]).collect();
        let yte: Vec<bool> = test.iter().map(|&i| y[i]).collect();
        let enc = Encoder::fit(&dtr, &EncoderParams::default())?;
        let p = enc.n_features();
        p_enc = p;
        let (xtr, xte) = (enc.transform(&dtr)?, enc.transform(&dte)?);

        let (m, t) = timed(repeat, || Ok(Logistic::fit(&xtr, p, &ytr, &ours)?))?;
        auc_ours += roc_auc(&m.predict_proba(&xte, p)?, &yte)?;
        t_ours += t;

        let xtr_a = Array2::from_shape_vec((ytr.len(), p), xtr.clone())?;
        let xte_a = Array2::from_shape_vec((yte.len(), p), xte.clone())?;
        let ds = Dataset::new(xtr_a, Array1::from(ytr.clone()));
        let (m, t) = timed(repeat, || {
            Ok(LogisticRegression::default().alpha(1.0).fit(&ds)?)
        })?;
        // linfa's positive class is the larger label (true).
        let proba = m.predict_probabilities(&xte_a);
        let proba = if m.labels().pos.class {
            proba
        } else {
            proba.mapv(|v| 1.0 - v)
        };
        auc_linfa += roc_auc(proba.as_slice().ok_or("layout")?, &yte)?;
        t_linfa += t;
    }
    let kf = k as f64;
    let note = format!("{fold_note}; {p_enc} encoded features; fit time summed over {k} folds");
    emit(
        "telco",
        "edupulse Logistic (Newton)",
        "auc",
        auc_ours / kf,
        t_ours,
        &format!("LogisticParams::default() (l2 = 1); {note}"),
    );
    emit(
        "telco",
        "linfa-logistic LogisticRegression",
        "auc",
        auc_linfa / kf,
        t_linfa,
        &format!("alpha = 1, max_iterations 100, gradient_tolerance 1e-4 (defaults); {note}"),
    );
    Ok(())
}

fn main() -> Res<()> {
    let mut bike = shared("bikeshare/Bikeshare.csv");
    let mut split = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../edupulse-core/examples/bikeshare_test_idx.txt");
    let mut telco_csv = shared("telco/Telco-Customer-Churn.csv");
    let mut folds = None;
    let mut repeat = 3usize;
    let mut only = String::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--bikeshare" => bike = PathBuf::from(val()?),
            "--split" => split = PathBuf::from(val()?),
            "--telco" => telco_csv = PathBuf::from(val()?),
            "--folds" => folds = Some(PathBuf::from(val()?)),
            "--repeat" => repeat = val()?.parse()?,
            "--only" => only = val()?,
            _ => return Err(format!("unknown argument {a}").into()),
        }
    }
    if only.is_empty() || only == "bikeshare" {
        bikeshare(&bike, &split, repeat)?;
    }
    if only.is_empty() || only == "telco" {
        telco(&telco_csv, folds.as_ref(), repeat)?;
    }
    Ok(())
}
