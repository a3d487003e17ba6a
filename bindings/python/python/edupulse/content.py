"""Micro-lessons from transcripts (``edupulse_core::content``).

- :func:`segment_text` — topical segmentation of a list of sentences by lexical cohesion (tf·idf
  cosine matrix, dynamic programming; Spanish and English stop words): the index of the first
  sentence of each segment after the first;
- :func:`segment_transcript` — 5–10 minute micro-lessons of timed transcript segments, each with
  a title and key terms.

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

from typing import Any, List, Optional

import pandas as pd

from . import _checks
from . import _edupulse as _native
from .exceptions import ParameterError

__all__ = ["segment_text", "segment_transcript"]


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
