"""Every edupulse estimator follows the scikit-learn conventions (edupulse._base): keyword-only
hyper-parameters stored unchanged, fit returns self, fitted attributes end in ``_`` and raise
NotFittedError before fit, get_params/set_params, sklearn.base.clone, pickle round trip to
identical predictions; classifiers and regressors on (X, y) work in a Pipeline and
cross_val_score."""

import copy
import importlib
import inspect
import pickle
import pkgutil

import numpy as np
import pandas as pd
import pytest

import edupulse
from edupulse._base import Estimator, NotFittedError, _estimator_classes
from edupulse.churn import BetaGeoModel, ChurnClassifier, GammaGammaModel, ParetoNBDModel
from edupulse.community import Recommender
from edupulse.demand import DemandModel, GradientBoostingRegressor, RandomForestRegressor
from edupulse.feedback import SentimentModel
from edupulse.forecast import Forecaster
from edupulse.leads import LeadModel, LeadScorer


def _tabular(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "days_inactive": rng.uniform(0, 60, n),
            "completion": rng.uniform(0, 1, n),
            "plan": rng.choice(["basic", "pro", "team"], n),
        }
    )
    y = (X["days_inactive"] / 60 - X["completion"] + rng.normal(0, 0.3, n)) > 0
    return X, y.to_numpy()


def _regression(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, 3))
    y = 3 * X[:, 0] + np.sin(6 * X[:, 1]) + rng.normal(0, 0.1, n)
    return X, y


def _btyd(seed=0, n=400):
    """(frequency, recency, T) simulated from BG/NBD (r=0.8, alpha=6, a=0.9, b=3)."""
    rng = np.random.default_rng(seed)
    f, r, T = np.zeros(n), np.zeros(n), rng.uniform(25, 40, n).round()
    for i in range(n):
        lam, p, t = rng.gamma(0.8, 1 / 6.0) , rng.beta(0.9, 3.0), 0.0
        while True:
            t += rng.exponential(1 / lam)
            if t > T[i]:
                break
            f[i], r[i] = f[i] + 1, t
            if rng.random() < p:
                break
    return f, r.round(2), T


def _daily(n=120):
    i = np.arange(n)
    return pd.Series(10.0 + i % 7 + 0.3 * np.sin(i), index=pd.date_range("2025-01-01", periods=n))


def _interactions():
    # Two blocks of users with their own items, each user missing one of their block's items.
    rows = [(f"u{u}", f"i{(u // 6) * 5 + j}", 1.0 + j) for u in range(12) for j in range(5) if j != u % 5]
    return pd.DataFrame(rows, columns=["user_id", "item_id", "weight"])


def _texts(n=90, seed=0):
    """Short Spanish chat lines: positive (True) or negative (False) words among neutral ones."""
    rng = np.random.default_rng(seed)
    pos = ["genial", "excelente", "me encantó", "muy útil", "gracias", "claro", "buenísimo"]
    neg = ["aburrido", "pésimo", "no me gustó", "confuso", "lento", "malo", "no se oye"]
    filler = ["la clase", "el audio", "hoy", "la sesión", "el ejemplo", "todo", "profe"]
    y = rng.random(n) < 0.5
    X = [
        f"{rng.choice(filler)} {rng.choice(pos if label else neg)} {rng.choice(filler)}"
        for label in y
    ]
    return X, y


_SIM = {}


def _business():
    if "b" not in _SIM:
        _SIM["b"] = edupulse.simulate(300, seed=11)
    return _SIM["b"]


class Case:
    """How to fit and predict one estimator, and a non-default hyper-parameter to set."""

    def __init__(self, make, fit, predict, param, xy=None):
        self.make, self.fit, self.predict, self.param, self.xy = make, fit, predict, param, xy


def _gg_data():
    f, _, _ = _btyd(1)
    rng = np.random.default_rng(2)
    keep = f > 0
    return f[keep], rng.gamma(4.0, 10.0, keep.sum())


