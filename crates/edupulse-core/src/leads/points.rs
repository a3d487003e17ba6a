//! Engagement points with time decay (Mautic / HubSpot style rules): what to use when no
//! conversions are known yet.
//!
//! Every event earns the points of its kind, halved every `half_life_days`; a lead's points
//! `P` map to an engagement value `10·(1 − e^(−P/saturation))` on the source's 0–10 scale, a
//! score `10 × engagement` (0–100) and a grade: hot (> `hot`), warm (> `warm`), cold.
//!
//! Replaying the events also gives the **hot episode**: the time of the event that last pushed
//! the lead from below `hot` to above it. Engagement only rises at events and decays between
//! them, so that instant is well defined and does not change on later runs while the lead stays
//! hot — it is the dedupe key of the sales alert.

use crate::error::{CoreError, Result};
use crate::learn::Factor;
use crate::model::{LeadEvent, LeadEventKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

const DAY: f64 = 86_400.0;

/// The default points of each event kind: attending beats registering, questions and pricing
/// views beat email opens, a demo request beats everything; a purchase earns nothing (it is the
/// outcome, not engagement).
pub const DEFAULT_WEIGHTS: [(LeadEventKind, f64); 8] = [
    (LeadEventKind::EmailOpen, 0.5),
    (LeadEventKind::EmailClick, 1.5),
    (LeadEventKind::WebinarRegistered, 2.0),
    (LeadEventKind::WebinarAttended, 4.0),
    (LeadEventKind::QuestionAsked, 3.0),
    (LeadEventKind::PricingView, 3.0),
    (LeadEventKind::DemoRequest, 6.0),
    (LeadEventKind::Purchase, 0.0),
];

/// Parameters of the points rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PointsParams {
    /// Points per event kind (the text form of [`LeadEventKind`]); kinds absent from the map earn
    /// nothing. Every key must be a known kind and every weight finite and ≥ 0.
    pub weights: BTreeMap<String, f64>,
    /// Days after which an event's points are halved (> 0).
    pub half_life_days: f64,
    /// Engagement above which a lead is hot (0–10).
    pub hot: f64,
    /// Engagement above which a lead is warm (0–10, below `hot`).
    pub warm: f64,
    /// Points at which engagement reaches 10·(1 − 1/e) ≈ 6.3 (> 0).
    pub saturation: f64,
    /// Number of factors (event kinds) reported per lead.
    pub top_factors: usize,
}

impl Default for PointsParams {
    fn default() -> Self {
        PointsParams {
            weights: DEFAULT_WEIGHTS
                .iter()
                .map(|(k, w)| (k.as_str().to_string(), *w))
                .collect(),
            half_life_days: 14.0,
            hot: 7.0,
            warm: 4.0,
            saturation: 8.0,
            top_factors: 3,
        }
    }
}

impl PointsParams {
    /// Check the parameters; errors name the parameter (`weights.<kind>` for a weight).
    pub fn validate(&self) -> Result<()> {
        self.kind_weights().map(|_| ())
    }

    /// The weights indexed by the position of the kind in [`LeadEventKind::ALL`].
    fn kind_weights(&self) -> Result<[f64; 8]> {
        let mut w = [0.0; 8];
        for (k, v) in &self.weights {
            let kind: LeadEventKind = k
                .parse()
                .map_err(|e: String| CoreError::param(&format!("weights.{k}"), e))?;
            if !(v.is_finite() && *v >= 0.0) {
                return Err(CoreError::param(
                    &format!("weights.{k}"),
                    format!("{v} is not a finite weight ≥ 0"),
                ));
            }
            if let Some(slot) = w.get_mut(kind_index(kind)) {
                *slot = *v;
            }
        }
        if !(self.half_life_days.is_finite() && self.half_life_days > 0.0) {
            return Err(CoreError::param(
                "half_life_days",
                format!("{} is not a finite number of days > 0", self.half_life_days),
            ));
        }
        if !(self.saturation.is_finite() && self.saturation > 0.0) {
            return Err(CoreError::param("saturation", "must be finite and > 0"));
        }
        if !(self.warm.is_finite() && self.hot.is_finite() && 0.0 <= self.warm) {
            return Err(CoreError::param("warm", "must be finite and ≥ 0"));
        }
        if !(self.warm < self.hot && self.hot < 10.0) {
            return Err(CoreError::param(
                "hot",
                format!(
                    "need warm < hot < 10 (warm {}, hot {})",
                    self.warm, self.hot
                ),
            ));
        }
        Ok(w)
    }
}

