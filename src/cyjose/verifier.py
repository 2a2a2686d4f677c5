"""The prepared :class:`Verifier`: keys, algorithms and claim rules fixed once."""

from __future__ import annotations

import math
import time
from datetime import timedelta
from typing import Any, Container, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

from ._jws import DEFAULT_REGISTRY, allowed_alg, bind_named, decode_jws, normalize_algorithms
from ._keyset import RECHECK_SECONDS, KeySet
from ._options import DEFAULT_OPTIONS, build_claim_rules, merge_options
from ._speedups.claims import check_claims
from ._speedups.compact import split_jws
from ._speedups.json import loads_object
from ._speedups.token import TokenCache, TokenFastPath, VerifierCore, check_not_revoked, fresh_claims
from .algorithms import BoundKey
from .api_jwk import PyJWK, PyJWKSet
from .exceptions import InvalidAlgorithmError, InvalidKeyError
from .jwks_client import PyJWKClient
from .limits import DEFAULT_LIMITS, Limits, checked_limits
from .types import FullOptions, Options

__all__ = ["Verifier", "CacheInfo"]

Verified = Tuple[Dict[str, Any], Dict[str, Any], bytes]  # header (shared), claims, signature


class CacheInfo(NamedTuple):
    """Counters of a Verifier's verified-token cache."""

    hits: int
    misses: int
    size: int
    maxsize: int


