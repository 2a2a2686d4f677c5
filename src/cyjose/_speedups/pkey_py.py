"""Public-key signature verification prepared once per key -- pure-Python twin and reference.

``PublicKeyVerifier(public_key, scheme, hash_name)`` fixes the key, the
padding and the hash at construction; ``verify(msg, sig)`` then answers
True or False. The schemes are those of JWA (RFC 7518 §3.3-3.5, RFC 8037):

* ``"pkcs1v15"``: RSASSA-PKCS1-v1_5 (RS256/384/512);
* ``"pss"``: RSASSA-PSS, MGF1 with the same hash, salt length = digest size
  (PS256/384/512);
* ``"ecdsa"``: ECDSA (ES256/ES256K/ES384/ES512). ``sig`` is the **DER**
  ``SEQUENCE { r, s }`` that ``cryptography`` speaks; callers holding a JWS
  raw ``r||s`` convert it first (``cyjose._speedups.ecdsa.raw_to_der``);
* ``"eddsa"``: Ed25519 / Ed448 (``hash_name`` must be None).

This twin calls ``cryptography``; the compiled twin calls OpenSSL's libcrypto
with the GIL released.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from ..exceptions import InvalidKeyError

__all__ = ["PublicKeyVerifier", "SCHEMES", "HASH_NAMES"]

#: The signature schemes, and the public key types each accepts.
SCHEMES = {
    "pkcs1v15": (RSAPublicKey,),
    "pss": (RSAPublicKey,),
    "ecdsa": (EllipticCurvePublicKey,),
    "eddsa": (Ed25519PublicKey, Ed448PublicKey),
}
#: The hash names the RSA and ECDSA schemes accept.
HASH_NAMES = ("sha256", "sha384", "sha512")

_HASHES: Dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512,
}
#: Digest size in bytes of each hash name: the PSS salt length (RFC 7518 §3.5).
DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}


def check_arguments(public_key: Any, scheme: Any, hash_name: Any) -> None:
    """Raise :class:`InvalidKeyError` unless the three make a supported verifier."""
    if not isinstance(scheme, str) or scheme not in SCHEMES:
        raise InvalidKeyError(f"Unsupported signature scheme: {scheme!r}")
    if scheme == "eddsa":
        if hash_name is not None:
            raise InvalidKeyError(f"EdDSA takes no hash; got {hash_name!r}")
    elif not isinstance(hash_name, str) or hash_name not in HASH_NAMES:
        raise InvalidKeyError(f"Unsupported {scheme} hash: {hash_name!r}")
    key_types = SCHEMES[scheme]
    if not isinstance(public_key, key_types):
        expected = " or ".join(cls.__name__ for cls in key_types)
        raise InvalidKeyError(
            f"A {scheme} verifier needs an {expected}, got: {type(public_key).__name__}"
        )


def _verifier(public_key: Any, scheme: str, hash_name: Optional[str]) -> Callable[[Any, Any], None]:
    """A callable ``(msg, sig)`` that raises InvalidSignature for a bad signature."""
    if scheme == "eddsa":
        return lambda msg, sig: public_key.verify(sig, msg)
    assert hash_name is not None  # check_arguments requires a hash for every scheme but EdDSA
    digest = _HASHES[hash_name]()
    if scheme == "ecdsa":
        algorithm = ECDSA(digest)
        return lambda msg, sig: public_key.verify(sig, msg, algorithm)
    pad: padding.AsymmetricPadding
    if scheme == "pss":
        pad = padding.PSS(mgf=padding.MGF1(digest), salt_length=DIGEST_SIZES[hash_name])
    else:
        pad = padding.PKCS1v15()
    return lambda msg, sig: public_key.verify(sig, msg, pad, digest)


class PublicKeyVerifier:
    """A public key prepared for one signature scheme and hash.

    ``PublicKeyVerifier(public_key, scheme, hash_name)``: ``public_key`` is a
    ``cryptography`` public key (RSA, EC, Ed25519, Ed448), ``scheme`` one of
    :data:`SCHEMES`, ``hash_name`` one of :data:`HASH_NAMES` (None for
    ``"eddsa"``). Raises :class:`InvalidKeyError` for an unknown scheme or
    hash or a key of the wrong type.

    ``verify(msg, sig)`` returns True when ``sig`` is a valid signature of
    ``msg`` (both bytes-like; for ECDSA ``sig`` is DER), False otherwise; it
    raises TypeError for arguments that are not bytes-like. Safe to share
    between threads. The key is fixed for the object's life (``__init__``
    again raises TypeError). The repr never shows key material.
    """

    __slots__ = ("scheme", "hash_name", "_verify")

    def __init__(self, public_key: Any, scheme: str, hash_name: Optional[str] = None) -> None:
        if hasattr(self, "_verify"):  # the key is fixed for the object's life
            raise TypeError("PublicKeyVerifier cannot be re-initialised")
        check_arguments(public_key, scheme, hash_name)
        self.scheme = scheme
        self.hash_name = hash_name
        self._verify = _verifier(public_key, scheme, hash_name)

    def verify(self, msg: bytes, sig: bytes) -> bool:
        try:
            self._verify(msg, sig)
        except InvalidSignature:
            return False
        return True

    def __copy__(self) -> PublicKeyVerifier:
        return self  # immutable

    def __deepcopy__(self, memo: Any) -> PublicKeyVerifier:
        return self

    def __reduce__(self) -> Any:
        raise TypeError(f"cannot pickle {type(self).__name__!r} object")

    def __repr__(self) -> str:
        return f"<PublicKeyVerifier {self.scheme} {self.hash_name}>"
