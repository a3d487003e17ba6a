import pytest

import edupulse


@pytest.fixture(scope="session")
def sim():
    """A small simulated business, shared by the tests: copy a frame before changing it."""
    return edupulse.simulate(students=40, seed=3)


@pytest.fixture()
def sqlite_url(tmp_path):
    return f"sqlite://{tmp_path / 'x.db'}"


@pytest.fixture
def small_review_log():
    """40 cards × 5 reviews (one lapse each), sorted by time: a log `optimize` fits in milliseconds."""
    import pandas as pd

    t0 = pd.Timestamp("2024-01-01T10:00:00Z")
    rows = []
    for c in range(40):
        day = c % 5
        for k, r in enumerate([3, 3, 1, 3, 3]):
            rows.append((f"c{c}", t0 + pd.Timedelta(days=day), r))
            day += 1 + 2 * k
    log = pd.DataFrame(rows, columns=["card_id", "review_time", "review_rating"])
    return log.sort_values("review_time", kind="stable").reset_index(drop=True)
