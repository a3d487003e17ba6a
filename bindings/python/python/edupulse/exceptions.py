"""Every exception class of edupulse, in one place (also re-exported as ``edupulse.X``).

::

    EdupulseError(Exception)                       message
    ├── ValidationError(EdupulseError, ValueError) table, row, column, file, message
    ├── ParameterError(EdupulseError, ValueError)  parameter, message
    ├── ConvergenceError                           model, message
    ├── EdupulseIOError(EdupulseError, OSError)    path, message, errno (+ OSError's filename,
    │                                              strerror)
    ├── StoreError                                 kind, message
    │   └── StoreIOError(StoreError, EdupulseIOError)   kind, path, message, errno
    ├── InternalError                              message
    ├── NotFittedError(EdupulseError, ValueError, AttributeError)   message
    └── StepFailedError                            summary, failed_steps, message

The classes are defined here, in Python, and the native module raises instances of them: an
error raised by Rust and one raised by Python code are built the same way, by calling the class
with its attributes as keyword arguments, e.g. ``ValidationError(table="reviews", row=5,
column="rating", message="...")``. The text (``str(err)``) is then composed from the attributes
in the format Rust uses; pass a positional text to override it. Attributes that do not apply are
``None``. Every class pickles with its attributes (Dask and multiprocessing send exceptions
between processes).

I/O failures: a Rust I/O error (a file or folder that cannot be read, written or created) raises
``EdupulseIOError``, which is an ``OSError``; ``errno`` is the operating system's error number
when Rust reported one (``errno.ENOENT``...), otherwise ``None``. A store backend failure that is
an operating-system I/O error (e.g. the folder of a SQLite file cannot be created) raises
``StoreIOError``, both a ``StoreError`` (``kind == "backend"``) and an ``EdupulseIOError``, so
``except StoreError`` and ``except OSError`` both catch it.

Example::

    >>> import edupulse
    >>> from edupulse.exceptions import ValidationError
    >>> try:
    ...     edupulse.validate({"reviews": {"student_id": ["s1"], "rating": [9]}})
    ... except ValueError as err:           # a ValidationError is a ValueError
    ...     print(type(err).__name__, err.table, err.column)
    ValidationError reviews card_id
    >>> err = ValidationError(table="reviews", row=5, column="rating", message="9 is not 1–4")
    >>> str(err)
    "table 'reviews', row 5, column 'rating': 9 is not 1–4"
    >>> isinstance(edupulse.exceptions.EdupulseIOError(path="x.csv", message="gone"), OSError)
    True
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional, Tuple

__all__ = [
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


def _restore(cls: type, args: Tuple[Any, ...], attributes: Dict[str, Any]) -> BaseException:
    """Unpickle an edupulse exception: the same class, text and attributes, no ``__init__``."""
    err: BaseException = cls.__new__(cls, *args)  # type: ignore[call-overload]
    err.args = args
    for name, value in attributes.items():
        setattr(err, name, value)
    return err


class EdupulseError(Exception):
    """Base class of every error raised by edupulse.

    ``EdupulseError(message="...")`` or ``EdupulseError("text")``; subclasses take their own
    attributes as keyword arguments (listed in ``_attributes``) and compose the text from them.
    """

    #: The attributes instances carry: keyword arguments of the constructor, None when not given.
    _attributes: ClassVar[Tuple[str, ...]] = ("message",)
    #: What went wrong, in words (without the location for errors that have one).
    message: Optional[str] = None

    def __init__(self, *args: Any, **attributes: Any) -> None:
        names = type(self)._attributes
        unknown = [k for k in attributes if k not in names]
        if unknown:
            raise TypeError(
                f"{type(self).__name__}() got unexpected keyword argument(s) "
                f"{', '.join(unknown)} (expected: {', '.join(names)})"
            )
        values = {name: attributes.get(name) for name in names}
        if values.get("message") is None and len(args) == 1 and isinstance(args[0], str):
            values["message"] = args[0]
        if not args:
            args = (self._describe(values),)
        super().__init__(*args)
        for name, value in values.items():
            setattr(self, name, value)

    @classmethod
    def _describe(cls, values: Dict[str, Any]) -> str:
        """The text of an error with these attribute values (the format Rust uses)."""
        message = values.get("message")
        return "" if message is None else str(message)

    def __str__(self) -> str:
        # The text given or composed: not OSError's "[Errno N] ..." rendering.
        return BaseException.__str__(self)

    def __reduce__(self) -> Any:
        attributes = dict(self.__dict__)
        names = type(self)._attributes
        if isinstance(self, OSError):
            names += ("filename", "strerror")
        for name in names:
            attributes[name] = getattr(self, name, None)
        return (_restore, (type(self), self.args, attributes))


class ValidationError(EdupulseError, ValueError):
    """Input data broke the data contract (also a ``ValueError``).

    ``table``, ``row`` (1-based position of the row in its DataFrame) and ``column`` say where,
    ``file`` the file the row came from; each is None when it does not apply. ``message`` says
    what. Example: ``ValidationError(table="reviews", row=5, column="rating", message="...")``.
    """

    _attributes: ClassVar[Tuple[str, ...]] = ("table", "row", "column", "file", "message")
    table: Optional[str] = None
    row: Optional[int] = None
    column: Optional[str] = None
    file: Optional[str] = None

    @classmethod
    def _describe(cls, values: Dict[str, Any]) -> str:
        message = "" if values.get("message") is None else str(values["message"])
        if values.get("table") is None:
            return message
        place = f"{values['file']}: " if values.get("file") is not None else ""
        place += f"table '{values['table']}'"
        if values.get("row") is not None:
            place += f", row {values['row']}"
        if values.get("column") is not None:
            place += f", column '{values['column']}'"
        return f"{place}: {message}"


class ParameterError(EdupulseError, ValueError):
    """A parameter or option is invalid (also a ``ValueError``); ``parameter`` names it and
    ``message`` says why. Example: ``ParameterError(parameter="alpha", message="must be > 0")``."""

    _attributes: ClassVar[Tuple[str, ...]] = ("parameter", "message")
    parameter: Optional[str] = None

    @classmethod
    def _describe(cls, values: Dict[str, Any]) -> str:
        if values.get("parameter") is None:
            return super()._describe(values)
        return f"invalid parameter `{values['parameter']}`: {values.get('message')}"


class ConvergenceError(EdupulseError):
    """An iterative fit (maximum likelihood, Newton...) did not converge, or the data do not
    identify the model; ``model`` names it and ``message`` says what happened and what helps."""

    _attributes: ClassVar[Tuple[str, ...]] = ("model", "message")
    model: Optional[str] = None

    @classmethod
    def _describe(cls, values: Dict[str, Any]) -> str:
        if values.get("model") is None:
            return super()._describe(values)
        return f"{values['model']} did not converge: {values.get('message')}"


class EdupulseIOError(EdupulseError, OSError):
    """Reading or writing a file or folder failed (also an ``OSError``).

    ``path`` is the file or folder (also ``filename``), ``message`` what happened (also
    ``strerror``), ``errno`` the operating system's error number when Rust reported one
    (compare with ``errno.ENOENT``...), else None.
    """

    _attributes: ClassVar[Tuple[str, ...]] = ("path", "message", "errno")
    path: Optional[str] = None

    def __init__(self, *args: Any, **attributes: Any) -> None:
        super().__init__(*args, **attributes)
        self.filename = self.path
        self.strerror = self.message

    @classmethod
    def _describe(cls, values: Dict[str, Any]) -> str:
        if values.get("path") is None:
            return super()._describe(values)
        return f"{values['path']}: {values.get('message')}"


class StoreError(EdupulseError):
    """A store failed: a bad URL, the database, or corrupt data. ``kind`` is one of ``'url'``,
    ``'backend'``, ``'corrupt'``, ``'schema_too_new'`` or ``'other'``. Messages never contain
    passwords."""

    _attributes: ClassVar[Tuple[str, ...]] = ("kind", "message")
    kind: Optional[str] = None


class StoreIOError(StoreError, EdupulseIOError):
    """A store backend failed with an operating-system I/O error (``kind == "backend"``): both a
    ``StoreError`` and an ``EdupulseIOError`` (so an ``OSError``). ``path`` is the file or
    folder when known, ``errno`` the operating system's error number."""

    _attributes: ClassVar[Tuple[str, ...]] = ("kind", "path", "message", "errno")

    @classmethod
    def _describe(cls, values: Dict[str, Any]) -> str:
        # The store's message already names the backend (and the file, for SQLite).
        return "" if values.get("message") is None else str(values["message"])


