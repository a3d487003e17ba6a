//! FSRS-6, the Free Spaced Repetition Scheduler of Anki, in `f64`: the same answers as py-fsrs
//! 6.3.2 (and, to `f32` precision, fsrs-rs 6.6.2).
//!
//! It decides a card's memory state (stability `S` in days, difficulty `D` in 1–10) after each
//! review from the rating (1 Again, 2 Hard, 3 Good, 4 Easy) and the days elapsed since the
//! previous review, the probability of recall (retrievability) at any time, and the interval that
//! brings retrievability down to the desired retention. [`Scheduler`] adds py-fsrs's card state
//! machine (learning and relearning steps in minutes, optional seeded fuzz).
//!
//! Formulas (`w` the 21 parameters, `G` the rating):
//! - `R(t, S) = (1 + F·t/S)^(−w20)` with `F = 0.9^(−1/w20) − 1`;
//! - `S0(G) = w[G−1]`, `D0(G) = w4 − e^(w5·(G−1)) + 1` (clamped to 1–10);
//! - `D' = w7·D0(4) + (1−w7)·(D − w6·(G−3)·(10−D)/9)`;
//! - recall: `S' = S·(1 + e^w8·(11−D)·S^(−w9)·(e^(w10·(1−R)) − 1)·[w15 if Hard]·[w16 if Easy])`;
//! - lapse: `S' = min(w11·D^(−w12)·((S+1)^w13 − 1)·e^(w14·(1−R)), S/e^(w17·w18))`;
//! - same day (`t < 1`): `S' = S·e^(w17·(G−3+w18))·S^(−w19)`, the increase kept at least 1 for
//!   Hard, Good and Easy (`S' ≥ S` unless Again), as py-fsrs 6.3.2 and fsrs-rs do;
//! - interval: `round(S/F·(r^(1/−w20) − 1))` days for desired retention `r`, clamped to
//!   `[1, maximum_interval]`.

use super::real::{clamp, max, min, Real, NP};
use crate::error::{CoreError, Result};
use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// The FSRS-6 default parameters (py-fsrs 6.3.2, fsrs-rs 6.6.2).
pub const DEFAULT_PARAMETERS: [f64; NP] = [
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835,
    0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
];

/// Smallest stability (days), as in py-fsrs.
pub const STABILITY_MIN: f64 = 0.001;

/// Lower bounds of the parameters (py-fsrs 6.3.2).
pub const LOWER_BOUNDS: [f64; NP] = [
    STABILITY_MIN,
    STABILITY_MIN,
    STABILITY_MIN,
    STABILITY_MIN,
    1.0,
    0.001,
    0.001,
    0.001,
    0.0,
    0.0,
    0.001,
    0.001,
    0.001,
    0.001,
    0.0,
    0.0,
    1.0,
    0.0,
    0.0,
    0.0,
    0.1,
];

/// Upper bounds of the parameters (py-fsrs 6.3.2).
pub const UPPER_BOUNDS: [f64; NP] = [
    100.0, 100.0, 100.0, 100.0, 10.0, 4.0, 4.0, 0.75, 4.5, 0.8, 3.5, 5.0, 0.25, 0.9, 4.0, 1.0, 6.0,
    2.0, 2.0, 0.8, 0.8,
];

/// A review's rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Forgot (a lapse).
    Again = 1,
    /// Recalled with difficulty.
    Hard = 2,
    /// Recalled.
    Good = 3,
    /// Recalled easily.
    Easy = 4,
}

impl Rating {
    /// From 1–4; anything else is an `InvalidParameter("rating")` error.
    pub fn from_u8(r: u8) -> Result<Rating> {
        match r {
            1 => Ok(Rating::Again),
            2 => Ok(Rating::Hard),
            3 => Ok(Rating::Good),
            4 => Ok(Rating::Easy),
            _ => Err(CoreError::param(
                "rating",
                format!("{r} is outside 1–4 (1 Again, 2 Hard, 3 Good, 4 Easy)"),
            )),
        }
    }

    /// 1–4.
    pub fn as_u8(self) -> u8 {
        self as u8
    }
}

/// A card's memory state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MemoryState {
    /// Days for retrievability to fall to 90 %.
    pub stability: f64,
    /// 1 (easy) to 10 (hard).
    pub difficulty: f64,
}

