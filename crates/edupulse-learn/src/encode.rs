//! The encoder: numeric columns standardised (missing → the training mean, plus a
//! `<name>=missing` indicator when the training data had missing values), categorical columns
//! one-hot encoded over the training levels seen at least `min_count` times, with an `other`
//! bucket that also receives categories never seen in training. Each encoded feature remembers
//! the original column it came from, so explanations can be summed back per column.
//!
//! Optionally ([`EncoderParams::numeric_bins`]) each numeric column also gets one-hot indicators of its
//! training quantile bins, so that a linear model can bend (a churn rate that falls steeply in
//! the first months of tenure and then flattens, say); the bin edges are learned on the training
//! rows only. [`EncoderParams::spline_knots`] can add instead (or as well) a cubic B-spline basis of
//! each numeric column — `knots` uniform knots over the training range, `knots + 2` smooth
//! features, constant beyond the range (scikit-learn's `SplineTransformer` defaults) — a smooth
//! bend where bins are steps.

use super::data::{ColumnData, TabularData, TABLE};
use crate::error::{LearnError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Name of the bucket for rare and unseen categories.
pub const OTHER: &str = "<other>";

/// How one original column is encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ColumnEncoding {
    /// Standardised numeric column.
    Numeric {
        /// Training mean (of non-missing values).
        mean: f64,
        /// Training standard deviation (1 when constant).
        std: f64,
        /// Whether a missing-value indicator feature follows.
        missing_indicator: bool,
        /// Inner edges of the quantile bins whose indicators follow (empty = no bins); a value
        /// `v` falls in bin `#{edges < v}`.
        #[serde(default)]
        bin_edges: Vec<f64>,
        /// Full knot vector of the cubic B-spline basis whose features follow the bins (empty =
        /// no splines): `knots + 6` uniform knots, three beyond each end of the training range.
        #[serde(default)]
        spline_knots: Vec<f64>,
    },
    /// One-hot encoded categorical column.
    Categorical {
        /// Levels with their own feature, in feature order; the `other` bucket follows them.
        levels: Vec<String>,
    },
}

/// One encoded feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncodedFeature {
    /// Feature name (`column`, `column=level`, `column=missing`).
    pub name: String,
    /// Index of the original column.
    pub source: usize,
    /// Training mean of the encoded feature (the explanation baseline).
    pub mean: f64,
}

/// A fitted encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoder {
    /// Original column names, in order.
    pub columns: Vec<String>,
    /// How each original column is encoded.
    pub encodings: Vec<ColumnEncoding>,
    /// The encoded features, in order.
    pub features: Vec<EncodedFeature>,
}

/// Parameters of [`Encoder::fit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncoderParams {
    /// Categories seen fewer times share the `other` bucket (0 or 1 = every category).
    pub min_category_count: usize,
    /// Up to this many quantile-bin indicators per numeric column (0 or 1 = none; fewer when the
    /// column has fewer distinct values).
    pub numeric_bins: usize,
    /// A cubic B-spline basis on this many uniform knots per numeric column (0 = none; ≥ 2
    /// otherwise).
    pub spline_knots: usize,
}

impl Default for EncoderParams {
    fn default() -> Self {
        EncoderParams {
            min_category_count: 1,
            numeric_bins: 0,
            spline_knots: 0,
        }
    }
}

impl EncoderParams {
    /// Only the rare-category threshold (no bins, no splines).
    pub fn categories(min_category_count: usize) -> EncoderParams {
        EncoderParams {
            min_category_count,
            ..EncoderParams::default()
        }
    }

    /// Check the parameters (errors name the field).
    pub fn validate(&self) -> Result<()> {
        if self.spline_knots == 1 {
            return Err(LearnError::param("spline_knots", "must be 0 (none) or ≥ 2"));
        }
        Ok(())
    }
}

