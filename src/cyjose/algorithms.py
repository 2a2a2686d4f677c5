"""The JWA signature algorithms (RFC 7518 §3, RFC 8037) with PyJWT's class names.

Each :class:`Algorithm` turns a key as the caller gives it (secret, PEM,
OpenSSH, ``cryptography`` object) into a prepared key (:meth:`prepare_key`)
and signs / verifies with it. :meth:`Algorithm.bind_key` goes one step further
for the fast path: it returns a :class:`BoundKey` whose ``verify`` and ``sign``
have everything (padding objects, keyed HMAC state, public half of a private
key) computed once.

Every class also converts keys to and from JWKs (``to_jwk`` / ``from_jwk``, as
PyJWT's do; the rules live in :mod:`cyjose._keymaterial.jwk`). Beyond PyJWT: the
fully-specified ``Ed25519`` and ``Ed448`` names (RFC 9864) next to ``EdDSA``,
and ML-DSA-44/65/87 (FIPS 204; JOSE names and AKP keys of RFC 9964) where
``cryptography`` and its OpenSSL support ML-DSA.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from typing import Any, Callable, ClassVar, Dict, Literal, NoReturn, Optional, Tuple, Union, overload

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

from ._keymaterial.formats import (
    force_bytes,
    is_der_key,
    is_pem_format,
    is_ssh_key,
    key_bytes,
    load_asymmetric_key,
    looks_like_jwk,
)
from ._keymaterial.jwk import DEFAULT_MIN_RSA_KEY_SIZE, jwk_to_key, key_to_jwk, load_key_material, parse_jwk
from ._keymaterial.tables import MLDSA
from ._speedups.ecdsa import der_to_raw, raw_to_der
from ._speedups.hmac import HmacKey
from ._speedups.pkey import HASH_NAMES, PublicKeyVerifier
from .exceptions import InvalidKeyError, InvalidSignatureError
from .types import JWKDict

__all__ = [
    "Algorithm",
    "BoundKey",
    "NoneAlgorithm",
    "HMACAlgorithm",
    "RSAAlgorithm",
    "RSAPSSAlgorithm",
    "ECAlgorithm",
    "OKPAlgorithm",
    "MLDSAAlgorithm",
    "MLDSA_ALGORITHMS",
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
_MLDSA_PRIVATE_TYPES = tuple(variant.private for variant in MLDSA.values())
_PRIVATE_KEY_TYPES = (RSAPrivateKey, EllipticCurvePrivateKey, Ed25519PrivateKey, Ed448PrivateKey) + _MLDSA_PRIVATE_TYPES
_OKP_KEY_TYPES: Dict[Optional[str], Tuple[type, ...]] = {
    None: (Ed25519PrivateKey, Ed25519PublicKey, Ed448PrivateKey, Ed448PublicKey),
    "Ed25519": (Ed25519PrivateKey, Ed25519PublicKey),
    "Ed448": (Ed448PrivateKey, Ed448PublicKey),
}

#: cyjose always has ``cryptography``; kept for code that checks PyJWT's flag.
has_crypto = True
requires_cryptography = {
    "RS256", "RS384", "RS512", "ES256", "ES256K", "ES384", "ES521", "ES512",
    "PS256", "PS384", "PS512", "EdDSA", "Ed25519", "Ed448", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87",
}


def get_default_algorithms() -> Dict[str, Algorithm]:
    """A fresh registry of every algorithm cyjose implements, by JWA name.

    ``EdDSA`` takes Ed25519 and Ed448 keys, ``Ed25519`` and ``Ed448`` (RFC 9864)
    only their own curve. ML-DSA-44/65/87 are present only where
    ``cryptography`` (and the OpenSSL under it) supports ML-DSA.
    """
    mldsa: Dict[str, Algorithm] = {name: MLDSAAlgorithm(name) for name in MLDSA}
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
        "Ed25519": OKPAlgorithm(curve="Ed25519"),
        "Ed448": OKPAlgorithm(curve="Ed448"),
        **mldsa,
    }


class BoundKey:
    """One key prepared for one algorithm: ``verify(msg, sig)``, ``sign(msg)``.

    ``weakness`` is the key-length warning text, or None when the key is long
    enough. The repr never shows key material.
    """

    __slots__ = ("algorithm", "key", "verify", "sign", "weakness")

    def __init__(
        self,
        algorithm: Algorithm,
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

    # The key classes this algorithm takes (None: not a cryptography-based algorithm);
    # an instance may narrow it (OKPAlgorithm's curve, MLDSAAlgorithm's variant).
    _crypto_key_types: Optional[Tuple[type, ...]] = None

    def compute_hash_digest(self, bytestr: bytes) -> bytes:
        """Hash ``bytestr`` with this algorithm's hash; NotImplementedError if it has none."""
        hash_alg = getattr(self, "hash_alg", None)
        if hash_alg is None:
            raise NotImplementedError
        if isinstance(hash_alg, type) and issubclass(hash_alg, hashes.HashAlgorithm):
            digest = hashes.Hash(hash_alg())
            digest.update(bytestr)
            return digest.finalize()
        digest_bytes: bytes = hash_alg(bytestr).digest()
        return digest_bytes

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

    def check_signing_key(self, key: Any) -> None:  # noqa: B027 -- a hook: by default any key signs
        """Raise :class:`InvalidKeyError` if the prepared ``key`` cannot sign (e.g. a public key)."""

    @overload
    @staticmethod
    def to_jwk(key_obj: Any, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: Any, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Union[JWKDict, str]:
        """``key_obj`` as a JWK (JSON text, or a dict with ``as_dict``); NotImplementedError here."""
        raise NotImplementedError

    @staticmethod
    def from_jwk(jwk: Union[str, JWKDict]) -> Any:
        """The key a JWK (JSON text or dict) holds; NotImplementedError here."""
        raise NotImplementedError


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

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> NoReturn:
        raise NotImplementedError

    @staticmethod
    def from_jwk(jwk: Union[str, JWKDict]) -> NoReturn:
        raise NotImplementedError


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

    @overload
    @staticmethod
    def to_jwk(key_obj: Union[str, bytes], as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: Union[str, bytes], as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: Union[str, bytes], as_dict: bool = False) -> Union[JWKDict, str]:
        """The secret as an ``oct`` JWK; :class:`InvalidKeyError` for anything but str/bytes."""
        return _export(key_obj, "oct", as_dict)

    @staticmethod
    def from_jwk(jwk: Union[str, JWKDict]) -> bytes:
        """The secret of an ``oct`` JWK; :class:`InvalidKeyError` for any other or malformed JWK."""
        secret: bytes = _import(jwk, "oct", "Not an HMAC key")
        return secret

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
    _SCHEME: ClassVar[str] = "pkcs1v15"  # of cyjose._speedups.pkey

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

    @overload
    @staticmethod
    def to_jwk(key_obj: Union[AllowedRSAKeys, str, bytes], as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: Union[AllowedRSAKeys, str, bytes], as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: Union[AllowedRSAKeys, str, bytes], as_dict: bool = False) -> Union[JWKDict, str]:
        """An RSA key (object, PEM, OpenSSH or DER) as a JWK, with PyJWT's members and ``key_ops``.

        Raises :class:`InvalidKeyError` for anything that is not an RSA key.
        """
        return _export(key_obj, "RSA", as_dict)

    @staticmethod
    def from_jwk(jwk: Union[str, JWKDict], *, min_key_size: int = DEFAULT_MIN_RSA_KEY_SIZE) -> AllowedRSAKeys:
        """The RSA key (public or private) of a JWK.

        Unlike PyJWT, a modulus under ``min_key_size`` bits (2048 by default)
        or over 8192 bits is refused, as is every malformed member:
        :class:`InvalidKeyError`.
        """
        key: AllowedRSAKeys = _import(jwk, "RSA", "Not an RSA key", min_key_size)
        return key

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
        hash_alg = self.hash_alg()
        return padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=hash_alg.digest_size)


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
                f"curve '{self.expected_curve().name}' for this algorithm"
            )

    def prepare_key(self, key: Any) -> AllowedECKeys:
        prepared: AllowedECKeys = super().prepare_key(key)
        self._validate_curve(prepared)
        return prepared

    @overload
    @staticmethod
    def to_jwk(key_obj: Union[AllowedECKeys, str, bytes], as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: Union[AllowedECKeys, str, bytes], as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: Union[AllowedECKeys, str, bytes], as_dict: bool = False) -> Union[JWKDict, str]:
        """An EC key (object, PEM, OpenSSH or DER; P-256/384/521, secp256k1) as a JWK.

        Raises :class:`InvalidKeyError` for any other key or curve.
        """
        return _export(key_obj, "EC", as_dict)

    @staticmethod
    def from_jwk(jwk: Union[str, JWKDict]) -> AllowedECKeys:
        """The EC key of a JWK; coordinates of the wrong length, points off the
        curve and a ``d`` that does not match raise :class:`InvalidKeyError`."""
        key: AllowedECKeys = _import(jwk, "EC", "Not an Elliptic curve key")
        return key

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
    """EdDSA (RFC 8037) with Ed25519 or Ed448 keys; with ``curve``, one of them only.

    ``OKPAlgorithm()`` is ``EdDSA``; ``OKPAlgorithm(curve="Ed25519")`` and
    ``OKPAlgorithm(curve="Ed448")`` are RFC 9864's fully-specified ``Ed25519``
    and ``Ed448``, which refuse a key of the other curve (InvalidKeyError).
    """

    _crypto_key_types = _OKP_KEY_TYPES[None]

    def __init__(self, *, curve: Optional[str] = None, **kwargs: Any) -> None:
        if curve not in _OKP_KEY_TYPES:
            raise ValueError(f"curve must be None, 'Ed25519' or 'Ed448', not {curve!r}")
        self.curve = curve
        self._crypto_key_types = _OKP_KEY_TYPES[curve]

    def sign(self, msg: Union[str, bytes], key: Union[Ed25519PrivateKey, Ed448PrivateKey]) -> bytes:
        _require_private(key, (Ed25519PrivateKey, Ed448PrivateKey))
        return key.sign(force_bytes(msg))

    def verify(self, msg: Union[str, bytes], key: AllowedOKPKeys, sig: Union[str, bytes]) -> bool:
        public = key.public_key() if isinstance(key, (Ed25519PrivateKey, Ed448PrivateKey)) else key
        return self._one_shot_verifier(public)(force_bytes(msg), force_bytes(sig))

    def _bound_verifier(self, public: Any) -> Callable[[bytes, bytes], bool]:
        return PublicKeyVerifier(public, "eddsa").verify

    def _one_shot_verifier(self, public: Any) -> Callable[[bytes, bytes], bool]:
        return _raw_verifier(public)

    @overload
    @staticmethod
    def to_jwk(key: Any, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key: Any, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key: Any, as_dict: bool = False) -> Union[JWKDict, str]:  # PyJWT names it "key" here
        """An OKP key (object, PEM, OpenSSH or DER) as a JWK.

        Ed25519 and Ed448, and also X25519 and X448 (for JWE; PyJWT refuses
        those). Raises :class:`InvalidKeyError` for any other key.
        """
        return _export(key, "OKP", as_dict)

    @staticmethod
    def from_jwk(jwk: Union[str, JWKDict]) -> Any:
        """The OKP key (Ed25519, Ed448, X25519 or X448) of a JWK; :class:`InvalidKeyError` if malformed."""
        return _import(jwk, "OKP", "Not an Octet Key Pair")