/// Parameters of FSRS-6 scheduling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FsrsParams {
    /// The 21 model parameters `w0..w20`.
    pub parameters: Vec<f64>,
    /// Retention at which the next review is scheduled (0 < r < 1).
    pub desired_retention: f64,
    /// Longest interval, in days (≥ 1).
    pub maximum_interval: u32,
    /// Spread review intervals of ≥ 3 days randomly (py-fsrs's fuzz ranges).
    pub enable_fuzz: bool,
    /// Seed of the fuzz (the fuzz of one review is a function of the seed, the card and the time).
    pub fuzz_seed: u64,
    /// Learning steps in minutes (py-fsrs default: 1, 10).
    pub learning_steps_minutes: Vec<f64>,
    /// Relearning steps in minutes (py-fsrs default: 10).
    pub relearning_steps_minutes: Vec<f64>,
}

impl Default for FsrsParams {
    fn default() -> Self {
        FsrsParams {
            parameters: DEFAULT_PARAMETERS.to_vec(),
            desired_retention: 0.9,
            maximum_interval: 36500,
            enable_fuzz: false,
            fuzz_seed: 42,
            learning_steps_minutes: vec![1.0, 10.0],
            relearning_steps_minutes: vec![10.0],
        }
    }
}

/// Check a parameter vector: 21 finite values within [`LOWER_BOUNDS`]..[`UPPER_BOUNDS`].
pub fn validate_parameters(w: &[f64]) -> Result<[f64; NP]> {
    if w.len() != NP {
        return Err(CoreError::param(
            "parameters",
            format!("FSRS-6 needs {NP} parameters, got {}", w.len()),
        ));
    }
    let mut out = [0.0; NP];
    for (i, &x) in w.iter().enumerate() {
        if !x.is_finite() || x < LOWER_BOUNDS[i] || x > UPPER_BOUNDS[i] {
            return Err(CoreError::param(
                &format!("parameters[{i}]"),
                format!("{x} is outside [{}, {}]", LOWER_BOUNDS[i], UPPER_BOUNDS[i]),
            ));
        }
        out[i] = x;
    }
    Ok(out)
}

