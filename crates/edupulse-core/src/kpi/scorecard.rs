//! The KPI scorecard: every KPI over a window, against its target, with a trend and a diagnosis.
//!
//! Decides, from the input tables, for a window `(start, end]` (default: the 30 days up to the
//! run's `as_of`) and the window of the same length just before it: the value of each KPI of
//! [`KPIS`](super::targets::KPIS), its status against [`KpiTargets`](super::targets::KpiTargets)
//! (on track / at risk / missed), its trend against the previous window, and, for a missed or
//! at-risk KPI, the likely causes and the edupulse results that show them. Definitions (each
//! row's `basis` is the count behind the value):
//! - `attendance_rate`, `conversion_rate`: registrations of webinars starting in the window
//!   (attended / registrations; converted / registrations, a purchase within
//!   `conversion_window_days` of the start, counted up to `end`);
//! - `completion_rate`: students enrolled by `end` whose enrolment has an outcome by `end`:
//!   certified (completed), withdrawn, or no activity in the `inactive_days` before `end` (dropped);
//!   completed / those. `certification_rate`: certified / all students enrolled by `end`. Both
//!   are stocks at `end`, not flows within the window;
//! - `monthly_churn_rate`: students active in the `inactive_days` before `start` and not yet
//!   certified, share with no activity in the window (or withdrawn in it), converted to a 30-day
//!   rate `1 − (1 − c)^(30 / days)`;
//! - `ltv`: revenue per paying customer, all purchases up to `end`;
//! - `referral_rate`, `participation_rate`: share of the window's active students with a
//!   `referral` / a `post` or `comment` in the window;
//! - `engagement`: mean 0–10 engagement at `end` (the leads step's point rules, default
//!   parameters) of the leads with an event in the window;
//! - `minutes_per_week`: minutes of `lesson_completed` activity (`value`) and webinar
//!   `minutes_watched` of the window's active students, per active student per 7 days;
//! - `lead_growth`: leads created in the window / leads created in the window before − 1;
//! - `revenue_per_webinar`: window revenue / webinars held in the window;
//! - `first_interaction_hours`: median hours from a lead's creation to its first event, leads
//!   created in the window;
//! - volumes without a target: `revenue`, `new_enrolments`, `active_students`, `webinars_held`.

use super::targets::{status, trend, KPIS};
use super::KpiConfig;
use crate::error::{CoreError, Result};
use crate::leads::points::{LeadScorer, PointsParams};
use crate::model::{ActivityKind, LeadEventKind, Tables};
use crate::results::{Notification, ResultSet, Severity};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

crate::result_table! {
    /// One KPI of the scorecard over the window `(window_start, window_end]`.
    #[table = "kpi_scorecard", step = "kpis", key = [kpi]]
    pub struct ScorecardRow {
        /// KPI id (`attendance_rate`, `monthly_churn_rate`, …; docs/kpis.md).
        pub kpi: String,
        /// Start of the window (exclusive).
        pub window_start: DateTime<Utc>,
        /// End of the window (inclusive).
        pub window_end: DateTime<Utc>,
        /// Value in the window (NULL when there is nothing to measure it on).
        pub value: Option<f64>,
        /// Value in the window of the same length just before.
        pub previous: Option<f64>,
        /// value − previous.
        pub change: Option<f64>,
        /// `improving`, `worsening`, `stable`, `up`, `down` (KPIs without a direction) or `unknown`.
        pub trend: String,
        /// Target (NULL: none).
        pub target: Option<f64>,
        /// `higher` or `lower` is better, or `neutral` (a volume).
        pub direction: String,
        /// `rate`, `growth`, `score`, `money`, `minutes`, `hours` or `count`.
        pub unit: String,
        /// `on_track`, `at_risk`, `missed`, `no_target` or `no_data`.
        pub status: String,
        /// The count behind the value (registrations, students, customers, leads…).
        pub basis: u64,
        /// Likely causes when at risk or missed (the troubleshooting rules), else empty.
        pub causes: String,
        /// The edupulse results that show those causes, else empty.
        pub see: String,
    }
}

