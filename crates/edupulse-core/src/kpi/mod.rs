//! Business KPIs of the daily job, as of a point in time.
//!
//! Decides nothing by itself; it measures what the source asks to follow every day, from the input
//! tables, counting only rows at or before `as_of` (so re-running an old `as_of` gives the same
//! figures):
//! - the **funnel** registration → attendance → conversion, per segment (industry, role, company
//!   size): a registrant converts when they purchase (a `purchases` row or a `purchase` lead event)
//!   within `conversion_window_days` after the webinar starts;
//! - **attendance by slot** (weekday × hour of the webinar);
//! - **active students** (any activity in the last 7 and 30 days);
//! - **revenue by month**; the **completion rate** (students with a certificate / students);
//! - a **KPI alert** when the attendance rate of the last 30 days falls by more than
//!   `attendance_drop_alert` (relative) against the 30 days before, and a daily **digest**;
//! - the **scorecard** ([`scorecard`]): every KPI over a window against its target
//!   ([`targets`]), with status, trend and diagnosis, and the attendance-floor alert.

pub mod scorecard;
pub mod targets;
pub mod weekly;

use crate::error::{CoreError, Result};
use crate::model::{ActivityKind, LeadEventKind, Tables};
use crate::results::{Notification, ResultSet, Severity};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Parameters of the KPI step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KpiConfig {
    /// A registrant converts if they purchase within this many days after the webinar starts.
    pub conversion_window_days: u32,
    /// Relative fall of the 30-day attendance rate that raises an alert (0.2 = −20 %).
    pub attendance_drop_alert: f64,
    /// Minimum registrations in each 30-day window before the attendance alert may fire.
    pub min_registrations: usize,
    /// Absolute attendance floor: the scorecard window's attendance rate below it alerts (the
    /// source's troubleshooting symptom, 30 %).
    pub attendance_floor: f64,
    /// Days of the scorecard window (the previous window has the same length).
    pub window_days: u32,
    /// A KPI missing its target by at most this share of the target is `at_risk`, beyond
    /// `missed`.
    pub at_risk_margin: f64,
    /// A relative change within this band is a `stable` trend.
    pub stable_band: f64,
    /// Days without activity after which an enrolment counts as dropped (completion) and a
    /// student as active before the window (churn).
    pub inactive_days: u32,
    /// The target of each KPI (`[job.kpi.targets]`).
    pub targets: targets::KpiTargets,
    /// The local clock of weekdays, hours, months, days and ISO weeks (slots, revenue months,
    /// alert and digest keys, weekly report bounds). Not a key of `[job.kpi]`: the job sets it
    /// from `[job] timezone` ([`crate::job::JobConfig::kpi_config`]); UTC by default.
    #[serde(skip)]
    pub clock: crate::clock::LocalClock,
}

impl Default for KpiConfig {
    fn default() -> Self {
        KpiConfig {
            conversion_window_days: 30,
            attendance_drop_alert: 0.2,
            min_registrations: 30,
            attendance_floor: 0.30,
            window_days: 30,
            at_risk_margin: 0.10,
            stable_band: 0.05,
            inactive_days: 30,
            targets: targets::KpiTargets::default(),
            clock: crate::clock::LocalClock::UTC,
        }
    }
}

impl KpiConfig {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if !(self.attendance_drop_alert > 0.0 && self.attendance_drop_alert < 1.0) {
            return Err(CoreError::param(
                "attendance_drop_alert",
                format!("{} is not in (0, 1)", self.attendance_drop_alert),
            ));
        }
        if self.conversion_window_days == 0 {
            return Err(CoreError::param("conversion_window_days", "must be ≥ 1"));
        }
        if !(self.attendance_floor >= 0.0 && self.attendance_floor <= 1.0) {
            return Err(CoreError::param(
                "attendance_floor",
                format!("{} is not in [0, 1]", self.attendance_floor),
            ));
        }
        if self.window_days == 0 || self.window_days > 366 {
            return Err(CoreError::param("window_days", "must be in 1..=366"));
        }
        if self.inactive_days == 0 {
            return Err(CoreError::param("inactive_days", "must be ≥ 1"));
        }
        for (name, v) in [
            ("at_risk_margin", self.at_risk_margin),
            ("stable_band", self.stable_band),
        ] {
            if !(0.0..1.0).contains(&v) {
                return Err(CoreError::param(name, format!("{v} is not in [0, 1)")));
            }
        }
        self.targets.validate()
    }
}

