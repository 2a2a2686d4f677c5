"""JSON for token headers and payloads -- the pure-Python twin, and the reference.

Parsing uses orjson (fast, strict UTF-8, bounded nesting). Where orjson would
refuse what PyJWT accepts (a UTF-8 BOM, UTF-16/32 text) or would turn an
integer beyond 64 bits into a float, the standard library parses instead, so
cyjose accepts exactly what PyJWT accepts, with the same values -- except the
non-standard ``NaN``/``Infinity`` literals, refused. Serialising for signing
uses the standard library so tokens are byte-identical to PyJWT's.
"""

from __future__ import annotations

import json
from typing import Any, Dict

import orjson

from .exceptions import DecodeError

__all__ = ["loads_object", "parse_object", "dumps_compact"]


# A number token of 19+ digits may not fit in 64 bits (orjson would make it a
# float). Number tokens follow ':' '[' or ',' (perhaps after whitespace); digits
# inside strings rarely do, and a false match only costs the slower parser.
# One translate() pass (digits -> '0', separators -> ':', whitespace and signs
# dropped) and one substring search cost a third of a regex search.
_NUMBER_SHAPE = bytes.maketrans(b"0123456789[,", b"0000000000::")
_LONG_NUMBER = b":" + b"0" * 19


def _may_hold_long_number(data: bytes) -> bool:
    return _LONG_NUMBER in data.translate(_NUMBER_SHAPE, b" \t\r\n-")


_NOT_PARSED = object()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def loads_object(data: bytes, what: str) -> Dict[str, Any]:
    """Parse ``data`` as a JSON object; ``what`` ("header"/"payload") names it in errors.

    Raises :class:`DecodeError` ``"Invalid {what} string: ..."`` for invalid
    UTF-8, invalid or too deeply nested JSON, or a value that is not an object.
    """
    return parse_object(data, what, _may_hold_long_number(data))


def parse_object(data: bytes, what: str, may_hold_long_number: bool) -> Dict[str, Any]:
    """:func:`loads_object` for a caller that has already scanned ``data`` for long numbers."""
    value: Any = _NOT_PARSED
    if not may_hold_long_number:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    if value is _NOT_PARSED:
        try:
            value = json.loads(data, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise DecodeError(f"Invalid {what} string: {exc}") from None
    if type(value) is not dict:
        raise DecodeError(f"Invalid {what} string: must be a json object")
    return value


def dumps_compact(value: Any, *, sort_keys: bool = False, cls: Any = None) -> bytes:
    """Serialise ``value`` as PyJWT does: no spaces, ASCII escapes."""
    return json.dumps(value, separators=(",", ":"), sort_keys=sort_keys, cls=cls).encode("utf-8")
