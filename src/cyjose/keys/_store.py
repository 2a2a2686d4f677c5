"""The :class:`KeyStore`: a signing key set's history, rotation, publication and signing."""

from __future__ import annotations

import json
import math
import os
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import load_der_private_key

from .._keymaterial.jwk import jwk_to_key, thumbprint
from ..exceptions import KeyStoreError, MasterKeyError, PyJWTError
from ._master import KeyCipher, MasterKey
from ._policy import RotationPolicy
from ._postgres import PostgresStorage, is_postgres_url
from ._rotation import PUBLISHED_STATES, Rotation, RotationResult, is_published, sealing_aad
from ._signer import SigningKeys, StoreSigner
from ._sqlite import SQLiteStorage
from ._storage import KeyRecord, Storage

__all__ = ["KeyStore", "KeyInfo"]

_MASTER_CHECK = "master_key_check"
_MASTER_CHECK_TEXT = b"cyjose key store"
_REGISTERED_CLAIMS = frozenset(("iss", "sub", "aud", "exp", "nbf", "iat", "jti"))


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
        self._checked: Dict[str, str] = {}  # kid -> stored JWK text already checked against the kid
        if cipher is not None:
            _check_master_key(storage, cipher)

    @classmethod
    def open(
        cls,
        path: Union[str, os.PathLike[str]],
        master_key: Optional[MasterKey] = None,
        algorithm: Optional[str] = None,
        *,
        policy: Optional[RotationPolicy] = None,
        clock: Callable[[], float] = time.time,
    ) -> KeyStore:
        """The store in SQLite file ``path`` (created if absent), or in PostgreSQL.

        A ``path`` starting with ``postgresql://`` (or ``postgres://``) opens a
        :class:`~cyjose.keys.PostgresStorage` on that database instead (the
        ``postgres`` extra), so several replicas share one store; any other
        string or path is a file.

        ``master_key`` (e.g. ``MasterKey.from_env()``) unlocks rotation and
        signing; without it the store only publishes. ``algorithm`` overrides
        ``policy.algorithm`` for new keys (default ES256). Raises
        :class:`~cyjose.exceptions.MasterKeyError` for a wrong master key,
        :class:`~cyjose.exceptions.KeyStoreError` when the file cannot be
        opened as a key store, ValueError for an unsupported algorithm,
        ImportError for a PostgreSQL URL without psycopg 3 installed.
        """
        if master_key is not None and not isinstance(master_key, MasterKey):
            raise TypeError("master_key must be a MasterKey (MasterKey.from_env(), MasterKey.from_file(...))")
        policy = policy if policy is not None else RotationPolicy()
        if algorithm is not None:
            policy = replace(policy, algorithm=algorithm)
        storage: Storage
        if isinstance(path, str) and is_postgres_url(path):
            storage = PostgresStorage(path)
        else:
            storage = SQLiteStorage(path)
        try:
            return cls(storage, KeyCipher(master_key) if master_key is not None else None, policy, clock=clock)
        except BaseException:
            storage.close()
            raise

    def close(self) -> None:
        """Close the storage."""
        self.storage.close()

    def __enter__(self) -> KeyStore:
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
        records = [r for r in self.storage.keys() if is_published(r, moment)]
        records.sort(key=lambda r: (PUBLISHED_STATES.index(r.state), -(r.activated or r.created)))
        return {"keys": [self._checked_jwk(record) for record in records]}

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
            result = Rotation(tx, cipher, self.policy, moment).run(force)
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
    ) -> StoreSigner:
        """A :class:`StoreSigner`: signs with whichever key is active, its ``kid`` in the header.

        ``headers`` are extra header members (not ``kid``/``alg``);
        ``signer_options`` go to :class:`cyjose.Signer`. The active key is
        re-read at most every ``refresh_interval`` seconds (default
        ``policy.signer_refresh``, which the retention time accounts for).
        Raises :class:`KeyStoreError` without a master key or an active key.
        """
        interval = self.policy.signer_refresh if refresh_interval is None else refresh_interval
        keys = SigningKeys(active=self._signing_record, private_key=self._private_key, now=lambda: self._now(None))
        return StoreSigner(keys, headers or {}, interval, signer_options)

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

    def _shared_signer(self) -> StoreSigner:
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

    def _signing_record(self) -> KeyRecord:
        """The active row, to sign with: KeyStoreError without the master key (checked first) or an active key."""
        self._require_cipher()
        return self._active_record()

    def _private_key(self, record: KeyRecord) -> Any:
        """The decrypted private key of ``record``, checked against its kid."""
        cipher = self._require_cipher()
        if record.private_key is None:
            raise KeyStoreError(f"Key {record.kid} has no private key (it was dropped)")
        der = cipher.open(record.private_key, sealing_aad(record.kid, record.algorithm))
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

    def _checked_jwk(self, record: KeyRecord) -> Dict[str, Any]:
        """The stored public JWK, after checking (once per stored text) that it is the key its kid names."""
        jwk = _stored_jwk(record)
        if self._checked.get(record.kid) == record.public_jwk:
            return jwk
        try:
            matches = jwk.get("kid") == record.kid and thumbprint(jwk_to_key(jwk)) == record.kid
        except PyJWTError:
            matches = False
        if not matches:
            raise KeyStoreError(f"The public key of {record.kid} does not match its kid")
        self._checked[record.kid] = record.public_jwk
        return jwk

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


def _stored_jwk(record: KeyRecord) -> Dict[str, Any]:
    try:
        jwk = json.loads(record.public_jwk)
    except (ValueError, RecursionError):
        jwk = None
    if not isinstance(jwk, dict):
        raise KeyStoreError(f"The public key of {record.kid} is not a stored JWK")
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
