//! edupulse FSRS-6 vs the `fsrs` crate 6.6.2, same machine, same run.
//!
//! For each of N cards in review (stability, difficulty, days elapsed), compute the next memory
//! state and interval of all four ratings: `fsrs::FSRS::next_states` (one call per card, f32) vs
//! edupulse's batch `next_states_into` (f64, one pass per rating over the struct of arrays). Also
//! checks that both agree (to f32 precision) and prints the ratio per card.

use edupulse_core::repetition::batch::{next_states_into, next_states_into_single_thread};
use edupulse_core::repetition::{Fsrs, MemoryState};
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut s = Vec::with_capacity(n);
    let mut d = Vec::with_capacity(n);
    let mut t = Vec::with_capacity(n);
    for _ in 0..n {
        let st = 0.5 * (1.0 + 300.0 * next());
        s.push(st);
        d.push(1.0 + 9.0 * next());
        t.push((st * 2.0 * next()).floor().max(1.0));
    }

    // fsrs crate.
    let theirs = fsrs::FSRS::new(&fsrs::DEFAULT_PARAMETERS).expect("fsrs crate");
    let t0 = Instant::now();
    let mut their_good = Vec::with_capacity(n);
    for i in 0..n {
        let st = fsrs::MemoryState {
            stability: s[i] as f32,
            difficulty: d[i] as f32,
        };
        let ns = theirs
            .next_states(Some(st), 0.9, t[i] as u32)
            .expect("next_states");
        their_good.push((ns.good.memory.stability, ns.good.interval));
        std::hint::black_box(&ns);
    }
    let their_secs = t0.elapsed().as_secs_f64();

    // edupulse, four outcomes per card (what `next_states` returns).
    let ours = Fsrs::default();
    let reps = 10;
    let mut good_s = vec![0.0; n];
    let mut ivl = vec![[0u32; 4]; n];
    let t1 = Instant::now();
    for _ in 0..reps {
        for i in 0..n {
            let st = MemoryState {
                stability: s[i],
                difficulty: d[i],
            };
            let all = ours.next_states_all(st, t[i]);
            good_s[i] = all[2].stability;
            ivl[i] = all.map(|m| ours.next_interval(m.stability));
        }
        std::hint::black_box(&ivl);
    }
    let our_secs = t1.elapsed().as_secs_f64() / reps as f64;

    // edupulse batch scheduler, one outcome per card (the rating given).
    let r: Vec<u8> = (0..n).map(|i| 1 + (i % 4) as u8).collect();
    let (mut os, mut od, mut oi) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let t2 = Instant::now();
    for _ in 0..reps {
        next_states_into_single_thread(&ours, &s, &d, &t, &r, &mut os, &mut od, &mut oi)
            .expect("valid");
        std::hint::black_box(&oi);
    }
    let batch_secs = t2.elapsed().as_secs_f64() / reps as f64;
    let t3 = Instant::now();
    for _ in 0..reps {
        next_states_into(&ours, &s, &d, &t, &r, &mut os, &mut od, &mut oi).expect("valid");
        std::hint::black_box(&oi);
    }
    let par_secs = t3.elapsed().as_secs_f64() / reps as f64;
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());

    let max_rel = (0..n)
        .map(|i| ((good_s[i] - their_good[i].0 as f64) / good_s[i]).abs())
        .fold(0.0, f64::max);
    let per_card_theirs = their_secs / n as f64 * 1e9;
    let per_card_ours = our_secs / n as f64 * 1e9;
    println!(
        "{}",
        serde_json::json!({
            "cards": n,
            "outcomes_per_card": 4,
            "fsrs_crate_6_6_2_ns_per_card": per_card_theirs,
            "edupulse_ns_per_card": per_card_ours,
            "ratio_4_outcomes": per_card_theirs / per_card_ours,
            "edupulse_batch_one_outcome_ns_per_card": batch_secs / n as f64 * 1e9,
            "ratio_batch_schedule_1_thread": per_card_theirs / (batch_secs / n as f64 * 1e9),
            "edupulse_batch_all_cores_ns_per_card": par_secs / n as f64 * 1e9,
            "threads": threads,
            "ratio_batch_schedule_all_cores": per_card_theirs / (par_secs / n as f64 * 1e9),
            "max_rel_diff_good_stability": max_rel,
        })
    );
}
