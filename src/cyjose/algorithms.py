"""The JWA signature algorithms (RFC 7518 §3, RFC 8037) with PyJWT's class names.

Each :class:`Algorithm` turns a key as the caller gives it (secret, PEM,
OpenSSH, ``cryptography`` object) into a prepared key (:meth:`prepare_key`)
and signs / verifies with it. :meth:`Algorithm.bind_key` goes one step further
for the fast path: it returns a :class:`BoundKey` whose ``verify`` and ``sign``
have everything (padding objects, keyed HMAC state, public half of a private
key) computed once.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from typing import Any, Callable, ClassVar, Dict, Optional, Tuple, Union

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ec import (
    ECDSA,
    SECP256K1,
    SECP256R1,
    SECP384R1,
    SECP521R1,
    EllipticCurve,
    EllipticCurvePrivateKey,
    EllipticCurvePublicKey,
)
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey, Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from ._ecdsa import der_to_raw, raw_to_der
from ._hmac import HmacKey
from ._keyformats import (
    force_bytes,
    is_der_key,
    is_pem_format,
    is_ssh_key,
    key_bytes,
    load_asymmetric_key,
    looks_like_jwk,
)
from ._pkey import HASH_NAMES, PublicKeyVerifier
from .exceptions import InvalidKeyError, InvalidSignatureError

__all__ = [
    "Algorithm",
    "BoundKey",
    "NoneAlgorithm",
    "HMACAlgorithm",
    "RSAAlgorithm",
    "RSAPSSAlgorithm",
    "ECAlgorithm",
    "OKPAlgorithm",
    "get_default_algorithms",
    "has_crypto",
    "requires_cryptography",
    "AllowedPrivateKeys",
    "AllowedPublicKeys",
]

AllowedRSAKeys = Union[RSAPrivateKey, RSAPublicKey]
AllowedECKeys = Union[EllipticCurvePrivateKey, EllipticCurvePublicKey]
AllowedOKPKeys = Union[Ed25519PrivateKey, Ed25519PublicKey, Ed448PrivateKey, Ed448PublicKey]
AllowedKeys = Union[AllowedRSAKeys, AllowedECKeys, AllowedOKPKeys]
AllowedPrivateKeys = Union[RSAPrivateKey, EllipticCurvePrivateKey, Ed25519PrivateKey, Ed448PrivateKey]
AllowedPublicKeys = Union[RSAPublicKey, EllipticCurvePublicKey, Ed25519PublicKey, Ed448PublicKey]
_PRIVATE_KEY_TYPES = (RSAPrivateKey, EllipticCurvePrivateKey, Ed25519PrivateKey, Ed448PrivateKey)

#: cyjose always has ``cryptography``; kept for code that checks PyJWT's flag.
has_crypto = True
requires_cryptography = {
    "RS256", "RS384", "RS512", "ES256", "ES256K", "ES384", "ES521", "ES512",
    "PS256", "PS384", "PS512", "EdDSA",
}


def get_default_algorithms() -> Dict[str, "Algorithm"]:
    """A fresh registry of every algorithm cyjose implements, by JWA name."""
    return {
        "none": NoneAlgorithm(),
        "HS256": HMACAlgorithm(HMACAlgorithm.SHA256),
        "HS384": HMACAlgorithm(HMACAlgorithm.SHA384),
        "HS512": HMACAlgorithm(HMACAlgorithm.SHA512),
        "RS256": RSAAlgorithm(RSAAlgorithm.SHA256),
        "RS384": RSAAlgorithm(RSAAlgorithm.SHA384),
        "RS512": RSAAlgorithm(RSAAlgorithm.SHA512),
        "PS256": RSAPSSAlgorithm(RSAPSSAlgorithm.SHA256),
        "PS384": RSAPSSAlgorithm(RSAPSSAlgorithm.SHA384),
        "PS512": RSAPSSAlgorithm(RSAPSSAlgorithm.SHA512),
        "ES256": ECAlgorithm(ECAlgorithm.SHA256, SECP256R1),
        "ES256K": ECAlgorithm(ECAlgorithm.SHA256, SECP256K1),
        "ES384": ECAlgorithm(ECAlgorithm.SHA384, SECP384R1),
        "ES512": ECAlgorithm(ECAlgorithm.SHA512, SECP521R1),
        "ES521": ECAlgorithm(ECAlgorithm.SHA512, SECP521R1),  # PyJWT's legacy alias
        "EdDSA": OKPAlgorithm(),
    }


class BoundKey:
    """One key prepared for one algorithm: ``verify(msg, sig)``, ``sign(msg)``.

    ``weakness`` is the key-length warning text, or None when the key is long
    enough. The repr never shows key material.
    """

    __slots__ = ("algorithm", "key", "verify", "sign", "weakness")

    def __init__(
        self,
        algorithm: "Algorithm",
        key: Any,
        verify: Optional[Callable[[bytes, bytes], bool]] = None,
        sign: Optional[Callable[[bytes], bytes]] = None,
    ) -> None:
        self.algorithm = algorithm
        self.key = key
        self.verify = verify or (lambda msg, sig: algorithm.verify(msg, key, sig))
        self.sign = sign or (lambda msg: algorithm.sign(msg, key))
        self.weakness = algorithm.check_key_length(key)

    def __repr__(self) -> str:
        return f"<BoundKey {type(self.algorithm).__name__}>"


class Algorithm(ABC):
    """A signature algorithm: prepare a key, sign, verify."""

    _crypto_key_types: ClassVar[Optional[Tuple[type, ...]]] = None

    def compute_hash_digest(self, bytestr: bytes) -> bytes:
        """Hash ``bytestr`` with this algorithm's hash; NotImplementedError if it has none."""
        hash_alg = getattr(self, "hash_alg", None)
        if hash_alg is None:
            raise NotImplementedError
        if isinstance(hash_alg, type) and issubclass(hash_alg, hashes.HashAlgorithm):
            digest = hashes.Hash(hash_alg())
            digest.update(bytestr)
            return digest.finalize()
        return hash_alg(bytestr).digest()

    def check_crypto_key_type(self, key: Any) -> None:
        """Raise :class:`InvalidKeyError` unless ``key`` is of this algorithm's key family."""
        if self._crypto_key_types is None:
            raise ValueError("This method applies only to cryptography-based algorithms.")
        if not isinstance(key, self._crypto_key_types):
            expected = ", ".join(cls.__name__ for cls in self._crypto_key_types)
            raise InvalidKeyError(
                f"Expected one of {expected}, got: {type(key).__name__}. "
                f"Invalid Key type for {type(self).__name__}"
            )

    @abstractmethod
    def prepare_key(self, key: Any) -> Any:
        """Validate and convert ``key`` to the form :meth:`sign`/:meth:`verify` take."""

    @abstractmethod
    def sign(self, msg: bytes, key: Any) -> bytes:
        """Sign ``msg`` with a prepared ``key``."""

    @abstractmethod
    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        """True when ``sig`` is a valid signature of ``msg`` under the prepared ``key``."""

    def check_key_length(self, key: Any) -> Optional[str]:
        """A warning text when the prepared ``key`` is below the recommended size, else None."""
        return None

    def bind_key(self, key: Any) -> BoundKey:
        """Prepare ``key`` once for repeated use (cyjose's fast path)."""
        return BoundKey(self, self.prepare_key(key))

    def check_signing_key(self, key: Any) -> None:
        """Raise :class:`InvalidKeyError` if the prepared ``key`` cannot sign (e.g. a public key)."""


