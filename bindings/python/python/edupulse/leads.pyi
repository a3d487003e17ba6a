"""Lead scoring: engagement points with time decay, and the learned conversion model."""

from typing import Any, Dict, Mapping, Optional

import numpy as np
import pandas as pd

from ._base import Estimator
from .churn import _TabularClassifier

__all__ = ["DEFAULT_WEIGHTS", "LeadModel", "LeadScorer"]

DEFAULT_WEIGHTS: Dict[str, float]

class LeadScorer(Estimator):
    weights: Optional[Mapping[str, float]]
    half_life_days: float
    hot: float
    warm: float
    is_fitted_: bool
    def __init__(
        self,
        *,
        weights: Optional[Mapping[str, float]] = None,
        half_life_days: float = ...,
        hot: float = ...,
        warm: float = ...,
    ) -> None: ...
    def fit(self, X: Any = None, y: Any = None) -> "LeadScorer": ...
    def score(self, lead_events: Any, as_of: Any = None, *, output: str = "pandas") -> Any: ...

class LeadModel(_TabularClassifier): ...
