#!/usr/bin/env python3
"""Time edupulse's trend detectors against numpy and ruptures in the same run, and print ratios.

    python scripts/bench_trends.py [--series 10000] [--weeks 260] [--ruptures-series 200]

Needs the edupulse package built in release mode, numpy, pandas and ruptures, e.g. in a separate
venv (ruptures is a benchmark peer, not a test dependency)::

    python3 -m venv target/bench-venv
    target/bench-venv/bin/pip install numpy pandas ruptures maturin
    VIRTUAL_ENV=$PWD/target/bench-venv CARGO_TARGET_DIR=target/maturin-release \
        target/bench-venv/bin/maturin develop --release --manifest-path bindings/python/Cargo.toml
    target/bench-venv/bin/python scripts/bench_trends.py
 ruptures' Pelt is timed on a subsample (``--ruptures-series``) and
extrapolated linearly to the full set (it is run per series, so time scales with the count);
edupulse's PELT is timed on the same subsample too, for a like-for-like ratio.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import edupulse
from edupulse import trends


def make_data(n_series: int, weeks: int, seed: int = 12345) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = np.arange(weeks)
    season = 1.0 + 0.3 * np.sin(w * 2 * np.pi / 52.0)
    level = np.ones((n_series, weeks))
    rising = np.arange(n_series) % 5 == 0
    start = 100 + (np.arange(n_series) % 150)
    level[rising] = np.where(w[None, :] >= start[rising, None], 2.0, 1.0)
    return 40.0 * season[None, :] * level * (1.0 + 0.2 * (rng.random((n_series, weeks)) - 0.5))


def robust_z_numpy(x: np.ndarray, baseline: int = 12) -> np.ndarray:
    """Robust z of the last point against the `baseline` points before it, for every row."""
    base = x[:, -1 - baseline : -1]
    med = np.median(base, axis=1)
    mad = 1.4826 * np.median(np.abs(base - med[:, None]), axis=1)
    return (x[:, -1] - med) / np.where(mad > 0, mad, np.nan)


CPU: dict = {}


def timed(f):
    """Wall time of f(); the process CPU time (all threads) is kept in CPU[f] for the report."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = f()
    CPU[id(f)] = time.process_time() - c0
    return time.perf_counter() - t0, out


def timed_cpu(f):
    """(wall, cpu) of f(): on a shared machine the CPU time is the steadier figure."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = f()
    return time.perf_counter() - t0, time.process_time() - c0, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--weeks", type=int, default=260)
    ap.add_argument("--ruptures-series", type=int, default=200)
    args = ap.parse_args()
    import ruptures as rpt

    x = make_data(args.series, args.weeks)
    n, w = x.shape
    dates = pd.date_range("2021-01-04", periods=w, freq="7D")
    df = pd.DataFrame(
        {
            "keyword": np.repeat([f"k{i}" for i in range(n)], w),
            "date": np.tile(dates.to_numpy(), n),
            "volume": x.ravel(),
        }
    )
    print(f"edupulse {edupulse.__version__}, numpy {np.__version__}, ruptures {rpt.__version__}")
    print(f"{n} series x {w} weekly points")

    import os

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average at start: {load:.1f} on {os.cpu_count()} cores")
    t_detect, c_detect, out = timed_cpu(lambda: trends.detect(df))
    # Where the time of detect(df) goes: column conversion, the Rust call, the DataFrame.
    from edupulse import _edupulse as native

    t_codes, (codes, names) = timed(lambda: trends._codes(df["keyword"]))
    t_days, days = timed(lambda: trends._days(df["date"]))
    vols = np.ascontiguousarray(df["volume"].to_numpy(dtype=np.float64))
    t_native, c_native, cols = timed_cpu(lambda: native.trends_detect(names, codes, days, vols, None, {}))
    t_frame, _ = timed(lambda: pd.DataFrame(cols, columns=trends._COLUMNS))
    t_z, _ = timed(lambda: robust_z_numpy(x))
    t_cp_all, _ = timed(lambda: [trends.change_points(row) for row in x])

    m = min(args.ruptures_series, n)
    sub = x[:m]
    t_cp_sub, _ = timed(lambda: [trends.change_points(row) for row in sub])

    def rupt():
        res = []
        for row in sub:
            sigma2 = np.var(np.diff(row)) / 2.0
            res.append(rpt.Pelt(model="l2", min_size=5, jump=1).fit(row).predict(pen=3 * np.log(w) * sigma2))
        return res

    t_rupt_sub, _ = timed(rupt)
    t_rupt_all = t_rupt_sub * n / m

    rising = int((out["decision"] == "rising").sum())
    print(f"{'edupulse TrendDetector (whole suite, via detect(df))':<58} {t_detect:9.3f} s   ({rising} rising; CPU {c_detect:.3f} s)")
    print(f"{'  of which keyword codes (runs + pandas.factorize)':<58} {t_codes:9.3f} s")
    print(f"{'  of which dates to int64 days':<58} {t_days:9.3f} s")
    print(f"{'  of which Rust: group + detect, threads=all cores':<58} {t_native:9.3f} s   (CPU {c_native:.3f} s)")
    print(f"{'  of which DataFrame of the results':<58} {t_frame:9.3f} s")
    print(f"{'numpy vectorised robust z (last week vs 12 before)':<58} {t_z:9.3f} s")
    print(f"{'edupulse change_points (PELT), all series, Python loop':<58} {t_cp_all:9.3f} s")
    print(f"{'edupulse change_points, ' + str(m) + ' series':<58} {t_cp_sub:9.3f} s")
    print(f"{'ruptures Pelt(l2), ' + str(m) + ' series':<58} {t_rupt_sub:9.3f} s")
    print(f"{'ruptures Pelt(l2), extrapolated to all series':<58} {t_rupt_all:9.3f} s")
    print("ratios:")
    print(f"  ruptures Pelt / edupulse PELT (same {m} series):        {t_rupt_sub / t_cp_sub:8.1f}x")
    print(f"  ruptures Pelt (all, extrapolated) / edupulse detector:  {t_rupt_all / t_detect:8.1f}x")
    print(f"  edupulse detector / numpy robust z:                     {t_detect / t_z:8.1f}x")


if __name__ == "__main__":
    main()