impl FsrsParams {
    /// Check every field.
    pub fn validate(&self) -> Result<()> {
        validate_parameters(&self.parameters)?;
        if !(self.desired_retention > 0.0 && self.desired_retention < 1.0) {
            return Err(CoreError::param(
                "desired_retention",
                format!("{} is not in (0, 1)", self.desired_retention),
            ));
        }
        if self.maximum_interval < 1 {
            return Err(CoreError::param("maximum_interval", "must be ≥ 1 day"));
        }
        for (name, steps) in [
            ("learning_steps_minutes", &self.learning_steps_minutes),
            ("relearning_steps_minutes", &self.relearning_steps_minutes),
        ] {
            if steps.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
                return Err(CoreError::param(name, "steps must be finite and > 0"));
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The formulas, generic over f64 and dual numbers.

#[inline(always)]
pub(crate) fn decay_factor<T: Real>(w20: T) -> (T, T) {
    let decay = -w20;
    let factor = T::cst(0.9).pow(T::cst(1.0) / decay) - T::cst(1.0);
    (decay, factor)
}

#[inline(always)]
pub(crate) fn retrievability_g<T: Real>(decay: T, factor: T, s: T, t: f64) -> T {
    (T::cst(1.0) + factor * T::cst(t) / s).pow(decay)
}

#[inline(always)]
pub(crate) fn init_difficulty_raw<T: Real>(w: &[T; NP], g: f64) -> T {
    w[4] - (w[5] * T::cst(g - 1.0)).exp() + T::cst(1.0)
}

#[inline(always)]
pub(crate) fn init_state_g<T: Real>(w: &[T; NP], g: u8) -> (T, T) {
    let s = max(w[(g - 1) as usize], T::cst(STABILITY_MIN));
    let d = clamp(init_difficulty_raw(w, g as f64), 1.0, 10.0);
    (s, d)
}

#[inline(always)]
pub(crate) fn next_difficulty_g<T: Real>(w: &[T; NP], d: T, g: u8) -> T {
    let arg1 = init_difficulty_raw(w, 4.0);
    let delta = -(w[6] * T::cst(g as f64 - 3.0));
    let arg2 = d + (T::cst(10.0) - d) * delta / T::cst(9.0);
    clamp(w[7] * arg1 + (T::cst(1.0) - w[7]) * arg2, 1.0, 10.0)
}

#[inline(always)]
pub(crate) fn short_term_stability_g<T: Real>(w: &[T; NP], s: T, g: u8) -> T {
    let mut inc = (w[17] * (T::cst(g as f64 - 3.0) + w[18])).exp() * s.pow(-w[19]);
    // py-fsrs 6.3.2 and fsrs-rs: the increase is at least 1 for Hard, Good and Easy.
    if g >= 2 {
        inc = max(inc, T::cst(1.0));
    }
    max(s * inc, T::cst(STABILITY_MIN))
}

#[inline(always)]
pub(crate) fn recall_stability_g<T: Real>(w: &[T; NP], s: T, d: T, r: T, g: u8) -> T {
    let mut m = w[8].exp()
        * (T::cst(11.0) - d)
        * s.pow(-w[9])
        * (((T::cst(1.0) - r) * w[10]).exp() - T::cst(1.0));
    if g == 2 {
        m = m * w[15];
    } else if g == 4 {
        m = m * w[16];
    }
    s * (T::cst(1.0) + m)
}

#[inline(always)]
pub(crate) fn forget_stability_g<T: Real>(w: &[T; NP], s: T, d: T, r: T) -> T {
    let long = w[11]
        * d.pow(-w[12])
        * ((s + T::cst(1.0)).pow(w[13]) - T::cst(1.0))
        * ((T::cst(1.0) - r) * w[14]).exp();
    let short = s / (w[17] * w[18]).exp();
    min(long, short)
}

/// One review: the new `(S, D)` from the old state, the elapsed days and the rating.
#[inline(always)]
pub(crate) fn next_state_g<T: Real>(
    w: &[T; NP],
    decay: T,
    factor: T,
    s: T,
    d: T,
    t: f64,
    g: u8,
) -> (T, T) {
    let new_s = if t < 1.0 {
        short_term_stability_g(w, s, g)
    } else {
        let r = retrievability_g(decay, factor, s, t);
        let ns = if g == 1 {
            forget_stability_g(w, s, d, r)
        } else {
            recall_stability_g(w, s, d, r, g)
        };
        max(ns, T::cst(STABILITY_MIN))
    };
    (new_s, next_difficulty_g(w, d, g))
}

/// py-fsrs's rounding (Python `round`: half to even).
#[inline(always)]
fn round_days(x: f64) -> f64 {
    x.round_ties_even()
}

// ---------------------------------------------------------------------------------------------

/// One review of [`Fsrs::replay`]: the state after it and what was known before it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReplayStep {
    /// Stability after the review.
    pub stability: f64,
    /// Difficulty after the review.
    pub difficulty: f64,
    /// Retrievability at the review (before it); `None` for the first review.
    pub retrievability: Option<f64>,
    /// Scheduled interval after the review, in days.
    pub interval: u32,
}

/// A validated FSRS-6 model ready to schedule (serialised as its [`FsrsParams`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FsrsParams", into = "FsrsParams")]
pub struct Fsrs {
    params: FsrsParams,
    w: [f64; NP],
    decay: f64,
    factor: f64,
    interval_factor: f64,
    k: Consts,
}

/// Constants of the `f64` fast path, derived from the parameters.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Consts {
    exp_w8: f64,
    /// `w7 · D0(Easy)` (unclamped), the mean-reversion target's weight.
    w7_d0_easy: f64,
    one_minus_w7: f64,
    /// `e^(w17·(G−3+w18))` for G = 1..4.
    short_inc: [f64; 4],
    /// `1 / e^(w17·w18)`.
    inv_short_div: f64,
    /// Hard penalty, 1, Easy bonus for G = 2..4 (index G−1).
    recall_mult: [f64; 4],
    /// `−w6·(G−3)/9` for G = 1..4.
    delta9: [f64; 4],
}

impl Consts {
    fn new(w: &[f64; NP]) -> Consts {
        let d0_easy = init_difficulty_raw(w, 4.0);
        Consts {
            exp_w8: w[8].exp(),
            w7_d0_easy: w[7] * d0_easy,
            one_minus_w7: 1.0 - w[7],
            short_inc: std::array::from_fn(|i| (w[17] * ((i as f64 + 1.0) - 3.0 + w[18])).exp()),
            inv_short_div: 1.0 / (w[17] * w[18]).exp(),
            recall_mult: [1.0, w[15], 1.0, w[16]],
            delta9: std::array::from_fn(|i| -(w[6] * ((i as f64 + 1.0) - 3.0)) / 9.0),
        }
    }
}

impl TryFrom<FsrsParams> for Fsrs {
    type Error = CoreError;
    fn try_from(p: FsrsParams) -> Result<Fsrs> {
        Fsrs::new(p)
    }
}

impl From<Fsrs> for FsrsParams {
    fn from(f: Fsrs) -> FsrsParams {
        f.params
    }
}

impl Default for Fsrs {
    fn default() -> Self {
        // The default parameters are valid by construction.
        Self::build(FsrsParams::default(), DEFAULT_PARAMETERS)
    }
}

impl Fsrs {
    /// Validate the parameters and precompute the constants.
    pub fn new(params: FsrsParams) -> Result<Fsrs> {
        params.validate()?;
        let w = validate_parameters(&params.parameters)?;
        Ok(Self::build(params, w))
    }

