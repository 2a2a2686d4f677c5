"""JWK sets as a Verifier's key source: the key for each token chosen by ``kid``.

A Verifier takes a set only if it passes :func:`check_key_set` (no duplicate
``kid``, not symmetric and asymmetric keys together, judged on the members as
given, loaded or not). :class:`PyJWKSet`
itself accepts such sets, as PyJWT's does; the policy belongs to the verifier,
which must know which key a token means.
"""

from __future__ import annotations

import inspect
import math
import time
from typing import Any, Dict, Iterable, List, Optional, Protocol, Set, Tuple

from ._messages import shown
from .api_jwk import PyJWK, PyJWKSet
from .exceptions import PyJWKClientConnectionError, PyJWKClientError, PyJWKSetError, UnknownKeyError

__all__ = [
    "KeySet", "KeySource", "NeedKeys", "check_key_set", "jwk_set_of", "set_keys", "keys_for_header",
    "RECHECK_SECONDS",
]

#: How often (seconds) a Verifier backed by a PyJWKClient asks it for the
#: current key set, so a key the IdP withdrew stops verifying within this time
#: (plus the client's own cache lifespan).
RECHECK_SECONDS = 10.0


def set_keys(key: Any, load_private: bool = True) -> Optional[List[PyJWK]]:
    """The keys of a JWK set (a :class:`PyJWKSet` or a ``{"keys": [...]}`` dict), None for any other key."""
    if isinstance(key, PyJWKSet):
        return list(key.keys)
    if isinstance(key, dict) and "keys" in key:
        return list(PyJWKSet.from_dict(key, load_private=load_private).keys)
    return None


def keys_for_header(
    candidates: Iterable[PyJWK], kid: Optional[str], alg: Optional[str] = None,
    operation: Optional[str] = None, lone: bool = False,
) -> List[PyJWK]:
    """The JWKs of ``candidates`` that may serve a header with this ``kid`` (one rule for every caller).

    A header with a ``kid`` is served by the keys with that ``kid``; without
    one, by every key. ``lone`` (the caller gave one PyJWK, not a set): a key
    without ``kid`` serves any ``kid``. ``alg`` keeps the keys of that
    algorithm, ``operation`` those whose ``use``/``key_ops`` allow it.
    """
    return [
        jwk for jwk in candidates
        if (kid is None or jwk.key_id == kid or (lone and jwk.key_id is None))
        and (alg is None or jwk.algorithm_name == alg)
        and (operation is None or jwk.usable_for(operation))
    ]


def jwk_set_of(key: Any, load_private: bool = True) -> Optional[PyJWKSet]:
    """``key`` as a :class:`PyJWKSet` when it is one or a ``{"keys": [...]}`` dict, None for any other key."""
    if isinstance(key, PyJWKSet):
        return key
    if isinstance(key, dict) and "keys" in key:
        return PyJWKSet.from_dict(key, load_private=load_private)
    return None


#: The key types of asymmetric keys (a member with another, unknown ``kty`` has no kind).
_ASYMMETRIC_KTY = frozenset(("RSA", "EC", "OKP", "AKP"))
_SKIPPED_TOO = " (counting members that could not be loaded)"


