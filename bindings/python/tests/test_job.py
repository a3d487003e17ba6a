"""The daily job from Python (Store.run / deliver / results), progress, Ctrl-C, and the GIL being
released by long native calls."""

import json
import os
import subprocess
import sys
import textwrap
import threading
import time

import pandas as pd
import pytest

import edupulse

AS_OF = "2025-12-31"  # the simulator's history is 2025 (start 2025-01-01, 365 days)


def result_rows(counts):
    """Rows over every typed result table (what the run summary calls ``results``)."""
    return sum(counts.get(t["table"], 0) for t in edupulse.result_tables())


@pytest.fixture(scope="module")
def business():
    return edupulse.simulate(students=120, seed=5)


@pytest.fixture()
def store(business, tmp_path):
    s = edupulse.Store(f"sqlite://{tmp_path / 'job.db'}")
    s.ingest(business)
    return s


def test_run_writes_results_and_a_rerun_changes_nothing(store, tmp_path):
    summary = store.run(AS_OF)
    assert summary["as_of"] == "2025-12-31T23:59:59Z"  # a date means the end of that day
    assert set(summary["steps"]) >= {"kpis", "review_schedule", "trends", "churn"}
    json.dumps(summary)  # JSON-serialisable (Airflow XCom)
    counts = store.counts()
    assert result_rows(counts) == summary["results"] > 0
    assert counts["notifications"] == summary["notifications"] > 0

    inbox = tmp_path / "inbox.jsonl"
    first = store.deliver(inbox)
    assert first["delivered"] == counts["notifications"]
    assert len(inbox.read_text().splitlines()) == counts["notifications"]

    again = store.run(AS_OF)
    assert again["results"] == summary["results"]
    assert store.counts() == counts
    second = store.deliver(inbox)
    assert second["delivered"] == 0 and second["pending"] == 0
    assert len(inbox.read_text().splitlines()) == counts["notifications"]
    assert all(item["status"] == "sent" for item in store.outbox())


def test_results_frame_matches_the_summary(store):
    summary = store.run(AS_OF, steps=["churn"])
    scores = store.results("churn_scores")
    step = summary["steps"]["churn"]
    assert len(scores) == step["summary"]["scored"]
    assert list(scores.columns[:2]) == ["as_of", "student_id"]
    assert str(scores["as_of"].dtype) == "datetime64[ns, UTC]"
    assert scores["probability"].dtype == "float64" and scores["clv"].dtype == "float64"
    assert isinstance(scores["factors"].iloc[0], list)
    assert (scores["as_of"] == scores["as_of"].iloc[0]).all()
    counts = scores["risk_level"].value_counts().to_dict()
    assert counts == {k: v for k, v in step["summary"]["risk_levels"].items() if v}
    pl = pytest.importorskip("polars")
    assert isinstance(store.results("churn_scores", AS_OF, output="polars"), pl.DataFrame)


def test_steps_one_at_a_time_equal_the_whole_run(business, tmp_path):
    whole = edupulse.Store(f"sqlite://{tmp_path / 'whole.db'}")
    whole.ingest(business)
    whole.run(AS_OF)
    parts = edupulse.Store(f"sqlite://{tmp_path / 'parts.db'}")
    parts.ingest(business)
    for step in ["kpis", "review_schedule", "trends", "churn", "leads", "demand", "experiments",
                 "certify", "forecast", "content", "community",
                 "feedback"]:
        parts.run(AS_OF, steps=[step])
    assert parts.counts() == whole.counts()
    for table in ["churn_scores", "review_learners", "trend_alerts", "best_slots",
                  "webinar_outcomes"]:
        a, b = whole.results(table), parts.results(table)
        assert a.equals(b), table
    # the run record keeps every step's summary
    (record,) = parts.runs()
    (full,) = whole.runs()
    assert set(record["summary"]["steps"]) == set(full["summary"]["steps"])
    assert record["summary"]["results"] == full["summary"]["results"]


