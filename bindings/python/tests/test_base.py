"""The shared estimator base (edupulse._base): scikit-learn conventions without scikit-learn,
and real scikit-learn interoperability when it is installed."""

import copy
import pickle
import struct

import numpy as np
import pytest

import edupulse
from edupulse._base import (
    ClassifierMixin,
    Estimator,
    NotFittedError,
    RegressorMixin,
    _check_fitted,
)


class Threshold(ClassifierMixin, Estimator):
    """A one-feature classifier: class 1 above the midpoint of the class means (+ margin).

    Its fitted state round-trips through bytes like the Rust models' serde state."""

    def __init__(self, *, margin: float = 0.0, column: int = 0) -> None:
        self.margin = margin
        self.column = column

    def fit(self, X, y):
        x = np.asarray(X, dtype=float)[:, self.column]
        y = np.asarray(y).astype(bool)
        self.cut_ = (x[y].mean() + x[~y].mean()) / 2 + self.margin
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        _check_fitted(self)
        return np.asarray(X, dtype=float)[:, self.column] > self.cut_

    def _state(self):
        return struct.pack("<dq", self.cut_, self.n_features_in_)

    def _from_state(self, state):
        self.cut_, self.n_features_in_ = struct.unpack("<dq", state)


class Scale(RegressorMixin, Estimator):
    """y ≈ factor · x with a wrapped sub-estimator as a hyper-parameter (nested params); no
    _state hook, so pickling falls back to __dict__."""

    def __init__(self, *, inner: "Threshold | None" = None, factor: float = 1.0) -> None:
        self.inner = inner
        self.factor = factor

    def fit(self, X, y):
        x = np.asarray(X, dtype=float)[:, 0]
        self.coef_ = float(np.dot(x, y) / np.dot(x, x)) * self.factor
        return self

    def predict(self, X):
        _check_fitted(self)
        return np.asarray(X, dtype=float)[:, 0] * self.coef_


def data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.5
    x = rng.normal(size=(n, 2))
    x[:, 0] += np.where(y, 2.0, -2.0)
    return x, y


def test_params_round_trip_and_repr():
    t = Threshold(margin=0.5)
    assert t.get_params() == {"column": 0, "margin": 0.5}
    assert repr(t) == "Threshold(margin=0.5)"
    assert repr(Threshold()) == "Threshold()"
    assert t.set_params(column=1) is t and t.column == 1
    s = Scale(inner=Threshold(margin=1.0))
    deep = s.get_params()
    assert deep["inner__margin"] == 1.0 and deep["inner"] is s.inner and deep["factor"] == 1.0
    assert set(s.get_params(deep=False)) == {"inner", "factor"}
    s.set_params(inner__margin=2.0, factor=3.0)
    assert s.inner.margin == 2.0 and s.factor == 3.0
    assert repr(s) == "Scale(factor=3.0, inner=Threshold(margin=2.0))"


def test_unknown_parameter_is_named():
    with pytest.raises(edupulse.ParameterError) as err:
        Threshold().set_params(margn=1)
    assert err.value.parameter == "margn"
    assert "margin" in str(err.value)


def test_positional_or_var_hyper_parameters_are_rejected_at_class_definition():
    with pytest.raises(TypeError, match="keyword-only"):

        class Positional(Estimator):
            def __init__(self, alpha=1.0):
                self.alpha = alpha

    with pytest.raises(TypeError, match="keyword-only"):

        class Kwargs(Estimator):
            def __init__(self, **params):
                self.params = params


def test_not_fitted_error_is_in_the_tree_and_sklearn_compatible():
    assert issubclass(NotFittedError, edupulse.EdupulseError)
    assert issubclass(NotFittedError, ValueError)
    assert issubclass(NotFittedError, AttributeError)
    assert edupulse.NotFittedError is NotFittedError
    t = Threshold()
    with pytest.raises(NotFittedError, match="Threshold instance is not fitted"):
        t.predict(np.zeros((1, 2)))
    assert not t.__sklearn_is_fitted__()
    x, y = data()
    assert t.fit(x, y) is t and t.__sklearn_is_fitted__()
    _check_fitted(t)
    _check_fitted(t, ["cut_"])
    with pytest.raises(NotFittedError):
        _check_fitted(t, ["missing_"])


