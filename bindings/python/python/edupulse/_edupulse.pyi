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
    "fsrs_replay",
    "fsrs_next_states",
    "fsrs_retrievability",
    "fsrs_optimize",
    "fsrs_evaluate",
    "__version__",
    "TABLES",
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

# Spaced repetition (FSRS-6); use edupulse.repetition.
def fsrs_replay(
    parameters: Optional[Sequence[float]],
    desired_retention: float,
    maximum_interval: int,
    ratings: Sequence[int],
    elapsed_days: Sequence[float],
) -> Tuple[List[float], List[float], List[float], List[int]]: ...
def fsrs_next_states(
    parameters: Optional[Sequence[float]],
    desired_retention: float,
    maximum_interval: int,
    stability: Any,
    difficulty: Any,
    elapsed_days: Any,
    rating: Any,
) -> Tuple[Any, Any, Any]: ...
def fsrs_retrievability(parameters: Optional[Sequence[float]], stability: Any, elapsed_days: Any) -> Any: ...
def fsrs_optimize(card_id: Sequence[str], review_time_us: Sequence[int], review_rating: Sequence[int]) -> List[float]: ...
def fsrs_evaluate(
    card_id: Sequence[str],
    review_time_us: Sequence[int],
    review_rating: Sequence[int],
    parameters: Optional[Sequence[float]] = None,
) -> Tuple[float, float, float, int]: ...
