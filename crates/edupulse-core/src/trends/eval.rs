//! Change-point evaluation as in TCPDBench (van den Burg & Williams, 2020): the F1 score with a
//! margin and the segment cover, against several annotators.
//!
//! Decides nothing; it scores predicted change points (indices where a new segment starts) against
//! human annotations. Both the predictions and every annotator's set include index 0. A prediction
//! matches an annotated change point within `± margin` points, each annotated point matched at most
//! once (nearest first). Precision is against the union of the annotations, recall is the mean of
//! the annotators' recalls, F1 their harmonic mean. The cover is the mean over annotators of
//! `Σ_{A} |A| · max_{P} J(A, P) / n` over the annotator's segments `A` and the predicted segments
//! `P`, with `J` the Jaccard index.

use super::changepoint::{change_points_multi, ChangePointParams};
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// True positives of `predictions` against one set of true change points `truth`: each true
/// point takes the nearest unused prediction within `margin` (ties to the smaller index).
fn true_positives(truth: &BTreeSet<usize>, predictions: &BTreeSet<usize>, margin: usize) -> usize {
    let mut avail: BTreeSet<usize> = predictions.clone();
    let mut tp = 0;
    for &tau in truth {
        let lo = tau.saturating_sub(margin);
        let best = avail
            .range(lo..=tau + margin)
            .min_by_key(|&&x| (x.abs_diff(tau), x))
            .copied();
        if let Some(x) = best {
            avail.remove(&x);
            tp += 1;
        }
    }
    tp
}

/// Precision, recall and F1 of `predictions` against the annotators' change points (index 0 is
/// added to every set). With no annotator, returns `(1, 1, 1)` when nothing but 0 is predicted.
pub fn f_measure(
    annotations: &[Vec<usize>],
    predictions: &[usize],
    margin: usize,
) -> (f64, f64, f64) {
    let mut x: BTreeSet<usize> = predictions.iter().copied().collect();
    x.insert(0);
    let sets: Vec<BTreeSet<usize>> = annotations
        .iter()
        .map(|a| {
            let mut s: BTreeSet<usize> = a.iter().copied().collect();
            s.insert(0);
            s
        })
        .collect();
    if sets.is_empty() {
        let p = 1.0 / x.len() as f64;
        return (p, 1.0, 2.0 * p / (p + 1.0));
    }
    let union: BTreeSet<usize> = sets.iter().flatten().copied().collect();
    let precision = true_positives(&union, &x, margin) as f64 / x.len() as f64;
    let recall = sets
        .iter()
        .map(|s| true_positives(s, &x, margin) as f64 / s.len() as f64)
        .sum::<f64>()
        / sets.len() as f64;
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    (precision, recall, f1)
}

/// Segment boundaries `[0, c1, c2, …, n]` from change points (points outside `(0, n)` dropped).
fn boundaries(cps: &[usize], n: usize) -> Vec<usize> {
    let mut b: Vec<usize> = cps.iter().copied().filter(|&c| c > 0 && c < n).collect();
    b.push(0);
    b.push(n);
    b.sort_unstable();
    b.dedup();
    b
}

/// Cover of the segmentation `truth` by the segmentation `pred` (both as boundaries).
fn cover_single(pred: &[usize], truth: &[usize], n: usize) -> f64 {
    let mut c = 0.0;
    for a in truth.windows(2) {
        let (a0, a1) = (a[0], a[1]);
        let mut best: f64 = 0.0;
        for p in pred.windows(2) {
            let (p0, p1) = (p[0], p[1]);
            let inter = a1.min(p1).saturating_sub(a0.max(p0));
            if inter == 0 {
                continue;
            }
            let union = a1.max(p1) - a0.min(p0);
            best = best.max(inter as f64 / union as f64);
        }
        c += (a1 - a0) as f64 * best;
    }
    c / n as f64
}

/// Segment cover of the predicted segmentation, averaged over annotators (1 when `n` is 0).
pub fn covering(annotations: &[Vec<usize>], predictions: &[usize], n: usize) -> f64 {
    if n == 0 {
        return 1.0;
    }
    let pred = boundaries(predictions, n);
    if annotations.is_empty() {
        return cover_single(&pred, &[0, n], n);
    }
    annotations
        .iter()
        .map(|a| cover_single(&pred, &boundaries(a, n), n))
        .sum::<f64>()
        / annotations.len() as f64
}

/// One TCPDBench series, parsed from its JSON file (`name`, `n_obs`, `n_dim`, `series[].raw`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TcpdSeries {
    /// Data set name (the key of `annotations.json`).
    pub name: String,
    /// Number of time points.
    pub n_obs: usize,
    /// Number of dimensions.
    pub n_dim: usize,
    /// Row-major `n_obs × n_dim` values; missing values are NaN.
    pub values: Vec<f64>,
}

