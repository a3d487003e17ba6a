#!/usr/bin/env python3
"""Segmentation against NLTK's TextTiling, same run (`make bench-content`).

1. Quality on the Choi-style test set (crates/edupulse-core/testdata/content/choi_pydoc_test.jsonl,
   never tuned on): mean Pk and WindowDiff (k = half the mean reference segment length) of
   edupulse (number of segments chosen), NLTK TextTiling (each sentence a paragraph, NLTK's
   defaults w=20, k=10; stop words = edupulse's English list since NLTK's corpus is not
   downloadable here), C99 (Choi 2000) as implemented by the `uts` 0.0.4 package (MIT,
   github.com/intfloat/uts) with Choi's settings (11 x 11 rank mask, stop words removed, Porter
   stems, boundary cut-off mean + 1.2 sd of the density gradient) and with uts's own defaults
   (7 x 7 mask, lower-cased whitespace tokens), and the trivial baselines.
2. Speed: edupulse segments N one-hour transcripts (900 cues) into micro-lessons (Rust example,
   release build); TextTiling segments the first K of the same transcripts (each cue a
   paragraph); the ratio is of seconds per transcript.

    python scripts/bench_content.py [N] [K]        # defaults 10000 and 20; N=0: quality only
"""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import uts
from nltk.stem.porter import PorterStemmer
from nltk.tokenize.texttiling import TextTilingTokenizer

ROOT = Path(__file__).resolve().parents[1]
TEST = ROOT / "crates/edupulse-core/testdata/content/choi_pydoc_test.jsonl"
EXAMPLE = ["cargo", "run", "--quiet", "--release", "-p", "edupulse-core", "--example", "content_eval", "--"]


def stop_words():
    src = (ROOT / "crates/edupulse-core/src/content/text.rs").read_text()
    block = src.split("STOP_WORDS_EN: &[&str] = &[")[1].split("];")[0]
    return re.findall(r'"([^"]+)"', block)


def ids(n, b):
    out, s, bs = [], 0, set(b)
    for i in range(n):
        s += i in bs
        out.append(s)
    return out


def pk_wd(n, ref, hyp):
    k = max(1, round(n / (len(ref) + 1) / 2))
    r, h = ids(n, ref), ids(n, hyp)
    pk = sum((r[i] == r[i + k]) != (h[i] == h[i + k]) for i in range(n - k)) / (n - k)
    wd = sum((r[i + k] - r[i]) != (h[i + k] - h[i]) for i in range(n - k)) / (n - k)
    return pk, wd


def texttiling(tt, units):
    """Boundaries (unit indices) of TextTiling with each unit a paragraph."""
    text = "\n\n".join(u.replace("\n", " ") for u in units)
    try:
        segs = tt.tokenize(text)
    except ValueError:  # NLTK raises on text too short for its windows
        return []
    out, pos = [], 0
    for s in segs[:-1]:
        pos += len([p for p in re.split(r"\n\s*\n", s) if p.strip()])
        out.append(pos)
    return [b for b in out if 0 < b < len(units)]


class ChoiTokenizer:
    """C99's preprocessing (Choi 2000): lower-cased words, stop words removed, Porter stems."""

    def __init__(self, stops):
        self.stops = set(stops)
        self.stem = PorterStemmer().stem

    def tokenize(self, text):
        words = re.findall(r"[a-z]+", text.lower())
        return [self.stem(w) for w in words if w not in self.stops]


def c99(model, sentences):
    """Boundaries (sentence indices) of a uts C99 model; uts marks a boundary before sentence i."""
    marks = model.segment(sentences)
    return [i for i, m in enumerate(marks) if m and i > 0]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    stops = stop_words()
    tt = TextTilingTokenizer(stopwords=stops)
    c99_choi = uts.C99(window=6, std_coeff=1.2, tokenizer=ChoiTokenizer(stops))
    c99_uts = uts.C99()
    rows = [json.loads(line) for line in TEST.read_text().splitlines()]
    ours = [json.loads(line) for line in subprocess.run(
        EXAMPLE + ["--segment", str(TEST)], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.splitlines()]
    methods = ("edupulse", "nltk_texttiling", "c99_choi_settings", "c99_uts_defaults", "no_boundary",
               "every_boundary")
    score = {m: [0.0, 0.0] for m in methods}
    for r, h in zip(rows, ours):
        s, ref = r["sentences"], r["boundaries"]
        for m, hyp in (("edupulse", h), ("nltk_texttiling", texttiling(tt, s)),
                       ("c99_choi_settings", c99(c99_choi, s)), ("c99_uts_defaults", c99(c99_uts, s)),
                       ("no_boundary", []), ("every_boundary", list(range(1, len(s))))):
            p, w = pk_wd(len(s), ref, hyp)
            score[m][0] += p / len(rows)
            score[m][1] += w / len(rows)
    for m, (p, w) in score.items():
        print(json.dumps({"set": "choi_pydoc_test", "method": m, "pk": round(p, 4), "window_diff": round(w, 4)}))
    if n == 0:
        return
    dump = ROOT / "target-bench-content.jsonl"
    rust = json.loads(subprocess.run(
        EXAMPLE + ["--bench", str(n), str(dump), str(k)], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout)
    transcripts = [json.loads(line) for line in dump.read_text().splitlines()]
    dump.unlink()
    t0 = time.perf_counter()
    for cues in transcripts:
        texttiling(tt, [c["text"] for c in cues])
    nltk_per = (time.perf_counter() - t0) / len(transcripts)
    ours_per = rust["seconds"] / rust["transcripts"]
    print(json.dumps({
        "speed": "one-hour transcripts (900 cues)", "edupulse_transcripts": rust["transcripts"],
        "edupulse_seconds": round(rust["seconds"], 3), "edupulse_ms_per_transcript": round(1e3 * ours_per, 3),
        "nltk_transcripts": len(transcripts), "nltk_ms_per_transcript": round(1e3 * nltk_per, 1),
        "ratio": round(nltk_per / ours_per, 1),
    }))


if __name__ == "__main__":
    main()
