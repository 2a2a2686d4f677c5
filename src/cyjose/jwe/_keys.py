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
import struct
from typing import Any, Callable, Dict, Optional, Tuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa, x448, x25519
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP, PKCS1v15
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from .._keymaterial.formats import load_asymmetric_key
from .._keymaterial.jwk import jwk_to_key, key_to_jwk
from .._speedups.b64url import b64url_decode, b64url_encode
from ..exceptions import InvalidAlgorithmError, InvalidKeyError, InvalidTokenError
from ..limits import Limits, exceeded
from ._content import ContentEncryption

__all__ = [
    "KeyManagement",
    "KEY_MANAGEMENTS",
    "UnwrapFailed",
    "unwrap_cek",
    "MIN_RSA_KEY_SIZE",
    "DEFAULT_PBES2_COUNT",
    "MIN_PBES2_COUNT",
]

#: Smallest RSA modulus (bits) for every RSA key management algorithm (RFC 7518 §4.2, §4.3).
MIN_RSA_KEY_SIZE = 2048
#: The PBES2 iteration count used when encrypting without a ``p2c`` header.
DEFAULT_PBES2_COUNT = 300_000
#: The smallest ``p2c`` accepted when encrypting (RFC 7518 §4.8.1.2 recommends at least 1000).
MIN_PBES2_COUNT = 1000
_PBES2_SALT_SIZE = 16  # when encrypting
_MIN_PBES2_SALT_SIZE = 8  # in a token (RFC 7518 §4.8.1.1)

Wrapped = Tuple[bytes, bytes, Dict[str, Any]]


class UnwrapFailed(Exception):
    """Internal: the key did not unwrap the CEK (never leaves this package)."""


class KeyManagement:
    """One ``alg``: key checks, CEK wrapping and unwrapping.

    ``operations`` are the JWK ``key_ops`` values (RFC 7517 §4.3) a key needs
    to encrypt and to decrypt with this algorithm; ``derives_cek`` is True
    when the key (agreement) itself is the CEK, so it cannot be shared
    between recipients.
    """

    name: str
    operations: Tuple[str, str] = ("wrapKey", "unwrapKey")
    derives_cek = False

    def encryption_key(self, key: Any, enc: ContentEncryption) -> Any:
        """``key`` in the form :meth:`wrap` needs; :class:`InvalidKeyError` if unusable."""
        raise NotImplementedError

    def decryption_key(self, key: Any, enc: ContentEncryption) -> Any:
        """``key`` in the form :meth:`unwrap` needs; :class:`InvalidKeyError` if unusable."""
        raise NotImplementedError

    def wrap(self, key: Any, enc: ContentEncryption, header: Dict[str, Any],
             cek: Optional[bytes] = None) -> Wrapped:
        """``(cek, encrypted_key, header members to add)`` for a new token with ``header``.

        ``cek`` is the CEK to wrap when several recipients share one (JWE
        JSON serialization); None draws a fresh one. ``dir`` and ``ECDH-ES``
        (:attr:`derives_cek`) ignore it: their key (agreement) is the CEK.
        """
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
    derives_cek = True

    def encryption_key(self, key: Any, enc: ContentEncryption) -> bytes:
        return sized_secret(key, enc.key_size, f"dir with {enc.name}")

    decryption_key = encryption_key

    def wrap(self, key: bytes, enc: ContentEncryption, header: Dict[str, Any],
             cek: Optional[bytes] = None) -> Wrapped:
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

    def wrap(self, key: bytes, enc: ContentEncryption, header: Dict[str, Any],
             cek: Optional[bytes] = None) -> Wrapped:
        cek = cek or os.urandom(enc.key_size)
        return cek, kw_wrap(key, cek), {}

    def unwrap(self, key: bytes, encrypted_key: bytes, header: Dict[str, Any], enc: ContentEncryption,
               limits: Limits) -> bytes:
        return kw_unwrap(key, encrypted_key)


class AesGcmKeyWrap(AesKeyWrap):
    """``AxxxGCMKW``: the CEK sealed with AES-GCM; ``iv`` and ``tag`` travel in the header."""

    def __init__(self, bits: int) -> None:
        super().__init__(bits)
        self.name = f"A{bits}GCMKW"

    def wrap(self, key: bytes, enc: ContentEncryption, header: Dict[str, Any],
             cek: Optional[bytes] = None) -> Wrapped:
        cek, iv = cek or os.urandom(enc.key_size), os.urandom(12)
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