    /// Fit the 21 parameters to a review log (sorted by time) with
    /// [`optimize::fit`](super::optimize::fit) and return the scheduler using them, with the
    /// scheduling settings (desired retention, maximum interval, fuzz…) of `settings` — the
    /// estimator shape every learner follows (`XParams` → `X::fit` → predictions). The fit's
    /// report (training log loss, review count) is [`optimize::fit`](super::optimize::fit)'s
    /// [`FittedFsrs`](super::optimize::FittedFsrs).
    ///
    /// Errors: invalid optimiser parameters or settings; a log with no review to learn from.
    ///
    /// ```
    /// use edupulse_core::repetition::{Fsrs, FsrsParams};
    /// use edupulse_core::repetition::eval::LogReview;
    /// use edupulse_core::repetition::optimize::OptimizerParams;
    /// # use chrono::{Duration, TimeZone, Utc};
    /// let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap();
    /// // 60 cards reviewed at growing gaps: remembered, except every fifth review.
    /// let log: Vec<LogReview> = (0..60)
    ///     .flat_map(|c| (0..5).map(move |k| LogReview {
    ///         card_id: format!("c{c}"),
    ///         review_time: t0 + Duration::days((1 << k) - 1) + Duration::minutes(c),
    ///         rating: if (c + k) % 5 == 0 { 1 } else { 3 },
    ///     }))
    ///     .collect::<Vec<_>>();
    /// let mut log = log;
    /// log.sort_by_key(|r| r.review_time);
    /// let fsrs = Fsrs::fit(&log, &OptimizerParams::default(), FsrsParams::default()).unwrap();
    /// assert_eq!(fsrs.parameters().len(), 21);
    /// ```
    pub fn fit(
        log: &[super::eval::LogReview],
        params: &super::optimize::OptimizerParams,
        settings: FsrsParams,
    ) -> Result<Fsrs> {
        let fitted = super::optimize::fit(log, params)?;
        Fsrs::new(FsrsParams {
            parameters: fitted.parameters,
            ..settings
        })
    }

    /// Default scheduling settings with the given 21 parameters.
    pub fn with_parameters(parameters: &[f64]) -> Result<Fsrs> {
        Fsrs::new(FsrsParams {
            parameters: parameters.to_vec(),
            ..FsrsParams::default()
        })
    }

    fn build(params: FsrsParams, w: [f64; NP]) -> Fsrs {
        let (decay, factor) = decay_factor(w[20]);
        let interval_factor = (params.desired_retention.powf(1.0 / decay) - 1.0) / factor;
        Fsrs {
            params,
            w,
            decay,
            factor,
            interval_factor,
            k: Consts::new(&w),
        }
    }

    /// `D'` for rating index `gi = G − 1` (the `f64` fast path).
    #[inline(always)]
    fn next_difficulty_fast(&self, d: f64, gi: usize) -> f64 {
        let k = &self.k;
        (k.w7_d0_easy + k.one_minus_w7 * (d + (10.0 - d) * k.delta9[gi])).clamp(1.0, 10.0)
    }

    /// `S'` on the same day (`f64` fast path), `ln_s = ln S`.
    #[inline(always)]
    fn short_term_fast(&self, s: f64, ln_s: f64, gi: usize) -> f64 {
        let mut inc = self.k.short_inc[gi] * (-self.w[19] * ln_s).exp();
        if gi >= 1 && inc < 1.0 {
            inc = 1.0;
        }
        (s * inc).max(STABILITY_MIN)
    }