def check_key_set(jwk_set: PyJWKSet, fetched: bool = False, *, by_algorithm: bool = False) -> None:
    """Refuse, with :class:`PyJWKSetError`, a set a verifier cannot use safely.

    The set is judged **as given**: every member of its ``keys`` list counts,
    including those :class:`PyJWKSet` skipped because they could not be loaded
    (PyJWT's rule, which the set itself keeps). A skipped member is still
    something the issuer published and meant; ignoring it would let a broken
    first copy of a ``kid`` hand its tokens to a second copy, or hide a shared
    secret in a set of public keys.

    * Two members with the same ``kid`` (RFC 7517 §4.5 asks for distinct
      ones), loaded or not: a token's ``kid`` would not say which key it
      means. The message names the ``kid`` (kids are public).
    * Symmetric (``oct``) and asymmetric (RSA, EC, OKP, AKP) members
      together, loaded or not (a member with an unknown ``kty`` has no kind):
      a published set must never hold a shared secret, and one verifier
      accepting both MACs and signatures is the ground algorithm confusion
      grows on. Give such keys to separate Verifiers.
    * ``fetched`` (a :class:`PyJWKClient`'s set): any ``oct`` member, loaded
      or not. A key served by a URL is public; as an HMAC secret it would let
      anyone who can read the URL mint tokens.

    ``by_algorithm`` is the policy of :func:`cyjose.jws.verify_json`, whose
    signatures each name a ``kid`` *and* an ``alg``: several loaded keys may
    share a ``kid`` (one per algorithm, RFC 7520 §4.8) and kinds may mix (the
    JWS JSON serialization carries MACs and signatures side by side); only a
    ``kid`` repeated where some copy could not be loaded is refused, since
    which key it meant cannot be known.
    """
    loaded = [(jwk.key_id, jwk.key_type) for jwk in jwk_set.keys]
    given = list(getattr(jwk_set, "_given", loaded))  # a set made without __init__ has no record
    _check_kids([kid for kid, _ in given], [kid for kid, _ in loaded], by_algorithm)
    kinds, given_kinds = _kinds(loaded), _kinds(loaded + given)
    if not by_algorithm and len(given_kinds) > 1:
        raise PyJWKSetError("The JWK Set mixes symmetric (oct) and asymmetric keys; a Verifier takes one kind"
                            + ("" if len(kinds) > 1 else _SKIPPED_TOO))
    if fetched and "oct" in given_kinds:
        raise PyJWKSetError("The JWKS endpoint serves a symmetric (oct) key: a published secret verifies nothing"
                            + ("" if "oct" in kinds else _SKIPPED_TOO))


def _check_kids(given: List[Optional[str]], loaded: List[Optional[str]], by_algorithm: bool) -> None:
    """The ``kid`` rule of :func:`check_key_set` over the kids as given and as loaded."""
    given_count, loaded_count = _counts(given), _counts(loaded)
    for kid, count in given_count.items():
        skipped = count > loaded_count.get(kid, 0)
        if count > 1 and (skipped or not by_algorithm):
            raise PyJWKSetError(f'The JWK Set has more than one key with "kid" "{shown(kid)}"'
                                + (_SKIPPED_TOO if skipped else ""))
    for kid, count in loaded_count.items():  # keys added to .keys after construction count too
        if count > 1 and not by_algorithm:
            raise PyJWKSetError(f'The JWK Set has more than one key with "kid" "{shown(kid)}"')


