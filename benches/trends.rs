//! Trend detector throughput: 10,000 keyword series × 260 weekly points through the whole
//! `TrendDetector` (growth, robust z, Mann-Kendall + Sen, PELT change points), on 1 thread and
//! on 2 threads, and the PELT change-point detector alone.
//!
//! `cargo bench --bench trends`

use chrono::{Days, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion};
use edupulse_core::trends::changepoint::{change_points_with, ChangePointParams, Workspace};
use edupulse_core::trends::detector::DetectorWorkspace;
use edupulse_core::trends::TrendDetector;
use std::hint::black_box;

const SERIES: usize = 10_000;
const WEEKS: usize = 260;

fn data() -> (NaiveDate, Vec<Vec<(NaiveDate, f64)>>) {
    let start = NaiveDate::from_ymd_opt(2021, 1, 4).unwrap_or_default();
    let mut s: u64 = 12345;
    let mut unif = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let series = (0..SERIES)
        .map(|k| {
            let rise = if k % 5 == 0 {
                100 + k % 150
            } else {
                usize::MAX
            };
            (0..WEEKS)
                .map(|w| {
                    let season = 1.0 + 0.3 * (w as f64 * std::f64::consts::TAU / 52.0).sin();
                    let level = if w >= rise { 2.0 } else { 1.0 };
                    let v = 40.0 * season * level * (1.0 + 0.2 * (unif() - 0.5));
                    (start + Days::new(7 * w as u64), v)
                })
                .collect()
        })
        .collect();
    (start + Days::new(7 * (WEEKS as u64 - 1)), series)
}

fn bench(c: &mut Criterion) {
    let (as_of, series) = data();
    let det = TrendDetector::default();
    let mut g = c.benchmark_group("trends_10k_x_260w");
    g.sample_size(10);
    g.bench_function("detector_1_thread", |b| {
        b.iter(|| {
            let mut ws = DetectorWorkspace::default();
            let mut rising = 0;
            for (i, s) in series.iter().enumerate() {
                let r = det.detect_with(&format!("k{i}"), s, as_of, &mut ws);
                rising += r.map(|r| r.decision.as_str() == "rising").unwrap_or(false) as usize;
            }
            black_box(rising)
        })
    });
    g.bench_function("detector_2_threads", |b| {
        b.iter(|| {
            let half = series.len() / 2;
            std::thread::scope(|sc| {
                let hs: Vec<_> = [&series[..half], &series[half..]]
                    .into_iter()
                    .map(|chunk| {
                        let det = &det;
                        sc.spawn(move || {
                            let mut ws = DetectorWorkspace::default();
                            chunk
                                .iter()
                                .filter(|s| {
                                    det.detect_with("k", s, as_of, &mut ws)
                                        .map(|r| r.decision.as_str() == "rising")
                                        .unwrap_or(false)
                                })
                                .count()
                        })
                    })
                    .collect();
                black_box(hs.into_iter().map(|h| h.join().unwrap_or(0)).sum::<usize>())
            })
        })
    });
    let values: Vec<Vec<f64>> = series
        .iter()
        .map(|s| s.iter().map(|p| p.1).collect())
        .collect();
    let p = ChangePointParams::default();
    g.bench_function("pelt_only_1_thread", |b| {
        b.iter(|| {
            let mut ws = Workspace::default();
            let mut n = 0;
            for v in &values {
                n += change_points_with(v, &p, &mut ws)
                    .map(|c| c.len())
                    .unwrap_or(0);
            }
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
