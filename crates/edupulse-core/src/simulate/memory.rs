//! The memory model behind the flashcard reviews: a power-law forgetting curve whose stability
//! grows on every successful recall and shrinks on every lapse (an FSRS-like model with fixed,
//! published parameters).

use super::dist::{bernoulli, lognormal, unif};
use super::{ts, DAY};
use crate::model::Review;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Parameters of the memory model the simulated reviews follow.
///
/// - Retrievability after `t` days at stability `S`: `R = (1 + factor · t / S)^decay`
///   (defaults `factor = 1/9`, `decay = −1`, so `R(S) = 0.9`).
/// - First review of a card (rating `g`): `S = initial_stability[g − 1] · learner factor`.
/// - Successful recall (rating 2–4) with difficulty `D` (1–10) at retrievability `R`:
///   `S' = S · (1 + growth · f · (11 − D) · S^(−stability_decay) · (e^(retrievability_gain·(1−R)) − 1) · m)`
///   with `f` the learner factor and `m` = `hard_multiplier`, 1 or `easy_multiplier`.
/// - Lapse (rating 1): `S' = max(min_stability, S · lapse_factor)`.
/// - A review recalls with probability `R`; given a recall, Hard is likelier when `R` is low and
///   Easy when it is high.
/// - The learner's app schedules the next review when `R` falls to `desired_retention`; the learner
///   studies on some days only, so reviews happen at or after the due date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryModel {
    /// Scale of elapsed time in the forgetting curve.
    pub factor: f64,
    /// Exponent of the forgetting curve (negative).
    pub decay: f64,
    /// Stability (days) after the first review, by its rating (Again, Hard, Good, Easy).
    pub initial_stability: [f64; 4],
    /// Scale of the stability increase on a successful recall.
    pub growth: f64,
    /// How much the increase shrinks as stability grows.
    pub stability_decay: f64,
    /// How much the increase grows as retrievability falls (harder recalls consolidate more).
    pub retrievability_gain: f64,
    /// Multiplier of the increase for a Hard recall.
    pub hard_multiplier: f64,
    /// Multiplier of the increase for an Easy recall.
    pub easy_multiplier: f64,
    /// Stability multiplier after a lapse.
    pub lapse_factor: f64,
    /// Lower bound of stability (days).
    pub min_stability: f64,
    /// Retention at which the app schedules the next review.
    pub desired_retention: f64,
    /// New cards a learner takes per study session.
    pub new_cards_per_session: usize,
    /// Standard deviation of the log learner factor (learners differ in memory strength).
    pub learner_sd: f64,
}

impl Default for MemoryModel {
    fn default() -> Self {
        MemoryModel {
            factor: 1.0 / 9.0,
            decay: -1.0,
            initial_stability: [0.3, 1.2, 3.0, 8.0],
            growth: 3.7,
            stability_decay: 0.2,
            retrievability_gain: 1.0,
            hard_multiplier: 0.5,
            easy_multiplier: 1.4,
            lapse_factor: 0.3,
            min_stability: 0.1,
            desired_retention: 0.9,
            new_cards_per_session: 3,
            learner_sd: 0.25,
        }
    }
}

impl MemoryModel {
    /// Probability of recall `elapsed_days` after the last review at stability `stability`.
    pub fn retrievability(&self, elapsed_days: f64, stability: f64) -> f64 {
        (1.0 + self.factor * elapsed_days.max(0.0) / stability.max(1e-6)).powf(self.decay)
    }

    /// Days until retrievability falls to `retention` at `stability`.
    pub fn interval_days(&self, stability: f64, retention: f64) -> f64 {
        (stability / self.factor) * (retention.powf(1.0 / self.decay) - 1.0)
    }

    /// Stability after a review with `rating` (1–4) of a card of `difficulty` (1–10) at
    /// retrievability `r`, for a learner with memory `learner_factor`.
    pub fn next_stability(
        &self,
        stability: f64,
        difficulty: f64,
        r: f64,
        rating: u8,
        learner_factor: f64,
    ) -> f64 {
        if rating <= 1 {
            return (stability * self.lapse_factor).max(self.min_stability);
        }
        let m = match rating {
            2 => self.hard_multiplier,
            4 => self.easy_multiplier,
            _ => 1.0,
        };
        let inc = self.growth
            * learner_factor
            * (11.0 - difficulty)
            * stability.powf(-self.stability_decay)
            * ((self.retrievability_gain * (1.0 - r)).exp() - 1.0)
            * m;
        (stability * (1.0 + inc.max(0.0))).max(self.min_stability)
    }

    /// Stability after the first review of a card, by its rating.
    pub fn first_stability(&self, rating: u8, learner_factor: f64) -> f64 {
        let i = usize::from(rating.clamp(1, 4) - 1);
        (self.initial_stability[i] * learner_factor).max(self.min_stability)
    }
}

/// Rating of the first review of a card of `difficulty`.
fn first_rating<R: Rng>(rng: &mut R, difficulty: f64) -> u8 {
    let p_again = 0.05 + 0.03 * difficulty;
    let p_hard = 0.15;
    let p_easy = (0.32 - 0.03 * difficulty).max(0.02);
    let u = unif(rng);
    if u < p_again {
        1
    } else if u < p_again + p_hard {
        2
    } else if u < 1.0 - p_easy {
        3
    } else {
        4
    }
}

