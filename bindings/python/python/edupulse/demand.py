"""Demand: attendance prediction by segment with intervals, and the best day and hour for a webinar.

- ``RandomForestRegressor`` and ``GradientBoostingRegressor``: scikit-learn-style regressors over
  numpy arrays or pandas / polars DataFrames (categorical columns are one-hot encoded with an
  ``other`` bucket that also takes categories never seen in training; NaN in a numeric column is
  a missing value; infinite values raise ``ValidationError``). ``predict_interval(X, alpha)``
  returns an ``n × 2`` array of lower and upper bounds (forest: quantile regression forest;
  GBDT: split-conformal on the early-stopping validation split). Fitted models pickle (serde
  bytes from Rust).
- ``DemandModel``: ``fit(webinars, registrations)`` on the data-contract tables, ``predict(df)``
  per webinar, ``best_slots(webinar, days=..., hours=..., top=5)``.

Example::

    >>> import numpy as np
    >>> from edupulse.demand import RandomForestRegressor
    >>> X = np.arange(200, dtype=float).reshape(-1, 1) % 20
    >>> y = (X[:, 0] >= 10).astype(float)
    >>> m = RandomForestRegressor(n_estimators=10, random_state=0).fit(X, y)
    >>> m.predict(np.array([[3.0], [15.0]])).round(3).tolist() == [0.0, 1.0]
    True
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _edupulse as _native
from . import _interop
from ._checks import check_bool, check_float, check_int, check_str
from .exceptions import ParameterError
from ._base import Estimator, RegressorMixin, _check_fitted, _watch
from .churn import _columns, _f64, _out

__all__ = ["DemandModel", "GradientBoostingRegressor", "RandomForestRegressor"]

_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _seed(random_state: Optional[int]) -> int:
    if random_state is None:
        return int.from_bytes(os.urandom(8), "little") >> 1
    return check_int("random_state", random_state, minimum=0)


def _n_jobs(n_jobs: Any) -> int:
    """``n_jobs`` as a thread count: None or a negative int means the process's thread budget."""
    n = check_int("n_jobs", n_jobs, optional=True)
    return _native._get_num_threads() if n is None or n < 0 else n


#: Rust's defaults: the tabular regressors (``learn::RegressorParams::default()``) and the demand
#: model (``demand::DemandParams::default()``).
_REGRESSOR: Dict[str, Any] = _native.defaults("regressor")
_DEMAND: Dict[str, Any] = _native.defaults("demand")


def _max_features_default(v: Any) -> Union[None, str, int, float]:
    """Rust's serialised ``MaxFeatures`` as the Python hyper-parameter (inverse of
    ``_max_features``)."""
    if v == "all":
        return None
    if isinstance(v, str):
        return v
    if "fraction" in v:
        return float(v["fraction"])
    return int(v["count"])


def _max_features(v: Any) -> Any:
    if v is None or v == 1.0 and isinstance(v, float):
        return "all"
    if v in ("sqrt", "log2"):
        return v
    expected = "expected None, 'sqrt', 'log2', a float in (0, 1] or an int"
    if isinstance(v, (bool, np.bool_)):
        raise ParameterError(parameter="max_features", message=f"{expected}, got {v!r}")
    if isinstance(v, (int, np.integer)):
        return {"count": int(v)}
    if isinstance(v, (float, np.floating)) and v == v:
        return {"fraction": float(v)}
    raise ParameterError(parameter="max_features", message=f"{expected}, got {v!r}")