/// A window of instants `(start, end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiWindow {
    /// Start (exclusive).
    pub start: DateTime<Utc>,
    /// End (inclusive).
    pub end: DateTime<Utc>,
}

impl KpiWindow {
    /// The window; `end` must be after `start`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<KpiWindow> {
        if end <= start {
            return Err(CoreError::param(
                "start",
                format!("the window start {start} is not before its end {end}"),
            ));
        }
        Ok(KpiWindow { start, end })
    }

    /// The `days` days up to `end`.
    pub fn last_days(end: DateTime<Utc>, days: u32) -> KpiWindow {
        KpiWindow {
            start: end - Duration::days(i64::from(days.max(1))),
            end,
        }
    }

    /// The window of the same length just before this one.
    pub fn previous(&self) -> KpiWindow {
        KpiWindow {
            start: self.start - (self.end - self.start),
            end: self.start,
        }
    }

    /// Whether `t` is in `(start, end]`.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        t > self.start && t <= self.end
    }

    fn days(&self) -> f64 {
        (self.end - self.start).num_seconds() as f64 / 86_400.0
    }
}

/// The scorecard of one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    /// The window scored.
    pub window: KpiWindow,
    /// One row per KPI, in the order of [`KPIS`].
    pub rows: Vec<ScorecardRow>,
}

type Measures = BTreeMap<&'static str, (Option<f64>, u64)>;

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    })
}