# -- RSA (RFC 7518 §4.2, §4.3) -----------------------------------------------------------------


def rsa_key(key: Any, private: bool, what: str) -> Any:
    """An RSA key (object or PEM) of at least :data:`MIN_RSA_KEY_SIZE` bits; public unless ``private``."""
    if isinstance(key, (str, bytes)):
        key = load_asymmetric_key(key)
    if private and not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidKeyError(f"{what} needs an RSA private key to decrypt")
    if isinstance(key, rsa.RSAPrivateKey) and not private:
        key = key.public_key()
    if not isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        raise InvalidKeyError(f"{what} needs an RSA key")
    if key.key_size < MIN_RSA_KEY_SIZE:
        raise InvalidKeyError(f"{what} needs an RSA key of at least {MIN_RSA_KEY_SIZE} bits, got {key.key_size}")
    return key


class RsaOaep(KeyManagement):
    """``RSA-OAEP`` (SHA-1) and ``RSA-OAEP-256/384/512``: a random CEK encrypted with RSAES-OAEP."""

    def __init__(self, name: str, hash_cls: type) -> None:
        self.name = name
        self._hash_cls = hash_cls

    def _padding(self) -> OAEP:
        return OAEP(mgf=MGF1(self._hash_cls()), algorithm=self._hash_cls(), label=None)

    def encryption_key(self, key: Any, enc: ContentEncryption) -> Any:
        return rsa_key(key, False, self.name)

    def decryption_key(self, key: Any, enc: ContentEncryption) -> Any:
        return rsa_key(key, True, self.name)

    def wrap(self, key: Any, enc: ContentEncryption, header: Dict[str, Any],
             cek: Optional[bytes] = None) -> Wrapped:
        cek = cek or os.urandom(enc.key_size)
        return cek, key.encrypt(cek, self._padding()), {}

    def unwrap(self, key: Any, encrypted_key: bytes, header: Dict[str, Any], enc: ContentEncryption,
               limits: Limits) -> bytes:
        try:
            return bytes(key.decrypt(encrypted_key, self._padding()))
        except ValueError:
            raise UnwrapFailed from None


class Rsa15(RsaOaep):
    """``RSA1_5``, decryption only, with the RFC 3218 §2.3.2 countermeasure.

    A random CEK is drawn before every RSA decryption and used whenever the
    padding is wrong or the CEK has the wrong size, so the token always goes
    on to the content tag check and fails there: no padding oracle
    (Bleichenbacher). OpenSSL 3.2+ adds implicit rejection on top.
    """

    def __init__(self) -> None:
        super().__init__("RSA1_5", hashes.SHA1)

    def encryption_key(self, key: Any, enc: ContentEncryption) -> Any:
        raise InvalidAlgorithmError("RSA1_5 is only supported for decryption")

    def unwrap(self, key: Any, encrypted_key: bytes, header: Dict[str, Any], enc: ContentEncryption,
               limits: Limits) -> bytes:
        fallback = os.urandom(enc.key_size)
        try:
            cek = key.decrypt(encrypted_key, PKCS1v15())
        except ValueError:
            return fallback
        return cek if len(cek) == enc.key_size else fallback


# -- ECDH-ES (RFC 7518 §4.6) -------------------------------------------------------------------

_EC_CURVES = ("secp256r1", "secp384r1", "secp521r1")
_OKP_TYPES = ((x25519.X25519PrivateKey, x25519.X25519PublicKey), (x448.X448PrivateKey, x448.X448PublicKey))


def ecdh_key(key: Any, private: bool, what: str) -> Any:
    """A P-256/P-384/P-521/X25519/X448 key (object or PEM); public unless ``private``."""
    if isinstance(key, (str, bytes)):
        key = load_asymmetric_key(key)
    is_private = isinstance(key, (ec.EllipticCurvePrivateKey, x25519.X25519PrivateKey, x448.X448PrivateKey))
    if private and not is_private:
        raise InvalidKeyError(f"{what} needs a private key to decrypt")
    if is_private and not private:
        key = key.public_key()
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        if key.curve.name not in _EC_CURVES:
            raise InvalidKeyError(f"{what} does not support the {key.curve.name} curve")
        return key
    if not any(isinstance(key, types) for types in _OKP_TYPES):
        raise InvalidKeyError(f"{what} needs an EC (P-256, P-384, P-521), X25519 or X448 key")
    return key


