import pytest

import edupulse


@pytest.fixture(scope="session")
def sim():
    """A small simulated business, shared by the tests: copy a frame before changing it."""
    return edupulse.simulate(students=40, seed=3)


@pytest.fixture()
def sqlite_url(tmp_path):
    return f"sqlite://{tmp_path / 'x.db'}"
