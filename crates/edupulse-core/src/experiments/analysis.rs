//! From tables to answers: the `experiments` and `exposures` tables joined to the conversion
//! tables by metric, per experiment and variant, with a decision.
//!
//! Counting rules:
//! - a unit's **first exposure** inside the window `[start_at, min(end_at, as_of)]` puts it in
//!   that variant; later exposures to another variant are *counted* (`multi_variant_units`) but
//!   do not move the unit; exposures outside the window, after `as_of`, or to a variant the
//!   experiment does not list are left out and counted;
//! - a unit **converts** when the metric's event happens at or after its first exposure and
//!   within the window: `registered` (a registration), `attended` (an attended registration, at
//!   the webinar's start), `purchase` (a purchase, or a `purchase` lead event), `revenue` (the sum
//!   of purchase amounts, a mean metric: n, Σx, Σx² over units);
//! - **looks**: cumulative statistics at the end of every day of the window (the mSPRT path).
//!
//! Decision per variant (`ship` / `stop` / `keep_running`), in this order: a sample-ratio
//! mismatch (SRM p < `srm_threshold`) blocks it; fewer than `min_units` in an arm waits; the
//! always-valid mSPRT p-value, corrected across variants (Holm or Benjamini–Hochberg), below
//! `alpha` ships a better variant and stops a worse one (safe to check daily); at the planned end
//! (`end_at` ≤ as_of) the fixed-horizon Welch p-value, corrected the same way, decides too, and
//! an ended experiment without a significant difference stops (keep control); otherwise keep
//! running. Using both answers bounds the false-positive rate by 2α (measured: see
//! `sequential::tests`).

use super::sequential::{adjust, msprt_path, srm_p_value, Correction};
use super::stats::{bayes, sequential, ttest, ArmStats, MeanStats, Proportion, TestParams};
use crate::error::{CoreError, Result};
use crate::model::{Experiment, ExperimentMetric, LeadEventKind, Tables};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

const DAY: i64 = 86_400;

/// Event times and values per unit.
type Outcomes<'a> = HashMap<&'a str, Vec<(i64, f64)>>;
/// At most this many looks per experiment (longer windows look every few days).
const MAX_LOOKS: i64 = 400;

/// Parameters of the analysis from tables and of the decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalysisParams {
    /// Options of the tests (difference, prior, tau, alpha). `method` is not used here: every
    /// test is run and the decision uses the mSPRT.
    pub test: TestParams,
    /// Correction across the variants of one experiment.
    pub correction: Correction,
    /// SRM p-value under which the split is declared broken (GrowthBook's default 0.001).
    pub srm_threshold: f64,
    /// Units each arm needs before a decision.
    pub min_units: u64,
}

impl Default for AnalysisParams {
    fn default() -> Self {
        AnalysisParams {
            test: TestParams::default(),
            correction: Correction::Holm,
            srm_threshold: 0.001,
            min_units: 100,
        }
    }
}

impl AnalysisParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        self.test.validate()?;
        if !(self.srm_threshold > 0.0 && self.srm_threshold < 1.0) {
            return Err(CoreError::param("srm_threshold", "must be in (0, 1)"));
        }
        Ok(())
    }
}

/// What to do with a variant (or an experiment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Decision {
    /// Roll the variant out.
    Ship,
    /// Stop the variant (it is worse, or the test ended without a difference: keep control).
    Stop,
    /// Not decided yet.
    KeepRunning,
}

crate::text_result_field!(Decision);

impl Decision {
    /// `ship`, `stop` or `keep_running`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Ship => "ship",
            Decision::Stop => "stop",
            Decision::KeepRunning => "keep_running",
        }
    }
}

/// One look of one variant against control (the sequential p over time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Look {
    /// End of the look.
    pub at: DateTime<Utc>,
    /// Units in the variant.
    pub units: u64,
    /// Units in control.
    pub control_units: u64,
    /// Lift estimate at the look.
    pub lift: f64,
    /// mSPRT always-valid p-value up to this look (running minimum).
    pub msprt_p_value: f64,
    /// gbstats' sequential p-value at this look.
    pub sequential_p_value: f64,
}

