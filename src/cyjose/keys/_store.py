"""The :class:`KeyStore`: a signing key set's history, rotation, publication and signing."""

from __future__ import annotations

import json
import math
import os
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import load_der_private_key

from .._jwk import jwk_to_key, thumbprint
from ..exceptions import KeyStoreError, MasterKeyError, PyJWTError
from ..signer import Signer
from ._keygen import generate_private_key, jwk_text, private_der, public_jwk
from ._master import KeyCipher, MasterKey
from ._policy import RotationPolicy
from ._storage import KeyRecord, KeyTransaction, SQLiteStorage, Storage

__all__ = ["KeyStore", "KeyInfo", "RotationResult", "StoreSigner"]

_MASTER_CHECK = "master_key_check"
_MASTER_CHECK_TEXT = b"cyjose key store"
_REGISTERED_CLAIMS = frozenset(("iss", "sub", "aud", "exp", "nbf", "iat", "jti"))
_PUBLISHED = ("active", "next", "retired")


@dataclass(frozen=True)
class KeyInfo:
    """What the store tells about one key (never its private part). Times are POSIX seconds."""

    kid: str
    algorithm: str
    state: str
    created: float
    activated: Optional[float]
    retire_after: Optional[float]
    deleted: Optional[float]
    public_jwk: Dict[str, Any] = field(repr=False, compare=False)


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


def _aad(kid: str, algorithm: str) -> bytes:
    # Binds a sealed private key to its row: moved to another kid or algorithm, it does not open.
    return b"cyjose-keystore/v1\x00" + kid.encode("utf-8") + b"\x00" + algorithm.encode("utf-8")