/// The KPI values of one window.
fn measure(tables: &Tables, w: &KpiWindow, cfg: &KpiConfig) -> Result<Measures> {
    let mut m = Measures::new();
    let conv_window = Duration::days(i64::from(cfg.conversion_window_days));
    let inactive = Duration::days(i64::from(cfg.inactive_days));

    // Webinars and their registrations.
    let starts: HashMap<&str, DateTime<Utc>> = tables
        .webinars
        .iter()
        .map(|x| (x.webinar_id.as_str(), x.starts_at))
        .collect();
    let mut buys: HashMap<&str, Vec<DateTime<Utc>>> = HashMap::new();
    for p in tables.purchases.iter().filter(|p| p.at <= w.end) {
        buys.entry(p.customer_id.as_str()).or_default().push(p.at);
    }
    for e in tables.lead_events.iter().filter(|e| e.at <= w.end) {
        if e.kind == LeadEventKind::Purchase {
            buys.entry(e.lead_id.as_str()).or_default().push(e.at);
        }
    }
    for v in buys.values_mut() {
        v.sort_unstable();
    }
    let (mut regs, mut attended, mut converted) = (0usize, 0usize, 0usize);
    let mut student_webinar_minutes: HashMap<&str, f64> = HashMap::new();
    for r in &tables.registrations {
        let start = starts
            .get(r.webinar_id.as_str())
            .copied()
            .unwrap_or(r.registered_at);
        if !w.contains(start) {
            continue;
        }
        regs += 1;
        attended += usize::from(r.attended);
        let conv = buys.get(r.person_id.as_str()).is_some_and(|ts| {
            let i = ts.partition_point(|t| *t < start);
            ts.get(i).is_some_and(|t| *t <= start + conv_window)
        });
        converted += usize::from(conv);
        if let Some(min) = r.minutes_watched {
            *student_webinar_minutes
                .entry(r.person_id.as_str())
                .or_default() += min;
        }
    }
    m.insert("attendance_rate", (ratio(attended, regs), regs as u64));
    m.insert("conversion_rate", (ratio(converted, regs), regs as u64));
    let held = tables
        .webinars
        .iter()
        .filter(|x| w.contains(x.starts_at))
        .count();
    m.insert("webinars_held", (Some(held as f64), held as u64));

    // Students and their activity.
    let enrolled: HashMap<&str, DateTime<Utc>> = tables
        .students
        .iter()
        .filter(|s| s.enrolled_at <= w.end)
        .map(|s| (s.student_id.as_str(), s.enrolled_at))
        .collect();
    let new_enrolments = enrolled.values().filter(|t| w.contains(**t)).count();
    m.insert(
        "new_enrolments",
        (Some(new_enrolments as f64), new_enrolments as u64),
    );
    let mut certified: HashMap<&str, DateTime<Utc>> = HashMap::new();
    let mut withdrawn: HashMap<&str, DateTime<Utc>> = HashMap::new();
    let mut last_seen: HashMap<&str, DateTime<Utc>> = HashMap::new();
    let mut active_before: HashSet<&str> = HashSet::new();
    let mut active: HashSet<&str> = HashSet::new();
    let (mut referrers, mut participants) = (HashSet::new(), HashSet::new());
    let mut minutes: HashMap<&str, f64> = HashMap::new();
    for a in tables.activity.iter().filter(|a| a.at <= w.end) {
        let id = a.student_id.as_str();
        if !enrolled.contains_key(id) {
            continue;
        }
        match a.kind {
            ActivityKind::Certificate => {
                let e = certified.entry(id).or_insert(a.at);
                *e = (*e).min(a.at);
            }
            ActivityKind::Withdrawn => {
                withdrawn.insert(id, a.at);
                continue;
            }
            _ => {}
        }
        let seen = last_seen.entry(id).or_insert(a.at);
        *seen = (*seen).max(a.at);
        if a.at <= w.start && a.at > w.start - inactive {
            active_before.insert(id);
        }
        if w.contains(a.at) {
            active.insert(id);
            match a.kind {
                ActivityKind::Referral => {
                    referrers.insert(id);
                }
                ActivityKind::Post | ActivityKind::Comment => {
                    participants.insert(id);
                }
                ActivityKind::LessonCompleted => {
                    *minutes.entry(id).or_default() += a.value.unwrap_or(0.0).max(0.0);
                }
                _ => {}
            }
        }
    }
    let n_active = active.len();
    m.insert("active_students", (Some(n_active as f64), n_active as u64));
    m.insert(
        "referral_rate",
        (ratio(referrers.len(), n_active), n_active as u64),
    );
    m.insert(
        "participation_rate",
        (ratio(participants.len(), n_active), n_active as u64),
    );
    let total_minutes: f64 = active
        .iter()
        .map(|id| {
            minutes.get(id).copied().unwrap_or(0.0)
                + student_webinar_minutes.get(id).copied().unwrap_or(0.0)
        })
        .sum();
    let weeks = w.days() / 7.0;
    m.insert(
        "minutes_per_week",
        (
            (n_active > 0).then(|| total_minutes / n_active as f64 / weeks),
            n_active as u64,
        ),
    );

    // Completion (outcomes by `end`) and certification.
    let (mut completed, mut outcome) = (0usize, 0usize);
    for (id, at) in &enrolled {
        if certified.contains_key(id) {
            completed += 1;
            outcome += 1;
        } else if withdrawn.contains_key(id) {
            outcome += 1;
        } else {
            let last = last_seen.get(id).copied().unwrap_or(*at);
            if last <= w.end - inactive {
                outcome += 1;
            }
        }
    }
    m.insert(
        "completion_rate",
        (ratio(completed, outcome), outcome as u64),
    );
    m.insert(
        "certification_rate",
        (
            ratio(certified.len(), enrolled.len()),
            enrolled.len() as u64,
        ),
    );

    // Monthly churn of the students active before the window.
    let cohort: Vec<&str> = active_before
        .iter()
        .copied()
        .filter(|id| certified.get(id).is_none_or(|t| *t > w.start))
        .filter(|id| withdrawn.get(id).is_none_or(|t| *t > w.start))
        .collect();
    let churned = cohort
        .iter()
        .filter(|id| !active.contains(*id) || withdrawn.get(*id).is_some_and(|t| w.contains(*t)))
        .count();
    let churn = ratio(churned, cohort.len()).map(|c| 1.0 - (1.0 - c).powf(30.0 / w.days()));
    m.insert("monthly_churn_rate", (churn, cohort.len() as u64));

    // Revenue.
    let mut spend: HashMap<&str, f64> = HashMap::new();
    let mut revenue = 0.0;
    for p in tables.purchases.iter().filter(|p| p.at <= w.end) {
        *spend.entry(p.customer_id.as_str()).or_default() += p.amount;
        if w.contains(p.at) {
            revenue += p.amount;
        }
    }
    let ltv = (!spend.is_empty()).then(|| spend.values().sum::<f64>() / spend.len() as f64);
    m.insert("ltv", (ltv, spend.len() as u64));
    m.insert("revenue", (Some(revenue), 0));
    m.insert(
        "revenue_per_webinar",
        ((held > 0).then(|| revenue / held as f64), held as u64),
    );

    // Leads.
    let prev = w.previous();
    let created_now = tables
        .leads
        .iter()
        .filter(|l| w.contains(l.created_at))
        .count();
    let created_before = tables
        .leads
        .iter()
        .filter(|l| prev.contains(l.created_at))
        .count();
    m.insert(
        "lead_growth",
        (
            ratio(created_now, created_before).map(|r| r - 1.0),
            created_now as u64,
        ),
    );
    let mut first: HashMap<&str, DateTime<Utc>> = HashMap::new();
    let mut in_window: HashSet<&str> = HashSet::new();
    for e in tables.lead_events.iter().filter(|e| e.at <= w.end) {
        let f = first.entry(e.lead_id.as_str()).or_insert(e.at);
        *f = (*f).min(e.at);
        if w.contains(e.at) {
            in_window.insert(e.lead_id.as_str());
        }
    }
    let hours: Vec<f64> = tables
        .leads
        .iter()
        .filter(|l| w.contains(l.created_at))
        .filter_map(|l| {
            let f = first.get(l.lead_id.as_str())?;
            (*f >= l.created_at).then(|| (*f - l.created_at).num_seconds() as f64 / 3600.0)
        })
        .collect();
    let n_hours = hours.len() as u64;
    m.insert("first_interaction_hours", (median(hours), n_hours));
    let events: Vec<_> = tables
        .lead_events
        .iter()
        .filter(|e| e.at <= w.end && in_window.contains(e.lead_id.as_str()))
        .cloned()
        .collect();
    let engagement = if events.is_empty() {
        (None, 0)
    } else {
        let scored = LeadScorer::new(PointsParams::default())?.score(&events, None, w.end)?;
        let n = scored.scores.len();
        let mean = scored.scores.iter().map(|s| s.engagement).sum::<f64>() / n.max(1) as f64;
        ((n > 0).then_some(mean), n as u64)
    };
    m.insert("engagement", engagement);
    Ok(m)
}