/// One variant against control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantResult {
    /// The variant.
    pub variant: String,
    /// Units in the variant.
    pub units: u64,
    /// Converting units (binary) or Σ value (revenue).
    pub total: f64,
    /// Mean per unit (rate or revenue per unit).
    pub mean: f64,
    /// Units in control.
    pub control_units: u64,
    /// Control mean.
    pub control_mean: f64,
    /// Bayesian posterior mean of the lift (gbstats), NaN when no test was possible.
    pub lift: f64,
    /// Credible interval, low.
    pub ci_low: f64,
    /// Credible interval, high.
    pub ci_high: f64,
    /// P(variant better than control).
    pub chance_to_win: Option<f64>,
    /// Expected loss of keeping control.
    pub risk_control: Option<f64>,
    /// Expected loss of shipping the variant.
    pub risk_treatment: Option<f64>,
    /// Always-valid mSPRT p-value over the looks.
    pub p_value: Option<f64>,
    /// `p_value` corrected across variants.
    pub p_value_adjusted: Option<f64>,
    /// Fixed-horizon Welch t-test p-value (valid only at a planned end).
    pub ttest_p_value: Option<f64>,
    /// gbstats' sequential (confidence-sequence) p-value at the last look.
    pub sequential_p_value: Option<f64>,
    /// Confidence sequence at the last look, low.
    pub sequential_ci_low: Option<f64>,
    /// Confidence sequence at the last look, high.
    pub sequential_ci_high: Option<f64>,
    /// The decision.
    pub decision: Decision,
    /// Why, in English.
    pub reason: String,
    /// Why, in Spanish.
    pub reason_es: String,
    /// The looks.
    pub looks: Vec<Look>,
}

/// One experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentResult {
    /// The experiment row.
    pub experiment: Experiment,
    /// The end of the window used (`min(end_at, as_of)`).
    pub window_end: DateTime<Utc>,
    /// Units per variant, control first.
    pub units: Vec<(String, u64)>,
    /// SRM p-value against the planned split.
    pub srm_p_value: f64,
    /// Units exposed to more than one variant (counted once, in their first).
    pub multi_variant_units: u64,
    /// Exposures to variants the experiment does not list (left out).
    pub unknown_variant_exposures: u64,
    /// Exposures outside the window (left out).
    pub outside_window_exposures: u64,
    /// Per variant against control.
    pub variants: Vec<VariantResult>,
    /// The experiment's decision: ship (the best shipping variant), stop (every variant
    /// stopped), otherwise keep running.
    pub decision: Decision,
    /// The variant to ship, when `decision` is ship.
    pub winner: Option<String>,
}

/// Everything the analysis found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Per experiment, in id order.
    pub experiments: Vec<ExperimentResult>,
    /// Exposures naming an experiment not in `experiments` (left out).
    pub unknown_experiment_exposures: u64,
}

/// Event times (and values) per unit for a metric.
fn outcomes(tables: &Tables, metric: ExperimentMetric) -> Outcomes<'_> {
    let mut m: HashMap<&str, Vec<(i64, f64)>> = HashMap::new();
    match metric {
        ExperimentMetric::Registered => {
            for r in &tables.registrations {
                m.entry(&r.person_id)
                    .or_default()
                    .push((r.registered_at.timestamp(), 1.0));
            }
        }
        ExperimentMetric::Attended => {
            let starts: HashMap<&str, i64> = tables
                .webinars
                .iter()
                .map(|w| (w.webinar_id.as_str(), w.starts_at.timestamp()))
                .collect();
            for r in tables.registrations.iter().filter(|r| r.attended) {
                let at = starts
                    .get(r.webinar_id.as_str())
                    .copied()
                    .unwrap_or_else(|| r.registered_at.timestamp());
                m.entry(&r.person_id).or_default().push((at, 1.0));
            }
        }
        ExperimentMetric::Purchase | ExperimentMetric::Revenue => {
            for p in &tables.purchases {
                m.entry(&p.customer_id)
                    .or_default()
                    .push((p.at.timestamp(), p.amount));
            }
            if metric == ExperimentMetric::Purchase {
                for e in tables
                    .lead_events
                    .iter()
                    .filter(|e| e.kind == LeadEventKind::Purchase)
                {
                    m.entry(&e.lead_id)
                        .or_default()
                        .push((e.at.timestamp(), 1.0));
                }
            }
        }
    }
    for v in m.values_mut() {
        v.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    }
    m
}

/// Cumulative per-look sufficient statistics of one arm.
#[derive(Debug, Clone, Default)]
struct ArmPath {
    n: Vec<f64>,
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
}

