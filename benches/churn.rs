//! Buy-till-you-die fits on CDNOW (2,357 customers) and the tabular classifier on Telco.
//! `cargo bench --bench churn` (needs ../shared/data; skips what is missing).

use criterion::{criterion_group, criterion_main, Criterion};
use edupulse::core::churn::{BetaGeo, FitParams, GammaGamma, ParetoNbd};
use edupulse::core::learn::{ClassifierParams, ColumnData, TabularClassifier, TabularData};
use std::path::PathBuf;

fn shared(name: &str) -> Option<PathBuf> {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared").join("data").join(name))
        .find(|p| p.exists())
}

fn cdnow() -> Option<[Vec<f64>; 4]> {
    let text = std::fs::read_to_string(shared(
        "cdnow/cdnow_customers_summary_with_transactions.csv",
    )?)
    .ok()?;
    let mut cols: [Vec<f64>; 4] = Default::default();
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        let f: Vec<f64> = line
            .split(',')
            .skip(1)
            .filter_map(|v| v.parse().ok())
            .collect();
        for (c, v) in cols.iter_mut().zip(f) {
            c.push(v);
        }
    }
    Some(cols)
}

fn bench(c: &mut Criterion) {
    if let Some([x, tx, t, m]) = cdnow() {
        let fp = FitParams::default();
        c.bench_function("bgnbd_fit_cdnow", |b| {
            b.iter(|| BetaGeo::fit(&x, &tx, &t, &fp).map(|m| m.r))
        });
        c.bench_function("pnbd_fit_cdnow", |b| {
            b.iter(|| ParetoNbd::fit(&x, &tx, &t, &fp).map(|m| m.r))
        });
        let rep: Vec<usize> = (0..x.len()).filter(|&i| x[i] > 0.0).collect();
        let gx: Vec<f64> = rep.iter().map(|&i| x[i]).collect();
        let gm: Vec<f64> = rep.iter().map(|&i| m[i]).collect();
        c.bench_function("gamma_gamma_fit_cdnow", |b| {
            b.iter(|| GammaGamma::fit(&gx, &gm, &fp).map(|m| m.p))
        });
    }
    if let Some(p) = shared("telco/Telco-Customer-Churn.csv") {
        if let Ok(mut data) = std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| TabularData::from_csv(&t).map_err(|e| e.to_string()))
        {
            data.remove("customerID");
            if let Some(ColumnData::Categorical(ch)) = data.remove("Churn") {
                let y: Vec<bool> = ch.iter().map(|v| v == "Yes").collect();
                let params = ClassifierParams {
                    calibration_folds: 0,
                    ..ClassifierParams::default()
                };
                let mut g = c.benchmark_group("telco");
                g.sample_size(10);
                g.bench_function("logistic_fit_telco", |b| {
                    b.iter(|| TabularClassifier::fit(&data, &y, &params).is_ok())
                });
                g.finish();
            }
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
