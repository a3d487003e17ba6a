//! The leads step of the daily job.
//!
//! Writes `lead_scores` (every lead: engagement, grade, the chosen scorer's score and
//! probability, factors, nurture track), `lead_nurture` (one decision per lead per webinar that
//! ended in the last `nurture_window_days`, keyed `<lead>:<webinar>`) and `lead_model` (which
//! scorer was used and why). A sales alert goes to the outbox for each open lead that is hot at
//! the run date, with dedupe key `leads:hot:<lead>:<episode>`, the episode being the time of the
//! event that pushed the lead over the hot threshold: re-runs, and later days of the same hot
//! spell, produce the same key and send nothing new; falling out of hot and crossing again is a
//! new episode and a new alert.

use super::model::{histories, snapshot_of, training_of, LeadModel, ModelParams};
use super::nurture::{nurture_decisions, Track};
use super::points::{Grade, LeadScorer, PointsParams};
use crate::error::{CoreError, Result};
use crate::job::{Step, StepOutput};
use crate::model::{format_datetime, Tables};
use crate::results::{Notification, ResultSet, Severity};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Parameters of the leads step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LeadsConfig {
    /// The points rule.
    pub points: PointsParams,
    /// The learned model and the choice.
    pub model: ModelParams,
    /// Try the learned model at all (false: the points rule only).
    pub learn: bool,
    /// Nurture decisions for webinars that ended within this many days before the run.
    pub nurture_window_days: u32,
    /// Sales alerts only for hot episodes that started within this many days before the run (a
    /// first run on a long history does not page sales about old news).
    pub alert_lookback_days: u32,
    /// The local clock (`[job] timezone`, set by the job; not a configuration key; UTC by
    /// default): the alert lookback and nurture window are local days.
    #[serde(skip)]
    pub clock: crate::clock::LocalClock,
}

impl Default for LeadsConfig {
    fn default() -> Self {
        LeadsConfig {
            points: PointsParams::default(),
            model: ModelParams::default(),
            learn: true,
            nurture_window_days: 7,
            alert_lookback_days: 7,
            clock: crate::clock::LocalClock::UTC,
        }
    }
}

impl LeadsConfig {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        self.points.validate()?;
        self.model.validate()?;
        if self.nurture_window_days == 0 {
            return Err(CoreError::param("nurture_window_days", "must be ≥ 1"));
        }
        if self.alert_lookback_days == 0 {
            return Err(CoreError::param("alert_lookback_days", "must be ≥ 1"));
        }
        Ok(())
    }
}

crate::result_table! {
    /// One row of `lead_scores`.
    #[table = "lead_scores", step = "leads", key = [lead_id]]
    pub struct LeadScoreRow {
        /// Lead id.
        pub lead_id: String,
        /// Engagement 0–10 (points rule).
        pub engagement: f64,
        /// Grade (points rule thresholds).
        pub grade: Grade,
        /// Score 0–100 of the chosen scorer (rule: 10 × engagement; learned: 100 × probability).
        pub score: f64,
        /// Calibrated conversion probability within the horizon (learned model only).
        pub probability: Option<f64>,
        /// `rules`, `logistic` or `trees`.
        pub scorer: String,
        /// Top factors (learned: columns of the model; rule: event kinds).
        pub factors: Vec<crate::learn::Factor>,
        /// The nurture track of the grade.
        pub track: Track,
        /// Start of the current hot episode.
        pub hot_since: Option<DateTime<Utc>>,
        /// Whether the lead has purchased.
        pub converted: bool,
        /// First-touch source.
        pub source: String,
    }
}

crate::result_table! {
    /// Which scorer the leads run used and why (one row per run).
    #[table = "lead_model", step = "leads", key = []]
    pub struct LeadModelRow {
        /// `rules`, `logistic` or `trees`.
        pub used: String,
        /// Why, in words (NULL when learning is switched off).
        pub reason: Option<String>,
        /// Training rows (lead × snapshot) of the learned candidates.
        pub training_rows: Option<u64>,
        /// Converting training rows.
        pub positives: Option<u64>,
        /// AUC of the points rule on the training rows.
        pub rules_auc: Option<f64>,
        /// Cross-validated AUC of each learned candidate, `[[kind, auc], …]`.
        pub candidate_auc: Option<serde_json::Value>,
        /// Lead events dropped because they happened before the lead was created.
        pub dropped_before_created: u64,
        /// Lead events of leads not in `leads`.
        pub unknown_lead_events: u64,
    }
}

/// The leads step.
#[derive(Debug, Clone, Default)]
pub struct LeadsStep {
    /// Parameters.
    pub config: LeadsConfig,
}

