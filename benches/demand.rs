//! Forest and GBDT fits on bikeshare-sized data: 6,916 rows × 11 features with the bikeshare
//! training split's cardinalities (hour 24, weekday 7, month 12, ... temperature ~50 levels).
//! `cargo bench --bench demand`. The side-by-side with scikit-learn is `scripts/bench_demand.py`.

use criterion::{criterion_group, criterion_main, Criterion};
use edupulse::core::learn::{ForestParams, GbdtParams, GradientBoosting, RandomForest};

const P: usize = 11;

/// A small xorshift generator (no extra dev-dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn int(&mut self, lo: u32, hi: u32) -> f64 {
        (lo + ((hi - lo) as f64 * self.next()) as u32) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
}

fn data(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut x = Vec::with_capacity(n * P);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let hour = rng.int(0, 24);
        let weekday = rng.int(0, 7);
        let month = rng.int(1, 13);
        let season = ((month - 1.0) / 3.0).floor() + 1.0;
        let holiday = f64::from(u8::from(rng.next() < 0.03));
        let working = f64::from(weekday > 0.0 && weekday < 6.0 && holiday == 0.0);
        let weather = rng.int(1, 4);
        let temp = rng.int(0, 50) / 50.0;
        let atemp = (temp + rng.range(-0.05, 0.05)).clamp(0.0, 1.0);
        let hum = rng.int(0, 89) / 89.0;
        let wind = rng.int(0, 30) / 30.0;
        let peak = if working > 0.0 {
            (-(hour - 8.0).powi(2) / 2.0).exp() + (-(hour - 17.5).powi(2) / 3.0).exp()
        } else {
            (-(hour - 14.0).powi(2) / 12.0).exp()
        };
        let mean = 20.0 + 300.0 * peak * (0.5 + temp) / weather;
        x.extend([
            season, month, hour, holiday, weekday, working, weather, temp, atemp, hum, wind,
        ]);
        y.push(mean + rng.range(-0.2, 0.2) * mean);
    }
    (x, y)
}

fn bench(c: &mut Criterion) {
    let (x, y) = data(6916);
    let mut g = c.benchmark_group("demand");
    g.sample_size(10);
    for n_jobs in [1usize, 2] {
        let params = ForestParams {
            n_jobs,
            ..ForestParams::default()
        };
        g.bench_function(format!("forest_fit_100_trees_{n_jobs}_threads"), |b| {
            b.iter(|| RandomForest::fit(&x, P, &y, &params).map(|f| f.trees.len()))
        });
    }
    let sk = GbdtParams {
        max_iter: 100,
        early_stopping: false,
        ..GbdtParams::default()
    };
    g.bench_function("gbdt_fit_100_iter", |b| {
        b.iter(|| GradientBoosting::fit(&x, P, &y, &sk).map(|m| m.trees.len()))
    });
    let f = RandomForest::fit(&x, P, &y, &ForestParams::default()).ok();
    if let Some(f) = f {
        let test = &x[..1729 * P];
        g.bench_function("forest_predict_interval_1729_rows", |b| {
            b.iter(|| f.predict_interval(test, P, 0.1).map(|v| v.len()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
