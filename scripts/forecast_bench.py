"""edupulse.forecast against statsforecast AutoETS and SeasonalNaive, in the same run.

Series: Prophet's example daily series (log Wikipedia views of Peyton Manning, MIT), at
../shared/data/forecast. Windows: `--windows` rolling origins of `--h` days, positional over the
rows present (statsforecast `cross_validation(h, n_windows, step_size=h)`); `--offset k` moves
them k·h rows back (the tuning windows; the default 0 is the evaluation). Metrics per method:
MASE (MAE over the window / in-sample seasonal-7 naive MAE of that window's training rows,
averaged over windows), sMAPE (M4 definition, %), coverage of the 80 % and 95 % intervals.

Usage: python scripts/forecast_bench.py EDUPULSE_EVAL_BINARY CSV [--windows 5] [--h 30] [--offset 0]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np
import pandas as pd


def mase(y, f, train, m=7):
    scale = np.mean(np.abs(train[m:] - train[:-m]))
    return float(np.mean(np.abs(y - f)) / scale)


def smape(y, f):
    d = np.abs(y) + np.abs(f)
    t = np.where(d == 0, 0.0, np.abs(y - f) / np.where(d == 0, 1.0, d))
    return float(200.0 * np.mean(t))


def score(frame: pd.DataFrame, values: np.ndarray, n: int, windows: int, h: int, offset: int):
    """frame: one row per scored row with window, y, mean, lo_80..hi_95 (window 1 = oldest)."""
    out = {"mase": [], "smape": [], "cov80": [], "cov95": []}
    for w in range(1, windows + 1):
        cut = n - (windows - w + 1 + offset) * h
        g = frame[frame["window"] == w]
        y, f = g["y"].to_numpy(), g["mean"].to_numpy()
        out["mase"].append(mase(y, f, values[:cut]))
        out["smape"].append(smape(y, f))
        out["cov80"].append(np.mean((g["lo_80"] <= g["y"]) & (g["y"] <= g["hi_80"])))
        out["cov95"].append(np.mean((g["lo_95"] <= g["y"]) & (g["y"] <= g["hi_95"])))
    return {k: float(np.mean(v)) for k, v in out.items()} | {"mase_per_window": out["mase"]}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("csv")
    ap.add_argument("--windows", type=int, default=5)
    ap.add_argument("--h", type=int, default=30)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--params", default=None, help="ForecasterParams JSON (tuning)")
    a = ap.parse_args()

    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, SeasonalNaive

    df = pd.read_csv(a.csv)
    values = df["y"].to_numpy(dtype=float)
    n = len(df)
    end = n - a.offset * a.h
    sf_df = pd.DataFrame({"unique_id": "pm", "ds": np.arange(end), "y": values[:end]})
    results = {}
    t0 = time.perf_counter()
    sf = StatsForecast(models=[SeasonalNaive(season_length=7), AutoETS(season_length=7)], freq=1)
    cv = sf.cross_validation(df=sf_df, h=a.h, n_windows=a.windows, step_size=a.h, level=[80, 95])
    sf_secs = time.perf_counter() - t0
    cutoffs = sorted(cv["cutoff"].unique())
    cv["window"] = cv["cutoff"].map({c: i + 1 for i, c in enumerate(cutoffs)})
    for name in ["SeasonalNaive", "AutoETS"]:
        fr = pd.DataFrame({
            "window": cv["window"], "y": cv["y"], "mean": cv[name],
            "lo_80": cv[f"{name}-lo-80"], "hi_80": cv[f"{name}-hi-80"],
            "lo_95": cv[f"{name}-lo-95"], "hi_95": cv[f"{name}-hi-95"],
        })
        results[f"statsforecast {name}"] = score(fr, values, n, a.windows, a.h, a.offset)

    t0 = time.perf_counter()
    proc = subprocess.run(
        [a.binary, a.csv, "--windows", str(a.windows), "--h", str(a.h), "--offset", str(a.offset)]
        + (["--params", a.params] if a.params else []),
        check=True, capture_output=True, text=True,
    )
    ep_secs = time.perf_counter() - t0
    sys.stderr.write(proc.stderr)
    ep = pd.DataFrame([json.loads(line) for line in proc.stdout.splitlines()])
    results["edupulse Forecaster"] = score(ep, values, n, a.windows, a.h, a.offset)
    chosen = ep.groupby("window")["model"].first().tolist()

    print(f"windows: {a.windows} x {a.h} days, offset {a.offset} (0 = evaluation, last {a.windows * a.h} rows)")
    print(f"{'method':32} {'MASE':>7} {'sMAPE %':>8} {'cov 80':>7} {'cov 95':>7}  MASE per window")
    for k, r in results.items():
        per = " ".join(f"{v:.3f}" for v in r["mase_per_window"])
        print(f"{k:32} {r['mase']:7.3f} {r['smape']:8.2f} {r['cov80']:7.3f} {r['cov95']:7.3f}  {per}")
    print(f"edupulse chose per window: {chosen}")
    ratio = results["edupulse Forecaster"]["mase"] / results["statsforecast SeasonalNaive"]["mase"]
    print(f"MASE ratio edupulse / SeasonalNaive: {ratio:.3f}; wall time statsforecast {sf_secs:.1f} s, "
          f"edupulse {ep_secs:.1f} s")
    print(json.dumps({k: {m: v for m, v in r.items()} for k, r in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
