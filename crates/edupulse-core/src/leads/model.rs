//! The learned conversion model: features from a lead's events as of a date, the shared tabular
//! classifier ([`crate::learn`]) and the automatic choice between it and the points rule.
//!
//! **Design (prospective, no look-ahead).** A snapshot at time `d` looks at the *open* leads —
//! created at or before `d`, at most `open_days` old, not converted by `d` — with features from
//! events at or before `d` only, and the label "purchases in `(d, d + horizon_days]`". Training
//! replays `training_anchors` snapshots ending `horizon_days` before the scoring date, so every
//! label is known by then. The points rule is scored on the same training rows (it learns
//! nothing, so that AUC is out of sample); each learned candidate gets a stratified
//! cross-validated AUC, and the learned model is used only when it beats the rule by
//! `min_auc_gain`. Too few rows or positives, or one class only, fall back to the rule with the
//! reason (documented behaviour, not an error).

use super::points::{LeadScorer, PointsParams};
use crate::error::{CoreError, Result};
use crate::learn::{
    cross_validate, roc_auc, ClassifierParams, Factor, ModelKind, TabularClassifier, TabularData,
};
use crate::model::{LeadEventKind, Tables};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const DAY: i64 = 86_400;

/// Parameters of the learned model and of the choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelParams {
    /// Label horizon: a purchase within this many days after the snapshot.
    pub horizon_days: u32,
    /// Leads at most this many days old (and not converted) are open: scored and trained on.
    pub open_days: u32,
    /// Number of past snapshots replayed for training.
    pub training_anchors: usize,
    /// Days between training snapshots.
    pub anchor_step_days: u32,
    /// Fewer training rows than this: the points rule is used.
    pub min_training_rows: usize,
    /// Fewer converting training rows than this: the points rule is used.
    pub min_positives: usize,
    /// Folds of the cross-validated AUC.
    pub cv_folds: usize,
    /// Learned candidates compared with the rule.
    pub candidates: Vec<ModelKind>,
    /// The learned model must beat the rule's AUC by this much to be used.
    pub min_auc_gain: f64,
    /// The classifier (its `model` is overridden by each candidate).
    pub classifier: ClassifierParams,
    /// Factors reported per lead.
    pub top_factors: usize,
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            horizon_days: 14,
            open_days: 90,
            // 20 weekly snapshots (140 days): about three times the conversions of 6 fortnightly
            // ones, +0.0075 mean AUC on simulated truth (docs/leads.md).
            training_anchors: 20,
            anchor_step_days: 7,
            min_training_rows: 200,
            min_positives: 20,
            cv_folds: 5,
            candidates: vec![ModelKind::Logistic, ModelKind::Trees],
            min_auc_gain: 0.01,
            // Counts in nested windows are collinear and rare kinds nearly separate: a firmer
            // ridge and a looser step tolerance keep Newton converging.
            classifier: ClassifierParams {
                l2: 10.0,
                max_iter: 200,
                tolerance: 1e-6,
                ..ClassifierParams::default()
            },
            top_factors: 3,
        }
    }
}

impl ModelParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if self.horizon_days == 0 {
            return Err(CoreError::param("horizon_days", "must be ≥ 1"));
        }
        if self.open_days == 0 {
            return Err(CoreError::param("open_days", "must be ≥ 1"));
        }
        if self.anchor_step_days == 0 {
            return Err(CoreError::param("anchor_step_days", "must be ≥ 1"));
        }
        if self.cv_folds < 2 {
            return Err(CoreError::param("cv_folds", "must be ≥ 2"));
        }
        if !self.min_auc_gain.is_finite() {
            return Err(CoreError::param("min_auc_gain", "must be finite"));
        }
        Ok(self.classifier.validate()?)
    }
}

