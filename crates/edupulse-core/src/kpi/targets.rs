//! KPI targets, the status rule (on track / at risk / missed), the trend rule and the diagnosis
//! rules of the scorecard.
//!
//! Decides, for one KPI value, whether it meets its target: the source's targets are the defaults
//! (webinar → course conversion 12–15 %, completion 75 %, certification 60 %, monthly churn
//! < 10 %, LTV 2,500, referrals 25 %, active participation 40 %, engagement 7/10, 45 min/week,
//! and the troubleshooting guide's attendance symptom, < 30 %). A missed or at-risk KPI gets the
//! likely causes and the edupulse results that show them (the source's troubleshooting guide).

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// The target of every KPI of the scorecard (`None`: the KPI is reported without a target).
///
/// Rates are fractions (0.12 = 12 %). Configured under `[job.kpi.targets]`; unknown keys are
/// errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KpiTargets {
    /// Attendance rate of registrations (the source's symptom: below 30 %).
    pub attendance_rate: Option<f64>,
    /// Webinar → course conversion per registration (the source: 12–15 %; the floor is the target).
    pub conversion_rate: Option<f64>,
    /// Completion among students whose enrolment has an outcome (the source: 75 %).
    pub completion_rate: Option<f64>,
    /// Students with a certificate among enrolled students (the source: 60 %).
    pub certification_rate: Option<f64>,
    /// Monthly churn of active students, at most (the source: < 10 %).
    pub monthly_churn_rate: Option<f64>,
    /// Lifetime value: revenue per paying customer to date (the source: 2,500).
    pub ltv: Option<f64>,
    /// Share of active students who referred someone (the source: 25 %).
    pub referral_rate: Option<f64>,
    /// Share of active students who posted or commented (the source: active participation 40 %).
    pub participation_rate: Option<f64>,
    /// Mean lead engagement on the 0–10 scale (the source: 7/10).
    pub engagement: Option<f64>,
    /// Minutes on the platform per active student and week (the source: 45).
    pub minutes_per_week: Option<f64>,
    /// Month-over-month growth of new leads (no source target).
    pub lead_growth: Option<f64>,
    /// Revenue per webinar held (no source target).
    pub revenue_per_webinar: Option<f64>,
    /// Median hours from a lead's creation to its first interaction, at most (no source target).
    pub first_interaction_hours: Option<f64>,
}

impl Default for KpiTargets {
    fn default() -> Self {
        KpiTargets {
            attendance_rate: Some(0.30),
            conversion_rate: Some(0.12),
            completion_rate: Some(0.75),
            certification_rate: Some(0.60),
            monthly_churn_rate: Some(0.10),
            ltv: Some(2500.0),
            referral_rate: Some(0.25),
            participation_rate: Some(0.40),
            engagement: Some(7.0),
            minutes_per_week: Some(45.0),
            lead_growth: None,
            revenue_per_webinar: None,
            first_interaction_hours: None,
        }
    }
}

impl KpiTargets {
    /// The target of KPI `kpi` (`None` when it has none or the name is not a KPI).
    pub fn get(&self, kpi: &str) -> Option<f64> {
        match kpi {
            "attendance_rate" => self.attendance_rate,
            "conversion_rate" => self.conversion_rate,
            "completion_rate" => self.completion_rate,
            "certification_rate" => self.certification_rate,
            "monthly_churn_rate" => self.monthly_churn_rate,
            "ltv" => self.ltv,
            "referral_rate" => self.referral_rate,
            "participation_rate" => self.participation_rate,
            "engagement" => self.engagement,
            "minutes_per_week" => self.minutes_per_week,
            "lead_growth" => self.lead_growth,
            "revenue_per_webinar" => self.revenue_per_webinar,
            "first_interaction_hours" => self.first_interaction_hours,
            _ => None,
        }
    }

    /// Check the targets: finite, rates in [0, 1], engagement in [0, 10], the rest ≥ 0
    /// (lead growth may be negative).
    pub fn validate(&self) -> Result<()> {
        for def in KPIS {
            let Some(t) = self.get(def.id) else { continue };
            let name = format!("targets.{}", def.id);
            if !t.is_finite() {
                return Err(CoreError::param(&name, format!("{t} is not finite")));
            }
            let ok = match def.unit {
                Unit::Rate => (0.0..=1.0).contains(&t),
                Unit::Score => (0.0..=10.0).contains(&t),
                Unit::Growth => t > -1.0,
                _ => t >= 0.0,
            };
            if !ok {
                return Err(CoreError::param(
                    &name,
                    format!("{t} is out of range for a {}", def.unit.as_str()),
                ));
            }
        }
        Ok(())
    }
}