class KeyStore:
    """A signing key set with its history, rotated by a :class:`RotationPolicy`.

    Every key has a ``kid`` (its RFC 7638 thumbprint), an algorithm, a state
    (``next`` -> ``active`` -> ``retired`` -> ``deleted``) and the times it was
    created, activated, may be dropped (``retire_after``) and was dropped.
    Private keys are sealed with AES-256-GCM under the master key; the master
    key is never stored (a check value sealed under it tells a wrong master
    key from the right one).

    ``KeyStore(storage, cipher, policy, clock=time.time)``; ``cipher`` may be
    None for a publish-only store (``jwks()``, ``keys()``), which refuses
    rotation and signing. Most callers use :meth:`open`. Raises
    :class:`~cyjose.exceptions.MasterKeyError` when ``cipher``'s master key
    is not this store's, :class:`~cyjose.exceptions.KeyStoreError` for
    storage failures.
    """

    def __init__(
        self,
        storage: Storage,
        cipher: Optional[KeyCipher] = None,
        policy: Optional[RotationPolicy] = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.storage = storage
        self.policy = policy if policy is not None else RotationPolicy()
        self._cipher = cipher
        self._clock = clock
        self._default_signer: Optional[StoreSigner] = None
        self._lock = threading.Lock()
        if cipher is not None:
            _check_master_key(storage, cipher)

    @classmethod
    def open(
        cls,
        path: Union[str, "os.PathLike[str]"],
        master_key: Optional[MasterKey] = None,
        algorithm: Optional[str] = None,
        *,
        policy: Optional[RotationPolicy] = None,
        clock: Callable[[], float] = time.time,
    ) -> "KeyStore":
        """The store in SQLite file ``path`` (created if absent).

        ``master_key`` (e.g. ``MasterKey.from_env()``) unlocks rotation and
        signing; without it the store only publishes. ``algorithm`` overrides
        ``policy.algorithm`` for new keys (default ES256). Raises
        :class:`~cyjose.exceptions.MasterKeyError` for a wrong master key,
        :class:`~cyjose.exceptions.KeyStoreError` when the file cannot be
        opened as a key store, ValueError for an unsupported algorithm.
        """
        if master_key is not None and not isinstance(master_key, MasterKey):
            raise TypeError("master_key must be a MasterKey (MasterKey.from_env(), MasterKey.from_file(...))")
        policy = policy if policy is not None else RotationPolicy()
        if algorithm is not None:
            policy = replace(policy, algorithm=algorithm)
        storage = SQLiteStorage(path)
        try:
            return cls(storage, KeyCipher(master_key) if master_key is not None else None, policy, clock=clock)
        except BaseException:
            storage.close()
            raise

    def close(self) -> None:
        """Close the storage."""
        self.storage.close()

    def __enter__(self) -> "KeyStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------

    def keys(self) -> List[KeyInfo]:
        """Every key ever stored, oldest first, dropped ones included (the history)."""
        return [_info(record) for record in self.storage.keys()]

    def active_key(self) -> KeyInfo:
        """The key that signs now; :class:`KeyStoreError` when there is none (run :meth:`rotate`)."""
        return _info(self._active_record())

    def jwks(self, now: Optional[float] = None) -> Dict[str, Any]:
        """The public JWK set to publish: ``{"keys": [active, next, retired...]}``.

        Holds the active key, the next one (so verifiers have it before it
        signs) and retired keys until their ``retire_after``; retired keys
        newest first. Each JWK has ``kid``, ``alg`` and ``"use": "sig"``. A row
        whose public key does not match its kid raises :class:`KeyStoreError`.
        """
        moment = self._now(now)
        records = [r for r in self.storage.keys() if _published(r, moment)]
        records.sort(key=lambda r: (_PUBLISHED.index(r.state), -(r.activated or r.created)))
        return {"keys": [_checked_jwk(record) for record in records]}

    # -- rotation ----------------------------------------------------------------------

    def rotate(self, now: Optional[float] = None, *, force: bool = False) -> RotationResult:
        """Apply the rotation policy at ``now`` (default: the clock); idempotent, safe from cron.

        In one serialised transaction: drops retired keys past
        ``retire_after``; creates the first key (active at once) in an empty
        store; promotes ``next`` to ``active`` once the active key is
        ``rotation_period`` old (or at once with ``force``) and ``next`` has
        been published ``prepublish`` seconds, retiring the old active key with
        ``retire_after = now + policy.retention``; and makes sure a ``next``
        key exists. Two processes calling it at once take turns; the second
        sees the first's work and does nothing more. Raises
        :class:`KeyStoreError` without a master key or on storage failure.
        """
        cipher = self._require_cipher()
        moment = self._now(now)
        with self.storage.transaction() as tx:
            result = _Rotation(tx, cipher, self.policy, moment).run(force)
        if result.changed:
            signer = self._default_signer
            if signer is not None:
                signer.refresh()
        return result

    # -- signing -----------------------------------------------------------------------

    def signer(
        self,
        *,
        headers: Optional[Dict[str, Any]] = None,
        refresh_interval: Optional[float] = None,
        **signer_options: Any,
    ) -> "StoreSigner":
        """A :class:`StoreSigner`: signs with whichever key is active, its ``kid`` in the header.

        ``headers`` are extra header members (not ``kid``/``alg``);
        ``signer_options`` go to :class:`cyjose.Signer`. The active key is
        re-read at most every ``refresh_interval`` seconds (default
        ``policy.signer_refresh``, which the retention time accounts for).
        Raises :class:`KeyStoreError` without a master key or an active key.
        """
        interval = self.policy.signer_refresh if refresh_interval is None else refresh_interval
        return StoreSigner(self, headers or {}, interval, signer_options)

    def issue(
        self,
        subject: str,
        audience: Union[None, str, Sequence[str]] = None,
        issuer: Optional[str] = None,
        lifetime: float = 900,
        claims: Optional[Dict[str, Any]] = None,
        *,
        now: Optional[float] = None,
    ) -> str:
        """A short-lived access token signed by the active key.

        Claims: ``sub``, ``iat`` = ``nbf`` = now, ``exp`` = now + ``lifetime``
        (default 15 min), a random ``jti`` (128 bits), ``iss`` and ``aud`` when
        given, plus ``claims`` (which must not name those). Times are whole
        seconds. Raises ValueError for a lifetime under 1 s or over
        ``policy.max_token_lifetime``, TypeError for ill-typed arguments,
        :class:`KeyStoreError` when the store cannot sign.
        """
        payload = _access_claims(subject, audience, issuer, claims)
        limit = self.policy.max_token_lifetime
        if isinstance(lifetime, bool) or not isinstance(lifetime, (int, float)) or not 1 <= lifetime <= limit:
            raise ValueError(f"lifetime must be from 1 s to policy.max_token_lifetime ({limit:g} s)")
        issued = int(self._now(now))
        payload.update(iat=issued, nbf=issued, exp=issued + int(lifetime), jti=secrets.token_urlsafe(16))
        return self._shared_signer().sign(payload)

    def _shared_signer(self) -> "StoreSigner":
        with self._lock:
            if self._default_signer is None:
                self._default_signer = self.signer()
            return self._default_signer

    # -- internals ---------------------------------------------------------------------

    def _now(self, now: Optional[float]) -> float:
        if now is None:
            return float(self._clock())
        if isinstance(now, bool) or not isinstance(now, (int, float)):
            raise TypeError("now must be POSIX seconds (int or float)")
        if not math.isfinite(now):
            raise ValueError("now must be a finite time")
        return float(now)

    def _require_cipher(self) -> KeyCipher:
        if self._cipher is None:
            raise KeyStoreError("The key store was opened without its master key: it can only publish")
        return self._cipher

    def _active_record(self) -> KeyRecord:
        for record in self.storage.keys():
            if record.state == "active":
                return record
        raise KeyStoreError("The key store has no active key: run rotate() first")

    def _private_key(self, record: KeyRecord) -> Any:
        """The decrypted private key of ``record``, checked against its kid."""
        cipher = self._require_cipher()
        if record.private_key is None:
            raise KeyStoreError(f"Key {record.kid} has no private key (it was dropped)")
        der = cipher.open(record.private_key, _aad(record.kid, record.algorithm))
        if der is None:
            raise KeyStoreError(f"The private key of {record.kid} does not decrypt: its row was changed or moved")
        try:
            key = load_der_private_key(der, password=None)
            matches = thumbprint(key.public_key()) == record.kid
        except (ValueError, TypeError, UnsupportedAlgorithm, PyJWTError):
            matches = False
        if not matches:
            raise KeyStoreError(f"The private key of {record.kid} does not match its kid")
        return key

    def __repr__(self) -> str:
        mode = "sign" if self._cipher is not None else "publish-only"
        return f"<KeyStore {self.storage!r} {self.policy.algorithm} {mode}>"


def _check_master_key(storage: Storage, cipher: KeyCipher) -> None:
    check = storage.init_meta(_MASTER_CHECK, cipher.seal(_MASTER_CHECK_TEXT, _MASTER_CHECK.encode()))
    if cipher.open(check, _MASTER_CHECK.encode()) != _MASTER_CHECK_TEXT:
        raise MasterKeyError("The master key does not open this key store (wrong master key)")


def _info(record: KeyRecord) -> KeyInfo:
    return KeyInfo(record.kid, record.algorithm, record.state, record.created, record.activated,
                   record.retire_after, record.deleted, _stored_jwk(record))


def _published(record: KeyRecord, now: float) -> bool:
    if record.state == "retired":
        return record.retire_after is not None and now < record.retire_after
    return record.state in _PUBLISHED


def _stored_jwk(record: KeyRecord) -> Dict[str, Any]:
    try:
        jwk = json.loads(record.public_jwk)
    except (ValueError, RecursionError):
        jwk = None
    if not isinstance(jwk, dict):
        raise KeyStoreError(f"The public key of {record.kid} is not a stored JWK")
    return jwk


def _checked_jwk(record: KeyRecord) -> Dict[str, Any]:
    """The stored public JWK, after checking it is the key its kid names."""
    jwk = _stored_jwk(record)
    try:
        matches = jwk.get("kid") == record.kid and thumbprint(jwk_to_key(jwk)) == record.kid
    except PyJWTError:
        matches = False
    if not matches:
        raise KeyStoreError(f"The public key of {record.kid} does not match its kid")
    return jwk


def _access_claims(
    subject: str, audience: Union[None, str, Sequence[str]], issuer: Optional[str], claims: Optional[Dict[str, Any]]
) -> Dict[str, Any]:
    if not isinstance(subject, str) or not subject:
        raise TypeError("subject must be a non-empty string")
    if issuer is not None and not isinstance(issuer, str):
        raise TypeError("issuer must be a string")
    extra = dict(claims or {})
    clash = sorted(_REGISTERED_CLAIMS.intersection(extra))
    if clash:
        raise ValueError(f"claims must not set {clash}: issue() sets them (use its arguments)")
    payload: Dict[str, Any] = {**extra, "sub": subject}
    if issuer is not None:
        payload["iss"] = issuer
    if audience is not None:
        payload["aud"] = _audience(audience)
    return payload


def _audience(audience: Union[str, Sequence[str]]) -> Union[str, List[str]]:
    if isinstance(audience, str):
        return audience
    values = list(audience) if isinstance(audience, (list, tuple)) else None
    if not values or not all(isinstance(value, str) for value in values):
        raise TypeError("audience must be a string or a non-empty list of strings")
    return values


class _Rotation:
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
        expired = [r for r in self.records if r.state == "retired" and not _published(r, self.now)]
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
                           self.cipher.seal(private_der(private_key), _aad(kid, algorithm)),
                           activated=self.now if state == "active" else None)
        self.tx.insert(record)
        self.records.append(record)
        self.created.append(kid)
        return record


