"""The bodies of the edupulse daily DAG: plain functions, importable without Airflow.

Each task is idempotent and takes the run's logical date as ``as_of`` (``YYYY-MM-DD``: the end of
that day, 23:59:59 UTC), so re-running a day — a retry, a backfill, a cleared task — rewrites the
same results and sends nothing twice:

- ``ingest``: upsert the landing folder's ``<table>.csv`` files (the data contract) into the store;
  unchanged rows are not rewritten.
- ``run_step``: one step of the daily job (``kpis``, ``trends``, ``churn``, ``review_schedule``...)
  as of the date; its results replace that step's results of the same date, and its notifications
  enter the outbox only if their dedupe key is new.
- ``deliver``: send the pending notifications (a JSON-lines inbox file; a webhook in production);
  each goes once to each channel.

Every function returns a small JSON-serialisable dict (Airflow pushes it to XCom).

Settings come from the environment, so the same code runs in Airflow, in a test and in a shell:
``EDUPULSE_STORE`` (store URL), ``EDUPULSE_LANDING`` (folder of CSV exports, optional) and
``EDUPULSE_INBOX`` (JSON-lines file the notifications are delivered to).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import edupulse

#: The capability steps the DAG runs in parallel after ingest, as ``(task id, job step)``.
#: Adding a capability is one line here; ``kpis`` is the business digest.
STEPS: List[tuple] = [
    ("kpis", "kpis"),
    ("trends", "trends"),
    ("churn", "churn"),
    ("repetition", "review_schedule"),
    ("leads", "leads"),
    ("demand", "demand"),
    ("experiments", "experiments"),
]


@dataclass(frozen=True)
class Settings:
    """Where the data lives. ``from_env()`` reads the ``EDUPULSE_*`` variables."""

    store: str = "sqlite://edupulse.db"
    landing: Optional[str] = None
    inbox: Optional[str] = "notifications.jsonl"

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            store=os.environ.get("EDUPULSE_STORE", cls.store),
            landing=os.environ.get("EDUPULSE_LANDING") or None,
            inbox=os.environ.get("EDUPULSE_INBOX", cls.inbox or "") or None,
        )


def _as_of(as_of: Any) -> str:
    """The logical date as ``YYYY-MM-DD`` (a str, date, datetime or pendulum DateTime)."""
    if hasattr(as_of, "date") and callable(as_of.date):
        as_of = as_of.date()
    text = as_of.isoformat() if hasattr(as_of, "isoformat") else str(as_of)
    return text[:10]


def ingest(as_of: Any, settings: Optional[Settings] = None) -> Dict[str, Any]:
    """Upsert the landing folder into the store. Returns rows received and written (new or
    changed) per table; a second run of the same files writes nothing."""
    s = settings or Settings.from_env()
    store = edupulse.Store(s.store)
    if s.landing is None:
        return {"as_of": _as_of(as_of), "received": {}, "written": {}, "skipped": "no landing"}
    report = store.ingest_dir(Path(s.landing))
    return {
        "as_of": _as_of(as_of),
        "received": report["received"],
        "written": report["written"],
        "rows_written": sum(report["written"].values()),
    }


def run_step(step: str, as_of: Any, settings: Optional[Settings] = None) -> Dict[str, Any]:
    """Run one job step as of the logical date. Returns its result and notification counts and
    its summary."""
    s = settings or Settings.from_env()
    store = edupulse.Store(s.store)
    before = store.counts().get("notifications", 0)
    summary = store.run(_as_of(as_of), steps=[step])
    mine = summary["steps"][step]
    return {
        "as_of": summary["as_of"],
        "step": step,
        "results": mine["results"],
        "notifications": mine["notifications"],
        "new_notifications": store.counts().get("notifications", 0) - before,
        "summary": mine["summary"],
    }


def deliver(as_of: Any, settings: Optional[Settings] = None) -> Dict[str, Any]:
    """Deliver every pending notification to the inbox file. Returns the dispatch counts; a
    second run delivers nothing."""
    s = settings or Settings.from_env()
    store = edupulse.Store(s.store)
    if s.inbox is None:
        return {"as_of": _as_of(as_of), "delivered": 0, "skipped": "no inbox"}
    report = store.deliver(Path(s.inbox))
    return {
        "as_of": _as_of(as_of),
        "pending": report["pending"],
        "delivered": report["delivered"],
        "failed": report["failed"],
        "rate_limited": report["rate_limited"],
    }


def run_all(as_of: Any, settings: Optional[Settings] = None) -> Dict[str, Any]:
    """The whole DAG in order, in one process (what a test or ``python edupulse_tasks.py`` does)."""
    out: Dict[str, Any] = {"ingest": ingest(as_of, settings)}
    for task_id, step in STEPS:
        out[task_id] = run_step(step, as_of, settings)
    out["deliver"] = deliver(as_of, settings)
    return out


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run_all(sys.argv[1] if len(sys.argv) > 1 else "2025-12-31"), indent=2))
