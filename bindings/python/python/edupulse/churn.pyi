"""Churn and lifetime value: buy-till-you-die models and the explained risk classifier."""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from ._base import ClassifierMixin, Estimator

__all__ = [
    "BetaGeoModel",
    "ChurnClassifier",
    "GammaGammaModel",
    "ParetoNBDModel",
    "summary_from_transactions",
]

class _TransactionModel(Estimator):
    _kind: str
    _names: Tuple[str, ...]
    penalizer_coef: float
    max_iter: int
    tolerance: float
    params_: Dict[str, float]
    log_likelihood_: float
    standard_errors_: Dict[str, float]
    iterations_: int
    def __init__(self, *, penalizer_coef: float = ..., max_iter: int = ..., tolerance: float = ...) -> None: ...
    def fit(self, frequency: Any, recency: Any, T: Any) -> "_TransactionModel": ...
    def _set_fit(self, p: Sequence[float], ll: float, se: Sequence[float], it: int) -> None: ...
    def _p(self) -> List[float]: ...
    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any: ...
    def conditional_expected_number_of_purchases_up_to_time(
        self, t: float, frequency: Any, recency: Any, T: Any
    ) -> Any: ...

class BetaGeoModel(_TransactionModel): ...
class ParetoNBDModel(_TransactionModel): ...

class GammaGammaModel(Estimator):
    _names: Tuple[str, ...]
    penalizer_coef: float
    max_iter: int
    tolerance: float
    params_: Dict[str, float]
    log_likelihood_: float
    standard_errors_: Dict[str, float]
    iterations_: int
    def __init__(self, *, penalizer_coef: float = ..., max_iter: int = ..., tolerance: float = ...) -> None: ...
    def fit(self, frequency: Any, monetary_value: Any) -> "GammaGammaModel": ...
    def _set_fit(self, p: Sequence[float], ll: float, se: Sequence[float], it: int) -> None: ...
    def _p(self) -> List[float]: ...
    def conditional_expected_average_profit(self, frequency: Any, monetary_value: Any) -> Any: ...
    def customer_lifetime_value(
        self,
        bgf: _TransactionModel,
        frequency: Any,
        recency: Any,
        T: Any,
        monetary_value: Any,
        time: int = 12,
        discount_rate: float = 0.01,
        freq: str = "W",
    ) -> Any: ...

def summary_from_transactions(
    df: Any,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: Optional[str] = None,
    observation_period_end: Any = None,
    freq: str = "W",
    *,
    output: str = "pandas",
) -> Any: ...

def _labels(y: Any) -> Tuple[List[bool], np.ndarray]: ...

class _TabularClassifier(ClassifierMixin, Estimator):
    _defaults: Dict[str, Any]
    model: str
    params: Optional[Mapping[str, Any]]
    model_: Any
    columns_: List[Tuple[str, bool]]
    n_features_in_: int
    classes_: np.ndarray
    feature_names_in_: np.ndarray
    def __init__(self, *, model: str = "logistic", params: Optional[Mapping[str, Any]] = None) -> None: ...
    def fit(self, X: Any, y: Any, *, progress: Any = False) -> "_TabularClassifier": ...
    def _set_fitted(self, model: Any, classes: np.ndarray) -> None: ...
    def predict_proba(self, X: Any) -> np.ndarray: ...
    def predict(self, X: Any) -> np.ndarray: ...
    def explain(self, X: Any, top: int = 3) -> pd.DataFrame: ...

class ChurnClassifier(_TabularClassifier):
    def __init__(self, *, model: str = "ensemble", params: Optional[Mapping[str, Any]] = None) -> None: ...