class Verifier(VerifierCore):
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

    **Revocation**: ``deny_jti`` is a jti deny-list, a callable (``deny_jti(jti)``
    true: revoked) or any container (``jti in deny_jti``: a set, or a set-like
    view of a shared store). A token whose ``jti`` it names raises
    :class:`~cyjose.exceptions.RevokedTokenError` (an ``InvalidTokenError``),
    after every other check and on cache hits too, so revoking needs no cache
    flush; tokens without ``jti`` pass (require it with
    ``options={"require": ["jti"]}``). Whatever the deny-list raises propagates.

    **Key sets**: a JWK set source must pass the key-set policy
    (:func:`cyjose._keyset.check_key_set`: no duplicate ``kid``, no ``oct``
    keys mixed with asymmetric ones, no ``oct`` key from a ``PyJWKClient``):
    :class:`~cyjose.exceptions.PyJWKSetError` at construction or
    :meth:`replace_key` for a fixed set; with a client, every verification
    raises it while the endpoint serves such a set.

    **Limits**: ``limits`` (a :class:`cyjose.limits.Limits`, default
    :data:`~cyjose.limits.DEFAULT_LIMITS`) bounds the token's size and the
    nesting of its header and payload JSON; a token over a limit raises
    :class:`~cyjose.exceptions.LimitExceededError` naming it.
    """

    # verify(token), the per-token entry point, is VerifierCore's (compiled with the
    # native twins); it reads ``_state`` and ``_cache`` and falls back to ``_verify``.
    __slots__ = ("_key", "_key_set", "_chosen", "_lazy", "_registry", "_rules", "_options", "_cache_ttl",
                 "_limits", "algorithms")

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
        deny_jti: Any = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._deny = _deny_list(deny_jti)
        self._limits = checked_limits(limits)
        merged = merge_options(DEFAULT_OPTIONS, options)
        if algorithms is None and isinstance(key, PyJWK):  # as decode(): the key's own algorithm
            algorithms = (key.algorithm_name,)
        names = tuple(normalize_algorithms(algorithms) or ())
        if merged["verify_signature"] and not names:
            raise InvalidAlgorithmError('Verifier needs "algorithms": the algorithms to accept')
        self._cache, self._cache_ttl = _make_cache(cache_size, cache_ttl)
        self._configure(key, names, merged, build_claim_rules(merged, audience, issuer, subject, leeway),
                        DEFAULT_REGISTRY, lazy=False)

    @classmethod
    def _for_decode(
        cls, key: Any, algorithms: Tuple[str, ...], options: FullOptions, rules: Any, registry: Any,
        limits: Limits = DEFAULT_LIMITS,
    ) -> Verifier:
        """The Verifier behind ``decode()``: keys bound lazily, per token algorithm, as PyJWT does.

        A key that cannot serve some listed algorithm fails only for tokens
        using it; a short key warns on every token (no fast path for it).
        """
        self = cls.__new__(cls)
        self._cache, self._cache_ttl, self._deny, self._limits = None, 0.0, None, limits
        self._configure(key, algorithms, options, rules, registry, lazy=True)
        return self

    def _configure(
        self, key: Any, algorithms: Tuple[str, ...], options: FullOptions, rules: Any, registry: Any, lazy: bool
    ) -> None:
        self.algorithms = algorithms
        self._options = options
        self._rules = rules
        self._registry = registry
        self._lazy = lazy
        self._use_key(key)

    def _use_key(self, key: Any) -> None:
        """Bind ``key`` and publish it, with a fresh fast path, in one assignment.

        Every verification reads ``_state`` once, so a concurrent key change
        can never mix the old key's fast path or cache tags with the new keys.
        """
        key_set = None if self._lazy else as_key_set(key)
        keys: Optional[Dict[Any, BoundKey]] = None
        chosen: List[Tuple[Optional[str], PyJWK]] = []
        if self._options["verify_signature"]:
            if key_set is not None:
                keys = self._bind_set(key_set, chosen)
            else:
                keys = {} if self._lazy else {name: self._bind(name, key) for name in self.algorithms}
        fast = TokenFastPath(self._rules, self._limits)
        if key_set is not None and key_set.dynamic:
            fast.expires_at = time.time() + RECHECK_SECONDS
        self._key, self._key_set, self._chosen = key, key_set, chosen
        self._state: Tuple[Optional[Dict[Any, BoundKey]], Any, FrozenSet[BoundKey]] = (
            keys, fast, frozenset(keys.values()) if keys else frozenset()
        )

    def _bind(self, name: str, key: Any) -> BoundKey:
        enforce = self._options["enforce_minimum_key_length"]
        return bind_named(self._registry, name, key, enforce, name_in_error=not self._lazy)

    def _bind_set(self, key_set: KeySet, chosen: List[Tuple[Optional[str], PyJWK]]) -> Dict[Any, BoundKey]:
        """Every key of a fixed set that can verify a listed algorithm, by ``(kid, alg)``.

        A client's keys are bound as tokens name them (no fetch at construction).
        """
        keys: Dict[Any, BoundKey] = {}
        if key_set.dynamic:
            return keys
        for jwk in key_set.keys():
            if jwk.algorithm_name in self.algorithms and jwk.usable_for("verify"):
                keys[(jwk.key_id, jwk.algorithm_name)] = self._bind(jwk.algorithm_name, jwk)
                chosen.append((jwk.key_id, jwk))
        if not keys:
            raise InvalidKeyError(f"The key set has no key that can verify {list(self.algorithms)}")
        return keys

    def _resolve(self, header: Dict[str, Any], keys: Optional[Dict[Any, BoundKey]]) -> Optional[BoundKey]:
        """The key for the token's algorithm (None: signature checks are off)."""
        if keys is None:
            return None
        alg = allowed_alg(header, self.algorithms)
        if self._key_set is not None:
            return self._resolve_in_set(header, alg, keys)
        bound = keys.get(alg)
        if bound is None:  # only in lazy mode: eager Verifiers bound every algorithm
            bound = self._bind(alg, self._key)
            if bound.weakness is None:
                keys[alg] = bound
        return bound

    def _resolve_in_set(self, header: Dict[str, Any], alg: str, keys: Dict[Any, BoundKey]) -> BoundKey:
        kid = header.get("kid")
        bound = keys.get((kid, alg)) if kid is None or type(kid) is str else None
        if bound is not None:
            return bound
        key_set = self._key_set
        assert key_set is not None
        jwk = key_set.select(header, alg)
        bound = self._bind(alg, jwk)
        state = self._state
        if state[0] is keys and key_set is self._key_set:  # not replaced meanwhile
            keys[(kid, alg)] = bound
            self._chosen.append((kid, jwk))
            self._state = (keys, state[1], state[2] | {bound})
        return bound

    def _recheck_key_set(self, now: float) -> None:
        """Ask a client-backed key set whether the keys in use are still published.

        Unchanged: the fast path may answer for another RECHECK_SECONDS. Changed
        (a key withdrawn or replaced): everything bound is dropped and tokens are
        resolved again; cached tokens of withdrawn keys are never served.
        """
        key_set, fast = self._key_set, self._state[1]
        assert key_set is not None
        if key_set.unchanged(list(self._chosen)):
            fast.expires_at = now + RECHECK_SECONDS
            return
        self._use_key(self._key)
        if self._cache is not None:
            self._cache.discard_unless(self._state[2])

    def replace_key(self, key: Any) -> None:
        """Verify with ``key`` from now on (key rotation), checked as at construction.

        Cached tokens verified with a key that is no longer in use are never
        served again (and are dropped).
        """
        self._use_key(key)
        if self._cache is not None:
            self._cache.discard_unless(self._state[2])

    def cache_info(self) -> CacheInfo:
        """Hits, misses, current size and capacity of the verified-token cache."""
        cache = self._cache
        if cache is None:
            return CacheInfo(0, 0, 0, 0)
        return CacheInfo(cache.hits, cache.misses, len(cache), cache.maxsize)

    def verify_complete(self, token: Union[str, bytes], detached_payload: Optional[bytes] = None) -> Dict[str, Any]:
        """Verify ``token``: ``{"header": dict, "payload": dict, "signature": bytes}``."""
        header, claims, signature = self._verify(token, detached_payload)
        if self._deny is not None:
            check_not_revoked(self._deny, claims)
        return {"header": fresh_claims(header), "payload": claims, "signature": signature}

    def _verify(self, token: Any, detached_payload: Optional[bytes]) -> Verified:
        """Every case: key re-checks, detached payloads, the cache, then :meth:`_verify_uncached`."""
        now = time.time()
        if now >= self._state[1].expires_at:  # a client-backed key set is due for a check
            self._recheck_key_set(now)
        if detached_payload is not None:
            return self._verify_general(token, now, detached_payload, self._state[0], None)[0]
        cache = self._cache
        if cache is not None:
            hit = cache.get(token, now, self._state[2])
            if hit is not None:
                return hit
        return self._verify_uncached(token, now)

    def _verify_uncached(self, token: Any, now: float) -> Verified:
        """Verify a token the cache does not hold (fast path, else general path), and cache it."""
        keys, fast, _ = self._state
        verified: Optional[Verified] = fast.verify(token, now)
        if verified is not None:
            bound = self._resolve(verified[0], keys)  # known header: already bound
        else:
            verified, bound = self._verify_general(token, now, None, keys, fast)
        cache = self._cache
        if cache is not None and bound is not None:  # never cache an unverified token
            header, claims, signature = verified
            not_before, expires_at = _validity_window(claims, self._options, self._rules.leeway, now)
            cache.put(token, header, claims, signature, bound, not_before, min(expires_at, now + self._cache_ttl))
        return verified

    def _verify_general(
        self, token: Any, now: float, detached_payload: Optional[bytes], keys: Any, fast: Any
    ) -> Tuple[Verified, Optional[BoundKey]]:
        """Every step, with precise errors; teaches ``fast`` the header when it may."""
        used: List[Optional[BoundKey]] = []

        def resolve(header: Dict[str, Any]) -> Optional[BoundKey]:
            used.append(self._resolve(header, keys))
            return used[-1]

        limits = self._limits
        decoded = decode_jws(token, resolve, detached_payload, limits)
        header = decoded["header"]
        claims = loads_object(decoded["payload"], "payload", limits.max_json_depth)
        check_claims(claims, self._rules, now)
        bound = used[0] if used else None
        # A short key must warn on every decode() call: keep lazy Verifiers off the fast path for it.
        if fast is not None and bound is not None and (bound.weakness is None or not self._lazy):
            if header.get("b64", True) is not False:
                fast.remember(split_jws(token, limits.max_token_bytes)[1], header, bound.verify)
        return (header, claims, decoded["signature"]), bound

    def __repr__(self) -> str:
        return f"<Verifier algorithms={list(self.algorithms)}>"


