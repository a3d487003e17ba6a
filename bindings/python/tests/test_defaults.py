"""Defaults come from Rust (`_edupulse.defaults(name)`), never copied: the public constants and
every estimator's keyword defaults equal the Rust structs' `Default`, and using them gives the
same results as letting Rust apply its own defaults."""

import inspect

import numpy as np
import pandas as pd
import pytest

import edupulse
from edupulse import _edupulse
from edupulse.churn import BetaGeoModel, ChurnClassifier, GammaGammaModel, ParetoNBDModel
from edupulse.demand import DemandModel, GradientBoostingRegressor, RandomForestRegressor
from edupulse.leads import DEFAULT_WEIGHTS, LeadModel, LeadScorer
from edupulse.repetition import DEFAULT_PARAMETERS, FSRS

NAMES = ["btyd", "classifier", "demand", "forecast", "fsrs", "lead_model", "lead_points", "regressor", "simulate"]


def _default(cls, name):
    return inspect.signature(cls).parameters[name].default


@pytest.mark.parametrize("name", NAMES)
def test_every_name_gives_python_objects(name):
    d = _edupulse.defaults(name)
    assert isinstance(d, dict) and d
    # Fresh objects each call: changing one cannot change Rust's defaults.
    d.clear()
    assert _edupulse.defaults(name)


def test_an_unknown_name_is_a_parameter_error():
    with pytest.raises(edupulse.ParameterError) as e:
        _edupulse.defaults("nope")
    assert e.value.parameter == "name" and "lead_points" in e.value.message


def test_lead_scorer_defaults_are_rusts():
    rust = _edupulse.defaults("lead_points")
    assert DEFAULT_WEIGHTS == rust["weights"] and all(isinstance(v, float) for v in DEFAULT_WEIGHTS.values())
    for name in ("half_life_days", "hot", "warm"):
        assert _default(LeadScorer, name) == rust[name]
    # Scoring with the Python defaults sent explicitly equals Rust applying its own.
    lead_id = ["a", "a", "b", "c", "c", "c"]
    at = [0, 86_400 * 3, 86_400 * 5, 86_400, 86_400 * 2, 86_400 * 9]
    kind = ["email_open", "webinar_attended", "pricing_view", "demo_request", "email_click", "question_asked"]
    own = _edupulse.leads_score(lead_id, at, kind, None, 86_400 * 10)
    ours = _edupulse.leads_score(lead_id, at, kind, LeadScorer()._params(), 86_400 * 10)
    assert ours == own


def test_fsrs_defaults_are_rusts():
    rust = _edupulse.defaults("fsrs")
    assert list(DEFAULT_PARAMETERS) == rust["parameters"]
    for name in ("desired_retention", "maximum_interval", "enable_fuzz"):
        assert _default(FSRS, name) == rust[name]
    assert _edupulse.NativeFsrs().params() == rust
    ratings, days = [3, 3, 1, 4, 3], [0.0, 1.0, 4.0, 2.0, 9.0]
    own = _edupulse.NativeFsrs().replay(ratings, days)  # Rust applies its own defaults
    explicit = FSRS(parameters=DEFAULT_PARAMETERS).replay(ratings, days)
    explicit = tuple(explicit[c].to_numpy() for c in ("stability", "difficulty", "retrievability", "interval"))
    for a, b in zip(own, explicit):  # NaN marks the first review's retrievability: compare arrays
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("cls", [BetaGeoModel, ParetoNBDModel, GammaGammaModel])
def test_maximum_likelihood_defaults_are_rusts(cls):
    rust = _edupulse.defaults("btyd")
    assert _default(cls, "max_iter") == rust["max_iter"]
    assert _default(cls, "tolerance") == rust["tolerance"]
    assert _default(cls, "penalizer_coef") == rust["penalizer"]


def test_regressor_defaults_are_rusts():
    forest, gbdt = _edupulse.defaults("regressor")["forest"], _edupulse.defaults("regressor")["gbdt"]
    assert _default(RandomForestRegressor, "n_estimators") == forest["n_trees"]
    assert _default(RandomForestRegressor, "min_samples_leaf") == forest["min_samples_leaf"]
    assert _default(RandomForestRegressor, "max_bins") == forest["max_bins"]
    assert _default(RandomForestRegressor, "max_features") is None and forest["max_features"] == "all"
    for py, rs in [
        ("learning_rate", "learning_rate"), ("max_iter", "max_iter"), ("max_leaf_nodes", "max_leaf_nodes"),
        ("min_samples_leaf", "min_samples_leaf"), ("l2_regularization", "l2"), ("tol", "tol"),
        ("validation_fraction", "validation_fraction"), ("n_iter_no_change", "n_iter_no_change"),
    ]:
        assert _default(GradientBoostingRegressor, py) == gbdt[rs], py


def test_demand_defaults_are_rusts():
    rust = _edupulse.defaults("demand")
    assert _default(DemandModel, "n_estimators") == rust["forest"]["n_trees"]
    assert _default(DemandModel, "min_samples_leaf") == rust["forest"]["min_samples_leaf"]
    assert _default(DemandModel, "max_features") == rust["forest"]["max_features"]["fraction"]
    assert _default(DemandModel, "alpha") == rust["alpha"]
    assert _default(DemandModel, "min_category_count") == rust["min_category_count"]
    assert _default(DemandModel, "random_state") == rust["forest"]["seed"]


def test_simulate_defaults_are_rusts():
    rust = _edupulse.defaults("simulate")
    assert _default(edupulse.simulate, "students") == rust["students"]
    assert _default(edupulse.simulate, "seed") == rust["seed"]


def test_lead_model_uses_the_lead_classifier_defaults():
    rust = _edupulse.defaults("lead_model")["classifier"]
    shared = _edupulse.defaults("classifier")
    assert rust != shared  # the lead model's ridge is firmer: a test of something real
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"a": rng.poisson(1.0, 300).astype(float), "b": rng.choice(["x", "y"], 300)})
    y = rng.random(300) < 0.2 + 0.3 * (X["a"] > 1)
    lead = LeadModel(model="logistic").fit(X, y).predict_proba(X)
    explicit = ChurnClassifier(
        model="logistic", params={k: v for k, v in rust.items() if k != "model"}
    ).fit(X, y).predict_proba(X)
    plain = ChurnClassifier(model="logistic").fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(lead, explicit)
    assert not np.array_equal(lead, plain)


def test_churn_classifier_defaults_to_the_ensemble():
    assert ChurnClassifier().model == "ensemble"
    rng = np.random.default_rng(4)
    X = pd.DataFrame({"days": rng.uniform(0, 60, 200), "plan": rng.choice(["basic", "pro"], 200)})
    y = X["days"] + rng.normal(0, 10, 200) > 30
    default = ChurnClassifier().fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(default, ChurnClassifier(model="ensemble").fit(X, y).predict_proba(X))
    assert not np.array_equal(default, ChurnClassifier(model="logistic").fit(X, y).predict_proba(X))
