//! The result tables of the demand step, one per shape: the forecast of every planned webinar
//! (`webinar_forecasts`), its best alternative slots (`best_slots`), rescheduling suggestions
//! (`reschedule_suggestions`, the [`Reschedule`](super::Reschedule) rows), the weekday × hour heatmap of next week
//! per target segment (`slot_heatmap`), the best slots of next week per target segment
//! (`segment_best_slots`) and next month's suggested calendar (`planned_calendar`).
//!
//! Weekdays are numbered 0 = Monday … 6 = Sunday; weekdays and hours are local to `[job] timezone`
//! (UTC by default), as in `kpi_slots`; start times are instants (UTC).

use super::{CalendarEntry, SlotForecast, Target};
use chrono::{DateTime, Utc};

crate::result_table! {
    /// The forecast of one planned webinar at its planned start.
    #[table = "webinar_forecasts", step = "demand", key = [webinar_id]]
    pub struct WebinarForecastRow {
        /// Webinar id.
        pub webinar_id: String,
        /// Title.
        pub title: String,
        /// Topic.
        pub topic: String,
        /// Target segment `industry/role/company_size` (`*` = any).
        pub target: String,
        /// Planned start (UTC).
        pub starts_at: DateTime<Utc>,
        /// Weekday of the start, 0 = Monday.
        pub weekday: u32,
        /// Local hour of the start (`[job] timezone`).
        pub hour: u32,
        /// Predicted attendance rate over the expected registrant mix.
        pub rate: f64,
        /// Predicted attendees.
        pub attendees: f64,
        /// Lower bound of attendees (90 % interval of the rate).
        pub lower: f64,
        /// Upper bound of attendees.
        pub upper: f64,
        /// 1 − relative half-width of the interval, in [0, 1].
        pub confidence: f64,
    }
}

crate::result_table! {
    /// One of the best free slots for a planned webinar in the week of its planned start.
    #[table = "best_slots", step = "demand", key = [webinar_id, rank]]
    pub struct BestSlotRow {
        /// Webinar id.
        pub webinar_id: String,
        /// Rank, 1 = best.
        pub rank: u32,
        /// Start (UTC).
        pub starts_at: DateTime<Utc>,
        /// Weekday, 0 = Monday.
        pub weekday: u32,
        /// Local hour (`[job] timezone`).
        pub hour: u32,
        /// Predicted attendance rate.
        pub rate: f64,
        /// Predicted attendees.
        pub attendees: f64,
        /// Lower bound of attendees.
        pub lower: f64,
        /// Upper bound of attendees.
        pub upper: f64,
        /// Attendees minus those of the planned slot.
        pub improvement: f64,
        /// Relative improvement over the planned slot (0.2 = +20 %).
        pub improvement_pct: f64,
    }
}

crate::result_table! {
    /// Predicted attendance of one weekday × hour of next week, for a target segment and the
    /// most common recent topic.
    #[table = "slot_heatmap", step = "demand", key = [target, weekday, hour]]
    pub struct SlotHeatmapRow {
        /// Target segment `industry/role/company_size` (`*` = any).
        pub target: String,
        /// Topic the forecast is for.
        pub topic: String,
        /// Start (UTC).
        pub starts_at: DateTime<Utc>,
        /// Weekday, 0 = Monday.
        pub weekday: u32,
        /// Local hour (`[job] timezone`).
        pub hour: u32,
        /// Predicted attendance rate.
        pub rate: f64,
        /// Predicted attendees.
        pub attendees: f64,
        /// Lower bound of attendees.
        pub lower: f64,
        /// Upper bound of attendees.
        pub upper: f64,
    }
}

crate::result_table! {
    /// One of the best slots of next week for a target segment.
    #[table = "segment_best_slots", step = "demand", key = [target, rank]]
    pub struct SegmentBestSlotRow {
        /// Target segment `industry/role/company_size` (`*` = any).
        pub target: String,
        /// Rank, 1 = best.
        pub rank: u32,
        /// Topic the forecast is for.
        pub topic: String,
        /// Start (UTC).
        pub starts_at: DateTime<Utc>,
        /// Weekday, 0 = Monday.
        pub weekday: u32,
        /// Local hour (`[job] timezone`).
        pub hour: u32,
        /// Predicted attendees.
        pub attendees: f64,
        /// Lower bound of attendees.
        pub lower: f64,
        /// Upper bound of attendees.
        pub upper: f64,
    }
}

