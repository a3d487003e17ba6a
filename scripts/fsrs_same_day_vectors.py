#!/usr/bin/env python3
"""Random FSRS-6 review sequences with same-day reviews, replayed by py-fsrs 6.3.2 (the reference).

Writes a CSV (one row per review): seq, pos, rating, elapsed_days, stability, difficulty, interval.
Each sequence is 2-9 reviews with random ratings 1-4; about 40 % of the gaps are 0 days (same day),
the rest 1-40 days. py-fsrs's `Scheduler` runs with no learning/relearning steps and no fuzz, so each
review is scored by the FSRS formulas alone (same-day reviews take the short-term path).

    pip install fsrs==6.3.2
    python scripts/fsrs_same_day_vectors.py OUT.csv [N_SEQUENCES] [SEED]

`make fsrs-reference` regenerates it in the same run as the Rust test that compares against it
(crates/edupulse-core/src/repetition/fsrs/tests.rs, `random_same_day_sequences_match_py_fsrs`);
the committed copy is crates/edupulse-core/testdata/fsrs/same_day_random.csv (600 sequences, seed 23).
"""

import csv
import random
import sys
from datetime import datetime, timedelta, timezone

import fsrs  # py-fsrs
from importlib.metadata import version


def main() -> None:
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 23
    assert version("fsrs") == "6.3.2", version("fsrs")
    rng = random.Random(seed)
    sched = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    t0 = datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["seq", "pos", "rating", "elapsed_days", "stability", "difficulty", "interval"])
        for s in range(n):
            card = fsrs.Card(due=t0)
            now = t0
            length = rng.randint(2, 9)
            for pos in range(length):
                gap = 0 if pos == 0 or rng.random() < 0.4 else rng.randint(1, 40)
                now = now + timedelta(days=gap)
                rating = rng.randint(1, 4)
                card, _ = sched.review_card(card, fsrs.Rating(rating), review_datetime=now)
                ivl = (card.due - now).days
                w.writerow([s, pos, rating, gap, repr(card.stability), repr(card.difficulty), ivl])


if __name__ == "__main__":
    main()
