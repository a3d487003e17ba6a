//! A regressor over named categorical and numeric columns: the shared [`Encoder`] (one-hot with an
//! `other` bucket for rare and unseen categories, NaN = missing → training mean plus a missing
//! indicator) in front of a [`RandomForest`] or a [`GradientBoosting`] model. This is what the
//! Python `RandomForestRegressor` / `GradientBoostingRegressor` fit on DataFrames and arrays.

use super::data::TabularData;
use super::encode::{Encoder, EncoderParams};
use super::forest::{ForestParams, PredictionInterval, RandomForest};
use super::gbdt::{GbdtParams, GradientBoosting};
use crate::error::{LearnError, Result};
use serde::{Deserialize, Serialize};

/// Which ensemble.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RegressorKind {
    /// Random forest.
    #[default]
    Forest,
    /// Gradient-boosted trees.
    Gbdt,
}

/// Parameters of [`TabularRegressor::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RegressorParams {
    /// The ensemble.
    pub kind: RegressorKind,
    /// Forest parameters.
    pub forest: ForestParams,
    /// GBDT parameters.
    pub gbdt: GbdtParams,
    /// Categories seen fewer times share the `other` bucket (0 or 1 = every category).
    pub min_category_count: usize,
}

impl RegressorParams {
    /// Check the parameters of the chosen ensemble.
    pub fn validate(&self) -> Result<()> {
        match self.kind {
            RegressorKind::Gbdt => self.gbdt.validate(),
            _ => self.forest.validate(),
        }
    }
}

/// The fitted ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Ensemble {
    /// A random forest.
    Forest(RandomForest),
    /// Gradient-boosted trees.
    Gbdt(GradientBoosting),
}

/// A fitted tabular regressor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TabularRegressor {
    /// The encoder.
    pub encoder: Encoder,
    /// The ensemble.
    pub model: Ensemble,
    /// Importance per original column (summing to 1, or all 0 when no tree split).
    pub feature_importances: Vec<f64>,
}

impl TabularRegressor {
    /// Fit on `data` and targets `y`.
    ///
    /// Errors: invalid parameters, no rows or columns, a target count that differs from the
    /// rows, non-finite targets. Infinite feature values are rejected when the table is built;
    /// NaN numeric values are missing values.
    ///
    /// ```
    /// use edupulse_learn::{RegressorParams, TabularData, TabularRegressor};
    /// let hour: Vec<f64> = (0..60).map(|i| (i % 12) as f64).collect();
    /// let day: Vec<&str> = (0..60).map(|i| if i % 2 == 0 { "mon" } else { "tue" }).collect();
    /// let y: Vec<f64> = (0..60).map(|i| (i % 12) as f64 + if i % 2 == 0 { 0.0 } else { 5.0 }).collect();
    /// let data = TabularData::new().with_numeric("hour", &hour).unwrap().with_categorical("day", &day).unwrap();
    /// let m = TabularRegressor::fit(&data, &y, &RegressorParams::default()).unwrap();
    /// assert_eq!(m.predict(&data).unwrap().len(), 60);
    /// ```
    pub fn fit(
        data: &TabularData,
        y: &[f64],
        params: &RegressorParams,
    ) -> Result<TabularRegressor> {
        params.validate()?;
        if data.n_rows() == 0 {
            return Err(LearnError::validation(
                super::data::TABLE,
                None,
                None,
                "empty training set",
            ));
        }
        if y.len() != data.n_rows() {
            return Err(LearnError::validation(
                "y",
                None,
                None,
                format!("{} targets for {} rows", y.len(), data.n_rows()),
            ));
        }
        let encoder = Encoder::fit(data, &EncoderParams::categories(params.min_category_count))?;
        let x = encoder.transform(data)?;
        let p = encoder.n_features();
        let model = match params.kind {
            RegressorKind::Gbdt => Ensemble::Gbdt(GradientBoosting::fit(&x, p, y, &params.gbdt)?),
            _ => Ensemble::Forest(RandomForest::fit(&x, p, y, &params.forest)?),
        };
        let imp = match &model {
            Ensemble::Forest(f) => &f.feature_importances,
            Ensemble::Gbdt(g) => &g.feature_importances,
        };
        let mut per_col = vec![0.0; encoder.columns.len()];
        for (f, v) in encoder.features.iter().zip(imp) {
            if let Some(c) = per_col.get_mut(f.source) {
                *c += v;
            }
        }
        Ok(TabularRegressor {
            encoder,
            model,
            feature_importances: per_col,
        })
    }

    /// Predictions for the rows of `data` (columns matched by name).
    pub fn predict(&self, data: &TabularData) -> Result<Vec<f64>> {
        let x = self.encoder.transform(data)?;
        let p = self.encoder.n_features();
        match &self.model {
            Ensemble::Forest(f) => f.predict(&x, p),
            Ensemble::Gbdt(g) => g.predict(&x, p),
        }
    }

    /// Predictions with `1 − alpha` intervals (forest: quantile regression forest; GBDT:
    /// split-conformal).
    pub fn predict_interval(
        &self,
        data: &TabularData,
        alpha: f64,
    ) -> Result<Vec<PredictionInterval>> {
        let x = self.encoder.transform(data)?;
        let p = self.encoder.n_features();
        match &self.model {
            Ensemble::Forest(f) => f.predict_interval(&x, p, alpha),
            Ensemble::Gbdt(g) => g.predict_interval(&x, p, alpha),
        }
    }
}
