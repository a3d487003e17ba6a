"""edupulse: analytics for online-course and webinar businesses.

Tables go in and out as pandas DataFrames (polars DataFrames and plain ``{column: list}``
dicts are accepted as input), with the column names of the data contract (``edupulse.TABLES``,
``edupulse.columns(table)``)::

    import edupulse

    tables = edupulse.simulate(students=200, seed=7)   # {table name: DataFrame}
    edupulse.validate(tables)                          # {table name: row count}
    store = edupulse.Store.open("sqlite://edupulse.db")
    store.ingest(tables)                               # upserts: ingesting twice changes nothing
    reviews = store.table("reviews", start="2024-01-01")

Every error is an ``edupulse.EdupulseError``; bad data raises ``edupulse.ValidationError``
naming the table, the 1-based row and the column.

This module only converts DataFrames; parsing, validation, simulation and storage run in Rust
(``edupulse._edupulse``), with the GIL released.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, List, Mapping, Optional

import numpy as np
import pandas as pd

from . import _edupulse as _native
from ._edupulse import (
    TABLES,
    EdupulseError,
    InternalError,
    ParameterError,
    StoreError,
    ValidationError,
    __version__,
)
from ._base import NotFittedError
from . import _interop

__all__ = [
    "churn",
    "repetition",
    "trends",
    "TABLES",
    "EdupulseError",
    "InternalError",
    "NotFittedError",
    "ParameterError",
    "Store",
    "StoreError",
    "ValidationError",
    "__version__",
    "columns",
    "simulate",
    "validate",
]

# pandas 3 has a string dtype with NaN for missing values; pandas 2's `str` dtype would turn None
# into the text "None", so text columns stay `object` there.
_TEXT_DTYPE: Any = "str" if int(pd.__version__.split(".")[0]) >= 3 else object


def columns(table: str) -> List[str]:
    """The column names of ``table`` in canonical order (DESIGN §3)."""
    return _native.columns(table)


def simulate(
    students: int = 1000, seed: int = 42, *, output: str = "pandas", **options: Any
) -> Dict[str, Any]:
    """Simulate a business: one DataFrame per table in ``TABLES``.

    The same ``seed`` and options always give the same data. ``options`` override other fields
    of the simulator's configuration; an unknown option raises ``ParameterError``.
    ``output="polars"`` or ``"arrow"`` returns polars DataFrames or pyarrow Tables instead.
    """
    _interop.check_output(output)
    raw = _native.simulate({"students": students, "seed": seed, **options})
    return {name: _interop.output(_to_frame(name, cols), output) for name, cols in raw.items()}


def validate(tables: Mapping[str, Any]) -> Dict[str, int]:
    """Check ``{table name: DataFrame}`` against the data contract, as ``Store.ingest`` would.

    Returns the row count of each table given after identical duplicate rows are collapsed.
    Raises ``ValidationError`` (with ``table``, ``row``, ``column``) on the first bad value,
    a missing required column, an unknown column or table, or two rows with the same key and
    different values.
    """
    return _native.validate(_to_native(tables))


class Store:
    """An edupulse store: ``sqlite://PATH`` (a file, created if needed) or ``memory://``.

    Thread-safe; every call releases the GIL while the store works.
    """

    __slots__ = ("_native",)

    def __init__(self, url: str) -> None:
        self._native = _native.NativeStore.open(url)

    @classmethod
    def open(cls, url: str) -> Store:
        """Open (creating and migrating if needed) the store at ``url``."""
        return cls(url)

    @property
    def url(self) -> str:
        """The store's URL with any password removed."""
        return self._native.url

    def ingest(self, tables: Mapping[str, Any]) -> Dict[str, Dict[str, int]]:
        """Validate and upsert ``{table name: DataFrame}`` in one transaction.

        Rows replace stored rows with the same natural key, so ingesting the same data twice
        changes nothing. Returns ``{"received": {table: n}, "written": {table: n}}`` where
        ``written`` counts rows that were new or changed.
        """
        return self._native.ingest(_to_native(tables))

    def table(
        self,
        name: str,
        start: Optional[Any] = None,
        end: Optional[Any] = None,
        *,
        output: str = "pandas",
    ) -> Any:
        """Rows of table ``name`` filed in ``[start, end)``, sorted by natural key.

        ``start`` and ``end`` are ``None`` (unbounded), an ISO / RFC 3339 string, a ``datetime``,
        a ``date`` or a ``pandas.Timestamp``; naive times are UTC. A pandas DataFrame, or with
        ``output="polars"`` / ``"arrow"`` a polars DataFrame / pyarrow Table.
        """
        _interop.check_output(output)
        return _interop.output(_to_frame(name, self._native.read(name, start, end)), output)

    def counts(self) -> Dict[str, int]:
        """Row counts of every table the store holds."""
        return self._native.counts()

    def __repr__(self) -> str:
        return f"edupulse.Store({self.url!r})"


