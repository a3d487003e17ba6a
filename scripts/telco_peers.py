"""IBM Telco churn: edupulse's tabular classifier next to scikit-learn on the very same folds.

Stratified 5-fold AUC (mean of the fold AUCs) for several fold shuffles: scikit-learn's
``StratifiedKFold(5, shuffle=True, random_state=seed)`` assignment is written to a CSV, scikit-learn
models are scored on it here, and edupulse's ``telco`` example is scored on it too
(``--folds``), all with default parameters:

- scikit-learn ``logistic``: one-hot categoricals + standardised numerics, ``LogisticRegression()``;
- scikit-learn ``spline-logistic``: numerics through ``SplineTransformer(n_knots=5)``, everything
  standardised, ``LogisticRegression(C=0.1)`` (the best linear model found for this data);
- scikit-learn ``stumps``: ``GradientBoostingClassifier(n_estimators=800, max_depth=1,
  learning_rate=0.1)`` on the one-hot table;
- scikit-learn ``blend``: the mean of the ``spline-logistic`` and ``stumps`` probabilities (the
  same recipe as edupulse's ``ensemble``);
- edupulse ``logistic``, ``trees``, ``ensemble`` (``ClassifierParams::default()`` with that
  ``model``).

Usage (from the repository root; the peer lives in its own venv)::

    python -m venv /tmp/peers && /tmp/peers/bin/pip install scikit-learn pandas
    /tmp/peers/bin/python scripts/telco_peers.py [path/to/Telco-Customer-Churn.csv] [--seeds 0,1,2]

It builds and runs ``cargo run --release -p edupulse-core --example telco``. Times are the
total over all shuffles and folds; edupulse's include its out-of-fold Platt calibration (each
model is fitted 6 times per fold, the ensemble 12 times), scikit-learn's models are uncalibrated. TotalCharges is blank
for 11 customers with zero tenure: scikit-learn gets 0 there, edupulse a missing value (its
encoder adds a missing indicator).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, SplineTransformer, StandardScaler

ROOT = Path(__file__).resolve().parent.parent
NUMERIC = ["tenure", "MonthlyCharges", "TotalCharges"]


def default_csv() -> str:
    for base in [ROOT, *ROOT.parents]:
        p = base / "shared" / "data" / "telco" / "Telco-Customer-Churn.csv"
        if p.exists():
            return str(p)
    return "../shared/data/telco/Telco-Customer-Churn.csv"


def sklearn_models(categorical: list[str]) -> dict:
    def logistic():
        ct = ColumnTransformer(
            [("n", StandardScaler(), NUMERIC), ("c", OneHotEncoder(handle_unknown="ignore"), categorical)]
        )
        return make_pipeline(ct, LogisticRegression(max_iter=5000))

    def spline_logistic():
        ct = ColumnTransformer(
            [
                ("n", make_pipeline(StandardScaler(), SplineTransformer(n_knots=5, degree=3)), NUMERIC),
                ("c", OneHotEncoder(handle_unknown="ignore"), categorical),
            ],
            sparse_threshold=0,
        )
        return make_pipeline(ct, StandardScaler(), LogisticRegression(C=0.1, max_iter=5000))

    def stumps():
        ct = ColumnTransformer(
            [("n", "passthrough", NUMERIC), ("c", OneHotEncoder(handle_unknown="ignore"), categorical)],
            sparse_threshold=0,
        )
        return make_pipeline(ct, GradientBoostingClassifier(n_estimators=800, max_depth=1, learning_rate=0.1))

    return {"logistic": logistic, "spline-logistic": spline_logistic, "stumps": stumps}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="?", default=default_csv())
    ap.add_argument("--seeds", default="0,1,2")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]

    df = pd.read_csv(args.csv)
    df["TotalCharges"] = pd.to_numeric(df["TotalCharges"], errors="coerce").fillna(0.0)
    y = (df.pop("Churn") == "Yes").to_numpy()
    df = df.drop(columns=["customerID"])
    categorical = [c for c in df.columns if c not in NUMERIC]
    print(f"{len(df)} customers, churn rate {y.mean():.3f}; stratified 5-fold AUC, seeds {seeds}")

    folds = {}
    for seed in seeds:
        f = np.zeros(len(y), dtype=int)
        for k, (_, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=seed).split(df, y)):
            f[test] = k
        folds[f"seed{seed}"] = f

    results: dict[str, dict[str, float]] = {}
    seconds: dict[str, float] = {}
    models = sklearn_models(categorical)
    for split, f in folds.items():
        per_model: dict[str, list[float]] = {}
        for k in range(5):
            train, test = f != k, f == k
            probs = {}
            for name, make in models.items():
                t = time.perf_counter()
                m = make().fit(df[train], y[train])
                probs[name] = m.predict_proba(df[test])[:, 1]
                seconds[f"sklearn {name}"] = seconds.get(f"sklearn {name}", 0.0) + time.perf_counter() - t
            probs["blend"] = 0.5 * (probs["spline-logistic"] + probs["stumps"])
            for name, p in probs.items():
                per_model.setdefault(name, []).append(roc_auc_score(y[test], p))
        for name, aucs in per_model.items():
            results.setdefault(f"sklearn {name}", {})[split] = float(np.mean(aucs))

    seconds["sklearn blend"] = seconds["sklearn spline-logistic"] + seconds["sklearn stumps"]

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "folds.csv")
        pd.DataFrame(folds).to_csv(path, index=False)
        cmd = ["cargo", "run", "--release", "-q", "-p", "edupulse-core", "--example", "telco", "--",
               args.csv, "--folds", path]
        out = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "JSON": "1"}, check=True,
                             capture_output=True, text=True).stdout
    for line in out.splitlines():
        r = json.loads(line)
        name = f"edupulse {r['model']}"
        results.setdefault(name, {})[r["split"]] = r["mean_auc"]
        seconds[name] = seconds.get(name, 0.0) + r["seconds"]

    head = f"{'model':26}" + "".join(f"{s:>9}" for s in folds) + f"{'mean':>9}{'min':>9}{'time s':>9}"
    print(head)
    for name, per in results.items():
        v = [per[s] for s in folds]
        cells = "".join(f"{a:9.4f}" for a in v)
        print(f"{name:26}{cells}{np.mean(v):9.4f}{min(v):9.4f}{seconds.get(name, float('nan')):9.1f}")
    sk = max((k for k in results if k.startswith("sklearn")), key=lambda k: np.mean(list(results[k].values())))
    ours = max((k for k in results if k.startswith("edupulse")), key=lambda k: np.mean(list(results[k].values())))
    print(f"best scikit-learn: {sk} {np.mean(list(results[sk].values())):.4f}; "
          f"best edupulse: {ours} {np.mean(list(results[ours].values())):.4f} (mean over {len(folds)} shuffles)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
