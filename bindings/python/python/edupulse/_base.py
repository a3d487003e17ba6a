"""The scikit-learn conventions every edupulse estimator follows, in one base class.

``Estimator`` gives a subclass, from nothing but its ``__init__`` signature:

- ``get_params`` / ``set_params`` (nested ``step__param`` keys too), so ``sklearn.base.clone``,
  ``Pipeline``, ``GridSearchCV`` and ``cross_val_score`` work when scikit-learn is installed;
- a ``__repr__`` listing the hyper-parameters that differ from their defaults;
- pickling (and ``copy.deepcopy``) through two hooks the subclass implements: ``_state()`` returns
  the fitted model as bytes (serde from Rust) and ``_from_state(state)`` restores it, so a pickled
  model predicts exactly like the original and never depends on Python object layouts;
- ``__sklearn_tags__`` / ``__sklearn_is_fitted__`` / ``_estimator_type``, built lazily: importing
  edupulse never imports scikit-learn, and nothing needs it.

The subclass keeps these rules (checked when the class is defined, where they can be):

- hyper-parameters are keyword-only arguments of ``__init__`` with defaults, stored unchanged
  under their own names (validation happens in ``fit``, in Rust);
- ``fit`` returns ``self``; fitted attributes end in ``_`` (``params_``, ``n_features_in_``);
- methods that need a fitted model call ``_check_fitted(self)`` first, which raises
  ``edupulse.NotFittedError``; reading a fitted attribute (``params_``) before ``fit`` raises it
  too (it is also an ``AttributeError``, so ``hasattr`` says False);
- long fits take ``progress=`` (``_watch``): a tqdm bar (or lines on stderr) while the fit runs
  in Rust with the GIL released; Ctrl-C stops the fit between trees / rounds / iterations.

Example::

    >>> from edupulse._base import Estimator, _check_fitted
    >>> class Mean(Estimator):
    ...     def __init__(self, *, shift: float = 0.0) -> None:
    ...         self.shift = shift
    ...     def fit(self, X, y=None):
    ...         self.mean_ = sum(X) / len(X)
    ...         return self
    ...     def predict(self, X):
    ...         _check_fitted(self)
    ...         return [self.mean_ + self.shift for _ in X]
    >>> Mean(shift=1.0)
    Mean(shift=1.0)
    >>> Mean().fit([1.0, 3.0]).predict([0, 0])
    [2.0, 2.0]
"""

from __future__ import annotations

import contextlib
import inspect
import sys
import time
from typing import Any, Callable, ClassVar, Dict, Iterable, Iterator, List, Optional, Type, TypeVar

from ._edupulse import __version__
from .exceptions import EdupulseError, NotFittedError, ParameterError

__all__ = [
    "ClassifierMixin",
    "Estimator",
    "NotFittedError",
    "RegressorMixin",
    "TransformerMixin",
]

_E = TypeVar("_E", bound="Estimator")


def _check_fitted(estimator: Any, attributes: Optional[Iterable[str]] = None) -> None:
    """Raise ``NotFittedError`` unless ``estimator`` is fitted.

    Fitted means: every name in ``attributes`` is set, or (without ``attributes``) the estimator's
    ``__sklearn_is_fitted__()`` says so; for other objects, some public attribute ends in ``_``.
    """
    if attributes is not None:
        fitted = all(getattr(estimator, name, None) is not None for name in attributes)
    elif hasattr(estimator, "__sklearn_is_fitted__"):
        fitted = bool(estimator.__sklearn_is_fitted__())
    else:
        fitted = _has_fitted_attributes(estimator)
    if not fitted:
        raise NotFittedError(
            f"this {type(estimator).__name__} instance is not fitted yet: call fit() first"
        )


def _has_fitted_attributes(obj: Any) -> bool:
    return any(k.endswith("_") and not k.startswith("_") for k in getattr(obj, "__dict__", {}))