/// Analyse every experiment in `tables` as of `as_of`.
pub fn analyze(tables: &Tables, as_of: DateTime<Utc>, params: &AnalysisParams) -> Result<Analysis> {
    params.validate()?;
    let known: HashMap<&str, &Experiment> = tables
        .experiments
        .iter()
        .map(|e| (e.experiment_id.as_str(), e))
        .collect();
    let mut by_exp: HashMap<&str, Vec<&crate::model::Exposure>> = HashMap::new();
    let mut unknown_experiment = 0u64;
    for x in &tables.exposures {
        if known.contains_key(x.experiment_id.as_str()) {
            by_exp.entry(&x.experiment_id).or_default().push(x);
        } else {
            unknown_experiment += 1;
        }
    }
    let mut cache: HashMap<ExperimentMetric, Outcomes<'_>> = HashMap::new();
    let mut exps: Vec<&Experiment> = tables.experiments.iter().collect();
    exps.sort_by(|a, b| a.experiment_id.cmp(&b.experiment_id));
    let mut out = Vec::new();
    for e in exps {
        if e.start_at > as_of {
            continue; // not started
        }
        let ev = cache
            .entry(e.metric)
            .or_insert_with(|| outcomes(tables, e.metric));
        let xs = by_exp.remove(e.experiment_id.as_str()).unwrap_or_default();
        out.push(analyze_one(e, &xs, ev, as_of, params)?);
    }
    Ok(Analysis {
        experiments: out,
        unknown_experiment_exposures: unknown_experiment,
    })
}

