//! The churn step of the daily job: risk scores (`churn_scores`), an outbox alert per student
//! newly at risk "Alto" (dedupe key `churn:alto:<student>:<episode>`, the episode being the date of
//! the student's last activity, so the same silence never alerts twice), buy-till-you-die value
//! (P(alive), 12-month CLV) joined to the scores, cohorts (`churn_cohorts`) and the purchase models
//! (`churn_models`).

use super::btyd::{customer_lifetime_value, BetaGeo, FitParams, GammaGamma, TimeUnit};
use super::cohort::cohorts;
use super::risk::{ChurnScore, Intervention, RiskLevel, RiskModel, RiskParams, ScoredFactor};
use super::summary::{summary_from_transactions, SummaryParams};
use crate::error::Result;
use crate::job::{Step, StepOutput};
use crate::model::Tables;
use crate::results::{Notification, ResultSet, Severity};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Parameters of the churn step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChurnConfig {
    /// The activity risk model.
    pub risk: RiskParams,
    /// Fit BG/NBD + Gamma-Gamma on purchases and report P(alive) and CLV.
    pub btyd: bool,
    /// Maximum-likelihood fit parameters.
    pub fit: FitParams,
    /// CLV horizon in months.
    pub clv_months: u32,
    /// Monthly discount rate of the CLV.
    pub discount_rate: f64,
}

impl Default for ChurnConfig {
    fn default() -> Self {
        ChurnConfig {
            risk: RiskParams::default(),
            btyd: true,
            fit: FitParams::default(),
            clv_months: 12,
            discount_rate: 0.01,
        }
    }
}

impl ChurnConfig {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        self.risk.validate()?;
        self.fit.validate()?;
        if !(self.discount_rate.is_finite() && self.discount_rate > -1.0) {
            return Err(crate::CoreError::param("discount_rate", "must be > −1"));
        }
        if self.clv_months == 0 {
            return Err(crate::CoreError::param("clv_months", "must be ≥ 1"));
        }
        Ok(())
    }
}

/// The churn step.
#[derive(Debug, Clone, Default)]
pub struct ChurnStep {
    /// Parameters.
    pub config: ChurnConfig,
}

/// Per-customer purchase-model values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PurchaseValue {
    /// BG/NBD P(alive).
    pub p_alive: f64,
    /// Expected repeat purchases in the CLV horizon.
    pub expected_purchases: f64,
    /// Customer lifetime value over the horizon.
    pub clv: f64,
}

/// BG/NBD + Gamma-Gamma on the purchases as of `as_of` (weeks): the fitted models and each
/// customer's value.
pub fn purchase_values(
    tables: &Tables,
    as_of: DateTime<Utc>,
    cfg: &ChurnConfig,
) -> Result<(BetaGeo, GammaGamma, HashMap<String, PurchaseValue>)> {
    let rows: Vec<_> = tables.purchases.iter().filter(|p| p.at <= as_of).collect();
    let ids: Vec<&str> = rows.iter().map(|p| p.customer_id.as_str()).collect();
    let at: Vec<DateTime<Utc>> = rows.iter().map(|p| p.at).collect();
    let amt: Vec<f64> = rows.iter().map(|p| p.amount).collect();
    let params = SummaryParams {
        unit: TimeUnit::Week,
        observation_period_end: Some(as_of),
        clock: cfg.risk.clock,
    };
    let s: Vec<_> = summary_from_transactions(&ids, &at, Some(&amt), &params)?
        .into_iter()
        .filter(|c| c.t > 0.0)
        .collect();
    let x: Vec<f64> = s.iter().map(|c| c.frequency).collect();
    let tx: Vec<f64> = s.iter().map(|c| c.recency).collect();
    let t: Vec<f64> = s.iter().map(|c| c.t).collect();
    let m: Vec<f64> = s.iter().map(|c| c.monetary_value).collect();
    let bg = BetaGeo::fit(&x, &tx, &t, &cfg.fit)?;
    let rep: Vec<usize> = (0..s.len()).filter(|&i| x[i] > 0.0 && m[i] > 0.0).collect();
    let gg = GammaGamma::fit(
        &rep.iter().map(|&i| x[i]).collect::<Vec<_>>(),
        &rep.iter().map(|&i| m[i]).collect::<Vec<_>>(),
        &cfg.fit,
    )?;
    let clv = customer_lifetime_value(
        &bg,
        &gg,
        TimeUnit::Week,
        &x,
        &tx,
        &t,
        &m,
        cfg.clv_months,
        cfg.discount_rate,
    )?;
    let horizon = f64::from(cfg.clv_months) * TimeUnit::Week.periods_per_month();
    let mut out = HashMap::with_capacity(s.len());
    for (i, c) in s.iter().enumerate() {
        out.insert(
            c.customer_id.clone(),
            PurchaseValue {
                p_alive: bg.probability_alive(x[i], tx[i], t[i]),
                expected_purchases: bg
                    .conditional_expected_purchases(horizon, x[i], tx[i], t[i])?,
                clv: clv[i],
            },
        );
    }
    Ok((bg, gg, out))
}

