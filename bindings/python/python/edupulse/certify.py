"""Certification: Open Badges 3.0 credentials signed with Data Integrity ``eddsa-jcs-2022``,
verification that names the failing check, W3C Bitstring Status List revocation, and who is
eligible for which certification.

Everything runs in Rust (``edupulse_core::certify``); this module converts. Keys are multibase
Ed25519 keys (``z6Mk…`` public, ``z3u2…`` private): a private key is never printed or put in an
error message. ``verify`` never raises for an untrusted document: a bad one is ``valid=False``
with ``error`` naming the check (``proof``, ``suite``, ``verification_method``,
``proof_purpose``, ``signature``, ``valid_from``, ``valid_until``, ``status``).

    >>> from edupulse import certify
    >>> lst = certify.StatusList()
    >>> lst.revoke(7)
    >>> certify.StatusList.decode(lst.encoded()).is_revoked(7)
    True
    >>> r = certify.verify({"credentialSubject": {}})
    >>> r["valid"], r["error"]
    (False, 'proof: no `proof`')
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import pandas as pd

from . import _edupulse as _native
from . import _interop
from ._checks import instant
from .exceptions import ParameterError

__all__ = ["CHECKS", "StatusList", "eligibility", "sign", "verify"]

#: The checks ``verify`` reports, in evaluation order.
CHECKS = (
    "proof",
    "suite",
    "verification_method",
    "proof_purpose",
    "signature",
    "valid_from",
    "valid_until",
    "status",
)

#: The minimum length of a status list, in bits (W3C Bitstring Status List v1.0 §4.1).
MIN_STATUS_LIST_BITS = 131_072


def sign(
    document: Dict[str, Any], private_key_multibase: str, verification_method: str, created: str
) -> Dict[str, Any]:
    """Return ``document`` with a Data Integrity ``eddsa-jcs-2022`` ``proof``.

    ``private_key_multibase`` is the multibase Ed25519 seed (multicodec ``0x8026``);
    ``verification_method`` a ``did:key:…#…`` or a ``did:web``/URL method id; ``created`` an
    RFC 3339 date-time. The document must be a JSON object without ``proof``.
    """
    if not isinstance(document, dict):
        raise ParameterError(parameter="document", message="must be a dict (a JSON object)")
    for name, v in (
        ("private_key_multibase", private_key_multibase),
        ("verification_method", verification_method),
        ("created", created),
    ):
        if not isinstance(v, str):
            raise ParameterError(parameter=name, message="must be a str")
    try:
        text = json.dumps(document, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ParameterError(parameter="document", message=f"not JSON-serialisable: {e}") from None
    out: Dict[str, Any] = json.loads(
        _native.certify_sign(text, private_key_multibase, verification_method, created)
    )
    return out


def _failed(message: str) -> Dict[str, Any]:
    return {"valid": False, "checks": {c: False for c in CHECKS}, "error": message}


def verify(
    document: Any,
    *,
    status_lists: Union[Mapping[str, Any], Sequence[Any], None] = None,
    now: Any = None,
) -> Dict[str, Any]:
    """Verify a signed credential: ``{"valid": bool, "checks": {check: bool}, "error": str | None}``.

    ``status_lists``: the status-list credentials its ``credentialStatus`` points at, as
    ``{url: credential}`` or a list of credentials (keyed by their ``id``); nothing is fetched,
    so a credential with a status entry whose list is not supplied fails the ``status`` check.
    ``now``: the instant validity is judged at (default: the clock). Never raises for a bad
    document; ``ParameterError`` only for a bad ``now`` or ``status_lists`` argument.
    """
    t = None if now is None else instant("now", now)
    lists: Dict[str, str] = {}
    if status_lists is not None:
        items: List[Any]
        if isinstance(status_lists, Mapping):
            items = list(status_lists.items())
        elif isinstance(status_lists, (list, tuple)):
            items = [(c.get("id") if isinstance(c, dict) else None, c) for c in status_lists]
        else:
            raise ParameterError(
                parameter="status_lists", message="must be a dict {url: credential} or a list"
            )
        for url, cred in items:
            if not isinstance(url, str):
                raise ParameterError(
                    parameter="status_lists", message="every status list needs a str URL / id"
                )
            try:
                lists[url] = json.dumps(cred, allow_nan=False)
            except (TypeError, ValueError):
                lists[url] = json.dumps("unserialisable status list")
    try:
        text = json.dumps(document, allow_nan=False)
    except (TypeError, ValueError) as e:
        return _failed(f"proof: document is not JSON-serialisable: {e}")
    valid, checks, error = _native.certify_verify(text, lists, t)
    return {"valid": bool(valid), "checks": dict(checks), "error": error}


class StatusList:
    """A W3C Bitstring Status List (MSB-first bits, GZIP, multibase base64url).

    ``StatusList(size=131072)`` is all clear; ``revoke(i)`` sets bit ``i``; ``encoded()`` is the
    ``encodedList`` of a status-list credential; ``StatusList.decode(text)`` reads one back and
    raises ``ParameterError`` for a malformed value or a list shorter than 131,072 bits.
    """

    def __init__(self, size: int = MIN_STATUS_LIST_BITS) -> None:
        self._inner = _native.NativeStatusList(size)

    @classmethod
    def decode(cls, encoded: str) -> "StatusList":
        """The list an ``encodedList`` holds."""
        obj = cls.__new__(cls)
        obj._inner = _native.NativeStatusList.decode(encoded)
        return obj

    def revoke(self, index: int) -> None:
        """Set bit ``index`` (revoked)."""
        self._inner.revoke(index)

    def is_revoked(self, index: int) -> bool:
        """Whether bit ``index`` is set."""
        return bool(self._inner.is_revoked(index))

    def encoded(self) -> str:
        """The ``encodedList``: ``u`` + base64url(GZIP(bits))."""
        return str(self._inner.encoded())

    def revoked(self) -> List[int]:
        """Indices of the set bits."""
        return list(self._inner.revoked())

    def __len__(self) -> int:
        return len(self._inner)

    def __repr__(self) -> str:
        return f"StatusList(size={len(self)}, revoked={len(self.revoked())})"


_ELIGIBILITY_COLUMNS = [
    "student_id",
    "certification_id",
    "standing",
    "met",
    "required",
    "missing",
    "attendance",
    "quizzes",
    "lessons",
    "retention",
]


def eligibility(
    tables: Mapping[str, Any],
    certifications: Any,
    as_of: Any = None,
    output: str = "pandas",
) -> Any:
    """Who is ``eligible``, ``close`` (and what is missing) or ``not_eligible`` for each
    certification, one row per student × certification.

    ``tables``: ``{table: DataFrame}`` as ``edupulse.simulate`` returns (students, webinars,
    registrations, activity, reviews are read). ``certifications``: a list of dicts or a
    DataFrame with ``certification_id, name, description, criteria, validity_days`` and an
    optional ``requirements`` dict (``webinar_topic``, ``min_attendance``, ``min_quizzes``,
    ``min_lessons``, ``min_retention``, ``min_reviews``, ``window_days``, ``close_share``; unknown
    keys are errors). ``as_of``: default the latest event in the tables.
    """
    _interop.check_output(output)
    from . import _to_native

    if isinstance(certifications, pd.DataFrame):
        specs = certifications.to_dict(orient="records")
    elif isinstance(certifications, (list, tuple)):
        specs = list(certifications)
    else:
        raise ParameterError(
            parameter="certifications", message="must be a list of dicts or a DataFrame"
        )
    clean = []
    for s in specs:
        if not isinstance(s, dict):
            raise ParameterError(parameter="certifications", message="every item must be a dict")
        d = {str(k): v for k, v in s.items()}
        if "validity_days" in d:
            try:
                d["validity_days"] = int(d["validity_days"])
            except (TypeError, ValueError):
                raise ParameterError(
                    parameter="validity_days", message=f"not an integer: {d['validity_days']!r}"
                ) from None
        clean.append(d)
    native_tables = _to_native({k: v for k, v in tables.items() if k != "certifications"})
    t = None if as_of is None else int(instant("as_of", as_of))
    rows = _native.certify_eligibility(native_tables, json.dumps(clean), t)
    df = pd.DataFrame(rows, columns=_ELIGIBILITY_COLUMNS)
    for c in ("met", "required", "quizzes", "lessons"):
        df[c] = df[c].astype("int64")
    for c in ("attendance", "retention"):
        df[c] = df[c].astype("float64")
    return _interop.output(df, output)