/// Numeric feature columns, in order (then the categorical `source`, `industry`, `role`).
///
/// Recency, rates, recent activity (7 / 14 days, the last burst), where the lead stands in its
/// `open_days` nurture programme, the webinars it registered for that start after the snapshot
/// (from `registrations` and the `webinars` schedule: count, days to the next, targeting match),
/// polls, chat and watch share of the webinars that ended, then counts per kind in the last 30
/// days and in total; pricing views and demo requests are counted together as `high_intent` (a
/// demo request alone is so rare that, standardised, it has extreme leverage and the shared
/// learner's undamped Newton iteration oscillates on it; `demo_request_total` is a 0/1 flag).
pub fn numeric_features() -> Vec<String> {
    let mut v: Vec<String> = vec![
        "age_days".into(),
        "days_since_last_event".into(),
        "minutes_watched".into(),
        "engagement".into(),
        "days_since_last_engaged".into(),
        "opens_per_week".into(),
        "clicks_per_week".into(),
        "attendance_ratio".into(),
        "days_since_high_intent".into(),
        "engaged_7d".into(),
        "engaged_14d".into(),
        "opens_14d".into(),
        "last_burst".into(),
        "pending_webinars".into(),
        "days_to_next_webinar".into(),
        "next_webinar_match".into(),
        "polls_total".into(),
        "chat_total".into(),
        "demo_request_total".into(),
        "engaged_per_day".into(),
        "nurture_days_left".into(),
        "quiet_after_horizon".into(),
        "watch_share".into(),
    ];
    for k in COUNTED {
        for w in ["30d", "total"] {
            v.push(format!("{k}_{w}"));
        }
    }
    v
}

/// Categorical feature columns (`company_size` comes from the lead's first registration, known
/// once it registered; empty before).
pub const CATEGORICAL_FEATURES: [&str; 4] = ["source", "industry", "role", "company_size"];

/// Counted groups of event kinds (a purchase is the outcome, never a feature).
const COUNTED: [&str; 6] = [
    "email_open",
    "email_click",
    "webinar_registered",
    "webinar_attended",
    "question_asked",
    "high_intent",
];

/// The counted group of a kind.
fn group_of(kind: LeadEventKind) -> Option<usize> {
    match kind {
        LeadEventKind::EmailOpen => Some(0),
        LeadEventKind::EmailClick => Some(1),
        LeadEventKind::WebinarRegistered => Some(2),
        LeadEventKind::WebinarAttended => Some(3),
        LeadEventKind::QuestionAsked => Some(4),
        LeadEventKind::PricingView | LeadEventKind::DemoRequest => Some(5),
        _ => None,
    }
}

/// One registration of a lead, joined with its webinar's schedule.
#[derive(Debug, Clone)]
pub(crate) struct LeadRegistration {
    /// When the lead registered.
    pub registered: i64,
    /// Webinar start.
    pub start: i64,
    /// Webinar end (start + planned duration).
    pub end: i64,
    /// Targeting match of the webinar with the lead: +1 per targeted attribute (industry, role,
    /// company size) the lead has, −1 per targeted attribute it has not, 0 when untargeted.
    pub matched: f64,
    /// Polls answered (known once the webinar ended).
    pub polls: f64,
    /// Chat messages (known once the webinar ended).
    pub chat: f64,
    /// Share of the planned duration watched, when attended (known once the webinar ended).
    pub watched: Option<f64>,
    /// The lead's company size as given at registration.
    pub size: String,
}

/// One lead with its events (time, kind, value) sorted by time.
#[derive(Debug, Clone)]
pub(crate) struct LeadHistory {
    pub id: String,
    pub created: i64,
    pub cats: [String; 3],
    pub events: Vec<(i64, LeadEventKind, f64)>,
    pub timeline: Vec<(i64, LeadEventKind)>,
    /// Registrations for scheduled webinars, by registration time.
    pub regs: Vec<LeadRegistration>,
}

impl LeadHistory {
    /// Time of the first purchase, if any.
    fn converted_at(&self) -> Option<i64> {
        self.events
            .iter()
            .find(|e| e.1 == LeadEventKind::Purchase)
            .map(|e| e.0)
    }
}

