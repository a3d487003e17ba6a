"""The KPI scorecard (``edupulse_core::kpi::scorecard``; docs/kpis.md).

:func:`scorecard` measures every KPI over a window ``(start, end]`` (default: the 30 days up to
the latest dated row of the tables) and the window of the same length before it, and scores each
against its target (the source's defaults: conversion 12 %, completion 75 %, certification 60 %,
monthly churn < 10 %, LTV 2,500, referrals 25 %, participation 40 %, engagement 7/10,
45 min/week, attendance 30 %): status ``on_track`` / ``at_risk`` / ``missed`` (or ``no_target``,
``no_data``), ``trend`` against the previous window, and for a KPI at risk or missed the likely
``causes`` and the edupulse results that show them (``see``).

Example::

    >>> import edupulse
    >>> from edupulse import kpi
    >>> card = kpi.scorecard(edupulse.simulate(students=40, seed=1), end="2025-06-30")
    >>> card.loc[card.kpi == "monthly_churn_rate", ["target", "direction"]].values.tolist()
    [[0.1, 'lower']]
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, Mapping, Optional

import pandas as pd

from . import _edupulse as _native
from ._checks import timestamp
from .exceptions import ParameterError

__all__ = ["scorecard", "COLUMNS"]

COLUMNS = [
    "kpi", "window_start", "window_end", "value", "previous", "change", "trend", "target",
    "direction", "unit", "status", "basis", "causes", "see",
]


def _zone(timezone: Any) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(timezone, str) or not timezone:
        raise ParameterError(parameter="timezone", message=f"expected an IANA zone name, got {timezone!r}")
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ParameterError(
            parameter="timezone", message=f"unknown time zone {timezone!r} (an IANA name such as 'Europe/Madrid')"
        ) from e


def _bound(name: str, value: Any, zone: Any, end_of_day: bool) -> Optional[int]:
    """Unix seconds of a window bound. A date (or a date string without a time) is local
    midnight in ``zone``; as ``end`` it means the end of that day (the next local midnight). A
    naive date-time is local time in ``zone``; an aware one keeps its offset."""
    if value is None:
        return None
    if isinstance(value, str):
        is_date = len(value.strip()) <= 10
    else:
        is_date = isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)
    t = timestamp(name, value, "a date or date-time")
    if is_date:
        d = t.date() + (_dt.timedelta(days=1) if end_of_day else _dt.timedelta(0))
        local = _dt.datetime(d.year, d.month, d.day, tzinfo=zone)
        return int(local.timestamp())
    py = t.to_pydatetime()
    if py.tzinfo is None:
        py = py.replace(tzinfo=zone)
    return int(py.timestamp())


def scorecard(
    tables: Mapping[str, Any],
    start: Any = None,
    end: Any = None,
    targets: Optional[Dict[str, Optional[float]]] = None,
    timezone: str = "UTC",
) -> pd.DataFrame:
    """Every KPI of ``tables`` (``{table: DataFrame}``, e.g. ``edupulse.simulate(...)``) over
    ``(start, end]``: one row per KPI with columns :data:`COLUMNS`.

    ``start`` / ``end``: dates (local days in ``timezone``, both inclusive: ``end`` is the end of
    that day) or date-times (naive = local time in ``timezone``). Defaults: ``end`` = the latest
    dated row of the tables, ``start`` = 30 days before ``end``. ``targets``: ``{kpi: target}``
    overriding the defaults (``None`` removes a target); an unknown KPI name or a rate outside
    [0, 1] raises ``ParameterError`` naming it. ``timezone`` is also the KPIs' clock (slots,
    months, days and the default window's 30 local days, as ``[job] timezone`` in the daily job).
    An unknown ``timezone`` raises ``ParameterError`` naming ``timezone``.
    """
    from . import _to_native

    if not isinstance(tables, Mapping):
        raise ParameterError(parameter="tables", message="expected a mapping {table: DataFrame}")
    zone = _zone(timezone)
    if targets is not None and not isinstance(targets, Mapping):
        raise ParameterError(parameter="targets", message=f"expected a dict {{kpi: target}}, got {type(targets).__name__}")
    s = _bound("start", start, zone, end_of_day=False)
    e = _bound("end", end, zone, end_of_day=True)
    config = None if targets is None else {"targets": dict(targets)}
    rows = _native.kpi_scorecard(_to_native(tables), s, e, config, timezone)
    df = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("window_start", "window_end"):
        df[c] = pd.to_datetime(df[c], utc=True)
    for c in ("value", "previous", "change", "target"):
        df[c] = df[c].astype("float64")
    df["basis"] = df["basis"].astype("int64")
    return df
