"""Splitting a JWE compact serialization (RFC 7516 §7.1) into its five segments.

Kept apart and small: it is meant to move into the compiled ``_compact`` twins.
"""

from __future__ import annotations

from typing import Any, List

from ._compact import MAX_TOKEN_BYTES
from .exceptions import DecodeError

__all__ = ["split_jwe"]


def split_jwe(token: Any) -> List[bytes]:
    """``[header, encrypted_key, iv, ciphertext, tag]`` segments of ``token``, undecoded.

    ``token`` is ``str`` (ASCII only) or ``bytes``, at most
    ``MAX_TOKEN_BYTES`` long, with exactly five dot-separated segments.
    Raises :class:`DecodeError` otherwise.
    """
    if isinstance(token, str):
        if not token.isascii():
            raise DecodeError("Invalid token: non-ASCII characters")
        data = token.encode("ascii")
    elif isinstance(token, bytes):
        data = token
    else:
        raise DecodeError(f"Invalid token type. Token must be a {bytes}")
    if len(data) > MAX_TOKEN_BYTES:
        raise DecodeError(f"Token is too large (more than {MAX_TOKEN_BYTES} bytes)")
    segments = data.split(b".", 5)
    if len(segments) != 5:
        raise DecodeError("Not enough segments" if len(segments) < 5 else "Too many segments")
    return segments