/// Index the leads and their events (events before `created_at` are dropped, counted in the
/// second value).
pub(crate) fn histories(tables: &Tables) -> (Vec<LeadHistory>, usize) {
    let mut pos: HashMap<&str, usize> = HashMap::with_capacity(tables.leads.len());
    let mut out: Vec<LeadHistory> = Vec::with_capacity(tables.leads.len());
    for l in &tables.leads {
        pos.insert(l.lead_id.as_str(), out.len());
        out.push(LeadHistory {
            id: l.lead_id.clone(),
            created: l.created_at.timestamp(),
            cats: [l.source.clone(), l.industry.clone(), l.role.clone()],
            events: Vec::new(),
            timeline: Vec::new(),
            regs: Vec::new(),
        });
    }
    let webinars: HashMap<&str, &crate::model::Webinar> = tables
        .webinars
        .iter()
        .map(|w| (w.webinar_id.as_str(), w))
        .collect();
    for r in &tables.registrations {
        let (Some(h), Some(w)) = (
            pos.get(r.person_id.as_str()).and_then(|&i| out.get_mut(i)),
            webinars.get(r.webinar_id.as_str()),
        ) else {
            continue;
        };
        let start = w.starts_at.timestamp();
        let hit = |target: &Option<String>, mine: &str| match target {
            None => 0.0,
            Some(t) if t == mine => 1.0,
            Some(_) => -1.0,
        };
        let matched = hit(&w.industry, &r.industry)
            + hit(&w.role, &r.role)
            + hit(&w.company_size, &r.company_size);
        h.regs.push(LeadRegistration {
            registered: r.registered_at.timestamp(),
            start,
            end: start + i64::from(w.duration_min) * 60,
            matched,
            polls: f64::from(r.polls.unwrap_or(0)),
            chat: f64::from(r.chat_messages.unwrap_or(0)),
            watched: r
                .attended
                .then(|| r.minutes_watched.unwrap_or(0.0) / f64::from(w.duration_min.max(1)))
                .filter(|v| v.is_finite()),
            size: r.company_size.clone(),
        });
    }
    let mut dropped = 0;
    for e in &tables.lead_events {
        if let Some(h) = pos.get(e.lead_id.as_str()).and_then(|&i| out.get_mut(i)) {
            let at = e.at.timestamp();
            if at < h.created {
                dropped += 1;
                continue;
            }
            h.events
                .push((at, e.kind, e.value.filter(|v| v.is_finite()).unwrap_or(0.0)));
        }
    }
    for h in &mut out {
        h.events.sort_by_key(|e| (e.0, e.1));
        h.timeline = h.events.iter().map(|e| (e.0, e.1)).collect();
        h.regs.sort_by_key(|r| (r.registered, r.start));
    }
    (out, dropped)
}

/// Whether a lead is open at `d`.
fn is_open(h: &LeadHistory, d: i64, open: i64) -> bool {
    h.created <= d && d - h.created <= open && h.converted_at().is_none_or(|c| c > d)
}

