//! Demand: how many registrants of each segment will attend a webinar, with an interval, and
//! which day and hour would draw the most.
//!
//! Decides, from `webinars` × `registrations` (DESIGN §3):
//! - the attendance rate of a registrant of segment (industry, role, company size) for a webinar
//!   on a topic at a weekday, hour and month ([`FittedDemand::predict_rates`]), from a
//!   [`TabularRegressor`] (the same pipeline the Python regressors fit): a random forest (the
//!   source's choice) or gradient-boosted trees, with the regressor's interval for the
//!   conditional mean ([`TabularRegressor::predict_mean_interval`]: quantiles of the per-tree
//!   predictions, or over GBDTs refitted on bootstrap resamples of the webinars,
//!   `gbdt_replicates`) — a rate's uncertainty, not a 0/1 outcome's prediction interval;
//! - a webinar's expected attendees: the rate averaged over the registrant mix of its target
//!   segment, times its expected registrations ([`FittedDemand::predict_webinar`]);
//! - the best slots for a webinar over a grid (default Mon–Fri × 9–20 h of the planned week),
//!   with blocked slots and a minimum gap between webinars of the same target segment, and the
//!   expected improvement over the planned slot ([`FittedDemand::best_slots`]);
//! - a month's calendar: N webinars from topics × target segments chosen by trend score ×
//!   predicted attendees, without clashes ([`FittedDemand::plan_month`]);
//! - rescheduling suggestions: planned webinars whose best slot beats the planned one by more
//!   than a threshold ([`FittedDemand::rescheduling`]).
//!
//! Training rows are registrations of webinars that started before the fit's cut-off, target
//! `attended` (0/1), so the model's output is a rate. Features: industry, role, company size,
//! topic (one-hot, with an `other` bucket for rare and unseen categories), weekday, hour and
//! month of `starts_at` on the local clock of `DemandParams::timezone` (`[job] timezone` in the
//! job; UTC by default), lead time (days from registration to start) and the segment's
//! previous attendance rate (industry × role, shrunk towards the overall rate, computed only from
//! webinars that started strictly earlier: no leakage).
//!
//! ```
//! use edupulse_core::demand::{DemandModel, DemandParams, SlotParams};
//! use edupulse_core::simulate::{simulate, SimConfig};
//! let t = simulate(&SimConfig { students: 150, seed: 3, ..SimConfig::default() }).unwrap();
//! let params = DemandParams { forest: edupulse_core::learn::ForestParams { n_trees: 20, ..Default::default() }, ..Default::default() };
//! let m = DemandModel::fit(&t.webinars, &t.registrations, &params).unwrap();
//! let ranking = m.best_slots(&t.webinars[0], &[], &SlotParams::default()).unwrap();
//! assert_eq!(ranking.slots.len(), 5);
//! assert!(ranking.slots[0].attendees >= ranking.slots[4].attendees);
//! ```

mod plan;
pub mod rows;
pub mod step;
pub mod topics;
pub use plan::{CalendarEntry, CalendarRequest, Reschedule};
pub use rows::{
    BestSlotRow, PlannedWebinarRow, SegmentBestSlotRow, SlotHeatmapRow, WebinarForecastRow,
};
pub use step::{DemandConfig, DemandStep};
pub use topics::{topic_scores, TopicScores, TopicSource};

use crate::clock::LocalClock;
use crate::error::{CoreError, Result};
use crate::learn::{
    spread_quantiles, ColumnData, ForestParams, GbdtParams, MemberPredictions, RegressorKind,
    RegressorParams, TabularData, TabularRegressor,
};
use crate::model::{Registration, Webinar};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Which learner predicts the rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DemandModelKind {
    /// Random forest (interval from the spread of the trees).
    #[default]
    Forest,
    /// Gradient-boosted trees (interval from bootstrap replicates, `gbdt_replicates`).
    Gbdt,
}

impl DemandModelKind {
    /// Parse `"forest"` or `"gbdt"`.
    pub fn parse(s: &str) -> Option<DemandModelKind> {
        match s {
            "forest" => Some(DemandModelKind::Forest),
            "gbdt" => Some(DemandModelKind::Gbdt),
            _ => None,
        }
    }
}