crate::result_table! {
    /// One segment of the funnel.
    #[table = "kpi_funnel", step = "kpis", key = [dimension, segment]]
    pub struct FunnelRow {
        /// `industry`, `role`, `company_size`, or `all`.
        pub dimension: String,
        /// The segment value (`all` for the total).
        pub segment: String,
        /// Registrations.
        pub registrations: u64,
        /// Registrations that attended.
        pub attended: u64,
        /// Registrants who converted.
        pub converted: u64,
        /// attended / registrations.
        pub attendance_rate: f64,
        /// converted / registrations.
        pub conversion_rate: f64,
        /// Converted attendees / attendees.
        pub attendee_conversion_rate: f64,
    }
}

crate::result_table! {
    /// Attendance of webinars starting on one local weekday and hour (`[job] timezone`).
    #[table = "kpi_slots", step = "kpis", key = [weekday, hour]]
    pub struct SlotRow {
        /// 0 = Monday … 6 = Sunday.
        pub weekday: u32,
        /// Hour of day, 0–23.
        pub hour: u32,
        /// Webinars in the slot.
        pub webinars: u64,
        /// Registrations.
        pub registrations: u64,
        /// Attended.
        pub attended: u64,
        /// attended / registrations.
        pub attendance_rate: f64,
    }
}

crate::result_table! {
    /// Revenue of one calendar month.
    #[table = "kpi_revenue", step = "kpis", key = [month]]
    pub struct MonthRevenue {
        /// `YYYY-MM`.
        pub month: String,
        /// Sum of amounts.
        pub revenue: f64,
        /// Number of purchases.
        pub purchases: u64,
        /// Distinct customers.
        pub customers: u64,
    }
}

crate::result_table! {
    /// The headline KPIs of one run (one row per run).
    #[table = "kpi_summary", step = "kpis", key = []]
    pub struct KpiSummary {
        /// Students enrolled at `as_of`.
        pub students: u64,
        /// Students with activity in the 7 days before `as_of`.
        pub active_students_7d: u64,
        /// Students with activity in the 30 days before `as_of`.
        pub active_students_30d: u64,
        /// Students with a certificate.
        pub completed_students: u64,
        /// completed / students.
        pub completion_rate: f64,
        /// Attendance rate of registrations for webinars in the last 30 days (NULL if none).
        pub attendance_rate_last_30d: Option<f64>,
        /// The same for the 30 days before.
        pub attendance_rate_prev_30d: Option<f64>,
        /// Registrations behind the last-30-day rate.
        pub registrations_last_30d: u64,
        /// Registrations behind the previous-30-day rate.
        pub registrations_prev_30d: u64,
    }
}

/// The KPIs of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    /// Point in time.
    pub as_of: DateTime<Utc>,
    /// Funnel rows: `all`, then per industry, role and company size.
    pub funnel: Vec<FunnelRow>,
    /// Attendance by weekday × hour.
    pub slots: Vec<SlotRow>,
    /// Students enrolled at `as_of`.
    pub students: u64,
    /// Students with activity in the 7 days before `as_of`.
    pub active_students_7d: u64,
    /// Students with activity in the 30 days before `as_of`.
    pub active_students_30d: u64,
    /// Students with a certificate.
    pub completed_students: u64,
    /// completed / students.
    pub completion_rate: f64,
    /// Revenue per month, oldest first.
    pub revenue_by_month: Vec<MonthRevenue>,
    /// Attendance rate of registrations for webinars in the last 30 days (`None` if none).
    pub attendance_rate_last_30d: Option<f64>,
    /// The same for the 30 days before.
    pub attendance_rate_prev_30d: Option<f64>,
    /// Registrations behind each of the two rates.
    pub registrations_last_30d: u64,
    /// Registrations in the 30 days before.
    pub registrations_prev_30d: u64,
}

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

#[derive(Default)]
struct Tally {
    registrations: u64,
    attended: u64,
    converted: u64,
    converted_attendees: u64,
}

impl Tally {
    fn add(&mut self, attended: bool, converted: bool) {
        self.registrations += 1;
        self.attended += u64::from(attended);
        self.converted += u64::from(converted);
        self.converted_attendees += u64::from(attended && converted);
    }

