"""Churn and lifetime value: buy-till-you-die models and the explained risk classifier.

``BetaGeoModel``, ``ParetoNBDModel`` and ``GammaGammaModel`` follow the ``lifetimes`` API and
conventions (and reproduce its CDNOW figures); ``summary_from_transactions`` builds their input;
``ChurnClassifier`` is the shared tabular classifier (logistic regression or boosted trees, Platt
calibration, per-row explanations). Everything runs in Rust with the GIL released; this module only
converts arrays and DataFrames: contiguous float64 arrays (and float64 Series) are read in place,
other inputs are converted to float64 once; results are numpy arrays that own Rust's buffer.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _edupulse as _native
from . import _interop

__all__ = [
    "BetaGeoModel",
    "ChurnClassifier",
    "GammaGammaModel",
    "ParetoNBDModel",
    "summary_from_transactions",
]


def _f64(x: Any) -> np.ndarray:
    """``x`` (array, Series, list) as a contiguous 1-D float64 array: a view when it already is one."""
    if isinstance(x, np.ndarray) and x.dtype == np.float64 and x.ndim == 1 and x.flags.c_contiguous:
        return x
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64).reshape(-1))


def _out(a: np.ndarray, like: Any = None) -> Any:
    if isinstance(like, pd.Series):
        return pd.Series(a, index=like.index)
    return a


class _TransactionModel:
    _kind = ""
    _names: Tuple[str, ...] = ()

    def __init__(self, penalizer_coef: float = 0.0, max_iter: int = 1000, tolerance: float = 1e-9) -> None:
        self.penalizer_coef = penalizer_coef
        self.max_iter = max_iter
        self.tolerance = tolerance
        self.params_: Dict[str, float] = {}
        self.log_likelihood_: float = float("nan")
        self.standard_errors_: Dict[str, float] = {}
        self.iterations_: int = 0

    def fit(self, frequency: Any, recency: Any, T: Any) -> "_TransactionModel":
        p, ll, se, it = _native.churn_fit_btyd(
            self._kind, _f64(frequency), _f64(recency), _f64(T),
            self.max_iter, self.tolerance, self.penalizer_coef,
        )
        self.params_ = dict(zip(self._names, p))
        self.standard_errors_ = dict(zip(self._names, se))
        self.log_likelihood_ = ll
        self.iterations_ = it
        return self

    def _p(self) -> List[float]:
        if not self.params_:
            from . import EdupulseError

            raise EdupulseError("the model is not fitted: call fit() first")
        return [self.params_[n] for n in self._names]

    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive) of each customer."""
        b = _native.churn_predict_btyd(self._kind, self._p(), "alive", 0.0, _f64(frequency), _f64(recency), _f64(T))
        return _out(b, frequency)

    def conditional_expected_number_of_purchases_up_to_time(self, t: float, frequency: Any, recency: Any, T: Any) -> Any:
        """Expected repeat purchases of each customer in the next ``t`` periods."""
        b = _native.churn_predict_btyd(
            self._kind, self._p(), "expected", float(t), _f64(frequency), _f64(recency), _f64(T)
        )
        return _out(b, frequency)

    def __repr__(self) -> str:
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"<{type(self).__name__}: {ps or 'not fitted'}>"


class BetaGeoModel(_TransactionModel):
    """BG/NBD (Fader, Hardie & Lee 2005). ``params_``: r, alpha, a, b."""

    _kind = "bgnbd"
    _names = ("r", "alpha", "a", "b")


class ParetoNBDModel(_TransactionModel):
    """Pareto/NBD (Schmittlein et al. 1987). ``params_``: r, alpha, s, beta."""

    _kind = "pnbd"
    _names = ("r", "alpha", "s", "beta")


class GammaGammaModel:
    """Gamma-Gamma model of average spend. ``params_``: p, q, v."""

    _names = ("p", "q", "v")

    def __init__(self, penalizer_coef: float = 0.0, max_iter: int = 1000, tolerance: float = 1e-9) -> None:
        self.penalizer_coef = penalizer_coef
        self.max_iter = max_iter
        self.tolerance = tolerance
        self.params_: Dict[str, float] = {}
        self.log_likelihood_: float = float("nan")
        self.standard_errors_: Dict[str, float] = {}

    def fit(self, frequency: Any, monetary_value: Any) -> "GammaGammaModel":
        p, ll, se, _ = _native.churn_fit_gamma_gamma(
            _f64(frequency), _f64(monetary_value), self.max_iter, self.tolerance, self.penalizer_coef
        )
        self.params_ = dict(zip(self._names, p))
        self.standard_errors_ = dict(zip(self._names, se))
        self.log_likelihood_ = ll
        return self

    def _p(self) -> List[float]:
        if not self.params_:
            from . import EdupulseError

            raise EdupulseError("the model is not fitted: call fit() first")
        return [self.params_[n] for n in self._names]

    def conditional_expected_average_profit(self, frequency: Any, monetary_value: Any) -> Any:
        """Expected average spend per transaction of each customer."""
        return _out(_native.churn_gamma_gamma_spend(self._p(), _f64(frequency), _f64(monetary_value)), frequency)

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
    ) -> Any:
        """CLV over ``time`` months discounted at ``discount_rate`` per month (``lifetimes``)."""
        b = _native.churn_clv(
            bgf._kind, bgf._p(), self._p(), _f64(frequency), _f64(recency), _f64(T),
            _f64(monetary_value), int(time), float(discount_rate), freq,
        )
        return _out(b, frequency)


