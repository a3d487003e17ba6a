//! Scheduling in bulk: next states and intervals for a batch of cards held as parallel arrays
//! (struct of arrays, millions of cards), a learner's due queue for a day (daily limit, most
//! forgotten first), load balancing of due dates within the fuzz range, and a workload forecast.
//!
//! Days are integer day numbers (e.g. days since 1970-01-01 in the learner's day boundary).

use super::fsrs::{check_elapsed, check_stability, fuzz_range, Fsrs};
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// Next stability, difficulty and interval (days) for every card of a batch, written into the
/// `out_*` slices. `stability[i]` NaN marks a new card (the review is its first); otherwise it must
/// be > 0, `difficulty[i]` in [1, 10], `elapsed_days[i]` ≥ 0 and `rating[i]` in 1–4. Every input is
/// checked before anything is written; an error names the parameter and the index.
#[allow(clippy::too_many_arguments)]
pub fn next_states_into(
    fsrs: &Fsrs,
    stability: &[f64],
    difficulty: &[f64],
    elapsed_days: &[f64],
    rating: &[u8],
    out_stability: &mut [f64],
    out_difficulty: &mut [f64],
    out_interval: &mut [f64],
) -> Result<()> {
    check_batch(
        stability,
        difficulty,
        elapsed_days,
        Some(rating),
        out_stability.len(),
        out_difficulty.len(),
        out_interval.len(),
    )?;
    let n = stability.len();
    // Large batches are split over the thread budget (edupulse_learn::parallel), one contiguous
    // chunk per thread, no shared state.
    let threads = if n >= PARALLEL_MIN_CARDS {
        crate::learn::parallel::threads_for(0, n)
    } else {
        1
    };
    let chunk = n.div_ceil(threads.max(1)).max(1);
    let chunks: Vec<_> = out_stability
        .chunks_mut(chunk)
        .zip(out_difficulty.chunks_mut(chunk))
        .zip(out_interval.chunks_mut(chunk))
        .enumerate()
        .collect();
    crate::learn::parallel::for_each(threads, chunks, |(k, ((os, od), oi))| {
        let r = k * chunk..(k * chunk + os.len());
        let (s, d, t, g) = (
            &stability[r.clone()],
            &difficulty[r.clone()],
            &elapsed_days[r.clone()],
            &rating[r],
        );
        next_states_unchecked(fsrs, s, d, t, g, os, od, oi);
    });
    Ok(())
}

/// Check a batch's inputs (lengths, ratings, states, elapsed days).
fn check_batch(
    stability: &[f64],
    difficulty: &[f64],
    elapsed_days: &[f64],
    rating: Option<&[u8]>,
    out_s: usize,
    out_d: usize,
    out_i: usize,
) -> Result<()> {
    let n = stability.len();
    for (name, len) in [
        ("difficulty", difficulty.len()),
        ("elapsed_days", elapsed_days.len()),
        ("rating", rating.map_or(n, <[u8]>::len)),
        ("out_stability", out_s),
        ("out_difficulty", out_d),
        ("out_interval", out_i),
    ] {
        if len != n {
            return Err(CoreError::param(
                name,
                format!("length {len} differs from stability's {n}"),
            ));
        }
    }
    // One branch-free pass (vectorised) answers "all valid?"; only a bad batch takes the
    // detailed loop below, which names the first bad index.
    let states = stability.iter().zip(difficulty).zip(elapsed_days);
    let all_ok = match rating {
        Some(r) => states
            .zip(r)
            .fold(true, |ok, (((&s, &d), &t), &g)| ok & card_ok(s, d, t, g)),
        None => states.fold(true, |ok, ((&s, &d), &t)| ok & card_ok(s, d, t, 3)),
    };
    if all_ok {
        return Ok(());
    }
    let at = |e: CoreError, i: usize| match e {
        CoreError::InvalidParameter { name, message } => CoreError::InvalidParameter {
            name,
            message: format!("at index {i}: {message}"),
        },
        e => e,
    };
    for i in 0..n {
        if let Some(&g) = rating.and_then(|r| r.get(i)) {
            super::Rating::from_u8(g).map_err(|e| at(e, i))?;
        }
        if stability[i].is_nan() {
            continue;
        }
        check_stability(stability[i]).map_err(|e| at(e, i))?;
        check_elapsed(elapsed_days[i]).map_err(|e| at(e, i))?;
        let d = difficulty[i];
        if !(d.is_finite() && (1.0..=10.0).contains(&d)) {
            return Err(at(
                CoreError::param("difficulty", format!("{d} is outside [1, 10]")),
                i,
            ));
        }
    }
    Ok(())
}

