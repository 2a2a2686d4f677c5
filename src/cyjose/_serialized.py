"""Reading a JOSE JSON serialization (JWS RFC 7515 §7.2, JWE RFC 7516 §7.2) given as a dict or JSON text,
and the rule both share for their several headers."""

from __future__ import annotations

from typing import Any, Dict

from ._messages import shown
from ._speedups.compact import too_large
from ._speedups.json import loads_unique
from .exceptions import DecodeError
from .limits import Limits

__all__ = ["load_serialized", "ascii_member", "check_disjoint"]


def load_serialized(data: Any, what: str, limits: Limits) -> Dict[str, Any]:
    """``data`` (a dict, or JSON text as str/bytes) as a JSON object; ``what`` ("JWS"/"JWE") names it.

    Text is bounded by ``limits.max_token_bytes`` and ``limits.max_json_depth``
    (:class:`LimitExceededError`), and a member name repeated in any object is
    refused, as in a header (the unprotected headers are part of this text).
    Raises :class:`DecodeError` for another type or invalid text.
    """
    if isinstance(data, dict):
        return data
    if isinstance(data, str):
        if len(data) > limits.max_token_bytes:
            raise too_large(f"The {what}", limits.max_token_bytes)
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError:
            raise DecodeError(f"Invalid {what} string: not valid UTF-8 text") from None
    if not isinstance(data, bytes):
        raise DecodeError(f"Invalid {what} type: expected a dict, str or bytes, got {type(data).__name__}")
    if len(data) > limits.max_token_bytes:
        raise too_large(f"The {what}", limits.max_token_bytes)
    return loads_unique(data, what, limits.max_json_depth)


def ascii_member(obj: Dict[str, Any], name: str, what: str, max_bytes: int) -> bytes:
    """The base64url member ``obj[name]`` of a ``what`` ("JWS"/"JWE") as bytes.

    It must be an ASCII string of at most ``max_bytes``; raises
    :class:`DecodeError` otherwise (:class:`LimitExceededError` for the size).
    """
    value = obj[name]
    if not isinstance(value, str):
        raise DecodeError(f"Invalid {what}: '{name}' must be a string")
    if len(value) > max_bytes:
        raise too_large(f"The {what}'s '{name}' member", max_bytes)
    if not value.isascii():  # base64url is ASCII: the same error as any other stray character
        raise DecodeError(f"Invalid {name} padding")
    return value.encode("ascii")


def check_disjoint(first: Dict[str, Any], second: Any, what: str) -> None:
    """``second``, an unprotected header, is a JSON object sharing no name with ``first``.

    A header member name appears in at most one of a signature's or recipient's
    headers (RFC 7515 §7.2.1, RFC 7516 §7.2.1). ``what`` ("JWS"/"JWE") names the
    serialization in the :class:`DecodeError` raised otherwise.
    """
    if not isinstance(second, dict):
        raise DecodeError(f"Invalid {what}: an unprotected header must be a JSON object")
    for name in second:
        if not isinstance(name, str):
            raise DecodeError(f"Invalid {what}: header member names must be strings")
        if name in first:
            raise DecodeError(f"Invalid {what}: the header member '{shown(name)}' is in more than one header")
