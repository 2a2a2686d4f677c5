"""Bounds on what untrusted input can make cyjose do, with safe defaults.

Every token, JSON serialization and JWE that cyjose reads is checked against
a :class:`Limits` before the work each limit guards. A breach raises
:class:`~cyjose.exceptions.LimitExceededError` (a ``DecodeError``) whose
``limit`` attribute and message name the limit, so an operator can tell a
hostile token from a limit set too low.

The defaults (:data:`DEFAULT_LIMITS`) admit every token a real issuer makes;
raise one only for a known need, e.g. ``Limits(max_token_bytes=4 << 20)`` for
JWEs carrying documents. Pass the object as ``limits=`` to
:class:`~cyjose.Verifier`, :func:`cyjose.decode` / ``decode_complete``,
:func:`cyjose.jwe.decrypt` and friends, and :func:`cyjose.jws.verify_json`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from .exceptions import LimitExceededError

__all__ = ["Limits", "DEFAULT_LIMITS", "checked_limits", "exceeded"]


@dataclass(frozen=True)
class Limits:
    """Resource limits for reading tokens; every field is a positive int.

    * ``max_token_bytes`` (1 MiB): a compact token or a JSON serialization's
      text, refused before any decoding.
    * ``max_json_depth`` (32): nesting of arrays and objects in a header,
      payload or JSON serialization (the outer object is depth 1); JWT claims
      rarely go past 4.
    * ``max_signatures`` (32): signatures in a JWS JSON serialization.
    * ``max_recipients`` (16): recipients in a JWE JSON serialization.
    * ``max_pbes2_count`` (300,000): the PBES2 ``p2c`` iteration count a JWE
      may demand, refused before any key derivation.
    * ``max_decompressed_bytes`` (1 MiB): the plaintext of a ``zip: DEF`` JWE;
      inflating stops there, so no zip bomb gets further.

    Raises TypeError or ValueError at construction for a value that is not a
    positive int (a configuration error, not an input one).
    """

    max_token_bytes: int = 1 << 20
    max_json_depth: int = 32
    max_signatures: int = 32
    max_recipients: int = 16
    max_pbes2_count: int = 300_000
    max_decompressed_bytes: int = 1 << 20

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"Limits.{field.name} must be an int, not {type(value).__name__}")
            if value < 1:
                raise ValueError(f"Limits.{field.name} must be at least 1, got {value}")


#: The limits used wherever none are given.
DEFAULT_LIMITS = Limits()


def checked_limits(limits: object) -> Limits:
    """``limits`` itself if it is a :class:`Limits`; TypeError otherwise."""
    if not isinstance(limits, Limits):
        raise TypeError(f"limits must be a cyjose.limits.Limits, not {type(limits).__name__}")
    return limits


def exceeded(what: str, limit: str, maximum: int, unit: str = "") -> LimitExceededError:
    """The error for ``what`` going over the limit named ``limit`` (of ``maximum`` ``unit``)."""
    bound = f"{maximum} {unit}" if unit else str(maximum)
    return LimitExceededError(f"{what} exceeds the {limit} limit ({bound})", limit, maximum)
