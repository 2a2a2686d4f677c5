"""New signing keys: which algorithms get which keys (for the key store and ``cyjose keygen``), kid, JWK, DER.

:data:`ALGORITHMS` is the one table of the key types, curves and sizes;
the key store generates keys for its ``store`` entries at their defaults,
the CLI for any entry with the curve or size its options name.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from .._keymaterial.jwk import key_to_jwk, thumbprint

__all__ = ["ALGORITHMS", "KeySpec", "STORE_ALGORITHMS", "new_key", "generate_private_key", "jwk_text", "public_jwk",
           "private_der"]

_RSA_BITS = 2048  # the JWA minimum (RFC 7518 §3.3) and cyjose's default min_rsa_key_size


@dataclass(frozen=True)
class KeySpec:
    """The keys one algorithm signs with."""

    kty: str  #: the JWK key type: RSA, EC, OKP or oct
    curves: Tuple[str, ...] = ()  #: EC, OKP: the curves it signs with, the default first
    bits: int = 0  #: RSA: the default modulus size; oct: the least (and default) secret size
    store: bool = False  #: a key store generates (and rotates) keys for it


#: Every algorithm a key can be generated for, and what key.
ALGORITHMS: Dict[str, KeySpec] = {
    **{f"HS{bits}": KeySpec("oct", bits=bits) for bits in (256, 384, 512)},
    **{f"{family}{bits}": KeySpec("RSA", bits=_RSA_BITS, store=True)
       for family in ("RS", "PS") for bits in (256, 384, 512)},
    "ES256": KeySpec("EC", ("P-256",), store=True), "ES384": KeySpec("EC", ("P-384",), store=True),
    "ES512": KeySpec("EC", ("P-521",), store=True), "ES256K": KeySpec("EC", ("secp256k1",)),
    "EdDSA": KeySpec("OKP", ("Ed25519", "Ed448"), store=True),
    "Ed25519": KeySpec("OKP", ("Ed25519",)), "Ed448": KeySpec("OKP", ("Ed448",)),
}
#: The algorithms a key store can generate keys for.
STORE_ALGORITHMS = tuple(name for name, spec in ALGORITHMS.items() if spec.store)

_EC_CURVES: Dict[str, Any] = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1,
                              "secp256k1": ec.SECP256K1}
_OKP_CURVES: Dict[str, Any] = {"Ed25519": ed25519.Ed25519PrivateKey, "Ed448": ed448.Ed448PrivateKey}


def new_key(algorithm: str, crv: Optional[str] = None, bits: Optional[int] = None) -> Any:
    """A fresh private key (``bytes`` for an oct secret) for ``algorithm``, a key of :data:`ALGORITHMS`.

    ``crv`` (one of the algorithm's curves) or ``bits`` replace its default;
    they are not checked here: the caller applies its own limits.
    """
    spec = ALGORITHMS[algorithm]
    if spec.kty == "EC":
        return ec.generate_private_key(_EC_CURVES[crv or spec.curves[0]]())
    if spec.kty == "OKP":
        return _OKP_CURVES[crv or spec.curves[0]].generate()
    size = spec.bits if bits is None else bits
    if spec.kty == "RSA":
        return rsa.generate_private_key(public_exponent=65537, key_size=size)
    return os.urandom(size // 8)


def generate_private_key(algorithm: str) -> Any:
    """A fresh private key for ``algorithm`` (one of :data:`STORE_ALGORITHMS`), of its default curve or size."""
    if algorithm not in STORE_ALGORITHMS:
        raise KeyError(algorithm)
    return new_key(algorithm)


def public_jwk(private_key: Any, algorithm: str) -> Dict[str, Any]:
    """The published JWK of ``private_key``: public members, ``kid`` (RFC 7638 thumbprint), ``alg``, ``use``.

    ``key_ops`` is left out: RFC 7517 §4.3 advises against using it with ``use``.
    """
    public = private_key.public_key()
    jwk = {name: value for name, value in key_to_jwk(public).items() if name != "key_ops"}
    jwk.update(kid=thumbprint(public), alg=algorithm, use="sig")
    return jwk


def jwk_text(jwk: Dict[str, Any]) -> str:
    """The stored form of a public JWK: compact JSON with sorted members."""
    return json.dumps(jwk, separators=(",", ":"), sort_keys=True)


def private_der(private_key: Any) -> bytes:
    """``private_key`` as unencrypted PKCS #8 DER (the plaintext the store seals)."""
    return bytes(private_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()))