/// Parameters of [`DemandModel::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemandParams {
    /// The learner.
    pub model: DemandModelKind,
    /// Forest parameters (for [`DemandModelKind::Forest`]).
    pub forest: ForestParams,
    /// GBDT parameters (for [`DemandModelKind::Gbdt`]).
    pub gbdt: GbdtParams,
    /// Categories seen fewer times in training share the `other` bucket.
    pub min_category_count: usize,
    /// Pseudo-registrations of the overall rate added to a segment's previous attendance.
    pub prior_strength: f64,
    /// Miscoverage of intervals (0.1 → 90 % intervals).
    pub alpha: f64,
    /// GBDT only: bootstrap replicates (webinars resampled with replacement, one GBDT each)
    /// whose spread gives the rate's interval; 0 = point predictions with a zero-width interval.
    pub gbdt_replicates: usize,
    /// Segments kept in a target's registrant mix (the most frequent ones).
    pub mix_size: usize,
    /// The IANA zone whose local weekday, hour and month are the features and whose wall clock
    /// the slot grid follows (a 10:00 Madrid webinar is hour 10 in winter and summer). In the
    /// job, `[job] timezone` sets it.
    pub timezone: LocalClock,
}

impl Default for DemandParams {
    fn default() -> Self {
        DemandParams {
            model: DemandModelKind::Forest,
            forest: ForestParams {
                n_trees: 100,
                min_samples_leaf: 20,
                max_features: crate::learn::MaxFeatures::Fraction(0.5),
                ..ForestParams::default()
            },
            gbdt: GbdtParams {
                min_samples_leaf: 40,
                learning_rate: 0.05,
                ..GbdtParams::default()
            },
            min_category_count: 5,
            prior_strength: 20.0,
            alpha: 0.1,
            mix_size: 20,
            gbdt_replicates: 30,
            timezone: LocalClock::UTC,
        }
    }
}

impl DemandParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        self.forest.validate()?;
        self.gbdt.validate()?;
        if !(self.prior_strength >= 0.0 && self.prior_strength.is_finite()) {
            return Err(CoreError::param("prior_strength", "must be ≥ 0"));
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(CoreError::param("alpha", "must be in (0, 1)"));
        }
        if self.mix_size == 0 {
            return Err(CoreError::param("mix_size", "must be ≥ 1"));
        }
        Ok(())
    }

    /// The parameters of the [`TabularRegressor`] behind the rate (the learner, its
    /// parameters, the `other` bucket and, for the GBDT, its bootstrap replicates).
    pub fn regressor_params(&self) -> RegressorParams {
        let gbdt = self.model == DemandModelKind::Gbdt;
        RegressorParams {
            kind: if gbdt {
                RegressorKind::Gbdt
            } else {
                RegressorKind::Forest
            },
            forest: self.forest.clone(),
            gbdt: self.gbdt.clone(),
            min_category_count: self.min_category_count,
            replicates: if gbdt { self.gbdt_replicates } else { 0 },
        }
    }
}

/// A registrant segment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Segment {
    /// Industry.
    pub industry: String,
    /// Role.
    pub role: String,
    /// Company size.
    pub company_size: String,
}

/// A webinar's target segment (`None` = any).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Target {
    /// Target industry.
    pub industry: Option<String>,
    /// Target role.
    pub role: Option<String>,
    /// Target company size.
    pub company_size: Option<String>,
}

impl Target {
    /// The target of a webinar.
    pub fn of(w: &Webinar) -> Target {
        let clean = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        Target {
            industry: clean(&w.industry),
            role: clean(&w.role),
            company_size: clean(&w.company_size),
        }
    }

    /// `industry/role/size` with `*` for any.
    pub fn key(&self) -> String {
        let f = |v: &Option<String>| v.clone().unwrap_or_else(|| "*".to_string());
        format!(
            "{}/{}/{}",
            f(&self.industry),
            f(&self.role),
            f(&self.company_size)
        )
    }
}

/// One rate query: a registrant segment, a topic and a start time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateQuery {
    /// Registrant segment.
    pub segment: Segment,
    /// Topic.
    pub topic: String,
    /// Start time (UTC).
    pub starts_at: DateTime<Utc>,
}

/// A predicted attendance rate with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateForecast {
    /// Predicted rate (0–1).
    pub rate: f64,
    /// Lower bound of the rate.
    pub lower: f64,
    /// Upper bound of the rate.
    pub upper: f64,
}