def _counts(kids: List[Optional[str]]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for kid in kids:
        if kid is not None:
            counts[kid] = counts.get(kid, 0) + 1
    return counts


def _kinds(members: List[Tuple[Optional[str], Optional[str]]]) -> Set[str]:
    """The kinds (``"oct"``, ``"asymmetric"``) among ``(kid, kty)`` members."""
    return {"oct" if kty == "oct" else "asymmetric" for _, kty in members if kty == "oct" or kty in _ASYMMETRIC_KTY}


class KeySource(Protocol):
    """What a :class:`KeySet` asks of a changing key set (:class:`cyjose.PyJWKClient` is one).

    An async source (:class:`cyjose.AsyncPyJWKClient`) has the same methods as coroutines.
    """

    def get_jwk_set(self) -> PyJWKSet:
        """The current set (it may be fetched)."""

    def get_signing_key(self, kid: str) -> PyJWK:
        """The current key for ``kid``; :class:`PyJWKClientError` when there is none."""


class NeedKeys(Exception):
    """Raised inside a verification when an async key source must be awaited first.

    Not a :class:`PyJWTError`, so no error handling on the way catches it;
    :meth:`cyjose.Verifier.averify` awaits :meth:`KeySet.load` and tries again.
    ``kid``: the key wanted (None: the current set).
    """

    def __init__(self, kid: Optional[str]) -> None:
        super().__init__(kid)
        self.kid = kid


class KeySet:
    """The keys of a JWK set, a fixed :class:`PyJWKSet` or a :class:`KeySource`'s (a
    :class:`~cyjose.PyJWKClient`'s) current one.

    :meth:`select` picks the key for a token: the one whose ``kid`` is the
    token's ``kid``; a token without ``kid`` gets the set's only key for its
    algorithm (several candidates: refused, since guessing could pick a key
    the issuer did not mean). Unknown kids raise :class:`UnknownKeyError`
    (an :class:`InvalidTokenError`); a client that cannot produce any key set
    raises :class:`PyJWKClientConnectionError`, as it does for PyJWT.

    Every set must pass :func:`check_key_set`: a fixed one here (so a
    Verifier refuses it at construction, :class:`PyJWKSetError`), a client's
    each time a new one is taken. A client whose set turns bad after a
    refresh makes every verification raise :class:`PyJWKSetError` (not an
    :class:`InvalidTokenError`: the key source is broken, not the token) until
    the endpoint serves a good set again.

    An async source is never called from here: the set last awaited by
    :meth:`load` serves, and what it lacks raises :class:`NeedKeys`.
    """

    __slots__ = ("_fixed", "client", "_passed", "is_async", "loaded_at")

    def __init__(self, fixed: Optional[PyJWKSet], client: Any) -> None:  # a KeySource, sync or async
        if fixed is not None:
            check_key_set(fixed)
        self._fixed = fixed
        self.client = client
        self.is_async = client is not None and inspect.iscoroutinefunction(client.get_jwk_set)
        self._passed = fixed  # the last set that passed check_key_set (an async source's: the one in use)
        #: When (time.monotonic) :meth:`load` last took an async source's set.
        self.loaded_at = -math.inf

    @property
    def dynamic(self) -> bool:
        """True when the keys can change (a client's set is refreshed)."""
        return self.client is not None

    def _current(self) -> PyJWKSet:
        """The set in use now (a client may fetch it), checked by :func:`check_key_set`."""
        if self._fixed is not None:
            return self._fixed
        if self.is_async:
            if self._passed is None:
                raise NeedKeys(None)
            return self._passed
        assert self.client is not None
        return self._checked(self.client.get_jwk_set())

    def _checked(self, jwk_set: PyJWKSet) -> PyJWKSet:
        if jwk_set is not self._passed:
            check_key_set(jwk_set, fetched=True)
            self._passed = jwk_set
        return jwk_set

    async def load(self, kid: Optional[str]) -> None:
        """Await an async source for ``kid`` (None: its current set); the set then serves :meth:`select`."""
        assert self.client is not None and self.is_async
        if kid is not None:
            try:
                await self.client.get_signing_key(kid)  # a coroutine: is_async
            except PyJWKClientConnectionError:
                raise
            except PyJWKClientError:
                raise _unknown(kid) from None
        self._checked(await self.client.get_jwk_set())
        self.loaded_at = time.monotonic()

    def keys(self) -> List[PyJWK]:
        """The keys of the current set (a client may fetch it)."""
        return list(self._current().keys)

    def select(self, header: Dict[str, Any], alg: str) -> PyJWK:
        """The key for a token with this (validated) ``header`` and allowed ``alg``."""
        kid = header.get("kid")  # a str: validate_header refuses any other kid
        if kid is None:
            return self._only_key_for(alg)
        if self.client is not None and not self.is_async:
            try:
                served: PyJWK = self.client.get_signing_key(kid)
            except PyJWKClientConnectionError:
                raise
            except PyJWKClientError:
                raise _unknown(kid) from None
            self._current()  # the set it came from (perhaps just refetched) must pass too
            return served
        # At most one match: check_key_set refuses repeated kids.
        found = keys_for_header(self._current().keys, kid, operation="verify" if self.is_async else None)
        if found:
            return found[0]
        raise NeedKeys(kid) if self.is_async else _unknown(kid)

    def _only_key_for(self, alg: str) -> PyJWK:
        candidates = keys_for_header(self.keys(), None, alg, "verify")
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise UnknownKeyError(f'The key set has no key for "{alg}"')
        raise UnknownKeyError(f'The token has no "kid" and the key set has {len(candidates)} keys for "{alg}"')

    def unchanged(self, chosen: Iterable[Tuple[Optional[str], PyJWK]]) -> bool:
        """Whether every ``(kid, key)`` chosen earlier is still the set's key for that kid."""
        current: Dict[Optional[str], PyJWK] = {}
        for jwk in self.keys():
            current.setdefault(jwk.key_id, jwk)
        for kid, jwk in chosen:
            now = current.get(kid)
            if now is None or (now is not jwk and now.to_dict(private=True) != jwk.to_dict(private=True)):
                return False
        return True


def _unknown(kid: str) -> UnknownKeyError:
    # The token's kid, cut short: a hostile token must not make a megabyte error message.
    return UnknownKeyError(f'Unable to find a signing key that matches: "{shown(kid)}"')
