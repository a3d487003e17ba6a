"""Churn and lifetime value: buy-till-you-die models and the explained risk classifier.

``BetaGeoModel``, ``ParetoNBDModel`` and ``GammaGammaModel`` follow the ``lifetimes`` API and
conventions (and reproduce its CDNOW figures); ``summary_from_transactions`` builds their input;
``ChurnClassifier`` is the shared tabular classifier (logistic regression or boosted trees, Platt
calibration, per-row explanations). Everything runs in Rust with the GIL released; this module only
converts arrays and DataFrames: contiguous float64 arrays (and float64 Series) are read in place,
other inputs are converted to float64 once; results are numpy arrays that own Rust's buffer.

Example (customers simulated from a Pareto/NBD process over 39 weeks)::

    >>> import numpy as np
    >>> from edupulse.churn import BetaGeoModel, GammaGammaModel, ParetoNBDModel
    >>> rng = np.random.default_rng(0)
    >>> n, T = 500, np.full(500, 39.0)
    >>> alive_for = np.minimum(rng.exponential(1 / rng.gamma(0.6, 1 / 12.0, n)), T)
    >>> frequency = rng.poisson(rng.gamma(0.55, 1 / 10.0, n) * alive_for).astype(float)
    >>> recency = np.where(frequency > 0, alive_for * rng.beta(np.maximum(frequency, 1), 1.0), 0.0)
    >>> pnbd = ParetoNBDModel().fit(frequency, recency, T)
    >>> round(pnbd.params_["r"], 2), round(pnbd.params_["alpha"], 1)   # simulated: 0.55, 10
    (0.53, 10.0)
    >>> bg = BetaGeoModel().fit(frequency, recency, T)
    >>> # five repeat purchases, the last one in week 5 vs in week 38: the first has likely left
    >>> alive = bg.conditional_probability_alive([5, 5], [5.0, 38.0], [39.0, 39.0])
    >>> bool(alive[0] < 0.5 < alive[1])
    True
    >>> spend = rng.gamma(6.0, 1 / rng.gamma(4.0, 1 / 40.0, n))
    >>> repeat = frequency > 0
    >>> gg = GammaGammaModel().fit(frequency[repeat], spend[repeat])
    >>> clv = gg.customer_lifetime_value(bg, frequency, recency, T, spend, time=12)
    >>> bool((clv >= 0).all())
    True
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _edupulse as _native
from . import _interop
from .exceptions import ParameterError, ValidationError
from ._base import ClassifierMixin, Estimator, _check_fitted, _watch
from ._checks import (
    check_float,
    check_int,
    check_str,
    float_array,
    numeric_column,
    text_column,
    time_column,
)

__all__ = [
    "BetaGeoModel",
    "ChurnClassifier",
    "GammaGammaModel",
    "ParetoNBDModel",
    "summary_from_transactions",
]


def _f64(x: Any, name: str = "values") -> np.ndarray:
    """``x`` (array, Series, list) as a contiguous 1-D float64 array: a view when it already is one.
    Text or other non-numbers raise ``ParameterError`` naming ``name``."""
    if isinstance(x, np.ndarray) and x.dtype == np.float64 and x.ndim == 1 and x.flags.c_contiguous:
        return x
    if isinstance(x, np.ndarray) and x.ndim > 1:
        x = x.reshape(-1)
    return np.ascontiguousarray(float_array(name, x).reshape(-1))


def _fit_options(model: "_MaximumLikelihood") -> Tuple[int, float, float]:
    """``max_iter``, ``tolerance`` and ``penalizer_coef`` checked (ParameterError naming them)."""
    return (
        check_int("max_iter", model.max_iter, minimum=1),
        check_float("tolerance", model.tolerance, minimum=0.0),
        check_float("penalizer_coef", model.penalizer_coef, minimum=0.0),
    )


def _out(a: np.ndarray, like: Any = None) -> Any:
    if isinstance(like, pd.Series):
        return pd.Series(a, index=like.index)
    return a


#: Rust's defaults of the maximum-likelihood fits (``churn::FitParams::default()``).
_BTYD: Dict[str, Any] = _native.defaults("btyd")


class _MaximumLikelihood(Estimator):
    """What the three maximum-likelihood models share: hyperparameters, fitted attributes."""

    _names: Tuple[str, ...] = ()
    # 2: the state is the Rust model's serde bytes (1 was a JSON dict of parameters).
    _pickle_version = 2

    def __init__(
        self,
        *,
        penalizer_coef: float = _BTYD["penalizer"],
        max_iter: int = _BTYD["max_iter"],
        tolerance: float = _BTYD["tolerance"],
    ) -> None:
        self.penalizer_coef = penalizer_coef
        self.max_iter = max_iter
        self.tolerance = tolerance

    def _set_fit(self, p: Sequence[float], ll: float, se: Sequence[float], it: int) -> None:
        self.params_: Dict[str, float] = dict(zip(self._names, p))
        self.standard_errors_: Dict[str, float] = dict(zip(self._names, se))
        self.log_likelihood_: float = float(ll)
        self.iterations_: int = int(it)

    def _set_model(self, model: Any) -> None:
        #: The fitted Rust model (``_edupulse.NativeTransactionModel`` / ``NativeGammaGamma``).
        self.model_ = model
        info = model.fit_info()
        if info is None:  # built from given parameters: no fit information
            self.params_ = dict(zip(self._names, model.params()))
        else:
            self._set_fit(*info)

    def _from_params(self, params: List[float]) -> Any:
        raise NotImplementedError

    def _native_model(self) -> Any:
        """The Rust model; rebuilt from ``params_`` when they were set or changed by hand (e.g.
        published parameters), which Rust validates."""
        _check_fitted(self, ["params_"])
        p = [float(self.params_[n]) for n in self._names]
        model = self.__dict__.get("model_")
        if model is None or list(model.params()) != p:
            model = self._from_params(p)
            self.model_ = model
        return model

    def _state(self) -> Any:
        return bytes(self._native_model().state())


class _TransactionModel(_MaximumLikelihood):
    _kind = ""

    def fit(self, frequency: Any, recency: Any, T: Any) -> "_TransactionModel":
        """Maximum likelihood on each customer's repeat-purchase ``frequency``, ``recency`` (time of
        the last purchase) and ``T`` (age), in the same time unit; returns ``self``."""
        self._set_model(
            _native.NativeTransactionModel.fit(
                self._kind, _f64(frequency, "frequency"), _f64(recency, "recency"), _f64(T, "T"),
                *_fit_options(self),
            )
        )
        return self

    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive) of each customer."""
        b = self._native_model().probability_alive(
            _f64(frequency, "frequency"), _f64(recency, "recency"), _f64(T, "T")
        )
        return _out(b, frequency)

    def conditional_expected_number_of_purchases_up_to_time(self, t: float, frequency: Any, recency: Any, T: Any) -> Any:
        """Expected repeat purchases of each customer in the next ``t`` periods."""
        b = self._native_model().expected_purchases(
            check_float("t", t), _f64(frequency, "frequency"), _f64(recency, "recency"), _f64(T, "T")
        )
        return _out(b, frequency)

    def _from_params(self, params: List[float]) -> Any:
        return _native.NativeTransactionModel.from_params(self._kind, params)

    def _from_state(self, state: Any) -> None:
        self._set_model(_native.NativeTransactionModel.from_state(bytes(state)))


