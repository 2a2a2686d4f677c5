"""Key material for the API tests, generated once per test session.

``keys.private(alg)`` / ``keys.public(alg)`` give ``cryptography`` objects,
``keys.private_pem(alg)`` / ``keys.public_pem(alg)`` PEM bytes, and
``keys.secret(alg)`` a full-length HMAC secret, ``keys.private_ssh(alg)`` /
``keys.public_ssh(alg)`` the OpenSSH forms (for ``SSH_ALGS``). ``SIGNING_ALGS``
lists every signature algorithm cyjose implements.
"""

from __future__ import annotations

import functools
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

HMAC_ALGS = ("HS256", "HS384", "HS512")
RSA_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
EC_ALGS = ("ES256", "ES256K", "ES384", "ES512")
OKP_ALGS = ("EdDSA",)
ASYMMETRIC_ALGS = RSA_ALGS + EC_ALGS + OKP_ALGS
SIGNING_ALGS = HMAC_ALGS + ASYMMETRIC_ALGS
#: Algorithms whose keys OpenSSH can hold (RSA, P-256/384/521, Ed25519 -- not secp256k1 or Ed448).
SSH_ALGS = RSA_ALGS + ("ES256", "ES384", "ES512", "EdDSA")

EC_CURVES = {"ES256": ec.SECP256R1, "ES256K": ec.SECP256K1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1}


@functools.cache
def _generate(kind: str) -> Any:
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "rsa-small":
        return rsa.generate_private_key(public_exponent=65537, key_size=1024)
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "ed448":
        return ed448.Ed448PrivateKey.generate()
    return ec.generate_private_key(EC_CURVES[kind]())


def private(alg: str, variant: str = "") -> Any:
    """A private key for ``alg`` (``variant="ed448"`` for EdDSA with Ed448, "other" for a second key)."""
    if alg in RSA_ALGS:
        return _generate("rsa") if variant != "other" else _generate_other("rsa")
    if alg in EC_ALGS:
        return _generate(alg) if variant != "other" else _generate_other(alg)
    if alg == "EdDSA":
        kind = "ed448" if variant == "ed448" else "ed25519"
        return _generate(kind) if variant != "other" else _generate_other(kind)
    raise ValueError(f"no private key for {alg}")


@functools.cache
def _generate_other(kind: str) -> Any:
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "ed448":
        return ed448.Ed448PrivateKey.generate()
    return ec.generate_private_key(EC_CURVES[kind]())


def public(alg: str, variant: str = "") -> Any:
    return private(alg, variant).public_key()


def private_pem(alg: str, variant: str = "") -> bytes:
    return private(alg, variant).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem(alg: str, variant: str = "") -> bytes:
    return public(alg, variant).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def private_ssh(alg: str, variant: str = "") -> bytes:
    """The private key in OpenSSH's own format ("-----BEGIN OPENSSH PRIVATE KEY-----")."""
    return private(alg, variant).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )


def public_ssh(alg: str, variant: str = "") -> bytes:
    """The public key as one OpenSSH ``authorized_keys`` line ("ssh-rsa AAAA...")."""
    return public(alg, variant).public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )


def secret(alg: str = "HS256") -> bytes:
    """A secret exactly as long as the hash output (no short-key warning)."""
    size = {"HS256": 32, "HS384": 48, "HS512": 64}[alg]
    return bytes(range(1, size + 1))


def signing_key(alg: str) -> Any:
    return secret(alg) if alg in HMAC_ALGS else private(alg)


def verifying_key(alg: str) -> Any:
    return secret(alg) if alg in HMAC_ALGS else public(alg)


def small_rsa() -> Any:
    return _generate("rsa-small")
