"""Decoding options (PyJWT's ``options`` dict) and the claim rules built from them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, Container, Optional, Tuple, Union, cast

from ._speedups.claims import ClaimRules
from .types import FullOptions, Options

__all__ = ["DEFAULT_OPTIONS", "merge_options", "options_snapshot", "build_claim_rules", "leeway_seconds"]

DEFAULT_OPTIONS: FullOptions = {
    "verify_signature": True,
    "verify_exp": True,
    "verify_nbf": True,
    "verify_iat": True,
    "verify_aud": True,
    "verify_iss": True,
    "verify_sub": True,
    "verify_jti": True,
    "require": [],
    "strict_aud": False,
    "enforce_minimum_key_length": False,
}

_CLAIM_SWITCHES = ("verify_exp", "verify_nbf", "verify_iat", "verify_aud", "verify_iss", "verify_sub", "verify_jti")


def merge_options(base: FullOptions, options: Optional[Options]) -> FullOptions:
    """``base`` overlaid with ``options``, as PyJWT merges them.

    With ``verify_signature`` off, every claim check the caller did not name
    defaults to off too: claims of an unauthenticated token mean nothing.
    """
    if options is None:
        return base
    if not isinstance(options, dict):
        raise TypeError("options must be a dict")
    merged = dict(options)
    if not merged.get("verify_signature", True):
        for switch in _CLAIM_SWITCHES:
            merged.setdefault(switch, False)
    # The caller's dict is only checked to be a dict (PyJWT tolerates unknown
    # keys), so the merged result is a FullOptions by contract, not by proof.
    return cast(FullOptions, {**base, **merged})


def options_snapshot(options: FullOptions) -> FullOptions:
    """A copy of merged ``options`` that later changes to the caller's dict or list cannot reach."""
    require = options["require"]
    return {**options, "require": [require] if isinstance(require, str) else list(require)}


def leeway_seconds(leeway: Union[int, float, timedelta]) -> float:
    """``leeway`` in seconds; TypeError unless it is a number or a timedelta."""
    if isinstance(leeway, timedelta):
        return leeway.total_seconds()
    if isinstance(leeway, bool) or not isinstance(leeway, (int, float)):
        raise TypeError("leeway must be a number of seconds or a datetime.timedelta")
    return float(leeway)


def frozen_audience(audience: Any) -> Union[None, str, Tuple[Any, ...]]:
    """The expected audience as a private, hashable copy (an iterable becomes a tuple).

    Raises TypeError for a value that is neither a string, an iterable nor None.
    """
    if audience is None or isinstance(audience, str):
        return audience
    if isinstance(audience, Iterable):
        return tuple(audience)
    raise TypeError("audience must be a string, iterable or None")


def frozen_issuer(issuer: Any) -> Any:
    """A private, hashable copy of a list/tuple (tuple) or set (frozenset) of issuers, so later
    changes by the caller don't leak in; any other value (None, a str, another container) as is."""
    if type(issuer) in (list, tuple):
        return tuple(issuer)
    if type(issuer) in (set, frozenset):
        return frozenset(issuer)
    return issuer


def build_claim_rules(
    options: FullOptions,
    audience: Any = None,
    issuer: Union[None, str, Container[str]] = None,
    subject: Optional[str] = None,
    leeway: Union[int, float, timedelta] = 0,
) -> ClaimRules:
    """The :class:`ClaimRules` for fully merged ``options`` and the expected values."""
    require = options["require"]
    if isinstance(require, str):
        require = [require]
    return ClaimRules(
        require=tuple(require),
        verify_exp=options["verify_exp"],
        verify_nbf=options["verify_nbf"],
        verify_iat=options["verify_iat"],
        verify_iss=options["verify_iss"],
        verify_aud=options["verify_aud"],
        verify_sub=options["verify_sub"],
        verify_jti=options["verify_jti"],
        strict_aud=options.get("strict_aud", False),
        audience=frozen_audience(audience),
        issuer=frozen_issuer(issuer),
        subject=subject,
        leeway=leeway_seconds(leeway),
    )