class NoneAlgorithm(Algorithm):
    """``alg: none``: no signature. Only usable when verification is off."""

    def prepare_key(self, key: Any) -> None:
        if key == "":
            key = None
        if key is not None:
            raise InvalidKeyError('When alg = "none", key value must be None.')
        return key

    def sign(self, msg: bytes, key: None) -> bytes:
        return b""

    def verify(self, msg: bytes, key: None, sig: bytes) -> bool:
        return False


class HMACAlgorithm(Algorithm):
    """HS256 / HS384 / HS512: HMAC with SHA-2 over a shared secret."""

    SHA256: ClassVar[Callable[..., Any]] = hashlib.sha256
    SHA384: ClassVar[Callable[..., Any]] = hashlib.sha384
    SHA512: ClassVar[Callable[..., Any]] = hashlib.sha512

    def __init__(self, hash_alg: Callable[..., Any]) -> None:
        self.hash_alg = hash_alg
        self._hash_name = hash_alg().name

    def prepare_key(self, key: Union[str, bytes]) -> bytes:
        """The secret as bytes.

        Refuses (:class:`InvalidKeyError`) an empty secret and anything shaped
        like an asymmetric key, a certificate or a JWK: a verifier handed a
        public key must never treat it as an HMAC secret.
        """
        if not isinstance(key, (str, bytes)):
            raise InvalidKeyError(f"HMAC key must be str or bytes, got {type(key).__name__}")
        secret = key_bytes(key)
        if not secret:
            raise InvalidKeyError("HMAC key must not be empty.")
        if is_pem_format(secret) or is_ssh_key(secret) or is_der_key(secret):
            raise InvalidKeyError(
                "The specified key is an asymmetric key or x509 certificate and"
                " should not be used as an HMAC secret."
            )
        if looks_like_jwk(secret):
            raise InvalidKeyError(
                "The specified key looks like a JWK and should not be used directly"
                " as an HMAC secret. Load it via PyJWK / HMACAlgorithm.from_jwk first."
            )
        return secret

    def check_key_length(self, key: bytes) -> Optional[str]:
        minimum = self.hash_alg().digest_size
        if len(key) >= minimum:
            return None
        return (
            f"The HMAC key is {len(key)} bytes long, which is below the minimum "
            f"recommended length of {minimum} bytes for {self._hash_name.upper()}. "
            f"See RFC 7518 Section 3.2."
        )

    def sign(self, msg: bytes, key: bytes) -> bytes:
        return HmacKey(key, self._hash_name).sign(msg)

    def verify(self, msg: bytes, key: bytes, sig: bytes) -> bool:
        return HmacKey(key, self._hash_name).verify(msg, sig)

    def bind_key(self, key: Any) -> BoundKey:
        secret = self.prepare_key(key)
        if type(self) is not HMACAlgorithm:
            return BoundKey(self, secret)  # a subclass may change the primitive: honour it
        keyed = HmacKey(secret, self._hash_name)
        return BoundKey(self, secret, verify=keyed.verify, sign=keyed.sign)


