//! The edupulse side of `make bench-feedback` (scripts/bench_feedback.py): reads a JSON list of
//! texts, scores them with the lexicon scorer and prints
//! `{"seconds": …, "scores": [...]}` (scores only when `--scores`), or, with `--repeat N`, scores
//! the list cyclically until N texts are scored (the 1,000,000-message speed run) and prints the
//! time and a checksum. Reading the file is not timed.
//!
//! With `--fit TRAIN.json` (a JSON list of `[text, label]` pairs) and optional `--params JSON`
//! (`SentimentModelParams` fields), it fits the trainable `SentimentModel` on those pairs and
//! prints `{"classes": [...], "proba": [[...], ...], "fit_seconds": …, "seconds": …}` for the
//! texts of `texts.json` (with `--repeat N`, the prediction time for N texts cycled).
//!
//! `cargo run --release -p edupulse-core --example bench_feedback -- texts.json [--scores] [--repeat N] [--fit TRAIN.json [--params JSON]]`

use edupulse_core::feedback::{
    score_columns, score_with, SentimentModel, SentimentModelParams, SentimentParams,
};
use std::time::Instant;

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
}

fn fit_mode(texts: &[String], args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let train: Vec<(String, String)> = serde_json::from_str(&std::fs::read_to_string(
        arg(args, "--fit").ok_or("--fit FILE")?,
    )?)?;
    let params: SentimentModelParams = match arg(args, "--params") {
        Some(p) => serde_json::from_str(p)?,
        None => SentimentModelParams::default(),
    };
    let (tx, ty): (Vec<&str>, Vec<&str>) =
        train.iter().map(|(t, y)| (t.as_str(), y.as_str())).unzip();
    let start = Instant::now();
    let model = SentimentModel::fit(&tx, &ty, &params)?;
    let fit_seconds = start.elapsed().as_secs_f64();
    let repeat: Option<usize> = arg(args, "--repeat").map(|n| n.parse()).transpose()?;
    let stream: Vec<&str> = match repeat {
        Some(n) => (0..n).map(|i| texts[i % texts.len()].as_str()).collect(),
        None => texts.iter().map(String::as_str).collect(),
    };
    let start = Instant::now();
    let proba = model.predict_proba(&stream)?;
    let seconds = start.elapsed().as_secs_f64();
    let k = model.classes().len();
    let rows: Vec<&[f64]> = if repeat.is_some() {
        Vec::new()
    } else {
        proba.chunks(k).collect()
    };
    let out = serde_json::json!({
        "classes": model.classes(),
        "proba": rows,
        "fit_seconds": fit_seconds,
        "seconds": seconds,
        "n": stream.len(),
        "temperature": model.model.temperature,
        "iterations": model.model.iterations,
        "converged": model.model.converged,
    });
    println!("{out}");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or("usage: bench_feedback TEXTS.json [--scores] [--repeat N]")?;
    let texts: Vec<String> = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    if texts.is_empty() {
        return Err("no texts".into());
    }
    if args.iter().any(|a| a == "--fit") {
        return fit_mode(&texts, &args);
    }
    let with_scores = args.iter().any(|a| a == "--scores");
    let repeat: usize = match args.iter().position(|a| a == "--repeat") {
        Some(i) => args.get(i + 1).ok_or("--repeat needs N")?.parse()?,
        None => texts.len(),
    };
    let params = SentimentParams::default();
    // Load the embedded lexicon before the clock starts (a one-off of a few milliseconds).
    let _ = score_with("", &params);
    // One batch call (`score_columns`, what Python's `sentiment` calls: parallel over the thread
    // budget, EDUPULSE_NUM_THREADS).
    let stream: Vec<&str> = (0..repeat)
        .map(|i| texts[i % texts.len()].as_str())
        .collect();
    let start = Instant::now();
    let scored = score_columns(&stream, &params)?;
    let seconds = start.elapsed().as_secs_f64();
    let checksum: f64 = scored.score.iter().sum();
    let scores: Vec<f64> = if with_scores {
        scored.score
    } else {
        Vec::new()
    };
    let out = serde_json::json!({
        "n": repeat,
        "threads": edupulse_core::learn::parallel::threads_for(0, repeat / 4_096),
        "seconds": seconds,
        "checksum": checksum,
        "scores": scores,
    });
    println!("{out}");
    Ok(())
}