/// Position of a kind in [`LeadEventKind::ALL`].
pub(crate) fn kind_index(kind: LeadEventKind) -> usize {
    LeadEventKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(0)
}

/// A lead's grade (the source's three segments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Grade {
    /// Engagement ≤ warm.
    Cold,
    /// warm < engagement ≤ hot.
    Warm,
    /// Engagement > hot.
    Hot,
}

crate::text_result_field!(Grade);

impl Grade {
    /// Text form (`hot`, `warm`, `cold`).
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Hot => "hot",
            Grade::Warm => "warm",
            Grade::Cold => "cold",
        }
    }

    /// The grade of an engagement value.
    pub fn of(engagement: f64, hot: f64, warm: f64) -> Grade {
        if engagement > hot {
            Grade::Hot
        } else if engagement > warm {
            Grade::Warm
        } else {
            Grade::Cold
        }
    }
}

/// One lead's points-rule score at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointsScore {
    /// Lead id.
    pub lead_id: String,
    /// Decayed points.
    pub points: f64,
    /// Engagement, 0–10.
    pub engagement: f64,
    /// Score, 0–100 (10 × engagement).
    pub score: f64,
    /// Grade.
    pub grade: Grade,
    /// The event kinds contributing most (column = kind, value = number of events,
    /// contribution = decayed points), largest first.
    pub factors: Vec<Factor>,
    /// Events counted (at or before the scoring time).
    pub events: usize,
    /// The last event counted.
    pub last_event_at: Option<DateTime<Utc>>,
    /// When hot: the time of the event that started the current hot episode.
    pub hot_since: Option<DateTime<Utc>>,
    /// Whether the lead has a `purchase` event at or before the scoring time.
    pub converted: bool,
}

/// Scores of a batch, and what was left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointsBatch {
    /// One score per lead, in lead order (the order of `leads` when given, else by id).
    pub scores: Vec<PointsScore>,
    /// Events dropped because they precede their lead's `created_at` (bad data: counted, never
    /// scored).
    pub dropped_before_created: usize,
    /// Events after the scoring time (ignored: the future).
    pub ignored_after_as_of: usize,
    /// Events whose lead is not in `leads` (when a lead list is given).
    pub unknown_lead: usize,
}

/// The points rule, validated and ready to score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadScorer {
    /// The parameters.
    pub params: PointsParams,
    weights: [f64; 8],
}

/// The events of one lead, in time order: (unix seconds, kind).
pub(crate) type Timeline = [(i64, LeadEventKind)];

impl LeadScorer {
    /// A scorer with validated parameters.
    ///
    /// ```
    /// use edupulse_core::leads::{LeadScorer, PointsParams};
    /// let mut p = PointsParams::default();
    /// p.weights.insert("email_bounce".into(), 1.0);
    /// assert!(LeadScorer::new(p).is_err());
    /// ```
    pub fn new(params: PointsParams) -> Result<LeadScorer> {
        let weights = params.kind_weights()?;
        Ok(LeadScorer { params, weights })
    }

    /// Points of one kind.
    pub fn weight(&self, kind: LeadEventKind) -> f64 {
        self.weights.get(kind_index(kind)).copied().unwrap_or(0.0)
    }

    /// Engagement (0–10) of decayed points.
    pub fn engagement_of(&self, points: f64) -> f64 {
        10.0 * (1.0 - (-points.max(0.0) / self.params.saturation).exp())
    }

