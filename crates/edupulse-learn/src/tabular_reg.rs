//! A regressor over named categorical and numeric columns: the shared [`Encoder`] (one-hot with an
//! `other` bucket for rare and unseen categories, NaN = missing → training mean plus a missing
//! indicator) in front of a [`RandomForest`] or a [`GradientBoosting`] model. This is the one
//! tabular pipeline: the Python `RandomForestRegressor` / `GradientBoostingRegressor` fit it on
//! DataFrames and arrays, and the demand model (`edupulse_core::demand`) holds one.
//!
//! # Two intervals, two questions
//!
//! A forest can answer two different questions, and mixing them up was how the same forest used
//! to give two different "90 % intervals":
//!
//! - [`TabularRegressor::predict_interval`] — a **prediction interval**: where the target of a
//!   new row will fall. Forest: quantile regression forest (Meinshausen 2006) over the in-bag
//!   targets of the leaves; GBDT: split-conformal on held-out residuals. A 90 % interval covers
//!   about 90 % of new targets. Use it for quantities observed one at a time (a count, an amount).
//! - [`TabularRegressor::predict_mean_interval`] — an **interval for the conditional mean**: how
//!   uncertain the model's estimate of the expected target is. Forest: the `alpha/2` and
//!   `1 − alpha/2` quantiles of the per-tree predictions; GBDT: the same quantiles over GBDTs
//!   refitted on bootstrap resamples (`RegressorParams::replicates`, resampling rows or the
//!   groups given to [`TabularRegressor::fit_grouped`]); zero width without replicates. Use it
//!   for rates: with 0/1 targets (attended or not) every prediction interval is [0, 1], while
//!   the rate's uncertainty is what a planner needs.
//!
//! Each name has one meaning for both ensembles.

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
    /// GBDT only: models refitted on bootstrap resamples (of the rows, or of the groups given
    /// to [`TabularRegressor::fit_grouped`]) for [`TabularRegressor::predict_mean_interval`];
    /// 0 = none (a zero-width mean interval). Ignored by the forest, whose trees already are
    /// bootstrap fits.
    pub replicates: usize,
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
    /// GBDT only: the bootstrap refits behind [`TabularRegressor::predict_mean_interval`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicates: Vec<GradientBoosting>,
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
        Self::fit_grouped(data, y, None, params)
    }

    /// [`fit`](Self::fit) where rows come in groups that share their uncertainty (e.g. the
    /// registrations of one webinar share its slot, topic and audience): the GBDT's bootstrap
    /// replicates resample whole groups. `groups[i]` is row `i`'s group (any integers);
    /// `None` = every row its own group.
    ///
    /// Errors: as [`fit`](Self::fit), and a `groups` length that differs from the rows.
    pub fn fit_grouped(
        data: &TabularData,
        y: &[f64],
        groups: Option<&[usize]>,
        params: &RegressorParams,
    ) -> Result<TabularRegressor> {
        params.validate()?;
        if let Some(g) = groups.filter(|g| g.len() != data.n_rows()) {
            return Err(LearnError::validation(
                "groups",
                None,
                None,
                format!("{} groups for {} rows", g.len(), data.n_rows()),
            ));
        }
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
        let (model, replicates) = match params.kind {
            RegressorKind::Gbdt => (
                Ensemble::Gbdt(GradientBoosting::fit(&x, p, y, &params.gbdt)?),
                gbdt_replicates(&x, p, y, groups, params)?,
            ),
            _ => (
                Ensemble::Forest(RandomForest::fit(&x, p, y, &params.forest)?),
                Vec::new(),
            ),
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
            replicates,
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

    /// Predictions with `1 − alpha` **prediction intervals** for the targets of new rows
    /// (forest: quantile regression forest; GBDT: split-conformal). See the
    /// [module docs](self) for how this differs from
    /// [`predict_mean_interval`](Self::predict_mean_interval).
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

    /// Predictions with `1 − alpha` **intervals for the conditional mean** (forest: quantiles of
    /// the per-tree predictions, around their mean; GBDT: quantiles over the bootstrap
    /// replicates, around the full model's prediction, zero width when fitted without
    /// replicates). See the [module docs](self).
    ///
    /// Errors: `alpha` outside (0, 1); columns that do not match the training columns.
    pub fn predict_mean_interval(
        &self,
        data: &TabularData,
        alpha: f64,
    ) -> Result<Vec<PredictionInterval>> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(LearnError::param("alpha", "must be in (0, 1)"));
        }
        let MemberPredictions { point, members } = self.member_predictions(data)?;
        Ok(point
            .iter()
            .enumerate()
            .map(|(i, &m)| {
                let (lower, upper) = members
                    .as_ref()
                    .and_then(|s| s.get(i).cloned())
                    .map_or((m, m), |v| spread_quantiles(v, alpha));
                PredictionInterval {
                    prediction: m,
                    lower,
                    upper,
                }
            })
            .collect())
    }

    /// The point predictions and, per row, the predictions of the members behind
    /// [`predict_mean_interval`](Self::predict_mean_interval) (forest: every tree, whose mean is
    /// the point; GBDT: every bootstrap replicate, `None` without replicates). For callers that
    /// aggregate rows before taking the interval (a weighted mix of segments): aggregate each
    /// member, then apply [`spread_quantiles`].
    pub fn member_predictions(&self, data: &TabularData) -> Result<MemberPredictions> {
        let x = self.encoder.transform(data)?;
        let p = self.encoder.n_features();
        Ok(match &self.model {
            Ensemble::Forest(f) => {
                let per_tree = f.tree_predictions(&x, p)?;
                let point = per_tree
                    .iter()
                    .map(|t| t.iter().sum::<f64>() / t.len().max(1) as f64)
                    .collect();
                MemberPredictions {
                    point,
                    members: Some(per_tree),
                }
            }
            Ensemble::Gbdt(g) => {
                let point = g.predict(&x, p)?;
                let members = if self.replicates.is_empty() {
                    None
                } else {
                    let mut per_row = vec![Vec::with_capacity(self.replicates.len()); point.len()];
                    for r in &self.replicates {
                        for (row, v) in per_row.iter_mut().zip(r.predict(&x, p)?) {
                            row.push(v);
                        }
                    }
                    Some(per_row)
                };
                MemberPredictions { point, members }
            }
        })
    }
}