    fn row(&self, dimension: &str, segment: &str) -> FunnelRow {
        FunnelRow {
            dimension: dimension.to_string(),
            segment: segment.to_string(),
            registrations: self.registrations,
            attended: self.attended,
            converted: self.converted,
            attendance_rate: ratio(self.attended, self.registrations),
            conversion_rate: ratio(self.converted, self.registrations),
            attendee_conversion_rate: ratio(self.converted_attendees, self.attended),
        }
    }
}

/// Compute the KPIs of `tables` as of `as_of`.
///
/// ```
/// use edupulse_core::kpi::{compute, KpiConfig};
/// use edupulse_core::simulate::{simulate, SimConfig};
/// let tables = simulate(&SimConfig { students: 100, seed: 3, ..SimConfig::default() }).unwrap();
/// let as_of = tables.activity.iter().map(|a| a.at).max().unwrap();
/// let k = compute(&tables, as_of, &KpiConfig::default()).unwrap();
/// assert!(k.completion_rate >= 0.0 && k.completion_rate <= 1.0);
/// assert_eq!(k.funnel[0].dimension, "all");
/// ```
pub fn compute(tables: &Tables, as_of: DateTime<Utc>, cfg: &KpiConfig) -> Result<Kpis> {
    cfg.validate()?;
    let clock = cfg.clock;
    let window = Duration::days(i64::from(cfg.conversion_window_days));

    // Purchase instants per customer (purchases table and `purchase` lead events), sorted.
    let mut buys: HashMap<&str, Vec<DateTime<Utc>>> = HashMap::new();
    for p in tables.purchases.iter().filter(|p| p.at <= as_of) {
        buys.entry(p.customer_id.as_str()).or_default().push(p.at);
    }
    for e in tables.lead_events.iter().filter(|e| e.at <= as_of) {
        if e.kind == LeadEventKind::Purchase {
            buys.entry(e.lead_id.as_str()).or_default().push(e.at);
        }
    }
    for v in buys.values_mut() {
        v.sort_unstable();
    }
    let converted_after = |person: &str, start: DateTime<Utc>| -> bool {
        buys.get(person).is_some_and(|ts| {
            let i = ts.partition_point(|t| *t < start);
            ts.get(i).is_some_and(|t| *t <= start + window)
        })
    };

    let starts: HashMap<&str, (DateTime<Utc>, crate::clock::LocalClock)> = tables
        .webinars
        .iter()
        .map(|w| (w.webinar_id.as_str(), (w.starts_at, w.clock_or(&clock))))
        .collect();

    let mut all = Tally::default();
    let mut by: BTreeMap<(&str, &str), Tally> = BTreeMap::new();
    let mut slots: BTreeMap<(u32, u32), (HashSet<&str>, Tally)> = BTreeMap::new();
    let (mut last, mut prev) = (Tally::default(), Tally::default());
    for r in &tables.registrations {
        // A registration counts once its webinar has happened (unknown webinar: at registration).
        let (start, slot_clock) = starts
            .get(r.webinar_id.as_str())
            .copied()
            .unwrap_or((r.registered_at, clock));
        if start > as_of {
            continue;
        }
        let conv = converted_after(&r.person_id, start);
        all.add(r.attended, conv);
        for (dim, seg) in [
            ("industry", r.industry.as_str()),
            ("role", r.role.as_str()),
            ("company_size", r.company_size.as_str()),
        ] {
            by.entry((dim, seg)).or_default().add(r.attended, conv);
        }
        let slot = slots
            .entry((
                slot_clock.weekday(start).num_days_from_monday(),
                slot_clock.hour(start),
            ))
            .or_default();
        slot.0.insert(r.webinar_id.as_str());
        slot.1.add(r.attended, conv);
        let age = as_of - start;
        if age <= Duration::days(30) {
            last.add(r.attended, conv);
        } else if age <= Duration::days(60) {
            prev.add(r.attended, conv);
        }
    }
    let mut funnel = vec![all.row("all", "all")];
    funnel.extend(by.iter().map(|((d, s), t)| t.row(d, s)));
    let slots = slots
        .iter()
        .map(|(&(weekday, hour), (ws, t))| SlotRow {
            weekday,
            hour,
            webinars: ws.len() as u64,
            registrations: t.registrations,
            attended: t.attended,
            attendance_rate: ratio(t.attended, t.registrations),
        })
        .collect();

    let enrolled: HashSet<&str> = tables
        .students
        .iter()
        .filter(|s| s.enrolled_at <= as_of)
        .map(|s| s.student_id.as_str())
        .collect();
    let (mut active7, mut active30, mut completed) =
        (HashSet::new(), HashSet::new(), HashSet::new());
    for a in tables.activity.iter().filter(|a| a.at <= as_of) {
        if !enrolled.contains(a.student_id.as_str()) {
            continue;
        }
        let age = as_of - a.at;
        if age <= Duration::days(7) {
            active7.insert(a.student_id.as_str());
        }
        if age <= Duration::days(30) {
            active30.insert(a.student_id.as_str());
        }
        if a.kind == ActivityKind::Certificate {
            completed.insert(a.student_id.as_str());
        }
    }

    let mut months: BTreeMap<String, (f64, u64, HashSet<&str>)> = BTreeMap::new();
    for p in tables.purchases.iter().filter(|p| p.at <= as_of) {
        let m = months.entry(clock.month_key(p.at)).or_default();
        m.0 += p.amount;
        m.1 += 1;
        m.2.insert(p.customer_id.as_str());
    }
    let revenue_by_month = months
        .into_iter()
        .map(|(month, (revenue, purchases, c))| MonthRevenue {
            month,
            revenue,
            purchases,
            customers: c.len() as u64,
        })
        .collect();

    let rate = |t: &Tally| (t.registrations > 0).then(|| ratio(t.attended, t.registrations));
    Ok(Kpis {
        as_of,
        funnel,
        slots,
        students: enrolled.len() as u64,
        active_students_7d: active7.len() as u64,
        active_students_30d: active30.len() as u64,
        completed_students: completed.len() as u64,
        completion_rate: ratio(completed.len() as u64, enrolled.len() as u64),
        revenue_by_month,
        attendance_rate_last_30d: rate(&last),
        attendance_rate_prev_30d: rate(&prev),
        registrations_last_30d: last.registrations,
        registrations_prev_30d: prev.registrations,
    })
}

