//! The month calendar optimiser and rescheduling suggestions.

use super::{FittedDemand, SlotParams, Target};
use crate::error::{CoreError, Result};
use crate::model::Webinar;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One webinar of a planned calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarEntry {
    /// Topic.
    pub topic: String,
    /// Target segment.
    pub target: Target,
    /// Start time (UTC).
    pub starts_at: DateTime<Utc>,
    /// Predicted attendees.
    pub attendees: f64,
    /// Trend score of the topic.
    pub trend_score: f64,
    /// The value it was chosen by: trend score × predicted attendees.
    pub value: f64,
}

/// What [`FittedDemand::plan_month`] plans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarRequest {
    /// Year.
    pub year: i32,
    /// Month (1–12).
    pub month: u32,
    /// Candidate topics with their trend score (≥ 0).
    pub topics: Vec<(String, f64)>,
    /// Topics that may only be planned for targets of some industries (topic → industries; see
    /// [`super::topics`]). A topic absent here, or a target with no industry, is unrestricted.
    #[serde(default)]
    pub industries: BTreeMap<String, BTreeSet<String>>,
    /// Candidate target segments.
    pub targets: Vec<Target>,
    /// Number of webinars to plan.
    pub n: usize,
}

crate::result_table! {
    /// A rescheduling suggestion.
    #[table = "reschedule_suggestions", step = "demand", key = [webinar_id]]
    pub struct Reschedule {
        /// Webinar id.
        pub webinar_id: String,
        /// Title.
        pub title: String,
        /// Planned start.
        pub planned_at: DateTime<Utc>,
        /// Predicted attendees at the planned start.
        pub planned_attendees: f64,
        /// Suggested start.
        pub suggested_at: DateTime<Utc>,
        /// Predicted attendees at the suggested start.
        pub suggested_attendees: f64,
        /// Relative improvement (0.2 = +20 %).
        pub improvement_pct: f64,
    }
}