/// A forecast for a webinar at one start time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotForecast {
    /// Start time (UTC).
    pub starts_at: DateTime<Utc>,
    /// Local weekday of the start (the model's zone).
    pub weekday: Weekday,
    /// Local hour of the start (the model's zone).
    pub hour: u32,
    /// Predicted attendance rate over the registrant mix.
    pub rate: f64,
    /// Predicted attendees (rate × expected registrations).
    pub attendees: f64,
    /// Lower bound of attendees (model uncertainty of the rate).
    pub lower: f64,
    /// Upper bound of attendees.
    pub upper: f64,
    /// Confidence figure in [0, 1]: 1 − relative half-width of the interval.
    pub confidence: f64,
    /// Attendees minus those of the planned slot.
    pub improvement: f64,
    /// Relative improvement over the planned slot (0.2 = +20 %).
    pub improvement_pct: f64,
}

/// The ranking of [`FittedDemand::best_slots`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotRanking {
    /// Webinar id.
    pub webinar_id: String,
    /// The planned slot's forecast.
    pub planned: SlotForecast,
    /// The best free slots, best first (at most `top`).
    pub slots: Vec<SlotForecast>,
}

/// The candidate grid and constraints of the slot optimiser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlotParams {
    /// Weekdays of the grid.
    pub weekdays: Vec<Weekday>,
    /// Start hours of the grid (local wall clock of the model's zone).
    pub hours: Vec<u32>,
    /// Weekly blocked slots (local weekday, hour).
    pub blocked_weekly: Vec<(Weekday, u32)>,
    /// Blocked start times.
    pub blocked: Vec<DateTime<Utc>>,
    /// Minimum hours between two webinars of the same target segment.
    pub min_gap_hours: f64,
    /// How many slots to return.
    pub top: usize,
}

impl Default for SlotParams {
    fn default() -> Self {
        SlotParams {
            weekdays: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            hours: (9..=20).collect(),
            blocked_weekly: Vec::new(),
            blocked: Vec::new(),
            min_gap_hours: 24.0,
            top: 5,
        }
    }
}

impl SlotParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if self.weekdays.is_empty() {
            return Err(CoreError::param("weekdays", "must not be empty"));
        }
        if self.hours.is_empty() || self.hours.iter().any(|h| *h > 23) {
            return Err(CoreError::param(
                "hours",
                "must be a non-empty list of hours 0–23",
            ));
        }
        if !(self.min_gap_hours >= 0.0 && self.min_gap_hours.is_finite()) {
            return Err(CoreError::param("min_gap_hours", "must be ≥ 0"));
        }
        if self.top == 0 {
            return Err(CoreError::param("top", "must be ≥ 1"));
        }
        Ok(())
    }

    /// The grid's start times in the 7 days from `monday`, in time order (UTC wall clock).
    pub fn grid(&self, monday: NaiveDate) -> Vec<DateTime<Utc>> {
        self.grid_in(monday, &LocalClock::UTC)
    }

    /// The grid's start times in the 7 local days from `monday` on `clock`'s wall clock, in
    /// time order. A slot in a spring-forward gap does not exist and is left out.
    pub fn grid_in(&self, monday: NaiveDate, clock: &LocalClock) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        for d in 0..7 {
            let date = monday + Duration::days(d);
            if !self.weekdays.contains(&date.weekday()) {
                continue;
            }
            let mut hours = self.hours.clone();
            hours.sort_unstable();
            hours.dedup();
            for h in hours {
                if let Some(t) = date.and_hms_opt(h, 0, 0).and_then(|t| clock.instant_opt(t)) {
                    out.push(t);
                }
            }
        }
        out
    }

    /// Whether `t` is free: not blocked and at least `min_gap_hours` from every start in
    /// `same_segment`.
    pub fn is_free(&self, t: DateTime<Utc>, same_segment: &[DateTime<Utc>]) -> bool {
        self.is_free_in(t, same_segment, &LocalClock::UTC)
    }

    /// [`SlotParams::is_free`] with `blocked_weekly` read on `clock`'s wall clock.
    pub fn is_free_in(
        &self,
        t: DateTime<Utc>,
        same_segment: &[DateTime<Utc>],
        clock: &LocalClock,
    ) -> bool {
        if self.blocked.contains(&t)
            || self
                .blocked_weekly
                .contains(&(clock.weekday(t), clock.hour(t)))
        {
            return false;
        }
        let gap = self.min_gap_hours * 3600.0;
        same_segment
            .iter()
            .all(|o| ((t - *o).num_seconds() as f64).abs() >= gap && *o != t)
    }
}

