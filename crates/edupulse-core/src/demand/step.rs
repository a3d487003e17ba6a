//! The daily job's demand step: fit on the webinars that started before `as_of`, then write the
//! forecast, best slots and rescheduling suggestion of every planned webinar, a day × hour heatmap
//! and the best slots of next week for the most common target segments, and next month's
//! suggested calendar (one result table each, see [`super::rows`]) — and one notification per
//! rescheduling suggestion.
//!
//! Notifications are keyed `demand:reschedule:<webinar id>:<planned start>`, so re-runs, and the next days for
//! the same planned start, never alert twice; moving the webinar starts a new episode.

use super::rows::{
    BestSlotRow, PlannedWebinarRow, SegmentBestSlotRow, SlotHeatmapRow, WebinarForecastRow,
};
use super::{CalendarRequest, DemandModel, DemandParams, FittedDemand, SlotParams, Target};
use crate::error::{CoreError, Result};
use crate::job::{Step, StepOutput};
use crate::model::Tables;
use crate::results::{Notification, ResultSet, Severity};
use chrono::{DateTime, Datelike, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Parameters of the demand step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemandConfig {
    /// Run the step.
    pub enabled: bool,
    /// Model parameters.
    pub params: DemandParams,
    /// Train on webinars of the last `history_days` days before `as_of`.
    pub history_days: u32,
    /// Slot grid and constraints.
    pub slots: SlotParams,
    /// Suggest rescheduling when the best slot beats the planned one by more than this (0.15 =
    /// +15 %).
    pub reschedule_threshold: f64,
    /// Target segments shown in the heatmap (the most common webinar targets; all registrants
    /// first).
    pub heatmap_targets: usize,
    /// Webinars in next month's suggested calendar (0 = no calendar).
    pub calendar_webinars: usize,
}

impl Default for DemandConfig {
    fn default() -> Self {
        DemandConfig {
            enabled: true,
            params: DemandParams::default(),
            history_days: 365,
            slots: SlotParams::default(),
            reschedule_threshold: 0.15,
            heatmap_targets: 4,
            calendar_webinars: 8,
        }
    }
}

impl DemandConfig {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        self.params.validate()?;
        self.slots.validate()?;
        if self.history_days == 0 {
            return Err(CoreError::param("history_days", "must be ≥ 1"));
        }
        if !(self.reschedule_threshold >= 0.0 && self.reschedule_threshold.is_finite()) {
            return Err(CoreError::param("reschedule_threshold", "must be ≥ 0"));
        }
        Ok(())
    }
}

/// The demand step of the daily job.
#[derive(Debug, Clone, Default)]
pub struct DemandStep {
    /// Parameters.
    pub config: DemandConfig,
    /// The keyword trend detector's parameters (the trends step's), used to score the calendar's
    /// topics from `keyword_topics` (see [`super::topics`]).
    pub trends: crate::trends::TrendParams,
}

/// Topics kept per industry for the calendar (the source: "top 3 per industry").
pub const CALENDAR_TOPICS_PER_INDUSTRY: usize = 3;

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

