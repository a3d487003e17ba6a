"""Spanish sentiment: edupulse's lexicon scorer against offline peers on a real labelled corpus,
and the 1,000,000-message speed run, in one run (`make bench-feedback`; docs/feedback.md).

Corpus: the 1,000 labelled Spanish tweets (P / N / NEU / NONE) that the EvoMSA package ships as
`EvoMSA/tests/tweets.json` (PyPI sdist `evomsa==2.0.14`, Apache-2.0), fetched with pip at run time
into a temporary folder (nothing is committed). NEU and NONE are both "neutral".

Split: a seeded shuffle (seed 18) puts half the tweets in a **tuning** half and half in a
**held-out** half. For every method alike, the cut-offs are chosen on the tuning half (one
threshold for positive-vs-negative, two for three classes, each maximising macro-F1 over a grid of
the method's own score quantiles) and the numbers are reported on the held-out half, next to each
method's out-of-the-box cut-offs (edupulse ±0.1, sentiment-analysis-spanish p = 0.5 / 0.5 ± 0.1,
nlp.js score 0). Nothing of edupulse is fitted on the tweets.

Peers: `sentiment-analysis-spanish` 0.0.25 (PyPI; a multinomial naive Bayes over word n-grams,
trained by its author on Spanish reviews/tweets) and the `@nlpjs/sentiment` analyzer with
`@nlpjs/lang-es` 4.26.1 (npm; the same senticon lexicon edupulse embeds, with nlp.js' stemmer and
its own rules), run through node. SentiLeak (PyPI) pins numpy < 1.22 and spaCy < 3.5, which do not
install on Python 3.11: not run.

Trained models (fitted on the tuning half only, 3 classes; the held-out half is never read by a
fit or a choice): edupulse's `SentimentModel` without the lexicon ("trained") and with the lexicon
score as features ("blend"), and scikit-learn's TfidfVectorizer + LogisticRegression. Each is
given at its default parameters [in brackets] and with its regularisation chosen by 5-fold
stratified cross-validation (macro-F1, 3 classes) on the tuning half: edupulse's `solver.l2` over
1e-4 … 1e-2, scikit-learn's C over 0.1 … 100 (GridSearchCV). Their decisions are the argmax of the
probabilities (3 classes) and P(positive) vs P(negative) (2 classes): no cut-off is tuned.

Speed: edupulse scores 1,000,000 messages (the tweets, cycled) from Python with
`edupulse.feedback.sentiment(...)` (release build installed into the bench venv; DataFrame out) on
a list of str and on Arrow columns (a pyarrow string Array, a polars Series: read in place), and in pure Rust (`score_columns`, the same batch path) on 1 and on 2 threads;
each peer is timed on `--peer-n` messages of the same stream with its fastest call (batch
`transform` + `predict_proba` for sentiment-analysis-spanish), and its time for 1,000,000 is
extrapolated linearly (it is linear in the number of messages); `--peer-n 1000000` times it fully.

usage: bench_feedback.py --edupulse-bin PATH --node-modules DIR [--peer-n N] [--n N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from pathlib import Path

CLASSES = ("negative", "neutral", "positive")
KLASS = {"P": "positive", "N": "negative", "NEU": "neutral", "NONE": "neutral"}


def fetch_corpus(tmp: Path) -> list[tuple[str, str]]:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
         "evomsa==2.0.14", "-d", str(tmp)],
        check=True,
    )
    sdist = next(tmp.glob("evomsa-2.0.14.tar.gz"))
    with tarfile.open(sdist) as tar:
        member = tar.getmember("evomsa-2.0.14/EvoMSA/tests/tweets.json")
        data = tar.extractfile(member)
        assert data is not None
        lines = data.read().decode("utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [(r["text"], KLASS[r["klass"]]) for r in rows]


def macro_f1(y: list[str], p: list[str], classes: tuple[str, ...]) -> float:
    f1s = []
    for c in classes:
        tp = sum(1 for a, b in zip(y, p) if a == c and b == c)
        fp = sum(1 for a, b in zip(y, p) if a != c and b == c)
        fn = sum(1 for a, b in zip(y, p) if a == c and b != c)
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s)


def accuracy(y: list[str], p: list[str]) -> float:
    return sum(1 for a, b in zip(y, p) if a == b) / len(y)


def label3(s: float, lo: float, hi: float) -> str:
    return "positive" if s > hi else "negative" if s < lo else "neutral"


def label2(s: float, t: float) -> str:
    return "positive" if s > t else "negative"


def quantile_grid(xs: list[float], k: int = 41) -> list[float]:
    v = sorted(xs)
    return sorted({v[min(len(v) - 1, int(i * (len(v) - 1) / (k - 1)))] for i in range(k)})


def tune2(scores: list[float], y: list[str]) -> float:
    best = max(quantile_grid(scores),
               key=lambda t: macro_f1(y, [label2(s, t) for s in scores], ("negative", "positive")))
    return best


def tune3(scores: list[float], y: list[str]) -> tuple[float, float]:
    grid = quantile_grid(scores)
    best, arg = -1.0, (0.0, 0.0)
    for i, lo in enumerate(grid):
        for hi in grid[i:]:
            f = macro_f1(y, [label3(s, lo, hi) for s in scores], CLASSES)
            if f > best:
                best, arg = f, (lo, hi)
    return arg


def run_edupulse(binary: str, texts: list[str], tmp: Path, repeat: int | None = None,
                 env: dict | None = None) -> dict:
    path = tmp / "texts.json"
    path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    args = [binary, str(path)] + (["--repeat", str(repeat)] if repeat else ["--scores"])
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True,
                                     env=env).stdout)


def run_nlpjs(node_modules: str, texts: list[str], tmp: Path) -> dict:
    path = tmp / "texts-node.json"
    path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    script = Path(__file__).with_name("bench_feedback_nlpjs.js")
    env = {**os.environ, "NODE_PATH": node_modules}
    out = subprocess.run(["node", str(script), str(path)], check=True, capture_output=True,
                         text=True, env=env).stdout
    return json.loads(out)


L2_GRID = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)


def run_model(binary: str, train: list[tuple[str, str]], texts: list[str], tmp: Path,
              params: dict, repeat: int | None = None) -> dict:
    """Fit edupulse's SentimentModel on `train` and predict `texts` (the example's --fit mode)."""
    tp, xp = tmp / "train.json", tmp / "model-texts.json"
    tp.write_text(json.dumps(train, ensure_ascii=False), encoding="utf-8")
    xp.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    args = [binary, str(xp), "--fit", str(tp), "--params", json.dumps(params)]
    args += ["--repeat", str(repeat)] if repeat else []
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)


def decide(classes: list[str], proba: list[list[float]]) -> tuple[list[str], list[float]]:
    """Argmax labels and P(positive) − P(negative) per row."""
    pos, neg = classes.index("positive"), classes.index("negative")
    labels = [classes[max(range(len(r)), key=lambda k: r[k])] for r in proba]
    return labels, [r[pos] - r[neg] for r in proba]


def folds5(y: list[str], seed: int = 18) -> list[int]:
    rng = random.Random(seed)
    fold = [0] * len(y)
    offset = 0
    for c in CLASSES:
        idx = [i for i in range(len(y)) if y[i] == c]
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            fold[i] = (j + offset) % 5
        offset += len(idx)
    return fold


def cv_l2(binary: str, train: list[tuple[str, str]], tmp: Path, base: dict) -> float:
    """solver.l2 with the best 5-fold macro-F1 on the tuning half (calibration off: it does not
    change the argmax)."""
    y = [c for _, c in train]
    fold = folds5(y)
    best, arg = -1.0, L2_GRID[0]
    for l2 in L2_GRID:
        params = {**base, "solver": {"l2": l2, "calibration_folds": 0}}
        yt, pt = [], []
        for f in range(5):
            tr = [train[i] for i in range(len(y)) if fold[i] != f]
            te = [i for i in range(len(y)) if fold[i] == f]
            out = run_model(binary, tr, [train[i][0] for i in te], tmp, params)
            pt += decide(out["classes"], out["proba"])[0]
            yt += [y[i] for i in te]
        f1 = macro_f1(yt, pt, CLASSES)
        if f1 > best:
            best, arg = f1, l2
    return arg


def sklearn_model(train: list[tuple[str, str]], char: bool, tune: bool):
    warnings.simplefilter("ignore")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import make_pipeline, make_union

    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode")
    feats = (make_union(word, TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                              sublinear_tf=True, strip_accents="unicode"))
             if char else TfidfVectorizer())
    pipe = make_pipeline(feats, LogisticRegression(max_iter=2000))
    x, y = [t for t, _ in train], [c for _, c in train]
    if tune:
        pipe = GridSearchCV(pipe, {"logisticregression__C": list(C_GRID)}, scoring="f1_macro",
                            cv=StratifiedKFold(5, shuffle=True, random_state=18))
    pipe.fit(x, y)
    return pipe


def run_sklearn(pipe, texts: list[str]) -> dict:
    start = time.perf_counter()
    p = pipe.predict_proba(texts)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "classes": [str(c) for c in pipe.classes_],
            "proba": p.tolist()}


def run_python_sentiment(texts: list[str], n: int, rust_scores: list[float]) -> dict:
    """`edupulse.feedback.sentiment` on `n` messages (the tweets cycled) from Python, end to end
    (texts in, DataFrame out): a list with every message its own str object (as read from a file:
    CPython makes each non-ASCII str's UTF-8 view on first use), a list of the 1,000 str objects
    repeated, and the same messages as a pyarrow string Array and as a polars Series (one UTF-8
    buffer, read in place through the Arrow PyCapsule interface; building the column from the
    str objects is timed apart, as `arrow_build` / `polars_build`: a column read from a file or
    a query arrives built). Checks every path's scores equal the pure-Rust ones bit for bit."""
    import numpy as np
    import polars as pl
    import pyarrow as pa
    from edupulse import feedback

    feedback.sentiment(texts)  # load the lexicon, outside the clock
    want = np.resize(np.asarray(rust_scores, dtype="float64"), n)
    equal = True
    out = {}

    def timed(key: str, column) -> None:
        nonlocal equal
        start = time.perf_counter()
        df = feedback.sentiment(column)
        out[key] = time.perf_counter() - start
        equal = equal and bool(np.array_equal(df["score"].to_numpy(), want))

    fresh = [(texts[i % len(texts)] + ".")[:-1] for i in range(n)]
    timed("fresh", fresh)
    # The columns are built from str objects of their own (building reads each str's UTF-8 view,
    # which CPython then keeps in the object: the list timed above must not get them first).
    fresh = [(texts[i % len(texts)] + ".")[:-1] for i in range(n)]
    start = time.perf_counter()
    arrow = pa.array(fresh, type=pa.string())
    out["arrow_build"] = time.perf_counter() - start
    start = time.perf_counter()
    series = pl.Series(fresh)
    out["polars_build"] = time.perf_counter() - start
    del fresh
    timed("arrow", arrow)
    timed("polars", series)
    del arrow, series
    timed("repeated", [texts[i % len(texts)] for i in range(n)])
    out["equal"] = equal
    return out


def sas_model():
    warnings.simplefilter("ignore")
    from sentiment_analysis_spanish import sentiment_analysis

    return sentiment_analysis.SentimentAnalysisSpanish()


def run_sas(model, texts: list[str]) -> dict:
    start = time.perf_counter()
    p = model.classifier.predict_proba(model.vectorizer.transform(texts))[:, 1]
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "scores": [float(2 * x - 1) for x in p]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edupulse-bin", required=True)
    ap.add_argument("--node-modules", required=True)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--peer-n", type=int, default=100_000)
    a = ap.parse_args()

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        rows = fetch_corpus(tmp)
        texts = [t for t, _ in rows]
        y = [c for _, c in rows]
        idx = list(range(len(rows)))
        random.Random(18).shuffle(idx)
        tune, test = idx[: len(idx) // 2], idx[len(idx) // 2:]
        counts = {c: y.count(c) for c in CLASSES}
        print(f"corpus: EvoMSA tests/tweets.json, {len(rows)} tweets {counts}; "
              f"tuning {len(tune)}, held-out {len(test)}")

        sas = sas_model()
        methods = {
            "edupulse (lexicon)": (run_edupulse(a.edupulse_bin, texts, tmp)["scores"], 0.1, 0.0),
            "sentiment-analysis-spanish 0.0.25": (run_sas(sas, texts)["scores"], 0.2, 0.0),
            "@nlpjs/sentiment 4 (lang-es 4.26.1)": (run_nlpjs(a.node_modules, texts, tmp)["scores"],
                                                    0.0, 0.0),
        }
        print("\nheld-out half; cut-offs tuned on the tuning half (default cut-offs in brackets)")
        print(f"{'method':38} {'2-class acc':>12} {'2-class F1':>11} {'3-class acc':>12} "
              f"{'3-class F1':>11}")
        results = {}
        for name, (scores, band, centre) in methods.items():
            tb = [i for i in tune if y[i] != "neutral"]
            hb = [i for i in test if y[i] != "neutral"]
            t2 = tune2([scores[i] for i in tb], [y[i] for i in tb])
            lo, hi = tune3([scores[i] for i in tune], [y[i] for i in tune])
            yb = [y[i] for i in hb]
            y3 = [y[i] for i in test]
            p2 = [label2(scores[i], t2) for i in hb]
            d2 = [label2(scores[i], centre) for i in hb]
            p3 = [label3(scores[i], lo, hi) for i in test]
            d3 = [label3(scores[i], centre - band, centre + band) for i in test]
            r = {
                "acc2": accuracy(yb, p2), "f12": macro_f1(yb, p2, ("negative", "positive")),
                "acc3": accuracy(y3, p3), "f13": macro_f1(y3, p3, CLASSES),
                "acc2_default": accuracy(yb, d2),
                "f12_default": macro_f1(yb, d2, ("negative", "positive")),
                "acc3_default": accuracy(y3, d3), "f13_default": macro_f1(y3, d3, CLASSES),
                "cutoffs": {"two_class": t2, "three_class": [lo, hi]},
            }
            results[name] = r
            print(f"{name:38} {r['acc2']:6.3f} [{r['acc2_default']:.3f}] {r['f12']:5.3f} "
                  f"[{r['f12_default']:.3f}] {r['acc3']:6.3f} [{r['acc3_default']:.3f}] "
                  f"{r['f13']:5.3f} [{r['f13_default']:.3f}]")
        maj = max(CLASSES, key=lambda c: sum(1 for i in test if y[i] == c))
        print(f"{'majority class (' + maj + ')':38} "
              f"{accuracy([y[i] for i in test if y[i] != 'neutral'], ['positive'] * len([i for i in test if y[i] != 'neutral'])):6.3f}"
              f"{'':20} {accuracy([y[i] for i in test], [maj] * len(test)):6.3f}")

        # Trained models: fitted on the tuning half, scored on the held-out half.
        train = [(texts[i], y[i]) for i in tune]
        held = [texts[i] for i in test]
        hpos = [j for j, i in enumerate(test) if y[i] != "neutral"]
        trained: dict[str, tuple[dict, dict, dict]] = {}
        for name, base in (("edupulse SentimentModel (trained)", {"lexicon": False}),
                           ("edupulse SentimentModel (blend)", {})):
            l2 = cv_l2(a.edupulse_bin, train, tmp, base)
            tuned_params = {**base, "solver": {"l2": l2}}
            trained[name] = (run_model(a.edupulse_bin, train, held, tmp, tuned_params),
                             run_model(a.edupulse_bin, train, held, tmp, base),
                             {"params": tuned_params})
        pipes = {}
        for name, char in (("scikit-learn TF-IDF word+char + LR", True),
                           ("scikit-learn TfidfVectorizer + LR", False)):
            tuned_pipe = sklearn_model(train, char, True)
            pipes[name] = tuned_pipe
            trained[name] = (run_sklearn(tuned_pipe, held),
                             run_sklearn(sklearn_model(train, char, False), held),
                             {"params": tuned_pipe.best_params_})
        print("\ntrained on the tuning half (regularisation by 5-fold CV on it; defaults in brackets)")
        y3 = [y[i] for i in test]
        yb = [y3[j] for j in hpos]
        for name, (tuned, default, chosen) in trained.items():
            r = {"chosen": chosen}
            for key, out in (("", tuned), ("_default", default)):
                p3, diff = decide(out["classes"], out["proba"])
                p2 = [label2(diff[j], 0.0) for j in hpos]
                r["acc2" + key] = accuracy(yb, p2)
                r["f12" + key] = macro_f1(yb, p2, ("negative", "positive"))
                r["acc3" + key] = accuracy(y3, p3)
                r["f13" + key] = macro_f1(y3, p3, CLASSES)
            results[name] = r
            print(f"{name:38} {r['acc2']:6.3f} [{r['acc2_default']:.3f}] {r['f12']:5.3f} "
                  f"[{r['f12_default']:.3f}] {r['acc3']:6.3f} [{r['acc3_default']:.3f}] "
                  f"{r['f13']:5.3f} [{r['f13_default']:.3f}]  {chosen['params']}")

        # Speed.
        print(f"\nspeed: {a.n:,} messages (the tweets, cycled); edupulse measured on all of them, "
              f"peers timed on {a.peer_n:,} and extrapolated linearly to {a.n:,}")
        load_before = os.getloadavg()
        print(f"  load average (1, 5, 15 min) before the speed runs: "
              f"{', '.join(f'{x:.2f}' for x in load_before)} on {os.cpu_count()} cores")
        ours = run_edupulse(a.edupulse_bin, texts, tmp, repeat=a.n,
                            env={**os.environ, "EDUPULSE_NUM_THREADS": "1"})
        ours2 = run_edupulse(a.edupulse_bin, texts, tmp, repeat=a.n,
                             env={**os.environ, "EDUPULSE_NUM_THREADS": "2"})
        py = run_python_sentiment(texts, a.n, run_edupulse(a.edupulse_bin, texts, tmp)["scores"])
        stream = [texts[i % len(texts)] for i in range(a.peer_n)]
        peers = {
            "sentiment-analysis-spanish (batch transform + predict_proba)": run_sas(sas, stream)["seconds"],
        }
        python_peers = list(peers)
        for name, pipe in pipes.items():
            peers[name + " (batch predict_proba)"] = run_sklearn(pipe, stream)["seconds"]
            python_peers.append(name + " (batch predict_proba)")
        peers["@nlpjs/sentiment (node, not Python)"] = run_nlpjs(a.node_modules, stream, tmp)["seconds"]
        full = {k: v * a.n / a.peer_n for k, v in peers.items()}
        fastest_name = min(python_peers, key=lambda k: full[k])
        fastest = full[fastest_name]
        rows = [
            ("edupulse.feedback.sentiment(list) from Python, each message its own str", py["fresh"]),
            ("edupulse.feedback.sentiment(list) from Python, the 1,000 str objects repeated",
             py["repeated"]),
            ("edupulse.feedback.sentiment(pyarrow string Array) from Python", py["arrow"]),
            ("edupulse.feedback.sentiment(polars Series) from Python", py["polars"]),
            ("edupulse lexicon, pure Rust score_columns, 1 thread", ours["seconds"]),
            ("edupulse lexicon, pure Rust score_columns, 2 threads", ours2["seconds"]),
        ] + [(k + " [peer]", v) for k, v in full.items()]
        print(f"  {'method':92} {'s / 1M':>8} {'msgs/s':>12} {'fastest Python peer ÷ this':>27}")
        for name, sec in rows:
            print(f"  {name:92} {sec * 1_000_000 / a.n:8.3f} {a.n / sec:12,.0f} {fastest / sec:26.1f}×")
        print(f"  fastest Python peer: {fastest_name}; target: edupulse from Python ≥ 50× it")
        print(f"  (building the columns from 1,000,000 fresh str objects, not in the rows above: "
              f"pyarrow {py['arrow_build']:.3f} s, then polars from the same, now with their "
              f"UTF-8 views cached, {py['polars_build']:.3f} s)")
        print(f"  load average after them: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"  checksum over {a.n:,} (pure Rust): {ours['checksum']!r} (2 threads: "
              f"{ours2['checksum']!r}); Python scores equal the Rust scores: {py['equal']}")
        blend_params = trained["edupulse SentimentModel (blend)"][2]["params"]
        model_speed = run_model(a.edupulse_bin, train, texts, tmp, blend_params, repeat=a.n)
        ms = model_speed["seconds"]
        print(f"  edupulse SentimentModel (blend) predict_proba: {ms:.3f} s for {a.n:,} "
              f"({a.n / ms:,.0f} messages/s, thread budget {os.environ.get('EDUPULSE_NUM_THREADS', 'all cores')})")
        for name in pipes:
            f = full[name + " (batch predict_proba)"]
            print(f"    vs {name}: {f / ms:.1f}×")
        print(json.dumps({"quality": results, "speed": {"edupulse_seconds": ours["seconds"],
                                                         "python_seconds": py,
                                                         "edupulse_seconds_2_threads": ours2["seconds"],
                                                         "model_seconds": ms,
                                                         "n": a.n, "peer_n": a.peer_n,
                                                         "peers_seconds": peers}}))


if __name__ == "__main__":
    main()