def test_pickle_goes_through_state_hook_and_predicts_identically():
    x, y = data()
    t = Threshold(margin=0.1).fit(x, y)
    blob = pickle.dumps(t)
    state = t.__getstate__()
    assert state["state"] == struct.pack("<dq", t.cut_, 2)
    assert set(state["params"]) == {"margin", "column"}
    back = pickle.loads(blob)
    assert type(back) is Threshold and back.get_params() == t.get_params()
    np.testing.assert_array_equal(back.predict(x), t.predict(x))
    assert back.cut_ == t.cut_
    # unfitted estimators pickle too, and stay unfitted
    u = pickle.loads(pickle.dumps(Threshold(column=1)))
    assert u.column == 1 and not u.__sklearn_is_fitted__()
    # deepcopy goes through the same hooks
    c = copy.deepcopy(t)
    assert c.cut_ == t.cut_ and c is not t


def test_pickle_without_state_hook_falls_back_to_dict():
    x, y = data()
    s = Scale(inner=Threshold(margin=2.0), factor=2.0).fit(x, x[:, 0] * 3)
    back = pickle.loads(pickle.dumps(s))
    assert back.coef_ == s.coef_ and back.inner.margin == 2.0


def test_pickle_of_another_format_is_refused():
    x, y = data()
    state = Threshold().fit(x, y).__getstate__()
    state["format"] = 99
    t = Threshold.__new__(Threshold)
    with pytest.raises(edupulse.EdupulseError, match="format 99"):
        t.__setstate__(state)


PUBLIC_MODULES = ["edupulse", "edupulse._base", "edupulse.certify", "edupulse.churn",
                  "edupulse.community", "edupulse.content", "edupulse.demand", "edupulse.exceptions",
                  "edupulse.experiments", "edupulse.feedback", "edupulse.forecast", "edupulse.io", "edupulse.kpi", "edupulse.leads", "edupulse.repetition",
                  "edupulse.trends"]


def test_every_public_module_is_doctested():
    import pkgutil

    public = {f"edupulse.{m.name}" for m in pkgutil.iter_modules(edupulse.__path__) if not m.name.startswith("_")}
    assert public | {"edupulse", "edupulse._base"} == set(PUBLIC_MODULES)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_docstring_examples_run(name):
    """Every public module's docstrings carry runnable examples, and they pass."""
    import doctest
    import importlib

    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 3 and result.failed == 0, result


def test_mixins_score():
    x, y = data()
    t = Threshold().fit(x, y)
    assert t.score(x, y) == pytest.approx(np.mean(t.predict(x) == y))
    s = Scale().fit(x, x[:, 0] * 3.0)
    assert s.score(x, x[:, 0] * 3.0) == pytest.approx(1.0)


# --- with scikit-learn -----------------------------------------------------------------------


def test_sklearn_clone_pipeline_cross_val_score():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.base import clone, is_classifier, is_regressor
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils.validation import check_is_fitted

    t = Threshold(margin=0.25)
    c = clone(t)
    assert c is not t and c.get_params() == t.get_params()
    assert is_classifier(t) and is_regressor(Scale()) and not is_classifier(Scale())

    x, y = data(300)
    from sklearn.exceptions import NotFittedError as SkNotFitted

    with pytest.raises(SkNotFitted):  # sklearn's check sees our __sklearn_is_fitted__
        check_is_fitted(t)
    fitted = t.fit(x, y)
    check_is_fitted(fitted)
    assert not hasattr(clone(fitted), "cut_")  # clone is unfitted

    pipe = Pipeline([("scale", StandardScaler()), ("clf", Threshold())])
    pipe.fit(x, y)
    assert pipe.score(x, y) > 0.9
    pipe.set_params(clf__margin=0.1)
    assert pipe.named_steps["clf"].margin == 0.1
    pipe2 = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(pipe2.predict(x), pipe.predict(x))

    scores = cross_val_score(Threshold(), x, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.9
    # A feature without signal scores near chance: cross-validation really refits per fold.
    noise = cross_val_score(Threshold(column=1), x, y, cv=3)
    assert noise.mean() < 0.75

    grid = GridSearchCV(Threshold(), {"column": [0, 1]}, cv=3).fit(x, y)
    assert grid.best_params_ == {"column": 0}
    assert int(sklearn.__version__.split(".")[0]) >= 1


def test_sklearn_tags():
    pytest.importorskip("sklearn")
    from sklearn.utils import get_tags

    assert get_tags(Threshold()).estimator_type == "classifier"
    assert get_tags(Threshold()).target_tags.required
    assert get_tags(Scale()).estimator_type == "regressor"
