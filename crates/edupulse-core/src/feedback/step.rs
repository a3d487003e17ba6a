//! The feedback step of the daily job (`[job.feedback]`).
//!
//! Writes `webinar_outcomes` (one row per ended webinar, see [`super::outcomes`]) and
//! `testimonial_candidates` (see [`super::testimonials`], one deduplicated request per person,
//! never twice), and for each ended webinar its page's tables: `webinar_timeline` (messages
//! and sentiment per minute, see [`super::timeline`]) and `webinar_comments` (its most
//! positive and negative comments and most asked questions, see [`super::comments`]). A webinar
//! that ended within the last `alert_lookback_days` with at least `min_registrations`
//! registrations and an attendance rate below `attendance_floor` (the source: 30 %) raises one
//! outbox alert, dedupe key `feedback:attendance_floor:<webinar_id>`: re-runs and later days
//! send nothing new.

use super::comments::webinar_comments;
use super::outcomes::{outcomes_of, scored_feedback, WebinarOutcomeRow};
use super::sentiment::SentimentParams;
use super::testimonials::{testimonial_candidates, testimonial_requests};
use super::timeline::webinar_timeline;
use crate::error::{CoreError, Result};
use crate::job::{Step, StepOutput};
use crate::model::{format_datetime, Tables};
use crate::results::{Notification, ResultSet, Severity};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Parameters of the feedback step (`[job.feedback]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedbackConfig {
    /// The lexicon scorer's cut-offs.
    pub sentiment: SentimentParams,
    /// A registrant converts on a purchase within this many days after the webinar starts (the
    /// KPI funnel's default, `[job.kpi] conversion_window_days`).
    pub conversion_window_days: u32,
    /// Attendance rate below which a webinar is flagged (the source: 0.3).
    pub attendance_floor: f64,
    /// Distinctive terms kept per webinar.
    pub top_terms: usize,
    /// Alert only for webinars that ended within this many days before the run.
    pub alert_lookback_days: u32,
    /// Alert only for webinars with at least this many registrations (the flag is set anyway).
    pub min_registrations: u64,
    /// Smallest rating (1–5) of feedback worth quoting in a testimonial.
    pub testimonial_min_rating: u8,
    /// Ask for a testimonial only while the person qualified at most this many days ago.
    pub testimonial_lookback_days: u32,
    /// The local clock (`[job] timezone`, set by the job; not a configuration key; UTC by
    /// default): the conversion window and the alert and testimonial lookbacks are local
    /// days (durations inside a webinar stay elapsed minutes).
    #[serde(skip)]
    pub clock: crate::clock::LocalClock,
}

impl Default for FeedbackConfig {
    fn default() -> Self {
        FeedbackConfig {
            sentiment: SentimentParams::default(),
            conversion_window_days: 30,
            attendance_floor: 0.3,
            top_terms: 5,
            alert_lookback_days: 7,
            min_registrations: 10,
            testimonial_min_rating: 4,
            testimonial_lookback_days: 30,
            clock: crate::clock::LocalClock::UTC,
        }
    }
}

impl FeedbackConfig {
    /// Check every field; errors name the parameter.
    pub fn validate(&self) -> Result<()> {
        self.sentiment.validate()?;
        if self.conversion_window_days == 0 {
            return Err(CoreError::param("conversion_window_days", "must be ≥ 1"));
        }
        if !(self.attendance_floor.is_finite() && (0.0..=1.0).contains(&self.attendance_floor)) {
            return Err(CoreError::param(
                "attendance_floor",
                format!("{} is outside [0, 1]", self.attendance_floor),
            ));
        }
        if self.top_terms > 100 {
            return Err(CoreError::param("top_terms", "must be ≤ 100"));
        }
        if self.alert_lookback_days == 0 {
            return Err(CoreError::param("alert_lookback_days", "must be ≥ 1"));
        }
        if !(1..=crate::model::MAX_FEEDBACK_RATING).contains(&self.testimonial_min_rating) {
            return Err(CoreError::param(
                "testimonial_min_rating",
                format!("{} is outside 1–5", self.testimonial_min_rating),
            ));
        }
        if self.testimonial_lookback_days == 0 {
            return Err(CoreError::param("testimonial_lookback_days", "must be ≥ 1"));
        }
        Ok(())
    }
}

/// The attendance-floor alerts of `rows` (see the module doc).
pub fn floor_alerts(
    rows: &[WebinarOutcomeRow],
    as_of: DateTime<Utc>,
    cfg: &FeedbackConfig,
) -> Vec<Notification> {
    let since = cfg
        .clock
        .add_days(as_of, -i64::from(cfg.alert_lookback_days));
    rows.iter()
        .filter(|r| r.below_floor && r.ended_at > since && r.registrations >= cfg.min_registrations)
        .map(|r| {
            let rate = r.attendance_rate.unwrap_or(0.0) * 100.0;
            Notification {
                dedupe_key: format!("feedback:attendance_floor:{}", r.webinar_id),
                kind: "webinar_alert".into(),
                severity: Severity::Medium,
                title: format!(
                    "Asistencia del {rate:.0} % en «{}» (mínimo {:.0} %)",
                    r.title,
                    cfg.attendance_floor * 100.0
                ),
                body: format!(
                    "Webinar {} ({}) ended at {}: {} of {} registrants attended ({rate:.1} %), below the {:.0} % floor.",
                    r.webinar_id,
                    r.title,
                    format_datetime(&r.ended_at),
                    r.attendees,
                    r.registrations,
                    cfg.attendance_floor * 100.0
                ),
                payload: serde_json::json!({
                    "webinar_id": r.webinar_id,
                    "registrations": r.registrations,
                    "attendees": r.attendees,
                    "attendance_rate": r.attendance_rate,
                    "floor": cfg.attendance_floor,
                }),
                created_at: as_of,
            }
        })
        .collect()
}

/// The feedback step.
#[derive(Debug, Clone, Default)]
pub struct FeedbackStep {
    /// Parameters.
    pub config: FeedbackConfig,
}

impl Step for FeedbackStep {
    fn name(&self) -> &str {
        "feedback"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        let cfg = &self.config;
        cfg.validate()?;
        let scored = scored_feedback(tables, as_of, cfg)?;
        let rows = outcomes_of(tables, &scored, as_of, cfg)?;
        let mut notifications = floor_alerts(&rows, as_of, cfg);
        let floor = notifications.len();
        let candidates = testimonial_candidates(tables, &scored, as_of, cfg)?;
        notifications.extend(testimonial_requests(&candidates, as_of));
        let sessions: Vec<(&str, DateTime<Utc>, DateTime<Utc>)> = rows
            .iter()
            .map(|r| (r.webinar_id.as_str(), r.starts_at, r.ended_at))
            .collect();
        let timeline = webinar_timeline(&sessions, &scored)?;
        let ids: Vec<&str> = sessions.iter().map(|s| s.0).collect();
        let comments = webinar_comments(&ids, &scored);
        let summary = serde_json::json!({
            "webinars": rows.len(),
            "below_floor": rows.iter().filter(|r| r.below_floor).count(),
            "floor_alerts": floor,
            "feedback_rows": scored.len(),
            "testimonial_candidates": candidates.len(),
            "testimonial_requests": notifications.len() - floor,
            "timeline_minutes": timeline.len(),
            "comments": comments.len(),
            "conversion_window_days": cfg.conversion_window_days,
            "attendance_floor": cfg.attendance_floor,
        });
        Ok(StepOutput {
            results: vec![
                ResultSet::of(as_of, &rows),
                ResultSet::of(as_of, &candidates),
                ResultSet::of(as_of, &timeline),
                ResultSet::of(as_of, &comments),
            ],
            notifications,
            summary,
        })
    }
}
