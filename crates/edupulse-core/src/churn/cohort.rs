//! Survival and cohorts (the source's CohortAnalysis).
//!
//! Decides, per signup cohort (calendar month of `enrolled_at`): the Kaplan-Meier retention
//! curve, the retention matrix (share of the cohort active in each 30-day month since signup),
//! and revenue per student (cumulative by month since signup: observed lifetime value). A student
//! has churned at their last activity once they have been inactive for `inactivity_days`;
//! otherwise they are censored at the date. Data: `students`, `activity`, `purchases` at or
//! before the date.

use crate::error::{CoreError, Result};
use crate::model::Tables;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

const DAY: i64 = 86_400;
const MONTH: i64 = 30 * DAY;

/// One step of a Kaplan-Meier curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KmPoint {
    /// Event time.
    pub time: f64,
    /// Survival just after `time`.
    pub survival: f64,
    /// Number at risk just before `time`.
    pub at_risk: usize,
    /// Events at `time`.
    pub events: usize,
}

/// The Kaplan-Meier estimator: `durations[i]` with `observed[i]` (false = censored). Censored
/// times tied with events count as at risk at that time (the usual convention).
pub fn kaplan_meier(durations: &[f64], observed: &[bool]) -> Result<Vec<KmPoint>> {
    if durations.len() != observed.len() {
        return Err(CoreError::param(
            "observed",
            "length differs from durations",
        ));
    }
    if let Some(d) = durations.iter().find(|d| !(d.is_finite() && **d >= 0.0)) {
        return Err(CoreError::param(
            "durations",
            format!("{d} is not a non-negative number"),
        ));
    }
    let mut idx: Vec<usize> = (0..durations.len()).collect();
    idx.sort_by(|&a, &b| durations[a].total_cmp(&durations[b]));
    let mut at_risk = durations.len();
    let mut s = 1.0;
    let mut out = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let t = durations[idx[i]];
        let (mut events, mut total) = (0, 0);
        while i < idx.len() && durations[idx[i]] == t {
            events += usize::from(observed[idx[i]]);
            total += 1;
            i += 1;
        }
        if events > 0 {
            s *= 1.0 - events as f64 / at_risk as f64;
            out.push(KmPoint {
                time: t,
                survival: s,
                at_risk,
                events,
            });
        }
        at_risk -= total;
    }
    Ok(out)
}

/// Survival of a KM curve at time `t` (1 before the first event).
pub fn survival_at(curve: &[KmPoint], t: f64) -> f64 {
    curve
        .iter()
        .take_while(|p| p.time <= t)
        .last()
        .map_or(1.0, |p| p.survival)
}

/// One signup cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortRow {
    /// Cohort month, `YYYY-MM`.
    pub cohort: String,
    /// Students who signed up that month.
    pub students: usize,
    /// Kaplan-Meier survival at the end of each month since signup (0..months observed).
    pub km_survival: Vec<f64>,
    /// Share of the cohort with any activity in each month since signup.
    pub retention: Vec<f64>,
    /// Cumulative revenue per student by month since signup.
    pub revenue_per_student: Vec<f64>,
    /// Revenue per student to date (observed LTV).
    pub ltv_observed: f64,
}

/// Cohort analysis as of `as_of`.
pub fn cohorts(
    tables: &Tables,
    as_of: DateTime<Utc>,
    inactivity_days: u32,
) -> Result<Vec<CohortRow>> {
    if inactivity_days == 0 {
        return Err(CoreError::param("inactivity_days", "must be ≥ 1"));
    }
    let d = as_of.timestamp();
    let mut acts: HashMap<&str, Vec<i64>> = HashMap::new();
    for a in &tables.activity {
        if a.at.timestamp() <= d {
            acts.entry(a.student_id.as_str())
                .or_default()
                .push(a.at.timestamp());
        }
    }
    let mut buys: HashMap<&str, Vec<(i64, f64)>> = HashMap::new();
    for p in &tables.purchases {
        if p.at.timestamp() <= d {
            buys.entry(p.customer_id.as_str())
                .or_default()
                .push((p.at.timestamp(), p.amount));
        }
    }
    let mut groups: BTreeMap<String, Vec<&crate::model::Student>> = BTreeMap::new();
    for s in &tables.students {
        if s.enrolled_at.timestamp() <= d {
            groups
                .entry(s.enrolled_at.format("%Y-%m").to_string())
                .or_default()
                .push(s);
        }
    }
    let inactive = i64::from(inactivity_days) * DAY;
    let mut out = Vec::new();
    for (cohort, students) in groups {
        let first = students
            .iter()
            .map(|s| s.enrolled_at.timestamp())
            .min()
            .unwrap_or(d);
        let months = ((d - first) / MONTH + 1) as usize;
        let mut durations = Vec::new();
        let mut observed = Vec::new();
        let mut active = vec![0usize; months];
        let mut eligible = vec![0usize; months];
        let mut revenue = vec![0.0; months];
        let mut total_revenue = 0.0;
        for s in &students {
            let e = s.enrolled_at.timestamp();
            let a = acts
                .get(s.student_id.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let last = a.iter().copied().max().unwrap_or(e).max(e);
            if d - last >= inactive {
                durations.push((last - e) as f64 / MONTH as f64);
                observed.push(true);
            } else {
                durations.push((d - e) as f64 / MONTH as f64);
                observed.push(false);
            }
            for k in 0..months {
                let start = e + k as i64 * MONTH;
                if start > d {
                    break;
                }
                eligible[k] += 1;
                if a.iter().any(|&t| t >= start && t < start + MONTH) {
                    active[k] += 1;
                }
            }
            for &(t, amt) in buys
                .get(s.student_id.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                let k = (((t - e).max(0)) / MONTH) as usize;
                if k < months {
                    revenue[k] += amt;
                }
                total_revenue += amt;
            }
        }
        let km = kaplan_meier(&durations, &observed)?;
        let n = students.len() as f64;
        let observed_months = eligible.iter().take_while(|&&c| c > 0).count();
        let mut cum = 0.0;
        out.push(CohortRow {
            cohort,
            students: students.len(),
            km_survival: (0..observed_months)
                .map(|k| survival_at(&km, (k + 1) as f64))
                .collect(),
            retention: (0..observed_months)
                .map(|k| active[k] as f64 / eligible[k] as f64)
                .collect(),
            revenue_per_student: (0..observed_months)
                .map(|k| {
                    cum += revenue[k];
                    cum / n
                })
                .collect(),
            ltv_observed: total_revenue / n,
        });
    }
    Ok(out)
}