impl Step for LeadsStep {
    fn name(&self) -> &str {
        "leads"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        let cfg = &self.config;
        cfg.validate()?;
        let scorer = LeadScorer::new(cfg.points.clone())?;
        let mut rows = Vec::new();
        let mut notifications = Vec::new();
        let leads: Vec<(String, DateTime<Utc>)> = tables
            .leads
            .iter()
            .map(|l| (l.lead_id.clone(), l.created_at))
            .collect();
        let batch = scorer.score(&tables.lead_events, Some(&leads), as_of)?;
        // The learned model, when it wins.
        let d = as_of.timestamp();
        let (hs, _) = histories(tables);
        let mut learned: HashMap<String, super::model::ConversionScore> = HashMap::new();
        let choice = if cfg.learn {
            let train = training_of(&hs, d, &cfg.model, &scorer)?;
            let model = LeadModel::fit_snapshot(&train, &cfg.model, &cfg.points)?;
            if model.classifier.is_some() {
                let open = snapshot_of(&hs, d, &cfg.model, &scorer)?;
                for s in model.score_snapshot(&open)? {
                    learned.insert(s.lead_id.clone(), s);
                }
            }
            Some(model.choice)
        } else {
            None
        };
        let used = choice
            .as_ref()
            .map_or("rules", |c| c.used.as_str())
            .to_string();
        let model_row = LeadModelRow {
            used: used.clone(),
            reason: choice.as_ref().map(|c| c.reason.clone()),
            training_rows: choice.as_ref().map(|c| c.training_rows as u64),
            positives: choice.as_ref().map(|c| c.positives as u64),
            rules_auc: choice.as_ref().and_then(|c| c.rules_auc),
            candidate_auc: choice
                .as_ref()
                .and_then(|c| serde_json::to_value(&c.candidate_auc).ok()),
            dropped_before_created: batch.dropped_before_created as u64,
            unknown_lead_events: batch.unknown_lead as u64,
        };
        let source: HashMap<&str, &str> = tables
            .leads
            .iter()
            .map(|l| (l.lead_id.as_str(), l.source.as_str()))
            .collect();
        let mut grades: BTreeMap<&str, usize> = BTreeMap::new();
        let lookback = cfg
            .clock
            .add_days(as_of, -i64::from(cfg.alert_lookback_days));
        for s in &batch.scores {
            *grades.entry(s.grade.as_str()).or_default() += 1;
            let l = learned.get(&s.lead_id);
            let r = LeadScoreRow {
                lead_id: s.lead_id.clone(),
                engagement: s.engagement,
                grade: s.grade,
                score: l.map_or(s.score, |l| l.score),
                probability: l.and_then(|l| l.probability),
                scorer: if l.is_some() {
                    used.clone()
                } else {
                    "rules".into()
                },
                factors: match l {
                    Some(l) if !l.factors.is_empty() => l.factors.clone(),
                    _ => s.factors.clone(),
                },
                track: Track::of(s.grade),
                hot_since: s.hot_since,
                converted: s.converted,
                source: source.get(s.lead_id.as_str()).unwrap_or(&"").to_string(),
            };
            if let (Some(since), false) = (s.hot_since, s.converted) {
                if since > lookback {
                    let why: Vec<String> = r
                        .factors
                        .iter()
                        .map(|f| format!("{} = {}", f.column, f.value))
                        .collect();
                    notifications.push(Notification {
                        dedupe_key: format!("leads:hot:{}:{}", s.lead_id, format_datetime(&since)),
                        kind: "lead_hot".into(),
                        severity: Severity::High,
                        title: format!(
                            "Lead caliente: {} (engagement {:.1}/10, score {:.0})",
                            s.lead_id, s.engagement, r.score
                        ),
                        body: format!(
                            "{} crossed the hot threshold at {}. Factors: {}. Track: {}.",
                            s.lead_id,
                            format_datetime(&since),
                            why.join("; "),
                            r.track.as_str()
                        ),
                        payload: serde_json::to_value(&r).unwrap_or_default(),
                        created_at: as_of,
                    });
                }
            }
            rows.push(r);
        }
        let since = cfg
            .clock
            .add_days(as_of, -i64::from(cfg.nurture_window_days));
        let decisions = nurture_decisions(tables, &scorer, since, as_of);
        let mut tracks: BTreeMap<&str, usize> = BTreeMap::new();
        for n in &decisions {
            *tracks.entry(n.track.as_str()).or_default() += 1;
        }
        Ok(StepOutput {
            results: vec![
                ResultSet::of(as_of, &rows),
                ResultSet::of(as_of, &decisions),
                ResultSet::of(as_of, &[model_row]),
            ],
            notifications,
            summary: serde_json::json!({
                "scored": batch.scores.len(),
                "grades": grades,
                "scorer": used,
                "reason": choice.as_ref().map(|c| c.reason.clone()),
                "nurture": tracks,
                "dropped_before_created": batch.dropped_before_created,
            }),
        })
    }
}
