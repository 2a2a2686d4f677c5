"""Recognising and loading key material given as text or bytes.

Used for two jobs: refusing asymmetric or JWK-shaped material as an HMAC
secret (the algorithm-confusion defence), and loading PEM / OpenSSH keys for
the asymmetric algorithms.
"""

from __future__ import annotations

import json
import re
from typing import Any, Union

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import (
    load_der_public_key,
    load_pem_private_key,
    load_pem_public_key,
    load_ssh_private_key,
    load_ssh_public_key,
)

from ..exceptions import InvalidKeyError

__all__ = [
    "force_bytes",
    "key_bytes",
    "is_pem_format",
    "is_ssh_key",
    "is_der_key",
    "looks_like_jwk",
    "load_asymmetric_key",
]

# "-----BEGIN <LABEL>-----" ... "-----END <LABEL>-----" with the same label.
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----.*?-----END \1-----", re.DOTALL)
_SSH_PUBLIC_PREFIXES = (
    b"ssh-ed25519",
    b"ssh-rsa",
    b"ssh-dss",
    b"ecdsa-sha2-nistp256",
    b"ecdsa-sha2-nistp384",
    b"ecdsa-sha2-nistp521",
    b"sk-ssh-ed25519@openssh.com",
    b"sk-ecdsa-sha2-nistp256@openssh.com",
)
_MAX_JWK_SCAN_DEPTH = 64


def force_bytes(value: Union[str, bytes]) -> bytes:
    """UTF-8 encode a ``str``; return ``bytes`` unchanged; TypeError otherwise."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes):
        return value
    raise TypeError("Expected a string or bytes value")


def key_bytes(key: Union[str, bytes]) -> bytes:
    """``key`` as bytes for parsing; :class:`InvalidKeyError` if a ``str`` is not encodable."""
    if isinstance(key, bytes):
        return key
    try:
        return key.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidKeyError("The key is a str that cannot be encoded as UTF-8") from None


def is_pem_format(key: bytes) -> bool:
    """True when ``key`` holds a complete PEM block (any label)."""
    return _PEM_BLOCK.search(key) is not None


def is_ssh_key(key: bytes) -> bool:
    """True when ``key`` starts like an OpenSSH public key line."""
    return key.lstrip().startswith(_SSH_PUBLIC_PREFIXES)


def is_der_key(key: bytes) -> bool:
    """True when ``key`` is a DER-encoded public key or X.509 certificate."""
    if not key.startswith(b"\x30"):  # every DER structure here is a SEQUENCE
        return False
    for loader in (load_der_public_key, x509.load_der_x509_certificate):
        try:
            loader(key)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            continue
        return True
    return False


def looks_like_jwk(key: bytes) -> bool:
    """True when ``key`` is JSON holding an object with a ``kty`` member.

    JSON too deeply nested to inspect counts as JWK-shaped: refusing an
    unreadable secret is the safe side.
    """
    text = key.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith((b"{", b"[")):
        return False
    try:
        value = json.loads(text.decode("utf-8", "replace"))
    except RecursionError:
        return True
    except ValueError:
        return False
    return _has_kty(value, 0)


def _has_kty(value: Any, depth: int) -> bool:
    if depth > _MAX_JWK_SCAN_DEPTH:
        return True
    if isinstance(value, dict):
        return "kty" in value or any(_has_kty(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_has_kty(v, depth + 1) for v in value)
    return False


def load_asymmetric_key(key: Union[str, bytes]) -> Any:
    """Load a PEM (private or public) or OpenSSH (private or public) key.

    Raises :class:`InvalidKeyError` when ``key`` is none of these, is
    encrypted, or cannot be parsed; the message never includes the key.
    """
    if not isinstance(key, (str, bytes)):
        raise InvalidKeyError(
            f"Expecting a PEM- or OpenSSH-formatted key or a cryptography key object, "
            f"got {type(key).__name__}"
        )
    data = key_bytes(key).strip()
    try:
        if is_ssh_key(data):
            return load_ssh_public_key(data)
        if b"-----BEGIN OPENSSH PRIVATE KEY-----" in data:
            return load_ssh_private_key(data, password=None)
        if b"PRIVATE KEY-----" in data:
            return load_pem_private_key(data, password=None)
        return load_pem_public_key(data)
    # NotImplementedError: cryptography's refusal of an OpenSSH EC key with a compressed point.
    except (ValueError, TypeError, UnsupportedAlgorithm, NotImplementedError) as exc:
        reason = "it is encrypted" if isinstance(exc, TypeError) else "it is not a supported PEM or OpenSSH key"
        raise InvalidKeyError(f"Could not parse the provided key: {reason}.") from None
