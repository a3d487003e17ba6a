"""Strict conversion of the values Python callers hand to edupulse (issue 24, item 6).

Nothing is coerced quietly: a parameter of the wrong type, a float with a fraction where an
integer is expected, NaN, a missing or unparseable value in a data column — each raises the
documented error naming the real thing: ``ParameterError(parameter=...)`` for parameters,
``ValidationError(table=..., row=..., column=...)`` (1-based row) for data.

::

    >>> from edupulse._checks import check_int, check_float
    >>> check_int("max_iter", 10.0)
    10
    >>> check_int("max_iter", 2.5)
    Traceback (most recent call last):
    ...
    edupulse.exceptions.ParameterError: invalid parameter `max_iter`: expected an integer, got 2.5
    >>> check_float("alpha", True)
    Traceback (most recent call last):
    ...
    edupulse.exceptions.ParameterError: invalid parameter `alpha`: expected a number, got True
"""

from __future__ import annotations

import numbers
from typing import Any, List, Literal, Optional, overload

import numpy as np
import pandas as pd

from .exceptions import ParameterError, ValidationError

__all__ = [
    "check_bool",
    "check_float",
    "check_int",
    "check_str",
    "float_array",
    "numeric_column",
    "text_column",
    "time_column",
]


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


@overload
def check_int(
    name: str, value: Any, *, minimum: Optional[int] = ..., optional: Literal[False] = ...
) -> int: ...
@overload
def check_int(
    name: str, value: Any, *, minimum: Optional[int] = ..., optional: bool = ...
) -> Optional[int]: ...
def check_int(
    name: str, value: Any, *, minimum: Optional[int] = None, optional: bool = False
) -> Optional[int]:
    """``value`` as an int: an int (numpy ones included) or a float without a fraction; None
    only when ``optional``. Anything else (str, bool, 2.5, NaN) raises ``ParameterError``."""
    if value is None and optional:
        return None
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise ParameterError(parameter=name, message=f"expected an integer, got {value!r}")
    if isinstance(value, numbers.Integral):
        out = int(value)
    else:
        x = float(value)
        if not x.is_integer():
            raise ParameterError(parameter=name, message=f"expected an integer, got {value!r}")
        out = int(x)
    if minimum is not None and out < minimum:
        raise ParameterError(parameter=name, message=f"must be ≥ {minimum}, got {out}")
    return out


@overload
def check_float(
    name: str,
    value: Any,
    *,
    minimum: Optional[float] = ...,
    optional: Literal[False] = ...,
    finite: bool = ...,
) -> float: ...
@overload
def check_float(
    name: str, value: Any, *, minimum: Optional[float] = ..., optional: bool = ..., finite: bool = ...
) -> Optional[float]: ...
def check_float(
    name: str,
    value: Any,
    *,
    minimum: Optional[float] = None,
    optional: bool = False,
    finite: bool = True,
) -> Optional[float]:
    """``value`` as a float: an int or a float (numpy ones included), not NaN (nor ±inf when
    ``finite``); None only when ``optional``. A str or a bool raises ``ParameterError``."""
    if value is None and optional:
        return None
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise ParameterError(parameter=name, message=f"expected a number, got {value!r}")
    x = float(value)
    if x != x or (finite and x in (float("inf"), float("-inf"))):
        raise ParameterError(parameter=name, message=f"expected a finite number, got {x}")
    if minimum is not None and x < minimum:
        raise ParameterError(parameter=name, message=f"must be ≥ {minimum}, got {x}")
    return x


def check_bool(name: str, value: Any) -> bool:
    """``value`` as a bool: only ``True``/``False`` (numpy's too); ``"no"`` or 0 raise
    ``ParameterError``."""
    if not _is_bool(value):
        raise ParameterError(parameter=name, message=f"expected True or False, got {value!r}")
    return bool(value)


def check_str(name: str, value: Any) -> str:
    """``value`` when it is a str, else ``ParameterError``."""
    if not isinstance(value, str):
        raise ParameterError(parameter=name, message=f"expected a str, got {value!r}")
    return value