crate::result_table! {
    /// One student's churn risk, with their purchase value when the purchase models could be
    /// fitted.
    #[table = "churn_scores", step = "churn", key = [student_id]]
    pub struct ChurnScoreRow {
        /// Student id.
        pub student_id: String,
        /// Calibrated probability of dropping out in the next `horizon_days`, as the risk
        /// model's `label` defines it (default: no activity at all).
        pub probability: f64,
        /// Risk level: Alto (> 0.7), Medio (> 0.4) or Bajo.
        pub risk_level: RiskLevel,
        /// Factors pushing the risk up (largest first), each with its intervention.
        pub factors: Vec<ScoredFactor>,
        /// The intervention for the leading factor.
        pub intervention: Option<Intervention>,
        /// Days since the student's last activity.
        pub days_since_last_activity: f64,
        /// Date (YYYY-MM-DD) of the last activity: identifies the at-risk episode.
        pub episode: String,
        /// BG/NBD probability that the student is still a buying customer (NULL: no purchase
        /// model or no purchases).
        pub p_alive: Option<f64>,
        /// Expected repeat purchases in the CLV horizon.
        pub expected_purchases: Option<f64>,
        /// Customer lifetime value over the horizon (BG/NBD × Gamma-Gamma, discounted).
        pub clv: Option<f64>,
    }
}

impl ChurnScoreRow {
    /// A score joined to the student's purchase value, if any.
    pub fn new(s: &ChurnScore, value: Option<&PurchaseValue>) -> ChurnScoreRow {
        ChurnScoreRow {
            student_id: s.student_id.clone(),
            probability: s.probability,
            risk_level: s.risk_level,
            factors: s.factors.clone(),
            intervention: s.intervention,
            days_since_last_activity: s.days_since_last_activity,
            episode: s.episode.clone(),
            p_alive: value.map(|v| v.p_alive),
            expected_purchases: value.map(|v| v.expected_purchases),
            clv: value.map(|v| v.clv),
        }
    }
}

crate::result_table! {
    /// The models behind one churn run (one row per run): the purchase models' parameters and the
    /// risk model's training set, or why a model could not be fitted.
    #[table = "churn_models", step = "churn", key = []]
    pub struct ChurnModelRow {
        /// BG/NBD r.
        pub bg_r: Option<f64>,
        /// BG/NBD α.
        pub bg_alpha: Option<f64>,
        /// BG/NBD a.
        pub bg_a: Option<f64>,
        /// BG/NBD b.
        pub bg_b: Option<f64>,
        /// Gamma-Gamma p.
        pub gg_p: Option<f64>,
        /// Gamma-Gamma q.
        pub gg_q: Option<f64>,
        /// Gamma-Gamma γ.
        pub gg_gamma: Option<f64>,
        /// Customers the purchase models were fitted on.
        pub customers: Option<u64>,
        /// Why the purchase models were not fitted (NULL when they were, or when disabled).
        pub btyd_error: Option<String>,
        /// Rows the risk model was trained on.
        pub training_rows: Option<u64>,
        /// Share of training rows that churned.
        pub training_churn_rate: Option<f64>,
        /// Why no risk model was trained (too little history); NULL when it was.
        pub risk_error: Option<String>,
    }
}

