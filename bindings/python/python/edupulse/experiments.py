"""A/B tests: Bayesian, fixed-horizon and always-valid sequential answers.

``proportion_test`` and ``mean_test`` compare one treatment with control from counts
(units, conversions) or sums (n, sum, sum of squares). ``method``:

- ``"bayes"``: GrowthBook's Gaussian model on the lift (gbstats 0.8.0 ``EffectBayesianABTest``);
  a flat prior, or a proper Gaussian one when ``prior_sd`` is given (``prior_mean``, ``prior_sd``
  in the units of ``difference``). Keys: ``lift`` (posterior mean), ``ci_low``/``ci_high``
  (credible interval), ``chance_to_win`` (P(treatment better)), ``risk_control`` (expected loss
  of keeping control), ``risk_treatment`` (expected loss of shipping the treatment);
- ``"beta"``: exact beta-binomial P(B > A) and expected losses (closed form; proportions only;
  risks in absolute rate units);
- ``"ttest"``: Welch's t-test (gbstats ``TwoSidedTTest``), delta method for the relative lift:
  ``p_value`` valid for one look at a planned end;
- ``"sequential"``: gbstats' asymptotic confidence sequence (``SequentialTwoSidedTTest``, tuning
  parameter ``tau``): always valid, peek as often as you like;
- ``"msprt"``: the mixture SPRT of Johari, Pekelis and Walsh (mixing sd ``prior_sd``, or derived
  from ``tau``); on one look it equals ``"sequential"``; ``analyze`` runs it over daily looks.

``analyze`` reads ``experiments`` and ``exposures`` with the conversion tables and returns one row
per experiment × variant, with the decision (``ship`` / ``stop`` / ``keep_running``) and the
reason in English (``reason``) and Spanish (``reason_es``).

Example::

    >>> from edupulse.experiments import proportion_test
    >>> r = proportion_test((1000, 100), (1000, 130), method="beta")
    >>> round(r["chance_to_win"], 4)
    0.9822
    >>> r = proportion_test((1000, 100), (1000, 130), method="ttest")
    >>> round(r["lift"], 3), round(r["p_value"], 3)   # relative lift: the control's noise counts
    (0.3, 0.066)
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

import pandas as pd

from . import _edupulse as _native
from . import _interop
from ._checks import check_float, check_int, check_str, instant
from .exceptions import ParameterError

__all__ = ["analyze", "mean_test", "proportion_test"]

_METHODS = ("bayes", "beta", "ttest", "sequential", "msprt")
_BAYES_KEYS = ("lift", "ci_low", "ci_high", "chance_to_win", "risk_control", "risk_treatment")
_FREQ_KEYS = ("lift", "ci_low", "ci_high", "p_value")


def _arm(name: str, value: Any, size: int, fields: str) -> Tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != size:
        raise ParameterError(parameter=name, message=f"expected a tuple ({fields}), got {value!r}")
    return tuple(check_float(f"{name}[{i}]", v) for i, v in enumerate(value))


def _params(
    method: str, difference: str, prior_mean: Any, prior_sd: Any, tau: Any, alpha: Any
) -> Dict[str, Any]:
    method = check_str("method", method)
    if method not in _METHODS:
        raise ParameterError(parameter="method", message=f"unknown {method!r} (one of {_METHODS})")
    difference = check_str("difference", difference)
    if difference not in ("relative", "absolute"):
        raise ParameterError(
            parameter="difference", message=f"unknown {difference!r} (relative, absolute)"
        )
    return {
        "method": method,
        "difference": difference,
        "prior_mean": check_float("prior_mean", prior_mean),
        "prior_sd": check_float("prior_sd", prior_sd, optional=True),
        "tau": check_float("tau", tau),
        "alpha": check_float("alpha", alpha),
    }


def _answer(method: str, r: Mapping[str, Any]) -> Dict[str, float]:
    keys = _BAYES_KEYS if method in ("bayes", "beta") else _FREQ_KEYS
    return {k: float(r[k]) for k in keys}


def proportion_test(
    control: Tuple[float, float],
    treatment: Tuple[float, float],
    *,
    method: str = "bayes",
    difference: str = "relative",
    prior_mean: float = 0.0,
    prior_sd: Optional[float] = None,
    tau: float = 5000.0,
    alpha: float = 0.05,
) -> Dict[str, float]:
    """Compare two conversion rates: ``control`` and ``treatment`` are ``(units, conversions)``.

    Conversions above units, negative counts, zero units or NaN raise ``ParameterError`` naming
    the arm; a test that cannot be computed (no variance: 0 or all conversions in an arm) too.
    """
    p = _params(method, difference, prior_mean, prior_sd, tau, alpha)
    c = _arm("control", control, 2, "units, conversions")
    t = _arm("treatment", treatment, 2, "units, conversions")
    return _answer(p["method"], _native.experiments_test("proportion", list(c), list(t), p))


def mean_test(
    control: Tuple[float, float, float],
    treatment: Tuple[float, float, float],
    *,
    method: str = "bayes",
    difference: str = "relative",
    prior_mean: float = 0.0,
    prior_sd: Optional[float] = None,
    tau: float = 5000.0,
    alpha: float = 0.05,
) -> Dict[str, float]:
    """Compare two means (revenue per unit): each arm is ``(n, sum, sum_squares)``. Same
    options and keys as :func:`proportion_test` (``method="beta"`` is for proportions only)."""
    p = _params(method, difference, prior_mean, prior_sd, tau, alpha)
    c = _arm("control", control, 3, "n, sum, sum_squares")
    t = _arm("treatment", treatment, 3, "n, sum, sum_squares")
    return _answer(p["method"], _native.experiments_test("mean", list(c), list(t), p))


def analyze(
    experiments: Any,
    exposures: Any,
    tables: Mapping[str, Any],
    as_of: Optional[Any] = None,
    output: str = "pandas",
    *,
    correction: str = "holm",
    difference: str = "relative",
    prior_mean: float = 0.0,
    prior_sd: Optional[float] = None,
    tau: float = 5000.0,
    alpha: float = 0.05,
    srm_threshold: float = 0.001,
    min_units: int = 100,
) -> Any:
    """Analyse every experiment: one row per experiment × variant against control.

    ``tables`` holds the conversion tables the metrics read (``registrations`` and ``webinars``
    for ``registered``/``attended``, ``purchases`` and ``lead_events`` for ``purchase``,
    ``purchases`` for ``revenue``); missing ones count as empty. ``as_of`` defaults to the latest
    exposure. Columns: the counts, ``lift``, ``ci_low``, ``ci_high`` (Bayesian), ``chance_to_win``,
    ``risk_control``, ``risk_treatment``, ``p_value`` (always-valid mSPRT over daily looks),
    ``p_value_adjusted`` (Holm or Benjamini–Hochberg across variants), ``ttest_p_value``,
    ``sequential_p_value``, ``srm_p_value``, ``decision``, ``reason``, ``reason_es``.
    ``correction``: ``"holm"``, ``"benjamini_hochberg"`` or ``"none"``.
    """
    from . import _to_native

    if not isinstance(tables, Mapping):
        raise TypeError(f"expected a dict of {{table name: DataFrame}}, got {type(tables).__name__}")
    correction = check_str("correction", correction)
    if correction not in ("holm", "benjamini_hochberg", "none"):
        raise ParameterError(
            parameter="correction",
            message=f"unknown {correction!r} (holm, benjamini_hochberg, none)",
        )
    test = _params("bayes", difference, prior_mean, prior_sd, tau, alpha)
    params = {
        "test": test,
        "correction": correction,
        "srm_threshold": check_float("srm_threshold", srm_threshold),
        "min_units": check_int("min_units", min_units, minimum=0),
    }
    native = _to_native({**tables, "experiments": experiments, "exposures": exposures})
    t = None if as_of is None else int(instant("as_of", as_of))
    rows, _looks, _t = _native.experiments_analyze(native, t, params)
    df = pd.DataFrame(rows)
    if df.empty:
        df = pd.DataFrame(columns=_result_columns())
    else:
        df["window_end"] = pd.to_datetime(df["window_end"], utc=True)
    return _interop.output(df, output)


def _result_columns() -> Any:
    for name, _step, _doc, _key, columns in _native.result_tables():
        if name == "experiment_results":
            return [c[0] for c in columns]
    return []
