"""The master key and the authenticated cipher that keeps private keys encrypted at rest.

The master key is 32 random bytes that live outside the store (an environment
variable or a key file), never in it. Private keys are sealed with AES-256-GCM
under it; the associated data names the row (``kid`` and algorithm), so a
ciphertext copied into another row does not decrypt.
"""

from __future__ import annotations

import binascii
import os
import secrets
from typing import Optional, Union

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .._speedups.b64url import b64url_decode, b64url_encode
from ..exceptions import DecodeError, MasterKeyError

__all__ = ["MasterKey", "KeyCipher", "DEFAULT_MASTER_KEY_ENV"]

#: The environment variable :meth:`MasterKey.from_env` reads by default.
DEFAULT_MASTER_KEY_ENV = "CYJOSE_MASTER_KEY"

_KEY_SIZE = 32
_NONCE_SIZE = 12
_MAX_KEY_FILE = 4096  # a key file is 32 bytes or 43 characters; anything big is not one


class MasterKey:
    """A 32-byte AES-256 master key. Its bytes never appear in a repr or message.

    Build one with :meth:`generate`, :meth:`from_env`, :meth:`from_file` or
    ``MasterKey(raw_32_bytes)`` (:class:`MasterKeyError` for another size);
    :meth:`encoded` gives the base64url text to keep in a secret store.
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        if not isinstance(raw, bytes) or len(raw) != _KEY_SIZE:
            raise MasterKeyError(f"A master key must be exactly {_KEY_SIZE} bytes")
        self._raw = raw

    @classmethod
    def generate(cls) -> MasterKey:
        """A fresh random master key (``secrets.token_bytes``)."""
        return cls(secrets.token_bytes(_KEY_SIZE))

    @classmethod
    def from_text(cls, text: Union[str, bytes]) -> MasterKey:
        """The key from its base64url text (surrounding whitespace ignored); :class:`MasterKeyError`."""
        try:
            data = text.encode("ascii") if isinstance(text, str) else bytes(text)
            raw = b64url_decode(data.strip())
        except (DecodeError, TypeError, ValueError, binascii.Error):  # UnicodeEncodeError is a ValueError
            raise MasterKeyError("The master key is not valid base64url") from None
        return cls(raw)

    @classmethod
    def from_env(cls, name: str = DEFAULT_MASTER_KEY_ENV) -> MasterKey:
        """The key in environment variable ``name`` (base64url of 32 bytes).

        Raises :class:`MasterKeyError` when the variable is unset, empty or malformed.
        """
        value = os.environ.get(name)
        if not value:
            raise MasterKeyError(f"The master key environment variable {name} is not set")
        return cls.from_text(value)

    @classmethod
    def from_file(cls, path: Union[str, os.PathLike[str]]) -> MasterKey:
        """The key in file ``path``: 32 raw bytes, or their base64url text.

        Keep the file away from the store (another volume or a secret mount).
        Raises :class:`MasterKeyError` when the file cannot be read or holds no key.
        """
        try:
            with open(path, "rb") as handle:
                data = handle.read(_MAX_KEY_FILE + 1)
        except OSError as exc:
            raise MasterKeyError(f"Cannot read the master key file: {exc.strerror or 'error'}") from None
        if len(data) == _KEY_SIZE:
            return cls(data)
        if len(data) > _MAX_KEY_FILE:
            raise MasterKeyError("The master key file is too large to hold a master key")
        return cls.from_text(data)

    def encoded(self) -> str:
        """The base64url text of the key (what :meth:`from_env` and :meth:`from_file` read)."""
        return b64url_encode(self._raw).decode("ascii")

    def __repr__(self) -> str:
        return "<MasterKey (hidden)>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MasterKey) and secrets.compare_digest(self._raw, other._raw)

    def __hash__(self) -> int:
        return hash(MasterKey)  # equal keys must hash equal; the bytes themselves stay out of it


class KeyCipher:
    """AES-256-GCM under a :class:`MasterKey`: ``seal`` / ``open`` with associated data.

    A sealed value is ``nonce (12 bytes) || ciphertext || tag``, with a fresh
    random nonce each time. :meth:`open` returns None when the value does not
    authenticate (wrong master key, changed bytes, or other associated data);
    callers turn that into the error that fits.
    """

    __slots__ = ("_aead",)

    def __init__(self, master_key: MasterKey) -> None:
        if not isinstance(master_key, MasterKey):
            raise TypeError("KeyCipher needs a MasterKey")
        self._aead = AESGCM(master_key._raw)

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """``plaintext`` encrypted and authenticated together with ``associated_data``."""
        nonce = secrets.token_bytes(_NONCE_SIZE)
        return nonce + self._aead.encrypt(nonce, plaintext, associated_data)

    def open(self, sealed: bytes, associated_data: bytes) -> Optional[bytes]:
        """The plaintext of ``sealed``, or None when it does not authenticate."""
        if not isinstance(sealed, bytes) or len(sealed) < _NONCE_SIZE + 16:
            return None
        try:
            return self._aead.decrypt(sealed[:_NONCE_SIZE], sealed[_NONCE_SIZE:], associated_data)
        except InvalidTag:
            return None

    def __repr__(self) -> str:
        return "<KeyCipher AES-256-GCM>"