class _TreeRegressor(RegressorMixin, Estimator):
    _kind = ""

    def _params(self) -> Dict[str, Any]:
        raise NotImplementedError

    def fit(self, X: Any, y: Any, *, progress: Any = False) -> "_TreeRegressor":
        """Fit on ``X`` (array or DataFrame) and ``y``; returns ``self``. ``progress=True`` shows
        a progress bar (one step per tree); Ctrl-C stops the fit with ``KeyboardInterrupt``."""
        cols = _columns(X)
        yy = np.asarray(y, dtype="float64").reshape(-1)
        with _watch(progress, f"{type(self).__name__}.fit") as callback:
            self._model = _native.NativeRegressor.fit(
                self._kind, cols, _f64(yy), self._params(), callback
            )
        self._set_fitted(X)
        return self

    def _set_fitted(self, X: Any = None) -> None:
        self._kinds = self._model.columns()
        self.feature_importances_ = np.asarray(self._model.feature_importances(), dtype=float)
        self.n_features_in_ = len(self._kinds)
        self.n_estimators_ = self._model.n_trees()
        if isinstance(X, np.ndarray):
            self.__dict__.pop("feature_names_in_", None)  # from an earlier fit on a DataFrame
        elif X is not None:
            self.feature_names_in_ = np.asarray([k for k, _ in self._kinds], dtype=object)

    def predict(self, X: Any) -> np.ndarray:
        """Point predictions."""
        _check_fitted(self)
        return _out(self._model.predict(_columns(X, self._kinds)))

    def predict_interval(self, X: Any, alpha: float = 0.1, kind: str = "prediction") -> np.ndarray:
        """``n × 2`` array of the lower and upper bounds of the ``1 − alpha`` interval.

        ``kind="prediction"`` (default): where a new row's target will fall (forest: quantile
        regression forest; GBDT: split-conformal). ``kind="mean"``: how uncertain the predicted
        conditional mean is (forest: quantiles of the per-tree predictions; GBDT: quantiles over
        ``n_replicates`` bootstrap refits, zero width without them) — what a rate of 0/1
        outcomes needs, where every prediction interval is [0, 1]."""
        _check_fitted(self)
        kind = check_str("kind", kind)
        _, lo, hi = self._model.predict_interval(
            _columns(X, self._kinds), check_float("alpha", alpha), kind
        )
        return np.column_stack([_out(lo), _out(hi)])

    def _state(self) -> Any:
        return {
            "model": self._model.state(),
            "names": None if not hasattr(self, "feature_names_in_") else list(self.feature_names_in_),
        }

    def _from_state(self, state: Any) -> None:
        self._model = _native.NativeRegressor.from_state(state["model"])
        self._set_fitted()
        if state.get("names") is not None:
            self.feature_names_in_ = np.asarray(state["names"], dtype=object)