/// Whether one card of a batch is valid (the checks of [`check_batch`], without branches).
#[inline(always)]
fn card_ok(s: f64, d: f64, t: f64, g: u8) -> bool {
    let review = (s > 0.0)
        & (s < f64::INFINITY)
        & (0.0..f64::INFINITY).contains(&t)
        & (1.0..=10.0).contains(&d);
    (g.wrapping_sub(1) < 4) & (s.is_nan() | review)
}

/// Batches at least this large are split over threads.
pub const PARALLEL_MIN_CARDS: usize = 65_536;

/// Single-threaded [`next_states_into`] (same checks), for callers that parallelise themselves.
#[allow(clippy::too_many_arguments)]
pub fn next_states_into_single_thread(
    fsrs: &Fsrs,
    stability: &[f64],
    difficulty: &[f64],
    elapsed_days: &[f64],
    rating: &[u8],
    out_stability: &mut [f64],
    out_difficulty: &mut [f64],
    out_interval: &mut [f64],
) -> Result<()> {
    check_batch(
        stability,
        difficulty,
        elapsed_days,
        Some(rating),
        out_stability.len(),
        out_difficulty.len(),
        out_interval.len(),
    )?;
    next_states_unchecked(
        fsrs,
        stability,
        difficulty,
        elapsed_days,
        rating,
        out_stability,
        out_difficulty,
        out_interval,
    );
    Ok(())
}

/// The hot loop of [`next_states_into`], inputs already checked: the SIMD kernel.
#[allow(clippy::too_many_arguments)]
fn next_states_unchecked(
    fsrs: &Fsrs,
    stability: &[f64],
    difficulty: &[f64],
    elapsed_days: &[f64],
    rating: &[u8],
    out_s: &mut [f64],
    out_d: &mut [f64],
    out_i: &mut [f64],
) {
    let k = super::kernel::Kernel::new(fsrs);
    super::kernel::next_states(
        &k,
        stability,
        difficulty,
        elapsed_days,
        rating,
        out_s,
        out_d,
        out_i,
    );
}

/// Allocating form of [`next_states_into`]: `(stability, difficulty, interval_days)`.
pub fn next_states(
    fsrs: &Fsrs,
    stability: &[f64],
    difficulty: &[f64],
    elapsed_days: &[f64],
    rating: &[u8],
) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let n = stability.len();
    let (mut s, mut d, mut i) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    next_states_into(
        fsrs,
        stability,
        difficulty,
        elapsed_days,
        rating,
        &mut s,
        &mut d,
        &mut i,
    )?;
    Ok((s, d, i))
}

/// The next stability, difficulty and interval (days) of every card for each of the four ratings
/// (index `G − 1`: Again, Hard, Good, Easy), what the `fsrs` crate's `next_states` returns for one
/// card, here for a whole batch in one SIMD pass. Same input rules as [`next_states_into`] (NaN
/// stability: a new card); the outputs must have the batch's length.
pub fn next_states_all_into(
    fsrs: &Fsrs,
    stability: &[f64],
    difficulty: &[f64],
    elapsed_days: &[f64],
    out_stability: &mut [[f64; 4]],
    out_difficulty: &mut [[f64; 4]],
    out_interval: &mut [[f64; 4]],
) -> Result<()> {
    check_batch(
        stability,
        difficulty,
        elapsed_days,
        None,
        out_stability.len(),
        out_difficulty.len(),
        out_interval.len(),
    )?;
    let k = super::kernel::Kernel::new(fsrs);
    super::kernel::next_states_all(
        &k,
        stability,
        difficulty,
        elapsed_days,
        out_stability,
        out_difficulty,
        out_interval,
    );
    Ok(())
}

