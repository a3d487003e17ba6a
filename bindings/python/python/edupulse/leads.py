"""Lead scoring: engagement points with time decay, and the learned conversion model.

``LeadScorer`` is the points rule (no history needed): every event earns the points of its kind,
halved every ``half_life_days``; points map to an engagement value 0–10, a score 0–100 and a grade
(hot > ``hot``, warm > ``warm``, cold). ``LeadModel`` is the shared tabular classifier (logistic
regression or boosted trees, calibrated, explained) with the lead model's defaults, for when
conversions are known. Everything runs in Rust with the GIL released.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

import numpy as np
import pandas as pd

from . import _edupulse as _native
from ._checks import check_float, instant, text_column, time_column
from .exceptions import ParameterError, ValidationError
from . import _interop
from ._base import Estimator
from .churn import _TabularClassifier

__all__ = ["DEFAULT_WEIGHTS", "LeadModel", "LeadScorer"]

#: Rust's defaults of the points rule (``leads::PointsParams::default()``).
_POINTS: Dict[str, Any] = _native.defaults("lead_points")

#: The default points per event kind (attending beats registering; questions and pricing views
#: beat email opens; a purchase is the outcome and earns nothing). Read from Rust
#: (``edupulse_core::leads::DEFAULT_WEIGHTS``), never copied.
DEFAULT_WEIGHTS: Dict[str, float] = {str(k): float(v) for k, v in _POINTS["weights"].items()}


def _seconds(values: Any) -> List[int]:
    at = time_column("lead_events", "at", pd.Series(values).reset_index(drop=True))
    return [int(v) for v in (at - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)]


class LeadScorer(Estimator):
    """Engagement points with time decay (Mautic-style rules).

    ``weights``: points per event kind, merged over :data:`DEFAULT_WEIGHTS` (unknown kinds and
    negative weights raise ``ParameterError``); ``half_life_days`` > 0; grades: hot > ``hot``,
    warm > ``warm`` on the 0–10 engagement scale.

    Example::

        >>> import pandas as pd
        >>> from edupulse.leads import LeadScorer
        >>> events = pd.DataFrame({
        ...     "lead_id": ["ana", "ana", "ana", "ben"],
        ...     "at": ["2025-03-01T10:00Z", "2025-03-02T10:00Z", "2025-03-02T11:00Z", "2025-01-05T10:00Z"],
        ...     "kind": ["webinar_attended", "pricing_view", "demo_request", "email_open"],
        ... })
        >>> scored = LeadScorer().score(events, as_of="2025-03-03")
        >>> scored[["lead_id", "grade"]].values.tolist()
        [['ana', 'hot'], ['ben', 'cold']]
        >>> scored["top_factors"][0][0][0]       # ana's largest factor: the demo request
        'demo_request'
    """

    def __init__(
        self,
        *,
        weights: Optional[Mapping[str, float]] = None,
        half_life_days: float = _POINTS["half_life_days"],
        hot: float = _POINTS["hot"],
        warm: float = _POINTS["warm"],
    ) -> None:
        self.weights = weights
        self.half_life_days = half_life_days
        self.hot = hot
        self.warm = warm

    def _params(self) -> Dict[str, Any]:
        w = dict(DEFAULT_WEIGHTS)
        if self.weights is not None and not isinstance(self.weights, Mapping):
            raise ParameterError(
                parameter="weights",
                message=f"expected a dict of event kind to points, got {type(self.weights).__name__}",
            )
        for k, v in (self.weights or {}).items():
            if not isinstance(k, str):
                raise ParameterError(parameter="weights", message=f"event kinds must be str, got {k!r}")
            w[k] = check_float("weights", v)
        return {
            "weights": w,
            "half_life_days": check_float("half_life_days", self.half_life_days),
            "hot": check_float("hot", self.hot),
            "warm": check_float("warm", self.warm),
        }

    def fit(self, X: Any = None, y: Any = None) -> "LeadScorer":
        """Nothing to learn: validates the parameters and returns ``self``."""
        _native.leads_score([], [], [], self._params(), None)
        self.is_fitted_ = True
        return self

    def score(self, lead_events: Any, as_of: Any = None, *, output: str = "pandas") -> Any:  # type: ignore[override]
        """Score every lead with events at ``as_of`` (default: the last event; later events are
        ignored).

        ``lead_events``: a pandas/polars/arrow table with ``lead_id``, ``at`` and ``kind`` (DESIGN
        §3). Returns a DataFrame ``lead_id, engagement, score, grade, top_factors`` in ``lead_id``
        order; ``top_factors`` lists ``(kind, events, points)`` largest first. ``output``:
        ``"pandas"`` (default), ``"polars"`` or ``"arrow"``.
        """
        _interop.check_output(output)
        df = _interop.to_frame(lead_events, name="lead_events")
        missing = [c for c in ("lead_id", "at", "kind") if c not in df.columns]
        if missing:
            raise ValidationError(
                table="lead_events",
                column=missing[0],
                message=f"missing column(s) {', '.join(missing)}",
            )
        rows, _ignored = _native.leads_score(
            text_column("lead_events", "lead_id", df["lead_id"]),
            _seconds(df["at"]),
            text_column("lead_events", "kind", df["kind"]),
            self._params(),
            None if as_of is None else int(instant("as_of", as_of)),
        )
        frame = pd.DataFrame(
            {
                "lead_id": [r[0] for r in rows],
                "engagement": np.array([r[1] for r in rows], dtype="float64"),
                "score": np.array([r[2] for r in rows], dtype="float64"),
                "grade": [r[3] for r in rows],
                "top_factors": [[(k, int(n), float(p)) for k, n, p in r[4]] for r in rows],
            }
        )
        if output != "pandas":
            # Arrow and polars want one type per field: factors become {kind, events, points}.
            factors: Any = [
                [{"kind": k, "events": n, "points": p} for k, n, p in f] for f in frame["top_factors"]
            ]
            frame["top_factors"] = factors
        return _interop.output(frame, output)


#: The lead model's classifier defaults, read from Rust (``leads::ModelParams::default()
#: .classifier``: a firmer ridge than the shared default, because lead features are sparse counts
#: and a rare kind standardised has extreme leverage). The model kind is the estimator's own.
_LEAD_CLASSIFIER: Dict[str, Any] = {
    k: v for k, v in _native.defaults("lead_model")["classifier"].items() if k != "model"
}


class LeadModel(_TabularClassifier):
    """Conversion model: the shared tabular classifier (``model="logistic"`` or ``"trees"``) on
    categorical and numeric columns (pandas, polars or numpy), calibrated out of fold (Platt),
    with per-row factors. ``params``: classifier parameters overriding the lead defaults
    (``l2``, ``max_iter``, ``tolerance``, ``calibration_folds``, ``boost``...). Pickles.

    Example::

        >>> import numpy as np, pandas as pd
        >>> from edupulse.leads import LeadModel
        >>> rng = np.random.default_rng(1)
        >>> X = pd.DataFrame({"webinar_attended": rng.poisson(1.0, 400),
        ...                   "source": rng.choice(["ads", "organic"], 400)})
        >>> y = rng.random(400) < 0.1 + 0.3 * (X["webinar_attended"] > 1)
        >>> m = LeadModel(model="logistic").fit(X, y)
        >>> p = m.predict_proba(X)[:, 1]
        >>> bool(p[X["webinar_attended"] > 1].mean() > p[X["webinar_attended"] <= 1].mean())
        True
    """

    _defaults = _LEAD_CLASSIFIER