impl Kpis {
    /// The KPI summary row of this run.
    pub fn summary_row(&self) -> KpiSummary {
        KpiSummary {
            students: self.students,
            active_students_7d: self.active_students_7d,
            active_students_30d: self.active_students_30d,
            completed_students: self.completed_students,
            completion_rate: self.completion_rate,
            attendance_rate_last_30d: self.attendance_rate_last_30d,
            attendance_rate_prev_30d: self.attendance_rate_prev_30d,
            registrations_last_30d: self.registrations_last_30d,
            registrations_prev_30d: self.registrations_prev_30d,
        }
    }

    /// The result tables of the KPI step: `kpi_summary`, `kpi_funnel`, `kpi_slots` and
    /// `kpi_revenue`.
    pub fn to_results(&self) -> Vec<ResultSet> {
        vec![
            ResultSet::of(self.as_of, &[self.summary_row()]),
            ResultSet::of(self.as_of, &self.funnel),
            ResultSet::of(self.as_of, &self.slots),
            ResultSet::of(self.as_of, &self.revenue_by_month),
        ]
    }

    /// Notifications raised by the KPIs: the attendance-drop alert (at most one per ISO week, by
    /// its dedupe key) and the daily digest (one per day).
    pub fn notifications(&self, cfg: &KpiConfig) -> Vec<Notification> {
        let mut out = Vec::new();
        let day = cfg.clock.date(self.as_of).format("%Y-%m-%d").to_string();
        if let (Some(now), Some(before)) =
            (self.attendance_rate_last_30d, self.attendance_rate_prev_30d)
        {
            let enough = self.registrations_last_30d as usize >= cfg.min_registrations
                && self.registrations_prev_30d as usize >= cfg.min_registrations;
            let drop = if before > 0.0 {
                1.0 - now / before
            } else {
                0.0
            };
            if enough && drop > cfg.attendance_drop_alert {
                let week = cfg.clock.week_key(self.as_of);
                let severity = if drop > 2.0 * cfg.attendance_drop_alert {
                    Severity::High
                } else {
                    Severity::Medium
                };
                out.push(Notification {
                    dedupe_key: format!("kpi:attendance_drop:{week}"),
                    kind: "kpi_alert".to_string(),
                    severity,
                    title: format!("Attendance rate fell {:.0} %", drop * 100.0),
                    body: format!(
                        "Webinar attendance in the last 30 days is {:.1} % against {:.1} % in the 30 days before ({} and {} registrations).",
                        now * 100.0,
                        before * 100.0,
                        self.registrations_last_30d,
                        self.registrations_prev_30d
                    ),
                    payload: serde_json::json!({"metric": "attendance_rate", "now": now, "before": before, "drop": drop}),
                    created_at: self.as_of,
                });
            }
        }
        let revenue_month = self.revenue_by_month.last();
        out.push(Notification {
            dedupe_key: format!("digest:{day}"),
            kind: "daily_digest".to_string(),
            severity: Severity::Low,
            title: format!("edupulse daily digest {day}"),
            body: format!(
                "{} students, {} active in 7 days, {} in 30; completion {:.1} %; revenue {} {:.2}.",
                self.students,
                self.active_students_7d,
                self.active_students_30d,
                self.completion_rate * 100.0,
                revenue_month.map_or("-", |m| m.month.as_str()),
                revenue_month.map_or(0.0, |m| m.revenue),
            ),
            payload: serde_json::json!({
                "students": self.students,
                "active_students_7d": self.active_students_7d,
                "completion_rate": self.completion_rate,
            }),
            created_at: self.as_of,
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Purchase, Registration, Webinar};
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, d, h, 0, 0).unwrap()
    }