/// Entry point of the demand model.
#[derive(Debug, Clone, Copy, Default)]
pub struct DemandModel;

/// A fitted demand model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedDemand {
    /// Parameters it was fitted with.
    pub params: DemandParams,
    /// The rate model: encoder and forest or GBDT (with its bootstrap replicates), whose
    /// [`predict_mean_interval`](TabularRegressor::predict_mean_interval) semantics give the
    /// rate's interval.
    pub regressor: TabularRegressor,
    /// Attended and registrations per `industry/role` over the whole history.
    history: BTreeMap<String, (f64, f64)>,
    /// Overall attendance rate of the history.
    pub overall_rate: f64,
    /// Median lead time (days) of the training registrations, used for predictions.
    pub lead_days: f64,
    /// Registrant mix per target key (segments and weights summing to 1).
    mixes: BTreeMap<String, Vec<(Segment, f64)>>,
    /// Mean registrations per webinar per target key (`*/*/*` = all webinars).
    registrants: BTreeMap<String, f64>,
    /// Training rows.
    pub n_rows: usize,
    /// Start of the latest training webinar.
    pub trained_until: DateTime<Utc>,
    /// Feature importances per original column (summing to 1).
    pub importances: Vec<(String, f64)>,
}

const ALL: &str = "*/*/*";

fn seg_key(industry: &str, role: &str) -> String {
    format!("{industry}/{role}")
}

fn weekday_index(d: Weekday) -> f64 {
    f64::from(d.num_days_from_monday())
}

struct Columns {
    industry: Vec<String>,
    role: Vec<String>,
    size: Vec<String>,
    topic: Vec<String>,
    weekday: Vec<f64>,
    hour: Vec<f64>,
    month: Vec<f64>,
    lead: Vec<f64>,
    prev: Vec<f64>,
}

impl Columns {
    fn new() -> Columns {
        Columns {
            industry: Vec::new(),
            role: Vec::new(),
            size: Vec::new(),
            topic: Vec::new(),
            weekday: Vec::new(),
            hour: Vec::new(),
            month: Vec::new(),
            lead: Vec::new(),
            prev: Vec::new(),
        }
    }

    fn push(
        &mut self,
        seg: &Segment,
        topic: &str,
        t: DateTime<Utc>,
        lead: f64,
        prev: f64,
        clock: &LocalClock,
    ) {
        let local = clock.local(t);
        self.industry.push(seg.industry.clone());
        self.role.push(seg.role.clone());
        self.size.push(seg.company_size.clone());
        self.topic.push(topic.to_string());
        self.weekday.push(weekday_index(local.weekday()));
        self.hour.push(f64::from(local.hour()));
        self.month.push(f64::from(local.month()));
        self.lead.push(lead);
        self.prev.push(prev);
    }

    fn table(self) -> Result<TabularData> {
        let mut t = TabularData::new();
        t.push("industry", ColumnData::Categorical(self.industry))?;
        t.push("role", ColumnData::Categorical(self.role))?;
        t.push("company_size", ColumnData::Categorical(self.size))?;
        t.push("topic", ColumnData::Categorical(self.topic))?;
        t.push("weekday", ColumnData::Numeric(self.weekday))?;
        t.push("hour", ColumnData::Numeric(self.hour))?;
        t.push("month", ColumnData::Numeric(self.month))?;
        t.push("lead_days", ColumnData::Numeric(self.lead))?;
        t.push("prev_attendance", ColumnData::Numeric(self.prev))?;
        Ok(t)
    }
}

