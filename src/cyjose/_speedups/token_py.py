"""The whole-token fast path of :class:`cyjose.Verifier` -- pure-Python twin and reference.

A :class:`TokenFastPath` remembers the header segments the Verifier's general
path has already decoded, validated and matched to a key (a service sees the
same few headers over and over). For a token whose header it knows, it does
the rest -- split, base64url, signature, JSON, claims -- in one call.

It never decides what it cannot: when the header is unknown or anything
before the signature check fails (split, base64url, a bad signature), it
returns None and the Verifier's general path handles the token and raises
the precise error. Once the signature has verified, what remains (payload
JSON, claims) raises exactly what the general path would.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any, Callable, Dict, Optional, Tuple

from ..exceptions import DecodeError, PyJWTError, RevokedTokenError
from ..limits import DEFAULT_LIMITS, Limits
from .b64url import b64url_decode
from .claims import check_claims
from .compact import split_jws
from .json import loads_object

__all__ = ["VerifierCore", "check_not_revoked", "TokenFastPath", "TokenCache", "fresh_claims", "MAX_KNOWN_HEADERS"]

#: Header segments remembered per Verifier (a key set rarely has more kids).
MAX_KNOWN_HEADERS = 32

Verify = Callable[[bytes, bytes], bool]


class TokenFastPath:
    """Known headers plus the claim rules: ``verify(token, now)`` for the common case."""

    __slots__ = ("_headers", "_rules", "_limits", "recheck_at")

    def __init__(self, rules: Any, limits: Limits = DEFAULT_LIMITS) -> None:
        self._rules = rules
        self._limits = limits
        self._headers: Dict[bytes, Tuple[Dict[str, Any], Verify]] = {}
        #: When (``time.monotonic()``) the Verifier's keys are due for a check:
        #: from then on :class:`VerifierCore` sends every token to the Verifier,
        #: which re-checks keys that can change. Infinite for fixed keys.
        self.recheck_at = math.inf

    def remember(self, header_segment: bytes, header: Dict[str, Any], verify: Verify) -> None:
        """Remember a header segment the general path accepted, with its key's ``verify``."""
        if len(self._headers) < MAX_KNOWN_HEADERS:
            self._headers[header_segment] = (header, verify)

    def forget(self) -> None:
        """Forget every known header (after the Verifier's keys change)."""
        self._headers = {}

    def verify(self, token: Any, now: float) -> Optional[Tuple[Dict[str, Any], Dict[str, Any], bytes]]:
        """``(header, claims, signature)`` for a valid token with a known header.

        Returns None when the general path must decide; raises the
        :mod:`cyjose.exceptions` error for a token whose signature verified but
        whose payload or claims are bad. ``header`` is shared: copy it before
        handing it out.
        """
        try:
            signing_input, header_segment, payload_segment, signature_segment = split_jws(
                token, self._limits.max_token_bytes)
        except DecodeError:
            return None
        known = self._headers.get(header_segment)
        if known is None:
            return None
        header, verify = known
        try:
            payload = b64url_decode(payload_segment, "payload")
            signature = b64url_decode(signature_segment, "crypto")
        except DecodeError:
            return None
        if not verify(signing_input, signature):
            return None
        claims = loads_object(payload, "payload", self._limits.max_json_depth)
        check_claims(claims, self._rules, now)
        return header, claims, signature

    def claims(self, token: Any, now: float) -> Optional[Dict[str, Any]]:
        """The claims alone of :meth:`verify` (None when the general path must decide)."""
        verified = self.verify(token, now)
        return None if verified is None else verified[1]


class VerifierCore:
    """The per-token entry point of :class:`cyjose.Verifier`, its base class.

    The Verifier publishes ``_state`` (``(keys, fast_path, key_tags)``),
    ``_cache`` (its TokenCache or None) and ``_deny`` (its jti deny-list or
    None), and implements ``_verify(token, detached_payload)`` (every step,
    key re-checks included) and ``_verify_uncached(token, now)`` (a token the
    cache does not hold). The common cases -- a cache hit, a known header --
    are answered here. The clock is ``time.time()``, looked up on every call,
    so tools that patch it (freezegun, monkeypatch) see their time used.
    """

    __slots__ = ("_state", "_cache", "_deny", "_passed", "_failed")
    _state: Tuple[Any, TokenFastPath, Any, Any]
    _cache: Optional[TokenCache]
    _deny: Any
    _passed: int  # verifications that passed
    _failed: Dict[str, int]  # verifications that failed, by PyJWTError class name

    def verify(self, token: Any) -> Dict[str, Any]:
        """Verify ``token`` (str or bytes) and return its claims.

        Raises exactly what ``cyjose.decode()`` raises for the same token, key,
        algorithms and claim rules, and :class:`RevokedTokenError` for a token
        whose ``jti`` the deny-list names.
        """
        try:
            claims = self._verified_claims(token)
            if self._deny is not None:
                check_not_revoked(self._deny, claims)
        except PyJWTError as error:
            name = type(error).__name__
            self._failed[name] = self._failed.get(name, 0) + 1
            raise
        self._passed += 1
        return claims

    def _verified_claims(self, token: Any) -> Dict[str, Any]:
        now = time.time()
        state, cache = self._state, self._cache
        fast = state[1]
        if fast.recheck_at != math.inf and time.monotonic() >= fast.recheck_at:  # keys due for a check
            return self._verify(token, None)[1]  # type: ignore[attr-defined, no-any-return]
        if cache is None:
            claims = fast.claims(token, now)
            if claims is not None:
                return claims
        else:
            hit = cache.get(token, now, state[2])
            if hit is not None:
                return hit[1]
        return self._verify_uncached(token, now)[1]  # type: ignore[attr-defined, no-any-return]


