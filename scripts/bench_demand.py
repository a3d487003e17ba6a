#!/usr/bin/env python3
"""Bikeshare demand: edupulse's forest and GBDT against scikit-learn, same split, same run.

    python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install scikit-learn pandas numpy
    # optional, to time the edupulse Python classes too (release build into that venv):
    #   VIRTUAL_ENV=/tmp/bench-venv maturin develop --release -m bindings/python/Cargo.toml
    /tmp/bench-venv/bin/python scripts/bench_demand.py [path/to/shared/data/bikeshare] [--write-split]

Features (11): season, month (1-12), hour, holiday, weekday, workingday, weathersit (ordinal
1 clear .. 4 heavy rain/snow), temp, atemp, hum, windspeed; target: bikers. The split is
`train_test_split(range(n), test_size=0.2, random_state=42)`; its test indices are committed in
crates/edupulse-core/examples/bikeshare_test_idx.txt, which the Rust example
(`cargo run --release -p edupulse-core --example bikeshare_eval`) reads. This script checks that
the committed file is the split scikit-learn draws (`--write-split` rewrites it).

Prints R², MAE and the median fit time (3 fits) of: sklearn RandomForestRegressor(n_estimators=100,
random_state=42) with n_jobs=1 and n_jobs=-1, sklearn HistGradientBoostingRegressor() (defaults),
and, when `edupulse` imports, edupulse.demand.RandomForestRegressor / GradientBoostingRegressor,
with the time ratios sklearn / edupulse.
"""

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split

ROOT = Path(__file__).resolve().parents[1]
SPLIT_FILE = ROOT / "crates" / "edupulse-core" / "examples" / "bikeshare_test_idx.txt"
MONTHS = ["Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"]
WEATHER = {"clear": 1, "cloudy/misty": 2, "light rain/snow": 3, "heavy rain/snow": 4}
FEATURES = ["season", "mnth", "hr", "holiday", "weekday", "workingday", "weathersit",
            "temp", "atemp", "hum", "windspeed"]


def find_data() -> Path:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if args:
        return Path(args[0])
    for parent in Path(__file__).resolve().parents:
        p = parent / "shared" / "data" / "bikeshare"
        if p.exists():
            return p
    sys.exit("no shared/data/bikeshare found; pass its path")


def load(folder: Path):
    df = pd.read_csv(folder / "Bikeshare.csv")
    month = {m: i + 1 for i, m in enumerate(MONTHS)}
    unknown = set(df["mnth"]) - set(month)
    if unknown:
        sys.exit(f"unknown month labels {unknown}")
    df["mnth"] = df["mnth"].map(month)
    df["hr"] = df["hr"].astype(int)
    df["weathersit"] = df["weathersit"].map(WEATHER)
    x = df[FEATURES].to_numpy(dtype=np.float64)
    y = df["bikers"].to_numpy(dtype=np.float64)
    return x, y


def timed(make, x, y, repeat=3):
    times, model = [], None
    for _ in range(repeat):
        model = make()
        t = time.perf_counter()
        model.fit(x, y)
        times.append(time.perf_counter() - t)
    return model, statistics.median(times)


def main():
    x, y = load(find_data())
    idx = np.arange(len(y))
    train, test = train_test_split(idx, test_size=0.2, random_state=42)
    wanted = "\n".join(str(i) for i in test) + "\n"
    if "--write-split" in sys.argv:
        SPLIT_FILE.write_text(wanted)
    elif not SPLIT_FILE.exists() or SPLIT_FILE.read_text() != wanted:
        sys.exit(f"{SPLIT_FILE} is not the scikit-learn split; run with --write-split")
    xtr, ytr, xte, yte = x[train], y[train], x[test], y[test]
    print(f"bikeshare: {len(train)} train rows, {len(test)} test rows, {x.shape[1]} features")

    rows = []
    models = [
        ("sklearn RandomForestRegressor(100), n_jobs=1",
         lambda: RandomForestRegressor(n_estimators=100, random_state=42, n_jobs=1)),
        ("sklearn RandomForestRegressor(100), n_jobs=-1",
         lambda: RandomForestRegressor(n_estimators=100, random_state=42, n_jobs=-1)),
        ("sklearn HistGradientBoostingRegressor()", lambda: HistGradientBoostingRegressor()),
    ]
    try:
        import edupulse.demand as ed

        models += [
            ("edupulse RandomForestRegressor(100)",
             lambda: ed.RandomForestRegressor(n_estimators=100, random_state=42)),
            ("edupulse GradientBoostingRegressor()", lambda: ed.GradientBoostingRegressor()),
        ]
    except ImportError as e:  # pragma: no cover
        print(f"(edupulse not importable here: {e}; timing scikit-learn only)")
    for name, make in models:
        model, t = timed(make, xtr, ytr)
        pred = model.predict(xte)
        r2, mae = r2_score(yte, pred), mean_absolute_error(yte, pred)
        rows.append((name, r2, mae, t))
        print(f"{name:48s} R2 {r2:.4f}  MAE {mae:7.3f}  fit {t * 1000:8.1f} ms")
        if hasattr(model, "predict_interval"):
            iv = np.asarray(model.predict_interval(xte, alpha=0.1))
            cover = np.mean((yte >= iv[:, 0]) & (yte <= iv[:, 1]))
            print(f"{'':48s} 90% interval coverage on test: {cover:.3f}")
    times = {n: t for n, _, _, t in rows}
    for ours, theirs in [
        ("edupulse RandomForestRegressor(100)", "sklearn RandomForestRegressor(100), n_jobs=1"),
        ("edupulse RandomForestRegressor(100)", "sklearn RandomForestRegressor(100), n_jobs=-1"),
        ("edupulse GradientBoostingRegressor()", "sklearn HistGradientBoostingRegressor()"),
    ]:
        if ours in times:
            print(f"fit time {theirs} / {ours}: {times[theirs] / times[ours]:.1f}x")


if __name__ == "__main__":
    main()