/// The training table of the demand model: one row per registration of a webinar that started
/// before `until` (all when `None`), with its features and `attended` as 0/1. The
/// `prev_attendance` column of a row uses only webinars that started strictly before that row's
/// webinar. Weekday, hour and month are read on `clock`.
pub fn training_table(
    webinars: &[Webinar],
    registrations: &[Registration],
    until: Option<DateTime<Utc>>,
    prior_strength: f64,
    clock: &LocalClock,
) -> Result<(TabularData, Vec<f64>)> {
    let by_id: HashMap<&str, &Webinar> = webinars
        .iter()
        .filter(|w| until.is_none_or(|u| w.starts_at < u))
        .map(|w| (w.webinar_id.as_str(), w))
        .collect();
    let mut regs: Vec<(&Registration, &Webinar)> = Vec::new();
    for (i, r) in registrations.iter().enumerate() {
        if let Some(w) = by_id.get(r.webinar_id.as_str()) {
            regs.push((r, w));
        } else if !webinars.iter().any(|w| w.webinar_id == r.webinar_id) {
            return Err(CoreError::validation(
                "registrations",
                Some(i + 1),
                Some("webinar_id"),
                format!("unknown webinar `{}`", r.webinar_id),
            ));
        }
    }
    if regs.is_empty() {
        return Err(CoreError::validation(
            "registrations",
            None,
            None,
            "empty training set: no registration of a past webinar",
        ));
    }
    // Time order of webinars; process registrations webinar by webinar so that the running
    // segment totals only hold strictly earlier webinars.
    regs.sort_by(|a, b| {
        (a.1.starts_at, &a.1.webinar_id, &a.0.person_id).cmp(&(
            b.1.starts_at,
            &b.1.webinar_id,
            &b.0.person_id,
        ))
    });
    let mut totals: HashMap<String, (f64, f64)> = HashMap::new();
    let (mut all_att, mut all_reg) = (0.0, 0.0);
    let mut cols = Columns::new();
    let mut y = Vec::with_capacity(regs.len());
    let mut pending: Vec<(String, bool)> = Vec::new();
    let mut current: Option<DateTime<Utc>> = None;
    for (r, w) in regs {
        if current != Some(w.starts_at) {
            // A new start time: fold in the registrations of the earlier start time.
            for (k, att) in pending.drain(..) {
                let e = totals.entry(k).or_insert((0.0, 0.0));
                e.0 += f64::from(u8::from(att));
                e.1 += 1.0;
                all_att += f64::from(u8::from(att));
                all_reg += 1.0;
            }
            current = Some(w.starts_at);
        }
        let key = seg_key(&r.industry, &r.role);
        let prior = if all_reg > 0.0 {
            all_att / all_reg
        } else {
            f64::NAN
        };
        let (a, n) = totals.get(&key).copied().unwrap_or((0.0, 0.0));
        let prev = shrink(a, n, prior, prior_strength);
        let lead = (w.starts_at - r.registered_at).num_seconds() as f64 / 86400.0;
        let seg = Segment {
            industry: r.industry.clone(),
            role: r.role.clone(),
            company_size: r.company_size.clone(),
        };
        cols.push(
            &seg,
            &w.topic,
            w.starts_at,
            lead.max(0.0),
            prev,
            &w.clock_or(clock),
        );
        y.push(f64::from(u8::from(r.attended)));
        pending.push((key, r.attended));
    }
    Ok((cols.table()?, y))
}

/// `(a + m·prior)/(n + m)`; NaN (missing) when there is no history at all.
fn shrink(a: f64, n: f64, prior: f64, m: f64) -> f64 {
    if !prior.is_finite() {
        return if n > 0.0 { a / n } else { f64::NAN };
    }
    if n + m <= 0.0 {
        return prior;
    }
    (a + m * prior) / (n + m)
}

/// The webinar of each row of [`training_table`] (same filter and order), as a group index.
fn webinar_of_rows(
    webinars: &[Webinar],
    registrations: &[Registration],
    until: Option<DateTime<Utc>>,
) -> Vec<usize> {
    let by_id: HashMap<&str, &Webinar> = webinars
        .iter()
        .filter(|w| until.is_none_or(|u| w.starts_at < u))
        .map(|w| (w.webinar_id.as_str(), w))
        .collect();
    let mut rows: Vec<(DateTime<Utc>, &str, &str)> = registrations
        .iter()
        .filter_map(|r| {
            by_id
                .get(r.webinar_id.as_str())
                .map(|w| (w.starts_at, r.webinar_id.as_str(), r.person_id.as_str()))
        })
        .collect();
    rows.sort();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    rows.iter()
        .map(|r| {
            let n = ids.len();
            *ids.entry(r.1).or_insert(n)
        })
        .collect()
}

