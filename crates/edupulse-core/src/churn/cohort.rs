//! Survival and cohorts (the source's CohortAnalysis).
//!
//! Decides, per signup cohort (calendar month of `enrolled_at`): the Kaplan-Meier retention
//! curve, the retention matrix (share of the cohort active in each calendar month since the
//! signup month: month 0 is the signup month itself, month 1 the next calendar month, as in the
//! source's CohortAnalysis), and revenue per student (cumulative by calendar month since the
//! signup month: observed lifetime value). A student has churned at their last activity once
//! they have been inactive for `inactivity_days`; otherwise they are censored at the date; the
//! Kaplan-Meier durations are in calendar months (whole months by the calendar, then the
//! fraction of the month in progress). Data: `students`, `activity`, `purchases` at or before
//! the date.

use crate::clock::LocalClock;
use crate::error::{CoreError, Result};
use crate::model::Tables;
use chrono::{DateTime, Months, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

fn at(ts: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(ts, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Calendar months from `a` to `b ≥ a`: whole months by the calendar (`a + k months ≤ b`, the
/// day clamped to the month's end as chrono does), plus the elapsed fraction of the next one.
pub fn months_between(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    months_between_in(a, b, &LocalClock::UTC)
}

/// [`months_between`] on the local calendar of `clock` (whole local months, then the elapsed
/// fraction of the next local month).
pub fn months_between_in(a: DateTime<Utc>, b: DateTime<Utc>, clock: &LocalClock) -> f64 {
    if b <= a {
        return 0.0;
    }
    let mut k = (clock.month_index(b) - clock.month_index(a)).max(0) as u32;
    let (a, b): (NaiveDateTime, NaiveDateTime) = (clock.local(a), clock.local(b));
    let step = |k: u32| a.checked_add_months(Months::new(k));
    while k > 0 && step(k).is_none_or(|t| t > b) {
        k -= 1;
    }
    let (Some(lo), Some(hi)) = (step(k), step(k + 1)) else {
        return f64::from(k);
    };
    let span = (hi - lo).num_seconds().max(1) as f64;
    f64::from(k) + (b - lo).num_seconds() as f64 / span
}

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

crate::result_table! {
    /// One signup cohort.
    #[table = "churn_cohorts", step = "churn", key = [cohort]]
    pub struct CohortRow {
        /// Cohort month, `YYYY-MM`.
        pub cohort: String,
        /// Students who signed up that month.
        pub students: usize,
        /// Kaplan-Meier survival after `k + 1` calendar months since signup, for each calendar
        /// month `k` from the signup month to the month of the date.
        pub km_survival: Vec<f64>,
        /// Share of the cohort with any activity in calendar month `k` after the signup month
        /// (`k = 0`: the signup month; the last entry is the month in progress).
        pub retention: Vec<f64>,
        /// Cumulative revenue per student up to the end of calendar month `k` after the signup month.
        pub revenue_per_student: Vec<f64>,
        /// Revenue per student to date (observed LTV).
        pub ltv_observed: f64,
        /// Predicted lifetime value per student of the cohort (BG/NBD × Gamma-Gamma over the
        /// CLV horizon; NULL when the purchase models could not be fitted).
        pub clv_predicted_per_student: Option<f64>,
    }
}

/// Cohort analysis as of `as_of`. Cohorts, months and the month of `as_of` are local calendar
/// months of `clock` (`[job] timezone`); the inactivity window is `inactivity_days` local days.
pub fn cohorts(
    tables: &Tables,
    as_of: DateTime<Utc>,
    inactivity_days: u32,
    clock: &LocalClock,
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
                .entry(clock.month_key(s.enrolled_at))
                .or_default()
                .push(s);
        }
    }
    // Inactive since at least `inactivity_days` local days before `as_of`.
    let inactive = d - clock
        .add_days(as_of, -i64::from(inactivity_days))
        .timestamp();
    let month_index = |t: DateTime<Utc>| clock.month_index(t);
    let as_of_month = month_index(as_of);
    let mut out = Vec::new();
    for (cohort, students) in groups {
        let Some(first) = students.first() else {
            continue;
        };
        let cohort_month = month_index(first.enrolled_at);
        // Calendar months from the signup month to the month of `as_of`, both included.
        let months = (as_of_month - cohort_month + 1).max(1) as usize;
        let mut durations = Vec::new();
        let mut observed = Vec::new();
        let mut active = vec![0usize; months];
        let mut revenue = vec![0.0; months];
        let mut total_revenue = 0.0;
        let mut seen = vec![false; months];
        for s in &students {
            let e = s.enrolled_at.timestamp();
            let a = acts
                .get(s.student_id.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let last = a.iter().copied().max().unwrap_or(e).max(e);
            if d - last >= inactive {
                durations.push(months_between_in(s.enrolled_at, at(last), clock));
                observed.push(true);
            } else {
                durations.push(months_between_in(s.enrolled_at, as_of, clock));
                observed.push(false);
            }
            seen.iter_mut().for_each(|v| *v = false);
            for &t in a {
                if t < e {
                    continue;
                }
                let k = month_index(at(t)) - cohort_month;
                if let Some(v) = usize::try_from(k).ok().and_then(|k| seen.get_mut(k)) {
                    *v = true;
                }
            }
            for (c, v) in active.iter_mut().zip(&seen) {
                *c += usize::from(*v);
            }
            for &(t, amt) in buys
                .get(s.student_id.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                // Purchases before signup count in the signup month.
                let k = (month_index(at(t)) - cohort_month).max(0);
                if let Some(r) = usize::try_from(k).ok().and_then(|k| revenue.get_mut(k)) {
                    *r += amt;
                }
                total_revenue += amt;
            }
        }
        let km = kaplan_meier(&durations, &observed)?;
        let n = students.len() as f64;
        let mut cum = 0.0;
        out.push(CohortRow {
            cohort,
            students: students.len(),
            km_survival: (0..months)
                .map(|k| survival_at(&km, (k + 1) as f64))
                .collect(),
            retention: active.iter().map(|&c| c as f64 / n).collect(),
            revenue_per_student: revenue
                .iter()
                .map(|r| {
                    cum += r;
                    cum / n
                })
                .collect(),
            ltv_observed: total_revenue / n,
            clv_predicted_per_student: None,
        });
    }
    Ok(out)
}
