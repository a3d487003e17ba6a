"""Tables in and out: pandas, polars, pyarrow and the Arrow PyCapsule interface.

Every edupulse function that takes a table accepts:

- a ``pandas.DataFrame`` (named index levels that are contract columns count as columns);
- a ``polars.DataFrame`` or ``polars.LazyFrame`` (collected);
- a ``pyarrow.Table`` or ``pyarrow.RecordBatch``;
- any object exposing ``__arrow_c_stream__`` (the Arrow PyCapsule interface: DuckDB relations,
  nanoarrow, arro3, ...), read through pyarrow when it is installed, else through polars;
- a mapping ``{column: sequence}``.

Only pandas and numpy are required: polars and pyarrow are used when the input is theirs (so they
are already imported) or to read a bare Arrow stream. Results are pandas DataFrames unless the
caller asks for ``output="polars"`` or ``output="arrow"`` (a ``pyarrow.Table``), which needs that
package.

Helpers for the modules of the package::

    frame = _interop.to_frame(df)            # any table above -> pandas.DataFrame
    return _interop.output(result, output)   # pandas result -> what the caller asked for
"""

from __future__ import annotations

import sys
from typing import Any, Dict, Mapping, Optional, Union

import numpy as np
import pandas as pd

from .exceptions import ParameterError

__all__ = ["OUTPUTS", "check_output", "is_table", "output", "to_frame"]

#: The accepted values of ``output=``.
OUTPUTS = ("pandas", "polars", "arrow")


def _module(name: str) -> Any:
    """``name`` if it is already imported (an object of its types implies it is), else None."""
    return sys.modules.get(name)


def _import(name: str) -> Any:
    """``name`` imported, or None when it is not installed."""
    try:
        return __import__(name)
    except ImportError:
        return None


def _is_polars(obj: Any) -> bool:
    pl = _module("polars")
    return pl is not None and isinstance(obj, (pl.DataFrame, pl.LazyFrame))


def _is_arrow(obj: Any) -> bool:
    pa = _module("pyarrow")
    return pa is not None and isinstance(obj, (pa.Table, pa.RecordBatch))


def is_table(obj: Any) -> bool:
    """True for every kind of table ``to_frame`` accepts (a mapping of columns included)."""
    return (
        isinstance(obj, (pd.DataFrame, Mapping))
        or _is_polars(obj)
        or _is_arrow(obj)
        or hasattr(obj, "__arrow_c_stream__")
    )


def to_frame(obj: Any, *, name: str = "table") -> pd.DataFrame:
    """Any accepted table as a pandas DataFrame (a pandas DataFrame is returned as is).

    Numeric columns of polars and Arrow inputs are converted without copying where the library
    allows it. ``name`` is used in the error message for an unsupported type.
    """
    if isinstance(obj, pd.DataFrame):
        return obj
    if _is_polars(obj):
        return _polars_to_pandas(obj)
    if _is_arrow(obj):
        return obj.to_pandas()
    if hasattr(obj, "__arrow_c_stream__"):
        return to_frame(_read_stream(obj, name), name=name)
    if isinstance(obj, Mapping):
        return pd.DataFrame({str(c): _column_values(v) for c, v in obj.items()})
    raise TypeError(
        f"{name}: expected a pandas, polars or pyarrow table, an object with "
        f"__arrow_c_stream__, or a dict of columns; got {type(obj).__name__}"
    )


def _column_values(v: Any) -> Any:
    return v if isinstance(v, (list, np.ndarray, pd.Series)) else list(v)


