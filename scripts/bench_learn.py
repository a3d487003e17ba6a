#!/usr/bin/env python3
"""edupulse-learn against its peers in one run: linfa, scikit-learn and LightGBM.

    make bench-learn            # creates .venv-bench (numpy, pandas, scikit-learn, lightgbm), runs this
    .venv-bench/bin/python scripts/bench_learn.py [--repeat 3] [--json out.json]

- Bikeshare (regression; R² on the 20 % test split of scripts/bench_demand.py, whose committed test
  indices are checked against ``train_test_split(..., test_size=0.2, random_state=42)`` here):
  edupulse RandomForest / GradientBoosting and linfa-trees DecisionTree (the Rust example
  ``crates/edupulse-learn/examples/bench_peers.rs``, timed in-process in Rust), scikit-learn
  RandomForestRegressor(100) (1 job, all jobs), HistGradientBoostingRegressor() (all threads and
  1 thread), LightGBM LGBMRegressor() (all threads and ``n_jobs=1``).
- Telco (churn; mean AUC over ``StratifiedKFold(5, shuffle=True, random_state=0)``, the folds of
  scripts/telco_peers.py's ``seed0``, written to a file the Rust example reads): edupulse Logistic
  and linfa-logistic (same encoded matrix) against scikit-learn LogisticRegression(C=1) on one-hot
  categoricals + standardised numerics (TotalCharges blank → 0). All three minimise
  ``Σ logloss + ½‖β‖²`` with an unpenalised intercept. Fit time: the model fit only (encoding
  excluded), summed over the 5 folds.

Every model runs with its defaults (nothing tuned; see docs/benchmarks.md). Fit times are the
median of ``--repeat`` fits. ``ratio`` is fit time ours / peer's against the edupulse model named in
``vs`` (< 1: ours is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

try:
    import lightgbm
except ImportError:  # pragma: no cover
    sys.exit("lightgbm is not installed: run `make bench-learn` (it creates .venv-bench with it)")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from bench_demand import SPLIT_FILE, load as load_bikeshare  # noqa: E402

TELCO_NUMERIC = ["tenure", "MonthlyCharges", "TotalCharges"]

OURS_RF1 = "edupulse RandomForest(100), 1 thread"
OURS_RF = "edupulse RandomForest(100), all threads"
OURS_GB = "edupulse GradientBoosting, 1 thread"
OURS_GB100 = "edupulse GradientBoosting(100 iter, no early stop), 1 thread"
OURS_LOG = "edupulse Logistic (Newton)"


def shared(name: str) -> Path:
    for base in [ROOT, *ROOT.parents]:
        p = base / "shared" / "data" / name
        if p.exists():
            return p
    sys.exit(f"no shared/data/{name} above {ROOT}")


def timed(fit, repeat: int):
    times, model = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        model = fit()
        times.append(time.perf_counter() - t)
    return model, statistics.median(times)


def rust_rows(folds_csv: str, repeat: int) -> list[dict]:
    cmd = ["cargo", "run", "--release", "-q", "-p", "edupulse-learn", "--features", "linfa",
           "--example", "bench_peers", "--",
           "--bikeshare", str(shared("bikeshare") / "Bikeshare.csv"), "--split", str(SPLIT_FILE),
           "--telco", str(shared("telco") / "Telco-Customer-Churn.csv"), "--folds", folds_csv,
           "--repeat", str(repeat)]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def bikeshare_rows(repeat: int) -> list[dict]:
    x, y = load_bikeshare(shared("bikeshare"))
    train, test = train_test_split(np.arange(len(y)), test_size=0.2, random_state=42)
    wanted = "\n".join(str(i) for i in test) + "\n"
    if SPLIT_FILE.read_text() != wanted:
        sys.exit(f"{SPLIT_FILE} is not the scikit-learn split (scripts/bench_demand.py --write-split)")
    xtr, ytr, xte, yte = x[train], y[train], x[test], y[test]

    def one_thread(make):
        def fit():
            with threadpool_limits(1):
                return make().fit(xtr, ytr)
        return fit

    peers = [
        ("sklearn RandomForestRegressor(100), 1 job", OURS_RF1,
         lambda: RandomForestRegressor(n_estimators=100, random_state=42, n_jobs=1).fit(xtr, ytr)),
        ("sklearn RandomForestRegressor(100), all jobs", OURS_RF,
         lambda: RandomForestRegressor(n_estimators=100, random_state=42, n_jobs=-1).fit(xtr, ytr)),
        ("sklearn HistGradientBoostingRegressor(), all threads", OURS_GB100,
         lambda: HistGradientBoostingRegressor().fit(xtr, ytr)),
        ("sklearn HistGradientBoostingRegressor(), 1 thread", OURS_GB100,
         one_thread(HistGradientBoostingRegressor)),
        ("LightGBM LGBMRegressor(), all threads", OURS_GB100,
         lambda: lightgbm.LGBMRegressor(verbose=-1).fit(xtr, ytr)),
        ("LightGBM LGBMRegressor(n_jobs=1), 1 thread", OURS_GB100,
         lambda: lightgbm.LGBMRegressor(n_jobs=1, verbose=-1).fit(xtr, ytr)),
    ]
    rows = []
    for name, vs, fit in peers:
        model, t = timed(fit, repeat)
        rows.append({"dataset": "bikeshare", "model": name, "metric": "r2",
                     "value": float(r2_score(yte, model.predict(xte))), "fit_s": t, "vs": vs})
    return rows


def telco_data():
    df = pd.read_csv(shared("telco") / "Telco-Customer-Churn.csv")
    df["TotalCharges"] = pd.to_numeric(df["TotalCharges"], errors="coerce").fillna(0.0)
    y = (df.pop("Churn") == "Yes").to_numpy()
    df = df.drop(columns=["customerID"])
    folds = np.zeros(len(y), dtype=int)
    for k, (_, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0).split(df, y)):
        folds[test] = k
    return df, y, folds


def telco_rows(df, y, folds, repeat: int) -> list[dict]:
    categorical = [c for c in df.columns if c not in TELCO_NUMERIC]
    aucs, total = [], 0.0
    for k in range(folds.max() + 1):
        train, test = folds != k, folds == k
        ct = ColumnTransformer([("n", StandardScaler(), TELCO_NUMERIC),
                                ("c", OneHotEncoder(handle_unknown="ignore"), categorical)],
                               sparse_threshold=0)
        xtr, xte = ct.fit_transform(df[train]), ct.transform(df[test])

        def fit():
            with threadpool_limits(1):
                return LogisticRegression(C=1.0, max_iter=5000).fit(xtr, y[train])
        model, t = timed(fit, repeat)
        total += t
        aucs.append(roc_auc_score(y[test], model.predict_proba(xte)[:, 1]))
    return [{"dataset": "telco", "model": "sklearn LogisticRegression(C=1, lbfgs), 1 thread",
             "metric": "auc", "value": float(np.mean(aucs)), "fit_s": total, "vs": OURS_LOG}]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", help="also write the rows to this file")
    args = ap.parse_args()

    df, y, folds = telco_data()
    with tempfile.TemporaryDirectory() as tmp:
        folds_csv = os.path.join(tmp, "folds.csv")
        pd.DataFrame({"seed0": folds}).to_csv(folds_csv, index=False)
        rows = rust_rows(folds_csv, args.repeat)
    for r in rows:
        if r["model"].startswith("linfa-trees"):
            r["vs"] = OURS_GB100
        elif r["model"].startswith("linfa-logistic"):
            r["vs"] = OURS_LOG
    rows += bikeshare_rows(args.repeat)
    rows += telco_rows(df, y, folds, args.repeat)
    by_name = {r["model"]: r for r in rows}
    for r in rows:
        vs = by_name.get(r.get("vs", ""))
        r["ratio"] = vs["fit_s"] / r["fit_s"] if vs else None

    print(f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} logical CPUs; "
          f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
          f"LightGBM {lightgbm.__version__}, numpy {np.__version__}; fit time = median of "
          f"{args.repeat}")
    print()
    print("| data | model | metric | score | fit ms | ours/peer time | vs |")
    print("|---|---|---|---:|---:|---:|---|")
    for ds in ["bikeshare", "telco"]:
        for r in sorted((r for r in rows if r["dataset"] == ds), key=lambda r: not r["model"].startswith("edupulse")):
            ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else ""
            vs = r.get("vs", "").replace("edupulse ", "") if r["ratio"] is not None else ""
            metric = "R²" if r["metric"] == "r2" else "AUC"
            print(f"| {ds} | {r['model']} | {metric} | {r['value']:.4f} | {r['fit_s'] * 1000:.1f} | {ratio} | {vs} |")
    print()
    lgb1 = by_name["LightGBM LGBMRegressor(n_jobs=1), 1 thread"]
    for ours in [OURS_GB100, OURS_GB]:
        o = by_name[ours]
        r2_ok = o["value"] >= lgb1["value"]
        t_ok = o["fit_s"] <= lgb1["fit_s"]
        print(f"target ({ours} vs LightGBM 1 thread): R² {o['value']:.4f} vs {lgb1['value']:.4f} "
              f"({'met' if r2_ok else 'MISSED'}), fit {o['fit_s'] * 1000:.1f} ms vs "
              f"{lgb1['fit_s'] * 1000:.1f} ms ({'met' if t_ok else 'MISSED'})")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
