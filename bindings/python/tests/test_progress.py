"""Long fits report progress (``progress=True`` / a callable) and stop on Ctrl-C.

The fits run in Rust with the GIL released; the calling thread wakes every ~100 ms to run the
Python signal handlers and the progress callback. A Ctrl-C (here ``_thread.interrupt_main``, or a
real SIGINT) cancels the fit at its next tree / boosting round / iteration and raises
``KeyboardInterrupt``."""

import _thread
import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

import edupulse
from edupulse.churn import ChurnClassifier
from edupulse.demand import DemandModel, GradientBoostingRegressor, RandomForestRegressor
from edupulse.leads import LeadModel


def _tabular(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.choice(["x", "y"], n)})
    y = (X["a"] + 0.5 * X["b"] + rng.normal(0, 1, n)) > 0
    return X, y.to_numpy()


def _regression(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, 4))
    return X, 3 * X[:, 0] + np.sin(6 * X[:, 1]) + rng.normal(0, 0.1, n)


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, ticks, done, total):
        self.calls.append((ticks, done, total))


def test_callable_progress_counts_every_tree_and_does_not_change_the_model():
    X, y = _regression(800)
    rec = Recorder()
    m = RandomForestRegressor(n_estimators=40, random_state=0).fit(X, y, progress=rec)
    assert rec.calls, "the callback is called at least once (at the end)"
    ticks = [c[0] for c in rec.calls]
    assert ticks == sorted(ticks) and rec.calls[-1] == (40, 40, 40)
    plain = RandomForestRegressor(n_estimators=40, random_state=0).fit(X, y)
    np.testing.assert_array_equal(m.predict(X), plain.predict(X))

    rec = Recorder()
    g = GradientBoostingRegressor(max_iter=25, early_stopping=False, random_state=0).fit(X, y, progress=rec)
    assert rec.calls[-1] == (25, 25, 25)
    plain = GradientBoostingRegressor(max_iter=25, early_stopping=False, random_state=0).fit(X, y)
    np.testing.assert_array_equal(g.predict(X), plain.predict(X))


def test_classifier_progress_covers_every_stage():
    X, y = _tabular(600)
    rec = Recorder()
    params = {"boost": {"n_trees": 20}, "calibration_folds": 3}
    m = ChurnClassifier(model="trees", params=params).fit(X, y, progress=rec)
    # 4 boosting fits (full + 3 calibration folds) of 20 rounds, then Platt's Newton iterations.
    assert rec.calls[-1][0] > 4 * 20
    plain = ChurnClassifier(model="trees", params=params).fit(X, y)
    np.testing.assert_array_equal(m.predict_proba(X), plain.predict_proba(X))


def test_progress_true_draws_a_tqdm_bar(capsys):
    pytest.importorskip("tqdm")
    X, y = _tabular(400)
    LeadModel().fit(X, y, progress=True)
    err = capsys.readouterr().err
    assert "LeadModel.fit" in err and "step" in err


def test_progress_without_tqdm_writes_lines(capsys, monkeypatch):
    import edupulse as ep

    def no_tqdm():
        raise ImportError("tqdm")

    monkeypatch.setattr(ep, "_tqdm", no_tqdm)
    X, y = _regression(300)
    RandomForestRegressor(n_estimators=5, random_state=0).fit(X, y, progress=True)
    assert "RandomForestRegressor.fit: 5 steps" in capsys.readouterr().err


def test_bad_progress_argument_is_a_type_error():
    X, y = _regression(50)
    with pytest.raises(TypeError, match="progress"):
        RandomForestRegressor(n_estimators=2).fit(X, y, progress="yes")


def test_an_error_in_the_callback_stops_the_fit_and_propagates():
    X, y = _regression(2000)

    def boom(ticks, done, total):
        raise RuntimeError("callback failed")

    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="callback failed"):
        RandomForestRegressor(n_estimators=100_000, n_jobs=1, random_state=0).fit(X, y, progress=boom)
    assert time.monotonic() - t0 < 30


def _interrupt_after_first_tick(send):
    """A progress callback that sends Ctrl-C (from another thread) at its first call; records
    when, and the ticks seen."""
    state = {"sent": None, "ticks": 0}

    def callback(ticks, done, total):
        state["ticks"] = ticks
        if state["sent"] is None:
            state["sent"] = time.monotonic()
            threading.Timer(0.0, send).start()

    return state, callback


def _sigint():
    os.kill(os.getpid(), signal.SIGINT)


FITS = {
    # Each would run for minutes: Ctrl-C must stop it within a few polls.
    "ChurnClassifier trees": lambda cb: ChurnClassifier(
        model="trees", params={"boost": {"n_trees": 200_000}}
    ).fit(*_tabular(), progress=cb),
    "LeadModel trees": lambda cb: LeadModel(model="trees", params={"boost": {"n_trees": 200_000}}).fit(
        *_tabular(), progress=cb
    ),
    "RandomForestRegressor": lambda cb: RandomForestRegressor(n_estimators=20_000).fit(
        *_regression(), progress=cb
    ),
    "GradientBoostingRegressor": lambda cb: GradientBoostingRegressor(
        max_iter=10_000_000, early_stopping=False, max_leaf_nodes=2, learning_rate=1e-6
    ).fit(*_regression(), progress=cb),
}


@pytest.mark.parametrize("send", [_thread.interrupt_main, _sigint], ids=["interrupt_main", "SIGINT"])
@pytest.mark.parametrize("name", sorted(FITS))
def test_ctrl_c_stops_a_long_fit_promptly(name, send):
    state, callback = _interrupt_after_first_tick(send)
    with pytest.raises(KeyboardInterrupt):
        FITS[name](callback)
    stopped = time.monotonic() - state["sent"]
    # A poll every 100 ms, then one tree / round / iteration: well under a second on an idle
    # machine; the bound leaves room for a loaded CI box.
    assert stopped < 5.0, f"{name} took {stopped:.2f} s to stop"


def test_demand_model_fit_stops_on_ctrl_c():
    b = edupulse.simulate(300, seed=2)
    state, callback = _interrupt_after_first_tick(_thread.interrupt_main)
    with pytest.raises(KeyboardInterrupt):
        DemandModel(n_estimators=20_000, min_samples_leaf=1).fit(
            b["webinars"], b["registrations"], progress=callback
        )
    assert time.monotonic() - state["sent"] < 5.0


def test_after_an_interrupt_the_next_fit_works():
    state, callback = _interrupt_after_first_tick(_thread.interrupt_main)
    with pytest.raises(KeyboardInterrupt):
        FITS["RandomForestRegressor"](callback)
    X, y = _regression(200)
    m = RandomForestRegressor(n_estimators=5, random_state=1).fit(X, y)
    assert m.n_estimators_ == 5


def test_fits_in_worker_threads_are_not_interrupted_by_polling():
    # Signals are only seen on the main thread: a fit in a worker thread polls harmlessly.
    X, y = _regression(500)
    out = {}

    def work():
        out["m"] = RandomForestRegressor(n_estimators=10, random_state=0).fit(X, y, progress=Recorder())

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert out["m"].n_estimators_ == 10


def test_fsrs_optimize_reports_each_iteration_and_keeps_its_result(small_review_log):
    from edupulse.repetition import optimize

    log = small_review_log
    rec = Recorder()
    watched = optimize(log, progress=rec)
    assert rec.calls[-1] == (100, 100, 100)  # 100 Adam iterations (the optimiser's default)
    assert watched == optimize(log)