impl Step for ChurnStep {
    fn name(&self) -> &str {
        "churn"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        let cfg = &self.config;
        cfg.validate()?;
        let mut notifications = Vec::new();
        let mut summary = serde_json::Map::new();
        let mut models = ChurnModelRow {
            bg_r: None,
            bg_alpha: None,
            bg_a: None,
            bg_b: None,
            gg_p: None,
            gg_q: None,
            gg_gamma: None,
            customers: None,
            btyd_error: None,
            training_rows: None,
            training_churn_rate: None,
            risk_error: None,
        };
        // Purchases: BTYD models. Too few repeat buyers is a normal state of a young business:
        // the run goes on without values and says why in `churn_models.btyd_error`.
        let mut values = HashMap::new();
        if cfg.btyd {
            match purchase_values(tables, as_of, cfg) {
                Ok((bg, gg, v)) => {
                    summary.insert("btyd".into(), serde_json::json!({
                        "r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b, "p": gg.p, "q": gg.q, "gamma": gg.gamma,
                    }));
                    models.bg_r = Some(bg.r);
                    models.bg_alpha = Some(bg.alpha);
                    models.bg_a = Some(bg.a);
                    models.bg_b = Some(bg.b);
                    models.gg_p = Some(gg.p);
                    models.gg_q = Some(gg.q);
                    models.gg_gamma = Some(gg.gamma);
                    models.customers = Some(v.len() as u64);
                    values = v;
                }
                Err(e) => {
                    summary.insert("btyd_error".into(), serde_json::json!(e.to_string()));
                    models.btyd_error = Some(e.to_string());
                }
            }
        }
        // Activity: risk scores. Too little history is reported in `churn_models.risk_error`;
        // any other failure (a fit that breaks on the data) fails the step, so the run says so.
        let mut levels: HashMap<&str, usize> = HashMap::new();
        let mut rows = Vec::new();
        match RiskModel::fit(tables, as_of, &cfg.risk) {
            Ok(model) => {
                summary.insert(
                    "training_rows".into(),
                    serde_json::json!(model.training_rows),
                );
                summary.insert(
                    "training_churn_rate".into(),
                    serde_json::json!(model.training_churn_rate),
                );
                models.training_rows = Some(model.training_rows as u64);
                models.training_churn_rate = Some(model.training_churn_rate);
                let scores = model.score(tables, as_of)?;
                for s in &scores {
                    *levels.entry(s.risk_level.as_str()).or_default() += 1;
                    let row = ChurnScoreRow::new(s, values.get(&s.student_id));
                    if s.risk_level == RiskLevel::Alto {
                        let why: Vec<String> = s
                            .factors
                            .iter()
                            .map(|f| {
                                format!(
                                    "{} = {} (+{:.2})",
                                    f.factor.column, f.factor.value, f.factor.contribution
                                )
                            })
                            .collect();
                        notifications.push(Notification {
                            dedupe_key: format!("churn:alto:{}:{}", s.student_id, s.episode),
                            kind: "churn_alert".into(),
                            severity: Severity::High,
                            title: format!("Riesgo de abandono Alto: {} ({:.0} %)", s.student_id, s.probability * 100.0),
                            body: format!(
                                "{} has a {:.0} % probability of {} in the next {} days (last activity {} days ago). Factors: {}. Intervention: {}.",
                                s.student_id,
                                s.probability * 100.0,
                                cfg.risk.label.outcome(),
                                cfg.risk.horizon_days,
                                s.days_since_last_activity.round(),
                                why.join("; "),
                                s.intervention.map_or("—", |i| i.label())
                            ),
                            payload: serde_json::to_value(&row).unwrap_or_default(),
                            created_at: as_of,
                        });
                    }
                    rows.push(row);
                }
            }
            Err(e @ crate::CoreError::Validation { .. }) => {
                summary.insert("risk_error".into(), serde_json::json!(e.to_string()));
                models.risk_error = Some(e.to_string());
            }
            Err(e) => return Err(e),
        }
        // Cohorts.
        let mut cohort_rows = cohorts(tables, as_of, cfg.risk.horizon_days, &cfg.risk.clock)?;
        if !values.is_empty() {
            // Summed in student order, so the result is bit-for-bit reproducible.
            let mut clv_sum: HashMap<String, f64> = HashMap::new();
            for s in &tables.students {
                if let Some(v) = values.get(&s.student_id) {
                    *clv_sum
                        .entry(cfg.risk.clock.month_key(s.enrolled_at))
                        .or_default() += v.clv;
                }
            }
            for c in &mut cohort_rows {
                let clv = clv_sum.get(&c.cohort).copied().unwrap_or(0.0);
                c.clv_predicted_per_student = Some(clv / c.students.max(1) as f64);
            }
        }
        summary.insert("scored".into(), serde_json::json!(rows.len()));
        summary.insert("risk_levels".into(), serde_json::json!(levels));
        summary.insert("cohorts".into(), serde_json::json!(cohort_rows.len()));
        Ok(StepOutput {
            results: vec![
                ResultSet::of(as_of, &rows),
                ResultSet::of(as_of, &[models]),
                ResultSet::of(as_of, &cohort_rows),
            ],
            notifications,
            summary: serde_json::Value::Object(summary),
        })
    }
}
