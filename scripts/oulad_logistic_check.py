#!/usr/bin/env python3
"""Why edupulse's logistic regression and scikit-learn's LogisticRegression differ on OULAD
(issue 16): on the 2013-internal split (fitted on 2013B, judged on 2013J; nothing from 2014),
the same feature files encoded two ways — scikit-learn's pipeline as in oulad_eval.py (mean
imputation + indicator, then standardisation of everything, one-hot) and edupulse's encoder
(standardisation of the present values, raw missing indicator, one-hot) — each solved by
scikit-learn at its default tolerance (lbfgs, 1e-4) and to the optimum (1e-12).

Measured 2026-12-03: the two encodings give the same AUC (within 0.0001) in all 12 cells, and
solved to the optimum they give edupulse's own logistic AUC (its Newton solver reaches the
optimum); the default lbfgs stops after 29–97 iterations, short of it, which is the whole gap.

    cargo run --release -p edupulse-core --example oulad_dropout -- OULAD_DIR OUT --holdout-only
    python scripts/oulad_logistic_check.py OUT [label_dDAY ...]
"""
import json, sys, warnings
from pathlib import Path
import numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler, OneHotEncoder
warnings.filterwarnings("ignore")
out = Path(sys.argv[1])
cat = json.loads((out / "columns.json").read_text())["categorical"]
tags = sys.argv[2:] or [f"{l}_d{d}" for l in ["withdrawal", "not_completing", "inactivity"] for d in [0, 30, 60, 90]]

def sk_design(tr, te):
    num = [c for c in tr.columns if c not in cat]
    imp = SimpleImputer(add_indicator=True).fit(tr[num])
    sc = StandardScaler().fit(imp.transform(tr[num]))
    oh = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(tr[cat].astype(str))
    f = lambda d: np.hstack([sc.transform(imp.transform(d[num])), oh.transform(d[cat].astype(str))])
    return f(tr), f(te)

def ep_design(tr, te):
    num = [c for c in tr.columns if c not in cat]
    cols_tr, cols_te = [], []
    for c in num:
        v = tr[c].to_numpy(float); present = v[np.isfinite(v)]
        m = present.mean() if len(present) else 0.0
        s = present.std() if len(present) else 1.0
        s = s if s > 0 else 1.0
        for d, acc in ((tr, cols_tr), (te, cols_te)):
            x = d[c].to_numpy(float)
            acc.append(np.where(np.isfinite(x), (x - m) / s, 0.0))
            if len(present) < len(v):
                acc.append((~np.isfinite(x)).astype(float))
    oh = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(tr[cat].astype(str))
    return np.column_stack(cols_tr + [oh.transform(tr[cat].astype(str))]), np.column_stack(cols_te + [oh.transform(te[cat].astype(str))])

for tag in tags:
    df = pd.read_csv(out / f"features_{tag}_train.csv", dtype={c: str for c in cat}, keep_default_na=False, na_values=["NaN"])
    ids = (out / f"ids_{tag}_train.txt").read_text().split()
    pres = np.array([i.split("-")[1] for i in ids])
    y = df.pop("label").to_numpy()
    B, J = pres == "2013B", pres == "2013J"
    tr, te = df[B], df[J]
    res = {}
    for dname, design in (("sk", sk_design), ("ep", ep_design)):
        Xtr, Xte = design(tr, te)
        for tname, kw in (("default", dict(max_iter=2000)), ("exact", dict(max_iter=100000, tol=1e-12))):
            m = LogisticRegression(**kw).fit(Xtr, y[B])
            res[f"{dname}_{tname}"] = roc_auc_score(y[J], m.decision_function(Xte))
            res[f"{dname}_{tname}_it"] = int(m.n_iter_[0])
    print(tag, " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in res.items()), flush=True)