impl Encoder {
    /// Learn the encoding from training data: standardisation, one-hot with an `other` bucket,
    /// missing indicators, and the optional quantile bins and spline basis of `params`. A
    /// constant column gets neither bins nor splines.
    ///
    /// ```
    /// use edupulse_learn::{Encoder, EncoderParams, TabularData};
    /// let x: Vec<f64> = (0..50).map(f64::from).collect();
    /// let data = TabularData::new().with_numeric("tenure", &x).unwrap();
    /// let params = EncoderParams { spline_knots: 5, ..Default::default() };
    /// let enc = Encoder::fit(&data, &params).unwrap();
    /// // tenure itself, then 5 + 2 spline features that sum to 1 on every row.
    /// assert_eq!(enc.n_features(), 8);
    /// let row = enc.transform(&data).unwrap();
    /// assert!((row[1..8].iter().sum::<f64>() - 1.0).abs() < 1e-12);
    /// ```
    pub fn fit(data: &TabularData, params: &EncoderParams) -> Result<Encoder> {
        params.validate()?;
        let (min_count, bins, knots) = (
            params.min_category_count,
            params.numeric_bins,
            params.spline_knots,
        );
        if data.n_columns() == 0 || data.n_rows() == 0 {
            return Err(LearnError::validation(
                TABLE,
                None,
                None,
                "no columns or no rows",
            ));
        }
        let mut encodings = Vec::new();
        let mut features = Vec::new();
        for (ci, (name, col)) in data.names().iter().zip(data.columns()).enumerate() {
            match col {
                ColumnData::Numeric(v) => {
                    let present: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
                    let n = present.len() as f64;
                    let (mean, std) = scaled_mean_std(&present);
                    let missing = present.len() < v.len();
                    features.push(EncodedFeature {
                        name: name.clone(),
                        source: ci,
                        mean: 0.0,
                    });
                    if missing {
                        features.push(EncodedFeature {
                            name: format!("{name}=missing"),
                            source: ci,
                            mean: 1.0 - n / v.len() as f64,
                        });
                    }
                    let bin_edges = quantile_edges(&present, bins);
                    let nb = if bin_edges.is_empty() {
                        0
                    } else {
                        bin_edges.len() + 1
                    };
                    let mut counts = vec![0usize; nb];
                    for x in &present {
                        if let Some(c) = counts.get_mut(bin_of(&bin_edges, *x)) {
                            *c += 1;
                        }
                    }
                    for (b, c) in counts.iter().enumerate() {
                        features.push(EncodedFeature {
                            name: format!("{name}#bin{b}"),
                            source: ci,
                            mean: *c as f64 / v.len() as f64,
                        });
                    }
                    let spline_knots = uniform_knots(&present, knots);
                    let ns = n_splines(&spline_knots);
                    let mut sums = vec![0.0; ns];
                    let mut basis = vec![0.0; ns];
                    for x in &present {
                        bspline(&spline_knots, *x, &mut basis);
                        sums.iter_mut().zip(&basis).for_each(|(s, b)| *s += b);
                    }
                    for (k, s) in sums.iter().enumerate() {
                        features.push(EncodedFeature {
                            name: format!("{name}#spline{k}"),
                            source: ci,
                            mean: s / v.len() as f64,
                        });
                    }
                    encodings.push(ColumnEncoding::Numeric {
                        mean,
                        std,
                        missing_indicator: missing,
                        bin_edges,
                        spline_knots,
                    });
                }
                ColumnData::Categorical(v) => {
                    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
                    for s in v {
                        *counts.entry(s.as_str()).or_insert(0) += 1;
                    }
                    let total = v.len() as f64;
                    let mut levels = Vec::new();
                    let mut other = 0usize;
                    for (level, c) in counts {
                        if c >= min_count.max(1) {
                            features.push(EncodedFeature {
                                name: format!("{name}={level}"),
                                source: ci,
                                mean: c as f64 / total,
                            });
                            levels.push(level.to_string());
                        } else {
                            other += c;
                        }
                    }
                    features.push(EncodedFeature {
                        name: format!("{name}={OTHER}"),
                        source: ci,
                        mean: other as f64 / total,
                    });
                    encodings.push(ColumnEncoding::Categorical { levels });
                }
            }
        }
        Ok(Encoder {
            columns: data.names().to_vec(),
            encodings,
            features,
        })
    }

