//! The experiments step of the daily job.
//!
//! Writes `experiment_results` (one row per experiment × variant against control: counts, the
//! Bayesian lift with its credible interval, chance to win and risks, the always-valid and
//! fixed-horizon p-values, SRM, decision and reason in English and Spanish) and
//! `experiment_looks` (the sequential p-values at every look, for the chart over time). An alert
//! goes to the outbox once per decided experiment (dedupe key `experiments:decided:<id>`; a
//! rerun or a later day sends nothing new) and once per experiment whose split is broken
//! (`experiments:srm:<id>`).

use super::analysis::{analyze, AnalysisParams, Decision, ExperimentResult};
use crate::error::Result;
use crate::job::{Step, StepOutput};
use crate::model::Tables;
use crate::results::{Notification, ResultSet, Severity};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Parameters of the experiments step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExperimentsConfig {
    /// The analysis and decision rules.
    pub analysis: AnalysisParams,
}

impl ExperimentsConfig {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        self.analysis.validate()
    }
}

crate::result_table! {
    /// One variant of an experiment against its control, as of the run.
    #[table = "experiment_results", step = "experiments", key = [experiment_id, variant]]
    pub struct ExperimentResultRow {
        /// Experiment id.
        pub experiment_id: String,
        /// The variant compared with control.
        pub variant: String,
        /// The control variant.
        pub control_variant: String,
        /// `slot`, `landing_page`, `nurture`, `cadence` or `other`.
        pub kind: String,
        /// `registered`, `attended`, `purchase` or `revenue`.
        pub metric: String,
        /// `relative` (share of control) or `absolute` lift.
        pub difference: String,
        /// Units counted in the variant (first exposure in the window).
        pub units: u64,
        /// Converting units, or Σ revenue.
        pub total: f64,
        /// Rate or revenue per unit in the variant.
        pub mean: Option<f64>,
        /// Units in control.
        pub control_units: u64,
        /// Rate or revenue per unit in control.
        pub control_mean: Option<f64>,
        /// Posterior mean of the lift (gbstats' Gaussian model).
        pub lift: Option<f64>,
        /// 95 % (1 − alpha) credible interval, low.
        pub ci_low: Option<f64>,
        /// Credible interval, high.
        pub ci_high: Option<f64>,
        /// Probability that the variant beats control.
        pub chance_to_win: Option<f64>,
        /// Expected loss (in lift units) of keeping control if the variant is better.
        pub risk_control: Option<f64>,
        /// Expected loss of shipping the variant if it is worse.
        pub risk_treatment: Option<f64>,
        /// Always-valid mSPRT p-value over the daily looks.
        pub p_value: Option<f64>,
        /// `p_value` after the Holm / Benjamini–Hochberg correction across variants.
        pub p_value_adjusted: Option<f64>,
        /// Fixed-horizon Welch t-test p-value (valid only at the planned end).
        pub ttest_p_value: Option<f64>,
        /// gbstats' sequential (confidence-sequence) p-value.
        pub sequential_p_value: Option<f64>,
        /// Confidence sequence, low.
        pub sequential_ci_low: Option<f64>,
        /// Confidence sequence, high.
        pub sequential_ci_high: Option<f64>,
        /// Sample-ratio-mismatch p-value of the whole experiment against the planned split.
        pub srm_p_value: f64,
        /// Units exposed to more than one variant (counted in their first).
        pub multi_variant_units: u64,
        /// Exposures to variants the experiment does not list (left out).
        pub unknown_variant_exposures: u64,
        /// `ship`, `stop` or `keep_running`.
        pub decision: Decision,
        /// Why, in English.
        pub reason: String,
        /// Why, in Spanish.
        pub reason_es: String,
        /// The experiment's decision (ship the winner, stop, keep running).
        pub experiment_decision: Decision,
        /// End of the window analysed (`min(end_at, as_of)`).
        pub window_end: DateTime<Utc>,
    }
}