class InternalError(EdupulseError):
    """A bug in edupulse (a Rust panic, caught before it could reach Python). Please report it.
    ``message`` describes the panic."""

    @classmethod
    def _describe(cls, values: Dict[str, Any]) -> str:
        return f"internal error in edupulse (a bug; please report it): {values.get('message')}"


class NotFittedError(EdupulseError, ValueError, AttributeError):
    """An estimator was used before ``fit``.

    Also a ``ValueError`` and an ``AttributeError``, like scikit-learn's own ``NotFittedError``, so
    code written for scikit-learn (``hasattr`` probes, ``except ValueError``) behaves the same.
    """


class StepFailedError(EdupulseError):
    """Some steps of a run failed (``Store.run(raise_on_failure=True)``); the other steps'
    results were written. ``failed_steps`` names them, ``summary`` is the run's summary."""

    _attributes: ClassVar[Tuple[str, ...]] = ("summary", "failed_steps", "message")
    summary: Optional[Dict[str, Any]] = None
    failed_steps: Optional[List[str]] = None

    def __init__(self, summary: Optional[Dict[str, Any]] = None, **attributes: Any) -> None:
        if isinstance(summary, str):  # StepFailedError("text")
            attributes.setdefault("message", summary)
            summary = None
        if summary is not None:
            attributes["summary"] = summary
        summary = attributes.get("summary") or {}
        if attributes.get("failed_steps") is None:
            attributes["failed_steps"] = list(summary.get("failed_steps", []))
        super().__init__(**attributes)

    @classmethod
    def _describe(cls, values: Dict[str, Any]) -> str:
        if values.get("message") is not None:
            return str(values["message"])
        steps = (values.get("summary") or {}).get("steps", {})
        failed = values.get("failed_steps") or []
        errors = "; ".join(f"{name}: {steps.get(name, {}).get('error', '?')}" for name in failed)
        return f"{len(failed)} step(s) failed: {errors}"