/// The scorecard of `window` (and of the window of the same length before it, for the trend).
///
/// ```
/// use edupulse_core::kpi::{scorecard::{scorecard, KpiWindow}, KpiConfig};
/// use edupulse_core::simulate::{simulate, SimConfig};
/// let sim = SimConfig { students: 60, seed: 2, ..SimConfig::default() };
/// let tables = simulate(&sim).unwrap();
/// let end = edupulse_core::model::date_to_datetime(sim.end_date());
/// let card = scorecard(&tables, KpiWindow::last_days(end, 30), &KpiConfig::default()).unwrap();
/// let churn = card.rows.iter().find(|r| r.kpi == "monthly_churn_rate").unwrap();
/// assert_eq!(churn.target, Some(0.10));
/// assert!(["on_track", "at_risk", "missed", "no_data"].contains(&churn.status.as_str()));
/// ```
pub fn scorecard(tables: &Tables, window: KpiWindow, cfg: &KpiConfig) -> Result<Scorecard> {
    cfg.validate()?;
    KpiWindow::new(window.start, window.end)?;
    let now = measure(tables, &window, cfg)?;
    let before = measure(tables, &window.previous(), cfg)?;
    let rows = KPIS
        .iter()
        .map(|def| {
            let (value, basis) = now.get(def.id).copied().unwrap_or((None, 0));
            let previous = before.get(def.id).and_then(|x| x.0);
            let target = cfg.targets.get(def.id);
            let st = status(value, target, def.direction, cfg.at_risk_margin);
            let diagnose = matches!(st, "at_risk" | "missed");
            ScorecardRow {
                kpi: def.id.to_string(),
                window_start: window.start,
                window_end: window.end,
                value,
                previous,
                change: value.zip(previous).map(|(v, p)| v - p),
                trend: trend(value, previous, def.direction, cfg.stable_band).to_string(),
                target,
                direction: def.direction.as_str().to_string(),
                unit: def.unit.as_str().to_string(),
                status: st.to_string(),
                basis,
                causes: if diagnose { def.causes } else { "" }.to_string(),
                see: if diagnose { def.see } else { "" }.to_string(),
            }
        })
        .collect();
    Ok(Scorecard { window, rows })
}

