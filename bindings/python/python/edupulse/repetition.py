"""Spaced repetition: FSRS-6 (the scheduler inside Anki) with py-fsrs 6.3.2's numbers.

::

    from edupulse.repetition import FSRS, optimize, evaluate

    fsrs = FSRS()                                   # default parameters, desired retention 0.9
    fsrs.replay([3, 3, 1, 3], [0, 2, 11, 1])        # DataFrame: stability, difficulty, ...
    s, d, ivl = fsrs.next_states(stability, difficulty, elapsed_days, rating)   # numpy arrays
    params = optimize(review_log)                   # columns card_id, review_time, review_rating
    evaluate(review_log, params)                    # {"log_loss", "rmse_bins", "auc"}

The work runs in Rust (``edupulse._edupulse``) with the GIL released; numpy arrays are read in
place (float64 states, uint8 or int64 ratings, the review log's int64 columns) and the results are
numpy arrays that own Rust's buffers, so nothing is copied on the way in or out. Bad input raises ``edupulse.ParameterError`` / ``edupulse.ValidationError``.

Example::

    >>> import numpy as np
    >>> from edupulse.repetition import FSRS
    >>> FSRS().replay([3, 3, 1, 3], [0, 2, 11, 1]).round(3)
       stability  difficulty  retrievability  interval
    0      2.306       2.118             NaN         2
    1     10.964       2.111           0.909        11
    2      1.538       7.392           0.900         2
    3      3.554       7.380           0.927         4
    >>> s, d, ivl = FSRS().next_states(np.array([np.nan, 10.0]), np.array([np.nan, 5.0]),
    ...                                np.array([0.0, 10.0]), np.array([3, 3], dtype=np.uint8))
    >>> ivl.tolist()      # days until the next review: a new card, and a card recalled after 10 days
    [2.0, 32.0]
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _edupulse as _native
from ._checks import check_bool, check_float, check_int, float_array, time_column
from .exceptions import ParameterError, ValidationError

__all__ = ["FSRS", "DEFAULT_PARAMETERS", "optimize", "evaluate"]

#: Rust's FSRS-6 defaults (``repetition::FsrsParams::default()``).
_FSRS: Dict[str, Any] = _native.defaults("fsrs")

#: The 21 default FSRS-6 parameters (py-fsrs's), read from Rust
#: (``edupulse_core::repetition::fsrs::DEFAULT_PARAMETERS``), never copied.
DEFAULT_PARAMETERS: Tuple[float, ...] = tuple(float(w) for w in _FSRS["parameters"])


def _f64(x: Any) -> "np.ndarray[Any, Any]":
    """A contiguous float64 view of ``x`` (no copy when it already is one)."""
    return np.ascontiguousarray(x, dtype=np.float64)


class FSRS:
    """FSRS-6 with 21 parameters (py-fsrs's defaults when ``None``). The model is validated and
    built once in Rust (``_edupulse.NativeFsrs``); pickles through its parameters."""

    def __init__(
        self,
        parameters: Optional[Sequence[float]] = None,
        desired_retention: float = _FSRS["desired_retention"],
        maximum_interval: int = _FSRS["maximum_interval"],
        enable_fuzz: bool = _FSRS["enable_fuzz"],
    ) -> None:
        self.parameters: Optional[List[float]] = (
            None if parameters is None else float_array("parameters", parameters).tolist()
        )
        if self.parameters is not None and any(p != p for p in self.parameters):
            raise ParameterError(parameter="parameters", message="contains a missing value")
        self.desired_retention = check_float("desired_retention", desired_retention)
        self.maximum_interval = check_int("maximum_interval", maximum_interval, minimum=1)
        self.enable_fuzz = check_bool("enable_fuzz", enable_fuzz)
        # Built (and validated) now, so a bad configuration fails at construction.
        params: Dict[str, Any] = {
            "desired_retention": self.desired_retention,
            "maximum_interval": self.maximum_interval,
            "enable_fuzz": self.enable_fuzz,
        }
        if self.parameters is not None:
            params["parameters"] = self.parameters
        self._native = _native.NativeFsrs(params)

    def __reduce__(self) -> Any:
        return (
            type(self),
            (self.parameters, self.desired_retention, self.maximum_interval, self.enable_fuzz),
        )

    def __repr__(self) -> str:
        return (
            f"FSRS(parameters={self.parameters!r}, desired_retention={self.desired_retention}, "
            f"maximum_interval={self.maximum_interval}, enable_fuzz={self.enable_fuzz})"
        )

    def replay(self, ratings: Sequence[int], elapsed_days: Sequence[float]) -> pd.DataFrame:
        """The history of one card from new: one row per review with the state after it
        (stability, difficulty), the retrievability before it (NaN for the first) and the
        scheduled interval in days."""
        s, d, r, ivl = self._native.replay(
            [check_int("ratings", x) for x in ratings],
            [check_float("elapsed_days", x) for x in elapsed_days],
        )
        return pd.DataFrame(
            {
                "stability": np.asarray(s, dtype=np.float64),
                "difficulty": np.asarray(d, dtype=np.float64),
                "retrievability": np.asarray(r, dtype=np.float64),
                "interval": np.asarray(ivl, dtype=np.int64),
            }
        )

    def next_states(
        self,
        stability: Any,
        difficulty: Any,
        elapsed_days: Any,
        rating: Any,
    ) -> Tuple["np.ndarray[Any, Any]", "np.ndarray[Any, Any]", "np.ndarray[Any, Any]"]:
        """New stability, difficulty and interval (days) for every card of a batch, given its
        rating (1–4) ``elapsed_days`` after its last review. NaN stability marks a new card.
        Contiguous float64 arrays (and uint8 ratings) are read without copying; other integer
        rating arrays are narrowed in one pass."""
        return self._native.next_states(  # type: ignore[no-any-return]
            _f64(stability),
            _f64(difficulty),
            _f64(elapsed_days),
            np.ascontiguousarray(rating),
        )

    def retrievability(self, stability: Any, elapsed_days: Any) -> "np.ndarray[Any, Any]":
        """Probability of recall ``elapsed_days`` after a review that left ``stability``."""
        return self._native.retrievability(  # type: ignore[no-any-return]
            _f64(stability), _f64(elapsed_days)
        )


def _log_columns(review_log: Any) -> Tuple[Any, Any, Any]:
    """The three columns the native functions read in place: card codes (``pandas.factorize``),
    review times in µs since the epoch (UTC) and ratings, all contiguous int64 arrays."""
    df = review_log if isinstance(review_log, pd.DataFrame) else pd.DataFrame(review_log)
    missing = [c for c in ("card_id", "review_time", "review_rating") if c not in df.columns]
    if missing:
        raise ValidationError(
            table="review_log", column=missing[0], message=f"missing column(s) {', '.join(missing)}"
        )
    missing_card = df["card_id"].isna().to_numpy()
    if missing_card.any():
        raise ValidationError(
            table="review_log",
            row=int(np.flatnonzero(missing_card)[0]) + 1,
            column="card_id",
            message="missing value",
        )
    # Codes in card-id order, so that reviews at the same instant replay in the same order
    # whatever the order of the log (the native side sorts by time, then card).
    codes, _ = pd.factorize(df["card_id"], sort=True)
    times = time_column("review_log", "review_time", df["review_time"])
    micros = (times - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(microseconds=1)
    ratings = pd.to_numeric(df["review_rating"], errors="coerce")
    bad = ~np.isfinite(ratings.to_numpy(dtype=np.float64, na_value=np.nan))
    bad |= ratings.to_numpy(dtype=np.float64, na_value=np.nan) % 1 != 0
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValidationError(
            table="review_log",
            row=row + 1,
            column="review_rating",
            message=f"{df['review_rating'].iloc[row]!r} is not an integer rating 1–4",
        )
    return (
        np.ascontiguousarray(codes, dtype=np.int64),
        np.ascontiguousarray(micros.to_numpy(), dtype=np.int64),
        np.ascontiguousarray(ratings.to_numpy(), dtype=np.int64),
    )


def optimize(review_log: Any, *, progress: Any = False) -> List[float]:
    """Fit the 21 FSRS-6 parameters to a review log (columns ``card_id``, ``review_time``,
    ``review_rating``; in any order: replayed sorted by time, then card). ``progress=True`` shows a
    progress bar (one step per optimiser iteration); Ctrl-C stops the fit with ``KeyboardInterrupt``."""
    from ._base import _watch

    with _watch(progress, "edupulse.repetition.optimize") as callback:
        return _native.fsrs_optimize(*_log_columns(review_log), callback)  # type: ignore[no-any-return]


def evaluate(review_log: Any, parameters: Optional[Sequence[float]] = None) -> Dict[str, float]:
    """Score parameters (default when ``None``) on a review log as srs-benchmark does: log loss,
    RMSE(bins) and AUC of the inter-day, non-first reviews of the test folds of a 5-fold
    time-series split."""
    p = None if parameters is None else [check_float("parameters", x) for x in parameters]
    ll, rmse, auc, n = _native.fsrs_evaluate(*_log_columns(review_log), p)
    return {"log_loss": ll, "rmse_bins": rmse, "auc": auc, "n": n}