/// Which way a KPI is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Higher is better.
    Higher,
    /// Lower is better.
    Lower,
    /// A volume with no better direction (reported, never scored).
    Neutral,
}

impl Direction {
    /// `higher`, `lower` or `neutral`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
            Direction::Neutral => "neutral",
        }
    }
}

/// The unit of a KPI value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A fraction in [0, 1].
    Rate,
    /// A relative change (0.1 = +10 %).
    Growth,
    /// A score on 0–10.
    Score,
    /// An amount of money (summed across currencies, as `kpi_revenue`).
    Money,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// A count.
    Count,
}

impl Unit {
    /// `rate`, `growth`, `score`, `money`, `minutes`, `hours` or `count`.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Rate => "rate",
            Unit::Growth => "growth",
            Unit::Score => "score",
            Unit::Money => "money",
            Unit::Minutes => "minutes",
            Unit::Hours => "hours",
            Unit::Count => "count",
        }
    }
}

/// One KPI of the scorecard: its id, unit, direction and diagnosis rule.
#[derive(Debug, Clone, Copy)]
pub struct KpiDef {
    /// Column-style id (`attendance_rate`).
    pub id: &'static str,
    /// Unit of the value.
    pub unit: Unit,
    /// Which way is better.
    pub direction: Direction,
    /// Likely causes when the KPI misses its target (the source's troubleshooting guide).
    pub causes: &'static str,
    /// The edupulse results that show those causes.
    pub see: &'static str,
}

/// Every KPI of the scorecard, in display order.
pub const KPIS: &[KpiDef] = &[
    KpiDef {
        id: "attendance_rate",
        unit: Unit::Rate,
        direction: Direction::Higher,
        causes: "bad day or hour for the audience; reminders not sent or too early; topic not matched to the registrants' segment",
        see: "slot_heatmap, best_slots, reschedule_suggestions (demand step); kpi_slots",
    },
    KpiDef {
        id: "conversion_rate",
        unit: Unit::Rate,
        direction: Direction::Higher,
        causes: "offer not matched to the segment; hot leads not contacted in time; weak follow-up after the webinar",
        see: "kpi_funnel (by industry, role, company size); lead_scores, lead_nurture (leads step)",
    },
    KpiDef {
        id: "completion_rate",
        unit: Unit::Rate,
        direction: Direction::Higher,
        causes: "students stuck on concepts; lessons too long; no follow-up of inactive students",
        see: "churn_scores (risk, factors, interventions); content_mastery, content_next_steps; review_stuck_episodes",
    },
    KpiDef {
        id: "certification_rate",
        unit: Unit::Rate,
        direction: Direction::Higher,
        causes: "certification requirements out of reach; students close to a certificate not told what is missing",
        see: "cert_eligibility (certify step: what is missing); content_mastery",
    },
    KpiDef {
        id: "monthly_churn_rate",
        unit: Unit::Rate,
        direction: Direction::Lower,
        causes: "low engagement in the first weeks; content difficulty; no 1:1 contact with at-risk students",
        see: "churn_scores (Alto/Medio with factors and interventions), churn_cohorts",
    },
    KpiDef {
        id: "ltv",
        unit: Unit::Money,
        direction: Direction::Higher,
        causes: "few repeat purchases; low-priced entry offers; customers lost early",
        see: "churn_scores (expected purchases, CLV), churn_cohorts (LTV by cohort), kpi_revenue",
    },
    KpiDef {
        id: "referral_rate",
        unit: Unit::Rate,
        direction: Direction::Higher,
        causes: "no referral incentive; low satisfaction; sharing not prompted after milestones",
        see: "kpi_scorecard participation_rate; feedback results",
    },
    KpiDef {
        id: "participation_rate",
        unit: Unit::Rate,
        direction: Direction::Higher,
        causes: "community not seeded with questions; no points or badges for posting; students not introduced to the forum",
        see: "community gamification (points, leaderboards, participation segments); churn_scores",
    },
    KpiDef {
        id: "engagement",
        unit: Unit::Score,
        direction: Direction::Higher,
        causes: "emails not opened or clicked; webinars without questions or polls; leads left to cool",
        see: "lead_scores (engagement, factors), lead_nurture",
    },
    KpiDef {
        id: "minutes_per_week",
        unit: Unit::Minutes,
        direction: Direction::Higher,
        causes: "lessons not scheduled into the week; reviews overdue; content too long to start",
        see: "review_learners, review_forecast (review schedule); content_lessons (micro-lessons)",
    },
    KpiDef {
        id: "lead_growth",
        unit: Unit::Growth,
        direction: Direction::Higher,
        causes: "webinar topics not following rising searches; fewer webinars; acquisition channels slowing",
        see: "trend_alerts, emerging_queries (trends step); planned_calendar (demand step)",
    },
    KpiDef {
        id: "revenue_per_webinar",
        unit: Unit::Money,
        direction: Direction::Higher,
        causes: "low attendance or conversion per webinar; webinars for segments that do not buy",
        see: "kpi_funnel, webinar_forecasts (demand step); revenue_forecast",
    },
    KpiDef {
        id: "first_interaction_hours",
        unit: Unit::Hours,
        direction: Direction::Lower,
        causes: "new leads not contacted; welcome email missing or slow",
        see: "lead_scores, lead_nurture (leads step)",
    },
    KpiDef {
        id: "revenue",
        unit: Unit::Money,
        direction: Direction::Neutral,
        causes: "",
        see: "kpi_revenue, revenue_forecast",
    },
    KpiDef {
        id: "new_enrolments",
        unit: Unit::Count,
        direction: Direction::Neutral,
        causes: "",
        see: "",
    },
    KpiDef {
        id: "active_students",
        unit: Unit::Count,
        direction: Direction::Neutral,
        causes: "",
        see: "",
    },
    KpiDef {
        id: "webinars_held",
        unit: Unit::Count,
        direction: Direction::Neutral,
        causes: "",
        see: "",
    },
];