def test_unknown_step_and_bad_config_are_parameter_errors(store):
    with pytest.raises(edupulse.ParameterError) as err:
        store.run(AS_OF, steps=["churn", "astrology"])
    assert err.value.parameter == "steps" and "astrology" in str(err.value)
    with pytest.raises(edupulse.ParameterError) as err:
        store.run(AS_OF, config={"churn": {"no_such_field": 1, "x": []}, "kpi": 3})
    # the section at fault, not the whole `config` (issue 24, item 6)
    assert err.value.parameter == "churn" and "no_such_field" in str(err.value)
    assert store.counts()["runs"] == 0


def test_progress_callback_sees_every_step(store):
    seen = []
    store.run(AS_OF, progress=lambda i, n, name: seen.append((i, n, name)))
    n = seen[0][1]
    assert [i for i, _, _ in seen] == list(range(n + 1))
    assert seen[-1][2] == "write"
    assert {name for _, _, name in seen} >= {"kpis", "churn"}


def test_progress_true_uses_tqdm_or_stderr(store, capsys):
    store.run(AS_OF, progress=True)
    err = capsys.readouterr().err
    assert "edupulse run" in err


def test_an_exception_in_progress_stops_the_run_and_writes_nothing(store):
    def boom(i, n, name):
        if i == 2:
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        store.run(AS_OF, progress=boom)
    assert store.counts()["runs"] == 0 and result_rows(store.counts()) == 0


