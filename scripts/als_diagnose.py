#!/usr/bin/env python3
"""Why edupulse's ALS and `implicit`'s differ (docs/community.md, "ALS: edupulse vs implicit").

    .venv-implicit/bin/python scripts/als_diagnose.py --edupulse-bin BIN [--data tune|planted]
        [--runs "edupulse:alpha=4,seed=0" "implicit:alpha=5,seed=0" ...]

Each run fits one ALS (factors 64, 15 iterations, λ from --reg) on the split of
scripts/bench_community.py and prints nDCG@10 with the bench's metric and the training loss
L = Σ_ui c_ui (p_ui − x_u·y_i)² + λ(‖X‖² + ‖Y‖²) under *implicit's* confidence convention
c = α_implicit·w on observed cells, 1 elsewhere (edupulse's `c = 1 + α·w` is the same objective
with α_implicit = 1 + α when w = 1). Keys: alpha, reg (λ), seed, cg (CG steps), it (iterations), conv
(for the loss: the α_implicit to evaluate against; default the run's own objective).
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

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from implicit.cpu.als import AlternatingLeastSquares  # noqa: E402

import bench_community as bc  # noqa: E402


def loss(csr: sp.csr_matrix, x: np.ndarray, y: np.ndarray, c_obs: np.ndarray, reg: float) -> float:
    x = x.astype(np.float64)
    y = y.astype(np.float64)
    all_sq = float(np.sum((x.T @ x) * (y.T @ y)))  # Σ over every cell of (x·y)²
    coo = csr.tocoo()
    s = np.einsum("ij,ij->i", x[coo.row], y[coo.col])
    obs = float(np.sum(c_obs * (1.0 - s) ** 2 - s**2))
    return (all_sq + obs + reg * (float(np.sum(x * x)) + float(np.sum(y * y)))) / (csr.shape[0] * csr.shape[1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edupulse-bin", required=True)
    ap.add_argument("--data", default="tune", choices=["tune", "planted"])
    ap.add_argument("--reg", type=float, default=100.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", nargs="+", required=True)
    a = ap.parse_args()
    train, test, nu, ni, _ = bc.planted(100_000, 10_000, 0) if a.data == "planted" else bc.planted(20_000, 2_000, 1)
    csr = sp.csr_matrix((train["weight"].to_numpy(np.float32), (train["user"], train["item"])), shape=(nu, ni))
    train_users = set(train["user"].unique().tolist())
    users = np.array(sorted(train_users))
    w = csr.tocoo().data.astype(np.float64)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        path = tmp / "train.csv"
        train[["user", "item", "weight"]].to_csv(path, index=False)
        for spec in a.runs:
            who, _, kv = spec.partition(":")
            o = {k: float(v) for k, v in (p.split("=") for p in kv.split(",") if p)}
            alpha, seed, cg, it = o.get("alpha", 5.0), int(o.get("seed", 0)), int(o.get("cg", 3)), int(o.get("it", 15))
            reg = o.get("reg", a.reg)
            if who == "edupulse":
                out = tmp / "recs.csv"
                env = dict(os.environ, EDUPULSE_NUM_THREADS=str(a.threads), EDUPULSE_DUMP_FACTORS=str(tmp / "f"))
                args = [a.edupulse_bin, str(path), str(nu), str(ni), "als", str(out), "64", str(reg), str(alpha),
                        str(it), "10", "20", str(seed), str(cg)]
                res = json.loads(subprocess.run(args, check=True, capture_output=True, text=True, env=env).stdout.strip().splitlines()[-1])
                x = np.fromfile(tmp / "f.users.f32", dtype="<f4").reshape(nu, 64)
                y = np.fromfile(tmp / "f.items.f32", dtype="<f4").reshape(ni, 64)
                recs = np.loadtxt(out, delimiter=",", skiprows=1, usecols=(0, 2), dtype=np.int64, ndmin=2)
                cut = np.flatnonzero(np.diff(recs[:, 0])) + 1  # rows come by user, then rank
                by_user = {int(g[0, 0]): g[:, 1].tolist() for g in np.split(recs, cut) if len(g)}
                fit = res["fit_s"]
                own = 1.0 + alpha
            else:
                m = AlternatingLeastSquares(factors=64, regularization=reg, alpha=alpha, iterations=it, random_state=seed,
                                            num_threads=a.threads)
                m.cg_steps = cg
                t0 = time.perf_counter()
                m.fit(csr, show_progress=False)
                fit = time.perf_counter() - t0
                ids, _ = m.recommend(users, csr[users], N=10, filter_already_liked_items=True)
                by_user = {int(u): [int(i) for i in row if i >= 0] for u, row in zip(users, ids)}
                x, y = m.user_factors, m.item_factors
                own = alpha
            conv = o.get("conv", own)
            met = bc.metrics(by_user, test, train_users)
            print(json.dumps({"run": spec, "ndcg@10": round(met["ndcg@10"], 5), "loss": loss(csr, x, y, conv * w, reg),
                              "loss_conv_alpha_implicit": conv, "fit_s": round(fit, 2)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