    fn reg(w: &str, p: &str, attended: bool, industry: &str) -> Registration {
        Registration {
            webinar_id: w.into(),
            person_id: p.into(),
            registered_at: t(1, 9),
            industry: industry.into(),
            role: "analista".into(),
            company_size: "11-50".into(),
            attended,
            minutes_watched: None,
            questions: None,
            polls: None,
            chat_messages: None,
        }
    }

    #[test]
    fn funnel_counts_conversions_within_the_window_only() {
        let tables = Tables {
            webinars: vec![Webinar {
                webinar_id: "w1".into(),
                title: "IA".into(),
                topic: "ia".into(),
                starts_at: t(4, 17), // a Tuesday
                duration_min: 60,
                industry: None,
                role: None,
                company_size: None,
                timezone: None,
            }],
            registrations: vec![
                reg("w1", "p1", true, "salud"),
                reg("w1", "p2", true, "salud"),
                reg("w1", "p3", false, "retail"),
                reg("w1", "p4", false, "retail"),
            ],
            purchases: vec![
                Purchase {
                    customer_id: "p1".into(),
                    at: t(10, 0),
                    amount: 99.0,
                    currency: None,
                },
                // Before the webinar: not a conversion.
                Purchase {
                    customer_id: "p2".into(),
                    at: t(2, 0),
                    amount: 49.0,
                    currency: None,
                },
            ],
            ..Tables::default()
        };
        let k = compute(&tables, t(31, 0), &KpiConfig::default()).unwrap();
        let all = &k.funnel[0];
        assert_eq!((all.registrations, all.attended, all.converted), (4, 2, 1));
        assert!((all.attendee_conversion_rate - 0.5).abs() < 1e-12);
        let salud = k.funnel.iter().find(|f| f.segment == "salud").unwrap();
        assert_eq!(salud.attendance_rate, 1.0);
        assert_eq!((k.slots[0].weekday, k.slots[0].hour), (1, 17));
        // Before the webinar happened nothing counts.
        let early = compute(&tables, t(3, 0), &KpiConfig::default()).unwrap();
        assert_eq!(early.funnel[0].registrations, 0);
        // Revenue up to as_of only.
        assert_eq!(k.revenue_by_month[0].revenue, 148.0);
        assert_eq!(early.revenue_by_month[0].revenue, 49.0);
    }

    #[test]
    fn digest_is_one_per_day_and_bad_config_is_named() {
        let k = compute(&Tables::default(), t(5, 0), &KpiConfig::default()).unwrap();
        let n = k.notifications(&KpiConfig::default());
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].dedupe_key, "digest:2025-03-05");
        let bad = KpiConfig {
            attendance_drop_alert: 1.5,
            ..KpiConfig::default()
        };
        let e = compute(&Tables::default(), t(5, 0), &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("attendance_drop_alert"), "{e}");
    }
}
