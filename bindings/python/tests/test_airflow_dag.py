"""The Airflow example (examples/airflow): its task functions run in DAG order against a temp
SQLite store, twice; the second run changes nothing and sends nothing. No Airflow needed; with
apache-airflow installed, the slow test also runs `airflow dags test`."""

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import edupulse

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "airflow"
AS_OF = "2025-12-31"


@pytest.fixture(scope="module")
def tasks():
    sys.path.insert(0, str(EXAMPLE))
    try:
        yield importlib.import_module("edupulse_tasks")
    finally:
        sys.path.remove(str(EXAMPLE))


@pytest.fixture()
def settings(tasks, tmp_path):
    landing = tmp_path / "landing"
    written = edupulse.write_csv_dir(edupulse.simulate(students=300, seed=4), landing)
    assert written["students"] == 300
    return tasks.Settings(
        store=f"sqlite://{tmp_path / 'edupulse.db'}",
        landing=str(landing),
        inbox=str(tmp_path / "inbox.jsonl"),
    )


def run_dag(tasks, settings, as_of):
    """The DAG's order: ingest, then every step (any order: they are independent), then deliver."""
    out = {"ingest": tasks.ingest(as_of, settings)}
    for task_id, step in reversed(tasks.STEPS):  # reversed: order between steps must not matter
        out[task_id] = tasks.run_step(step, as_of, settings)
    out["deliver"] = tasks.deliver(as_of, settings)
    return out


def test_tasks_are_idempotent_and_xcom_serialisable(tasks, settings):
    store = edupulse.Store(settings.store)
    first = run_dag(tasks, settings, AS_OF)
    assert json.loads(json.dumps(first)) == first  # XCom: JSON round trip
    assert first["ingest"]["rows_written"] > 0
    assert {"kpis", "trends", "churn", "repetition", "leads", "demand"} <= set(first)
    assert first["churn"]["results"] > 0 and first["churn"]["as_of"] == "2025-12-31T23:59:59Z"
    made = sum(first[t]["new_notifications"] for t, _ in tasks.STEPS)
    assert made > 0
    assert first["deliver"]["delivered"] == made
    counts = store.counts()
    inbox = Path(settings.inbox).read_text()
    assert len(inbox.splitlines()) == made
    results = {t: store.results(t) for t in ["churn_scores", "review_learners", "trend_alerts"]}

    second = run_dag(tasks, settings, AS_OF)
    assert second["ingest"]["rows_written"] == 0
    assert all(second[t]["new_notifications"] == 0 for t, _ in tasks.STEPS)
    assert second["deliver"]["delivered"] == 0 and second["deliver"]["pending"] == 0
    assert store.counts() == counts
    assert Path(settings.inbox).read_text() == inbox
    for name, frame in results.items():
        assert store.results(name).equals(frame), name
    # same results and summaries, run by run
    for t, _ in tasks.STEPS:
        assert second[t]["results"] == first[t]["results"], t


def test_next_day_does_not_repeat_yesterdays_alerts(tasks, settings):
    run_dag(tasks, settings, AS_OF)
    sent = len(Path(settings.inbox).read_text().splitlines())
    again = run_dag(tasks, settings, "2026-01-01")  # no new data: same episodes
    repeated = again["deliver"]["delivered"]
    assert repeated <= sent  # only alerts whose episode key changed with the date, if any
    keys = [json.loads(line)["dedupe_key"] for line in Path(settings.inbox).read_text().splitlines()]
    assert len(keys) == len(set(keys))  # nothing is ever sent twice


def test_run_all_matches_the_dag(tasks, settings):
    out = tasks.run_all(AS_OF, settings)
    assert set(out) == {"ingest", "deliver"} | {t for t, _ in tasks.STEPS}


def test_dag_module_takes_its_task_bodies_from_the_plain_module():
    """The DAG file needs Airflow; its logic must not live there."""
    text = (EXAMPLE / "edupulse_daily.py").read_text()
    assert "import edupulse_tasks" in text
    assert "edupulse_tasks.STEPS" in text  # a new capability is one line in STEPS
    assert "import airflow" not in (EXAMPLE / "edupulse_tasks.py").read_text()


@pytest.mark.slow
def test_airflow_dags_test(settings, tmp_path):
    """`airflow dags test` on the real DAG (needs apache-airflow: `make test-slow`)."""
    pytest.importorskip("airflow")
    airflow = shutil.which("airflow") or str(Path(sys.executable).with_name("airflow"))
    home = tmp_path / "airflow"
    dags = home / "dags"
    dags.mkdir(parents=True)
    for f in ["edupulse_daily.py", "edupulse_tasks.py"]:
        shutil.copy(EXAMPLE / f, dags / f)
    env = dict(
        os.environ,
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(dags),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__UNIT_TEST_MODE="True",
        EDUPULSE_STORE=settings.store,
        EDUPULSE_LANDING=settings.landing,
        EDUPULSE_INBOX=settings.inbox,
    )
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True, timeout=600)
    for _ in range(2):
        out = subprocess.run(
            [airflow, "dags", "test", "edupulse_daily", AS_OF],
            env=env, capture_output=True, text=True, timeout=900,
        )
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    counts = edupulse.Store(settings.store).counts()
    assert counts["runs"] == 1 and counts["results"] > 0
    lines = Path(settings.inbox).read_text().splitlines()
    assert len(lines) == counts["notifications"]  # delivered once, not twice
