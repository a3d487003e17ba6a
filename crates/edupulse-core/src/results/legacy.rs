//! Upgrading results written by releases before typed result tables (store schema with one
//! `results(table_name, as_of, key, data)` table of JSON documents, several shapes multiplexed
//! by key prefix) into the typed tables of [`catalog`](super::catalog).
//!
//! The stores call [`convert`] from their migration; rows of tables this release does not know
//! (written by a custom step) are returned untouched, so a store keeps them instead of losing them.

use super::{ResultSet, ResultTable};
use crate::churn::cohort::CohortRow;
use crate::churn::step::{ChurnModelRow, ChurnScoreRow};
use crate::demand::rows::{
    BestSlotRow, PlannedWebinarRow, SegmentBestSlotRow, SlotHeatmapRow, WebinarForecastRow,
};
use crate::demand::{CalendarEntry, Reschedule, SlotForecast};
use crate::error::{CoreError, Result};
use crate::kpi::{FunnelRow, KpiSummary, MonthRevenue, SlotRow};
use crate::leads::nurture::NurtureDecision;
use crate::leads::step::{LeadModelRow, LeadScoreRow};
use crate::model::Webinar;
use crate::repetition::schedule::{
    ConceptStats, LearnerSchedule, ReviewForecastDay, ReviewSummary,
};
use crate::trends::related::EmergingQuery;
use crate::trends::step::MetricAnomaly;
use crate::trends::KeywordTrend;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One row of the old `results` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacyRow {
    /// Old result table name (`kpis`, `demand_forecasts`, ...).
    pub table: String,
    /// The run's `as_of`.
    pub as_of: DateTime<Utc>,
    /// Old key (e.g. `funnel|industry|tech`).
    pub key: String,
    /// The JSON document.
    pub data: serde_json::Value,
}

/// What [`convert`] made of the old rows.
#[derive(Debug, Clone, Default)]
pub struct Converted {
    /// The typed result sets, one per (table, `as_of`).
    pub sets: Vec<ResultSet>,
    /// Rows of tables this release does not know, untouched.
    pub unknown: Vec<LegacyRow>,
}

