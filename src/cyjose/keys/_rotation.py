"""One run of the rotation policy, inside a storage write transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import List, Optional, Tuple

from ._keygen import generate_private_key, jwk_text, private_der, public_jwk
from ._master import KeyCipher
from ._policy import RotationPolicy
from ._storage import KeyRecord, KeyTransaction

__all__ = ["PUBLISHED_STATES", "Rotation", "RotationResult", "is_published", "sealing_aad"]

#: The states whose public keys the JWK set holds (retired ones until ``retire_after``).
PUBLISHED_STATES = ("active", "next", "retired")


@dataclass(frozen=True)
class RotationResult:
    """What one :meth:`KeyStore.rotate` did (kids), and when another call can next change anything."""

    created: Tuple[str, ...] = ()
    promoted: Optional[str] = None
    retired: Optional[str] = None
    dropped: Tuple[str, ...] = ()
    next_change: Optional[float] = None

    @property
    def changed(self) -> bool:
        """Whether the call changed the store."""
        return bool(self.created or self.promoted or self.retired or self.dropped)


def sealing_aad(kid: str, algorithm: str) -> bytes:
    # Binds a sealed private key to its row: moved to another kid or algorithm, it does not open.
    return b"cyjose-keystore/v1\x00" + kid.encode("utf-8") + b"\x00" + algorithm.encode("utf-8")


def is_published(record: KeyRecord, now: float) -> bool:
    if record.state == "retired":
        return record.retire_after is not None and now < record.retire_after
    return record.state in PUBLISHED_STATES


class Rotation:
    """One run of the rotation policy inside a write transaction."""

    def __init__(self, tx: KeyTransaction, cipher: KeyCipher, policy: RotationPolicy, now: float) -> None:
        self.tx, self.cipher, self.policy, self.now = tx, cipher, policy, now
        self.records = tx.keys()
        self.created: List[str] = []

    def _one(self, state: str) -> Optional[KeyRecord]:
        return next((r for r in self.records if r.state == state), None)

    def run(self, force: bool) -> RotationResult:
        dropped = self._drop_expired()
        active, upcoming = self._one("active"), self._one("next")
        promoted = retired = None
        if active is None:
            active = self._promote(upcoming) if upcoming is not None else self._create("active")
            promoted = active.kid if upcoming is not None else None
        elif upcoming is not None and self._due(active, upcoming, force):
            retired = self._retire(active).kid
            active = self._promote(upcoming)
            promoted = active.kid
        if self._one("next") is None:
            self._create("next")
        return RotationResult(tuple(self.created), promoted, retired, tuple(dropped), self._next_change())

    def _due(self, active: KeyRecord, upcoming: KeyRecord, force: bool) -> bool:
        return self.now >= self._promotion_time(active, upcoming, force)

    def _promotion_time(self, active: KeyRecord, upcoming: KeyRecord, force: bool) -> float:
        started = active.activated if active.activated is not None else active.created
        ready = upcoming.created + self.policy.prepublish
        return ready if force else max(started + self.policy.rotation_period, ready)

    def _next_change(self) -> Optional[float]:
        times = [r.retire_after for r in self.records if r.state == "retired" and r.retire_after is not None]
        active, upcoming = self._one("active"), self._one("next")
        if active is not None and upcoming is not None:
            times.append(self._promotion_time(active, upcoming, False))
        return min(times) if times else None

    def _save(self, old: KeyRecord, new: KeyRecord) -> KeyRecord:
        self.tx.update(new)
        self.records[self.records.index(old)] = new
        return new

    def _drop_expired(self) -> List[str]:
        expired = [r for r in self.records if r.state == "retired" and not is_published(r, self.now)]
        for record in expired:  # the history stays; the private key goes
            self._save(record, replace(record, state="deleted", deleted=self.now, private_key=None))
        return [record.kid for record in expired]

    def _retire(self, active: KeyRecord) -> KeyRecord:
        return self._save(active, replace(active, state="retired", retire_after=self.now + self.policy.retention))

    def _promote(self, upcoming: KeyRecord) -> KeyRecord:
        return self._save(upcoming, replace(upcoming, state="active", activated=self.now))

    def _create(self, state: str) -> KeyRecord:
        algorithm = self.policy.algorithm
        private_key = generate_private_key(algorithm)
        jwk = public_jwk(private_key, algorithm)
        kid = jwk["kid"]
        record = KeyRecord(kid, algorithm, state, self.now, jwk_text(jwk),
                           self.cipher.seal(private_der(private_key), sealing_aad(kid, algorithm)),
                           activated=self.now if state == "active" else None)
        self.tx.insert(record)
        self.records.append(record)
        self.created.append(kid)
        return record