impl FittedDemand {
    /// Choose `req.n` webinars for the month `req.year`-`req.month` from `req.topics` (each with a
    /// trend score ≥ 0) × `req.targets` (a topic restricted to some industries only with targets
    /// of those industries or of any industry), greedily by trend score × predicted attendees, each (topic, target) at most
    /// once, never two at the same start, never two of the same target closer than
    /// `params.min_gap_hours`, and not clashing with `existing` webinars. Returns fewer than `n`
    /// when the grid runs out of free slots; best value first.
    ///
    /// Errors: invalid parameters or month; no topics or no targets.
    pub fn plan_month(
        &self,
        req: &CalendarRequest,
        params: &SlotParams,
        existing: &[Webinar],
    ) -> Result<Vec<CalendarEntry>> {
        params.validate()?;
        let (year, month, n) = (req.year, req.month, req.n);
        let (topics, targets) = (&req.topics, &req.targets);
        let first = NaiveDate::from_ymd_opt(year, month, 1)
            .ok_or_else(|| CoreError::param("month", format!("{year}-{month} is not a month")))?;
        if topics.is_empty() {
            return Err(CoreError::param("topics", "must not be empty"));
        }
        if targets.is_empty() {
            return Err(CoreError::param("targets", "must not be empty"));
        }
        if let Some((t, _)) = topics.iter().find(|(_, s)| !(*s >= 0.0 && s.is_finite())) {
            return Err(CoreError::param(
                "topics",
                format!("trend score of `{t}` must be ≥ 0"),
            ));
        }
        // Every grid start in the (local) month.
        let clock = &self.params.timezone;
        let mut times = Vec::new();
        let mut monday = first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
        while monday <= first + Duration::days(31) {
            times.extend(
                params
                    .grid_in(monday, clock)
                    .into_iter()
                    .filter(|t| clock.month(*t) == month && clock.year(*t) == year),
            );
            monday += Duration::days(7);
        }
        // Rates depend on the date only through weekday, hour and month: forecast one
        // representative start per (weekday, hour).
        let mut rep: Vec<DateTime<Utc>> = Vec::new();
        let mut rep_of: HashMap<(Weekday, u32), usize> = HashMap::new();
        for t in &times {
            rep_of
                .entry((clock.weekday(*t), clock.hour(*t)))
                .or_insert_with(|| {
                    rep.push(*t);
                    rep.len() - 1
                });
        }
        let mut cands: Vec<(f64, usize, DateTime<Utc>, f64)> = Vec::new(); // value, pair, time, attendees
        let mut pairs: Vec<(&str, f64, &Target)> = Vec::new();
        for (topic, score) in topics {
            let only = req.industries.get(topic);
            for target in targets {
                if let (Some(only), Some(industry)) = (only, target.industry.as_ref()) {
                    if !only.contains(industry) {
                        continue;
                    }
                }
                let reg = self.expected_registrants(target);
                let f = self.forecast_slots(target, topic, &rep, reg)?;
                let k = pairs.len();
                pairs.push((topic.as_str(), *score, target));
                for t in &times {
                    if let Some(s) = rep_of
                        .get(&(clock.weekday(*t), clock.hour(*t)))
                        .and_then(|i| f.get(*i))
                    {
                        cands.push((score * s.attendees, k, *t, s.attendees));
                    }
                }
            }
        }
        cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)).then(a.1.cmp(&b.1)));
        let mut used_pair = vec![false; pairs.len()];
        let mut taken: Vec<(DateTime<Utc>, Target)> = existing
            .iter()
            .map(|w| (w.starts_at, Target::of(w)))
            .collect();
        let mut out = Vec::new();
        for (value, k, t, attendees) in cands {
            if out.len() >= n {
                break;
            }
            let Some((topic, score, target)) = pairs.get(k).copied() else {
                continue;
            };
            if used_pair[k] || taken.iter().any(|(s, _)| *s == t) {
                continue;
            }
            let same: Vec<DateTime<Utc>> = taken
                .iter()
                .filter(|(_, tg)| tg == target)
                .map(|(s, _)| *s)
                .collect();
            if !params.is_free_in(t, &same, clock) {
                continue;
            }
            used_pair[k] = true;
            taken.push((t, target.clone()));
            out.push(CalendarEntry {
                topic: topic.to_string(),
                target: target.clone(),
                starts_at: t,
                attendees,
                trend_score: score,
                value,
            });
        }
        Ok(out)
    }

    /// Planned webinars (starting after `as_of`) whose best free slot in their week, after
    /// `as_of`, beats the planned slot by more than `threshold` (relative, 0.15 = +15 %);
    /// largest improvement first.
    pub fn rescheduling(
        &self,
        webinars: &[Webinar],
        as_of: DateTime<Utc>,
        threshold: f64,
        params: &SlotParams,
    ) -> Result<Vec<Reschedule>> {
        if !(threshold >= 0.0 && threshold.is_finite()) {
            return Err(CoreError::param("threshold", "must be ≥ 0"));
        }
        let all = SlotParams {
            top: usize::MAX,
            ..params.clone()
        };
        let mut out = Vec::new();
        for w in webinars.iter().filter(|w| w.starts_at > as_of) {
            let ranking = match self.best_slots(w, webinars, &all) {
                Ok(r) => r,
                // No free slot in its week: nothing to suggest.
                Err(CoreError::InvalidParameter { name, .. }) if name == "grid" => continue,
                Err(e) => return Err(e),
            };
            let Some(best) = ranking.slots.iter().find(|s| s.starts_at > as_of) else {
                continue;
            };
            if best.improvement_pct > threshold && best.starts_at != w.starts_at {
                out.push(Reschedule {
                    webinar_id: w.webinar_id.clone(),
                    title: w.title.clone(),
                    planned_at: w.starts_at,
                    planned_attendees: ranking.planned.attendees,
                    suggested_at: best.starts_at,
                    suggested_attendees: best.attendees,
                    improvement_pct: best.improvement_pct,
                });
            }
        }
        out.sort_by(|a, b| {
            b.improvement_pct
                .total_cmp(&a.improvement_pct)
                .then(a.webinar_id.cmp(&b.webinar_id))
        });
        Ok(out)
    }
}