impl TcpdSeries {
    /// Parse a TCPDBench data set file's text.
    pub fn from_json(text: &str) -> Result<TcpdSeries> {
        #[derive(Deserialize)]
        struct Dim {
            raw: Vec<Option<f64>>,
        }
        #[derive(Deserialize)]
        struct File {
            name: String,
            n_obs: usize,
            series: Vec<Dim>,
        }
        let f: File = serde_json::from_str(text)
            .map_err(|e| CoreError::param("tcpd", format!("not a TCPDBench data set: {e}")))?;
        let n_dim = f.series.len();
        if n_dim == 0 || f.series.iter().any(|d| d.raw.len() != f.n_obs) {
            return Err(CoreError::param(
                "tcpd",
                format!(
                    "{}: every dimension must have n_obs = {} values",
                    f.name, f.n_obs
                ),
            ));
        }
        let mut values = vec![f64::NAN; f.n_obs * n_dim];
        for (j, d) in f.series.iter().enumerate() {
            for (i, v) in d.raw.iter().enumerate() {
                values[i * n_dim + j] = v.unwrap_or(f64::NAN);
            }
        }
        Ok(TcpdSeries {
            name: f.name,
            n_obs: f.n_obs,
            n_dim,
            values,
        })
    }
}

/// Parse TCPDBench's `annotations.json`: data set → one list of change points per annotator.
pub fn parse_annotations(text: &str) -> Result<BTreeMap<String, Vec<Vec<usize>>>> {
    let raw: BTreeMap<String, BTreeMap<String, Vec<usize>>> = serde_json::from_str(text)
        .map_err(|e| CoreError::param("annotations", format!("not TCPDBench annotations: {e}")))?;
    Ok(raw
        .into_iter()
        .map(|(k, v)| (k, v.into_values().collect()))
        .collect())
}

/// Scores of one series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesScore {
    /// Data set name.
    pub name: String,
    /// Length.
    pub n_obs: usize,
    /// Predicted change points.
    pub predicted: Vec<usize>,
    /// F1 (margin 5) of the detector.
    pub f1: f64,
    /// Segment cover of the detector.
    pub cover: f64,
    /// F1 of the "no change point" baseline.
    pub f1_zero: f64,
    /// Cover of the "no change point" baseline.
    pub cover_zero: f64,
}

/// Run the change-point detector on one TCPDBench series and score it (margin 5) beside the
/// "no change point" baseline.
pub fn score_series(
    series: &TcpdSeries,
    annotations: &[Vec<usize>],
    params: &ChangePointParams,
) -> Result<SeriesScore> {
    let predicted = change_points_multi(&series.values, series.n_dim, params)?;
    let (_, _, f1) = f_measure(annotations, &predicted, 5);
    let (_, _, f1_zero) = f_measure(annotations, &[], 5);
    Ok(SeriesScore {
        name: series.name.clone(),
        n_obs: series.n_obs,
        f1,
        cover: covering(annotations, &predicted, series.n_obs),
        f1_zero,
        cover_zero: covering(annotations, &[], series.n_obs),
        predicted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f_measure_matches_tcpdbench_docstring_examples() {
        // From TCPDBench's metrics.py doctests.
        // Published doctest: f_measure({1: [10, 20], 2: [11, 20], 3: [10], 4: [0, 5]}, [10, 20]) = 1.0
        let ann = vec![vec![10, 20], vec![11, 20], vec![10], vec![0, 5]];
        let (_, _, f) = f_measure(&ann, &[10, 20], 5);
        assert!((f - 1.0).abs() < 1e-12);
        // f_measure({1: [], 2: [10], 3: [50]}, [10]) = 0.9090909...
        let ann = vec![vec![], vec![10], vec![50]];
        let (_, _, f) = f_measure(&ann, &[10], 5);
        assert!((f - 0.9090909090909091).abs() < 1e-12);
        // f_measure({1: [], 2: [10], 3: [50]}, []) = 0.8
        let (_, _, f) = f_measure(&ann, &[], 5);
        assert!((f - 0.8).abs() < 1e-12);
    }

    #[test]
    fn covering_matches_tcpdbench_docstring_examples() {
        // covering({1: [10, 20], 2: [10], 3: [0, 5]}, [10, 20], 45) = 0.7962962962962963
        let ann = vec![vec![10, 20], vec![10], vec![0, 5]];
        let c = covering(&ann, &[10, 20], 45);
        assert!((c - 0.7962962962962963).abs() < 1e-12, "{c}");
        // covering({1: [], 2: [10], 3: [40]}, [10], 45) = 0.7954144620811286
        let ann = vec![vec![], vec![10], vec![40]];
        let c = covering(&ann, &[10], 45);
        assert!((c - 0.7954144620811286).abs() < 1e-12, "{c}");
        // covering({1: [], 2: [10], 3: [40]}, [], 45) = 0.8189300411522634
        let c = covering(&ann, &[], 45);
        assert!((c - 0.8189300411522634).abs() < 1e-12, "{c}");
    }
}