    /// Lapse stability (`f64` fast path), `one_minus_r = 1 − R`.
    #[inline(always)]
    fn forget_fast(&self, s: f64, d: f64, one_minus_r: f64) -> f64 {
        let w = &self.w;
        let long = w[11]
            * (-w[12] * d.ln()).exp()
            * ((w[13] * (s + 1.0).ln()).exp() - 1.0)
            * (one_minus_r * w[14]).exp();
        long.min(s * self.k.inv_short_div).max(STABILITY_MIN)
    }

    /// The part of the recall increase shared by Hard, Good and Easy.
    #[inline(always)]
    fn recall_base(&self, d: f64, ln_s: f64, one_minus_r: f64) -> f64 {
        let w = &self.w;
        self.k.exp_w8 * (11.0 - d) * (-w[9] * ln_s).exp() * ((one_minus_r * w[10]).exp() - 1.0)
    }

    /// `1 − R(t, S)`.
    #[inline(always)]
    fn one_minus_r(&self, s: f64, t: f64) -> f64 {
        1.0 - (self.decay * (1.0 + self.factor * t / s).ln()).exp()
    }

    /// One review in `f64` with precomputed constants (same formulas as the generic path).
    #[inline(always)]
    fn next_state_fast(&self, s: f64, d: f64, t: f64, g: u8) -> (f64, f64) {
        let gi = (g.clamp(1, 4) - 1) as usize;
        let ln_s = s.ln();
        let ns = if t < 1.0 {
            self.short_term_fast(s, ln_s, gi)
        } else {
            let omr = self.one_minus_r(s, t);
            if gi == 0 {
                self.forget_fast(s, d, omr)
            } else {
                (s * (1.0 + self.recall_base(d, ln_s, omr) * self.k.recall_mult[gi]))
                    .max(STABILITY_MIN)
            }
        };
        (ns, self.next_difficulty_fast(d, gi))
    }

    /// The next state of a card for each of the four ratings (Again, Hard, Good, Easy), sharing
    /// the work common to them (what the `fsrs` crate's `next_states` returns).
    #[inline(always)]
    pub fn next_states_all(&self, state: MemoryState, elapsed_days: f64) -> [MemoryState; 4] {
        let (s, d) = (state.stability, state.difficulty);
        let ln_s = s.ln();
        let st = |ns: f64, gi: usize| MemoryState {
            stability: ns,
            difficulty: self.next_difficulty_fast(d, gi),
        };
        if elapsed_days < 1.0 {
            return std::array::from_fn(|gi| st(self.short_term_fast(s, ln_s, gi), gi));
        }
        let omr = self.one_minus_r(s, elapsed_days);
        let base = self.recall_base(d, ln_s, omr);
        let m = &self.k.recall_mult;
        [
            st(self.forget_fast(s, d, omr), 0),
            st((s * (1.0 + base * m[1])).max(STABILITY_MIN), 1),
            st((s * (1.0 + base)).max(STABILITY_MIN), 2),
            st((s * (1.0 + base * m[3])).max(STABILITY_MIN), 3),
        ]
    }

    /// `(decay, F, interval factor)` of the forgetting curve, for the batch kernel.
    pub(crate) fn curve_constants(&self) -> (f64, f64, f64) {
        (self.decay, self.factor, self.interval_factor)
    }

    /// The settings.
    pub fn params(&self) -> &FsrsParams {
        &self.params
    }

    /// The 21 parameters.
    pub fn parameters(&self) -> &[f64; NP] {
        &self.w
    }

    /// The forgetting-curve exponent `−w20`.
    pub fn decay(&self) -> f64 {
        self.decay
    }

    /// The forgetting-curve scale `0.9^(1/decay) − 1`.
    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// State after the first review of a new card.
    pub fn initial_state(&self, rating: Rating) -> MemoryState {
        let (s, d) = init_state_g(&self.w, rating.as_u8());
        MemoryState {
            stability: s,
            difficulty: d,
        }
    }

    /// Retrievability `elapsed_days` after a review that left stability `stability`.
    pub fn retrievability(&self, stability: f64, elapsed_days: f64) -> Result<f64> {
        check_stability(stability)?;
        check_elapsed(elapsed_days)?;
        Ok(self.retrievability_unchecked(stability, elapsed_days))
    }

