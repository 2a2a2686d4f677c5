"""PyJWT-compatible helpers (``jwt.utils``), kept with PyJWT's contracts.

These are low-level helpers with PyJWT's lenient semantics and its plain
``ValueError``/``TypeError``/``binascii.Error`` failures; token decoding does
not use them (it uses the strict twins).
"""

from __future__ import annotations

import base64
import binascii
from typing import Optional, Union

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurve

from ._keymaterial.formats import force_bytes, is_pem_format, is_ssh_key
from ._speedups.ecdsa import der_to_raw, raw_to_der
from .exceptions import InvalidSignatureError

__all__ = [
    "force_bytes",
    "base64url_decode",
    "base64url_encode",
    "to_base64url_uint",
    "from_base64url_uint",
    "number_to_bytes",
    "bytes_to_number",
    "bytes_from_int",
    "der_to_raw_signature",
    "raw_to_der_signature",
    "is_pem_format",
    "is_ssh_key",
]


def base64url_decode(input: Union[str, bytes]) -> bytes:
    """Decode base64url with or without padding (lenient; binascii.Error on failure)."""
    data = force_bytes(input)
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))


def base64url_encode(input: bytes) -> bytes:
    """Unpadded base64url encoding of ``input``."""
    return base64.urlsafe_b64encode(input).replace(b"=", b"")


def bytes_from_int(val: int, *, bit_length: Optional[int] = None) -> bytes:
    """Big-endian bytes of a non-negative ``val``, ``ceil(bit_length / 8)`` long."""
    if bit_length is None:
        bit_length = val.bit_length()
    return val.to_bytes((bit_length + 7) // 8, "big", signed=False)


def to_base64url_uint(val: int, *, bit_length: Optional[int] = None) -> bytes:
    """base64url of an unsigned integer (at least one byte); ValueError if negative."""
    if val < 0:
        raise ValueError("Must be a positive integer")
    return base64url_encode(bytes_from_int(val, bit_length=bit_length) or b"\x00")


def from_base64url_uint(val: Union[str, bytes]) -> int:
    """The unsigned integer a base64url string encodes."""
    return int.from_bytes(base64url_decode(force_bytes(val)), "big")


def number_to_bytes(num: int, num_bytes: int) -> bytes:
    """``num`` big-endian, zero-padded to ``num_bytes`` (longer if it needs more).

    As in PyJWT, the width is counted in hex digits, so a number whose hex
    form has an odd length beyond the padding raises ``binascii.Error``.
    """
    return binascii.unhexlify(format(num, "x").rjust(2 * num_bytes, "0"))


def bytes_to_number(string: bytes) -> int:
    """The unsigned big-endian integer ``string`` encodes; ValueError if empty."""
    if not string:
        raise ValueError("bytes_to_number() needs at least one byte")
    return int.from_bytes(string, "big")


def _coordinate_size(curve: EllipticCurve) -> int:
    return (curve.key_size + 7) // 8


def der_to_raw_signature(der_sig: bytes, curve: EllipticCurve) -> bytes:
    """DER ECDSA signature -> JWS ``r||s`` for ``curve``; ValueError if malformed."""
    try:
        return der_to_raw(der_sig, _coordinate_size(curve))
    except InvalidSignatureError as exc:
        raise ValueError(str(exc)) from None


def raw_to_der_signature(raw_sig: bytes, curve: EllipticCurve) -> bytes:
    """JWS ``r||s`` -> DER for ``curve``; ValueError("Invalid signature") on a bad length."""
    try:
        return raw_to_der(raw_sig, _coordinate_size(curve))
    except InvalidSignatureError:
        raise ValueError("Invalid signature") from None