class BetaGeoModel(_TransactionModel):
    """BG/NBD (Fader, Hardie & Lee 2005). ``params_``: r, alpha, a, b.
    See the module docstring for an example.
    """

    _kind = "bgnbd"
    _names = ("r", "alpha", "a", "b")


class ParetoNBDModel(_TransactionModel):
    """Pareto/NBD (Schmittlein et al. 1987). ``params_``: r, alpha, s, beta.
    See the module docstring for an example.
    """

    _kind = "pnbd"
    _names = ("r", "alpha", "s", "beta")


class GammaGammaModel(_MaximumLikelihood):
    """Gamma-Gamma model of average spend. ``params_``: p, q, v.
    See the module docstring for an example.
    """

    _names = ("p", "q", "v")

    def fit(self, frequency: Any, monetary_value: Any) -> "GammaGammaModel":
        """Maximum likelihood on repeat customers' ``frequency`` and average ``monetary_value``;
        returns ``self``."""
        self._set_model(
            _native.NativeGammaGamma.fit(
                _f64(frequency, "frequency"), _f64(monetary_value, "monetary_value"),
                *_fit_options(self),
            )
        )
        return self

    def conditional_expected_average_profit(self, frequency: Any, monetary_value: Any) -> Any:
        """Expected average spend per transaction of each customer."""
        return _out(
            self._native_model().spend(
                _f64(frequency, "frequency"), _f64(monetary_value, "monetary_value")
            ),
            frequency,
        )

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
        b = self._native_model().clv(
            bgf._native_model(), _f64(frequency, "frequency"), _f64(recency, "recency"),
            _f64(T, "T"), _f64(monetary_value, "monetary_value"),
            check_int("time", time, minimum=0), check_float("discount_rate", discount_rate),
            check_str("freq", freq),
        )
        return _out(b, frequency)

    def _from_params(self, params: List[float]) -> Any:
        return _native.NativeGammaGamma.from_params(params)

    def _from_state(self, state: Any) -> None:
        self._set_model(_native.NativeGammaGamma.from_state(bytes(state)))


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
        raise ValidationError(
            table="transactions",
            column=missing[0],
            message=f"missing column(s) {', '.join(missing)} (have: {', '.join(map(str, df.columns))})",
        )
    at = time_column("transactions", datetime_col, df[datetime_col])
    seconds = (at.astype("int64") // 10**9).tolist() if getattr(at.dtype, "unit", None) == "ns" else (
        at.dt.tz_convert("UTC").map(lambda t: int(t.timestamp())).tolist()
    )
    end = None
    if observation_period_end is not None:
        end = int(pd.Timestamp(observation_period_end, tz="UTC").timestamp()) if pd.Timestamp(
            observation_period_end
        ).tzinfo is None else int(pd.Timestamp(observation_period_end).timestamp())
    amounts = (
        np.ascontiguousarray(
            numeric_column("transactions", monetary_value_col, df[monetary_value_col])
        )
        if monetary_value_col
        else None
    )
    ids, f, r, t, m = _native.churn_summary(
        text_column("transactions", customer_id_col, df[customer_id_col]), seconds, amounts, end,
        check_str("freq", freq),
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
    cols: List[Tuple[str, bool, Any]] = []
    for name in X.columns:
        s = X[name]
        numeric = kinds.get(str(name), pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s))
        if numeric:
            cols.append((str(name), True, np.ascontiguousarray(numeric_column("X", str(name), s))))
        else:
            cols.append((str(name), False, ["" if pd.isna(v) else str(v) for v in s.tolist()]))
    return cols


