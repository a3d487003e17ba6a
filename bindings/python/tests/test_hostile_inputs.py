"""Hostile inputs to every public entry point (issue 24, item 6, Python side).

Each case calls one entry point with a bad value and expects the documented error: a
``ValidationError`` naming table, row and column for bad data, a ``ParameterError`` naming the
real parameter for a bad parameter, ``TypeError`` only where Python itself would raise it (an
unknown keyword argument of a constructor). Never a raw KeyError/ValueError/IndexError, a pyo3
PanicException, or a silent coercion (NaN, the text 'None', a truncated number).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List

import numpy as np
import pandas as pd
import pytest

import edupulse
from edupulse import ParameterError, ValidationError
from edupulse import churn, demand, leads, repetition, trends

pl = pytest.importorskip("polars")

# --- data: Store.ingest / validate, as pandas, polars and dicts ---------------------------------

T0 = "2025-03-01T10:00:00Z"


def _reviews(**over: Any) -> Dict[str, List[Any]]:
    cols: Dict[str, List[Any]] = {
        "student_id": ["s1", "s2"],
        "card_id": ["c1", "c2"],
        "at": [T0, T0],
        "rating": [3, 4],
    }
    cols.update(over)
    return cols


def _purchases(**over: Any) -> Dict[str, List[Any]]:
    cols: Dict[str, List[Any]] = {
        "customer_id": ["s1", "s2"],
        "at": [T0, T0],
        "amount": [10.0, 20.0],
        "currency": ["EUR", "EUR"],
    }
    cols.update(over)
    return cols


def _students(**over: Any) -> Dict[str, List[Any]]:
    cols: Dict[str, List[Any]] = {
        "student_id": ["s1", "s2"],
        "email": ["a@x.org", "b@x.org"],
        "name": ["Ana", "Ben"],
        "industry": ["retail", "retail"],
        "role": ["dev", "dev"],
        "company_size": ["1-10", "1-10"],
        "enrolled_at": [T0, T0],
    }
    cols.update(over)
    return cols


def _registrations(**over: Any) -> Dict[str, List[Any]]:
    cols: Dict[str, List[Any]] = {
        "webinar_id": ["w1", "w1"],
        "person_id": ["p1", "p2"],
        "registered_at": [T0, T0],
        "industry": ["retail", "retail"],
        "role": ["dev", "dev"],
        "company_size": ["1-10", "1-10"],
        "attended": [True, False],
        "questions": [1, 0],
    }
    cols.update(over)
    return cols


# (case id, table, columns, column at fault, 1-based row at fault)
BAD_DATA = [
    ("int-with-fraction", "reviews", _reviews(rating=[3, 2.5]), "rating", 2),
    ("int-as-text", "reviews", _reviews(rating=[3, "three"]), "rating", 2),
    ("int-none-required", "reviews", _reviews(rating=[None, 3]), "rating", 1),
    ("int-bool", "reviews", _reviews(rating=[True, 3]), "rating", 1),
    ("int-inf", "reviews", _reviews(rating=[3, math.inf]), "rating", 2),
    ("optional-int-with-fraction", "registrations", _registrations(questions=[1, 0.5]), "questions", 2),
    ("float-as-text", "purchases", _purchases(amount=[10.0, "ten"]), "amount", 2),
    ("float-nan-required", "purchases", _purchases(amount=[float("nan"), 1.0]), "amount", 1),
    ("float-none-required", "purchases", _purchases(amount=[1.0, None]), "amount", 2),
    ("float-inf", "purchases", _purchases(amount=[1.0, math.inf]), "amount", 2),
    ("text-none-required", "students", _students(name=["Ana", None]), "name", 2),
    ("text-nan-required", "students", _students(email=[float("nan"), "b@x.org"]), "email", 1),
    ("datetime-garbage", "students", _students(enrolled_at=[T0, "yesterday"]), "enrolled_at", 2),
    ("datetime-none", "students", _students(enrolled_at=[None, T0]), "enrolled_at", 1),
    ("bool-garbage", "registrations", _registrations(attended=[True, "maybe"]), "attended", 2),
    ("bool-number", "registrations", _registrations(attended=[True, 2]), "attended", 2),
]

def _same(a: Any, b: Any) -> bool:
    """The same value after polars read it: both missing (None, NaN), the same number (a bool is
    not a number here), or the same text."""

    def key(v: Any) -> Any:
        if v is None or (isinstance(v, float) and v != v):
            return None
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return ("number", float(v))
        return (type(v).__name__ if isinstance(v, bool) else "text", str(v))

    return bool(key(a) == key(b))


FORMS: Dict[str, Callable[[Dict[str, List[Any]]], Any]] = {
    "dict": lambda cols: cols,
    "pandas": lambda cols: pd.DataFrame(cols),
    "polars": lambda cols: pl.DataFrame(cols, strict=False),
}


def _forms(case: Any) -> List[Any]:
    out = []
    for form in FORMS:
        cid, table, cols, column, row = case
        out.append(pytest.param(form, table, cols, column, row, id=f"{cid}-{form}"))
    return out


@pytest.mark.parametrize("entry", ["validate", "ingest"])
@pytest.mark.parametrize("form,table,cols,column,row", [p for c in BAD_DATA for p in _forms(c)])
def test_bad_values_raise_a_located_validation_error(
    entry: str, form: str, table: str, cols: Dict[str, List[Any]], column: str, row: int
) -> None:
    try:
        frame = FORMS[form](cols)
    except Exception:  # polars itself refuses this mix: nothing reaches edupulse
        pytest.skip(f"{form} cannot hold these values")
    if form == "polars" and frame[column].dtype == pl.Object:
        pytest.skip("polars keeps these values as Python objects")
    if form == "polars" and not _same(frame[column].to_list()[row - 1], cols[column][row - 1]):
        pytest.skip("polars converted the values itself (e.g. True to 1) before edupulse saw them")
    store = edupulse.Store.open("memory://")
    call = edupulse.validate if entry == "validate" else store.ingest
    with pytest.raises(ValidationError) as info:
        call({table: frame})
    err = info.value
    assert (err.table, err.column) == (table, column), str(err)
    # polars and pandas may turn a whole column into floats/None first; the row is still exact
    assert err.row == row, str(err)
    assert store.counts().get(table, 0) == 0


@pytest.mark.parametrize("form", list(FORMS))
def test_none_in_an_optional_text_column_is_missing_not_the_text_none(form: str) -> None:
    store = edupulse.Store.open("memory://")
    store.ingest({"purchases": FORMS[form](_purchases(currency=["EUR", None]))})
    stored = store.table("purchases")
    assert stored["currency"].tolist()[0] == "EUR"
    assert pd.isna(stored["currency"].tolist()[1])


# --- parameters ----------------------------------------------------------------------------------


def _events(**over: Any) -> pd.DataFrame:
    cols: Dict[str, List[Any]] = {
        "lead_id": ["ana", "ben"],
        "at": ["2025-03-01T10:00Z", "2025-03-02T10:00Z"],
        "kind": ["pricing_view", "email_open"],
    }
    cols.update(over)
    return pd.DataFrame(cols)


def _btyd_fit(**params: Any) -> Callable[[], Any]:
    f, r, t = np.array([1.0, 0.0, 2.0]), np.array([5.0, 0.0, 8.0]), np.array([10.0, 10.0, 10.0])
    return lambda: churn.BetaGeoModel(**params).fit(f, r, t)


def _published_bg() -> Any:
    model = churn.BetaGeoModel()
    model.params_ = {"r": 0.24, "alpha": 4.41, "a": 0.79, "b": 2.43}  # lifetimes' CDNOW fit
    return model


def _published_gg() -> Any:
    model = churn.GammaGammaModel()
    model.params_ = {"p": 6.25, "q": 3.74, "v": 15.45}
    return model


def _gg_fit(**params: Any) -> Callable[[], Any]:
    return lambda: churn.GammaGammaModel(**params).fit([1.0, 2.0, 3.0], [10.0, 20.0, 15.0])


XY = (pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0] * 5, "c": ["a", "b"] * 10}), [0, 1, 0, 1] * 5)


def _clf_fit(**params: Any) -> Callable[[], Any]:
    return lambda: churn.ChurnClassifier(model="logistic", **params).fit(*XY)


XR = np.arange(40, dtype=float).reshape(20, 2)
YR = np.arange(20, dtype=float)


def _forest(**params: Any) -> Callable[[], Any]:
    return lambda: demand.RandomForestRegressor(**params).fit(XR, YR)


def _gbdt(**params: Any) -> Callable[[], Any]:
    return lambda: demand.GradientBoostingRegressor(**params).fit(XR, YR)


def _demand(**params: Any) -> Callable[[], Any]:
    tables = edupulse.simulate(students=30, seed=3)
    return lambda: demand.DemandModel(**params).fit(tables["webinars"], tables["registrations"])


def _scorer(**params: Any) -> Callable[[], Any]:
    return lambda: leads.LeadScorer(**params).score(_events(), as_of="2025-03-03")


SERIES = np.r_[np.zeros(30), np.ones(30) * 5]

# (case id, call, expected .parameter)
BAD_PARAMS = [
    ("simulate-str-for-int", lambda: edupulse.simulate(students="5"), "students"),
    ("simulate-fraction", lambda: edupulse.simulate(students=2.5), "students"),
    ("simulate-negative", lambda: edupulse.simulate(students=-1), "students"),
    ("simulate-bool-for-int", lambda: edupulse.simulate(students=True), "students"),
    ("simulate-unknown", lambda: edupulse.simulate(studnets=5), "studnets"),
    ("simulate-nan", lambda: edupulse.simulate(reviewers_fraction=float("nan")), "reviewers_fraction"),
    ("threads-str", lambda: edupulse.set_num_threads("two"), "n"),
    ("threads-fraction", lambda: edupulse.set_num_threads(2.5), "n"),
    ("threads-none", lambda: edupulse.set_num_threads(None), "n"),
    ("threads-zero", lambda: edupulse.set_num_threads(0), "n"),
    ("btyd-max-iter-str", _btyd_fit(max_iter="10"), "max_iter"),
    ("btyd-max-iter-fraction", _btyd_fit(max_iter=2.5), "max_iter"),
    ("btyd-max-iter-negative", _btyd_fit(max_iter=-1), "max_iter"),
    ("btyd-tolerance-bool", _btyd_fit(tolerance=True), "tolerance"),
    ("btyd-penalizer-none", _btyd_fit(penalizer_coef=None), "penalizer_coef"),
    ("btyd-penalizer-nan", _btyd_fit(penalizer_coef=float("nan")), "penalizer_coef"),
    ("btyd-frequency-text", lambda: churn.BetaGeoModel().fit(["a", 1, 2], [1, 1, 1], [5, 5, 5]), "frequency"),
    ("btyd-clv-time-fraction", lambda: _published_gg().customer_lifetime_value(
        _published_bg(), [1.0], [5.0], [10.0], [20.0], time=1.5), "time"),
    ("gg-max-iter-str", _gg_fit(max_iter="x"), "max_iter"),
    ("clf-params-unknown", _clf_fit(params={"bogus": 1}), "bogus"),
    ("clf-params-str-for-float", _clf_fit(params={"l2": "big"}), "l2"),
    ("clf-params-fraction", _clf_fit(params={"max_iter": 2.5}), "max_iter"),
    ("clf-params-not-a-dict", _clf_fit(params=[1, 2]), "params"),
    ("clf-model-unknown", lambda: churn.ChurnClassifier(model="magic").fit(*XY), "model"),
    ("clf-explain-top-fraction", lambda: churn.ChurnClassifier(model="logistic").fit(*XY).explain(XY[0], top=1.5), "top"),
    ("forest-n-estimators-fraction", _forest(n_estimators=2.5), "n_estimators"),
    ("forest-n-estimators-str", _forest(n_estimators="10"), "n_estimators"),
    ("forest-min-leaf-negative", _forest(min_samples_leaf=-1), "min_samples_leaf"),
    ("forest-bootstrap-str", _forest(bootstrap="no"), "bootstrap"),
    ("forest-random-state-str", _forest(random_state="x"), "random_state"),
    ("forest-max-features-bad", _forest(max_features="half"), "max_features"),
    ("gbdt-learning-rate-str", _gbdt(learning_rate="0.1"), "learning_rate"),
    ("gbdt-learning-rate-bool", _gbdt(learning_rate=True), "learning_rate"),
    ("gbdt-max-iter-none", _gbdt(max_iter=None), "max_iter"),
    ("gbdt-tol-nan", _gbdt(tol=float("nan")), "tol"),
    ("demand-alpha-str", _demand(alpha="x"), "alpha"),
    ("demand-n-estimators-fraction", _demand(n_estimators=1.5), "n_estimators"),
    ("scorer-half-life-str", _scorer(half_life_days="x"), "half_life_days"),
    ("scorer-half-life-none", _scorer(half_life_days=None), "half_life_days"),
    ("scorer-weight-str", _scorer(weights={"email_open": "x"}), "weights"),
    ("scorer-hot-bool", _scorer(hot=True), "hot"),
    ("fsrs-retention-str", lambda: repetition.FSRS(desired_retention="x"), "desired_retention"),
    ("fsrs-max-interval-fraction", lambda: repetition.FSRS(maximum_interval=2.5), "maximum_interval"),
    ("fsrs-fuzz-str", lambda: repetition.FSRS(enable_fuzz="no"), "enable_fuzz"),
    ("fsrs-parameters-short", lambda: repetition.FSRS(parameters=[0.1] * 20), "parameters"),
    ("fsrs-parameters-none-inside", lambda: repetition.FSRS(parameters=[None] * 21), "parameters"),
    ("fsrs-replay-rating-fraction", lambda: repetition.FSRS().replay([1, 2.5], [0.0, 1.0]), "ratings"),
    ("fsrs-replay-rating-none", lambda: repetition.FSRS().replay([1, None], [0.0, 1.0]), "ratings"),
    ("fsrs-replay-elapsed-str", lambda: repetition.FSRS().replay([1, 3], [0.0, "x"]), "elapsed_days"),
    ("fsrs-evaluate-params-str", lambda: repetition.evaluate(
        {"card_id": ["a"], "review_time": [T0], "review_rating": [3]}, ["x"] * 21), "parameters"),
    ("trends-cp-unknown", lambda: trends.change_points(SERIES, bogus=1), "bogus"),
    ("trends-cp-str", lambda: trends.change_points(SERIES, penalty="x"), "penalty"),
    ("trends-values-text", lambda: trends.change_points(["a", "b"]), "values"),
    ("trends-anomaly-unknown", lambda: trends.anomaly_scores(SERIES, bogus=1), "bogus"),
    ("trends-detect-unknown", lambda: trends.detect(
        {"keyword": ["k"] * 3, "date": ["2025-01-01", "2025-01-08", "2025-01-15"], "volume": [1.0, 2.0, 3.0]},
        bogus=1), "bogus"),
    ("trends-related-unknown", lambda: trends.related(
        {"keyword": ["k"], "related": ["r"], "value": [100.0]}, bogus=1), "bogus"),
    ("trends-related-str", lambda: trends.related(
        {"keyword": ["k"], "related": ["r"], "value": [100.0]}, rising_pct="x"), "rising_pct"),
    # trends names a bad data column as the parameter (its convention, tests/test_trends.py)
    ("trends-detect-volume-text", lambda: trends.detect(
        {"keyword": ["k"] * 3, "date": ["2025-01-01", "2025-01-08", "2025-01-15"], "volume": [1.0, "x", 3.0]}),
        "volume"),
    ("trends-detect-keyword-none", lambda: trends.detect(
        {"keyword": ["k", None, "k"], "date": ["2025-01-01", "2025-01-08", "2025-01-15"], "volume": [1.0, 2.0, 3.0]}),
        "keyword"),
    ("trends-related-keyword-none", lambda: trends.related(
        {"keyword": ["k", None], "related": ["r", "s"], "value": [100.0, 200.0]}), "keyword"),
    ("trends-related-value-text", lambda: trends.related(
        {"keyword": ["k", "k"], "related": ["r", "s"], "value": [100.0, "lots"]}), "value"),
    ("store-run-as-of-garbage", lambda: edupulse.Store.open("memory://").run("someday"), "as_of"),
    ("store-run-config-not-a-dict", lambda: edupulse.Store.open("memory://").run("2025-03-01", config=5), "config"),
    ("store-run-steps-unknown", lambda: edupulse.Store.open("memory://").run("2025-03-01", steps=["nope"]), "steps"),
    ("store-run-steps-str", lambda: edupulse.Store.open("memory://").run("2025-03-01", steps="kpis"), "steps"),
    ("store-results-unknown", lambda: edupulse.Store.open("memory://").results("nope"), "table"),
    ("store-results-not-str", lambda: edupulse.Store.open("memory://").results(5), "table"),
    ("store-results-as-of-garbage", lambda: edupulse.Store.open("memory://").results("churn_scores", "someday"), "as_of"),
    ("store-report-lang", lambda: edupulse.Store.open("memory://").report("/tmp/x", lang="xx"), "lang"),
    ("store-report-lang-none", lambda: edupulse.Store.open("memory://").report("/tmp/x", lang=None), "lang"),
    ("store-table-start-garbage", lambda: edupulse.Store.open("memory://").table("reviews", start="someday"), "start"),
    ("output-unknown", lambda: edupulse.simulate(students=5, output="excel"), "output"),
]

# Every fit/predict above is reached through the constructor first; an unknown constructor
# keyword is a TypeError (Python's own convention for keyword arguments).
UNKNOWN_KWARGS = [
    ("BetaGeoModel", lambda: churn.BetaGeoModel(bogus=1)),
    ("ChurnClassifier", lambda: churn.ChurnClassifier(bogus=1)),
    ("RandomForestRegressor", lambda: demand.RandomForestRegressor(bogus=1)),
    ("DemandModel", lambda: demand.DemandModel(bogus=1)),
    ("LeadScorer", lambda: leads.LeadScorer(bogus=1)),
    ("FSRS", lambda: repetition.FSRS(bogus=1)),  # type: ignore[call-arg]
]


@pytest.mark.parametrize("call,parameter", [pytest.param(c, p, id=i) for i, c, p in BAD_PARAMS])
def test_bad_parameters_raise_a_named_parameter_error(call: Callable[[], Any], parameter: str) -> None:
    threads = edupulse.get_num_threads()
    try:
        with pytest.raises(ParameterError) as info:
            call()
    finally:
        edupulse.set_num_threads(threads)
    assert info.value.parameter == parameter, str(info.value)


@pytest.mark.parametrize("call", [pytest.param(c, id=i) for i, c in UNKNOWN_KWARGS])
def test_unknown_constructor_keywords_are_a_type_error(call: Callable[[], Any]) -> None:
    with pytest.raises(TypeError, match="bogus"):
        call()


# --- data given to estimators ---------------------------------------------------------------------

# (case id, call, table, column, row)
BAD_ESTIMATOR_DATA = [
    ("scorer-lead-id-none", lambda: leads.LeadScorer().score(_events(lead_id=["ana", None])), "lead_events", "lead_id", 2),
    ("scorer-kind-none", lambda: leads.LeadScorer().score(_events(kind=[None, "email_open"])), "lead_events", "kind", 1),
    ("scorer-at-garbage", lambda: leads.LeadScorer().score(_events(at=["2025-03-01T10:00Z", "soon"])), "lead_events", "at", 2),
    ("clf-predict-text-in-numeric", lambda: churn.ChurnClassifier(model="logistic").fit(*XY).predict(
        pd.DataFrame({"x": [1.0, "abc"], "c": ["a", "b"]})), "X", "x", 2),
    ("summary-customer-none", lambda: churn.summary_from_transactions(
        pd.DataFrame({"customer_id": ["a", None], "at": [T0, T0], "amount": [1.0, 2.0]}),
        "customer_id", "at", "amount", observation_period_end="2025-04-01"), "transactions", "customer_id", 2),
    ("summary-amount-text", lambda: churn.summary_from_transactions(
        pd.DataFrame({"customer_id": ["a", "b"], "at": [T0, T0], "amount": [1.0, "x"]}),
        "customer_id", "at", "amount", observation_period_end="2025-04-01"), "transactions", "amount", 2),
    ("demand-webinar-id-none", lambda: demand.DemandModel().fit(
        pd.DataFrame({"webinar_id": [None]}), pd.DataFrame({"webinar_id": ["w"]})), "webinars", None, None),
    ("repetition-card-none", lambda: repetition.optimize(
        {"card_id": ["a", None], "review_time": [T0, T0], "review_rating": [3, 3]}), "review_log", "card_id", 2),
    ("repetition-time-garbage", lambda: repetition.optimize(
        {"card_id": ["a", "a"], "review_time": [T0, "later"], "review_rating": [3, 3]}), "review_log", "review_time", 2),
]


@pytest.mark.parametrize(
    "call,table,column,row", [pytest.param(c, t, col, r, id=i) for i, c, t, col, r in BAD_ESTIMATOR_DATA]
)
def test_bad_estimator_data_raise_a_located_validation_error(
    call: Callable[[], Any], table: str, column: Any, row: Any
) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    err = info.value
    assert err.table == table, str(err)
    if column is not None:
        assert (err.column, err.row) == (column, row), str(err)