class Estimator:
    """Base class of edupulse estimators (scikit-learn conventions; see the module docstring).

    Subclasses with a fitted state implement ``_state() -> bytes`` and ``_from_state(bytes)``;
    without them, pickling falls back to the instance ``__dict__``.
    """

    #: "classifier", "regressor", "transformer" or None; set by the mixins below.
    _estimator_type: ClassVar[Optional[str]] = None
    #: Format version of what ``__getstate__`` returns; bump it when the layout changes.
    _pickle_version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls._param_names()  # fail at class definition, not at first get_params()

    # --- hyper-parameters ---------------------------------------------------------------------

    @classmethod
    def _param_names(cls) -> List[str]:
        """Names of the ``__init__`` hyper-parameters, sorted (as scikit-learn does)."""
        init = cls.__init__
        if init is object.__init__:
            return []
        names = []
        for p in inspect.signature(init).parameters.values():
            if p.name == "self":
                continue
            if p.kind is not inspect.Parameter.KEYWORD_ONLY:
                raise TypeError(
                    f"{cls.__name__}.__init__: hyper-parameter {p.name!r} must be keyword-only "
                    f"with a default (write `def __init__(self, *, {p.name}=...)`); "
                    "*args and **kwargs are not allowed either"
                )
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        """The hyper-parameters as ``{name: value}``; with ``deep``, also ``name__sub`` entries of
        hyper-parameters that are estimators themselves."""
        out: Dict[str, Any] = {}
        for name in self._param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params(deep=True).items())
            out[name] = value
        return out

    def set_params(self: _E, **params: Any) -> _E:
        """Set hyper-parameters (``name`` or nested ``name__sub``); returns ``self``.

        An unknown name raises ``ParameterError``. Values are checked by the next ``fit``.
        """
        if not params:
            return self
        valid = self._param_names()
        nested: Dict[str, Dict[str, Any]] = {}
        for key, value in params.items():
            name, sep, sub = key.partition("__")
            if name not in valid:
                raise ParameterError(
                    parameter=name,
                    message=f"unknown parameter for {type(self).__name__}; "
                    f"valid parameters: {', '.join(valid) or '(none)'}",
                )
            if sep:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        defaults = {
            p.name: p.default
            for p in inspect.signature(type(self).__init__).parameters.values()
            if p.default is not inspect.Parameter.empty
        }
        shown = []
        for name, value in self.get_params(deep=False).items():
            default = defaults.get(name, inspect.Parameter.empty)
            if default is not inspect.Parameter.empty and _same(value, default):
                continue
            shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    # --- fitted state -------------------------------------------------------------------------

    def __sklearn_is_fitted__(self) -> bool:
        """True once ``fit`` has set a fitted attribute (a public name ending in ``_``)."""
        return _has_fitted_attributes(self)

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes that are not set: a fitted one (``params_``) means "not
        # fitted yet" (NotFittedError is an AttributeError, so hasattr() still says False).
        if name.endswith("_") and not name.startswith("_"):
            raise NotFittedError(
                f"this {type(self).__name__} instance is not fitted yet: call fit() before "
                f"reading {name!r}"
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _state(self) -> Any:
        """The fitted model as bytes (serde from Rust). Called only on fitted estimators.

        Return ``NotImplemented`` (the default) to pickle the instance ``__dict__`` instead.
        """
        return NotImplemented

    def _from_state(self, state: Any) -> None:
        """Restore every fitted attribute from what ``_state()`` returned."""
        raise NotImplementedError(f"{type(self).__name__} must implement _from_state")

    def __getstate__(self) -> Dict[str, Any]:
        fitted = self.__sklearn_is_fitted__()
        state = self._state() if fitted else None
        if state is NotImplemented:
            return {"__dict__": dict(self.__dict__), "edupulse": __version__}
        return {
            "format": self._pickle_version,
            "edupulse": __version__,
            "params": self.get_params(deep=False),
            "state": state,
        }

    def __setstate__(self, data: Dict[str, Any]) -> None:
        if "__dict__" in data:
            self.__dict__.update(data["__dict__"])
            return
        if data.get("format") != self._pickle_version:
            raise EdupulseError(
                f"cannot unpickle {type(self).__name__}: format {data.get('format')!r} "
                f"(written by edupulse {data.get('edupulse')}), expected {self._pickle_version}"
            )
        for name, value in data["params"].items():
            setattr(self, name, value)
        if data["state"] is not None:
            self._from_state(data["state"])

    # --- scikit-learn integration (lazy: scikit-learn is imported only by scikit-learn) ---------

    def __sklearn_tags__(self) -> Any:
        """scikit-learn ≥ 1.6 tags; override and adjust ``super().__sklearn_tags__()`` as needed."""
        from sklearn.utils import (  # type: ignore[import-untyped]  # only scikit-learn calls this
            ClassifierTags,
            InputTags,
            RegressorTags,
            Tags,
            TargetTags,
            TransformerTags,
        )

        kind = self._estimator_type
        return Tags(
            estimator_type=kind,
            target_tags=TargetTags(required=kind in ("classifier", "regressor")),
            transformer_tags=TransformerTags() if kind == "transformer" else None,
            classifier_tags=ClassifierTags() if kind == "classifier" else None,
            regressor_tags=RegressorTags() if kind == "regressor" else None,
            input_tags=InputTags(),
        )


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(type(a) is type(b) and a == b)
    except Exception:  # arrays and other objects without a boolean ==
        return False


class ClassifierMixin:
    """Mix in before ``Estimator`` for classifiers: ``score`` is the accuracy of ``predict``."""

    _estimator_type: ClassVar[Optional[str]] = "classifier"

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of ``self.predict(X)`` against ``y`` (weighted by ``sample_weight``)."""
        import numpy as np

        pred = np.asarray(self.predict(X)).reshape(-1)  # type: ignore[attr-defined]
        truth = np.asarray(y).reshape(-1)
        return float(np.average(pred == truth, weights=sample_weight))


class RegressorMixin:
    """Mix in before ``Estimator`` for regressors: ``score`` is the R² of ``predict``."""

    _estimator_type: ClassVar[Optional[str]] = "regressor"

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Coefficient of determination R² of ``self.predict(X)`` against ``y``."""
        import numpy as np

        pred = np.asarray(self.predict(X), dtype=float).reshape(-1)  # type: ignore[attr-defined,type-var]
        truth = np.asarray(y, dtype=float).reshape(-1)
        w = np.ones_like(truth) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        mean = np.average(truth, weights=w)
        ss_res = float(np.sum(w * (truth - pred) ** 2))
        ss_tot = float(np.sum(w * (truth - mean) ** 2))
        if ss_tot == 0.0:
            return 1.0 if ss_res == 0.0 else 0.0
        return 1.0 - ss_res / ss_tot


class TransformerMixin:
    """Mix in before ``Estimator`` for transformers: ``fit_transform`` = ``fit`` then ``transform``."""

    _estimator_type: ClassVar[Optional[str]] = "transformer"

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """``self.fit(X, y, **fit_params).transform(X)``."""
        return self.fit(X, y, **fit_params).transform(X)  # type: ignore[attr-defined]


def _estimator_classes() -> List[Type[Estimator]]:
    """Every ``Estimator`` subclass defined so far (for tests that check them all)."""
    out: List[Type[Estimator]] = []
    todo = list(Estimator.__subclasses__())
    while todo:
        cls = todo.pop()
        out.append(cls)
        todo.extend(cls.__subclasses__())
    return out


@contextlib.contextmanager
def _watch(progress: Any, desc: str) -> Iterator[Optional[Callable[[int, int, int], None]]]:
    """The ``progress`` callback of a native fit, for ``progress=`` of ``fit``: ``False``/``None``
    (nothing), ``True`` (a tqdm bar if tqdm is installed, else a line on stderr about once a
    second) or a callable ``progress(ticks, done, total)``. The native fit calls it about every
    100 ms with the ticks so far (trees, boosting rounds, iterations, over every stage of the
    fit) and the ``done``/``total`` of the current stage; Ctrl-C stops the fit either way.
    """
    if progress is None or progress is False:
        yield None
        return
    if callable(progress):
        yield progress
        return
    if progress is not True:
        raise TypeError("progress must be a bool or a callable(ticks, done, total)")
    try:
        from . import _tqdm

        tqdm = _tqdm()
    except ImportError:
        last = [0.0]

        def line(ticks: int, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 1.0:
                last[0] = now
                print(f"{desc}: {ticks} steps (stage {done}/{total})", file=sys.stderr, flush=True)

        yield line
        return
    bar = tqdm(total=None, desc=desc, unit="step")

    def update(ticks: int, done: int, total: int) -> None:
        bar.n = ticks
        bar.set_postfix_str(f"stage {done}/{total}", refresh=False)
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()
