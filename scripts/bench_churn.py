#!/usr/bin/env python3
"""Time the three CDNOW fits of edupulse against the `lifetimes` package in the same run.

`lifetimes` (which pins old numpy/pandas behaviour) goes into a separate venv; edupulse comes from
the release build that `make develop` puts into bindings/python/python:

    make develop MATURIN_PROFILE=release
    python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install lifetimes setuptools
    PYTHONPATH=bindings/python/python /tmp/bench-venv/bin/python scripts/bench_churn.py [path/to/shared/data/cdnow]

Prints each model's parameters from both libraries, the median fit time of each (wall clock and
CPU time of this process: both libraries fit on the calling thread, so CPU time is the steadier
figure on a loaded machine) and the ratios lifetimes / edupulse.
"""

import statistics
import sys
import time
from pathlib import Path

import pandas as pd

import edupulse.churn as ec

try:
    import lifetimes
except ImportError:  # pragma: no cover
    sys.exit("install lifetimes first: pip install lifetimes setuptools")


def find_data() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    for parent in Path(__file__).resolve().parents:
        p = parent / "shared" / "data" / "cdnow"
        if p.exists():
            return p
    sys.exit("no shared/data/cdnow found; pass its path")


def median_time(fn, repeat):
    wall, cpu = [], []
    out = None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu), out


def main() -> None:
    d = pd.read_csv(find_data() / "cdnow_customers_summary_with_transactions.csv")
    x, tx, T, m = d["x"], d["t_x"], d["T"], d["zbar"]
    rep = d[d["x"] > 0]
    cases = [
        (
            "BG/NBD",
            lambda: lifetimes.BetaGeoFitter().fit(x, tx, T),
            lambda: ec.BetaGeoModel().fit(x, tx, T),
            lambda f: [f.params_[k] for k in ("r", "alpha", "a", "b")],
            lambda f: [f.params_[k] for k in ("r", "alpha", "a", "b")],
        ),
        (
            "Pareto/NBD",
            lambda: lifetimes.ParetoNBDFitter().fit(x, tx, T),
            lambda: ec.ParetoNBDModel().fit(x, tx, T),
            lambda f: [f.params_[k] for k in ("r", "alpha", "s", "beta")],
            lambda f: [f.params_[k] for k in ("r", "alpha", "s", "beta")],
        ),
        (
            "Gamma-Gamma",
            lambda: lifetimes.GammaGammaFitter().fit(rep["x"], rep["zbar"]),
            lambda: ec.GammaGammaModel().fit(rep["x"], rep["zbar"]),
            lambda f: [f.params_[k] for k in ("p", "q", "v")],
            lambda f: [f.params_[k] for k in ("p", "q", "v")],
        ),
    ]
    print(f"lifetimes {lifetimes.__version__}; edupulse {ec._native.__name__}; {len(d)} customers")
    print(
        f"{'model':12} {'lifetimes s':>12} {'edupulse s':>12} {'ratio':>6} {'CPU: lifetimes':>15} "
        f"{'edupulse':>9} {'ratio':>6}  parameters (lifetimes | edupulse)"
    )
    for name, lt, ep, lt_p, ep_p in cases:
        t_lt, c_lt, f_lt = median_time(lt, 3)
        t_ep, c_ep, f_ep = median_time(ep, 21)
        a = " ".join(f"{v:.6g}" for v in lt_p(f_lt))
        b = " ".join(f"{v:.6g}" for v in ep_p(f_ep))
        same = all(abs(u - v) <= 5e-4 * abs(u) for u, v in zip(lt_p(f_lt), ep_p(f_ep)))
        print(
            f"{name:12} {t_lt:12.4f} {t_ep:12.5f} {t_lt / t_ep:5.0f}x {c_lt:15.4f} {c_ep:9.5f} "
            f"{c_lt / c_ep:5.0f}x  {a} | {b}  {'same' if same else 'DIFFERENT'}"
        )


if __name__ == "__main__":
    main()