class _AsymmetricAlgorithm(Algorithm):
    """Shared key handling of the algorithms whose keys ``cryptography`` loads."""

    def prepare_key(self, key: Any) -> Any:
        if not isinstance(key, (str, bytes)):
            self.check_crypto_key_type(key)
            return key
        loaded = load_asymmetric_key(key)
        self.check_crypto_key_type(loaded)
        return loaded

    def bind_key(self, key: Any) -> BoundKey:
        prepared = self.prepare_key(key)
        if type(self) not in _BUILTIN_TYPES:
            return BoundKey(self, prepared)  # a subclass may change the primitive: honour it
        public = prepared.public_key() if isinstance(prepared, _PRIVATE_KEY_TYPES) else prepared
        return BoundKey(self, prepared, verify=self._bound_verifier(public))

    def check_signing_key(self, key: Any) -> None:
        _require_private(key, _PRIVATE_KEY_TYPES)

    def _bound_verifier(self, public: Any) -> Callable[[bytes, bytes], bool]:
        raise NotImplementedError  # pragma: no cover - every built-in subclass defines it


class RSAAlgorithm(_AsymmetricAlgorithm):
    """RS256 / RS384 / RS512: RSASSA-PKCS1-v1_5."""

    SHA256: ClassVar[type] = hashes.SHA256
    SHA384: ClassVar[type] = hashes.SHA384
    SHA512: ClassVar[type] = hashes.SHA512
    _crypto_key_types = (RSAPrivateKey, RSAPublicKey)
    _MIN_KEY_SIZE: ClassVar[int] = 2048
    _SCHEME: ClassVar[str] = "pkcs1v15"  # of cyjose._pkey

    def __init__(self, hash_alg: type) -> None:
        self.hash_alg = hash_alg

    def _padding(self) -> padding.AsymmetricPadding:
        return padding.PKCS1v15()

    def check_key_length(self, key: AllowedRSAKeys) -> Optional[str]:
        if key.key_size >= self._MIN_KEY_SIZE:
            return None
        return (
            f"The RSA key is {key.key_size} bits long, which is below the minimum "
            f"recommended size of {self._MIN_KEY_SIZE} bits. See NIST SP 800-131A."
        )

    def sign(self, msg: bytes, key: RSAPrivateKey) -> bytes:
        _require_private(key, RSAPrivateKey)
        try:
            return key.sign(msg, self._padding(), self.hash_alg())
        except ValueError as exc:  # e.g. a key too small for PSS with this hash
            raise InvalidKeyError(f"Cannot sign with this {key.key_size}-bit RSA key: {exc}") from None

    def verify(self, msg: bytes, key: AllowedRSAKeys, sig: bytes) -> bool:
        public = key.public_key() if isinstance(key, RSAPrivateKey) else key
        return self._one_shot_verifier(public)(msg, sig)

    def _bound_verifier(self, public: RSAPublicKey) -> Callable[[bytes, bytes], bool]:
        hash_name = getattr(self.hash_alg, "name", None)
        if hash_name not in HASH_NAMES:  # e.g. RSAAlgorithm(hashes.SHA1): cryptography serves it
            return self._one_shot_verifier(public)
        return PublicKeyVerifier(public, self._SCHEME, hash_name).verify

    def _one_shot_verifier(self, public: RSAPublicKey) -> Callable[[bytes, bytes], bool]:
        # Cheapest to build; holds the GIL while verifying. verify() uses it.
        pad, digest = self._padding(), self.hash_alg()

        def verify(msg: bytes, sig: bytes) -> bool:
            try:
                public.verify(sig, msg, pad, digest)
            except InvalidSignature:
                return False
            return True

        return verify


