"""Every capability function that returns a table honours ``output=`` ("pandas" by default,
"polars", "arrow") with the same rows, and takes pyarrow tables as well as pandas."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import edupulse
from edupulse import churn, demand, leads, trends


@pytest.fixture(scope="module")
def sim():
    return edupulse.simulate(students=200, seed=3)


@pytest.fixture(scope="module")
def demand_model(sim):
    return demand.DemandModel(n_estimators=10).fit(sim["webinars"], sim["registrations"])


def _calls(sim, demand_model):
    return {
        "trends.detect": lambda **o: trends.detect(sim["keyword_interest"], **o),
        "trends.related": lambda **o: trends.related(sim["related_queries"], **o),
        "churn.summary_from_transactions": lambda **o: churn.summary_from_transactions(
            sim["purchases"], "customer_id", "at", "amount", **o
        ),
        "leads.LeadScorer.score": lambda **o: leads.LeadScorer().score(sim["lead_events"], **o),
        "demand.DemandModel.predict": lambda **o: demand_model.predict(sim["webinars"].head(5), **o),
        "demand.DemandModel.best_slots": lambda **o: demand_model.best_slots(sim["webinars"].head(1), **o),
    }


@pytest.mark.parametrize(
    "name",
    [
        "trends.detect",
        "trends.related",
        "churn.summary_from_transactions",
        "leads.LeadScorer.score",
        "demand.DemandModel.predict",
        "demand.DemandModel.best_slots",
    ],
)
def test_output_kinds_hold_the_same_rows(sim, demand_model, name):
    call = _calls(sim, demand_model)[name]
    default = call()
    assert isinstance(default, pd.DataFrame) and len(default) > 0
    as_pl = call(output="polars")
    as_pa = call(output="arrow")
    assert isinstance(as_pl, pl.DataFrame) and isinstance(as_pa, pa.Table)
    assert as_pl.height == len(default) == as_pa.num_rows
    # the same values, column by column (the pandas index, if any, becomes the first column)
    flat = default.reset_index() if name.startswith("churn") else default
    assert as_pl.columns == [str(c) for c in flat.columns] == as_pa.column_names
    for c in flat.columns:
        if flat[c].dtype.kind == "f":
            assert as_pl[str(c)].to_list() == pytest.approx(flat[c].tolist(), nan_ok=True)
    with pytest.raises(edupulse.ParameterError) as e:
        call(output="excel")
    assert e.value.parameter == "output"


def test_arrow_tables_are_accepted_as_input(sim):
    ki = sim["keyword_interest"]
    want = trends.detect(ki)
    got = trends.detect(pa.Table.from_pandas(ki))
    pd.testing.assert_frame_equal(got, want)
    ev = sim["lead_events"]
    pd.testing.assert_frame_equal(
        leads.LeadScorer().score(pa.Table.from_pandas(ev)), leads.LeadScorer().score(ev)
    )
    tx = sim["purchases"]
    pd.testing.assert_frame_equal(
        churn.summary_from_transactions(pa.Table.from_pandas(tx), "customer_id", "at"),
        churn.summary_from_transactions(tx, "customer_id", "at"),
    )


def test_a_missing_transactions_column_is_named(sim):
    with pytest.raises(edupulse.ValidationError, match="student_id"):
        churn.summary_from_transactions(sim["purchases"], "student_id", "at")
