//! Three A/B tests over the simulated leads, with known true effects (the ground truth of
//! [`crate::experiments`]):
//! - `exp_landing_null` (landing page, metric `registered`): variants drawn 50/50 independently
//!   of everything — the true lift is 0; 2 % of units also see the other variant a day later
//!   (counted once, in their first variant, and reported);
//! - `exp_nurture_lift` (nurture message, metric `purchase`): a unit that goes on to buy is in
//!   the new sequence with probability `a` = 0.68, one that does not with the `b` that keeps
//!   the split at 50/50; conditional on the variant, outcomes are then independent draws with
//!   rates `2a·p` and `2(1 − a)·p` (p the base rate), so the true relative lift is exactly
//!   `a / (1 − a) − 1` ≈ +112 %, whatever p is;
//! - `exp_slot_srm` (webinar slot, metric `attended`): planned 50/50, but 42 % of units land in
//!   the variant (a broken assignment): the SRM check must block any decision; true lift 0.
//!
//! Units are the leads created in the window; each is exposed a minute after its creation.
//! Outcomes are read from the already simulated tables (no row of another table changes).

use super::dist::{entity_rng, unif, Stream};
use super::{ts, DAY};
use crate::model::{Experiment, ExperimentKind, ExperimentMetric, Exposure, LeadEventKind, Tables};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The truth about one simulated experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentTruth {
    /// Experiment id.
    pub experiment_id: String,
    /// True relative lift of the variant over control (0 for the null and SRM experiments).
    pub true_relative_lift: f64,
    /// Share of units actually assigned to the variant in expectation (0.5 = as planned).
    pub variant_share: f64,
    /// Whether the split is broken (the SRM check should fire).
    pub srm: bool,
}

const A_LIFT: f64 = 0.68;

/// The experiments, exposures and truth of a simulated business (empty when the history is
/// shorter than 60 days).
pub(crate) fn generate(
    seed: u64,
    start: i64,
    end: i64,
    tables: &Tables,
) -> (Vec<Experiment>, Vec<Exposure>, Vec<ExperimentTruth>) {
    if end - start < 60 * DAY {
        return (Vec::new(), Vec::new(), Vec::new());
    }
    let w_start = start + 14 * DAY;
    let w_end = end - 7 * DAY;
    let units: Vec<(&str, i64)> = tables
        .leads
        .iter()
        .map(|l| (l.lead_id.as_str(), l.created_at.timestamp() + 60))
        .filter(|(_, t)| *t >= w_start && *t <= w_end - 21 * DAY)
        .collect();
    let bought: HashMap<&str, Vec<i64>> = group(
        tables
            .lead_events
            .iter()
            .filter(|e| e.kind == LeadEventKind::Purchase)
            .map(|e| (e.lead_id.as_str(), e.at.timestamp()))
            .chain(
                tables
                    .purchases
                    .iter()
                    .map(|p| (p.customer_id.as_str(), p.at.timestamp())),
            ),
    );
    let converts = |m: &HashMap<&str, Vec<i64>>, u: &str, t0: i64| {
        m.get(u)
            .is_some_and(|v| v.iter().any(|&t| t >= t0 && t <= w_end))
    };
    let exp = |id: &str, kind, metric, variant: &str, description: &str| Experiment {
        experiment_id: id.into(),
        kind,
        metric,
        control_variant: "control".into(),
        start_at: ts(w_start),
        end_at: Some(ts(w_end)),
        description: Some(description.into()),
        variants: Some(format!("control=50;{variant}=50")),
    };
    let experiments = vec![
        exp(
            "exp_landing_null",
            ExperimentKind::LandingPage,
            ExperimentMetric::Registered,
            "variant_b",
            "Landing page B (new hero image) vs current page: webinar registrations",
        ),
        exp(
            "exp_nurture_lift",
            ExperimentKind::Nurture,
            ExperimentMetric::Purchase,
            "new_sequence",
            "New nurture e-mail sequence vs current: purchases",
        ),
        exp(
            "exp_slot_srm",
            ExperimentKind::Slot,
            ExperimentMetric::Attended,
            "thursday_18h",
            "Webinar on Thursday 18:00 vs Tuesday 10:00: attendance (assignment bug)",
        ),
    ];
    let p_buy = units
        .iter()
        .filter(|(u, t0)| converts(&bought, u, *t0))
        .count() as f64
        / units.len().max(1) as f64;
    let b_lift = ((0.5 - A_LIFT * p_buy) / (1.0 - p_buy)).clamp(0.0, 1.0);
    let mut exposures = Vec::new();
    let mut seen: HashSet<(usize, &str)> = HashSet::new();
    for (i, (u, t0)) in units.iter().enumerate() {
        let mut rng = entity_rng(seed, Stream::Experiments, i as u64);
        let x = |e: usize, v: &str, t: i64| Exposure {
            experiment_id: experiments[e].experiment_id.clone(),
            variant: v.into(),
            unit_id: (*u).into(),
            at: ts(t),
        };
        // null
        let b = unif(&mut rng) < 0.5;
        exposures.push(x(0, if b { "variant_b" } else { "control" }, *t0));
        if unif(&mut rng) < 0.02 && seen.insert((0, u)) {
            exposures.push(x(0, if b { "control" } else { "variant_b" }, *t0 + DAY));
        }
        // real lift
        let pt = if converts(&bought, u, *t0) {
            A_LIFT
        } else {
            b_lift
        };
        let t = unif(&mut rng) < pt;
        exposures.push(x(1, if t { "new_sequence" } else { "control" }, *t0));
        // SRM
        let s = unif(&mut rng) < 0.42;
        exposures.push(x(2, if s { "thursday_18h" } else { "control" }, *t0));
    }
    let truth = vec![
        ExperimentTruth {
            experiment_id: "exp_landing_null".into(),
            true_relative_lift: 0.0,
            variant_share: 0.5,
            srm: false,
        },
        ExperimentTruth {
            experiment_id: "exp_nurture_lift".into(),
            true_relative_lift: A_LIFT / (1.0 - A_LIFT) - 1.0,
            variant_share: 0.5,
            srm: false,
        },
        ExperimentTruth {
            experiment_id: "exp_slot_srm".into(),
            true_relative_lift: 0.0,
            variant_share: 0.42,
            srm: true,
        },
    ];
    (experiments, exposures, truth)
}

fn group<'a>(it: impl Iterator<Item = (&'a str, i64)>) -> HashMap<&'a str, Vec<i64>> {
    let mut m: HashMap<&str, Vec<i64>> = HashMap::new();
    for (k, t) in it {
        m.entry(k).or_default().push(t);
    }
    m
}
