"""HMAC-SHA-2 with per-key precomputed state -- pure-Python twin and reference."""

from __future__ import annotations

import hashlib
import hmac

from ..exceptions import InvalidKeyError

__all__ = ["HmacKey", "constant_time_equal", "DIGEST_SIZES"]

#: Digest size in bytes of each supported hash name.
DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}


def constant_time_equal(a: bytes, b: bytes) -> bool:
    """Compare two byte strings in time independent of where they differ."""
    return hmac.compare_digest(a, b)


class HmacKey:
    """An HMAC key whose inner and outer pads are hashed once, at construction.

    ``HmacKey(secret, "sha256")``; ``sign(msg)`` returns the MAC and
    ``verify(msg, mac)`` compares in constant time. Raises
    :class:`InvalidKeyError` for an unknown hash name. The secret is never
    shown in the repr.
    """

    __slots__ = ("_template", "hash_name", "digest_size")

    def __init__(self, secret: bytes, hash_name: str) -> None:
        if hash_name not in DIGEST_SIZES:
            raise InvalidKeyError(f"Unsupported HMAC hash: {hash_name!r}")
        self.hash_name = hash_name
        self.digest_size = DIGEST_SIZES[hash_name]
        self._template = hmac.new(bytes(secret), digestmod=getattr(hashlib, hash_name))

    def sign(self, msg: bytes) -> bytes:
        mac = self._template.copy()
        mac.update(msg)
        return mac.digest()

    def verify(self, msg: bytes, mac: bytes) -> bool:
        expected = self._template.copy()
        expected.update(msg)
        return hmac.compare_digest(expected.digest(), mac)

    def __repr__(self) -> str:
        return f"<HmacKey {self.hash_name}>"
