//! Segmentation on the Choi-style benchmark (crates/edupulse-core/testdata/content/): mean Pk and
//! WindowDiff of edupulse's segmenter (number of segments chosen, and given), and of the trivial
//! baselines (no boundary, every boundary), one JSON object per method.
//!
//! ```text
//! cargo run --release -p edupulse-core --example content_eval -- [test|dev] [rank_mask] [gamma]
//! ```
//! With `--segment FILE.jsonl` it segments every sample of FILE and prints the boundaries (one
//! JSON list per line), for scripts/bench_content.py.

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
