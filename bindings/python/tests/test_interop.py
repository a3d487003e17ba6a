"""Interchange: every table input kind (pandas, polars, pyarrow, Arrow PyCapsule stream, dict) and
every output kind (pandas, polars, arrow), checked against the pandas round trip."""

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

import edupulse
from edupulse import _interop

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")


class CapsuleOnly:
    """An object that offers nothing but the Arrow PyCapsule stream (like nanoarrow, arro3...)."""

    def __init__(self, inner):
        self._inner = inner

    def __arrow_c_stream__(self, requested_schema=None):
        return self._inner.__arrow_c_stream__(requested_schema)


INPUT_KINDS = {
    "pandas": lambda df: df,
    "polars": lambda df: pl.from_pandas(df),
    "polars-lazy": lambda df: pl.from_pandas(df).lazy(),
    "arrow-table": lambda df: pa.Table.from_pandas(df, preserve_index=False),
    "arrow-batch": lambda df: pa.RecordBatch.from_pandas(df, preserve_index=False),
    "capsule": lambda df: CapsuleOnly(pa.Table.from_pandas(df, preserve_index=False)),
    "dict": lambda df: {c: df[c].tolist() for c in df.columns},
}


@pytest.fixture(scope="module")
def small():
    return edupulse.simulate(students=25, seed=11)


@pytest.mark.parametrize("kind", sorted(INPUT_KINDS))
def test_every_input_kind_ingests_like_pandas(kind, small, tmp_path):
    convert = INPUT_KINDS[kind]
    tables = {name: convert(df) for name, df in small.items()}
    assert edupulse.validate(tables) == edupulse.validate(small)
    store = edupulse.Store(f"sqlite://{tmp_path / 'k.db'}")
    report = store.ingest(tables)
    assert report["written"] == {n: len(df) for n, df in small.items()}
    for name, df in small.items():
        pd.testing.assert_frame_equal(store.table(name), df, check_dtype=True)
    # the same data again in pandas form changes nothing
    assert sum(store.ingest(small)["written"].values()) == 0


@pytest.mark.parametrize("kind", sorted(INPUT_KINDS))
def test_every_input_kind_reports_bad_rows(kind, small):
    reviews = small["reviews"].copy()
    reviews.loc[2, "rating"] = 7
    with pytest.raises(edupulse.ValidationError) as err:
        edupulse.validate({"reviews": INPUT_KINDS[kind](reviews)})
    assert (err.value.table, err.value.row, err.value.column) == ("reviews", 3, "rating")


def test_to_frame_of_each_kind_equals_pandas(small):
    df = small["activity"]
    for kind, convert in INPUT_KINDS.items():
        got = _interop.to_frame(convert(df))
        assert list(got.columns) == list(df.columns), kind
        assert len(got) == len(df), kind
        np.testing.assert_array_equal(got["student_id"].astype(str), df["student_id"].astype(str))
        at = pd.to_datetime(got["at"], utc=True)
        pd.testing.assert_series_equal(at, df["at"], check_names=False, check_dtype=False)


def test_to_frame_of_polars_numeric_column_shares_memory():
    s = pl.DataFrame({"x": np.arange(1000, dtype=np.float64)})
    got = _interop.to_frame(s)
    assert np.shares_memory(got["x"].to_numpy(), s["x"].to_numpy())


def test_unsupported_input_is_a_type_error_naming_the_table():
    with pytest.raises(TypeError, match="table 'reviews'.*__arrow_c_stream__"):
        edupulse.validate({"reviews": 42})
    with pytest.raises(TypeError, match="expected a pandas, polars or pyarrow"):
        _interop.to_frame(3.5)


@pytest.mark.parametrize("output", ["pandas", "polars", "arrow"])
def test_outputs_round_trip(output, small, tmp_path):
    store = edupulse.Store(f"sqlite://{tmp_path / 'o.db'}")
    store.ingest(small)
    for name, df in small.items():
        got = store.table(name, output=output)
        kind = {"pandas": pd.DataFrame, "polars": pl.DataFrame, "arrow": pa.Table}[output]
        assert isinstance(got, kind)
        assert list(got.columns if output != "arrow" else got.column_names) == list(df.columns)
        # back through the input path: identical data
        back = _interop.to_frame(got)
        assert edupulse.validate({name: got}) == {name: len(df)}
        fresh = edupulse.Store("memory://")
        fresh.ingest({name: got})
        pd.testing.assert_frame_equal(fresh.table(name), df)
        assert len(back) == len(df)


def test_output_dtypes_are_native():
    sim = edupulse.simulate(students=15, seed=2, output="polars")
    a = sim["activity"]
    assert a.schema["at"] == pl.Datetime("us", "UTC") or a.schema["at"] == pl.Datetime("ns", "UTC")
    assert a.schema["student_id"] == pl.String
    assert sim["registrations"].schema["attended"] == pl.Boolean
    arrow = edupulse.simulate(students=15, seed=2, output="arrow")["activity"]
    assert pa.types.is_timestamp(arrow.schema.field("at").type)
    assert arrow.schema.field("at").type.tz == "UTC"


def test_unknown_output_is_a_parameter_error(tmp_path):
    with pytest.raises(edupulse.ParameterError) as err:
        edupulse.simulate(students=5, output="excel")
    assert err.value.parameter == "output"
    with pytest.raises(edupulse.ParameterError):
        edupulse.Store("memory://").table("reviews", output="numpy")


def test_without_pyarrow_and_polars_pandas_still_works(tmp_path):
    """pyarrow and polars are optional: hide both and use the package with pandas only."""
    code = textwrap.dedent(
        """
        import sys
        sys.modules["pyarrow"] = None   # import pyarrow -> ImportError
        sys.modules["polars"] = None
        import edupulse
        sim = edupulse.simulate(students=10, seed=1)
        assert edupulse.validate(sim) == {n: len(df) for n, df in sim.items()}
        try:
            edupulse.simulate(students=5, output="arrow")
        except ImportError as e:
            assert "pip install pyarrow" in str(e)
        else:
            raise AssertionError("no ImportError")
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_capsule_without_pyarrow_is_read_through_polars(small):
    """A bare Arrow stream is read by polars when pyarrow is missing."""
    code = textwrap.dedent(
        """
        import sys
        import polars as pl
        sys.modules["pyarrow"] = None
        import edupulse

        class CapsuleOnly:
            def __init__(self, inner):
                self._inner = inner
            def __arrow_c_stream__(self, requested_schema=None):
                return self._inner.__arrow_c_stream__(requested_schema)

        sim = edupulse.simulate(students=10, seed=1, output="polars")
        caps = {n: CapsuleOnly(df) for n, df in sim.items()}
        assert edupulse.validate(caps) == {n: df.height for n, df in sim.items()}
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
