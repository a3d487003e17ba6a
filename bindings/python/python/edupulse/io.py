"""Importers: the exports of the tools a course business already uses, as edupulse's input tables.

Each function takes the export as DataFrames (pandas, or anything ``pandas.DataFrame`` accepts), in
the tool's own column layout, and returns ``{table name: DataFrame}`` ready for ``Store.ingest``.
Extra columns are ignored; a missing required column, a participant who left before joining, a
charge in another currency and the like raise ``edupulse.exceptions.ValidationError`` naming the
column (and the row), and nothing is returned half-built. The mapping of each tool is in
docs/import.md; the same importers run from the CLI (``edupulse ingest --from TOOL PATH...``).

>>> import pandas as pd, edupulse
>>> charges = pd.DataFrame({"Created date (UTC)": ["2025-03-01 10:00:00"], "Amount": ["199.00"],
...                         "Amount Refunded": ["49.00"], "Currency": ["eur"], "Customer ID": ["cus_A"]})
>>> tables = edupulse.io.from_stripe(charges)
>>> tables["purchases"]["amount"].tolist()
[150.0]
>>> edupulse.Store("memory://").ingest(tables)["written"]["purchases"]
1
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from typing import Any, Dict, List, Mapping, Optional, Tuple

import pandas as pd

from . import _edupulse as _native
from . import _to_frame

__all__ = ["from_pytrends", "from_zoom", "from_stripe", "from_crm", "from_oulad"]

_RawFrame = Tuple[List[str], List[List[Optional[str]]]]


def _cell(v: Any) -> Optional[str]:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if v is pd.NaT:
        return None
    if isinstance(v, (pd.Timestamp, _dt.datetime, _dt.date)):
        return v.isoformat()
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) if abs(v) < 1e15 else repr(v)
    return str(v)


def _raw(frame: Any, name: str, keep_index: bool = False) -> _RawFrame:
    if not isinstance(frame, pd.DataFrame):
        try:
            frame = pd.DataFrame(frame)
        except Exception as e:  # noqa: BLE001 - reported as a TypeError naming the argument
            raise TypeError(f"{name}: expected a DataFrame, got {type(frame).__name__}") from e
    if keep_index:
        frame = frame.reset_index()
    values = frame.astype(object).to_numpy().tolist()
    rows = [[_cell(v) for v in row] for row in values]
    return [str(c) for c in frame.columns], rows


def _frames(tables: Dict[str, Dict[str, List[Any]]]) -> Dict[str, pd.DataFrame]:
    return {name: _to_frame(name, cols) for name, cols in tables.items()}


def _call(source: str, frames: Dict[str, _RawFrame], **options: Any) -> Dict[str, pd.DataFrame]:
    opts = {k: v for k, v in options.items() if v is not None}
    return _frames(_native.import_frames(source, frames, json.dumps(opts)))


def _related_frame(related: Any) -> pd.DataFrame:
    """pytrends' ``{keyword: {"top": df, "rising": df}}`` flattened to keyword, kind, query, value."""
    if isinstance(related, Mapping):
        parts = []
        for keyword, lists in related.items():
            for kind, df in (lists or {}).items():
                if df is None or len(df) == 0:
                    continue
                part = pd.DataFrame(df).copy()
                part.insert(0, "kind", str(kind))
                part.insert(0, "keyword", str(keyword))
                parts.append(part)
        if not parts:
            return pd.DataFrame(columns=["keyword", "kind", "query", "value"])
        return pd.concat(parts, ignore_index=True)
    return pd.DataFrame(related)


def from_pytrends(
    interest_df: Any, related: Any = None, *, geo: Optional[str] = None
) -> Dict[str, pd.DataFrame]:
    """``keyword_interest`` from ``TrendReq.interest_over_time()`` (index ``date``, a column per
    keyword, ``isPartial``; partial periods are left out) and, with ``related``
    (``TrendReq.related_queries()``'s dict, or its flat form with keyword, kind, query, value),
    ``related_queries`` dated by the series' last date. ``geo``: the region requested.

    >>> import pandas as pd
    >>> iot = pd.DataFrame({"curso IA": [54, 61], "isPartial": [False, True]},
    ...                    index=pd.Index(pd.to_datetime(["2025-01-05", "2025-01-12"]), name="date"))
    >>> len(from_pytrends(iot)["keyword_interest"])  # the partial week is left out
    1
    """
    interest = interest_df
    keep_index = isinstance(interest, pd.DataFrame) and "date" not in interest.columns
    frames = {"interest": _raw(interest, "interest_df", keep_index=keep_index)}
    if keep_index and frames["interest"][0][0] != "date":
        frames["interest"][0][0] = "date"
    if related is not None:
        frames["related"] = _raw(_related_frame(related), "related")
    return _call("pytrends", frames, geo=geo)


