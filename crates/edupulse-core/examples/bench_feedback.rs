//! The edupulse side of `make bench-feedback` (scripts/bench_feedback.py): reads a JSON list of
//! texts, scores them with the lexicon scorer and prints
//! `{"seconds": …, "scores": [...]}` (scores only when `--scores`), or, with `--repeat N`, scores
//! the list cyclically until N texts are scored (the 1,000,000-message speed run) and prints the
//! time and a checksum. Reading the file is not timed.
//!
//! `cargo run --release -p edupulse-core --example bench_feedback -- texts.json [--scores] [--repeat N]`

use edupulse_core::feedback::{score_with, SentimentParams};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or("usage: bench_feedback TEXTS.json [--scores] [--repeat N]")?;
    let texts: Vec<String> = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let with_scores = args.iter().any(|a| a == "--scores");
    let repeat: usize = match args.iter().position(|a| a == "--repeat") {
        Some(i) => args.get(i + 1).ok_or("--repeat needs N")?.parse()?,
        None => texts.len(),
    };
    if texts.is_empty() {
        return Err("no texts".into());
    }
    let params = SentimentParams::default();
    // Load the embedded lexicon before the clock starts (a one-off of a few milliseconds).
    let _ = score_with("", &params);
    let start = Instant::now();
    let mut scores = Vec::with_capacity(if with_scores { repeat } else { 0 });
    let mut checksum = 0.0;
    for i in 0..repeat {
        let s = score_with(&texts[i % texts.len()], &params);
        checksum += s.score;
        if with_scores {
            scores.push(s.score);
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let out = serde_json::json!({
        "n": repeat,
        "seconds": seconds,
        "checksum": checksum,
        "scores": scores,
    });
    println!("{out}");
    Ok(())
}
