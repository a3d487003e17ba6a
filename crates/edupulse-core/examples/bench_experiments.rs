//! The edupulse side of `make bench-experiments` (scripts/gbstats_reference.py `bench`): reads
//! the JSON list of two-arm tables the script drew, runs per table what the gbstats loop runs
//! (Bayesian, Welch t-test, sequential, SRM against 50/50; relative lift, default options) and
//! prints `{"seconds": …, "checksum": …}` (checksum: Σ chance to win + SRM p, compared with
//! gbstats' in the script). Reading the file is not timed.
//!
//! `cargo run --release -p edupulse-core --example bench_experiments -- tables.json`

use edupulse_core::experiments::{
    bayes, sequential_test, srm_p_value, ttest, ArmStats, MeanStats, Proportion, TestParams,
};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: bench_experiments TABLES.json")?;
    let tables: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    // Plain numbers first, so the timed loop only does statistics.
    let mut raw: Vec<(bool, [f64; 3], [f64; 3])> = Vec::with_capacity(tables.len());
    for t in &tables {
        let arm = |k: &str| -> [f64; 3] {
            let v = t[k].as_array().cloned().unwrap_or_default();
            let g = |i: usize| v.get(i).and_then(|x| x.as_f64()).unwrap_or(0.0);
            [g(0), g(1), g(2)]
        };
        raw.push((t["kind"] == "proportion", arm("control"), arm("treatment")));
    }
    let p = TestParams::default();
    let start = Instant::now();
    let mut checksum = 0.0;
    for (binary, c, t) in &raw {
        let (a, b) = if *binary {
            let pr = |x: &[f64; 3]| Proportion {
                units: x[0],
                conversions: x[1],
            };
            (
                ArmStats::proportion("control", pr(c))?,
                ArmStats::proportion("treatment", pr(t))?,
            )
        } else {
            let m = |x: &[f64; 3]| MeanStats {
                n: x[0],
                sum: x[1],
                sum_squares: x[2],
            };
            (
                ArmStats::mean("control", m(c))?,
                ArmStats::mean("treatment", m(t))?,
            )
        };
        let by = bayes(&a, &b, &p)?;
        let tt = ttest(&a, &b, &p)?;
        let sq = sequential_test(&a, &b, &p)?;
        std::hint::black_box((&tt, &sq));
        checksum += by.chance_to_win.unwrap_or(0.0);
        checksum += srm_p_value(&[c[0], t[0]], &[0.5, 0.5])?;
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({ "seconds": seconds, "checksum": checksum })
    );
    Ok(())
}
