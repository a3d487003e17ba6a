"""Forecast: a daily metric (revenue, sign-ups...) for the next days with calibrated intervals.

``Forecaster(horizon=30, levels=(80, 95), season=7, random_state=0)``: ``fit(series)`` takes a
DataFrame with ``date`` and ``value`` columns or a Series indexed by date; ``predict()`` returns a
DataFrame ``date, mean, lo_80, hi_80, lo_95, hi_95`` (one ``lo_``/``hi_`` pair per level) for the
``horizon`` days after the last date; ``backtest(windows=5)`` refits on the history before each of
the last ``windows`` horizons and returns the forecasts next to the actual values. The method
(seasonal naive, ETS, gradient-boosted calendar model, or the ETS + boosted mean) is chosen by a
rolling-origin backtest inside the history; the intervals are split-conformal per horizon
(``edupulse_core::forecast``; docs/forecast.md). ``info_`` says what was chosen, the candidates'
backtest errors and any fallback (gaps filled, short history). Fitted forecasters pickle.

Bad input: a duplicate date raises ``ValidationError`` (row and column ``date``); missing dates are
filled by linear interpolation (``gaps="zero"`` for daily revenue, ``gaps="error"`` to refuse them);
NaN or infinite values raise ``ValidationError``.

Example::

    >>> import pandas as pd
    >>> from edupulse.forecast import Forecaster
    >>> s = pd.Series([10.0 + (i % 7) for i in range(120)],
    ...               index=pd.date_range("2025-01-01", periods=120, freq="D"))
    >>> f = Forecaster(horizon=14).fit(s)
    >>> list(f.predict().columns)
    ['date', 'mean', 'lo_80', 'hi_80', 'lo_95', 'hi_95']
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _edupulse as _native
from ._base import Estimator, _check_fitted
from ._checks import check_float, check_int, check_str
from .exceptions import ParameterError, ValidationError

__all__ = ["Forecaster"]

#: Rust's defaults (``forecast::ForecasterParams::default()``).
_DEFAULTS: Dict[str, Any] = _native.defaults("forecast")


def _level_name(level: float) -> str:
    return str(int(level)) if float(level).is_integer() else str(level)


def _series(series: Any) -> Tuple[list, np.ndarray]:
    """ISO date strings and float64 values from a DataFrame (date, value) or a date-indexed Series."""
    if isinstance(series, pd.DataFrame):
        missing = [c for c in ("date", "value") if c not in series.columns]
        if missing:
            raise ValidationError(
                table="series", column=missing[0],
                message=f"the DataFrame needs `date` and `value` columns; missing {missing}",
            )
        dates, values = series["date"], series["value"]
    elif isinstance(series, pd.Series):
        dates, values = pd.Series(series.index), series
    else:
        raise ParameterError(
            parameter="series",
            message=f"expected a DataFrame with date and value or a date-indexed Series, got {type(series).__name__}",
        )
    try:
        parsed = pd.to_datetime(pd.Series(np.asarray(dates)), errors="coerce")
    except (TypeError, ValueError) as e:  # mixed time zones and the like
        raise ValidationError(table="series", column="date", message=str(e)) from None
    iso = [("" if pd.isna(d) else d.strftime("%Y-%m-%d")) for d in parsed]
    try:
        vals = np.ascontiguousarray(np.asarray(values, dtype="float64"))
    except (TypeError, ValueError) as e:
        raise ValidationError(table="series", column="value", message=str(e)) from None
    return iso, vals


class Forecaster(Estimator):
    """Daily forecaster with intervals (see the module docstring)."""

    def __init__(
        self,
        *,
        horizon: int = _DEFAULTS["horizon"],
        levels: Sequence[float] = (80, 95),
        season: int = _DEFAULTS["season"],
        random_state: int = 0,
        gaps: str = _DEFAULTS["gaps"],
        holidays: Optional[Sequence[Any]] = None,
        calibration_origins: int = _DEFAULTS["calibration_origins"],
        interval_origins: int = _DEFAULTS["interval_origins"],
        volatility_window: int = _DEFAULTS["volatility_window"],
    ) -> None:
        self.horizon = horizon
        self.levels = levels
        self.season = season
        self.random_state = random_state
        self.gaps = gaps
        self.holidays = holidays
        self.calibration_origins = calibration_origins
        self.interval_origins = interval_origins
        self.volatility_window = volatility_window

    def _params(self) -> Dict[str, Any]:
        levels = [check_float("levels", v) for v in self.levels]
        holidays = (
            []
            if self.holidays is None
            else [pd.Timestamp(d).strftime("%Y-%m-%d") for d in self.holidays]
        )
        gbdt = dict(_DEFAULTS["gbdt"])
        gbdt["seed"] = check_int("random_state", self.random_state, minimum=0)
        return {
            "horizon": check_int("horizon", self.horizon, minimum=1),
            "season": check_int("season", self.season, minimum=2),
            "levels": levels,
            "gaps": check_str("gaps", self.gaps),
            "holidays": holidays,
            "calibration_origins": check_int("calibration_origins", self.calibration_origins, minimum=1),
            "interval_origins": check_int("interval_origins", self.interval_origins, minimum=0),
            "volatility_window": check_int("volatility_window", self.volatility_window, minimum=0),
            "gbdt": gbdt,
        }

    def fit(self, series: Any) -> "Forecaster":
        """Fit on a DataFrame (``date``, ``value``) or a Series indexed by date; returns ``self``."""
        dates, values = _series(series)
        self._model = _native.NativeForecaster.fit(dates, values, self._params())
        self._set_fitted()
        return self

    def _set_fitted(self) -> None:
        self.info_ = self._model.info()
        self.chosen_ = self.info_["chosen"]
        self.notes_ = list(self.info_["notes"])

    def _columns(self) -> list:
        cols = ["date", "mean"]
        for level in self.levels:
            n = _level_name(float(level))
            cols += [f"lo_{n}", f"hi_{n}"]
        return cols

    def predict(self) -> pd.DataFrame:
        """The forecast of the ``horizon`` days after the last date: ``date, mean, lo_L, hi_L``."""
        _check_fitted(self)
        df = pd.DataFrame(self._model.predict(), columns=self._columns())
        df["date"] = pd.to_datetime(df["date"])
        return df

    def backtest(self, windows: int = 5) -> pd.DataFrame:
        """Rolling-origin evaluation of the whole procedure on the last ``windows`` horizons:
        ``window, cutoff, model, date, horizon, actual, mean, lo_L, hi_L``."""
        _check_fitted(self)
        rows = self._model.backtest(check_int("windows", windows, minimum=1))
        cols = ["window", "cutoff", "model", "date", "horizon", "actual"] + self._columns()[1:]
        df = pd.DataFrame(rows, columns=cols)
        df["date"] = pd.to_datetime(df["date"])
        df["cutoff"] = pd.to_datetime(df["cutoff"])
        return df

    def _state(self) -> bytes:
        return self._model.state()

    def _from_state(self, state: bytes) -> None:
        self._model = _native.NativeForecaster.from_state(state)
        self._set_fitted()
