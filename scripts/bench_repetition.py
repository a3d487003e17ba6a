#!/usr/bin/env python3
"""Scheduling throughput of edupulse (FSRS-6 batch, from Python) vs py-fsrs 6.3.2, same run.

    .venv/bin/pip install fsrs==6.3.2        # the reference implementation
    make develop MATURIN_PROFILE=release      # an optimised build of the bindings
    .venv/bin/python scripts/bench_repetition.py [N]

For N cards in review, each gets one review with a random rating: py-fsrs reviews them one by one
(`Scheduler.review_card`, fuzz off, no learning steps, so the same FSRS-6 formulas), edupulse
schedules the whole batch with `FSRS.next_states` over numpy arrays. The two must agree on the
new stability (checked). Both sides alternate over 3 rounds and the fastest pass of each is
compared (robust on a shared machine); the ratio is printed last, as JSON. When
benches/fsrs-compare/target/release/fsrs-compare exists, its figures (edupulse vs the `fsrs`
crate in Rust) are run and printed in the same run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from edupulse.repetition import FSRS


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    rng = np.random.default_rng(7)
    s = rng.uniform(0.5, 150.0, n)
    d = rng.uniform(1.0, 10.0, n)
    t = np.maximum(1.0, np.floor(rng.uniform(0.0, 2.0, n) * s))
    g = rng.integers(1, 5, n).astype(np.uint8)

    import fsrs as pyfsrs  # py-fsrs

    sched = pyfsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    now = datetime(2024, 6, 1, tzinfo=timezone.utc)
    cards = []
    for i in range(n):
        c = pyfsrs.Card(state=pyfsrs.State.Review, step=None, stability=float(s[i]),
                        difficulty=float(d[i]), due=now,
                        last_review=now - timedelta(days=int(t[i])))
        cards.append(c)
    ratings = [pyfsrs.Rating(int(x)) for x in g]
    f = FSRS()
    f.next_states(s[:1000], d[:1000], t[:1000], g[:1000])  # warm-up
    # Interleaved rounds, fastest of each side: the machine is shared, and both sides see the same
    # load when they alternate. edupulse's calls are timed as one span of `reps` calls, about as
    # long as py-fsrs's pass (a short span slips between other processes' time slices more often,
    # which would flatter the faster side).
    rounds, reps = 3, 200
    py_secs = ours_secs = float("inf")
    py_s = np.empty(n)
    for _ in range(rounds):
        t0 = time.perf_counter()
        for i in range(n):
            c, _ = sched.review_card(cards[i], ratings[i], now)
            py_s[i] = c.stability
        py_secs = min(py_secs, time.perf_counter() - t0)
        t1 = time.perf_counter()
        for _ in range(reps):
            ns, nd, ivl = f.next_states(s, d, t, g)
        ours_secs = min(ours_secs, (time.perf_counter() - t1) / reps)
    max_rel = float(np.max(np.abs(ns - py_s) / py_s))
    assert max_rel < 1e-9, max_rel

    rust = None
    exe = Path(__file__).resolve().parents[1] / "benches/fsrs-compare/target/release/fsrs-compare"
    if exe.exists():
        out = subprocess.run([str(exe), "200000"], capture_output=True, text=True, check=True)
        rust = json.loads(out.stdout.strip().splitlines()[-1])

    print(json.dumps({
        "cards": n,
        "py_fsrs_6_3_2_us_per_card": py_secs / n * 1e6,
        "edupulse_from_python_us_per_card": ours_secs / n * 1e6,
        "ratio_vs_py_fsrs": py_secs / ours_secs,
        "loadavg": Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else None,
        "max_rel_diff_stability": max_rel,
        "rust_vs_fsrs_crate": rust,
    }))


if __name__ == "__main__":
    main()
