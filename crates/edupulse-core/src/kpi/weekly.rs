//! The weekly report: a digest of one ISO week.
//!
//! Decides what a person should read about a week, from the input tables and the alerts the
//! outbox recorded in that week: the top keywords (growth of the week's mean interest against
//! the four weeks before, the source's growth rule), the alerts sent, the webinars held with
//! their attendance, the week's attendance and conversion rates, new enrolments, completion and
//! churn (the scorecard over the week), and the three biggest KPI misses of the 30 days up to the
//! week's end with their diagnosis, the mean feedback rating and the top comments. Weeks are ISO weeks of the local clock
//! (`KpiConfig::clock`, from `[job] timezone`): Monday 00:00 to Monday 00:00 local time.
//! The digest goes to the outbox once per week (key `weekly:<YYYY>-W<ww>`); the HTML rendering is
//! `edupulse_report::weekly_html`, the JSON is this struct's serde form.

use super::scorecard::{scorecard, KpiWindow, ScorecardRow};
use super::KpiConfig;
use crate::clock::LocalClock;
use crate::error::{CoreError, Result};
use crate::model::FeedbackKind;
use crate::results::{Notification, Severity};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A keyword of the week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyKeyword {
    /// Keyword.
    pub keyword: String,
    /// Mean interest in the week.
    pub volume: f64,
    /// Mean interest in the week / mean of the four weeks before − 1 (`None` without a baseline).
    pub growth: Option<f64>,
}

/// An alert recorded in the week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyAlert {
    /// Kind (`trend_alert`, `churn_alert`, `kpi_alert`…).
    pub kind: String,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// Title.
    pub title: String,
    /// When it was raised.
    pub created_at: DateTime<Utc>,
}

/// A webinar held in the week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyWebinar {
    /// Webinar id.
    pub webinar_id: String,
    /// Title.
    pub title: String,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// Registrations.
    pub registrations: u64,
    /// Registrations that attended.
    pub attended: u64,
}

/// A comment of the week (a survey answer or a review).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyComment {
    /// The webinar it is about.
    pub webinar_id: String,
    /// `survey` or `review`.
    pub kind: String,
    /// The text, cut at 280 characters.
    pub text: String,
    /// Its 1–5 rating, if any.
    pub rating: Option<u8>,
    /// When it was written.
    pub at: DateTime<Utc>,
}

/// The digest of one ISO week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyReport {
    /// `YYYY-Www`.
    pub week: String,
    /// Monday 00:00 local time.
    pub start: DateTime<Utc>,
    /// The next Monday 00:00 local time.
    pub end: DateTime<Utc>,
    /// Up to five keywords, fastest growing first.
    pub top_keywords: Vec<WeeklyKeyword>,
    /// Alerts recorded in the week (digests excluded), newest first.
    pub alerts: Vec<WeeklyAlert>,
    /// Webinars held in the week, in time order.
    pub webinars: Vec<WeeklyWebinar>,
    /// Attendance rate of the week's webinars.
    pub attendance_rate: Option<f64>,
    /// Conversion rate of the week's registrations.
    pub conversion_rate: Option<f64>,
    /// Students enrolled in the week.
    pub new_enrolments: u64,
    /// Completion rate at the week's end.
    pub completion_rate: Option<f64>,
    /// Churn of the week's active students, as a 30-day rate.
    pub monthly_churn_rate: Option<f64>,
    /// Revenue of the week.
    pub revenue: f64,
    /// The three biggest misses of the 30 days up to the week's end, with their diagnosis.
    pub biggest_misses: Vec<ScorecardRow>,
    /// Mean 1–5 rating of the week's feedback (`None` without ratings).
    pub average_rating: Option<f64>,
    /// Ratings behind the mean.
    pub ratings: u64,
    /// Up to three survey answers or reviews of the week: highest rated first, then newest.
    pub top_comments: Vec<WeeklyComment>,
}

/// Monday 00:00 UTC of ISO week `week` of `year`.
pub fn week_start(year: i32, week: u32) -> Result<DateTime<Utc>> {
    week_start_in(year, week, &LocalClock::UTC)
}

