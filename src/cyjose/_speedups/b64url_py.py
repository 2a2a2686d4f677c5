"""Strict base64url (RFC 4648 §5) -- the pure-Python twin and the reference.

Decoding accepts only ``A-Z a-z 0-9 - _``, rejects a length of 1 mod 4 and
non-canonical trailing bits (so each value has exactly one encoding, and a
token cannot be altered without changing its signing input), and tolerates
the standard ``=`` padding only when it is exactly right: one or two ``=``
bringing the length to a multiple of four (AWS ALB pads its tokens).
No whitespace, no other characters.
"""

from __future__ import annotations

import base64
import binascii

from ..exceptions import DecodeError

__all__ = ["b64url_encode", "b64url_decode"]

_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_VALUE = {char: index for index, char in enumerate(_ALPHABET)}
# For a final group of 2 or 3 characters, the low bits of the last character
# that carry no data must be zero.
_UNUSED_BITS_MASK = {2: 0x0F, 3: 0x03}


def b64url_encode(data: bytes) -> bytes:
    """Return the unpadded base64url encoding of ``data`` (bytes-like)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def b64url_decode(segment: bytes, name: str = "base64url") -> bytes:
    """Decode one strict base64url ``segment`` (bytes).

    Raises :class:`DecodeError` ``"Invalid {name} padding"`` for anything that
    is not the canonical encoding of some byte string.
    """
    unpadded = segment.rstrip(b"=")
    padding = len(segment) - len(unpadded)
    remainder = len(unpadded) % 4
    if remainder == 1 or unpadded.translate(None, _ALPHABET):
        raise DecodeError(f"Invalid {name} padding")
    if padding and (padding > 2 or (remainder + padding) % 4):
        raise DecodeError(f"Invalid {name} padding")
    if remainder and _VALUE[unpadded[-1]] & _UNUSED_BITS_MASK[remainder]:
        raise DecodeError(f"Invalid {name} padding")
    try:
        return base64.urlsafe_b64decode(unpadded + b"=" * (-remainder % 4))
    except binascii.Error:  # pragma: no cover - excluded by the checks above
        raise DecodeError(f"Invalid {name} padding") from None
