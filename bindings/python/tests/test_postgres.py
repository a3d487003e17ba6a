"""edupulse.Store on PostgreSQL: `make test` starts a throw-away server and sets
EDUPULSE_TEST_POSTGRES_URL (scripts/with-postgres.sh). Under CI the tests fail without it."""

import os
import uuid

import pandas as pd
import pytest

import edupulse

URL = os.environ.get("EDUPULSE_TEST_POSTGRES_URL", "")


@pytest.fixture()
def pg_url():
    if not URL:
        if os.environ.get("CI") == "true":
            pytest.fail("EDUPULSE_TEST_POSTGRES_URL is not set (run through scripts/with-postgres.sh)")
        pytest.skip("no PostgreSQL: run `make test` or scripts/with-postgres.sh")
    return f"{URL}?schema=py_{uuid.uuid4().hex[:12]}"


def test_round_trip_through_postgres_equals_the_input(sim, pg_url):
    store = edupulse.Store.open(pg_url)
    assert "edupulse-test-pw" not in store.url and "127.0.0.1" in store.url
    report = store.ingest(sim)
    assert report["received"] == {n: len(f) for n, f in sim.items()}
    for name, frame in sim.items():
        out = store.table(name)
        key = list(frame.columns)
        pd.testing.assert_frame_equal(
            out.sort_values(key).reset_index(drop=True),
            frame.sort_values(key).reset_index(drop=True),
        )
    again = edupulse.Store.open(pg_url).ingest(sim)
    assert set(again["written"].values()) <= {0}


def test_wrong_password_is_a_store_error_naming_the_host_only(pg_url):
    host_part = URL.split("@", 1)[1]
    bad = f"postgres://postgres:Wr0ngPw-py@{host_part}"
    with pytest.raises(edupulse.StoreError) as err:
        edupulse.Store.open(bad)
    text = str(err.value)
    assert "127.0.0.1" in text
    assert "Wr0ngPw-py" not in text