fn features(
    h: &LeadHistory,
    d: i64,
    scorer: &LeadScorer,
    params: &ModelParams,
) -> (Vec<f64>, String) {
    let n = h.events.partition_point(|e| e.0 <= d);
    let ev = h.events.get(..n).unwrap_or(&[]);
    let days = |t: i64| (d - t) as f64 / DAY as f64;
    let age = days(h.created).max(0.0);
    let last = ev.last().map_or(age, |e| days(e.0));
    let minutes: f64 = ev
        .iter()
        .filter(|e| e.1 == LeadEventKind::WebinarAttended)
        .map(|e| e.2)
        .sum();
    let (points, _) = scorer.points_at(h.timeline.get(..n).unwrap_or(&[]), d);
    let weeks = (age / 7.0).max(1.0);
    let count = |k: LeadEventKind| ev.iter().filter(|e| e.1 == k).count() as f64;
    let last_engaged = ev
        .iter()
        .rev()
        .find(|e| e.1 != LeadEventKind::EmailOpen)
        .map_or(age, |e| days(e.0));
    let registered = count(LeadEventKind::WebinarRegistered);
    let mut v = vec![
        age,
        last,
        minutes,
        scorer.engagement_of(points),
        last_engaged,
        count(LeadEventKind::EmailOpen) / weeks,
        count(LeadEventKind::EmailClick) / weeks,
        if registered > 0.0 {
            count(LeadEventKind::WebinarAttended) / registered
        } else {
            0.0
        },
        ev.iter()
            .rev()
            .find(|e| group_of(e.1) == Some(5))
            .map_or(age.max(90.0), |e| days(e.0)),
    ];
    // Recent activity: engaged (non-open) events in the last 7 and 14 days, opens in 14 days, and
    // the engaged events of the last burst (within 3 days before the last engaged event).
    let engaged = |e: &&(i64, LeadEventKind, f64)| e.1 != LeadEventKind::EmailOpen;
    let recent = |w: f64, open: bool| {
        ev.iter()
            .filter(|e| (e.1 == LeadEventKind::EmailOpen) == open && days(e.0) < w)
            .count() as f64
    };
    let last_burst = ev.iter().rev().find(engaged).map_or(0.0, |l| {
        ev.iter()
            .filter(engaged)
            .filter(|e| e.0 <= l.0 && l.0 - e.0 <= 3 * DAY)
            .count() as f64
    });
    // Webinars: registrations made by `d` for webinars starting after `d` (the schedule is known),
    // and what the lead did in the webinars that ended by `d`.
    let known: Vec<&LeadRegistration> = h.regs.iter().filter(|r| r.registered <= d).collect();
    let pending: Vec<&&LeadRegistration> = known.iter().filter(|r| r.start > d).collect();
    let next = pending.iter().min_by_key(|r| r.start);
    let ended = known.iter().filter(|r| r.end <= d);
    v.extend_from_slice(&[
        recent(7.0, false),
        recent(14.0, false),
        recent(14.0, true),
        last_burst,
        pending.len() as f64,
        next.map_or(30.0, |r| days(r.start).abs().min(30.0)),
        next.map_or(0.0, |r| r.matched),
        ended.clone().map(|r| r.polls).sum(),
        ended.map(|r| r.chat).sum(),
        count(LeadEventKind::DemoRequest).min(1.0),
    ]);
    // Where the lead stands in its nurture programme (`open_days` long): the days left, and at
    // its engaged-event rate so far, the chance of no engaged event after the horizon.
    let rate = ev.iter().filter(engaged).count() as f64 / age.max(1.0);
    let left = (f64::from(params.open_days) - age).max(0.0);
    v.extend_from_slice(&[
        rate,
        left,
        (-rate * (left - f64::from(params.horizon_days)).max(0.0)).exp(),
    ]);
    // Mean share of the planned duration watched in the webinars attended and ended by `d`.
    let shares: Vec<f64> = known
        .iter()
        .filter(|r| r.end <= d)
        .filter_map(|r| r.watched)
        .collect();
    v.push(if shares.is_empty() {
        0.0
    } else {
        shares.iter().sum::<f64>() / shares.len() as f64
    });
    let size = known.first().map_or(String::new(), |r| r.size.clone());
    let mut counts = [[0.0f64; 2]; 6];
    for e in ev {
        if let Some(c) = group_of(e.1).and_then(|g| counts.get_mut(g)) {
            if days(e.0) < 30.0 {
                c[0] += 1.0;
            }
            c[1] += 1.0;
        }
    }
    for c in counts {
        v.extend_from_slice(&c);
    }
    (v, size)
}

