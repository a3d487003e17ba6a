//! Segmentation on the Choi-style benchmark (crates/edupulse-core/testdata/content/): mean Pk and
//! WindowDiff of edupulse's segmenter (number of segments chosen, and given), and of the trivial
//! baselines (no boundary, every boundary), one JSON object per method.
//!
//! ```text
//! cargo run --release -p edupulse-core --example content_eval -- [test|dev] [rank_mask] [gamma]
//! ```
//! With `--segment FILE.jsonl` it segments every sample of FILE and prints the boundaries (one
//! JSON list per line); with `--bench N DUMP K` it builds N one-hour transcripts (900 cues of 4 s
//! from runs of the benchmark's sentences), times their segmentation into micro-lessons, prints
//! `{"transcripts", "seconds"}` and writes the first K to DUMP (JSON lines) for the peer. Both
//! serve scripts/bench_content.py.

use edupulse_core::content::eval::{pk, window_diff};
use edupulse_core::content::{segment_text, SegmentParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--segment") {
        let text = std::fs::read_to_string(&args[1])?;
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line)?;
            let s: Vec<String> = serde_json::from_value(v["sentences"].clone())?;
            let b = segment_text(&s, &SegmentParams::default())?;
            println!("{}", serde_json::to_string(&b)?);
        }
        return Ok(());
    }
    if args.first().map(String::as_str) == Some("--bench") {
        return bench(&args[1..]);
    }
    let set = args.first().cloned().unwrap_or_else(|| "test".into());
    let mut p = SegmentParams::default();
    if let Some(m) = args.get(1) {
        p.rank_mask = m.parse()?;
    }
    if let Some(g) = args.get(2) {
        p.gamma = g.parse()?;
    }
    let path = format!(
        "{}/testdata/content/choi_pydoc_{set}.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path)?;
    let mut rows = vec![(0.0, 0.0); 4];
    let mut n_docs = 0.0;
    let t0 = std::time::Instant::now();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let s: Vec<String> = serde_json::from_value(v["sentences"].clone())?;
        let r: Vec<usize> = serde_json::from_value(v["boundaries"].clone())?;
        let n = s.len();
        let known = SegmentParams {
            n_segments: Some(r.len() + 1),
            ..p.clone()
        };
        let hyps = [
            segment_text(&s, &p)?,
            segment_text(&s, &known)?,
            vec![],
            (1..n).collect(),
        ];
        for (acc, h) in rows.iter_mut().zip(&hyps) {
            acc.0 += pk(n, &r, h, None)?;
            acc.1 += window_diff(n, &r, h, None)?;
        }
        n_docs += 1.0;
    }
    let names = [
        "edupulse (segments chosen)",
        "edupulse (number of segments given)",
        "no boundary",
        "every boundary",
    ];
    for (name, (a, b)) in names.iter().zip(rows) {
        println!(
            "{}",
            serde_json::json!({"set": set, "method": name, "pk": a / n_docs, "window_diff": b / n_docs,
                "rank_mask": p.rank_mask, "gamma": p.gamma})
        );
    }
    eprintln!("{} samples in {:.2} s", n_docs, t0.elapsed().as_secs_f64());
    Ok(())
}

/// N synthetic one-hour transcripts: runs of 60–200 cues (4 s each) from consecutive sentences of
/// the test set's samples, so topics change every 4–13 minutes.
fn bench(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    use edupulse_core::content::{segment_transcript, LessonParams, TranscriptSegment};
    let n: usize = args
        .first()
        .map(|x| x.parse())
        .transpose()?
        .unwrap_or(10_000);
    let dump = args.get(1).cloned();
    let k: usize = args.get(2).map(|x| x.parse()).transpose()?.unwrap_or(20);
    let path = format!(
        "{}/testdata/content/choi_pydoc_test.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut pool: Vec<String> = Vec::new();
    for line in std::fs::read_to_string(path)?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let s: Vec<String> = serde_json::from_value(v["sentences"].clone())?;
        pool.extend(s);
    }
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = |m: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % m as u64) as usize
    };
    let mut all: Vec<TranscriptSegment> = Vec::with_capacity(n * 900);
    for t in 0..n {
        let mut cue = 0;
        while cue < 900 {
            let run = 60 + rnd(141);
            let start = rnd(pool.len());
            for j in 0..run.min(900 - cue) {
                all.push(TranscriptSegment {
                    content_id: format!("t{t:05}"),
                    start_s: 4.0 * cue as f64,
                    end_s: 4.0 * (cue + 1) as f64,
                    text: pool[(start + j) % pool.len()].clone(),
                });
                cue += 1;
            }
        }
    }
    if let Some(d) = dump {
        let mut out = String::new();
        for t in 0..k.min(n) {
            let id = format!("t{t:05}");
            let cues: Vec<&TranscriptSegment> = all.iter().filter(|s| s.content_id == id).collect();
            out += &serde_json::to_string(&cues)?;
            out.push('\n');
        }
        std::fs::write(d, out)?;
    }
    let t0 = std::time::Instant::now();
    let lessons = segment_transcript(&all, &LessonParams::default())?;
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"transcripts": n, "cues": all.len(), "lessons": lessons.len(), "seconds": secs})
    );
    Ok(())
}
