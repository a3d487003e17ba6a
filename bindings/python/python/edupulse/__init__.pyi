"""Type stubs of the edupulse package."""

import datetime
import os
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union, overload

import pandas as pd

from . import exceptions as exceptions
from .exceptions import (
    ConvergenceError as ConvergenceError,
    EdupulseError as EdupulseError,
    EdupulseIOError as EdupulseIOError,
    InternalError as InternalError,
    NotFittedError as NotFittedError,
    ParameterError as ParameterError,
    StepFailedError as StepFailedError,
    StoreError as StoreError,
    StoreIOError as StoreIOError,
    ValidationError as ValidationError,
)
from . import churn as churn
from . import leads as leads
from . import repetition as repetition
from . import demand as demand
from . import trends as trends

__all__ = [
    "churn",
    "exceptions",
    "leads",
    "demand",
    "repetition",
    "trends",
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

__version__: str

#: Names of the input tables, in ingest order.
TABLES: Tuple[str, ...]

#: One table as input: a pandas DataFrame, a polars DataFrame or LazyFrame, a pyarrow Table or
#: RecordBatch, any object with __arrow_c_stream__, or a mapping of column name to a sequence.
_DataFrameLike = Any
#: Input tables: table name -> _DataFrameLike.
_TablesLike = Mapping[str, _DataFrameLike]
#: A time bound: None (unbounded), an ISO / RFC 3339 string, a datetime, a date or a
#: pandas.Timestamp (naive times are UTC).
_TimeLike = Union[None, str, datetime.datetime, datetime.date, pd.Timestamp]

def columns(table: str) -> List[str]: ...
def result_tables() -> List[Dict[str, Any]]: ...

@overload
def simulate(
    students: int = ..., seed: int = ..., *, output: Literal["pandas"] = "pandas", **options: Any
) -> Dict[str, pd.DataFrame]: ...
@overload
def simulate(
    students: int = ..., seed: int = ..., *, output: str = "pandas", **options: Any
) -> Dict[str, Any]: ...
def validate(tables: _TablesLike) -> Dict[str, int]: ...
def write_csv_dir(tables: _TablesLike, path: Union[str, "os.PathLike[str]"]) -> Dict[str, int]: ...
def set_num_threads(n: int) -> None: ...
def get_num_threads() -> int: ...

class Store:
    """An edupulse store: ``sqlite://PATH`` or ``memory://``."""

    def __init__(self, url: str) -> None: ...
    @classmethod
    def open(cls, url: str) -> "Store": ...
    @property
    def url(self) -> str: ...
    def ingest(self, tables: _TablesLike) -> Dict[str, Dict[str, int]]: ...
    def ingest_dir(self, path: Union[str, "os.PathLike[str]"]) -> Dict[str, Dict[str, int]]: ...
    @overload
    def table(
        self,
        name: str,
        start: _TimeLike = None,
        end: _TimeLike = None,
        *,
        output: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...
    @overload
    def table(
        self, name: str, start: _TimeLike = None, end: _TimeLike = None, *, output: str = "pandas"
    ) -> Any: ...
    def counts(self) -> Dict[str, int]: ...
    def run(
        self,
        as_of: _TimeLike,
        *,
        steps: Optional[Sequence[str]] = None,
        config: Optional[Mapping[str, Any]] = None,
        progress: Union[bool, Callable[[int, int, str], Any]] = False,
        raise_on_failure: bool = False,
    ) -> Dict[str, Any]: ...
    def deliver(
        self, file: Optional[Union[str, "os.PathLike[str]"]] = None, *, stdout: bool = False
    ) -> Dict[str, Any]: ...
    def results(self, table: str, as_of: _TimeLike = None, *, output: str = "pandas") -> Any: ...
    def outbox(self, *, pending_only: bool = False) -> List[Dict[str, Any]]: ...
    def runs(self) -> List[Dict[str, Any]]: ...
    def report(
        self, path: Union[str, "os.PathLike[str]"], lang: str = "es", as_of: _TimeLike = None
    ) -> str: ...
