"""Tests of the Python API: conversion, round trips, error mapping, panics."""

import datetime as dt
import multiprocessing
import os
import pickle
import threading

import numpy as np
import pandas as pd
import pytest

import edupulse
from edupulse import _edupulse

CONTRACT = {
    "keyword_interest": ["keyword", "date", "volume", "geo"],
    "webinars": [
        "webinar_id", "title", "topic", "starts_at", "duration_min",
        "industry", "role", "company_size", "timezone",
    ],
    "registrations": [
        "webinar_id", "person_id", "registered_at", "industry", "role", "company_size",
        "attended", "minutes_watched", "questions", "polls", "chat_messages",
    ],
    "students": [
        "student_id", "email", "name", "industry", "role", "company_size", "enrolled_at",
    ],
    "activity": ["student_id", "at", "kind", "value", "ref_id"],
    "purchases": ["customer_id", "at", "amount", "currency"],
    "leads": ["lead_id", "email", "source", "created_at", "industry", "role"],
    "lead_events": ["lead_id", "at", "kind", "value"],
    "reviews": ["student_id", "card_id", "at", "rating", "duration_ms"],
    "related_queries": ["keyword", "related", "value", "date", "kind"],
    "experiments": [
        "experiment_id", "kind", "metric", "control_variant", "start_at", "end_at",
        "description", "variants",
    ],
    "exposures": ["experiment_id", "variant", "unit_id", "at"],
    "keyword_topics": ["keyword", "topic", "industry"],
    "content": ["content_id", "title", "kind", "duration_s", "course_id", "position"],
    "transcript_segments": ["content_id", "start_s", "end_s", "text"],
    "concepts": ["concept_id", "name", "prerequisite_ids"],
    "card_concepts": ["card_id", "concept_id"],
    "feedback": ["feedback_id", "webinar_id", "person_id", "at", "kind", "text", "rating"],
    "content_views": ["content_id", "person_id", "at", "start_s", "end_s"],
    "quiz_results": ["student_id", "quiz_id", "concept_id", "at", "score"],
    "mentors": ["student_id", "capacity", "active"],
    "student_attributes": ["student_id", "name", "value"],
    "assessment_schedule": ["course_id", "assessment_id", "due_at", "weight"],
}


def sorted_frame(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns)).reset_index(drop=True)


# --- simulate, columns, TABLES ----------------------------------------------------------------


def test_simulate_returns_every_table_with_contract_columns(sim):
    assert list(sim) == list(edupulse.TABLES) == list(CONTRACT)
    for name, frame in sim.items():
        assert isinstance(frame, pd.DataFrame)
        assert list(frame.columns) == CONTRACT[name] == edupulse.columns(name)
    assert len(sim["students"]) == 40
    for name in ["webinars", "registrations", "activity", "purchases", "leads", "reviews"]:
        assert len(sim[name]) > 0, name


def test_simulate_dtypes_follow_column_kinds(sim):
    reviews = sim["reviews"]
    assert str(reviews["at"].dtype).startswith("datetime64") and str(reviews["at"].dt.tz) == "UTC"
    assert reviews["rating"].dtype == np.int64
    assert reviews["duration_ms"].dtype == pd.Int64Dtype()  # optional int: nullable
    assert sim["registrations"]["attended"].dtype == np.bool_
    assert sim["purchases"]["amount"].dtype == np.float64
    date = sim["keyword_interest"]["date"]
    assert str(date.dtype).startswith("datetime64") and date.dt.tz is None


def test_simulate_is_deterministic_and_seeded():
    a = edupulse.simulate(students=15, seed=11)
    b = edupulse.simulate(students=15, seed=11)
    c = edupulse.simulate(students=15, seed=12)
    for name in edupulse.TABLES:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert any(not a[n].equals(c[n]) for n in edupulse.TABLES)


def test_simulate_unknown_option_is_a_parameter_error():
    with pytest.raises(edupulse.ParameterError) as e:
        edupulse.simulate(students=5, seed=1, no_such_option=3)
    assert e.value.parameter == "no_such_option"


def test_simulate_bad_option_type_names_the_option():
    with pytest.raises(edupulse.ParameterError) as e:
        edupulse.simulate(students="many", seed=1)
    assert e.value.parameter == "students"


# --- validate ---------------------------------------------------------------------------------


def test_validate_returns_row_counts(sim):
    counts = edupulse.validate(sim)
    assert counts == {name: len(frame) for name, frame in sim.items()}