    /// Number of encoded features.
    pub fn n_features(&self) -> usize {
        self.features.len()
    }

    /// Encode `data` (columns matched by name; extra columns are ignored) into a row-major
    /// `n_rows × n_features` matrix.
    pub fn transform(&self, data: &TabularData) -> Result<Vec<f64>> {
        let n = data.n_rows();
        let p = self.n_features();
        let mut out = vec![0.0; n * p];
        let mut offset = 0;
        for (name, enc) in self.columns.iter().zip(&self.encodings) {
            let col = data
                .column(name)
                .ok_or_else(|| LearnError::validation(TABLE, None, Some(name), "column missing"))?;
            match (enc, col) {
                (
                    ColumnEncoding::Numeric {
                        mean,
                        std,
                        missing_indicator,
                        bin_edges,
                        spline_knots,
                    },
                    ColumnData::Numeric(v),
                ) => {
                    let bins_at = offset + 1 + usize::from(*missing_indicator);
                    let nb = if bin_edges.is_empty() {
                        0
                    } else {
                        bin_edges.len() + 1
                    };
                    let splines_at = bins_at + nb;
                    let ns = n_splines(spline_knots);
                    for (i, x) in v.iter().enumerate() {
                        let row = &mut out[i * p..(i + 1) * p];
                        if x.is_finite() {
                            let z = (x - mean) / std;
                            // Divided first when the difference overflows (values near
                            // ±f64::MAX): finite however large x and the mean are.
                            row[offset] = if z.is_finite() {
                                z
                            } else {
                                x / std - mean / std
                            };
                            if !bin_edges.is_empty() {
                                row[bins_at + bin_of(bin_edges, *x)] = 1.0;
                            }
                            if ns > 0 {
                                bspline(spline_knots, *x, &mut row[splines_at..splines_at + ns]);
                            }
                        } else if *missing_indicator {
                            row[offset + 1] = 1.0;
                        }
                    }
                    offset = splines_at + ns;
                }
                (ColumnEncoding::Categorical { levels }, ColumnData::Categorical(v)) => {
                    for (i, s) in v.iter().enumerate() {
                        let j = levels
                            .binary_search_by(|l| l.as_str().cmp(s.as_str()))
                            .unwrap_or(levels.len());
                        out[i * p + offset + j] = 1.0;
                    }
                    offset += levels.len() + 1;
                }
                (ColumnEncoding::Numeric { .. }, _) => {
                    return Err(LearnError::validation(
                        TABLE,
                        None,
                        Some(name),
                        "expected a numeric column",
                    ))
                }
                (ColumnEncoding::Categorical { .. }, _) => {
                    return Err(LearnError::validation(
                        TABLE,
                        None,
                        Some(name),
                        "expected a categorical column",
                    ))
                }
            }
        }
        Ok(out)
    }
}

/// Bin of `x` among the inner `edges`: the number of edges below `x`.
fn bin_of(edges: &[f64], x: f64) -> usize {
    edges.partition_point(|e| *e < x)
}