def from_zoom(
    registrants_df: Any,
    participants_df: Any,
    webinar: Any = None,
    *,
    utc_offset_minutes: int = 0,
) -> Dict[str, pd.DataFrame]:
    """``webinars`` and ``registrations`` from Zoom's registration report and participants (or
    attendee) report. ``webinar``: a dict (``webinar_id``, ``title``, ``starts_at``,
    ``duration_min``, optional ``topic``) or Zoom's report summary as a DataFrame (``Topic``,
    ``Webinar ID``, ``Actual Start Time``, ``Actual Duration (minutes)``); required.
    Attended = joined at all; minutes = the union of the sessions (rejoins add up); Zoom's
    month-first times are read in the account's ``utc_offset_minutes``.

    >>> import pandas as pd
    >>> reg = pd.DataFrame({"Email": ["ana@example.es"], "Registration Time": ["03/01/2025 09:15:22 AM"]})
    >>> part = pd.DataFrame({"User Email": ["ana@example.es"] * 2,
    ...                      "Join Time": ["03/15/2025 10:00:00 AM", "03/15/2025 10:40:00 AM"],
    ...                      "Leave Time": ["03/15/2025 10:30:00 AM", "03/15/2025 11:00:00 AM"]})
    >>> w = {"webinar_id": "812", "title": "Curso IA", "starts_at": "2025-03-15T10:00:00Z", "duration_min": 60}
    >>> from_zoom(reg, part, w)["registrations"]["minutes_watched"].tolist()
    [50.0]
    """
    frames = {
        "registrants": _raw(registrants_df, "registrants_df"),
        "participants": _raw(participants_df, "participants_df"),
    }
    info: Optional[Dict[str, Any]] = None
    if isinstance(webinar, Mapping):
        info = {k: _cell(v) if k == "starts_at" else v for k, v in webinar.items()}
    elif webinar is not None:
        frames["webinar"] = _raw(webinar, "webinar")
    return _call("zoom", frames, webinar=info, utc_offset_minutes=utc_offset_minutes)


def from_stripe(charges_df: Any, *, currency: Optional[str] = None) -> Dict[str, pd.DataFrame]:
    """``purchases`` from Stripe's payments export (``unified_payments.csv``): paid charges net
    of refunds, in one currency (``currency``, or the first charge's; Stripe's ``Converted
    Amount`` is used for charges in another currency, else they are an error)."""
    return _call("stripe", {"charges": _raw(charges_df, "charges_df")}, currency=currency)


def from_crm(
    contacts_df: Any, activities_df: Any = None, mapping: Optional[Mapping[str, Any]] = None
) -> Dict[str, pd.DataFrame]:
    """``leads`` (and ``lead_events``) from a CRM's contacts and activities exports. ``mapping``
    (unknown keys are errors): ``contacts`` / ``activities`` column names, ``kinds`` (export text
    → edupulse kind), ``ignore_unmapped_kinds``, ``time_format``; default: HubSpot's names.

    >>> import pandas as pd
    >>> contacts = pd.DataFrame({"Email Address": ["x@y.es"], "OPTIN_TIME": ["01/03/2025 10:00"]})
    >>> m = {"contacts": {"lead_id": "Email Address", "email": "Email Address", "created_at": "OPTIN_TIME"},
    ...      "time_format": "%d/%m/%Y %H:%M"}
    >>> str(from_crm(contacts, mapping=m)["leads"]["created_at"][0])
    '2025-03-01 10:00:00+00:00'
    """
    frames = {"contacts": _raw(contacts_df, "contacts_df")}
    if activities_df is not None:
        frames["activities"] = _raw(activities_df, "activities_df")
    return _call("crm", frames, mapping=dict(mapping) if mapping is not None else None)


_OULAD = ("studentInfo", "studentRegistration", "assessments", "studentAssessment", "courses")


def from_oulad(path_or_frames: Any) -> Dict[str, pd.DataFrame]:
    """``students``, ``activity``, ``student_attributes`` and ``assessment_schedule`` from
    OULAD: the dataset's folder, or
    ``{"studentInfo": df, "studentRegistration": df, "assessments": df, "studentAssessment": df,
    "courses": df}`` (``.csv`` suffixes accepted). One student per enrolment
    (``<module>-<presentation>-<id_student>``); registrations, submissions (``value`` = score,
    empty for ``?``), withdrawals and passes (``certificate``) as activity; demographics,
    credits, previous attempts and the ``course`` link as student attributes; one deadline per
    dated assessment (end of its day) in the schedule."""
    if isinstance(path_or_frames, (str, os.PathLike)):
        return _call("oulad", {}, path=os.fspath(path_or_frames))
    if not isinstance(path_or_frames, Mapping):
        raise TypeError("from_oulad: expected a folder path or a dict of the five OULAD DataFrames")
    named = {str(k).removesuffix(".csv"): v for k, v in path_or_frames.items()}
    frames = {k: _raw(named[k], k) for k in _OULAD if k in named}
    return _call("oulad", frames)