class RSAPSSAlgorithm(RSAAlgorithm):
    """PS256 / PS384 / PS512: RSASSA-PSS, MGF1 with the same hash, salt = hash size."""

    _SCHEME: ClassVar[str] = "pss"

    def _padding(self) -> padding.AsymmetricPadding:
        return padding.PSS(mgf=padding.MGF1(self.hash_alg()), salt_length=self.hash_alg.digest_size)


class ECAlgorithm(_AsymmetricAlgorithm):
    """ES256 / ES256K / ES384 / ES512: ECDSA, signatures as raw ``r||s``."""

    SHA256: ClassVar[type] = hashes.SHA256
    SHA384: ClassVar[type] = hashes.SHA384
    SHA512: ClassVar[type] = hashes.SHA512
    _crypto_key_types = (EllipticCurvePrivateKey, EllipticCurvePublicKey)

    def __init__(self, hash_alg: type, expected_curve: Optional[type] = None) -> None:
        self.hash_alg = hash_alg
        self.expected_curve = expected_curve

    def _validate_curve(self, key: AllowedECKeys) -> None:
        if self.expected_curve is not None and not isinstance(key.curve, self.expected_curve):
            raise InvalidKeyError(
                f"The key's curve '{key.curve.name}' does not match the expected "
                f"curve '{self.expected_curve.name}' for this algorithm"
            )

    def prepare_key(self, key: Any) -> AllowedECKeys:
        prepared = super().prepare_key(key)
        self._validate_curve(prepared)
        return prepared

    def sign(self, msg: bytes, key: EllipticCurvePrivateKey) -> bytes:
        _require_private(key, EllipticCurvePrivateKey)
        der = key.sign(msg, ECDSA(self.hash_alg()))
        return der_to_raw(der, _coordinate_size(key.curve))

    def verify(self, msg: bytes, key: AllowedECKeys, sig: bytes) -> bool:
        public = key.public_key() if isinstance(key, EllipticCurvePrivateKey) else key
        return self._one_shot_verifier(public)(msg, sig)

    def _bound_verifier(self, public: EllipticCurvePublicKey) -> Callable[[bytes, bytes], bool]:
        hash_name = getattr(self.hash_alg, "name", None)
        if hash_name not in HASH_NAMES:
            return self._one_shot_verifier(public)
        size = _coordinate_size(public.curve)
        der_verify = PublicKeyVerifier(public, "ecdsa", hash_name).verify

        def verify(msg: bytes, sig: bytes) -> bool:
            try:
                der = raw_to_der(sig, size)
            except InvalidSignatureError:
                return False
            return der_verify(msg, der)

        return verify

    def _one_shot_verifier(self, public: EllipticCurvePublicKey) -> Callable[[bytes, bytes], bool]:
        size, scheme = _coordinate_size(public.curve), ECDSA(self.hash_alg())

        def verify(msg: bytes, sig: bytes) -> bool:
            try:
                public.verify(raw_to_der(sig, size), msg, scheme)
            except (InvalidSignature, InvalidSignatureError):
                return False
            return True

        return verify


class OKPAlgorithm(_AsymmetricAlgorithm):
    """EdDSA (RFC 8037) with Ed25519 or Ed448 keys."""

    _crypto_key_types = (Ed25519PrivateKey, Ed25519PublicKey, Ed448PrivateKey, Ed448PublicKey)

    def __init__(self, **kwargs: Any) -> None:
        pass

    def sign(self, msg: Union[str, bytes], key: Union[Ed25519PrivateKey, Ed448PrivateKey]) -> bytes:
        _require_private(key, (Ed25519PrivateKey, Ed448PrivateKey))
        return key.sign(force_bytes(msg))

    def verify(self, msg: Union[str, bytes], key: AllowedOKPKeys, sig: Union[str, bytes]) -> bool:
        public = key.public_key() if isinstance(key, (Ed25519PrivateKey, Ed448PrivateKey)) else key
        return self._one_shot_verifier(public)(force_bytes(msg), force_bytes(sig))

    def _bound_verifier(self, public: Any) -> Callable[[bytes, bytes], bool]:
        return PublicKeyVerifier(public, "eddsa").verify

    def _one_shot_verifier(self, public: Any) -> Callable[[bytes, bytes], bool]:
        def verify(msg: bytes, sig: bytes) -> bool:
            try:
                public.verify(sig, msg)
            except InvalidSignature:
                return False
            return True

        return verify


_BUILTIN_TYPES = (RSAAlgorithm, RSAPSSAlgorithm, ECAlgorithm, OKPAlgorithm)


def _coordinate_size(curve: EllipticCurve) -> int:
    return (curve.key_size + 7) // 8


def _require_private(key: Any, private_types: Union[type, Tuple[type, ...]]) -> None:
    if not isinstance(key, private_types):
        raise InvalidKeyError(f"Signing needs a private key; got {type(key).__name__}")
