//! `edupulse sentiment`: score texts with the offline lexicon scorer or a fitted
//! `SentimentModel`, and `edupulse sentiment train` to fit one (docs/feedback.md).
//!
//! Input: a `feedback` table CSV (the default, as before), a column of any CSV
//! (`--text-column`), or one text per line (`--lines`, from a file or `-` / nothing for stdin).
//! Output: a CSV. Bad input exits 1 naming the file and the row, line or column; I/O errors exit 2.

use crate::{bad_input, Failure};
use clap::{Args, Subcommand};
use edupulse::core::feedback::{score_all, SentimentModel, SentimentModelParams, SentimentParams};
use serde_json::json;
use std::io::Read;
use std::path::{Path, PathBuf};

/// `edupulse sentiment` arguments (without a subcommand: scoring).
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct SentimentArgs {
    /// `train`: fit a model.
    #[command(subcommand)]
    pub action: Option<SentimentAction>,
    /// Input file: a `feedback` CSV (default), a CSV with `--text-column`, or lines with
    /// `--lines` (`-` or nothing: stdin).
    pub input: Option<PathBuf>,
    /// Output CSV file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Scores within ±this are neutral (the source's ±0.1).
    #[arg(long, default_value_t = 0.1)]
    pub neutral_band: f64,
    /// Score this column of a CSV file (any CSV with a header).
    #[arg(long, conflicts_with = "lines")]
    pub text_column: Option<String>,
    /// One text per line.
    #[arg(long)]
    pub lines: bool,
    /// A fitted model (JSON written by `edupulse sentiment train`) instead of the lexicon:
    /// writes each label's probability too.
    #[arg(long)]
    pub model: Option<PathBuf>,
}

/// Subcommands of `edupulse sentiment`.
#[derive(Subcommand, Debug)]
pub(crate) enum SentimentAction {
    /// Fit a `SentimentModel` on a labelled CSV and save it as JSON.
    Train {
        /// CSV file with a text column and a label column (header row).
        #[arg(long)]
        labels: PathBuf,
        /// Name of the text column.
        #[arg(long)]
        text_column: String,
        /// Name of the label column.
        #[arg(long)]
        label_column: String,
        /// Model parameters as JSON (`SentimentModelParams` fields; unknown keys are errors).
        #[arg(long)]
        params: Option<String>,
        /// Output model file (JSON).
        #[arg(long)]
        out: PathBuf,
    },
}

fn io_failure(path: &Path, e: &dyn std::fmt::Display) -> Failure {
    Failure {
        code: 2,
        message: format!("{}: {e}", path.display()),
    }
}

/// Run `edupulse sentiment …`.
pub(crate) fn run(args: SentimentArgs) -> Result<serde_json::Value, Failure> {
    if let Some(SentimentAction::Train {
        labels,
        text_column,
        label_column,
        params,
        out,
    }) = args.action
    {
        return train(
            &labels,
            &text_column,
            &label_column,
            params.as_deref(),
            &out,
        );
    }
    let out = args
        .out
        .ok_or_else(|| bad_input("sentiment: --out FILE is required"))?;
    let stdin = args.input.as_deref().is_none_or(|p| p == Path::new("-"));
    if args.lines || stdin {
        let name = args.input.clone().unwrap_or_else(|| PathBuf::from("-"));
        let texts = read_lines(&name)?;
        return score_texts(&texts, &out, args.neutral_band, args.model.as_deref());
    }
    let input = args.input.unwrap_or_default();
    match args.text_column {
        Some(col) => {
            let texts = read_column(&input, &col)?;
            score_texts(&texts, &out, args.neutral_band, args.model.as_deref())
        }
        None => feedback_table(&input, &out, args.neutral_band, args.model.as_deref()),
    }
}

/// Lines of a file (or stdin for `-`), without their `\r\n` / `\n`; non-UTF-8 names the line.
fn read_lines(path: &Path) -> Result<Vec<String>, Failure> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| io_failure(path, &e))?;
    } else {
        bytes = std::fs::read(path).map_err(|e| io_failure(path, &e))?;
    }
    let mut out = Vec::new();
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    for (i, line) in lines.into_iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let s = std::str::from_utf8(line).map_err(|e| {
            bad_input(format!(
                "{}: line {}: not valid UTF-8 ({e})",
                path.display(),
                i + 1
            ))
        })?;
        out.push(s.to_string());
    }
    Ok(out)
}

