"""JWE key management algorithms (RFC 7518 §4): how the content encryption key travels.

A :class:`KeyManagement` turns the caller's key into the form it needs
(:class:`InvalidKeyError` otherwise), makes a CEK when encrypting
(:meth:`~KeyManagement.wrap`) and recovers it when decrypting
(:meth:`~KeyManagement.unwrap`). Key-dependent unwrap failures raise the
internal :class:`UnwrapFailed`; :func:`unwrap_cek` turns them (and a CEK of
the wrong length) into a random CEK, so the token then fails the content
tag check like any other wrong key: one error, one code path, no oracle.
Malformed public header members (``epk``, ``p2s``, ``iv``, ...) raise
:class:`InvalidTokenError` with a precise message: they carry no secret.
"""

from __future__ import annotations

import os
from typing import Any, Dict, NamedTuple, Optional, Tuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from ._b64url import b64url_decode, b64url_encode
from ._jwe_content import ContentEncryption
from .exceptions import InvalidKeyError, InvalidTokenError

__all__ = [
    "KeyManagement",
    "KEY_MANAGEMENTS",
    "Limits",
    "UnwrapFailed",
    "unwrap_cek",
]

Wrapped = Tuple[bytes, bytes, Dict[str, Any]]


class Limits(NamedTuple):
    """Bounds on the work one token may ask of :meth:`KeyManagement.unwrap`."""

    max_pbes2_count: int


class UnwrapFailed(Exception):
    """Internal: the key did not unwrap the CEK (never leaves this package)."""


class KeyManagement:
    """One ``alg``: key checks, CEK wrapping and unwrapping.

    ``operations`` are the JWK ``key_ops`` values (RFC 7517 §4.3) a key needs
    to encrypt and to decrypt with this algorithm.
    """

    name: str
    operations: Tuple[str, str] = ("wrapKey", "unwrapKey")

    def encryption_key(self, key: Any, enc: ContentEncryption) -> Any:
        """``key`` in the form :meth:`wrap` needs; :class:`InvalidKeyError` if unusable."""
        raise NotImplementedError

    def decryption_key(self, key: Any, enc: ContentEncryption) -> Any:
        """``key`` in the form :meth:`unwrap` needs; :class:`InvalidKeyError` if unusable."""
        raise NotImplementedError

    def wrap(self, key: Any, enc: ContentEncryption, header: Dict[str, Any]) -> Wrapped:
        """``(cek, encrypted_key, header members to add)`` for a new token with ``header``."""
        raise NotImplementedError

    def unwrap(self, key: Any, encrypted_key: bytes, header: Dict[str, Any], enc: ContentEncryption,
               limits: Limits) -> bytes:
        """The CEK; :class:`UnwrapFailed` for a key-dependent failure."""
        raise NotImplementedError


def unwrap_cek(management: KeyManagement, key: Any, encrypted_key: bytes, header: Dict[str, Any],
               enc: ContentEncryption, limits: Limits) -> bytes:
    """The CEK, or a random one of the right size when unwrapping failed (see the module docstring)."""
    try:
        cek = management.unwrap(key, encrypted_key, header, enc, limits)
    except UnwrapFailed:
        cek = b""
    if len(cek) != enc.key_size:
        return os.urandom(enc.key_size)
    return cek


# -- helpers shared by the algorithms ----------------------------------------------------------


def secret_bytes(key: Any, what: str) -> bytes:
    """A symmetric key given as ``bytes``; :class:`InvalidKeyError` for anything else."""
    if isinstance(key, (bytearray, memoryview)):
        key = bytes(key)
    if not isinstance(key, bytes):
        raise InvalidKeyError(f"{what} needs a symmetric key as bytes, got {type(key).__name__}")
    return key


def sized_secret(key: Any, size: int, what: str) -> bytes:
    """:func:`secret_bytes` of exactly ``size`` bytes."""
    data = secret_bytes(key, what)
    if len(data) != size:
        raise InvalidKeyError(f"{what} needs a {size * 8}-bit key, got {len(data) * 8} bits")
    return data


def header_bytes(header: Dict[str, Any], name: str, size: Optional[int] = None) -> Optional[bytes]:
    """Header member ``name`` decoded from base64url (None when absent).

    :class:`InvalidTokenError` when it is not a base64url string, or not
    ``size`` bytes long when ``size`` is given.
    """
    value = header.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.isascii():
        raise InvalidTokenError(f'Invalid "{name}" header: must be a base64url string')
    data = b64url_decode(value.encode("ascii"), name)
    if size is not None and len(data) != size:
        raise InvalidTokenError(f'Invalid "{name}" header: must be {size} bytes')
    return data


