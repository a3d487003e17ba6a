#!/usr/bin/env python3
"""Hyper-parameter grid of both ALS implementations on a tune split only (docs/community.md).

    .venv-implicit/bin/python scripts/als_tune.py --edupulse-bin BIN --data tune|oulad-tune \
        --lib edupulse|implicit --alpha 4 59 --reg 100 600 [--nu 0 0.5] [--gamma 0 0.5] [--seeds 0 1]

Every (α, λ, ν) combination is fitted once per init seed on the split of
scripts/bench_community.py (``tune``: planted 20,000 × 2,000, seed 1; ``oulad-tune``: the OULAD
training matrix scored on the held-out rows of the 30 % tune students only) and nDCG@10 (the bench's
metric) is printed per fit, then the combinations by mean nDCG@10 over the seeds. ``--alpha`` is in
*implicit's* convention (c = α_i·w on observed cells) for both libraries: edupulse is run at
α = α_i − 1 (c = 1 + α·w), the same objective for weight-1 data. ``--nu`` (edupulse only) scales λ
by n^ν per row (frequency-scaled regularisation).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from implicit.cpu.als import AlternatingLeastSquares  # noqa: E402

import bench_community as bc  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edupulse-bin", required=True)
    ap.add_argument("--data", default="tune", choices=["tune", "oulad-tune"])
    ap.add_argument("--oulad", default=str(Path(__file__).resolve().parents[2] / "shared/data/oulad"))
    ap.add_argument("--lib", required=True, choices=["edupulse", "implicit"])
    ap.add_argument("--alpha", type=float, nargs="+", required=True, help="α_i (implicit's convention)")
    ap.add_argument("--reg", type=float, nargs="+", required=True)
    ap.add_argument("--nu", type=float, nargs="+", default=[0.0])
    ap.add_argument("--gamma", type=float, nargs="+", default=[0.0],
                    help="edupulse only: popularity exponent of the unobserved cells' weight")
    ap.add_argument("--cg", type=int, default=3)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    train, test, nu, ni, _ = bc.load(a.data, a.oulad)
    train_users = set(train["user"].unique().tolist())
    users = np.array(sorted(train_users))
    csr = sp.csr_matrix((train["weight"].to_numpy(np.float32), (train["user"], train["item"])), shape=(nu, ni))
    results: dict[tuple, list[float]] = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        grid = itertools.product(a.alpha, a.reg, a.nu if a.lib == "edupulse" else [0.0],
                                 a.gamma if a.lib == "edupulse" else [0.0])
        for alpha_i, reg, nu_, gamma in grid:
            for seed in a.seeds:
                if a.lib == "edupulse":
                    cfg = {"factors": 64, "iterations": 15, "cg": a.cg, "reg": reg, "alpha": alpha_i - 1.0, "nu": nu_,
                           "gamma": gamma}
                    recs, fit, _ = bc.run_edupulse(a.edupulse_bin, train, nu, ni, "als", cfg, a.threads, tmp, seed)
                else:
                    m = AlternatingLeastSquares(factors=64, regularization=reg, alpha=alpha_i, iterations=15,
                                                random_state=seed, num_threads=a.threads, calculate_training_loss=False)
                    m.cg_steps = a.cg
                    recs, fit, _ = bc.run_implicit(m, csr, users)
                nd = bc.metrics(recs, test, train_users)["ndcg@10"]
                results.setdefault((alpha_i, reg, nu_, gamma), []).append(nd)
                print(json.dumps({"lib": a.lib, "data": a.data, "alpha_i": alpha_i, "reg": reg, "nu": nu_, "gamma": gamma, "cg": a.cg,
                                  "seed": seed, "ndcg@10": round(nd, 5), "fit_s": round(fit, 2)}), flush=True)
    print(f"\n{a.lib} on {a.data}, mean nDCG@10 over seeds {a.seeds} (best first):")
    for (alpha_i, reg, nu_, gamma), v in sorted(results.items(), key=lambda kv: -float(np.mean(kv[1]))):
        print(f"  α_i {alpha_i:g}  λ {reg:g}  ν {nu_:g}  γ {gamma:g}: {np.mean(v):.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
