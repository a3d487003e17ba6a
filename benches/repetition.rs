//! Spaced-repetition hot paths: FSRS-6 next states and intervals for a batch of 1,000,000 cards
//! (struct of arrays), retrievability of the batch, a learner's due queue (10,000 cards) and a fit
//! of the 21 parameters on a simulated course log.
//!
//! `cargo bench --bench repetition` — criterion reports cards/s as "thrpt". The comparison with
//! the `fsrs` crate (same run, ratios printed) is `benches/fsrs-compare` (its own workspace, so
//! the `fsrs` crate's ndarray 0.17 never enters ours); py-fsrs: `scripts/bench_repetition.py`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use edupulse::core::repetition::batch::{
    due_queue, next_states_into, retrievability, CardTable, QueueParams,
};
use edupulse::core::repetition::Fsrs;
use std::hint::black_box;

/// A deterministic batch of `n` cards in review (xorshift, no extra dependency).
fn batch(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<u8>) {
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
    let mut g = Vec::with_capacity(n);
    for _ in 0..n {
        let st = 0.5 * (1.0 + 300.0 * next());
        s.push(st);
        d.push(1.0 + 9.0 * next());
        t.push((st * 2.0 * next()).floor());
        g.push(1 + (next() * 4.0) as u8);
    }
    (s, d, t, g)
}

fn repetition(c: &mut Criterion) {
    let fsrs = Fsrs::default();
    let n = 1_000_000;
    let (s, d, t, g) = batch(n);
    let (mut os, mut od, mut oi) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut grp = c.benchmark_group("repetition");
    grp.sample_size(20);
    grp.throughput(Throughput::Elements(n as u64));
    grp.bench_function("fsrs6_next_states_1M_cards", |b| {
        b.iter(|| {
            next_states_into(&fsrs, &s, &d, &t, &g, &mut os, &mut od, &mut oi).expect("valid");
            black_box(&oi);
        })
    });
    grp.bench_function("fsrs6_retrievability_1M_cards", |b| {
        b.iter(|| black_box(retrievability(&fsrs, &s, &t).expect("valid")))
    });
    let m = 10_000;
    let cards = CardTable {
        stability: s[..m].to_vec(),
        last_review_day: (0..m as i64).map(|i| -(i % 300)).collect(),
        due_day: (0..m as i64).map(|i| (i % 17) - 8).collect(),
    };
    grp.throughput(Throughput::Elements(m as u64));
    grp.bench_function("due_queue_10k_cards", |b| {
        b.iter(|| black_box(due_queue(&fsrs, &cards, 0, &QueueParams::default()).expect("valid")))
    });
    grp.finish();
}

criterion_group!(benches, repetition);
criterion_main!(benches);