def as_key_set(key: Any) -> Optional[KeySet]:
    """A :class:`KeySet` when ``key`` is a JWK set source, else None (a single key).

    Sources: a JWKS dict (``{"keys": [...]}``, loaded in public form:
    ``PyJWKSet(load_private=False)``), a :class:`PyJWKSet` or a
    :class:`PyJWKClient`. Raises :class:`PyJWKSetError` for a dict that is
    not a usable JWK set or a set that fails :func:`cyjose._keyset.check_key_set`.
    """
    if isinstance(key, PyJWKClient):
        return KeySet(None, key)
    if isinstance(key, PyJWKSet):
        return KeySet(key, None)
    if isinstance(key, dict) and "keys" in key:
        return KeySet(PyJWKSet.from_dict(key, load_private=False), None)
    return None


def _deny_list(deny_jti: Any) -> Any:
    if deny_jti is None or callable(deny_jti) or hasattr(deny_jti, "__contains__"):
        return deny_jti
    raise TypeError("deny_jti must be a callable or a container of jti values")


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
        expires_at = _seconds(claims["exp"]) + leeway
    if options["verify_nbf"] and "nbf" in claims:
        not_before = _seconds(claims["nbf"]) - leeway
    if options["verify_iat"] and "iat" in claims:
        not_before = max(not_before, _seconds(claims["iat"]) - leeway)
    return not_before, expires_at


def _seconds(value: Any) -> float:
    """A NumericDate claim that passed its check, truncated, as a float (infinite beyond float range)."""
    whole = int(value)
    try:
        return float(whole)
    except OverflowError:  # e.g. "exp": 1e400 written as an integer: valid JSON, checks passed
        return math.inf if whole > 0 else -math.inf
