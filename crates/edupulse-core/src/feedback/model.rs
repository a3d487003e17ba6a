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
