//! linfa and ndarray at the edge (feature `linfa`): our estimators as linfa estimators.
//!
//! [`ForestParams`], [`GbdtParams`] and [`LogisticParams`] implement [`linfa::ParamGuard`]
//! (checked by their own `validate()`) and, through it, [`linfa::traits::Fit`] over any
//! `DatasetBase<ArrayBase<_, Ix2>, ArrayBase<_, Ix1>>` of `f64` records (and `f64` targets for
//! the regressors, `bool` targets for the logistic regression); [`RandomForest`],
//! [`GradientBoosting`] and [`Logistic`] implement [`linfa::traits::PredictInplace`], so linfa's
//! `Predict`, `cross_validate` and metrics work with them. Nothing is decided here: a standard
//! layout (row-major, contiguous) matrix is read in place (zero-copy) by the slice API, any other
//! layout is copied once into row-major order. The fitted models are the slice API's, so a
//! model fitted here predicts exactly what the same fit through the slice API predicts.
//!
//! ```
//! use edupulse_learn::{ForestParams, RandomForest};
//! use linfa::prelude::*;
//! use ndarray::{Array1, Array2};
//! let x = Array2::from_shape_fn((200, 1), |(i, _)| (i % 20) as f64);
//! let y: Array1<f64> = x.column(0).mapv(|v| if v < 10.0 { 1.0 } else { 5.0 });
//! let data = Dataset::new(x, y);
//! let params = ForestParams { n_trees: 10, ..Default::default() };
//! let forest: RandomForest = params.fit(&data).unwrap();
//! // The inherent `predict(x, p)` takes slices; linfa's `Predict` takes arrays and datasets.
//! let pred: Array1<f64> = Predict::predict(&forest, data.records());
//! assert!(pred.r2(data.targets()).unwrap() > 0.99);
//! ```

use crate::error::{LearnError, Result};
use crate::{ForestParams, GbdtParams, GradientBoosting, Logistic, LogisticParams, RandomForest};
use linfa::dataset::DatasetBase;
use linfa::traits::{Fit, PredictInplace};
use linfa::ParamGuard;
use ndarray::{Array1, ArrayBase, Data, Ix1, Ix2};
use ref_cast::RefCast;
use std::borrow::Cow;

/// A row-major slice of a 2-D array: borrowed when its layout is standard, copied otherwise.
fn row_major<D: Data<Elem = f64>>(x: &ArrayBase<D, Ix2>) -> Cow<'_, [f64]> {
    match x.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(x.iter().copied().collect()),
    }
}

/// A 1-D array as a slice: borrowed when contiguous, copied otherwise.
fn contiguous<T: Clone, S: Data<Elem = T>>(y: &ArrayBase<S, Ix1>) -> Cow<'_, [T]> {
    match y.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(y.iter().cloned().collect()),
    }
}

macro_rules! checked_params {
    ($(#[$doc:meta])* $valid:ident, $params:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, RefCast)]
        #[repr(transparent)]
        pub struct $valid(pub $params);

        impl ParamGuard for $params {
            type Checked = $valid;
            type Error = LearnError;

            fn check_ref(&self) -> Result<&$valid> {
                self.validate()?;
                Ok($valid::ref_cast(self))
            }

            fn check(self) -> Result<$valid> {
                self.validate()?;
                Ok($valid(self))
            }
        }
    };
}

checked_params!(
    /// [`ForestParams`] that passed `validate()` (what linfa's `Fit` runs on).
    ValidForestParams,
    ForestParams
);
checked_params!(
    /// [`GbdtParams`] that passed `validate()`.
    ValidGbdtParams,
    GbdtParams
);
checked_params!(
    /// [`LogisticParams`] that passed `validate()`.
    ValidLogisticParams,
    LogisticParams
);

impl<D, S> Fit<ArrayBase<D, Ix2>, ArrayBase<S, Ix1>, LearnError> for ValidForestParams
where
    D: Data<Elem = f64>,
    S: Data<Elem = f64>,
{
    type Object = RandomForest;

    fn fit(
        &self,
        data: &DatasetBase<ArrayBase<D, Ix2>, ArrayBase<S, Ix1>>,
    ) -> Result<RandomForest> {
        let x = row_major(&data.records);
        let y = contiguous(&data.targets);
        RandomForest::fit(&x, data.records.ncols(), &y, &self.0)
    }
}

impl<D, S> Fit<ArrayBase<D, Ix2>, ArrayBase<S, Ix1>, LearnError> for ValidGbdtParams
where
    D: Data<Elem = f64>,
    S: Data<Elem = f64>,
{
    type Object = GradientBoosting;

    fn fit(
        &self,
        data: &DatasetBase<ArrayBase<D, Ix2>, ArrayBase<S, Ix1>>,
    ) -> Result<GradientBoosting> {
        let x = row_major(&data.records);
        let y = contiguous(&data.targets);
        GradientBoosting::fit(&x, data.records.ncols(), &y, &self.0)
    }
}

impl<D, S> Fit<ArrayBase<D, Ix2>, ArrayBase<S, Ix1>, LearnError> for ValidLogisticParams
where
    D: Data<Elem = f64>,
    S: Data<Elem = bool>,
{
    type Object = Logistic;

    fn fit(&self, data: &DatasetBase<ArrayBase<D, Ix2>, ArrayBase<S, Ix1>>) -> Result<Logistic> {
        let x = row_major(&data.records);
        let y = contiguous(&data.targets);
        Logistic::fit(&x, data.records.ncols(), &y, &self.0)
    }
}

/// Write `pred` into `y`, or NaN everywhere when prediction failed (linfa's `PredictInplace`
/// cannot return an error; a wrong width or non-finite feature gives NaN predictions).
fn fill<T: Copy>(y: &mut Array1<T>, pred: Result<Vec<T>>, bad: T) {
    match pred {
        Ok(p) if p.len() == y.len() => y.iter_mut().zip(p).for_each(|(o, v)| *o = v),
        _ => y.fill(bad),
    }
}

impl<D: Data<Elem = f64>> PredictInplace<ArrayBase<D, Ix2>, Array1<f64>> for RandomForest {
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<f64>) {
        fill(y, self.predict(&row_major(x), x.ncols()), f64::NAN);
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<f64> {
        Array1::zeros(x.nrows())
    }
}

impl<D: Data<Elem = f64>> PredictInplace<ArrayBase<D, Ix2>, Array1<f64>> for GradientBoosting {
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<f64>) {
        fill(y, self.predict(&row_major(x), x.ncols()), f64::NAN);
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<f64> {
        Array1::zeros(x.nrows())
    }
}

/// Classes (probability ≥ 0.5); on a wrong width every row is `false`.
impl<D: Data<Elem = f64>> PredictInplace<ArrayBase<D, Ix2>, Array1<bool>> for Logistic {
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<bool>) {
        fill(y, self.predict(&row_major(x), x.ncols()), false);
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<bool> {
        Array1::from_elem(x.nrows(), false)
    }
}

/// Probabilities of class 1.
impl<D: Data<Elem = f64>> PredictInplace<ArrayBase<D, Ix2>, Array1<f64>> for Logistic {
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<f64>) {
        fill(y, self.predict_proba(&row_major(x), x.ncols()), f64::NAN);
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<f64> {
        Array1::zeros(x.nrows())
    }
}