/// Retrievability of every card `elapsed_days[i]` after its last review.
pub fn retrievability(fsrs: &Fsrs, stability: &[f64], elapsed_days: &[f64]) -> Result<Vec<f64>> {
    if stability.len() != elapsed_days.len() {
        return Err(CoreError::param(
            "elapsed_days",
            "length differs from stability's",
        ));
    }
    for (i, (&s, &t)) in stability.iter().zip(elapsed_days).enumerate() {
        if let Err(e) = check_stability(s).and_then(|_| check_elapsed(t)) {
            return Err(match e {
                CoreError::InvalidParameter { name, message } => CoreError::InvalidParameter {
                    name,
                    message: format!("at index {i}: {message}"),
                },
                e => e,
            });
        }
    }
    let mut out = vec![0.0; stability.len()];
    super::kernel::retrievability(fsrs, stability, elapsed_days, &mut out);
    Ok(out)
}

/// A learner's cards as parallel arrays.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CardTable {
    /// Stability after the last review (days).
    pub stability: Vec<f64>,
    /// Day number of the last review.
    pub last_review_day: Vec<i64>,
    /// Day number the card is due.
    pub due_day: Vec<i64>,
}

/// Parameters of the due queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueParams {
    /// Most reviews per learner per day.
    pub daily_limit: usize,
}

impl Default for QueueParams {
    fn default() -> Self {
        QueueParams { daily_limit: 200 }
    }
}

impl QueueParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if self.daily_limit == 0 {
            return Err(CoreError::param("daily_limit", "must be ≥ 1"));
        }
        Ok(())
    }
}

/// The due queue of one learner on `day`: indices of the cards due on or before `day`, lowest
/// retrievability first (the most forgotten are reviewed first), at most `daily_limit` of them.
/// Ties are broken by the earlier due day, then by index.
pub fn due_queue(
    fsrs: &Fsrs,
    cards: &CardTable,
    day: i64,
    params: &QueueParams,
) -> Result<Vec<usize>> {
    params.validate()?;
    let n = cards.stability.len();
    if cards.last_review_day.len() != n || cards.due_day.len() != n {
        return Err(CoreError::param("cards", "columns of different lengths"));
    }
    let mut due: Vec<(f64, i64, usize)> = Vec::new();
    for i in 0..n {
        if cards.due_day[i] > day {
            continue;
        }
        let s = cards.stability[i];
        check_stability(s).map_err(|e| CoreError::param("stability", format!("card {i}: {e}")))?;
        let t = (day - cards.last_review_day[i]).max(0) as f64;
        due.push((fsrs.retrievability_unchecked(s, t), cards.due_day[i], i));
    }
    due.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    due.truncate(params.daily_limit);
    Ok(due.into_iter().map(|x| x.2).collect())
}

