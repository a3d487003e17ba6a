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

Example (an in-memory store; ``sqlite://PATH`` or ``postgres://...`` persist)::

    >>> import edupulse
    >>> tables = edupulse.simulate(students=50, seed=7)
    >>> edupulse.validate(tables)["students"]
    50
    >>> store = edupulse.Store.open("memory://")
    >>> store.ingest(tables)["written"]["students"]
    50
    >>> store.ingest(tables)["written"]["students"]   # idempotent: nothing new the second time
    0
    >>> store.counts()["reviews"] == len(tables["reviews"])
    True
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, overload

import numpy as np
import pandas as pd

from . import _edupulse as _native
from ._edupulse import TABLES, __version__
from . import exceptions
from .exceptions import (
    ConvergenceError,
    EdupulseError,
    EdupulseIOError,
    InternalError,
    NotFittedError,
    ParameterError,
    StepFailedError,
    StoreError,
    StoreIOError,
    ValidationError,
)
from . import _interop
from ._checks import check_int, check_str

__all__ = [
    "churn",
    "exceptions",
    "certify",
    "leads",
    "experiments",
    "demand",
    "forecast",
    "io",
    "repetition",
    "trends",
    "content",
    "kpi",
    "feedback",
    "TABLES",
    "ConvergenceError",
    "EdupulseError",
    "EdupulseIOError",
    "InternalError",
    "NotFittedError",
    "ParameterError",
    "Store",
    "StoreError",
    "StoreIOError",
    "StepFailedError",
    "ValidationError",
    "__version__",
    "columns",
    "get_num_threads",
    "set_num_threads",
    "simulate",
    "validate",
    "write_csv_dir",
    "result_tables",
]

# pandas 3 has a string dtype with NaN for missing values; pandas 2's `str` dtype would turn None
# into the text "None", so text columns stay `object` there.
_TEXT_DTYPE: Any = "str" if int(pd.__version__.split(".")[0]) >= 3 else object


def columns(table: str) -> List[str]:
    """The column names of ``table`` in canonical order (DESIGN §3)."""
    return _native.columns(table)


#: Rust's simulator defaults (``simulate::SimConfig::default()``).
_SIMULATE: Dict[str, Any] = _native.defaults("simulate")


@overload
def simulate(
    students: int = ..., seed: int = ..., *, output: Literal["pandas"] = "pandas", **options: Any
) -> Dict[str, pd.DataFrame]: ...
@overload
def simulate(
    students: int = ..., seed: int = ..., *, output: str = "pandas", **options: Any
) -> Dict[str, Any]: ...
def simulate(
    students: int = _SIMULATE["students"],
    seed: int = _SIMULATE["seed"],
    *,
    output: str = "pandas",
    **options: Any,
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


def write_csv_dir(tables: Mapping[str, Any], path: Any) -> Dict[str, int]:
    """Validate ``{table name: DataFrame}`` and write ``<table>.csv`` files into ``path`` (created
    if needed) in the data contract's CSV format, the one ``Store.ingest_dir`` and the CLI's
    ``edupulse ingest`` read. Returns the rows written per table (empty tables are skipped)."""
    return _native.write_csv_dir(_to_native(tables), os.fspath(path))


def set_num_threads(n: int) -> None:
    """Cap the threads edupulse starts in this process at ``n`` (default 2, or the
    ``EDUPULSE_NUM_THREADS`` environment variable).

    Call it first thing in each worker process of a Dask, Spark or multiprocessing pool, so that
    workers × threads does not exceed the cores. It applies to thread pools built afterwards in the
    process (the store runtime is built on first use) and sets ``EDUPULSE_NUM_THREADS`` and
    ``RAYON_NUM_THREADS`` for child processes and Rust thread pools.
    """
    n = check_int("n", n, minimum=1)
    _native._set_num_threads(n)
    os.environ["EDUPULSE_NUM_THREADS"] = str(n)
    os.environ["RAYON_NUM_THREADS"] = str(n)


def get_num_threads() -> int:
    """The thread budget of this process (see ``set_num_threads``)."""
    return _native._get_num_threads()


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

    def ingest_dir(
        self,
        path: Any,
        *,
        delimiter: Optional[str] = None,
        decimal: Optional[str] = None,
        date_format: Optional[str] = None,
    ) -> Dict[str, Dict[str, int]]:
        """Validate and upsert a folder of ``<table>.csv`` files (the CLI's ``ingest``) in one
        transaction; errors name the file, row and column. Same report as ``ingest``.

        Spanish-locale Excel files are read as written: a byte-order mark is skipped, the
        ``delimiter`` (``","``, ``";"`` or ``"\\t"``) is detected from each header unless given,
        the ``decimal`` mark defaults to ``","`` in ``;``-separated files, and day-first dates
        are read only with an explicit ``date_format`` (strftime, e.g. ``"%d/%m/%Y"``).
        """
        return self._native.ingest_dir(
            os.fspath(path), delimiter=delimiter, decimal=decimal, date_format=date_format
        )

    @overload
    def table(
        self,
        name: str,
        start: Optional[Any] = None,
        end: Optional[Any] = None,
        *,
        output: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...
    @overload
    def table(
        self, name: str, start: Optional[Any] = None, end: Optional[Any] = None, *, output: str = "pandas"
    ) -> Any: ...
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

    def run(
        self,
        as_of: Any,
        *,
        steps: Optional[Sequence[str]] = None,
        config: Optional[Mapping[str, Any]] = None,
        progress: Any = False,
        raise_on_failure: bool = False,
        timezone: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Run the daily job as of ``as_of`` and write its results and notifications.

        ``as_of`` is a datetime, a pandas Timestamp, an RFC 3339 string, or a date / ``YYYY-MM-DD``
        (meaning the end of that local day, 23:59:59 in the job's time zone, as on the command
        line). ``timezone`` (an IANA name such as ``"Europe/Madrid"``) overrides the config's
        ``timezone`` (default ``"UTC"``): weekdays, hours, days, months and ISO weeks of every
        step follow its local clock through daylight-saving changes; an unknown zone raises
        :class:`ParameterError` (parameter ``job.timezone``). ``steps`` restricts
        the run to some steps (``kpis``, ``review_schedule``, ``trends``, ``churn``, ...); results
        of other steps stay as they are. ``config`` is a ``JobConfig`` as a dict (per-step
        parameters; the defaults otherwise). Re-running the same ``as_of`` replaces its results
        and adds no notification already in the outbox.

        ``progress=True`` shows a progress bar (tqdm if installed, else lines on stderr); a
        callable is called as ``progress(i, n, step)``. Runs with the GIL released; Ctrl-C stops
        it before the next step (``KeyboardInterrupt``) and nothing is written.
        Returns the run's JSON summary as a dict.

        A step that fails does not stop the others: their results are written, the summary has
        ``"ok": False`` and ``"failed_steps"``, and an operator notification goes to the outbox.
        With ``raise_on_failure=True`` such a run raises :class:`StepFailedError` (carrying the
        summary) instead of returning — what an Airflow task wants to fail the task.
        """
        if config is not None and not isinstance(config, Mapping):
            raise ParameterError(
                parameter="config", message=f"expected a dict, got {type(config).__name__}"
            )
        names = None
        if steps is not None:
            names = [] if isinstance(steps, (str, bytes)) else list(steps)
            if isinstance(steps, (str, bytes)) or not all(isinstance(s, str) for s in names):
                raise ParameterError(
                    parameter="steps", message=f"expected a list of step names, got {steps!r}"
                )
        callback, close = _progress(progress, "edupulse run")
        try:
            summary: Dict[str, Any] = self._native.run(
                as_of,
                None if config is None else dict(config),
                names,
                callback,
                timezone,
            )
        finally:
            close()
        if raise_on_failure and not summary.get("ok", True):
            raise StepFailedError(summary)
        return summary

    def deliver(self, file: Optional[Any] = None, *, stdout: bool = False) -> Dict[str, Any]:
        """Deliver pending notifications: appended as JSON lines to ``file`` and/or printed.

        Every notification goes once to each channel: delivering again sends nothing new.
        Returns the dispatch report (``pending``, ``delivered``, ``sent``, per channel...).
        """
        path = None if file is None else os.fspath(file)
        return self._native.deliver(path, stdout)

    def results(
        self,
        table: str,
        as_of: Optional[Any] = None,
        *,
        output: str = "pandas",
        timezone: Optional[str] = None,
    ) -> Any:
        """Rows of result table ``table`` (``churn_scores``, ``best_slots``, ... — see
        :func:`result_tables`) for ``as_of`` (None: the latest run that has rows).

        A date ``as_of`` (``date`` or ``YYYY-MM-DD``) is the end of that local day in
        ``timezone`` (an IANA name), or, without it, in the zone the store's latest run was made
        in (``Store.run(timezone=)`` / ``[job] timezone``; UTC by default), as ``run`` reads it.
        An unknown ``timezone`` raises :class:`ParameterError`.

        Columns are ``as_of`` then the table's columns, typed from its spec: times
        ``datetime64[ns, UTC]``, dates ``datetime64``, floats ``float64``, integers ``int64``
        (``Int64`` when nullable), booleans ``bool`` (``boolean``), JSON columns Python objects.
        An unknown table raises :class:`ParameterError` naming the known ones."""
        _interop.check_output(output)
        cols = self._native.results(check_str("table", table), as_of, timezone)
        return _interop.output(_result_frame(table, cols), output)

    def outbox(self, *, pending_only: bool = False) -> List[Dict[str, Any]]:
        """The notification outbox, oldest first (dicts with ``notification``, ``status``...)."""
        return self._native.outbox(pending_only)

    def runs(self) -> List[Dict[str, Any]]:
        """Every run record, oldest ``as_of`` first (``as_of``, ``written_at``, ``summary``)."""
        return self._native.runs()

    def report(
        self, path: Any, lang: str = "es", as_of: Optional[Any] = None, *, timezone: Optional[str] = None
    ) -> str:
        """Write the report of the run at ``as_of`` (None: the latest run; a bare date means the
        end of that local day, read as in :meth:`results`) and return the path of its HTML page.
        The forecast chart's purchase history is bucketed by the run's local days.

        ``path`` is a folder (``report.html`` and ``report.json`` are written in it, created if
        needed) or a ``.html`` file (the JSON goes beside it). The page of each of the 50 latest
        ended webinars goes into ``webinars/`` beside the HTML page, which links them. ``lang``
        is ``"es"`` (Spanish, the default) or ``"en"``; another raises :class:`ParameterError`.
        A store without that run raises :class:`EdupulseError`."""
        return self._native.report(os.fspath(path), check_str("lang", lang), as_of, timezone)

    def __repr__(self) -> str:
        return f"edupulse.Store({self.url!r})"


# --- conversion only below: no analytics in Python -------------------------------------------


def _tqdm() -> Any:
    """tqdm's notebook bar when ipywidgets can draw it, else the text bar (ImportError: none)."""
    from tqdm import tqdm  # type: ignore[import-untyped]

    try:
        import ipywidgets  # type: ignore[import-not-found,unused-ignore]  # noqa: F401

        from tqdm.auto import tqdm as auto  # type: ignore[import-untyped]

        return auto
    except ImportError:
        return tqdm


def _progress(progress: Any, desc: str) -> Tuple[Optional[Callable[[int, int, str], None]], Callable[[], None]]:
    """``(callback(i, n, name), close())`` for ``progress=``: False/None, True or a callable."""
    if progress is None or progress is False:
        return None, lambda: None
    if callable(progress):
        return progress, lambda: None
    if progress is not True:
        raise TypeError("progress must be a bool or a callable(i, n, step)")
    try:
        tqdm = _tqdm()
    except ImportError:

        def line(i: int, n: int, name: str) -> None:
            print(f"{desc}: {min(i + 1, n)}/{n} {name}", file=sys.stderr, flush=True)

        return line, lambda: None
    bar = tqdm(total=0, desc=desc, unit="step")

    def update(i: int, n: int, name: str) -> None:
        bar.total = n
        bar.n = i
        bar.set_postfix_str(name, refresh=False)
        bar.refresh()

    return update, bar.close


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
    return ValidationError(table=table, column=column, message=message)


def _to_frame(table: str, cols: Dict[str, list]) -> pd.DataFrame:
    """A DataFrame from native column lists, with dtypes chosen by each column's kind."""
    return _typed_frame(cols, _native.column_specs(table))


def _result_frame(table: str, cols: Dict[str, list]) -> pd.DataFrame:
    """A result table's DataFrame: ``as_of`` and the spec's columns, typed."""
    spec = next(t for t in _native.result_tables() if t[0] == table)
    columns = [("as_of", "datetime", True)] + [(c[0], c[1], not c[2]) for c in spec[4]]
    return _typed_frame(cols, columns)


def result_tables() -> List[Dict[str, Any]]:
    """Every result table of the daily job, in step order: ``table``, ``step``, ``doc``, ``key``
    and ``columns`` (each ``name``, ``type``, ``nullable``, ``doc``). Every table also has
    ``as_of`` first. The same list as ``edupulse schema`` and docs/results.md."""
    return [
        {
            "table": name,
            "step": step,
            "doc": doc,
            "key": list(key),
            "columns": [
                {"name": c, "type": kind, "nullable": nullable, "doc": cdoc}
                for c, kind, nullable, cdoc in columns
            ],
        }
        for name, step, doc, key, columns in _native.result_tables()
    ]


def _typed_frame(cols: Dict[str, list], specs: Any) -> pd.DataFrame:
    """A DataFrame from column lists and ``(name, kind, required)`` specs."""
    data: Dict[str, pd.Series] = {}
    for name, kind, required in specs:
        values = cols[name]
        if kind == "json":
            data[name] = pd.Series(values, dtype=object)
            continue
        if kind == "datetime":
            series = pd.to_datetime(
                pd.Series(values, dtype=object), utc=True, format="ISO8601"
            ).dt.as_unit("ns")
        elif kind == "date":
            series = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601").dt.as_unit(
                "ns"
            )
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
from . import certify  # noqa: E402  (submodule: edupulse.certify)
from . import leads  # noqa: E402  (submodule: edupulse.leads)
from . import demand  # noqa: E402  (submodule: edupulse.demand)
from . import forecast  # noqa: E402  (submodule: edupulse.forecast)
from . import io  # noqa: E402  (submodule: edupulse.io, the importers)
from . import experiments  # noqa: E402  (submodule: edupulse.experiments)
from . import content  # noqa: E402  (submodule: edupulse.content)
from . import kpi  # noqa: E402  (submodule: edupulse.kpi)
from . import community  # noqa: E402  (submodule: edupulse.community)
from . import feedback  # noqa: E402  (submodule: edupulse.feedback)
