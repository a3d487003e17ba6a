"""edupulse.exceptions: one module with every class, the standard bases (ValueError, OSError),
and the same attributes whether Rust or Python code raised the error."""

import errno
import importlib
import pickle

import numpy as np
import pandas as pd
import pytest

import edupulse
from edupulse import _edupulse
from edupulse.leads import LeadScorer

ALL = [
    "ConvergenceError",
    "EdupulseError",
    "EdupulseIOError",
    "InternalError",
    "NotFittedError",
    "ParameterError",
    "StepFailedError",
    "StoreError",
    "StoreIOError",
    "ValidationError",
]


def test_import_edupulse_exceptions_holds_every_class():
    exceptions = importlib.import_module("edupulse.exceptions")
    assert sorted(exceptions.__all__) == ALL
    for name in ALL:
        cls = getattr(exceptions, name)
        assert getattr(edupulse, name) is cls, name
        assert issubclass(cls, edupulse.EdupulseError)
    # The native module defines no classes of its own: only the ones above are ever raised.
    assert not [n for n in dir(_edupulse) if n.endswith("Error")]


def test_standard_bases():
    assert issubclass(edupulse.ValidationError, ValueError)
    assert issubclass(edupulse.ParameterError, ValueError)
    assert issubclass(edupulse.NotFittedError, ValueError)
    assert issubclass(edupulse.NotFittedError, AttributeError)
    assert issubclass(edupulse.EdupulseIOError, OSError)
    assert issubclass(edupulse.StoreIOError, OSError)
    assert issubclass(edupulse.StoreIOError, edupulse.StoreError)
    assert not issubclass(edupulse.StoreError, OSError)
    assert not issubclass(edupulse.ConvergenceError, ValueError)


def test_a_rust_validation_error_is_a_value_error(sim):
    bad = sim["reviews"].copy()
    bad.loc[bad.index[1], "rating"] = 9
    with pytest.raises(ValueError) as e:
        edupulse.validate({"reviews": bad})
    assert type(e.value) is edupulse.ValidationError
    assert (e.value.table, e.value.row, e.value.column) == ("reviews", 2, "rating")


def test_a_rust_parameter_error_is_a_value_error():
    with pytest.raises(ValueError) as e:
        edupulse.simulate(students=10, no_such_option=1)
    assert type(e.value) is edupulse.ParameterError
    assert e.value.parameter == "no_such_option"
    assert str(e.value).startswith("invalid parameter `no_such_option`: ")


@pytest.mark.parametrize(
    "cls, attributes",
    [
        (edupulse.ValidationError, {"table": "reviews", "row": 3, "column": "rating", "file": "r.csv"}),
        (edupulse.ValidationError, {"table": "reviews"}),
        (edupulse.ParameterError, {"parameter": "alpha"}),
        (edupulse.ConvergenceError, {"model": "BG/NBD"}),
        (edupulse.EdupulseIOError, {"path": "/x/y.csv", "errno": errno.ENOENT}),
        (edupulse.StoreError, {"kind": "corrupt"}),
        (edupulse.StoreIOError, {"kind": "backend", "path": "/x.db", "errno": errno.ENOTDIR}),
        (edupulse.InternalError, {}),
    ],
)
def test_python_raised_errors_carry_the_attributes_and_pickle(cls, attributes):
    err = cls(message="what went wrong", **attributes)
    assert err.message == "what went wrong"
    for name in cls._attributes:
        assert getattr(err, name) == attributes.get(name, "what went wrong" if name == "message" else None)
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is cls and str(clone) == str(err) and clone.args == err.args
    for name in cls._attributes:
        assert getattr(clone, name) == getattr(err, name), name
    with pytest.raises(TypeError):
        cls(message="x", no_such_attribute=1)


def test_validation_text_is_composed_like_rusts(sim):
    bad = sim["reviews"].copy()
    bad.loc[bad.index[4], "rating"] = 7
    with pytest.raises(edupulse.ValidationError) as e:
        edupulse.validate({"reviews": bad})
    rust = e.value
    rebuilt = edupulse.ValidationError(
        table=rust.table, row=rust.row, column=rust.column, file=rust.file, message=rust.message
    )
    assert str(rebuilt) == str(rust)
    assert str(rust).startswith("table 'reviews', row 5, column 'rating': ")


def test_errors_raised_by_python_code_name_the_place():
    with pytest.raises(edupulse.ValidationError) as e:
        LeadScorer().score(pd.DataFrame({"lead_id": ["a"], "at": ["2025-01-01T00:00Z"]}))
    assert (e.value.table, e.value.row, e.value.column) == ("lead_events", None, "kind")
    with pytest.raises(edupulse.ParameterError) as e:
        edupulse.simulate(students=5, output="excel")
    assert e.value.parameter == "output" and "excel" in e.value.message
    with pytest.raises(edupulse.ParameterError) as e:
        LeadScorer().set_params(no_such=1)
    assert e.value.parameter == "no_such"
    with pytest.raises(edupulse.ParameterError) as e:
        edupulse.churn.ChurnClassifier(model="logistic").fit(np.zeros((4, 1)), [0, 1, 2, 1])
    assert e.value.parameter == "y"


def test_a_folder_that_cannot_be_created_is_an_os_error(sim, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError) as e:
        edupulse.write_csv_dir({"students": sim["students"].head(2)}, blocker / "out")
    err = e.value
    assert type(err) is edupulse.EdupulseIOError
    assert err.errno in (errno.ENOTDIR, errno.EEXIST)
    assert err.path == str(blocker / "out") and err.filename == err.path
    assert err.message and err.strerror == err.message
    assert str(err) == f"{err.path}: {err.message}"


def test_a_sqlite_folder_that_cannot_be_created_is_a_store_io_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError) as e:
        edupulse.Store.open(f"sqlite://{blocker / 'sub' / 'x.db'}")
    err = e.value
    assert isinstance(err, edupulse.StoreError) and type(err) is edupulse.StoreIOError
    assert err.kind == "backend" and err.errno == errno.ENOTDIR
    assert err.path == str(blocker / "sub" / "x.db")
    # Store errors without an OS error stay plain StoreErrors.
    with pytest.raises(edupulse.StoreError) as e:
        edupulse.Store.open("ftp://example.invalid/x")
    assert not isinstance(e.value, OSError) and e.value.kind == "url"


def test_step_failed_error_pickles_with_its_summary():
    summary = {"failed_steps": ["churn"], "steps": {"churn": {"error": "boom"}}}
    err = edupulse.StepFailedError(summary)
    assert err.failed_steps == ["churn"] and str(err) == "1 step(s) failed: churn: boom"
    clone = pickle.loads(pickle.dumps(err))
    assert clone.summary == summary and clone.failed_steps == ["churn"] and str(clone) == str(err)
