"""Scale-out on Dask (examples/dask/churn_scoring.py): 50,000 students scored with map_partitions
on a LocalCluster of 2 worker processes equal the single-process scores exactly; the fitted model
reaches the workers by pickle; edupulse runs one native thread per worker."""

import importlib
import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import edupulse

pytest.importorskip("dask.dataframe")
pytest.importorskip("dask.distributed")

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "dask"
ROWS = 50_000


@pytest.fixture(scope="module")
def example():
    sys.path.insert(0, str(EXAMPLE))
    try:
        yield importlib.import_module("churn_scoring")
    finally:
        sys.path.remove(str(EXAMPLE))


@pytest.fixture(scope="module")
def model(example):
    return example.fit_model(example.simulate_students(5_000, seed=7, offset=10**8))


@pytest.fixture(scope="module")
def client(example):
    c = example.start_cluster(workers=2)
    try:
        yield c
    finally:
        c.close()
        c.cluster.close()


def test_simulated_partitions_are_deterministic(example):
    a = example.simulate_students(1000, seed=7, offset=500)
    b = example.simulate_students(1000, seed=7, offset=500)
    pd.testing.assert_frame_equal(a, b)
    assert a["student_id"].iloc[0] == "s0000500"
    # the label follows the rule: long inactivity churns more
    late = a["days_since_login"] > 20
    assert a.loc[late, "churned"].mean() > a.loc[~late, "churned"].mean() + 0.2


def test_model_pickles_to_identical_predictions(example, model):
    x = example.simulate_students(2000, seed=1)[example.FEATURES]
    back = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(back.predict_proba(x), model.predict_proba(x))


def test_dask_scores_equal_single_process(example, model, client):
    assert client.run(edupulse.get_num_threads) and set(client.run(edupulse.get_num_threads).values()) == {1}
    dist = example.score_distributed(client, ROWS, 4, model)
    ref = example.single_process(ROWS, 4, model)
    assert len(dist) == ROWS
    pd.testing.assert_frame_equal(dist.sort_index(), ref.sort_index(), check_exact=True)
    assert dist["student_id"].is_unique
    # the scores mean something: AUC of P(churn) against the simulated label is well above 0.5
    truth = pd.concat(
        [example._part((lo, hi - lo), 7) for lo, hi in zip(*_bounds(ROWS, 4))]
    )["churned"].to_numpy()
    assert _auc(ref["p_churn"].to_numpy(), truth) > 0.7


def _bounds(rows, parts):
    b = np.linspace(0, rows, parts + 1).astype(int)
    return [int(v) for v in b[:-1]], [int(v) for v in b[1:]]


def _auc(score, label):
    order = np.argsort(score)
    ranks = np.empty(len(score))
    ranks[order] = np.arange(1, len(score) + 1)
    pos = label.astype(bool)
    n1, n0 = pos.sum(), (~pos).sum()
    return (ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
