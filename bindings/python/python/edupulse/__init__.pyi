"""Type stubs of the edupulse package."""

import datetime
import os
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union, overload

import pandas as pd

from ._base import NotFittedError as NotFittedError
from . import churn as churn
from . import leads as leads
from . import repetition as repetition
from . import demand as demand
from . import trends as trends

__all__ = [
    "churn",
    "leads",
    "demand",
    "repetition",
    "trends",
    "TABLES",
    "ConvergenceError",
    "EdupulseError",
    "InternalError",
    "NotFittedError",
    "ParameterError",
    "Store",
    "StoreError",
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

class EdupulseError(Exception):
    """Base class of every error raised by edupulse."""

class ValidationError(EdupulseError):
    """Input data broke the data contract."""

    table: Optional[str]
    #: 1-based position of the row in its DataFrame; None for table- or column-level problems.
    row: Optional[int]
    column: Optional[str]
    file: Optional[str]
    message: Optional[str]

class ParameterError(EdupulseError):
    """A parameter or option is invalid."""

    parameter: Optional[str]
    message: Optional[str]

class ConvergenceError(EdupulseError):
    """An iterative fit did not converge, or the data do not identify the model."""

    model: Optional[str]
    message: Optional[str]

class StoreError(EdupulseError):
    """A store failed. Messages never contain passwords."""

    #: 'url', 'backend', 'corrupt', 'schema_too_new' or 'other'.
    kind: Optional[str]
    message: Optional[str]

class InternalError(EdupulseError):
    """A bug in edupulse (a Rust panic caught at the boundary)."""

    message: Optional[str]

def columns(table: str) -> List[str]: ...
def result_tables() -> List[Dict[str, Any]]: ...

class StepFailedError(EdupulseError):
    summary: Dict[str, Any]
    failed_steps: List[str]
    def __init__(self, summary: Dict[str, Any]) -> None: ...
@overload
def simulate(
    students: int = 1000, seed: int = 42, *, output: Literal["pandas"] = "pandas", **options: Any
) -> Dict[str, pd.DataFrame]: ...
@overload
def simulate(
    students: int = 1000, seed: int = 42, *, output: str = "pandas", **options: Any
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