fn analyze_one(
    e: &Experiment,
    xs: &[&crate::model::Exposure],
    ev: &Outcomes<'_>,
    as_of: DateTime<Utc>,
    params: &AnalysisParams,
) -> Result<ExperimentResult> {
    let start = e.start_at.timestamp();
    let window_end_t = e.end_at.map_or(as_of, |end| end.min(as_of));
    let end = window_end_t.timestamp();
    // Planned variants (control first) and weights.
    let planned: Option<Vec<(String, f64)>> = match &e.variants {
        Some(v) => Some(
            crate::model::parse_variants(v)
                .map_err(|m| CoreError::validation("experiments", None, Some("variants"), m))?,
        ),
        None => None,
    };
    let mut unknown_variant = 0u64;
    let mut outside = 0u64;
    // First exposure per unit.
    let mut first: HashMap<&str, (i64, &str)> = HashMap::new();
    let mut seen_variants: BTreeMap<&str, ()> = BTreeMap::new();
    let mut sorted: Vec<&&crate::model::Exposure> = xs.iter().collect();
    sorted.sort_by(|a, b| (a.at, &a.unit_id, &a.variant).cmp(&(b.at, &b.unit_id, &b.variant)));
    let mut multi: HashMap<&str, bool> = HashMap::new();
    for x in sorted {
        let t = x.at.timestamp();
        if t < start || t > end {
            outside += 1;
            continue;
        }
        if let Some(p) = &planned {
            if !p.iter().any(|(n, _)| *n == x.variant) {
                unknown_variant += 1;
                continue;
            }
        }
        seen_variants.insert(&x.variant, ());
        match first.get(x.unit_id.as_str()) {
            None => {
                first.insert(&x.unit_id, (t, &x.variant));
            }
            Some((_, v)) if *v != x.variant => {
                multi.insert(&x.unit_id, true);
            }
            Some(_) => {}
        }
    }
    let variants: Vec<(String, f64)> = match planned {
        Some(p) => p,
        None => {
            let mut v: Vec<(String, f64)> = vec![(e.control_variant.clone(), 1.0)];
            v.extend(
                seen_variants
                    .keys()
                    .filter(|n| **n != e.control_variant)
                    .map(|n| (n.to_string(), 1.0)),
            );
            v
        }
    };
    // Control first.
    let mut variants = variants;
    if let Some(i) = variants.iter().position(|(n, _)| *n == e.control_variant) {
        let c = variants.remove(i);
        variants.insert(0, c);
    }
    let index: HashMap<&str, usize> = variants
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.as_str(), i))
        .collect();
    // Looks: every `step` days from the start, the last at the window end.
    let span = (end - start).max(0);
    let days = (span + DAY - 1) / DAY;
    let step = ((days + MAX_LOOKS - 1) / MAX_LOOKS).max(1) * DAY;
    let mut look_ends: Vec<i64> = Vec::new();
    let mut t = start + step;
    while t < end {
        look_ends.push(t);
        t += step;
    }
    look_ends.push(end);
    let nl = look_ends.len();
    let look_of = |t: i64| look_ends.partition_point(|&le| le < t).min(nl - 1);
    let binary = e.metric != ExperimentMetric::Revenue;
    // Per-look deltas per arm.
    let mut deltas: Vec<ArmPath> = (0..variants.len())
        .map(|_| ArmPath {
            n: vec![0.0; nl],
            sum: vec![0.0; nl],
            sum_sq: vec![0.0; nl],
        })
        .collect();
    for (unit, (t0, v)) in &first {
        let Some(&arm) = index.get(v) else { continue };
        let d = &mut deltas[arm];
        d.n[look_of(*t0)] += 1.0;
        let events = ev.get(unit).map_or(&[][..], Vec::as_slice);
        let mut total = 0.0;
        for &(te, val) in events.iter().filter(|(te, _)| *te >= *t0 && *te <= end) {
            let l = look_of(te);
            if binary {
                d.sum[l] += 1.0;
                d.sum_sq[l] += 1.0;
                break;
            }
            let next = total + val;
            d.sum[l] += val;
            d.sum_sq[l] += next * next - total * total;
            total = next;
        }
    }
    let cum: Vec<ArmPath> = deltas
        .into_iter()
        .map(|d| {
            let acc = |v: Vec<f64>| {
                v.into_iter()
                    .scan(0.0, |s, x| {
                        *s += x;
                        Some(*s)
                    })
                    .collect()
            };
            ArmPath {
                n: acc(d.n),
                sum: acc(d.sum),
                sum_sq: acc(d.sum_sq),
            }
        })
        .collect();
    let arm_at = |arm: usize, l: usize, name: &str| -> Result<ArmStats> {
        let c = &cum[arm];
        if binary {
            ArmStats::proportion(
                name,
                Proportion {
                    units: c.n[l],
                    conversions: c.sum[l],
                },
            )
        } else {
            ArmStats::mean(
                name,
                MeanStats {
                    n: c.n[l],
                    sum: c.sum[l],
                    sum_squares: c.sum_sq[l],
                },
            )
        }
    };
    let units: Vec<(String, u64)> = variants
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.clone(), cum[i].n[nl - 1] as u64))
        .collect();
    let weights: Vec<f64> = variants.iter().map(|(_, w)| *w).collect();
    let counts: Vec<f64> = units.iter().map(|(_, u)| *u as f64).collect();
    let srm = if counts.len() >= 2 {
        srm_p_value(&counts, &weights)?
    } else {
        1.0
    };
    let p = &params.test;
    let mut results: Vec<VariantResult> = Vec::new();
    for (arm, (name, _)) in variants.iter().enumerate().skip(1) {
        let last = nl - 1;
        let (ctl_n, var_n) = (cum[0].n[last], cum[arm].n[last]);
        let mean_of = |a: usize| {
            if cum[a].n[last] > 0.0 {
                cum[a].sum[last] / cum[a].n[last]
            } else {
                f64::NAN
            }
        };
        let mut r = VariantResult {
            variant: name.clone(),
            units: var_n as u64,
            total: cum[arm].sum[last],
            mean: mean_of(arm),
            control_units: ctl_n as u64,
            control_mean: mean_of(0),
            lift: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
            chance_to_win: None,
            risk_control: None,
            risk_treatment: None,
            p_value: None,
            p_value_adjusted: None,
            ttest_p_value: None,
            sequential_p_value: None,
            sequential_ci_low: None,
            sequential_ci_high: None,
            decision: Decision::KeepRunning,
            reason: String::new(),
            reason_es: String::new(),
            looks: Vec::new(),
        };
        let mut problem: Option<String> = None;
        match (arm_at(0, last, "control"), arm_at(arm, last, name)) {
            (Ok(a), Ok(b)) => {
                match bayes(&a, &b, p) {
                    Ok(by) => {
                        r.lift = by.lift;
                        r.ci_low = by.ci_low;
                        r.ci_high = by.ci_high;
                        r.chance_to_win = by.chance_to_win;
                        r.risk_control = by.risk_control;
                        r.risk_treatment = by.risk_treatment;
                    }
                    Err(err) => problem = Some(err.to_string()),
                }
                if let Ok(t) = ttest(&a, &b, p) {
                    r.ttest_p_value = t.p_value;
                }
                if let Ok(s) = sequential(&a, &b, p) {
                    r.sequential_p_value = s.p_value;
                    r.sequential_ci_low = Some(s.ci_low);
                    r.sequential_ci_high = Some(s.ci_high);
                }
            }
            (Err(err), _) | (_, Err(err)) => problem = Some(err.to_string()),
        }
        // The path of looks where a test is possible.
        let mut path = Vec::new();
        let mut at = Vec::new();
        for (l, &le) in look_ends.iter().enumerate() {
            if let (Ok(a), Ok(b)) = (arm_at(0, l, "control"), arm_at(arm, l, name)) {
                if super::stats::lift_and_variance(&a, &b, p.difference).is_ok() {
                    path.push((a, b));
                    at.push(le);
                }
            }
        }
        if !path.is_empty() {
            let m = msprt_path(&path, p)?;
            for ((res, (a, b)), &le) in m.iter().zip(&path).zip(&at) {
                r.looks.push(Look {
                    at: DateTime::from_timestamp(le, 0).unwrap_or(as_of),
                    units: b.n as u64,
                    control_units: a.n as u64,
                    lift: res.lift,
                    msprt_p_value: res.p_value.unwrap_or(1.0),
                    sequential_p_value: sequential(a, b, p)
                        .ok()
                        .and_then(|s| s.p_value)
                        .unwrap_or(1.0),
                });
            }
            if problem.is_none() {
                r.p_value = m.last().and_then(|x| x.p_value);
            }
        }
        if let Some(msg) = problem {
            r.reason = format!("no test possible yet: {msg}");
            r.reason_es = format!("todavía no se puede probar: {msg}");
        }
        results.push(r);
    }
    // Correction across variants that have a p-value.
    let with_p: Vec<usize> = (0..results.len())
        .filter(|&i| results[i].p_value.is_some())
        .collect();
    let ps: Vec<f64> = with_p.iter().filter_map(|&i| results[i].p_value).collect();
    for (&i, adj) in with_p.iter().zip(adjust(&ps, params.correction)) {
        results[i].p_value_adjusted = Some(adj);
    }
    // The fixed-horizon p-values, corrected the same way: they decide only at the planned end.
    let with_t: Vec<usize> = (0..results.len())
        .filter(|&i| results[i].ttest_p_value.is_some())
        .collect();
    let ts: Vec<f64> = with_t
        .iter()
        .filter_map(|&i| results[i].ttest_p_value)
        .collect();
    let mut t_adj = vec![None; results.len()];
    for (&i, adj) in with_t.iter().zip(adjust(&ts, params.correction)) {
        t_adj[i] = Some(adj);
    }
    let ended = e.end_at.is_some_and(|end| end <= as_of);
    for (r, t) in results.iter_mut().zip(t_adj) {
        decide(r, srm, ended.then_some(t.unwrap_or(1.0)), params);
    }
    let (decision, winner) = if let Some(best) = results
        .iter()
        .filter(|r| r.decision == Decision::Ship)
        .max_by(|a, b| {
            a.chance_to_win
                .unwrap_or(0.0)
                .total_cmp(&b.chance_to_win.unwrap_or(0.0))
        }) {
        (Decision::Ship, Some(best.variant.clone()))
    } else if !results.is_empty() && results.iter().all(|r| r.decision == Decision::Stop) {
        (Decision::Stop, None)
    } else {
        (Decision::KeepRunning, None)
    };
    Ok(ExperimentResult {
        experiment: e.clone(),
        window_end: window_end_t,
        units,
        srm_p_value: srm,
        multi_variant_units: multi.len() as u64,
        unknown_variant_exposures: unknown_variant,
        outside_window_exposures: outside,
        variants: results,
        decision,
        winner,
    })
}

