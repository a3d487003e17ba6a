//! The encoder: numeric columns standardised (missing → the training mean, plus a
//! `<name>=missing` indicator when the training data had missing values), categorical columns
//! one-hot encoded over the training levels seen at least `min_count` times, with an `other`
//! bucket that also receives categories never seen in training. Each encoded feature remembers
//! the original column it came from, so explanations can be summed back per column.

use super::data::{ColumnData, TabularData, TABLE};
use crate::error::{CoreError, Result};
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

impl Encoder {
    /// Learn the encoding from training data.
    pub fn fit(data: &TabularData, min_count: usize) -> Result<Encoder> {
        if data.n_columns() == 0 || data.n_rows() == 0 {
            return Err(CoreError::validation(
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
                    let mean = if present.is_empty() {
                        0.0
                    } else {
                        present.iter().sum::<f64>() / n
                    };
                    let var = if present.is_empty() {
                        0.0
                    } else {
                        present.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n
                    };
                    let std = if var > 0.0 { var.sqrt() } else { 1.0 };
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
                    encodings.push(ColumnEncoding::Numeric {
                        mean,
                        std,
                        missing_indicator: missing,
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
                .ok_or_else(|| CoreError::validation(TABLE, None, Some(name), "column missing"))?;
            match (enc, col) {
                (
                    ColumnEncoding::Numeric {
                        mean,
                        std,
                        missing_indicator,
                    },
                    ColumnData::Numeric(v),
                ) => {
                    for (i, x) in v.iter().enumerate() {
                        if x.is_finite() {
                            out[i * p + offset] = (x - mean) / std;
                        } else if *missing_indicator {
                            out[i * p + offset + 1] = 1.0;
                        }
                    }
                    offset += 1 + usize::from(*missing_indicator);
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
                    return Err(CoreError::validation(
                        TABLE,
                        None,
                        Some(name),
                        "expected a numeric column",
                    ))
                }
                (ColumnEncoding::Categorical { .. }, _) => {
                    return Err(CoreError::validation(
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