def _same_curve(peer: Any, own: Any) -> bool:
    """Whether public key ``peer`` lies on the curve of private key ``own``."""
    if isinstance(own, ec.EllipticCurvePrivateKey):
        return isinstance(peer, ec.EllipticCurvePublicKey) and peer.curve.name == own.curve.name
    return any(isinstance(own, private) and isinstance(peer, public) for private, public in _OKP_TYPES)


def _exchange(private: Any, public: Any) -> bytes:
    if isinstance(private, ec.EllipticCurvePrivateKey):
        return bytes(private.exchange(ec.ECDH(), public))
    return bytes(private.exchange(public))


def _ephemeral_for(public: Any) -> Any:
    if isinstance(public, ec.EllipticCurvePublicKey):
        return ec.generate_private_key(public.curve)
    if isinstance(public, x25519.X25519PublicKey):
        return x25519.X25519PrivateKey.generate()
    return x448.X448PrivateKey.generate()


def _peer_key(header: Dict[str, Any], own: Any) -> Any:
    """The ``epk`` header as a public key on ``own``'s curve; :class:`InvalidTokenError` otherwise."""
    epk = header.get("epk")
    if not isinstance(epk, dict) or epk.get("kty") not in ("EC", "OKP"):
        raise InvalidTokenError('Invalid "epk" header: must be an EC or OKP public JWK')
    if "d" in epk:
        raise InvalidTokenError('Invalid "epk" header: must not hold a private key')
    try:
        peer = jwk_to_key(epk)  # checks the point is on its curve
    except InvalidKeyError:
        raise InvalidTokenError('Invalid "epk" header: not a valid public key') from None
    if not _same_curve(peer, own):
        raise InvalidTokenError('Invalid "epk" header: not on the curve of the decryption key')
    return peer


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


class EcdhEs(KeyManagement):
    """``ECDH-ES`` (the derived key is the CEK) and ``ECDH-ES+AxxxKW`` (it wraps a random CEK)."""

    operations = ("deriveKey", "deriveKey")

    def __init__(self, kw_bits: Optional[int]) -> None:
        self.name = "ECDH-ES" if kw_bits is None else f"ECDH-ES+A{kw_bits}KW"
        self._kw_size = kw_bits // 8 if kw_bits else 0
        self.derives_cek = kw_bits is None

    def encryption_key(self, key: Any, enc: ContentEncryption) -> Any:
        return ecdh_key(key, False, self.name)

    def decryption_key(self, key: Any, enc: ContentEncryption) -> Any:
        return ecdh_key(key, True, self.name)

    def _derive(self, shared: bytes, header: Dict[str, Any], enc: ContentEncryption) -> bytes:
        """Concat KDF (NIST SP 800-56A §5.8.1) with RFC 7518 §4.6.2's OtherInfo."""
        algorithm_id, size = (self.name, self._kw_size) if self._kw_size else (enc.name, enc.key_size)
        other_info = b"".join((
            _length_prefixed(algorithm_id.encode("ascii")),
            _length_prefixed(header_bytes(header, "apu") or b""),
            _length_prefixed(header_bytes(header, "apv") or b""),
            struct.pack(">I", size * 8),
        ))
        return ConcatKDFHash(hashes.SHA256(), size, other_info).derive(shared)

    def wrap(self, key: Any, enc: ContentEncryption, header: Dict[str, Any],
             cek: Optional[bytes] = None) -> Wrapped:
        ephemeral = _ephemeral_for(key)
        derived = self._derive(_exchange(ephemeral, key), header, enc)
        extra = {"epk": key_to_jwk(ephemeral.public_key())}
        if not self._kw_size:
            return derived, b"", extra
        cek = cek or os.urandom(enc.key_size)
        return cek, kw_wrap(derived, cek), extra

    def unwrap(self, key: Any, encrypted_key: bytes, header: Dict[str, Any], enc: ContentEncryption,
               limits: Limits) -> bytes:
        peer = _peer_key(header, key)
        if not self._kw_size and encrypted_key:
            raise InvalidTokenError('The encrypted key must be empty with "ECDH-ES"')
        try:
            shared = _exchange(key, peer)
        except ValueError:  # X25519/X448 low-order point: an all-zero secret
            raise UnwrapFailed from None
        derived = self._derive(shared, header, enc)
        return kw_unwrap(derived, encrypted_key) if self._kw_size else derived