/// Monday 00:00 local time (`clock`) of ISO week `week` of `year`.
pub fn week_start_in(year: i32, week: u32, clock: &LocalClock) -> Result<DateTime<Utc>> {
    NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
        .map(|d| clock.start_of_day(d))
        .ok_or_else(|| CoreError::param("week", format!("{year}-W{week:02} is not an ISO week")))
}

/// The last complete ISO week before `as_of`: `(year, week)`.
pub fn last_complete_week(as_of: DateTime<Utc>) -> (i32, u32) {
    last_complete_week_in(as_of, &LocalClock::UTC)
}

/// The last complete local ISO week (`clock`) before `as_of`: `(year, week)`.
pub fn last_complete_week_in(as_of: DateTime<Utc>, clock: &LocalClock) -> (i32, u32) {
    let w = (clock.date(as_of) - Duration::days(7)).iso_week();
    (w.year(), w.week())
}

/// Parse `YYYY-Www` (`2025-W10`).
pub fn parse_week(s: &str) -> Result<(i32, u32)> {
    let bad = || CoreError::param("week", format!("`{s}` is not an ISO week like 2025-W10"));
    let (y, w) = s.split_once("-W").ok_or_else(bad)?;
    let (y, w): (i32, u32) = (y.parse().map_err(|_| bad())?, w.parse().map_err(|_| bad())?);
    week_start(y, w)?;
    Ok((y, w))
}

/// The weekly report of ISO week `(year, week)`; `alerts` are the outbox's notifications (any
/// time: those created in the week are kept).
///
/// ```
/// use edupulse_core::kpi::{weekly::weekly_report, KpiConfig};
/// use edupulse_core::simulate::{simulate, SimConfig};
/// let sim = SimConfig { students: 40, seed: 2, ..SimConfig::default() };
/// let tables = simulate(&sim).unwrap();
/// let r = weekly_report(&tables, (2025, 10), &[], &KpiConfig::default()).unwrap();
/// assert_eq!(r.week, "2025-W10");
/// assert!(r.biggest_misses.len() <= 3);
/// ```
pub fn weekly_report(
    tables: &crate::model::Tables,
    (year, week): (i32, u32),
    alerts: &[Notification],
    cfg: &KpiConfig,
) -> Result<WeeklyReport> {
    let start = week_start_in(year, week, &cfg.clock)?;
    let end = NaiveDate::from_isoywd_opt(year, week, Weekday::Sun)
        .map_or(start + Duration::days(7), |d| cfg.clock.end_of_day(d));
    let window = KpiWindow::new(start, end)?;
    let card = scorecard(tables, window, cfg)?;
    let month = scorecard(tables, KpiWindow::last_days(end, cfg.window_days), cfg)?;
    let value = |k: &str| card.row(k).and_then(|r| r.value);

    // Keywords: the week's mean interest against the four weeks before.
    let (d0, d1) = (cfg.clock.date(start), cfg.clock.date(end));
    let base0 = d0 - Duration::days(28);
    let mut sums: BTreeMap<&str, [(f64, usize); 2]> = BTreeMap::new();
    for k in &tables.keyword_interest {
        let slot = if k.date >= d0 && k.date < d1 {
            0
        } else if k.date >= base0 && k.date < d0 {
            1
        } else {
            continue;
        };
        let e = sums.entry(k.keyword.as_str()).or_default();
        e[slot].0 += k.volume;
        e[slot].1 += 1;
    }
    let mut top_keywords: Vec<WeeklyKeyword> = sums
        .iter()
        .filter(|(_, s)| s[0].1 > 0)
        .map(|(k, s)| {
            let volume = s[0].0 / s[0].1 as f64;
            let base = (s[1].1 > 0).then(|| s[1].0 / s[1].1 as f64);
            WeeklyKeyword {
                keyword: k.to_string(),
                volume,
                growth: base.filter(|b| *b > 0.0).map(|b| volume / b - 1.0),
            }
        })
        .collect();
    top_keywords.sort_by(|a, b| {
        b.growth
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.growth.unwrap_or(f64::NEG_INFINITY))
            .then(b.volume.total_cmp(&a.volume))
            .then(a.keyword.cmp(&b.keyword))
    });
    top_keywords.truncate(5);

    let mut alerts: Vec<WeeklyAlert> = alerts
        .iter()
        .filter(|n| window.contains(n.created_at))
        .filter(|n| n.kind != "daily_digest" && n.kind != WEEKLY_KIND)
        .map(|n| WeeklyAlert {
            kind: n.kind.clone(),
            severity: n.severity.as_str().to_string(),
            title: n.title.clone(),
            created_at: n.created_at,
        })
        .collect();
    alerts.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.title.cmp(&b.title)));

    let mut per: HashMap<&str, (u64, u64)> = HashMap::new();
    for r in &tables.registrations {
        let e = per.entry(r.webinar_id.as_str()).or_default();
        e.0 += 1;
        e.1 += u64::from(r.attended);
    }
    let mut webinars: Vec<WeeklyWebinar> = tables
        .webinars
        .iter()
        .filter(|w| window.contains(w.starts_at))
        .map(|w| {
            let (registrations, attended) =
                per.get(w.webinar_id.as_str()).copied().unwrap_or_default();
            WeeklyWebinar {
                webinar_id: w.webinar_id.clone(),
                title: w.title.clone(),
                starts_at: w.starts_at,
                registrations,
                attended,
            }
        })
        .collect();
    webinars.sort_by(|a, b| {
        a.starts_at
            .cmp(&b.starts_at)
            .then(a.webinar_id.cmp(&b.webinar_id))
    });

    let feedback: Vec<_> = tables
        .feedback
        .iter()
        .filter(|f| window.contains(f.at))
        .collect();
    let rated: Vec<f64> = feedback
        .iter()
        .filter_map(|f| f.rating)
        .map(f64::from)
        .collect();
    let mut top_comments: Vec<WeeklyComment> = feedback
        .iter()
        .filter(|f| matches!(f.kind, FeedbackKind::Survey | FeedbackKind::Review))
        .map(|f| WeeklyComment {
            webinar_id: f.webinar_id.clone(),
            kind: f.kind.as_str().to_string(),
            text: f.text.chars().take(280).collect(),
            rating: f.rating,
            at: f.at,
        })
        .collect();
    top_comments.sort_by(|a, b| b.rating.cmp(&a.rating).then(b.at.cmp(&a.at)));
    top_comments.truncate(3);

    Ok(WeeklyReport {
        average_rating: (!rated.is_empty()).then(|| rated.iter().sum::<f64>() / rated.len() as f64),
        ratings: rated.len() as u64,
        top_comments,
        week: format!("{year}-W{week:02}"),
        start,
        end,
        top_keywords,
        alerts,
        webinars,
        attendance_rate: value("attendance_rate"),
        conversion_rate: value("conversion_rate"),
        new_enrolments: value("new_enrolments").unwrap_or(0.0) as u64,
        completion_rate: value("completion_rate"),
        monthly_churn_rate: value("monthly_churn_rate"),
        revenue: value("revenue").unwrap_or(0.0),
        biggest_misses: month.worst(3).into_iter().cloned().collect(),
    })
}

