//! Seeded random streams and the few distributions the simulator needs.
//!
//! Every entity (student *i*, lead *j*, keyword *k* …) draws from its own ChaCha8 stream derived
//! from `(seed, stream, index)`, so an entity's rows never depend on how many other entities there
//! are or on the order (or thread) in which they are generated.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Exp1, StandardNormal};

/// The independent random streams of the simulator (one per purpose, so that changing how one
/// table is drawn does not shift the draws of another).
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub(crate) enum Stream {
    Keyword = 1,
    Webinar = 2,
    StudentProfile = 3,
    StudentActivity = 4,
    StudentPurchases = 5,
    StudentWebinars = 6,
    StudentReviews = 7,
    Card = 8,
    LeadProfile = 9,
    LeadEvents = 10,
    Related = 11,
    Experiments = 12,
    Feedback = 13,
    Content = 14,
    Quiz = 15,
    StudentAssessments = 16,
}

/// SplitMix64 finaliser: a good 64-bit mixer.
pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream of entity `index` for `stream` under `seed`.
pub(crate) fn entity_rng(seed: u64, stream: Stream, index: u64) -> ChaCha8Rng {
    let mut z = splitmix64(seed ^ splitmix64((stream as u64).wrapping_mul(0xA24B_AED4_963E_E407)));
    z = splitmix64(z ^ splitmix64(index.wrapping_add(0x5851_F42D_4C95_7F2D)));
    let mut key = [0u8; 32];
    for chunk in key.chunks_exact_mut(8) {
        z = splitmix64(z);
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

/// Uniform in [0, 1).
pub(crate) fn unif<R: Rng>(rng: &mut R) -> f64 {
    rng.gen::<f64>()
}

/// Uniform in [lo, hi).
pub(crate) fn unif_in<R: Rng>(rng: &mut R, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.gen::<f64>()
}

/// True with probability `p`.
pub(crate) fn bernoulli<R: Rng>(rng: &mut R, p: f64) -> bool {
    rng.gen::<f64>() < p
}

/// Standard normal.
pub(crate) fn normal<R: Rng>(rng: &mut R) -> f64 {
    rng.sample(StandardNormal)
}

/// Exponential with the given mean.
pub(crate) fn exponential<R: Rng>(rng: &mut R, mean: f64) -> f64 {
    let e: f64 = rng.sample(Exp1);
    e * mean
}

/// Log-normal: `exp(mu + sigma · N(0, 1))`.
pub(crate) fn lognormal<R: Rng>(rng: &mut R, mu: f64, sigma: f64) -> f64 {
    (mu + sigma * normal(rng)).exp()
}

/// Gamma(shape, scale) by Marsaglia–Tsang (shape > 0).
pub(crate) fn gamma<R: Rng>(rng: &mut R, shape: f64, scale: f64) -> f64 {
    if shape < 1.0 {
        // Boost: Gamma(a) = Gamma(a + 1) · U^(1/a).
        let u = unif(rng).max(f64::MIN_POSITIVE);
        return gamma(rng, shape + 1.0, scale) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = unif(rng);
        if u < 1.0 - 0.0331 * x.powi(4) || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
            return d * v * scale;
        }
    }
}

/// Beta(a, b) from two gammas.
pub(crate) fn beta<R: Rng>(rng: &mut R, a: f64, b: f64) -> f64 {
    let x = gamma(rng, a, 1.0);
    let y = gamma(rng, b, 1.0);
    if x + y > 0.0 {
        x / (x + y)
    } else {
        0.5
    }
}

/// Poisson by inversion (for the small means used here; large means use a normal approximation).
pub(crate) fn poisson<R: Rng>(rng: &mut R, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 30.0 {
        return (mean + mean.sqrt() * normal(rng)).round().max(0.0) as u32;
    }
    let limit = (-mean).exp();
    let mut k = 0u32;
    let mut p = unif(rng);
    while p > limit {
        k += 1;
        p *= unif(rng);
    }
    k
}

/// Index drawn with probability proportional to `weight(item)`.
pub(crate) fn pick_weighted<R: Rng, T>(
    rng: &mut R,
    items: &[T],
    weight: impl Fn(&T) -> f64,
) -> usize {
    let total: f64 = items.iter().map(&weight).sum();
    let mut u = unif(rng) * total;
    for (i, it) in items.iter().enumerate() {
        u -= weight(it);
        if u < 0.0 {
            return i;
        }
    }
    items.len().saturating_sub(1)
}

/// A value from a `(value, weight)` table.
pub(crate) fn pick<R: Rng>(rng: &mut R, table: &[(&'static str, f64)]) -> &'static str {
    let i = pick_weighted(rng, table, |t| t.1);
    table.get(i).map_or("", |t| t.0)
}

/// The logistic function.
pub(crate) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Make the timestamps (seconds) of one entity's events, already sorted by time, strictly
/// increasing (a tie moves one second later): natural keys that contain the entity id and the
/// instant can then never collide. `at` gives access to the time of an event.
pub(crate) fn make_times_distinct<T>(events: &mut [T], at: impl Fn(&mut T) -> &mut i64) {
    let mut prev = i64::MIN;
    for e in events.iter_mut() {
        let t = at(e);
        if *t <= prev {
            *t = prev + 1;
        }
        prev = *t;
    }
}
