"""Type stubs of the native module (private: use the edupulse package)."""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, final

__all__ = [
    "EdupulseError",
    "InternalError",
    "ParameterError",
    "StoreError",
    "ValidationError",
    "column_specs",
    "columns",
    "_panic_for_tests",
    "simulate",
    "validate",
    "NativeStore",
    "__version__",
    "TABLES",
    "trends_anomaly_scores",
    "trends_change_points",
    "trends_detect",
]

__version__: str
TABLES: Tuple[str, ...]

# Column lists: table name -> column name -> values.
_Columns = Dict[str, List[Any]]

class EdupulseError(Exception): ...

class ValidationError(EdupulseError):
    table: Optional[str]
    row: Optional[int]
    column: Optional[str]
    file: Optional[str]
    message: Optional[str]

class ParameterError(EdupulseError):
    parameter: Optional[str]
    message: Optional[str]

class StoreError(EdupulseError):
    kind: Optional[str]
    message: Optional[str]

class InternalError(EdupulseError):
    message: Optional[str]

def simulate(config: Dict[str, Any]) -> Dict[str, _Columns]: ...
def validate(tables: Mapping[str, Mapping[str, Sequence[Any]]]) -> Dict[str, int]: ...
def columns(table: str) -> List[str]: ...
def column_specs(table: str) -> List[Tuple[str, str, bool]]: ...
def _panic_for_tests(site: str = "here") -> None: ...

@final
class NativeStore:
    @staticmethod
    def open(url: str) -> "NativeStore": ...
    def ingest(self, tables: Mapping[str, Mapping[str, Sequence[Any]]]) -> Dict[str, Dict[str, int]]: ...
    def read(self, table: str, start: Any = None, end: Any = None) -> _Columns: ...
    def counts(self) -> Dict[str, int]: ...
    @property
    def url(self) -> str: ...

def trends_change_points(values: bytes, n_dims: int = 1, params: Optional[Dict[str, Any]] = None) -> List[int]: ...
def trends_anomaly_scores(values: bytes, timestamps: Optional[bytes] = None, params: Optional[Dict[str, Any]] = None) -> bytes: ...
def trends_detect(keywords: List[str], days: bytes, volumes: bytes, as_of: Optional[int] = None, params: Optional[Dict[str, Any]] = None) -> str: ...
