"""The prepared :class:`Verifier`: keys, algorithms and claim rules fixed once."""

from __future__ import annotations

import asyncio
import math
import time
from datetime import timedelta
from typing import Any, Container, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

from ._fetch.forks import ForkSafeLock
from ._jws import DEFAULT_REGISTRY, allowed_alg, bind_named, decode_jws, normalize_algorithms
from ._keyset import RECHECK_SECONDS, KeySet, NeedKeys
from ._messages import shown
from ._options import DEFAULT_OPTIONS, build_claim_rules, merge_options
from ._speedups.claims import check_claims
from ._speedups.compact import split_jws
from ._speedups.json import loads_object
from ._speedups.token import TokenCache, TokenFastPath, VerifierCore, check_not_revoked, fresh_claims
from .algorithms import BoundKey
from .api_jwk import PyJWK, PyJWKSet
from .exceptions import InvalidAlgorithmError, InvalidKeyError, InvalidTokenTypeError, PyJWTError, UnknownKeyError
from .jwks_client import AsyncPyJWKClient, PyJWKClient
from .limits import DEFAULT_LIMITS, Limits, checked_limits
from .types import FullOptions, Options

__all__ = ["Verifier", "CacheInfo"]

Verified = Tuple[Dict[str, Any], Dict[str, Any], bytes]  # header (shared), claims, signature
Chosen = Tuple[Tuple[Optional[str], PyJWK], ...]  # (kid, JWK) of every key bound from a set
# What a Verifier publishes in one assignment (VerifierCore reads the first three):
# (keys by algorithm or (kid, alg), fast path, tags of the keys in use, chosen).
State = Tuple[Optional[Dict[Any, BoundKey]], Any, FrozenSet[BoundKey], Chosen]
#: The claims RFC 9068 §2.2 requires in a JWT access token.
ACCESS_TOKEN_CLAIMS = ("iss", "exp", "aud", "sub", "client_id", "iat", "jti")
# How many times averify awaits a key source for one token (the set, then the kid).
_MAX_KEY_LOADS = 3


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
    # native twins); it reads ``_state`` and ``_cache``, counts verdicts in ``_passed``
    # and ``_failed``, and falls back to ``_verify``.
    __slots__ = ("_key", "_key_set", "_lazy", "_registry", "_rules", "_options", "_cache_ttl",
                 "_limits", "_typ", "_lock", "algorithms", "__weakref__")

    def __new__(cls, key: Any = None, *args: Any, **kwargs: Any) -> Verifier:
        # Keys from an AsyncPyJWKClient are only ever awaited: such a Verifier refuses sync calls.
        if cls is Verifier and isinstance(key, AsyncPyJWKClient):
            cls = _AsyncKeysVerifier
        return super().__new__(cls)

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
        typ: Optional[str] = None,
    ) -> None:
        self._deny = _deny_list(deny_jti)
        self._limits = checked_limits(limits)
        self._typ = _expected_typ(typ)
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
        self._cache, self._cache_ttl, self._deny, self._limits, self._typ = None, 0.0, None, limits, None
        self._configure(key, algorithms, options, rules, registry, lazy=True)
        return self

    @classmethod
    def from_issuer(
        cls,
        issuer: str,
        algorithms: Sequence[str],
        audience: Union[None, str, Iterable[str]] = None,
        *,
        allow_http_localhost: bool = False,
        client_options: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> Verifier:
        """A Verifier for the tokens of ``issuer``: its keys found by discovery, its ``iss`` checked.

        The keys come from :meth:`PyJWKClient.from_issuer` (metadata fetched
        now; ``client_options`` are the client's arguments); ``iss`` must equal
        ``issuer``. ``kwargs`` are the Verifier's other arguments. Raises what
        discovery raises (:class:`~cyjose.exceptions.PyJWKClientError`).
        """
        client = PyJWKClient.from_issuer(issuer, allow_http_localhost=allow_http_localhost, **(client_options or {}))
        return cls(client, algorithms, audience, issuer, **kwargs)

    @classmethod
    async def afrom_issuer(
        cls,
        issuer: str,
        algorithms: Sequence[str],
        audience: Union[None, str, Iterable[str]] = None,
        *,
        allow_http_localhost: bool = False,
        client_options: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> Verifier:
        """:meth:`from_issuer` for async code: an :class:`~cyjose.AsyncPyJWKClient`, used with ``averify``."""
        client = await AsyncPyJWKClient.from_issuer(
            issuer, allow_http_localhost=allow_http_localhost, **(client_options or {}))
        return cls(client, algorithms, audience, issuer, **kwargs)

    @classmethod
    def for_access_tokens(
        cls,
        key: Any,
        *,
        issuer: str,
        audience: Union[str, Iterable[str]],
        algorithms: Optional[Sequence[str]] = None,
        options: Optional[Options] = None,
        **kwargs: Any,
    ) -> Verifier:
        """A Verifier for RFC 9068 JWT access tokens: ``typ`` "at+jwt" and the profile's claims required.

        The token must carry ``typ: at+jwt`` (``application/at+jwt`` too, any
        case) and the claims ``iss``, ``exp``, ``aud``, ``sub``, ``client_id``,
        ``iat`` and ``jti`` (RFC 9068 §2.2); ``iss`` must equal ``issuer`` and
        ``aud`` name ``audience`` (§4). ``options["require"]`` may add claims;
        ``kwargs`` are the Verifier's other arguments (``leeway``,
        ``cache_size``, ``deny_jti``, ...).
        """
        if not issuer or not audience:
            raise TypeError("An RFC 9068 access-token Verifier needs an issuer and an audience")
        extra = dict(options or {})
        require: Any = extra.get("require", ())
        more = [require] if isinstance(require, str) else list(require)
        extra["require"] = list(dict.fromkeys([*ACCESS_TOKEN_CLAIMS, *more]))
        return cls(key, algorithms, audience=audience, issuer=issuer, options=extra,  # type: ignore[arg-type]
                   typ="at+jwt", **kwargs)

    def _configure(
        self, key: Any, algorithms: Tuple[str, ...], options: FullOptions, rules: Any, registry: Any, lazy: bool
    ) -> None:
        self.algorithms = algorithms
        self._options = options
        self._rules = rules
        self._registry = registry
        self._lazy = lazy
        self._passed, self._failed = 0, {}
        self._lock = ForkSafeLock()
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
            fast.recheck_at = time.monotonic() + RECHECK_SECONDS
        with self._lock:
            self._key, self._key_set = key, key_set
            self._state: State = (keys, fast, frozenset(keys.values()) if keys else frozenset(), tuple(chosen))

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

    def _resolve(self, header: Dict[str, Any], state: State) -> Optional[BoundKey]:
        """The key for the token's algorithm (None: signature checks are off)."""
        if self._typ is not None:  # a rule on the header: with signature checks off too
            _check_typ(header, self._typ)
        keys = state[0]
        if keys is None:
            return None
        alg = allowed_alg(header, self.algorithms)
        if self._key_set is not None:
            return self._resolve_in_set(header, alg, state)
        bound = keys.get(alg)
        if bound is None:  # only in lazy mode: eager Verifiers bound every algorithm
            bound = self._bind(alg, self._key)
            if bound.weakness is None:
                keys[alg] = bound  # the same key for every caller: no race to lose
        return bound

    def _resolve_in_set(self, header: Dict[str, Any], alg: str, state: State) -> BoundKey:
        """The set's key for this token, published for later tokens if the state is still ``state``.

        The check and the write are one step under the lock (compare-and-set):
        a re-check that replaced the state meanwhile (a key withdrawn) is never
        overwritten by the state this token started from.
        """
        keys, fast, tags, chosen = state
        assert keys is not None
        kid = header.get("kid")
        bound = keys.get((kid, alg)) if kid is None or type(kid) is str else None
        if bound is not None:
            return bound
        key_set = self._key_set
        assert key_set is not None
        jwk = key_set.select(header, alg)
        bound = self._bind(alg, jwk)
        with self._lock:
            if self._state is state and key_set is self._key_set:
                self._state = ({**keys, (kid, alg): bound}, fast, tags | {bound}, chosen + ((kid, jwk),))
        return bound

    def _recheck_key_set(self) -> None:
        """Ask a client-backed key set whether the keys in use are still published.

        Unchanged: the fast path may answer for another RECHECK_SECONDS. Changed
        (a key withdrawn or replaced): everything bound is dropped and tokens are
        resolved again; cached tokens of withdrawn keys are never served.
        """
        state, key_set = self._state, self._key_set
        assert key_set is not None
        if key_set.is_async and key_set.loaded_at < state[1].recheck_at:
            raise NeedKeys(None)  # averify awaits the client's current set, then comes back
        if key_set.unchanged(state[3]):
            with self._lock:
                if self._state is state:  # else a newer state is due for its own check at once
                    state[1].recheck_at = time.monotonic() + RECHECK_SECONDS
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

    def metrics(self) -> Dict[str, Any]:
        """Counters since construction: ``{"passed": int, "failed": {exception class name: int}}``.

        Every :meth:`verify`, :meth:`verify_complete` and ``averify*`` call
        counts once: passed, or failed under the name of the
        :class:`~cyjose.exceptions.PyJWTError` it raised. Counts are plain
        integers, exact with the compiled twins; the pure-Python twin may lose
        an increment when threads race. See the README for a Prometheus or
        OpenTelemetry recipe.
        """
        return {"passed": self._passed, "failed": dict(self._failed)}

    def warm_up(self) -> None:
        """Fetch a client-backed key set now (start-up), raising what the client raises.

        :class:`~cyjose.exceptions.PyJWKClientConnectionError` when the
        endpoint cannot be reached, so a service can refuse to start. Nothing
        to do for fixed keys.
        """
        client = self._key_set.client if self._key_set is not None else None
        if client is not None:
            client.warm_up()

    async def awarm_up(self) -> None:
        """Async :meth:`warm_up` (for a Verifier over an :class:`~cyjose.AsyncPyJWKClient` too)."""
        key_set = self._key_set
        if key_set is None or key_set.client is None:
            return
        if key_set.is_async:
            await key_set.client.warm_up()
            await key_set.load(None)
        else:
            await asyncio.get_running_loop().run_in_executor(None, key_set.client.warm_up)

    def verify_complete(self, token: Union[str, bytes], detached_payload: Optional[bytes] = None) -> Dict[str, Any]:
        """Verify ``token``: ``{"header": dict, "payload": dict, "signature": bytes}``."""
        try:
            header, claims, signature = self._verify(token, detached_payload)
            if self._deny is not None:
                check_not_revoked(self._deny, claims)
        except PyJWTError as error:
            self._count_failure(error)
            raise
        self._passed += 1
        return {"header": fresh_claims(header), "payload": claims, "signature": signature}

    async def averify(self, token: Union[str, bytes]) -> Dict[str, Any]:
        """:meth:`verify` for async code; the same result and errors.

        With an :class:`~cyjose.AsyncPyJWKClient` as the key source, keys
        already bound (and the token cache) answer at once, as :meth:`verify`
        does; only a token whose key is not bound yet, or a due re-check of
        the set, awaits the client, so the event loop never blocks on the
        network. With any other key it is :meth:`verify` (a
        :class:`~cyjose.PyJWKClient` fetch would block the loop: give async
        code an AsyncPyJWKClient).
        """
        return self.verify(token)

    async def averify_complete(
        self, token: Union[str, bytes], detached_payload: Optional[bytes] = None
    ) -> Dict[str, Any]:
        """:meth:`verify_complete` for async code (see :meth:`averify`)."""
        return self.verify_complete(token, detached_payload)

    def _count_failure(self, error: PyJWTError) -> None:
        name = type(error).__name__
        self._failed[name] = self._failed.get(name, 0) + 1

    def _verify(self, token: Any, detached_payload: Optional[bytes]) -> Verified:
        """Every case: key re-checks, detached payloads, the cache, then :meth:`_verify_uncached`."""
        now = time.time()
        if time.monotonic() >= self._state[1].recheck_at:  # a client-backed key set is due for a check
            self._recheck_key_set()
        if detached_payload is not None:
            return self._verify_general(token, now, detached_payload, self._state, None)[0]
        cache = self._cache
        if cache is not None:
            hit = cache.get(token, now, self._state[2])
            if hit is not None:
                return hit
        return self._verify_uncached(token, now)

    def _verify_uncached(self, token: Any, now: float) -> Verified:
        """Verify a token the cache does not hold (fast path, else general path), and cache it."""
        state = self._state
        fast = state[1]
        verified: Optional[Verified] = fast.verify(token, now)
        if verified is not None:
            bound = self._resolve(verified[0], state)  # known header: already bound
        else:
            verified, bound = self._verify_general(token, now, None, state, fast)
        cache = self._cache
        if cache is not None and bound is not None:  # never cache an unverified token
            header, claims, signature = verified
            not_before, expires_at = _validity_window(claims, self._options, self._rules.leeway, now)
            cache.put(token, header, claims, signature, bound, not_before, min(expires_at, now + self._cache_ttl))
        return verified

    def _verify_general(
        self, token: Any, now: float, detached_payload: Optional[bytes], state: State, fast: Any
    ) -> Tuple[Verified, Optional[BoundKey]]:
        """Every step, with precise errors; teaches ``fast`` the header when it may."""
        used: List[Optional[BoundKey]] = []

        def resolve(header: Dict[str, Any]) -> Optional[BoundKey]:
            used.append(self._resolve(header, state))
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


class _AsyncKeysVerifier(Verifier):
    """A :class:`Verifier` whose keys come from an :class:`~cyjose.AsyncPyJWKClient`.

    ``Verifier(async_client, ...)`` builds one. Only the ``averify*`` methods
    work: a sync call could have to wait on the network, which an async
    client never does from sync code.
    """

    __slots__ = ()

    def verify(self, token: Any) -> Dict[str, Any]:
        raise TypeError(_SYNC_ON_ASYNC)

    def verify_complete(self, token: Any, detached_payload: Optional[bytes] = None) -> Dict[str, Any]:
        raise TypeError(_SYNC_ON_ASYNC)

    def warm_up(self) -> None:
        raise TypeError("This Verifier's keys come from an AsyncPyJWKClient: use `await verifier.awarm_up()`")

    async def averify(self, token: Union[str, bytes]) -> Dict[str, Any]:
        return await self._awaiting_keys(Verifier.verify, token)

    async def averify_complete(
        self, token: Union[str, bytes], detached_payload: Optional[bytes] = None
    ) -> Dict[str, Any]:
        return await self._awaiting_keys(Verifier.verify_complete, token, detached_payload)

    async def _awaiting_keys(self, verify: Any, *args: Any) -> Dict[str, Any]:
        """``verify(self, *args)``, awaiting the key source each time it lacks a key (bounded)."""
        key_set = self._key_set
        assert key_set is not None
        for loads in range(_MAX_KEY_LOADS + 1):
            try:
                return verify(self, *args)  # type: ignore[no-any-return]
            except NeedKeys as need:
                wanted = need.kid
            try:
                if loads == _MAX_KEY_LOADS:  # the source keeps changing under us: treat the kid as unknown
                    raise UnknownKeyError("The key set changed while the token's key was being fetched; try again")
                await key_set.load(wanted)
            except PyJWTError as error:  # counted here: VerifierCore never saw it
                self._count_failure(error)
                raise
        raise AssertionError("unreachable")  # pragma: no cover


_SYNC_ON_ASYNC = (
    "This Verifier's keys come from an AsyncPyJWKClient: use `await verifier.averify(token)` "
    "(or give a PyJWKClient to a Verifier used from sync code)"
)


def _expected_typ(typ: Optional[str]) -> Optional[str]:
    if typ is None:
        return None
    if not isinstance(typ, str) or not typ.strip():
        raise TypeError("typ must be a non-empty str, e.g. \"at+jwt\"")
    return _media_type(typ)


def _media_type(typ: str) -> str:
    """RFC 7515 §4.1.9: compared case-insensitively, ``application/`` implied when no ``/``."""
    typ = typ.lower()
    return typ if "/" in typ else "application/" + typ


def _check_typ(header: Dict[str, Any], expected: str) -> None:
    typ = header.get("typ")
    if not isinstance(typ, str) or _media_type(typ) != expected:
        shown_typ = "none" if typ is None else f'"{shown(typ)}"' if isinstance(typ, str) else "not a string"
        raise InvalidTokenTypeError(f'The token type (header "typ") is {shown_typ}, expected "{expected}"')


def as_key_set(key: Any) -> Optional[KeySet]:
    """A :class:`KeySet` when ``key`` is a JWK set source, else None (a single key).

    Sources: a JWKS dict (``{"keys": [...]}``, loaded in public form:
    ``PyJWKSet(load_private=False)``), a :class:`PyJWKSet` or a
    :class:`PyJWKClient`. Raises :class:`PyJWKSetError` for a dict that is
    not a usable JWK set or a set that fails :func:`cyjose._keyset.check_key_set`.
    """
    if isinstance(key, (PyJWKClient, AsyncPyJWKClient)):
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