class MLDSAAlgorithm(_AsymmetricAlgorithm):
    """ML-DSA-44 / ML-DSA-65 / ML-DSA-87: FIPS 204 ML-DSA (pure, empty context), RFC 9964.

    Keys are ``cryptography``'s ``MLDSA44PrivateKey``/``MLDSA44PublicKey`` (and
    65, 87), PEM or JWK ``kty: AKP``. Verification runs in ``cryptography``.
    Construction raises ValueError for a name this ``cryptography`` (or its
    OpenSSL) cannot do; :data:`MLDSA_ALGORITHMS` lists the ones it can.
    """

    def __init__(self, name: str) -> None:
        variant = MLDSA.get(name)
        if variant is None:
            raise ValueError(f"ML-DSA variant {name!r} is not supported here (supported: {sorted(MLDSA)})")
        self.name = name
        self._crypto_key_types = (variant.private, variant.public)
        self._private_type = variant.private

    def sign(self, msg: bytes, key: Any) -> bytes:
        _require_private(key, self._private_type)
        return key.sign(force_bytes(msg))  # type: ignore[no-any-return]

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        public = key.public_key() if isinstance(key, self._private_type) else key
        return _raw_verifier(public)(force_bytes(msg), force_bytes(sig))

    def _bound_verifier(self, public: Any) -> Callable[[bytes, bytes], bool]:
        return _raw_verifier(public)  # no compiled path: ML-DSA is not in _pkey

    @overload
    @staticmethod
    def to_jwk(key_obj: Any, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: Any, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Union[JWKDict, str]:
        """An ML-DSA key (object, PEM or DER) as an AKP JWK: ``alg``, ``pub`` and the seed ``priv``.

        Raises :class:`InvalidKeyError` for any other key.
        """
        return _export(key_obj, "AKP", as_dict)

    @staticmethod
    def from_jwk(jwk: Union[str, JWKDict]) -> Any:
        """The ML-DSA key of an AKP JWK (``alg`` names the variant); :class:`InvalidKeyError` if malformed."""
        return _import(jwk, "AKP", "Not an Algorithm Key Pair")


#: The ML-DSA names :class:`MLDSAAlgorithm` supports with this ``cryptography``.
MLDSA_ALGORITHMS = tuple(MLDSA)

_BUILTIN_TYPES = (RSAAlgorithm, RSAPSSAlgorithm, ECAlgorithm, OKPAlgorithm, MLDSAAlgorithm)


def _raw_verifier(public: Any) -> Callable[[bytes, bytes], bool]:
    """``verify(msg, sig)`` for a key whose ``verify(sig, msg)`` takes the message itself."""

    def verify(msg: bytes, sig: bytes) -> bool:
        try:
            public.verify(sig, msg)
        except InvalidSignature:
            return False
        return True

    return verify


def _export(key: Any, kty: str, as_dict: bool) -> Union[JWKDict, str]:
    """``to_jwk``: ``key`` (str/bytes: PEM, OpenSSH or DER, except for ``oct``) as a ``kty`` JWK."""
    if kty != "oct" and isinstance(key, (str, bytes)):
        key = load_key_material(key)
    elif kty == "oct" and not isinstance(key, (str, bytes)):
        raise InvalidKeyError(f"Expected an HMAC secret (str or bytes), got {type(key).__name__}")
    jwk = key_to_jwk(key)
    if jwk["kty"] != kty:
        raise InvalidKeyError(f"Expected a key of type {kty}, got {type(key).__name__}")
    return jwk if as_dict else json.dumps(jwk)


def _import(
    jwk: Union[str, JWKDict], kty: str, wrong_kty: str, min_rsa_key_size: int = DEFAULT_MIN_RSA_KEY_SIZE
) -> Any:
    """``from_jwk``: the key of a ``kty`` JWK; InvalidKeyError ``wrong_kty`` for another type."""
    obj = parse_jwk(jwk)
    if obj.get("kty") != kty:
        raise InvalidKeyError(wrong_kty)
    return jwk_to_key(obj, min_rsa_key_size)


def _coordinate_size(curve: EllipticCurve) -> int:
    return (curve.key_size + 7) // 8


def _require_private(key: Any, private_types: Union[type, Tuple[type, ...]]) -> None:
    if not isinstance(key, private_types):
        raise InvalidKeyError(f"Signing needs a private key; got {type(key).__name__}")