def check_not_revoked(deny: Any, claims: Dict[str, Any]) -> None:
    """Raise :class:`RevokedTokenError` when the token's ``jti`` is on the deny-list.

    ``deny`` is a callable (``deny(jti)`` true: revoked) or a container
    (``jti in deny``); tokens without ``jti`` pass. What ``deny`` raises
    propagates.
    """
    jti = claims.get("jti")
    if jti is None:
        return
    if deny(jti) if callable(deny) else jti in deny:
        raise RevokedTokenError("Token has been revoked")


def fresh_claims(claims: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of a JSON object (claims or header) sharing no dict or list with it."""
    return {name: _fresh(value) for name, value in claims.items()}


def _fresh(value: Any) -> Any:
    if type(value) is dict:
        return fresh_claims(value)
    if type(value) is list:
        return [_fresh(item) for item in value]
    return value


class TokenCache:
    """Verified tokens, answered again without any work while still valid.

    A bounded LRU keyed by the exact token. An entry is served only while
    ``not_before <= now < expires_at`` (the Verifier computes that window from
    the token's own nbf/iat/exp, the leeway and the TTL); outside it the entry
    is dropped. Hits return fresh claim dicts, so callers cannot alter what is
    cached. ``key_tag`` records which key verified the entry, so entries of a
    key that is no longer in use can be dropped.
    """

    __slots__ = ("_entries", "_lock", "maxsize", "hits", "misses")

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._entries: Dict[Any, Tuple[Any, ...]] = {}
        self._lock = threading.Lock()  # the compiled twin relies on the GIL instead

    def get(
        self, token: Any, now: float, key_tags: Any
    ) -> Optional[Tuple[Dict[str, Any], Dict[str, Any], bytes]]:
        """``(header, claims, signature)`` of a cached token valid at ``now``, else None.

        Served only when the key that verified it is still in ``key_tags``.
        ``claims`` is a fresh copy; ``header`` is shared: copy it before handing it out.
        """
        if type(token) is not str and type(token) is not bytes:
            return None  # never cached (see put); memoryview & co. would compare equal
        with self._lock:
            entry = self._entries.pop(token, None)
            if entry is None or not (entry[0] <= now < entry[1]) or entry[5] not in key_tags:
                self.misses += 1
                return None
            self._entries[token] = entry  # re-inserted last: most recently used
            self.hits += 1
        return entry[2], fresh_claims(entry[3]), entry[4]

    def put(
        self,
        token: Any,
        header: Dict[str, Any],
        claims: Dict[str, Any],
        signature: bytes,
        key_tag: Any,
        not_before: float,
        expires_at: float,
    ) -> None:
        """Remember a token that just verified; evicts the least recently used beyond ``maxsize``."""
        if type(token) is not str and type(token) is not bytes:
            return  # only immutable exact types are safe dict keys for a security cache
        entry = (not_before, expires_at, fresh_claims(header), fresh_claims(claims), signature, key_tag)
        with self._lock:
            entries = self._entries
            entries.pop(token, None)
            # Evict first, so that no reader ever sees more than maxsize entries.
            while entries and len(entries) >= self.maxsize:
                del entries[next(iter(entries))]
            if self.maxsize:
                entries[token] = entry

    def discard_unless(self, keep_tags: Any) -> None:
        """Drop every entry whose ``key_tag`` is not in ``keep_tags``."""
        with self._lock:
            self._entries = {token: entry for token, entry in self._entries.items() if entry[5] in keep_tags}

    def clear(self) -> None:
        with self._lock:
            self._entries = {}

    def __len__(self) -> int:
        return len(self._entries)
