"""Churn scoring at scale with Dask: fit once, ship the fitted models to the workers by pickle,
score the partitions with ``map_partitions``, and get exactly what one process computes.

    python examples/dask/churn_scoring.py --rows 1000000 --workers 2

What it does:

1. simulates per-student features (``simulate_students``: industry, role, activity in the last
   30 days, days since the last login) with a known logistic churn rule, deterministic per
   (seed, partition);
2. fits, in the driver, the explained churn classifier (``edupulse.churn.ChurnClassifier``) on a
   training sample;
3. scores every student on a Dask ``LocalCluster``: each partition calls ``score_partition`` with
   the pickled model (P(churn));
4. checks that the distributed scores equal the single-process scores of the same rows.

Each worker process runs one edupulse thread (``edupulse.set_num_threads(1)`` and
``EDUPULSE_NUM_THREADS=1``): Dask already runs one task per core, and native thread pools on top
would oversubscribe the machine. Needs ``pip install "dask[distributed]"``.
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Dict, Tuple

import numpy as np
import pandas as pd

import edupulse
from edupulse.churn import ChurnClassifier

INDUSTRIES = np.array(["tech", "finance", "health", "education", "retail"])
ROLES = np.array(["engineer", "manager", "analyst", "student", "founder"])
FEATURES = ["industry", "role", "logins_30d", "lessons_30d", "days_since_login"]


def simulate_students(rows: int, seed: int = 7, offset: int = 0) -> pd.DataFrame:
    """``rows`` simulated students (ids ``offset`` … ``offset + rows - 1``) with features and the
    churn label of a known logistic rule. The same (seed, offset, rows) always gives the same rows."""
    rng = np.random.default_rng([seed, offset])
    industry = INDUSTRIES[rng.integers(0, len(INDUSTRIES), rows)]
    role = ROLES[rng.integers(0, len(ROLES), rows)]
    logins = rng.poisson(6.0, rows).astype(float)
    lessons = rng.poisson(0.6 * logins + 0.5).astype(float)
    since = rng.exponential(12.0, rows).round(0)
    # log-odds of churn: inactivity raises it, lessons lower it, students churn more
    z = -1.0 + 0.09 * since - 0.18 * lessons - 0.05 * logins + 0.6 * (role == "student")
    churned = rng.random(rows) < 1.0 / (1.0 + np.exp(-z))
    return pd.DataFrame(
        {
            "student_id": [f"s{i:07d}" for i in range(offset, offset + rows)],
            "industry": industry,
            "role": role,
            "logins_30d": logins,
            "lessons_30d": lessons,
            "days_since_login": since,
            "churned": churned,
        }
    )


def fit_model(train: pd.DataFrame) -> ChurnClassifier:
    """The explained churn classifier (logistic, calibrated) on the features."""
    return ChurnClassifier(model="logistic").fit(train[FEATURES], train["churned"])


def score_partition(part: pd.DataFrame, clf: ChurnClassifier) -> pd.DataFrame:
    """Scores of one partition (also the single-process path: the whole table is one partition)."""
    p_churn = clf.predict_proba(part[FEATURES])[:, 1]
    return pd.DataFrame(
        {"student_id": part["student_id"].to_numpy(dtype=object), "p_churn": p_churn},
        index=part.index,
    )


META = pd.DataFrame({"student_id": pd.Series(dtype=object), "p_churn": pd.Series(dtype="float64")})


def students_frame(rows: int, partitions: int, seed: int = 7) -> Any:
    """A Dask DataFrame of ``rows`` students in ``partitions`` partitions, generated on the
    workers (each partition from its own offset), never in the driver."""
    import dask.dataframe as dd

    bounds = np.linspace(0, rows, partitions + 1).astype(int)
    parts = [(int(lo), int(hi - lo)) for lo, hi in zip(bounds[:-1], bounds[1:])]
    return dd.from_map(lambda p: _part(p, seed), parts, meta=simulate_students(0, seed))


def _part(p: Tuple[int, int], seed: int) -> pd.DataFrame:
    offset, rows = p
    frame = simulate_students(rows, seed, offset)
    frame.index = pd.RangeIndex(offset, offset + rows)
    return frame


def single_process(rows: int, partitions: int, clf: ChurnClassifier, seed: int = 7) -> pd.DataFrame:
    """The reference: the same rows scored in this process, in one call."""
    bounds = np.linspace(0, rows, partitions + 1).astype(int)
    whole = pd.concat([_part((int(lo), int(hi - lo)), seed) for lo, hi in zip(bounds[:-1], bounds[1:])])
    return score_partition(whole, clf)


def start_cluster(workers: int = 2) -> Any:
    """A LocalCluster of ``workers`` processes with one thread each, edupulse capped at one
    native thread per worker."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        env={"EDUPULSE_NUM_THREADS": "1", "RAYON_NUM_THREADS": "1"},
    )
    client = Client(cluster)
    client.run(edupulse.set_num_threads, 1)
    return client


def score_distributed(client: Any, rows: int, partitions: int, clf: ChurnClassifier, seed: int = 7) -> pd.DataFrame:
    """Scores of every student, computed on the cluster (the model travels by pickle)."""
    frame = students_frame(rows, partitions, seed)
    scores = frame.map_partitions(score_partition, clf, meta=META)
    return client.compute(scores).result()


def main() -> Dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--partitions", type=int, default=0, help="default: one per 100,000 rows")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--train", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    partitions = args.partitions or max(1, args.rows // 100_000)

    t0 = time.perf_counter()
    clf = fit_model(simulate_students(args.train, args.seed, offset=10**8))
    fit_s = time.perf_counter() - t0

    client = start_cluster(args.workers)
    try:
        t0 = time.perf_counter()
        dist = score_distributed(client, args.rows, partitions, clf, args.seed)
        dist_s = time.perf_counter() - t0
    finally:
        client.close()
        client.cluster.close()
    t0 = time.perf_counter()
    ref = single_process(args.rows, partitions, clf, args.seed)
    single_s = time.perf_counter() - t0
    pd.testing.assert_frame_equal(dist.sort_index(), ref.sort_index(), check_exact=True)
    out = {
        "rows": args.rows,
        "partitions": partitions,
        "workers": args.workers,
        "fit_s": round(fit_s, 2),
        "dask_s": round(dist_s, 2),
        "single_process_s": round(single_s, 2),
        "identical": True,
        "mean_p_churn": float(ref["p_churn"].mean()),
    }
    print(out)
    return out


if __name__ == "__main__":  # LocalCluster starts worker processes: the guard is required
    main()
