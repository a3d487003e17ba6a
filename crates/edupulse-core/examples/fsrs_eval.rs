//! Evaluate FSRS-6 (default and fitted parameters) and SM-2 on a real Anki review log with a
//! 5-fold time-series split, the way srs-benchmark scores models (log loss, RMSE(bins), AUC over
//! the inter-day, non-first reviews of the test folds).
//!
//! ```text
//! cargo run --release -p edupulse-core --example fsrs_eval [-- path/to/review_logs_josh.csv]
//! ```
//! Prints one JSON object per model. The default path is ../shared/data/fsrs/review_logs_josh.csv.

use edupulse_core::repetition::eval::{
    evaluate_fsrs, evaluate_sm2, read_review_log, Dataset, EvalParams,
};
use edupulse_core::repetition::optimize::{cross_validate, fit, OptimizerParams};
use edupulse_core::repetition::sm2::Sm2Variant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/fsrs/review_logs_josh.csv".to_string());
    let log = read_review_log(std::path::Path::new(&path))?;
    let params = EvalParams::default();
    let ds = Dataset::new(&log, &params)?;
    let m = evaluate_fsrs(&ds, None, params.n_splits)?;
    println!(
        "{}",
        serde_json::json!({"model": "FSRS-6 default", "metrics": m})
    );
    let t = std::time::Instant::now();
    let m = cross_validate(&log, &OptimizerParams::default())?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"model": "FSRS-6 optimised (fit on earlier folds)", "metrics": m, "seconds_5_fits": secs})
    );
    for v in [
        Sm2Variant::Benchmark,
        Sm2Variant::Original,
        Sm2Variant::Anki,
    ] {
        let m = evaluate_sm2(&ds, v, params.n_splits)?;
        println!(
            "{}",
            serde_json::json!({"model": format!("SM-2 {v:?}"), "metrics": m})
        );
    }
    let fitted = fit(&log, &OptimizerParams::default())?;
    println!(
        "{}",
        serde_json::json!({"model": "FSRS-6 fitted on the whole log", "parameters": fitted.parameters, "train_log_loss": fitted.train_log_loss})
    );
    Ok(())
}
