"""JWE content encryption (RFC 7518 §5): AES-CBC + HMAC-SHA2 and AES-GCM.

AES comes from ``cryptography``; the CBC-HMAC tag is computed and compared by
the ``_hmac`` hot module (OpenSSL SHA-2 in the compiled twin, ``hmac`` in the
pure one; constant-time comparison in both), as for JWS. Decryption checks the
authentication tag before anything else and reports every failure (wrong IV
or tag length, bad tag, bad padding) as the same :class:`JWEDecryptionError`,
so the caller learns nothing about which step refused the token.
"""

from __future__ import annotations

import os
import struct
from typing import Dict, Tuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .._speedups.hmac import HmacKey, constant_time_equal
from ..exceptions import JWEDecryptionError

__all__ = ["ContentEncryption", "CONTENT_ENCRYPTIONS", "decryption_failed"]


def decryption_failed() -> JWEDecryptionError:
    """The one error every token-caused decryption failure raises (no oracle)."""
    return JWEDecryptionError("Decryption failed")


class ContentEncryption:
    """One ``enc`` algorithm: ``key_size`` (CEK bytes) and authenticated encrypt/decrypt."""

    name: str
    key_size: int

    def encrypt(self, cek: bytes, plaintext: bytes, aad: bytes) -> Tuple[bytes, bytes, bytes]:
        """``(iv, ciphertext, tag)`` for ``plaintext`` under ``cek`` with a fresh random IV."""
        raise NotImplementedError

    def decrypt(self, cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes) -> bytes:
        """The plaintext; :class:`JWEDecryptionError` for any failure."""
        raise NotImplementedError


class AesCbcHmac(ContentEncryption):
    """``AxxxCBC-HSyyy`` (RFC 7518 §5.2): the CEK is MAC key || AES key, tag = half the HMAC."""

    def __init__(self, bits: int) -> None:
        self.name = f"A{bits}CBC-HS{bits * 2}"
        self.key_size = bits // 4
        self._half = bits // 8
        self._hash_name = f"sha{bits * 2}"

    def _tag(self, mac_key: bytes, aad: bytes, iv: bytes, ciphertext: bytes) -> bytes:
        mac_input = b"".join((aad, iv, ciphertext, struct.pack(">Q", len(aad) * 8)))
        return HmacKey(mac_key, self._hash_name).sign(mac_input)[: self._half]

    def _cipher(self, cek: bytes, iv: bytes) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(cek[self._half :]), modes.CBC(iv))

    def encrypt(self, cek: bytes, plaintext: bytes, aad: bytes) -> Tuple[bytes, bytes, bytes]:
        iv = os.urandom(16)
        padder = padding.PKCS7(128).padder()
        padded = padder.update(plaintext) + padder.finalize()
        encryptor = self._cipher(cek, iv).encryptor()
        ciphertext = encryptor.update(padded) + encryptor.finalize()
        return iv, ciphertext, self._tag(cek[: self._half], aad, iv, ciphertext)

    def decrypt(self, cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes) -> bytes:
        if len(cek) != self.key_size:
            raise decryption_failed()
        expected = self._tag(cek[: self._half], aad, iv, ciphertext)
        # Tag first, in constant time; a wrong length fails compare_digest too.
        if not constant_time_equal(expected, tag) or len(iv) != 16 or not ciphertext or len(ciphertext) % 16:
            raise decryption_failed()
        decryptor = self._cipher(cek, iv).decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        try:
            padded = decryptor.update(ciphertext) + decryptor.finalize()
            return unpadder.update(padded) + unpadder.finalize()
        except ValueError:  # only a sender holding the key can produce bad padding here
            raise decryption_failed() from None


class AesGcm(ContentEncryption):
    """``AxxxGCM`` (RFC 7518 §5.3): 96-bit IV, exactly 128-bit tag."""

    def __init__(self, bits: int) -> None:
        self.name = f"A{bits}GCM"
        self.key_size = bits // 8

    def encrypt(self, cek: bytes, plaintext: bytes, aad: bytes) -> Tuple[bytes, bytes, bytes]:
        iv = os.urandom(12)
        sealed = AESGCM(cek).encrypt(iv, plaintext, aad)
        return iv, sealed[:-16], sealed[-16:]

    def decrypt(self, cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes) -> bytes:
        # AESGCM would accept a shorter tag glued to the ciphertext: the length is checked here.
        if len(cek) != self.key_size or len(iv) != 12 or len(tag) != 16:
            raise decryption_failed()
        try:
            return AESGCM(cek).decrypt(iv, ciphertext + tag, aad)
        except InvalidTag:
            raise decryption_failed() from None


#: ``enc`` name -> algorithm, for every content encryption cyjose implements.
CONTENT_ENCRYPTIONS: Dict[str, ContentEncryption] = {
    alg.name: alg
    for alg in (
        AesCbcHmac(128),
        AesCbcHmac(192),
        AesCbcHmac(256),
        AesGcm(128),
        AesGcm(192),
        AesGcm(256),
    )
}