/// Load balancing: choose each card's due day within the fuzz range of its interval so that the
/// daily workload is even. `review_day[i]` is the day of the review, `interval[i]` the scheduled
/// interval in days; `load[k]` counts reviews already due on day `first_day + k` and is updated.
/// Among the days of the range, the least loaded wins; ties go to the day closest to the
/// scheduled one, then the earlier. Returns the chosen due days.
pub fn balance_due_days(
    fsrs: &Fsrs,
    review_day: &[i64],
    interval: &[u32],
    first_day: i64,
    load: &mut Vec<u32>,
) -> Result<Vec<i64>> {
    if review_day.len() != interval.len() {
        return Err(CoreError::param(
            "interval",
            "length differs from review_day's",
        ));
    }
    let max_ivl = fsrs.params().maximum_interval;
    let mut out = Vec::with_capacity(interval.len());
    for (&day, &ivl) in review_day.iter().zip(interval) {
        let (lo, hi) = fuzz_range(ivl.max(1), max_ivl);
        let mut best: Option<(u32, u32, i64)> = None;
        for cand in lo..=hi {
            let due = day + cand as i64;
            let k = due - first_day;
            let l = if k >= 0 {
                load.get(k as usize).copied().unwrap_or(0)
            } else {
                0
            };
            let key = (l, cand.abs_diff(ivl), due);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        let due = best.map(|b| b.2).unwrap_or(day + ivl as i64);
        let k = due - first_day;
        if k >= 0 {
            let k = k as usize;
            if load.len() <= k {
                load.resize(k + 1, 0);
            }
            load[k] += 1;
        }
        out.push(due);
    }
    Ok(out)
}

/// Reviews due per day over `horizon` days from `first_day` (cards overdue count on the first day).
pub fn workload_forecast(due_day: &[i64], first_day: i64, horizon: usize) -> Vec<u32> {
    let mut out = vec![0u32; horizon];
    if horizon == 0 {
        return out;
    }
    for &d in due_day {
        let k = (d - first_day).max(0);
        if (k as usize) < horizon {
            out[k as usize] += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repetition::{MemoryState, Rating};

    #[test]
    fn batch_equals_scalar() {
        let f = Fsrs::default();
        let s = vec![f64::NAN, 2.3, 10.0, 0.5, 100.0, 3.0];
        let d = vec![5.0, 2.1, 7.0, 9.9, 1.0, 4.0];
        let t = vec![0.0, 2.0, 11.0, 0.0, 400.0, 1.0];
        let g = vec![3u8, 1, 2, 4, 3, 1];
        let (os, od, oi) = next_states(&f, &s, &d, &t, &g).unwrap();
        for i in 0..s.len() {
            let r = Rating::from_u8(g[i]).unwrap();
            let prev = (!s[i].is_nan()).then_some(MemoryState {
                stability: s[i],
                difficulty: d[i],
            });
            let st = f.next_state(prev, t[i], r).unwrap();
            // The batch kernel has its own exp/ln (SIMD): equal to the scalar path to 1e-13.
            assert!((os[i] - st.stability).abs() <= 1e-13 * st.stability, "{i}");
            assert!(
                (od[i] - st.difficulty).abs() <= 1e-13 * st.difficulty,
                "{i}"
            );
            assert_eq!(oi[i], f.next_interval(st.stability) as f64);
        }
    }

    #[test]
    fn parallel_batch_equals_single_thread() {
        let f = Fsrs::default();
        let n = PARALLEL_MIN_CARDS * 2 + 17;
        let s: Vec<f64> = (0..n).map(|i| 0.1 + (i % 997) as f64 * 0.37).collect();
        let d: Vec<f64> = (0..n).map(|i| 1.0 + (i % 89) as f64 * 0.1).collect();
        let t: Vec<f64> = (0..n).map(|i| (i % 61) as f64).collect();
        let g: Vec<u8> = (0..n).map(|i| 1 + (i % 4) as u8).collect();
        let (a, b, c) = next_states(&f, &s, &d, &t, &g).unwrap();
        let (mut x, mut y, mut z) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        next_states_into_single_thread(&f, &s, &d, &t, &g, &mut x, &mut y, &mut z).unwrap();
        assert_eq!((&a, &b, &c), (&x, &y, &z));
        let mut bad = s.clone();
        bad[n - 1] = -1.0;
        let e = next_states_into_single_thread(&f, &bad, &d, &t, &g, &mut x, &mut y, &mut z);
        assert!(e.is_err());
    }

    #[test]
    fn all_four_outcomes_equal_one_outcome_batches() {
        let f = Fsrs::default();
        let s = vec![f64::NAN, 2.3, 10.0, 0.5, 100.0, 3.0, 0.001];
        let d = vec![5.0, 2.1, 7.0, 9.9, 1.0, 4.0, 10.0];
        let t = vec![0.0, 2.0, 11.0, 0.0, 400.0, 1.0, 30.0];
        let n = s.len();
        let (mut a, mut b, mut c) = (vec![[0.0; 4]; n], vec![[0.0; 4]; n], vec![[0.0; 4]; n]);
        next_states_all_into(&f, &s, &d, &t, &mut a, &mut b, &mut c).unwrap();
        for g in 1..=4u8 {
            let (os, od, oi) = next_states(&f, &s, &d, &t, &vec![g; n]).unwrap();
            for i in 0..n {
                let k = (g - 1) as usize;
                assert_eq!(
                    (a[i][k], b[i][k], c[i][k]),
                    (os[i], od[i], oi[i]),
                    "{i} {g}"
                );
            }
        }
        let e = next_states_all_into(
            &f,
            &[0.0],
            &[5.0],
            &[1.0],
            &mut a[..1],
            &mut b[..1],
            &mut c[..1],
        );
        assert!(e.unwrap_err().to_string().contains("stability"));
        let e = next_states_all_into(
            &f,
            &[1.0],
            &[5.0],
            &[1.0],
            &mut a[..2],
            &mut b[..1],
            &mut c[..1],
        );
        assert!(e.unwrap_err().to_string().contains("out_stability"));
    }

    #[test]
    fn batch_rejects_bad_input_by_name() {
        let f = Fsrs::default();
        let e = next_states(&f, &[1.0, 0.0], &[5.0, 5.0], &[1.0, 1.0], &[3, 3]).unwrap_err();
        assert!(
            e.to_string().contains("stability") && e.to_string().contains("index 1"),
            "{e}"
        );
        let e = next_states(&f, &[1.0], &[5.0], &[-1.0], &[3]).unwrap_err();
        assert!(e.to_string().contains("elapsed_days"), "{e}");
        let e = next_states(&f, &[1.0], &[5.0], &[1.0], &[7]).unwrap_err();
        assert!(e.to_string().contains("rating"), "{e}");
        let e = next_states(&f, &[1.0], &[5.0, 1.0], &[1.0], &[3]).unwrap_err();
        assert!(e.to_string().contains("difficulty"), "{e}");
        // Every value the one-pass check must refuse, at the index where it is.
        for (s, d, t, g, name) in [
            (f64::INFINITY, 5.0, 1.0, 3, "stability"),
            (1.0, 5.0, f64::NAN, 3, "elapsed_days"),
            (1.0, 5.0, f64::INFINITY, 3, "elapsed_days"),
            (1.0, 0.5, 1.0, 3, "difficulty"),
            (1.0, f64::NAN, 1.0, 3, "difficulty"),
            (f64::NAN, 5.0, 1.0, 0, "rating"),
        ] {
            let e = next_states(&f, &[1.0, s], &[5.0, d], &[1.0, t], &[3, g]).unwrap_err();
            assert!(
                e.to_string().contains(name) && e.to_string().contains("index 1"),
                "{e}"
            );
        }
        // A new card (NaN stability) ignores its difficulty and elapsed days.
        assert!(next_states(&f, &[f64::NAN], &[f64::NAN], &[-3.0], &[2]).is_ok());
    }

    #[test]
    fn due_queue_orders_by_retrievability_and_limits() {
        let f = Fsrs::default();
        let cards = CardTable {
            stability: vec![10.0, 1.0, 5.0, 3.0],
            last_review_day: vec![0, 0, 0, 0],
            due_day: vec![10, 1, 5, 20],
        };
        let q = due_queue(&f, &cards, 10, &QueueParams { daily_limit: 2 }).unwrap();
        // due: 0 (S 10), 1 (S 1), 2 (S 5); lowest R first: S=1 then S=5.
        assert_eq!(q, vec![1, 2]);
        let q = due_queue(&f, &cards, 10, &QueueParams::default()).unwrap();
        assert_eq!(q, vec![1, 2, 0]);
    }

    #[test]
    fn load_balancing_flattens_workload() {
        let f = Fsrs::default();
        let n = 300;
        let days = vec![0i64; n];
        let ivls = vec![10u32; n];
        let mut load = Vec::new();
        let due = balance_due_days(&f, &days, &ivls, 0, &mut load).unwrap();
        let (lo, hi) = fuzz_range(10, 36500);
        assert!(due.iter().all(|&d| d >= lo as i64 && d <= hi as i64));
        let counts = workload_forecast(&due, 0, 20);
        let used: Vec<u32> = counts.iter().copied().filter(|&c| c > 0).collect();
        assert_eq!(used.len() as u32, hi - lo + 1);
        assert!(used.iter().max().unwrap() - used.iter().min().unwrap() <= 1);
        assert_eq!(counts.iter().sum::<u32>() as usize, n);
    }
}