impl DemandModel {
    /// Fit on every webinar that has started (all of `webinars` whose registrations are given)
    /// and its registrations.
    ///
    /// Errors: invalid parameters; no registration of any webinar (`empty training set`); a
    /// registration of an unknown webinar. A constant target (everyone or no one attended) is
    /// allowed: the model predicts that rate everywhere.
    pub fn fit(
        webinars: &[Webinar],
        registrations: &[Registration],
        params: &DemandParams,
    ) -> Result<FittedDemand> {
        Self::fit_until(webinars, registrations, None, params)
    }

    /// Fit on the webinars that started before `until` (all when `None`).
    pub fn fit_until(
        webinars: &[Webinar],
        registrations: &[Registration],
        until: Option<DateTime<Utc>>,
        params: &DemandParams,
    ) -> Result<FittedDemand> {
        params.validate()?;
        let (table, y) = training_table(
            webinars,
            registrations,
            until,
            params.prior_strength,
            &params.timezone,
        )?;
        // A webinar's registrations stay together in the GBDT's bootstrap resamples: they
        // share its slot, topic and audience.
        let groups = webinar_of_rows(webinars, registrations, until);
        let regressor =
            TabularRegressor::fit_grouped(&table, &y, Some(&groups), &params.regressor_params())?;
        let importances = regressor
            .encoder
            .columns
            .iter()
            .cloned()
            .zip(regressor.feature_importances.iter().copied())
            .collect();
        // History for prediction-time features, mixes and registrant counts.
        let past: HashMap<&str, &Webinar> = webinars
            .iter()
            .filter(|w| until.is_none_or(|u| w.starts_at < u))
            .map(|w| (w.webinar_id.as_str(), w))
            .collect();
        let mut history: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        let mut mix_counts: BTreeMap<String, BTreeMap<Segment, f64>> = BTreeMap::new();
        let mut reg_per_webinar: BTreeMap<&str, f64> = BTreeMap::new();
        let (mut att, mut reg) = (0.0, 0.0);
        let mut leads = Vec::new();
        let mut trained_until = DateTime::<Utc>::MIN_UTC;
        for r in registrations {
            let Some(w) = past.get(r.webinar_id.as_str()) else {
                continue;
            };
            trained_until = trained_until.max(w.starts_at);
            let e = history
                .entry(seg_key(&r.industry, &r.role))
                .or_insert((0.0, 0.0));
            let a = f64::from(u8::from(r.attended));
            e.0 += a;
            e.1 += 1.0;
            att += a;
            reg += 1.0;
            leads.push(((w.starts_at - r.registered_at).num_seconds() as f64 / 86400.0).max(0.0));
            let seg = Segment {
                industry: r.industry.clone(),
                role: r.role.clone(),
                company_size: r.company_size.clone(),
            };
            for key in [Target::of(w).key(), ALL.to_string()] {
                *mix_counts
                    .entry(key)
                    .or_default()
                    .entry(seg.clone())
                    .or_insert(0.0) += 1.0;
            }
            *reg_per_webinar.entry(w.webinar_id.as_str()).or_insert(0.0) += 1.0;
        }
        leads.sort_by(f64::total_cmp);
        let lead_days = leads.get(leads.len() / 2).copied().unwrap_or(0.0);
        let mixes = mix_counts
            .into_iter()
            .map(|(k, m)| {
                let mut v: Vec<(Segment, f64)> = m.into_iter().collect();
                v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                v.truncate(params.mix_size);
                let s: f64 = v.iter().map(|x| x.1).sum();
                v.iter_mut().for_each(|x| x.1 /= s.max(1.0));
                (k, v)
            })
            .collect();
        let mut reg_sum: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for (id, n) in &reg_per_webinar {
            if let Some(w) = past.get(id) {
                for key in [Target::of(w).key(), ALL.to_string()] {
                    let e = reg_sum.entry(key).or_insert((0.0, 0.0));
                    e.0 += n;
                    e.1 += 1.0;
                }
            }
        }
        let registrants = reg_sum
            .into_iter()
            .map(|(k, (s, c))| (k, s / c.max(1.0)))
            .collect();
        Ok(FittedDemand {
            params: params.clone(),
            regressor,
            history,
            overall_rate: if reg > 0.0 { att / reg } else { 0.0 },
            lead_days,
            mixes,
            registrants,
            n_rows: y.len(),
            trained_until,
            importances,
        })
    }
}