/// The values of the columns `names` of a CSV file (header row), row by row; a missing column,
/// a short row or non-UTF-8 bytes name the file, the row (1 = first data row) and the column.
fn read_columns(path: &Path, names: &[&str]) -> Result<Vec<Vec<String>>, Failure> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| io_failure(path, &e))?;
    let header = r.byte_headers().map_err(|e| io_failure(path, &e))?.clone();
    let mut idx = Vec::new();
    for name in names {
        let k = header
            .iter()
            .position(|h| h == name.as_bytes())
            .ok_or_else(|| {
                let have: Vec<String> = header
                    .iter()
                    .map(|h| String::from_utf8_lossy(h).into_owned())
                    .collect();
                bad_input(format!(
                    "{}: no column `{name}` (columns: {})",
                    path.display(),
                    have.join(", ")
                ))
            })?;
        idx.push(k);
    }
    let mut out = vec![Vec::new(); names.len()];
    for (row, rec) in r.byte_records().enumerate() {
        let rec =
            rec.map_err(|e| bad_input(format!("{}: row {}: {e}", path.display(), row + 1)))?;
        for ((k, name), col) in idx.iter().zip(names).zip(out.iter_mut()) {
            let v = rec.get(*k).ok_or_else(|| {
                bad_input(format!(
                    "{}: row {}, column `{name}`: missing value (short row)",
                    path.display(),
                    row + 1
                ))
            })?;
            let s = std::str::from_utf8(v).map_err(|e| {
                bad_input(format!(
                    "{}: row {}, column `{name}`: not valid UTF-8 ({e})",
                    path.display(),
                    row + 1
                ))
            })?;
            col.push(s.to_string());
        }
    }
    Ok(out)
}

fn read_column(path: &Path, name: &str) -> Result<Vec<String>, Failure> {
    Ok(read_columns(path, &[name])?.pop().unwrap_or_default())
}

/// A model file (`SentimentModel::from_json`: written by `edupulse sentiment train` or
/// Python's `SentimentModel.save`); a broken one exits 1 naming the file and what is wrong.
fn load_model(path: &Path) -> Result<SentimentModel, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| io_failure(path, &e))?;
    SentimentModel::from_json(&text)
        .map_err(|e| bad_input(e.in_file(&path.display().to_string()).to_string()))
}

/// A model's probabilities (one row per text) and signed scores.
type ModelScores = (Vec<Vec<f64>>, Vec<Option<f64>>);

/// Probabilities of a model for `texts`, one row per text, and the signed score P(positive) −
/// P(negative) when the model has both labels.
fn model_scores(model: &SentimentModel, texts: &[String]) -> Result<ModelScores, Failure> {
    let k = model.classes().len();
    let p = model.predict_proba(texts)?;
    let rows: Vec<Vec<f64>> = p.chunks(k.max(1)).map(<[f64]>::to_vec).collect();
    let pos = model.classes().iter().position(|c| c == "positive");
    let neg = model.classes().iter().position(|c| c == "negative");
    let score = rows
        .iter()
        .map(|r| match (pos, neg) {
            (Some(a), Some(b)) => {
                Some(r.get(a).copied().unwrap_or(0.0) - r.get(b).copied().unwrap_or(0.0))
            }
            _ => None,
        })
        .collect();
    Ok((rows, score))
}

fn argmax(r: &[f64]) -> usize {
    r.iter()
        .enumerate()
        .fold(
            (0, f64::NEG_INFINITY),
            |b, (i, &v)| if v > b.1 { (i, v) } else { b },
        )
        .0
}

/// Score a list of texts: `index,score,label,low_coverage,truncated` (lexicon) or
/// `index,score,label,p_<label>…` (model; score = P(positive) − P(negative) when both exist).
fn score_texts(
    texts: &[String],
    out: &Path,
    neutral_band: f64,
    model: Option<&Path>,
) -> Result<serde_json::Value, Failure> {
    let mut w = csv::Writer::from_path(out).map_err(|e| io_failure(out, &e))?;
    let mut labels = std::collections::BTreeMap::<String, usize>::new();
    if let Some(path) = model {
        let m = load_model(path)?;
        let (rows, score) = model_scores(&m, texts)?;
        let mut head = vec!["index".to_string(), "score".into(), "label".into()];
        head.extend(m.classes().iter().map(|c| format!("p_{c}")));
        w.write_record(&head).map_err(|e| io_failure(out, &e))?;
        for (i, (r, s)) in rows.iter().zip(&score).enumerate() {
            let label = m.classes().get(argmax(r)).cloned().unwrap_or_default();
            *labels.entry(label.clone()).or_default() += 1;
            let mut rec = vec![
                i.to_string(),
                s.map(|s| format!("{s:.6}")).unwrap_or_default(),
                label,
            ];
            rec.extend(r.iter().map(|p| format!("{p:.6}")));
            w.write_record(&rec).map_err(|e| io_failure(out, &e))?;
        }
    } else {
        let params = SentimentParams {
            neutral_band,
            ..SentimentParams::default()
        };
        let scores = score_all(texts, &params)?;
        w.write_record(["index", "score", "label", "low_coverage", "truncated"])
            .map_err(|e| io_failure(out, &e))?;
        for (i, s) in scores.iter().enumerate() {
            *labels.entry(s.label.as_str().into()).or_default() += 1;
            w.write_record([
                i.to_string(),
                format!("{:.6}", s.score),
                s.label.as_str().into(),
                s.low_coverage.to_string(),
                s.truncated.to_string(),
            ])
            .map_err(|e| io_failure(out, &e))?;
        }
    }
    w.flush().map_err(|e| io_failure(out, &e))?;
    Ok(json!({
        "command": "sentiment",
        "rows": texts.len(),
        "labels": labels,
        "model": model,
        "out": out,
    }))
}