    #[inline(always)]
    pub(crate) fn retrievability_unchecked(&self, stability: f64, elapsed_days: f64) -> f64 {
        retrievability_g(self.decay, self.factor, stability, elapsed_days)
    }

    /// The generic (reference) formulas in `f64`, for checking the fast path.
    #[cfg(test)]
    pub(crate) fn next_state_reference(&self, st: MemoryState, t: f64, g: u8) -> MemoryState {
        let (s, d) = next_state_g(
            &self.w,
            self.decay,
            self.factor,
            st.stability,
            st.difficulty,
            t,
            g,
        );
        MemoryState {
            stability: s,
            difficulty: d,
        }
    }

    /// The state after a review `elapsed_days` after the previous one (`None` for a new card).
    pub fn next_state(
        &self,
        state: Option<MemoryState>,
        elapsed_days: f64,
        rating: Rating,
    ) -> Result<MemoryState> {
        match state {
            None => Ok(self.initial_state(rating)),
            Some(st) => {
                check_state(st)?;
                check_elapsed(elapsed_days)?;
                Ok(self.next_state_unchecked(st, elapsed_days, rating.as_u8()))
            }
        }
    }

    #[inline(always)]
    pub(crate) fn next_state_unchecked(&self, st: MemoryState, t: f64, g: u8) -> MemoryState {
        let (s, d) = self.next_state_fast(st.stability, st.difficulty, t, g);
        MemoryState {
            stability: s,
            difficulty: d,
        }
    }

    /// Days until retrievability falls to the desired retention (rounded half to even, clamped to
    /// `[1, maximum_interval]`), as py-fsrs.
    #[inline(always)]
    pub fn next_interval(&self, stability: f64) -> u32 {
        self.clamp_interval(round_days(stability * self.interval_factor))
    }

    /// [`Fsrs::next_interval`] for another desired retention in (0, 1) (a learner's own target,
    /// [`super::adapt`]); equal to it at the configured desired retention.
    pub fn next_interval_for(&self, stability: f64, desired_retention: f64) -> Result<u32> {
        if !(desired_retention > 0.0 && desired_retention < 1.0) {
            return Err(CoreError::param(
                "desired_retention",
                format!("{desired_retention} is not in (0, 1)"),
            ));
        }
        let f = (desired_retention.powf(1.0 / self.decay) - 1.0) / self.factor;
        Ok(self.clamp_interval(round_days(stability * f)))
    }

    #[inline(always)]
    fn clamp_interval(&self, ivl: f64) -> u32 {
        if ivl.is_nan() || ivl < 1.0 {
            1
        } else if ivl >= self.params.maximum_interval as f64 {
            self.params.maximum_interval
        } else {
            ivl as u32
        }
    }

    /// Unrounded interval (days) for any desired retention in (0, 1).
    pub fn interval_for_retention(&self, stability: f64, desired_retention: f64) -> Result<f64> {
        check_stability(stability)?;
        if !(desired_retention > 0.0 && desired_retention < 1.0) {
            return Err(CoreError::param(
                "desired_retention",
                format!("{desired_retention} is not in (0, 1)"),
            ));
        }
        Ok(stability / self.factor * (desired_retention.powf(1.0 / self.decay) - 1.0))
    }

    /// The history of one card from new: `ratings[i]` given `elapsed_days[i]` after review
    /// `i − 1` (`elapsed_days[0]` is ignored).
    pub fn replay(&self, ratings: &[u8], elapsed_days: &[f64]) -> Result<Vec<ReplayStep>> {
        if ratings.len() != elapsed_days.len() {
            return Err(CoreError::param(
                "elapsed_days",
                format!(
                    "length {} differs from ratings' {}",
                    elapsed_days.len(),
                    ratings.len()
                ),
            ));
        }
        let mut out = Vec::with_capacity(ratings.len());
        let mut state: Option<MemoryState> = None;
        for (i, (&r, &t)) in ratings.iter().zip(elapsed_days).enumerate() {
            let g = Rating::from_u8(r)?;
            let retr = match state {
                None => None,
                Some(st) => {
                    check_elapsed(t)?;
                    Some(self.retrievability_unchecked(st.stability, t))
                }
            };
            let st = self.next_state(state, t, g).map_err(|e| match e {
                CoreError::InvalidParameter { name, message } => CoreError::InvalidParameter {
                    name,
                    message: format!("review {i}: {message}"),
                },
                e => e,
            })?;
            out.push(ReplayStep {
                stability: st.stability,
                difficulty: st.difficulty,
                retrievability: retr,
                interval: self.next_interval(st.stability),
            });
            state = Some(st);
        }
        Ok(out)
    }