fn table(rows: &[(&LeadHistory, (Vec<f64>, String))]) -> Result<TabularData> {
    let mut t = TabularData::new();
    for (j, name) in numeric_features().iter().enumerate() {
        let v: Vec<f64> = rows
            .iter()
            .map(|r| r.1 .0.get(j).copied().unwrap_or(f64::NAN))
            .collect();
        t = t.with_numeric(name, &v)?;
    }
    for (j, name) in CATEGORICAL_FEATURES.iter().enumerate() {
        let v: Vec<&str> = rows
            .iter()
            .map(|r| r.0.cats.get(j).map_or(r.1 .1.as_str(), |s| s.as_str()))
            .collect();
        t = t.with_categorical(name, &v)?;
    }
    Ok(t)
}

/// A snapshot: the open leads at a date, their features and the rule's engagement.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Lead ids, in the order of the rows.
    pub ids: Vec<String>,
    /// Feature table.
    pub data: TabularData,
    /// The points rule's engagement (0–10) of each row.
    pub engagement: Vec<f64>,
    /// Labels (purchase within the horizon), when known at the time the snapshot was taken for.
    pub labels: Vec<bool>,
}

pub(crate) fn snapshot_of(
    hs: &[LeadHistory],
    d: i64,
    params: &ModelParams,
    scorer: &LeadScorer,
) -> Result<Snapshot> {
    let open = i64::from(params.open_days) * DAY;
    let h = i64::from(params.horizon_days) * DAY;
    let rows: Vec<(&LeadHistory, (Vec<f64>, String))> = hs
        .iter()
        .filter(|l| is_open(l, d, open))
        .map(|l| (l, features(l, d, scorer, params)))
        .collect();
    let eng_col = 3;
    Ok(Snapshot {
        ids: rows.iter().map(|r| r.0.id.clone()).collect(),
        engagement: rows
            .iter()
            .map(|r| r.1 .0.get(eng_col).copied().unwrap_or(0.0))
            .collect(),
        labels: rows
            .iter()
            .map(|r| r.0.converted_at().is_some_and(|c| c > d && c <= d + h))
            .collect(),
        data: table(&rows)?,
    })
}

/// The open leads at `as_of` with their features (labels: purchases within the horizon after
/// `as_of`, known only when the data reach that far — used by evaluations).
pub fn snapshot(
    tables: &Tables,
    as_of: DateTime<Utc>,
    params: &ModelParams,
    points: &PointsParams,
) -> Result<Snapshot> {
    params.validate()?;
    let scorer = LeadScorer::new(points.clone())?;
    let (hs, _) = histories(tables);
    snapshot_of(&hs, as_of.timestamp(), params, &scorer)
}

/// Training rows replayed before `as_of` (labels all known by `as_of`).
pub fn training_set(
    tables: &Tables,
    as_of: DateTime<Utc>,
    params: &ModelParams,
    points: &PointsParams,
) -> Result<Snapshot> {
    params.validate()?;
    let scorer = LeadScorer::new(points.clone())?;
    let (hs, _) = histories(tables);
    training_of(&hs, as_of.timestamp(), params, &scorer)
}

pub(crate) fn training_of(
    hs: &[LeadHistory],
    as_of: i64,
    params: &ModelParams,
    scorer: &LeadScorer,
) -> Result<Snapshot> {
    let h = i64::from(params.horizon_days) * DAY;
    let mut parts = Vec::new();
    for j in 0..params.training_anchors {
        let d = as_of - h - j as i64 * i64::from(params.anchor_step_days) * DAY;
        parts.push(snapshot_of(hs, d, params, scorer)?);
    }
    concat(parts)
}