def float_array(name: str, values: Any) -> "np.ndarray[Any, Any]":
    """A sequence of numbers as a float64 array (None and NaN stay NaN, the values' meaning of
    missing); text or other objects raise ``ParameterError`` naming ``name``."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        return np.asarray(values, dtype=np.float64)
    if isinstance(values, pd.Series) and pd.api.types.is_numeric_dtype(values.dtype) and not (
        pd.api.types.is_bool_dtype(values.dtype)
    ):
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    seq = values.tolist() if hasattr(values, "tolist") else values
    try:
        items = list(seq) if not isinstance(seq, (str, bytes)) else [seq]
    except TypeError:
        raise ParameterError(
            parameter=name, message=f"expected a sequence of numbers, got {type(values).__name__}"
        ) from None
    out = np.empty(len(items), dtype=np.float64)
    for i, v in enumerate(items):
        if v is None or v is pd.NA:
            out[i] = np.nan
        elif _is_bool(v) or not isinstance(v, numbers.Real):
            raise ParameterError(
                parameter=name, message=f"at index {i}: expected a number, got {v!r}"
            )
        else:
            out[i] = float(v)
    return out


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def text_column(table: str, column: str, values: Any) -> List[str]:
    """A required text column as a list of str: a missing value (None, NaN, NA) raises
    ``ValidationError`` at its row instead of becoming the text ``'None'``; numbers and other
    scalars become their text."""
    items = values.tolist() if hasattr(values, "tolist") else list(values)
    out: List[str] = []
    for i, v in enumerate(items):
        if _missing(v):
            raise ValidationError(table=table, row=i + 1, column=column, message="missing value")
        out.append(v if isinstance(v, str) else str(v))
    return out


def numeric_column(table: str, column: str, values: Any) -> "np.ndarray[Any, Any]":
    """A numeric data column as float64: missing values (None, NaN, NA) stay NaN, a value that is
    not a number (text, a bool in an object column) raises ``ValidationError`` at its row."""
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    items = s.tolist()
    out = np.empty(len(items), dtype=np.float64)
    for i, v in enumerate(items):
        if _missing(v):
            out[i] = np.nan
        elif _is_bool(v) or not isinstance(v, numbers.Real):
            raise ValidationError(
                table=table, row=i + 1, column=column, message=f"{v!r} is not a number"
            )
        else:
            out[i] = float(v)
    return out


def time_column(table: str, column: str, values: Any) -> pd.Series:
    """A date-time column as a UTC pandas Series: values pandas cannot read as ISO 8601 date-times
    raise ``ValidationError`` at the first bad row; missing ones raise it too."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    try:
        at = pd.to_datetime(s, utc=True, format="ISO8601")
    except (ValueError, TypeError, OverflowError):
        at = pd.to_datetime(s, utc=True, format="ISO8601", errors="coerce")
        bad = at.isna() & s.notna()
        row = int(np.flatnonzero(bad.to_numpy())[0]) if bad.any() else 0
        raise ValidationError(
            table=table,
            row=row + 1,
            column=column,
            message=f"{s.iloc[row]!r} is not an ISO 8601 date-time",
        ) from None
    if at.isna().any():
        row = int(np.flatnonzero(at.isna().to_numpy())[0])
        raise ValidationError(table=table, row=row + 1, column=column, message="missing value")
    return at


def timestamp(name: str, value: Any, what: str = "a date-time") -> pd.Timestamp:
    """``value`` parsed by ``pd.Timestamp``; anything it cannot parse, or NaT, raises
    ``ParameterError`` naming ``name`` (``what`` says what was expected)."""
    try:
        t = pd.Timestamp(value)
    except (TypeError, ValueError) as e:
        raise ParameterError(parameter=name, message=f"not {what}: {value!r} ({e})") from None
    if t is pd.NaT:
        raise ParameterError(parameter=name, message="must not be NaT")
    return t


def instant(name: str, value: Any) -> float:
    """Unix seconds of a date-time parameter (naive values are UTC); anything that is not a
    date-time, or NaT, raises ``ParameterError`` naming ``name``."""
    t = timestamp(name, value)
    if t.tzinfo is None:
        t = t.tz_localize("UTC")
    return float(t.timestamp())