def summary_from_transactions(
    df: Any,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: Optional[str] = None,
    observation_period_end: Any = None,
    freq: str = "W",
    *,
    output: str = "pandas",
) -> Any:
    """Per-customer frequency, recency, T (and monetary_value) from transactions.

    Same-day purchases are collapsed, frequency counts repeat purchase days, times are in ``freq``
    units ("D", "W" = days/7, "M" = days/30, "H"), like ``lifetimes`` with ``freq="D",
    freq_multiplier=7`` for weeks.

    ``df``: pandas, polars, pyarrow or any Arrow stream. ``output``: ``"pandas"`` (default; indexed
    by customer id, as ``lifetimes``), ``"polars"`` or ``"arrow"`` (the id as the first column).
    """
    _interop.check_output(output)
    df = _interop.to_frame(df, name="transactions")
    wanted = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        from . import ValidationError

        raise ValidationError(
            f"transactions: missing column(s) {', '.join(missing)} (have: {', '.join(map(str, df.columns))})"
        )
    at = pd.to_datetime(df[datetime_col], utc=True)
    seconds = (at.astype("int64") // 10**9).tolist() if at.dtype.unit == "ns" else (
        at.dt.tz_convert("UTC").map(lambda t: int(t.timestamp())).tolist()
    )
    end = None
    if observation_period_end is not None:
        end = int(pd.Timestamp(observation_period_end, tz="UTC").timestamp()) if pd.Timestamp(
            observation_period_end
        ).tzinfo is None else int(pd.Timestamp(observation_period_end).timestamp())
    amounts = _f64(df[monetary_value_col]) if monetary_value_col else None
    ids, f, r, t, m = _native.churn_summary(
        [str(v) for v in df[customer_id_col].tolist()], seconds, amounts, end, freq
    )
    out = pd.DataFrame(
        {"frequency": _out(f), "recency": _out(r), "T": _out(t)},
        index=pd.Index(ids, name=customer_id_col),
    )
    if monetary_value_col:
        out["monetary_value"] = _out(m)
    return out if output == "pandas" else _interop.output(out.reset_index(), output)


def _columns(X: Any, expected: Optional[List[Tuple[str, bool]]] = None) -> List[Tuple[str, bool, Any]]:
    if isinstance(X, np.ndarray):
        X = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])] if X.ndim == 2 else ["x0"])
    elif not isinstance(X, pd.DataFrame):
        X = X.to_pandas()
    kinds = dict(expected) if expected is not None else {}
    cols = []
    for name in X.columns:
        s = X[name]
        numeric = kinds.get(str(name), pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s))
        if numeric:
            cols.append((str(name), True, _f64(pd.to_numeric(s, errors="coerce").astype("float64"))))
        else:
            cols.append((str(name), False, ["" if pd.isna(v) else str(v) for v in s.tolist()]))
    return cols


class ChurnClassifier:
    """Tabular binary classifier over categorical + numeric columns.

    ``model``: "logistic" (L2, Newton), "trees" (gradient-boosted) or "ensemble" (the mean of the
    calibrated probabilities of a spline-basis logistic and boosted stumps; best AUC). Probabilities
    are calibrated out of fold (Platt). ``explain`` gives each row's top columns with their contribution to the
    log-odds of class 1. Pickles (its state is JSON).
    """

    def __init__(self, model: str = "logistic", **params: Any) -> None:
        self.model = model
        self.params = params
        self._state: Optional[str] = None
        self._kinds: Optional[List[Tuple[str, bool]]] = None

    def fit(self, X: Any, y: Any) -> "ChurnClassifier":
        yy = np.asarray(y)
        if yy.dtype.kind in "OUS":
            raise TypeError("y must be boolean or 0/1")
        labels = [bool(v) for v in yy.reshape(-1).tolist()]
        params = json.dumps(self.params) if self.params else None
        self._state = _native.churn_classifier_fit(self.model, _columns(X), labels, params)
        self._kinds = _native.churn_classifier_columns(self._state)
        return self

    def _need(self) -> str:
        if self._state is None:
            from . import EdupulseError

            raise EdupulseError("the classifier is not fitted: call fit() first")
        return self._state

    def predict_proba(self, X: Any) -> np.ndarray:
        """n × 2 array: P(class 0), P(class 1)."""
        p = _out(_native.churn_classifier_predict(self._need(), _columns(X, self._kinds)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return self.predict_proba(X)[:, 1] > 0.5

    def explain(self, X: Any, top: int = 3) -> pd.DataFrame:
        """One row per (input row, factor): row, rank, column, value, contribution."""
        rows = _native.churn_classifier_explain(self._need(), _columns(X, self._kinds), int(top))
        recs = [
            {"row": i, "rank": k + 1, "column": c, "value": v, "contribution": w}
            for i, fs in enumerate(rows)
            for k, (c, v, w) in enumerate(fs)
        ]
        return pd.DataFrame(recs, columns=["row", "rank", "column", "value", "contribution"])

    def __getstate__(self) -> Dict[str, Any]:
        return {"model": self.model, "params": self.params, "state": self._state, "kinds": self._kinds}

    def __setstate__(self, s: Dict[str, Any]) -> None:
        self.model = s["model"]
        self.params = s["params"]
        self._state = s["state"]
        self._kinds = s["kinds"]