fn fmt_lift(x: f64, d: super::stats::Difference) -> String {
    match d {
        super::stats::Difference::Relative => format!("{:+.1} %", 100.0 * x),
        super::stats::Difference::Absolute => format!("{x:+.4}"),
    }
}

/// `final_p`: at the planned end, the corrected fixed-horizon p-value; `None` before it.
fn decide(r: &mut VariantResult, srm: f64, final_p: Option<f64>, params: &AnalysisParams) {
    let alpha = params.test.alpha;
    if srm < params.srm_threshold {
        r.decision = Decision::KeepRunning;
        r.reason = format!(
            "sample ratio mismatch (SRM p = {srm:.2e} < {}): the split differs from the plan, so the \
             assignment is broken; fix it before deciding",
            params.srm_threshold
        );
        r.reason_es = format!(
            "desajuste de proporciones (SRM p = {srm:.2e} < {}): el reparto no es el planificado, \
             la asignación está rota; corrígela antes de decidir",
            params.srm_threshold
        );
        return;
    }
    if !r.reason.is_empty() {
        r.decision = Decision::KeepRunning;
        return;
    }
    if r.units < params.min_units || r.control_units < params.min_units {
        r.decision = Decision::KeepRunning;
        r.reason = format!(
            "too few units yet ({} in the variant, {} in control; {} needed in each)",
            r.units, r.control_units, params.min_units
        );
        r.reason_es = format!(
            "aún hay pocas unidades ({} en la variante, {} en control; se necesitan {} en cada una)",
            r.units, r.control_units, params.min_units
        );
        return;
    }
    let p_adj = r.p_value_adjusted.unwrap_or(1.0);
    let ctw = r.chance_to_win.unwrap_or(0.5);
    let d = params.test.difference;
    let lift = fmt_lift(r.lift, d);
    let interval = format!("{} to {}", fmt_lift(r.ci_low, d), fmt_lift(r.ci_high, d));
    let intervalo = format!("{} a {}", fmt_lift(r.ci_low, d), fmt_lift(r.ci_high, d));
    if p_adj < alpha {
        if r.lift > 0.0 {
            r.decision = Decision::Ship;
            r.reason = format!(
                "better than control: lift {lift} (95 % credible interval {interval}), chance to \
                 win {:.1} %, always-valid p = {p_adj:.4} < {alpha} after correction",
                100.0 * ctw
            );
            r.reason_es = format!(
                "mejor que el control: mejora {lift} (intervalo creíble {intervalo}), probabilidad \
                 de ganar {:.1} %, p siempre válido = {p_adj:.4} < {alpha} tras la corrección",
                100.0 * ctw
            );
        } else {
            r.decision = Decision::Stop;
            r.reason = format!(
                "worse than control: lift {lift} (interval {interval}), always-valid p = \
                 {p_adj:.4} < {alpha}; keep control"
            );
            r.reason_es = format!(
                "peor que el control: cambio {lift} (intervalo {intervalo}), p siempre válido = \
                 {p_adj:.4} < {alpha}; mantener el control"
            );
        }
    } else if let Some(tp) = final_p.filter(|tp| *tp < alpha) {
        let better = r.lift > 0.0;
        r.decision = if better {
            Decision::Ship
        } else {
            Decision::Stop
        };
        let (en, es) = if better {
            ("better than control", "mejor que el control")
        } else {
            (
                "worse than control; keep control",
                "peor que el control; mantener el control",
            )
        };
        r.reason = format!(
            "at the planned end, {en}: lift {lift} (interval {interval}), chance to win {:.1} %, \
             fixed-horizon t-test p = {tp:.4} < {alpha} after correction (always-valid p = \
             {p_adj:.3})",
            100.0 * ctw
        );
        r.reason_es = format!(
            "al final planificado, {es}: cambio {lift} (intervalo {intervalo}), probabilidad de \
             ganar {:.1} %, p de la prueba t = {tp:.4} < {alpha} tras la corrección (p siempre \
             válido = {p_adj:.3})",
            100.0 * ctw
        );
    } else if final_p.is_some() {
        r.decision = Decision::Stop;
        r.reason = format!(
            "ended without a detectable difference: lift {lift} (interval {interval}), always-valid \
             p = {p_adj:.3}, fixed-horizon p ≥ {alpha}; keep control"
        );
        r.reason_es = format!(
            "terminó sin diferencia detectable: cambio {lift} (intervalo {intervalo}), p siempre \
             válido = {p_adj:.3}, p de la prueba t ≥ {alpha}; mantener el control"
        );
    } else {
        r.decision = Decision::KeepRunning;
        r.reason = format!(
            "not decided yet: lift {lift} (interval {interval}), chance to win {:.1} %, \
             always-valid p = {p_adj:.3} ≥ {alpha}; peeking daily is safe",
            100.0 * ctw
        );
        r.reason_es = format!(
            "aún sin decisión: cambio {lift} (intervalo {intervalo}), probabilidad de ganar \
             {:.1} %, p siempre válido = {p_adj:.3} ≥ {alpha}; mirar cada día es seguro",
            100.0 * ctw
        );
    }
}