/// Typed rows grouped by (table, `as_of`).
#[derive(Default)]
struct Groups(BTreeMap<(&'static str, DateTime<Utc>), ResultSet>);

impl Groups {
    fn push<T: ResultTable>(&mut self, as_of: DateTime<Utc>, row: &T) {
        self.0
            .entry((T::SPEC.name, as_of))
            .or_insert_with(|| ResultSet::empty(super::spec_of::<T>(), as_of))
            .rows
            .push(row.to_values());
    }
}

fn decode<T: DeserializeOwned>(r: &LegacyRow, data: serde_json::Value) -> Result<T> {
    serde_json::from_value(data).map_err(|e| {
        CoreError::validation(
            "results",
            None,
            Some("data"),
            format!(
                "old result `{}` key `{}` as of {}: {e}",
                r.table,
                r.key,
                crate::model::format_datetime(&r.as_of)
            ),
        )
    })
}

fn rank_of(r: &LegacyRow, part: Option<&str>) -> Result<usize> {
    part.and_then(|p| p.parse().ok()).ok_or_else(|| {
        CoreError::validation(
            "results",
            None,
            Some("key"),
            format!("old result `{}`: key `{}` has no rank", r.table, r.key),
        )
    })
}

/// Convert old result rows into typed result sets. `webinars` supplies the title, topic and
/// target of old webinar forecasts (which did not carry them).
///
/// Errors: a row of a known table whose document does not fit its shape (named by table, key
/// and `as_of`): the migration then stops and changes nothing.
pub fn convert(rows: &[LegacyRow], webinars: &[Webinar]) -> Result<Converted> {
    let by_id: BTreeMap<&str, &Webinar> = webinars
        .iter()
        .map(|w| (w.webinar_id.as_str(), w))
        .collect();
    let mut g = Groups::default();
    let mut unknown = Vec::new();
    for r in rows {
        let parts: Vec<&str> = r.key.split('|').collect();
        let (head, a) = (parts[0], r.as_of);
        let d = &r.data;
        match (r.table.as_str(), head) {
            ("kpis", "summary") => g.push(a, &decode::<KpiSummary>(r, d.clone())?),
            ("kpis", "funnel") => g.push(a, &decode::<FunnelRow>(r, d.clone())?),
            ("kpis", "slot") => g.push(a, &decode::<SlotRow>(r, d.clone())?),
            ("kpis", "revenue") => g.push(a, &decode::<MonthRevenue>(r, d.clone())?),
            ("review_schedule", "summary") => g.push(a, &decode::<ReviewSummary>(r, d.clone())?),
            ("review_schedule", "learner") => g.push(a, &decode::<LearnerSchedule>(r, d.clone())?),
            ("review_schedule", "concept") => g.push(a, &decode::<ConceptStats>(r, d.clone())?),
            ("review_schedule", "forecast") => {
                g.push(a, &decode::<ReviewForecastDay>(r, d.clone())?)
            }
            ("trend_alerts", _) => {
                let mut d = d.clone();
                if let Some(o) = d.as_object_mut() {
                    if let Some(day) = o.remove("as_of") {
                        o.insert("day".into(), day);
                    }
                }
                g.push(a, &decode::<KeywordTrend>(r, d)?)
            }
            ("metric_anomalies", _) => g.push(a, &decode::<MetricAnomaly>(r, d.clone())?),
            ("emerging_queries", _) => g.push(a, &decode::<EmergingQuery>(r, d.clone())?),
            ("churn_scores", _) => g.push(a, &decode::<ChurnScoreRow>(r, d.clone())?),
            ("churn_cohorts", _) => g.push(a, &decode::<CohortRow>(r, d.clone())?),
            ("churn_models", _) => {
                let bg = &d["bg_nbd"];
                let gg = &d["gamma_gamma"];
                g.push(
                    a,
                    &ChurnModelRow {
                        bg_r: bg["r"].as_f64(),
                        bg_alpha: bg["alpha"].as_f64(),
                        bg_a: bg["a"].as_f64(),
                        bg_b: bg["b"].as_f64(),
                        gg_p: gg["p"].as_f64(),
                        gg_q: gg["q"].as_f64(),
                        gg_gamma: gg["gamma"].as_f64(),
                        customers: d["customers"].as_u64(),
                        btyd_error: None,
                        training_rows: None,
                        training_churn_rate: None,
                        risk_error: None,
                    },
                )
            }
            ("lead_scores", _) => g.push(a, &decode::<LeadScoreRow>(r, d.clone())?),
            ("lead_nurture", _) => g.push(a, &decode::<NurtureDecision>(r, d.clone())?),
            ("lead_model", _) => {
                let c = &d["choice"];
                g.push(
                    a,
                    &LeadModelRow {
                        used: d["used"].as_str().unwrap_or("rules").to_string(),
                        reason: c["reason"].as_str().map(str::to_string),
                        training_rows: c["training_rows"].as_u64(),
                        positives: c["positives"].as_u64(),
                        rules_auc: c["rules_auc"].as_f64(),
                        candidate_auc: c.get("candidate_auc").cloned(),
                        dropped_before_created: d["dropped_before_created"].as_u64().unwrap_or(0),
                        unknown_lead_events: d["unknown_lead_events"].as_u64().unwrap_or(0),
                    },
                )
            }
            ("demand_forecasts", "webinar") => {
                let f: SlotForecast = decode(r, d.clone())?;
                let id = parts.get(1).copied().unwrap_or_default();
                let w = by_id.get(id).map_or_else(
                    || Webinar {
                        webinar_id: id.to_string(),
                        title: String::new(),
                        topic: String::new(),
                        starts_at: f.starts_at,
                        duration_min: 60,
                        industry: None,
                        role: None,
                        company_size: None,
                        timezone: None,
                    },
                    |w| (*w).clone(),
                );
                g.push(a, &WebinarForecastRow::new(&w, &f))
            }
            ("demand_forecasts", "best") => {
                let f: SlotForecast = decode(r, d.clone())?;
                let rank = rank_of(r, parts.get(2).copied())?;
                g.push(a, &BestSlotRow::new(parts[1], rank, &f))
            }
            ("demand_forecasts", "reschedule") => g.push(a, &decode::<Reschedule>(r, d.clone())?),
            ("demand_forecasts", "heatmap") => {
                let f: SlotForecast = decode(r, d.clone())?;
                let target = d["target"].as_str().unwrap_or("*/*/*");
                let topic = d["topic"].as_str().unwrap_or_default();
                g.push(a, &SlotHeatmapRow::new(target, topic, &f))
            }
            ("demand_forecasts", "slot") => {
                let f: SlotForecast = decode(r, d.clone())?;
                let target = d["target"].as_str().unwrap_or("*/*/*");
                let topic = d["topic"].as_str().unwrap_or_default();
                let rank = rank_of(r, parts.last().copied())?;
                g.push(a, &SegmentBestSlotRow::new(target, rank, topic, &f))
            }
            ("demand_forecasts", "calendar") => {
                let e: CalendarEntry = decode(r, d.clone())?;
                let rank = rank_of(r, parts.get(1).copied())?;
                g.push(a, &PlannedWebinarRow::new(rank, &e))
            }
            _ => unknown.push(r.clone()),
        }
    }
    Ok(Converted {
        sets: g.0.into_values().collect(),
        unknown,
    })
}
