"""The :class:`StoreSigner`: a Signer that follows a key store's rotations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Tuple

from ..signer import Signer
from ._storage import KeyRecord

__all__ = ["SigningKeys", "StoreSigner"]


@dataclass(frozen=True)
class SigningKeys:
    """What a :class:`StoreSigner` reads from its store (the KeyStore builds it from its own methods).

    * ``active()``: the active key's row; KeyStoreError when there is none.
    * ``private_key(record)``: that row's decrypted private key, checked against its kid.
    * ``now()``: the store's clock, POSIX seconds.
    """

    active: Callable[[], KeyRecord]
    private_key: Callable[[KeyRecord], Any]
    now: Callable[[], float]


class StoreSigner:
    """Signs with a :class:`KeyStore`'s active key, following rotations.

    Not a :class:`cyjose.Signer` subclass but the same interface (``sign``,
    ``sign_bytes``, ``algorithm``): it holds one prepared Signer for the
    active key (with ``kid`` in its header) and swaps it, in one assignment,
    when a check finds another key active. The store is checked at most every
    ``refresh_interval`` seconds of the store's clock, and at once after
    :meth:`refresh` or a rotation through the same KeyStore object.
    """

    def __init__(self, keys: SigningKeys, headers: Dict[str, Any], refresh_interval: float,
                 signer_options: Dict[str, Any]) -> None:
        if not isinstance(headers, dict) or {"kid", "alg"}.intersection(headers):
            raise ValueError("headers must be a dict without kid or alg: the store sets them")
        if isinstance(refresh_interval, bool) or not isinstance(refresh_interval, (int, float)) or refresh_interval < 0:
            raise ValueError("refresh_interval must be seconds >= 0")
        self._keys, self._headers, self._interval, self._options = keys, dict(headers), refresh_interval, signer_options
        self._current: Tuple[str, Signer, float] = self._load(keys.active())

    def _load(self, record: KeyRecord) -> Tuple[str, Signer, float]:
        signer = Signer(self._keys.private_key(record), record.algorithm,
                        {**self._headers, "kid": record.kid}, **self._options)
        return record.kid, signer, self._keys.now()

    def _signer(self) -> Signer:
        kid, signer, checked = self._current
        now = self._keys.now()
        if now - checked < self._interval and now >= checked:
            return signer
        record = self._keys.active()
        self._current = (kid, signer, now) if record.kid == kid else self._load(record)
        return self._current[1]

    def refresh(self) -> None:
        """Check the store for the active key before the next signature."""
        kid, signer, _ = self._current
        self._current = (kid, signer, float("-inf"))

    @property
    def kid(self) -> str:
        """The kid of the key that signed last (or will sign next, before a refresh)."""
        return self._current[0]

    @property
    def algorithm(self) -> str:
        """The algorithm of that key."""
        return self._current[1].algorithm

    def sign(self, claims: Dict[str, Any]) -> str:
        """Sign a JWT claim set with the active key: the compact token (``kid`` in its header)."""
        return self._signer().sign(claims)

    def sign_bytes(self, payload: bytes) -> str:
        """Sign raw ``payload`` bytes with the active key: the compact token."""
        return self._signer().sign_bytes(payload)

    def __repr__(self) -> str:
        return f"<StoreSigner {self.algorithm} kid={self.kid}>"