impl FittedDemand {
    fn prev_rate(&self, seg: &Segment) -> f64 {
        let (a, n) = self
            .history
            .get(&seg_key(&seg.industry, &seg.role))
            .copied()
            .unwrap_or((0.0, 0.0));
        shrink(a, n, self.overall_rate, self.params.prior_strength)
    }

    /// Per-row rates and the ensemble members' rates (trees or bootstrap replicates).
    fn raw(&self, queries: &[RateQuery], clock: &LocalClock) -> Result<MemberPredictions> {
        let mut cols = Columns::new();
        for q in queries {
            let prev = self.prev_rate(&q.segment);
            cols.push(
                &q.segment,
                &q.topic,
                q.starts_at,
                self.lead_days,
                prev,
                clock,
            );
        }
        Ok(self.regressor.member_predictions(&cols.table()?)?)
    }

    fn interval(&self, members: Vec<f64>) -> (f64, f64) {
        spread_quantiles(members, self.params.alpha)
    }

    /// Attendance rates for registrant segments at topics and start times, with intervals
    /// (forest: `alpha/2` and `1−alpha/2` quantiles of the per-tree rates; GBDT: the same
    /// quantiles over its bootstrap replicates, zero width when `gbdt_replicates` is 0).
    /// Unseen categories fall into the `other` bucket learned from rare training categories.
    pub fn predict_rates(&self, queries: &[RateQuery]) -> Result<Vec<RateForecast>> {
        let MemberPredictions {
            point: mean,
            members: per_tree,
        } = self.raw(queries, &self.params.timezone)?;
        Ok(mean
            .iter()
            .enumerate()
            .map(|(i, &m)| {
                let m = m.clamp(0.0, 1.0);
                let (lo, hi) = per_tree
                    .as_ref()
                    .and_then(|t| t.get(i).cloned())
                    .map_or((m, m), |t| self.interval(t));
                RateForecast {
                    rate: m,
                    lower: lo.clamp(0.0, 1.0).min(m),
                    upper: hi.clamp(0.0, 1.0).max(m),
                }
            })
            .collect())
    }

    /// The registrant mix of a target (its own history, or all registrants when it has none).
    pub fn mix(&self, target: &Target) -> &[(Segment, f64)] {
        self.mixes
            .get(&target.key())
            .or_else(|| self.mixes.get(ALL))
            .map_or(&[], Vec::as_slice)
    }

    /// Expected registrations of a webinar of this target (its mean, else the overall mean).
    pub fn expected_registrants(&self, target: &Target) -> f64 {
        self.registrants
            .get(&target.key())
            .or_else(|| self.registrants.get(ALL))
            .copied()
            .unwrap_or(0.0)
    }

    /// Forecasts of one target and topic at several start times (mix-weighted), their
    /// weekday, hour and month read on the model's `timezone`.
    pub fn forecast_slots(
        &self,
        target: &Target,
        topic: &str,
        times: &[DateTime<Utc>],
        registrants: f64,
    ) -> Result<Vec<SlotForecast>> {
        self.forecast_slots_in(target, topic, times, registrants, &self.params.timezone)
    }