# -- PBES2 (RFC 7518 §4.8) ---------------------------------------------------------------------


def password_bytes(key: Any, what: str) -> bytes:
    """A non-empty password given as ``str`` (UTF-8) or ``bytes``."""
    if isinstance(key, str):
        try:
            key = key.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidKeyError(f"{what} needs a password encodable as UTF-8") from None
    password = secret_bytes(key, what)
    if not password:
        raise InvalidKeyError(f"{what} needs a non-empty password")
    return password


def _count(header: Dict[str, Any], low: int) -> int:
    count = header.get("p2c")
    if isinstance(count, bool) or not isinstance(count, int) or count < low:
        raise InvalidTokenError(f'Invalid "p2c" header: must be an integer of at least {low}')
    return count


class Pbes2(KeyManagement):
    """``PBES2-HSxxx+AyyyKW``: PBKDF2 turns the password into an AES key-wrap key."""

    operations = ("deriveKey", "deriveKey")

    def __init__(self, hash_bits: int, kw_bits: int) -> None:
        self.name = f"PBES2-HS{hash_bits}+A{kw_bits}KW"
        self._hash_cls: Callable[[], hashes.HashAlgorithm] = {
            256: hashes.SHA256, 384: hashes.SHA384, 512: hashes.SHA512
        }[hash_bits]
        self._kw_size = kw_bits // 8

    def encryption_key(self, key: Any, enc: ContentEncryption) -> bytes:
        return password_bytes(key, self.name)

    decryption_key = encryption_key

    def _kek(self, password: bytes, salt_input: bytes, count: int) -> bytes:
        salt = self.name.encode("ascii") + b"\x00" + salt_input
        return PBKDF2HMAC(self._hash_cls(), self._kw_size, salt, count).derive(password)

    def wrap(self, key: bytes, enc: ContentEncryption, header: Dict[str, Any],
             cek: Optional[bytes] = None) -> Wrapped:
        count = _count({"p2c": DEFAULT_PBES2_COUNT, **header}, MIN_PBES2_COUNT)
        salt_input, cek = os.urandom(_PBES2_SALT_SIZE), cek or os.urandom(enc.key_size)
        wrapped = kw_wrap(self._kek(key, salt_input, count), cek)
        return cek, wrapped, {"p2s": b64_text(salt_input), "p2c": count}

    def unwrap(self, key: bytes, encrypted_key: bytes, header: Dict[str, Any], enc: ContentEncryption,
               limits: Limits) -> bytes:
        count = _count(header, 1)
        if count > limits.max_pbes2_count:  # bounded before any work
            raise exceeded('The "p2c" header', "max_pbes2_count", limits.max_pbes2_count, "iterations")
        salt_input = header_bytes(header, "p2s")
        if salt_input is None or len(salt_input) < _MIN_PBES2_SALT_SIZE:
            raise InvalidTokenError(f'Invalid "p2s" header: must hold at least {_MIN_PBES2_SALT_SIZE} bytes')
        return kw_unwrap(self._kek(key, salt_input, count), encrypted_key)


#: ``alg`` name -> algorithm, for every key management algorithm cyjose implements.
KEY_MANAGEMENTS: Dict[str, KeyManagement] = {
    alg.name: alg
    for alg in (
        Direct(),
        AesKeyWrap(128), AesKeyWrap(192), AesKeyWrap(256),
        AesGcmKeyWrap(128), AesGcmKeyWrap(192), AesGcmKeyWrap(256),
        RsaOaep("RSA-OAEP", hashes.SHA1), RsaOaep("RSA-OAEP-256", hashes.SHA256),
        RsaOaep("RSA-OAEP-384", hashes.SHA384), RsaOaep("RSA-OAEP-512", hashes.SHA512),
        Rsa15(),
        EcdhEs(None), EcdhEs(128), EcdhEs(192), EcdhEs(256),
        Pbes2(256, 128), Pbes2(384, 192), Pbes2(512, 256),
    )
}
