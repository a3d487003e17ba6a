"""Type stubs of the native module (private: use the edupulse package)."""

from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, final

__all__ = [
    "churn_classifier_columns",
    "churn_classifier_explain",
    "churn_classifier_fit",
    "churn_classifier_predict",
    "churn_clv",
    "churn_fit_btyd",
    "churn_fit_gamma_gamma",
    "churn_gamma_gamma_spend",
    "churn_predict_btyd",
    "churn_summary",
    "leads_score",
    "column_specs",
    "result_tables",
    "columns",
    "_panic_for_tests",
    "_set_num_threads",
    "write_csv_dir",
    "_get_num_threads",
    "simulate",
    "validate",
    "NativeStore",
    "NativeRegressor",
    "NativeDemand",
    "fsrs_replay",
    "fsrs_next_states",
    "fsrs_retrievability",
    "fsrs_optimize",
    "fsrs_evaluate",
    "__version__",
    "TABLES",
    "trends_anomaly_scores",
    "trends_change_points",
    "trends_detect",
    "trends_related",
]

__version__: str
TABLES: Tuple[str, ...]

# Column lists: table name -> column name -> values.
_Columns = Dict[str, List[Any]]

def simulate(config: Dict[str, Any]) -> Dict[str, _Columns]: ...
def validate(tables: Mapping[str, Mapping[str, Sequence[Any]]]) -> Dict[str, int]: ...
def columns(table: str) -> List[str]: ...
def column_specs(table: str) -> List[Tuple[str, str, bool]]: ...
def result_tables() -> List[Tuple[str, str, str, List[str], List[Tuple[str, str, bool, str]]]]: ...
def _panic_for_tests(site: str = "here") -> None: ...

def write_csv_dir(tables: Mapping[str, Mapping[str, Sequence[Any]]], dir: str) -> Dict[str, int]: ...
def _set_num_threads(n: int) -> None: ...
def _get_num_threads() -> int: ...
@final
class NativeStore:
    @staticmethod
    def open(url: str) -> "NativeStore": ...
    def ingest(self, tables: Mapping[str, Mapping[str, Sequence[Any]]]) -> Dict[str, Dict[str, int]]: ...
    def ingest_dir(self, dir: str) -> Dict[str, Dict[str, int]]: ...
    def read(self, table: str, start: Any = None, end: Any = None) -> _Columns: ...
    def counts(self) -> Dict[str, int]: ...
    def run(
        self, as_of: Any, config: Optional[str] = None, steps: Optional[List[str]] = None,
        progress: Optional[Callable[[int, int, str], Any]] = None,
    ) -> str: ...
    def deliver(self, file: Optional[str] = None, stdout: bool = False) -> str: ...
    def results(self, table: str, as_of: Any = None) -> Dict[str, List[Any]]: ...
    def outbox(self, pending_only: bool = False) -> str: ...
    def runs(self) -> str: ...
    def report(self, path: str, lang: str = "es", as_of: Any = None) -> str: ...
    @property
    def url(self) -> str: ...

def trends_change_points(values: Any, n_dims: int = 1, params: Optional[Dict[str, Any]] = None) -> List[int]: ...
def trends_anomaly_scores(values: Any, timestamps: Any = None, params: Optional[Dict[str, Any]] = None) -> Any: ...
def trends_detect(names: List[str], codes: Any, days: Any, volumes: Any, as_of: Optional[int] = None, params: Optional[Dict[str, Any]] = None) -> Dict[str, List[Any]]: ...
def trends_related(keywords: List[str], related: List[str], values: Any, days: Any, kinds: List[Optional[str]], params: Optional[Dict[str, Any]] = None) -> Dict[str, List[Any]]: ...
# edupulse.churn (float64 columns travel as contiguous numpy arrays, read in place)
_Fit = Tuple[List[float], float, List[float], int]
_Col = Tuple[str, bool, Any]
_F64 = Any  # a 1-D float64 numpy array