CASES = {
    "BetaGeoModel": Case(
        BetaGeoModel,
        lambda m: m.fit(*_btyd()),
        lambda m: m.conditional_probability_alive(*_btyd()),
        ("penalizer_coef", 0.01),
    ),
    "ParetoNBDModel": Case(
        ParetoNBDModel,
        lambda m: m.fit(*_btyd()),
        lambda m: m.conditional_expected_number_of_purchases_up_to_time(5.0, *_btyd()),
        ("max_iter", 500),
    ),
    "GammaGammaModel": Case(
        GammaGammaModel,
        lambda m: m.fit(*_gg_data()),
        lambda m: m.conditional_expected_average_profit(*_gg_data()),
        ("tolerance", 1e-8),
    ),
    "ChurnClassifier": Case(
        ChurnClassifier,
        lambda m: m.fit(*_tabular()),
        lambda m: m.predict_proba(_tabular()[0]),
        ("model", "trees"),
        xy=_tabular,
    ),
    "LeadModel": Case(
        LeadModel,
        lambda m: m.fit(*_tabular(seed=1)),
        lambda m: m.predict_proba(_tabular(seed=1)[0]),
        ("params", {"l2": 1.0}),
        xy=lambda: _tabular(seed=1),
    ),
    "LeadScorer": Case(
        LeadScorer,
        lambda m: m.fit(),
        lambda m: m.score(_business()["lead_events"])["score"].to_numpy(),
        ("half_life_days", 7.0),
    ),
    "RandomForestRegressor": Case(
        lambda **k: RandomForestRegressor(**{"n_estimators": 20, "random_state": 0, **k}),
        lambda m: m.fit(*_regression()),
        lambda m: m.predict(_regression(seed=1)[0]),
        ("max_depth", 6),
        xy=_regression,
    ),
    "GradientBoostingRegressor": Case(
        lambda **k: GradientBoostingRegressor(**{"max_iter": 30, "random_state": 0, **k}),
        lambda m: m.fit(*_regression()),
        lambda m: m.predict(_regression(seed=1)[0]),
        ("learning_rate", 0.2),
        xy=_regression,
    ),
    "DemandModel": Case(
        lambda **k: DemandModel(**{"n_estimators": 10, **k}),
        lambda m: m.fit(_business()["webinars"], _business()["registrations"]),
        lambda m: m.predict(_business()["webinars"].head(8))[["rate", "lower", "upper"]].to_numpy(),
        ("alpha", 0.2),
    ),
    "Recommender": Case(
        lambda **k: Recommender(**{"factors": 4, "iterations": 5, **k}),
        lambda m: m.fit(_interactions()),
        lambda m: m.recommend(["u0", "u7"], k=3)["score"].to_numpy(),
        ("regularization", 0.5),
    ),
    "SentimentModel": Case(
        lambda **k: SentimentModel(**{"hash_bits": 12, **k}),
        lambda m: m.fit(*_texts()),
        lambda m: m.predict_proba(_texts(seed=1)[0]),
        ("l2", 0.01),
        xy=_texts,
    ),
    "Forecaster": Case(
        lambda **k: Forecaster(**{"horizon": 7, "calibration_origins": 3, **k}),
        lambda m: m.fit(_daily()),
        lambda m: m.predict()[["mean", "lo_80", "hi_95"]].to_numpy(),
        ("season", 14),
    ),
}


def _public_estimators():
    """Every Estimator subclass defined in a public edupulse module (not the tests' own)."""
    for info in pkgutil.iter_modules(edupulse.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"edupulse.{info.name}")
    return {
        c.__name__: c
        for c in _estimator_classes()
        if c.__module__.startswith("edupulse.") and not c.__name__.startswith("_")
    }


def test_every_public_estimator_is_covered():
    assert set(_public_estimators()) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hyper_parameters_are_keyword_only_and_stored_unchanged(name):
    case, cls = CASES[name], _public_estimators()[name]
    sig = inspect.signature(cls.__init__)
    params = [p for p in sig.parameters.values() if p.name != "self"]
    assert params and all(p.kind is p.KEYWORD_ONLY for p in params)
    defaults = {p.name: p.default for p in params}
    assert cls().get_params() == defaults
    key, value = case.param
    m = cls(**{key: value})
    assert getattr(m, key) is value and m.get_params()[key] is value
    assert m.set_params(**{key: defaults[key]}) is m and getattr(m, key) is defaults[key]
    with pytest.raises(edupulse.ParameterError):
        m.set_params(no_such_parameter=1)