/// The status of `value` against `target`: `on_track` when the target is met, `at_risk` when it
/// is missed by at most `margin` of the target (relative), `missed` beyond; `no_target` and
/// `no_data` when either is absent.
///
/// ```
/// use edupulse_core::kpi::targets::{status, Direction};
/// assert_eq!(status(Some(0.13), Some(0.12), Direction::Higher, 0.1), "on_track");
/// assert_eq!(status(Some(0.11), Some(0.12), Direction::Higher, 0.1), "at_risk");
/// assert_eq!(status(Some(0.10), Some(0.12), Direction::Higher, 0.1), "missed");
/// assert_eq!(status(Some(0.105), Some(0.10), Direction::Lower, 0.1), "at_risk");
/// ```
pub fn status(
    value: Option<f64>,
    target: Option<f64>,
    direction: Direction,
    margin: f64,
) -> &'static str {
    let (Some(v), Some(t)) = (value, target) else {
        return if target.is_none() || direction == Direction::Neutral {
            "no_target"
        } else {
            "no_data"
        };
    };
    let slack = margin * t.abs();
    match direction {
        Direction::Neutral => "no_target",
        Direction::Higher if v >= t => "on_track",
        Direction::Higher if v >= t - slack => "at_risk",
        Direction::Lower if v <= t => "on_track",
        Direction::Lower if v <= t + slack => "at_risk",
        _ => "missed",
    }
}

/// The trend from `previous` to `value`: `improving` / `worsening` when the change exceeds
/// `stable_band` of the previous value (relative; absolute when the previous value is 0), `up` /
/// `down` for KPIs without a better direction, `stable` within the band, `unknown` without both.
///
/// ```
/// use edupulse_core::kpi::targets::{trend, Direction};
/// assert_eq!(trend(Some(0.2), Some(0.3), Direction::Lower, 0.05), "improving");
/// assert_eq!(trend(Some(101.0), Some(100.0), Direction::Higher, 0.05), "stable");
/// ```
pub fn trend(
    value: Option<f64>,
    previous: Option<f64>,
    direction: Direction,
    stable_band: f64,
) -> &'static str {
    let (Some(v), Some(p)) = (value, previous) else {
        return "unknown";
    };
    let base = if p.abs() > 0.0 { p.abs() } else { 1.0 };
    let rel = (v - p) / base;
    if rel.abs() <= stable_band {
        return "stable";
    }
    match (direction, rel > 0.0) {
        (Direction::Higher, true) | (Direction::Lower, false) => "improving",
        (Direction::Higher, false) | (Direction::Lower, true) => "worsening",
        (Direction::Neutral, true) => "up",
        (Direction::Neutral, false) => "down",
    }
}