def test_validate_collapses_identical_duplicates_and_rejects_conflicts(sim):
    students = sim["students"]
    doubled = pd.concat([students, students.head(1)], ignore_index=True)
    assert edupulse.validate({"students": doubled}) == {"students": len(students)}
    conflict = doubled.copy()
    conflict.loc[len(conflict) - 1, "name"] = "Someone Else"
    with pytest.raises(edupulse.ValidationError) as e:
        edupulse.validate({"students": conflict})
    assert e.value.table == "students" and e.value.row == len(conflict)


def test_rating_of_7_names_table_row_and_column(sim):
    bad = sim["reviews"].copy()
    bad.loc[bad.index[4], "rating"] = 7
    with pytest.raises(edupulse.ValidationError) as e:
        edupulse.validate({"reviews": bad})
    err = e.value
    assert (err.table, err.row, err.column) == ("reviews", 5, "rating")
    assert err.file is None
    assert "1–4" in err.message and "row 5" in str(err)


def test_bad_date_names_table_row_and_column(sim):
    bad = sim["reviews"].copy()
    bad["at"] = bad["at"].astype(object)
    bad.loc[bad.index[2], "at"] = "not a date"
    with pytest.raises(edupulse.ValidationError) as e:
        edupulse.validate({"reviews": bad})
    assert (e.value.table, e.value.row, e.value.column) == ("reviews", 3, "at")


def test_missing_column_names_table_and_column(sim):
    bad = sim["reviews"].drop(columns=["rating"])
    with pytest.raises(edupulse.ValidationError) as e:
        edupulse.validate({"reviews": bad})
    assert (e.value.table, e.value.row, e.value.column) == ("reviews", None, "rating")


def test_missing_required_value_names_the_row(sim):
    bad = sim["students"].copy()
    bad["email"] = bad["email"].astype(object)
    bad.loc[bad.index[0], "email"] = None
    with pytest.raises(edupulse.ValidationError) as e:
        edupulse.validate({"students": bad})
    assert (e.value.table, e.value.row, e.value.column) == ("students", 1, "email")


def test_unknown_column_and_duplicate_column(sim):
    extra = sim["reviews"].assign(mood="ok")
    with pytest.raises(edupulse.ValidationError) as e:
        edupulse.validate({"reviews": extra})
    assert (e.value.table, e.value.column) == ("reviews", "mood")
    dup = pd.concat([sim["reviews"], sim["reviews"][["rating"]]], axis=1)
    with pytest.raises(edupulse.ValidationError) as e:
        edupulse.validate({"reviews": dup})
    assert (e.value.table, e.value.column) == ("reviews", "rating")


def test_unknown_table_name_is_a_validation_error(sim, sqlite_url):
    with pytest.raises(edupulse.ValidationError) as e:
        edupulse.validate({"reviewz": sim["reviews"]})
    assert e.value.table == "reviewz" and e.value.row is None and e.value.column is None
    with pytest.raises(edupulse.ValidationError) as e:
        edupulse.columns("nope")
    assert e.value.table == "nope"
    store = edupulse.Store.open(sqlite_url)
    with pytest.raises(edupulse.ValidationError) as e:
        store.table("nope")
    assert e.value.table == "nope"
    with pytest.raises(edupulse.ValidationError):
        store.ingest({"nope": sim["reviews"]})


