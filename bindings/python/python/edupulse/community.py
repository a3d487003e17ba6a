"""Community: recommendations with a reason per item (see ``edupulse_core::community``).

    >>> import pandas as pd
    >>> from edupulse.community import Recommender
    >>> rows = [(f"s{u}", f"w{i}") for u in range(30) for i in range(4 * (u >= 15), 4 * (u >= 15) + 4)
    ...         if i != 4 * (u >= 15) + u % 4]
    >>> df = pd.DataFrame(rows, columns=["user_id", "item_id"])
    >>> rec = Recommender(model="item_knn").fit(df)
    >>> rec.recommend(["s1"], k=1)[["user_id", "item_id", "rank"]].values.tolist()
    [['s1', 'w1', 1]]
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _edupulse as _native
from . import _interop
from ._base import Estimator
from ._checks import (
    check_bool,
    check_float,
    check_int,
    check_str,
    instant,
    numeric_column,
    text_column,
)
from .exceptions import ParameterError, ValidationError

__all__ = [
    "Recommender",
    "points",
    "badges",
    "leaderboard",
    "participation",
    "community_kpi",
    "match_mentors",
    "study_groups",
    "recommend_webinars",
]

_MODELS = ("als", "item_knn", "item_bm25", "popular")


def _ids(name: str, values: Any) -> List[str]:
    if isinstance(values, str):
        return [values]
    return text_column("recommend", name, values)


class Recommender(Estimator):
    """Implicit-feedback recommender over (user, item) interactions.

    ``model``: "als" (ALS with a conjugate-gradient solver, Hu–Koren–Volinsky), "item_knn"
    (item-item cosine neighbours), "item_bm25" (neighbours over BM25 weights) or "popular"
    (popularity in the user's segment). ``alpha`` is the confidence slope in ``c = 1 + alpha·w``;
    ``negative_weight_exponent`` γ weighs an unobserved cell of item i by ``n_i**γ / mean(n**γ)``
    (n_i: users with the item; 0 = every unobserved cell weighs 1).

    ``fit(interactions, segments=None)``: a table with ``user_id``, ``item_id`` and an optional
    ``weight`` (default 1; duplicates summed; a negative or missing weight raises
    ``ValidationError``); ``segments`` (optional) has ``user_id``, ``role``, ``industry`` and
    drives the popularity fallback ("popular with <role> in <industry>").

    ``recommend(user_ids, k=10, exclude_seen=True, items=None)``: a DataFrame with ``user_id``,
    ``item_id``, ``rank``, ``score``, ``reason`` (English), ``reason_es`` and ``fallback`` (True
    for popularity rows given to unknown users or used to fill a short list).
    """

    def __init__(
        self,
        *,
        model: str = "als",
        factors: int = 64,
        regularization: float = 0.05,
        iterations: int = 15,
        random_state: int = 0,
        alpha: float = 1.0,
        negative_weight_exponent: float = 0.0,
    ) -> None:
        self.model = model
        self.factors = factors
        self.regularization = regularization
        self.iterations = iterations
        self.random_state = random_state
        self.alpha = alpha
        self.negative_weight_exponent = negative_weight_exponent

    def _params(self) -> Dict[str, Any]:
        model = check_str("model", self.model)
        if model not in _MODELS:
            raise ParameterError(parameter="model", message=f"{model!r} (expected one of {_MODELS})")
        return {
            "model": model,
            "factors": check_int("factors", self.factors, minimum=1),
            "regularization": check_float("regularization", self.regularization),
            "iterations": check_int("iterations", self.iterations, minimum=1),
            "random_state": check_int("random_state", self.random_state, minimum=0),
            "alpha": check_float("alpha", self.alpha),
            "negative_weight_exponent": check_float(
                "negative_weight_exponent", self.negative_weight_exponent
            ),
        }

    def fit(self, interactions: Any, segments: Any = None) -> "Recommender":
        """Fit on ``interactions`` (user_id, item_id[, weight]); returns ``self``."""
        df = _interop.to_frame(interactions, name="interactions")
        for c in ("user_id", "item_id"):
            if c not in df.columns:
                raise ValidationError(table="interactions", column=c, message="missing column")
        users = text_column("interactions", "user_id", df["user_id"])
        items = text_column("interactions", "item_id", df["item_id"])
        if "weight" in df.columns:
            w = numeric_column("interactions", "weight", df["weight"])
        else:
            w = np.ones(len(df))
        seg: Optional[Tuple[List[str], List[str], List[str]]] = None
        if segments is not None:
            s = _interop.to_frame(segments, name="segments")
            for c in ("user_id", "role", "industry"):
                if c not in s.columns:
                    raise ValidationError(table="segments", column=c, message="missing column")
            seg = (
                text_column("segments", "user_id", s["user_id"]),
                text_column("segments", "role", s["role"]),
                text_column("segments", "industry", s["industry"]),
            )
        self._model = _native.NativeRecommender.fit(users, items, w.tolist(), self._params(), seg)
        self._set_fitted()
        return self

    def _set_fitted(self) -> None:
        self.n_users_ = len(self._model.users())
        self.n_items_ = len(self._model.items())

    def recommend(
        self,
        user_ids: Any,
        k: int = 10,
        exclude_seen: bool = True,
        items: Optional[Sequence[Any]] = None,
    ) -> pd.DataFrame:
        """Top ``k`` items per user, ``rank`` 1..k, with a reason each (see the class doc)."""
        from ._base import _check_fitted

        _check_fitted(self)
        k = check_int("k", k, minimum=1)
        exclude_seen = check_bool("exclude_seen", exclude_seen)
        cand = None if items is None else _ids("items", items)
        u, i, r, s, why, why_es, fb = self._model.recommend(_ids("user_ids", user_ids), k, exclude_seen, cand)
        return pd.DataFrame(
            {
                "user_id": pd.Series(u, dtype=object),
                "item_id": pd.Series(i, dtype=object),
                "rank": np.asarray(r, dtype=np.int64),
                "score": np.asarray(s, dtype=np.float64),
                "reason": pd.Series(why, dtype=object),
                "reason_es": pd.Series(why_es, dtype=object),
                "fallback": np.asarray(fb, dtype=bool),
            }
        )

    def _state(self) -> Any:
        return self._model.state()

    def _from_state(self, state: Any) -> None:
        self._model = _native.NativeRecommender.from_state(state)
        self._set_fitted()


# The input tables the community functions read (others are ignored, not converted).
_INPUTS = ("students", "activity", "registrations", "webinars", "mentors")


def _table(
    tables: Mapping[str, Any],
    table: str,
    as_of: Any,
    params: Optional[Mapping[str, Any]],
    period: Optional[str] = None,
) -> pd.DataFrame:
    from . import _result_frame, _to_native

    if not isinstance(tables, Mapping):
        raise ParameterError(parameter="tables", message="expected a mapping {table: DataFrame}")
    if params is not None and not isinstance(params, Mapping):
        raise ParameterError(parameter="params", message="expected a mapping ([job.community])")
    t = None if as_of is None else int(instant("as_of", as_of))
    used = {k: v for k, v in tables.items() if k in _INPUTS}
    cols = _native.community_table(_to_native(used), table, t, params, period)
    return _result_frame(table, cols).drop(columns=["as_of"])


def _with(params: Optional[Mapping[str, Any]], section: str, **values: Any) -> Dict[str, Any]:
    """``params`` (a ``[job.community]`` mapping) with ``values`` set in ``section``."""
    out: Dict[str, Any] = dict(params or {})
    sub = dict(out.get(section) or {})
    sub.update(values)
    out[section] = sub
    return out


def points(
    tables: Mapping[str, Any], as_of: Any = None, params: Optional[Mapping[str, Any]] = None
) -> pd.DataFrame:
    """The points ledger as of ``as_of`` (default: the latest activity): one row per activity
    event that earns points (``event_key, student_id, at, kind, points``). The source's points:
    webinar attended 10, certificate (course completed) 50, referral 25, post or comment 5,
    share 15; change them with ``params={"gamification": {"share": 20}}`` (the daily job's
    ``[job.community]``). An event (student, time, kind) earns once: a duplicate row and a rerun
    add nothing.

    >>> import pandas as pd
    >>> act = pd.DataFrame({"student_id": ["ana", "ana", "ana"],
    ...                     "at": pd.to_datetime(["2026-11-02", "2026-11-02", "2026-11-03"], utc=True),
    ...                     "kind": ["webinar_attended", "webinar_attended", "share"]})
    >>> points({"activity": act})[["kind", "points"]].values.tolist()
    [['webinar_attended', 10], ['share', 15]]
    """
    return _table(tables, "community_points", as_of, params)


def badges(
    tables: Mapping[str, Any], as_of: Any = None, params: Optional[Mapping[str, Any]] = None
) -> pd.DataFrame:
    """Badges earned by ``as_of`` from ``activity``, ``registrations`` and ``webinars``:
    ``first_webinar``, ``perfect_attendance`` (5 consecutive registered webinars attended),
    ``top_of_month`` (top 10 of a completed month by points), ``referral_master`` (3 referrals).
    Columns ``student_id, badge, period, earned_at, label, dedupe_key`` (the key the daily job
    notifies under, once per badge)."""
    return _table(tables, "community_badges", as_of, params)


def leaderboard(
    tables: Mapping[str, Any],
    as_of: Any = None,
    period: str = "month",
    params: Optional[Mapping[str, Any]] = None,
) -> pd.DataFrame:
    """The top 100 by points: ``period="month"`` (the month of ``as_of``, to date) or
    ``"all_time"``. Columns ``period, rank, student_id, points``; ties by student id."""
    p = check_str("period", period)
    if p not in ("month", "all_time"):
        raise ParameterError(parameter="period", message=f"{p!r} (expected 'month' or 'all_time')")
    return _table(tables, "community_leaderboard", as_of, params, p)


def participation(
    tables: Mapping[str, Any], as_of: Any = None, params: Optional[Mapping[str, Any]] = None
) -> pd.DataFrame:
    """Each student's community segment over the last 30 days: ``active`` (≥ 4 posts, comments,
    shares or webinars attended), ``occasional`` (≥ 1) or ``silent``. Columns ``student_id,
    actions, segment``."""
    return _table(tables, "community_participation", as_of, params)


def community_kpi(
    tables: Mapping[str, Any], as_of: Any = None, params: Optional[Mapping[str, Any]] = None
) -> pd.DataFrame:
    """One row: the shares active / occasional / silent and the share active against the
    source's 40 % target (``meets_target``)."""
    return _table(tables, "community_kpi", as_of, params)