fn concat(parts: Vec<Snapshot>) -> Result<Snapshot> {
    let mut ids = Vec::new();
    let mut engagement = Vec::new();
    let mut labels = Vec::new();
    let mut cols: Vec<(String, crate::learn::ColumnData)> = Vec::new();
    for p in parts {
        ids.extend(p.ids);
        engagement.extend(p.engagement);
        labels.extend(p.labels);
        for (i, (name, col)) in p.data.names().iter().zip(p.data.columns()).enumerate() {
            use crate::learn::ColumnData as C;
            if let Some((_, acc)) = cols.get_mut(i) {
                match (acc, col) {
                    (C::Numeric(a), C::Numeric(b)) => a.extend_from_slice(b),
                    (C::Categorical(a), C::Categorical(b)) => a.extend_from_slice(b),
                    _ => {
                        return Err(CoreError::validation(
                            crate::learn::TABLE,
                            None,
                            Some(name),
                            "column kinds differ between snapshots",
                        ))
                    }
                }
            } else {
                cols.push((name.clone(), col.clone()));
            }
        }
    }
    let mut data = TabularData::new();
    if cols.is_empty() {
        // No rows at all: an empty table with the right columns.
        let empty: Vec<(&LeadHistory, (Vec<f64>, String))> = Vec::new();
        data = table(&empty)?;
    }
    for (name, col) in cols {
        data.push(&name, col)?;
    }
    Ok(Snapshot {
        ids,
        data,
        engagement,
        labels,
    })
}

/// Which scorer was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ScorerUsed {
    /// The points rule.
    Rules,
    /// Logistic regression.
    Logistic,
    /// Boosted trees.
    Trees,
}

impl ScorerUsed {
    /// Text form.
    pub fn as_str(self) -> &'static str {
        match self {
            ScorerUsed::Rules => "rules",
            ScorerUsed::Logistic => "logistic",
            ScorerUsed::Trees => "trees",
        }
    }
}

/// The choice between the points rule and the learned model, with the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelChoice {
    /// What scores the leads.
    pub used: ScorerUsed,
    /// Why, in words.
    pub reason: String,
    /// Training rows (lead × snapshot).
    pub training_rows: usize,
    /// Converting training rows.
    pub positives: usize,
    /// AUC of the points rule on the training rows (when both classes are present).
    pub rules_auc: Option<f64>,
    /// Cross-validated (pooled out-of-fold) AUC of each learned candidate.
    pub candidate_auc: Vec<(ModelKind, f64)>,
}

/// The fitted conversion scorer: the chosen learned classifier, or none (the rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadModel {
    /// Parameters.
    pub params: ModelParams,
    /// The points rule's parameters (its engagement is a feature and the fallback).
    pub points: PointsParams,
    /// The choice and its evidence.
    pub choice: ModelChoice,
    /// The learned classifier, when chosen.
    pub classifier: Option<TabularClassifier>,
}

/// One lead's conversion score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionScore {
    /// Lead id.
    pub lead_id: String,
    /// Probability of a purchase within the horizon (learned model), or `None` (rule).
    pub probability: Option<f64>,
    /// Score 0–100: 100 × probability (learned), or 10 × engagement (rule).
    pub score: f64,
    /// Columns pushing the probability up most (learned model only).
    pub factors: Vec<Factor>,
}

impl LeadModel {
    /// Train on the history before `as_of` and choose between the rule and the learned
    /// candidates.
    pub fn fit(
        tables: &Tables,
        as_of: DateTime<Utc>,
        params: &ModelParams,
        points: &PointsParams,
    ) -> Result<LeadModel> {
        params.validate()?;
        let scorer = LeadScorer::new(points.clone())?;
        let (hs, _) = histories(tables);
        let train = training_of(&hs, as_of.timestamp(), params, &scorer)?;
        Self::fit_snapshot(&train, params, points)
    }

