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

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _edupulse as _native
from . import _interop
from ._base import Estimator
from ._checks import check_bool, check_float, check_int, check_str, numeric_column, text_column
from .exceptions import ParameterError, ValidationError

__all__ = ["Recommender"]

_MODELS = ("als", "item_knn", "item_bm25", "popular")


def _ids(name: str, values: Any) -> List[str]:
    if isinstance(values, str):
        return [values]
    return text_column("recommend", name, values)


class Recommender(Estimator):
    """Implicit-feedback recommender over (user, item) interactions.

    ``model``: "als" (ALS with a conjugate-gradient solver, Hu–Koren–Volinsky), "item_knn"
    (item-item cosine neighbours), "item_bm25" (neighbours over BM25 weights) or "popular"
    (popularity in the user's segment). ``alpha`` is the confidence slope in ``c = 1 + alpha·w``.

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
    ) -> None:
        self.model = model
        self.factors = factors
        self.regularization = regularization
        self.iterations = iterations
        self.random_state = random_state
        self.alpha = alpha

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