impl DemandStep {
    fn forecast(
        &self,
        tables: &Tables,
        as_of: DateTime<Utc>,
        model: &FittedDemand,
        out: &mut StepOutput,
    ) -> Result<serde_json::Value> {
        let cfg = &self.config;
        let (mut forecasts, mut best_rows, mut heat_rows, mut segment_rows, mut calendar_rows) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        // Planned webinars: forecast, best slots, rescheduling.
        let planned: Vec<_> = tables
            .webinars
            .iter()
            .filter(|w| w.starts_at > as_of)
            .collect();
        for w in &planned {
            let f = model.predict_webinar(w)?;
            forecasts.push(WebinarForecastRow::new(w, &f));
            if let Ok(r) = model.best_slots(w, &tables.webinars, &cfg.slots) {
                for (k, s) in r.slots.iter().enumerate() {
                    best_rows.push(BestSlotRow::new(&w.webinar_id, k + 1, s));
                }
            }
        }
        let suggestions = model.rescheduling(
            &tables.webinars,
            as_of,
            cfg.reschedule_threshold,
            &cfg.slots,
        )?;
        let zone = &model.params.timezone;
        let local = |t: DateTime<Utc>| {
            format!(
                "{} {}",
                zone.local(t).format("%a %Y-%m-%d %H:%M"),
                zone.name()
            )
        };
        for s in &suggestions {
            out.notifications.push(Notification {
                dedupe_key: format!(
                    "demand:reschedule:{}:{}",
                    s.webinar_id,
                    s.planned_at.format("%Y-%m-%dT%H:%M")
                ),
                kind: "demand_reschedule".into(),
                severity: Severity::Low,
                title: format!(
                    "Reprogramar «{}»: +{:.0} % asistencia",
                    s.title,
                    s.improvement_pct * 100.0
                ),
                body: format!(
                    "Planned {} ({:.1} expected attendees); {} is predicted to draw {:.1} (+{:.0} %).",
                    local(s.planned_at),
                    s.planned_attendees,
                    local(s.suggested_at),
                    s.suggested_attendees,
                    s.improvement_pct * 100.0
                ),
                payload: json(s),
                created_at: as_of,
            });
        }
        // Heatmaps and best slots of next week for the most common targets and topic.
        let mut counts: BTreeMap<Target, usize> = BTreeMap::new();
        for w in tables.webinars.iter().filter(|w| w.starts_at <= as_of) {
            let t = Target::of(w);
            if t != Target::default() {
                *counts.entry(t).or_default() += 1;
            }
        }
        let scores = super::topics::topic_scores(
            &tables.keyword_interest,
            &tables.keyword_topics,
            &tables.webinars,
            as_of,
            &self.trends,
            CALENDAR_TOPICS_PER_INDUSTRY,
            &self.config.params.timezone,
        )?;
        let mut targets: Vec<(Target, usize)> = counts.into_iter().collect();
        targets.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut shown = vec![Target::default()];
        shown.extend(
            targets
                .iter()
                .take(cfg.heatmap_targets.saturating_sub(1))
                .map(|t| t.0.clone()),
        );
        shown.truncate(cfg.heatmap_targets);
        let topic_list = &scores.topics;
        // The heatmaps show the most common recent topic (one the model has seen).
        let mut recent_topics: BTreeMap<&str, usize> = BTreeMap::new();
        let recent = as_of - Duration::days(super::topics::RECENT_TOPIC_DAYS);
        for w in tables
            .webinars
            .iter()
            .filter(|w| w.starts_at <= as_of && w.starts_at >= recent)
        {
            *recent_topics.entry(w.topic.as_str()).or_default() += 1;
        }
        let top_topic = recent_topics
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|t| t.0.to_string())
            .or_else(|| tables.webinars.first().map(|w| w.topic.clone()))
            .unwrap_or_default();
        let clock = &model.params.timezone;
        let today = clock.date(as_of);
        let monday = today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()));
        for target in &shown {
            let key = target.key();
            let map = model.heatmap(target, &top_topic, monday, &cfg.slots)?;
            for s in &map {
                heat_rows.push(SlotHeatmapRow::new(&key, &top_topic, s));
            }
            let mut best = map.clone();
            best.sort_by(|a, b| {
                b.attendees
                    .total_cmp(&a.attendees)
                    .then(a.starts_at.cmp(&b.starts_at))
            });
            for (k, s) in best.iter().take(cfg.slots.top).enumerate() {
                segment_rows.push(SegmentBestSlotRow::new(&key, k + 1, &top_topic, s));
            }
        }
        // Next month's calendar: topics scored by their keywords' trends (`keyword_topics`), or
        // by their recent share of webinars without a mapping (see `super::topics`).
        let mut calendar = 0;
        if cfg.calendar_webinars > 0 && !topic_list.is_empty() {
            let next = if today.month() == 12 {
                (today.year() + 1, 1)
            } else {
                (today.year(), today.month() + 1)
            };
            let req = CalendarRequest {
                year: next.0,
                month: next.1,
                topics: topic_list.clone(),
                industries: scores.industries.clone(),
                targets: shown.clone(),
                n: cfg.calendar_webinars,
            };
            let cal = model.plan_month(
                &req,
                &cfg.slots,
                &planned.iter().map(|w| (*w).clone()).collect::<Vec<_>>(),
            )?;
            calendar = cal.len();
            for (k, e) in cal.iter().enumerate() {
                calendar_rows.push(PlannedWebinarRow::new(k + 1, e));
            }
        }
        out.results = vec![
            ResultSet::of(as_of, &forecasts),
            ResultSet::of(as_of, &best_rows),
            ResultSet::of(as_of, &suggestions),
            ResultSet::of(as_of, &heat_rows),
            ResultSet::of(as_of, &segment_rows),
            ResultSet::of(as_of, &calendar_rows),
        ];
        Ok(serde_json::json!({
            "training_rows": model.n_rows,
            "overall_rate": model.overall_rate,
            "planned_webinars": planned.len(),
            "reschedule_suggestions": suggestions.len(),
            "heatmap_targets": shown.iter().map(Target::key).collect::<Vec<_>>(),
            "topic": top_topic,
            "calendar": calendar,
            "calendar_topics_from": scores.source.as_str(),
            "importances": model.importances,
        }))
    }
}

impl Step for DemandStep {
    fn name(&self) -> &str {
        "demand"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        let cfg = &self.config;
        cfg.validate()?;
        let mut out = StepOutput::default();
        if !cfg.enabled {
            out.summary = serde_json::json!({ "enabled": false });
            return Ok(out);
        }
        let from = as_of - Duration::days(i64::from(cfg.history_days));
        let webinars: Vec<_> = tables
            .webinars
            .iter()
            .filter(|w| w.starts_at >= from && w.starts_at <= as_of)
            .cloned()
            .collect();
        let ids: std::collections::HashSet<&str> =
            webinars.iter().map(|w| w.webinar_id.as_str()).collect();
        let regs: Vec<_> = tables
            .registrations
            .iter()
            .filter(|r| ids.contains(r.webinar_id.as_str()))
            .cloned()
            .collect();
        match DemandModel::fit(&webinars, &regs, &cfg.params) {
            Ok(model) => {
                out.summary = self.forecast(tables, as_of, &model, &mut out)?;
            }
            // Not enough history is not a failure of the run.
            Err(e @ CoreError::Validation { .. }) => {
                out.summary = serde_json::json!({ "skipped": e.to_string() });
            }
            Err(e) => return Err(e),
        }
        Ok(out)
    }
}