crate::result_table! {
    /// One webinar of next month's suggested calendar.
    #[table = "planned_calendar", step = "demand", key = [rank]]
    pub struct PlannedWebinarRow {
        /// Rank by value, 1 = best.
        pub rank: u32,
        /// Topic.
        pub topic: String,
        /// Target segment `industry/role/company_size` (`*` = any).
        pub target: String,
        /// Target industry (NULL = any).
        pub industry: Option<String>,
        /// Target role (NULL = any).
        pub role: Option<String>,
        /// Target company size (NULL = any).
        pub company_size: Option<String>,
        /// Start (UTC).
        pub starts_at: DateTime<Utc>,
        /// Predicted attendees.
        pub attendees: f64,
        /// Trend score of the topic.
        pub trend_score: f64,
        /// What it was chosen by: trend score × predicted attendees.
        pub value: f64,
    }
}

fn weekday(s: &SlotForecast) -> u32 {
    s.weekday.num_days_from_monday()
}

impl WebinarForecastRow {
    /// The row of webinar `w`'s forecast `f`.
    pub fn new(w: &crate::model::Webinar, f: &SlotForecast) -> WebinarForecastRow {
        WebinarForecastRow {
            webinar_id: w.webinar_id.clone(),
            title: w.title.clone(),
            topic: w.topic.clone(),
            target: Target::of(w).key(),
            starts_at: f.starts_at,
            weekday: weekday(f),
            hour: f.hour,
            rate: f.rate,
            attendees: f.attendees,
            lower: f.lower,
            upper: f.upper,
            confidence: f.confidence,
        }
    }
}

impl BestSlotRow {
    /// The `rank`-th best slot `s` of `webinar_id`.
    pub fn new(webinar_id: &str, rank: usize, s: &SlotForecast) -> BestSlotRow {
        BestSlotRow {
            webinar_id: webinar_id.to_string(),
            rank: rank as u32,
            starts_at: s.starts_at,
            weekday: weekday(s),
            hour: s.hour,
            rate: s.rate,
            attendees: s.attendees,
            lower: s.lower,
            upper: s.upper,
            improvement: s.improvement,
            improvement_pct: s.improvement_pct,
        }
    }
}

impl SlotHeatmapRow {
    /// The heatmap cell `s` of `target` for `topic`.
    pub fn new(target: &str, topic: &str, s: &SlotForecast) -> SlotHeatmapRow {
        SlotHeatmapRow {
            target: target.to_string(),
            topic: topic.to_string(),
            starts_at: s.starts_at,
            weekday: weekday(s),
            hour: s.hour,
            rate: s.rate,
            attendees: s.attendees,
            lower: s.lower,
            upper: s.upper,
        }
    }
}

impl SegmentBestSlotRow {
    /// The `rank`-th best slot `s` of `target` for `topic`.
    pub fn new(target: &str, rank: usize, topic: &str, s: &SlotForecast) -> SegmentBestSlotRow {
        SegmentBestSlotRow {
            target: target.to_string(),
            rank: rank as u32,
            topic: topic.to_string(),
            starts_at: s.starts_at,
            weekday: weekday(s),
            hour: s.hour,
            attendees: s.attendees,
            lower: s.lower,
            upper: s.upper,
        }
    }
}

impl PlannedWebinarRow {
    /// The `rank`-th entry `e` of a planned calendar.
    pub fn new(rank: usize, e: &CalendarEntry) -> PlannedWebinarRow {
        PlannedWebinarRow {
            rank: rank as u32,
            topic: e.topic.clone(),
            target: e.target.key(),
            industry: e.target.industry.clone(),
            role: e.target.role.clone(),
            company_size: e.target.company_size.clone(),
            starts_at: e.starts_at,
            attendees: e.attendees,
            trend_score: e.trend_score,
            value: e.value,
        }
    }
}
