"""JSON for token headers and payloads -- the pure-Python twin, and the reference.

Parsing uses orjson (fast, strict UTF-8, bounded nesting). Where orjson would
refuse what PyJWT accepts (a UTF-8 BOM, UTF-16/32 text) or would turn an
integer beyond 64 bits into a float, the standard library parses instead, so
cyjose accepts exactly what PyJWT accepts, with the same values -- except the
non-standard ``NaN``/``Infinity`` literals, refused. Serialising for signing
uses the standard library so tokens are byte-identical to PyJWT's.

Nesting is bounded by ``max_depth`` (:attr:`cyjose.limits.Limits.max_json_depth`)
before any parser runs. Headers and JSON serializations are read with
:func:`loads_unique`, which refuses a member name given twice at any level:
``{"alg":"none","alg":"HS256"}`` must not mean one thing to one parser and
another to the next (RFC 7515 §4 and RFC 7516 §4 let a parser reject
duplicates). Claim sets keep the other choice RFC 7519 §4 allows, PyJWT's:
the last duplicate wins.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, Dict, List, Set, Tuple

import orjson

from ..exceptions import DecodeError
from ..limits import DEFAULT_LIMITS, exceeded

__all__ = ["loads_object", "loads_unique", "parse_object", "parse_unique", "check_depth", "dumps_compact", "MAX_DEPTH"]

#: The default nesting bound (the outer object is depth 1).
MAX_DEPTH = DEFAULT_LIMITS.max_json_depth


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


def loads_object(data: bytes, what: str, max_depth: int = MAX_DEPTH) -> Dict[str, Any]:
    """Parse ``data`` as a JSON object; ``what`` ("header"/"payload") names it in errors.

    Raises :class:`DecodeError` ``"Invalid {what} string: ..."`` for invalid
    UTF-8, invalid JSON, or a value that is not an object, and
    :class:`LimitExceededError` for nesting deeper than ``max_depth``.
    """
    check_depth(data, what, max_depth)
    return parse_object(data, what, _may_hold_long_number(data))


def parse_object(data: bytes, what: str, may_hold_long_number: bool) -> Dict[str, Any]:
    """:func:`loads_object` for a caller that has checked the depth and scanned for long numbers."""
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


class _RepeatedName(ValueError):
    """Internal: a member name given twice in one object."""


def _unique_members(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        seen: Set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise _RepeatedName(name)
            seen.add(name)
    return members


def loads_unique(data: bytes, what: str, max_depth: int = MAX_DEPTH) -> Dict[str, Any]:
    """:func:`loads_object` that also refuses a member name repeated in any object.

    Raises :class:`DecodeError` ``"Invalid {what} string: duplicate member
    name ..."`` for a repeated name (shown shortened), and what
    :func:`loads_object` raises otherwise.
    """
    check_depth(data, what, max_depth)
    return parse_unique(data, what)


def parse_unique(data: bytes, what: str) -> Dict[str, Any]:
    """:func:`loads_unique` for a caller that has checked the depth."""
    try:
        value = json.loads(data, object_pairs_hook=_unique_members, parse_constant=_refuse_constant)
    except _RepeatedName as exc:
        raise DecodeError(f"Invalid {what} string: duplicate member name {_shortened(exc.args[0])}") from None
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise DecodeError(f"Invalid {what} string: {exc}") from None
    if type(value) is not dict:
        raise DecodeError(f"Invalid {what} string: must be a json object")
    return value


def _shortened(name: str) -> str:
    return repr(name if len(name) <= 40 else name[:40] + "...")


# Depth is measured on the brackets outside strings. Escaped backslashes go
# first, then escaped quotes (so no quote left is escaped); then every other
# piece between quotes is outside a string. The brackets that remain become
# "(" and ")": depth does not depend on their kind. Each step is one or two
# passes in C, whatever the input's shape.
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")
_AS_PARENS = bytes.maketrans(b"[{]}", b"(())")
_RUN = re.compile(rb"\(+|\)+")
_PEELED_LEVELS = 3


def check_depth(data: bytes, what: str, max_depth: int) -> None:
    """Raise :class:`LimitExceededError` if the JSON text ``data`` nests deeper than ``max_depth``.

    Text with at most ``max_depth`` opening brackets (nearly all) costs two
    counts. Otherwise the depth is the deepest point of the brackets outside
    strings: a few innermost levels are peeled off with ``replace`` (which
    removes the short alternations that make runs many), then the rest is
    summed run by run. Exact for valid JSON; brackets that never close
    (invalid JSON, which the parser then refuses) may count a level or three
    deeper than they reach. Linear in ``len(data)`` whatever its shape.
    """
    if data.count(b"{") + data.count(b"[") <= max_depth:
        return
    unescaped = _as_utf8(data).replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(unescaped.split(b'"')[::2]).translate(_AS_PARENS, _NOT_BRACKETS)
    peeled = 0
    for _ in range(_PEELED_LEVELS):
        inner = brackets.replace(b"()", b"")
        if len(inner) == len(brackets):
            break
        brackets, peeled = inner, peeled + 1
    runs = [len(run) if run[0] == 40 else -len(run) for run in _RUN.findall(brackets)]  # 40: "("
    if peeled + max(accumulate(runs), default=0) > max_depth:
        raise exceeded(f"The {what} JSON", "max_json_depth", max_depth, "levels")


def _as_utf8(data: bytes) -> bytes:
    """``data`` in UTF-8 (the standard library also reads JSON in UTF-16 and UTF-32)."""
    encoding = json.detect_encoding(data)
    if encoding == "utf-8":
        return data
    try:
        return data.decode(encoding).encode("utf-8", "surrogatepass")
    except UnicodeError:
        return data  # the parser refuses it


def dumps_compact(value: Any, *, sort_keys: bool = False, cls: Any = None) -> bytes:
    """Serialise ``value`` as PyJWT does: no spaces, ASCII escapes."""
    return json.dumps(value, separators=(",", ":"), sort_keys=sort_keys, cls=cls).encode("utf-8")