crate::result_table! {
    /// The sequential answers of one variant at each look (end of each day of the window).
    #[table = "experiment_looks", step = "experiments", key = [experiment_id, variant, look_at]]
    pub struct ExperimentLookRow {
        /// Experiment id.
        pub experiment_id: String,
        /// The variant.
        pub variant: String,
        /// End of the look.
        pub look_at: DateTime<Utc>,
        /// Units in the variant so far.
        pub units: u64,
        /// Units in control so far.
        pub control_units: u64,
        /// Lift estimate at the look.
        pub lift: f64,
        /// mSPRT always-valid p-value up to the look (never rises).
        pub msprt_p_value: f64,
        /// gbstats' sequential p-value at the look.
        pub sequential_p_value: f64,
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The rows of `experiment_results` and `experiment_looks` for an analysis.
pub fn rows_of(
    exps: &[ExperimentResult],
    params: &AnalysisParams,
) -> (Vec<ExperimentResultRow>, Vec<ExperimentLookRow>) {
    let mut rows = Vec::new();
    let mut looks = Vec::new();
    for x in exps {
        let e = &x.experiment;
        for v in &x.variants {
            rows.push(ExperimentResultRow {
                experiment_id: e.experiment_id.clone(),
                variant: v.variant.clone(),
                control_variant: e.control_variant.clone(),
                kind: e.kind.as_str().to_string(),
                metric: e.metric.as_str().to_string(),
                difference: params.test.difference.as_str().to_string(),
                units: v.units,
                total: v.total,
                mean: finite(v.mean),
                control_units: v.control_units,
                control_mean: finite(v.control_mean),
                lift: finite(v.lift),
                ci_low: finite(v.ci_low),
                ci_high: finite(v.ci_high),
                chance_to_win: v.chance_to_win,
                risk_control: v.risk_control,
                risk_treatment: v.risk_treatment,
                p_value: v.p_value,
                p_value_adjusted: v.p_value_adjusted,
                ttest_p_value: v.ttest_p_value,
                sequential_p_value: v.sequential_p_value,
                sequential_ci_low: v.sequential_ci_low,
                sequential_ci_high: v.sequential_ci_high,
                srm_p_value: x.srm_p_value,
                multi_variant_units: x.multi_variant_units,
                unknown_variant_exposures: x.unknown_variant_exposures,
                decision: v.decision,
                reason: v.reason.clone(),
                reason_es: v.reason_es.clone(),
                experiment_decision: x.decision,
                window_end: x.window_end,
            });
            for l in &v.looks {
                looks.push(ExperimentLookRow {
                    experiment_id: e.experiment_id.clone(),
                    variant: v.variant.clone(),
                    look_at: l.at,
                    units: l.units,
                    control_units: l.control_units,
                    lift: l.lift,
                    msprt_p_value: l.msprt_p_value,
                    sequential_p_value: l.sequential_p_value,
                });
            }
        }
    }
    (rows, looks)
}

/// The experiments step.
#[derive(Debug, Clone, Default)]
pub struct ExperimentsStep {
    /// Parameters.
    pub config: ExperimentsConfig,
}

impl Step for ExperimentsStep {
    fn name(&self) -> &str {
        "experiments"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        let cfg = &self.config.analysis;
        self.config.validate()?;
        let a = analyze(tables, as_of, cfg)?;
        let (rows, looks) = rows_of(&a.experiments, cfg);
        let mut notifications = Vec::new();
        let mut decisions = serde_json::Map::new();
        for x in &a.experiments {
            let id = &x.experiment.experiment_id;
            decisions.insert(id.clone(), x.decision.as_str().into());
            let payload = serde_json::to_value(
                rows.iter()
                    .filter(|r| &r.experiment_id == id)
                    .collect::<Vec<_>>(),
            )
            .unwrap_or_default();
            if x.srm_p_value < cfg.srm_threshold {
                notifications.push(Notification {
                    dedupe_key: format!("experiments:srm:{id}"),
                    kind: "experiment_srm".into(),
                    severity: Severity::High,
                    title: format!(
                        "Experimento {id}: reparto roto (SRM p = {:.1e})",
                        x.srm_p_value
                    ),
                    body: format!(
                        "Experiment {id}: the observed split {:?} differs from the plan (SRM p = \
                         {:.2e}); no decision until the assignment is fixed. / El reparto \
                         observado no es el planificado; no hay decisión hasta corregir la \
                         asignación.",
                        x.units, x.srm_p_value
                    ),
                    payload: payload.clone(),
                    created_at: as_of,
                });
            }
            if x.decision == Decision::KeepRunning {
                continue;
            }
            let (title, body) = match (&x.decision, &x.winner) {
                (Decision::Ship, Some(w)) => {
                    let v = x.variants.iter().find(|v| &v.variant == w);
                    (
                        format!("Experimento {id}: lanzar «{w}»"),
                        format!(
                            "{} / {}",
                            v.map_or(String::new(), |v| v.reason.clone()),
                            v.map_or(String::new(), |v| v.reason_es.clone())
                        ),
                    )
                }
                _ => (
                    format!("Experimento {id}: detener, mantener el control"),
                    x.variants
                        .iter()
                        .map(|v| format!("{}: {} / {}", v.variant, v.reason, v.reason_es))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
            };
            notifications.push(Notification {
                dedupe_key: format!("experiments:decided:{id}"),
                kind: "experiment_decided".into(),
                severity: Severity::Medium,
                title,
                body,
                payload,
                created_at: as_of,
            });
        }
        Ok(StepOutput {
            results: vec![ResultSet::of(as_of, &rows), ResultSet::of(as_of, &looks)],
            notifications,
            summary: serde_json::json!({
                "experiments": a.experiments.len(),
                "decisions": decisions,
                "unknown_experiment_exposures": a.unknown_experiment_exposures,
            }),
        })
    }
}