def churn_fit_btyd(
    model: str, frequency: _F64, recency: _F64, t: _F64, max_iter: int = 1000,
    tolerance: float = 1e-9, penalizer: float = 0.0,
) -> _Fit: ...
def churn_predict_btyd(
    model: str, params: Sequence[float], what: str, horizon: float, frequency: _F64,
    recency: _F64, t: _F64,
) -> _F64: ...
def churn_fit_gamma_gamma(
    frequency: _F64, monetary_value: _F64, max_iter: int = 1000, tolerance: float = 1e-9,
    penalizer: float = 0.0,
) -> _Fit: ...
def churn_gamma_gamma_spend(params: Sequence[float], frequency: _F64, monetary_value: _F64) -> _F64: ...
def churn_clv(
    model: str, params: Sequence[float], gg_params: Sequence[float], frequency: _F64,
    recency: _F64, t: _F64, monetary_value: _F64, months: int, discount_rate: float, freq: str,
) -> _F64: ...
def churn_summary(
    customer_ids: Sequence[str], at_seconds: Sequence[int], amounts: Optional[_F64] = None,
    observation_period_end: Optional[int] = None, freq: str = "W",
) -> Tuple[List[str], _F64, _F64, _F64, _F64]: ...
def churn_classifier_fit(
    model: str,
    columns: Sequence[_Col],
    y: Sequence[bool],
    params_json: Optional[str] = None,
    progress: Optional[Callable[[int, int, int], Any]] = None,
) -> str: ...
def churn_classifier_predict(state: str, columns: Sequence[_Col]) -> _F64: ...
def churn_classifier_explain(state: str, columns: Sequence[_Col], top: int) -> List[List[Tuple[str, str, float]]]: ...
def churn_classifier_columns(state: str) -> List[Tuple[str, bool]]: ...
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
def fsrs_optimize(
    card_id: Sequence[str],
    review_time_us: Sequence[int],
    review_rating: Sequence[int],
    progress: Optional[Callable[[int, int, int], Any]] = None,
) -> List[float]: ...
def fsrs_evaluate(
    card_id: Sequence[str],
    review_time_us: Sequence[int],
    review_rating: Sequence[int],
    parameters: Optional[Sequence[float]] = None,
    progress: Optional[Callable[[int, int, int], Any]] = None,
) -> Tuple[float, float, float, int]: ...

# edupulse.leads
def leads_score(
    lead_id: Sequence[str], at: Sequence[int], kind: Sequence[str], params_json: Optional[str] = None, as_of: Optional[int] = None
) -> Tuple[List[Tuple[str, float, float, str, List[Tuple[str, str, float]]]], int]: ...
# edupulse.demand
_Cols = List[Tuple[str, bool, Any]]
@final
class NativeRegressor:
    @staticmethod
    def fit(
        kind: str,
        columns: _Cols,
        y: _F64,
        params_json: Optional[str] = None,
        progress: Optional[Callable[[int, int, int], Any]] = None,
    ) -> "NativeRegressor": ...
    @staticmethod
    def from_state(state: bytes) -> "NativeRegressor": ...
    def state(self) -> bytes: ...
    def predict(self, columns: _Cols) -> _F64: ...
    def predict_interval(self, columns: _Cols, alpha: float) -> Tuple[_F64, _F64, _F64]: ...
    def columns(self) -> List[Tuple[str, bool]]: ...
    def feature_importances(self) -> List[float]: ...
    def n_trees(self) -> int: ...
@final
class NativeDemand:
    @staticmethod
    def fit(
        native: Any,
        params_json: Optional[str] = None,
        progress: Optional[Callable[[int, int, int], Any]] = None,
    ) -> "NativeDemand": ...
    @staticmethod
    def from_state(state: bytes) -> "NativeDemand": ...
    def state(self) -> bytes: ...
    def predict(self, native: Any) -> str: ...
    def best_slots(self, native: Any, others: Any, params_json: Optional[str] = None) -> str: ...
    def importances(self) -> List[Tuple[str, float]]: ...
