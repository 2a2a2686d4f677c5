"""Splitting JWS and JWE compact serializations -- pure-Python twin and reference."""

from __future__ import annotations

from typing import Tuple, Union

from ..exceptions import DecodeError
from ..limits import DEFAULT_LIMITS, exceeded

__all__ = ["split_jws", "split_jwe", "MAX_TOKEN_BYTES", "too_large"]

#: The default bound on a token's length, refused before any decoding work (1 MiB).
MAX_TOKEN_BYTES = DEFAULT_LIMITS.max_token_bytes


def split_jws(token: Union[str, bytes], max_bytes: int = MAX_TOKEN_BYTES) -> Tuple[bytes, bytes, bytes, bytes]:
    """Split ``token`` into ``(signing_input, header, payload, signature)`` segments.

    ``token`` is ``str`` (ASCII only) or ``bytes`` with exactly three
    dot-separated segments and at most ``max_bytes`` bytes. Raises
    :class:`DecodeError` otherwise (:class:`LimitExceededError` for the size).
    """
    token = _token_bytes(token, max_bytes)
    first = token.find(b".")
    last = token.rfind(b".")
    if first == last:
        raise DecodeError("Not enough segments")
    if token.find(b".", first + 1) != last:
        raise DecodeError("Too many segments")
    return token[:last], token[:first], token[first + 1 : last], token[last + 1 :]


def split_jwe(token: Union[str, bytes], max_bytes: int = MAX_TOKEN_BYTES) -> Tuple[bytes, bytes, bytes, bytes, bytes]:
    """Split a JWE into ``(header, encrypted_key, iv, ciphertext, tag)`` segments, undecoded.

    ``token`` is ``str`` (ASCII only) or ``bytes`` with exactly five
    dot-separated segments (RFC 7516 §7.1) and at most ``max_bytes`` bytes.
    Raises :class:`DecodeError` otherwise (:class:`LimitExceededError` for the size).
    """
    segments = _token_bytes(token, max_bytes).split(b".", 5)
    if len(segments) != 5:
        raise DecodeError("Not enough segments" if len(segments) < 5 else "Too many segments")
    header, encrypted_key, iv, ciphertext, tag = segments
    return header, encrypted_key, iv, ciphertext, tag


def _token_bytes(token: Union[str, bytes], max_bytes: int) -> bytes:
    """The bytes of an ASCII ``str`` or ``bytes`` token within the size bound; DecodeError otherwise."""
    if isinstance(token, str):
        if not token.isascii():
            raise DecodeError("Invalid token: non-ASCII characters")
        token = token.encode("ascii")
    elif not isinstance(token, bytes):
        raise DecodeError(f"Invalid token type. Token must be a {bytes}")
    if len(token) > max_bytes:
        raise too_large("Token", max_bytes)
    return token


def too_large(what: str, max_bytes: int) -> DecodeError:
    """The error for ``what`` (a token, a JSON serialization) longer than ``max_bytes``."""
    return exceeded(what, "max_token_bytes", max_bytes, "bytes")
