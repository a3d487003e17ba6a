"""Feedback: Spanish sentiment of chat and surveys, and what each webinar achieved
(``edupulse_core::feedback``).

- :func:`sentiment` — the offline Spanish lexicon scorer: a score in [−1, 1] and a label
  (positive / neutral / negative, neutral within ±``neutral_band``) per text;
- :func:`webinar_outcomes` — one row per ended webinar: funnel, engagement, conversions and
  revenue within a window, mean rating, sentiment shares, distinctive terms and whether the
  attendance rate is below the source's 30 % floor (the ``webinar_outcomes`` result table);
- :func:`live_timeline` — for a webinar in progress, messages and sentiment per minute from the
  feedback rows so far (a dashboard polls it).

Example::

    >>> from edupulse import feedback
    >>> feedback.sentiment(["¡Me encantó, muy útil!", "No me gustó nada", ""])["label"].tolist()
    ['positive', 'negative', 'neutral']
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional

import pandas as pd

from . import _edupulse as _native
from . import _interop
from ._checks import _missing, check_float, instant
from .exceptions import ParameterError, ValidationError

__all__ = ["live_timeline", "sentiment", "webinar_outcomes"]


def _texts(texts: Any) -> List[str]:
    """``texts`` (list, tuple, numpy array, pandas or polars Series) as a list of str; a str, a
    missing value or a non-str item raises ``ParameterError`` naming the index."""
    if isinstance(texts, (str, bytes)):
        raise ParameterError(parameter="texts", message="expected a sequence of str, got a str")
    if hasattr(texts, "to_list"):
        items = texts.to_list()
    elif hasattr(texts, "tolist"):
        items = texts.tolist()
    else:
        try:
            items = list(texts)
        except TypeError:
            raise ParameterError(
                parameter="texts", message=f"expected a sequence of str, got {type(texts).__name__}"
            ) from None
    for i, t in enumerate(items):
        if not isinstance(t, str):
            what = "a missing value" if _missing(t) else repr(t)
            raise ParameterError(parameter="texts", message=f"at index {i}: expected a str, got {what}")
    return items


def sentiment(texts: Any, *, neutral_band: float = 0.1) -> pd.DataFrame:
    """The Spanish lexicon sentiment of every text, one row per text in order: ``score`` in
    [−1, 1], ``label`` (``"positive"`` above ``neutral_band``, ``"negative"`` below its negative,
    ``"neutral"`` within, inclusive), ``low_coverage`` (mostly words the scorer does not know:
    another language) and ``truncated`` (only the first 100,000 bytes were scored).

    ``texts``: a list, numpy array or pandas / polars Series of str. Empty or whitespace text is
    neutral; a missing value (None, NaN) or a non-str raises ``ParameterError`` naming its index.
    Offline: the lexicon (MIT, ``@nlpjs/lang-es``) is embedded.

    >>> sentiment(["Excelente explicación", "muy aburrido 😒"])[["score", "label"]].round(2)
       score     label
    0    0.6  positive
    1   -0.7  negative
    """
    items = _texts(texts)
    band = check_float("neutral_band", neutral_band, minimum=0.0)
    score, label, low, cut = _native.feedback_sentiment(items, band)
    return pd.DataFrame(
        {
            "score": pd.Series(score, dtype="float64"),
            "label": pd.Series(label, dtype="object"),
            "low_coverage": pd.Series(low, dtype="bool"),
            "truncated": pd.Series(cut, dtype="bool"),
        }
    )


def webinar_outcomes(
    tables: Mapping[str, Any],
    as_of: Any = None,
    output: str = "pandas",
    *,
    config: Optional[Mapping[str, Any]] = None,
) -> Any:
    """What each webinar that ended by ``as_of`` achieved, one row per webinar in start order:
    the ``webinar_outcomes`` result table (``as_of`` then ``webinar_id, title, topic, starts_at,
    ended_at, registrations, attendees, attendance_rate, mean_watch_share,
    questions_per_attendee, polls_per_attendee, chat_per_attendee, conversions,
    conversion_rate, revenue, window_closed, feedback, mean_rating, ratings, mean_sentiment,
    positive_share, negative_share, top_terms, below_floor``).

    ``tables``: ``{table: DataFrame}`` as :func:`edupulse.simulate` returns (``webinars``,
    ``registrations``, ``purchases``, ``lead_events`` and ``feedback`` are read). ``as_of``:
    default the latest time in those tables. ``config``: ``[job.feedback]`` fields
    (``conversion_window_days`` 30, ``attendance_floor`` 0.3, ``top_terms`` 5, ``sentiment``
    ``{"neutral_band": 0.1}``, …; an unknown key raises ``ParameterError``). A feedback row about
    a webinar that is not in ``webinars`` raises ``ValidationError`` naming the row.
    ``output``: ``"pandas"``, ``"polars"`` or ``"arrow"``.

    >>> import edupulse
    >>> df = webinar_outcomes(edupulse.simulate(students=40, seed=3))
    >>> bool((df["attendees"] <= df["registrations"]).all()), bool(df["top_terms"].map(type).eq(list).all())
    (True, True)
    """
    _interop.check_output(output)
    from . import _result_frame, _to_native

    if not isinstance(tables, Mapping):
        raise ParameterError(parameter="tables", message="expected a mapping {table: DataFrame}")
    t = None if as_of is None else int(instant("as_of", as_of))
    if config is not None and not isinstance(config, Mapping):
        raise ParameterError(parameter="config", message="expected a dict of [job.feedback] fields")
    cols = _native.feedback_webinar_outcomes(
        _to_native(tables), t, None if config is None else dict(config)
    )
    return _interop.output(_result_frame("webinar_outcomes", cols), output)


_TIMELINE_COLUMNS = ["minute", "messages", "questions", "mean_sentiment", "positive", "negative"]


def live_timeline(
    feedback_df: Any,
    webinar_id: str,
    starts_at: Any,
    duration_min: float,
    now: Any = None,
    *,
    neutral_band: float = 0.1,
) -> pd.DataFrame:
    """The live timeline of webinar ``webinar_id`` (started at ``starts_at``, lasting
    ``duration_min`` minutes) from the ``feedback`` rows so far: one row per minute since the
    start with ``messages`` (chat lines and questions: the message rate), ``questions``,
    ``mean_sentiment`` (NaN without messages), ``positive`` and ``negative`` counts.

    Every minute from 0 to the current one (``now``, default the latest ``at`` of the webinar's
    rows, capped at the end) is listed; minutes before the start only when they hold rows.
    ``feedback_df``: a DataFrame (or mapping of columns) with ``webinar_id``, ``at``, ``kind``
    and ``text``; surveys and reviews, and rows after ``now``, are left out.

    >>> import pandas as pd
    >>> rows = pd.DataFrame({"webinar_id": ["w1", "w1", "w2"],
    ...                      "at": pd.to_datetime(["2025-03-04T17:00:30Z", "2025-03-04T17:02:10Z",
    ...                                            "2025-03-04T17:00:40Z"]),
    ...                      "kind": ["chat", "question", "chat"],
    ...                      "text": ["¡Me encanta!", "¿Habrá grabación?", "hola"]})
    >>> live_timeline(rows, "w1", "2025-03-04T17:00:00Z", 60)[["minute", "messages", "positive"]]
       minute  messages  positive
    0       0         1         1
    1       1         0         0
    2       2         1         0
    """
    from ._checks import check_str, text_column

    df = feedback_df if isinstance(feedback_df, pd.DataFrame) else _interop.to_frame(feedback_df, name="feedback")
    missing = [c for c in ("webinar_id", "at", "kind", "text") if c not in df.columns]
    if missing:
        raise ParameterError(parameter="feedback_df", message=f"missing column(s): {', '.join(missing)}")
    wid = check_str("webinar_id", webinar_id)
    start = int(instant("starts_at", starts_at))
    minutes = check_float("duration_min", duration_min, minimum=0.0)
    band = check_float("neutral_band", neutral_band, minimum=0.0)
    ids = text_column("feedback", "webinar_id", df["webinar_id"])
    positions = [k for k, i in enumerate(ids) if i == wid]
    mine = df.iloc[positions]
    at = pd.to_datetime(mine["at"], utc=True, errors="coerce")
    if at.isna().any():
        row = positions[int(at.isna().to_numpy().argmax())] + 1
        raise ValidationError(
            table="feedback", row=row, column="at", message="missing or not a date-time"
        )
    kinds = text_column("feedback", "kind", mine["kind"])
    for k, kind in enumerate(kinds):
        if kind.strip() not in ("chat", "question", "survey", "review"):
            raise ValidationError(
                table="feedback", row=positions[k] + 1, column="kind",
                message=f"unknown kind `{kind}` (expected one of: chat, question, survey, review)",
            )
    secs = [int(x) for x in (at - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)]
    end = start + int(round(minutes * 60))
    if now is None:
        t_now = min(max(secs), end) if secs else start
    else:
        t_now = int(instant("now", now))
    cols = _native.feedback_live_timeline(
        secs,
        kinds,
        text_column("feedback", "text", mine["text"]),
        start,
        end,
        t_now,
        band,
    )
    out = pd.DataFrame(dict(zip(_TIMELINE_COLUMNS, cols)))
    out = out.astype({"minute": "int64", "messages": "int64", "questions": "int64",
                      "mean_sentiment": "float64", "positive": "int64", "negative": "int64"})
    return out[_TIMELINE_COLUMNS]