/// Inner edges of (up to) `bins` equal-frequency bins of `values`: distinct midpoints between
/// neighbouring order statistics at the quantiles, so ties never straddle an edge.
fn quantile_edges(values: &[f64], bins: usize) -> Vec<f64> {
    if bins < 2 || values.len() < 2 {
        return Vec::new();
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let mut edges: Vec<f64> = Vec::new();
    for b in 1..bins {
        let k = (b * n / bins).clamp(1, n - 1);
        let (lo, hi) = (v[k - 1], v[k]);
        if lo < hi {
            let e = lo + 0.5 * (hi - lo);
            if edges.last().is_none_or(|l| *l < e) {
                edges.push(e);
            }
        }
    }
    edges
}

/// Degree of the spline basis.
const DEGREE: usize = 3;

/// Mean and standard deviation (1 when there is no spread) of finite `values`, computed on
/// values divided by their largest magnitude so neither the sum nor the squares can overflow
/// (values near `f64::MAX` are accepted at ingest when the ceiling is lifted). The deviation
/// saturates at `f64::MAX`.
pub(crate) fn scaled_mean_std(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 1.0);
    }
    let n = values.len() as f64;
    // The plain formulas whenever they stay finite (the usual case; bit-for-bit as before).
    let mean = values.iter().sum::<f64>() / n;
    if mean.is_finite() {
        let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        if var.is_finite() {
            return (mean, if var > 0.0 { var.sqrt() } else { 1.0 });
        }
    }
    let scale = values.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if !(scale > 0.0 && scale.is_finite()) {
        return (0.0, 1.0);
    }
    let mean_s = values.iter().map(|x| x / scale).sum::<f64>() / n;
    let var_s = values
        .iter()
        .map(|x| (x / scale - mean_s) * (x / scale - mean_s))
        .sum::<f64>()
        / n;
    let std = if var_s > 0.0 {
        (var_s.sqrt() * scale).min(f64::MAX)
    } else {
        1.0
    };
    (mean_s * scale, std)
}

/// The full knot vector of a cubic B-spline basis on `knots` uniform knots spanning `values`
/// (empty when `knots` < 2 or the values are constant or absent).
fn uniform_knots(values: &[f64], knots: usize) -> Vec<f64> {
    if knots < 2 {
        return Vec::new();
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return Vec::new();
    }
    let mut h = (hi - lo) / (knots - 1) as f64;
    if !h.is_finite() {
        // Half-range first: `hi − lo` overflows when both are near ±f64::MAX.
        h = (hi / 2.0 - lo / 2.0) / (knots - 1) as f64 * 2.0;
    }
    if !h.is_finite() {
        return Vec::new();
    }
    (0..knots + 2 * DEGREE)
        .map(|i| lo + (i as f64 - DEGREE as f64) * h)
        .collect()
}

/// Number of basis functions of a full knot vector.
fn n_splines(t: &[f64]) -> usize {
    t.len().saturating_sub(DEGREE + 1)
}

/// The cubic B-spline basis at `x` (clamped to the inner knot range: constant extrapolation)
/// into `out` (`n_splines(t)` values, which sum to 1), by the Cox–de Boor recursion.
fn bspline(t: &[f64], x: f64, out: &mut [f64]) {
    let m = n_splines(t);
    if m == 0 || out.len() < m {
        return;
    }
    let (lo, hi) = (t[DEGREE], t[t.len() - 1 - DEGREE]);
    let x = x.clamp(lo, hi);
    // Degree 0: the indicator of the knot interval holding x (the last inner interval is closed).
    let mut b = vec![0.0; t.len() - 1];
    let span = t
        .windows(2)
        .position(|w| w[0] <= x && x < w[1])
        .unwrap_or(t.len() - 2 - DEGREE)
        .min(t.len() - 2 - DEGREE);
    b[span] = 1.0;
    for d in 1..=DEGREE {
        for i in 0..t.len() - 1 - d {
            let left = if t[i + d] > t[i] {
                (x - t[i]) / (t[i + d] - t[i]) * b[i]
            } else {
                0.0
            };
            let right = if t[i + d + 1] > t[i + 1] {
                (t[i + d + 1] - x) / (t[i + d + 1] - t[i + 1]) * b[i + 1]
            } else {
                0.0
            };
            b[i] = left + right;
        }
    }
    out[..m].copy_from_slice(&b[..m]);
}
