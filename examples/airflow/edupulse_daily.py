"""edupulse daily DAG (Airflow TaskFlow): ingest → capability steps in parallel → deliver.

    ingest ─┬─ kpis ─────────┬─ deliver
            ├─ trends ───────┤
            ├─ churn ────────┤
            ├─ repetition ───┤
            ├─ leads ────────┤
            └─ demand ───────┘

Every task is idempotent and uses the run's logical date (``ds``) as ``as_of``; each returns a
small JSON dict for XCom. The task bodies live in ``edupulse_tasks`` (plain functions, no Airflow
import), so they are tested without Airflow; a new capability is one line in
``edupulse_tasks.STEPS``.

Install: copy both files into the DAGs folder, ``pip install edupulse`` on the workers, and set
``EDUPULSE_STORE`` (e.g. ``sqlite:///data/edupulse.db`` or ``postgres://...``),
``EDUPULSE_LANDING`` (folder of daily ``<table>.csv`` exports) and ``EDUPULSE_INBOX``.
Try it with ``airflow dags test edupulse_daily 2025-12-31``.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone

try:  # Airflow 3
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2.x
    from airflow.decorators import dag, task

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edupulse_tasks  # noqa: E402  (beside this file in the DAGs folder)


@dag(
    dag_id="edupulse_daily",
    schedule="@daily",
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2},
    tags=["edupulse"],
    doc_md=__doc__,
)
def edupulse_daily():
    @task
    def ingest(ds=None):
        return edupulse_tasks.ingest(ds)

    @task
    def run_step(step: str, ds=None):
        return edupulse_tasks.run_step(step, ds)

    @task
    def deliver(ds=None):
        return edupulse_tasks.deliver(ds)

    ingested = ingest()
    steps = [run_step.override(task_id=task_id)(step) for task_id, step in edupulse_tasks.STEPS]
    ingested >> steps >> deliver()


edupulse_daily()
