"""ECDSA signature conversion, JWS raw ``r||s`` <-> DER -- pure-Python twin and reference.

JWS carries an ECDSA signature as two fixed-width big-endian integers
(RFC 7518 §3.4); ``cryptography`` speaks DER ``SEQUENCE { INTEGER r, INTEGER s }``.
"""

from __future__ import annotations

from ..exceptions import InvalidSignatureError

__all__ = ["raw_to_der", "der_to_raw"]


def _der_integer(value: bytes) -> bytes:
    value = value.lstrip(b"\x00") or b"\x00"
    if value[0] & 0x80:
        value = b"\x00" + value
    return b"\x02" + _der_length(len(value)) + value


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes((length,))
    size = (length.bit_length() + 7) // 8
    return bytes((0x80 | size,)) + length.to_bytes(size, "big")


def raw_to_der(raw: bytes, size: int) -> bytes:
    """DER-encode a raw signature of two ``size``-byte integers.

    Raises :class:`InvalidSignatureError` unless ``len(raw) == 2 * size``.
    """
    if len(raw) != 2 * size:
        raise InvalidSignatureError("Invalid ECDSA signature length")
    body = _der_integer(raw[:size]) + _der_integer(raw[size:])
    return b"\x30" + _der_length(len(body)) + body


def _read_length(der: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(der):
        raise InvalidSignatureError("Invalid DER signature")
    first = der[pos]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    if count not in (1, 2) or pos + 1 + count > len(der):
        raise InvalidSignatureError("Invalid DER signature")
    length = int.from_bytes(der[pos + 1 : pos + 1 + count], "big")
    return length, pos + 1 + count


def _read_integer(der: bytes, pos: int, size: int) -> tuple[bytes, int]:
    if pos >= len(der) or der[pos] != 0x02:
        raise InvalidSignatureError("Invalid DER signature")
    length, pos = _read_length(der, pos + 1)
    end = pos + length
    if length == 0 or end > len(der) or der[pos] & 0x80:
        raise InvalidSignatureError("Invalid DER signature")
    value = der[pos:end].lstrip(b"\x00")
    if len(value) > size:
        raise InvalidSignatureError("Invalid DER signature")
    return value.rjust(size, b"\x00"), end


def der_to_raw(der: bytes, size: int) -> bytes:
    """Convert a DER ECDSA signature to raw ``r||s``, each padded to ``size`` bytes.

    Raises :class:`InvalidSignatureError` for malformed DER or an integer wider
    than ``size`` bytes.
    """
    if len(der) < 2 or der[0] != 0x30:
        raise InvalidSignatureError("Invalid DER signature")
    length, pos = _read_length(der, 1)
    if pos + length != len(der):
        raise InvalidSignatureError("Invalid DER signature")
    r, pos = _read_integer(der, pos, size)
    s, pos = _read_integer(der, pos, size)
    if pos != len(der):
        raise InvalidSignatureError("Invalid DER signature")
    return r + s