def match_mentors(
    tables: Mapping[str, Any],
    as_of: Any = None,
    capacity: int = 3,
    params: Optional[Mapping[str, Any]] = None,
) -> pd.DataFrame:
    """Mentor ↔ mentee pairs maximising the total affinity (3·same industry + 1·same role +
    2·shared webinar topics up to 3 + 1·certified mentor), each mentor with at most
    ``capacity`` mentees, solved exactly (Hungarian algorithm). Mentors: certified students or
    ≥ 300 points; mentees: the others enrolled in the last 90 days. An optional ``mentors``
    frame in ``tables`` (``student_id, capacity, active``) sets one mentor's capacity (empty:
    ``capacity``); ``capacity`` 0 or ``active`` False there means "not mentoring now"; a
    negative or fractional capacity raises ``ValidationError`` naming table ``mentors``, the
    row and column ``capacity``. Columns ``mentee_id, mentor_id, affinity, shared_topics,
    reason, reason_en``. ``capacity=0`` (a default without capacity) raises
    ``ParameterError`` on ``capacity``. Deterministic: a rerun gives the same pairs."""
    cap = check_int("capacity", capacity, minimum=0)
    return _table(tables, "community_mentor_pairs", as_of, _with(params, "matching", capacity=cap))


def study_groups(
    tables: Mapping[str, Any],
    as_of: Any = None,
    min_size: int = 4,
    max_size: int = 6,
    params: Optional[Mapping[str, Any]] = None,
) -> pd.DataFrame:
    """Study groups of ``min_size``–``max_size`` participating (active or occasional) students
    maximising the members' similarity to their group's anchor (3·same industry + 1·same role +
    2·shared webinar topics up to 3): capacitated k-medoids whose assignment steps are exact
    min-cost flows (docs/community.md). Columns ``group_id, student_id, size, topics, reason``
    (the group's common ground and the member's similarity to the anchor). Deterministic. Fewer
    participants than ``min_size`` raises ``ParameterError`` on ``min_size``."""
    lo = check_int("min_size", min_size, minimum=0)
    hi = check_int("max_size", max_size, minimum=0)
    return _table(
        tables,
        "community_study_groups",
        as_of,
        _with(params, "matching", min_size=lo, max_size=hi),
    )


def recommend_webinars(
    tables: Mapping[str, Any],
    as_of: Any = None,
    k: int = 3,
    params: Optional[Mapping[str, Any]] = None,
) -> pd.DataFrame:
    """Up to ``k`` upcoming webinars (starting within 30 days after ``as_of``) per student, from
    the topics of the webinars they attended (item kNN over student × topic), excluding webinars
    they registered for, with a reason each (``reason`` Spanish, ``reason_en``); students without
    attendance get "popular with <role> in <industry>" (``fallback`` True)."""
    kk = check_int("k", k, minimum=1)
    return _table(tables, "community_recommendations", as_of, _with(params, "recommend", k=kk))