# --- conversion only below: no analytics in Python -------------------------------------------


def _to_native(tables: Mapping[str, Any]) -> Dict[str, Dict[str, Any]]:
    if not isinstance(tables, Mapping):
        raise TypeError(
            f"expected a dict of {{table name: DataFrame}}, got {type(tables).__name__}"
        )
    return {str(name): _columns_of(str(name), frame) for name, frame in tables.items()}


def _columns_of(table: str, frame: Any) -> Dict[str, Any]:
    """``{column: list}`` of a pandas, polars or Arrow table or a mapping of columns."""
    if not isinstance(frame, (pd.DataFrame, Mapping)) and _interop.is_table(frame):
        polars = sys.modules.get("polars")
        if polars is not None and isinstance(frame, polars.LazyFrame):
            frame = frame.collect()
        elif polars is None or not isinstance(frame, polars.DataFrame):
            frame = _interop.to_frame(frame, name=f"table {table!r}")  # Arrow -> pandas
    if isinstance(frame, pd.DataFrame):
        frame = _index_to_columns(table, frame)
        if frame.columns.has_duplicates:
            dup = str(frame.columns[frame.columns.duplicated()][0])
            raise _validation_error(table, dup, "column appears twice in the DataFrame")
        return {str(c): _series_values(frame.iloc[:, i]) for i, c in enumerate(frame.columns)}
    polars = sys.modules.get("polars")  # a polars DataFrame implies polars is imported
    if polars is not None and isinstance(frame, polars.DataFrame):
        return frame.to_dict(as_series=False)
    if isinstance(frame, Mapping):
        return {str(c): v.tolist() if hasattr(v, "tolist") else v for c, v in frame.items()}
    raise TypeError(
        f"table {table!r}: expected a pandas, polars or pyarrow table, an object with "
        "__arrow_c_stream__, or a dict of columns, "
        f"got {type(frame).__name__}"
    )


def _series_values(series: pd.Series) -> list:
    """A column as a list; datetime64 columns become ISO strings in UTC at C speed (None = NaT),
    every other value is converted by the native layer."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    elif not (isinstance(dtype, np.dtype) and dtype.kind == "M"):
        return series.tolist()
    text = np.datetime_as_string(series.to_numpy(), unit="auto").tolist()
    if series.hasnans:
        text = [None if v == "NaT" else v for v in text]
    return text


def _index_to_columns(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Turn named index levels that are contract columns (e.g. after ``set_index``) into columns."""
    names = [n for n in frame.index.names if n is not None and n not in frame.columns]
    if not names:
        return frame
    try:
        wanted = set(_native.columns(table))
    except ValidationError:
        return frame  # unknown table: reported by the native layer
    levels = [n for n in names if n in wanted]
    return frame.reset_index(level=levels) if levels else frame


def _validation_error(table: str, column: Optional[str], message: str) -> ValidationError:
    err = ValidationError(f"table '{table}', column '{column}': {message}")
    err.table, err.row, err.column, err.file, err.message = table, None, column, None, message
    return err


def _to_frame(table: str, cols: Dict[str, list]) -> pd.DataFrame:
    """A DataFrame from native column lists, with dtypes chosen by each column's kind."""
    data: Dict[str, pd.Series] = {}
    for name, kind, required in _native.column_specs(table):
        values = cols[name]
        if kind == "datetime":
            series = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
        elif kind == "date":
            series = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")
        elif kind == "int":
            series = pd.Series(values, dtype="int64" if required else "Int64")
        elif kind == "float":
            series = pd.Series(values, dtype="float64")
        elif kind == "bool":
            series = pd.Series(values, dtype="bool" if required else "boolean")
        else:
            series = pd.Series(values, dtype=_TEXT_DTYPE)
        data[name] = series
    return pd.DataFrame(data)


# Submodules (imported last: they use the native module loaded above).
from . import trends  # noqa: E402
from . import churn  # noqa: E402  (submodule: edupulse.churn)
from . import repetition  # noqa: E402  (submodule: edupulse.repetition)
