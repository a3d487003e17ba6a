//! The churn step of the daily job: risk scores (`churn_scores`), an outbox alert per student
//! newly at risk "Alto" (dedupe key `churn:alto:<student>:<episode>`, the episode being the date of
//! the student's last activity, so the same silence never alerts twice), buy-till-you-die value
//! (P(alive), 12-month CLV) joined to the scores, cohorts (`churn_cohorts`) and the purchase models
//! (`churn_models`).

use super::btyd::{customer_lifetime_value, BetaGeo, FitParams, GammaGamma, TimeUnit};
use super::cohort::cohorts;
use super::risk::{RiskLevel, RiskModel, RiskParams};
use super::summary::{summary_from_transactions, SummaryParams};
use crate::error::Result;
use crate::job::{Step, StepOutput};
use crate::model::Tables;
use crate::results::{Notification, ResultRow, Severity};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Parameters of the churn step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
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

impl Step for ChurnStep {
    fn name(&self) -> &str {
        "churn"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        let cfg = &self.config;
        cfg.validate()?;
        let mut results = Vec::new();
        let mut notifications = Vec::new();
        let mut summary = serde_json::Map::new();
        let row = |table: &str, key: String, data: serde_json::Value| ResultRow {
            table: table.to_string(),
            as_of,
            key,
            data,
        };
        // Purchases: BTYD models.
        let mut values = HashMap::new();
        if cfg.btyd {
            match purchase_values(tables, as_of, cfg) {
                Ok((bg, gg, v)) => {
                    let models = serde_json::json!({ "bg_nbd": bg, "gamma_gamma": gg, "customers": v.len() });
                    summary.insert("btyd".into(), serde_json::json!({
                        "r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b, "p": gg.p, "q": gg.q, "gamma": gg.gamma,
                    }));
                    results.push(row("churn_models", "btyd".into(), models));
                    values = v;
                }
                Err(e) => {
                    summary.insert("btyd_error".into(), serde_json::json!(e.to_string()));
                }
            }
        }
        // Activity: risk scores.
        let mut levels: HashMap<&str, usize> = HashMap::new();
        let mut scored = 0usize;
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
                let scores = model.score(tables, as_of)?;
                scored = scores.len();
                for s in &scores {
                    *levels.entry(s.risk_level.as_str()).or_default() += 1;
                    let mut data = serde_json::to_value(s).unwrap_or_default();
                    if let (Some(obj), Some(v)) = (data.as_object_mut(), values.get(&s.student_id))
                    {
                        obj.insert("p_alive".into(), serde_json::json!(v.p_alive));
                        obj.insert(
                            "expected_purchases".into(),
                            serde_json::json!(v.expected_purchases),
                        );
                        obj.insert("clv".into(), serde_json::json!(v.clv));
                    }
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
                                "{} has a {:.0} % probability of no activity in the next {} days (last activity {} days ago). Factors: {}. Intervention: {}.",
                                s.student_id,
                                s.probability * 100.0,
                                cfg.risk.horizon_days,
                                s.days_since_last_activity.round(),
                                why.join("; "),
                                s.intervention.map_or("—", |i| i.label())
                            ),
                            payload: data.clone(),
                            created_at: as_of,
                        });
                    }
                    results.push(row("churn_scores", s.student_id.clone(), data));
                }
            }
            Err(e) => {
                summary.insert("risk_error".into(), serde_json::json!(e.to_string()));
            }
        }
        // Cohorts.
        let cohort_rows = cohorts(tables, as_of, cfg.risk.horizon_days)?;
        // Summed in student order, so the result is bit-for-bit reproducible.
        let mut clv_sum: HashMap<String, f64> = HashMap::new();
        for s in &tables.students {
            if let Some(v) = values.get(&s.student_id) {
                *clv_sum
                    .entry(s.enrolled_at.format("%Y-%m").to_string())
                    .or_default() += v.clv;
            }
        }
        for c in &cohort_rows {
            let mut data = serde_json::to_value(c).unwrap_or_default();
            if let Some(obj) = data.as_object_mut() {
                let clv = clv_sum.get(&c.cohort).copied().unwrap_or(0.0) / c.students.max(1) as f64;
                obj.insert("clv_predicted_per_student".into(), serde_json::json!(clv));
            }
            results.push(row("churn_cohorts", c.cohort.clone(), data));
        }
        summary.insert("scored".into(), serde_json::json!(scored));
        summary.insert("risk_levels".into(), serde_json::json!(levels));
        summary.insert("cohorts".into(), serde_json::json!(cohort_rows.len()));
        Ok(StepOutput {
            results,
            notifications,
            summary: serde_json::Value::Object(summary),
        })
    }
}