def test_python_values_convert_like_csv_text():
    # Naive datetimes are UTC; aware ones are converted; NaN / None / NaT / pd.NA are missing;
    # integral floats are accepted for counts; numpy scalars and dates work.
    frame = pd.DataFrame(
        {
            "student_id": ["a", "b", "c", "d"],
            "card_id": ["x", "x", "x", "x"],
            "at": [
                dt.datetime(2024, 5, 1, 14, 0),
                dt.datetime(2024, 5, 1, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                pd.Timestamp("2024-05-01T14:00:00Z"),
                dt.date(2024, 5, 1),
            ],
            "rating": [np.int64(1), 2.0, 3, "4"],
            "duration_ms": [None, np.nan, pd.NA, 1500.0],
        },
    )
    assert edupulse.validate({"reviews": frame}) == {"reviews": 4}
    store = edupulse.Store.open("memory://")
    store.ingest({"reviews": frame})
    out = store.table("reviews")
    assert list(out["at"]) == [pd.Timestamp("2024-05-01T14:00:00Z")] * 3 + [
        pd.Timestamp("2024-05-01T00:00:00Z")
    ]
    assert list(out["rating"]) == [1, 2, 3, 4]
    assert out["duration_ms"].isna().tolist() == [True, True, True, False]


def test_plain_dict_of_columns_is_accepted():
    cols = {
        "keyword": ["curso IA", "curso IA"],
        "date": ["2024-05-01", "2024-05-02"],
        "volume": np.array([10.0, 12.5]),
    }
    assert edupulse.validate({"keyword_interest": cols}) == {"keyword_interest": 2}


def test_named_index_levels_become_columns(sim):
    students = sim["students"].set_index("student_id")
    assert edupulse.validate({"students": students}) == {"students": len(students)}


def test_non_mapping_input_is_a_type_error(sim):
    with pytest.raises(TypeError):
        edupulse.validate([sim["reviews"]])
    with pytest.raises(TypeError):
        edupulse.validate({"reviews": [1, 2, 3]})


# --- Store --------------------------------------------------------------------------------------


def test_round_trip_through_sqlite_equals_the_input(sim, sqlite_url):
    store = edupulse.Store.open(sqlite_url)
    report = store.ingest(sim)
    assert report["received"] == {n: len(f) for n, f in sim.items()}
    for name, frame in sim.items():
        out = store.table(name)
        assert list(out.columns) == list(frame.columns)
        pd.testing.assert_frame_equal(sorted_frame(out), sorted_frame(frame))
    # A second handle on the same file sees the same data.
    again = edupulse.Store.open(sqlite_url)
    pd.testing.assert_frame_equal(
        sorted_frame(again.table("reviews")), sorted_frame(sim["reviews"])
    )


def test_ingest_twice_changes_nothing(sim, sqlite_url):
    store = edupulse.Store.open(sqlite_url)
    first = store.ingest(sim)
    counts = store.counts()
    second = store.ingest(sim)
    assert store.counts() == counts
    assert second["received"] == first["received"]
    assert set(second["written"].values()) <= {0}
    for name, frame in sim.items():
        assert counts[name] == len(frame)


def test_ingest_is_all_or_nothing(sim, sqlite_url):
    store = edupulse.Store.open(sqlite_url)
    bad = sim["reviews"].copy()
    bad.loc[bad.index[-1], "rating"] = 0
    with pytest.raises(edupulse.ValidationError):
        store.ingest({"students": sim["students"], "reviews": bad})
    assert store.counts()["students"] == 0 and store.counts()["reviews"] == 0


def test_table_time_range_accepts_str_datetime_and_timestamp(sim):
    store = edupulse.Store.open("memory://")
    store.ingest(sim)
    reviews = sim["reviews"]
    times = reviews["at"].sort_values()
    mid = times.iloc[len(times) // 2]
    want = int((reviews["at"] >= mid).sum())
    for start in [mid, mid.to_pydatetime(), mid.isoformat()]:
        assert len(store.table("reviews", start=start)) == want
    assert len(store.table("reviews", end=mid)) == len(reviews) - want
    assert len(store.table("reviews", start=mid, end=mid)) == 0
    day = mid.date()
    assert len(store.table("reviews", start=day)) == int((reviews["at"] >= pd.Timestamp(day, tz="UTC")).sum())
    with pytest.raises(edupulse.ParameterError) as e:
        store.table("reviews", start="yesterday")
    assert e.value.parameter == "start"
    with pytest.raises(edupulse.ParameterError):
        store.table("reviews", start=mid, end=mid - pd.Timedelta(days=1))
    with pytest.raises(edupulse.ParameterError):
        store.table("reviews", end=3.5)


def test_empty_table_keeps_columns_and_dtypes():
    store = edupulse.Store.open("memory://")
    out = store.table("reviews")
    assert list(out.columns) == edupulse.columns("reviews") and len(out) == 0
    assert str(out["at"].dtype).startswith("datetime64")
    assert out["rating"].dtype == np.int64


def test_store_repr_and_bad_urls_hide_secrets():
    store = edupulse.Store.open("memory://")
    assert repr(store) == "edupulse.Store('memory://')"
    with pytest.raises(edupulse.StoreError) as e:
        edupulse.Store.open("ftp://example.invalid/x")
    assert e.value.kind == "url"
    with pytest.raises(edupulse.StoreError) as e:
        edupulse.Store.open("postgres://user:hunter2@127.0.0.1:1/edupulse")
    assert "hunter2" not in str(e.value) and "hunter2" not in repr(e.value)


def test_store_is_usable_from_threads(sim):
    store = edupulse.Store.open("memory://")
    store.ingest(sim)
    results, errors = [], []

    def work():
        try:
            results.append(len(store.table("reviews")))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [len(sim["reviews"])] * 4


def _ingest_in_child(url, frame):
    edupulse.Store.open(url).ingest({"students": frame})
    # A spawned task needs the runtime's worker threads: with the parent's runtime it never runs.
    with pytest.raises(edupulse.InternalError):
        _edupulse._panic_for_tests("task")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_child_gets_its_own_runtime(sim, tmp_path):
    # Airflow and multiprocessing fork workers: the child inherits the parent's async runtime but
    # not its threads, so the bindings must start a new one there instead of hanging.
    parent = edupulse.Store.open(f"sqlite://{tmp_path / 'parent.db'}")
    parent.ingest({"students": sim["students"]})
    with pytest.raises(edupulse.InternalError):
        _edupulse._panic_for_tests("task")  # the parent's runtime is up, with its workers
    url = f"sqlite://{tmp_path / 'child.db'}"
    child = multiprocessing.get_context("fork").Process(
        target=_ingest_in_child, args=(url, sim["students"].head(3))
    )
    child.start()
    child.join(30)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung")
    assert child.exitcode == 0
    assert edupulse.Store.open(url).counts()["students"] == 3
    assert parent.counts()["students"] == len(sim["students"])


# --- errors and panics --------------------------------------------------------------------------


def test_exception_hierarchy():
    for cls in [
        edupulse.ValidationError,
        edupulse.ParameterError,
        edupulse.StoreError,
        edupulse.ConvergenceError,
        edupulse.InternalError,
    ]:
        assert issubclass(cls, edupulse.EdupulseError)
        assert cls.__module__ == "edupulse.exceptions"
        assert getattr(edupulse.exceptions, cls.__name__) is cls
    assert issubclass(edupulse.EdupulseError, Exception)
    # Attributes exist on instances built from Python too, and survive pickling.
    err = edupulse.ValidationError("x")
    assert (err.table, err.row, err.column, err.file) == (None, None, None, None)
    assert edupulse.StoreError("x").kind is None


def test_validation_error_pickles_with_its_attributes(sim):
    bad = sim["reviews"].copy()
    bad.loc[bad.index[0], "rating"] = 9
    with pytest.raises(edupulse.ValidationError) as e:
        edupulse.validate({"reviews": bad})
    clone = pickle.loads(pickle.dumps(e.value))
    assert type(clone) is edupulse.ValidationError
    assert (clone.table, clone.row, clone.column) == ("reviews", 1, "rating")


@pytest.mark.parametrize("site", ["here", "detached", "runtime", "task"])
def test_a_rust_panic_becomes_internal_error(site):
    with pytest.raises(edupulse.InternalError) as e:
        _edupulse._panic_for_tests(site)
    assert "deliberate panic" in str(e.value)
    assert isinstance(e.value, edupulse.EdupulseError)
    # The module still works afterwards.
    assert edupulse.columns("reviews")[0] == "student_id"
    store = edupulse.Store.open("memory://")
    assert store.counts()["reviews"] == 0


def test_version_and_typing_files_are_shipped():
    import importlib.resources as resources

    assert edupulse.__version__.count(".") == 2
    files = {p.name for p in resources.files("edupulse").iterdir()}
    assert {"py.typed", "_edupulse.pyi"} <= files
    # Hand stubs never shadow an annotated .py file: only the native module has a .pyi.
    shadowing = {f for f in files if f.endswith(".pyi") and f[:-1] in files}
    assert not shadowing


# --- polars -------------------------------------------------------------------------------------


def test_polars_frames_are_accepted(sim, sqlite_url):
    pl = pytest.importorskip("polars")
    frames = {}
    for name, frame in sim.items():
        cols = {c: frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns}
        frames[name] = pl.DataFrame(cols, strict=False)
    assert edupulse.validate(frames) == {n: len(f) for n, f in sim.items()}
    store = edupulse.Store.open(sqlite_url)
    store.ingest(frames)
    for name, frame in sim.items():
        pd.testing.assert_frame_equal(sorted_frame(store.table(name)), sorted_frame(frame))
    bad = frames["reviews"].with_columns(pl.lit(7).alias("rating"))
    with pytest.raises(edupulse.ValidationError) as e:
        edupulse.validate({"reviews": bad})
    assert (e.value.table, e.value.row, e.value.column) == ("reviews", 1, "rating")
