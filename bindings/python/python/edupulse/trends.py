"""Keyword trends, change points, anomaly scores and emerging queries (``edupulse_core::trends``).

- :func:`detect` — one row per keyword: growth vs baseline, Mann-Kendall p-value, Sen's slope,
  change points, CUSUM shift start, decision (rising / stable / falling) and alert severity;
- :func:`change_points` — indices where a new segment starts (PELT, line + variance cost, BIC);
- :func:`anomaly_scores` — causal scores in [0, 1] for a metric series, day-of-week aware;
- :func:`related` — rising and breakout related queries (Google's "Breakout": growth > 5000 %).

Parameters are keyword arguments overriding the Rust defaults; an unknown or invalid one raises
``edupulse.ParameterError`` naming it. Arrays are handed to Rust without a copy when they are
already contiguous float64 / int64; the GIL is released while Rust works.

Example::

    >>> import numpy as np
    >>> from edupulse import trends
    >>> level = np.r_[np.zeros(50), np.full(50, 5.0)] + np.random.default_rng(0).normal(0, 0.5, 100)
    >>> trends.change_points(level)     # the second segment starts at index 50
    [50]
    >>> scores = trends.anomaly_scores(np.r_[np.full(60, 10.0), 40.0])
    >>> float(scores[-1]), float(scores[:-1].max())
    (1.0, 0.0)
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

import numpy as np
import pandas as pd

from . import _edupulse as _native
from . import _interop
from . import _checks
from .exceptions import ParameterError, ValidationError

__all__ = ["anomaly_scores", "change_points", "detect", "related"]


def _perr(parameter: str, message: str) -> Exception:
    """A ``ParameterError`` naming ``parameter``, like the ones raised by the Rust side."""
    return ParameterError(parameter=parameter, message=message)


def _column(check: Any, table: str, column: str, values: Any) -> Any:
    """``_checks.<check>`` of a data column, its ``ValidationError`` as the ``ParameterError``
    naming the column that this module raises for bad data (row given in the message)."""
    try:
        return check(table, column, values)
    except ValidationError as e:
        raise _perr(column, f"row {e.row}: {e.message}") from None


def _f64(values: Any) -> Tuple[np.ndarray, int, int]:
    try:
        a = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise _perr("values", f"expected numbers ({e})") from None
    if a.ndim == 1:
        n, d = a.shape[0], 1
    elif a.ndim == 2:
        n, d = a.shape
    else:
        raise _perr("values", "must be a 1-D or 2-D array")
    return np.ascontiguousarray(a).reshape(-1), n, d


def change_points(values: np.ndarray, **params: Any) -> List[int]:
    """Indices where a new segment starts (never 0). ``values``: 1-D, or 2-D (n × d) for a
    multivariate series (sum of per-dimension costs). NaN values are interpolated."""
    flat, _, d = _f64(values)
    return list(_native.trends_change_points(flat, d, params))


def _epoch_seconds(timestamps: Any) -> np.ndarray:
    if isinstance(timestamps, np.ndarray) and np.issubdtype(timestamps.dtype, np.datetime64):
        if np.isnat(timestamps).any():
            raise _perr("timestamps", "contain missing values")
        return timestamps.astype("datetime64[s]").astype(np.int64)
    ts = pd.to_datetime(pd.Series(timestamps) if not isinstance(timestamps, pd.Series) else timestamps)
    if ts.dt.tz is not None:
        ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
    if ts.isna().any():
        raise _perr("timestamps", "contain missing values")
    return ts.to_numpy().astype("datetime64[s]").astype(np.int64)


def anomaly_scores(values: np.ndarray, timestamps: Any = None, **params: Any) -> np.ndarray:
    """One score in [0, 1] per point, causal (point t sees only points ≤ t). ``timestamps``
    (numpy datetime64 array or pandas Series, same length, sorted) enable day-of-week (daily data)
    or hour-of-week (hourly data) seasonality; irregular spacing is allowed."""
    flat, n, d = _f64(values)
    if d != 1:
        raise _perr("values", "must be 1-D")
    secs: Optional[np.ndarray] = None
    if timestamps is not None:
        secs = np.ascontiguousarray(_epoch_seconds(timestamps), dtype=np.int64)
        if len(secs) != n:
            raise _perr("timestamps", f"{len(secs)} timestamps for {n} values")
    out: np.ndarray = _native.trends_anomaly_scores(flat, secs, params)
    return out


_COLUMNS = [
    "keyword", "decision", "alert", "episode", "growth", "growth_rule", "slope_per_week",
    "p_value", "robust_z", "score", "level_change", "change_points", "cusum_start",
    "current_mean", "baseline_mean", "n_points", "deseasonalised", "day",
]


def _is_polars(df: Any) -> bool:
    return type(df).__module__.split(".")[0] == "polars"


def _days(col: Any, name: str = "date") -> np.ndarray:
    """Days since 1970-01-01 (int64) of a pandas / polars / numpy date column."""
    if _is_polars(col):
        import polars as pl

        if col.dtype == pl.Date:
            s = col
        elif isinstance(col.dtype, pl.Datetime):
            s = col.dt.date()
        else:
            return _days(pd.Series(col.to_list()), name)
        if s.null_count():
            raise _perr(name, "missing dates")
        return np.ascontiguousarray(s.to_physical().to_numpy(), dtype=np.int64)
    s = col if isinstance(col, pd.Series) else pd.Series(col)
    if not pd.api.types.is_datetime64_any_dtype(s.dtype):
        try:
            s = pd.to_datetime(s)
        except (ValueError, TypeError) as e:
            raise _perr(name, f"unparseable dates ({e})") from None
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    a = s.to_numpy()
    if np.isnat(a).any():
        raise _perr(name, "missing or unparseable dates")
    return np.ascontiguousarray(a.astype("datetime64[D]").astype(np.int64))


def _factorize_runs(a: np.ndarray) -> Tuple[np.ndarray, List[str]]:
    """Codes and names of a 1-D object array. Long-format data come in runs of one keyword:
    only the first row of each run is hashed (``pandas.factorize``), the codes are repeated over
    the runs, so a grouped column of n rows and k keywords costs one vectorised comparison plus a
    factorize of k values. A missing value (None / NaN) gets code -1."""
    n = len(a)
    if n == 0:
        return np.zeros(0, dtype=np.int64), []
    change = np.empty(n, dtype=bool)
    change[0] = True
    np.not_equal(a[1:], a[:-1], out=change[1:])
    heads = np.flatnonzero(change)
    if len(heads) > n // 4:
        # Not grouped (e.g. shuffled rows): hash every row.
        all_codes, uniques = pd.factorize(a)
        return all_codes.astype(np.int64), [str(u) for u in uniques]
    head_codes, uniques = pd.factorize(a[heads])
    lengths = np.diff(np.append(heads, n))
    codes = np.repeat(head_codes.astype(np.int64), lengths)
    return codes, [str(u) for u in uniques]


def _codes(col: Any) -> Tuple[np.ndarray, List[str]]:
    """Integer codes (int64) and names of a keyword column; a missing keyword is an error."""
    if _is_polars(col):
        import polars as pl

        if col.null_count():
            raise _perr("keyword", "missing keywords")
        codes, names = _factorize_runs(np.asarray(col.cast(pl.String).to_list(), dtype=object))
        return np.ascontiguousarray(codes), names
    s = col if isinstance(col, pd.Series) else pd.Series(col)
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy().astype(np.int64)
        names = [str(c) for c in s.cat.categories]
    else:
        if not pd.api.types.is_string_dtype(s.dtype):
            s = s.where(s.isna(), s.astype(str))
        codes, names = _factorize_runs(s.to_numpy(dtype=object))
    if len(codes) and codes.min() < 0:
        raise _perr("keyword", "missing keywords")
    return np.ascontiguousarray(codes), names


def _table(df: Any, name: str) -> Any:
    """pandas and polars frames as they are; any other table (pyarrow, Arrow PyCapsule, dict of
    columns) as pandas."""
    if _is_polars(df) or isinstance(df, pd.DataFrame):
        return df
    return _interop.to_frame(df, name=name)


def detect(df: Any, *, output: str = "pandas", **params: Any) -> Any:
    """Run the trend detector on long-format data (columns ``keyword``, ``date``, ``volume``;
    pandas, polars, pyarrow or any Arrow stream). ``as_of`` (a date; default: the last date) may
    be given among the params. Returns one row per keyword, sorted by keyword; ``output``:
    ``"pandas"`` (default), ``"polars"`` or ``"arrow"``."""
    _interop.check_output(output)
    df = _table(df, "keyword_interest")
    as_of = params.pop("as_of", None)
    missing = [c for c in ("keyword", "date", "volume") if c not in df.columns]
    if missing:
        raise _perr("df", f"missing column(s) {', '.join(missing)}")
    codes, names = _codes(df["keyword"])
    days = _days(df["date"])
    if _is_polars(df):
        vols = df["volume"].cast(float).fill_null(float("nan")).to_numpy()
    else:
        vols = _column(_checks.numeric_column, "keyword_interest", "volume", df["volume"])
    vols = np.ascontiguousarray(vols, dtype=np.float64)
    as_of_day = None
    if as_of is not None:
        as_of_day = int(np.datetime64(pd.Timestamp(as_of).date(), "D").astype(np.int64))
    cols = _native.trends_detect(names, codes, days, vols, as_of_day, params)
    return _interop.output(pd.DataFrame(cols, columns=_COLUMNS), output)


def related(df: Any, *, output: str = "pandas", **params: Any) -> Any:
    """Rising and breakout related queries (the source's "emerging keywords") from a
    related-queries table: columns ``keyword``, ``related``, ``value`` (growth in percent as Google
    Trends reports it, 250 = +250 %; missing = "Breakout" without a figure), optional ``date``
    (only each keyword's latest report counts) and ``kind`` (``rising``, the default, or ``top``,
    which is not a growth and is ignored); pandas or polars.

    Returns columns ``keyword, related, class, growth_pct, date``: ``class`` is ``breakout``
    (growth > ``breakout_pct``, default 5000) or ``rising`` (≥ ``rising_pct``, default 50);
    breakouts first, then by growth. Parameters: ``rising_pct``, ``breakout_pct``; ``output``:
    ``"pandas"`` (default), ``"polars"`` or ``"arrow"``."""
    _interop.check_output(output)
    df = _table(df, "related_queries")
    if _is_polars(df):
        df = pd.DataFrame({c: df[c].to_list() for c in df.columns})
    missing = [c for c in ("keyword", "related", "value") if c not in df.columns]
    if missing:
        raise _perr("df", f"missing column(s) {', '.join(missing)}")
    n = len(df)
    values = np.ascontiguousarray(
        _column(_checks.numeric_column, "related_queries", "value", df["value"])
    )
    days = _days(df["date"]) if "date" in df.columns else np.zeros(n, dtype=np.int64)
    kinds: List[Optional[str]] = (
        [None if pd.isna(k) else str(k) for k in df["kind"]] if "kind" in df.columns else [None] * n
    )
    cols = _native.trends_related(
        _column(_checks.text_column, "related_queries", "keyword", df["keyword"]),
        _column(_checks.text_column, "related_queries", "related", df["related"]),
        values,
        days,
        kinds,
        params,
    )
    out = pd.DataFrame(cols, columns=["keyword", "related", "class", "growth_pct", "date"])
    out["date"] = pd.to_datetime(out["date"])
    return _interop.output(out, output)
