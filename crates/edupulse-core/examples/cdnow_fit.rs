//! Fit BG/NBD, Pareto/NBD and Gamma-Gamma to CDNOW and print parameters, log-likelihoods,
//! standard errors, iterations and the median fit time.
//!
//! `cargo run --release -p edupulse-core --example cdnow_fit [path/to/cdnow_customers_summary_with_transactions.csv]`
//!
//! `REPS=n` sets the number of timed fits (21); `ONLY=bg|pnbd|gg` fits one model (for
//! `perf stat`, whose task-clock is CPU time, steadier than wall time on a loaded machine).

use edupulse_core::churn::{BetaGeo, FitParams, GammaGamma, ParetoNbd};
use std::time::Instant;

fn median_ms<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::new();
    let mut out = f();
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(21);
    for _ in 0..reps {
        let t = Instant::now();
        out = f();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        "../shared/data/cdnow/cdnow_customers_summary_with_transactions.csv".into()
    });
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let (mut x, mut tx, mut t, mut m) = (vec![], vec![], vec![], vec![]);
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        let f: Vec<f64> = line
            .split(',')
            .map(|v| v.parse().unwrap_or(f64::NAN))
            .collect();
        x.push(f[1]);
        tx.push(f[2]);
        t.push(f[3]);
        m.push(f[4]);
    }
    let tol: f64 = std::env::var("TOL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1e-9);
    let fp = FitParams {
        tolerance: tol,
        ..FitParams::default()
    };
    let only = std::env::var("ONLY").unwrap_or_default();
    let run = |m: &str| only.is_empty() || only == m;
    if run("bg") {
        let (ms, bg) = median_ms(|| BetaGeo::fit(&x, &tx, &t, &fp));
        let bg = bg?;
        println!(
            "BG/NBD      {:?} LL {:.4} se {:?} it {} [{ms:.2} ms]",
            bg.params(),
            bg.fit.as_ref().map_or(f64::NAN, |f| f.log_likelihood),
            bg.fit.as_ref().map(|f| f.standard_errors.clone()),
            bg.fit.as_ref().map_or(0, |f| f.iterations)
        );
    }
    if run("pnbd") {
        let (ms, pn) = median_ms(|| ParetoNbd::fit(&x, &tx, &t, &fp));
        let pn = pn?;
        println!(
            "Pareto/NBD  {:?} LL {:.4} se {:?} it {} [{ms:.2} ms]",
            pn.params(),
            pn.fit.as_ref().map_or(f64::NAN, |f| f.log_likelihood),
            pn.fit.as_ref().map(|f| f.standard_errors.clone()),
            pn.fit.as_ref().map_or(0, |f| f.iterations)
        );
    }
    if run("gg") {
        let rep: Vec<usize> = (0..x.len()).filter(|&i| x[i] > 0.0).collect();
        let gx: Vec<f64> = rep.iter().map(|&i| x[i]).collect();
        let gm: Vec<f64> = rep.iter().map(|&i| m[i]).collect();
        let (ms, gg) = median_ms(|| GammaGamma::fit(&gx, &gm, &fp));
        let gg = gg?;
        println!(
            "Gamma-Gamma {:?} LL {:.4} se {:?} it {} [{ms:.2} ms]",
            gg.params(),
            gg.fit.as_ref().map_or(f64::NAN, |f| f.log_likelihood),
            gg.fit.as_ref().map(|f| f.standard_errors.clone()),
            gg.fit.as_ref().map_or(0, |f| f.iterations)
        );
    }
    Ok(())
}