    /// A fuzzed interval for a scheduled interval of `days`, with `u` uniform in [0, 1): uniform
    /// over py-fsrs's fuzz range `[lo, hi]`. (py-fsrs rounds `u·(hi−lo+1)+lo` half to even and
    /// can return `hi + 1`; we floor it, as Anki does, so the result stays in the range.)
    pub fn fuzz_interval(&self, days: u32, u: f64) -> u32 {
        let (lo, hi) = fuzz_range(days, self.params.maximum_interval);
        if days < 3 {
            return days;
        }
        let f = (u.clamp(0.0, 1.0) * (hi - lo + 1) as f64 + lo as f64).floor();
        (f as u32).clamp(lo, hi)
    }
}

/// py-fsrs's fuzz range `[min, max]` (days) around a scheduled interval.
pub fn fuzz_range(days: u32, maximum_interval: u32) -> (u32, u32) {
    const RANGES: [(f64, f64, f64); 3] = [
        (2.5, 7.0, 0.15),
        (7.0, 20.0, 0.1),
        (20.0, f64::INFINITY, 0.05),
    ];
    let x = days as f64;
    if x < 2.5 {
        return (days, days);
    }
    let mut delta = 1.0;
    for (start, end, f) in RANGES {
        delta += f * (x.min(end) - start).max(0.0);
    }
    let mut lo = round_days(x - delta).max(2.0) as u32;
    let hi = (round_days(x + delta) as u32).min(maximum_interval);
    lo = lo.min(hi);
    (lo, hi)
}

pub(crate) fn check_stability(s: f64) -> Result<()> {
    if !(s.is_finite() && s > 0.0) {
        return Err(CoreError::param(
            "stability",
            format!("{s} must be finite and > 0"),
        ));
    }
    Ok(())
}

pub(crate) fn check_elapsed(t: f64) -> Result<()> {
    if !(t.is_finite() && t >= 0.0) {
        return Err(CoreError::param(
            "elapsed_days",
            format!("{t} must be finite and ≥ 0"),
        ));
    }
    Ok(())
}

pub(crate) fn check_state(st: MemoryState) -> Result<()> {
    check_stability(st.stability)?;
    if !(st.difficulty.is_finite() && (1.0..=10.0).contains(&st.difficulty)) {
        return Err(CoreError::param(
            "difficulty",
            format!("{} is outside [1, 10]", st.difficulty),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// py-fsrs's card state machine.

/// Where a card is in py-fsrs's state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CardState {
    /// New or in its learning steps.
    Learning,
    /// Graduated: scheduled in days.
    Review,
    /// Lapsed, in its relearning steps.
    Relearning,
}

/// A card as py-fsrs's `Card`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Card {
    /// State.
    pub state: CardState,
    /// Learning/relearning step (`None` in `Review`).
    pub step: Option<usize>,
    /// Memory state (`None` before the first review).
    pub memory: Option<MemoryState>,
    /// When the card is due.
    pub due: DateTime<Utc>,
    /// Last review time.
    pub last_review: Option<DateTime<Utc>>,
}

impl Card {
    /// A new card due at `now`.
    pub fn new(now: DateTime<Utc>) -> Card {
        Card {
            state: CardState::Learning,
            step: Some(0),
            memory: None,
            due: now,
            last_review: None,
        }
    }
}

/// py-fsrs's `Scheduler`: FSRS-6 plus learning/relearning steps and optional seeded fuzz.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scheduler {
    fsrs: Fsrs,
}

fn minutes(m: f64) -> Duration {
    Duration::milliseconds((m * 60_000.0).round() as i64)
}

impl Scheduler {
    /// A scheduler with validated settings.
    pub fn new(params: FsrsParams) -> Result<Scheduler> {
        Ok(Scheduler {
            fsrs: Fsrs::new(params)?,
        })
    }

    /// The FSRS model.
    pub fn fsrs(&self) -> &Fsrs {
        &self.fsrs
    }

    /// Retrievability of a card at `now` (0 for a card never reviewed, as py-fsrs).
    pub fn card_retrievability(&self, card: &Card, now: DateTime<Utc>) -> f64 {
        match (card.memory, card.last_review) {
            (Some(m), Some(last)) => {
                let days = (now - last).num_seconds().div_euclid(86_400).max(0) as f64;
                self.fsrs.retrievability_unchecked(m.stability, days)
            }
            _ => 0.0,
        }
    }

    /// Review `card` at `at` with `rating`: the updated card (py-fsrs `review_card`).
    pub fn review_card(&self, card: &Card, rating: Rating, at: DateTime<Utc>) -> Result<Card> {
        let p = &self.fsrs.params;
        let g = rating.as_u8();
        let mut c = card.clone();
        let days = match card.last_review {
            Some(last) => {
                if at < last {
                    return Err(CoreError::param(
                        "review_time",
                        "review before the card's last review (elapsed time < 0)",
                    ));
                }
                Some((at - last).num_seconds().div_euclid(86_400))
            }
            None => None,
        };
        // Memory state.
        let mem = match (card.memory, days) {
            (None, _) | (_, None) => self.fsrs.initial_state(rating),
            (Some(m), Some(d)) => {
                check_state(m)?;
                self.fsrs.next_state_unchecked(m, d as f64, g)
            }
        };
        c.memory = Some(mem);
        let days_ivl = |s: f64| Duration::days(self.fsrs.next_interval(s) as i64);
        let step_ivl = |steps: &[f64], step: usize, c: &mut Card| -> Duration {
            match rating {
                Rating::Again => {
                    c.step = Some(0);
                    minutes(steps[0])
                }
                Rating::Hard => {
                    if step == 0 && steps.len() == 1 {
                        minutes(steps[0] * 1.5)
                    } else if step == 0 {
                        minutes((steps[0] + steps[1]) / 2.0)
                    } else {
                        minutes(steps[step.min(steps.len() - 1)])
                    }
                }
                Rating::Good => {
                    if step + 1 >= steps.len() {
                        c.state = CardState::Review;
                        c.step = None;
                        days_ivl(mem.stability)
                    } else {
                        c.step = Some(step + 1);
                        minutes(steps[step + 1])
                    }
                }
                Rating::Easy => {
                    c.state = CardState::Review;
                    c.step = None;
                    days_ivl(mem.stability)
                }
            }
        };
        let next: Duration = match card.state {
            CardState::Learning | CardState::Relearning => {
                let steps: &[f64] = if card.state == CardState::Learning {
                    &p.learning_steps_minutes
                } else {
                    &p.relearning_steps_minutes
                };
                let step = card.step.unwrap_or(0);
                if steps.is_empty() || (step >= steps.len() && rating != Rating::Again) {
                    c.state = CardState::Review;
                    c.step = None;
                    days_ivl(mem.stability)
                } else {
                    step_ivl(steps, step, &mut c)
                }
            }
            CardState::Review => {
                if rating == Rating::Again && !p.relearning_steps_minutes.is_empty() {
                    c.state = CardState::Relearning;
                    c.step = Some(0);
                    minutes(p.relearning_steps_minutes[0])
                } else {
                    days_ivl(mem.stability)
                }
            }
        };
        let next = if p.enable_fuzz && c.state == CardState::Review {
            let d = next.num_days();
            let u = self.fuzz_uniform(card, at);
            Duration::days(self.fsrs.fuzz_interval(d.max(0) as u32, u) as i64)
        } else {
            next
        };
        c.due = at + next;
        c.last_review = Some(at);
        Ok(c)
    }

    fn fuzz_uniform(&self, card: &Card, at: DateTime<Utc>) -> f64 {
        let mut h = self.fsrs.params.fuzz_seed ^ 0x9E37_79B9_7F4A_7C15;
        let mix = |h: u64, x: u64| (h ^ x).wrapping_mul(0x100_0000_01B3).rotate_left(29);
        h = mix(h, at.timestamp_millis() as u64);
        h = mix(h, card.due.timestamp_millis() as u64);
        if let Some(m) = card.memory {
            h = mix(h, m.stability.to_bits());
        }
        rand_chacha::ChaCha8Rng::seed_from_u64(h).gen::<f64>()
    }
}

#[cfg(test)]
mod tests;