/// The notification kind of the weekly report.
pub const WEEKLY_KIND: &str = "weekly_report";

impl WeeklyReport {
    /// The outbox notification of this report (severity low, key `weekly:<YYYY>-W<ww>`, the
    /// report as its JSON payload): at most one per ISO week.
    pub fn notification(&self) -> Result<Notification> {
        let pct = |v: Option<f64>| v.map_or("–".to_string(), |x| format!("{:.1} %", x * 100.0));
        let misses: Vec<String> = self
            .biggest_misses
            .iter()
            .map(|r| format!("{} ({})", r.kpi, r.status))
            .collect();
        Ok(Notification {
            dedupe_key: format!("weekly:{}", self.week),
            kind: WEEKLY_KIND.to_string(),
            severity: Severity::Low,
            title: format!("edupulse weekly report {}", self.week),
            body: format!(
                "{} webinars, attendance {}, conversion {}, {} new enrolments, completion {}, churn {}; {} alerts; biggest misses: {}.",
                self.webinars.len(),
                pct(self.attendance_rate),
                pct(self.conversion_rate),
                self.new_enrolments,
                pct(self.completion_rate),
                pct(self.monthly_churn_rate),
                self.alerts.len(),
                if misses.is_empty() { "none".to_string() } else { misses.join(", ") },
            ),
            payload: serde_json::to_value(self)
                .map_err(|e| CoreError::param("weekly_report", e.to_string()))?,
            created_at: self.end,
        })
    }
}