    /// Choose and fit on prepared training rows.
    pub fn fit_snapshot(
        train: &Snapshot,
        params: &ModelParams,
        points: &PointsParams,
    ) -> Result<LeadModel> {
        params.validate()?;
        let n = train.labels.len();
        let pos = train.labels.iter().filter(|v| **v).count();
        let rules_auc = roc_auc(&train.engagement, &train.labels).ok();
        let mut choice = ModelChoice {
            used: ScorerUsed::Rules,
            reason: String::new(),
            training_rows: n,
            positives: pos,
            rules_auc,
            candidate_auc: Vec::new(),
        };
        let fallback = |mut choice: ModelChoice, reason: String| LeadModel {
            params: params.clone(),
            points: points.clone(),
            choice: {
                choice.reason = reason;
                choice
            },
            classifier: None,
        };
        if pos == 0 || pos == n {
            let r = format!("all {n} training rows are of one class: no conversions to learn from, the points rule is used");
            return Ok(fallback(choice, r));
        }
        if n < params.min_training_rows || pos < params.min_positives.max(params.cv_folds) {
            let r = format!(
                "{n} training rows with {pos} conversions (need {} and {}): the points rule is used",
                params.min_training_rows,
                params.min_positives.max(params.cv_folds)
            );
            return Ok(fallback(choice, r));
        }
        let mut best: Option<(ModelKind, f64)> = None;
        for &kind in &params.candidates {
            // Platt scaling is monotone: it cannot change an AUC, so the folds skip it.
            let cp = ClassifierParams {
                model: kind,
                calibration_folds: 0,
                ..params.classifier.clone()
            };
            match cross_validate(&train.data, &train.labels, &cp, params.cv_folds, cp.seed) {
                Ok(r) => {
                    choice.candidate_auc.push((kind, r.pooled_auc));
                    if best.is_none_or(|b| r.pooled_auc > b.1) {
                        best = Some((kind, r.pooled_auc));
                    }
                }
                Err(e) => {
                    choice.reason.push_str(&format!("{kind:?} failed: {e}; "));
                }
            }
        }
        let rules = rules_auc.unwrap_or(0.5);
        let Some((kind, auc)) = best else {
            let r = format!(
                "{}no learned candidate: the points rule is used",
                choice.reason
            );
            return Ok(fallback(choice, r));
        };
        if auc < rules + params.min_auc_gain {
            let r = format!(
                "cross-validated AUC {auc:.4} ({kind:?}) does not beat the points rule's {rules:.4} by {}: the points rule is used",
                params.min_auc_gain
            );
            return Ok(fallback(choice, r));
        }
        let cp = ClassifierParams {
            model: kind,
            ..params.classifier.clone()
        };
        let classifier = TabularClassifier::fit(&train.data, &train.labels, &cp)?;
        choice.used = match kind {
            ModelKind::Trees => ScorerUsed::Trees,
            _ => ScorerUsed::Logistic,
        };
        choice.reason = format!(
            "cross-validated AUC {auc:.4} ({}) beats the points rule's {rules:.4} on {n} training rows ({pos} conversions)",
            choice.used.as_str()
        );
        Ok(LeadModel {
            params: params.clone(),
            points: points.clone(),
            choice,
            classifier: Some(classifier),
        })
    }

    /// Conversion scores of a snapshot's rows.
    pub fn score_snapshot(&self, s: &Snapshot) -> Result<Vec<ConversionScore>> {
        let Some(c) = &self.classifier else {
            return Ok(s
                .ids
                .iter()
                .zip(&s.engagement)
                .map(|(id, e)| ConversionScore {
                    lead_id: id.clone(),
                    probability: None,
                    score: 10.0 * e,
                    factors: Vec::new(),
                })
                .collect());
        };
        if s.ids.is_empty() {
            return Ok(Vec::new());
        }
        let p = c.predict_proba(&s.data)?;
        let ex = c.explain(&s.data, usize::MAX)?;
        Ok(s.ids
            .iter()
            .zip(p.iter().zip(ex))
            .map(|(id, (p, f))| ConversionScore {
                lead_id: id.clone(),
                probability: Some(*p),
                score: 100.0 * p,
                factors: f
                    .into_iter()
                    .filter(|f| f.contribution > 0.0)
                    .take(self.params.top_factors)
                    .collect(),
            })
            .collect())
    }

    /// Conversion scores of the open leads at `as_of`.
    pub fn score(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<Vec<ConversionScore>> {
        let s = snapshot(tables, as_of, &self.params, &self.points)?;
        self.score_snapshot(&s)
    }
}