    /// As [`FittedDemand::forecast_slots`], read on `clock` (a webinar's own zone).
    fn forecast_slots_in(
        &self,
        target: &Target,
        topic: &str,
        times: &[DateTime<Utc>],
        registrants: f64,
        clock: &LocalClock,
    ) -> Result<Vec<SlotForecast>> {
        let mix = self.mix(target);
        let mut queries = Vec::with_capacity(mix.len() * times.len());
        for t in times {
            for (seg, _) in mix {
                queries.push(RateQuery {
                    segment: seg.clone(),
                    topic: topic.to_string(),
                    starts_at: *t,
                });
            }
        }
        let MemberPredictions {
            point: mean,
            members: per_tree,
        } = self.raw(&queries, clock)?;
        let k = mix.len().max(1);
        let mut out = Vec::with_capacity(times.len());
        for (ti, t) in times.iter().enumerate() {
            let rows = ti * k..(ti + 1) * k;
            let w = mix.iter().map(|m| m.1);
            let rate: f64 = mean
                .get(rows.clone())
                .unwrap_or(&[])
                .iter()
                .zip(w.clone())
                .map(|(r, w)| r * w)
                .sum::<f64>()
                .clamp(0.0, 1.0);
            let (lo, hi) = match &per_tree {
                Some(pt) => {
                    let n_trees = pt.first().map_or(0, Vec::len);
                    let mut per: Vec<f64> = vec![0.0; n_trees];
                    for (row, wi) in pt.get(rows).unwrap_or(&[]).iter().zip(w) {
                        for (a, b) in per.iter_mut().zip(row) {
                            *a += wi * b;
                        }
                    }
                    self.interval(per)
                }
                None => (rate, rate),
            };
            let (lo, hi) = (lo.clamp(0.0, 1.0).min(rate), hi.clamp(0.0, 1.0).max(rate));
            let confidence = if rate > 0.0 {
                (1.0 - (hi - lo) / (2.0 * rate)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            out.push(SlotForecast {
                starts_at: *t,
                weekday: clock.weekday(*t),
                hour: clock.hour(*t),
                rate,
                attendees: rate * registrants,
                lower: lo * registrants,
                upper: hi * registrants,
                confidence,
                improvement: 0.0,
                improvement_pct: 0.0,
            });
        }
        Ok(out)
    }

    /// The forecast of a webinar at its planned start.
    pub fn predict_webinar(&self, webinar: &Webinar) -> Result<SlotForecast> {
        let target = Target::of(webinar);
        let n = self.expected_registrants(&target);
        let clock = webinar.clock_or(&self.params.timezone);
        self.forecast_slots_in(&target, &webinar.topic, &[webinar.starts_at], n, &clock)?
            .pop()
            .ok_or_else(|| CoreError::param("webinar", "no forecast"))
    }

    /// The best free slots for `webinar` in the week (Monday–Sunday) of its planned start, over
    /// `params`' grid, excluding slots within `min_gap_hours` of `others` that target the same
    /// segment; each with its improvement over the planned slot.
    ///
    /// Errors: invalid parameters; `grid` when no candidate slot is free.
    pub fn best_slots(
        &self,
        webinar: &Webinar,
        others: &[Webinar],
        params: &SlotParams,
    ) -> Result<SlotRanking> {
        params.validate()?;
        let clock = &webinar.clock_or(&self.params.timezone);
        let date = clock.date(webinar.starts_at);
        let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
        let target = Target::of(webinar);
        let same: Vec<DateTime<Utc>> = others
            .iter()
            .filter(|o| o.webinar_id != webinar.webinar_id && Target::of(o) == target)
            .map(|o| o.starts_at)
            .collect();
        let free: Vec<DateTime<Utc>> = params
            .grid_in(monday, clock)
            .into_iter()
            .filter(|t| params.is_free_in(*t, &same, clock))
            .collect();
        if free.is_empty() {
            return Err(CoreError::param(
                "grid",
                "no free slot: every candidate is blocked or too close to another webinar of the same segment",
            ));
        }
        let n = self.expected_registrants(&target);
        let planned = self.predict_webinar(webinar)?;
        let mut slots = self.forecast_slots_in(&target, &webinar.topic, &free, n, clock)?;
        for s in &mut slots {
            s.improvement = s.attendees - planned.attendees;
            s.improvement_pct = if planned.attendees > 0.0 {
                s.improvement / planned.attendees
            } else {
                0.0
            };
        }
        slots.sort_by(|a, b| {
            b.attendees
                .total_cmp(&a.attendees)
                .then(a.starts_at.cmp(&b.starts_at))
        });
        slots.truncate(params.top);
        Ok(SlotRanking {
            webinar_id: webinar.webinar_id.clone(),
            planned,
            slots,
        })
    }

    /// Predicted attendance rate of a target and topic for every weekday × hour of `params`' grid
    /// (local wall clock of the model's zone) in the week starting on local date `monday` (for
    /// heatmaps), in grid order.
    pub fn heatmap(
        &self,
        target: &Target,
        topic: &str,
        monday: NaiveDate,
        params: &SlotParams,
    ) -> Result<Vec<SlotForecast>> {
        params.validate()?;
        let n = self.expected_registrants(target);
        let grid = params.grid_in(monday, &self.params.timezone);
        self.forecast_slots(target, topic, &grid, n)
    }
}

#[cfg(test)]
mod tests;
