"""Micro-lessons from transcripts (``edupulse_core::content``).

- :func:`segment_text` — topical segmentation of a list of sentences by lexical cohesion (tf·idf
  cosine matrix, dynamic programming; Spanish and English stop words): the index of the first
  sentence of each segment after the first;
- :func:`segment_transcript` — 5–10 minute micro-lessons of timed transcript segments, each with
  a title and key terms;
- :func:`mastery` — each learner's mastery of each concept (mean FSRS retrievability of the
  concept's cards) from the ``concepts``, ``card_concepts`` and ``reviews`` tables;
- :func:`next_steps` — the concept each learner should study next, with the reason.

Example::

    >>> from edupulse import content
    >>> content.segment_text([
    ...     "The cat chased the mouse around the kitchen.",
    ...     "A cat likes to chase every mouse it sees.",
    ...     "The mouse hid from the cat under the kitchen table.",
    ...     "Interest rates rose at the central bank today.",
    ...     "The bank raised rates to fight inflation.",
    ...     "Higher interest rates slow inflation and lending.",
    ... ])
    [3]
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Tuple

import pandas as pd

from . import _checks
from . import _edupulse as _native
from ._checks import instant
from .exceptions import ParameterError

__all__ = ["mastery", "next_steps", "segment_text", "segment_transcript"]

_MASTERY_COLUMNS = [
    "student_id", "concept_id", "mastery", "cards_studied", "cards_due", "quizzes_taken", "difficult",
]
_NEXT_COLUMNS = ["student_id", "concept_id", "concept_name", "reason", "for_concept", "mastery"]


def segment_text(
    sentences: Any, *, n_segments: Optional[int] = None, min_sentences: int = 2
) -> List[int]:
    """Split ``sentences`` (a sequence of str) into topical segments: the start index of each
    segment after the first, in order (``[]``: one segment). ``n_segments`` fixes the number of
    segments (default: chosen from the text); every segment has at least ``min_sentences``."""
    if isinstance(sentences, str):
        raise ParameterError(parameter="sentences", message="expected a sequence of str, got a str")
    items = list(sentences.tolist() if hasattr(sentences, "tolist") else sentences)
    for i, s in enumerate(items):
        if not isinstance(s, str):
            raise ParameterError(
                parameter="sentences", message=f"at index {i}: expected a str, got {s!r}"
            )
    k = _checks.check_int("n_segments", n_segments, minimum=1, optional=True)
    m = _checks.check_int("min_sentences", min_sentences, minimum=1)
    return list(_native.content_segment_text(items, k, m))


def segment_transcript(
    segments_df: Any, *, min_minutes: float = 5.0, max_minutes: float = 10.0
) -> pd.DataFrame:
    """Micro-lessons of the transcripts in ``segments_df`` (columns ``content_id``, ``start_s``,
    ``end_s``, ``text``; several recordings allowed): a DataFrame with columns ``content_id``,
    ``lesson`` (1-based), ``start_s``, ``end_s``, ``title`` and ``key_terms`` (list of str),
    recordings in id order, lessons in time order. Each lesson lasts ``min_minutes`` to
    ``max_minutes`` where the recording allows it. An empty transcript, a reversed segment
    (``end_s`` < ``start_s``) or overlapping segments raise ``ValidationError`` naming the row.

    >>> cues = [{"content_id": "w1", "start_s": 5.0 * i, "end_s": 5.0 * (i + 1),
    ...          "text": "Python functions take arguments"} for i in range(24)]
    >>> segment_transcript(pd.DataFrame(cues))[["lesson", "start_s", "end_s", "title"]]
       lesson  start_s  end_s                         title
    0       1      0.0  120.0  Arguments, functions, python
    """
    df = segments_df if isinstance(segments_df, pd.DataFrame) else pd.DataFrame(segments_df)
    missing = [c for c in ("content_id", "start_s", "end_s", "text") if c not in df.columns]
    if missing:
        raise ParameterError(
            parameter="segments_df", message=f"missing column(s): {', '.join(missing)}"
        )
    t = "transcript_segments"
    ids = _checks.text_column(t, "content_id", df["content_id"])
    text = _checks.text_column(t, "text", df["text"])
    start = [float(x) for x in _checks.numeric_column(t, "start_s", df["start_s"])]
    end = [float(x) for x in _checks.numeric_column(t, "end_s", df["end_s"])]
    lo = _checks.check_float("min_minutes", min_minutes, minimum=0.0)
    hi = _checks.check_float("max_minutes", max_minutes, minimum=0.0)
    cols = _native.content_segment_transcript(ids, start, end, text, lo, hi)
    return pd.DataFrame(
        cols, columns=["content_id", "lesson", "start_s", "end_s", "title", "key_terms"]
    )


def _mastery_rows(tables: Mapping[str, Any], as_of: Any) -> Tuple[List[Any], List[Any]]:
    from . import _to_native

    if not isinstance(tables, Mapping):
        raise ParameterError(parameter="tables", message="expected a mapping {table: DataFrame}")
    t = None if as_of is None else int(instant("as_of", as_of))
    m, s = _native.content_mastery(_to_native(tables), t)
    return list(m), list(s)


def mastery(tables: Mapping[str, Any], as_of: Any = None) -> pd.DataFrame:
    """Each learner's mastery of each concept they have studied, as of ``as_of`` (default: the
    latest review or quiz result). ``tables``: ``{table: DataFrame}`` with ``concepts``
    (concept_id, name, prerequisite_ids: ids separated by ``;``), ``card_concepts`` (card_id,
    concept_id), ``reviews`` and optionally ``quiz_results`` (student_id, quiz_id, concept_id, at,
    score in [0, 1]). Mastery = the mean of the FSRS retrievability of the concept's cards (a card
    the learner never reviewed counts 0) and the latest score of each of its quizzes the learner
    took; ``difficult`` = below 0.8. Columns ``student_id, concept_id, mastery, cards_studied,
    cards_due, quizzes_taken, difficult``. A prerequisite cycle, a card mapped to an unknown
    concept or a quiz of an unknown concept raises ``ValidationError`` naming it; without concepts
    the frame is empty.

    >>> import pandas as pd
    >>> tables = {
    ...     "concepts": pd.DataFrame({"concept_id": ["vars", "funcs"], "name": ["Variables", "Funciones"],
    ...                               "prerequisite_ids": [None, "vars"]}),
    ...     "card_concepts": pd.DataFrame({"card_id": ["v1", "f1"], "concept_id": ["vars", "funcs"]}),
    ...     "reviews": pd.DataFrame({"student_id": ["ana", "ana"], "card_id": ["v1", "f1"],
    ...                              "at": pd.to_datetime(["2024-03-01", "2024-03-01"], utc=True),
    ...                              "rating": [3, 1]}),
    ... }
    >>> mastery(tables, as_of="2024-03-02")[["concept_id", "difficult"]]
      concept_id  difficult
    0      funcs       True
    1       vars      False
    """
    m, _ = _mastery_rows(tables, as_of)
    df = pd.DataFrame(m, columns=_MASTERY_COLUMNS)
    df["mastery"] = df["mastery"].astype("float64")
    for c in ("cards_studied", "cards_due", "quizzes_taken"):
        df[c] = df[c].astype("int64")
    df["difficult"] = df["difficult"].astype("bool")
    return df


def next_steps(tables: Mapping[str, Any], as_of: Any = None) -> pd.DataFrame:
    """The concept each learner should study next, with the reason, as of ``as_of`` (default: the
    latest review); ``tables`` as for :func:`mastery`. In order: an unmet prerequisite of a
    concept being studied (``unmet_prerequisite``, with ``for_concept``), the studied concept of
    lowest mastery (``lowest_mastery``), the concept with the most due reviews (``due_reviews``),
    the first new concept whose prerequisites are met (``new_concept``). Columns ``student_id,
    concept_id, concept_name, reason, for_concept, mastery``.
    """
    _, s = _mastery_rows(tables, as_of)
    df = pd.DataFrame(s, columns=_NEXT_COLUMNS)
    df["mastery"] = df["mastery"].astype("float64")
    return df
