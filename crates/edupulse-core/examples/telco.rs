//! Telco churn evaluation of the shared tabular classifier: stratified 5-fold AUC of logistic
//! regression and boosted trees on IBM Telco (7,043 customers).
//!
//! `cargo run --release -p edupulse-core --example telco [path/to/Telco-Customer-Churn.csv]`

use edupulse_core::learn::{
    cross_validate, BoostParams, ClassifierParams, ColumnData, ModelKind, TabularData, TreeParams,
};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/telco/Telco-Customer-Churn.csv".to_string());
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let mut data = TabularData::from_csv(&text)?;
    data.remove("customerID");
    let Some(ColumnData::Categorical(churn)) = data.remove("Churn") else {
        return Err("no categorical Churn column".into());
    };
    let y: Vec<bool> = churn.iter().map(|v| v == "Yes").collect();
    println!(
        "{} customers, {} columns, churn rate {:.3}",
        data.n_rows(),
        data.n_columns(),
        y.iter().filter(|v| **v).count() as f64 / y.len() as f64
    );
    let stumps = BoostParams {
        n_trees: 400,
        learning_rate: 0.1,
        tree: TreeParams {
            max_depth: 1,
            min_child_weight: 10.0,
            ..TreeParams::default()
        },
    };
    let only = std::env::var("ONLY").unwrap_or_default();
    for (name, model, boost) in [
        ("logistic", ModelKind::Logistic, BoostParams::default()),
        ("trees", ModelKind::Trees, BoostParams::default()),
        ("stumps", ModelKind::Trees, stumps),
    ] {
        if !only.is_empty() && only != name {
            continue;
        }
        let mut params = ClassifierParams {
            model,
            boost,
            ..ClassifierParams::default()
        };
        // Optional overrides for exploring: TREES=n_trees,learning_rate,max_depth,min_child_weight
        if let (ModelKind::Trees, Ok(spec)) = (model, std::env::var("TREES")) {
            let v: Vec<f64> = spec.split(',').filter_map(|x| x.parse().ok()).collect();
            if v.len() == 4 {
                params.boost.n_trees = v[0] as usize;
                params.boost.learning_rate = v[1];
                params.boost.tree.max_depth = v[2] as usize;
                params.boost.tree.min_child_weight = v[3];
            }
        }
        if let Ok(v) = std::env::var("BINS") {
            params.numeric_bins = v.parse()?;
        }
        if let Ok(v) = std::env::var("L2") {
            params.l2 = v.parse()?;
        }
        if std::env::var("NO_CALIBRATION").is_ok() {
            params.calibration_folds = 0;
        }
        let t = Instant::now();
        let r = cross_validate(&data, &y, &params, 5, 0)?;
        println!(
            "{name:9} 5-fold AUC {:.4} (folds {}) pooled {:.4} log loss {:.4}  [{:.2} s]",
            r.mean_auc,
            r.fold_auc
                .iter()
                .map(|a| format!("{a:.4}"))
                .collect::<Vec<_>>()
                .join(" "),
            r.pooled_auc,
            r.log_loss,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
