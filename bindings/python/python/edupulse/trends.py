"""Keyword trends, change points and anomaly scores (``edupulse_core::trends`` in Rust).

- :func:`detect` — one row per keyword: growth vs baseline, Mann-Kendall p-value, Sen's slope,
  change points, decision (rising / stable / falling) and alert severity;
- :func:`change_points` — indices where a new segment starts (PELT, line + variance cost, BIC);
- :func:`anomaly_scores` — causal scores in [0, 1] for a metric series, day-of-week aware.

Parameters are keyword arguments overriding the Rust defaults; an unknown or invalid one raises
``edupulse.ParameterError`` naming it.
"""

from __future__ import annotations

import json
from typing import Any, List, Optional

import numpy as np
import pandas as pd

from . import _edupulse as _native

__all__ = ["anomaly_scores", "change_points", "detect"]


def _f64_bytes(values: Any) -> "tuple[bytes, int, int]":
    a = np.asarray(values, dtype=np.float64)
    if a.ndim == 1:
        n, d = a.shape[0], 1
    elif a.ndim == 2:
        n, d = a.shape
    else:
        raise _native.ParameterError("values must be a 1-D or 2-D array")
    return np.ascontiguousarray(a).tobytes(), n, d


def change_points(values: np.ndarray, **params: Any) -> List[int]:
    """Indices where a new segment starts (never 0). ``values``: 1-D, or 2-D (n × d) for a
    multivariate series (sum of per-dimension costs). NaN values are interpolated."""
    raw, _, d = _f64_bytes(values)
    return list(_native.trends_change_points(raw, d, params))


def _epoch_seconds(timestamps: Any) -> np.ndarray:
    ts = pd.to_datetime(pd.Series(timestamps) if not isinstance(timestamps, pd.Series) else timestamps)
    if ts.dt.tz is not None:
        ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
    if ts.isna().any():
        raise _native.ParameterError("timestamps contain missing values")
    return ts.to_numpy().astype("datetime64[s]").astype(np.int64)


def anomaly_scores(values: np.ndarray, timestamps: Any = None, **params: Any) -> np.ndarray:
    """One score in [0, 1] per point, causal (point t sees only points ≤ t). ``timestamps``
    (numpy datetime64 array or pandas Series, same length, sorted) enable day-of-week (daily data)
    or hour-of-week (hourly data) seasonality; irregular spacing is allowed."""
    raw, n, d = _f64_bytes(values)
    if d != 1:
        raise _native.ParameterError("values must be 1-D")
    ts_raw: Optional[bytes] = None
    if timestamps is not None:
        secs = _epoch_seconds(timestamps)
        if len(secs) != n:
            raise _native.ParameterError(f"timestamps: {len(secs)} timestamps for {n} values")
        ts_raw = np.ascontiguousarray(secs).tobytes()
    out = _native.trends_anomaly_scores(raw, ts_raw, params)
    return np.frombuffer(out, dtype=np.float64).copy()


_COLUMNS = [
    "keyword", "decision", "alert", "episode", "growth", "growth_rule", "slope_per_week",
    "p_value", "robust_z", "score", "level_change", "change_points", "current_mean",
    "baseline_mean", "n_points", "deseasonalised", "as_of",
]


def detect(df: Any, **params: Any) -> pd.DataFrame:
    """Run the trend detector on long-format data (columns ``keyword``, ``date``, ``volume``;
    pandas or polars). ``as_of`` (a date; default: the last date) may be given among the params.
    Returns one row per keyword."""
    as_of = params.pop("as_of", None)
    if hasattr(df, "to_pandas") and not isinstance(df, pd.DataFrame):
        df = pd.DataFrame(df.to_dict(as_series=False))
    missing = [c for c in ("keyword", "date", "volume") if c not in df.columns]
    if missing:
        raise _native.ParameterError(f"df: missing column(s) {', '.join(missing)}")
    dates = pd.to_datetime(df["date"])
    if dates.isna().any():
        raise _native.ParameterError("date: missing or unparseable dates")
    days = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
    vols = pd.to_numeric(df["volume"], errors="coerce").to_numpy(dtype=np.float64)
    as_of_day = None
    if as_of is not None:
        as_of_day = int(np.datetime64(pd.Timestamp(as_of).date(), "D").astype(np.int64))
    text = _native.trends_detect(
        df["keyword"].astype(str).tolist(),
        np.ascontiguousarray(days).tobytes(),
        np.ascontiguousarray(vols).tobytes(),
        as_of_day,
        params,
    )
    rows = json.loads(text)
    out = pd.DataFrame([{c: r.get(c) for c in _COLUMNS} for r in rows], columns=_COLUMNS)
    return out
