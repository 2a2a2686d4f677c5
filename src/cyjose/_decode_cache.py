"""The Verifiers behind ``decode()``: one per distinct set of arguments, reused across calls.

``cyjose.decode(token, key, algorithms=..., audience=...)`` with the same
arguments on every request costs a dictionary lookup here and then the
compiled fast path of a :class:`~cyjose.Verifier`, instead of parsing the key
and building the claim rules per call.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from ._options import build_claim_rules, frozen_audience, frozen_issuer, options_snapshot
from .limits import DEFAULT_LIMITS, Limits, checked_limits
from .types import FullOptions, Options
from .verifier import Verifier

__all__ = ["verifier_for_decode"]

_DECODE_VERIFIERS: Dict[Tuple[Any, ...], Verifier] = {}
_DECODE_VERIFIERS_SIZE = 256


def verifier_for_decode(
    registry: Any,
    key: Any,
    algorithms: Tuple[str, ...],
    options: Optional[Options],
    merged: FullOptions,
    audience: Any,
    issuer: Any,
    subject: Any,
    leeway: Any,
    limits: Limits = DEFAULT_LIMITS,
) -> Verifier:
    """The (lazy) Verifier that ``decode()`` uses for these arguments, reused across calls.

    ``registry`` is the :class:`~cyjose.api_jws.PyJWS` whose algorithms the caller uses.

    ``options`` is what the caller passed (None: the instance's own), ``merged``
    the full options. Reused only when every argument has a safe identity: a
    str/bytes key by value or a key object by identity, hashable values
    (audience and issuer as frozen copies), and options equal to the ones it
    was built with (instance options may be changed in place). Otherwise a
    fresh Verifier is built. At most 256 are kept, oldest evicted first;
    failures are never kept.
    """
    if audience is not None and type(audience) is not str:
        audience = frozen_audience(audience)
    if issuer is not None and type(issuer) is not str:  # (the common cases skip a call)
        issuer = frozen_issuer(issuer)
    if limits is not DEFAULT_LIMITS:
        limits = checked_limits(limits)
    cache_key = _decode_key(registry, key, algorithms, options, merged, audience, issuer, subject, leeway, limits)
    verifier = None
    if cache_key is not None:
        try:
            verifier = _DECODE_VERIFIERS.get(cache_key)
        except TypeError:  # something unhashable: no safe identity
            cache_key = None
    if (
        verifier is not None
        and verifier._options == merged
        and (verifier._key is key or type(key) in (str, bytes))
    ):
        return verifier
    snapshot = options_snapshot(merged)
    rules = build_claim_rules(snapshot, audience, issuer, subject, leeway)
    verifier = Verifier._for_decode(key, algorithms, snapshot, rules, registry, limits)
    if cache_key is not None:
        while len(_DECODE_VERIFIERS) >= _DECODE_VERIFIERS_SIZE:
            try:
                del _DECODE_VERIFIERS[next(iter(_DECODE_VERIFIERS))]
            except (StopIteration, RuntimeError, KeyError):  # changed by another thread
                break
        _DECODE_VERIFIERS[cache_key] = verifier
    return verifier


def _decode_key(
    registry: Any, key: Any, algorithms: Any, options: Optional[Options], merged: FullOptions,
    audience: Any, issuer: Any, subject: Any, leeway: Any, limits: Limits,
) -> Optional[Tuple[Any, ...]]:
    """The decode-Verifier cache key; None when an argument has no safe identity."""
    if type(key) is str or type(key) is bytes:
        key_id: Any = key
    else:
        key_id = id(key)  # and the hit must hold this very object (checked by the caller)
    if options is None:
        options_key: Any = None  # the instance's options: compared in full on every hit
    else:
        options_key = tuple(
            tuple(value) if type(value) is list else value for value in merged.values()
        )
    if not (issuer is None or type(issuer) in (str, tuple, frozenset)):  # as frozen_issuer left it
        return None  # an arbitrary container has no safe identity
    return (registry, registry._registry.generation,  # (the PyJWS's registry: no property call)
            type(key), key_id, algorithms, options_key,
            audience, issuer, subject, leeway, type(leeway), None if limits is DEFAULT_LIMITS else limits)
