//! The trainable sentiment model: a team fits it on its own labelled feedback
//! ([`SentimentModelParams`] → [`SentimentModel::fit`] → [`SentimentModel::predict`] /
//! [`SentimentModel::predict_proba`]).
//!
//! It decides a calibrated probability for each label (any set of ≥ 2 strings, e.g. `negative` /
//! `neutral` / `positive`) from the text: the features of [`super::features`] (hashed word
//! uni/bi-grams, negation-marked words, character 2–5-grams within word boundaries, and — the
//! **blend** — the lexicon scorer's score as three extra columns) feed
//! [`edupulse_learn::SparseLogistic`], a multinomial L2 logistic regression fitted by L-BFGS and
//! calibrated by a softmax temperature chosen on out-of-fold logits (5 folds by default).
//! `lexicon = false` gives the purely trained model. The fit is deterministic (full-batch
//! L-BFGS; `solver.random_state` seeds only the calibration folds).
//!
//! ```
//! use edupulse_core::feedback::{SentimentModel, SentimentModelParams};
//! let texts = ["me encantó", "muy útil, gracias", "excelente clase", "genial", "lo mejor",
//!              "no me gustó", "muy aburrido", "pésimo audio", "una pérdida de tiempo", "malo"];
//! let labels = ["pos", "pos", "pos", "pos", "pos", "neg", "neg", "neg", "neg", "neg"];
//! let params = SentimentModelParams::default();
//! let m = SentimentModel::fit(&texts, &labels, &params).unwrap();
//! assert_eq!(m.classes(), ["neg", "pos"]);
//! assert_eq!(m.predict(&["me encantó la clase"]).unwrap(), ["pos"]);
//! let p = m.predict_proba(&["fue aburrido"]).unwrap();
//! assert!(p[0] > p[1]);
//! ```
//!
//! **Files.** [`SentimentModel::to_json`] / [`SentimentModel::from_json`] are the model file
//! `edupulse sentiment train --out` writes and `edupulse sentiment --model` reads, and Python's
//! `SentimentModel.save` / `load`: the serde JSON of this struct (`params`, `classes`, `model`).
//! Reading checks the parts fit together (classes, weights, columns), so a truncated or
//! hand-edited file is an error naming the field, never a panic later.

use super::features::{Featurizer, Scratch};
use crate::error::{CoreError, Result};
use edupulse_learn::{SparseLogistic, SparseLogisticParams, SparseRows};
use serde::{Deserialize, Serialize};

/// Parameters of [`SentimentModel::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SentimentModelParams {
    /// Hashed columns: `2^hash_bits` (10–24).
    pub hash_bits: u32,
    /// Word n-grams: 0 (none), 1 (unigrams) or 2 (uni- and bigrams).
    pub word_ngrams: usize,
    /// Also count the words after a negator as `NOT_word`.
    pub negation: bool,
    /// Shortest character n-gram (1–8; with `char_ngram_max` = 0 no character n-grams).
    pub char_ngram_min: usize,
    /// Longest character n-gram (0 = none, else `char_ngram_min`–8).
    pub char_ngram_max: usize,
    /// The blend: add the lexicon score as features.
    pub lexicon: bool,
    /// Scale of the lexicon columns (> 0; the L2 penalty makes it matter).
    pub lexicon_weight: f64,
    /// The solver and its calibration.
    pub solver: SparseLogisticParams,
}

impl Default for SentimentModelParams {
    fn default() -> Self {
        SentimentModelParams {
            hash_bits: 18,
            word_ngrams: 2,
            negation: true,
            char_ngram_min: 2,
            char_ngram_max: 5,
            lexicon: true,
            lexicon_weight: 1.0,
            solver: SparseLogisticParams::default(),
        }
    }
}

