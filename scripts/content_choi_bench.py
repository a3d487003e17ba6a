#!/usr/bin/env python3
"""Build a Choi-style (3-11) segmentation benchmark from CPython's documentation topics.

Text: `pydoc_data.topics` (the reference-manual topics shipped inside CPython, under the Python
Software Foundation License; see crates/edupulse-core/testdata/content/README.md). Each sample
concatenates 10 segments; each segment is the first n sentences (n uniform in 3-11) of a topic
chosen at random, no topic twice in a sample (Choi 2000's construction, with these topics in
place of the Brown corpus). Code examples and lines with `>>>` are dropped first.

    python3 scripts/content_choi_bench.py OUT.jsonl N_SAMPLES SEED

One JSON object per line: {"sentences": [...], "boundaries": [start of each segment after the
first]}. The committed sets: dev (seed 1, tuning) and test (seed 2, reported), 100 samples each.
"""

import json
import random
import re
import sys

from pydoc_data.topics import topics


def sentences_of(text: str) -> list:
    keep = []
    for line in text.splitlines():
        if line.startswith("   ") or ">>>" in line or line.strip().startswith(("*", "+", "-", "|")):
            keep.append("\n")  # code, tables, lists end a paragraph
            continue
        keep.append(line.strip())
    paras = re.split(r"\n\s*\n|\n\n", "\n".join(keep))
    out = []
    for p in paras:
        p = " ".join(p.split())
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"(])", p):
            words = re.findall(r"[A-Za-z]+", s)
            if len(words) >= 6 and len(words) >= 0.6 * len(s.split()):
                out.append(s)
    return out


def main() -> None:
    out, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    docs = {k: sentences_of(v) for k, v in sorted(topics.items())}
    docs = {k: v for k, v in docs.items() if len(v) >= 11}
    names = sorted(docs)
    rng = random.Random(seed)
    with open(out, "w") as fh:
        for _ in range(n):
            chosen = rng.sample(names, 10)
            sents, bounds = [], []
            for i, name in enumerate(chosen):
                if i:
                    bounds.append(len(sents))
                sents.extend(docs[name][: rng.randint(3, 11)])
            fh.write(json.dumps({"sentences": sents, "boundaries": bounds}) + "\n")
    print(f"{len(names)} topics with >= 11 sentences; wrote {n} samples to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
