"""JWK sets as a Verifier's key source: the key for each token chosen by ``kid``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple

from .api_jwk import PyJWK, PyJWKSet
from .exceptions import PyJWKClientConnectionError, PyJWKClientError, UnknownKeyError

if TYPE_CHECKING:
    from .jwks_client import PyJWKClient

__all__ = ["KeySet", "as_key_set", "RECHECK_SECONDS"]

#: How often (seconds) a Verifier backed by a PyJWKClient asks it for the
#: current key set, so a key the IdP withdrew stops verifying within this time
#: (plus the client's own cache lifespan).
RECHECK_SECONDS = 10.0


def as_key_set(key: Any) -> Optional["KeySet"]:
    """A :class:`KeySet` when ``key`` is a JWK set source, else None (a single key).

    Sources: a JWKS dict (``{"keys": [...]}``), a :class:`PyJWKSet` or a
    :class:`PyJWKClient`. Raises :class:`PyJWKSetError` for a dict that is
    not a usable JWK set.
    """
    from .jwks_client import PyJWKClient  # (it imports the decode API, which imports this)

    if isinstance(key, PyJWKClient):
        return KeySet(None, key)
    if isinstance(key, PyJWKSet):
        return KeySet(key, None)
    if isinstance(key, dict) and "keys" in key:
        return KeySet(PyJWKSet.from_dict(key), None)
    return None


class KeySet:
    """The keys of a JWK set, a fixed :class:`PyJWKSet` or a :class:`PyJWKClient`'s current one.

    :meth:`select` picks the key for a token: the one whose ``kid`` is the
    token's ``kid``; a token without ``kid`` gets the set's only key for its
    algorithm (several candidates: refused, since guessing could pick a key
    the issuer did not mean). Unknown kids raise :class:`UnknownKeyError`
    (an :class:`InvalidTokenError`); a client that cannot produce any key set
    raises :class:`PyJWKClientConnectionError`, as it does for PyJWT.
    """

    __slots__ = ("_fixed", "client")

    def __init__(self, fixed: Optional[PyJWKSet], client: Optional[PyJWKClient]) -> None:
        self._fixed = fixed
        self.client = client

    @property
    def dynamic(self) -> bool:
        """True when the keys can change (a client's set is refreshed)."""
        return self.client is not None

    def keys(self) -> List[PyJWK]:
        """The keys of the current set (a client may fetch it now)."""
        if self._fixed is not None:
            return list(self._fixed.keys)
        assert self.client is not None
        return list(self.client.get_jwk_set().keys)

    def select(self, header: Dict[str, Any], alg: str) -> PyJWK:
        """The key for a token with this (validated) ``header`` and allowed ``alg``."""
        kid = header.get("kid")  # a str: validate_header refuses any other kid
        if kid is None:
            return self._only_key_for(alg)
        if self.client is not None:
            try:
                return self.client.get_signing_key(kid)
            except PyJWKClientConnectionError:
                raise
            except PyJWKClientError:
                raise _unknown(kid) from None
        assert self._fixed is not None
        jwk = self._fixed.get(kid)
        if jwk is None:
            raise _unknown(kid)
        return jwk

    def _only_key_for(self, alg: str) -> PyJWK:
        candidates = [jwk for jwk in self.keys() if jwk.algorithm_name == alg and jwk.usable_for("verify")]
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
    return UnknownKeyError(f'Unable to find a signing key that matches: "{kid}"')