/// What [`TabularRegressor::member_predictions`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberPredictions {
    /// The point prediction per row.
    pub point: Vec<f64>,
    /// `members[row][member]`: each tree's (forest) or bootstrap replicate's (GBDT) prediction;
    /// `None` for a GBDT fitted without replicates.
    pub members: Option<Vec<Vec<f64>>>,
}

/// The `alpha/2` and `1 − alpha/2` quantiles of `values` (nearest rank on `(n − 1)·q`; NaN
/// when `values` is empty): the mean interval from member predictions.
pub fn spread_quantiles(mut values: Vec<f64>, alpha: f64) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let q = |a: f64| {
        let k = ((values.len() as f64 - 1.0) * a).round() as usize;
        values.get(k).copied().unwrap_or(f64::NAN)
    };
    (q(alpha / 2.0), q(1.0 - alpha / 2.0))
}

/// GBDTs fitted on bootstrap resamples of the groups (a group's rows stay together), in
/// parallel on the thread budget; replicate `b` uses seed `gbdt.seed + 1 + b`.
fn gbdt_replicates(
    x: &[f64],
    p: usize,
    y: &[f64],
    groups: Option<&[usize]>,
    params: &RegressorParams,
) -> Result<Vec<GradientBoosting>> {
    use rand::{Rng, SeedableRng};
    if params.replicates == 0 {
        return Ok(Vec::new());
    }
    // Groups in increasing order of their ids, each with its rows.
    let rows_of: Vec<Vec<usize>> = match groups {
        Some(g) => {
            let mut by_id: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
            for (i, &k) in g.iter().enumerate() {
                by_id.entry(k).or_default().push(i);
            }
            by_id.into_values().collect()
        }
        None => (0..y.len()).map(|i| vec![i]).collect(),
    };
    let n_groups = rows_of.len();
    let fit_one = |b: usize| -> Result<GradientBoosting> {
        let seed = params.gbdt.seed.wrapping_add(1 + b as u64);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let (mut xb, mut yb) = (Vec::with_capacity(x.len()), Vec::with_capacity(y.len()));
        for _ in 0..n_groups {
            for &i in rows_of
                .get(rng.gen_range(0..n_groups))
                .map_or(&[][..], Vec::as_slice)
            {
                xb.extend_from_slice(x.get(i * p..(i + 1) * p).unwrap_or(&[]));
                yb.push(y.get(i).copied().unwrap_or(0.0));
            }
        }
        let gp = GbdtParams {
            seed,
            ..params.gbdt.clone()
        };
        GradientBoosting::fit(&xb, p, &yb, &gp)
    };
    // Workers watch the caller's progress monitor, so Ctrl-C stops them too.
    crate::parallel::map(params.replicates, fit_one)
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 0/1 targets with a rate that depends on `x` (0.2 for x < 5, 0.7 above), 40 rows per
    /// group of 4 values of x.
    fn rates() -> (TabularData, Vec<f64>, Vec<usize>) {
        let n = 2000;
        let x: Vec<f64> = (0..n).map(|i| (i % 10) as f64).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| {
                let r = if i % 10 < 5 { 0.2 } else { 0.7 };
                // A deterministic low-discrepancy sequence instead of a random draw.
                let u = ((i / 10) as f64 * 0.618_033_988_75).fract();
                f64::from(u8::from(u < r))
            })
            .collect();
        let groups = (0..n).map(|i| i / 40).collect();
        let data = TabularData::new().with_numeric("x", &x).unwrap();
        (data, y, groups)
    }

    #[test]
    fn the_mean_interval_is_narrow_around_a_rate_and_the_prediction_interval_is_not() {
        let (data, y, groups) = rates();
        for kind in [RegressorKind::Forest, RegressorKind::Gbdt] {
            let params = RegressorParams {
                kind,
                replicates: 20,
                ..RegressorParams::default()
            };
            let m = TabularRegressor::fit_grouped(&data, &y, Some(&groups), &params).unwrap();
            let mean = m.predict_mean_interval(&data, 0.1).unwrap();
            let pred = m.predict_interval(&data, 0.1).unwrap();
            let point = m.predict(&data).unwrap();
            for ((mi, pi), p) in mean.iter().zip(&pred).zip(&point) {
                assert!((mi.prediction - p).abs() < 1e-12, "{kind:?}: same point");
                assert!(
                    mi.lower <= mi.prediction && mi.prediction <= mi.upper,
                    "{kind:?}"
                );
                assert!(
                    mi.upper - mi.lower < 0.3,
                    "{kind:?}: the rate is known to ±0.15: {mi:?}"
                );
                assert!(
                    pi.upper - pi.lower > mi.upper - mi.lower,
                    "{kind:?}: a 0/1 outcome is less certain than its rate: {pi:?} vs {mi:?}"
                );
            }
            // The rate itself: 0.2 below x = 5, 0.7 above.
            assert!(
                (mean[0].prediction - 0.2).abs() < 0.1,
                "{kind:?}: {:?}",
                mean[0]
            );
            assert!(
                (mean[9].prediction - 0.7).abs() < 0.1,
                "{kind:?}: {:?}",
                mean[9]
            );
            // Members: trees of the forest, replicates of the GBDT.
            let members = m.member_predictions(&data).unwrap();
            let n_members = members.members.as_ref().map(|v| v[0].len());
            match kind {
                RegressorKind::Forest => assert_eq!(n_members, Some(params.forest.n_trees)),
                _ => assert_eq!(n_members, Some(20)),
            }
        }
    }

    #[test]
    fn a_gbdt_without_replicates_has_a_zero_width_mean_interval_and_bad_groups_are_named() {
        let (data, y, groups) = rates();
        let params = RegressorParams {
            kind: RegressorKind::Gbdt,
            ..RegressorParams::default()
        };
        let m = TabularRegressor::fit(&data, &y, &params).unwrap();
        assert!(m.replicates.is_empty());
        for iv in m.predict_mean_interval(&data, 0.1).unwrap() {
            assert_eq!((iv.lower, iv.upper), (iv.prediction, iv.prediction));
        }
        let err = m.predict_mean_interval(&data, 1.5).unwrap_err();
        assert!(err.to_string().contains("alpha"), "{err}");
        let err =
            TabularRegressor::fit_grouped(&data, &y, Some(&groups[1..]), &params).unwrap_err();
        assert!(err.to_string().contains("groups"), "{err}");
        // Pickled models without replicates read back (the field is optional).
        let text = serde_json::to_string(&m).unwrap();
        assert!(!text.contains("\"replicates\""));
        let back: TabularRegressor = serde_json::from_str(&text).unwrap();
        assert_eq!(back, m);
    }
}