def test_ctrl_c_interrupts_the_daily_job(tmp_path):
    """SIGINT arrives while a step runs without the GIL; the job stops before the next step with
    KeyboardInterrupt and writes nothing."""
    code = textwrap.dedent(
        f"""
        import os, signal, threading, edupulse
        store = edupulse.Store("sqlite://{tmp_path / 'int.db'}")
        store.ingest(edupulse.simulate(students=150, seed=2))
        steps = []
        def progress(i, n, name):
            steps.append(name)
            if i == 0:  # send Ctrl-C from another thread while step 0 runs detached
                threading.Timer(0.0, os.kill, (os.getpid(), signal.SIGINT)).start()
        try:
            store.run("{AS_OF}", progress=progress)
        except KeyboardInterrupt:
            counts = store.counts()
            rows = sum(counts.get(t["table"], 0) for t in edupulse.result_tables())
            print("interrupted", len(steps), counts["runs"], rows)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    word, steps, runs, results = out.stdout.split()
    assert word == "interrupted"
    assert int(steps) < 5  # stopped before the write
    assert (runs, results) == ("0", "0")


def test_set_num_threads():
    before = edupulse.get_num_threads()
    try:
        edupulse.set_num_threads(1)
        assert edupulse.get_num_threads() == 1
        assert os.environ["RAYON_NUM_THREADS"] == "1"
        with pytest.raises(edupulse.ParameterError):
            edupulse.set_num_threads(0)
    finally:
        edupulse.set_num_threads(before)


# --- the GIL is released ---------------------------------------------------------------------


_SIZE = []


def _simulate():
    """One native call (no DataFrame building) of at least ~0.2 s: the size is calibrated once,
    so the test means the same with a debug or a release build."""
    if not _SIZE:
        n = 200
        while True:
            t0 = time.perf_counter()
            edupulse._edupulse.simulate({"students": n, "seed": 9})
            if time.perf_counter() - t0 >= 0.2 or n >= 20_000:
                break
            n *= 2
        _SIZE.append(n)
    edupulse._edupulse.simulate({"students": _SIZE[0], "seed": 9})


def test_python_threads_run_while_native_code_works():
    """A pure-Python counter keeps counting while another thread is inside a native call: the
    call does not hold the GIL. (With the GIL held, the counter would stall for the whole call.)"""
    stop = threading.Event()
    ticks = [0]

    def count():
        while not stop.is_set():
            ticks[0] += 1

    t0 = time.perf_counter()
    _simulate()
    alone = time.perf_counter() - t0
    counter = threading.Thread(target=count)
    counter.start()
    try:
        start = ticks[0]
        t0 = time.perf_counter()
        _simulate()
        during = ticks[0] - start
        busy = time.perf_counter() - t0
    finally:
        stop.set()
        counter.join()
    # calibrate: how many ticks the counter makes in the same wall time with the GIL free
    ticks[0] = 0
    stop.clear()
    counter = threading.Thread(target=count)
    counter.start()
    time.sleep(busy)
    stop.set()
    counter.join()
    free = ticks[0]
    assert alone > 0.1  # the call is long enough to measure
    assert during > 0.2 * free, (during, free)


def _best(f, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs 2 cores")
def test_two_threads_at_once_are_faster_than_one_after_the_other():
    def sequential():
        _simulate()
        _simulate()

    def concurrent():
        threads = [threading.Thread(target=_simulate) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    seq = _best(sequential)
    par = _best(concurrent)
    # Ideal is 0.5 on 2 idle cores; shared machines are noisy, so only demand a clear gain. When
    # other processes already keep every core busy no program can run faster in parallel: then
    # the measurement says nothing about edupulse and the test skips (the counter test above
    # still proves the GIL is released).
    if par >= 0.85 * seq and os.getloadavg()[0] > len(os.sched_getaffinity(0)) - 0.5:
        pytest.skip(f"machine busy (load {os.getloadavg()[0]:.1f}): {par:.2f}s vs {seq:.2f}s")
    assert par < 0.85 * seq, (par, seq)


def test_result_tables_are_typed_and_an_unknown_table_is_named(store):
    store.run(AS_OF, steps=["kpis", "demand"])
    tables = {t["table"]: t for t in edupulse.result_tables()}
    assert {"churn_scores", "kpi_funnel", "best_slots", "planned_calendar"} <= set(tables)
    funnel = store.results("kpi_funnel")
    assert list(funnel.columns) == ["as_of"] + [c["name"] for c in tables["kpi_funnel"]["columns"]]
    assert funnel["registrations"].dtype == "int64"
    heat = store.results("slot_heatmap")
    assert len(heat) > 0 and str(heat["starts_at"].dtype) == "datetime64[ns, UTC]"
    with pytest.raises(edupulse.ParameterError) as err:
        store.results("churn_score")
    assert "churn_scores" in str(err.value)
    with pytest.raises(edupulse.ParameterError):
        store.run(AS_OF, config={"churn": {"risk": {"horizon_dayz": 30}}})


def test_run_in_a_local_time_zone(store):
    """timezone= overrides the config's zone: a date as_of is the end of that local day and the
    KPI slots are local hours; an unknown zone is a ParameterError on job.timezone."""
    summary = store.run(AS_OF, steps=["kpis"], timezone="Europe/Madrid")
    assert summary["as_of"] == "2025-12-31T22:59:59Z"  # 23:59:59 CET
    local = store.results("kpi_slots")
    utc_run = store.run(AS_OF, steps=["kpis"])
    utc = store.results("kpi_slots")
    # The simulator's webinars start on the hour (UTC): Madrid reads them 1 or 2 hours later.
    assert set(local["hour"]) != set(utc["hour"])
    assert local["registrations"].sum() == utc["registrations"].sum()
    assert utc_run["as_of"] == "2025-12-31T23:59:59Z"
    with pytest.raises(edupulse.ParameterError) as err:
        store.run(AS_OF, config={"timezone": "Europe/Atlantis"})
    assert err.value.parameter == "job.timezone" and "Europe/Atlantis" in str(err.value)


def test_results_and_report_read_a_date_on_the_runs_zone(store, tmp_path):
    """A date as_of in results()/report() is the end of that local day: in the zone of the
    store's latest run (recorded in its summary), or in timezone= when given."""
    summary = store.run(AS_OF, steps=["kpis"], timezone="Europe/Madrid")
    assert summary["timezone"] == "Europe/Madrid"
    local = store.results("kpi_summary", as_of=AS_OF)
    assert len(local) == 1
    assert local["as_of"][0] == pd.Timestamp("2025-12-31T22:59:59", tz="UTC")
    # Read on UTC, the date names 23:59:59Z: no run there.
    assert len(store.results("kpi_summary", as_of=AS_OF, timezone="UTC")) == 0
    html = store.report(tmp_path / "r", as_of=AS_OF)
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert html.endswith("report.html") and report["as_of"] == "2025-12-31T22:59:59Z"
    with pytest.raises(edupulse.ParameterError) as err:
        store.results("kpi_summary", as_of=AS_OF, timezone="Europe/Atlantis")
    assert err.value.parameter == "timezone"
    # A UTC run has no zone in its summary (UTC summaries are unchanged).
    assert "timezone" not in store.run(AS_OF, steps=["kpis"])