/// `edupulse sentiment FEEDBACK.csv`: score a `feedback` table file (with `--model`, the
/// model's label and probabilities are added).
fn feedback_table(
    input: &Path,
    out: &Path,
    neutral_band: f64,
    model: Option<&Path>,
) -> Result<serde_json::Value, Failure> {
    use edupulse::core::csvio;
    use edupulse::core::model::Feedback;
    let rows = csvio::read_table::<Feedback>(input)?;
    let params = SentimentParams {
        neutral_band,
        ..SentimentParams::default()
    };
    let texts: Vec<String> = rows.iter().map(|r| r.text.clone()).collect();
    let scores = score_all(&texts, &params)?;
    let fitted = model.map(load_model).transpose()?;
    let probs = match &fitted {
        Some(m) => Some(model_scores(m, &texts)?.0),
        None => None,
    };
    let mut w = csv::Writer::from_path(out).map_err(|e| io_failure(out, &e))?;
    let mut head: Vec<String> = [
        "feedback_id",
        "webinar_id",
        "kind",
        "score",
        "label",
        "low_coverage",
        "truncated",
    ]
    .map(String::from)
    .to_vec();
    if let Some(m) = &fitted {
        head.push("model_label".into());
        head.extend(m.classes().iter().map(|c| format!("p_{c}")));
    }
    w.write_record(&head).map_err(|e| io_failure(out, &e))?;
    let mut labels = std::collections::BTreeMap::<&str, usize>::new();
    for (i, (r, s)) in rows.iter().zip(&scores).enumerate() {
        *labels.entry(s.label.as_str()).or_default() += 1;
        let mut rec: Vec<String> = vec![
            r.feedback_id.clone(),
            r.webinar_id.clone(),
            r.kind.as_str().into(),
            format!("{:.6}", s.score),
            s.label.as_str().into(),
            s.low_coverage.to_string(),
            s.truncated.to_string(),
        ];
        if let (Some(m), Some(p)) = (&fitted, probs.as_ref().and_then(|p| p.get(i))) {
            rec.push(m.classes().get(argmax(p)).cloned().unwrap_or_default());
            rec.extend(p.iter().map(|x| format!("{x:.6}")));
        }
        w.write_record(&rec).map_err(|e| io_failure(out, &e))?;
    }
    w.flush().map_err(|e| io_failure(out, &e))?;
    let mean = if scores.is_empty() {
        None
    } else {
        Some(scores.iter().map(|s| s.score).sum::<f64>() / scores.len() as f64)
    };
    Ok(json!({
        "command": "sentiment",
        "rows": rows.len(),
        "labels": labels,
        "mean_score": mean,
        "low_coverage": scores.iter().filter(|s| s.low_coverage).count(),
        "model": model,
        "out": out,
    }))
}

/// `edupulse sentiment train`: fit on a labelled CSV and write the model as JSON.
fn train(
    labels: &Path,
    text_column: &str,
    label_column: &str,
    params: Option<&str>,
    out: &Path,
) -> Result<serde_json::Value, Failure> {
    let params: SentimentModelParams = match params {
        Some(p) => serde_json::from_str(p)
            .map_err(|e| bad_input(format!("invalid parameter `params`: {e}")))?,
        None => SentimentModelParams::default(),
    };
    let mut cols = read_columns(labels, &[text_column, label_column])?;
    let y = cols.pop().unwrap_or_default();
    let texts = cols.pop().unwrap_or_default();
    let start = std::time::Instant::now();
    let model = SentimentModel::fit(&texts, &y, &params)?;
    let seconds = start.elapsed().as_secs_f64();
    let text = model.to_json()?;
    std::fs::write(out, text).map_err(|e| io_failure(out, &e))?;
    Ok(json!({
        "command": "sentiment train",
        "rows": texts.len(),
        "classes": model.classes(),
        "converged": model.model.converged,
        "fit_seconds": seconds,
        "out": out,
    }))
}