@pytest.mark.parametrize("name", sorted(CASES))
def test_not_fitted_then_fit_returns_self_and_sets_underscore_attributes(name):
    case = CASES[name]
    m = case.make()
    assert not m.__sklearn_is_fitted__()
    if name != "LeadScorer":  # the points rule scores without fitting (nothing to learn)
        with pytest.raises(NotFittedError):
            case.predict(m)
    before = set(vars(m))
    assert case.fit(m) is m
    assert m.__sklearn_is_fitted__()
    fitted = [k for k in set(vars(m)) - before if not k.startswith("_")]
    assert fitted and all(k.endswith("_") for k in fitted), fitted
    unfitted = case.make()
    for attr in fitted:
        assert not hasattr(unfitted, attr)
        with pytest.raises(NotFittedError, match="not fitted"):
            getattr(unfitted, attr)
    with pytest.raises(AttributeError):
        unfitted.no_such_attribute  # an ordinary missing attribute is a plain AttributeError


@pytest.mark.parametrize("name", sorted(CASES))
def test_pickle_and_deepcopy_predict_identically(name):
    case = CASES[name]
    key, value = case.param
    m = case.fit(case.make(**{key: value}))
    expected = np.asarray(case.predict(m))
    assert np.isfinite(expected.astype(float)).all()
    for back in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m)):
        assert type(back) is type(m)
        assert back.get_params() == m.get_params()
        np.testing.assert_array_equal(np.asarray(case.predict(back)), expected)
    # unfitted estimators pickle too and stay unfitted
    u = pickle.loads(pickle.dumps(case.make(**{key: value})))
    assert getattr(u, key) == value and not u.__sklearn_is_fitted__()


@pytest.mark.parametrize("name", sorted(CASES))
def test_sklearn_clone(name):
    base = pytest.importorskip("sklearn.base")
    case = CASES[name]
    key, value = case.param
    m = case.fit(case.make(**{key: value}))
    c = base.clone(m)
    assert type(c) is type(m) and c is not m
    assert c.get_params() == m.get_params()
    assert not c.__sklearn_is_fitted__()
    np.testing.assert_array_equal(np.asarray(case.predict(case.fit(c))), np.asarray(case.predict(m)))


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.xy is not None))
def test_pipeline_and_cross_val_score(name):
    pytest.importorskip("sklearn")
    from sklearn.base import is_classifier, is_regressor
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import Pipeline

    case = CASES[name]
    X, y = case.xy()
    est = case.make()
    classifier = is_classifier(est)
    assert classifier or is_regressor(est)
    pipe = Pipeline([("model", est)]).fit(X, y)
    assert pipe.score(X, y) > (0.7 if classifier else 0.5)
    scoring = "roc_auc" if classifier else "r2"
    scores = cross_val_score(case.make(), X, y, cv=3, scoring=scoring)
    assert scores.shape == (3,) and scores.min() > (0.7 if classifier else 0.5), scores
    # Labels without signal score near chance: each fold really refits.
    rng = np.random.default_rng(9)
    noise = rng.permutation(y)
    if classifier:
        assert cross_val_score(case.make(), X, noise, cv=3, scoring=scoring).mean() < 0.65


def test_classifier_labels_keep_their_type():
    X, y = _tabular()
    as_int = ChurnClassifier(model="logistic").fit(X, y.astype(int))
    assert as_int.classes_.tolist() == [0, 1] and as_int.predict(X).dtype.kind == "i"
    as_bool = ChurnClassifier(model="logistic").fit(X, y)
    assert as_bool.predict(X).dtype == bool
    np.testing.assert_array_equal(as_int.predict(X), as_bool.predict(X).astype(int))
    with pytest.raises(edupulse.ParameterError) as err:
        ChurnClassifier().fit(X, np.where(y, "yes", "no"))
    assert err.value.parameter == "y"


def test_unknown_model_kind_is_rejected_by_rust():
    X, y = _tabular()
    with pytest.raises(edupulse.ParameterError) as err:
        ChurnClassifier(model="svm").fit(X, y)
    assert err.value.parameter == "model"
