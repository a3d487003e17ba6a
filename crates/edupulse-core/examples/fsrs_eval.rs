//! Evaluate FSRS-6 (default and fitted parameters) and SM-2 on a real Anki review log with a
//! 5-fold time-series split, the way srs-benchmark scores models.
//!
//! ```text
//! cargo run --release -p edupulse-core --example fsrs_eval [-- path/to/review_logs_josh.csv]
//! ```
//! Prints one JSON object per model.

use edupulse_core::model::parse_datetime;
use edupulse_core::repetition::eval::{
    evaluate_fsrs, evaluate_sm2, Dataset, EvalParams, LogReview,
};
use edupulse_core::repetition::sm2::Sm2Variant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/fsrs/review_logs_josh.csv".to_string());
    let mut rdr = csv::Reader::from_path(&path)?;
    let mut log = Vec::new();
    for rec in rdr.records() {
        let rec = rec?;
        log.push(LogReview {
            card_id: rec[0].to_string(),
            rating: rec[1].parse()?,
            review_time: parse_datetime(&rec[2])?,
        });
    }
    let params = EvalParams::default();
    let ds = Dataset::new(&log, &params)?;
    let m = evaluate_fsrs(&ds, None, params.n_splits)?;
    println!(
        "{}",
        serde_json::json!({"model": "FSRS-6 default", "metrics": m})
    );
    for v in [Sm2Variant::Original, Sm2Variant::Anki] {
        let m = evaluate_sm2(&ds, v, params.n_splits)?;
        println!(
            "{}",
            serde_json::json!({"model": format!("SM-2 {v:?}"), "metrics": m})
        );
    }
    Ok(())
}
