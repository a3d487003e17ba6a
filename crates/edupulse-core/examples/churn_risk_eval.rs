//! The daily job's churn risk model on simulated students: which classifier should be its
//! default? For each seed and snapshot date, the risk model is trained on the history before the
//! snapshot (exactly as the job does), scores the students active at the snapshot, and is judged
//! on what they really did next: no activity in the following `horizon_days` (read from the
//! simulated future, which the model never sees) — the label the model is trained on — and on
//! the simulator's hidden truth: the student's dropout (`churned_at`) falls within the horizon.
//! Reports both AUCs and the fit time per classifier.
//!
//! `cargo run --release -p edupulse-core --example churn_risk_eval -- [STUDENTS] [SEEDS]`
//!
//! `SEEDS` is a comma-separated list (default `101,102,103`: seeds no test or tuning used).
//! Snapshots: days 180, 240 and 300 of the simulated year.

use chrono::Duration;
use edupulse_core::churn::risk::{features_as_of, training_set, RiskModel, RiskParams};
use edupulse_core::learn::{roc_auc, ModelKind};
use edupulse_core::simulate::{simulate_with_truth, SimConfig};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let students: usize = args.get(1).map_or(Ok(1500), |s| s.parse())?;
    let seeds: Vec<u64> = args
        .get(2)
        .map_or("101,102,103", |s| s.as_str())
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let kinds = [
        ModelKind::Logistic,
        ModelKind::Trees,
        ModelKind::Ensemble,
        ModelKind::Auto,
    ];
    let mut sums = vec![(0.0, 0.0, 0.0, 0usize); kinds.len()];
    println!("seed\tday\tstudents\tinactive\tmodel\tauc_inactive\tauc_dropout\tfit_s");
    for &seed in &seeds {
        let cfg = SimConfig {
            students,
            seed,
            ..SimConfig::default()
        };
        let (tables, truth_sim) = simulate_with_truth(&cfg)?;
        let dropout: std::collections::HashMap<&str, Option<chrono::DateTime<chrono::Utc>>> =
            truth_sim
                .students
                .iter()
                .map(|s| (s.student_id.as_str(), s.churned_at))
                .collect();
        for day in [180i64, 240, 300] {
            let Some(as_of) = (cfg.start + Duration::days(day)).and_hms_opt(23, 59, 59) else {
                continue;
            };
            let as_of = as_of.and_utc();
            let base = RiskParams::default();
            // The outcome: the label rows of a one-anchor training set ending `horizon` later
            // are the students of the snapshot, in the same order as `features_as_of`.
            let (ids, _) = features_as_of(&tables, as_of, &base)?;
            let truth = RiskParams {
                training_anchors: 1,
                ..base.clone()
            };
            let (_, y) = training_set(
                &tables,
                as_of + Duration::days(i64::from(base.horizon_days)),
                &truth,
            )?;
            if y.len() != ids.len() {
                return Err(format!("{} labels for {} students", y.len(), ids.len()).into());
            }
            let churned = y.iter().filter(|v| **v).count();
            for (k, kind) in kinds.iter().enumerate() {
                let mut params = base.clone();
                params.classifier.model = *kind;
                let t = Instant::now();
                let model = RiskModel::fit(&tables, as_of, &params)?;
                let fit_s = t.elapsed().as_secs_f64();
                if let Some(sel) = &model.classifier.selection {
                    eprintln!("{seed} day {day}: auto {sel:?}");
                }
                let scores = model.score(&tables, as_of)?;
                let by_id: std::collections::HashMap<&str, f64> = scores
                    .iter()
                    .map(|s| (s.student_id.as_str(), s.probability))
                    .collect();
                let p: Vec<f64> = ids
                    .iter()
                    .map(|id| {
                        by_id
                            .get(id.as_str())
                            .copied()
                            .ok_or("a student was not scored")
                    })
                    .collect::<Result<_, _>>()?;
                let auc = roc_auc(&p, &y)?;
                let horizon = as_of + Duration::days(i64::from(base.horizon_days));
                let dropped: Vec<bool> = ids
                    .iter()
                    .map(|id| {
                        dropout
                            .get(id.as_str())
                            .copied()
                            .flatten()
                            .is_some_and(|c| c <= horizon)
                    })
                    .collect();
                let auc_dropout = roc_auc(&p, &dropped)?;
                println!(
                    "{seed}\t{day}\t{}\t{churned}\t{kind:?}\t{auc:.4}\t{auc_dropout:.4}\t{fit_s:.2}",
                    ids.len()
                );
                if let Some(s) = sums.get_mut(k) {
                    s.0 += auc;
                    s.1 += auc_dropout;
                    s.2 += fit_s;
                    s.3 += 1;
                }
            }
        }
    }
    println!("\nmodel\tmean_auc_inactive\tmean_auc_dropout\tmean_fit_s\truns");
    for (kind, (auc, auc_d, fit, n)) in kinds.iter().zip(&sums) {
        let n = (*n).max(1) as f64;
        println!(
            "{kind:?}\t{:.4}\t{:.4}\t{:.2}\t{n}",
            auc / n,
            auc_d / n,
            fit / n
        );
    }
    Ok(())
}
