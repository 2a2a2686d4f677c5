"""The rotation policy: how often keys change and how long old public keys stay published."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._keygen import STORE_ALGORITHMS

__all__ = ["RotationPolicy"]

_DAY = 86400.0


@dataclass(frozen=True)
class RotationPolicy:
    """The timeline :meth:`KeyStore.rotate() <cyjose.keys.KeyStore.rotate>` follows (seconds).

    * ``algorithm``: what new keys are generated for (ES256, ES384, ES512,
      RS256/384/512, PS256/384/512 or EdDSA with Ed25519).
    * ``rotation_period`` (30 days): how long a key signs before the next one takes over.
    * ``prepublish`` (1 day): how long the next key is published before it may
      sign, so every verifier's cached JWK set (the JWKS endpoint's max-age, a
      client's cache lifespan) already holds it. Must exceed those cache times.
    * ``max_token_lifetime`` (1 hour): the longest lifetime of a token the store's
      keys sign (:meth:`~cyjose.keys.KeyStore.issue` refuses longer ones).
    * ``leeway`` (60 s): the clock skew verifiers allow.
    * ``signer_refresh`` (60 s): how stale a :class:`~cyjose.keys.StoreSigner`'s
      idea of the active key may be.

    A retired key stays published for :attr:`retention` =
    ``max_token_lifetime + leeway + signer_refresh`` after it stops being
    active, so every token it signed (even by a signer that had not yet seen
    the rotation) expires before its public key goes. Raises ValueError for an
    algorithm the store cannot generate or a negative or non-finite time.
    """

    algorithm: str = "ES256"
    rotation_period: float = 30 * _DAY
    prepublish: float = _DAY
    max_token_lifetime: float = 3600.0
    leeway: float = 60.0
    signer_refresh: float = 60.0

    def __post_init__(self) -> None:
        if self.algorithm not in STORE_ALGORITHMS:
            raise ValueError(f"A key store cannot generate {self.algorithm!r} keys;"
                             f" use one of {sorted(STORE_ALGORITHMS)}")
        for name in ("rotation_period", "prepublish", "max_token_lifetime", "leeway", "signer_refresh"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"RotationPolicy.{name} must be a finite number of seconds >= 0")
        if self.rotation_period <= 0 or self.max_token_lifetime <= 0:
            raise ValueError("RotationPolicy.rotation_period and max_token_lifetime must be positive")

    @property
    def retention(self) -> float:
        """Seconds a retired key stays published after it stopped signing."""
        return self.max_token_lifetime + self.leeway + self.signer_refresh