impl SentimentModelParams {
    /// Check the parameters; errors name the field (`solver.l2`…).
    pub fn validate(&self) -> Result<()> {
        if !(10..=24).contains(&self.hash_bits) {
            return Err(CoreError::param("hash_bits", "must be in 10–24"));
        }
        if self.word_ngrams > 2 {
            return Err(CoreError::param("word_ngrams", "must be 0, 1 or 2"));
        }
        if !(1..=8).contains(&self.char_ngram_min) {
            return Err(CoreError::param("char_ngram_min", "must be in 1–8"));
        }
        if self.char_ngram_max != 0 && !(self.char_ngram_min..=8).contains(&self.char_ngram_max) {
            return Err(CoreError::param(
                "char_ngram_max",
                "must be 0 (none) or in char_ngram_min–8",
            ));
        }
        if self.word_ngrams == 0 && self.char_ngram_max == 0 && !self.lexicon {
            return Err(CoreError::param(
                "word_ngrams",
                "no features: enable word n-grams, character n-grams or the lexicon",
            ));
        }
        if !(self.lexicon_weight > 0.0 && self.lexicon_weight.is_finite()) {
            return Err(CoreError::param("lexicon_weight", "must be > 0"));
        }
        self.solver.validate().map_err(|e| match e {
            edupulse_learn::LearnError::InvalidParameter { name, message } => {
                CoreError::param(&format!("solver.{name}"), message)
            }
            other => other.into(),
        })
    }

    pub(crate) fn featurizer(&self) -> Featurizer {
        Featurizer {
            hash_bits: self.hash_bits,
            word_ngrams: self.word_ngrams,
            negation: self.negation,
            char_min: self.char_ngram_min,
            char_max: self.char_ngram_max,
            lexicon: self.lexicon,
            lexicon_weight: self.lexicon_weight as f32,
        }
    }
}

/// The `table` of a validation error about a model file.
const MODEL_TABLE: &str = "sentiment_model";

/// A fitted sentiment model (serde: the parameters, the classes and the weights).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentimentModel {
    /// The parameters it was fitted with (they define its features).
    pub params: SentimentModelParams,
    /// The labels, sorted (the columns of [`SentimentModel::predict_proba`]).
    pub classes: Vec<String>,
    /// The fitted classifier.
    pub model: SparseLogistic,
}

/// Feature rows of `texts` (featurised on up to the thread budget, in order).
fn featurize<S: AsRef<str> + Sync>(f: &Featurizer, texts: &[S]) -> Result<SparseRows> {
    let parts = edupulse_learn::parallel::map_ranges(texts.len(), 2_000, |r| {
        let mut scratch = Scratch::default();
        texts[r]
            .iter()
            .map(|t| f.row_with(t.as_ref(), &mut scratch))
            .collect::<Vec<_>>()
    });
    let mut x = SparseRows::new(f.n_cols());
    for row in parts.into_iter().flatten() {
        x.push_row(row)?;
    }
    Ok(x)
}

impl SentimentModel {
    /// Fit on `texts` and their `labels` (same length; every label a non-empty string, at least
    /// two distinct). Empty texts are allowed (they have no word features). Errors name the
    /// parameter, or table `labels` and the row.
    pub fn fit<S: AsRef<str> + Sync, L: AsRef<str>>(
        texts: &[S],
        labels: &[L],
        params: &SentimentModelParams,
    ) -> Result<SentimentModel> {
        params.validate()?;
        if texts.len() != labels.len() {
            return Err(CoreError::validation(
                "labels",
                None,
                None,
                format!("{} labels for {} texts", labels.len(), texts.len()),
            ));
        }
        if let Some(i) = labels.iter().position(|l| l.as_ref().trim().is_empty()) {
            return Err(CoreError::validation(
                "labels",
                Some(i + 1),
                None,
                "missing value (empty label)",
            ));
        }
        let mut classes: Vec<String> = labels.iter().map(|l| l.as_ref().to_string()).collect();
        classes.sort();
        classes.dedup();
        if classes.len() < 2 {
            return Err(CoreError::validation(
                "labels",
                None,
                None,
                format!("need at least 2 distinct labels, found {}", classes.len()),
            ));
        }
        let y: Vec<usize> = labels
            .iter()
            .map(|l| {
                classes
                    .binary_search_by(|c| c.as_str().cmp(l.as_ref()))
                    .unwrap_or(0)
            })
            .collect();
        let x = featurize(&params.featurizer(), texts)?;
        let model = SparseLogistic::fit(&x, &y, classes.len(), &params.solver)?;
        Ok(SentimentModel {
            params: params.clone(),
            classes,
            model,
        })
    }

