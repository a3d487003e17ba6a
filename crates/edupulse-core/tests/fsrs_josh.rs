//! FSRS-6 on the real Anki review log ../shared/data/fsrs/review_logs_josh.csv (skipped with a
//! message when the file is absent; CI has it). Reference figures from the issue (srs-benchmark
//! scoring, 5-fold time-series split): FSRS-6 default log loss 0.4455, RMSE(bins) 0.0694,
//! AUC 0.678; optimised RMSE(bins) 0.0496 (target ≤ 0.050); SM-2 0.5275 / 0.0986 / 0.581, which
//! is srs-benchmark's `SM2-trainable` at its initial weights ([`Sm2Variant::Benchmark`]).

use edupulse_core::repetition::eval::{
    evaluate_fsrs, evaluate_sm2, read_review_log, Dataset, EvalParams,
};
use edupulse_core::repetition::optimize::{cross_validate, OptimizerParams};
use edupulse_core::repetition::sm2::Sm2Variant;
use std::path::PathBuf;

fn josh() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut candidates = vec![
        root.join("../shared/data/fsrs/review_logs_josh.csv"),
        root.join("../../shared/data/fsrs/review_logs_josh.csv"),
    ];
    if let Ok(d) = std::env::var("EDUPULSE_DATA") {
        candidates.insert(0, PathBuf::from(d).join("fsrs/review_logs_josh.csv"));
    }
    let found = candidates.into_iter().find(|p| p.exists());
    if found.is_none() {
        eprintln!("review_logs_josh.csv not found: skipping");
    }
    found
}

#[test]
fn default_parameters_match_the_reference_figures() {
    let Some(path) = josh() else { return };
    let log = read_review_log(&path).unwrap();
    assert_eq!(log.len(), 12_580);
    let ds = Dataset::new(&log, &EvalParams::default()).unwrap();
    let m = evaluate_fsrs(&ds, None, 5).unwrap();
    assert!((m.log_loss - 0.4455).abs() < 0.001, "{m:?}");
    assert!((m.rmse_bins - 0.0694).abs() < 0.001, "{m:?}");
    assert!((m.auc - 0.678).abs() < 0.001, "{m:?}");
}

#[test]
fn optimised_parameters_beat_the_target() {
    let Some(path) = josh() else { return };
    let log = read_review_log(&path).unwrap();
    // 50 Adam steps instead of the default 100 keep the debug-mode test short (release, default:
    // RMSE(bins) 0.0411; 50 steps: 0.0421).
    let p = OptimizerParams {
        iterations: 50,
        ..OptimizerParams::default()
    };
    let m = cross_validate(&log, &p).unwrap();
    assert!(m.rmse_bins <= 0.050, "{m:?}");
    assert!(m.log_loss < 0.4455, "{m:?}");
}

#[test]
fn sm2_baseline_matches_the_reference_figures() {
    let Some(path) = josh() else { return };
    let log = read_review_log(&path).unwrap();
    let ds = Dataset::new(&log, &EvalParams::default()).unwrap();
    let m = evaluate_sm2(&ds, Sm2Variant::Benchmark, 5).unwrap();
    assert!((m.log_loss - 0.5275).abs() < 0.001, "{m:?}");
    assert!((m.rmse_bins - 0.0986).abs() < 0.001, "{m:?}");
    assert!((m.auc - 0.581).abs() < 0.001, "{m:?}");
    // srs-benchmark's plain `sm2()` (a lapse restarts at 1 day, then 1 again) ranks reviews
    // differently: its AUC is far from the reference, so it is not the SM-2 that was measured.
    let o = evaluate_sm2(&ds, Sm2Variant::Original, 5).unwrap();
    assert!((o.auc - 0.581).abs() > 0.02, "{o:?}");
}
