"""The JWK Set cache behind :class:`cyjose.PyJWKClient` (PyJWT's ``jwt.jwk_set_cache``).

One parsed :class:`~cyjose.api_jwk.PyJWKSet` with the moment it was stored and
how long it stays fresh. Beyond PyJWT's ``put``/``get``/``is_expired``, each
entry may carry its own lifespan (the client passes the endpoint's
``Cache-Control: max-age``), the clock can be injected, and an expired set is
kept so the client can serve it while the endpoint is failing
(:meth:`JWKSetCache.get_stale`).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, NamedTuple, Optional, Union

from .api_jwk import PyJWKSet
from .exceptions import PyJWKSetError

__all__ = ["JWKSetCache"]


class _Entry(NamedTuple):
    jwk_set: PyJWKSet
    stored_at: float
    lifespan: float

    def expired_for(self, now: float) -> float:
        """Seconds since the entry expired (negative while fresh; a negative lifespan never expires)."""
        if self.lifespan < 0:
            return float("-inf")
        return now - (self.stored_at + self.lifespan)


class JWKSetCache:
    """Holds the most recent JWK Set and says whether it is still fresh.

    ``lifespan`` is the default freshness in seconds (a negative value never
    expires, as in PyJWT); ``clock`` is the monotonic time source (injectable
    so tests need not sleep). The one entry is replaced atomically, so reads
    from several threads are safe.
    """

    def __init__(self, lifespan: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.lifespan = lifespan
        self._clock = clock
        self._entry: Optional[_Entry] = None

    def put(self, jwk_set: Union[PyJWKSet, Dict[str, Any], None], *, lifespan: Optional[float] = None) -> None:
        """Store ``jwk_set`` (parsed if given as a JWKS dict) fresh for ``lifespan`` seconds.

        ``lifespan`` defaults to the cache's own; ``None`` as ``jwk_set``
        empties the cache. Raises :class:`PyJWKSetError` when ``jwk_set`` is
        neither a ``PyJWKSet`` nor a dict holding usable keys.
        """
        if jwk_set is None:
            self._entry = None
            return
        if not isinstance(jwk_set, PyJWKSet):
            if not isinstance(jwk_set, dict):
                raise PyJWKSetError("Invalid JWK Set value")
            jwk_set = PyJWKSet.from_dict(jwk_set)
        self._entry = _Entry(jwk_set, self._clock(), self.lifespan if lifespan is None else lifespan)

    def get(self) -> Optional[PyJWKSet]:
        """The cached set while it is fresh, else None."""
        entry = self._entry
        if entry is None or entry.expired_for(self._clock()) > 0:
            return None
        return entry.jwk_set

    def get_stale(self, max_stale: Optional[float]) -> Optional[PyJWKSet]:
        """The cached set if it expired at most ``max_stale`` seconds ago (None: any time ago).

        A fresh set is returned too; None when the cache is empty or the set
        is older than allowed.
        """
        entry = self._entry
        if entry is None:
            return None
        if max_stale is not None and entry.expired_for(self._clock()) > max_stale:
            return None
        return entry.jwk_set

    def refresh_due(self, fraction: float) -> bool:
        """True when a fresh set has less than ``fraction`` of its lifespan left (time to refetch ahead)."""
        entry = self._entry
        if entry is None or entry.lifespan <= 0:
            return False
        return entry.expired_for(self._clock()) > -entry.lifespan * fraction

    def is_expired(self) -> bool:
        """True when a set is cached and its lifespan has passed."""
        entry = self._entry
        return entry is not None and entry.expired_for(self._clock()) > 0