def _polars_to_pandas(df: Any) -> pd.DataFrame:
    """A polars frame as pandas without pyarrow: one numpy array per column (zero-copy for
    numeric columns without nulls; datetimes stay datetime64 with their time zone)."""
    pl = _module("polars")
    if isinstance(df, pl.LazyFrame):
        df = df.collect()
    data: Dict[str, Any] = {}
    for s in df.get_columns():
        dtype = s.dtype
        if dtype == pl.Datetime:
            tz = getattr(dtype, "time_zone", None)
            values = pd.Series(s.to_numpy())
            data[s.name] = values.dt.tz_localize(tz) if tz else values
        elif dtype in (pl.String, pl.Categorical, pl.Enum) or dtype == pl.Object:
            data[s.name] = pd.Series(s.to_list(), dtype=object)
        elif dtype == pl.Boolean and s.null_count():
            data[s.name] = pd.Series(s.to_list(), dtype="boolean")
        elif dtype.is_integer() and s.null_count():
            data[s.name] = pd.Series(s.to_list(), dtype="Int64")
        else:
            data[s.name] = s.to_numpy()
    return pd.DataFrame(data, columns=df.columns, copy=False)


def _read_stream(obj: Any, name: str) -> Any:
    """A pyarrow Table (or, without pyarrow, a polars DataFrame) of an Arrow PyCapsule stream."""
    pa = _import("pyarrow")
    if pa is not None:
        return pa.table(obj)
    pl = _import("polars")
    if pl is not None:
        return pl.DataFrame(obj)
    raise TypeError(
        f"{name}: reading an Arrow stream (__arrow_c_stream__) needs pyarrow or polars: "
        "pip install pyarrow"
    )


def check_output(output: Optional[str]) -> str:
    """``output`` validated (None means pandas); anything else raises ``ParameterError``."""
    if output is None:
        return "pandas"
    if output not in OUTPUTS:
        raise ParameterError(
            parameter="output", message=f"{output!r} (expected one of: {', '.join(OUTPUTS)})"
        )
    return output


def output(df: pd.DataFrame, output: Optional[str] = "pandas") -> Union[pd.DataFrame, Any]:
    """``df`` as the caller asked: pandas (as is), ``polars`` (a ``polars.DataFrame``) or
    ``arrow`` (a ``pyarrow.Table``). Datetime columns keep their time zone, nullable columns
    their nulls."""
    kind = check_output(output)
    if kind == "pandas":
        return df
    if kind == "polars":
        pl = _require("polars", "output='polars'")
        return pl.DataFrame({str(c): _to_polars_series(pl, str(c), df[c]) for c in df.columns})
    pa = _require("pyarrow", "output='arrow'")
    return pa.Table.from_pandas(df, preserve_index=False)


def _to_polars_series(pl: Any, name: str, s: pd.Series) -> Any:
    dtype = s.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        naive = _polars_unit(s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
        return pl.Series(name, naive).dt.replace_time_zone("UTC")
    if isinstance(dtype, np.dtype) and dtype.kind in "biufM":
        return pl.Series(name, _polars_unit(s.to_numpy()))
    if isinstance(dtype, (pd.Int64Dtype, pd.BooleanDtype, pd.Float64Dtype)):
        return pl.Series(name, s.astype(object).where(s.notna(), None).tolist())
    # text (object / str dtype): missing values are None; lists and dicts (JSON fields of
    # result rows) become polars lists and structs
    values = [None if _missing(v) else v for v in s.tolist()]
    if all(v is None or isinstance(v, str) for v in values):
        return pl.Series(name, values, dtype=pl.String)
    try:
        return pl.Series(name, values, strict=False)
    except Exception:  # values polars cannot type: keep them as Python objects
        return pl.Series(name, values, dtype=pl.Object)


def _polars_unit(a: np.ndarray) -> np.ndarray:
    """datetime64 in a unit polars takes (ms, us, ns); seconds become microseconds exactly."""
    if a.dtype.kind == "M" and np.datetime_data(a.dtype)[0] not in ("ms", "us", "ns"):
        return a.astype("datetime64[us]")
    return a


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def _require(module: str, what: str) -> Any:
    mod = _import(module)
    if mod is None:
        raise ImportError(f"{what} needs {module}: pip install {module}")
    return mod