    /// Decayed points of a timeline at `t` (unix seconds; events after `t` are ignored), and
    /// per kind.
    pub(crate) fn points_at(&self, events: &Timeline, t: i64) -> (f64, [f64; 8]) {
        let h = self.params.half_life_days * DAY;
        let mut per = [0.0; 8];
        for &(at, kind) in events.iter().take_while(|e| e.0 <= t) {
            let decay = (-(std::f64::consts::LN_2) * (t - at) as f64 / h).exp();
            if let Some(p) = per.get_mut(kind_index(kind)) {
                *p += self.weight(kind) * decay;
            }
        }
        (per.iter().sum(), per)
    }

    /// Start of the hot episode a timeline is in at `t`: the event that last pushed engagement
    /// from ≤ `hot` to > `hot`, if engagement is still > `hot` at `t`.
    pub(crate) fn hot_since(&self, events: &Timeline, t: i64) -> Option<i64> {
        let h = self.params.half_life_days * DAY;
        let threshold = self.params.hot;
        let mut p = 0.0;
        let mut prev = i64::MIN;
        let mut since = None;
        for &(at, kind) in events.iter().take_while(|e| e.0 <= t) {
            if prev != i64::MIN {
                p *= (-(std::f64::consts::LN_2) * (at - prev) as f64 / h).exp();
            }
            let before = self.engagement_of(p) > threshold;
            p += self.weight(kind);
            prev = at;
            let after = self.engagement_of(p) > threshold;
            if after && !before {
                since = Some(at);
            } else if !after {
                since = None;
            }
        }
        if prev != i64::MIN {
            p *= (-(std::f64::consts::LN_2) * (t - prev) as f64 / h).exp();
        }
        if self.engagement_of(p) > threshold {
            since
        } else {
            None
        }
    }

    /// Score one lead's timeline (sorted by time) at `t`.
    pub(crate) fn score_timeline(&self, lead_id: &str, events: &Timeline, t: i64) -> PointsScore {
        let (points, per) = self.points_at(events, t);
        let mut counts = [0usize; 8];
        let mut n = 0;
        let mut last = None;
        for &(at, kind) in events.iter().take_while(|e| e.0 <= t) {
            if let Some(c) = counts.get_mut(kind_index(kind)) {
                *c += 1;
            }
            n += 1;
            last = Some(at);
        }
        let engagement = self.engagement_of(points);
        let mut factors: Vec<Factor> = LeadEventKind::ALL
            .iter()
            .zip(per.iter().zip(counts.iter()))
            .filter(|(_, (p, _))| **p > 0.0)
            .map(|(k, (p, c))| Factor {
                column: k.as_str().to_string(),
                value: c.to_string(),
                contribution: *p,
            })
            .collect();
        factors.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
        factors.truncate(self.params.top_factors);
        let to_dt = |s: i64| DateTime::<Utc>::from_timestamp(s, 0);
        PointsScore {
            lead_id: lead_id.to_string(),
            points,
            engagement,
            score: 10.0 * engagement,
            grade: Grade::of(engagement, self.params.hot, self.params.warm),
            factors,
            events: n,
            last_event_at: last.and_then(to_dt),
            hot_since: self.hot_since(events, t).and_then(to_dt),
            converted: counts
                .get(kind_index(LeadEventKind::Purchase))
                .is_some_and(|c| *c > 0),
        }
    }