class RandomForestRegressor(_TreeRegressor):
    """Random forest of histogram regression trees (bootstrap, ``max_features`` per split).

    Like scikit-learn's: ``max_features=None`` examines every feature, ``min_samples_leaf`` counts
    distinct rows, trees grow until pure unless ``max_depth`` stops them. ``random_state=None``
    draws a seed. ``n_jobs=None`` (or −1) uses the process's thread budget
    (``edupulse.set_num_threads``, default 2); tree ``i`` has its own random stream, so the result
    does not depend on the thread count.
    """

    _kind = "forest"

    def __init__(
        self,
        *,
        n_estimators: int = _REGRESSOR["forest"]["n_trees"],
        max_depth: Optional[int] = _REGRESSOR["forest"]["max_depth"],
        min_samples_leaf: int = _REGRESSOR["forest"]["min_samples_leaf"],
        max_features: Union[None, str, int, float] = _max_features_default(
            _REGRESSOR["forest"]["max_features"]
        ),
        bootstrap: bool = _REGRESSOR["forest"]["bootstrap"],
        max_bins: int = _REGRESSOR["forest"]["max_bins"],
        random_state: Optional[int] = None,
        n_jobs: Optional[int] = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.max_bins = max_bins
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _params(self) -> Dict[str, Any]:
        n_jobs = self.n_jobs
        return (
            {
                "forest": {
                    "n_trees": check_int("n_estimators", self.n_estimators, minimum=0),
                    "max_depth": check_int("max_depth", self.max_depth, minimum=0, optional=True),
                    "min_samples_leaf": check_int("min_samples_leaf", self.min_samples_leaf, minimum=0),
                    "max_features": _max_features(self.max_features),
                    "bootstrap": check_bool("bootstrap", self.bootstrap),
                    "max_bins": check_int("max_bins", self.max_bins, minimum=0),
                    "seed": _seed(self.random_state),
                    "n_jobs": _n_jobs(n_jobs),
                }
            }
        )


class GradientBoostingRegressor(_TreeRegressor):
    """Histogram gradient boosting on squared loss (scikit-learn's HistGradientBoostingRegressor
    algorithm): best-first trees of at most ``max_leaf_nodes`` leaves, early stopping on a
    ``validation_fraction`` hold-out (on by default; it also makes the intervals honest), the
    model keeps the iterations up to the best validation loss. ``n_replicates`` GBDTs refitted
    on bootstrap resamples of the rows give ``predict_interval(kind="mean")`` (0: none)."""

    _kind = "gbdt"

    def __init__(
        self,
        *,
        learning_rate: float = _REGRESSOR["gbdt"]["learning_rate"],
        max_iter: int = _REGRESSOR["gbdt"]["max_iter"],
        max_leaf_nodes: Optional[int] = _REGRESSOR["gbdt"]["max_leaf_nodes"],
        max_depth: Optional[int] = _REGRESSOR["gbdt"]["max_depth"],
        min_samples_leaf: int = _REGRESSOR["gbdt"]["min_samples_leaf"],
        l2_regularization: float = _REGRESSOR["gbdt"]["l2"],
        max_bins: int = _REGRESSOR["gbdt"]["max_bins"],
        early_stopping: bool = _REGRESSOR["gbdt"]["early_stopping"],
        validation_fraction: float = _REGRESSOR["gbdt"]["validation_fraction"],
        n_iter_no_change: int = _REGRESSOR["gbdt"]["n_iter_no_change"],
        tol: float = _REGRESSOR["gbdt"]["tol"],
        n_replicates: int = _REGRESSOR["replicates"],
        random_state: Optional[int] = None,
    ) -> None:
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.max_bins = max_bins
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.n_replicates = n_replicates
        self.random_state = random_state

    def _params(self) -> Dict[str, Any]:
        return (
            {
                "gbdt": {
                    "max_iter": check_int("max_iter", self.max_iter, minimum=0),
                    "learning_rate": check_float("learning_rate", self.learning_rate),
                    "max_leaf_nodes": check_int("max_leaf_nodes", self.max_leaf_nodes, minimum=0, optional=True),
                    "max_depth": check_int("max_depth", self.max_depth, minimum=0, optional=True),
                    "min_samples_leaf": check_int("min_samples_leaf", self.min_samples_leaf, minimum=0),
                    "l2": check_float("l2_regularization", self.l2_regularization),
                    "max_bins": check_int("max_bins", self.max_bins, minimum=0),
                    "early_stopping": check_bool("early_stopping", self.early_stopping),
                    "validation_fraction": check_float("validation_fraction", self.validation_fraction),
                    "n_iter_no_change": check_int("n_iter_no_change", self.n_iter_no_change, minimum=0),
                    "tol": check_float("tol", self.tol),
                    "seed": _seed(self.random_state),
                },
                "replicates": check_int("n_replicates", self.n_replicates, minimum=0),
            }
        )


def _native_tables(tables: Mapping[str, Any]) -> Dict[str, Any]:
    from . import _to_native

    return _to_native(tables)


def _webinar_frame(webinar: Any) -> pd.DataFrame:
    if isinstance(webinar, pd.DataFrame):
        df = webinar.head(1).copy()
    elif isinstance(webinar, pd.Series):
        df = webinar.to_frame().T.reset_index(drop=True)
    elif isinstance(webinar, Mapping):
        df = pd.DataFrame([dict(webinar)])
    else:
        raise TypeError("webinar must be a dict, a pandas Series or a one-row DataFrame")
    if "webinar_id" not in df.columns:
        df["webinar_id"] = "webinar"
    if "title" not in df.columns:
        df["title"] = df["webinar_id"].astype(str)
    if "duration_min" not in df.columns:
        df["duration_min"] = 60
    return df


def _day(d: Any) -> str:
    if isinstance(d, (int, np.integer)) and 0 <= int(d) <= 6:
        return _DAYS[int(d)]
    s = str(d)
    for name in _DAYS:
        if s.lower().startswith(name.lower()):
            return name
    raise ParameterError(parameter="days", message=f"{d!r} is not a weekday")


def _frame(rows: List[Dict[str, Any]]) -> pd.DataFrame:
    cols = ["starts_at", "weekday", "hour", "rate", "attendees", "lower", "upper", "confidence",
            "improvement", "improvement_pct"]
    df = pd.DataFrame(rows, columns=cols)
    df["starts_at"] = pd.to_datetime(df["starts_at"], utc=True)
    return df


def _timezone(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(
            parameter="timezone", message=f"expected an IANA zone name such as 'Europe/Madrid', got {value!r}"
        )
    return value


class DemandModel(Estimator):
    """Attendance model on ``webinars`` × ``registrations`` (see ``edupulse_core::demand``).

    ``model``: "forest" (interval = spread of the trees) or "gbdt" (interval = spread of 30 GBDTs
    refitted on bootstrap resamples of the webinars). ``timezone``: the IANA zone (e.g.
    ``"Europe/Madrid"``) whose local weekday, hour and month are the features and whose wall
    clock the slot grid (``days`` × ``hours``) and heatmaps follow; an unknown zone raises
    :class:`ParameterError` (parameter ``timezone``).
    """

    def __init__(
        self,
        *,
        model: str = "forest",
        n_estimators: int = _DEMAND["forest"]["n_trees"],
        min_samples_leaf: int = _DEMAND["forest"]["min_samples_leaf"],
        max_features: Union[None, str, int, float] = _max_features_default(
            _DEMAND["forest"]["max_features"]
        ),
        alpha: float = _DEMAND["alpha"],
        min_category_count: int = _DEMAND["min_category_count"],
        random_state: Optional[int] = _DEMAND["forest"]["seed"],
        timezone: str = "UTC",
    ) -> None:
        self.model = model
        self.timezone = timezone
        self.n_estimators = n_estimators
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.alpha = alpha
        self.min_category_count = min_category_count
        self.random_state = random_state

    def _params(self) -> Dict[str, Any]:
        if self.model not in ("forest", "gbdt"):
            raise ParameterError(
                parameter="model", message=f"{self.model!r} (expected 'forest' or 'gbdt')"
            )
        return (
            {
                "model": self.model,
                "forest": {
                    "n_trees": check_int("n_estimators", self.n_estimators, minimum=0),
                    "min_samples_leaf": check_int("min_samples_leaf", self.min_samples_leaf, minimum=0),
                    "max_features": _max_features(self.max_features),
                    "seed": _seed(self.random_state),
                },
                # GBDT leaves hold twice the forest's rows (Rust's defaults: 40 vs 20).
                "gbdt": {
                    "min_samples_leaf": check_int("min_samples_leaf", self.min_samples_leaf, minimum=0) * 2,
                    "learning_rate": _DEMAND["gbdt"]["learning_rate"],
                    "seed": _seed(self.random_state),
                },
                "alpha": check_float("alpha", self.alpha),
                "min_category_count": check_int("min_category_count", self.min_category_count, minimum=0),
                "timezone": _timezone(self.timezone),
            }
        )

    def fit(self, webinars: Any, registrations: Any, *, progress: Any = False) -> "DemandModel":
        """Fit on the data-contract ``webinars`` and ``registrations`` tables; returns ``self``.
        ``progress=True`` shows a progress bar; Ctrl-C stops the fit with ``KeyboardInterrupt``."""
        native = _native_tables({"webinars": webinars, "registrations": registrations})
        with _watch(progress, "DemandModel.fit") as callback:
            self._model = _native.NativeDemand.fit(native, self._params(), callback)
        self._set_fitted()
        return self

    def _set_fitted(self) -> None:
        self.importances_ = dict(self._model.importances())

    def predict(self, df: Any, *, output: str = "pandas") -> Any:
        """Forecast of every webinar of ``df`` (a ``webinars`` table) at its planned start:
        one row per webinar with rate, attendees, lower, upper, confidence. ``output``:
        ``"pandas"`` (default), ``"polars"`` or ``"arrow"``."""
        _check_fitted(self)
        _interop.check_output(output)
        out = self._model.predict(_native_tables({"webinars": df}))
        rows = [dict(f, webinar_id=i) for i, f in out]
        frame = _frame(rows)
        frame.insert(0, "webinar_id", [r["webinar_id"] for r in rows])
        return _interop.output(frame.drop(columns=["improvement", "improvement_pct"]), output)

    def best_slots(
        self,
        webinar: Any,
        days: Iterable[Any] = ("Mon", "Tue", "Wed", "Thu", "Fri"),
        hours: Iterable[int] = range(9, 21),
        top: int = 5,
        *,
        others: Any = None,
        blocked: Optional[Sequence[Any]] = None,
        min_gap_hours: float = 24.0,
        output: str = "pandas",
    ) -> Any:
        """The ``top`` best free slots of the webinar's planned week, best first, with their
        improvement over the planned slot (``improvement`` in attendees, ``improvement_pct``
        relative). ``others``: a ``webinars`` table whose webinars of the same target segment
        must stay ``min_gap_hours`` away; ``blocked``: start times that are not available.
        Raises ``ParameterError`` (parameter ``grid``) when no slot is free. ``output``:
        ``"pandas"`` (default), ``"polars"`` or ``"arrow"``."""
        _check_fitted(self)
        _interop.check_output(output)
        w = _webinar_frame(webinar)
        params = {
            "weekdays": [_day(d) for d in days],
            "hours": [check_int("hours", h, minimum=0) for h in hours],
            "blocked": [pd.Timestamp(t, tz="UTC").isoformat() if pd.Timestamp(t).tzinfo is None
                        else pd.Timestamp(t).tz_convert("UTC").isoformat() for t in (blocked or [])],
            "min_gap_hours": check_float("min_gap_hours", min_gap_hours, minimum=0.0),
            "top": check_int("top", top, minimum=0),
        }
        other = others if others is not None else w.iloc[0:0]
        r = self._model.best_slots(
            _native_tables({"webinars": w}), _native_tables({"webinars": other}), params
        )
        return _interop.output(_frame(r["slots"]), output)

    def _state(self) -> Any:
        return self._model.state()

    def _from_state(self, state: Any) -> None:
        self._model = _native.NativeDemand.from_state(state)
        self._set_fitted()
