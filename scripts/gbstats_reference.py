#!/usr/bin/env python3
"""Reference outputs of GrowthBook's gbstats 0.8.0 on random count / mean tables, and the
benchmark of edupulse against a gbstats loop.

    python scripts/gbstats_reference.py fixture --cases 600 --seed 17 --out PATH
    python scripts/gbstats_reference.py bench --analyses 100000 --edupulse-bin PATH

`fixture` draws random two-arm tables (binary metrics: units and conversions; mean metrics:
n, sum, sum of squares), random options (relative or absolute lift, flat or proper Gaussian
prior, alpha, sequential tuning parameter) and random multi-arm splits, runs
`EffectBayesianABTest`, `TwoSidedTTest`, `SequentialTwoSidedTTest` and `check_srm`, and writes
inputs and outputs as JSON (header: gbstats/numpy/scipy versions and the command).
The Rust test crates/edupulse-core/tests/gbstats_parity.rs compares edupulse to it.

`bench` times N two-arm analyses (Bayesian + t-test + sequential + SRM, the gbstats way) in a
Python loop over gbstats, then runs the edupulse example binary on the same tables and prints
both times and the ratio. Needs gbstats==0.8.0 (its own venv: `make bench-experiments`).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import subprocess
import sys
import time

import numpy as np
from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig, GaussianPrior
from gbstats.frequentist.tests import (
    FrequentistConfig,
    SequentialConfig,
    SequentialTwoSidedTTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import ProportionStatistic, SampleMeanStatistic
from gbstats.utils import check_srm


def draw_table(rng: np.random.Generator) -> dict:
    """One random two-arm table (no degenerate arm: both outcomes occur in each)."""
    while True:
        if rng.random() < 0.6:
            n_a = int(np.exp(rng.uniform(np.log(50), np.log(200_000))))
            n_b = int(n_a * rng.uniform(0.8, 1.25))
            rate = rng.uniform(0.005, 0.6)
            rate_b = min(0.95, max(0.001, rate * (1 + rng.normal(0, 0.15))))
            c_a = int(rng.binomial(n_a, rate))
            c_b = int(rng.binomial(n_b, rate_b))
            if 0 < c_a < n_a and 0 < c_b < n_b:
                return {"kind": "proportion", "control": [n_a, c_a], "treatment": [n_b, c_b]}
        else:
            n_a = int(np.exp(rng.uniform(np.log(20), np.log(100_000))))
            n_b = int(n_a * rng.uniform(0.8, 1.25))
            m = rng.uniform(1, 200)
            arms = []
            for n, mu in ((n_a, m), (n_b, m * (1 + rng.normal(0, 0.15)))):
                sd = abs(mu) * rng.uniform(0.3, 3.0)
                s = n * mu + rng.normal(0, sd * np.sqrt(n))
                ss = (n - 1) * sd**2 * rng.uniform(0.8, 1.2) + s * s / n
                arms.append([n, float(s), float(ss)])
            if arms[0][1] > 0:
                return {"kind": "mean", "control": arms[0], "treatment": arms[1]}


def draw_options(rng: np.random.Generator) -> dict:
    proper = bool(rng.random() < 0.5)
    return {
        "difference": "relative" if rng.random() < 0.6 else "absolute",
        "prior_mean": float(rng.normal(0, 0.05)) if proper else 0.0,
        "prior_variance": float(rng.uniform(0.001, 0.5)) if proper else 1.0,
        "proper": proper,
        "alpha": float(rng.choice([0.05, 0.1, 0.01])),
        "tau": float(rng.choice([5000.0, 1000.0, 20000.0])),
    }


def stats(table: dict):
    if table["kind"] == "proportion":
        mk = lambda a: ProportionStatistic(n=a[0], sum=a[1])  # noqa: E731
    else:
        mk = lambda a: SampleMeanStatistic(n=a[0], sum=a[1], sum_squares=a[2])  # noqa: E731
    return mk(table["control"]), mk(table["treatment"])


def analyse(table: dict, o: dict) -> dict:
    a, b = stats(table)
    bayes = EffectBayesianABTest(
        a,
        b,
        EffectBayesianConfig(
            difference_type=o["difference"],
            prior_type=o["difference"],
            alpha=o["alpha"],
            prior_effect=GaussianPrior(
                mean=o["prior_mean"], variance=o["prior_variance"], proper=o["proper"]
            ),
        ),
    ).compute_result()
    tt = TwoSidedTTest(
        a, b, FrequentistConfig(difference_type=o["difference"], alpha=o["alpha"])
    ).compute_result()
    sq = SequentialTwoSidedTTest(
        a,
        b,
        SequentialConfig(
            difference_type=o["difference"],
            alpha=o["alpha"],
            sequential_tuning_parameter=o["tau"],
        ),
    ).compute_result()
    for r in (bayes, tt, sq):
        if r.error_message:
            raise ValueError(r.error_message)
    return {
        "bayes": {
            "lift": bayes.expected,
            "ci": list(bayes.ci),
            "std": bayes.uplift.stddev,
            "chance_to_win": bayes.chance_to_win,
            "risk": list(bayes.risk),
        },
        "ttest": {"lift": tt.expected, "ci": list(tt.ci), "p_value": tt.p_value},
        "sequential": {"lift": sq.expected, "ci": list(sq.ci), "p_value": sq.p_value},
    }


def fixture(args: argparse.Namespace) -> None:
    rng = np.random.default_rng(args.seed)
    cases = []
    while len(cases) < args.cases:
        table = draw_table(rng)
        o = draw_options(rng)
        try:
            out = analyse(table, o)
        except ValueError:
            continue
        cases.append({"table": table, "options": o, "gbstats": out})
    srm = []
    for _ in range(args.cases // 4):
        k = int(rng.integers(2, 6))
        w = rng.uniform(0.5, 2.0, size=k)
        w = (w / w.sum()).tolist()
        total = int(np.exp(rng.uniform(np.log(50), np.log(100_000))))
        skew = rng.uniform(0.9, 1.1, size=k)
        p = np.array(w) * skew
        units = rng.multinomial(total, p / p.sum()).tolist()
        srm.append({"units": units, "weights": w, "p_value": float(check_srm(units, w))})
    doc = {
        "header": {
            "generator": "scripts/gbstats_reference.py",
            "command": " ".join(["python", "scripts/gbstats_reference.py"] + sys.argv[1:]),
            "gbstats": importlib.metadata.version("gbstats"),
            "numpy": importlib.metadata.version("numpy"),
            "scipy": importlib.metadata.version("scipy"),
            "pandas": importlib.metadata.version("pandas"),
            "seed": args.seed,
            "note": "prior_type equals difference_type; tolerance 1e-6 * max(1, |value|)",
        },
        "cases": cases,
        "srm": srm,
    }
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases and {len(srm)} SRM checks to {args.out}")


def bench(args: argparse.Namespace) -> None:
    rng = np.random.default_rng(args.seed)
    tables = [draw_table(rng) for _ in range(args.analyses)]
    with open(args.tables, "w") as f:
        json.dump(tables, f)
    # gbstats loop: the same three tests and the SRM check per table, default options.
    o = {
        "difference": "relative",
        "prior_mean": 0.0,
        "prior_variance": 1.0,
        "proper": False,
        "alpha": 0.05,
        "tau": 5000.0,
    }
    t0 = time.perf_counter()
    checksum = 0.0
    for t in tables:
        r = analyse(t, o)
        checksum += r["bayes"]["chance_to_win"]
        checksum += check_srm([t["control"][0], t["treatment"][0]], [0.5, 0.5])
    gb = time.perf_counter() - t0
    out = subprocess.run(
        [args.edupulse_bin, args.tables], check=True, capture_output=True, text=True
    ).stdout
    ep = json.loads(out)
    ratio = gb / ep["seconds"]
    print(
        json.dumps(
            {
                "analyses": args.analyses,
                "gbstats_seconds": round(gb, 3),
                "edupulse_seconds": round(ep["seconds"], 4),
                "ratio": round(ratio, 1),
                "checksum_gbstats": checksum,
                "checksum_edupulse": ep["checksum"],
                "gbstats": importlib.metadata.version("gbstats"),
            },
            indent=2,
        )
    )
    if abs(checksum - ep["checksum"]) > 1e-6 * args.analyses:
        raise SystemExit("checksums differ: the two loops did not compute the same thing")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fixture")
    f.add_argument("--cases", type=int, default=600)
    f.add_argument("--seed", type=int, default=17)
    f.add_argument("--out", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--analyses", type=int, default=100_000)
    b.add_argument("--seed", type=int, default=2026)
    b.add_argument("--tables", default="target/experiments-bench-tables.json")
    b.add_argument("--edupulse-bin", required=True)
    args = ap.parse_args()
    fixture(args) if args.cmd == "fixture" else bench(args)


if __name__ == "__main__":
    main()
