//! Evaluate the change-point detector on the Turing Change Point Dataset (TCPDBench format) with
//! ONE parameter set (the defaults unless overridden), as TCPDBench scores it: F1 with a 5-point
//! margin and segment cover, beside the "no change point" baseline.
//!
//! ```text
//! cargo run --release -p edupulse-core --example tcpd_eval -- [DIR] [--cost normal_mean_var|normal_mean]
//!     [--penalty-scale X] [--min-seg N] [--floor X] [--json]
//! ```
//! `DIR` defaults to the first `shared/data/tcpd` found above the current directory
//! (`datasets/*.json` and `annotations.json`).

use edupulse_core::trends::changepoint::{ChangePointParams, CostModel};
use edupulse_core::trends::eval::{parse_annotations, score_series, TcpdSeries};
use std::path::PathBuf;

fn find_dir() -> Option<PathBuf> {
    let mut d = std::env::current_dir().ok()?;
    loop {
        let c = d.join("shared/data/tcpd");
        if c.join("annotations.json").exists() {
            return Some(c);
        }
        if !d.pop() {
            return None;
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut params = ChangePointParams::default();
    let mut dir = None;
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cost" => {
                params.cost = match args.next().as_deref() {
                    Some("normal_mean") => CostModel::NormalMean,
                    Some("linear_mean_var") => CostModel::LinearMeanVar,
                    _ => CostModel::NormalMeanVar,
                }
            }
            "--penalty-scale" => params.penalty_scale = args.next().ok_or("value")?.parse()?,
            "--min-seg" => params.min_segment_length = args.next().ok_or("value")?.parse()?,
            "--floor" => params.variance_floor = args.next().ok_or("value")?.parse()?,
            "--json" => json = true,
            other => dir = Some(PathBuf::from(other)),
        }
    }
    let dir = dir
        .or_else(find_dir)
        .ok_or("no shared/data/tcpd directory found")?;
    let annotations = parse_annotations(&std::fs::read_to_string(dir.join("annotations.json"))?)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("datasets"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut scores = Vec::new();
    for f in &files {
        let s = TcpdSeries::from_json(&std::fs::read_to_string(f)?)?;
        let ann = annotations
            .get(&s.name)
            .ok_or_else(|| format!("no annotations for {}", s.name))?;
        scores.push(score_series(&s, ann, &params)?);
    }
    let n = scores.len() as f64;
    let mean = |g: fn(&edupulse_core::trends::eval::SeriesScore) -> f64| {
        scores.iter().map(g).sum::<f64>() / n
    };
    if json {
        println!("{}", serde_json::to_string(&scores)?);
    } else {
        println!("params: {}", serde_json::to_string(&params)?);
        println!(
            "{:<20} {:>5} {:>7} {:>7} {:>9} {:>9}  predicted",
            "series", "n", "F1", "cover", "F1(none)", "cov(none)"
        );
        for s in &scores {
            println!(
                "{:<20} {:>5} {:>7.3} {:>7.3} {:>9.3} {:>9.3}  {:?}",
                s.name, s.n_obs, s.f1, s.cover, s.f1_zero, s.cover_zero, s.predicted
            );
        }
    }
    println!(
        "MEAN over {} series: F1 {:.4}  cover {:.4}  |  no-change F1 {:.4}  cover {:.4}",
        scores.len(),
        mean(|s| s.f1),
        mean(|s| s.cover),
        mean(|s| s.f1_zero),
        mean(|s| s.cover_zero)
    );
    Ok(())
}