    /// The model file's JSON (see the module doc).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| {
            CoreError::validation(MODEL_TABLE, None, None, format!("cannot write JSON: {e}"))
        })
    }

    /// A model from the model file's JSON (see the module doc), checked with
    /// [`SentimentModel::check`]. Not JSON, or not a model, is a validation error on table
    /// `sentiment_model` saying what serde found; attach the file with
    /// [`CoreError::in_file`].
    pub fn from_json(text: &str) -> Result<SentimentModel> {
        let m: SentimentModel = serde_json::from_str(text).map_err(|e| {
            CoreError::validation(
                MODEL_TABLE,
                None,
                None,
                format!("not a sentiment model file ({e})"),
            )
        })?;
        m.check()?;
        Ok(m)
    }

    /// Check that the parts of a model fit together: valid parameters; at least two distinct,
    /// non-empty classes, as many as the classifier's; the classifier's input columns those of
    /// the parameters' features; weight columns ascending and within them; `columns × classes`
    /// weights, one intercept per class, all finite; a finite positive temperature. A failure is
    /// a validation error on table `sentiment_model` naming the field (`model.coef`…).
    pub fn check(&self) -> Result<()> {
        let bad = |column: &str, message: String| {
            Err(CoreError::validation(
                MODEL_TABLE,
                None,
                Some(column),
                message,
            ))
        };
        if let Err(e) = self.params.validate() {
            return bad("params", e.to_string());
        }
        let m = &self.model;
        let k = self.classes.len();
        if k < 2 {
            return bad("classes", format!("{k} classes; a model has at least 2"));
        }
        if let Some(c) = self.classes.iter().find(|c| c.is_empty()) {
            return bad("classes", format!("an empty class name `{c}`"));
        }
        let distinct: std::collections::HashSet<&String> = self.classes.iter().collect();
        if distinct.len() != k {
            return bad("classes", "a class appears twice".to_string());
        }
        if m.n_classes != k {
            return bad(
                "model.n_classes",
                format!("{} for {k} classes", m.n_classes),
            );
        }
        let n_cols = self.params.featurizer().n_cols();
        if m.n_cols != n_cols {
            return bad(
                "model.n_cols",
                format!(
                    "{}, the parameters' features have {n_cols} columns",
                    m.n_cols
                ),
            );
        }
        if m.columns.windows(2).any(|w| w[0] >= w[1]) {
            return bad("model.columns", "not strictly ascending".to_string());
        }
        if let Some(c) = m.columns.iter().find(|&&c| c >= n_cols) {
            return bad(
                "model.columns",
                format!("column {c} is outside the {n_cols} columns"),
            );
        }
        if m.coef.len() != m.columns.len() * k {
            return bad(
                "model.coef",
                format!(
                    "{} weights for {} columns × {k} classes",
                    m.coef.len(),
                    m.columns.len()
                ),
            );
        }
        if m.intercept.len() != k {
            return bad(
                "model.intercept",
                format!("{} intercepts for {k} classes", m.intercept.len()),
            );
        }
        if m.coef.iter().chain(&m.intercept).any(|x| !x.is_finite()) {
            return bad("model.coef", "a weight is not finite".to_string());
        }
        if !(m.temperature.is_finite() && m.temperature > 0.0) {
            return bad(
                "model.temperature",
                format!("{}; must be finite and > 0", m.temperature),
            );
        }
        Ok(())
    }

    /// The labels, sorted: the columns of [`SentimentModel::predict_proba`].
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Calibrated label probabilities of every text, `n × classes` row-major.
    pub fn predict_proba<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vec<f64>> {
        let x = featurize(&self.params.featurizer(), texts)?;
        Ok(self.model.predict_proba(&x)?)
    }

    /// The most probable label of every text.
    pub fn predict<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vec<&str>> {
        let x = featurize(&self.params.featurizer(), texts)?;
        Ok(self
            .model
            .predict(&x)?
            .into_iter()
            .map(|c| self.classes.get(c).map_or("", String::as_str))
            .collect())
    }
}