def b64_text(data: bytes) -> str:
    """Unpadded base64url of ``data`` as ``str``, for a header member."""
    return b64url_encode(data).decode("ascii")


# -- dir (RFC 7518 §4.5) -----------------------------------------------------------------------


class Direct(KeyManagement):
    """``dir``: the key is the CEK; the encrypted key is empty."""

    name = "dir"
    operations = ("encrypt", "decrypt")

    def encryption_key(self, key: Any, enc: ContentEncryption) -> bytes:
        return sized_secret(key, enc.key_size, f"dir with {enc.name}")

    decryption_key = encryption_key

    def wrap(self, key: bytes, enc: ContentEncryption, header: Dict[str, Any]) -> Wrapped:
        return key, b"", {}

    def unwrap(self, key: bytes, encrypted_key: bytes, header: Dict[str, Any], enc: ContentEncryption,
               limits: Limits) -> bytes:
        if encrypted_key:
            raise InvalidTokenError('The encrypted key must be empty with "dir"')
        return key


# -- AES key wrap (RFC 7518 §4.4) and AES-GCM key wrap (§4.7) ----------------------------------


def kw_wrap(kek: bytes, cek: bytes) -> bytes:
    """RFC 3394 AES key wrap."""
    return aes_key_wrap(kek, cek)


def kw_unwrap(kek: bytes, wrapped: bytes) -> bytes:
    """RFC 3394 AES key unwrap with its integrity check; :class:`UnwrapFailed` when it fails."""
    try:
        return aes_key_unwrap(kek, wrapped)
    except (InvalidUnwrap, ValueError):  # ValueError: a length no wrap can produce
        raise UnwrapFailed from None


class AesKeyWrap(KeyManagement):
    """``AxxxKW``: a random CEK wrapped with the AES key."""

    def __init__(self, bits: int) -> None:
        self.name = f"A{bits}KW"
        self._size = bits // 8

    def encryption_key(self, key: Any, enc: ContentEncryption) -> bytes:
        return sized_secret(key, self._size, self.name)

    decryption_key = encryption_key

    def wrap(self, key: bytes, enc: ContentEncryption, header: Dict[str, Any]) -> Wrapped:
        cek = os.urandom(enc.key_size)
        return cek, kw_wrap(key, cek), {}

    def unwrap(self, key: bytes, encrypted_key: bytes, header: Dict[str, Any], enc: ContentEncryption,
               limits: Limits) -> bytes:
        return kw_unwrap(key, encrypted_key)


class AesGcmKeyWrap(AesKeyWrap):
    """``AxxxGCMKW``: the CEK sealed with AES-GCM; ``iv`` and ``tag`` travel in the header."""

    def __init__(self, bits: int) -> None:
        super().__init__(bits)
        self.name = f"A{bits}GCMKW"

    def wrap(self, key: bytes, enc: ContentEncryption, header: Dict[str, Any]) -> Wrapped:
        cek, iv = os.urandom(enc.key_size), os.urandom(12)
        sealed = AESGCM(key).encrypt(iv, cek, None)
        return cek, sealed[:-16], {"iv": b64_text(iv), "tag": b64_text(sealed[-16:])}

    def unwrap(self, key: bytes, encrypted_key: bytes, header: Dict[str, Any], enc: ContentEncryption,
               limits: Limits) -> bytes:
        iv, tag = header_bytes(header, "iv", 12), header_bytes(header, "tag", 16)
        if iv is None or tag is None:
            raise InvalidTokenError(f'{self.name} needs the "iv" and "tag" headers')
        try:
            return AESGCM(key).decrypt(iv, encrypted_key + tag, None)
        except InvalidTag:
            raise UnwrapFailed from None


#: ``alg`` name -> algorithm, for every key management algorithm cyjose implements.
KEY_MANAGEMENTS: Dict[str, KeyManagement] = {
    alg.name: alg
    for alg in (
        Direct(),
        AesKeyWrap(128), AesKeyWrap(192), AesKeyWrap(256),
        AesGcmKeyWrap(128), AesGcmKeyWrap(192), AesGcmKeyWrap(256),
    )
}