def _labels(y: Any) -> Tuple[List[bool], np.ndarray]:
    """Binary labels as booleans, and ``classes_``: ``[False, True]`` for booleans, ``[0, 1]`` (in
    y's dtype) for 0/1 numbers. Anything else is a ``ParameterError`` naming ``y``."""
    yy = np.asarray(y).reshape(-1)
    if yy.dtype.kind == "b":
        return [bool(v) for v in yy.tolist()], np.array([False, True])
    if yy.dtype.kind in "iuf" and np.isin(yy, (0, 1)).all():
        return [bool(v) for v in yy.tolist()], np.array([0, 1], dtype=yy.dtype)
    raise ParameterError(parameter="y", message="labels must be boolean or 0/1")


class _TabularClassifier(ClassifierMixin, Estimator):
    """The shared tabular classifier behind ``ChurnClassifier`` and ``leads.LeadModel``."""

    #: Classifier parameters applied before ``params`` (the lead model's firmer ridge...).
    _defaults: Dict[str, Any] = {}

    def __init__(self, *, model: str = "logistic", params: Optional[Mapping[str, Any]] = None) -> None:
        self.model = model
        self.params = params

    def fit(self, X: Any, y: Any, *, progress: Any = False) -> "_TabularClassifier":
        """Fit on ``X`` (pandas/polars DataFrame of categorical and numeric columns, or a numpy
        array) and binary ``y`` (boolean or 0/1); returns ``self``. ``progress=True`` shows a
        progress bar (tqdm if installed); Ctrl-C stops the fit with ``KeyboardInterrupt``."""
        labels, classes = _labels(y)
        if self.params is not None and not isinstance(self.params, Mapping):
            raise ParameterError(
                parameter="params", message=f"expected a dict, got {type(self.params).__name__}"
            )
        p = dict(self._defaults)
        p.update(dict(self.params or {}))
        cols = _columns(X)
        with _watch(progress, f"{type(self).__name__}.fit") as callback:
            model = _native.NativeClassifier.fit(
                check_str("model", self.model), cols, labels, p or None, callback
            )
        self._set_fitted(model, classes)
        self.__dict__.pop("feature_names_in_", None)  # from an earlier fit on a DataFrame
        if not isinstance(X, np.ndarray):
            self.feature_names_in_ = np.asarray([c[0] for c in cols], dtype=object)
        return self

    def _set_fitted(self, model: Any, classes: np.ndarray) -> None:
        #: The fitted Rust classifier (``_edupulse.NativeClassifier``).
        self.model_ = model
        self.columns_ = [tuple(c) for c in model.columns()]
        self.n_features_in_ = len(self.columns_)
        self.classes_ = classes

    def predict_proba(self, X: Any) -> np.ndarray:
        """n × 2 array: P(class 0), P(class 1)."""
        _check_fitted(self, ["model_"])
        p = _out(self.model_.predict_proba(_columns(X, self.columns_)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """The class of each row: ``classes_[1]`` when P(class 1) > 0.5."""
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(np.intp)]

    def explain(self, X: Any, top: int = 3) -> pd.DataFrame:
        """One row per (input row, factor): row, rank, column, value, contribution (to the
        log-odds of class 1)."""
        _check_fitted(self, ["model_"])
        rows = self.model_.explain(_columns(X, self.columns_), check_int("top", top, minimum=0))
        recs = [
            {"row": i, "rank": k + 1, "column": c, "value": v, "contribution": w}
            for i, fs in enumerate(rows)
            for k, (c, v, w) in enumerate(fs)
        ]
        return pd.DataFrame(recs, columns=["row", "rank", "column", "value", "contribution"])

    def _state(self) -> Any:
        names = getattr(self, "feature_names_in_", None)
        return json.dumps(
            {
                "state": bytes(self.model_.state()).decode(),
                "classes": self.classes_.tolist(),
                "dtype": self.classes_.dtype.str,
                "names": None if names is None else [str(n) for n in names],
            }
        ).encode()

    def _from_state(self, state: Any) -> None:
        d = json.loads(bytes(state).decode())
        model = _native.NativeClassifier.from_state(d["state"].encode())
        self._set_fitted(model, np.array(d["classes"], dtype=np.dtype(d["dtype"])))
        if d.get("names") is not None:
            self.feature_names_in_ = np.asarray(d["names"], dtype=object)


class ChurnClassifier(_TabularClassifier):
    """Tabular binary classifier over categorical + numeric columns.

    ``model``: "ensemble" (the default: the mean of the calibrated probabilities of a spline-basis
    logistic and boosted stumps), "logistic" (L2, Newton) or "trees" (gradient-boosted); an
    unknown kind is a ``ParameterError`` from Rust. The default is the measured best: on Telco
    (stratified 5-fold, seed 0; docs/benchmarks.md) the ensemble scores AUC 0.8509 against 0.8454
    for logistic and 0.8482 for trees. Its cost is speed: a fit takes about 8 times as long as
    logistic's (43 s against 5.1 s for 15 calibrated fits on Telco's 7,043 rows, release build);
    pass ``model="logistic"`` when fit time matters more than the last half point of AUC.
    ``params``:
    classifier parameters (``l2``, ``max_iter``, ``tolerance``, ``calibration_folds``,
    ``boost``...). Probabilities are calibrated out of fold (Platt). ``explain`` gives each row's
    top columns with their contribution to the log-odds of class 1. The fitted model lives in Rust
    (``model_``); it pickles through its serde state.

    Example::

        >>> import numpy as np, pandas as pd
        >>> from edupulse.churn import ChurnClassifier
        >>> rng = np.random.default_rng(0)
        >>> X = pd.DataFrame({"days_inactive": rng.uniform(0, 60, 300),
        ...                   "plan": rng.choice(["basic", "pro"], 300)})
        >>> y = X["days_inactive"] + rng.normal(0, 10, 300) > 30
        >>> clf = ChurnClassifier(model="logistic").fit(X, y)
        >>> clf.predict_proba(X).shape
        (300, 2)
        >>> clf.explain(X.head(1), top=1)["column"].tolist()
        ['days_inactive']
    """

    def __init__(self, *, model: str = "ensemble", params: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(model=model, params=params)


