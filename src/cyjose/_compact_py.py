"""Splitting a JWS compact serialization -- pure-Python twin and reference."""

from __future__ import annotations

from typing import Tuple, Union

from .exceptions import DecodeError

__all__ = ["split_jws", "MAX_TOKEN_BYTES"]

#: Tokens longer than this are refused before any decoding work (1 MiB).
MAX_TOKEN_BYTES = 1 << 20


def split_jws(token: Union[str, bytes]) -> Tuple[bytes, bytes, bytes, bytes]:
    """Split ``token`` into ``(signing_input, header, payload, signature)`` segments.

    ``token`` is ``str`` (ASCII only) or ``bytes`` with exactly three
    dot-separated segments and at most :data:`MAX_TOKEN_BYTES` bytes.
    Raises :class:`DecodeError` otherwise.
    """
    if isinstance(token, str):
        if not token.isascii():
            raise DecodeError("Invalid token: non-ASCII characters")
        token = token.encode("ascii")
    elif not isinstance(token, bytes):
        raise DecodeError(f"Invalid token type. Token must be a {bytes}")
    if len(token) > MAX_TOKEN_BYTES:
        raise DecodeError(f"Token is too large (more than {MAX_TOKEN_BYTES} bytes)")
    first = token.find(b".")
    last = token.rfind(b".")
    if first == last:
        raise DecodeError("Not enough segments")
    if token.find(b".", first + 1) != last:
        raise DecodeError("Too many segments")
    return token[:last], token[:first], token[first + 1 : last], token[last + 1 :]
