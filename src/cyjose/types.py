"""PyJWT-compatible typing helpers: the ``options`` dictionaries."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, TypedDict

__all__ = ["JWKDict", "HashlibHash", "SigOptions", "Options", "FullOptions"]

JWKDict = Dict[str, Any]
HashlibHash = Callable[..., Any]


class SigOptions(TypedDict, total=False):
    """Options of :class:`cyjose.PyJWS` (signature layer only)."""

    verify_signature: bool
    enforce_minimum_key_length: bool


class Options(TypedDict, total=False):
    """Options of ``decode()`` / ``Verifier``; any subset, the rest default.

    ``verify_*`` default to ``verify_signature`` (itself default True).
    ``exp``, ``nbf``, ``iat``, ``sub`` and ``jti`` are checked only when present:
    list them in ``require`` to demand them.
    """

    verify_signature: bool
    require: List[str]
    strict_aud: bool
    verify_aud: bool
    verify_exp: bool
    verify_iat: bool
    verify_iss: bool
    verify_jti: bool
    verify_nbf: bool
    verify_sub: bool
    enforce_minimum_key_length: bool


class FullOptions(TypedDict):
    """Every option present: what ``Options`` becomes after merging defaults."""

    verify_signature: bool
    require: List[str]
    strict_aud: bool
    verify_aud: bool
    verify_exp: bool
    verify_iat: bool
    verify_iss: bool
    verify_jti: bool
    verify_nbf: bool
    verify_sub: bool
    enforce_minimum_key_length: bool