/// Rating of a later review at retrievability `r`: a lapse with probability `1 − r`, otherwise
/// Hard, Good or Easy.
fn review_rating<R: Rng>(rng: &mut R, r: f64) -> u8 {
    if !bernoulli(rng, r) {
        return 1;
    }
    let p_hard = (0.05 + 0.8 * (0.95 - r)).clamp(0.03, 0.5);
    let p_easy = (0.05 + 1.5 * (r - 0.9)).clamp(0.02, 0.3);
    let u = unif(rng);
    if u < p_hard {
        2
    } else if u < 1.0 - p_easy {
        3
    } else {
        4
    }
}

/// One learner's deck state.
struct Card {
    index: usize,
    difficulty: f64,
    stability: f64,
    last: i64,
    due: i64,
}

/// Everything the review process of one learner needs.
pub(crate) struct Learner<'a> {
    pub student_id: &'a str,
    /// Card indices (into the deck) in the order the learner meets them.
    pub cards: Vec<usize>,
    /// Learner factor.
    pub factor: f64,
    /// Preferred study time, seconds after midnight.
    pub study_time: i64,
    /// First day (seconds, midnight) the learner may study.
    pub first_day: i64,
    /// No study at or after this instant.
    pub stop: i64,
}

/// Simulate one learner's reviews. `p_study(t)` is the probability of studying on the day of `t`
/// (it follows the learner's engagement). Timestamps within a session are strictly increasing.
pub(crate) fn simulate_reviews<R: Rng>(
    rng: &mut R,
    model: &MemoryModel,
    deck: &[(String, f64)],
    learner: &Learner<'_>,
    p_study: impl Fn(i64) -> f64,
    out: &mut Vec<Review>,
) {
    let mut pending: std::collections::VecDeque<usize> = learner.cards.iter().copied().collect();
    let mut active: Vec<Card> = Vec::with_capacity(learner.cards.len());
    let mut day = learner.first_day;
    let mut due_now: Vec<usize> = Vec::new();
    while day < learner.stop {
        let jitter = (unif(rng) * 5400.0) as i64 - 2700;
        let session = day + (learner.study_time + jitter).clamp(0, DAY - 4 * 3600);
        day += DAY;
        if session >= learner.stop || !bernoulli(rng, p_study(session)) {
            continue;
        }
        let mut t = session;
        // Due cards first, most overdue first.
        due_now.clear();
        due_now.extend((0..active.len()).filter(|&i| active[i].due <= session));
        due_now.sort_by_key(|&i| active[i].due);
        for &i in &due_now {
            if t >= learner.stop {
                break;
            }
            let Some(card) = active.get_mut(i) else {
                continue;
            };
            let elapsed = (t - card.last) as f64 / DAY as f64;
            let r = model.retrievability(elapsed, card.stability);
            let rating = review_rating(rng, r);
            card.stability =
                model.next_stability(card.stability, card.difficulty, r, rating, learner.factor);
            card.last = t;
            card.due = schedule(rng, model, t, card.stability);
            let card_id = deck.get(card.index).map_or("", |c| c.0.as_str());
            t = emit(
                rng,
                out,
                learner.student_id,
                card_id,
                t,
                rating,
                card.difficulty,
            );
        }
        for _ in 0..model.new_cards_per_session {
            if t >= learner.stop {
                break;
            }
            let Some(index) = pending.pop_front() else {
                break;
            };
            let difficulty = deck.get(index).map_or(5.0, |c| c.1);
            let rating = first_rating(rng, difficulty);
            let stability = model.first_stability(rating, learner.factor);
            let due = schedule(rng, model, t, stability);
            let card_id = deck.get(index).map_or("", |c| c.0.as_str());
            let next = emit(rng, out, learner.student_id, card_id, t, rating, difficulty);
            active.push(Card {
                index,
                difficulty,
                stability,
                last: t,
                due,
            });
            t = next;
        }
    }
}

/// The due instant after a review at `t`: when retrievability reaches the desired retention, with
/// ±5 % fuzz, at least one day later (the learner studies at most once a day).
fn schedule<R: Rng>(rng: &mut R, model: &MemoryModel, t: i64, stability: f64) -> i64 {
    let days = model.interval_days(stability, model.desired_retention) * (0.95 + 0.1 * unif(rng));
    let days = days.clamp(0.5, 3650.0);
    t + (days * DAY as f64).round() as i64
}

/// Write one review and return the instant the next one in the session can start.
fn emit<R: Rng>(
    rng: &mut R,
    out: &mut Vec<Review>,
    student_id: &str,
    card_id: &str,
    t: i64,
    rating: u8,
    difficulty: f64,
) -> i64 {
    let base = (4000.0 + 600.0 * difficulty).ln() + if rating == 1 { 0.4 } else { 0.0 };
    let ms = lognormal(rng, base, 0.45).clamp(800.0, 120_000.0).round() as u32;
    out.push(Review {
        student_id: student_id.to_string(),
        card_id: card_id.to_string(),
        at: ts(t),
        rating,
        duration_ms: Some(ms),
    });
    t + i64::from(ms / 1000) + 2
}
