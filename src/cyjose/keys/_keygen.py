"""New signing keys for the key store: generation, kid, public JWK and sealed private key."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from .._keymaterial.jwk import key_to_jwk, thumbprint

__all__ = ["GENERATORS", "generate_private_key", "jwk_text", "public_jwk", "private_der"]

_RSA_BITS = 2048  # the JWA minimum (RFC 7518 §3.3) and cyjose's default min_rsa_key_size


def _rsa() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)


#: The algorithms a store can generate keys for, and how.
GENERATORS: Dict[str, Callable[[], Any]] = {
    "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "ES384": lambda: ec.generate_private_key(ec.SECP384R1()),
    "ES512": lambda: ec.generate_private_key(ec.SECP521R1()),
    "RS256": _rsa, "RS384": _rsa, "RS512": _rsa,
    "PS256": _rsa, "PS384": _rsa, "PS512": _rsa,
    "EdDSA": ed25519.Ed25519PrivateKey.generate,
}


def generate_private_key(algorithm: str) -> Any:
    """A fresh private key for ``algorithm`` (a key of :data:`GENERATORS`)."""
    return GENERATORS[algorithm]()


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
