"""Demand: attendance prediction by segment with intervals, and the best day and hour for a webinar."""

from typing import Any, Dict, Iterable, Optional, Sequence, Union

import numpy as np
import pandas as pd

from ._base import Estimator, RegressorMixin

__all__ = ["DemandModel", "GradientBoostingRegressor", "RandomForestRegressor"]

class _TreeRegressor(RegressorMixin, Estimator):
    feature_importances_: np.ndarray
    n_features_in_: int
    n_estimators_: int
    feature_names_in_: np.ndarray
    def fit(self, X: Any, y: Any, *, progress: Any = False) -> "_TreeRegressor": ...
    def predict(self, X: Any) -> np.ndarray: ...
    def predict_interval(self, X: Any, alpha: float = 0.1) -> np.ndarray: ...

class RandomForestRegressor(_TreeRegressor):
    n_estimators: int
    max_depth: Optional[int]
    min_samples_leaf: int
    max_features: Union[None, str, int, float]
    bootstrap: bool
    max_bins: int
    random_state: Optional[int]
    n_jobs: Optional[int]
    def __init__(
        self,
        *,
        n_estimators: int = ...,
        max_depth: Optional[int] = ...,
        min_samples_leaf: int = ...,
        max_features: Union[None, str, int, float] = ...,
        bootstrap: bool = ...,
        max_bins: int = ...,
        random_state: Optional[int] = None,
        n_jobs: Optional[int] = None,
    ) -> None: ...
    def fit(self, X: Any, y: Any, *, progress: Any = False) -> "RandomForestRegressor": ...

class GradientBoostingRegressor(_TreeRegressor):
    learning_rate: float
    max_iter: int
    max_leaf_nodes: Optional[int]
    max_depth: Optional[int]
    min_samples_leaf: int
    l2_regularization: float
    max_bins: int
    early_stopping: bool
    validation_fraction: float
    n_iter_no_change: int
    tol: float
    random_state: Optional[int]
    def __init__(
        self,
        *,
        learning_rate: float = ...,
        max_iter: int = ...,
        max_leaf_nodes: Optional[int] = ...,
        max_depth: Optional[int] = ...,
        min_samples_leaf: int = ...,
        l2_regularization: float = ...,
        max_bins: int = ...,
        early_stopping: bool = ...,
        validation_fraction: float = ...,
        n_iter_no_change: int = ...,
        tol: float = ...,
        random_state: Optional[int] = None,
    ) -> None: ...
    def fit(self, X: Any, y: Any, *, progress: Any = False) -> "GradientBoostingRegressor": ...

class DemandModel(Estimator):
    model: str
    n_estimators: int
    min_samples_leaf: int
    max_features: Union[None, str, int, float]
    alpha: float
    min_category_count: int
    random_state: Optional[int]
    importances_: Dict[str, float]
    def __init__(
        self,
        *,
        model: str = "forest",
        n_estimators: int = ...,
        min_samples_leaf: int = ...,
        max_features: Union[None, str, int, float] = ...,
        alpha: float = ...,
        min_category_count: int = ...,
        random_state: Optional[int] = ...,
    ) -> None: ...
    def fit(self, webinars: Any, registrations: Any, *, progress: Any = False) -> "DemandModel": ...
    def predict(self, df: Any, *, output: str = "pandas") -> Any: ...
    def best_slots(
        self,
        webinar: Any,
        days: Iterable[Any] = ...,
        hours: Iterable[int] = ...,
        top: int = 5,
        *,
        others: Any = None,
        blocked: Optional[Sequence[Any]] = None,
        min_gap_hours: float = 24.0,
        output: str = "pandas",
    ) -> Any: ...