class StoreSigner:
    """Signs with a :class:`KeyStore`'s active key, following rotations.

    Not a :class:`cyjose.Signer` subclass but the same interface (``sign``,
    ``sign_bytes``, ``algorithm``): it holds one prepared Signer for the
    active key (with ``kid`` in its header) and swaps it, in one assignment,
    when a check finds another key active. The store is checked at most every
    ``refresh_interval`` seconds of the store's clock, and at once after
    :meth:`refresh` or a rotation through the same KeyStore object.
    """

    def __init__(self, store: KeyStore, headers: Dict[str, Any], refresh_interval: float,
                 signer_options: Dict[str, Any]) -> None:
        if not isinstance(headers, dict) or {"kid", "alg"}.intersection(headers):
            raise ValueError("headers must be a dict without kid or alg: the store sets them")
        if isinstance(refresh_interval, bool) or not isinstance(refresh_interval, (int, float)) or refresh_interval < 0:
            raise ValueError("refresh_interval must be seconds >= 0")
        self._store, self._headers, self._interval, self._options = store, dict(headers), refresh_interval, signer_options
        store._require_cipher()
        self._current: Tuple[str, Signer, float] = self._load(store._active_record())

    def _load(self, record: KeyRecord) -> Tuple[str, Signer, float]:
        signer = Signer(self._store._private_key(record), record.algorithm,
                        {**self._headers, "kid": record.kid}, **self._options)
        return record.kid, signer, self._store._now(None)

    def _signer(self) -> Signer:
        kid, signer, checked = self._current
        now = self._store._now(None)
        if now - checked < self._interval and now >= checked:
            return signer
        record = self._store._active_record()
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