/// The latest instant in the tables' activity, registrations, purchases, students, leads and
/// lead events (not webinars, which may be planned ahead): the default end of a scorecard
/// window when no `as_of` is given. `None` for empty tables.
pub fn latest_instant(tables: &Tables) -> Option<DateTime<Utc>> {
    let times = tables
        .activity
        .iter()
        .map(|a| a.at)
        .chain(tables.registrations.iter().map(|r| r.registered_at))
        .chain(tables.purchases.iter().map(|p| p.at))
        .chain(tables.students.iter().map(|s| s.enrolled_at))
        .chain(tables.leads.iter().map(|l| l.created_at))
        .chain(tables.lead_events.iter().map(|e| e.at));
    times.max()
}

impl Scorecard {
    /// The row of KPI `kpi`.
    pub fn row(&self, kpi: &str) -> Option<&ScorecardRow> {
        self.rows.iter().find(|r| r.kpi == kpi)
    }

    /// The result set `kpi_scorecard` stamped `as_of`.
    pub fn to_result(&self, as_of: DateTime<Utc>) -> ResultSet {
        ResultSet::of(as_of, &self.rows)
    }

    /// The missed KPIs (then at-risk ones), worst first by their relative distance to the
    /// target: what the weekly report lists as the biggest misses.
    pub fn worst(&self, n: usize) -> Vec<&ScorecardRow> {
        let gap = |r: &ScorecardRow| -> f64 {
            match (r.value, r.target) {
                (Some(v), Some(t)) if t.abs() > 0.0 => ((v - t) / t.abs()).abs(),
                (Some(v), Some(t)) => (v - t).abs(),
                _ => 0.0,
            }
        };
        let mut bad: Vec<&ScorecardRow> = self
            .rows
            .iter()
            .filter(|r| r.status == "missed" || r.status == "at_risk")
            .collect();
        bad.sort_by(|a, b| {
            (a.status != "missed")
                .cmp(&(b.status != "missed"))
                .then(gap(b).total_cmp(&gap(a)))
        });
        bad.truncate(n);
        bad
    }

    /// The absolute-floor attendance alert: the window's attendance rate below
    /// `attendance_floor` with at least `min_registrations` registrations; at most one per ISO
    /// week of the window's end (key `kpi:attendance_floor:<YYYY>-W<ww>`).
    pub fn notifications(&self, cfg: &KpiConfig) -> Vec<Notification> {
        let Some(r) = self.row("attendance_rate") else {
            return Vec::new();
        };
        let Some(v) = r.value else {
            return Vec::new();
        };
        if v >= cfg.attendance_floor || (r.basis as usize) < cfg.min_registrations {
            return Vec::new();
        }
        let week = cfg.clock.week_key(self.window.end);
        vec![Notification {
            dedupe_key: format!("kpi:attendance_floor:{week}"),
            kind: "kpi_alert".to_string(),
            severity: if v < 0.5 * cfg.attendance_floor {
                Severity::High
            } else {
                Severity::Medium
            },
            title: format!(
                "Attendance {:.1} % is below the {:.0} % floor",
                v * 100.0,
                cfg.attendance_floor * 100.0
            ),
            body: format!(
                "Webinar attendance from {} to {} is {:.1} % of {} registrations (floor {:.0} %). Likely causes: {}. See: {}.",
                self.window.start.format("%Y-%m-%d"),
                self.window.end.format("%Y-%m-%d"),
                v * 100.0,
                r.basis,
                cfg.attendance_floor * 100.0,
                KPIS[0].causes,
                KPIS[0].see,
            ),
            payload: serde_json::json!({
                "metric": "attendance_rate", "value": v, "floor": cfg.attendance_floor,
                "registrations": r.basis,
            }),
            created_at: self.window.end,
        }]
    }
}

#[cfg(test)]
#[path = "scorecard_tests.rs"]
mod tests;