    /// Score every lead at `as_of`.
    ///
    /// `leads` (id, created_at), when given, fixes the population and order: every listed lead
    /// gets a row (no events: engagement 0), events of unlisted leads are counted in
    /// [`PointsBatch::unknown_lead`], and events before their lead's `created_at` are dropped and
    /// counted in [`PointsBatch::dropped_before_created`] (documented behaviour, not an error: a
    /// CRM import often back-dates). Without `leads`, every lead with an event is scored, in id
    /// order. Events after `as_of` are ignored and counted.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use edupulse_core::leads::{Grade, LeadScorer, PointsParams};
    /// use edupulse_core::model::{LeadEvent, LeadEventKind};
    /// let at = |d| Utc.with_ymd_and_hms(2025, 3, d, 12, 0, 0).unwrap();
    /// let ev = |kind| LeadEvent { lead_id: "l1".into(), at: at(1), kind, value: None };
    /// let events = vec![
    ///     ev(LeadEventKind::WebinarAttended),
    ///     ev(LeadEventKind::QuestionAsked),
    ///     ev(LeadEventKind::PricingView),
    ///     ev(LeadEventKind::DemoRequest),
    /// ];
    /// let s = LeadScorer::new(PointsParams::default()).unwrap();
    /// let b = s.score(&events, None, at(2)).unwrap();
    /// assert_eq!(b.scores[0].grade, Grade::Hot);
    /// assert_eq!(b.scores[0].factors[0].column, "demo_request");
    /// ```
    pub fn score(
        &self,
        events: &[LeadEvent],
        leads: Option<&[(String, DateTime<Utc>)]>,
        as_of: DateTime<Utc>,
    ) -> Result<PointsBatch> {
        let g = group_events(events, leads, as_of.timestamp());
        let t = as_of.timestamp();
        let scores = g
            .ids
            .iter()
            .zip(&g.timelines)
            .map(|(id, tl)| self.score_timeline(id, tl, t))
            .collect();
        Ok(PointsBatch {
            scores,
            dropped_before_created: g.dropped_before_created,
            ignored_after_as_of: g.ignored_after_as_of,
            unknown_lead: g.unknown_lead,
        })
    }
}

/// Events grouped by lead, sorted by time.
pub(crate) struct Grouped {
    pub ids: Vec<String>,
    pub timelines: Vec<Vec<(i64, LeadEventKind)>>,
    pub dropped_before_created: usize,
    pub ignored_after_as_of: usize,
    pub unknown_lead: usize,
}

/// Group events by lead (see [`LeadScorer::score`] for the rules); events after `until` are
/// ignored.
pub(crate) fn group_events(
    events: &[LeadEvent],
    leads: Option<&[(String, DateTime<Utc>)]>,
    until: i64,
) -> Grouped {
    let mut g = Grouped {
        ids: Vec::new(),
        timelines: Vec::new(),
        dropped_before_created: 0,
        ignored_after_as_of: 0,
        unknown_lead: 0,
    };
    let mut pos: HashMap<&str, (usize, i64)> = HashMap::new();
    if let Some(leads) = leads {
        g.ids.reserve(leads.len());
        for (id, created) in leads {
            if pos.contains_key(id.as_str()) {
                continue;
            }
            if created.timestamp() > until {
                // Created after `as_of` (a backfill run): not scored. Its events up to `as_of`
                // predate its creation and are dropped as such below.
                pos.insert(id.as_str(), (usize::MAX, created.timestamp()));
                continue;
            }
            pos.insert(id.as_str(), (g.ids.len(), created.timestamp()));
            g.ids.push(id.clone());
        }
        g.timelines = vec![Vec::new(); g.ids.len()];
    }
    let fixed = leads.is_some();
    for e in events {
        let at = e.at.timestamp();
        if at > until {
            g.ignored_after_as_of += 1;
            continue;
        }
        let slot = match pos.get(e.lead_id.as_str()) {
            Some(&(i, created)) => {
                if at < created {
                    g.dropped_before_created += 1;
                    continue;
                }
                i
            }
            None if fixed => {
                g.unknown_lead += 1;
                continue;
            }
            None => {
                let i = g.ids.len();
                pos.insert(e.lead_id.as_str(), (i, i64::MIN));
                g.ids.push(e.lead_id.clone());
                g.timelines.push(Vec::new());
                i
            }
        };
        if let Some(tl) = g.timelines.get_mut(slot) {
            tl.push((at, e.kind));
        }
    }
    for tl in &mut g.timelines {
        tl.sort_unstable();
    }
    if !fixed {
        let mut order: Vec<usize> = (0..g.ids.len()).collect();
        order.sort_by(|&a, &b| g.ids[a].cmp(&g.ids[b]));
        let ids = order.iter().map(|&i| g.ids[i].clone()).collect();
        let tls = order
            .iter()
            .map(|&i| std::mem::take(&mut g.timelines[i]))
            .collect();
        g.ids = ids;
        g.timelines = tls;
    }
    g
}
