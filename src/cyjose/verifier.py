"""The prepared :class:`Verifier`: keys, algorithms and claim rules fixed once."""

from __future__ import annotations

import math
import time
from datetime import timedelta
from typing import Any, Container, Dict, Iterable, NamedTuple, Optional, Sequence, Tuple, Union

from ._claims import check_claims
from ._compact import split_jws
from ._json import loads_object
from ._jws import allowed_alg, bind_cached, check_key_strength, decode_jws
from ._options import DEFAULT_OPTIONS, build_claim_rules, merge_options
from ._token import TokenCache, TokenFastPath
from .algorithms import BoundKey
from .api_jws import _jws_global_obj, normalize_algorithms
from .exceptions import InvalidAlgorithmError
from .types import FullOptions, Options

__all__ = ["Verifier", "CacheInfo"]

Verified = Tuple[Dict[str, Any], Dict[str, Any], bytes]  # header (shared), claims, signature


class CacheInfo(NamedTuple):
    """Counters of a Verifier's verified-token cache."""

    hits: int
    misses: int
    size: int
    maxsize: int


class Verifier:
    """Verifies many tokens against one key, one allow-list and one set of claim rules.

    Everything that does not depend on the token is done here, once: the key
    is parsed and checked against *every* algorithm in ``algorithms`` (so a
    key that cannot serve one of them fails now, not on some later request),
    HMAC keys get their keyed state, and the claim rules are built. Header
    segments seen before are not decoded again.

    ``verify(token)`` returns the claims and ``verify_complete(token)`` returns
    ``{"header", "payload", "signature"}``; both raise exactly what
    ``cyjose.decode(token, key, algorithms, options=..., audience=..., ...)``
    raises for the same token. Construction raises
    :class:`~cyjose.exceptions.InvalidAlgorithmError` for an empty or unknown
    algorithm, :class:`~cyjose.exceptions.InvalidKeyError` for an unusable key,
    TypeError/ValueError for ill-typed arguments. A short key warns once here
    (or raises with ``enforce_minimum_key_length``).

    **Verified-token cache** (opt-in): with ``cache_size=N`` the last N tokens
    that verified are answered again without any work, but only inside the
    token's own validity: from ``max(nbf, iat) - leeway`` until the earliest of
    ``exp + leeway`` and ``cache_ttl`` seconds (default 60) after it was
    verified. Errors are never cached; every hit returns a fresh claims dict.
    :meth:`replace_key` drops entries verified with a key no longer in use;
    :meth:`cache_info` reports hits, misses and size.
    """

    __slots__ = ("_keys", "_rules", "_options", "_fast", "_cache", "_cache_ttl", "algorithms")

    def __init__(
        self,
        key: Any,
        algorithms: Optional[Sequence[str]] = None,
        audience: Union[None, str, Iterable[str]] = None,
        issuer: Union[None, str, Container[str]] = None,
        subject: Optional[str] = None,
        leeway: Union[float, timedelta] = 0,
        options: Optional[Options] = None,
        *,
        cache_size: int = 0,
        cache_ttl: float = 60.0,
    ) -> None:
        self._options: FullOptions = merge_options(DEFAULT_OPTIONS, options)
        self._rules = build_claim_rules(self._options, audience, issuer, subject, leeway)
        self.algorithms = tuple(normalize_algorithms(algorithms) or ())
        if self._options["verify_signature"] and not self.algorithms:
            raise InvalidAlgorithmError('Verifier needs "algorithms": the algorithms to accept')
        self._fast = TokenFastPath(self._rules)
        self._keys = self._bind_all(key)
        self._cache, self._cache_ttl = _make_cache(cache_size, cache_ttl)

    def _bind_all(self, key: Any) -> Optional[Dict[str, BoundKey]]:
        if not self._options["verify_signature"]:
            return None
        enforce = self._options["enforce_minimum_key_length"]
        keys = {}
        for name in self.algorithms:
            try:
                algorithm = _jws_global_obj.get_algorithm_by_name(name)
            except NotImplementedError:
                raise InvalidAlgorithmError(f"Algorithm not supported: {name!r}") from None
            keys[name] = bound = bind_cached(algorithm, key)
            check_key_strength(bound, enforce)
        return keys

    def replace_key(self, key: Any) -> None:
        """Verify with ``key`` from now on (key rotation), checked as at construction.

        Cached tokens verified with a key that is no longer in use are dropped.
        """
        keys = self._bind_all(key)
        self._keys = keys
        self._fast.forget()
        if self._cache is not None:
            self._cache.discard_unless(set(keys.values()) if keys else set())

    def cache_info(self) -> CacheInfo:
        """Hits, misses, current size and capacity of the verified-token cache."""
        cache = self._cache
        if cache is None:
            return CacheInfo(0, 0, 0, 0)
        return CacheInfo(cache.hits, cache.misses, len(cache), cache.maxsize)

    def verify(self, token: Union[str, bytes]) -> Dict[str, Any]:
        """Verify ``token`` and return its claims."""
        return self._verify(token, None)[1]

    def verify_complete(self, token: Union[str, bytes], detached_payload: Optional[bytes] = None) -> Dict[str, Any]:
        """Verify ``token``: ``{"header": dict, "payload": dict, "signature": bytes}``."""
        header, claims, signature = self._verify(token, detached_payload)
        return {"header": dict(header), "payload": claims, "signature": signature}

    def _verify(self, token: Any, detached_payload: Optional[bytes]) -> Verified:
        now = time.time()
        if detached_payload is None:
            cache = self._cache
            if cache is not None:
                hit = cache.get(token, now)
                if hit is not None:
                    return hit
            verified = self._fast.verify(token, now)
            if verified is None:
                verified = self._verify_general(token, now, None)
            if cache is not None:
                self._remember_verified(token, verified, now)
            return verified
        return self._verify_general(token, now, detached_payload)

    def _verify_general(self, token: Any, now: float, detached_payload: Optional[bytes]) -> Verified:
        used = []

        def resolve(header: Dict[str, Any]) -> Optional[BoundKey]:
            if self._keys is None:
                return None
            used.append(self._keys[allowed_alg(header, self._keys)])
            return used[-1]

        decoded = decode_jws(token, resolve, detached_payload)
        header = decoded["header"]
        claims = loads_object(decoded["payload"], "payload")
        check_claims(claims, self._rules, now)
        if used and header.get("b64", True) is not False:
            self._fast.remember(split_jws(token)[1], header, used[0].verify)
        return header, claims, decoded["signature"]

    def _remember_verified(self, token: Any, verified: Verified, now: float) -> None:
        header, claims, signature = verified
        keys = self._keys
        if keys is None:
            return  # nothing was verified: never cache an unverified token
        not_before, expires_at = _validity_window(claims, self._options, self._rules.leeway, now)
        expires_at = min(expires_at, now + self._cache_ttl)
        self._cache.put(token, header, claims, signature, keys[header["alg"]], not_before, expires_at)

    def __repr__(self) -> str:
        return f"<Verifier algorithms={list(self.algorithms)}>"


def _make_cache(cache_size: Any, cache_ttl: Any) -> Tuple[Optional[TokenCache], float]:
    if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 0:
        raise ValueError("cache_size must be a non-negative int")
    if isinstance(cache_ttl, bool) or not isinstance(cache_ttl, (int, float)) or not cache_ttl > 0:
        raise ValueError("cache_ttl must be a positive number of seconds")
    return (TokenCache(cache_size) if cache_size else None), float(cache_ttl)


def _validity_window(claims: Dict[str, Any], options: FullOptions, leeway: float, now: float) -> Tuple[float, float]:
    """``[not_before, expires_at)``: when the claim checks that just passed keep passing.

    The checks truncate times toward zero, as must this window.
    """
    not_before, expires_at = -math.inf, math.inf
    if options["verify_exp"] and "exp" in claims:
        expires_at = int(claims["exp"]) + leeway
    if options["verify_nbf"] and "nbf" in claims:
        not_before = int(claims["nbf"]) - leeway
    if options["verify_iat"] and "iat" in claims:
        not_before = max(not_before, int(claims["iat"]) - leeway)
    return not_before, expires_at
